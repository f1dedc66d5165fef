//! The whole annual report: the official labels and layout of its tables, the JSON keyed by
//! those labels, and a property test over random application and remedy histories showing
//! that every consistency rule (勾稽关系) holds for the computed tables.

use gongkai_domain::annual_report::{
    AnnualReport, CountedDocument, EnteredFigures, GridTable, NormativeClass, ReportInputs,
    ReportTexts, SECTION_HEADINGS, TABLE3_CORNER_TEXT,
};
use gongkai_domain::application_form::ApplicantKind;
use gongkai_domain::remedy::{CountedRemedy, RemedyKind, RemedyOutcome};
use gongkai_domain::reply::ReplyKind;
use gongkai_domain::report::{CountedApplication, Table3};
use proptest::prelude::*;
use time::{Date, Duration};

/// The row labels of table 三 as printed in a published report (the 2021 format, which the
/// real Shanghai 2019 report matches except for the sub-rows of （六）; ogi-rules §2.3), in
/// reading order: each body row's header cells left to right, top to bottom.
const PUBLISHED_TABLE3_ROW_HEADERS: [&[&str]; 25] = [
    &["一、本年新收政府信息公开申请数量"],
    &["二、上年结转政府信息公开申请数量"],
    &["三、本年度办理结果", "（一）予以公开"],
    &["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"],
    &["（三）不予公开", "1.属于国家秘密"],
    &["2.其他法律行政法规禁止公开"],
    &["3.危及“三安全一稳定”"],
    &["4.保护第三方合法权益"],
    &["5.属于三类内部事务信息"],
    &["6.属于四类过程性信息"],
    &["7.属于行政执法案卷"],
    &["8.属于行政查询事项"],
    &["（四）无法提供", "1.本机关不掌握相关政府信息"],
    &["2.没有现成信息需要另行制作"],
    &["3.补正后申请内容仍不明确"],
    &["（五）不予处理", "1.信访举报投诉类申请"],
    &["2.重复申请"],
    &["3.要求提供公开出版物"],
    &["4.无正当理由大量反复申请"],
    &["5.要求行政机关确认或重新出具已获取信息"],
    &[
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ],
    &["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"],
    &["3.其他"],
    &["（七）总计"],
    &["四、结转下年度继续办理"],
];

fn empty_report(year: i32) -> AnnualReport {
    AnnualReport::compute(&ReportInputs {
        year,
        agency_name: "某某市人民政府办公室",
        documents: &[],
        applications: &[],
        remedies: &[],
        figures: EnteredFigures::default(),
        information_fees_collected_fen: 0,
        texts: ReportTexts::default(),
        published_previous_table3: None,
    })
}

/// Places every cell of a laid-out table on a grid, as a browser does with rowspan and
/// colspan, and returns the grid's width per row; a table whose rows differ in width, or
/// whose cells overlap, is malformed.
fn row_widths(table: &GridTable) -> Vec<usize> {
    let mut occupied: Vec<Vec<bool>> = Vec::new();
    let all_rows: Vec<Vec<(usize, usize)>> = table
        .header_rows
        .iter()
        .map(|row| row.iter().map(|c| (c.column_span, c.row_span)).collect())
        .chain(table.rows.iter().map(|row| {
            row.header_cells
                .iter()
                .chain(row.value_cells.iter())
                .map(|c| (c.column_span, c.row_span))
                .collect()
        }))
        .collect();
    for (row_index, cells) in all_rows.iter().enumerate() {
        let mut column = 0;
        for (column_span, row_span) in cells {
            loop {
                let taken = occupied
                    .get(row_index)
                    .and_then(|r| r.get(column))
                    .copied()
                    .unwrap_or(false);
                if !taken {
                    break;
                }
                column += 1;
            }
            for r in row_index..row_index + row_span {
                if occupied.len() <= r {
                    occupied.resize(r + 1, Vec::new());
                }
                for c in column..column + column_span {
                    if occupied[r].len() <= c {
                        occupied[r].resize(c + 1, false);
                    }
                    assert!(!occupied[r][c], "cells overlap at row {r}, column {c}");
                    occupied[r][c] = true;
                }
            }
            column += column_span;
        }
    }
    occupied
        .iter()
        .map(|row| row.iter().filter(|taken| **taken).count())
        .collect()
}

#[test]
fn table3_labels_are_the_published_ones_character_for_character() {
    let layout = empty_report(2026).table3_layout();
    assert_eq!(layout.header_rows[0][0].text, TABLE3_CORNER_TEXT);
    let headers: Vec<&str> = layout
        .header_rows
        .iter()
        .flatten()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(
        headers,
        [
            TABLE3_CORNER_TEXT,
            "申请人情况",
            "自然人",
            "法人或其他组织",
            "总计",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他"
        ]
    );
    assert_eq!(layout.rows.len(), PUBLISHED_TABLE3_ROW_HEADERS.len());
    for (row, published) in layout.rows.iter().zip(PUBLISHED_TABLE3_ROW_HEADERS) {
        let ours: Vec<&str> = row.header_cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(ours, published);
        assert_eq!(row.value_cells.len(), 7);
    }
    // 三、本年度办理结果 spans its 22 rows (2021 format).
    assert_eq!(layout.rows[2].header_cells[0].row_span, 22);
    // Three header rows and 25 figure rows: the 28 rows of the official table.
    assert_eq!(layout.header_rows.len() + layout.rows.len(), 28);
    assert!(row_widths(&layout).iter().all(|width| *width == 10));
}

#[test]
fn table4_and_table2_are_well_formed() {
    let report = empty_report(2026);
    let table4 = report.table4_layout();
    assert_eq!(table4.rows[0].value_cells.len(), 15);
    assert!(row_widths(&table4).iter().all(|width| *width == 15));
    let third_header: Vec<&str> = table4.header_rows[2]
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(
        &third_header[..5],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    );
    let table2 = report.table2_layout();
    let captions: Vec<&str> = table2.iter().map(|t| t.caption.as_str()).collect();
    assert_eq!(
        captions,
        [
            "第二十条第（一）项",
            "第二十条第（五）项",
            "第二十条第（六）项",
            "第二十条第（八）项"
        ]
    );
    for table in &table2 {
        let widths = row_widths(table);
        assert!(widths.iter().all(|w| *w == widths[0]), "{widths:?}");
    }
    let headings: Vec<String> = report
        .layout()
        .sections
        .iter()
        .map(|s| s.heading.clone())
        .collect();
    assert_eq!(headings, SECTION_HEADINGS);
}

#[test]
fn keyed_json_uses_the_official_labels() {
    let json = empty_report(2026).keyed_json();
    let sections = &json["sections"];
    assert_eq!(
        sections["三、收到和处理政府信息公开申请情况"]["三、本年度办理结果 / （三）不予公开 / 3.危及“三安全一稳定”"]
            ["法律服务机构"],
        0
    );
    assert_eq!(
        sections["四、政府信息公开行政复议、行政诉讼情况"]["行政诉讼 / 复议后起诉"]["尚未审结"],
        0
    );
    assert_eq!(
        sections["二、主动公开政府信息情况"]["第二十条第（一）项"]["行政规范性文件"]["现行有效件数"],
        0
    );
    assert_eq!(
        sections["二、主动公开政府信息情况"]["第二十条第（八）项"]["行政事业性收费"]["本年收费金额（单位：万元）"],
        "0"
    );
}

fn date_from_offset(days: i64) -> Date {
    time::macros::date!(2024 - 01 - 01) + Duration::days(days)
}

fn arbitrary_application() -> impl Strategy<Value = CountedApplication> {
    (
        0..ApplicantKind::ALL.len(),
        proptest::option::weighted(0.95, 0i64..(4 * 365)),
        proptest::option::of((0i64..500, 0..ReplyKind::ALL.len())),
        any::<u32>(),
    )
        .prop_map(|(kind, received, ended, reference)| {
            let received_on = received.map(date_from_offset);
            CountedApplication {
                reference: format!("A{reference}"),
                applicant_kind: ApplicantKind::ALL[kind],
                received_on,
                ended: match (received, ended) {
                    (Some(received), Some((after, reply))) => {
                        Some((date_from_offset(received + after), ReplyKind::ALL[reply]))
                    }
                    _ => None,
                },
            }
        })
}

fn arbitrary_remedy() -> impl Strategy<Value = CountedRemedy> {
    (
        0..RemedyKind::ALL.len(),
        0i64..(4 * 365),
        proptest::option::of((0i64..400, 0..RemedyOutcome::DECIDED.len())),
    )
        .prop_map(|(kind, filed, decided)| CountedRemedy {
            reference: format!("R{filed}"),
            kind: RemedyKind::ALL[kind],
            filed_on: date_from_offset(filed),
            decided: decided.map(|(after, outcome)| {
                (
                    date_from_offset(filed + after),
                    RemedyOutcome::DECIDED[outcome],
                )
            }),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_consistency_rule_holds_for_any_history(
        applications in proptest::collection::vec(arbitrary_application(), 0..120),
        remedies in proptest::collection::vec(arbitrary_remedy(), 0..40),
    ) {
        let documents = vec![CountedDocument {
            reference: "d".into(),
            class: NormativeClass::Rule,
            issued_on: date_from_offset(10),
            left_force_on: None,
        }];
        let mut previous_published: Option<Table3> = None;
        for year in 2024..=2027 {
            let report = AnnualReport::compute(&ReportInputs {
                year,
                agency_name: "某局",
                documents: &documents,
                applications: &applications,
                remedies: &remedies,
                figures: EnteredFigures::default(),
                information_fees_collected_fen: 0,
                texts: ReportTexts::default(),
                published_previous_table3: previous_published.as_ref(),
            });
            prop_assert!(report.problems.is_empty(), "{year}: {:?}", report.problems);
            prop_assert!(report.warnings.is_empty(), "{year}: {:?}", report.warnings);
            // Every received application is counted once in 一 or 二 of the year it is
            // open in, and each cell's drill-down list has exactly as many entries as it counts.
            for (row, references) in report.table3.cells.iter().zip(report.table3.references.iter()) {
                for column in 0..6 {
                    prop_assert_eq!(row[column], references[column].len() as u64);
                }
            }
            previous_published = Some(report.table3.clone());
        }
    }

    #[test]
    fn a_tampered_total_is_caught(
        applications in proptest::collection::vec(arbitrary_application(), 1..60),
        row in 0usize..25,
        column in 0usize..7,
    ) {
        let mut table = Table3::compute(2026, &applications);
        table.cells[row][column] += 1;
        let previous = Table3::compute(2025, &applications);
        prop_assert!(!table.check(Some(&previous)).is_empty());
    }
}
