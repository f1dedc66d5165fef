//! Table 三 of the annual report computed from application facts, and its consistency rules.

use gongkai_domain::application_form::ApplicantKind;
use gongkai_domain::reply::{NonDisclosureGround, OtherHandlingReason, ReplyKind};
use gongkai_domain::report::{
    COLUMN_LABELS, ConsistencyProblem, CountedApplication, Table3, Table3Row,
};
use time::macros::date;

fn app(
    reference: &str,
    kind: ApplicantKind,
    received: Option<time::Date>,
    ended: Option<(time::Date, ReplyKind)>,
) -> CountedApplication {
    CountedApplication {
        reference: reference.into(),
        applicant_kind: kind,
        received_on: received,
        ended,
    }
}

fn sample() -> Vec<CountedApplication> {
    use ApplicantKind::*;
    vec![
        // Received and answered in 2025: counted in 2025 only.
        app(
            "a",
            NaturalPerson,
            Some(date!(2025 - 03 - 01)),
            Some((date!(2025 - 03 - 20), ReplyKind::Disclosed)),
        ),
        // Received late in 2025, answered in 2026: carried forward, then carried over.
        app(
            "b",
            NaturalPerson,
            Some(date!(2025 - 12 - 22)),
            Some((date!(2026 - 01 - 15), ReplyKind::PartiallyDisclosed)),
        ),
        app("c", CommercialEnterprise, Some(date!(2025 - 12 - 30)), None),
        // 2026.
        app(
            "d",
            LegalServiceOrganization,
            Some(date!(2026 - 02 - 10)),
            Some((
                date!(2026 - 03 - 16),
                ReplyKind::NotDisclosed(NonDisclosureGround::ThirdPartyRights),
            )),
        ),
        app(
            "e",
            NaturalPerson,
            Some(date!(2026 - 05 - 06)),
            Some((
                date!(2026 - 06 - 01),
                ReplyKind::OtherHandling(OtherHandlingReason::CorrectionNotMade),
            )),
        ),
        app("f", ResearchInstitution, Some(date!(2026 - 12 - 28)), None),
        // Submitted online but never confirmed: not a received application.
        app("g", NaturalPerson, None, None),
        // Received in 2027: not in 2026's table.
        app("h", NaturalPerson, Some(date!(2027 - 01 - 04)), None),
    ]
}

#[test]
fn rows_and_columns_follow_the_official_format() {
    let rows = Table3Row::all();
    // 一, 二, the 21 outcome rows and （七）总计 of 三 (rowspan 22 in the 2021 format), 四.
    assert_eq!(rows.len(), 25);
    assert_eq!(rows[0].label(), "一、本年新收政府信息公开申请数量");
    assert_eq!(rows[1].label(), "二、上年结转政府信息公开申请数量");
    assert_eq!(rows[2].label(), "三、本年度办理结果 / （一）予以公开");
    assert_eq!(
        rows[4].label(),
        "三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密"
    );
    assert_eq!(rows[23].label(), "三、本年度办理结果 / （七）总计");
    assert_eq!(rows[24].label(), "四、结转下年度继续办理");
    assert_eq!(
        COLUMN_LABELS,
        [
            "自然人",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
            "总计"
        ]
    );
}

#[test]
fn counts_balance_and_carry_over_between_years() {
    let t2025 = Table3::compute(2025, &sample());
    let t2026 = Table3::compute(2026, &sample());
    assert_eq!(t2025.cell(Table3Row::NewlyReceived, 6), 3);
    assert_eq!(t2025.cell(Table3Row::CarriedForward, 6), 2);
    assert_eq!(t2026.cell(Table3Row::NewlyReceived, 6), 3);
    assert_eq!(t2026.cell(Table3Row::CarriedOver, 6), 2);
    assert_eq!(
        t2026.cell(Table3Row::CarriedOver, 1),
        1,
        "the enterprise's application in its column"
    );
    assert_eq!(
        t2026.cell(Table3Row::Outcome(ReplyKind::PartiallyDisclosed), 0),
        1
    );
    assert_eq!(
        t2026.cell(
            Table3Row::Outcome(ReplyKind::NotDisclosed(
                NonDisclosureGround::ThirdPartyRights
            )),
            4
        ),
        1
    );
    assert_eq!(t2026.cell(Table3Row::OutcomeTotal, 6), 3);
    assert_eq!(t2026.cell(Table3Row::CarriedForward, 6), 2);
    assert!(t2025.check(None).is_empty(), "{:?}", t2025.check(None));
    assert!(
        t2026.check(Some(&t2025)).is_empty(),
        "{:?}",
        t2026.check(Some(&t2025))
    );
    // Drill-down: the references behind a cell.
    let row = t2026
        .rows
        .iter()
        .position(|r| *r == Table3Row::CarriedOver)
        .expect("row");
    assert_eq!(t2026.references[row][1], vec!["c".to_string()]);
}

#[test]
fn every_broken_rule_is_reported() {
    let mut table = Table3::compute(2026, &sample());
    let previous = Table3::compute(2025, &sample());
    // Corrupt one cell: rules 1, 2 and 3 all notice; a wrong previous year breaks rule 5.
    let row = table
        .rows
        .iter()
        .position(|r| *r == Table3Row::Outcome(ReplyKind::Disclosed))
        .expect("row");
    table.cells[row][0] += 1;
    let problems = table.check(Some(&Table3::compute(2024, &sample())));
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, ConsistencyProblem::OutcomeTotal { column: 0, .. }))
    );
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, ConsistencyProblem::RowTotal { .. }))
    );
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, ConsistencyProblem::CarryOver { .. }))
    );
    let clean = Table3::compute(2026, &sample());
    assert!(clean.check(Some(&previous)).is_empty());
    let message = problems[0].to_string();
    assert!(message.contains("自然人"), "{message}");
}
