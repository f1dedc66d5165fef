//! Where each cell of a report table lands on the grid, computed once so that the PDF and the
//! spreadsheet agree on it.
//!
//! The rules are those of HTML tables: the rows are read in order (header rows first, then body
//! rows), each cell takes the first column of its row that no earlier cell covers, and a cell
//! spanning several rows covers the same columns in the rows below. A row span that runs past
//! the end of its part of the table (the header rows, or the body rows) is cut there, as HTML
//! cuts it at the end of `<thead>`. A cell that does not fit inside the table's columns, or
//! whose column span runs into a cell already placed, makes the table invalid: guessing would
//! shift every figure after it into the wrong column.

use crate::RenderError;
use crate::documents::{TableCell, TablePdf};

/// The position and the (possibly cut) spans of one cell, zero-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlacedCell {
    pub(crate) row_index: usize,
    pub(crate) column_index: usize,
    pub(crate) column_span: usize,
    pub(crate) row_span: usize,
}

/// One grid row: its cells in the order given, and how many of its positions nothing covers
/// (they are all at the end of the row, after the last cell placed in it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlacedRow {
    pub(crate) cells: Vec<PlacedCell>,
    pub(crate) uncovered_position_count: usize,
}

/// Every row of a table on its grid: the header rows first, then the body rows, where a body
/// row's cells are its row header cells followed by its value cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableLayout {
    pub(crate) column_count: usize,
    pub(crate) header_rows: Vec<PlacedRow>,
    pub(crate) body_rows: Vec<PlacedRow>,
}

/// Places every cell of `table` on a grid `column_count` columns wide. The caller has checked
/// the spans (at least one) and the counts against their limits.
pub(crate) fn lay_out_table(
    table: &TablePdf,
    column_count: usize,
) -> Result<TableLayout, RenderError> {
    let header_row_count = table.column_header_rows.len();
    let total_row_count = header_row_count + table.rows.len();
    let mut covered = vec![vec![false; column_count]; total_row_count];
    let mut header_rows = Vec::with_capacity(header_row_count);
    for (header_index, header_row) in table.column_header_rows.iter().enumerate() {
        header_rows.push(place_row(
            &mut covered,
            header_index,
            header_row_count,
            header_row.iter(),
            || format!("header row {}", header_index + 1),
        )?);
    }
    let mut body_rows = Vec::with_capacity(table.rows.len());
    for (body_index, row) in table.rows.iter().enumerate() {
        body_rows.push(place_row(
            &mut covered,
            header_row_count + body_index,
            total_row_count,
            row.row_header_cells.iter().chain(row.value_cells.iter()),
            || format!("body row {}", body_index + 1),
        )?);
    }
    Ok(TableLayout {
        column_count,
        header_rows,
        body_rows,
    })
}

/// Places the cells of grid row `row_index`, whose part of the table ends before row
/// `part_end_row_index`, and marks what they cover.
fn place_row<'table>(
    covered: &mut [Vec<bool>],
    row_index: usize,
    part_end_row_index: usize,
    cells: impl Iterator<Item = &'table TableCell>,
    row_name: impl Fn() -> String,
) -> Result<PlacedRow, RenderError> {
    let column_count = covered.get(row_index).map_or(0, Vec::len);
    let mut placed_cells = Vec::new();
    let mut column_index = 0;
    for (cell_index, cell) in cells.enumerate() {
        while covered[row_index]
            .get(column_index)
            .copied()
            .unwrap_or(false)
        {
            column_index += 1;
        }
        let column_end_index = column_index + cell.column_span;
        if column_end_index > column_count {
            return Err(RenderError::InvalidTable {
                reason: format!(
                    "cell {} of {} ({:?}) would end in column {column_end_index}, but the first \
                     header row makes the table {column_count} columns wide",
                    cell_index + 1,
                    row_name(),
                    cell.text
                ),
            });
        }
        if covered[row_index][column_index..column_end_index]
            .iter()
            .any(|&is_covered| is_covered)
        {
            return Err(RenderError::InvalidTable {
                reason: format!(
                    "cell {} of {} ({:?}) spans into a cell that a row span above already covers",
                    cell_index + 1,
                    row_name(),
                    cell.text
                ),
            });
        }
        let row_span = cell.row_span.min(part_end_row_index - row_index);
        for covered_row in &mut covered[row_index..row_index + row_span] {
            for is_covered in &mut covered_row[column_index..column_end_index] {
                *is_covered = true;
            }
        }
        placed_cells.push(PlacedCell {
            row_index,
            column_index,
            column_span: cell.column_span,
            row_span,
        });
        column_index = column_end_index;
    }
    let uncovered_position_count = covered[row_index]
        .iter()
        .filter(|&&is_covered| !is_covered)
        .count();
    Ok(PlacedRow {
        cells: placed_cells,
        uncovered_position_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::TableRow;

    fn table(header_rows: Vec<Vec<TableCell>>, rows: Vec<TableRow>) -> TablePdf {
        TablePdf {
            title: String::new(),
            caption: String::new(),
            column_header_rows: header_rows,
            rows,
            footnotes: Vec::new(),
        }
    }

    #[test]
    fn row_spans_push_later_cells_to_the_right_as_in_html() {
        let table = table(
            vec![vec![
                TableCell::spanning("项目", 2, 1),
                TableCell::new("数"),
            ]],
            vec![
                TableRow {
                    row_header_cells: vec![
                        TableCell::spanning("三、本年度办理结果", 1, 2),
                        TableCell::new("（一）"),
                    ],
                    value_cells: vec![TableCell::new("1")],
                },
                TableRow {
                    row_header_cells: vec![TableCell::new("（二）")],
                    value_cells: vec![TableCell::new("2")],
                },
            ],
        );
        let layout = lay_out_table(&table, 3).expect("valid");
        let second_row = &layout.body_rows[1];
        assert_eq!(second_row.cells[0].column_index, 1);
        assert_eq!(second_row.cells[1].column_index, 2);
        assert_eq!(second_row.cells[1].row_index, 2);
        assert_eq!(second_row.uncovered_position_count, 0);
    }

    #[test]
    fn row_spans_stop_at_the_end_of_their_part_and_short_rows_are_counted() {
        let table = table(
            vec![vec![
                TableCell::spanning("项目", 1, 3),
                TableCell::new("数"),
            ]],
            vec![TableRow {
                row_header_cells: vec![TableCell::spanning("甲", 1, 5)],
                value_cells: Vec::new(),
            }],
        );
        let layout = lay_out_table(&table, 2).expect("valid");
        assert_eq!(layout.header_rows[0].cells[0].row_span, 1);
        assert_eq!(layout.body_rows[0].cells[0].row_span, 1);
        assert_eq!(layout.body_rows[0].uncovered_position_count, 1);
    }

    #[test]
    fn a_cell_past_the_last_column_or_into_a_span_is_invalid() {
        let too_wide = table(
            vec![vec![TableCell::new("a"), TableCell::new("b")]],
            vec![TableRow {
                row_header_cells: vec![TableCell::new("甲")],
                value_cells: vec![TableCell::new("1"), TableCell::new("2")],
            }],
        );
        assert!(matches!(
            lay_out_table(&too_wide, 2),
            Err(RenderError::InvalidTable { .. })
        ));
        let into_span = table(
            vec![
                vec![TableCell::new("a"), TableCell::spanning("b", 1, 2)],
                vec![TableCell::spanning("c", 2, 1)],
            ],
            Vec::new(),
        );
        assert!(matches!(
            lay_out_table(&into_span, 2),
            Err(RenderError::InvalidTable { .. })
        ));
    }
}
