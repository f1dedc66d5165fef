//! Development tool: measures the person-name detector and the default redaction policy on an
//! annotated JSONL file and prints the scores and the throughput.
//!
//! Each input line is `{"id":…,"text":…,"entities":[{"type","text","start","end"}]}` with
//! offsets in Unicode scalar values, end-exclusive (the shape of the Weibo NER development set
//! in `../shared/eval/`). `PER.NAM` entities are names the policy should redact; `PER.NOM`,
//! `ORG.*`, `GPE.*` and `LOC.*` are not personal data and must not be touched.
//!
//! Usage: `cargo run --release -p gongkai-domain --example ner_eval -- FILE [--errors]
//! [--predictions RUN.jsonl]`. With `--predictions`, the spans are read from the output of
//! `gongkai redact --jsonl FILE` (which adds the named-entity model's names when it is
//! installed) instead of being computed here with the rules alone, and no throughput is
//! measured.
//! `--errors` also prints the misses and the wrong redactions, for analysis only: names seen
//! there must never be copied into the dictionaries (the scores that count are measured on a
//! held-out set). This tool reads files and the clock, which the domain's `src` never does.

use std::process::ExitCode;
use std::time::Instant;

use gongkai_domain::redaction::{Category, RedactionSpan, spans_to_redact};

/// How long the throughput measurement runs, in seconds: long enough to average out noise on a
/// shared 2-core machine.
const THROUGHPUT_MEASUREMENT_SECONDS: f64 = 3.0;

struct Entity {
    kind: String,
    start: usize,
    end: usize,
}

struct Example {
    id: String,
    text: String,
    entities: Vec<Entity>,
}

fn parse_line(line: &str) -> Result<Example, String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let text = value["text"].as_str().ok_or("no text")?.to_owned();
    let id = match &value["id"] {
        serde_json::Value::String(id) => id.clone(),
        other => other.to_string(),
    };
    let mut entities = Vec::new();
    for entity in value["entities"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let offset = |key: &str| {
            entity[key]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or(format!("entity without {key}"))
        };
        entities.push(Entity {
            kind: entity["type"]
                .as_str()
                .ok_or("entity without type")?
                .to_owned(),
            start: offset("start")?,
            end: offset("end")?,
        });
    }
    Ok(Example { id, text, entities })
}

/// Reads the lines `{"id":…,"spans":[{"start","end","category"}]}` that `gongkai redact
/// --jsonl` prints, by id.
fn read_predictions(
    path: &str,
) -> Result<std::collections::HashMap<String, Vec<RedactionSpan>>, String> {
    let content = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut by_id = std::collections::HashMap::new();
    for (number, line) in content
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{path}:{}: {e}", number + 1))?;
        let id = match &value["id"] {
            serde_json::Value::String(id) => id.clone(),
            other => other.to_string(),
        };
        let mut spans = Vec::new();
        for span in value["spans"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let offset = |key: &str| {
                span[key]
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or(format!("{path}:{}: a span without {key}", number + 1))
            };
            let category = span["category"]
                .as_str()
                .and_then(Category::parse)
                .ok_or(format!(
                    "{path}:{}: a span without a known category",
                    number + 1
                ))?;
            spans.push(RedactionSpan {
                start: offset("start")?,
                end: offset("end")?,
                category,
                confidence_percent: 100,
                reason: String::new(),
                ground: gongkai_domain::redaction::Ground::PersonalPrivacy,
            });
        }
        by_id.insert(id, spans);
    }
    Ok(by_id)
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

fn slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_errors = args.iter().any(|a| a == "--errors");
    let predictions_path = args
        .iter()
        .position(|a| a == "--predictions")
        .and_then(|i| args.get(i + 1));
    // The file is the first argument that is neither a flag nor the value of --predictions.
    let Some(path) = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--predictions"))
        .map(|(_, a)| a)
    else {
        eprintln!("usage: ner_eval FILE.jsonl [--errors] [--predictions RUN.jsonl]");
        return ExitCode::from(2);
    };
    let predictions = match predictions_path.map(|p| read_predictions(p)) {
        None => None,
        Some(Ok(predictions)) => Some(predictions),
        Some(Err(error)) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let content = match std::fs::read_to_string(path) {
        Ok(content) => content,
        Err(error) => {
            eprintln!("cannot read {path}: {error}");
            return ExitCode::from(2);
        }
    };
    let mut examples = Vec::new();
    for (number, line) in content
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match parse_line(line) {
            Ok(example) => examples.push(example),
            Err(error) => {
                eprintln!("{path}:{}: {error}", number + 1);
                return ExitCode::from(2);
            }
        }
    }

    let mut gold_names = 0usize;
    let mut names_found_exactly = 0usize;
    let mut names_overlapped = 0usize;
    let mut predicted_person_spans = 0usize;
    let mut predicted_exactly_right = 0usize;
    let mut predicted_overlapping_a_name = 0usize;
    let mut non_person_entities = 0usize;
    let mut non_person_wrongly_redacted = 0usize;
    let mut spans_by_category = std::collections::BTreeMap::<&str, usize>::new();
    for example in &examples {
        let spans: Vec<RedactionSpan> = match &predictions {
            Some(predictions) => predictions.get(&example.id).cloned().unwrap_or_default(),
            None => spans_to_redact(&example.text),
        };
        for span in &spans {
            *spans_by_category.entry(span.category.code()).or_default() += 1;
        }
        let person_spans: Vec<(usize, usize)> = spans
            .iter()
            .filter(|s| s.category == Category::Person)
            .map(|s| (s.start, s.end))
            .collect();
        let names: Vec<(usize, usize)> = example
            .entities
            .iter()
            .filter(|e| e.kind == "PER.NAM")
            .map(|e| (e.start, e.end))
            .collect();
        for &name in &names {
            gold_names += 1;
            if person_spans.contains(&name) {
                names_found_exactly += 1;
            }
            if person_spans.iter().any(|&p| overlaps(p, name)) {
                names_overlapped += 1;
            } else if show_errors {
                println!(
                    "MISS  {} {}",
                    example.id,
                    slice(&example.text, name.0, name.1)
                );
            }
        }
        for &predicted in &person_spans {
            predicted_person_spans += 1;
            if names.contains(&predicted) {
                predicted_exactly_right += 1;
            }
            if names.iter().any(|&n| overlaps(n, predicted)) {
                predicted_overlapping_a_name += 1;
            } else if show_errors {
                println!(
                    "EXTRA {} {}",
                    example.id,
                    slice(&example.text, predicted.0, predicted.1)
                );
            }
        }
        for entity in example.entities.iter().filter(|e| e.kind != "PER.NAM") {
            non_person_entities += 1;
            if spans
                .iter()
                .any(|s| overlaps((s.start, s.end), (entity.start, entity.end)))
            {
                non_person_wrongly_redacted += 1;
                if show_errors {
                    println!(
                        "WRONG {} {} {}",
                        example.id,
                        entity.kind,
                        slice(&example.text, entity.start, entity.end)
                    );
                }
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    println!("file: {path} ({} texts)", examples.len());
    println!("person names (PER.NAM): {gold_names}");
    println!(
        "person recall, exact span:       {:.3} ({names_found_exactly}/{gold_names})",
        ratio(names_found_exactly, gold_names)
    );
    println!(
        "person recall, overlapping:      {:.3} ({names_overlapped}/{gold_names})",
        ratio(names_overlapped, gold_names)
    );
    println!(
        "person precision, exact span:    {:.3} ({predicted_exactly_right}/{predicted_person_spans})",
        ratio(predicted_exactly_right, predicted_person_spans)
    );
    println!(
        "person precision, overlapping:   {:.3} ({predicted_overlapping_a_name}/{predicted_person_spans})",
        ratio(predicted_overlapping_a_name, predicted_person_spans)
    );
    println!(
        "non-person entities wrongly redacted (ORG/GPE/LOC/PER.NOM): {:.3} ({non_person_wrongly_redacted}/{non_person_entities})",
        ratio(non_person_wrongly_redacted, non_person_entities)
    );
    println!("redacted spans by category: {spans_by_category:?}");

    // Throughput on one core: the whole file's texts, again and again, for a few seconds. The
    // first call builds the dictionaries and is left out.
    let total_bytes: usize = examples.iter().map(|e| e.text.len()).sum();
    if total_bytes > 0 && predictions.is_none() {
        let _ = spans_to_redact(&examples[0].text);
        let started = Instant::now();
        let mut bytes_processed = 0usize;
        let mut spans_found = 0usize;
        while started.elapsed().as_secs_f64() < THROUGHPUT_MEASUREMENT_SECONDS {
            for example in &examples {
                spans_found += spans_to_redact(&example.text).len();
            }
            bytes_processed += total_bytes;
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "throughput (spans_to_redact, one core, short texts): {:.1} MB/s ({bytes_processed} bytes in {seconds:.2} s, {spans_found} spans)",
            bytes_processed as f64 / seconds / 1e6
        );
        let joined: String = examples
            .iter()
            .map(|e| e.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let started = Instant::now();
        let mut bytes_processed = 0usize;
        while started.elapsed().as_secs_f64() < THROUGHPUT_MEASUREMENT_SECONDS {
            std::hint::black_box(spans_to_redact(&joined));
            bytes_processed += joined.len();
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "throughput (spans_to_redact, one core, one document of {} bytes): {:.1} MB/s",
            joined.len(),
            bytes_processed as f64 / seconds / 1e6
        );
    }
    ExitCode::SUCCESS
}
