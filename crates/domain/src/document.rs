//! Published documents (主动公开): the structure of a document body, its articles and their
//! citable keys, the 文号 (document number) and the 索引号 (index number).
//!
//! A regulation is cited article by article, so the body is parsed into headings (编/章/节)
//! and articles (第X条, 第X条之Y). Every article gets a stable key (`56`, `287-2` for 第二百八十七条之二)
//! that search results, URLs (`#art-56`) and the evaluation runs use. The body format is the
//! Markdown of the laws corpus: `## 第一章 …` headings and one paragraph per article, each
//! article starting with `第X条` and a space; following paragraphs belong to the same article
//! until the next article line or heading.

use std::fmt;

/// The number of an article: 第五十六条 is `{ number: 56, suffix: None }`, 第二百八十七条之二 is
/// `{ number: 287, suffix: Some(2) }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArticleNumber {
    pub number: u32,
    pub suffix: Option<u32>,
}

impl ArticleNumber {
    /// The key used in hit ids and the API: the Arabic number, `-N` for 之N.
    pub fn key(&self) -> String {
        match self.suffix {
            Some(suffix) => format!("{}-{}", self.number, suffix),
            None => self.number.to_string(),
        }
    }

    /// The HTML anchor of the article on its document page (`art-56`, `art-287-2`).
    pub fn anchor(&self) -> String {
        format!("art-{}", self.key())
    }

    /// The article's Chinese label, as written in the text (第五十六条, 第二百八十七条之二).
    pub fn label_zh(&self) -> String {
        match self.suffix {
            Some(suffix) => format!(
                "第{}条之{}",
                chinese_numeral(self.number),
                chinese_numeral(suffix)
            ),
            None => format!("第{}条", chinese_numeral(self.number)),
        }
    }

    /// Parses a key as produced by [`ArticleNumber::key`]. Leading zeros, empty parts and
    /// zero are rejected, because no article is numbered that way and a lenient parser would
    /// give one article several URLs.
    pub fn parse_key(key: &str) -> Option<Self> {
        let (number, suffix) = match key.split_once('-') {
            Some((number, suffix)) => (number, Some(suffix)),
            None => (key, None),
        };
        let parse_part = |part: &str| -> Option<u32> {
            if part.is_empty() || part.starts_with('0') || !part.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            part.parse().ok()
        };
        Some(Self {
            number: parse_part(number)?,
            suffix: match suffix {
                Some(suffix) => Some(parse_part(suffix)?),
                None => None,
            },
        })
    }
}

impl fmt::Display for ArticleNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

fn digit_value(character: char) -> Option<u32> {
    Some(match character {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Parses a Chinese numeral as used in article numbers (一 … 九千九百九十九, with 零/〇 and 两).
/// Returns `None` for anything that is not a well-formed numeral or is zero.
pub fn parse_chinese_numeral(text: &str) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    let mut total: u32 = 0;
    let mut pending_digit: Option<u32> = None;
    let mut last_unit: u32 = 10_000;
    for character in text.chars() {
        if let Some(value) = digit_value(character) {
            if pending_digit.is_some() && value != 0 {
                // Two digits in a row (一二) only happen after a 零 in well-formed numerals.
                if pending_digit != Some(0) {
                    return None;
                }
            }
            pending_digit = Some(value);
            continue;
        }
        let unit = match character {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        if unit >= last_unit {
            return None;
        }
        let digit = match pending_digit {
            Some(0) => return None,
            Some(digit) => digit,
            // 十 alone means 一十: 十二 = 12 and, in some texts, 一百十 = 110.
            None if unit == 10 => 1,
            None => return None,
        };
        total += digit * unit;
        last_unit = unit;
        pending_digit = None;
    }
    if let Some(digit) = pending_digit {
        total += digit;
    }
    (total > 0).then_some(total)
}

/// Writes a number (1–9999) as a Chinese numeral the way article numbers are written
/// (十二, 一百零五, 一千二百六十).
pub fn chinese_numeral(number: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if number == 0 || number >= 10_000 {
        return number.to_string();
    }
    let thousands = number / 1000;
    let hundreds = (number / 100) % 10;
    let tens = (number / 10) % 10;
    let ones = number % 10;
    let mut out = String::new();
    let mut need_zero = false;
    for (digit, unit) in [(thousands, "千"), (hundreds, "百")] {
        if digit > 0 {
            if need_zero {
                out.push('零');
                need_zero = false;
            }
            out.push(DIGITS[digit as usize]);
            out.push_str(unit);
        } else if !out.is_empty() {
            need_zero = true;
        }
    }
    if tens > 0 {
        if need_zero {
            out.push('零');
            need_zero = false;
        }
        // 十二, not 一十二, when the number is below twenty.
        if !(out.is_empty() && tens == 1) {
            out.push(DIGITS[tens as usize]);
        }
        out.push('十');
    } else if !out.is_empty() {
        need_zero = true;
    }
    if ones > 0 {
        if need_zero {
            out.push('零');
        }
        out.push(DIGITS[ones as usize]);
    }
    out
}

/// Recognises the start of an article line: `第X条` or `第X条之Y` followed by a space
/// (ASCII or ideographic). Returns the number and the byte length of the label including
/// the space, so the caller can separate label and text.
pub fn parse_article_start(line: &str) -> Option<(ArticleNumber, usize)> {
    let rest = line.strip_prefix('第')?;
    let numeral_length: usize = rest
        .chars()
        .take_while(|c| digit_value(*c).is_some() || matches!(c, '十' | '百' | '千'))
        .map(char::len_utf8)
        .sum();
    let number = parse_chinese_numeral(&rest[..numeral_length])?;
    let mut rest = rest[numeral_length..].strip_prefix('条')?;
    let mut suffix = None;
    if let Some(after) = rest.strip_prefix('之') {
        let suffix_length: usize = after
            .chars()
            .take_while(|c| digit_value(*c).is_some() || *c == '十')
            .map(char::len_utf8)
            .sum();
        suffix = Some(parse_chinese_numeral(&after[..suffix_length])?);
        rest = &after[suffix_length..];
    }
    let space_length = if rest.starts_with(' ') {
        1
    } else if rest.starts_with('\u{3000}') {
        '\u{3000}'.len_utf8()
    } else {
        return None;
    };
    let label_length = line.len() - rest.len() + space_length;
    Some((ArticleNumber { number, suffix }, label_length))
}

/// One heading of the body (编, 章, 节 or 目), with its Markdown level (2 for `##`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
}

/// One article: its number, the text after the label (paragraphs joined by `\n`), and the
/// headings it sits under (outermost first), which give search and citations their context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub number: ArticleNumber,
    pub text: String,
    pub headings: Vec<String>,
}

impl Article {
    /// The paragraphs of the article (款), in order.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.text.split('\n').filter(|p| !p.is_empty())
    }
}

/// A block of a parsed body, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyBlock {
    Heading(Heading),
    Article(Article),
    /// Text outside any article: a preamble, or the whole body of a notice that has no articles.
    Paragraph(String),
}

/// Parses a Markdown body into headings, articles and free paragraphs. Article numbers that
/// occur twice (a corpus error or a quoted amendment) keep only the first occurrence as an
/// article, and later ones become paragraphs, so that every anchor is unique.
pub fn parse_body(body: &str) -> Vec<BodyBlock> {
    let mut blocks: Vec<BodyBlock> = Vec::new();
    let mut heading_stack: Vec<Heading> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut current_article: Option<Article> = None;
    let flush = |blocks: &mut Vec<BodyBlock>, article: &mut Option<Article>| {
        if let Some(article) = article.take() {
            blocks.push(BodyBlock::Article(article));
        }
    };
    for raw_line in body.lines() {
        let line = raw_line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('#') {
            flush(&mut blocks, &mut current_article);
            let level = line.chars().take_while(|c| *c == '#').count();
            let text = line[level..].trim().to_string();
            let level = u8::try_from(level).unwrap_or(u8::MAX);
            heading_stack.retain(|h| h.level < level);
            let heading = Heading { level, text };
            heading_stack.push(heading.clone());
            blocks.push(BodyBlock::Heading(heading));
            continue;
        }
        if let Some((number, label_length)) = parse_article_start(line)
            && seen.insert(number)
        {
            flush(&mut blocks, &mut current_article);
            current_article = Some(Article {
                number,
                text: line[label_length..].trim().to_string(),
                headings: heading_stack.iter().map(|h| h.text.clone()).collect(),
            });
            continue;
        }
        match current_article.as_mut() {
            Some(article) => {
                article.text.push('\n');
                article.text.push_str(line);
            }
            None => blocks.push(BodyBlock::Paragraph(line.to_string())),
        }
    }
    flush(&mut blocks, &mut current_article);
    blocks
}

/// The articles of a body, in order (see [`parse_body`]).
pub fn articles(body: &str) -> Vec<Article> {
    parse_body(body)
        .into_iter()
        .filter_map(|block| match block {
            BodyBlock::Article(article) => Some(article),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_parse_and_print_round_trip() {
        for number in 1..=9999 {
            let text = chinese_numeral(number);
            assert_eq!(
                parse_chinese_numeral(&text),
                Some(number),
                "{number} → {text}"
            );
        }
    }

    #[test]
    fn numerals_as_written_in_laws() {
        let cases = [
            ("一", 1),
            ("十", 10),
            ("十二", 12),
            ("二十", 20),
            ("一百", 100),
            ("一百零五", 105),
            ("一百一十", 110),
            ("一百十", 110),
            ("两百", 200),
            ("一千二百六十", 1260),
            ("一千零一", 1001),
            ("〇", 0),
        ];
        for (text, expected) in cases {
            let parsed = parse_chinese_numeral(text);
            if expected == 0 {
                assert_eq!(parsed, None, "{text}");
            } else {
                assert_eq!(parsed, Some(expected), "{text}");
            }
        }
        for bad in ["", "百", "十十", "一二", "千百", "五a", "零十"] {
            assert_eq!(parse_chinese_numeral(bad), None, "{bad}");
        }
    }

    #[test]
    fn article_starts_are_recognised_with_their_keys() {
        let cases = [
            ("第一条 为了", Some("1")),
            ("第五十六条 夫妻", Some("56")),
            ("第二百八十七条之二 在", Some("287-2")),
            ("第十条\u{3000}全角空格", Some("10")),
            ("第一条为了", None),
            ("第条 空", None),
            ("依照第十条 规定", None),
            ("第一章 总则", None),
        ];
        for (line, key) in cases {
            let parsed = parse_article_start(line).map(|(n, _)| n.key());
            assert_eq!(parsed.as_deref(), key, "{line}");
        }
        let (number, length) = parse_article_start("第二百八十七条之二 在").expect("article");
        assert_eq!(&"第二百八十七条之二 在"[length..], "在");
        assert_eq!(number.label_zh(), "第二百八十七条之二");
        assert_eq!(number.anchor(), "art-287-2");
    }

    #[test]
    fn keys_parse_strictly() {
        assert_eq!(
            ArticleNumber::parse_key("287-2"),
            Some(ArticleNumber {
                number: 287,
                suffix: Some(2)
            })
        );
        for bad in ["", "0", "012", "1-", "-1", "a", "1-0", "1-2-3", "１"] {
            assert_eq!(ArticleNumber::parse_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn body_parses_into_headings_articles_and_paragraphs() {
        let body = "前言一段。\n\n## 第一章  总则\n\n第一条 为了规范。\n\n第二条 本条例所称。\n\n第二款内容。\n\n### 第一节 一般规定\n\n第三条 第三条内容，依照第二条 处理。\n\n## 第二章 附则\n\n第三条 重复编号。\n\n第四条 施行。";
        let blocks = parse_body(body);
        assert_eq!(blocks[0], BodyBlock::Paragraph("前言一段。".into()));
        let articles: Vec<Article> = articles(body);
        let keys: Vec<String> = articles.iter().map(|a| a.number.key()).collect();
        assert_eq!(keys, ["1", "2", "3", "4"]);
        assert_eq!(articles[1].text, "本条例所称。\n第二款内容。");
        assert_eq!(articles[1].paragraphs().count(), 2);
        assert_eq!(articles[2].headings, ["第一章  总则", "第一节 一般规定"]);
        // The duplicate 第三条 under 第二章 stays as text inside the preceding context, never
        // as a second article with the same anchor.
        assert!(
            blocks
                .iter()
                .any(|b| *b == BodyBlock::Paragraph("第三条 重复编号。".into()))
        );
        assert_eq!(articles[3].headings, ["第二章 附则"]);
    }
}
