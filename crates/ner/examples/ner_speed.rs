//! Measures how fast `LacModel::tag` runs, in characters per second, on one core.
//!
//! Usage: `cargo run --release -p gongkai-ner --example ner_speed -- MODEL_DIR [TEXT_FILE]`
//! with MODEL_DIR the folder printed by `scripts/install-redaction-model.sh`. Without a text
//! file it tags a built-in mix of government-letter and casual sentences, repeated to about
//! 100 000 characters. It prints the load time, the tagging speed and the number of person,
//! place and organisation words found.
//!
//! This is a benchmark aid, never a test: timings belong in docs/benchmarks.md, not in asserts.

use std::error::Error;
use std::time::Instant;

use gongkai_ner::{LacModel, MODEL_FILE_NAMES};

const SAMPLE_SENTENCES: [&str; 6] = [
    "申请人张伟，住址北京市海淀区中关村大街27号，联系电话13800138000。",
    "经审查，你单位于2023年5月12日提交的政府信息公开申请已收悉。",
    "上海市浦东新区人民政府办公室关于王秀英同志任职的通知\n",
    "昨天我和小刘去成都吃火锅，太辣了！",
    "根据《中华人民共和国政府信息公开条例》第三十六条第三项的规定，现答复如下：",
    "被申请人：湖南省长沙市岳麓区住房和城乡建设局；复议机关：长沙市人民政府。",
];

const SAMPLE_LENGTH_CHARS: usize = 100_000;

fn main() -> Result<(), Box<dyn Error>> {
    let mut arguments = std::env::args().skip(1);
    let model_dir = arguments
        .next()
        .ok_or("usage: ner_speed MODEL_DIR [TEXT_FILE]")?;
    let text = match arguments.next() {
        Some(path) => std::fs::read_to_string(path)?,
        None => {
            let mut text = String::new();
            for sentence in SAMPLE_SENTENCES.iter().cycle() {
                if text.chars().count() >= SAMPLE_LENGTH_CHARS {
                    break;
                }
                text.push_str(sentence);
            }
            text
        }
    };

    let load_started = Instant::now();
    let read = |name: &str| std::fs::read(std::path::Path::new(&model_dir).join(name));
    let [encoder, transitions, word_dic, tag_dic, q2b_dic] = MODEL_FILE_NAMES;
    let model = LacModel::from_parts(
        &read(encoder)?,
        &read(transitions)?,
        &String::from_utf8(read(word_dic)?)?,
        &String::from_utf8(read(tag_dic)?)?,
        &String::from_utf8(read(q2b_dic)?)?,
    )?;
    let load_seconds = load_started.elapsed().as_secs_f64();

    // One short warm-up call so that the measured run does not include first-touch page faults
    // of the weights.
    model.tag(SAMPLE_SENTENCES[0]);
    let characters = text.chars().count();
    let tag_started = Instant::now();
    let words = model.tag(&text);
    let tag_seconds = tag_started.elapsed().as_secs_f64();

    let entities = words
        .iter()
        .filter(|word| matches!(word.tag.as_str(), "PER" | "LOC" | "ORG"))
        .count();
    println!("model loaded in {load_seconds:.2} s");
    println!(
        "{characters} characters in {tag_seconds:.3} s: {:.0} chars/s, {} words, {entities} PER/LOC/ORG",
        characters as f64 / tag_seconds,
        words.len()
    );
    Ok(())
}
