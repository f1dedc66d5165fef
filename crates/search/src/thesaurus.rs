//! The editable query-expansion tables: colloquial Chinese to the formal words of laws
//! (老公 → 配偶, 工资 → 劳动报酬) and English to Chinese (administrative reconsideration → 行政复议).
//!
//! Expansion happens at query time only, so editing a table needs no reindex. The shipped
//! defaults (`data/thesaurus-zh.txt`, `data/glossary-en-zh.txt`) come from general knowledge of
//! government and legal language and from the corpus's own vocabulary; they must never be built
//! from evaluation questions or answers, because the held-out set would expose that as a gap.
//!
//! Format, one entry a line: `word => replacement, replacement`, `#` starts a comment line.
//! Several lines may share a left-hand side; their replacements add up.

use std::collections::HashMap;

use crate::SearchError;
use crate::normalize::normalize_text;

/// A left-hand side longer than this is refused: matching is by substring and a long key would
/// only ever match itself.
const ENTRY_KEY_MAX_CHARS: usize = 40;

/// The colloquial → formal table shipped with the crate.
pub const DEFAULT_THESAURUS_ZH: &str = include_str!("../data/thesaurus-zh.txt");
/// The English → Chinese glossary shipped with the crate.
pub const DEFAULT_GLOSSARY_EN_ZH: &str = include_str!("../data/glossary-en-zh.txt");

/// One expansion table, keys normalised like queries so that traditional or full-width input
/// still matches.
#[derive(Debug, Clone, Default)]
pub struct Thesaurus {
    replacements_by_key: HashMap<String, Vec<String>>,
    key_max_chars: usize,
}

/// A match of a table key in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    pub key: String,
    pub replacements: Vec<String>,
}

impl Thesaurus {
    /// Parses a table; every malformed line is reported with its 1-based number, at once.
    pub fn parse(text: &str) -> Result<Self, SearchError> {
        let mut thesaurus = Self::default();
        let mut problems = Vec::new();
        for (line_index, raw_line) in text.lines().enumerate() {
            let line = raw_line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((left, right)) = line.split_once("=>") else {
                problems.push(format!(
                    "line {}: expected `word => replacement`",
                    line_index + 1
                ));
                continue;
            };
            let key = normalize_text(left.trim());
            let replacements: Vec<String> = right
                .split([',', '，', '、'])
                .map(|word| normalize_text(word.trim()))
                .filter(|word| !word.is_empty())
                .collect();
            if key.is_empty() || replacements.is_empty() {
                problems.push(format!(
                    "line {}: empty word or replacement",
                    line_index + 1
                ));
                continue;
            }
            let key_chars = key.chars().count();
            if key_chars > ENTRY_KEY_MAX_CHARS {
                problems.push(format!(
                    "line {}: word longer than {ENTRY_KEY_MAX_CHARS} characters",
                    line_index + 1
                ));
                continue;
            }
            thesaurus.key_max_chars = thesaurus.key_max_chars.max(key_chars);
            let entry = thesaurus.replacements_by_key.entry(key).or_default();
            for replacement in replacements {
                if !entry.contains(&replacement) {
                    entry.push(replacement);
                }
            }
        }
        if problems.is_empty() {
            Ok(thesaurus)
        } else {
            Err(SearchError::Thesaurus(problems.join("; ")))
        }
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.replacements_by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.replacements_by_key.is_empty()
    }

    /// Every formal word of the table (the right-hand sides), for spelling suggestions.
    pub fn replacement_words(&self) -> impl Iterator<Item = &str> {
        self.replacements_by_key
            .values()
            .flatten()
            .map(String::as_str)
    }

    /// Finds the keys in a normalised query, longest first and without overlaps, scanning from
    /// the left. Keys made of ASCII letters match whole words only, so `tax` does not match
    /// inside `taxi`.
    pub fn find(&self, normalized_query: &str) -> Vec<Expansion> {
        let characters: Vec<char> = normalized_query.chars().collect();
        let mut expansions = Vec::new();
        let mut start = 0;
        while start < characters.len() {
            let longest = self.key_max_chars.min(characters.len() - start);
            let mut matched_length = 0;
            for length in (1..=longest).rev() {
                let end = start + length;
                let candidate: String = characters[start..end].iter().collect();
                let Some(replacements) = self.replacements_by_key.get(&candidate) else {
                    continue;
                };
                let ascii_key = candidate.is_ascii();
                let boundary_before = start == 0 || !characters[start - 1].is_ascii_alphanumeric();
                let boundary_after =
                    end == characters.len() || !characters[end].is_ascii_alphanumeric();
                if ascii_key && !(boundary_before && boundary_after) {
                    continue;
                }
                expansions.push(Expansion {
                    key: candidate,
                    replacements: replacements.clone(),
                });
                matched_length = length;
                break;
            }
            start += matched_length.max(1);
        }
        expansions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse() {
        let zh = Thesaurus::parse(DEFAULT_THESAURUS_ZH).expect("zh thesaurus");
        let en = Thesaurus::parse(DEFAULT_GLOSSARY_EN_ZH).expect("en glossary");
        assert!(zh.len() > 50 && en.len() > 50);
    }

    #[test]
    fn longest_match_first_and_whole_english_words() {
        let thesaurus = Thesaurus::parse("工资 => 劳动报酬\n拖欠工资 => 拖欠劳动报酬\ntax => 税\n")
            .expect("parse");
        let found = thesaurus.find("老板拖欠工资");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "拖欠工资");
        assert!(thesaurus.find("taxi driver").is_empty());
        assert_eq!(thesaurus.find("income tax")[0].replacements, vec!["税"]);
    }

    #[test]
    fn malformed_lines_are_all_reported() {
        let error = Thesaurus::parse("a => b\nbroken\n => x\n").expect_err("malformed");
        let message = error.to_string();
        assert!(
            message.contains("line 2") && message.contains("line 3"),
            "{message}"
        );
    }

    #[test]
    fn traditional_keys_match_simplified_queries() {
        let thesaurus = Thesaurus::parse("離婚 => 解除婚姻关系").expect("parse");
        assert_eq!(thesaurus.find("怎么离婚").len(), 1);
    }
}
