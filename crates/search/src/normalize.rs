//! Text normalisation shared by indexing and querying: full-width to half-width, traditional to
//! simplified Chinese, lower case, and one form for the brackets of document numbers.
//!
//! Documents and queries must go through the same function, or a query typed on a traditional
//! keyboard or with full-width digits would never meet the text it is looking for. The function
//! maps one character to one character wherever it can, so lengths in characters stay close to
//! the original; it must never drop letters or digits, because document numbers are searched for.

/// Normalises text for matching. Full-width ASCII forms (U+FF01–U+FF5E) become their ASCII
/// counterparts and the ideographic space a plain space, because people type both; traditional
/// characters become simplified (the corpus and the thesaurus are simplified); `[` `]` `［` `］`
/// `【` `】` around years become `〔` `〕`, the form of 国办发〔2024〕12号; and Latin letters are
/// lower-cased so that English queries match the glossary.
pub fn normalize_text(text: &str) -> String {
    let mut half_width = String::with_capacity(text.len());
    for character in text.chars() {
        let mapped = match character {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => {
                char::from_u32(u32::from(character) - 0xFEE0).unwrap_or(character)
            }
            '[' | '【' => '〔',
            ']' | '】' => '〕',
            _ => character,
        };
        half_width.extend(mapped.to_lowercase());
    }
    // fast2s converts phrase-aware, traditional to simplified only; text that is already
    // simplified passes through unchanged.
    fast2s::convert(&half_width)
}

/// True for the characters that jieba and the bigram analyzer treat as Chinese text.
pub(crate) fn is_cjk(character: char) -> bool {
    matches!(character,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2EBEF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_table() {
        let cases = [
            ("ＡＢＣ１２３", "abc123"),
            ("政府資訊公開", "政府资讯公开"),
            ("國辦發[2024]12號", "国办发〔2024〕12号"),
            ("个人　信息", "个人 信息"),
            ("Labor Contract", "labor contract"),
            ("已是简体", "已是简体"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_text(input), expected, "input {input}");
        }
    }
}
