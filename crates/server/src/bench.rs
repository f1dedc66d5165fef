//! `gongkai bench`: the two figures the platform promises, measured on a fresh database.
//!
//! (a) Durable submissions per second: `Services::submit_application`, the same call the apply
//! page makes, with distinct idempotency keys from a number of concurrent tasks; a submission
//! counts when its transaction (application, first event, notice) has committed. (b) The staff
//! queue page with many applications stored: rows are bulk-written through the store's own
//! `Tx::application_insert` in large transactions, then `GET /staff/applications` is sent with
//! a clerk's session cookie through the real router (`gongkai_web::router`) in-process, and the
//! store query behind it is timed on its own as well, to tell SQL from rendering.
//!
//! The bench never touches the configured database: it creates a fresh SQLite file in a new
//! temporary directory (or a fresh PostgreSQL database, named `gongkai_test_bench_…` so that the
//! test cleanup drops a leftover, on the server of `--postgres-url` or of a configured
//! PostgreSQL `--database-url`) and removes it afterwards unless `--keep` is given. Logging is
//! not set up, so the figures hold no log formatting.

use crate::config::Resolved;
use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gongkai_domain::application::Stage;
use gongkai_domain::application_form::ApplicationInput;
use gongkai_domain::reply::ReplyKind;
use gongkai_service::{
    Actor, ApplicationRow, Clock, DEMO_PASSWORD, Db, QueueFilter, RequestOrigin, ServiceConfig,
    Services,
};
use gongkai_web::{AppState, SESSION_COOKIE, WebConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tower::ServiceExt;
use uuid::Uuid;

/// The targets of the issue: submissions on SQLite, and the queue page on either database.
const SUBMISSIONS_PER_SECOND_TARGET: f64 = 500.0;
const QUEUE_PAGE_P99_TARGET_MS: f64 = 50.0;
/// Untimed calls before each measurement, so that pool connections and caches are warm.
const WARMUP_CALLS: usize = 16;
/// Rows per bulk transaction: large enough to make commits rare, small enough to keep the
/// PostgreSQL transaction and the SQLite WAL modest.
const BULK_ROWS_PER_TRANSACTION: usize = 10_000;
/// Bulk rows are spread over this many past days (three years), newest last.
const BULK_SPAN_DAYS: i64 = 3 * 365;
/// What a queue page lists at most (the page asks the store for this many).
const QUEUE_PAGE_ROWS: i64 = 200;
/// The queue path and the agency the demo clerk works for.
const QUEUE_PATH: &str = "/staff/applications";
const AGENCY_SLUG: &str = "demo-city";
const APPLICANT_EMAIL: &str = "applicant@demo.gongkai.cn";
const CLERK_EMAIL: &str = "clerk@demo.gongkai.cn";

/// The options of `gongkai bench`.
#[derive(clap::Args, Debug)]
pub(crate) struct BenchArgs {
    /// Submissions to time (each with its own idempotency key).
    #[arg(long, default_value_t = 2000)]
    submissions: usize,
    /// Concurrent submitting tasks.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Applications stored before timing the staff queue page.
    #[arg(long, default_value_t = 100_000)]
    queue_rows: usize,
    /// Share of the stored applications still open (in the queue), in percent; the newest are
    /// the open ones. 100 is the worst case: every stored application waits in the queue.
    #[arg(long, default_value_t = 10)]
    open_percent: u8,
    /// Queue page requests to time.
    #[arg(long, default_value_t = 200)]
    queue_requests: usize,
    /// Run on a fresh database created (and dropped) on this PostgreSQL server instead of a
    /// fresh SQLite file.
    #[arg(long)]
    postgres_url: Option<String>,
    /// Where the fresh SQLite directory is made (default: the system temporary directory).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Keep the bench database afterwards and print where it is (for EXPLAIN and the like).
    #[arg(long)]
    keep: bool,
    /// Print the figures as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Measure the transparency log instead: appends per second inside transactions (one leaf
    /// per transaction and batched), proof latency and audit time at --log-leaves entries.
    #[arg(long)]
    log: bool,
    /// Measure the annual report instead: an agency with --report-applications applications
    /// received in one year (with their events), the whole report computed five times.
    #[arg(long)]
    annual_report: bool,
    /// Applications in the reported year for --annual-report.
    #[arg(long, default_value_t = 100_000)]
    report_applications: usize,
    /// Log entries for proof latency and the audit (the log is filled up to this size).
    #[arg(long, default_value_t = 1_000_000)]
    log_leaves: u64,
    /// Leaves per transaction in the batched append measurement.
    #[arg(long, default_value_t = 1_000)]
    log_batch: usize,
    /// Leaves appended while timing batched appends.
    #[arg(long, default_value_t = 100_000)]
    log_timed_appends: usize,
    /// Inclusion and consistency proofs to time (each).
    #[arg(long, default_value_t = 1_000)]
    log_proofs: usize,
    /// Skip the audit (it reads every entry and the record each names).
    #[arg(long)]
    log_skip_audit: bool,
    /// Fill the log beyond the timed appends by computing the stored hashes in this process
    /// and bulk-inserting entries and hashes (transactions of 50,000 leaves), instead of through
    /// the append path: for proof latency at 10,000,000 entries in minutes. The timed appends
    /// still go through the append path.
    #[arg(long)]
    log_fill_direct: bool,
    /// Time the proofs right after the fill, without first running the maintenance a bulk
    /// load triggers (VACUUM ANALYZE and CHECKPOINT on PostgreSQL, a WAL checkpoint on SQLite).
    #[arg(long)]
    log_no_settle: bool,
}

/// Latency figures of one measurement, in milliseconds.
#[derive(Debug, Clone, Copy)]
struct Latency {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

impl Latency {
    /// Nearest-rank percentiles of the samples.
    fn of(samples: &mut [Duration]) -> Latency {
        samples.sort_unstable();
        let rank = |p: f64| -> f64 {
            if samples.is_empty() {
                return 0.0;
            }
            let index = ((p / 100.0) * samples.len() as f64).ceil() as usize;
            let index = index.clamp(1, samples.len()) - 1;
            samples[index].as_secs_f64() * 1000.0
        };
        Latency {
            p50_ms: rank(50.0),
            p99_ms: rank(99.0),
            max_ms: rank(100.0),
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "p50_ms": round2(self.p50_ms),
            "p99_ms": round2(self.p99_ms),
            "max_ms": round2(self.max_ms),
        })
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

struct SubmissionFigures {
    count: usize,
    concurrency: usize,
    seconds: f64,
    per_second: f64,
    latency: Latency,
}

struct QueueFigures {
    stored: i64,
    open: usize,
    bulk_seconds: f64,
    requests: usize,
    rows_on_page: usize,
    page_bytes: usize,
    page: Latency,
    store_query: Latency,
}

/// Where the bench database lives, so it can be removed afterwards.
enum Place {
    Sqlite {
        dir: PathBuf,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl Place {
    fn label(&self) -> &'static str {
        match self {
            Place::Sqlite { .. } => "sqlite",
            Place::Postgres { .. } => "postgres",
        }
    }

    fn url(&self) -> &str {
        match self {
            Place::Sqlite { url, .. } | Place::Postgres { url, .. } => url,
        }
    }

    async fn create(args: &BenchArgs, resolved: &Resolved) -> anyhow::Result<Place> {
        let fresh = Uuid::new_v4().simple().to_string();
        let postgres_server = args.postgres_url.clone().or_else(|| {
            let configured = &resolved.database_url;
            (resolved.database_explicit
                && (configured.starts_with("postgres://")
                    || configured.starts_with("postgresql://")))
            .then(|| configured.clone())
        });
        if let Some(admin_url) = postgres_server {
            let name = format!("gongkai_test_bench_{fresh}");
            let admin = Db::connect(&admin_url).await.with_context(|| {
                format!("cannot reach {}", gongkai_store::redact_url(&admin_url))
            })?;
            admin.create_database_for_tests(&name).await?;
            admin.close().await;
            let url = replace_database_name(&admin_url, &name)?;
            Ok(Place::Postgres {
                admin_url,
                name,
                url,
            })
        } else {
            let parent = args.dir.clone().unwrap_or_else(std::env::temp_dir);
            let dir = parent.join(format!("gongkai-bench-{fresh}"));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let url = format!("sqlite://{}", dir.join("bench.sqlite").display());
            Ok(Place::Sqlite { dir, url })
        }
    }

    async fn remove(self) {
        match self {
            Place::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Place::Postgres {
                admin_url, name, ..
            } => {
                if let Ok(admin) = Db::connect(&admin_url).await {
                    if let Err(e) = admin.drop_database_for_tests(&name).await {
                        eprintln!("could not drop the bench database {name}: {e}");
                    }
                    admin.close().await;
                }
            }
        }
    }
}

/// The same server URL with another database name (the path), keeping any query string.
fn replace_database_name(url: &str, name: &str) -> anyhow::Result<String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").context("database URL without a scheme")? + 3;
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

/// Runs `gongkai bench` and prints the figures.
pub(crate) async fn run(resolved: &Resolved, args: BenchArgs) -> anyhow::Result<()> {
    if args.submissions == 0 || args.concurrency == 0 || args.queue_requests == 0 {
        bail!("--submissions, --concurrency and --queue-requests must be at least 1");
    }
    if args.open_percent > 100 {
        bail!("--open-percent is a percentage (0 to 100)");
    }
    if args.log {
        return run_log(resolved, &args).await;
    }
    if args.annual_report {
        return run_annual_report(resolved, &args).await;
    }
    let place = Place::create(&args, resolved).await?;
    let database = place.label();
    let outcome = measure(&place, &args).await;
    if args.keep {
        eprintln!(
            "the bench database was kept: {}",
            gongkai_store::redact_url(place.url())
        );
    } else {
        place.remove().await;
    }
    let (submissions, queue) = outcome?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report_json(database, &submissions, &queue))?
        );
    } else {
        print_table(database, &submissions, &queue);
    }
    Ok(())
}

/// The annual report benchmark (issue 8: a year of 100,000 applications in under 2 s).
async fn run_annual_report(resolved: &Resolved, args: &BenchArgs) -> anyhow::Result<()> {
    let place = Place::create(args, resolved).await?;
    let database = place.label();
    let outcome = async {
        let db = Db::connect(place.url()).await?;
        db.migrate().await?;
        let services = Services::new(db.clone(), Clock::System, ServiceConfig::default());
        services.seed_demo_if_empty().await?;
        let origin = RequestOrigin {
            address: "127.0.0.1".to_string(),
            user_agent: "gongkai bench".to_string(),
        };
        let applicant = services
            .login(APPLICANT_EMAIL, DEMO_PASSWORD, &origin)
            .await?
            .actor;
        let agency = services.agency_by_slug(AGENCY_SLUG).await?;
        let template = services
            .submit_application(
                &applicant,
                agency.id,
                &form(&description(0)),
                &format!("template-{}", Uuid::new_v4().simple()),
            )
            .await?;
        eprintln!(
            "annual report bench on a fresh {database} database: {} applications",
            args.report_applications
        );
        let figures = crate::bench_report::measure(
            &services,
            AGENCY_SLUG,
            template.id,
            args.report_applications,
            2025,
            5,
        )
        .await;
        db.close().await;
        figures
    }
    .await;
    if args.keep {
        eprintln!(
            "the bench database was kept: {}",
            gongkai_store::redact_url(place.url())
        );
    } else {
        place.remove().await;
    }
    let figures = outcome?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        crate::bench_report::print(database, &figures);
    }
    Ok(())
}

async fn measure(
    place: &Place,
    args: &BenchArgs,
) -> anyhow::Result<(SubmissionFigures, QueueFigures)> {
    let db = Db::connect(place.url()).await?;
    db.migrate().await?;
    let services = Services::new(db.clone(), Clock::System, ServiceConfig::default());
    services.seed_demo_if_empty().await?;
    let origin = RequestOrigin {
        address: "127.0.0.1".to_string(),
        user_agent: "gongkai bench".to_string(),
    };
    let applicant = services
        .login(APPLICANT_EMAIL, DEMO_PASSWORD, &origin)
        .await?
        .actor;
    let clerk = services.login(CLERK_EMAIL, DEMO_PASSWORD, &origin).await?;
    let agency = services.agency_by_slug(AGENCY_SLUG).await?;
    eprintln!(
        "bench on a fresh {} database: {} submissions, then {} stored applications",
        place.label(),
        args.submissions,
        args.queue_rows
    );
    let submissions = measure_submissions(&services, &applicant, agency.id, args).await?;
    let queue = measure_queue(
        &services,
        &applicant,
        &clerk.actor,
        &clerk.token,
        agency.id,
        &agency.slug,
        args,
    )
    .await;
    db.close().await;
    Ok((submissions, queue?))
}

/// A valid Art. 29 application; the description varies so that rows are not identical.
fn form(description: &str) -> ApplicationInput<'_> {
    ApplicationInput {
        applicant_kind: "natural_person",
        name: "张明",
        identity_kind: "resident_id_card",
        identity_number: "11010519491231002X",
        organisation_code: "",
        legal_representative: "",
        contact_phone: "13800138000",
        contact_email: "zhangming@example.cn",
        postal_address: "",
        information_description: description,
        document_number: "",
        purpose: "",
        form_preference: "electronic",
        delivery_preference: "portal_download",
    }
}

fn description(i: usize) -> String {
    format!("请公开《示范市2025年公共停车场建设规划》全文及其第{i}号附件")
}

async fn measure_submissions(
    services: &Services,
    applicant: &Actor,
    agency_id: Uuid,
    args: &BenchArgs,
) -> anyhow::Result<SubmissionFigures> {
    let run_id = Uuid::new_v4().simple().to_string();
    for i in 0..WARMUP_CALLS {
        let text = description(i);
        services
            .submit_application(
                applicant,
                agency_id,
                &form(&text),
                &format!("warm-{run_id}-{i}"),
            )
            .await?;
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.concurrency);
    for _ in 0..args.concurrency {
        let services = services.clone();
        let applicant = applicant.clone();
        let next = next.clone();
        let total = args.submissions;
        let run_id = run_id.clone();
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let text = description(i);
                let key = format!("bench-{run_id}-{i}");
                let t = Instant::now();
                let row = services
                    .submit_application(&applicant, agency_id, &form(&text), &key)
                    .await?;
                samples.push(t.elapsed());
                if row.idempotency_key.as_deref()
                    != Some(&format!("{}:{key}", applicant.account_id))
                {
                    bail!("submission {i} answered with another application");
                }
            }
            Ok::<_, anyhow::Error>(samples)
        }));
    }
    let mut samples = Vec::with_capacity(args.submissions);
    for task in tasks {
        samples.extend(task.await.context("a submitting task panicked")??);
    }
    let seconds = started.elapsed().as_secs_f64();
    let stored = services.db.application_count().await?;
    let expected = (args.submissions + WARMUP_CALLS) as i64;
    if stored != expected {
        bail!("{stored} applications stored after {expected} distinct submissions");
    }
    Ok(SubmissionFigures {
        count: args.submissions,
        concurrency: args.concurrency,
        seconds,
        per_second: args.submissions as f64 / seconds,
        latency: Latency::of(&mut samples),
    })
}

/// Open stages in the order bulk rows cycle through them.
const OPEN_STAGES: [Stage; 8] = [
    Stage::Submitted,
    Stage::Received,
    Stage::CorrectionRequested,
    Stage::Accepted,
    Stage::InHandling,
    Stage::ReplyDrafted,
    Stage::InReview,
    Stage::ReviewApproved,
];
/// Closed stages, weighted: most finished applications end archived.
const CLOSED_STAGES: [Stage; 10] = [
    Stage::Archived,
    Stage::Archived,
    Stage::Archived,
    Stage::Archived,
    Stage::Archived,
    Stage::Archived,
    Stage::Delivered,
    Stage::Issued,
    Stage::Abandoned,
    Stage::Withdrawn,
];

/// The `i`-th of `total` bulk applications: created over the last three years, the newest
/// `open` ones still in an open stage with a reply due 28 days after receipt (about twenty
/// working days), the others closed.
fn bulk_row(
    template: &ApplicationRow,
    i: usize,
    total: usize,
    open: usize,
    now: OffsetDateTime,
) -> ApplicationRow {
    let span_seconds = BULK_SPAN_DAYS * 86_400;
    let age_seconds = span_seconds * (total - i) as i64 / total.max(1) as i64;
    let created_at = now - time::Duration::seconds(age_seconds);
    let china = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let created_day = created_at.to_offset(china).date();
    let is_open = i >= total - open;
    let stage = if is_open {
        OPEN_STAGES[i % OPEN_STAGES.len()]
    } else {
        CLOSED_STAGES[i % CLOSED_STAGES.len()]
    };
    let received = stage != Stage::Submitted;
    let receipt_date = received.then_some(created_day);
    let reply_due_date = (received && stage != Stage::CorrectionRequested)
        .then(|| created_day + time::Duration::days(28));
    let replied = matches!(stage, Stage::Issued | Stage::Delivered | Stage::Archived);
    ApplicationRow {
        id: Uuid::now_v7(),
        idempotency_key: template
            .applicant_account_id
            .map(|account| format!("{account}:bulk-{}-{i}", template.id.simple())),
        information_description: description(i),
        stage: stage.code().to_string(),
        receipt_date,
        reply_due_date,
        reply_kind: replied.then(|| ReplyKind::Disclosed.row_code().to_string()),
        version: if received { 1 } else { 0 },
        created_at,
        updated_at: created_at,
        ..template.clone()
    }
}

async fn measure_queue(
    services: &Services,
    applicant: &Actor,
    clerk: &Actor,
    clerk_session_token: &str,
    agency_id: Uuid,
    agency_slug: &str,
    args: &BenchArgs,
) -> anyhow::Result<QueueFigures> {
    // One real submission gives a row whose form columns every bulk row copies.
    let template = services
        .submit_application(
            applicant,
            agency_id,
            &form(&description(0)),
            &format!("template-{}", Uuid::new_v4().simple()),
        )
        .await?;
    let already = services.db.application_count().await? as usize;
    let total = args.queue_rows.saturating_sub(already);
    let open = total * usize::from(args.open_percent) / 100;
    let now = services.clock.now();
    let started = Instant::now();
    let mut written = 0;
    while written < total {
        let mut tx = services.db.begin().await?;
        let end = (written + BULK_ROWS_PER_TRANSACTION).min(total);
        for i in written..end {
            let mut row = bulk_row(&template, i, total, open, now);
            let year = row
                .created_at
                .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC))
                .year();
            // The real counter numbers the rows, so they never collide with submissions.
            let sequence = tx.next_receipt_sequence(agency_id, year).await?;
            row.receipt_number = format!("{agency_slug}-{year}-{sequence:05}");
            tx.application_insert(&row).await?;
        }
        tx.commit().await?;
        written = end;
    }
    let bulk_seconds = started.elapsed().as_secs_f64();
    let stored = services.db.application_count().await?;

    let state = AppState::new(services.clone(), WebConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("cannot start the web layer: {e}"))?;
    let router = gongkai_web::router(state);
    // A fixed CSRF seed cookie, as a browser would send back, so no response sets a new one.
    let cookie = format!(
        "{SESSION_COOKIE}={clerk_session_token}; gk_csrf={}",
        "0".repeat(64)
    );
    let get_page = || async {
        let request = Request::get(QUEUE_PATH)
            .header(header::COOKIE, &cookie)
            .header(header::USER_AGENT, "gongkai bench")
            .body(Body::empty())?;
        let response = router.clone().oneshot(request).await?;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        if status != StatusCode::OK {
            bail!("{QUEUE_PATH} answered {status}");
        }
        Ok::<_, anyhow::Error>(body)
    };
    for _ in 0..WARMUP_CALLS {
        get_page().await?;
    }
    let mut page_samples = Vec::with_capacity(args.queue_requests);
    let mut rows_on_page = 0;
    let mut page_bytes = 0;
    for _ in 0..args.queue_requests {
        let t = Instant::now();
        let body = get_page().await?;
        page_samples.push(t.elapsed());
        let text = String::from_utf8_lossy(&body);
        rows_on_page = text.matches("href=\"/applications/").count();
        page_bytes = body.len();
    }
    // The store query behind the page, with the same filter, to tell SQL from rendering.
    let open_stages: Vec<String> = Stage::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(|s| s.code().to_string())
        .collect();
    let filter = QueueFilter {
        stages: open_stages,
        limit: QUEUE_PAGE_ROWS,
        ..QueueFilter::default()
    };
    let mut query_samples = Vec::with_capacity(args.queue_requests);
    for _ in 0..args.queue_requests {
        let t = Instant::now();
        let rows = services.application_queue(clerk, filter.clone()).await?;
        query_samples.push(t.elapsed());
        if rows.is_empty() && open > 0 {
            bail!("the queue came back empty");
        }
    }
    Ok(QueueFigures {
        stored,
        // The submissions of part (a) wait in the queue too: they are all still `submitted`.
        open: open + already,
        bulk_seconds,
        requests: args.queue_requests,
        rows_on_page,
        page_bytes,
        page: Latency::of(&mut page_samples),
        store_query: Latency::of(&mut query_samples),
    })
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn print_table(database: &str, s: &SubmissionFigures, q: &QueueFigures) {
    let submission_target = if database == "sqlite" {
        format!(
            "≥ {SUBMISSIONS_PER_SECOND_TARGET:.0}/s: {}",
            verdict(s.per_second >= SUBMISSIONS_PER_SECOND_TARGET)
        )
    } else {
        "(target set for SQLite)".to_string()
    };
    println!("gongkai bench — {database}, {} CPUs", cpus());
    println!();
    println!(
        "durable submissions   {} with {} concurrent tasks in {:.2} s",
        s.count, s.concurrency, s.seconds
    );
    println!(
        "  throughput          {:>9.1} /s      {submission_target}",
        s.per_second
    );
    println!(
        "  latency p50 / p99   {:>6.2} / {:.2} ms (max {:.2} ms)",
        s.latency.p50_ms, s.latency.p99_ms, s.latency.max_ms
    );
    println!();
    println!(
        "staff queue page      {} stored, {} open; {} rows on the page ({} bytes)",
        q.stored, q.open, q.rows_on_page, q.page_bytes
    );
    println!(
        "  bulk insert         {:.2} s ({:.0} rows/s)",
        q.bulk_seconds,
        (q.stored as f64) / q.bulk_seconds.max(f64::EPSILON)
    );
    println!(
        "  page p50 / p99      {:>6.2} / {:.2} ms (max {:.2} ms, {} requests)   p99 < {QUEUE_PAGE_P99_TARGET_MS:.0} ms: {}",
        q.page.p50_ms,
        q.page.p99_ms,
        q.page.max_ms,
        q.requests,
        verdict(q.page.p99_ms < QUEUE_PAGE_P99_TARGET_MS)
    );
    println!(
        "  store query p50/p99 {:>6.2} / {:.2} ms (max {:.2} ms)",
        q.store_query.p50_ms, q.store_query.p99_ms, q.store_query.max_ms
    );
}

fn report_json(database: &str, s: &SubmissionFigures, q: &QueueFigures) -> serde_json::Value {
    serde_json::json!({
        "database": database,
        "cpus": cpus(),
        "submissions": {
            "count": s.count,
            "concurrency": s.concurrency,
            "seconds": round2(s.seconds),
            "per_second": round2(s.per_second),
            "latency": s.latency.json(),
            "target_per_second": SUBMISSIONS_PER_SECOND_TARGET,
            "target_met": database != "sqlite" || s.per_second >= SUBMISSIONS_PER_SECOND_TARGET,
        },
        "queue": {
            "stored": q.stored,
            "open": q.open,
            "bulk_seconds": round2(q.bulk_seconds),
            "requests": q.requests,
            "rows_on_page": q.rows_on_page,
            "page_bytes": q.page_bytes,
            "page": q.page.json(),
            "store_query": q.store_query.json(),
            "target_p99_ms": QUEUE_PAGE_P99_TARGET_MS,
            "target_met": q.page.p99_ms < QUEUE_PAGE_P99_TARGET_MS,
        },
    })
}

fn cpus() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
}

/// The transparency log's targets (issue 6, "Done means").
const LOG_APPENDS_PER_SECOND_TARGET: f64 = 5_000.0;
const LOG_PROOF_P99_TARGET_MS: f64 = 1.0;
const LOG_AUDIT_SECONDS_PER_MILLION_TARGET: f64 = 60.0;
/// Documents published before filling the log; their real leaves are repeated to fill it, so
/// that the audit looks up a real record for every entry, as it would in production.
const LOG_DOCUMENTS: usize = 100;
/// Leaves per transaction while filling the log up to --log-leaves (untimed as a target).
const LOG_FILL_BATCH: usize = 10_000;
/// Appends timed one leaf per transaction, the way a single publication appends.
const LOG_SINGLE_APPENDS: usize = 2_000;

struct LogFigures {
    single_per_second: f64,
    batched_per_second: f64,
    batch: usize,
    timed_appends: usize,
    fill_per_second: f64,
    size: u64,
    inclusion: Latency,
    consistency: Latency,
    tree_head: Latency,
    audit: Option<(f64, u64, usize)>,
}

/// SplitMix64: a fixed, reproducible sequence of positions to prove, without a random crate.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn law_line(n: usize) -> String {
    serde_json::json!({
        "id": format!("bench-log-{n:05}"), "title": format!("存证基准示范条例第{n}号"),
        "issuer": "国务院", "date": "2020-01-01", "valid_from": null, "level": "行政法规",
        "category": "行政法规", "expired": false, "header": ["公布日期"],
        "body": format!("第一条 为了测量透明日志，制定本条例。\n\n第二条 第{n}号。"),
    })
    .to_string()
}

/// Runs `gongkai bench --log` on a fresh database and prints the figures.
async fn run_log(resolved: &Resolved, args: &BenchArgs) -> anyhow::Result<()> {
    if args.log_batch == 0 || args.log_proofs == 0 || args.log_leaves == 0 {
        bail!("--log-batch, --log-proofs and --log-leaves must be at least 1");
    }
    let place = Place::create(args, resolved).await?;
    let database = place.label();
    let outcome = measure_log(&place, args).await;
    if args.keep {
        eprintln!(
            "the bench database was kept: {}",
            gongkai_store::redact_url(place.url())
        );
    } else {
        place.remove().await;
    }
    let figures = outcome?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&log_report_json(database, &figures))?
        );
    } else {
        print_log_table(database, &figures);
    }
    Ok(())
}

async fn measure_log(place: &Place, args: &BenchArgs) -> anyhow::Result<LogFigures> {
    let db = Db::connect(place.url()).await?;
    db.migrate().await?;
    let services = Services::new(db.clone(), Clock::System, ServiceConfig::default());
    services.seed_demo_if_empty().await?;
    let lines: Vec<std::io::Result<String>> = (0..LOG_DOCUMENTS).map(|n| Ok(law_line(n))).collect();
    services
        .import_laws_jsonl(AGENCY_SLUG, lines.into_iter())
        .await
        .map_err(|e| anyhow::anyhow!("importing the bench documents: {e}"))?;
    // The real leaves of the published documents, repeated to fill the log.
    let mut templates = Vec::new();
    let mut start = 0;
    loop {
        let page = services.log_entries(start, 1000).await?;
        let Some(&(last, _)) = page.last() else { break };
        templates.extend(page.into_iter().map(|(_, data)| data).filter(|data| {
            gongkai_domain::tlog::parse_leaf(data)
                .is_ok_and(|leaf| leaf.kind == "document_version_published")
        }));
        start = last + 1;
    }
    if templates.is_empty() {
        bail!("the bench documents wrote no log entries");
    }
    let mut next_template = 0usize;
    let mut next_leaves = |count: usize| -> Vec<Vec<u8>> {
        (0..count)
            .map(|_| {
                next_template = (next_template + 1) % templates.len();
                templates[next_template].clone()
            })
            .collect()
    };
    eprintln!(
        "log bench on a fresh {} database: {} single appends, {} batched by {}, fill to {} entries",
        place.label(),
        LOG_SINGLE_APPENDS,
        args.log_timed_appends,
        args.log_batch,
        args.log_leaves
    );

    // (a) Appends inside transactions: one leaf per transaction, then batched.
    let started = Instant::now();
    for leaf in next_leaves(LOG_SINGLE_APPENDS) {
        services.append_log_leaves_for_bench(&[leaf]).await?;
    }
    let single_per_second = LOG_SINGLE_APPENDS as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut appended = 0;
    while appended < args.log_timed_appends {
        let count = args.log_batch.min(args.log_timed_appends - appended);
        services
            .append_log_leaves_for_bench(&next_leaves(count))
            .await?;
        appended += count;
    }
    let batched_per_second = appended as f64 / started.elapsed().as_secs_f64().max(f64::EPSILON);

    // Fill the log up to the size at which proofs and the audit are measured.
    let started = Instant::now();
    let mut size = services.tree_head().await?.size;
    let size_before_fill = size;
    let mut last_report = Instant::now();
    let mut frontier = if args.log_fill_direct {
        Some(services.log_frontier_for_bench(size).await?)
    } else {
        None
    };
    while size < args.log_leaves {
        if let Some(frontier) = frontier.as_mut() {
            let count = LOG_FILL_DIRECT_BATCH.min((args.log_leaves - size) as usize);
            fill_direct(&db, frontier, &next_leaves(count)).await?;
            size += count as u64;
        } else {
            let count = LOG_FILL_BATCH.min((args.log_leaves - size) as usize);
            services
                .append_log_leaves_for_bench(&next_leaves(count))
                .await?;
            size += count as u64;
        }
        if last_report.elapsed() > Duration::from_secs(30) {
            eprintln!("  filled to {size} entries");
            last_report = Instant::now();
        }
    }
    let fill_per_second =
        (size - size_before_fill) as f64 / started.elapsed().as_secs_f64().max(f64::EPSILON);

    // (b) Proof latency at this size, each proof checked against the root afterwards. A log
    // grows by a few entries a second in service, not by a million in twenty seconds: the
    // maintenance a bulk load triggers (PostgreSQL's autovacuum and checkpoint) is run to its
    // end first, so that it is not timed as proof latency (`--log-no-settle` times it).
    if !args.log_no_settle {
        db.settle_log_after_bulk_load().await?;
    }
    let head = services.tree_head().await?;
    let mut state = 0x5eed_u64;
    let mut inclusion = Vec::with_capacity(args.log_proofs);
    let mut consistency = Vec::with_capacity(args.log_proofs);
    let mut tree_head = Vec::with_capacity(args.log_proofs);
    for _ in 0..WARMUP_CALLS {
        services.inclusion_proof(0, head.size).await?;
    }
    for _ in 0..args.log_proofs {
        let index = splitmix64(&mut state) % head.size;
        let started = Instant::now();
        let proof = services.inclusion_proof(index, head.size).await?;
        inclusion.push(started.elapsed());
        let data = services.log_entries(index as i64, 1).await?;
        let leaf = data.first().context("an entry to prove")?;
        gongkai_domain::tlog::check_record(
            &gongkai_domain::tlog::RecordProof(proof),
            head.size,
            head.root,
            index,
            gongkai_domain::tlog::record_hash(&leaf.1),
        )
        .context("an inclusion proof did not verify")?;

        let old_size = 1 + splitmix64(&mut state) % head.size;
        let started = Instant::now();
        let proof = services.consistency_proof(old_size, head.size).await?;
        consistency.push(started.elapsed());
        let _ = proof;

        let started = Instant::now();
        services.tree_head().await?;
        tree_head.push(started.elapsed());
    }

    // (c) The audit over the whole log.
    let audit = if args.log_skip_audit {
        None
    } else {
        eprintln!("  auditing {} entries", head.size);
        let started = Instant::now();
        let report = services.audit().await?;
        Some((
            started.elapsed().as_secs_f64(),
            report.entries,
            report.findings.len(),
        ))
    };
    db.close().await;
    Ok(LogFigures {
        single_per_second,
        batched_per_second,
        batch: args.log_batch,
        timed_appends: appended,
        fill_per_second,
        size: head.size,
        inclusion: Latency::of(&mut inclusion),
        consistency: Latency::of(&mut consistency),
        tree_head: Latency::of(&mut tree_head),
        audit,
    })
}

/// Leaves per transaction of `--log-fill-direct`.
const LOG_FILL_DIRECT_BATCH: usize = 50_000;

/// Appends `leaves` with hashes computed by `frontier`, in one transaction, through the store's
/// bulk insert (no lock, size or hash reads: the bench is the only writer).
async fn fill_direct(
    db: &Db,
    frontier: &mut gongkai_domain::tlog::TreeFrontier,
    leaves: &[Vec<u8>],
) -> anyhow::Result<()> {
    let mut entries = Vec::with_capacity(leaves.len());
    let mut hashes = Vec::with_capacity(leaves.len() * 2);
    for leaf in leaves {
        let n = frontier.size();
        let first = gongkai_domain::tlog::stored_hash_index(0, n);
        for (index, hash) in (first..).zip(frontier.append(leaf)?) {
            hashes.push((index as i64, hash.0.to_vec()));
        }
        let document = gongkai_domain::tlog::parse_leaf(leaf)
            .ok()
            .and_then(|fields| gongkai_domain::tlog::document_of_leaf(&fields).map(str::to_owned));
        entries.push(gongkai_store::TlogEntryInsert {
            entry_index: n as i64,
            data: leaf.clone(),
            document_external_id: document,
        });
    }
    let mut tx = db.begin().await?;
    tx.tlog_insert_many(&entries, &hashes, OffsetDateTime::now_utc())
        .await?;
    tx.commit().await?;
    Ok(())
}

fn audit_seconds_per_million(seconds: f64, entries: u64) -> f64 {
    seconds * 1_000_000.0 / (entries.max(1) as f64)
}

fn print_log_table(database: &str, f: &LogFigures) {
    println!("gongkai bench --log — {database}, {} CPUs", cpus());
    println!();
    println!(
        "appends, 1 leaf per transaction   {:>10.1} /s",
        f.single_per_second
    );
    println!(
        "appends, {} leaves per transaction {:>9.1} /s  ({} leaves)   ≥ {LOG_APPENDS_PER_SECOND_TARGET:.0}/s: {}",
        f.batch,
        f.batched_per_second,
        f.timed_appends,
        verdict(f.batched_per_second >= LOG_APPENDS_PER_SECOND_TARGET)
    );
    println!(
        "fill, {LOG_FILL_BATCH} leaves per transaction {:>8.1} /s",
        f.fill_per_second
    );
    println!();
    println!("at {} entries:", f.size);
    for (label, latency) in [
        ("inclusion proof ", &f.inclusion),
        ("consistency proof", &f.consistency),
    ] {
        println!(
            "  {label} p50 / p99 {:>6.3} / {:.3} ms (max {:.3} ms)   p99 < {LOG_PROOF_P99_TARGET_MS:.0} ms: {}",
            latency.p50_ms,
            latency.p99_ms,
            latency.max_ms,
            verdict(latency.p99_ms < LOG_PROOF_P99_TARGET_MS)
        );
    }
    println!(
        "  tree head (root)  p50 / p99 {:>6.3} / {:.3} ms",
        f.tree_head.p50_ms, f.tree_head.p99_ms
    );
    match f.audit {
        Some((seconds, entries, findings)) => {
            let per_million = audit_seconds_per_million(seconds, entries);
            println!(
                "  audit             {seconds:.1} s for {entries} entries ({findings} findings): {per_million:.1} s per 1,000,000   < {LOG_AUDIT_SECONDS_PER_MILLION_TARGET:.0} s: {}",
                verdict(per_million < LOG_AUDIT_SECONDS_PER_MILLION_TARGET)
            );
        }
        None => println!("  audit             skipped"),
    }
}

fn log_report_json(database: &str, f: &LogFigures) -> serde_json::Value {
    serde_json::json!({
        "database": database,
        "cpus": cpus(),
        "appends": {
            "single_per_second": round2(f.single_per_second),
            "batched_per_second": round2(f.batched_per_second),
            "batch": f.batch,
            "timed_appends": f.timed_appends,
            "fill_per_second": round2(f.fill_per_second),
            "target_per_second": LOG_APPENDS_PER_SECOND_TARGET,
        },
        "size": f.size,
        "inclusion_proof": f.inclusion.json(),
        "consistency_proof": f.consistency.json(),
        "tree_head": f.tree_head.json(),
        "audit": f.audit.map(|(seconds, entries, findings)| serde_json::json!({
            "seconds": round2(seconds),
            "entries": entries,
            "findings": findings,
            "seconds_per_million": round2(audit_seconds_per_million(seconds, entries)),
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let l = Latency::of(&mut samples);
        assert_eq!((l.p50_ms, l.p99_ms, l.max_ms), (50.0, 99.0, 100.0));
        let mut one = vec![Duration::from_millis(7)];
        assert_eq!(Latency::of(&mut one).p99_ms, 7.0);
    }

    #[test]
    fn database_name_is_replaced_and_the_query_kept() -> anyhow::Result<()> {
        assert_eq!(
            replace_database_name("postgres://u@h:5432/postgres?sslmode=disable", "x")?,
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            replace_database_name("postgres://h", "x")?,
            "postgres://h/x"
        );
        Ok(())
    }
}
