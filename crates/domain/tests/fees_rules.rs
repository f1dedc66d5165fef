//! Tests of the information-processing fee of 国办函〔2020〕109号: the tiers as tables (every
//! boundary), the worked example of ogi-rules.md §1.3 (35 applications in a month → 3 000 元),
//! and properties tying the closed forms to a plain sum of marginal charges.

use gongkai_domain::fees::{
    FEE_LEGAL_BASIS, FeeMethod, fee_for_applications_fen, fee_for_pages_fen,
    fee_per_application_fen, fee_per_application_yuan, fee_per_page_yuan, format_fen_as_yuan,
};
use proptest::prelude::*;

const FEN_PER_YUAN: u64 = 100;

#[test]
fn charge_per_application_by_position_in_the_month() {
    let cases: &[(u32, u64)] = &[
        (0, 0),
        (1, 0),
        (10, 0),
        (11, 100),
        (30, 100),
        (31, 200),
        (40, 200),
        (41, 300),
        (50, 300),
        (51, 400),
        (100, 800),
        (101, 900),
    ];
    for &(nth, yuan) in cases {
        assert_eq!(fee_per_application_yuan(nth), yuan, "application {nth}");
        assert_eq!(
            fee_per_application_fen(nth),
            yuan * FEN_PER_YUAN,
            "application {nth}"
        );
    }
}

#[test]
fn the_worked_example() {
    // 10 × 0 + 20 × 100 + 5 × 200 = 3 000 元.
    assert_eq!(fee_for_applications_fen(0, 35), 3_000 * FEN_PER_YUAN);
    assert_eq!(
        format_fen_as_yuan(fee_for_applications_fen(0, 35)),
        "3000.00"
    );
}

#[test]
fn fees_for_applications() {
    // (made earlier this month, new, yuan)
    let cases: &[(u32, u32, u64)] = &[
        (0, 0, 0),
        (0, 1, 0),
        (0, 10, 0),
        (0, 11, 100),
        (0, 30, 2_000),
        (0, 31, 2_200),
        (0, 40, 4_000),
        (0, 50, 7_000),
        (10, 1, 100),
        (9, 2, 100),
        (30, 5, 1_000),
        (34, 1, 200),
        (29, 3, 100 + 200 + 200),
        (39, 2, 200 + 300),
        (35, 0, 0),
    ];
    for &(before, n_new, yuan) in cases {
        assert_eq!(
            fee_for_applications_fen(before, n_new),
            yuan * FEN_PER_YUAN,
            "{before} before, {n_new} new"
        );
    }
}

#[test]
fn fees_for_pages() {
    let cases: &[(u32, u64)] = &[
        (0, 0),
        (1, 0),
        (30, 0),
        (31, 10),
        (100, 700),
        (101, 720),
        (200, 2_700),
        (201, 2_740),
        (250, 4_700),
    ];
    for &(pages, yuan) in cases {
        assert_eq!(
            fee_for_pages_fen(pages),
            yuan * FEN_PER_YUAN,
            "{pages} pages"
        );
    }
    let per_page: Vec<u64> = [1, 30, 31, 100, 101, 200, 201, u32::MAX]
        .iter()
        .map(|&n| fee_per_page_yuan(n))
        .collect();
    assert_eq!(per_page, [0, 0, 10, 10, 20, 20, 40, 40]);
}

#[test]
fn one_method_per_application() {
    let by_count = FeeMethod::PerApplication {
        month_count_before: 34,
    };
    let by_pages = FeeMethod::PerPage { pages: 101 };
    assert_eq!(by_count.fee_fen(), 200 * FEN_PER_YUAN);
    assert_eq!(by_pages.fee_fen(), 720 * FEN_PER_YUAN);
    assert_eq!(
        (by_count.code(), by_pages.code()),
        ("per_application", "per_page")
    );
    assert_eq!(
        (by_count.label_zh(), by_pages.label_zh()),
        ("按件计收", "按量计收")
    );
    assert!(!by_count.label_en().is_empty());
    assert!(
        FEE_LEGAL_BASIS.contains("第四十二条") && FEE_LEGAL_BASIS.contains("国办函〔2020〕109号")
    );
}

#[test]
fn formatting() {
    let cases: &[(u64, &str)] = &[
        (0, "0.00"),
        (5, "0.05"),
        (100, "1.00"),
        (123_456, "1234.56"),
    ];
    for &(fen, text) in cases {
        assert_eq!(format_fen_as_yuan(fen), text);
    }
}

#[test]
fn extremes_neither_panic_nor_wrap() {
    let all = fee_for_applications_fen(0, u32::MAX);
    assert!(all > 0);
    assert_eq!(fee_for_applications_fen(u32::MAX, u32::MAX), u64::MAX);
    assert_eq!(
        fee_for_pages_fen(u32::MAX),
        (2_700 + (u64::from(u32::MAX) - 200) * 40) * FEN_PER_YUAN
    );
    assert!(fee_per_application_yuan(u32::MAX) > 0);
}

proptest! {
    #[test]
    fn applications_sum_their_marginal_charges(before in 0u32..300, n_new in 0u32..300) {
        let marginal: u64 = (before + 1..=before + n_new).map(fee_per_application_fen).sum();
        prop_assert_eq!(fee_for_applications_fen(before, n_new), marginal);
    }

    #[test]
    fn applications_add_up_across_batches(before in 0u32..100_000, a in 0u32..100_000, b in 0u32..100_000) {
        prop_assert_eq!(
            fee_for_applications_fen(before, a) + fee_for_applications_fen(before + a, b),
            fee_for_applications_fen(before, a + b)
        );
    }

    #[test]
    fn a_later_application_never_costs_less(nth in 0u32..u32::MAX) {
        prop_assert!(fee_per_application_yuan(nth + 1) >= fee_per_application_yuan(nth));
    }

    #[test]
    fn pages_sum_their_marginal_charges(pages in 0u32..1_000) {
        let marginal: u64 = (1..=pages).map(|n| fee_per_page_yuan(n) * FEN_PER_YUAN).sum();
        prop_assert_eq!(fee_for_pages_fen(pages), marginal);
    }

    #[test]
    fn more_pages_never_cost_less(pages in 0u32..u32::MAX) {
        prop_assert!(fee_for_pages_fen(pages + 1) >= fee_for_pages_fen(pages));
    }
}
