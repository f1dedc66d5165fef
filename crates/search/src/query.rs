//! Query understanding: normalisation, filler-word removal, colloquial and English expansion,
//! and the weighted words the ranking query is built from.
//!
//! A person types a question (夫妻一方欠的钱谁来还？); the index holds legal text. This module
//! keeps the words that name the matter, adds the formal words the thesaurus knows for the
//! colloquial ones, and never turns several words into a phrase that must appear verbatim,
//! because jieba may cut the question differently from the law.

use std::collections::HashSet;

use jieba_rs::Jieba;

use crate::analyzer::jieba_words;
use crate::normalize::{is_cjk, normalize_text};
use crate::thesaurus::Thesaurus;

/// Queries are cut to this many characters: longer input is a pasted text, and every extra
/// word costs ranking time.
pub const QUERY_MAX_CHARS: usize = 200;

const DEFAULT_FILLER_WORDS: &str = include_str!("../data/filler-words.txt");

/// Where a query word came from; expansions weigh less than what the person typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordOrigin {
    Typed,
    Thesaurus,
    Glossary,
}

/// One word of the ranking query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    pub text: String,
    pub origin: WordOrigin,
    /// A factor on top of the origin's weight (expansion words share one unit per replacement).
    pub weight: f32,
}

/// The result of query understanding.
#[derive(Debug, Clone, Default)]
pub struct AnalyzedQuery {
    /// The query after normalisation (simplified, half-width, lower case), cut to
    /// [`QUERY_MAX_CHARS`].
    pub normalized: String,
    /// The words to rank with, each once, typed words first.
    pub words: Vec<QueryWord>,
    /// The formal words added by the thesaurus and the glossary, for "also searched for".
    pub expansions: Vec<String>,
}

impl AnalyzedQuery {
    /// The words to highlight in snippets.
    pub fn highlight_terms(&self) -> Vec<String> {
        self.words.iter().map(|word| word.text.clone()).collect()
    }
}

/// The query analyser: jieba, the filler words and the two expansion tables.
pub(crate) struct QueryAnalyzer {
    filler_words: HashSet<String>,
    thesaurus: Thesaurus,
    glossary: Thesaurus,
}

impl QueryAnalyzer {
    /// True for question grammar (吗, 怎么, 在) that carries no subject matter.
    pub(crate) fn is_filler(&self, word: &str) -> bool {
        self.filler_words.contains(word)
    }

    /// The formal vocabulary the analyser knows: legal words and thesaurus replacements.
    pub(crate) fn vocabulary(&self) -> impl Iterator<Item = String> + '_ {
        crate::analyzer::legal_words()
            .map(normalize_text)
            .chain(self.thesaurus.replacement_words().map(str::to_string))
    }
}

impl QueryAnalyzer {
    pub(crate) fn new(thesaurus: Thesaurus, glossary: Thesaurus) -> Self {
        let filler_words = DEFAULT_FILLER_WORDS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(normalize_text)
            .collect();
        Self {
            filler_words,
            thesaurus,
            glossary,
        }
    }

    pub(crate) fn analyze(&self, jieba: &Jieba, raw_query: &str) -> AnalyzedQuery {
        let cut: String = raw_query.chars().take(QUERY_MAX_CHARS).collect();
        let normalized = normalize_text(cut.trim());
        let mut analyzed = AnalyzedQuery {
            normalized: normalized.clone(),
            ..AnalyzedQuery::default()
        };
        let mut seen = HashSet::new();
        for word in jieba_words(jieba, &normalized) {
            if self.is_content_word(&word) && seen.insert(word.clone()) {
                analyzed.words.push(QueryWord {
                    text: word,
                    origin: WordOrigin::Typed,
                    weight: 1.0,
                });
            }
        }
        let tables = [
            (&self.thesaurus, WordOrigin::Thesaurus),
            (&self.glossary, WordOrigin::Glossary),
        ];
        for (table, origin) in tables {
            for expansion in table.find(&normalized) {
                for replacement in expansion.replacements {
                    if !analyzed.expansions.contains(&replacement) && replacement != expansion.key {
                        analyzed.expansions.push(replacement.clone());
                    }
                    // A replacement stands for one concept however many words jieba cuts it
                    // into, so its words share one unit of weight; otherwise a long formal
                    // phrase (解除劳动合同) would outweigh the words the person typed.
                    let words: Vec<String> = jieba_words(jieba, &replacement)
                        .into_iter()
                        .filter(|word| self.is_content_word(word))
                        .collect();
                    let share = 1.0 / words.len().max(1) as f32;
                    for word in words {
                        if seen.insert(word.clone()) {
                            analyzed.words.push(QueryWord {
                                text: word,
                                origin,
                                weight: share,
                            });
                        }
                    }
                }
            }
        }
        // English words that the glossary translated are kept too: they cost little and match
        // English text (names, abbreviations) where the corpus has it.
        analyzed
    }

    /// A content word names a matter: not a filler word, and not a lone symbol.
    fn is_content_word(&self, word: &str) -> bool {
        if self.filler_words.contains(word) {
            return false;
        }
        word.chars()
            .any(|character| is_cjk(character) || character.is_alphanumeric())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::build_jieba;
    use crate::thesaurus::{DEFAULT_GLOSSARY_EN_ZH, DEFAULT_THESAURUS_ZH};

    fn analyzer() -> QueryAnalyzer {
        QueryAnalyzer::new(
            Thesaurus::parse(DEFAULT_THESAURUS_ZH).expect("thesaurus"),
            Thesaurus::parse(DEFAULT_GLOSSARY_EN_ZH).expect("glossary"),
        )
    }

    fn texts(analyzed: &AnalyzedQuery) -> Vec<&str> {
        analyzed
            .words
            .iter()
            .map(|word| word.text.as_str())
            .collect()
    }

    #[test]
    fn filler_words_are_dropped() {
        let jieba = build_jieba();
        let analyzed = analyzer().analyze(&jieba, "请问怎么申请政府信息公开吗？");
        let words = texts(&analyzed);
        assert!(words.contains(&"申请"), "{words:?}");
        for filler in ["请问", "怎么", "吗"] {
            assert!(!words.contains(&filler), "{filler} in {words:?}");
        }
    }

    #[test]
    fn colloquial_and_english_words_expand() {
        let jieba = build_jieba();
        let analyzed = analyzer().analyze(&jieba, "老板拖欠工资");
        assert!(
            texts(&analyzed).contains(&"劳动报酬"),
            "{:?}",
            texts(&analyzed)
        );
        let analyzed = analyzer().analyze(&jieba, "Administrative Reconsideration deadline");
        assert!(
            texts(&analyzed).contains(&"行政复议"),
            "{:?}",
            texts(&analyzed)
        );
    }

    #[test]
    fn traditional_full_width_input_is_normalised() {
        let jieba = build_jieba();
        let analyzed = analyzer().analyze(&jieba, "政府資訊公開　２０２４");
        assert!(
            analyzed.normalized.contains("政府资讯公开 2024"),
            "{}",
            analyzed.normalized
        );
    }
}
