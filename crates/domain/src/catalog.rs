//! The standard proactive-disclosure catalog (标准化目录): the categories every agency must
//! publish (Art. 20, and Art. 21 by administrative level), the update rule of each item, and
//! the overdue test of Art. 26 on the working-day calendar.
//!
//! One catalog instead of a "公开迷宫": a new agency starts from these categories and then edits,
//! adds and removes items; the service keeps every revision.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::agency::AdministrativeLevel;
use crate::calendar::{CountingRule, WorkingDayCalendar};

/// Art. 26: proactively disclosed information is published within 20 working days of the day it
/// was formed or changed, unless a law or regulation sets another period.
pub const ART26_PUBLICATION_WORKING_DAYS: u32 = 20;

/// How often an item must be brought up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UpdateRule {
    /// Within N working days of the information being formed or changed (Art. 26: N = 20).
    WithinWorkingDaysOfChange { working_days: u32 },
    /// Once a year, by a fixed date (budgets, final accounts, the annual report by 31 January
    /// under Art. 49).
    AnnuallyBy { month: u8, day: u8 },
    /// Each quarter, within N working days of the quarter's end (statistics).
    Quarterly { working_days_after_quarter: u32 },
    /// Whenever the event occurs (emergencies, recruitment notices); no calendar check beyond
    /// Art. 26 for each occurrence.
    OnOccurrence,
}

impl UpdateRule {
    pub const ART26: UpdateRule = UpdateRule::WithinWorkingDaysOfChange {
        working_days: ART26_PUBLICATION_WORKING_DAYS,
    };

    pub fn code(&self) -> &'static str {
        match self {
            UpdateRule::WithinWorkingDaysOfChange { .. } => "within_working_days",
            UpdateRule::AnnuallyBy { .. } => "annually",
            UpdateRule::Quarterly { .. } => "quarterly",
            UpdateRule::OnOccurrence => "on_occurrence",
        }
    }

    pub fn describe_zh(&self) -> String {
        match self {
            UpdateRule::WithinWorkingDaysOfChange { working_days } => {
                format!("信息形成或者变更之日起{working_days}个工作日内（第二十六条）")
            }
            UpdateRule::AnnuallyBy { month, day } => format!("每年{month}月{day}日前"),
            UpdateRule::Quarterly {
                working_days_after_quarter,
            } => format!("每季度结束后{working_days_after_quarter}个工作日内"),
            UpdateRule::OnOccurrence => "事项发生时及时公开".to_string(),
        }
    }

    pub fn describe_en(&self) -> String {
        match self {
            UpdateRule::WithinWorkingDaysOfChange { working_days } => {
                format!("Within {working_days} working days of being formed or changed (Art. 26)")
            }
            UpdateRule::AnnuallyBy { month, day } => format!("Every year by {month:02}-{day:02}"),
            UpdateRule::Quarterly {
                working_days_after_quarter,
            } => format!("Within {working_days_after_quarter} working days after each quarter"),
            UpdateRule::OnOccurrence => "When it occurs".to_string(),
        }
    }

    /// Parses the form representation: a code plus its one or two numbers.
    pub fn from_form(code: &str, first: &str, second: &str) -> Option<UpdateRule> {
        let number = |text: &str| text.trim().parse::<u32>().ok();
        match code {
            "within_working_days" => {
                let working_days = number(first).unwrap_or(ART26_PUBLICATION_WORKING_DAYS);
                (1..=60)
                    .contains(&working_days)
                    .then_some(UpdateRule::WithinWorkingDaysOfChange { working_days })
            }
            "annually" => {
                let month = u8::try_from(number(first)?).ok()?;
                let day = u8::try_from(number(second)?).ok()?;
                let month_value = Month::try_from(month).ok()?;
                // Validated against a leap year so that 29 February is accepted.
                Date::from_calendar_date(2028, month_value, day).ok()?;
                Some(UpdateRule::AnnuallyBy { month, day })
            }
            "quarterly" => {
                let working_days_after_quarter = number(first).unwrap_or(15);
                (1..=60)
                    .contains(&working_days_after_quarter)
                    .then_some(UpdateRule::Quarterly {
                        working_days_after_quarter,
                    })
            }
            "on_occurrence" => Some(UpdateRule::OnOccurrence),
            _ => None,
        }
    }
}

/// The 五公开 tags (决策、执行、管理、服务、结果公开) of 《关于全面推进政务公开工作的意见》.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FiveDisclosure {
    Decision,
    Execution,
    Management,
    Service,
    Result,
}

impl FiveDisclosure {
    pub const ALL: [FiveDisclosure; 5] = [
        FiveDisclosure::Decision,
        FiveDisclosure::Execution,
        FiveDisclosure::Management,
        FiveDisclosure::Service,
        FiveDisclosure::Result,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FiveDisclosure::Decision => "decision",
            FiveDisclosure::Execution => "execution",
            FiveDisclosure::Management => "management",
            FiveDisclosure::Service => "service",
            FiveDisclosure::Result => "result",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            FiveDisclosure::Decision => "决策公开",
            FiveDisclosure::Execution => "执行公开",
            FiveDisclosure::Management => "管理公开",
            FiveDisclosure::Service => "服务公开",
            FiveDisclosure::Result => "结果公开",
        }
    }
}

/// Release channels named in Art. 23, plus the on-site channels of the county standard
/// catalogues (ogi-rules.md §4.7).
pub const CHANNELS: &[(&str, &str)] = &[
    ("gazette", "政府公报"),
    ("website", "政府网站"),
    ("new_media", "其他互联网政务媒体"),
    ("press_conference", "新闻发布会"),
    ("newspaper", "报刊"),
    ("radio_tv", "广播电视"),
    ("reading_point", "公开查阅点"),
    ("service_hall", "政务服务中心"),
    ("notice_board", "公示栏（电子屏）"),
];

pub fn channel_label_zh(code: &str) -> Option<&'static str> {
    CHANNELS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
}

/// One item of the standard catalog as shipped: the starting point an agency edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardCatalogItem {
    /// A stable code (`art20-1`, `art21-land-expropriation`) shared by every agency that
    /// adopted it, so that deviations from the template can be shown.
    pub code: &'static str,
    pub name_zh: &'static str,
    pub legal_basis: &'static str,
    pub update_rule: UpdateRule,
    pub five_disclosures: &'static [FiveDisclosure],
}

use FiveDisclosure as F;

/// Art. 20 (1)–(15): every administrative agency's proactive categories.
pub const ARTICLE_20_ITEMS: &[StandardCatalogItem] = &[
    item(
        "art20-1",
        "行政法规、规章和规范性文件",
        "第二十条第（一）项",
        UpdateRule::ART26,
        &[F::Decision],
    ),
    item(
        "art20-2",
        "机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名",
        "第二十条第（二）项",
        UpdateRule::ART26,
        &[F::Management],
    ),
    item(
        "art20-3",
        "国民经济和社会发展规划、专项规划、区域规划及相关政策",
        "第二十条第（三）项",
        UpdateRule::ART26,
        &[F::Decision],
    ),
    item(
        "art20-4",
        "国民经济和社会发展统计信息",
        "第二十条第（四）项",
        UpdateRule::Quarterly {
            working_days_after_quarter: 20,
        },
        &[F::Result],
    ),
    item(
        "art20-5",
        "办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果",
        "第二十条第（五）项",
        UpdateRule::ART26,
        &[F::Service, F::Result],
    ),
    item(
        "art20-6",
        "实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定",
        "第二十条第（六）项",
        UpdateRule::ART26,
        &[F::Execution, F::Result],
    ),
    item(
        "art20-7",
        "财政预算、决算信息",
        "第二十条第（七）项",
        UpdateRule::AnnuallyBy { month: 6, day: 30 },
        &[F::Management],
    ),
    item(
        "art20-8",
        "行政事业性收费项目及其依据、标准",
        "第二十条第（八）项",
        UpdateRule::ART26,
        &[F::Service],
    ),
    item(
        "art20-9",
        "政府集中采购项目的目录、标准及实施情况",
        "第二十条第（九）项",
        UpdateRule::ART26,
        &[F::Execution],
    ),
    item(
        "art20-10",
        "重大建设项目的批准和实施情况",
        "第二十条第（十）项",
        UpdateRule::ART26,
        &[F::Execution, F::Result],
    ),
    item(
        "art20-11",
        "扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况",
        "第二十条第（十一）项",
        UpdateRule::ART26,
        &[F::Decision, F::Execution],
    ),
    item(
        "art20-12",
        "突发公共事件的应急预案、预警信息及应对情况",
        "第二十条第（十二）项",
        UpdateRule::OnOccurrence,
        &[F::Execution],
    ),
    item(
        "art20-13",
        "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况",
        "第二十条第（十三）项",
        UpdateRule::ART26,
        &[F::Management, F::Result],
    ),
    item(
        "art20-14",
        "公务员招考的职位、名额、报考条件等事项以及录用结果",
        "第二十条第（十四）项",
        UpdateRule::OnOccurrence,
        &[F::Management, F::Result],
    ),
    item(
        "art20-15",
        "法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息",
        "第二十条第（十五）项",
        UpdateRule::ART26,
        &[],
    ),
    // Art. 49: the annual report is published by 31 January; it belongs in the catalog too.
    item(
        "art49-annual-report",
        "政府信息公开工作年度报告",
        "第四十九条",
        UpdateRule::AnnuallyBy { month: 1, day: 31 },
        &[F::Result],
    ),
];

/// Art. 21 ¶1: the additional categories of city (设区的市) and county governments and their
/// departments.
pub const ARTICLE_21_CITY_COUNTY_ITEMS: &[StandardCatalogItem] = &[
    item(
        "art21-urban-construction",
        "市政建设",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Execution],
    ),
    item(
        "art21-public-services",
        "公共服务",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Service],
    ),
    item(
        "art21-public-welfare",
        "公益事业",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Service],
    ),
    item(
        "art21-land-expropriation",
        "土地征收",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Decision, F::Result],
    ),
    item(
        "art21-housing-expropriation",
        "房屋征收",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Decision, F::Result],
    ),
    item(
        "art21-public-security",
        "治安管理",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Management],
    ),
    item(
        "art21-social-assistance",
        "社会救助",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Service, F::Result],
    ),
];

/// Art. 21 ¶2: the additional categories of township (乡镇) governments.
pub const ARTICLE_21_TOWNSHIP_ITEMS: &[StandardCatalogItem] = &[
    item(
        "art21-agricultural-policy",
        "贯彻落实农业农村政策的情况",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Execution],
    ),
    item(
        "art21-irrigation",
        "农田水利工程建设运营情况",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Execution],
    ),
    item(
        "art21-land-contract-transfer",
        "农村土地承包经营权流转情况",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Management],
    ),
    item(
        "art21-homestead",
        "宅基地使用情况审核",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Management, F::Result],
    ),
    item(
        "art21-land-expropriation",
        "土地征收",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Decision, F::Result],
    ),
    item(
        "art21-housing-expropriation",
        "房屋征收",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Decision, F::Result],
    ),
    item(
        "art21-fundraising-labour",
        "筹资筹劳情况",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Management],
    ),
    item(
        "art21-social-assistance",
        "社会救助",
        "第二十一条",
        UpdateRule::ART26,
        &[F::Service, F::Result],
    ),
];

const fn item(
    code: &'static str,
    name_zh: &'static str,
    legal_basis: &'static str,
    update_rule: UpdateRule,
    five_disclosures: &'static [FiveDisclosure],
) -> StandardCatalogItem {
    StandardCatalogItem {
        code,
        name_zh,
        legal_basis,
        update_rule,
        five_disclosures,
    }
}

/// The standard catalog a new agency of `level` starts with: Art. 20 for everyone, plus the
/// Art. 21 categories of its level (none extra for provinces).
pub fn standard_catalog(level: AdministrativeLevel) -> Vec<StandardCatalogItem> {
    let mut items = ARTICLE_20_ITEMS.to_vec();
    match level {
        AdministrativeLevel::Province => {}
        AdministrativeLevel::City | AdministrativeLevel::County => {
            items.extend_from_slice(ARTICLE_21_CITY_COUNTY_ITEMS)
        }
        AdministrativeLevel::Township => items.extend_from_slice(ARTICLE_21_TOWNSHIP_ITEMS),
    }
    items
}

/// Why a catalog item is late, with the date it became due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overdue {
    /// Information formed or changed on `formed_on` was due by `due` (Art. 26) and is not
    /// published.
    UnpublishedChange { formed_on: Date, due: Date },
    /// A periodic item's update for the period ending `period_end` was due by `due`.
    MissedPeriodicUpdate { period_end: Date, due: Date },
}

/// The Art. 26 due date of information formed or changed on `formed_on`.
pub fn publication_due(calendar: &WorkingDayCalendar, formed_on: Date, working_days: u32) -> Date {
    calendar
        .add_working_days(formed_on, working_days, CountingRule::START_DAY_NOT_COUNTED)
        .date
}

/// Whether pending information (formed on `formed_on`, still unpublished) is overdue on `today`.
pub fn unpublished_change_overdue(
    calendar: &WorkingDayCalendar,
    rule: UpdateRule,
    formed_on: Date,
    today: Date,
) -> Option<Overdue> {
    let working_days = match rule {
        UpdateRule::WithinWorkingDaysOfChange { working_days } => working_days,
        // Every occurrence and every other change is still bound by Art. 26's general period.
        _ => ART26_PUBLICATION_WORKING_DAYS,
    };
    let due = publication_due(calendar, formed_on, working_days);
    (today > due).then_some(Overdue::UnpublishedChange { formed_on, due })
}

/// Whether a periodic item has missed its latest update on `today`, given the date of its last
/// publication (`None`: never published). The item was created on `since`; periods ending
/// before it are not counted against it.
pub fn periodic_update_overdue(
    calendar: &WorkingDayCalendar,
    rule: UpdateRule,
    last_published: Option<Date>,
    since: Date,
    today: Date,
) -> Option<Overdue> {
    let (period_end, due) = latest_periodic_due(calendar, rule, today)?;
    if period_end < since || today <= due {
        return None;
    }
    match last_published {
        Some(published) if published > period_end => None,
        _ => Some(Overdue::MissedPeriodicUpdate { period_end, due }),
    }
}

/// The latest period of a periodic rule whose due date has already passed on `today`, as
/// (period end, due date).
fn latest_periodic_due(
    calendar: &WorkingDayCalendar,
    rule: UpdateRule,
    today: Date,
) -> Option<(Date, Date)> {
    match rule {
        UpdateRule::AnnuallyBy { month, day } => {
            let month = Month::try_from(month).ok()?;
            let due_this_year = date_or_month_end(today.year(), month, day)?;
            let due = if today > due_this_year {
                due_this_year
            } else {
                date_or_month_end(today.year() - 1, month, day)?
            };
            // The period is the year before the due date (last year's budget is due this year).
            let period_end = Date::from_calendar_date(due.year() - 1, Month::December, 31).ok()?;
            Some((period_end, due))
        }
        UpdateRule::Quarterly {
            working_days_after_quarter,
        } => {
            // Walk back through quarter ends until one whose due date has passed.
            let mut year = today.year();
            let mut quarter = (u8::from(today.month()) - 1) / 3; // 0-based current quarter
            for _ in 0..8 {
                let (end_year, end_quarter) = if quarter == 0 {
                    (year - 1, 3)
                } else {
                    (year, quarter - 1)
                };
                let end_month = Month::try_from(end_quarter * 3 + 3).ok()?;
                let period_end = date_or_month_end(end_year, end_month, 31)?;
                let due = calendar
                    .add_working_days(
                        period_end,
                        working_days_after_quarter,
                        CountingRule::START_DAY_NOT_COUNTED,
                    )
                    .date;
                if today > due {
                    return Some((period_end, due));
                }
                year = end_year;
                quarter = end_quarter;
            }
            None
        }
        UpdateRule::WithinWorkingDaysOfChange { .. } | UpdateRule::OnOccurrence => None,
    }
}

fn date_or_month_end(year: i32, month: Month, day: u8) -> Option<Date> {
    let last_day = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, day.min(last_day)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn calendar() -> WorkingDayCalendar {
        WorkingDayCalendar::builtin()
    }

    #[test]
    fn every_level_gets_the_fifteen_categories_of_article_20() {
        for level in AdministrativeLevel::ALL {
            let catalog = standard_catalog(level);
            let art20 = catalog
                .iter()
                .filter(|i| i.legal_basis.starts_with("第二十条"))
                .count();
            assert_eq!(art20, 15, "{level:?}");
            let codes: std::collections::HashSet<&str> = catalog.iter().map(|i| i.code).collect();
            assert_eq!(codes.len(), catalog.len(), "codes unique for {level:?}");
        }
        assert_eq!(standard_catalog(AdministrativeLevel::Province).len(), 16);
        assert_eq!(standard_catalog(AdministrativeLevel::County).len(), 23);
        let township = standard_catalog(AdministrativeLevel::Township);
        assert!(township.iter().any(|i| i.code == "art21-homestead"));
        assert!(!township.iter().any(|i| i.code == "art21-public-security"));
    }

    #[test]
    fn article_26_counts_working_days_across_the_national_day_holiday() {
        // Formed on Monday 2026-09-28: the 国庆/中秋 holiday of 2026 (1–7 October, with make-up
        // working days) does not count, so 20 working days end later than four calendar weeks.
        let due = publication_due(&calendar(), date!(2026 - 09 - 28), 20);
        assert!(due > date!(2026 - 10 - 26), "{due}");
        assert_eq!(
            unpublished_change_overdue(&calendar(), UpdateRule::ART26, date!(2026 - 09 - 28), due),
            None
        );
        let late = due.next_day().expect("date");
        assert_eq!(
            unpublished_change_overdue(&calendar(), UpdateRule::ART26, date!(2026 - 09 - 28), late),
            Some(Overdue::UnpublishedChange {
                formed_on: date!(2026 - 09 - 28),
                due
            })
        );
    }

    #[test]
    fn article_26_over_spring_festival_2026() {
        // Formed on Friday 2026-02-13, just before the Spring Festival break.
        let calendar = calendar();
        let due = publication_due(&calendar, date!(2026 - 02 - 13), 20);
        let counted = calendar.working_days_between(date!(2026 - 02 - 13), due);
        assert_eq!(counted, 20);
        assert!(calendar.is_working_day(due));
        assert!(due >= date!(2026 - 03 - 16), "{due}");
    }

    #[test]
    fn annual_items_are_overdue_after_their_date_until_published() {
        let rule = UpdateRule::AnnuallyBy { month: 1, day: 31 };
        let calendar = calendar();
        let since = date!(2020 - 01 - 01);
        assert_eq!(
            periodic_update_overdue(
                &calendar,
                rule,
                Some(date!(2026 - 01 - 20)),
                since,
                date!(2026 - 03 - 01)
            ),
            None
        );
        assert_eq!(
            periodic_update_overdue(
                &calendar,
                rule,
                Some(date!(2025 - 01 - 20)),
                since,
                date!(2026 - 03 - 01)
            ),
            Some(Overdue::MissedPeriodicUpdate {
                period_end: date!(2025 - 12 - 31),
                due: date!(2026 - 01 - 31)
            })
        );
        // On the due date itself this year's update is not yet late (last year's was made).
        assert_eq!(
            periodic_update_overdue(
                &calendar,
                rule,
                Some(date!(2025 - 01 - 20)),
                since,
                date!(2026 - 01 - 31)
            ),
            None
        );
        // An item created after the period ended is not blamed for it.
        assert_eq!(
            periodic_update_overdue(
                &calendar,
                rule,
                None,
                date!(2026 - 01 - 05),
                date!(2026 - 03 - 01)
            ),
            None
        );
    }

    #[test]
    fn quarterly_items_follow_the_working_day_calendar() {
        let rule = UpdateRule::Quarterly {
            working_days_after_quarter: 15,
        };
        let calendar = calendar();
        let since = date!(2020 - 01 - 01);
        // The third quarter of 2026 ends on 30 September; 15 working days later falls after the
        // October holiday.
        let overdue = periodic_update_overdue(&calendar, rule, None, since, date!(2026 - 11 - 30))
            .expect("overdue");
        let Overdue::MissedPeriodicUpdate { period_end, due } = overdue else {
            panic!("wrong kind");
        };
        assert_eq!(period_end, date!(2026 - 09 - 30));
        assert_eq!(calendar.working_days_between(period_end, due), 15);
        assert_eq!(
            periodic_update_overdue(
                &calendar,
                rule,
                Some(date!(2026 - 10 - 20)),
                since,
                date!(2026 - 11 - 30)
            ),
            None
        );
    }

    #[test]
    fn update_rules_parse_from_forms() {
        assert_eq!(
            UpdateRule::from_form("within_working_days", "", ""),
            Some(UpdateRule::ART26)
        );
        assert_eq!(
            UpdateRule::from_form("annually", "2", "29"),
            Some(UpdateRule::AnnuallyBy { month: 2, day: 29 })
        );
        for (code, first, second) in [
            ("annually", "2", "30"),
            ("annually", "13", "1"),
            ("annually", "", ""),
            ("within_working_days", "0", ""),
            ("within_working_days", "61", ""),
            ("weekly", "", ""),
        ] {
            assert_eq!(
                UpdateRule::from_form(code, first, second),
                None,
                "{code} {first} {second}"
            );
        }
        assert!(UpdateRule::ART26.describe_zh().contains("20个工作日"));
    }
}
