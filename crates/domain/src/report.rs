//! Table 三 of the annual report (政府信息公开工作年度报告, Art. 49–50; format of
//! 国办公开办函〔2021〕30号): applications received and handled, by applicant column.
//!
//! The table is computed from facts about each application (who applied, when it was
//! received, when and how it ended), so every cell can be reproduced from stored data and
//! drilled down to the applications it counts. The consistency rules (勾稽关系) are checked
//! here too. Pure: the year and the facts arrive as arguments.

use crate::application_form::ApplicantKind;
use crate::reply::{REPORT_SECTION_LABEL, REPORT_TOTAL_ROW_LABEL, ReplyKind};
use time::Date;

/// The seven numeric columns, in official order (the last is the total).
pub const COLUMN_LABELS: [&str; 7] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
];

pub const ROW_NEWLY_RECEIVED: &str = "一、本年新收政府信息公开申请数量";
pub const ROW_CARRIED_OVER: &str = "二、上年结转政府信息公开申请数量";
pub const ROW_CARRIED_FORWARD: &str = "四、结转下年度继续办理";

/// A row of table 三.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table3Row {
    NewlyReceived,
    CarriedOver,
    Outcome(ReplyKind),
    OutcomeTotal,
    CarriedForward,
}

impl Table3Row {
    /// Every numeric row in official order: 一, 二, the 21 outcome rows of 三, （七）总计, 四.
    pub fn all() -> Vec<Table3Row> {
        let mut rows = vec![Table3Row::NewlyReceived, Table3Row::CarriedOver];
        rows.extend(ReplyKind::ALL.iter().map(|k| Table3Row::Outcome(*k)));
        rows.push(Table3Row::OutcomeTotal);
        rows.push(Table3Row::CarriedForward);
        rows
    }

    /// The official label of the row; outcome rows carry their group, e.g.
    /// 「三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密」.
    pub fn label(self) -> String {
        match self {
            Table3Row::NewlyReceived => ROW_NEWLY_RECEIVED.to_string(),
            Table3Row::CarriedOver => ROW_CARRIED_OVER.to_string(),
            Table3Row::Outcome(kind) => {
                let label = kind.report_row_label();
                match label.item {
                    Some(item) => format!("{REPORT_SECTION_LABEL} / {} / {item}", label.group),
                    None => format!("{REPORT_SECTION_LABEL} / {}", label.group),
                }
            }
            Table3Row::OutcomeTotal => format!("{REPORT_SECTION_LABEL} / {REPORT_TOTAL_ROW_LABEL}"),
            Table3Row::CarriedForward => ROW_CARRIED_FORWARD.to_string(),
        }
    }

    /// A stable code for URLs and the JSON form.
    pub fn code(self) -> String {
        match self {
            Table3Row::NewlyReceived => "newly_received".to_string(),
            Table3Row::CarriedOver => "carried_over".to_string(),
            Table3Row::Outcome(kind) => kind.row_code().to_string(),
            Table3Row::OutcomeTotal => "outcome_total".to_string(),
            Table3Row::CarriedForward => "carried_forward".to_string(),
        }
    }
}

/// What the table needs to know about one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedApplication {
    /// An identifier the caller uses to drill down (e.g. the receipt number).
    pub reference: String,
    pub applicant_kind: ApplicantKind,
    /// The legal receipt date; `None` for an online application not yet confirmed, which is
    /// not yet a received application and is not counted.
    pub received_on: Option<Date>,
    /// When and how it ended: the date and the reply kind (report row). `None` while open.
    pub ended: Option<(Date, ReplyKind)>,
}

/// Table 三 for one year: a count per row and column, with the references behind each cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table3 {
    pub year: i32,
    pub rows: Vec<Table3Row>,
    /// `cells[row][column]`, the last column being the total.
    pub cells: Vec<[u64; 7]>,
    /// The applications counted in each cell of the six applicant columns, for drill-down.
    pub references: Vec<[Vec<String>; 6]>,
}

fn column_of(kind: ApplicantKind) -> usize {
    ApplicantKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(5)
}

impl Table3 {
    /// Counts the applications of one year. An application counts as newly received in the
    /// year of its receipt date, as carried over when received earlier and not ended before
    /// the year began, in exactly one outcome row when it ended within the year, and as
    /// carried forward when it is still open at the year's end.
    pub fn compute(year: i32, applications: &[CountedApplication]) -> Table3 {
        let rows = Table3Row::all();
        let mut cells = vec![[0u64; 7]; rows.len()];
        let mut references: Vec<[Vec<String>; 6]> = vec![Default::default(); rows.len()];
        let index_of = |row: Table3Row| rows.iter().position(|r| *r == row).unwrap_or(0);
        let mut count = |row: Table3Row, app: &CountedApplication| {
            let r = index_of(row);
            let c = column_of(app.applicant_kind);
            cells[r][c] += 1;
            cells[r][6] += 1;
            references[r][c].push(app.reference.clone());
        };
        for app in applications {
            let Some(received) = app.received_on else {
                continue;
            };
            if received.year() > year {
                continue;
            }
            let ended_before_year = app.ended.is_some_and(|(on, _)| on.year() < year);
            if ended_before_year {
                continue;
            }
            if received.year() == year {
                count(Table3Row::NewlyReceived, app);
            } else {
                count(Table3Row::CarriedOver, app);
            }
            match app.ended {
                Some((on, kind)) if on.year() == year => {
                    count(Table3Row::Outcome(kind), app);
                    count(Table3Row::OutcomeTotal, app);
                }
                _ => count(Table3Row::CarriedForward, app),
            }
        }
        Table3 {
            year,
            rows,
            cells,
            references,
        }
    }

    pub fn cell(&self, row: Table3Row, column: usize) -> u64 {
        self.rows
            .iter()
            .position(|r| *r == row)
            .and_then(|r| self.cells.get(r))
            .and_then(|c| c.get(column))
            .copied()
            .unwrap_or(0)
    }

    /// Checks every consistency rule (勾稽关系) of ogi-rules §2.5 and returns each failure.
    pub fn check(&self, previous_year: Option<&Table3>) -> Vec<ConsistencyProblem> {
        let mut problems = Vec::new();
        for column in 0..7 {
            let left = self.cell(Table3Row::NewlyReceived, column)
                + self.cell(Table3Row::CarriedOver, column);
            let right = self.cell(Table3Row::OutcomeTotal, column)
                + self.cell(Table3Row::CarriedForward, column);
            if left != right {
                problems.push(ConsistencyProblem::ReceivedNotHandled {
                    column,
                    left,
                    right,
                });
            }
            let outcomes: u64 = ReplyKind::ALL
                .iter()
                .map(|k| self.cell(Table3Row::Outcome(*k), column))
                .sum();
            let total = self.cell(Table3Row::OutcomeTotal, column);
            if outcomes != total {
                problems.push(ConsistencyProblem::OutcomeTotal {
                    column,
                    sum: outcomes,
                    total,
                });
            }
            if let Some(previous) = previous_year {
                let carried_over = self.cell(Table3Row::CarriedOver, column);
                let carried_forward = previous.cell(Table3Row::CarriedForward, column);
                if carried_over != carried_forward {
                    problems.push(ConsistencyProblem::CarryOver {
                        column,
                        this_year: carried_over,
                        last_year: carried_forward,
                    });
                }
            }
        }
        for (r, row) in self.cells.iter().enumerate() {
            let sum: u64 = row[..6].iter().sum();
            if sum != row[6] {
                problems.push(ConsistencyProblem::RowTotal {
                    row: r,
                    sum,
                    total: row[6],
                });
            }
        }
        problems
    }
}

/// A failed consistency rule, with the numbers that disagree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsistencyProblem {
    /// Rule 1 (printed in the table): 一 + 二 = 三（七）总计 + 四, in every column.
    #[error("column {}: 一 + 二 = {left}, but 三（七）总计 + 四 = {right}", COLUMN_LABELS[*column])]
    ReceivedNotHandled {
        column: usize,
        left: u64,
        right: u64,
    },
    /// Rule 2: the outcome rows add up to （七）总计.
    #[error("column {}: the outcome rows add up to {sum}, （七）总计 says {total}", COLUMN_LABELS[*column])]
    OutcomeTotal { column: usize, sum: u64, total: u64 },
    /// Rule 3: in every row the six applicant columns add up to 总计.
    #[error("row {row}: the applicant columns add up to {sum}, 总计 says {total}")]
    RowTotal { row: usize, sum: u64, total: u64 },
    /// Rule 5: this year's 二、上年结转 equals last year's 四、结转下年度继续办理.
    #[error("column {}: 上年结转 is {this_year}, last year's 结转下年度 was {last_year}", COLUMN_LABELS[*column])]
    CarryOver {
        column: usize,
        this_year: u64,
        last_year: u64,
    },
}
