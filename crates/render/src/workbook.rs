//! Report tables as an Excel workbook (XLSX), one table a sheet, written with rust_xlsxwriter.
//!
//! A sheet has the table's title in its first row, merged across the table, then its caption,
//! the header rows (bold, shaded, merged where a cell spans), the body rows (row header cells
//! merged for their spans, figures as numbers so that they can be summed) and the footnotes.
//! Panes are frozen under the header rows so that the column labels stay in sight. The cells
//! are placed by the same layout as the PDF's (`layout.rs`), so a figure lands in the same
//! column in both.
//!
//! Like the PDFs, this is data in, bytes out: no file is written. The creation date in the
//! workbook's metadata is fixed, so the same tables always give the same bytes.

use std::collections::HashSet;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use crate::RenderError;
use crate::documents::{
    SHORT_TEXT_CHARS_MAX, TableCell, TablePdf, checked_length, checked_table_layout, clean_text,
    display_width,
};
use crate::layout::{PlacedCell, TableLayout};

/// The most sheets in one workbook. Excel sets no fixed limit; this keeps one request small.
pub const WORKBOOK_SHEETS_MAX: usize = 255;

/// The longest sheet name Excel accepts, in UTF-16 code units (a Chinese character is one).
pub const SHEET_NAME_UTF16_UNITS_MAX: usize = 31;

/// Column widths in Excel's unit, the width of the digit 0 in the default font. A Chinese
/// character takes about two. Wider text wraps instead of widening its column further.
const COLUMN_WIDTH_MIN: f64 = 6.0;
const COLUMN_WIDTH_MAX: f64 = 40.0;
/// Room left beside the text in a cell, in the same unit.
const COLUMN_WIDTH_PADDING: f64 = 2.0;
/// The height of one line of text in the default 11 pt font, in points.
const LINE_HEIGHT_POINTS: f64 = 15.0;
/// The shade of header cells, the same light grey as in the PDFs (typst's luma(230)).
const HEADER_FILL_RGB: u32 = 0xE6E6E6;
/// The most significant digits Excel keeps in a number; longer figures stay text so that no
/// digit is silently changed.
const NUMBER_DIGITS_MAX: usize = 15;
/// The creation date written into the workbook's metadata. This crate never reads the clock,
/// and a fixed date makes the output reproducible; it is the earliest date a ZIP entry (and so
/// an XLSX part) can carry.
const FIXED_CREATION_DATE: (u16, u8, u8) = (1980, 1, 1);

/// One sheet of a workbook: its name on the tab and the table it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkbookSheet {
    /// The tab's name. Excel allows at most 31 characters and none of `[]:*?/\`; the name is
    /// shortened and those characters replaced by `_`, and a name already taken (Excel
    /// compares them without case) gets a number such as ` (2)`. An empty name becomes
    /// `Sheet1`, `Sheet2`, … after the sheet's position.
    pub name: String,
    pub table: TablePdf,
}

/// Writes the tables as an XLSX workbook, one sheet each in the order given, and returns the
/// file's bytes. Tables are checked against the same limits and shape rules as the PDFs.
pub fn write_workbook(sheets: &[WorkbookSheet]) -> Result<Vec<u8>, RenderError> {
    if sheets.len() > WORKBOOK_SHEETS_MAX {
        return Err(RenderError::TooLarge {
            field: "sheets",
            limit: WORKBOOK_SHEETS_MAX,
            actual: sheets.len(),
        });
    }
    let mut workbook = Workbook::new();
    let (year, month, day) = FIXED_CREATION_DATE;
    let creation_date = ExcelDateTime::from_ymd(year, month, day).map_err(spreadsheet_error)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&creation_date));
    let formats = SheetFormats::new();
    let mut taken_names = HashSet::new();
    for (sheet_index, sheet) in sheets.iter().enumerate() {
        checked_length("name", &sheet.name, SHORT_TEXT_CHARS_MAX)?;
        let layout = checked_table_layout(&sheet.table)?;
        let name = unique_sheet_name(&sheet.name, sheet_index, &mut taken_names);
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(name).map_err(spreadsheet_error)?;
        write_sheet(worksheet, &sheet.table, &layout, &formats)?;
    }
    workbook.save_to_buffer().map_err(spreadsheet_error)
}

fn spreadsheet_error(error: XlsxError) -> RenderError {
    RenderError::Spreadsheet {
        message: error.to_string(),
    }
}

/// Makes a name Excel accepts and no earlier sheet has (compared without case, as Excel does).
fn unique_sheet_name(name: &str, sheet_index: usize, taken_names: &mut HashSet<String>) -> String {
    let replaced: String = clean_text(name)
        .chars()
        .map(|character| match character {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            '\n' => ' ',
            character => character,
        })
        .collect();
    let trimmed = replaced.trim().trim_matches('\'').trim();
    let base = if trimmed.is_empty() {
        format!("Sheet{}", sheet_index + 1)
    } else {
        trimmed.to_string()
    };
    let mut candidate = truncated_to_utf16_units(&base, SHEET_NAME_UTF16_UNITS_MAX);
    let mut number = 2;
    // Excel reserves "History" for its change tracking.
    while candidate.to_lowercase() == "history" || taken_names.contains(&candidate.to_lowercase()) {
        let suffix = format!(" ({number})");
        let room = SHEET_NAME_UTF16_UNITS_MAX - suffix.len();
        candidate = format!(
            "{}{suffix}",
            truncated_to_utf16_units(&base, room).trim_end()
        );
        number += 1;
    }
    taken_names.insert(candidate.to_lowercase());
    candidate
}

fn truncated_to_utf16_units(text: &str, units_max: usize) -> String {
    let mut units = 0;
    text.chars()
        .take_while(|character| {
            units += character.len_utf16();
            units <= units_max
        })
        .collect()
}

/// The formats of one workbook, shared by its sheets.
struct SheetFormats {
    title: Format,
    caption: Format,
    header: Format,
    row_header: Format,
    value_text: Format,
    /// Number formats by the count of decimals the text had, so that 12.50 shows as 12.50.
    value_numbers: Vec<Format>,
    footnote: Format,
}

/// The most decimals kept in a number's display format.
const DISPLAY_DECIMALS_MAX: usize = 6;

impl SheetFormats {
    fn new() -> Self {
        let bordered = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let value = bordered.clone().set_align(FormatAlign::Center);
        let value_numbers = (0..=DISPLAY_DECIMALS_MAX)
            .map(|decimals| {
                let display = if decimals == 0 {
                    "0".to_string()
                } else {
                    format!("0.{}", "0".repeat(decimals))
                };
                value.clone().set_num_format(display)
            })
            .collect();
        Self {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            caption: Format::new().set_align(FormatAlign::Center),
            header: bordered
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(HEADER_FILL_RGB))
                .set_align(FormatAlign::Center),
            row_header: bordered.clone().set_align(FormatAlign::Left),
            value_text: value,
            value_numbers,
            footnote: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_align(FormatAlign::Left),
        }
    }
}

/// Converts a grid position to Excel's row number type; the limits keep it far below Excel's.
fn excel_row(row_index: usize) -> Result<u32, RenderError> {
    u32::try_from(row_index).map_err(|_| RenderError::Spreadsheet {
        message: format!("row {row_index} is beyond Excel's rows"),
    })
}

fn excel_column(column_index: usize) -> Result<u16, RenderError> {
    u16::try_from(column_index).map_err(|_| RenderError::Spreadsheet {
        message: format!("column {column_index} is beyond Excel's columns"),
    })
}

/// A figure as Excel should store it: `Some((value, decimals))` for a plain integer or decimal
/// such as `127`, `-3` or `12.50`, `None` for anything else, which stays text: `1,234`, `1e5`,
/// `007` (a leading zero would be lost), `—`, or more digits than Excel keeps.
fn parsed_figure(text: &str) -> Option<(f64, usize)> {
    let text = text.trim();
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (integer_part, fraction_part) = match unsigned.split_once('.') {
        Some((integer_part, fraction_part)) => (integer_part, Some(fraction_part)),
        None => (unsigned, None),
    };
    let all_digits =
        |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    if !all_digits(integer_part) || (integer_part.len() > 1 && integer_part.starts_with('0')) {
        return None;
    }
    let decimals = match fraction_part {
        Some(fraction_part) if !all_digits(fraction_part) => return None,
        Some(fraction_part) => fraction_part.len(),
        None => 0,
    };
    if integer_part.len() + decimals > NUMBER_DIGITS_MAX {
        return None;
    }
    let value = text.parse::<f64>().ok()?;
    Some((value, decimals))
}

/// One cell to write, with where it goes and how it looks.
struct SheetCell<'table> {
    cell: &'table TableCell,
    placed_cell: PlacedCell,
    kind: CellKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Header,
    RowHeader,
    Value,
}

fn write_sheet(
    worksheet: &mut Worksheet,
    table: &TablePdf,
    layout: &TableLayout,
    formats: &SheetFormats,
) -> Result<(), RenderError> {
    let column_count = layout.column_count;
    let last_column = excel_column(column_count - 1)?;
    let mut next_row_index = 0;
    let write_across = |worksheet: &mut Worksheet,
                        row_index: usize,
                        text: &str,
                        format: &Format|
     -> Result<(), RenderError> {
        let row = excel_row(row_index)?;
        if column_count > 1 {
            worksheet.merge_range(row, 0, row, last_column, text, format)
        } else {
            worksheet.write_string_with_format(row, 0, text, format)
        }
        .map(|_| ())
        .map_err(spreadsheet_error)
    };

    if !table.title.is_empty() {
        write_across(
            worksheet,
            next_row_index,
            &clean_text(&table.title),
            &formats.title,
        )?;
        worksheet
            .set_row_height(excel_row(next_row_index)?, 2.0 * LINE_HEIGHT_POINTS)
            .map_err(spreadsheet_error)?;
        next_row_index += 1;
    }
    if !table.caption.is_empty() {
        write_across(
            worksheet,
            next_row_index,
            &clean_text(&table.caption),
            &formats.caption,
        )?;
        next_row_index += 1;
    }

    // The layout's row indexes count from the first header row; the sheet's from its top.
    let grid_top_row_index = next_row_index;
    let mut cells = Vec::new();
    for (header_row, placed_row) in table.column_header_rows.iter().zip(&layout.header_rows) {
        for (cell, placed_cell) in header_row.iter().zip(&placed_row.cells) {
            cells.push(SheetCell {
                cell,
                placed_cell: *placed_cell,
                kind: CellKind::Header,
            });
        }
    }
    for (row, placed_row) in table.rows.iter().zip(&layout.body_rows) {
        let kinds = std::iter::repeat_n(CellKind::RowHeader, row.row_header_cells.len())
            .chain(std::iter::repeat(CellKind::Value));
        let row_cells = row.row_header_cells.iter().chain(&row.value_cells);
        for ((cell, placed_cell), kind) in row_cells.zip(&placed_row.cells).zip(kinds) {
            cells.push(SheetCell {
                cell,
                placed_cell: *placed_cell,
                kind,
            });
        }
    }

    let header_row_count = layout.header_rows.len();
    let grid_row_count = header_row_count + layout.body_rows.len();
    let mut covered = vec![vec![false; column_count]; grid_row_count];
    for sheet_cell in &cells {
        let placed_cell = sheet_cell.placed_cell;
        for covered_row in
            &mut covered[placed_cell.row_index..placed_cell.row_index + placed_cell.row_span]
        {
            for is_covered in &mut covered_row
                [placed_cell.column_index..placed_cell.column_index + placed_cell.column_span]
            {
                *is_covered = true;
            }
        }
        write_cell(worksheet, sheet_cell, grid_top_row_index, formats)?;
    }
    // Positions no cell covers get an empty bordered cell, so that the grid has no holes.
    for (grid_row_index, covered_row) in covered.iter().enumerate() {
        let format = if grid_row_index < header_row_count {
            &formats.header
        } else {
            &formats.value_text
        };
        for (column_index, is_covered) in covered_row.iter().enumerate() {
            if !is_covered {
                worksheet
                    .write_blank(
                        excel_row(grid_top_row_index + grid_row_index)?,
                        excel_column(column_index)?,
                        format,
                    )
                    .map_err(spreadsheet_error)?;
            }
        }
    }
    next_row_index = grid_top_row_index + grid_row_count;

    let column_widths = column_widths(&cells, column_count);
    for (column_index, width) in column_widths.iter().enumerate() {
        worksheet
            .set_column_width(excel_column(column_index)?, *width)
            .map_err(spreadsheet_error)?;
    }

    let table_width: f64 = column_widths.iter().sum();
    for footnote in &table.footnotes {
        let footnote = clean_text(footnote);
        write_across(worksheet, next_row_index, &footnote, &formats.footnote)?;
        // Excel does not grow a merged row to fit wrapped text, so the height is estimated.
        let line_count = footnote
            .lines()
            .map(|line| (display_width(line) as f64 / table_width).ceil().max(1.0))
            .sum::<f64>()
            .max(1.0);
        worksheet
            .set_row_height(excel_row(next_row_index)?, line_count * LINE_HEIGHT_POINTS)
            .map_err(spreadsheet_error)?;
        next_row_index += 1;
    }

    worksheet
        .set_freeze_panes(excel_row(grid_top_row_index + header_row_count)?, 0)
        .map_err(spreadsheet_error)?;
    Ok(())
}

fn write_cell(
    worksheet: &mut Worksheet,
    sheet_cell: &SheetCell<'_>,
    grid_top_row_index: usize,
    formats: &SheetFormats,
) -> Result<(), RenderError> {
    let placed_cell = sheet_cell.placed_cell;
    let first_row = excel_row(grid_top_row_index + placed_cell.row_index)?;
    let last_row =
        excel_row(grid_top_row_index + placed_cell.row_index + placed_cell.row_span - 1)?;
    let first_column = excel_column(placed_cell.column_index)?;
    let last_column = excel_column(placed_cell.column_index + placed_cell.column_span - 1)?;
    let is_merged = first_row != last_row || first_column != last_column;
    let text = clean_text(&sheet_cell.cell.text);
    let figure = match sheet_cell.kind {
        CellKind::Value => parsed_figure(&text),
        CellKind::Header | CellKind::RowHeader => None,
    };
    let format = match (sheet_cell.kind, figure) {
        (CellKind::Header, _) => &formats.header,
        (CellKind::RowHeader, _) => &formats.row_header,
        (CellKind::Value, Some((_, decimals))) => formats
            .value_numbers
            .get(decimals.min(DISPLAY_DECIMALS_MAX))
            .unwrap_or(&formats.value_text),
        (CellKind::Value, None) => &formats.value_text,
    };
    let merged_text = if figure.is_some() { "" } else { text.as_str() };
    if is_merged {
        worksheet
            .merge_range(
                first_row,
                first_column,
                last_row,
                last_column,
                merged_text,
                format,
            )
            .map_err(spreadsheet_error)?;
    }
    match figure {
        // A merged range holds text; the number then overwrites its first cell, as the
        // rust_xlsxwriter documentation shows for merged numbers.
        Some((value, _)) => worksheet
            .write_number_with_format(first_row, first_column, value, format)
            .map(|_| ())
            .map_err(spreadsheet_error),
        None if !is_merged => worksheet
            .write_string_with_format(first_row, first_column, &text, format)
            .map(|_| ())
            .map_err(spreadsheet_error),
        None => Ok(()),
    }
}

/// Widths that fit each column's widest one-column cell, then widen columns under a spanning
/// cell that would not fit across them. A cell spanning several rows can wrap over them, so it
/// asks for less width. Everything stays between the minimum and maximum; longer text wraps.
fn column_widths(cells: &[SheetCell<'_>], column_count: usize) -> Vec<f64> {
    let wanted_width = |sheet_cell: &SheetCell<'_>| {
        let row_span = sheet_cell.placed_cell.row_span as f64;
        (display_width(&sheet_cell.cell.text) as f64 / row_span).ceil() + COLUMN_WIDTH_PADDING
    };
    let mut widths = vec![COLUMN_WIDTH_MIN; column_count];
    for sheet_cell in cells
        .iter()
        .filter(|sheet_cell| sheet_cell.placed_cell.column_span == 1)
    {
        let width = &mut widths[sheet_cell.placed_cell.column_index];
        *width = width.max(wanted_width(sheet_cell).min(COLUMN_WIDTH_MAX));
    }
    for sheet_cell in cells
        .iter()
        .filter(|sheet_cell| sheet_cell.placed_cell.column_span > 1)
    {
        let placed_cell = sheet_cell.placed_cell;
        let spanned = placed_cell.column_index..placed_cell.column_index + placed_cell.column_span;
        let current_width: f64 = widths[spanned.clone()].iter().sum();
        let missing_width = wanted_width(sheet_cell) - current_width;
        if missing_width > 0.0 {
            let share = missing_width / placed_cell.column_span as f64;
            for width in &mut widths[spanned] {
                *width = (*width + share).min(COLUMN_WIDTH_MAX);
            }
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_become_numbers_and_everything_else_stays_text() {
        assert_eq!(parsed_figure("127"), Some((127.0, 0)));
        assert_eq!(parsed_figure(" -3 "), Some((-3.0, 0)));
        assert_eq!(parsed_figure("12.50"), Some((12.5, 2)));
        assert_eq!(parsed_figure("0"), Some((0.0, 0)));
        assert_eq!(parsed_figure("0.5"), Some((0.5, 1)));
        for text in [
            "",
            "-",
            "1,234",
            "1e5",
            "007",
            ".5",
            "5.",
            "inf",
            "NaN",
            "—",
            "12件",
            "+1",
            "1234567890123456",
        ] {
            assert_eq!(parsed_figure(text), None, "{text:?}");
        }
    }

    #[test]
    fn sheet_names_are_made_valid_short_and_unique() {
        let mut taken_names = HashSet::new();
        // Only the ASCII characters are forbidden: the full-width colon is fine in Excel.
        assert_eq!(
            unique_sheet_name("表三:申请情况[2026]/*?\\", 0, &mut taken_names),
            "表三_申请情况_2026_____"
        );
        assert_eq!(
            unique_sheet_name("表三：申请情况", 10, &mut taken_names),
            "表三：申请情况"
        );
        assert_eq!(unique_sheet_name("", 1, &mut taken_names), "Sheet2");
        assert_eq!(unique_sheet_name("'x'", 2, &mut taken_names), "x");
        assert_eq!(unique_sheet_name("X", 3, &mut taken_names), "X (2)");
        assert_eq!(
            unique_sheet_name("history", 4, &mut taken_names),
            "history (2)"
        );
        let long_name = "政".repeat(40);
        let first = unique_sheet_name(&long_name, 5, &mut taken_names);
        assert_eq!(first.chars().count(), SHEET_NAME_UTF16_UNITS_MAX);
        let second = unique_sheet_name(&long_name, 6, &mut taken_names);
        assert!(second.ends_with(" (2)"), "{second}");
        assert_eq!(second.encode_utf16().count(), SHEET_NAME_UTF16_UNITS_MAX);
    }

    #[test]
    fn chinese_characters_count_double_in_column_widths() {
        assert_eq!(display_width("总计"), 4);
        assert_eq!(display_width("127"), 3);
        assert_eq!(display_width("（一）予以公开"), 14);
    }
}
