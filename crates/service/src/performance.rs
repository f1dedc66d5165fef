//! The performance dashboard (C17): how well an agency and each of its departments answer and
//! publish, measured by timeliness, quality and use rather than by volume (the seed's 四(一)3,
//! 五(三)2), and its public form with small-cell suppression (C14).
//!
//! Every figure is recomputed from stored data on each request: the applications' events
//! (receipt, correction requests, replies), the ratings, the remedies, the documents, their
//! interpretation links and the per-day usage counters, which are raw data themselves. Nothing
//! here is cached, so any figure can be reproduced from the database.
//!
//! Definitions, for a calendar year Y:
//! - received: applications whose legal receipt date (Art. 31) falls in Y;
//! - correction rate: of those, the share that got a correction request (Art. 30);
//! - replies: applications whose reply was issued in Y. On time means issued on or before the
//!   reply due date in force (Art. 33: 20 working days, extended by at most 20; Art. 35 and
//!   the paused periods as computed by `domain::deadline`), the same date the application page
//!   shows. Working days to reply are counted from the day after receipt through the day of
//!   issue, as the applicant experiences them (time awaiting a correction included);
//! - corrected on remedy: of the replies of Y, the share whose application has a remedy
//!   (Art. 51) decided 结果纠正;
//! - satisfaction: the applicants' ratings (1–5) of the replies of Y;
//! - utilisation: views of the public page and downloads of the canonical files and the
//!   attachments of the agency's published documents, on days of Y, per published document;
//! - interpretation click-through: views in Y of the interpretations (政策解读) linked to the
//!   agency's documents, per view of the documents they interpret. A visitor who reads a
//!   document and then its interpretation adds one to each, so the ratio approximates how
//!   often readers follow the link (without tracking anyone); and the step after it: visits
//!   of the application form through an interpretation's "apply for related information"
//!   link, per view of the interpretations (counted on the link, again without tracking);
//! - overdue catalog items: the agency's publication duties late today (Art. 26).
//!
//! A department is the lead department of the application's latest assignment; applications
//! never assigned are counted under "unassigned". Utilisation and the catalog belong to the
//! agency as a whole: documents name an issuer, not a department.

use std::collections::{HashMap, HashSet};

use crate::applications::{channel_of, parse_events};
use crate::{PublicationOverdue, ServiceResult, Services};
use gongkai_domain::application::{ApplicationState, Event};
use gongkai_domain::deadline::{DeadlineRules, compute_deadlines};
use gongkai_domain::remedy::RemedyOutcome;
use gongkai_domain::statistics::{
    Cell, DurationSummary, Fraction, ShownFraction, SmallCellThreshold, SuppressedRow,
    suppress_count, suppress_durations, suppress_fraction, suppress_row,
};
use gongkai_store::DocumentUsageDelta;
use time::{Date, Month};
use uuid::Uuid;

/// The figures of one group of applications (a department or the whole agency).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplicationPerformance {
    pub n_received: u64,
    /// Replies issued in the year.
    pub n_replies: u64,
    /// Replies issued on or before their due date, of the replies whose due date is known.
    pub on_time: Fraction,
    /// Replies whose due date could not be computed (a history the deadline engine refuses);
    /// they are left out of `on_time` and shown to staff.
    pub n_replies_due_date_unknown: u64,
    /// Working days from receipt to reply.
    pub reply_working_days: DurationSummary,
    /// Applications received with a correction request, of those received.
    pub correction: Fraction,
    /// Replies whose application has a remedy decided 结果纠正, of the replies.
    pub corrected_on_remedy: Fraction,
    /// The sum of the ratings over their number: the mean rating as an exact fraction.
    pub satisfaction: Fraction,
}

/// One department's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentPerformance {
    /// The department's id, or empty for applications never assigned.
    pub department_id: String,
    pub name_zh: String,
    pub name_en: String,
    pub figures: ApplicationPerformance,
}

/// One published document's use in the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentUse {
    pub external_id: String,
    pub title: String,
    pub views: u64,
    pub downloads: u64,
    /// Visits of the application form through the document's "apply" link.
    pub onward_to_application: u64,
    /// Whether it is an interpretation (解读) linked from another document.
    pub is_interpretation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Utilisation {
    pub n_published_documents: u64,
    pub views: u64,
    pub downloads: u64,
    /// Views per published document.
    pub views_per_document: Fraction,
    pub downloads_per_document: Fraction,
    /// Most viewed first.
    pub documents: Vec<DocumentUse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InterpretationClickThrough {
    /// Interpretations linked to the agency's published documents.
    pub n_interpretations: u64,
    pub interpretation_views: u64,
    pub interpreted_document_views: u64,
    /// Interpretation views per view of the documents they interpret.
    pub click_through: Fraction,
    /// Visits of the application form from the interpretations' pages.
    pub interpretation_onward_to_application: u64,
    /// Those visits per view of the interpretations: the last step of document →
    /// interpretation → application.
    pub onward_rate: Fraction,
}

/// The whole dashboard of an agency for one year.
#[derive(Debug, Clone)]
pub struct PerformanceReport {
    pub agency_id: Uuid,
    pub year: i32,
    /// The agency's departments in their order, then "unassigned" when it has applications.
    pub departments: Vec<DepartmentPerformance>,
    pub agency: ApplicationPerformance,
    pub utilisation: Utilisation,
    pub interpretation: InterpretationClickThrough,
    /// Publication duties late on today's date (Art. 26).
    pub overdue: Vec<PublicationOverdue>,
}

/// The agency's figures as they may be published (C14): every count of people from 1 to
/// k − 1 banded, every rate over fewer than k people withheld, and the received counts by
/// department suppressed as one row with its total.
#[derive(Debug, Clone)]
pub struct PublicPerformance {
    pub year: i32,
    pub k: u64,
    pub received: Cell,
    pub replies: Cell,
    pub on_time: ShownFraction,
    /// `None` when fewer than k replies.
    pub reply_working_days: Option<DurationSummary>,
    pub correction: ShownFraction,
    pub corrected_on_remedy: ShownFraction,
    pub ratings: Cell,
    /// The mean rating, shown when at least k ratings went into it.
    pub satisfaction: ShownFraction,
    /// Department names (zh, en) with their received counts, suppressed as one row whose
    /// total is `received`.
    pub received_by_department: Vec<(String, String, Cell)>,
    pub received_row_total: Cell,
    /// Documents, views and downloads count no person and are shown whole.
    pub utilisation: Utilisation,
    pub interpretation: InterpretationClickThrough,
    pub n_overdue: u64,
}

/// Which use of a document to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentUseKind {
    View,
    Download,
    /// The visitor followed the page's link to the application form.
    OnwardToApplication,
}

/// An application's facts for the dashboard, from its events.
struct ApplicationFacts {
    department_id: String,
    received_on: Option<Date>,
    correction_requested: bool,
    replied_on: Option<Date>,
    reply_due_on: Option<Date>,
}

/// The mutable tally of one group.
#[derive(Default)]
struct Tally {
    n_received: u64,
    n_correction: u64,
    n_replies: u64,
    n_on_time: u64,
    n_due_known: u64,
    n_due_unknown: u64,
    working_days: Vec<u32>,
    n_corrected_on_remedy: u64,
    n_ratings: u64,
    ratings_sum: u64,
}

impl Tally {
    fn finish(self) -> ApplicationPerformance {
        ApplicationPerformance {
            n_received: self.n_received,
            n_replies: self.n_replies,
            on_time: Fraction::new(self.n_on_time, self.n_due_known),
            n_replies_due_date_unknown: self.n_due_unknown,
            reply_working_days: DurationSummary::of(&self.working_days),
            correction: Fraction::new(self.n_correction, self.n_received),
            corrected_on_remedy: Fraction::new(self.n_corrected_on_remedy, self.n_replies),
            satisfaction: Fraction::new(self.ratings_sum, self.n_ratings),
        }
    }
}

fn year_bounds(year: i32) -> Option<(Date, Date)> {
    Some((
        Date::from_calendar_date(year, Month::January, 1).ok()?,
        Date::from_calendar_date(year, Month::December, 31).ok()?,
    ))
}

impl Services {
    /// The threshold of small-cell suppression in force (ServiceConfig, default 5).
    pub fn small_cell_threshold(&self) -> SmallCellThreshold {
        SmallCellThreshold::new(self.config.statistics_small_cell_k)
    }

    /// Counts one view of a document's public page or one download of its canonical file,
    /// on today's date in China. Counting must never break the page it counts, so a failure
    /// is logged and swallowed.
    pub async fn count_document_use(&self, external_id: &str, kind: DocumentUseKind) {
        let delta = match kind {
            DocumentUseKind::View => DocumentUsageDelta {
                views: 1,
                ..DocumentUsageDelta::default()
            },
            DocumentUseKind::Download => DocumentUsageDelta {
                downloads: 1,
                ..DocumentUsageDelta::default()
            },
            DocumentUseKind::OnwardToApplication => DocumentUsageDelta {
                onward_to_application: 1,
                ..DocumentUsageDelta::default()
            },
        };
        let today = self.clock.today_in_china();
        if let Err(error) = self.db.document_usage_add(external_id, today, delta).await {
            tracing::warn!(%error, external_id, "document use not counted");
        }
    }

    /// Counts one view of a document's public page (C17 utilisation).
    pub async fn count_document_view(&self, external_id: &str) {
        self.count_document_use(external_id, DocumentUseKind::View)
            .await
    }

    /// Counts one download of a document's canonical file (C17 utilisation).
    pub async fn count_document_download(&self, external_id: &str) {
        self.count_document_use(external_id, DocumentUseKind::Download)
            .await
    }

    /// Counts one visit of the application form through a document's "apply for related
    /// information" link (C17 click-through).
    pub async fn count_document_onward_to_application(&self, external_id: &str) {
        self.count_document_use(external_id, DocumentUseKind::OnwardToApplication)
            .await
    }

    /// The dashboard of an agency for `year`, per department and for the agency. Who may see
    /// it is the caller's decision: the per-department figures are for the agency's staff, the
    /// public sees `public_performance`.
    pub async fn performance(
        &self,
        agency_id: Uuid,
        year: i32,
    ) -> ServiceResult<PerformanceReport> {
        let calendar = self.working_day_calendar().await?;
        let rules = DeadlineRules::statutory();
        let applications = self.db.applications_of_agency(agency_id).await?;
        let mut events_by_application: HashMap<Uuid, Vec<gongkai_store::ApplicationEventRow>> =
            HashMap::with_capacity(applications.len());
        for row in self.db.application_events_of_agency(agency_id).await? {
            events_by_application
                .entry(row.application_id)
                .or_default()
                .push(row);
        }
        let corrected_applications: HashSet<Uuid> = self
            .db
            .remedies_of_agency(agency_id)
            .await?
            .into_iter()
            .filter(|r| RemedyOutcome::from_code(&r.outcome) == Some(RemedyOutcome::Corrected))
            .map(|r| r.application_id)
            .collect();
        let ratings: HashMap<Uuid, u64> = self
            .db
            .ratings_of_agency(agency_id)
            .await?
            .into_iter()
            .filter_map(|r| Some((r.application_id, u64::try_from(r.rating).ok()?)))
            .collect();

        let mut tallies: HashMap<String, Tally> = HashMap::new();
        let mut agency = Tally::default();
        for row in applications {
            let rows = events_by_application.remove(&row.id).unwrap_or_default();
            let events: Vec<Event> = parse_events(rows)?.into_iter().map(|(_, e)| e).collect();
            let state = ApplicationState::replay(channel_of(&row.channel), &events);
            let replied_on = events.iter().find_map(|e| match e {
                Event::ReplyIssued { on } => Some(*on),
                _ => None,
            });
            // The due date the application page shows: the effective reply date of the
            // deadline engine over the clock events (Art. 33, extended or delayed).
            let reply_due_on = (!state.clock_events.is_empty())
                .then(|| compute_deadlines(&state.clock_events, &calendar, &rules).ok())
                .flatten()
                .and_then(|summary| summary.effective_reply().map(|d| d.due.date));
            let facts = ApplicationFacts {
                department_id: state.lead_department.clone().unwrap_or_default(),
                received_on: state.receipt_date,
                correction_requested: events
                    .iter()
                    .any(|e| matches!(e, Event::CorrectionRequested { .. })),
                replied_on,
                reply_due_on,
            };
            let rating = ratings.get(&row.id).copied();
            let corrected = corrected_applications.contains(&row.id);
            let department = tallies.entry(facts.department_id.clone()).or_default();
            for tally in [&mut agency, department] {
                count_application(tally, &facts, year, &calendar, rating, corrected);
            }
        }

        let mut departments = Vec::new();
        for department in self.departments(agency_id).await? {
            let key = department.id.to_string();
            let figures = tallies.remove(&key).unwrap_or_default().finish();
            departments.push(DepartmentPerformance {
                department_id: key,
                name_zh: department.name_zh,
                name_en: department.name_en,
                figures,
            });
        }
        // Applications never assigned, and any whose lead department has since been removed.
        let mut rest = Tally::default();
        let mut rest_keys: Vec<String> = tallies.keys().cloned().collect();
        rest_keys.sort();
        for key in rest_keys {
            if let Some(tally) = tallies.remove(&key) {
                merge(&mut rest, tally);
            }
        }
        if rest.n_received > 0 || rest.n_replies > 0 {
            departments.push(DepartmentPerformance {
                department_id: String::new(),
                name_zh: "未分办".to_string(),
                name_en: "Unassigned".to_string(),
                figures: rest.finish(),
            });
        }

        let (utilisation, interpretation) = self.document_use(agency_id, year).await?;
        Ok(PerformanceReport {
            agency_id,
            year,
            departments,
            agency: agency.finish(),
            utilisation,
            interpretation,
            overdue: self.publication_overdue(agency_id).await?,
        })
    }

    async fn document_use(
        &self,
        agency_id: Uuid,
        year: i32,
    ) -> ServiceResult<(Utilisation, InterpretationClickThrough)> {
        let Some((from, through)) = year_bounds(year) else {
            return Ok(Default::default());
        };
        let usage = self
            .db
            .document_usage_of_agency(agency_id, from, through)
            .await?;
        let links = self.db.document_links_of_agency(agency_id).await?;
        let interpretations: HashSet<Uuid> = links.iter().map(|l| l.interpretation_id).collect();
        let interpreted: HashSet<Uuid> = links.iter().map(|l| l.document_id).collect();
        let count = |value: i64| u64::try_from(value).unwrap_or(0);
        let mut interpretation = InterpretationClickThrough::default();
        let mut utilisation = Utilisation {
            n_published_documents: usage.len() as u64,
            ..Utilisation::default()
        };
        for row in &usage {
            utilisation.views += count(row.views);
            utilisation.downloads += count(row.downloads);
            if interpretations.contains(&row.document_id) {
                interpretation.n_interpretations += 1;
                interpretation.interpretation_views += count(row.views);
                interpretation.interpretation_onward_to_application +=
                    count(row.onward_to_application);
            }
            if interpreted.contains(&row.document_id) {
                interpretation.interpreted_document_views += count(row.views);
            }
        }
        interpretation.click_through = Fraction::new(
            interpretation.interpretation_views,
            interpretation.interpreted_document_views,
        );
        interpretation.onward_rate = Fraction::new(
            interpretation.interpretation_onward_to_application,
            interpretation.interpretation_views,
        );
        utilisation.views_per_document =
            Fraction::new(utilisation.views, utilisation.n_published_documents);
        utilisation.downloads_per_document =
            Fraction::new(utilisation.downloads, utilisation.n_published_documents);
        utilisation.documents = usage
            .into_iter()
            .map(|row| DocumentUse {
                is_interpretation: interpretations.contains(&row.document_id),
                external_id: row.external_id,
                title: row.title,
                views: count(row.views),
                downloads: count(row.downloads),
                onward_to_application: count(row.onward_to_application),
            })
            .collect();
        utilisation.documents.sort_by(|a, b| {
            b.views
                .cmp(&a.views)
                .then(a.external_id.cmp(&b.external_id))
        });
        Ok((utilisation, interpretation))
    }

    /// The agency's figures for the public, with small-cell suppression (C14) at the k of the
    /// configuration.
    pub async fn public_performance(
        &self,
        agency_id: Uuid,
        year: i32,
    ) -> ServiceResult<PublicPerformance> {
        let report = self.performance(agency_id, year).await?;
        Ok(publish(&report, self.small_cell_threshold()))
    }
}

/// Adds one application's facts to a tally.
fn count_application(
    tally: &mut Tally,
    facts: &ApplicationFacts,
    year: i32,
    calendar: &gongkai_domain::calendar::WorkingDayCalendar,
    rating: Option<u64>,
    corrected_on_remedy: bool,
) {
    if facts.received_on.is_some_and(|d| d.year() == year) {
        tally.n_received += 1;
        if facts.correction_requested {
            tally.n_correction += 1;
        }
    }
    let Some(replied_on) = facts.replied_on.filter(|d| d.year() == year) else {
        return;
    };
    tally.n_replies += 1;
    match facts.reply_due_on {
        Some(due) => {
            tally.n_due_known += 1;
            if replied_on <= due {
                tally.n_on_time += 1;
            }
        }
        None => tally.n_due_unknown += 1,
    }
    if let Some(received_on) = facts.received_on {
        tally
            .working_days
            .push(calendar.working_days_between(received_on, replied_on));
    }
    if corrected_on_remedy {
        tally.n_corrected_on_remedy += 1;
    }
    if let Some(rating) = rating {
        tally.n_ratings += 1;
        tally.ratings_sum += rating;
    }
}

fn merge(into: &mut Tally, from: Tally) {
    into.n_received += from.n_received;
    into.n_correction += from.n_correction;
    into.n_replies += from.n_replies;
    into.n_on_time += from.n_on_time;
    into.n_due_known += from.n_due_known;
    into.n_due_unknown += from.n_due_unknown;
    into.working_days.extend(from.working_days);
    into.n_corrected_on_remedy += from.n_corrected_on_remedy;
    into.n_ratings += from.n_ratings;
    into.ratings_sum += from.ratings_sum;
}

/// The public form of a report at threshold k.
pub fn publish(report: &PerformanceReport, threshold: SmallCellThreshold) -> PublicPerformance {
    let figures = &report.agency;
    let ratings = suppress_count(figures.satisfaction.denominator, threshold);
    // A mean rating is not a share of people, so it is judged by how many ratings it averages.
    let satisfaction = if figures.satisfaction.denominator == 0 {
        ShownFraction::NoData
    } else if ratings.is_suppressed() {
        ShownFraction::Suppressed { k: threshold.k() }
    } else {
        ShownFraction::Shown(figures.satisfaction)
    };
    let received_counts: Vec<u64> = report
        .departments
        .iter()
        .map(|d| d.figures.n_received)
        .collect();
    let SuppressedRow { cells, total } = suppress_row(&received_counts, threshold);
    PublicPerformance {
        year: report.year,
        k: threshold.k(),
        received: suppress_count(figures.n_received, threshold),
        replies: suppress_count(figures.n_replies, threshold),
        on_time: suppress_fraction(figures.on_time, threshold),
        reply_working_days: suppress_durations(figures.reply_working_days, threshold),
        correction: suppress_fraction(figures.correction, threshold),
        corrected_on_remedy: suppress_fraction(figures.corrected_on_remedy, threshold),
        ratings,
        satisfaction,
        received_by_department: report
            .departments
            .iter()
            .zip(cells)
            .map(|(d, cell)| (d.name_zh.clone(), d.name_en.clone(), cell))
            .collect(),
        // The row's total is the agency's received count: if the row had to withhold it, the
        // headline figure goes too, or it would undo the row's protection.
        received_row_total: total,
        utilisation: report.utilisation.clone(),
        interpretation: report.interpretation.clone(),
        n_overdue: report.overdue.len() as u64,
    }
    .with_consistent_total()
}

impl PublicPerformance {
    fn with_consistent_total(mut self) -> PublicPerformance {
        if self.received_row_total.is_suppressed() {
            self.received = self.received_row_total;
        }
        self
    }
}
