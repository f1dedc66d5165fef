//! The annual report benchmark: an agency with many applications in one year (each with the
//! events a real one has: submitted, receipt confirmed and, for most, a reply drafted and
//! issued), remedies and published documents, then the whole report computed from the database
//! several times. Issue 8's target is a year of 100,000 applications reported in under 2 s.
//!
//! Rows and events are bulk-written through the store's own insert functions, so the report
//! reads exactly what the service would have written, without 100,000 trips through the
//! workflow.

use anyhow::Context;
use gongkai_domain::application::Event;
use gongkai_domain::application_form::ApplicantKind;
use gongkai_domain::reply::ReplyKind;
use gongkai_service::Services;
use gongkai_store::{ApplicationEventRow, ApplicationRow};
use std::time::Instant;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// Applications per bulk transaction.
const ROWS_PER_TRANSACTION: usize = 2_000;

/// What one run measured.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct ReportFigures {
    pub applications: usize,
    pub events: usize,
    pub fill_seconds: f64,
    /// Every timed computation of the report, in seconds, sorted.
    pub report_seconds: Vec<f64>,
    /// Reading the applications' four columns alone.
    pub read_applications_seconds: f64,
    /// Reading the report's events alone.
    pub read_events_seconds: f64,
    pub consistency_problems: usize,
    pub newly_received_total: u64,
}

/// The events of the `i`-th bulk application of `year`: received on a day spread over the
/// year; nine in ten answered (cycling through every reply kind) about four weeks later, the
/// rest still open at the year's end.
fn events_of(i: usize, year: i32) -> Vec<Event> {
    let first = Date::from_ordinal_date(year, 1).unwrap_or(Date::MIN);
    let received = first + Duration::days((i % 360) as i64);
    let mut events = vec![
        Event::Submitted { on: received },
        Event::ReceiptConfirmed {
            receipt_date: received,
        },
    ];
    if i % 10 != 9 {
        let kind = ReplyKind::ALL[i % ReplyKind::ALL.len()];
        let answered = received + Duration::days(28);
        events.push(Event::ReplyDrafted {
            on: answered,
            reply_kind: kind.row_code().to_string(),
            body: kind.template_zh().to_string(),
            withholds_information: kind.withholds_information(),
        });
        events.push(Event::ReplyIssued { on: answered });
    }
    events
}

/// Fills the agency with `applications` applications received in `year` and times the report
/// `runs` times.
pub(crate) async fn measure(
    services: &Services,
    agency_slug: &str,
    template_application: Uuid,
    applications: usize,
    year: i32,
    runs: usize,
) -> anyhow::Result<ReportFigures> {
    let agency = services
        .agency_by_slug(agency_slug)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let template = services
        .db
        .application_get(template_application)
        .await?
        .context("the template application is gone")?;
    let now = OffsetDateTime::now_utc();
    let started = Instant::now();
    let mut written = 0;
    let mut events_written = 0;
    while written < applications {
        let mut tx = services.db.begin().await?;
        let end = (written + ROWS_PER_TRANSACTION).min(applications);
        for i in written..end {
            let sequence = tx.next_receipt_sequence(agency.id, year).await?;
            let id = Uuid::now_v7();
            let row = ApplicationRow {
                id,
                idempotency_key: Some(format!("bench-report-{}", id.simple())),
                receipt_number: format!("{agency_slug}-{year}-{sequence:06}"),
                applicant_kind: ApplicantKind::ALL[i % ApplicantKind::ALL.len()]
                    .code()
                    .to_string(),
                created_at: now,
                updated_at: now,
                ..template.clone()
            };
            tx.application_insert(&row).await?;
            for (seq, event) in events_of(i, year).into_iter().enumerate() {
                tx.application_event_insert(&ApplicationEventRow {
                    id: Uuid::now_v7(),
                    application_id: id,
                    seq: seq as i64 + 1,
                    kind: event.kind().to_string(),
                    data: event.to_json(),
                    actor_id: None,
                    occurred_at: now,
                })
                .await?;
                events_written += 1;
            }
        }
        tx.commit().await?;
        written = end;
    }
    let fill_seconds = started.elapsed().as_secs_f64();
    let mut report_seconds = Vec::with_capacity(runs);
    let mut consistency_problems = 0;
    let mut newly_received_total = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let view = services
            .annual_report(None, agency.id, year)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // The page and the downloads need the layout and the keyed JSON too.
        let layout = view.report.layout();
        let keyed = view.report.keyed_json();
        report_seconds.push(started.elapsed().as_secs_f64());
        std::hint::black_box((&layout, &keyed));
        consistency_problems = view.report.problems.len();
        newly_received_total = view
            .report
            .table3
            .cell(gongkai_domain::report::Table3Row::NewlyReceived, 6);
    }
    report_seconds.sort_by(f64::total_cmp);
    // Where the time goes: the two reads on their own.
    let started = Instant::now();
    let rows = services.db.application_report_rows(agency.id).await?;
    let read_applications_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let events = services
        .db
        .application_event_data_of_agency(agency.id, &gongkai_service::REPORT_EVENT_KINDS)
        .await?;
    let read_events_seconds = started.elapsed().as_secs_f64();
    std::hint::black_box((rows.len(), events.len()));
    Ok(ReportFigures {
        read_applications_seconds,
        read_events_seconds,
        applications,
        events: events_written,
        fill_seconds,
        report_seconds,
        consistency_problems,
        newly_received_total,
    })
}

/// Prints the figures as a small table.
pub(crate) fn print(database: &str, figures: &ReportFigures) {
    let seconds = &figures.report_seconds;
    let median = seconds.get(seconds.len() / 2).copied().unwrap_or(0.0);
    println!("annual report benchmark ({database})");
    println!("  applications in the year   {:>10}", figures.applications);
    println!("  events stored              {:>10}", figures.events);
    println!(
        "  filled in                  {:>10.1} s",
        figures.fill_seconds
    );
    println!(
        "  report computed (min)      {:>10.3} s",
        seconds.first().copied().unwrap_or(0.0)
    );
    println!("  report computed (median)   {median:>10.3} s");
    println!(
        "  report computed (max)      {:>10.3} s",
        seconds.last().copied().unwrap_or(0.0)
    );
    println!(
        "  of which reading rows      {:>10.3} s",
        figures.read_applications_seconds
    );
    println!(
        "  of which reading events    {:>10.3} s",
        figures.read_events_seconds
    );
    println!(
        "  一、本年新收 总计          {:>10}",
        figures.newly_received_total
    );
    println!(
        "  consistency problems       {:>10}",
        figures.consistency_problems
    );
}
