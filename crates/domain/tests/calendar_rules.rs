//! Data-driven tests of the working-day calendar: the deadline vectors of ogi-rules §3.4, the 2025
//! and 2026 arrangements of §3.2 and §3.3 day by day, the shipped data, and every way an imported
//! arrangement or a `DATE N` line can be wrong. Tables keep each rule next to its expected answer.

use gongkai_domain::calendar::{
    ArrangementProblem, CalendarError, CountingRule, DaySpan, DeclaredDay, DueDate,
    LINE_WORKING_DAYS_MAX, WorkingDayCalendar, YearArrangement, format_iso_date,
    parse_add_working_days_line, parse_iso_date,
};
use time::{Date, Month, Weekday};

fn date(text: &str) -> Date {
    parse_iso_date(text).expect("test dates are valid")
}

fn not_counted() -> CountingRule {
    CountingRule::START_DAY_NOT_COUNTED
}

/// ogi-rules §3.4: received, working days, due, and the naive Monday-to-Friday answer if given.
const SECTION_3_4_VECTORS: [(&str, u32, &str, Option<&str>); 6] = [
    ("2025-09-26", 20, "2025-10-30", Some("2025-10-24")),
    ("2025-09-26", 40, "2025-11-27", None),
    ("2026-02-10", 7, "2026-02-26", None),
    ("2026-02-10", 20, "2026-03-16", Some("2026-03-10")),
    ("2025-12-31", 20, "2026-01-29", None),
    ("2026-09-18", 15, "2026-10-15", None),
];

#[test]
fn section_3_4_deadline_vectors() {
    let calendar = WorkingDayCalendar::builtin();
    for (received, working_days, expected_due, _) in SECTION_3_4_VECTORS {
        let due = calendar.add_working_days(date(received), working_days, not_counted());
        let expected = DueDate {
            date: date(expected_due),
            provisional: false,
        };
        assert_eq!(due, expected, "{received} + {working_days} working days");
        let counted_back = calendar.working_days_between(date(received), due.date);
        assert_eq!(counted_back, working_days, "{received} .. {expected_due}");
    }
}

/// A calendar whose loaded years declare nothing that matters, so only weekends are off: the
/// naive answer that the vectors of §3.4 exist to catch.
fn weekends_only_calendar(years: &[i32]) -> WorkingDayCalendar {
    let arrangements = years.iter().map(|&year| {
        let first_saturday = (1..=7)
            .map(|day| Date::from_calendar_date(year, Month::January, day).expect("valid day"))
            .find(|day| day.weekday() == Weekday::Saturday)
            .expect("a week has a Saturday");
        let placeholder = DeclaredDay {
            date: first_saturday,
            name: "占位".to_owned(),
            is_off_day: true,
        };
        YearArrangement::new(year, vec![], vec![placeholder]).expect("valid arrangement")
    });
    WorkingDayCalendar::new(arrangements).expect("distinct years")
}

#[test]
fn section_3_4_naive_answers_differ() {
    let naive = weekends_only_calendar(&[2025, 2026]);
    for (received, working_days, expected_due, naive_due) in SECTION_3_4_VECTORS {
        let Some(naive_due) = naive_due else { continue };
        let due = naive.add_working_days(date(received), working_days, not_counted());
        assert_eq!(
            due.date,
            date(naive_due),
            "{received} + {working_days} on weekdays only"
        );
        assert_ne!(naive_due, expected_due);
    }
}

/// One holiday of a State Council notice: name, first and last day off, make-up working days.
type HolidayRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// ogi-rules §3.2, the 2025 arrangement.
const ARRANGEMENT_2025: [HolidayRow; 6] = [
    ("元旦", "2025-01-01", "2025-01-01", &[]),
    (
        "春节",
        "2025-01-28",
        "2025-02-04",
        &["2025-01-26", "2025-02-08"],
    ),
    ("清明节", "2025-04-04", "2025-04-06", &[]),
    ("劳动节", "2025-05-01", "2025-05-05", &["2025-04-27"]),
    ("端午节", "2025-05-31", "2025-06-02", &[]),
    (
        "国庆节、中秋节",
        "2025-10-01",
        "2025-10-08",
        &["2025-09-28", "2025-10-11"],
    ),
];

/// ogi-rules §3.3, the 2026 arrangement.
const ARRANGEMENT_2026: [HolidayRow; 7] = [
    ("元旦", "2026-01-01", "2026-01-03", &["2026-01-04"]),
    (
        "春节",
        "2026-02-15",
        "2026-02-23",
        &["2026-02-14", "2026-02-28"],
    ),
    ("清明节", "2026-04-04", "2026-04-06", &[]),
    ("劳动节", "2026-05-01", "2026-05-05", &["2026-05-09"]),
    ("端午节", "2026-06-19", "2026-06-21", &[]),
    ("中秋节", "2026-09-25", "2026-09-27", &[]),
    (
        "国庆节",
        "2026-10-01",
        "2026-10-07",
        &["2026-09-20", "2026-10-10"],
    ),
];

fn expected_working_day(rows: &[HolidayRow], day: Date) -> bool {
    let is_off = rows
        .iter()
        .any(|(_, first, last, _)| date(first) <= day && day <= date(last));
    let is_make_up = rows
        .iter()
        .any(|(_, _, _, make_up)| make_up.iter().any(|text| date(text) == day));
    let is_weekday = !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
    is_make_up || (is_weekday && !is_off)
}

fn check_whole_year(year: i32, rows: &[HolidayRow]) {
    let calendar = WorkingDayCalendar::builtin();
    let mut day = Date::from_calendar_date(year, Month::January, 1).expect("valid");
    while day.year() == year {
        let expected = expected_working_day(rows, day);
        assert_eq!(
            calendar.is_working_day(day),
            expected,
            "{}",
            format_iso_date(day)
        );
        day = day.next_day().expect("not the last date");
    }
    for (name, first, last, make_up) in rows {
        let first_day = calendar.declared_day(date(first)).expect("declared");
        assert!(
            first_day.name.contains(name) || name.contains(first_day.name.as_str()),
            "{name}"
        );
        let n_off_days = (date(last) - date(first)).whole_days() + 1;
        let n_declared_off = calendar
            .declared_days_in(DaySpan {
                after: date(first) - time::Duration::DAY,
                through: date(last),
            })
            .filter(|day| day.is_off_day)
            .count();
        assert_eq!(
            i64::try_from(n_declared_off).expect("small"),
            n_off_days,
            "{name}"
        );
        for text in *make_up {
            let declared = calendar
                .declared_day(date(text))
                .expect("make-up day declared");
            assert!(!declared.is_off_day, "{text} is a make-up working day");
        }
    }
}

#[test]
fn arrangement_2025_day_by_day() {
    check_whole_year(2025, &ARRANGEMENT_2025);
}

#[test]
fn arrangement_2026_day_by_day() {
    check_whole_year(2026, &ARRANGEMENT_2026);
}

#[test]
fn builtin_calendar_ships_2007_to_2027() {
    let calendar = WorkingDayCalendar::builtin();
    let years: Vec<i32> = calendar.arrangements().map(YearArrangement::year).collect();
    assert_eq!(years, (2007..=2027).collect::<Vec<_>>());
    assert_eq!(calendar.last_loaded_year(), Some(2026));
    assert!((2007..=2026).all(|year| calendar.is_year_loaded(year)));
    assert!(!calendar.is_year_loaded(2027));
    assert!(!calendar.is_year_loaded(2006));
    let source_2026 = calendar
        .arrangement(2026)
        .expect("2026")
        .source_urls()
        .to_vec();
    assert_eq!(
        source_2026,
        vec!["https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm".to_owned()]
    );
    assert!(
        calendar
            .arrangement(2027)
            .expect("2027 ships empty")
            .days()
            .is_empty()
    );
}

/// Late-December days that a following year's notice declares (the 元旦 bridge).
#[test]
fn next_year_notice_governs_late_december() {
    let calendar = WorkingDayCalendar::builtin();
    let table = [
        ("2006-12-30", true, "2007 notice: Saturday worked"),
        ("2007-12-29", true, "2008 notice: Saturday worked"),
        ("2007-12-31", false, "2008 notice: Monday off"),
        ("2018-12-29", true, "2019 notice: Saturday worked"),
        ("2018-12-31", false, "2019 notice: Monday off"),
        ("2022-12-31", false, "2023 notice: Saturday off"),
        (
            "2020-02-03",
            true,
            "2020 extension notice: work resumes on Monday",
        ),
    ];
    for (text, expected, why) in table {
        assert_eq!(
            calendar.is_working_day(date(text)),
            expected,
            "{text}: {why}"
        );
    }
}

#[test]
fn provisional_due_dates() {
    let calendar = WorkingDayCalendar::builtin();
    let table = [
        // (start, working days, due, provisional, why)
        (
            "2026-11-01",
            20,
            "2026-11-27",
            false,
            "all of it in 2026, before late December",
        ),
        (
            "2026-12-01",
            20,
            "2026-12-29",
            true,
            "the 2027 notice may still declare late-December 2026 days",
        ),
        (
            "2026-12-20",
            10,
            "2027-01-04",
            true,
            "2027 is empty; 2027-01-01 is off by the fixed-date fallback",
        ),
        (
            "2027-03-01",
            0,
            "2027-03-01",
            true,
            "zero days, but the start lies in an unloaded year",
        ),
        (
            "2025-12-19",
            5,
            "2025-12-26",
            false,
            "2026 is loaded, so late December 2025 is known",
        ),
    ];
    for (start, working_days, due, provisional, why) in table {
        let expected = DueDate {
            date: date(due),
            provisional,
        };
        assert_eq!(
            calendar.add_working_days(date(start), working_days, not_counted()),
            expected,
            "{why}"
        );
    }
    assert_eq!(
        calendar.first_unknown_year_between(date("2026-12-01"), date("2026-12-29")),
        Some(2027)
    );
    assert_eq!(
        calendar.first_unknown_year_between(date("2005-06-01"), date("2008-01-01")),
        Some(2005)
    );
    assert_eq!(
        calendar.first_unknown_year_between(date("2026-01-01"), date("2026-12-19")),
        None
    );
}

#[test]
fn importing_next_year_settles_provisional_dates() {
    let text_2027 = r#"{"year": 2027, "papers": ["https://www.gov.cn/example"], "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
        {"name": "元旦", "date": "2027-01-02", "isOffDay": true},
        {"name": "元旦", "date": "2027-01-03", "isOffDay": true}]}"#;
    let arrangement = YearArrangement::parse_json(text_2027).expect("valid 2027");
    let calendar = WorkingDayCalendar::builtin().with_year(arrangement);
    assert_eq!(calendar.last_loaded_year(), Some(2027));
    let due = calendar.add_working_days(date("2026-12-01"), 20, not_counted());
    assert_eq!(
        due,
        DueDate {
            date: date("2026-12-29"),
            provisional: false
        }
    );
}

#[test]
fn with_year_replaces_a_year() {
    let corrected = YearArrangement::new(
        2026,
        vec!["https://www.gov.cn/corrected".to_owned()],
        vec![DeclaredDay {
            date: date("2026-03-02"),
            name: "更正".to_owned(),
            is_off_day: true,
        }],
    )
    .expect("valid");
    let calendar = WorkingDayCalendar::builtin().with_year(corrected);
    assert!(!calendar.is_working_day(date("2026-03-02")));
    assert!(
        calendar.is_working_day(date("2026-02-16")),
        "the old 2026 days are gone"
    );
}

#[test]
fn counting_rule_and_zero_days() {
    let calendar = WorkingDayCalendar::builtin();
    let counted = CountingRule::START_DAY_COUNTED;
    let table = [
        // (start, working days, counting, due, why)
        (
            "2026-02-10",
            20,
            counted,
            "2026-03-13",
            "a working start day is day 1",
        ),
        (
            "2026-02-16",
            1,
            counted,
            "2026-02-24",
            "a start day off is not counted",
        ),
        (
            "2026-02-16",
            0,
            not_counted(),
            "2026-02-16",
            "zero days returns the start, even a day off",
        ),
        (
            "2026-02-16",
            0,
            counted,
            "2026-02-16",
            "zero days returns the start under either rule",
        ),
        (
            "2026-02-13",
            1,
            not_counted(),
            "2026-02-14",
            "a Saturday make-up day counts",
        ),
        (
            "2026-01-03",
            1,
            not_counted(),
            "2026-01-04",
            "a Sunday make-up day counts",
        ),
    ];
    for (start, working_days, counting, due, why) in table {
        let result = calendar.add_working_days(date(start), working_days, counting);
        assert_eq!(result.date, date(due), "{why}");
    }
    assert_eq!(CountingRule::default(), CountingRule::START_DAY_NOT_COUNTED);
}

#[test]
fn working_days_between_examples() {
    let calendar = WorkingDayCalendar::builtin();
    let table = [
        ("2026-02-10", "2026-03-16", 20),
        ("2026-03-16", "2026-02-10", 0),
        ("2026-02-10", "2026-02-10", 0),
        ("2026-02-13", "2026-02-24", 2),
        ("2025-01-01", "2025-12-31", 248),
        ("2026-01-01", "2026-12-31", 248),
    ];
    for (after, through, expected) in table {
        assert_eq!(
            calendar.working_days_between(date(after), date(through)),
            expected,
            "({after}, {through}]"
        );
    }
}

#[test]
fn exclusion_spans_skip_paused_days() {
    let calendar = WorkingDayCalendar::builtin();
    let pause = DaySpan {
        after: date("2026-02-20"),
        through: date("2026-03-05"),
    };
    let due = calendar.add_working_days_excluding(date("2026-02-10"), 20, not_counted(), &[pause]);
    assert_eq!(due.date, date("2026-03-27"));
    assert!(pause.contains(date("2026-03-05")) && !pause.contains(date("2026-02-20")));
}

#[test]
fn saturates_at_the_last_date_instead_of_panicking() {
    let calendar = WorkingDayCalendar::builtin();
    let due = calendar.add_working_days(Date::MAX - time::Duration::days(3), 10, not_counted());
    assert_eq!(
        due,
        DueDate {
            date: Date::MAX,
            provisional: true
        }
    );
    assert_eq!(calendar.working_days_between(Date::MAX, Date::MAX), 0);
}

fn arrangement_json(year: &str, days: &str) -> String {
    format!(r#"{{"year": {year}, "papers": ["https://www.gov.cn/n"], "days": [{days}]}}"#)
}

fn day_json(name: &str, date: &str, is_off_day: bool) -> String {
    format!(r#"{{"name": "{name}", "date": "{date}", "isOffDay": {is_off_day}}}"#)
}

fn problems_of(result: Result<YearArrangement, CalendarError>) -> Vec<ArrangementProblem> {
    match result {
        Err(CalendarError::InvalidArrangement { problems, .. }) => problems,
        other => panic!("expected InvalidArrangement, got {other:?}"),
    }
}

#[test]
fn parse_json_reports_each_problem() {
    let table: Vec<(&str, String, ArrangementProblem)> = vec![
        (
            "month 13",
            arrangement_json("2026", &day_json("春节", "2026-13-01", true)),
            ArrangementProblem::InvalidDate {
                index: 0,
                text: "2026-13-01".to_owned(),
            },
        ),
        (
            "not zero-padded",
            arrangement_json("2026", &day_json("春节", "2026-2-1", true)),
            ArrangementProblem::InvalidDate {
                index: 0,
                text: "2026-2-1".to_owned(),
            },
        ),
        (
            "wrong year",
            arrangement_json("2026", &day_json("春节", "2025-06-01", true)),
            ArrangementProblem::DateOutsideYear {
                date: date("2025-06-01"),
                year: 2026,
            },
        ),
        (
            "early December of the year before",
            arrangement_json("2026", &day_json("元旦", "2025-12-19", true)),
            ArrangementProblem::DateOutsideYear {
                date: date("2025-12-19"),
                year: 2026,
            },
        ),
        (
            "next year",
            arrangement_json("2026", &day_json("元旦", "2027-01-01", true)),
            ArrangementProblem::DateOutsideYear {
                date: date("2027-01-01"),
                year: 2026,
            },
        ),
        (
            "duplicate date",
            arrangement_json(
                "2026",
                &[
                    day_json("春节", "2026-02-16", true),
                    day_json("春节", "2026-02-16", true),
                ]
                .join(","),
            ),
            ArrangementProblem::DuplicateDate {
                date: date("2026-02-16"),
            },
        ),
        (
            "make-up working day on a Friday",
            arrangement_json("2026", &day_json("春节", "2026-02-27", false)),
            ArrangementProblem::WorkingDayNotOnWeekend {
                date: date("2026-02-27"),
                weekday: Weekday::Friday,
            },
        ),
        (
            "blank name",
            arrangement_json("2026", &day_json(" ", "2026-02-16", true)),
            ArrangementProblem::EmptyName {
                date: date("2026-02-16"),
            },
        ),
        (
            "name too long",
            arrangement_json("2026", &day_json(&"节".repeat(33), "2026-02-16", true)),
            ArrangementProblem::NameTooLong {
                date: date("2026-02-16"),
                chars: 33,
                max_chars: 32,
            },
        ),
        (
            "source not a URL",
            r#"{"year": 2026, "papers": ["gov.cn"], "days": []}"#.to_owned(),
            ArrangementProblem::SourceUrlNotHttp {
                url: "gov.cn".to_owned(),
            },
        ),
    ];
    for (why, text, expected) in table {
        assert_eq!(
            problems_of(YearArrangement::parse_json(&text)),
            vec![expected],
            "{why}"
        );
    }
}

#[test]
fn parse_json_reports_all_problems_at_once() {
    let days = [
        day_json("春节", "2026-02-16", true),
        day_json("春节", "2026-02-16", true),
        day_json("春节", "2026-02-27", false),
        day_json("春节", "bad", true),
    ]
    .join(",");
    let problems = problems_of(YearArrangement::parse_json(&arrangement_json(
        "2026", &days,
    )));
    assert_eq!(problems.len(), 3, "{problems:?}");
    let message = CalendarError::InvalidArrangement {
        year: 2026,
        problems,
    }
    .to_string();
    assert!(
        message.contains("2026-02-16 is declared twice"),
        "{message}"
    );
    assert!(message.contains("2026-02-27 is a Friday"), "{message}");
    assert!(message.contains("`bad` is not an ISO date"), "{message}");
}

/// A predicate on the error a malformed input must produce.
type ErrorCheck = fn(&CalendarError) -> bool;

#[test]
fn parse_json_rejects_bad_shapes() {
    let too_many_days: Vec<String> = (0..101)
        .map(|offset| {
            let day = date("2026-01-01") + time::Duration::days(offset);
            day_json("假", &format_iso_date(day), true)
        })
        .collect();
    let oversized = " ".repeat(64 * 1024 + 1);
    let table: Vec<(&str, String, ErrorCheck)> = vec![
        ("not JSON", "{year: 2026".to_owned(), |error| {
            matches!(error, CalendarError::Json { .. })
        }),
        (
            "missing days",
            r#"{"year": 2026, "papers": []}"#.to_owned(),
            |error| matches!(error, CalendarError::Json { message, .. } if message.contains("missing field `days`")),
        ),
        ("year as text", arrangement_json(r#""2026""#, ""), |error| {
            matches!(error, CalendarError::Json { .. })
        }),
        (
            "isOffDay as text",
            arrangement_json(
                "2026",
                r#"{"name": "春节", "date": "2026-02-16", "isOffDay": "yes"}"#,
            ),
            |error| matches!(error, CalendarError::Json { line: 1, .. }),
        ),
        ("year 1999", arrangement_json("1999", ""), |error| {
            *error == CalendarError::YearOutOfRange { year: 1999 }
        }),
        ("year 20266", arrangement_json("20266", ""), |error| {
            *error == CalendarError::YearOutOfRange { year: 20266 }
        }),
        ("too large", oversized, |error| {
            matches!(
                error,
                CalendarError::InputTooLarge {
                    max_bytes: 65536,
                    ..
                }
            )
        }),
        (
            "too many days",
            arrangement_json("2026", &too_many_days.join(",")),
            |error| {
                matches!(error, CalendarError::InvalidArrangement { problems, .. }
                if problems.contains(&ArrangementProblem::TooManyDays { n_days: 101, max_days: 100 }))
            },
        ),
    ];
    for (why, text, is_expected) in table {
        let error = YearArrangement::parse_json(&text).expect_err(why);
        assert!(is_expected(&error), "{why}: {error:?}");
    }
}

#[test]
fn empty_arrangement_is_valid_but_unpublished() {
    let arrangement =
        YearArrangement::parse_json(r#"{"year": 2028, "papers": [], "days": []}"#).expect("valid");
    assert!(!arrangement.is_published());
    let calendar = WorkingDayCalendar::builtin().with_year(arrangement);
    assert_eq!(calendar.last_loaded_year(), Some(2026));
}

#[test]
fn shipped_2020_file_needs_the_redundant_weekday_allowance() {
    let text = include_str!("../data/holidays/2020.json");
    let problems = problems_of(YearArrangement::parse_json(text));
    let expected = ArrangementProblem::WorkingDayNotOnWeekend {
        date: date("2020-02-03"),
        weekday: Weekday::Monday,
    };
    assert_eq!(problems, vec![expected]);
}

#[test]
fn shipped_files_other_than_2020_import_strictly() {
    let calendar = WorkingDayCalendar::builtin();
    for arrangement in calendar
        .arrangements()
        .filter(|arrangement| arrangement.year() != 2020)
    {
        let rebuilt = YearArrangement::new(
            arrangement.year(),
            arrangement.source_urls().to_vec(),
            arrangement.days().to_vec(),
        );
        assert_eq!(rebuilt.as_ref(), Ok(arrangement), "{}", arrangement.year());
    }
}

#[test]
fn calendar_refuses_a_year_given_twice() {
    let empty = || YearArrangement::new(2030, vec![], vec![]).expect("valid");
    assert_eq!(
        WorkingDayCalendar::new([empty(), empty()]),
        Err(CalendarError::DuplicateYear { year: 2030 })
    );
}

#[test]
fn unloaded_years_fall_back_to_fixed_date_holidays() {
    let calendar = WorkingDayCalendar::builtin();
    let table = [
        ("2027-01-01", false, "元旦, Friday"),
        (
            "2027-05-03",
            true,
            "Monday after 劳动节 (only 1 and 2 May are fixed)",
        ),
        ("2028-10-02", false, "国庆节, Monday"),
        ("2028-10-04", true, "Wednesday, not a fixed-date holiday"),
        ("2026-10-08", true, "a loaded year ignores the fallback"),
    ];
    for (text, expected, why) in table {
        assert_eq!(
            calendar.is_working_day(date(text)),
            expected,
            "{text}: {why}"
        );
    }
}

type LineResult = Result<(Date, u32), CalendarError>;

#[test]
fn add_working_days_line_parser() {
    let table: [(&str, LineResult); 11] = [
        ("2026-02-10 20", Ok((date("2026-02-10"), 20))),
        ("  2026-02-10\t7  ", Ok((date("2026-02-10"), 7))),
        ("2026-02-10 0", Ok((date("2026-02-10"), 0))),
        ("", Err(CalendarError::LineFieldCount { n_fields: 0 })),
        (
            "2026-02-10",
            Err(CalendarError::LineFieldCount { n_fields: 1 }),
        ),
        (
            "2026-02-10 20 x",
            Err(CalendarError::LineFieldCount { n_fields: 3 }),
        ),
        (
            "2026-2-10 20",
            Err(CalendarError::InvalidIsoDate {
                text: "2026-2-10".to_owned(),
            }),
        ),
        (
            "2026-02-30 5",
            Err(CalendarError::InvalidIsoDate {
                text: "2026-02-30".to_owned(),
            }),
        ),
        (
            "2026-02-10 -1",
            Err(CalendarError::InvalidWorkingDayCount {
                text: "-1".to_owned(),
            }),
        ),
        (
            "2026-02-10 +5",
            Err(CalendarError::InvalidWorkingDayCount {
                text: "+5".to_owned(),
            }),
        ),
        (
            "2026-02-10 99999999999",
            Err(CalendarError::WorkingDayCountTooLarge {
                text: "99999999999".to_owned(),
                max_working_days: LINE_WORKING_DAYS_MAX,
            }),
        ),
    ];
    for (line, expected) in table {
        assert_eq!(parse_add_working_days_line(line), expected, "`{line}`");
    }
    let over_limit = format!("2026-02-10 {}", LINE_WORKING_DAYS_MAX + 1);
    assert!(matches!(
        parse_add_working_days_line(&over_limit),
        Err(CalendarError::WorkingDayCountTooLarge { .. })
    ));
}

#[test]
fn iso_date_helpers() {
    let valid = [
        ("2026-02-10", (2026, Month::February, 10)),
        ("2024-02-29", (2024, Month::February, 29)),
    ];
    for (text, (year, month, day)) in valid {
        let expected = Date::from_calendar_date(year, month, day).expect("valid");
        assert_eq!(parse_iso_date(text), Ok(expected));
        assert_eq!(format_iso_date(expected), text);
    }
    let invalid = [
        "2025-02-29",
        "2026-02-10T00:00",
        "20260210",
        "2026/02/10",
        "２０２６-02-10",
        "2026-00-10",
        " 2026-02-10",
    ];
    for text in invalid {
        assert_eq!(
            parse_iso_date(text),
            Err(CalendarError::InvalidIsoDate {
                text: text.to_owned()
            }),
            "{text}"
        );
    }
    let provisional = DueDate {
        date: date("2027-01-04"),
        provisional: true,
    };
    assert_eq!(provisional.to_string(), "2027-01-04 (provisional)");
}
