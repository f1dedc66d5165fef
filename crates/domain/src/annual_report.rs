//! The whole annual report (政府信息公开工作年度报告, Art. 49–50) in the format of
//! 国办公开办函〔2021〕30号: six sections, table 二 (proactive disclosure) computed from the
//! documents published and the figures departments enter, table 三 (applications, see
//! [`crate::report`]) and table 四 (reconsideration and litigation, see [`crate::remedy`]),
//! with every consistency rule (勾稽关系, ogi-rules §2.5) checked.
//!
//! Pure: the documents, applications, remedies, entered figures and texts arrive as arguments,
//! so every figure can be recomputed from stored data.

use crate::remedy::{
    CountedRemedy, TABLE4_COLUMN_LABELS, TABLE4_GROUP_LABELS, Table4, Table4Problem,
};
use crate::report::{ConsistencyProblem, CountedApplication, Table3};
use serde::Serialize;
use time::Date;

/// The six section headings (ogi-rules §2.1).
pub const SECTION_HEADINGS: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];

/// The captions of the four sub-tables of table 二, each the Art. 20 item it reports.
pub const TABLE2_CAPTIONS: [&str; 4] = [
    "第二十条第（一）项",
    "第二十条第（五）项",
    "第二十条第（六）项",
    "第二十条第（八）项",
];

/// Column labels of sub-table (一).
pub const TABLE2_DOCUMENT_COLUMNS: [&str; 4] =
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"];
/// Column labels of sub-tables (五) and (六).
pub const TABLE2_DECISION_COLUMNS: [&str; 2] = ["信息内容", "本年处理决定数量"];
/// Column labels of sub-table (八).
pub const TABLE2_FEE_COLUMNS: [&str; 2] = ["信息内容", "本年收费金额（单位：万元）"];

/// The normative documents table 二 (一) counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum NormativeClass {
    /// 规章 (departmental and local government rules).
    Rule,
    /// 行政规范性文件.
    NormativeDocument,
}

impl NormativeClass {
    pub const ALL: [NormativeClass; 2] = [NormativeClass::Rule, NormativeClass::NormativeDocument];

    /// The row label of table 二 (一).
    pub fn label(self) -> &'static str {
        match self {
            NormativeClass::Rule => "规章",
            NormativeClass::NormativeDocument => "行政规范性文件",
        }
    }

    /// Classifies a document by its level or genre (体裁) as catalogued: 部门规章, 地方政府规章
    /// and 规章 are rules; 规范性文件 and 行政规范性文件 are normative documents; anything else
    /// (laws, notices, plans) is not counted in sub-table (一).
    pub fn classify(level: &str, genre: &str) -> Option<NormativeClass> {
        for text in [level, genre] {
            let text = text.trim();
            if text.ends_with("规章") {
                return Some(NormativeClass::Rule);
            }
            if text.ends_with("规范性文件") {
                return Some(NormativeClass::NormativeDocument);
            }
        }
        None
    }
}

/// What table 二 (一) needs to know about one published document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedDocument {
    /// The document's external id, for drill-down.
    pub reference: String,
    pub class: NormativeClass,
    /// 成文日期, or the publication date when the document has none.
    pub issued_on: Date,
    /// When it ceased to be in force (废止 or 失效 with its date); `None` while in force.
    pub left_force_on: Option<Date>,
}

/// The figures one department enters for a year (Art. 20 (五), (六), (八)).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EnteredFigures {
    /// 行政许可 decisions made in the year.
    pub licensing_decisions: u64,
    /// 行政处罚 decisions.
    pub penalty_decisions: u64,
    /// 行政强制 decisions.
    pub coercion_decisions: u64,
    /// 行政事业性收费 collected, in fen (分), so sums are exact; shown in 万元.
    pub administrative_fees_fen: u64,
}

impl EnteredFigures {
    pub fn add(&mut self, other: &EnteredFigures) {
        self.licensing_decisions += other.licensing_decisions;
        self.penalty_decisions += other.penalty_decisions;
        self.coercion_decisions += other.coercion_decisions;
        self.administrative_fees_fen += other.administrative_fees_fen;
    }
}

/// One row of table 二 (一).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentCounts {
    pub issued: u64,
    pub abolished: u64,
    pub in_force: u64,
    #[serde(skip)]
    pub issued_references: Vec<String>,
    #[serde(skip)]
    pub abolished_references: Vec<String>,
}

/// Table 二, 主动公开政府信息情况.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table2 {
    pub year: i32,
    /// In [`NormativeClass::ALL`] order.
    pub documents: [DocumentCounts; 2],
    pub figures: EnteredFigures,
}

impl Table2 {
    /// Counts documents issued in the year, those that ceased to be in force in the year, and
    /// those in force on 31 December.
    pub fn compute(year: i32, documents: &[CountedDocument], figures: EnteredFigures) -> Table2 {
        let mut counts: [DocumentCounts; 2] = Default::default();
        for document in documents {
            let row = &mut counts[match document.class {
                NormativeClass::Rule => 0,
                NormativeClass::NormativeDocument => 1,
            }];
            if document.issued_on.year() > year {
                continue;
            }
            if document.issued_on.year() == year {
                row.issued += 1;
                row.issued_references.push(document.reference.clone());
            }
            match document.left_force_on {
                Some(on) if on.year() == year => {
                    row.abolished += 1;
                    row.abolished_references.push(document.reference.clone());
                }
                Some(on) if on.year() < year => {}
                _ => row.in_force += 1,
            }
        }
        Table2 {
            year,
            documents: counts,
            figures,
        }
    }

    /// Rule 6 of ogi-rules §2.5, a heuristic: this year's 现行有效 ≈ last year's + 制发 − 废止.
    /// Returned as warnings, since amendments and re-issues legitimately break it.
    pub fn warnings(&self, previous: &Table2) -> Vec<String> {
        let mut warnings = Vec::new();
        for (index, class) in NormativeClass::ALL.iter().enumerate() {
            let this = &self.documents[index];
            let expected =
                (previous.documents[index].in_force + this.issued).saturating_sub(this.abolished);
            if expected != this.in_force {
                warnings.push(format!(
                    "{}: 现行有效件数 {} differs from last year's {} + 本年制发 {} − 本年废止 {} = {expected}",
                    class.label(),
                    this.in_force,
                    previous.documents[index].in_force,
                    this.issued,
                    this.abolished
                ));
            }
        }
        warnings
    }
}

/// Formats fen as 万元 exactly, without trailing zeros: 1,234,500 fen → "1.2345".
pub fn fen_as_ten_thousand_yuan(fen: u64) -> String {
    let whole = fen / 1_000_000;
    let fraction = fen % 1_000_000;
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:06}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Parses an amount in yuan as typed (e.g. "1234.5" or "1,234.50") into fen; `None` when it is
/// not a non-negative amount with at most two decimals.
pub fn parse_yuan_as_fen(text: &str) -> Option<u64> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if cleaned.is_empty() {
        return Some(0);
    }
    let (whole, fraction) = match cleaned.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (cleaned.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let fraction_fen: u64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<2}").parse().ok()?
    };
    whole.checked_mul(100)?.checked_add(fraction_fen)
}

/// The texts staff write for sections 一, 五 and 六 (the other sections are tables).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportTexts {
    pub overview: String,
    pub problems_and_improvements: String,
    pub other_matters: String,
}

/// Everything the annual report is computed from.
#[derive(Debug, Clone)]
pub struct ReportInputs<'a> {
    pub year: i32,
    pub agency_name: &'a str,
    pub documents: &'a [CountedDocument],
    pub applications: &'a [CountedApplication],
    pub remedies: &'a [CountedRemedy],
    /// The sum of the figures every department entered for the year.
    pub figures: EnteredFigures,
    /// Information processing fees (信息处理费) actually collected in the year, in fen.
    pub information_fees_collected_fen: u64,
    pub texts: ReportTexts,
    /// Last year's published table 三, when there is one: its 结转下年度 is what this year's
    /// 上年结转 must equal (rule 5). Without it, last year is recomputed from the same data.
    pub published_previous_table3: Option<&'a Table3>,
}

/// A failed consistency rule of any table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportProblem {
    #[error("table 三: {0}")]
    Table3(ConsistencyProblem),
    #[error("{0}")]
    Table4(Table4Problem),
}

/// The computed annual report.
#[derive(Debug, Clone)]
pub struct AnnualReport {
    pub year: i32,
    pub agency_name: String,
    pub table2: Table2,
    pub table3: Table3,
    pub table4: Table4,
    pub texts: ReportTexts,
    pub information_fees_collected_fen: u64,
    /// Rule failures: publishing is blocked while any remains.
    pub problems: Vec<ReportProblem>,
    /// Heuristic mismatches shown to staff but not blocking.
    pub warnings: Vec<String>,
}

impl AnnualReport {
    pub fn compute(inputs: &ReportInputs<'_>) -> AnnualReport {
        let year = inputs.year;
        let table2 = Table2::compute(year, inputs.documents, inputs.figures.clone());
        let previous_table2 =
            Table2::compute(year - 1, inputs.documents, EnteredFigures::default());
        let table3 = Table3::compute(year, inputs.applications);
        let recomputed_previous;
        let previous_table3 = match inputs.published_previous_table3 {
            Some(published) => published,
            None => {
                recomputed_previous = Table3::compute(year - 1, inputs.applications);
                &recomputed_previous
            }
        };
        let table4 = Table4::compute(year, inputs.remedies);
        let mut problems: Vec<ReportProblem> = table3
            .check(Some(previous_table3))
            .into_iter()
            .map(ReportProblem::Table3)
            .collect();
        problems.extend(table4.check().into_iter().map(ReportProblem::Table4));
        let warnings = table2.warnings(&previous_table2);
        AnnualReport {
            year,
            agency_name: inputs.agency_name.to_string(),
            table2,
            table3,
            table4,
            texts: inputs.texts.clone(),
            information_fees_collected_fen: inputs.information_fees_collected_fen,
            problems,
            warnings,
        }
    }

    /// The title, e.g. 某某市人民政府2026年政府信息公开工作年度报告.
    pub fn title(&self) -> String {
        format!(
            "{}{}年政府信息公开工作年度报告",
            self.agency_name, self.year
        )
    }

    /// Section 一: the staff's overview, opened by a paragraph stating the year's figures so
    /// that the text and the tables cannot disagree.
    pub fn overview_paragraphs(&self) -> Vec<String> {
        use crate::report::Table3Row;
        let received = self.table3.cell(Table3Row::NewlyReceived, 6);
        let handled = self.table3.cell(Table3Row::OutcomeTotal, 6);
        let carried = self.table3.cell(Table3Row::CarriedForward, 6);
        let issued: u64 = self.table2.documents.iter().map(|d| d.issued).sum();
        let remedies: u64 = self.table4.cells.iter().map(|group| group[4]).sum();
        let mut paragraphs = vec![format!(
            "{}年，本机关新收政府信息公开申请{received}件，办结{handled}件，结转下年度继续办理{carried}件；\
             本年制发规章和行政规范性文件{issued}件；涉及政府信息公开的行政复议、行政诉讼案件{remedies}件。",
            self.year
        )];
        paragraphs.extend(split_paragraphs(&self.texts.overview));
        paragraphs
    }

    /// Section 五.
    pub fn problems_paragraphs(&self) -> Vec<String> {
        split_paragraphs(&self.texts.problems_and_improvements)
    }

    /// Section 六: the information processing fees actually collected (国办函〔2020〕109号), then
    /// the staff's text.
    pub fn other_paragraphs(&self) -> Vec<String> {
        let yuan = self.information_fees_collected_fen / 100;
        let fen = self.information_fees_collected_fen % 100;
        let mut paragraphs = vec![format!(
            "依据《政府信息公开信息处理费管理办法》规定，本年度实际收取信息处理费共计{yuan}.{fen:02}元。"
        )];
        paragraphs.extend(split_paragraphs(&self.texts.other_matters));
        paragraphs
    }
}

/// Splits a text typed in a form into paragraphs at blank or single line breaks.
fn split_paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn classification_by_level_or_genre() {
        assert_eq!(
            NormativeClass::classify("部门规章", ""),
            Some(NormativeClass::Rule)
        );
        assert_eq!(
            NormativeClass::classify("", "地方政府规章"),
            Some(NormativeClass::Rule)
        );
        assert_eq!(
            NormativeClass::classify("", "行政规范性文件"),
            Some(NormativeClass::NormativeDocument)
        );
        assert_eq!(
            NormativeClass::classify("", "规范性文件"),
            Some(NormativeClass::NormativeDocument)
        );
        assert_eq!(NormativeClass::classify("法律", "通知"), None);
        assert_eq!(NormativeClass::classify("行政法规", ""), None);
    }

    #[test]
    fn table2_counts_issued_abolished_and_in_force() {
        let document = |reference: &str, class, issued_on, left_force_on| CountedDocument {
            reference: reference.into(),
            class,
            issued_on,
            left_force_on,
        };
        let documents = vec![
            document("r1", NormativeClass::Rule, date!(2020 - 01 - 01), None),
            document(
                "r2",
                NormativeClass::Rule,
                date!(2026 - 03 - 01),
                Some(date!(2026 - 09 - 01)),
            ),
            document(
                "n1",
                NormativeClass::NormativeDocument,
                date!(2026 - 05 - 01),
                None,
            ),
            document(
                "n2",
                NormativeClass::NormativeDocument,
                date!(2019 - 05 - 01),
                Some(date!(2024 - 01 - 01)),
            ),
            document(
                "n3",
                NormativeClass::NormativeDocument,
                date!(2027 - 01 - 02),
                None,
            ),
        ];
        let table = Table2::compute(2026, &documents, EnteredFigures::default());
        assert_eq!(
            (
                table.documents[0].issued,
                table.documents[0].abolished,
                table.documents[0].in_force
            ),
            (1, 1, 1)
        );
        assert_eq!(
            (
                table.documents[1].issued,
                table.documents[1].abolished,
                table.documents[1].in_force
            ),
            (1, 0, 1)
        );
        assert_eq!(table.documents[0].abolished_references, vec!["r2"]);
        let previous = Table2::compute(2025, &documents, EnteredFigures::default());
        assert!(table.warnings(&previous).is_empty());
    }

    #[test]
    fn money_is_exact() {
        assert_eq!(fen_as_ten_thousand_yuan(0), "0");
        assert_eq!(fen_as_ten_thousand_yuan(1_000_000), "1");
        assert_eq!(fen_as_ten_thousand_yuan(1_234_500), "1.2345");
        assert_eq!(fen_as_ten_thousand_yuan(1), "0.000001");
        assert_eq!(parse_yuan_as_fen("1234.5"), Some(123_450));
        assert_eq!(parse_yuan_as_fen("1,234.56"), Some(123_456));
        assert_eq!(parse_yuan_as_fen(""), Some(0));
        assert_eq!(parse_yuan_as_fen("12"), Some(1200));
        for bad in ["-1", "1.234", "abc", ".5", "1.2.3", "1e3"] {
            assert_eq!(parse_yuan_as_fen(bad), None, "{bad}");
        }
    }
}

/// One cell of a laid-out table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct GridCell {
    pub text: String,
    pub column_span: usize,
    pub row_span: usize,
    /// For a figure of table 三 or 四: the code of the cell staff can drill into
    /// (`row_code/column_index` or `t4/group/column`); `None` elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<String>,
}

impl GridCell {
    fn new(text: impl Into<String>) -> Self {
        GridCell {
            text: text.into(),
            column_span: 1,
            row_span: 1,
            drill: None,
        }
    }

    fn spanning(text: impl Into<String>, column_span: usize, row_span: usize) -> Self {
        GridCell {
            text: text.into(),
            column_span,
            row_span,
            drill: None,
        }
    }

    fn figure(value: impl ToString, drill: Option<String>) -> Self {
        GridCell {
            text: value.to_string(),
            column_span: 1,
            row_span: 1,
            drill,
        }
    }
}

/// One body row: row header cells (`<th scope="row">`) then figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct GridRow {
    pub header_cells: Vec<GridCell>,
    pub value_cells: Vec<GridCell>,
}

/// A laid-out table: the same structure feeds the HTML page, the PDF and the XLSX.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct GridTable {
    pub caption: String,
    pub header_rows: Vec<Vec<GridCell>>,
    pub rows: Vec<GridRow>,
}

/// A laid-out section: heading, paragraphs, tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LayoutSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub tables: Vec<GridTable>,
}

/// The report as it is shown and printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReportLayout {
    pub title: String,
    pub year: i32,
    pub agency_name: String,
    pub sections: Vec<LayoutSection>,
}

/// The merged top-left cell of table 三 (ogi-rules §2.3).
pub const TABLE3_CORNER_TEXT: &str =
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

impl AnnualReport {
    /// Table 二 as four sub-tables.
    pub fn table2_layout(&self) -> Vec<GridTable> {
        let t = &self.table2;
        let header = |labels: &[&str]| labels.iter().map(|l| GridCell::new(*l)).collect();
        let documents = GridTable {
            caption: TABLE2_CAPTIONS[0].to_string(),
            header_rows: vec![header(&TABLE2_DOCUMENT_COLUMNS)],
            rows: NormativeClass::ALL
                .iter()
                .zip(t.documents.iter())
                .map(|(class, counts)| GridRow {
                    header_cells: vec![GridCell::new(class.label())],
                    value_cells: vec![
                        GridCell::figure(counts.issued, None),
                        GridCell::figure(counts.abolished, None),
                        GridCell::figure(counts.in_force, None),
                    ],
                })
                .collect(),
        };
        let decisions = |caption: &str, rows: &[(&str, u64)]| GridTable {
            caption: caption.to_string(),
            header_rows: vec![header(&TABLE2_DECISION_COLUMNS)],
            rows: rows
                .iter()
                .map(|(label, value)| GridRow {
                    header_cells: vec![GridCell::new(*label)],
                    value_cells: vec![GridCell::figure(value, None)],
                })
                .collect(),
        };
        vec![
            documents,
            decisions(
                TABLE2_CAPTIONS[1],
                &[("行政许可", t.figures.licensing_decisions)],
            ),
            decisions(
                TABLE2_CAPTIONS[2],
                &[
                    ("行政处罚", t.figures.penalty_decisions),
                    ("行政强制", t.figures.coercion_decisions),
                ],
            ),
            GridTable {
                caption: TABLE2_CAPTIONS[3].to_string(),
                header_rows: vec![header(&TABLE2_FEE_COLUMNS)],
                rows: vec![GridRow {
                    header_cells: vec![GridCell::new("行政事业性收费")],
                    value_cells: vec![GridCell::figure(
                        fen_as_ten_thousand_yuan(t.figures.administrative_fees_fen),
                        None,
                    )],
                }],
            },
        ]
    }

    /// Table 三 with the official three-level header and merged row labels.
    pub fn table3_layout(&self) -> GridTable {
        use crate::reply::{REPORT_SECTION_LABEL, REPORT_TOTAL_ROW_LABEL, ReplyKind};
        use crate::report::{COLUMN_LABELS, Table3Row};
        let header_rows = vec![
            vec![
                GridCell::spanning(TABLE3_CORNER_TEXT, 3, 3),
                GridCell::spanning("申请人情况", 7, 1),
            ],
            vec![
                GridCell::spanning("自然人", 1, 2),
                GridCell::spanning("法人或其他组织", 5, 1),
                GridCell::spanning("总计", 1, 2),
            ],
            COLUMN_LABELS[1..6]
                .iter()
                .map(|l| GridCell::new(*l))
                .collect(),
        ];
        let figures = |row: Table3Row| -> Vec<GridCell> {
            (0..7)
                .map(|column| {
                    GridCell::figure(
                        self.table3.cell(row, column),
                        Some(format!("{}/{column}", row.code())),
                    )
                })
                .collect()
        };
        let mut rows = vec![
            GridRow {
                header_cells: vec![GridCell::spanning(crate::report::ROW_NEWLY_RECEIVED, 3, 1)],
                value_cells: figures(Table3Row::NewlyReceived),
            },
            GridRow {
                header_cells: vec![GridCell::spanning(crate::report::ROW_CARRIED_OVER, 3, 1)],
                value_cells: figures(Table3Row::CarriedOver),
            },
        ];
        let outcome_rows = ReplyKind::ALL.len() + 1;
        let mut previous_group = "";
        for (index, kind) in ReplyKind::ALL.iter().enumerate() {
            let label = kind.report_row_label();
            let mut header_cells = Vec::new();
            if index == 0 {
                header_cells.push(GridCell::spanning(REPORT_SECTION_LABEL, 1, outcome_rows));
            }
            match label.item {
                None => header_cells.push(GridCell::spanning(label.group, 2, 1)),
                Some(item) => {
                    if label.group != previous_group {
                        let group_size = ReplyKind::ALL
                            .iter()
                            .filter(|k| k.report_row_label().group == label.group)
                            .count();
                        header_cells.push(GridCell::spanning(label.group, 1, group_size));
                    }
                    header_cells.push(GridCell::new(item));
                }
            }
            previous_group = label.group;
            rows.push(GridRow {
                header_cells,
                value_cells: figures(Table3Row::Outcome(*kind)),
            });
        }
        rows.push(GridRow {
            header_cells: vec![GridCell::spanning(REPORT_TOTAL_ROW_LABEL, 2, 1)],
            value_cells: figures(Table3Row::OutcomeTotal),
        });
        rows.push(GridRow {
            header_cells: vec![GridCell::spanning(crate::report::ROW_CARRIED_FORWARD, 3, 1)],
            value_cells: figures(Table3Row::CarriedForward),
        });
        GridTable {
            caption: SECTION_HEADINGS[2].to_string(),
            header_rows,
            rows,
        }
    }

    /// Table 四: one data row of 15 figures under a three-level header.
    pub fn table4_layout(&self) -> GridTable {
        let header_rows = vec![
            vec![
                GridCell::spanning("行政复议", 5, 2),
                GridCell::spanning("行政诉讼", 10, 1),
            ],
            vec![
                GridCell::spanning("未经复议直接起诉", 5, 1),
                GridCell::spanning("复议后起诉", 5, 1),
            ],
            (0..3)
                .flat_map(|_| TABLE4_COLUMN_LABELS.iter().map(|l| GridCell::new(*l)))
                .collect(),
        ];
        let value_cells = (0..3)
            .flat_map(|group| (0..5).map(move |column| (group, column)))
            .map(|(group, column)| {
                GridCell::figure(
                    self.table4.cells[group][column],
                    Some(format!("t4/{group}/{column}")),
                )
            })
            .collect();
        GridTable {
            caption: SECTION_HEADINGS[3].to_string(),
            header_rows,
            rows: vec![GridRow {
                header_cells: Vec::new(),
                value_cells,
            }],
        }
    }

    /// The whole report laid out in its six sections.
    pub fn layout(&self) -> ReportLayout {
        let sections = vec![
            LayoutSection {
                heading: SECTION_HEADINGS[0].to_string(),
                paragraphs: self.overview_paragraphs(),
                tables: Vec::new(),
            },
            LayoutSection {
                heading: SECTION_HEADINGS[1].to_string(),
                paragraphs: Vec::new(),
                tables: self.table2_layout(),
            },
            LayoutSection {
                heading: SECTION_HEADINGS[2].to_string(),
                paragraphs: Vec::new(),
                tables: vec![self.table3_layout()],
            },
            LayoutSection {
                heading: SECTION_HEADINGS[3].to_string(),
                paragraphs: Vec::new(),
                tables: vec![self.table4_layout()],
            },
            LayoutSection {
                heading: SECTION_HEADINGS[4].to_string(),
                paragraphs: self.problems_paragraphs(),
                tables: Vec::new(),
            },
            LayoutSection {
                heading: SECTION_HEADINGS[5].to_string(),
                paragraphs: self.other_paragraphs(),
                tables: Vec::new(),
            },
        ];
        ReportLayout {
            title: self.title(),
            year: self.year,
            agency_name: self.agency_name.clone(),
            sections,
        }
    }

    /// The JSON form: every cell keyed by its official row and column labels.
    pub fn keyed_json(&self) -> serde_json::Value {
        use crate::report::COLUMN_LABELS;
        use serde_json::{Map, Value, json};
        let mut table2 = Map::new();
        let mut documents = Map::new();
        for (class, counts) in NormativeClass::ALL.iter().zip(self.table2.documents.iter()) {
            documents.insert(
                class.label().to_string(),
                json!({
                    TABLE2_DOCUMENT_COLUMNS[1]: counts.issued,
                    TABLE2_DOCUMENT_COLUMNS[2]: counts.abolished,
                    TABLE2_DOCUMENT_COLUMNS[3]: counts.in_force,
                }),
            );
        }
        let f = &self.table2.figures;
        table2.insert(TABLE2_CAPTIONS[0].to_string(), Value::Object(documents));
        table2.insert(
            TABLE2_CAPTIONS[1].to_string(),
            json!({"行政许可": {TABLE2_DECISION_COLUMNS[1]: f.licensing_decisions}}),
        );
        table2.insert(
            TABLE2_CAPTIONS[2].to_string(),
            json!({
                "行政处罚": {TABLE2_DECISION_COLUMNS[1]: f.penalty_decisions},
                "行政强制": {TABLE2_DECISION_COLUMNS[1]: f.coercion_decisions},
            }),
        );
        table2.insert(
            TABLE2_CAPTIONS[3].to_string(),
            json!({"行政事业性收费": {TABLE2_FEE_COLUMNS[1]: fen_as_ten_thousand_yuan(f.administrative_fees_fen)}}),
        );
        let mut table3 = Map::new();
        for (row, cells) in self.table3.rows.iter().zip(self.table3.cells.iter()) {
            let columns: Map<String, Value> = COLUMN_LABELS
                .iter()
                .zip(cells.iter())
                .map(|(label, value)| ((*label).to_string(), json!(value)))
                .collect();
            table3.insert(row.label(), Value::Object(columns));
        }
        let mut table4 = Map::new();
        for (group, (top, second)) in TABLE4_GROUP_LABELS.iter().enumerate() {
            let key = if second.is_empty() {
                (*top).to_string()
            } else {
                format!("{top} / {second}")
            };
            let columns: Map<String, Value> = TABLE4_COLUMN_LABELS
                .iter()
                .zip(self.table4.cells[group].iter())
                .map(|(label, value)| ((*label).to_string(), json!(value)))
                .collect();
            table4.insert(key, Value::Object(columns));
        }
        json!({
            "title": self.title(),
            "agency": self.agency_name,
            "year": self.year,
            "sections": {
                SECTION_HEADINGS[0]: self.overview_paragraphs(),
                SECTION_HEADINGS[1]: Value::Object(table2),
                SECTION_HEADINGS[2]: Value::Object(table3),
                SECTION_HEADINGS[3]: Value::Object(table4),
                SECTION_HEADINGS[4]: self.problems_paragraphs(),
                SECTION_HEADINGS[5]: self.other_paragraphs(),
            },
            "consistency_problems": self.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "warnings": self.warnings,
        })
    }
}

impl ReportLayout {
    /// The report as plain text, the canonical body of the document it is published as: each
    /// table becomes lines of `row label：column label value；…`, so that the text is complete
    /// and searchable without the tables' layout.
    pub fn plain_text(&self) -> String {
        let mut text = String::new();
        for section in &self.sections {
            text.push_str(&section.heading);
            text.push('\n');
            for paragraph in &section.paragraphs {
                text.push_str(paragraph);
                text.push('\n');
            }
            for table in &section.tables {
                text.push_str(&table.caption);
                text.push('\n');
                for line in table.lines() {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        }
        text
    }
}

impl GridTable {
    /// Each body row as `label label：value value …`; header texts are given once above.
    fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for header in &self.header_rows {
            lines.push(
                header
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" | "),
            );
        }
        for row in &self.rows {
            let labels: Vec<&str> = row.header_cells.iter().map(|c| c.text.as_str()).collect();
            let values: Vec<&str> = row.value_cells.iter().map(|c| c.text.as_str()).collect();
            lines.push(format!("{}：{}", labels.join(" "), values.join(" | ")));
        }
        lines
    }
}
