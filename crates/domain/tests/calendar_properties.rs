//! Property tests of working-day arithmetic over the whole shipped range and a few years beyond
//! it: the laws that make deadlines composable (a result is a working day, adding is monotone and
//! associative, counting back gives the same number) and the absence of panics.

use std::sync::LazyLock;

use gongkai_domain::calendar::{
    CountingRule, WorkingDayCalendar, format_iso_date, parse_add_working_days_line, parse_iso_date,
};
use proptest::prelude::*;
use time::{Date, Duration, Month};

static CALENDAR: LazyLock<WorkingDayCalendar> = LazyLock::new(WorkingDayCalendar::builtin);

const NOT_COUNTED: CountingRule = CountingRule::START_DAY_NOT_COUNTED;

fn first_day() -> Date {
    Date::from_calendar_date(2007, Month::January, 1).expect("valid")
}

/// Any date from 2007-01-01 to 2030-12-31, so that loaded, empty and absent years all appear.
fn any_date() -> impl Strategy<Value = Date> {
    let last_day = Date::from_calendar_date(2030, Month::December, 31).expect("valid");
    let n_days = (last_day - first_day()).whole_days();
    (0..=n_days).prop_map(|offset| first_day() + Duration::days(offset))
}

/// Dates whose periods of up to a year stay inside the loaded years 2007–2025.
fn loaded_date() -> impl Strategy<Value = Date> {
    let last_day = Date::from_calendar_date(2025, Month::June, 30).expect("valid");
    let n_days = (last_day - first_day()).whole_days();
    (0..=n_days).prop_map(|offset| first_day() + Duration::days(offset))
}

proptest! {
    #[test]
    fn result_is_a_working_day(start in any_date(), working_days in 1u32..400) {
        let due = CALENDAR.add_working_days(start, working_days, NOT_COUNTED);
        prop_assert!(CALENDAR.is_working_day(due.date));
        prop_assert!(due.date > start);
    }

    #[test]
    fn zero_working_days_returns_the_start(start in any_date(), count_start_day in any::<bool>()) {
        let counting = CountingRule { count_start_day };
        prop_assert_eq!(CALENDAR.add_working_days(start, 0, counting).date, start);
    }

    #[test]
    fn monotone_in_working_days(start in any_date(), smaller in 0u32..300, extra in 1u32..100) {
        let earlier = CALENDAR.add_working_days(start, smaller, NOT_COUNTED);
        let later = CALENDAR.add_working_days(start, smaller + extra, NOT_COUNTED);
        prop_assert!(earlier.date < later.date);
    }

    #[test]
    fn adding_composes(start in any_date(), first in 0u32..300, second in 0u32..300) {
        let at_once = CALENDAR.add_working_days(start, first + second, NOT_COUNTED);
        let halfway = CALENDAR.add_working_days(start, first, NOT_COUNTED);
        let in_two_steps = CALENDAR.add_working_days(halfway.date, second, NOT_COUNTED);
        prop_assert_eq!(at_once.date, in_two_steps.date);
    }

    #[test]
    fn counting_back_gives_the_same_number(start in any_date(), working_days in 0u32..400) {
        let due = CALENDAR.add_working_days(start, working_days, NOT_COUNTED);
        prop_assert_eq!(CALENDAR.working_days_between(start, due.date), working_days);
    }

    #[test]
    fn counting_the_start_day_is_starting_a_day_earlier(start in any_date(), working_days in 1u32..300) {
        let counted = CALENDAR.add_working_days(start, working_days, CountingRule::START_DAY_COUNTED);
        let day_before = start.previous_day().expect("not the first date");
        let from_day_before = CALENDAR.add_working_days(day_before, working_days, NOT_COUNTED);
        prop_assert_eq!(counted.date, from_day_before.date);
    }

    #[test]
    fn loaded_years_are_not_provisional(start in loaded_date(), working_days in 0u32..200) {
        let due = CALENDAR.add_working_days(start, working_days, NOT_COUNTED);
        prop_assert!(!due.provisional);
    }

    #[test]
    fn years_after_2026_are_provisional(start in any_date(), working_days in 0u32..200) {
        let due = CALENDAR.add_working_days(start, working_days, NOT_COUNTED);
        if due.date.year() >= 2027 {
            prop_assert!(due.provisional);
        }
    }

    #[test]
    fn no_panic_anywhere(start in any_date(), other in any_date(), working_days in 0u32..3_000, count_start_day in any::<bool>()) {
        let counting = CountingRule { count_start_day };
        let _ = CALENDAR.add_working_days(start, working_days, counting);
        let _ = CALENDAR.working_days_between(start, other);
        let _ = CALENDAR.is_working_day(start);
        let _ = CALENDAR.first_unknown_year_between(start, other);
    }

    #[test]
    fn iso_dates_round_trip(day in any_date()) {
        prop_assert_eq!(parse_iso_date(&format_iso_date(day)), Ok(day));
    }

    #[test]
    fn lines_round_trip(day in any_date(), working_days in 0u32..=2_500) {
        let line = format!("{} {working_days}", format_iso_date(day));
        prop_assert_eq!(parse_add_working_days_line(&line), Ok((day, working_days)));
    }

    #[test]
    fn parsers_never_panic(text in "\\PC{0,24}") {
        let _ = parse_iso_date(&text);
        let _ = parse_add_working_days_line(&text);
    }
}
