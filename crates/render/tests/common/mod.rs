//! The annual report's tables in the 2021 format (国办公开办函〔2021〕30号, see
//! shared/design/ogi-rules.md §2) with invented figures, shared by the PDF and XLSX tests.

// Each test file uses its own part of these fixtures.
#![allow(dead_code)]

use gongkai_render::{TableCell, TablePdf, TableRow};

/// The labels of the result columns of table 三, the last of them 总计.
pub(crate) const TABLE_THREE_APPLICANT_COLUMNS: [&str; 7] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
];

/// The figures of the 自然人 column of the first and last rows of table 三, distinctive
/// enough to be found in extracted text (a synthetic fixture that balances: 13612 + 535 =
/// 13364 + 783).
pub(crate) const NEW_APPLICATIONS_NATURAL_PERSONS: u32 = 13_612;
pub(crate) const CARRIED_OVER_NATURAL_PERSONS: u32 = 535;
pub(crate) const RESULTS_TOTAL_NATURAL_PERSONS: u32 = 13_364;
pub(crate) const CARRIED_FORWARD_NATURAL_PERSONS: u32 = 783;

fn figures(natural_persons: u32, row_number: u32) -> Vec<TableCell> {
    // Small invented figures for the organisations, different in every row, and their total.
    let organisations = [row_number % 5, row_number % 3, 0, row_number % 2, 1];
    let total = natural_persons + organisations.iter().sum::<u32>();
    std::iter::once(natural_persons)
        .chain(organisations)
        .chain(std::iter::once(total))
        .map(|figure| TableCell::new(figure.to_string()))
        .collect()
}

/// Every row label of table 三 in reading order, the vertically merged ones included.
pub(crate) fn table_three_row_labels() -> Vec<&'static str> {
    table_three_row_groups()
        .iter()
        .flat_map(|(group_label, labels)| group_label.iter().copied().chain(labels.iter().copied()))
        .collect()
}

/// The result rows of 三、本年度办理结果 grouped under their vertically merged labels; `None`
/// for a row whose label spans both inner columns.
fn table_three_row_groups() -> Vec<(Option<&'static str>, Vec<&'static str>)> {
    vec![
        (None, vec!["（一）予以公开"]),
        (
            None,
            vec!["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"],
        ),
        (
            Some("（三）不予公开"),
            vec![
                "1.属于国家秘密",
                "2.其他法律行政法规禁止公开",
                "3.危及“三安全一稳定”",
                "4.保护第三方合法权益",
                "5.属于三类内部事务信息",
                "6.属于四类过程性信息",
                "7.属于行政执法案卷",
                "8.属于行政查询事项",
            ],
        ),
        (
            Some("（四）无法提供"),
            vec![
                "1.本机关不掌握相关政府信息",
                "2.没有现成信息需要另行制作",
                "3.补正后申请内容仍不明确",
            ],
        ),
        (
            Some("（五）不予处理"),
            vec![
                "1.信访举报投诉类申请",
                "2.重复申请",
                "3.要求提供公开出版物",
                "4.无正当理由大量反复申请",
                "5.要求行政机关确认或重新出具已获取信息",
            ],
        ),
        (
            Some("（六）其他处理"),
            vec![
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                "3.其他",
            ],
        ),
        (None, vec!["（七）总计"]),
    ]
}

/// Table 三 in full: a header of three levels under a 3 × 3 corner cell, 28 rows, the label
/// 三、本年度办理结果 merged over 22 of them: 10 columns.
pub(crate) fn table_three() -> TablePdf {
    let mut rows = vec![TableRow {
        row_header_cells: vec![TableCell::spanning(
            "一、本年新收政府信息公开申请数量",
            3,
            1,
        )],
        value_cells: figures(NEW_APPLICATIONS_NATURAL_PERSONS, 1),
    }];
    rows.push(TableRow {
        row_header_cells: vec![TableCell::spanning(
            "二、上年结转政府信息公开申请数量",
            3,
            1,
        )],
        value_cells: figures(CARRIED_OVER_NATURAL_PERSONS, 2),
    });
    let mut row_number = 3;
    let mut is_first_result_row = true;
    for (group_label, labels) in table_three_row_groups() {
        for (label_index, label) in labels.iter().enumerate() {
            let mut row_header_cells = Vec::new();
            if is_first_result_row {
                row_header_cells.push(TableCell::spanning("三、本年度办理结果", 1, 22));
                is_first_result_row = false;
            }
            match group_label {
                Some(group_label) if label_index == 0 => {
                    row_header_cells.push(TableCell::spanning(group_label, 1, labels.len()));
                    row_header_cells.push(TableCell::new(*label));
                }
                Some(_) => row_header_cells.push(TableCell::new(*label)),
                None => row_header_cells.push(TableCell::spanning(*label, 2, 1)),
            }
            let natural_persons = if *label == "（七）总计" {
                RESULTS_TOTAL_NATURAL_PERSONS
            } else {
                100 + row_number
            };
            rows.push(TableRow {
                row_header_cells,
                value_cells: figures(natural_persons, row_number),
            });
            row_number += 1;
        }
    }
    rows.push(TableRow {
        row_header_cells: vec![TableCell::spanning("四、结转下年度继续办理", 3, 1)],
        value_cells: figures(CARRIED_FORWARD_NATURAL_PERSONS, row_number),
    });
    TablePdf {
        title: String::new(),
        caption: "单位：件".to_string(),
        column_header_rows: vec![
            vec![
                TableCell::spanning(
                    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                    3,
                    3,
                ),
                TableCell::spanning("申请人情况", 7, 1),
            ],
            vec![
                TableCell::spanning("自然人", 1, 2),
                TableCell::spanning("法人或其他组织", 5, 1),
                TableCell::spanning("总计", 1, 2),
            ],
            TABLE_THREE_APPLICANT_COLUMNS[1..6]
                .iter()
                .map(|label| TableCell::new(*label))
                .collect(),
        ],
        rows,
        footnotes: vec!["注：数据统计期间为2026年1月1日至2026年12月31日。".to_string()],
    }
}

/// The fifteen figures of table 四, in column order.
pub(crate) const TABLE_FOUR_FIGURES: [&str; 15] = [
    "31", "7", "2", "4", "44", "12", "3", "0", "5", "20", "6", "1", "1", "2", "10",
];

/// Table 四: 行政复议 (5 columns) and 行政诉讼 split into 未经复议直接起诉 and 复议后起诉 (5 each),
/// a header of three levels and one row of 15 figures.
pub(crate) fn table_four() -> TablePdf {
    let results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
    TablePdf {
        title: String::new(),
        caption: "单位：件".to_string(),
        column_header_rows: vec![
            vec![
                TableCell::spanning("行政复议", 5, 2),
                TableCell::spanning("行政诉讼", 10, 1),
            ],
            vec![
                TableCell::spanning("未经复议直接起诉", 5, 1),
                TableCell::spanning("复议后起诉", 5, 1),
            ],
            results
                .iter()
                .cycle()
                .take(15)
                .map(|label| TableCell::new(*label))
                .collect(),
        ],
        rows: vec![TableRow {
            row_header_cells: Vec::new(),
            value_cells: TABLE_FOUR_FIGURES
                .iter()
                .map(|figure| TableCell::new(*figure))
                .collect(),
        }],
        footnotes: Vec::new(),
    }
}

/// One of the four small tables of section 二 (Art. 20 items), four columns wide.
pub(crate) fn table_two_regulations() -> TablePdf {
    TablePdf {
        title: "第二十条第（一）项".to_string(),
        caption: String::new(),
        column_header_rows: vec![vec![
            TableCell::new("信息内容"),
            TableCell::new("本年制发件数"),
            TableCell::new("本年废止件数"),
            TableCell::new("现行有效件数"),
        ]],
        rows: vec![
            TableRow {
                row_header_cells: vec![TableCell::new("规章")],
                value_cells: ["2", "1", "17"].map(TableCell::new).to_vec(),
            },
            TableRow {
                row_header_cells: vec![TableCell::new("行政规范性文件")],
                value_cells: ["36", "9", "248"].map(TableCell::new).to_vec(),
            },
        ],
        footnotes: Vec::new(),
    }
}

/// The fee table of section 二, whose figure is a decimal (万元).
pub(crate) fn table_two_fees() -> TablePdf {
    TablePdf {
        title: "第二十条第（八）项".to_string(),
        caption: String::new(),
        column_header_rows: vec![vec![
            TableCell::new("信息内容"),
            TableCell::new("本年收费金额（单位：万元）"),
        ]],
        rows: vec![TableRow {
            row_header_cells: vec![TableCell::new("行政事业性收费")],
            value_cells: vec![TableCell::new("1520.75")],
        }],
        footnotes: Vec::new(),
    }
}
