//! Remedies (救济) against an agency's disclosure conduct, tracked to their outcome (Art. 51):
//! a complaint or report to the OGI authority or the next-higher agency (Art. 47 ¶2, Art. 51),
//! administrative reconsideration (行政复议), and administrative litigation, either directly or
//! after reconsideration. Table 四 of the annual report counts the last three by outcome.
//!
//! The periods here are calendar days and months, not working days: the Administrative
//! Reconsideration Law counts only its 3-, 5-, 7- and 10-day periods in working days (行政复议法
//! Art. 88), and applies the Civil Procedure Law's rules on periods otherwise, under which a
//! period whose last day is a statutory rest day ends on the next working day (民事诉讼法 2023
//! Art. 85; for litigation, 最高人民法院关于适用《行政诉讼法》的解释 Art. 48). Pure: dates and the
//! rest-day predicate arrive as arguments.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

/// The kind of a remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemedyKind {
    /// A complaint or report (投诉、举报) to the OGI authority or the next-higher agency
    /// (Art. 47 ¶2, Art. 51). Not counted in table 四.
    Complaint,
    /// Administrative reconsideration (行政复议; 行政复议法 Art. 11(十四)).
    Reconsideration,
    /// Administrative litigation without reconsideration first (未经复议直接起诉).
    LitigationDirect,
    /// Administrative litigation after a reconsideration decision (复议后起诉).
    LitigationAfterReconsideration,
}

impl RemedyKind {
    pub const ALL: [RemedyKind; 4] = [
        RemedyKind::Complaint,
        RemedyKind::Reconsideration,
        RemedyKind::LitigationDirect,
        RemedyKind::LitigationAfterReconsideration,
    ];

    /// The three kinds table 四 reports, in its column-group order.
    pub const TABLE4: [RemedyKind; 3] = [
        RemedyKind::Reconsideration,
        RemedyKind::LitigationDirect,
        RemedyKind::LitigationAfterReconsideration,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RemedyKind::Complaint => "complaint",
            RemedyKind::Reconsideration => "reconsideration",
            RemedyKind::LitigationDirect => "litigation_direct",
            RemedyKind::LitigationAfterReconsideration => "litigation_after_reconsideration",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RemedyKind::Complaint => "投诉举报",
            RemedyKind::Reconsideration => "行政复议",
            RemedyKind::LitigationDirect => "行政诉讼（未经复议直接起诉）",
            RemedyKind::LitigationAfterReconsideration => "行政诉讼（复议后起诉）",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            RemedyKind::Complaint => "Complaint",
            RemedyKind::Reconsideration => "Administrative reconsideration",
            RemedyKind::LitigationDirect => "Litigation (direct)",
            RemedyKind::LitigationAfterReconsideration => "Litigation (after reconsideration)",
        }
    }

    /// Whether the remedy is decided by a court, whose simplified procedure has its own
    /// period (行政诉讼法 Art. 83).
    pub fn is_litigation(self) -> bool {
        matches!(
            self,
            RemedyKind::LitigationDirect | RemedyKind::LitigationAfterReconsideration
        )
    }
}

/// How a remedy ended, in the four result columns of table 四.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemedyOutcome {
    /// 结果维持: the agency's conduct was upheld (including a dismissed claim).
    Upheld,
    /// 结果纠正: the conduct was revoked, changed, declared unlawful or ordered redone.
    Corrected,
    /// 其他结果: withdrawn, terminated, settled by mediation and the like.
    Other,
    /// 尚未审结: not decided yet.
    Pending,
}

impl RemedyOutcome {
    /// In table 四's column order.
    pub const ALL: [RemedyOutcome; 4] = [
        RemedyOutcome::Upheld,
        RemedyOutcome::Corrected,
        RemedyOutcome::Other,
        RemedyOutcome::Pending,
    ];

    /// The outcomes a decision can record (not 尚未审结).
    pub const DECIDED: [RemedyOutcome; 3] = [
        RemedyOutcome::Upheld,
        RemedyOutcome::Corrected,
        RemedyOutcome::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RemedyOutcome::Upheld => "upheld",
            RemedyOutcome::Corrected => "corrected",
            RemedyOutcome::Other => "other",
            RemedyOutcome::Pending => "pending",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|outcome| outcome.code() == code)
    }

    /// The column label of table 四.
    pub fn label_zh(self) -> &'static str {
        match self {
            RemedyOutcome::Upheld => "结果维持",
            RemedyOutcome::Corrected => "结果纠正",
            RemedyOutcome::Other => "其他结果",
            RemedyOutcome::Pending => "尚未审结",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            RemedyOutcome::Upheld => "Upheld",
            RemedyOutcome::Corrected => "Corrected",
            RemedyOutcome::Other => "Other result",
            RemedyOutcome::Pending => "Pending",
        }
    }
}

/// A deadline with the rule that sets it, for display next to the date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemedyDeadline {
    pub due: Date,
    /// A human-readable derivation citing the article, e.g. "60 days from 2026-03-02
    /// (行政复议法 Art. 20)".
    pub derivation: String,
}

/// Adds calendar months, keeping the day of the month where it exists and otherwise taking
/// the month's last day (a period of one month from 31 January ends on 28 or 29 February).
pub fn add_months(date: Date, months: u32) -> Date {
    let month_index = date.month() as u32 - 1 + months;
    let year = date.year() + (month_index / 12) as i32;
    let month = Month::try_from((month_index % 12 + 1) as u8).unwrap_or(Month::December);
    let last_day = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last_day)).unwrap_or(date)
}

/// Moves a period's last day past statutory rest days (民事诉讼法 Art. 85 ¶3, applied to
/// reconsideration by 行政复议法 Art. 88 and to litigation by the SPC interpretation Art. 48).
/// At most 60 days are skipped, which covers the longest declared holiday run many times over.
fn past_rest_days(mut date: Date, is_working_day: &dyn Fn(Date) -> bool) -> (Date, bool) {
    let mut moved = false;
    for _ in 0..60 {
        if is_working_day(date) {
            break;
        }
        match date.next_day() {
            Some(next) => {
                date = next;
                moved = true;
            }
            None => break,
        }
    }
    (date, moved)
}

fn deadline(
    raw_due: Date,
    derivation: String,
    is_working_day: &dyn Fn(Date) -> bool,
) -> RemedyDeadline {
    let (due, moved) = past_rest_days(raw_due, is_working_day);
    let derivation = if moved {
        format!(
            "{derivation}; {raw_due} is a rest day, so the period ends on {due} (民事诉讼法 Art. 85)"
        )
    } else {
        derivation
    };
    RemedyDeadline { due, derivation }
}

/// The last day to file the remedy, counted from the day the person knew of the conduct (for
/// litigation after reconsideration: the day the reconsideration decision was received). The
/// first day is not counted (民事诉讼法 Art. 85 ¶2). `None` for a complaint, for which the
/// regulation sets no period.
///
/// `remedy_notice_given` says whether the agency's reply told the person of the right to
/// reconsideration, the body and the period (行政复议法 Art. 20 ¶3): without that notice the
/// period runs from when they learnt of it, at most one year from knowing the conduct; we
/// show that outer limit.
pub fn filing_deadline(
    kind: RemedyKind,
    known_on: Date,
    remedy_notice_given: bool,
    is_working_day: &dyn Fn(Date) -> bool,
) -> Option<RemedyDeadline> {
    match kind {
        RemedyKind::Complaint => None,
        RemedyKind::Reconsideration if remedy_notice_given => Some(deadline(
            known_on + Duration::days(60),
            format!("60 days from {known_on} (行政复议法 Art. 20 ¶1)"),
            is_working_day,
        )),
        RemedyKind::Reconsideration => Some(deadline(
            add_months(known_on, 12),
            format!(
                "at most one year from {known_on}: the reply did not state the right to \
                 reconsideration (行政复议法 Art. 20 ¶3)"
            ),
            is_working_day,
        )),
        RemedyKind::LitigationDirect => Some(deadline(
            add_months(known_on, 6),
            format!("6 months from {known_on} (行政诉讼法 Art. 46)"),
            is_working_day,
        )),
        RemedyKind::LitigationAfterReconsideration => Some(deadline(
            known_on + Duration::days(15),
            format!(
                "15 days from receipt of the reconsideration decision on {known_on} \
                 (行政诉讼法 Art. 45)"
            ),
            is_working_day,
        )),
    }
}

/// When the deciding body must decide, counted from acceptance (受理). `simplified` selects the
/// simplified procedure, which OGI cases may use (行政复议法 Art. 53(四); 行政诉讼法 Art. 82).
/// `None` for a complaint (no period in the regulation).
pub fn decision_deadline(
    kind: RemedyKind,
    accepted_on: Date,
    simplified: bool,
    is_working_day: &dyn Fn(Date) -> bool,
) -> Option<RemedyDeadline> {
    let (raw_due, derivation) = match (kind, simplified) {
        (RemedyKind::Complaint, _) => return None,
        (RemedyKind::Reconsideration, true) => (
            accepted_on + Duration::days(30),
            format!(
                "30 days from acceptance on {accepted_on}, simplified procedure (行政复议法 Art. 62 ¶2)"
            ),
        ),
        (RemedyKind::Reconsideration, false) => (
            accepted_on + Duration::days(60),
            format!(
                "60 days from acceptance on {accepted_on}, extendable once by at most 30 days \
                 (行政复议法 Art. 62 ¶1)"
            ),
        ),
        (_, true) => (
            accepted_on + Duration::days(45),
            format!(
                "45 days from filing on {accepted_on}, simplified procedure (行政诉讼法 Art. 83)"
            ),
        ),
        (_, false) => (
            add_months(accepted_on, 6),
            format!("6 months from filing on {accepted_on}, first instance (行政诉讼法 Art. 81)"),
        ),
    };
    Some(deadline(raw_due, derivation, is_working_day))
}

/// What table 四 needs to know about one remedy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedRemedy {
    /// An identifier for drill-down (the case number or the remedy's id).
    pub reference: String,
    pub kind: RemedyKind,
    pub filed_on: Date,
    /// The decision date and outcome; `None` while pending.
    pub decided: Option<(Date, RemedyOutcome)>,
}

/// Table 四 of the annual report: one data row of 15 cells, three groups (行政复议; 行政诉讼 未经
/// 复议直接起诉; 行政诉讼 复议后起诉) of five columns (结果维持, 结果纠正, 其他结果, 尚未审结, 总计).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table4 {
    pub year: i32,
    /// `cells[group][column]` with groups in [`RemedyKind::TABLE4`] order and columns in
    /// [`RemedyOutcome::ALL`] order followed by the total.
    pub cells: [[u64; 5]; 3],
    /// The remedies counted in each of the four outcome columns of each group.
    #[serde(skip)]
    pub references: [[Vec<String>; 4]; 3],
}

/// The group headings of table 四, in order: (top level, second level).
pub const TABLE4_GROUP_LABELS: [(&str, &str); 3] = [
    ("行政复议", ""),
    ("行政诉讼", "未经复议直接起诉"),
    ("行政诉讼", "复议后起诉"),
];

/// The five column labels of each group of table 四.
pub const TABLE4_COLUMN_LABELS: [&str; 5] =
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];

impl Table4 {
    /// Counts the remedies of `year`: a case counts in the year it was filed, and again in each
    /// later year it was still undecided at the start of; its column is its state on 31
    /// December of the year (a case decided in January of the next year is 尚未审结 here).
    pub fn compute(year: i32, remedies: &[CountedRemedy]) -> Table4 {
        let mut cells = [[0u64; 5]; 3];
        let mut references: [[Vec<String>; 4]; 3] = Default::default();
        for remedy in remedies {
            let Some(group) = RemedyKind::TABLE4.iter().position(|k| *k == remedy.kind) else {
                continue;
            };
            if remedy.filed_on.year() > year {
                continue;
            }
            let decided_before_year = remedy.decided.is_some_and(|(on, _)| on.year() < year);
            if decided_before_year {
                continue;
            }
            let outcome = match remedy.decided {
                Some((on, outcome)) if on.year() == year => outcome,
                _ => RemedyOutcome::Pending,
            };
            let column = RemedyOutcome::ALL
                .iter()
                .position(|o| *o == outcome)
                .unwrap_or(3);
            cells[group][column] += 1;
            cells[group][4] += 1;
            references[group][column].push(remedy.reference.clone());
        }
        Table4 {
            year,
            cells,
            references,
        }
    }

    /// Rule 4 of ogi-rules §2.5: in each group 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结.
    pub fn check(&self) -> Vec<Table4Problem> {
        let mut problems = Vec::new();
        for (group, row) in self.cells.iter().enumerate() {
            let sum: u64 = row[..4].iter().sum();
            if sum != row[4] {
                problems.push(Table4Problem {
                    group,
                    sum,
                    total: row[4],
                });
            }
        }
        problems
    }
}

/// A failed table 四 rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("table 四 {}{}: the result columns add up to {sum}, 总计 says {total}",
    TABLE4_GROUP_LABELS[*group].0, TABLE4_GROUP_LABELS[*group].1)]
pub struct Table4Problem {
    pub group: usize,
    pub sum: u64,
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn weekdays(date: Date) -> bool {
        !matches!(
            date.weekday(),
            time::Weekday::Saturday | time::Weekday::Sunday
        )
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 08 - 15), 6), date!(2027 - 02 - 15));
        assert_eq!(add_months(date!(2026 - 12 - 01), 12), date!(2027 - 12 - 01));
    }

    #[test]
    fn reconsideration_is_sixty_calendar_days_moved_past_a_weekend() {
        // 2026-03-02 + 60 days = 2026-05-01, a Friday: no move.
        let due = filing_deadline(
            RemedyKind::Reconsideration,
            date!(2026 - 03 - 02),
            true,
            &weekdays,
        )
        .map(|d| d.due);
        assert_eq!(due, Some(date!(2026 - 05 - 01)));
        // 2026-03-05 + 60 = 2026-05-04 (Monday); 2026-03-03 + 60 = 2026-05-02 (Saturday) → Monday.
        let moved = filing_deadline(
            RemedyKind::Reconsideration,
            date!(2026 - 03 - 03),
            true,
            &weekdays,
        );
        let moved = moved.expect("a reconsideration has a filing period");
        assert_eq!(moved.due, date!(2026 - 05 - 04));
        assert!(moved.derivation.contains("Art. 85"), "{}", moved.derivation);
    }

    #[test]
    fn every_kind_has_its_period() {
        let known = date!(2026 - 06 - 10);
        let all_days = |_: Date| true;
        let due = |kind, notice| filing_deadline(kind, known, notice, &all_days).map(|d| d.due);
        assert_eq!(due(RemedyKind::Complaint, true), None);
        assert_eq!(
            due(RemedyKind::Reconsideration, false),
            Some(date!(2027 - 06 - 10))
        );
        assert_eq!(
            due(RemedyKind::LitigationDirect, true),
            Some(date!(2026 - 12 - 10))
        );
        assert_eq!(
            due(RemedyKind::LitigationAfterReconsideration, true),
            Some(date!(2026 - 06 - 25))
        );
        let decide =
            |kind, simple| decision_deadline(kind, known, simple, &all_days).map(|d| d.due);
        assert_eq!(
            decide(RemedyKind::Reconsideration, true),
            Some(date!(2026 - 07 - 10))
        );
        assert_eq!(
            decide(RemedyKind::Reconsideration, false),
            Some(date!(2026 - 08 - 09))
        );
        assert_eq!(
            decide(RemedyKind::LitigationDirect, true),
            Some(date!(2026 - 07 - 25))
        );
        assert_eq!(
            decide(RemedyKind::LitigationDirect, false),
            Some(date!(2026 - 12 - 10))
        );
        assert_eq!(decide(RemedyKind::Complaint, false), None);
    }

    #[test]
    fn codes_round_trip() {
        for kind in RemedyKind::ALL {
            assert_eq!(RemedyKind::from_code(kind.code()), Some(kind));
        }
        for outcome in RemedyOutcome::ALL {
            assert_eq!(RemedyOutcome::from_code(outcome.code()), Some(outcome));
        }
        assert_eq!(RemedyKind::from_code("appeal"), None);
    }

    #[test]
    fn table4_counts_by_state_at_year_end() {
        let remedy = |reference: &str, kind, filed_on, decided| CountedRemedy {
            reference: reference.into(),
            kind,
            filed_on,
            decided,
        };
        let remedies = vec![
            remedy(
                "a",
                RemedyKind::Reconsideration,
                date!(2026 - 02 - 01),
                Some((date!(2026 - 03 - 01), RemedyOutcome::Upheld)),
            ),
            remedy(
                "b",
                RemedyKind::Reconsideration,
                date!(2026 - 11 - 01),
                Some((date!(2027 - 01 - 05), RemedyOutcome::Corrected)),
            ),
            remedy(
                "c",
                RemedyKind::LitigationDirect,
                date!(2025 - 06 - 01),
                None,
            ),
            remedy(
                "d",
                RemedyKind::LitigationAfterReconsideration,
                date!(2025 - 06 - 01),
                Some((date!(2025 - 12 - 01), RemedyOutcome::Other)),
            ),
            remedy("e", RemedyKind::Complaint, date!(2026 - 05 - 01), None),
        ];
        let table = Table4::compute(2026, &remedies);
        assert_eq!(table.cells[0], [1, 0, 0, 1, 2]);
        assert_eq!(table.cells[1], [0, 0, 0, 1, 1]);
        assert_eq!(table.cells[2], [0, 0, 0, 0, 0]);
        assert!(table.check().is_empty());
        assert_eq!(table.references[0][3], vec!["b".to_string()]);
        let next = Table4::compute(2027, &remedies);
        assert_eq!(next.cells[0], [0, 1, 0, 0, 1]);
    }
}
