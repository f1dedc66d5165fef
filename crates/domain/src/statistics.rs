//! Figures of the performance dashboard (C17) and the privacy rule for published statistics
//! (C14): percentiles of working-day durations, rates kept as exact fractions, and small-cell
//! suppression, so that no applicant can be singled out from a public table.
//!
//! Pure: every input is a plain number. The service layer gathers the counts from stored
//! events; this module only decides what they mean and what may be shown.
//!
//! # Small-cell suppression
//!
//! A count of people between 1 and k − 1 (k = 5 by default, configurable, never below 3) is
//! never shown; it appears as the band `<k`. Zero is shown: it describes nobody, and hiding it
//! would also hide good news the public is entitled to (no late reply at all). A rate whose
//! denominator is below k is withheld, and so is a rate whose numerator, or whose complement
//! (denominator − numerator), is a small count, because the shown denominator minus the shown
//! numerator would give that complement away.
//!
//! Where a row of counts is shown with its total, one hidden cell could be recovered as the
//! total minus the other cells. Complementary suppression prevents it: a row that hides a
//! cell also hides the next-smallest cell of at least k (shown as `—`) until no hidden cell
//! can be pinned to one value by reading the bands as bounds; when the row has no such cell
//! left, the total is hidden instead. The property tests at the bottom check this by brute
//! force. (What is not defended against: reasoning about why the rule withheld the total
//! rather than a cell; with k ≥ 3 that narrows a cell but the published row alone never
//! pins it.)

use std::fmt;

/// k when the configuration says nothing.
pub const SMALL_CELL_THRESHOLD_DEFAULT: u64 = 5;

/// The smallest k accepted. With k = 2 the band `<2` of a non-zero count would name the count
/// itself (it can only be 1), so the band would disclose exactly what it hides.
pub const SMALL_CELL_THRESHOLD_MIN: u64 = 3;

/// The k of small-cell suppression: counts from 1 to k − 1 are never published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmallCellThreshold {
    k: u64,
}

impl SmallCellThreshold {
    /// A threshold of `k`, raised to `SMALL_CELL_THRESHOLD_MIN` when lower (a configuration
    /// mistake must not weaken privacy).
    pub fn new(k: u64) -> SmallCellThreshold {
        SmallCellThreshold {
            k: k.max(SMALL_CELL_THRESHOLD_MIN),
        }
    }

    pub fn k(self) -> u64 {
        self.k
    }

    /// Whether a count of people is too small to publish: 1 to k − 1.
    pub fn is_small(self, count: u64) -> bool {
        count > 0 && count < self.k
    }
}

impl Default for SmallCellThreshold {
    fn default() -> Self {
        SmallCellThreshold::new(SMALL_CELL_THRESHOLD_DEFAULT)
    }
}

/// The value at `percent` (0–100) of `values` by the nearest-rank method: the smallest value
/// such that at least `percent` % of the values are less than or equal to it, i.e. the value
/// of rank ⌈percent / 100 × n⌉ (rank 1 for percent 0) in ascending order. It is always one of
/// the observed values, so a median of working days is a whole number of days and never an
/// average of two people's durations. `None` for no values; `percent` above 100 counts as 100.
pub fn nearest_rank_percentile(values: &[u32], percent: u8) -> Option<u32> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len() as u64;
    let percent = u64::from(percent.min(100));
    // ⌈percent × n / 100⌉ in integers, at least 1.
    let rank = (percent * n).div_ceil(100).max(1);
    let index = usize::try_from(rank - 1).ok()?;
    sorted.get(index).copied()
}

/// How long something took, in working days, over a group: how many, the median (p50) and
/// the 90th percentile, both by nearest rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DurationSummary {
    pub n: u64,
    pub median_working_days: Option<u32>,
    pub p90_working_days: Option<u32>,
}

impl DurationSummary {
    pub fn of(working_days: &[u32]) -> DurationSummary {
        DurationSummary {
            n: working_days.len() as u64,
            median_working_days: nearest_rank_percentile(working_days, 50),
            p90_working_days: nearest_rank_percentile(working_days, 90),
        }
    }
}

/// An exact fraction with its numerator and denominator kept, so a published rate can always
/// be checked against the counts it came from. The denominator may be zero (no data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fraction {
    pub numerator: u64,
    pub denominator: u64,
}

impl Fraction {
    pub fn new(numerator: u64, denominator: u64) -> Fraction {
        Fraction {
            numerator,
            denominator,
        }
    }

    /// The value multiplied by `scale` and rounded half up, in integers (no float drift);
    /// `None` when the denominator is zero.
    pub fn scaled_rounded(self, scale: u64) -> Option<u128> {
        if self.denominator == 0 {
            return None;
        }
        let numerator = u128::from(self.numerator) * u128::from(scale);
        let denominator = u128::from(self.denominator);
        Some((2 * numerator + denominator) / (2 * denominator))
    }

    /// As a percentage with one decimal, e.g. `75.0%`; `None` when the denominator is zero.
    pub fn percent_text(self) -> Option<String> {
        let tenths = self.scaled_rounded(1000)?;
        Some(format!("{}.{}%", tenths / 10, tenths % 10))
    }

    /// As a decimal with `places` decimals (at most 6), e.g. a mean rating `4.25`.
    pub fn decimal_text(self, places: u32) -> Option<String> {
        let places = places.min(6);
        let scale = 10u64.pow(places);
        let scaled = self.scaled_rounded(scale)?;
        if places == 0 {
            return Some(scaled.to_string());
        }
        let scale = u128::from(scale);
        Some(format!(
            "{}.{:0width$}",
            scaled / scale,
            scaled % scale,
            width = places as usize
        ))
    }

    /// Whether this is a share of a whole (numerator at most the denominator).
    pub fn is_proportion(self) -> bool {
        self.numerator <= self.denominator
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

/// A count as it may be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Shown(u64),
    /// A count from 1 to k − 1, shown as the band `<k`.
    BelowThreshold {
        k: u64,
    },
    /// Hidden so that another hidden cell cannot be recovered by subtraction, shown as `—`.
    Withheld,
}

impl Cell {
    pub fn is_suppressed(self) -> bool {
        !matches!(self, Cell::Shown(_))
    }

    pub fn shown(self) -> Option<u64> {
        match self {
            Cell::Shown(value) => Some(value),
            _ => None,
        }
    }

    /// A stable code for machine readers: `shown`, `below_threshold` or `withheld`.
    pub fn status_code(self) -> &'static str {
        match self {
            Cell::Shown(_) => "shown",
            Cell::BelowThreshold { .. } => "below_threshold",
            Cell::Withheld => "withheld",
        }
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Shown(value) => write!(f, "{value}"),
            Cell::BelowThreshold { k } => write!(f, "<{k}"),
            Cell::Withheld => f.write_str("—"),
        }
    }
}

/// A single count of people, with primary suppression only (it belongs to no shown row).
pub fn suppress_count(count: u64, threshold: SmallCellThreshold) -> Cell {
    if threshold.is_small(count) {
        Cell::BelowThreshold { k: threshold.k() }
    } else {
        Cell::Shown(count)
    }
}

/// A row of counts with its total (the sum of the cells), as it may be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressedRow {
    pub cells: Vec<Cell>,
    pub total: Cell,
}

/// Applies primary and complementary suppression to a row whose total is published with it.
///
/// 1. Primary: each cell from 1 to k − 1 becomes `<k`; so does the total if it is that small.
/// 2. Complementary: while the total is shown and some hidden cell could be pinned to one
///    value by someone who reads the bands as bounds and subtracts the shown cells from the
///    total (see `hidden_cell_bounds`), the smallest cell of at least k still shown is hidden
///    too (`—`); a lone hidden cell is always pinned, so it always takes the next-smallest
///    cell with it. When no such cell is left, the total is withheld instead.
pub fn suppress_row(cells: &[u64], threshold: SmallCellThreshold) -> SuppressedRow {
    let total_count = cells.iter().fold(0u64, |sum, c| sum.saturating_add(*c));
    let mut row = SuppressedRow {
        cells: cells
            .iter()
            .map(|c| suppress_count(*c, threshold))
            .collect(),
        total: suppress_count(total_count, threshold),
    };
    while !row.total.is_suppressed()
        && hidden_cell_bounds(&row, threshold)
            .iter()
            .any(|bounds| bounds.lowest == bounds.highest)
    {
        let complement = cells
            .iter()
            .enumerate()
            .filter(|(i, c)| **c >= threshold.k() && !row.cells[*i].is_suppressed())
            .min_by_key(|(i, c)| (**c, *i))
            .map(|(i, _)| i);
        match complement {
            Some(index) => row.cells[index] = Cell::Withheld,
            None => row.total = Cell::Withheld,
        }
    }
    row
}

/// What the published row tells about one hidden cell: every value from `lowest` to
/// `highest` is consistent with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HiddenCellBounds {
    pub index: usize,
    pub lowest: u64,
    pub highest: u64,
}

/// The values each hidden cell of a published row could have, for someone who knows the rule:
/// `<k` means 1 to k − 1, `—` means at least k (only such cells are withheld), and a shown
/// total fixes the sum of the hidden cells to the total minus the shown cells. The cells are
/// integers in boxes tied by one sum, so every value between the bounds is feasible and a cell
/// is pinned exactly when its bounds meet.
pub fn hidden_cell_bounds(
    row: &SuppressedRow,
    threshold: SmallCellThreshold,
) -> Vec<HiddenCellBounds> {
    // Large enough to stand for "no upper bound" and small enough that sums never overflow.
    const UNBOUNDED: u64 = u64::MAX / 64;
    let k = threshold.k();
    let boxes: Vec<HiddenCellBounds> = row
        .cells
        .iter()
        .enumerate()
        .filter_map(|(index, cell)| {
            let (lowest, highest) = match cell {
                Cell::Shown(_) => return None,
                Cell::BelowThreshold { .. } => (1, k - 1),
                Cell::Withheld => (k, UNBOUNDED),
            };
            Some(HiddenCellBounds {
                index,
                lowest,
                highest,
            })
        })
        .collect();
    let Cell::Shown(total) = row.total else {
        return boxes;
    };
    let shown_sum = row
        .cells
        .iter()
        .filter_map(|c| c.shown())
        .fold(0u64, u64::saturating_add);
    let hidden_sum = total.saturating_sub(shown_sum);
    let lowest_sum = boxes
        .iter()
        .map(|b| b.lowest)
        .fold(0u64, u64::saturating_add);
    let highest_sum = boxes
        .iter()
        .map(|b| b.highest)
        .fold(0u64, u64::saturating_add);
    boxes
        .iter()
        .map(|b| {
            let others_lowest = lowest_sum - b.lowest;
            let others_highest = highest_sum - b.highest;
            HiddenCellBounds {
                index: b.index,
                lowest: b.lowest.max(hidden_sum.saturating_sub(others_highest)),
                highest: b.highest.min(hidden_sum.saturating_sub(others_lowest)),
            }
        })
        .collect()
}

/// A rate as it may be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownFraction {
    Shown(Fraction),
    /// The denominator is zero: there is nothing to measure.
    NoData,
    /// The denominator, numerator or complement is a small count.
    Suppressed {
        k: u64,
    },
}

impl ShownFraction {
    pub fn shown(self) -> Option<Fraction> {
        match self {
            ShownFraction::Shown(fraction) => Some(fraction),
            _ => None,
        }
    }

    pub fn status_code(self) -> &'static str {
        match self {
            ShownFraction::Shown(_) => "shown",
            ShownFraction::NoData => "no_data",
            ShownFraction::Suppressed { .. } => "suppressed",
        }
    }
}

/// A share of people (numerator ≤ denominator) as it may be published: withheld when the
/// denominator is below k or when the numerator or the complement is a small count. A
/// fraction whose numerator exceeds its denominator is a ratio, not a share of people, and is
/// judged by its denominator alone.
pub fn suppress_fraction(fraction: Fraction, threshold: SmallCellThreshold) -> ShownFraction {
    if fraction.denominator == 0 {
        return ShownFraction::NoData;
    }
    let suppressed = fraction.denominator < threshold.k()
        || (fraction.is_proportion()
            && (threshold.is_small(fraction.numerator)
                || threshold.is_small(fraction.denominator - fraction.numerator)));
    if suppressed {
        ShownFraction::Suppressed { k: threshold.k() }
    } else {
        ShownFraction::Shown(fraction)
    }
}

/// A duration summary as it may be published: its percentiles only when at least k people's
/// durations went into it.
pub fn suppress_durations(
    summary: DurationSummary,
    threshold: SmallCellThreshold,
) -> Option<DurationSummary> {
    (summary.n >= threshold.k()).then_some(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn k5() -> SmallCellThreshold {
        SmallCellThreshold::default()
    }

    #[test]
    fn the_threshold_defaults_to_five_and_never_drops_below_three() {
        assert_eq!(SmallCellThreshold::default().k(), 5);
        assert_eq!(SmallCellThreshold::new(0).k(), 3);
        assert_eq!(SmallCellThreshold::new(2).k(), 3);
        assert_eq!(SmallCellThreshold::new(10).k(), 10);
        assert!(!k5().is_small(0));
        assert!(k5().is_small(1));
        assert!(k5().is_small(4));
        assert!(!k5().is_small(5));
    }

    #[test]
    fn nearest_rank_percentiles_are_observed_values() {
        assert_eq!(nearest_rank_percentile(&[], 50), None);
        assert_eq!(nearest_rank_percentile(&[7], 50), Some(7));
        assert_eq!(nearest_rank_percentile(&[7], 90), Some(7));
        // Even count: the lower middle (rank ⌈0.5 × 4⌉ = 2), never the average of two.
        assert_eq!(nearest_rank_percentile(&[4, 1, 3, 2], 50), Some(2));
        assert_eq!(nearest_rank_percentile(&[5, 1, 3], 50), Some(3));
        // Ten values: p90 is rank 9.
        let ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
        assert_eq!(nearest_rank_percentile(&ten, 90), Some(9));
        assert_eq!(nearest_rank_percentile(&ten, 100), Some(10));
        assert_eq!(nearest_rank_percentile(&ten, 0), Some(1));
        assert_eq!(nearest_rank_percentile(&ten, 200), Some(10));
        // Eleven values: p90 is rank ⌈9.9⌉ = 10.
        let eleven: Vec<u32> = (1..=11).collect();
        assert_eq!(nearest_rank_percentile(&eleven, 90), Some(10));
    }

    #[test]
    fn duration_summaries_count_and_rank() {
        let summary = DurationSummary::of(&[20, 3, 5, 8, 13]);
        assert_eq!(summary.n, 5);
        assert_eq!(summary.median_working_days, Some(8));
        assert_eq!(summary.p90_working_days, Some(20));
        assert_eq!(DurationSummary::of(&[]), DurationSummary::default());
    }

    #[test]
    fn fractions_keep_their_terms_and_round_half_up() {
        let f = Fraction::new(3, 4);
        assert_eq!(f.to_string(), "3/4");
        assert_eq!(f.percent_text().as_deref(), Some("75.0%"));
        assert_eq!(Fraction::new(2, 3).percent_text().as_deref(), Some("66.7%"));
        assert_eq!(Fraction::new(1, 3).percent_text().as_deref(), Some("33.3%"));
        // 1/8 = 12.5 % exactly; 1/16 = 6.25 % rounds half up to 6.3 %.
        assert_eq!(Fraction::new(1, 16).percent_text().as_deref(), Some("6.3%"));
        assert_eq!(Fraction::new(0, 0).percent_text(), None);
        assert_eq!(
            Fraction::new(17, 4).decimal_text(2).as_deref(),
            Some("4.25")
        );
        assert_eq!(Fraction::new(9, 2).decimal_text(0).as_deref(), Some("5"));
        assert_eq!(Fraction::new(1, 3).decimal_text(2).as_deref(), Some("0.33"));
        assert_eq!(
            Fraction::new(u64::MAX, u64::MAX).percent_text().as_deref(),
            Some("100.0%")
        );
    }

    #[test]
    fn single_counts_are_banded_below_k() {
        assert_eq!(suppress_count(0, k5()), Cell::Shown(0));
        assert_eq!(suppress_count(1, k5()), Cell::BelowThreshold { k: 5 });
        assert_eq!(suppress_count(4, k5()), Cell::BelowThreshold { k: 5 });
        assert_eq!(suppress_count(5, k5()), Cell::Shown(5));
        assert_eq!(suppress_count(4, k5()).to_string(), "<5");
        assert_eq!(Cell::Withheld.to_string(), "—");
        assert_eq!(Cell::Shown(12).to_string(), "12");
        assert_eq!(
            suppress_count(6, SmallCellThreshold::new(10)).to_string(),
            "<10"
        );
    }

    #[test]
    fn a_row_without_small_cells_is_shown_whole() {
        let row = suppress_row(&[5, 0, 12], k5());
        assert_eq!(
            row.cells,
            vec![Cell::Shown(5), Cell::Shown(0), Cell::Shown(12)]
        );
        assert_eq!(row.total, Cell::Shown(17));
    }

    #[test]
    fn one_small_cell_takes_the_next_smallest_with_it() {
        let row = suppress_row(&[20, 2, 7, 9], k5());
        assert_eq!(
            row.cells,
            vec![
                Cell::Shown(20),
                Cell::BelowThreshold { k: 5 },
                Cell::Withheld,
                Cell::Shown(9)
            ]
        );
        assert_eq!(row.total, Cell::Shown(38));
    }

    #[test]
    fn several_small_cells_still_hide_one_large_cell() {
        // Two bands alone would let 4 + 4 = 13 − 5 be solved: both must be 4.
        let row = suppress_row(&[4, 4, 5], k5());
        assert_eq!(
            row.cells,
            vec![
                Cell::BelowThreshold { k: 5 },
                Cell::BelowThreshold { k: 5 },
                Cell::Withheld
            ]
        );
        assert_eq!(row.total, Cell::Shown(13));
    }

    #[test]
    fn two_bands_that_leave_room_need_no_complement() {
        // 3 + 3 = 6 with each between 1 and 4: either could be 2, 3 or 4.
        let row = suppress_row(&[3, 3, 0], k5());
        assert_eq!(
            row.cells,
            vec![
                Cell::BelowThreshold { k: 5 },
                Cell::BelowThreshold { k: 5 },
                Cell::Shown(0)
            ]
        );
        assert_eq!(row.total, Cell::Shown(6));
    }

    #[test]
    fn without_a_large_cell_the_total_is_withheld() {
        // 4 + 4 = 8 would pin both bands to 4, and no cell of at least 5 can be hidden.
        let row = suppress_row(&[4, 4, 0], k5());
        assert_eq!(
            row.cells,
            vec![
                Cell::BelowThreshold { k: 5 },
                Cell::BelowThreshold { k: 5 },
                Cell::Shown(0)
            ]
        );
        assert_eq!(row.total, Cell::Withheld);
        // A lone band next to exactly k: 1 + 5 = 6 would pin both even with 5 hidden.
        let row = suppress_row(&[1, 5], k5());
        assert_eq!(
            row.cells,
            vec![Cell::BelowThreshold { k: 5 }, Cell::Withheld]
        );
        assert_eq!(row.total, Cell::Withheld);
    }

    #[test]
    fn a_small_total_is_banded_and_needs_no_complement() {
        let row = suppress_row(&[3, 0], k5());
        assert_eq!(
            row.cells,
            vec![Cell::BelowThreshold { k: 5 }, Cell::Shown(0)]
        );
        assert_eq!(row.total, Cell::BelowThreshold { k: 5 });
        let empty = suppress_row(&[], k5());
        assert!(empty.cells.is_empty());
        assert_eq!(empty.total, Cell::Shown(0));
    }

    #[test]
    fn ties_hide_the_leftmost_of_the_smallest_large_cells() {
        let row = suppress_row(&[9, 1, 9], k5());
        assert_eq!(row.cells[0], Cell::Withheld);
        assert_eq!(row.cells[2], Cell::Shown(9));
    }

    #[test]
    fn rates_are_withheld_for_small_denominators_numerators_and_complements() {
        let f = |n, d| suppress_fraction(Fraction::new(n, d), k5());
        assert_eq!(f(0, 0), ShownFraction::NoData);
        assert_eq!(f(4, 4), ShownFraction::Suppressed { k: 5 });
        assert_eq!(f(0, 4), ShownFraction::Suppressed { k: 5 });
        assert_eq!(f(5, 5), ShownFraction::Shown(Fraction::new(5, 5)));
        assert_eq!(f(0, 5), ShownFraction::Shown(Fraction::new(0, 5)));
        assert_eq!(f(2, 100), ShownFraction::Suppressed { k: 5 });
        // 97 of 100 on time tells that 3 were late.
        assert_eq!(f(97, 100), ShownFraction::Suppressed { k: 5 });
        assert_eq!(f(95, 100), ShownFraction::Shown(Fraction::new(95, 100)));
        // A ratio (views of interpretations per view of the documents) by its denominator.
        assert_eq!(f(12, 5), ShownFraction::Shown(Fraction::new(12, 5)));
        assert_eq!(f(12, 4), ShownFraction::Suppressed { k: 5 });
        assert_eq!(f(97, 100).status_code(), "suppressed");
    }

    #[test]
    fn durations_need_k_people() {
        let four = DurationSummary::of(&[1, 2, 3, 4]);
        assert_eq!(suppress_durations(four, k5()), None);
        let five = DurationSummary::of(&[1, 2, 3, 4, 5]);
        assert_eq!(suppress_durations(five, k5()), Some(five));
    }

    /// Every value each hidden cell can take, by enumerating all fillings of the hidden
    /// cells consistent with the published row (bands 1..k−1, withheld ≥ k, the shown total):
    /// an independent check of `hidden_cell_bounds`, feasible for small rows.
    fn brute_force_values(row: &SuppressedRow, k: u64, true_total: u64) -> Vec<(usize, Vec<u64>)> {
        let hidden: Vec<(usize, u64, u64)> = row
            .cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c {
                Cell::Shown(_) => None,
                Cell::BelowThreshold { .. } => Some((i, 1, k - 1)),
                // Without a shown total nothing bounds it; the true total is a safe stand-in
                // for "large", because no other constraint ties it then.
                Cell::Withheld => Some((i, k, true_total.max(k) + k)),
            })
            .collect();
        let target = match row.total {
            Cell::Shown(total) => {
                Some(total - row.cells.iter().filter_map(|c| c.shown()).sum::<u64>())
            }
            _ => None,
        };
        let mut seen: Vec<Vec<u64>> = vec![Vec::new(); hidden.len()];
        fn fill(
            hidden: &[(usize, u64, u64)],
            at: usize,
            sum: u64,
            target: Option<u64>,
            chosen: &mut Vec<u64>,
            seen: &mut Vec<Vec<u64>>,
        ) {
            if at == hidden.len() {
                if target.is_none_or(|t| t == sum) {
                    for (slot, value) in chosen.iter().enumerate() {
                        if !seen[slot].contains(value) {
                            seen[slot].push(*value);
                        }
                    }
                }
                return;
            }
            let (_, low, high) = hidden[at];
            for value in low..=high {
                if target.is_some_and(|t| sum + value > t) {
                    break;
                }
                chosen.push(value);
                fill(hidden, at + 1, sum + value, target, chosen, seen);
                chosen.pop();
            }
        }
        fill(&hidden, 0, 0, target, &mut Vec::new(), &mut seen);
        hidden.iter().map(|h| h.0).zip(seen).collect()
    }

    proptest! {
        #[test]
        fn no_hidden_cell_can_be_recovered_from_the_row(
            cells in proptest::collection::vec(0u64..14, 0..5),
            k in 3u64..8,
        ) {
            let threshold = SmallCellThreshold::new(k);
            let row = suppress_row(&cells, threshold);
            prop_assert_eq!(row.cells.len(), cells.len());
            // Every small cell is hidden, every shown cell is the true one.
            for (cell, &value) in row.cells.iter().zip(&cells) {
                if threshold.is_small(value) {
                    prop_assert!(cell.is_suppressed());
                }
                if let Cell::Shown(shown) = cell {
                    prop_assert_eq!(*shown, value);
                }
            }
            let total: u64 = cells.iter().sum();
            if let Cell::Shown(shown) = row.total {
                prop_assert_eq!(shown, total);
                // Subtraction: never exactly one hidden cell under a shown total.
                let n_hidden = row.cells.iter().filter(|c| c.is_suppressed()).count();
                prop_assert!(n_hidden != 1, "{:?} → {:?}", cells, row);
            }
            // Bounds: the true value is always feasible, and never the only feasible one.
            for bounds in hidden_cell_bounds(&row, threshold) {
                let value = cells[bounds.index];
                prop_assert!(bounds.lowest <= value && value <= bounds.highest);
                prop_assert!(bounds.lowest < bounds.highest, "{:?} pinned: {:?} {:?}", cells, row, bounds);
            }
            // And by brute force, independently of the bounds arithmetic.
            for (index, values) in brute_force_values(&row, k, total) {
                prop_assert!(values.contains(&cells[index]));
                prop_assert!(values.len() >= 2, "cell {} of {:?} pinned: {:?}", index, cells, row);
            }
            // The total, when hidden, cannot be rebuilt from the cells either.
            if row.total.is_suppressed() && total > 0 {
                prop_assert!(row.cells.iter().any(|c| c.is_suppressed()));
            }
        }

        #[test]
        fn shown_rates_never_reveal_a_small_count(
            numerator in 0u64..60,
            extra in 0u64..60,
            k in 3u64..8,
        ) {
            let threshold = SmallCellThreshold::new(k);
            let fraction = Fraction::new(numerator, numerator + extra);
            if let ShownFraction::Shown(shown) = suppress_fraction(fraction, threshold) {
                prop_assert!(!threshold.is_small(shown.numerator));
                prop_assert!(!threshold.is_small(shown.denominator - shown.numerator));
                prop_assert!(shown.denominator >= k);
            }
        }

        #[test]
        fn percentiles_split_the_values(values in proptest::collection::vec(0u32..100, 1..50),
                                        percent in 0u8..=100) {
            let value = nearest_rank_percentile(&values, percent);
            prop_assert!(value.is_some());
            let value = value.unwrap_or_default();
            let n = values.len() as u64;
            let at_or_below = values.iter().filter(|v| **v <= value).count() as u64;
            let below = values.iter().filter(|v| **v < value).count() as u64;
            // At least percent % are ≤ the value, and fewer than percent % are below it.
            prop_assert!(at_or_below * 100 >= u64::from(percent) * n);
            prop_assert!(below * 100 < u64::from(percent.max(1)) * n);
        }
    }
}
