//! Writes report tables as a workbook and reads it back with calamine, as a spreadsheet program
//! would: the sheet names, every label and figure in its cell, figures stored as numbers, the
//! merged ranges of the spans, bold header cells and the same bytes for the same tables.

mod common;

use std::io::Cursor;

use calamine::{Data, Dimensions, Reader, Xlsx, open_workbook_from_rs};
use gongkai_render::{RenderError, TableCell, WorkbookSheet, write_workbook};

/// The name given for table 三's sheet with `:` and `/` replaced and cut to 31 characters.
const TABLE_THREE_SHEET_NAME: &str = "表三_ 收到和处理政府信息公开申请情况_2026年度（含上年结";

fn workbook_sheets() -> Vec<WorkbookSheet> {
    let mut table_three = common::table_three();
    table_three.title = "三、收到和处理政府信息公开申请情况".to_string();
    vec![
        WorkbookSheet {
            // A colon and a slash are not allowed in a sheet name; the name is also too long.
            name: "表三: 收到和处理政府信息公开申请情况/2026年度（含上年结转）".to_string(),
            table: table_three,
        },
        WorkbookSheet {
            name: "表四".to_string(),
            table: common::table_four(),
        },
        WorkbookSheet {
            name: "表二（八）".to_string(),
            table: common::table_two_fees(),
        },
    ]
}

fn read_back(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("a workbook calamine can open")
}

/// The text of a cell, or the number it holds as an integer or decimal text.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(text) => text.clone(),
        Data::Float(number) => number.to_string(),
        Data::Int(number) => number.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

/// Where a text is on the sheet (absolute row and column), failing when it is not.
fn position_of(range: &calamine::Range<Data>, wanted: &str) -> (u32, u32) {
    range
        .cells()
        .find(|(_, _, cell)| cell_text(cell) == wanted)
        .map(|(row, column, _)| {
            let (start_row, start_column) = range.start().unwrap_or((0, 0));
            (start_row + row as u32, start_column + column as u32)
        })
        .unwrap_or_else(|| panic!("{wanted:?} is not in the sheet"))
}

#[test]
fn a_workbook_holds_every_label_and_figure_with_numbers_and_merged_spans() {
    let bytes = write_workbook(&workbook_sheets()).expect("write workbook");
    assert!(bytes.starts_with(b"PK"), "not a ZIP file");
    let mut workbook = read_back(&bytes);
    assert_eq!(
        workbook.sheet_names(),
        vec![
            TABLE_THREE_SHEET_NAME.to_string(),
            "表四".to_string(),
            "表二（八）".to_string(),
        ]
    );

    let sheet_name = TABLE_THREE_SHEET_NAME;
    let range = workbook.worksheet_range(sheet_name).expect("table 三");
    // The title is on the first row; the caption under it.
    assert_eq!(
        range.get_value((0, 0)).map(cell_text).as_deref(),
        Some("三、收到和处理政府信息公开申请情况")
    );
    assert_eq!(
        range.get_value((1, 0)).map(cell_text).as_deref(),
        Some("单位：件")
    );
    for label in common::table_three_row_labels()
        .into_iter()
        .chain(common::TABLE_THREE_APPLICANT_COLUMNS)
        .chain([
            "申请人情况",
            "法人或其他组织",
            "一、本年新收政府信息公开申请数量",
            "三、本年度办理结果",
            "四、结转下年度继续办理",
            "注：数据统计期间为2026年1月1日至2026年12月31日。",
        ])
    {
        position_of(&range, label);
    }
    // The header starts on row 2 (after title and caption) and takes three rows; the body
    // starts on row 5. 一、本年新收… is the first body row; its figures are numbers in the
    // columns after the three row header columns.
    assert_eq!(
        position_of(&range, "一、本年新收政府信息公开申请数量"),
        (5, 0)
    );
    assert_eq!(
        range.get_value((5, 3)),
        Some(&Data::Float(f64::from(
            common::NEW_APPLICATIONS_NATURAL_PERSONS
        )))
    );
    // （七）总计 is the 24th body row; 四、结转… the 25th and last.
    assert_eq!(position_of(&range, "（七）总计"), (5 + 23, 1));
    assert_eq!(
        range.get_value((5 + 23, 3)),
        Some(&Data::Float(f64::from(
            common::RESULTS_TOTAL_NATURAL_PERSONS
        )))
    );
    assert_eq!(
        range.get_value((5 + 24, 3)),
        Some(&Data::Float(f64::from(
            common::CARRIED_FORWARD_NATURAL_PERSONS
        )))
    );
    // Under a vertically merged label the labels of its rows sit in the third column.
    assert_eq!(position_of(&range, "（三）不予公开"), (5 + 4, 1));
    assert_eq!(position_of(&range, "1.属于国家秘密"), (5 + 4, 2));
    assert_eq!(position_of(&range, "8.属于行政查询事项"), (5 + 11, 2));

    let merged = workbook
        .merge_cells_by_sheet_name(sheet_name)
        .expect("merged ranges");
    let expected_merges = [
        // The title across the ten columns, then the caption.
        ((0, 0), (0, 9)),
        ((1, 0), (1, 9)),
        // The 3 × 3 corner of the header, 申请人情况 over seven columns, 自然人 over two rows.
        ((2, 0), (4, 2)),
        ((2, 3), (2, 9)),
        ((3, 3), (4, 3)),
        // 一、本年新收… over the three row header columns.
        ((5, 0), (5, 2)),
        // 三、本年度办理结果 down 22 rows, （三）不予公开 down eight.
        ((7, 0), (28, 0)),
        ((9, 1), (16, 1)),
    ];
    for (start, end) in expected_merges {
        assert!(
            merged.contains(&Dimensions { start, end }),
            "no merged range {start:?}–{end:?} in {merged:?}"
        );
    }

    // Header cells are bold; row header cells are not.
    let styles = workbook.worksheet_style(sheet_name).expect("styles");
    let is_bold = |position: (u32, u32)| {
        styles
            .get(position)
            .and_then(|style| style.font.as_ref())
            .is_some_and(|font| font.is_bold())
    };
    assert!(is_bold((2, 3)), "申请人情况 is not bold");
    assert!(is_bold((4, 4)), "商业企业 is not bold");
    assert!(!is_bold((5, 0)), "a row header is bold");

    // Table 四: fifteen figures in one row under a header of three rows, all numbers.
    let range = workbook.worksheet_range("表四").expect("table 四");
    let first_body_row = 1 + 3;
    for (column, figure) in common::TABLE_FOUR_FIGURES.iter().enumerate() {
        let expected: f64 = figure.parse().expect("a figure");
        assert_eq!(
            range.get_value((first_body_row, column as u32)),
            Some(&Data::Float(expected)),
            "column {column}"
        );
    }
    for label in [
        "行政复议",
        "行政诉讼",
        "未经复议直接起诉",
        "复议后起诉",
        "尚未审结",
    ] {
        position_of(&range, label);
    }

    // A decimal stays a decimal.
    let range = workbook.worksheet_range("表二（八）").expect("fees");
    let (row, column) = position_of(&range, "行政事业性收费");
    assert_eq!(
        range.get_value((row, column + 1)),
        Some(&Data::Float(1520.75))
    );
}

#[test]
fn text_that_is_not_a_plain_figure_stays_text() {
    let mut table = common::table_two_fees();
    table.rows[0].value_cells = vec![TableCell::new("1,234")];
    table.rows.push(gongkai_render::TableRow {
        row_header_cells: vec![TableCell::new("编号")],
        value_cells: vec![TableCell::new("007")],
    });
    let bytes = write_workbook(&[WorkbookSheet {
        name: String::new(),
        table,
    }])
    .expect("write workbook");
    let mut workbook = read_back(&bytes);
    assert_eq!(workbook.sheet_names(), vec!["Sheet1".to_string()]);
    let range = workbook.worksheet_range("Sheet1").expect("sheet");
    let (row, column) = position_of(&range, "1,234");
    assert_eq!(
        range.get_value((row, column)),
        Some(&Data::String("1,234".to_string()))
    );
    assert_eq!(
        range.get_value((row + 1, column)),
        Some(&Data::String("007".to_string()))
    );
}

#[test]
fn the_same_tables_give_the_same_bytes_and_bad_shapes_are_refused() {
    let first = write_workbook(&workbook_sheets()).expect("write workbook");
    let second = write_workbook(&workbook_sheets()).expect("write workbook");
    assert!(
        first == second,
        "the workbook depends on something else than its tables"
    );

    let mut table = common::table_four();
    table.rows[0].value_cells.push(TableCell::new("16"));
    let error = write_workbook(&[WorkbookSheet {
        name: "表四".to_string(),
        table,
    }])
    .expect_err("a sixteenth figure in a table of fifteen columns");
    assert!(matches!(error, RenderError::InvalidTable { .. }), "{error}");
}
