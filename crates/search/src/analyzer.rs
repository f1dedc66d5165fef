//! The two tantivy analyzers of the index: jieba words (search mode, so 信息公开 also yields 信息
//! and 公开) and overlapping character bigrams, both over normalised text.
//!
//! Jieba gives precise word matches; the bigram field is the recall fallback for words jieba
//! does not know (names, document numbers, colloquial compounds) and for queries that jieba
//! splits differently from the documents. The same analyzers produce the query's terms, so a
//! term built for a query must never be analysed by anything else.

use std::sync::Arc;

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::normalize::{is_cjk, normalize_text};

/// The tokenizer name of the jieba word fields in the index schema.
pub(crate) const JIEBA_TOKENIZER_NAME: &str = "gongkai_jieba";
/// The tokenizer name of the bigram fields in the index schema.
pub(crate) const BIGRAM_TOKENIZER_NAME: &str = "gongkai_bigram";
/// Tokens longer than this are dropped: they are noise (long digit strings, URLs) and tantivy
/// refuses terms above 65,530 bytes anyway.
const TOKEN_MAX_CHARS: usize = 40;

/// Words added to jieba's dictionary because they are single units in government and legal
/// text, and the default dictionary would split them, losing precision.
const LEGAL_WORDS: &str = include_str!("../data/legal-words.txt");

/// The legal words of `data/legal-words.txt`, for spelling suggestions.
pub(crate) fn legal_words() -> impl Iterator<Item = &'static str> {
    LEGAL_WORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Builds the jieba instance used everywhere in the crate: the default dictionary plus
/// `data/legal-words.txt`. Loading takes about half a second, so build it once and share it.
pub(crate) fn build_jieba() -> Arc<Jieba> {
    let mut jieba = Jieba::new();
    for word in legal_words() {
        jieba.add_word(word, None, None);
    }
    Arc::new(jieba)
}

/// Cuts normalised text into search-mode jieba words, skipping punctuation and whitespace.
pub(crate) fn jieba_words(jieba: &Jieba, normalized: &str) -> Vec<String> {
    jieba
        .cut_for_search(normalized, true)
        .into_iter()
        .map(|token| token.word.trim())
        .filter(|word| !word.is_empty() && word.chars().any(char::is_alphanumeric))
        .filter(|word| word.chars().count() <= TOKEN_MAX_CHARS)
        .map(str::to_string)
        .collect()
}

/// Cuts normalised text into overlapping CJK bigrams (a lone CJK character between non-CJK text
/// becomes a unigram) and ASCII letter/digit words.
pub(crate) fn bigrams(normalized: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut cjk_run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_cjk = |run: &mut Vec<char>, tokens: &mut Vec<String>| {
        match run.len() {
            0 => {}
            1 => tokens.push(run[0].to_string()),
            _ => tokens.extend(run.windows(2).map(|pair| pair.iter().collect::<String>())),
        }
        run.clear();
    };
    let flush_word = |word: &mut String, tokens: &mut Vec<String>| {
        if !word.is_empty() && word.chars().count() <= TOKEN_MAX_CHARS {
            tokens.push(std::mem::take(word));
        }
        word.clear();
    };
    for character in normalized.chars() {
        if is_cjk(character) {
            flush_word(&mut word, &mut tokens);
            cjk_run.push(character);
        } else if character.is_alphanumeric() {
            flush_cjk(&mut cjk_run, &mut tokens);
            word.push(character);
        } else {
            flush_cjk(&mut cjk_run, &mut tokens);
            flush_word(&mut word, &mut tokens);
        }
    }
    flush_cjk(&mut cjk_run, &mut tokens);
    flush_word(&mut word, &mut tokens);
    tokens
}

/// The jieba analyzer as a tantivy tokenizer. It normalises the text itself, so callers index
/// the original text; token offsets refer to the normalised text and are not used.
#[derive(Clone)]
pub(crate) struct JiebaWordTokenizer {
    jieba: Arc<Jieba>,
}

impl JiebaWordTokenizer {
    pub(crate) fn new(jieba: Arc<Jieba>) -> Self {
        Self { jieba }
    }
}

/// The bigram analyzer as a tantivy tokenizer (see [`bigrams`]).
#[derive(Clone, Default)]
pub(crate) struct BigramTokenizer;

/// A token stream over tokens computed up front; the analyzers above are not incremental.
pub(crate) struct VecTokenStream {
    tokens: Vec<Token>,
    next_index: usize,
}

impl VecTokenStream {
    fn from_words(words: Vec<String>) -> Self {
        let tokens = words
            .into_iter()
            .enumerate()
            .map(|(position, text)| Token {
                offset_from: 0,
                offset_to: 0,
                position,
                position_length: 1,
                text,
            })
            .collect();
        Self {
            tokens,
            next_index: 0,
        }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.next_index < self.tokens.len() {
            self.next_index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        // tantivy reads the token only after `advance` returned true, so the index is valid.
        &self.tokens[self.next_index.saturating_sub(1)]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next_index.saturating_sub(1)]
    }
}

impl Tokenizer for JiebaWordTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::from_words(jieba_words(&self.jieba, &normalize_text(text)))
    }
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::from_words(bigrams(&normalize_text(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigram_cases() {
        let cases: [(&str, &[&str]); 4] = [
            ("信息公开", &["信息", "息公", "公开"]),
            ("第5条 法", &["第", "5", "条", "法"]),
            ("abc公开2024", &["abc", "公开", "2024"]),
            ("", &[]),
        ];
        for (input, expected) in cases {
            assert_eq!(bigrams(input), expected, "input {input}");
        }
    }

    #[test]
    fn jieba_search_mode_emits_sub_words() {
        let jieba = build_jieba();
        let words = jieba_words(&jieba, "政府信息公开条例");
        assert!(words.contains(&"信息".to_string()), "{words:?}");
        assert!(words.contains(&"公开".to_string()), "{words:?}");
    }
}
