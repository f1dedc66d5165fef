//! The dictionaries of the redaction detectors, compiled in from `data/redaction/*.txt`.
//!
//! The lists are embedded with `include_str!` because the domain crate never reads files; they
//! are parsed once, on first use, into sets. Every list is written from general knowledge (see
//! `data/redaction/README.md`) and must never be filled from an evaluation file.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Splits a list file into its entries: whitespace separates entries and `#` starts a comment
/// that runs to the end of the line.
fn entries(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .flat_map(str::split_whitespace)
}

fn word_set(list: &'static str) -> HashSet<&'static str> {
    entries(list).collect()
}

/// A set of characters of the Basic Multilingual Plane as a bitmap: membership is one shift and
/// one mask, which matters because the name detector asks it for nearly every character
/// (hashing made a tenth of the run time). Characters outside the plane are never members.
pub(crate) struct CharSet {
    bits: Vec<u64>,
}

impl CharSet {
    pub(crate) fn from_chars(chars: impl IntoIterator<Item = char>) -> CharSet {
        let mut bits = vec![0u64; 0x10000 / 64];
        for c in chars {
            let code = c as usize;
            if code < 0x10000 {
                bits[code / 64] |= 1 << (code % 64);
            }
        }
        CharSet { bits }
    }

    pub(crate) fn contains(&self, c: char) -> bool {
        let code = c as usize;
        code < 0x10000 && self.bits[code / 64] & (1 << (code % 64)) != 0
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.bits
            .iter()
            .map(|word| word.count_ones() as usize)
            .sum()
    }
}

fn char_set(list: &'static str) -> CharSet {
    CharSet::from_chars(entries(list).flat_map(str::chars))
}

static COMMON_SURNAMES: LazyLock<CharSet> =
    LazyLock::new(|| char_set(include_str!("../../data/redaction/surnames_common.txt")));
static AMBIGUOUS_SURNAMES: LazyLock<CharSet> =
    LazyLock::new(|| char_set(include_str!("../../data/redaction/surnames_ambiguous.txt")));
static COMPOUND_SURNAMES: LazyLock<HashSet<(char, char)>> = LazyLock::new(|| {
    entries(include_str!("../../data/redaction/surnames_compound.txt"))
        .filter_map(|word| {
            let mut characters = word.chars();
            Some((characters.next()?, characters.next()?))
        })
        .collect()
});
/// The first characters of the compound surnames, so that the pair is hashed only when it can
/// match.
static COMPOUND_SURNAME_FIRST_CHARACTERS: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::from_chars(COMPOUND_SURNAMES.iter().map(|(first, _)| *first)));
static GIVEN_NAME_CHARACTERS: LazyLock<CharSet> = LazyLock::new(|| {
    char_set(include_str!(
        "../../data/redaction/given_name_characters.txt"
    ))
});
static NAME_CUES_BEFORE: LazyLock<CueIndex> =
    LazyLock::new(|| CueIndex::new(include_str!("../../data/redaction/name_cues_before.txt")));
static NAME_CUES_AFTER: LazyLock<CueIndex> =
    LazyLock::new(|| CueIndex::new(include_str!("../../data/redaction/name_cues_after.txt")));
static OFFICIAL_CUES: LazyLock<CueIndex> =
    LazyLock::new(|| CueIndex::new(include_str!("../../data/redaction/official_cues.txt")));
static GENERIC_PERSON_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    word_set(include_str!(
        "../../data/redaction/generic_person_words.txt"
    ))
});
static PLACE_NAMES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| word_set(include_str!("../../data/redaction/place_names.txt")));
static ORG_AND_PLACE_SUFFIXES: LazyLock<CueIndex> = LazyLock::new(|| {
    CueIndex::new(include_str!(
        "../../data/redaction/org_and_place_suffixes.txt"
    ))
});

/// A list of cue words indexed by their first and by their last character, so that asking
/// "does a cue end here?" costs one hash look-up for the many positions where none does (a
/// linear scan of every cue at every word made the detector ten times slower).
pub(crate) struct CueIndex {
    by_first_character: HashMap<char, Vec<(&'static str, Vec<char>)>>,
    by_last_character: HashMap<char, Vec<(&'static str, Vec<char>)>>,
}

impl CueIndex {
    fn new(list: &'static str) -> CueIndex {
        let mut words: Vec<&'static str> = entries(list).collect();
        // Longest first, so that 犯罪嫌疑人 is found before 嫌疑人.
        words.sort_by_key(|word| std::cmp::Reverse(word.chars().count()));
        words.dedup();
        let mut by_first_character: HashMap<char, Vec<(&'static str, Vec<char>)>> = HashMap::new();
        let mut by_last_character: HashMap<char, Vec<(&'static str, Vec<char>)>> = HashMap::new();
        for word in words {
            let characters: Vec<char> = word.chars().collect();
            if let (Some(&first), Some(&last)) = (characters.first(), characters.last()) {
                by_first_character
                    .entry(first)
                    .or_default()
                    .push((word, characters.clone()));
                by_last_character
                    .entry(last)
                    .or_default()
                    .push((word, characters));
            }
        }
        CueIndex {
            by_first_character,
            by_last_character,
        }
    }

    /// The longest cue that ends exactly at `end` in `chars`.
    fn ending_at(&self, chars: &[char], end: usize) -> Option<&'static str> {
        let last = chars.get(end.checked_sub(1)?)?;
        self.by_last_character
            .get(last)?
            .iter()
            .find_map(|(word, cue)| {
                (end >= cue.len() && chars[end - cue.len()..end] == cue[..]).then_some(*word)
            })
    }

    /// The longest cue that starts exactly at `start` in `chars`.
    fn starting_at(&self, chars: &[char], start: usize) -> Option<&'static str> {
        let first = chars.get(start)?;
        self.by_first_character
            .get(first)?
            .iter()
            .find_map(|(word, cue)| {
                chars
                    .get(start..start + cue.len())
                    .is_some_and(|candidate| candidate == &cue[..])
                    .then_some(*word)
            })
    }
}

/// Whether `c` is a single-character surname (common or ambiguous).
pub(crate) fn is_surname(c: char) -> bool {
    COMMON_SURNAMES.contains(c) || AMBIGUOUS_SURNAMES.contains(c)
}

/// Whether `c` is a surname that also begins many ordinary words and so needs more evidence.
pub(crate) fn is_ambiguous_surname(c: char) -> bool {
    AMBIGUOUS_SURNAMES.contains(c) || !COMMON_SURNAMES.contains(c)
}

/// The length in characters of the surname at the start of `chars`: 2 for a compound surname,
/// 1 for a single one, 0 when none starts there.
pub(crate) fn surname_length_at(chars: &[char]) -> usize {
    if chars.len() >= 2
        && COMPOUND_SURNAME_FIRST_CHARACTERS.contains(chars[0])
        && COMPOUND_SURNAMES.contains(&(chars[0], chars[1]))
    {
        return 2;
    }
    match chars.first() {
        Some(&c) if is_surname(c) => 1,
        _ => 0,
    }
}

pub(crate) fn is_given_name_character(c: char) -> bool {
    GIVEN_NAME_CHARACTERS.contains(c)
}

pub(crate) fn is_generic_person_word(word: &str) -> bool {
    GENERIC_PERSON_WORDS.contains(word)
}

pub(crate) fn is_place_name(word: &str) -> bool {
    PLACE_NAMES.contains(word)
}

pub(crate) fn name_cue_before(chars: &[char], end: usize) -> Option<&'static str> {
    NAME_CUES_BEFORE.ending_at(chars, end)
}

pub(crate) fn name_cue_after(chars: &[char], start: usize) -> Option<&'static str> {
    NAME_CUES_AFTER.starting_at(chars, start)
}

pub(crate) fn official_cue_before(chars: &[char], end: usize) -> Option<&'static str> {
    OFFICIAL_CUES.ending_at(chars, end)
}

pub(crate) fn org_or_place_suffix_at(chars: &[char], start: usize) -> Option<&'static str> {
    ORG_AND_PLACE_SUFFIXES.starting_at(chars, start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_loaded_and_sane() {
        assert!(COMMON_SURNAMES.len() > 300);
        assert!(COMPOUND_SURNAMES.contains(&('欧', '阳')));
        assert!(GIVEN_NAME_CHARACTERS.len() > 300);
        assert!(is_place_name("北京"));
        assert!(is_generic_person_word("妈妈"));
        // Every ambiguous surname is a surname: the ambiguous list only grades the common one.
        assert!(
            (0..=0xFFFFu32)
                .filter_map(char::from_u32)
                .filter(|c| AMBIGUOUS_SURNAMES.contains(*c))
                .all(is_surname)
        );
        let chars: Vec<char> = "申请人张三".chars().collect();
        assert_eq!(name_cue_before(&chars, 3), Some("申请人"));
        let chars: Vec<char> = "犯罪嫌疑人".chars().collect();
        assert_eq!(name_cue_before(&chars, 5), Some("犯罪嫌疑人"));
    }
}
