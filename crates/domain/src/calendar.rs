//! The working-day calendar (工作日历) behind every time limit of the OGI regulation.
//!
//! The regulation counts its periods in 工作日 (Arts. 26, 30, 32, 33 and 34) but never defines the
//! word, so this module encodes the convention of ogi-rules §3.1: a working day is a Monday to
//! Friday that the State Council has not declared a day off, plus any Saturday or Sunday that it has
//! declared a make-up working day (调休上班). The days off come from 《全国年节及纪念日放假办法》
//! (amended 2024-11-10, in force 2025-01-01) as arranged each year by the General Office's notice
//! 《关于YYYY年部分节假日安排的通知》. The arrangements for 2007–2027 ship inside the binary, copied
//! unchanged from NateScarlet/holiday-cn (MIT licence), and administrators load later years in the
//! same JSON shape. The module is pure: it never reads a file, the clock or the environment, so the
//! same arrangements and the same dates always give the same answer.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Bound;

use serde::Deserialize;
use time::{Date, Month, Weekday};

/// The earliest arrangement year accepted; the regulation and the data both start long after it.
pub const ARRANGEMENT_YEAR_MIN: i32 = 2000;
/// The latest arrangement year accepted, so that a typo such as 20266 is caught at import.
pub const ARRANGEMENT_YEAR_MAX: i32 = 2100;
/// A year's JSON is about 5 KiB; anything far larger is not an arrangement.
pub const ARRANGEMENT_JSON_BYTES_MAX: usize = 64 * 1024;
/// The busiest shipped year declares 41 days; a year cannot sensibly declare more than this.
pub const DECLARED_DAYS_PER_YEAR_MAX: usize = 100;
/// The shipped years cite at most two notices each.
pub const SOURCE_URLS_PER_YEAR_MAX: usize = 10;
/// Holiday names are short (「国庆节、中秋节」 is the longest shipped one).
pub const DAY_NAME_CHARS_MAX: usize = 32;
/// A `DATE N` line asks about at most this many working days, about ten years.
pub const LINE_WORKING_DAYS_MAX: u32 = 2_500;

/// The next year's notice may declare days from this day of December on.
///
/// The 元旦 break of year Y sometimes starts in December of Y-1 and its make-up Saturday or
/// Sunday can fall there too: the shipped data has 2006-12-30, 2007-12-29, 2011-12-31,
/// 2018-12-29 and 2022-12-31. The 20th leaves a week of margin before the earliest of them.
const NEXT_YEAR_NOTICE_FIRST_DECEMBER_DAY: u8 = 20;

/// The fixed-date holidays of 《全国年节及纪念日放假办法》 Art. 2 (as amended 2024-11-10).
///
/// They are used only for a year whose arrangement is not loaded, so that a provisional deadline
/// is already close to the real one; the lunar holidays cannot be placed without the notice.
const FALLBACK_FIXED_DATE_HOLIDAYS: [(Month, u8); 6] = [
    (Month::January, 1),
    (Month::May, 1),
    (Month::May, 2),
    (Month::October, 1),
    (Month::October, 2),
    (Month::October, 3),
];

/// The shipped arrangements, one file per year, embedded so that the domain never touches disk.
const BUILTIN_ARRANGEMENTS_JSON: [&str; 21] = [
    include_str!("../data/holidays/2007.json"),
    include_str!("../data/holidays/2008.json"),
    include_str!("../data/holidays/2009.json"),
    include_str!("../data/holidays/2010.json"),
    include_str!("../data/holidays/2011.json"),
    include_str!("../data/holidays/2012.json"),
    include_str!("../data/holidays/2013.json"),
    include_str!("../data/holidays/2014.json"),
    include_str!("../data/holidays/2015.json"),
    include_str!("../data/holidays/2016.json"),
    include_str!("../data/holidays/2017.json"),
    include_str!("../data/holidays/2018.json"),
    include_str!("../data/holidays/2019.json"),
    include_str!("../data/holidays/2020.json"),
    include_str!("../data/holidays/2021.json"),
    include_str!("../data/holidays/2022.json"),
    include_str!("../data/holidays/2023.json"),
    include_str!("../data/holidays/2024.json"),
    include_str!("../data/holidays/2025.json"),
    include_str!("../data/holidays/2026.json"),
    include_str!("../data/holidays/2027.json"),
];

/// Whether the day a period starts from is itself counted.
///
/// The default does not count it: 民法典 Art. 201 says 「开始的当日不计入，自下一日开始计算」,
/// and no national OGI rule says otherwise (ogi-rules §3.1). Some local rules may differ, so the
/// choice is a value a tenant can change rather than a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CountingRule {
    pub count_start_day: bool,
}

impl CountingRule {
    /// The Civil Code convention: the day of receipt is not counted.
    pub const START_DAY_NOT_COUNTED: CountingRule = CountingRule {
        count_start_day: false,
    };
    /// The start day counts as the first working day when it is one.
    pub const START_DAY_COUNTED: CountingRule = CountingRule {
        count_start_day: true,
    };
}

/// The last day of a period, and whether it may still move.
///
/// A due date is provisional when a day between the start and the due date lies in a year whose
/// arrangement is not loaded yet (pitfall (a) of ogi-rules §3.1): the notice for the next year
/// usually appears in November, and until then the result only knows weekends and fixed holidays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDate {
    pub date: Date,
    pub provisional: bool,
}

impl fmt::Display for DueDate {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&format_iso_date(self.date))?;
        if self.provisional {
            formatter.write_str(" (provisional)")?;
        }
        Ok(())
    }
}

/// The days after `after` up to and including `through`: the same half-open shape as a period
/// counted under the Civil Code rule, so a pause and a period line up without off-by-one errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySpan {
    pub after: Date,
    pub through: Date,
}

impl DaySpan {
    pub fn contains(&self, date: Date) -> bool {
        self.after < date && date <= self.through
    }
}

/// One day named in a State Council arrangement.
///
/// `is_off_day: true` is a day off (a holiday or a 调休 day off); `false` is a Saturday or Sunday
/// on which people work (调休上班). Days not listed follow the weekday rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredDay {
    pub date: Date,
    pub name: String,
    pub is_off_day: bool,
}

/// The holiday arrangement the State Council published for one year.
///
/// An arrangement with no days means the notice has not been published yet (2027.json ships that
/// way); deadlines that reach such a year are provisional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearArrangement {
    // Invariant: ARRANGEMENT_YEAR_MIN <= year <= ARRANGEMENT_YEAR_MAX.
    year: i32,
    source_urls: Vec<String>,
    // Invariant: sorted by date, no date twice, every date in `year` or late December of the year
    // before, and every name non-empty.
    days: Vec<DeclaredDay>,
}

/// One thing wrong with a year's arrangement; an import reports all of them at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArrangementProblem {
    TooManyDays {
        n_days: usize,
        max_days: usize,
    },
    TooManySourceUrls {
        n_urls: usize,
        max_urls: usize,
    },
    SourceUrlNotHttp {
        url: String,
    },
    InvalidDate {
        index: usize,
        text: String,
    },
    DateOutsideYear {
        date: Date,
        year: i32,
    },
    DuplicateDate {
        date: Date,
    },
    EmptyName {
        date: Date,
    },
    NameTooLong {
        date: Date,
        chars: usize,
        max_chars: usize,
    },
    WorkingDayNotOnWeekend {
        date: Date,
        weekday: Weekday,
    },
}

impl fmt::Display for ArrangementProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyDays { n_days, max_days } => {
                write!(
                    formatter,
                    "{n_days} declared days, at most {max_days} are accepted"
                )
            }
            Self::TooManySourceUrls { n_urls, max_urls } => {
                write!(
                    formatter,
                    "{n_urls} source URLs, at most {max_urls} are accepted"
                )
            }
            Self::SourceUrlNotHttp { url } => {
                write!(formatter, "source `{url}` is not an http(s) URL")
            }
            Self::InvalidDate { index, text } => {
                write!(
                    formatter,
                    "day #{index}: `{text}` is not an ISO date (YYYY-MM-DD)"
                )
            }
            Self::DateOutsideYear { date, year } => write!(
                formatter,
                "{} is outside {year} (only late December of {} may appear)",
                format_iso_date(*date),
                year - 1
            ),
            Self::DuplicateDate { date } => {
                write!(formatter, "{} is declared twice", format_iso_date(*date))
            }
            Self::EmptyName { date } => {
                write!(formatter, "{} has no holiday name", format_iso_date(*date))
            }
            Self::NameTooLong {
                date,
                chars,
                max_chars,
            } => write!(
                formatter,
                "{} has a name of {chars} characters, at most {max_chars} are accepted",
                format_iso_date(*date)
            ),
            Self::WorkingDayNotOnWeekend { date, weekday } => write!(
                formatter,
                "{} is a {weekday}: only a Saturday or Sunday can be a make-up working day \
                 (isOffDay: false); was a weekend date meant?",
                format_iso_date(*date)
            ),
        }
    }
}

/// Everything that can go wrong when building a calendar or reading calendar input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the arrangement is {n_bytes} bytes, at most {max_bytes} are accepted")]
    InputTooLarge { n_bytes: usize, max_bytes: usize },
    #[error(
        "the arrangement is not JSON of the expected shape (line {line}, column {column}): {message}"
    )]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("year {year} is outside {ARRANGEMENT_YEAR_MIN}..={ARRANGEMENT_YEAR_MAX}")]
    YearOutOfRange { year: i64 },
    #[error("the {year} arrangement is invalid: {}", join_problems(.problems))]
    InvalidArrangement {
        year: i32,
        problems: Vec<ArrangementProblem>,
    },
    #[error("two arrangements were given for {year}")]
    DuplicateYear { year: i32 },
    #[error("`{text}` is not an ISO date (YYYY-MM-DD)")]
    InvalidIsoDate { text: String },
    #[error("expected `DATE N` (two fields), found {n_fields} field(s)")]
    LineFieldCount { n_fields: usize },
    #[error("`{text}` is not a whole number of working days")]
    InvalidWorkingDayCount { text: String },
    #[error("`{text}` working days is more than the {max_working_days} accepted")]
    WorkingDayCountTooLarge { text: String, max_working_days: u32 },
}

fn join_problems(problems: &[ArrangementProblem]) -> String {
    let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    texts.join("; ")
}

/// What to do with a Monday-to-Friday declared a working day.
///
/// Such a declaration changes nothing, so in a hand-made file it almost always means a mistyped
/// weekend date and an import rejects it. The shipped 2020 file has one on purpose: the notice
/// extending the 2020 Spring Festival said work resumes on Monday 2020-02-03, and holiday-cn
/// recorded that; the shipped files stay unchanged, so they are read with `AcceptAsRedundant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WeekdayWorkingDayPolicy {
    Reject,
    AcceptAsRedundant,
}

/// The JSON shape of NateScarlet/holiday-cn; `$schema` and `$id` are ignored.
#[derive(Deserialize)]
struct RawArrangement {
    year: i64,
    papers: Vec<String>,
    days: Vec<RawDeclaredDay>,
}

#[derive(Deserialize)]
struct RawDeclaredDay {
    name: String,
    date: String,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

impl YearArrangement {
    /// Builds an arrangement from parts, checking the same rules as `parse_json`.
    pub fn new(
        year: i32,
        source_urls: Vec<String>,
        days: Vec<DeclaredDay>,
    ) -> Result<Self, CalendarError> {
        let year = check_year(i64::from(year))?;
        let policy = WeekdayWorkingDayPolicy::Reject;
        Self::checked(year, source_urls, days, Vec::new(), policy)
    }

    /// Parses one year in the holiday-cn JSON shape, as an administrator imports it.
    pub fn parse_json(text: &str) -> Result<Self, CalendarError> {
        Self::parse_json_with(text, WeekdayWorkingDayPolicy::Reject)
    }

    fn parse_json_with(text: &str, policy: WeekdayWorkingDayPolicy) -> Result<Self, CalendarError> {
        if text.len() > ARRANGEMENT_JSON_BYTES_MAX {
            return Err(CalendarError::InputTooLarge {
                n_bytes: text.len(),
                max_bytes: ARRANGEMENT_JSON_BYTES_MAX,
            });
        }
        let raw: RawArrangement =
            serde_json::from_str(text).map_err(|error| CalendarError::Json {
                line: error.line(),
                column: error.column(),
                message: error.to_string(),
            })?;
        let year = check_year(raw.year)?;
        let mut problems = Vec::new();
        let mut days = Vec::with_capacity(raw.days.len());
        for (index, raw_day) in raw.days.into_iter().enumerate() {
            match parse_iso_date(&raw_day.date) {
                Ok(date) => days.push(DeclaredDay {
                    date,
                    name: raw_day.name,
                    is_off_day: raw_day.is_off_day,
                }),
                Err(_) => problems.push(ArrangementProblem::InvalidDate {
                    index,
                    text: raw_day.date,
                }),
            }
        }
        Self::checked(year, raw.papers, days, problems, policy)
    }

    fn checked(
        year: i32,
        source_urls: Vec<String>,
        mut days: Vec<DeclaredDay>,
        mut problems: Vec<ArrangementProblem>,
        policy: WeekdayWorkingDayPolicy,
    ) -> Result<Self, CalendarError> {
        problems.extend(source_url_problems(&source_urls));
        problems.extend(declared_day_problems(year, &days, policy));
        if !problems.is_empty() {
            return Err(CalendarError::InvalidArrangement { year, problems });
        }
        days.sort_by_key(|day| day.date);
        Ok(Self {
            year,
            source_urls,
            days,
        })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// The State Council notices the arrangement was read from.
    pub fn source_urls(&self) -> &[String] {
        &self.source_urls
    }

    /// The declared days, sorted by date.
    pub fn days(&self) -> &[DeclaredDay] {
        &self.days
    }

    /// Whether the notice for this year has been published and loaded.
    pub fn is_published(&self) -> bool {
        !self.days.is_empty()
    }
}

fn check_year(year: i64) -> Result<i32, CalendarError> {
    let in_range =
        (i64::from(ARRANGEMENT_YEAR_MIN)..=i64::from(ARRANGEMENT_YEAR_MAX)).contains(&year);
    match i32::try_from(year) {
        Ok(year) if in_range => Ok(year),
        _ => Err(CalendarError::YearOutOfRange { year }),
    }
}

fn source_url_problems(source_urls: &[String]) -> Vec<ArrangementProblem> {
    let mut problems = Vec::new();
    if source_urls.len() > SOURCE_URLS_PER_YEAR_MAX {
        problems.push(ArrangementProblem::TooManySourceUrls {
            n_urls: source_urls.len(),
            max_urls: SOURCE_URLS_PER_YEAR_MAX,
        });
    }
    for url in source_urls {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            problems.push(ArrangementProblem::SourceUrlNotHttp { url: url.clone() });
        }
    }
    problems
}

fn declared_day_problems(
    year: i32,
    days: &[DeclaredDay],
    policy: WeekdayWorkingDayPolicy,
) -> Vec<ArrangementProblem> {
    let mut problems = Vec::new();
    if days.len() > DECLARED_DAYS_PER_YEAR_MAX {
        problems.push(ArrangementProblem::TooManyDays {
            n_days: days.len(),
            max_days: DECLARED_DAYS_PER_YEAR_MAX,
        });
    }
    let mut seen_dates = BTreeSet::new();
    for day in days {
        if !seen_dates.insert(day.date) {
            problems.push(ArrangementProblem::DuplicateDate { date: day.date });
        }
        problems.extend(single_day_problem(year, day, policy));
    }
    problems
}

fn single_day_problem(
    year: i32,
    day: &DeclaredDay,
    policy: WeekdayWorkingDayPolicy,
) -> Option<ArrangementProblem> {
    let date = day.date;
    let n_name_chars = day.name.chars().count();
    if !is_date_within_arrangement_year(date, year) {
        Some(ArrangementProblem::DateOutsideYear { date, year })
    } else if day.name.trim().is_empty() {
        Some(ArrangementProblem::EmptyName { date })
    } else if n_name_chars > DAY_NAME_CHARS_MAX {
        Some(ArrangementProblem::NameTooLong {
            date,
            chars: n_name_chars,
            max_chars: DAY_NAME_CHARS_MAX,
        })
    } else if !day.is_off_day && !is_weekend(date) && policy == WeekdayWorkingDayPolicy::Reject {
        Some(ArrangementProblem::WorkingDayNotOnWeekend {
            date,
            weekday: date.weekday(),
        })
    } else {
        None
    }
}

/// A year's notice covers that year and, for the 元旦 break, the last days of the year before.
fn is_date_within_arrangement_year(date: Date, year: i32) -> bool {
    date.year() == year || (date.year() == year - 1 && is_in_next_year_notice_window(date))
}

/// Whether the next year's notice may still declare this date (late December).
fn is_in_next_year_notice_window(date: Date) -> bool {
    date.month() == Month::December && date.day() >= NEXT_YEAR_NOTICE_FIRST_DECEMBER_DAY
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn is_fallback_fixed_date_holiday(date: Date) -> bool {
    FALLBACK_FIXED_DATE_HOLIDAYS.contains(&(date.month(), date.day()))
}

/// Answers which days are working days, from the arrangements it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingDayCalendar {
    // Invariant: every value's year equals its key.
    arrangements: BTreeMap<i32, YearArrangement>,
    // Invariant: the union of the arrangements' days; where two years name the same late-December
    // date, the later year's notice wins because it was published later.
    declared_days: BTreeMap<Date, DeclaredDay>,
}

impl WorkingDayCalendar {
    /// Builds a calendar from arrangements; a year given twice is refused rather than guessed.
    pub fn new(
        arrangements: impl IntoIterator<Item = YearArrangement>,
    ) -> Result<Self, CalendarError> {
        let mut by_year = BTreeMap::new();
        for arrangement in arrangements {
            let year = arrangement.year;
            if by_year.insert(year, arrangement).is_some() {
                return Err(CalendarError::DuplicateYear { year });
            }
        }
        Ok(Self::from_arrangements(by_year))
    }

    /// The calendar with every shipped year (2007–2026 published, 2027 still empty).
    pub fn builtin() -> Self {
        let arrangements = BUILTIN_ARRANGEMENTS_JSON.iter().map(|text| {
            YearArrangement::parse_json_with(text, WeekdayWorkingDayPolicy::AcceptAsRedundant)
                .expect("the shipped holiday files are checked by the calendar tests")
        });
        Self::new(arrangements).expect("the shipped holiday files name each year once")
    }

    /// Loads or replaces one year, as when the next year's notice is imported or a year corrected.
    pub fn with_year(mut self, arrangement: YearArrangement) -> Self {
        self.arrangements.insert(arrangement.year, arrangement);
        Self::from_arrangements(self.arrangements)
    }

    fn from_arrangements(arrangements: BTreeMap<i32, YearArrangement>) -> Self {
        let mut declared_days = BTreeMap::new();
        for arrangement in arrangements.values() {
            for day in &arrangement.days {
                declared_days.insert(day.date, day.clone());
            }
        }
        Self {
            arrangements,
            declared_days,
        }
    }

    pub fn arrangement(&self, year: i32) -> Option<&YearArrangement> {
        self.arrangements.get(&year)
    }

    pub fn arrangements(&self) -> impl Iterator<Item = &YearArrangement> {
        self.arrangements.values()
    }

    /// The latest year whose notice is loaded; deadlines beyond it are provisional.
    pub fn last_loaded_year(&self) -> Option<i32> {
        self.arrangements
            .values()
            .rev()
            .find(|arrangement| arrangement.is_published())
            .map(YearArrangement::year)
    }

    pub fn is_year_loaded(&self, year: i32) -> bool {
        self.arrangements
            .get(&year)
            .is_some_and(YearArrangement::is_published)
    }

    /// Whether no future notice can change this day: its year is loaded and, in late December, so
    /// is the next year, whose 元旦 arrangement may reach back into it.
    pub fn is_arrangement_known(&self, date: Date) -> bool {
        self.is_arrangement_known_between(date, date)
    }

    /// Whether every day from `first` to `last` (inclusive, in either order) is known.
    pub fn is_arrangement_known_between(&self, first: Date, last: Date) -> bool {
        self.first_unknown_year_between(first, last).is_none()
    }

    /// The earliest year whose missing notice could still change a day from `first` to `last`
    /// (inclusive, in either order), or `None` when every such day is known.
    pub fn first_unknown_year_between(&self, first: Date, last: Date) -> Option<i32> {
        let (first, last) = if first <= last {
            (first, last)
        } else {
            (last, first)
        };
        let mut years = first.year()..=last.year();
        if let Some(year) = years.find(|year| !self.is_year_loaded(*year)) {
            return Some(year);
        }
        let next_year = last.year() + 1;
        let needs_next_year = is_in_next_year_notice_window(last);
        (needs_next_year && !self.is_year_loaded(next_year)).then_some(next_year)
    }

    /// The declaration that governs this day, if any.
    pub fn declared_day(&self, date: Date) -> Option<&DeclaredDay> {
        self.declared_days.get(&date)
    }

    /// The declared days in `span`, in date order, for explaining how a period was counted.
    pub fn declared_days_in(&self, span: DaySpan) -> impl Iterator<Item = &DeclaredDay> {
        let bounds = if span.after < span.through {
            (Bound::Excluded(span.after), Bound::Included(span.through))
        } else {
            // An empty span; the bounds must still be ordered for `BTreeMap::range`.
            (Bound::Included(span.after), Bound::Excluded(span.after))
        };
        self.declared_days.range(bounds).map(|(_, day)| day)
    }

    /// Mon–Fri not declared off, or a weekend day declared a working day.
    ///
    /// A year without a loaded arrangement still treats the fixed-date holidays of
    /// 《全国年节及纪念日放假办法》 Art. 2 as days off (ogi-rules §3.1 pitfall (a)), so that the
    /// provisional answer errs towards a later, not an earlier, due date.
    pub fn is_working_day(&self, date: Date) -> bool {
        if let Some(day) = self.declared_days.get(&date) {
            return !day.is_off_day;
        }
        if !self.is_year_loaded(date.year()) && is_fallback_fixed_date_holiday(date) {
            return false;
        }
        !is_weekend(date)
    }

    /// The day on which `working_days` working days after `start` have elapsed.
    ///
    /// Zero working days returns `start` unchanged, even on a day off: nothing has to elapse, and
    /// it keeps `add(add(s, n), m) == add(s, n + m)` true for every n and m. Past the last
    /// representable date the result saturates there and is marked provisional instead of
    /// panicking.
    pub fn add_working_days(
        &self,
        start: Date,
        working_days: u32,
        counting: CountingRule,
    ) -> DueDate {
        self.add_working_days_excluding(start, working_days, counting, &[])
    }

    /// Like `add_working_days`, but working days inside any of `excluded` are not counted.
    ///
    /// This is how the time spent consulting a third party or another agency is left out of the
    /// reply period (OGI regulation Art. 33 ¶2).
    pub fn add_working_days_excluding(
        &self,
        start: Date,
        working_days: u32,
        counting: CountingRule,
        excluded: &[DaySpan],
    ) -> DueDate {
        let counts = |date: Date| {
            self.is_working_day(date) && !excluded.iter().any(|span| span.contains(date))
        };
        let mut remaining_working_days = working_days;
        if counting.count_start_day && remaining_working_days > 0 && counts(start) {
            remaining_working_days -= 1;
        }
        let mut date = start;
        while remaining_working_days > 0 {
            let Some(next_date) = date.next_day() else {
                return DueDate {
                    date,
                    provisional: true,
                };
            };
            date = next_date;
            if counts(date) {
                remaining_working_days -= 1;
            }
        }
        let provisional = !self.is_arrangement_known_between(start, date);
        DueDate { date, provisional }
    }

    /// The number of working days after `after` up to and including `through`; zero when
    /// `through` is not later than `after`.
    pub fn working_days_between(&self, after: Date, through: Date) -> u32 {
        let mut n_working_days = 0;
        let mut date = after;
        while date < through {
            let Some(next_date) = date.next_day() else {
                break;
            };
            date = next_date;
            if self.is_working_day(date) {
                n_working_days += 1;
            }
        }
        n_working_days
    }
}

/// Parses a strict ISO 8601 calendar date, `YYYY-MM-DD`, and nothing else.
pub fn parse_iso_date(text: &str) -> Result<Date, CalendarError> {
    let invalid = || CalendarError::InvalidIsoDate {
        text: text.to_owned(),
    };
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit());
    if !shape_ok {
        return Err(invalid());
    }
    let year: i32 = text[0..4].parse().map_err(|_| invalid())?;
    let month: u8 = text[5..7].parse().map_err(|_| invalid())?;
    let day: u8 = text[8..10].parse().map_err(|_| invalid())?;
    let month = Month::try_from(month).map_err(|_| invalid())?;
    Date::from_calendar_date(year, month, day).map_err(|_| invalid())
}

/// Formats a date as `YYYY-MM-DD`, the form used in every derivation and in the data files.
pub fn format_iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Parses a command-line query `DATE N`, for example `2026-02-10 20`.
pub fn parse_add_working_days_line(line: &str) -> Result<(Date, u32), CalendarError> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [date_text, working_days_text] = fields.as_slice() else {
        return Err(CalendarError::LineFieldCount {
            n_fields: fields.len(),
        });
    };
    let date = parse_iso_date(date_text)?;
    let working_days = parse_working_day_count(working_days_text)?;
    Ok((date, working_days))
}

fn parse_working_day_count(text: &str) -> Result<u32, CalendarError> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(CalendarError::InvalidWorkingDayCount {
            text: text.to_owned(),
        });
    }
    let too_large = || CalendarError::WorkingDayCountTooLarge {
        text: text.to_owned(),
        max_working_days: LINE_WORKING_DAYS_MAX,
    };
    let working_days: u32 = text.parse().map_err(|_| too_large())?;
    if working_days > LINE_WORKING_DAYS_MAX {
        return Err(too_large());
    }
    Ok(working_days)
}
