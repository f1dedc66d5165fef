//! Metadata of a proactively published document (主动公开, Art. 12 ¶3 and the field set of
//! official pages, design/ogi-rules.md §4): the 文号, the 索引号 template, validity, and the
//! validation of a whole metadata form with every problem reported at once.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::form::FormProblems;

/// A 发文字号 such as 国办发〔2017〕47号: 机关代字, a four-digit year in 六角括号 and a sequence
/// number (《党政机关公文处理工作条例》 Art. 9; the rendering follows GB/T 9704 as official
/// pages show it: year in full, no leading zeros).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentNumber {
    pub issuer_code: String,
    pub year: u16,
    pub sequence: u32,
}

impl DocumentNumber {
    /// Parses a 文号, accepting the bracket variants people type (〔〕, [], ［］, 【】, （）, ())
    /// and full-width digits, and normalising them to the official form.
    pub fn parse(text: &str) -> Option<Self> {
        let normalised: String = text
            .trim()
            .chars()
            .map(|c| match c {
                '[' | '［' | '【' | '（' | '(' | '〔' => '〔',
                ']' | '］' | '】' | '）' | ')' | '〕' => '〕',
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                _ => c,
            })
            .collect();
        let (issuer_code, rest) = normalised.split_once('〔')?;
        let (year, rest) = rest.split_once('〕')?;
        let sequence = rest.strip_suffix('号')?;
        let issuer_code = issuer_code.trim();
        if issuer_code.is_empty()
            || issuer_code
                .chars()
                .any(|c| c.is_ascii_digit() || c.is_whitespace())
        {
            return None;
        }
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if sequence.is_empty()
            || sequence.starts_with('0')
            || !sequence.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Some(Self {
            issuer_code: issuer_code.to_string(),
            year: year.parse().ok()?,
            sequence: sequence.parse().ok()?,
        })
    }
}

impl std::fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}〔{}〕{}号",
            self.issuer_code, self.year, self.sequence
        )
    }
}

/// 有效性: whether a document is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// 有效
    Effective,
    /// 失效: lapsed, for example replaced by a newer version or past its term.
    Expired,
    /// 废止: repealed by a decision.
    Repealed,
}

impl Validity {
    pub const ALL: [Validity; 3] = [Validity::Effective, Validity::Expired, Validity::Repealed];

    pub fn code(self) -> &'static str {
        match self {
            Validity::Effective => "effective",
            Validity::Expired => "expired",
            Validity::Repealed => "repealed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Validity::Effective => "有效",
            Validity::Expired => "失效",
            Validity::Repealed => "废止",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Validity::Effective => "In force",
            Validity::Expired => "Expired",
            Validity::Repealed => "Repealed",
        }
    }
}

/// A per-agency 索引号 template. No national standard fixes the format (ogi-rules.md §4.3),
/// so each agency configures one; the placeholders are `{org_code}`, `{yyyy}`, `{mm}` and
/// `{seq}` or `{seq:0N}` (zero-padded to N digits). The sequence is per agency and year, which
/// every observed pattern resets yearly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexNumberTemplate {
    template: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexNumberTemplateError {
    #[error("the template has no {{seq}} placeholder, so two documents would share a number")]
    MissingSequence,
    #[error("unknown placeholder {{{0}}}")]
    UnknownPlaceholder(String),
    #[error("an opening brace is not closed")]
    UnclosedBrace,
    #[error("the template is empty or longer than 100 characters")]
    BadLength,
}

pub const DEFAULT_INDEX_NUMBER_TEMPLATE: &str = "{org_code}/{yyyy}-{seq:05}";

impl IndexNumberTemplate {
    pub fn parse(template: &str) -> Result<Self, IndexNumberTemplateError> {
        let template = template.trim();
        if template.is_empty() || template.chars().count() > 100 {
            return Err(IndexNumberTemplateError::BadLength);
        }
        let mut has_sequence = false;
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or(IndexNumberTemplateError::UnclosedBrace)?;
            let name = &after[..close];
            match name {
                "org_code" | "yyyy" | "mm" => {}
                "seq" => has_sequence = true,
                _ if name.strip_prefix("seq:0").is_some_and(|w| {
                    matches!(w, "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8")
                }) =>
                {
                    has_sequence = true
                }
                _ => {
                    return Err(IndexNumberTemplateError::UnknownPlaceholder(
                        name.to_string(),
                    ));
                }
            }
            rest = &after[close + 1..];
        }
        if !has_sequence {
            return Err(IndexNumberTemplateError::MissingSequence);
        }
        Ok(Self {
            template: template.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.template
    }

    /// Renders the index number of the `sequence`-th document of `year` (month `month`).
    pub fn render(&self, org_code: &str, year: i32, month: u8, sequence: u64) -> String {
        let mut out = String::new();
        let mut rest = self.template.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let name = &after[..close];
            match name {
                "org_code" => out.push_str(org_code),
                "yyyy" => out.push_str(&format!("{year:04}")),
                "mm" => out.push_str(&format!("{month:02}")),
                "seq" => out.push_str(&sequence.to_string()),
                _ => {
                    let width: usize = name
                        .strip_prefix("seq:0")
                        .and_then(|w| w.parse().ok())
                        .unwrap_or(1);
                    out.push_str(&format!("{sequence:0width$}"));
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// The metadata a staff member enters for a document version, as submitted (strings from a
/// form or the API); [`validate_metadata`] turns it into checked values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataInput {
    pub title: String,
    /// The name people cite it by (个人信息保护法 for 中华人民共和国个人信息保护法); optional.
    #[serde(default)]
    pub short_title: String,
    pub summary: String,
    pub issuer: String,
    pub document_number: String,
    pub written_date: String,
    pub published_date: String,
    pub topic: String,
    pub genre: String,
    pub validity: String,
    pub valid_from: String,
    pub invalid_from: String,
    pub keywords: String,
    pub body: String,
}

/// Checked metadata of one document version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMetadata {
    pub title: String,
    #[serde(default)]
    pub short_title: String,
    pub summary: String,
    pub issuer: String,
    pub document_number: Option<String>,
    pub written_date: Option<Date>,
    pub published_date: Option<Date>,
    pub topic: String,
    pub genre: String,
    pub validity: Validity,
    pub valid_from: Option<Date>,
    pub invalid_from: Option<Date>,
    pub keywords: Vec<String>,
    pub body: String,
}

pub const TITLE_MAX_CHARS: usize = 200;
/// 内容概述 ≤ 100 characters in the local catalogue rules (ogi-rules.md §4.4); we allow a
/// little more for imported summaries but keep it short enough for a catalogue line.
pub const SUMMARY_MAX_CHARS: usize = 300;
pub const KEYWORDS_MAX: usize = 20;
pub const BODY_MAX_BYTES: usize = 4 * 1024 * 1024;

fn parse_optional_date(
    problems: &mut FormProblems,
    field: &'static str,
    text: &str,
) -> Option<Date> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match Date::parse(text, &time::format_description::well_known::Iso8601::DATE) {
        Ok(date) => Some(date),
        Err(_) => {
            problems.add(field, "date_invalid");
            None
        }
    }
}

/// Validates a metadata form and reports every problem at once (the seed's 一次性告知).
pub fn validate_metadata(input: &MetadataInput) -> Result<DocumentMetadata, FormProblems> {
    let mut problems = FormProblems::new();
    let title = input.title.trim().to_string();
    if title.is_empty() {
        problems.add("title", "required");
    } else if title.chars().count() > TITLE_MAX_CHARS {
        problems.add("title", "too_long");
    }
    let short_title = input.short_title.trim().to_string();
    if short_title.chars().count() > TITLE_MAX_CHARS {
        problems.add("short_title", "too_long");
    }
    let summary = input.summary.trim().to_string();
    if summary.chars().count() > SUMMARY_MAX_CHARS {
        problems.add("summary", "too_long");
    }
    let issuer = input.issuer.trim().to_string();
    if issuer.is_empty() {
        problems.add("issuer", "required");
    } else if issuer.chars().count() > 100 {
        problems.add("issuer", "too_long");
    }
    let document_number = match input.document_number.trim() {
        "" => None,
        text => match DocumentNumber::parse(text) {
            Some(number) => Some(number.to_string()),
            None => {
                problems.add("document_number", "invalid_document_number");
                None
            }
        },
    };
    let written_date = parse_optional_date(&mut problems, "written_date", &input.written_date);
    let published_date =
        parse_optional_date(&mut problems, "published_date", &input.published_date);
    if let (Some(written), Some(published)) = (written_date, published_date)
        && written > published
    {
        problems.add("published_date", "published_before_written");
    }
    let validity = match input.validity.trim() {
        "" => Validity::Effective,
        code => Validity::from_code(code).unwrap_or_else(|| {
            problems.add("validity", "invalid_choice");
            Validity::Effective
        }),
    };
    let valid_from = parse_optional_date(&mut problems, "valid_from", &input.valid_from);
    let invalid_from = parse_optional_date(&mut problems, "invalid_from", &input.invalid_from);
    // A repeal is a decision with a date; a lapse (失效) may be known only as a fact, as for
    // the older versions of a law, so only 废止 requires the date.
    if validity == Validity::Repealed && input.invalid_from.trim().is_empty() {
        problems.add("invalid_from", "required_when_repealed");
    }
    if let (Some(from), Some(until)) = (valid_from, invalid_from)
        && until < from
    {
        problems.add("invalid_from", "before_valid_from");
    }
    let keywords: Vec<String> = input
        .keywords
        .split([',', '，', '、', ';', '；', ' ', '\u{3000}'])
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    if keywords.len() > KEYWORDS_MAX {
        problems.add("keywords", "too_many");
    }
    if keywords.iter().any(|k| k.chars().count() > 30) {
        problems.add("keywords", "too_long");
    }
    for (field, text) in [("topic", &input.topic), ("genre", &input.genre)] {
        if text.trim().chars().count() > 60 {
            problems.add(field, "too_long");
        }
    }
    let body = input.body.replace("\r\n", "\n");
    if body.trim().is_empty() {
        problems.add("body", "required");
    } else if body.len() > BODY_MAX_BYTES {
        problems.add("body", "too_long");
    }
    if [&input.title, &input.summary, &input.issuer, &input.body]
        .iter()
        .any(|text| text.contains('\0'))
    {
        problems.add("body", "invalid_characters");
    }
    problems.into_result(|| DocumentMetadata {
        title,
        short_title,
        summary,
        issuer,
        document_number,
        written_date,
        published_date,
        topic: input.topic.trim().to_string(),
        genre: input.genre.trim().to_string(),
        validity,
        valid_from,
        invalid_from,
        keywords,
        body,
    })
}

/// A short summary from the body, for imported documents that have none: the first article
/// or paragraph, cut at a character boundary.
pub fn summary_from_body(body: &str, max_chars: usize) -> String {
    let first = body
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .unwrap_or("");
    let text = match crate::document::parse_article_start(first) {
        Some((_, label_length)) => &first[label_length..],
        None => first,
    };
    let mut out: String = text.chars().take(max_chars).collect();
    if text.chars().count() > max_chars {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_numbers_parse_and_normalise() {
        let cases = [
            ("国办发〔2017〕47号", Some("国办发〔2017〕47号")),
            ("国办公开办函[2021]30号", Some("国办公开办函〔2021〕30号")),
            ("京政发（２０２４）３号", Some("京政发〔2024〕3号")),
            ("国办发【2024】12号", Some("国办发〔2024〕12号")),
            ("国办发〔24〕12号", None),
            ("国办发〔2024〕012号", None),
            ("国办发〔2024〕12", None),
            ("〔2024〕12号", None),
            ("国办发2024 12号", None),
            ("", None),
        ];
        for (text, expected) in cases {
            let parsed = DocumentNumber::parse(text).map(|n| n.to_string());
            assert_eq!(parsed.as_deref(), expected, "{text}");
        }
        let number = DocumentNumber::parse("国办发〔2017〕47号").expect("parses");
        assert_eq!(
            (number.issuer_code.as_str(), number.year, number.sequence),
            ("国办发", 2017, 47)
        );
    }

    #[test]
    fn index_number_templates_render_and_reject_bad_ones() {
        let template = IndexNumberTemplate::parse(DEFAULT_INDEX_NUMBER_TEMPLATE).expect("valid");
        assert_eq!(
            template.render("000014349", 2017, 6, 110),
            "000014349/2017-00110"
        );
        let monthly = IndexNumberTemplate::parse("{org_code}/{yyyy}{mm}-{seq:05}").expect("valid");
        assert_eq!(
            monthly.render("11341702486344515H", 2021, 10, 13),
            "11341702486344515H/202110-00013"
        );
        assert_eq!(
            IndexNumberTemplate::parse("{org_code}/{yyyy}"),
            Err(IndexNumberTemplateError::MissingSequence)
        );
        assert_eq!(
            IndexNumberTemplate::parse("{org}/{seq}"),
            Err(IndexNumberTemplateError::UnknownPlaceholder("org".into()))
        );
        assert_eq!(
            IndexNumberTemplate::parse("{seq"),
            Err(IndexNumberTemplateError::UnclosedBrace)
        );
        assert_eq!(
            IndexNumberTemplate::parse("{seq:09}"),
            Err(IndexNumberTemplateError::UnknownPlaceholder(
                "seq:09".into()
            ))
        );
        assert_eq!(
            IndexNumberTemplate::parse(" "),
            Err(IndexNumberTemplateError::BadLength)
        );
    }

    fn valid_input() -> MetadataInput {
        MetadataInput {
            title: "关于做好政务公开工作的通知".into(),
            summary: "部署年度政务公开工作。".into(),
            issuer: "示范市人民政府办公室".into(),
            document_number: "示政办发[2026]3号".into(),
            written_date: "2026-03-01".into(),
            published_date: "2026-03-05".into(),
            topic: "综合政务\\政务公开".into(),
            genre: "通知".into(),
            validity: "effective".into(),
            keywords: "政务公开，年度 要点".into(),
            body: "第一条 为了规范。\r\n第二条 施行。".into(),
            ..MetadataInput::default()
        }
    }

    #[test]
    fn valid_metadata_is_normalised() {
        let metadata = validate_metadata(&valid_input()).expect("valid");
        assert_eq!(
            metadata.document_number.as_deref(),
            Some("示政办发〔2026〕3号")
        );
        assert_eq!(metadata.keywords, ["政务公开", "年度", "要点"]);
        assert_eq!(metadata.body, "第一条 为了规范。\n第二条 施行。");
        assert_eq!(metadata.validity, Validity::Effective);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let input = MetadataInput {
            title: " ".into(),
            issuer: String::new(),
            document_number: "无效文号".into(),
            written_date: "2026-03-09".into(),
            published_date: "2026-03-05".into(),
            validity: "sometimes".into(),
            valid_from: "2026-13-01".into(),
            keywords: (0..25)
                .map(|i| format!("词{i}"))
                .collect::<Vec<_>>()
                .join(","),
            body: String::new(),
            ..MetadataInput::default()
        };
        let problems = validate_metadata(&input).expect_err("invalid");
        let found: Vec<(&str, &str)> = problems
            .problems()
            .iter()
            .map(|p| (p.field, p.code))
            .collect();
        for expected in [
            ("title", "required"),
            ("issuer", "required"),
            ("document_number", "invalid_document_number"),
            ("published_date", "published_before_written"),
            ("validity", "invalid_choice"),
            ("valid_from", "date_invalid"),
            ("keywords", "too_many"),
            ("body", "required"),
        ] {
            assert!(
                found.contains(&expected),
                "{expected:?} missing in {found:?}"
            );
        }
    }

    #[test]
    fn repealed_documents_need_the_date_they_stopped_applying() {
        let mut input = valid_input();
        input.validity = "repealed".into();
        let problems = validate_metadata(&input).expect_err("date missing");
        assert!(problems.has_field("invalid_from"));
        input.invalid_from = "2026-06-01".into();
        input.valid_from = "2026-07-01".into();
        let problems = validate_metadata(&input).expect_err("ends before it starts");
        assert_eq!(problems.problems()[0].code, "before_valid_from");
        input.valid_from = "2026-03-05".into();
        assert!(validate_metadata(&input).is_ok());
    }

    #[test]
    fn summaries_come_from_the_first_article() {
        assert_eq!(
            summary_from_body("## 第一章 总则\n\n第一条 为了规范口岸开放，提高效率。", 8),
            "为了规范口岸开放…"
        );
        assert_eq!(summary_from_body("通知正文。", 10), "通知正文。");
        assert_eq!(summary_from_body("", 10), "");
    }
}
