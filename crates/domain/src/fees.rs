//! The information-processing fee (信息处理费) for excessive applications.
//!
//! Art. 42 of the regulation: providing information on application is **free**
//! (「行政机关依申请提供政府信息，不收取费用」), except that an agency **may** charge a processing
//! fee when the number or frequency of applications clearly exceeds a reasonable range. The
//! measures are 《政府信息公开信息处理费管理办法》 (国办函〔2020〕109号, 2020-11-17; ogi-rules.md
//! §1.3, V-secondary):
//!
//! - Art. 2: only applicants whose applications exceed a certain number or frequency pay.
//! - Art. 3: two methods, 按件计收 (per application) and 按量计收 (per page); both are
//!   **marginal progressive** (「均按照超额累进方式计算收费金额」), and one application is charged
//!   by **one** method only (「不得同时按照两种标准重复计算」).
//! - Art. 4, per application, cumulative per applicant per calendar month: applications 1–10
//!   free; 11–30 at 100 元 each; from 31 on, every further block of 10 costs 100 元 more each
//!   (31–40 at 200 元, 41–50 at 300 元, …; the block reading is DERIVED).
//! - Art. 5, per page, for paper copies, e-mail or copies of electronic data: pages 1–30 free;
//!   31–100 at 10 元; 101–200 at 20 元; above 200 at 40 元 (V-secondary, from a local fee table
//!   quoting 109号). Whether pages accumulate across a month is UNVERIFIED; here they count per
//!   application.
//!
//! Amounts are integer fen (分, 1 元 = 100 分) so that no rounding ever happens; names end in
//! `_fen` or `_yuan`. Whether to charge at all, and by which method, is the agency's decision;
//! this module only computes the amount. It is pure arithmetic.

/// Fen in one yuan.
pub const FEN_PER_YUAN: u64 = 100;

/// Applications per applicant per calendar month that are always free (109号 Art. 4).
pub const APPLICATIONS_FREE_PER_MONTH: u32 = 10;
/// The last application of the first charged tier (109号 Art. 4).
pub const APPLICATIONS_FIRST_TIER_LAST: u32 = 30;
/// The charge per application in the first charged tier, 11–30.
pub const FIRST_TIER_YUAN_PER_APPLICATION: u64 = 100;
/// From application 31 on, the tiers are blocks of this many applications.
pub const APPLICATIONS_PER_FURTHER_TIER: u32 = 10;
/// Each further block costs this much more per application than the one before.
pub const FURTHER_TIER_STEP_YUAN_PER_APPLICATION: u64 = 100;

/// Pages per application that are always free (109号 Art. 5).
pub const PAGES_FREE: u32 = 30;

/// The per-page tiers of 109号 Art. 5: (last page of the tier, yuan per page). The tier above
/// the last entry costs [`PAGE_TOP_TIER_YUAN_PER_PAGE`].
pub const PAGE_TIERS: [(u32, u64); 3] = [(PAGES_FREE, 0), (100, 10), (200, 20)];
/// The charge per page above page 200.
pub const PAGE_TOP_TIER_YUAN_PER_PAGE: u64 = 40;

/// The article every fee notice and every report line cites.
pub const FEE_LEGAL_BASIS: &str =
    "《政府信息公开条例》第四十二条；《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）";

/// How one application is charged: by exactly one method (109号 Art. 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeeMethod {
    /// 按件计收: the application's place in the applicant's calendar month decides.
    PerApplication {
        /// Applications the same applicant made earlier in the same calendar month.
        month_count_before: u32,
    },
    /// 按量计收: the number of pages provided decides.
    PerPage { pages: u32 },
}

impl FeeMethod {
    pub fn code(self) -> &'static str {
        match self {
            FeeMethod::PerApplication { .. } => "per_application",
            FeeMethod::PerPage { .. } => "per_page",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FeeMethod::PerApplication { .. } => "按件计收",
            FeeMethod::PerPage { .. } => "按量计收",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            FeeMethod::PerApplication { .. } => "Per application",
            FeeMethod::PerPage { .. } => "Per page",
        }
    }

    /// The fee of one application charged by this method, in fen.
    pub fn fee_fen(self) -> u64 {
        match self {
            FeeMethod::PerApplication { month_count_before } => {
                fee_for_applications_fen(month_count_before, 1)
            }
            FeeMethod::PerPage { pages } => fee_for_pages_fen(pages),
        }
    }
}

/// The charge in yuan for the `nth_in_month` application (1-based) of one applicant in one
/// calendar month (109号 Art. 4). Position 0 is not an application and costs nothing.
pub fn fee_per_application_yuan(nth_in_month: u32) -> u64 {
    if nth_in_month <= APPLICATIONS_FREE_PER_MONTH {
        0
    } else if nth_in_month <= APPLICATIONS_FIRST_TIER_LAST {
        FIRST_TIER_YUAN_PER_APPLICATION
    } else {
        let further_tier = u64::from(
            (nth_in_month - APPLICATIONS_FIRST_TIER_LAST - 1) / APPLICATIONS_PER_FURTHER_TIER,
        );
        FIRST_TIER_YUAN_PER_APPLICATION
            + FURTHER_TIER_STEP_YUAN_PER_APPLICATION * (further_tier + 1)
    }
}

/// The same charge in fen.
pub fn fee_per_application_fen(nth_in_month: u32) -> u64 {
    fee_per_application_yuan(nth_in_month) * FEN_PER_YUAN
}

/// The total in yuan of applications 1..=`n` of one month, in closed form so that any count
/// costs the same time. Computed in u128: the sum grows with the square of `n`.
fn cumulative_applications_yuan(n: u64) -> u128 {
    let n = u128::from(n);
    let free = u128::from(APPLICATIONS_FREE_PER_MONTH);
    let first_last = u128::from(APPLICATIONS_FIRST_TIER_LAST);
    let first_rate = u128::from(FIRST_TIER_YUAN_PER_APPLICATION);
    if n <= free {
        return 0;
    }
    if n <= first_last {
        return (n - free) * first_rate;
    }
    let first_tier_total = (first_last - free) * first_rate;
    let block = u128::from(APPLICATIONS_PER_FURTHER_TIER);
    let step = u128::from(FURTHER_TIER_STEP_YUAN_PER_APPLICATION);
    let beyond = n - first_last;
    let (full_blocks, remainder) = (beyond / block, beyond % block);
    // Block j (0-based) costs first_rate + step·(j + 1) per application.
    let full_blocks_total = block
        * (full_blocks * (first_rate + step)
            + step * full_blocks * full_blocks.saturating_sub(1) / 2);
    let remainder_total = remainder * (first_rate + step * (full_blocks + 1));
    first_tier_total + full_blocks_total + remainder_total
}

/// The fee in fen for `n_new` applications by an applicant who already made
/// `month_count_before` applications in the same calendar month: the marginal progressive sum
/// of 109号 Arts. 3–4. Amounts beyond `u64::MAX` fen (no real case) saturate.
pub fn fee_for_applications_fen(month_count_before: u32, n_new: u32) -> u64 {
    let before = u64::from(month_count_before);
    let after = before + u64::from(n_new);
    let yuan = cumulative_applications_yuan(after) - cumulative_applications_yuan(before);
    u64::try_from(yuan * u128::from(FEN_PER_YUAN)).unwrap_or(u64::MAX)
}

/// The charge in yuan for the `nth` page (1-based) of one application (109号 Art. 5).
pub fn fee_per_page_yuan(nth: u32) -> u64 {
    PAGE_TIERS
        .iter()
        .find(|(last, _)| nth <= *last)
        .map_or(PAGE_TOP_TIER_YUAN_PER_PAGE, |(_, rate)| *rate)
}

/// The fee in fen for providing `pages` pages for one application: the marginal progressive
/// sum of 109号 Arts. 3 and 5. Cannot overflow: 40 元 × `u32::MAX` pages fits in u64 fen.
pub fn fee_for_pages_fen(pages: u32) -> u64 {
    let pages = u64::from(pages);
    let mut total_yuan = 0;
    let mut tier_first = 1;
    for (tier_last, rate) in PAGE_TIERS {
        let tier_last = u64::from(tier_last);
        if pages >= tier_first {
            total_yuan += (pages.min(tier_last) - tier_first + 1) * rate;
        }
        tier_first = tier_last + 1;
    }
    if pages >= tier_first {
        total_yuan += (pages - tier_first + 1) * PAGE_TOP_TIER_YUAN_PER_PAGE;
    }
    total_yuan * FEN_PER_YUAN
}

/// Formats fen as yuan with two decimals, e.g. `300000` → `3000.00`, for fee notices.
pub fn format_fen_as_yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / FEN_PER_YUAN, fen % FEN_PER_YUAN)
}
