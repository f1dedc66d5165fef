//! The plain data of each printable document, and its conversion to the JSON that the templates
//! read.
//!
//! The types here are the whole contract with callers: strings the caller has already worded
//! and formatted (dates as text, numbers as text), so this crate takes no position on locale,
//! calendar or counting. Every field is checked against a named limit before typesetting, and
//! control characters are dropped, because a PDF is often produced from text a member of the
//! public typed. Nothing here may interpret the text: it travels to typst as JSON strings.

use serde_json::{Value, json};

use crate::RenderError;
use crate::layout::{PlacedCell, TableLayout, lay_out_table};

/// The most characters in a one-line field such as a title, a name or a date.
pub const SHORT_TEXT_CHARS_MAX: usize = 1_000;
/// The most characters in one paragraph of a letter or one footnote.
pub const PARAGRAPH_CHARS_MAX: usize = 20_000;
/// The most paragraphs in the body of a letter.
pub const LETTER_PARAGRAPHS_MAX: usize = 500;
/// The most sections in a catalog.
pub const CATALOG_SECTIONS_MAX: usize = 500;
/// The most rows in a catalog, over all sections. A county agency publishes a few thousand
/// documents a year; the limit keeps one request from occupying a core for minutes.
pub const CATALOG_ROWS_MAX: usize = 20_000;
/// The most columns of a report table.
pub const TABLE_COLUMNS_MAX: usize = 32;
/// The most header rows of a report table.
pub const TABLE_HEADER_ROWS_MAX: usize = 4;
/// The most body rows of a report table.
pub const TABLE_ROWS_MAX: usize = 2_000;
/// The most rows or columns one table cell may span.
pub const TABLE_CELL_SPAN_MAX: usize = 64;
/// The most footnotes under a report table.
pub const TABLE_FOOTNOTES_MAX: usize = 100;

/// The most sections in an annual report (the 2021 format has six).
pub const REPORT_SECTIONS_MAX: usize = 100;
/// The most paragraphs and tables in an annual report, over all sections.
pub const REPORT_BLOCKS_MAX: usize = 500;
/// The most body rows of all the tables of an annual report together (the 2021 format has
/// about forty), so that many tables cannot add up to what one table may not hold.
pub const REPORT_TABLE_ROWS_MAX: usize = TABLE_ROWS_MAX;

/// A reply letter (答复书) or any other letter in the layout of an official document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterPdf {
    /// The centred title, such as 政府信息公开申请答复书.
    pub title: String,
    /// The addressee as written before the colon of the salutation, such as 张三.
    pub recipient: String,
    /// The body, one string per paragraph; each paragraph is indented by two characters.
    pub body_paragraphs: Vec<String>,
    /// The signing agency, printed above the date.
    pub agency_name: String,
    /// The date as it is to be printed, such as 2026年5月12日.
    pub date_text: String,
    /// The reference printed under the title, such as the receipt number of the application.
    pub reference: String,
    /// Text printed inside a red ring over the signature, marking where the seal goes; `None`
    /// prints no ring. This is a visual mark, not an electronic signature.
    pub seal_text: Option<String>,
}

/// The most paragraphs (lines) of a redacted document.
pub const REDACTED_PARAGRAPHS_MAX: usize = 20_000;
/// The most lines of the note under a redacted document.
pub const REDACTED_NOTES_MAX: usize = 20;

/// A text released after redaction (Art. 37 partial disclosure, or a document published after
/// review). Every string is the already-redacted text: the caller never hands this crate the
/// original, so no removed character can reach the PDF, not even under a box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactedDocumentPdf {
    /// The centred title, also the PDF's title metadata.
    pub title: String,
    /// Printed under the title, such as the receipt number of the application.
    pub reference: String,
    /// The redacted text, one string per line of the original; an empty string keeps an
    /// empty line.
    pub paragraphs: Vec<String>,
    /// Lines printed after a rule under the text, such as 「依据……第十五条（个人隐私），不予
    /// 公开3处。」.
    pub notes: Vec<String>,
}

/// The printable government information catalog of one agency (Art. 25).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogPdf {
    pub agency_name: String,
    /// The date the catalog was produced, as it is to be printed.
    pub generated_on: String,
    pub sections: Vec<CatalogSection>,
}

/// One heading of the catalog (a category of the standard catalog) and its documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogSection {
    pub heading: String,
    pub rows: Vec<CatalogRow>,
}

/// One published document in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRow {
    /// 索引号.
    pub index_number: String,
    /// 名称, the title as published, 《》 included if the caller wants them.
    pub title: String,
    /// 文号; empty when the document has none.
    pub document_number: String,
    /// 发布日期 as it is to be printed.
    pub published_date: String,
    /// 有效性, such as 有效 or 已废止.
    pub validity: String,
}

/// A table of figures with titled header rows and row headers, such as the tables of the annual
/// report (国办公开办函〔2021〕30号).
///
/// The number of columns is the sum of the column spans of the first header row. Cells that a
/// span from an earlier row already covers are simply left out of later rows, as in HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablePdf {
    /// The centred title above the table.
    pub title: String,
    /// A line under the title, such as 单位：件; may be empty.
    pub caption: String,
    /// One to four header rows, repeated at the top of every page the table runs onto.
    pub column_header_rows: Vec<Vec<TableCell>>,
    pub rows: Vec<TableRow>,
    /// Notes printed under the table, one paragraph each.
    pub footnotes: Vec<String>,
}

/// One body row: its row header cells (left-aligned) followed by its value cells (centred).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    pub row_header_cells: Vec<TableCell>,
    pub value_cells: Vec<TableCell>,
}

/// One cell with its text and how many columns and rows it spans (at least one each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCell {
    pub text: String,
    pub column_span: usize,
    pub row_span: usize,
}

impl TableCell {
    /// A cell spanning one column and one row.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            column_span: 1,
            row_span: 1,
        }
    }

    /// A cell spanning `column_span` columns and `row_span` rows.
    pub fn spanning(text: impl Into<String>, column_span: usize, row_span: usize) -> Self {
        Self {
            text: text.into(),
            column_span,
            row_span,
        }
    }
}

/// A whole annual report on government information disclosure (国办公开办函〔2021〕30号): the
/// title, a line under it, and the six sections with their text and tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualReportPdf {
    /// The centred title, such as 某某局2026年政府信息公开工作年度报告.
    pub title: String,
    /// A line under the title, such as the publication date; may be empty.
    pub subtitle: String,
    pub sections: Vec<ReportSection>,
}

/// One section of the report, such as 一、总体情况, with its paragraphs and tables in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSection {
    /// The heading as printed, numbering included, such as 一、总体情况.
    pub heading: String,
    pub blocks: Vec<ReportBlock>,
}

/// A piece of a report section: a paragraph of text (indented two characters) or a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportBlock {
    Paragraph(String),
    Table(TablePdf),
}

/// The page orientation a report table gets: wide tables go landscape so that figures keep a
/// readable size. Nine columns is the annual report's table 三 with its row headers.
const TABLE_PORTRAIT_COLUMNS_MAX: usize = 8;

/// Keeps text printable: control characters other than line breaks are dropped (typst would
/// print nothing useful for them and some PDF readers choke), tabs become spaces, and Windows
/// line ends become plain ones.
pub(crate) fn clean_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter_map(|character| match character {
            '\n' => Some('\n'),
            '\t' | '\r' => Some(' '),
            character if character.is_control() => None,
            character => Some(character),
        })
        .collect()
}

pub(crate) fn checked_length(
    field: &'static str,
    text: &str,
    chars_max: usize,
) -> Result<(), RenderError> {
    let char_count = text.chars().count();
    if char_count > chars_max {
        return Err(RenderError::TooLarge {
            field,
            limit: chars_max,
            actual: char_count,
        });
    }
    Ok(())
}

fn checked_text(field: &'static str, text: &str, chars_max: usize) -> Result<Value, RenderError> {
    checked_length(field, text, chars_max)?;
    Ok(Value::String(clean_text(text)))
}

fn checked_count(field: &'static str, count: usize, limit: usize) -> Result<(), RenderError> {
    if count > limit {
        return Err(RenderError::TooLarge {
            field,
            limit,
            actual: count,
        });
    }
    Ok(())
}

pub(crate) fn letter_data(letter: &LetterPdf) -> Result<Value, RenderError> {
    checked_count(
        "body_paragraphs",
        letter.body_paragraphs.len(),
        LETTER_PARAGRAPHS_MAX,
    )?;
    let paragraphs = letter
        .body_paragraphs
        .iter()
        .map(|paragraph| checked_text("body_paragraphs", paragraph, PARAGRAPH_CHARS_MAX))
        .collect::<Result<Vec<_>, _>>()?;
    let seal_text = match &letter.seal_text {
        Some(seal_text) => checked_text("seal_text", seal_text, SHORT_TEXT_CHARS_MAX)?,
        None => Value::Null,
    };
    Ok(json!({
        "title": checked_text("title", &letter.title, SHORT_TEXT_CHARS_MAX)?,
        "recipient": checked_text("recipient", &letter.recipient, SHORT_TEXT_CHARS_MAX)?,
        "paragraphs": paragraphs,
        "agency_name": checked_text("agency_name", &letter.agency_name, SHORT_TEXT_CHARS_MAX)?,
        "date_text": checked_text("date_text", &letter.date_text, SHORT_TEXT_CHARS_MAX)?,
        "reference": checked_text("reference", &letter.reference, SHORT_TEXT_CHARS_MAX)?,
        "seal_text": seal_text,
    }))
}

pub(crate) fn redacted_document_data(document: &RedactedDocumentPdf) -> Result<Value, RenderError> {
    checked_count(
        "paragraphs",
        document.paragraphs.len(),
        REDACTED_PARAGRAPHS_MAX,
    )?;
    checked_count("notes", document.notes.len(), REDACTED_NOTES_MAX)?;
    let paragraphs = document
        .paragraphs
        .iter()
        .map(|paragraph| checked_text("paragraphs", paragraph, PARAGRAPH_CHARS_MAX))
        .collect::<Result<Vec<_>, _>>()?;
    let notes = document
        .notes
        .iter()
        .map(|note| checked_text("notes", note, SHORT_TEXT_CHARS_MAX))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "title": checked_text("title", &document.title, SHORT_TEXT_CHARS_MAX)?,
        "reference": checked_text("reference", &document.reference, SHORT_TEXT_CHARS_MAX)?,
        "paragraphs": paragraphs,
        "notes": notes,
    }))
}

pub(crate) fn catalog_data(catalog: &CatalogPdf) -> Result<Value, RenderError> {
    checked_count("sections", catalog.sections.len(), CATALOG_SECTIONS_MAX)?;
    let row_count = catalog
        .sections
        .iter()
        .map(|section| section.rows.len())
        .sum();
    checked_count("rows", row_count, CATALOG_ROWS_MAX)?;
    let mut sections = Vec::with_capacity(catalog.sections.len());
    for section in &catalog.sections {
        let mut rows = Vec::with_capacity(section.rows.len());
        for row in &section.rows {
            rows.push(json!({
                "index_number": checked_text("index_number", &row.index_number, SHORT_TEXT_CHARS_MAX)?,
                "title": checked_text("title", &row.title, SHORT_TEXT_CHARS_MAX)?,
                "document_number": checked_text("document_number", &row.document_number, SHORT_TEXT_CHARS_MAX)?,
                "published_date": checked_text("published_date", &row.published_date, SHORT_TEXT_CHARS_MAX)?,
                "validity": checked_text("validity", &row.validity, SHORT_TEXT_CHARS_MAX)?,
            }));
        }
        sections.push(json!({
            "heading": checked_text("heading", &section.heading, SHORT_TEXT_CHARS_MAX)?,
            "rows": rows,
        }));
    }
    Ok(json!({
        "agency_name": checked_text("agency_name", &catalog.agency_name, SHORT_TEXT_CHARS_MAX)?,
        "generated_on": checked_text("generated_on", &catalog.generated_on, SHORT_TEXT_CHARS_MAX)?,
        "sections": sections,
    }))
}

fn checked_cell(field: &'static str, cell: &TableCell) -> Result<(), RenderError> {
    checked_length(field, &cell.text, PARAGRAPH_CHARS_MAX)?;
    for span in [cell.column_span, cell.row_span] {
        if span == 0 || span > TABLE_CELL_SPAN_MAX {
            return Err(RenderError::InvalidTable {
                reason: format!(
                    "a cell of {field} spans {span} columns or rows; spans run from 1 to {TABLE_CELL_SPAN_MAX}"
                ),
            });
        }
    }
    Ok(())
}

/// A cell as the templates read it, with the row span the layout kept (cut at the end of the
/// header rows or of the body).
fn cell_data(
    field: &'static str,
    cell: &TableCell,
    placed_cell: &PlacedCell,
) -> Result<Value, RenderError> {
    Ok(json!({
        "text": checked_text(field, &cell.text, PARAGRAPH_CHARS_MAX)?,
        "colspan": placed_cell.column_span,
        "rowspan": placed_cell.row_span,
    }))
}

/// Checks the shape and the limits of a report table, cleans its text and places its cells on
/// the grid. Shared by the PDF and the spreadsheet, so that both accept the same tables and put
/// each figure in the same column.
pub(crate) fn checked_table_layout(table: &TablePdf) -> Result<TableLayout, RenderError> {
    let Some(first_header_row) = table.column_header_rows.first() else {
        return Err(RenderError::InvalidTable {
            reason: "a report table needs at least one header row".to_string(),
        });
    };
    checked_count(
        "column_header_rows",
        table.column_header_rows.len(),
        TABLE_HEADER_ROWS_MAX,
    )?;
    checked_count("rows", table.rows.len(), TABLE_ROWS_MAX)?;
    checked_count("footnotes", table.footnotes.len(), TABLE_FOOTNOTES_MAX)?;
    checked_length("title", &table.title, SHORT_TEXT_CHARS_MAX)?;
    checked_length("caption", &table.caption, SHORT_TEXT_CHARS_MAX)?;
    for footnote in &table.footnotes {
        checked_length("footnotes", footnote, PARAGRAPH_CHARS_MAX)?;
    }
    for header_row in &table.column_header_rows {
        checked_count("column_header_rows", header_row.len(), TABLE_COLUMNS_MAX)?;
        for cell in header_row {
            checked_cell("column_header_rows", cell)?;
        }
    }
    for row in &table.rows {
        checked_count(
            "rows",
            row.row_header_cells.len() + row.value_cells.len(),
            TABLE_COLUMNS_MAX,
        )?;
        for cell in &row.row_header_cells {
            checked_cell("row_header_cells", cell)?;
        }
        for cell in &row.value_cells {
            checked_cell("value_cells", cell)?;
        }
    }
    let column_count: usize = first_header_row.iter().map(|cell| cell.column_span).sum();
    if column_count == 0 {
        return Err(RenderError::InvalidTable {
            reason: "the first header row spans no column".to_string(),
        });
    }
    checked_count("columns", column_count, TABLE_COLUMNS_MAX)?;
    lay_out_table(table, column_count)
}

/// How many leading columns hold row headers: the widest run of row header cells of any row.
fn row_header_column_count(table: &TablePdf, layout: &TableLayout) -> usize {
    table
        .rows
        .iter()
        .zip(&layout.body_rows)
        .filter_map(|(row, placed_row)| {
            placed_row
                .cells
                .get(..row.row_header_cells.len())
                .and_then(|header_cells| header_cells.last())
                .map(|last_cell| last_cell.column_index + last_cell.column_span)
        })
        .max()
        .unwrap_or(0)
        .min(layout.column_count)
}

/// How wide a text shows, in half-width characters: two for a wide (CJK, full-width)
/// character, one for others; the widest line counts. Excel's column unit (the width of the
/// digit 0) is about one of them.
pub(crate) fn display_width(text: &str) -> usize {
    text.lines()
        .map(|line| line.chars().map(character_width).sum::<usize>())
        .max()
        .unwrap_or(0)
}

fn character_width(character: char) -> usize {
    let is_wide = matches!(u32::from(character),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD);
    if is_wide { 2 } else { 1 }
}

/// The fewest and most Chinese characters a row header column is made wide for, relative to a
/// figure column, which counts as `ROW_HEADER_CHARS_MIN`.
const ROW_HEADER_CHARS_MIN: usize = 4;
const ROW_HEADER_CHARS_MAX: usize = 16;

/// The relative width of each column: one for a figure column, and for a row header column the
/// characters its longest one-column label needs per row (a label spanning rows can wrap over
/// them), between `ROW_HEADER_CHARS_MIN` and `ROW_HEADER_CHARS_MAX`, divided by the minimum. So
/// in table 三 the column of 三、本年度办理结果 (22 rows) stays narrow and the column of
/// 1.本机关不掌握相关政府信息 gets four figure columns' width.
fn column_weights(
    table: &TablePdf,
    layout: &TableLayout,
    row_header_column_count: usize,
) -> Vec<f64> {
    let mut wanted_chars = vec![ROW_HEADER_CHARS_MIN; row_header_column_count];
    for (row, placed_row) in table.rows.iter().zip(&layout.body_rows) {
        for (cell, placed_cell) in row.row_header_cells.iter().zip(&placed_row.cells) {
            if placed_cell.column_span != 1 {
                continue;
            }
            let Some(wanted) = wanted_chars.get_mut(placed_cell.column_index) else {
                continue;
            };
            let chars_per_row = display_width(&cell.text)
                .div_ceil(2)
                .div_ceil(placed_cell.row_span);
            *wanted = (*wanted).max(chars_per_row.min(ROW_HEADER_CHARS_MAX));
        }
    }
    let mut weights: Vec<f64> = wanted_chars
        .iter()
        .map(|&chars| chars as f64 / ROW_HEADER_CHARS_MIN as f64)
        .collect();
    weights.resize(layout.column_count, 1.0);
    weights
}

pub(crate) fn table_data(table: &TablePdf) -> Result<Value, RenderError> {
    let layout = checked_table_layout(table)?;
    let mut header_rows = Vec::with_capacity(table.column_header_rows.len());
    for (header_row, placed_row) in table.column_header_rows.iter().zip(&layout.header_rows) {
        let cells = header_row
            .iter()
            .zip(&placed_row.cells)
            .map(|(cell, placed_cell)| cell_data("column_header_rows", cell, placed_cell))
            .collect::<Result<Vec<_>, _>>()?;
        header_rows.push(json!({
            "cells": cells,
            "padding": placed_row.uncovered_position_count,
        }));
    }
    let mut rows = Vec::with_capacity(table.rows.len());
    for (row, placed_row) in table.rows.iter().zip(&layout.body_rows) {
        let (placed_header_cells, placed_value_cells) =
            placed_row.cells.split_at(row.row_header_cells.len());
        let row_header_cells = row
            .row_header_cells
            .iter()
            .zip(placed_header_cells)
            .map(|(cell, placed_cell)| cell_data("row_header_cells", cell, placed_cell))
            .collect::<Result<Vec<_>, _>>()?;
        let value_cells = row
            .value_cells
            .iter()
            .zip(placed_value_cells)
            .map(|(cell, placed_cell)| cell_data("value_cells", cell, placed_cell))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(json!({
            "headers": row_header_cells,
            "values": value_cells,
            "padding": placed_row.uncovered_position_count,
        }));
    }
    let footnotes = table
        .footnotes
        .iter()
        .map(|footnote| checked_text("footnotes", footnote, PARAGRAPH_CHARS_MAX))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "title": checked_text("title", &table.title, SHORT_TEXT_CHARS_MAX)?,
        "caption": checked_text("caption", &table.caption, SHORT_TEXT_CHARS_MAX)?,
        "column_count": layout.column_count,
        "column_weights": column_weights(table, &layout, row_header_column_count(table, &layout)),
        "landscape": layout.column_count > TABLE_PORTRAIT_COLUMNS_MAX,
        "header_rows": header_rows,
        "rows": rows,
        "footnotes": footnotes,
    }))
}

/// The report as its template reads it. Consecutive sections that hold a table wider than a
/// portrait page takes are grouped into one landscape run of pages, so that a section's heading
/// stays on the page of its table and two wide tables in a row share their pages.
pub(crate) fn annual_report_data(report: &AnnualReportPdf) -> Result<Value, RenderError> {
    checked_count("sections", report.sections.len(), REPORT_SECTIONS_MAX)?;
    let blocks = report.sections.iter().flat_map(|section| &section.blocks);
    checked_count("blocks", blocks.clone().count(), REPORT_BLOCKS_MAX)?;
    let table_row_count = blocks
        .filter_map(|block| match block {
            ReportBlock::Table(table) => Some(table.rows.len()),
            ReportBlock::Paragraph(_) => None,
        })
        .sum();
    checked_count("rows", table_row_count, REPORT_TABLE_ROWS_MAX)?;

    let mut page_runs: Vec<(bool, Vec<Value>)> = Vec::new();
    for section in &report.sections {
        let mut is_landscape = false;
        let mut blocks = Vec::with_capacity(section.blocks.len());
        for block in &section.blocks {
            blocks.push(match block {
                ReportBlock::Paragraph(text) => json!({
                    "kind": "paragraph",
                    "text": checked_text("paragraph", text, PARAGRAPH_CHARS_MAX)?,
                }),
                ReportBlock::Table(table) => {
                    let table = table_data(table)?;
                    is_landscape |= table["landscape"] == true;
                    json!({ "kind": "table", "table": table })
                }
            });
        }
        let section = json!({
            "heading": checked_text("heading", &section.heading, SHORT_TEXT_CHARS_MAX)?,
            "blocks": blocks,
        });
        match page_runs.last_mut() {
            Some((run_is_landscape, sections)) if *run_is_landscape == is_landscape => {
                sections.push(section);
            }
            _ => page_runs.push((is_landscape, vec![section])),
        }
    }
    let page_runs: Vec<Value> = page_runs
        .into_iter()
        .map(|(is_landscape, sections)| json!({ "landscape": is_landscape, "sections": sections }))
        .collect();
    Ok(json!({
        "title": checked_text("title", &report.title, SHORT_TEXT_CHARS_MAX)?,
        "subtitle": checked_text("subtitle", &report.subtitle, SHORT_TEXT_CHARS_MAX)?,
        "page_runs": page_runs,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_dropped_and_line_breaks_kept() {
        assert_eq!(clean_text("a\u{0}b\u{7}c\r\nd\te"), "abc\nd e");
        assert_eq!(clean_text("《条例》\n第二段"), "《条例》\n第二段");
    }

    #[test]
    fn oversized_fields_are_refused_with_their_name_and_limit() {
        let letter = LetterPdf {
            title: "答".repeat(SHORT_TEXT_CHARS_MAX + 1),
            recipient: String::new(),
            body_paragraphs: Vec::new(),
            agency_name: String::new(),
            date_text: String::new(),
            reference: String::new(),
            seal_text: None,
        };
        let error = letter_data(&letter).expect_err("too long a title");
        assert!(matches!(
            error,
            RenderError::TooLarge {
                field: "title",
                limit: SHORT_TEXT_CHARS_MAX,
                ..
            }
        ));
    }

    #[test]
    fn a_table_without_header_or_with_empty_spans_is_invalid() {
        let mut table = TablePdf {
            title: "表".to_string(),
            caption: String::new(),
            column_header_rows: Vec::new(),
            rows: Vec::new(),
            footnotes: Vec::new(),
        };
        assert!(matches!(
            table_data(&table),
            Err(RenderError::InvalidTable { .. })
        ));
        table.column_header_rows = vec![vec![TableCell::spanning("x", 0, 1)]];
        assert!(matches!(
            table_data(&table),
            Err(RenderError::InvalidTable { .. })
        ));
    }

    #[test]
    fn the_column_count_comes_from_the_first_header_row() {
        let table = TablePdf {
            title: "表".to_string(),
            caption: String::new(),
            column_header_rows: vec![
                vec![
                    TableCell::spanning("项目", 2, 2),
                    TableCell::spanning("数量", 8, 1),
                ],
                (1..=8).map(|n| TableCell::new(n.to_string())).collect(),
            ],
            rows: vec![TableRow {
                row_header_cells: vec![TableCell::new("一"), TableCell::new("二")],
                value_cells: (1..=8).map(|n| TableCell::new(n.to_string())).collect(),
            }],
            footnotes: Vec::new(),
        };
        let data = table_data(&table).expect("valid table");
        assert_eq!(data["column_count"], 10);
        assert_eq!(
            data["column_weights"],
            json!([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
        );
        assert_eq!(data["landscape"], true);
    }
}
