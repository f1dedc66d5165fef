//! Highlighted, HTML-escaped snippets: the window of a text that holds the most query terms,
//! with each match wrapped in `<mark>`.
//!
//! The output goes straight into a page, so every character of the source text is escaped here
//! and the only markup ever emitted is `<mark>`, `</mark>` and the ellipsis. Matching uses the
//! same normalisation as the index (one character to one character), so a traditional or
//! full-width source still highlights, while the snippet shows the original characters.

use crate::normalize::normalize_text;

/// The length of a snippet in characters: about two lines of Chinese on a results page.
pub const SNIPPET_MAX_CHARS: usize = 120;
/// How many characters of context precede the first match in a snippet.
const SNIPPET_LEAD_CHARS: usize = 20;

/// Builds the snippet of `text` for the (normalised) `terms`; terms of one character are
/// ignored unless nothing longer matches, because they would light up half of a Chinese text.
pub fn snippet_html(text: &str, terms: &[String]) -> String {
    let original: Vec<char> = text.chars().collect();
    let normalized: Vec<char> = original
        .iter()
        .map(|character| {
            normalize_text(&character.to_string())
                .chars()
                .next()
                .unwrap_or(*character)
        })
        .collect();
    let mut terms: Vec<Vec<char>> = terms
        .iter()
        .map(|term| term.chars().collect::<Vec<char>>())
        .filter(|term| !term.is_empty())
        .collect();
    terms.sort_by_key(|term| std::cmp::Reverse(term.len()));
    terms.dedup();
    let mut matches = find_matches(&normalized, terms.iter().filter(|term| term.len() >= 2));
    if matches.is_empty() {
        matches = find_matches(&normalized, terms.iter());
    }
    let (start, end) = best_window(&matches, original.len());
    let mut html = String::with_capacity((end - start) * 4);
    if start > 0 {
        html.push('…');
    }
    let mut position = start;
    for &(match_start, match_end) in matches
        .iter()
        .filter(|(match_start, match_end)| *match_start >= start && *match_end <= end)
    {
        push_escaped(&mut html, &original[position..match_start]);
        html.push_str("<mark>");
        push_escaped(&mut html, &original[match_start..match_end]);
        html.push_str("</mark>");
        position = match_end;
    }
    push_escaped(&mut html, &original[position..end]);
    if end < original.len() {
        html.push('…');
    }
    html
}

/// Non-overlapping matches, leftmost first; at one position the longest term wins because the
/// terms come sorted by length.
fn find_matches<'a>(
    haystack: &[char],
    terms: impl Iterator<Item = &'a Vec<char>> + Clone,
) -> Vec<(usize, usize)> {
    let mut matches = Vec::new();
    let mut position = 0;
    while position < haystack.len() {
        let found = terms
            .clone()
            .find(|term| haystack[position..].starts_with(term));
        match found {
            Some(term) => {
                matches.push((position, position + term.len()));
                position += term.len();
            }
            None => position += 1,
        }
    }
    matches
}

/// The window of `SNIPPET_MAX_CHARS` characters that covers the most matched characters.
fn best_window(matches: &[(usize, usize)], text_length: usize) -> (usize, usize) {
    let window = SNIPPET_MAX_CHARS.min(text_length);
    let mut best = (0, window);
    let mut best_covered = 0;
    for &(match_start, _) in matches {
        let start = match_start
            .saturating_sub(SNIPPET_LEAD_CHARS)
            .min(text_length - window);
        let end = start + window;
        let covered: usize = matches
            .iter()
            .filter(|(s, e)| *s >= start && *e <= end)
            .map(|(s, e)| e - s)
            .sum();
        if covered > best_covered {
            best_covered = covered;
            best = (start, end);
        }
    }
    best
}

fn push_escaped(html: &mut String, characters: &[char]) {
    for &character in characters {
        match character {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            '\n' => html.push(' '),
            _ => html.push(character),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_marks() {
        let html = snippet_html(
            "<script>alert(1)</script> 行政机关应当公开政府信息",
            &["政府信息".to_string()],
        );
        assert_eq!(
            html,
            "&lt;script&gt;alert(1)&lt;/script&gt; 行政机关应当公开<mark>政府信息</mark>"
        );
    }

    #[test]
    fn traditional_source_text_highlights_with_original_characters() {
        let html = snippet_html("申請政府資訊", &["资讯".to_string()]);
        assert_eq!(html, "申請政府<mark>資訊</mark>");
    }

    #[test]
    fn long_text_shows_the_window_with_the_match() {
        let text = format!("{}个人信息{}", "甲".repeat(300), "乙".repeat(300));
        let html = snippet_html(&text, &["个人信息".to_string()]);
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>个人信息</mark>"));
        assert_eq!(
            html.chars().filter(|c| *c == '甲').count(),
            SNIPPET_LEAD_CHARS
        );
    }
}
