//! The input of the index: a published document as the search layer needs it, built by the
//! caller from the database (the source of truth), with its articles as retrievable units.
//!
//! These are plain values; building one never touches the index. Article structure comes from
//! `gongkai_domain::document`, so that article keys here are exactly the keys of URLs and of
//! the evaluation's hit ids.

use gongkai_domain::document::{Article, BodyBlock, parse_body};

/// Whether a document is in force. Expired versions stay searchable but rank below current
/// ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Validity {
    Current,
    Expired,
    Unknown,
}

impl Validity {
    /// The stable code stored in the index and used in facets and filters.
    pub fn code(self) -> &'static str {
        match self {
            Validity::Current => "current",
            Validity::Expired => "expired",
            Validity::Unknown => "unknown",
        }
    }

    pub(crate) fn fast_value(self) -> u64 {
        match self {
            Validity::Current => 0,
            Validity::Expired => 1,
            Validity::Unknown => 2,
        }
    }

    pub(crate) fn from_fast_value(value: u64) -> Self {
        match value {
            0 => Validity::Current,
            1 => Validity::Expired,
            _ => Validity::Unknown,
        }
    }

    /// Parses a facet or filter code as produced by [`Validity::code`].
    pub fn parse_code(code: &str) -> Option<Self> {
        match code {
            "current" => Some(Validity::Current),
            "expired" => Some(Validity::Expired),
            "unknown" => Some(Validity::Unknown),
            _ => None,
        }
    }
}

/// One article: its key (`56`, `287-2`, from `ArticleNumber::key`), the headings it sits under
/// (outermost first) and its text without the 第X条 label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexableArticle {
    pub key: String,
    pub headings: Vec<String>,
    pub text: String,
}

/// The extracted text of one attached file (PDF, DOCX, XLSX) of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexableAttachment {
    pub filename: String,
    pub text: String,
}

impl IndexableAttachment {
    /// The article-level key of the `n`-th attachment (from 1): `attachment-1`. It never
    /// parses as an article number, so a hit on it is told apart from a 第X条.
    pub fn key(n: usize) -> String {
        format!("{ATTACHMENT_KEY_PREFIX}{n}")
    }
}

/// What every attachment unit's key starts with.
pub const ATTACHMENT_KEY_PREFIX: &str = "attachment-";

impl IndexableArticle {
    pub fn from_domain(article: &Article) -> Self {
        Self {
            key: article.number.key(),
            headings: article.headings.clone(),
            text: article.text.clone(),
        }
    }
}

/// A published document for the index. Each article is a unit of its own (hit id
/// `external_id#key`), and the whole document is one more unit (hit id `external_id`) that
/// carries the title and all text, so that a document with no articles (a notice) is found too
/// and facets count documents rather than articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexableDocument {
    /// The document's stable public id; upserting the same id replaces every unit of it.
    pub external_id: String,
    pub title: String,
    /// The title as people cite it (个人信息保护法 for 中华人民共和国个人信息保护法); optional.
    pub short_title: Option<String>,
    /// The issuing body (制定机关 / 发布机关), a facet.
    pub issuer: Option<String>,
    /// 法律, 行政法规, 司法解释, 部门规章, 地方性法规, 规范性文件 …, a facet and a ranking prior.
    pub level: Option<String>,
    /// The version's date as `YYYY-MM-DD`, shown in hits.
    pub date: Option<String>,
    /// The year facet; when `None` it is taken from `date`.
    pub year: Option<u16>,
    pub validity: Validity,
    /// The subject classification (主题分类 or the corpus's category), a facet.
    pub topic: Option<String>,
    /// The item of the agency's disclosure catalogue (公开目录), a facet.
    pub catalog_item: Option<String>,
    pub articles: Vec<IndexableArticle>,
    /// Text outside articles: the preamble, or the whole body of a document without articles.
    pub body_text: String,
    /// The text of the attached files. Each is part of the whole-document unit and, for a
    /// document with articles, also a retrievable unit of its own at article level, so that
    /// an article-level search finds what only an attachment says.
    pub attachments: Vec<IndexableAttachment>,
}

impl IndexableDocument {
    /// Splits a Markdown body (the corpus format, see `gongkai_domain::document`) into
    /// articles and the text outside them, ready for the two fields above.
    pub fn split_body(body: &str) -> (Vec<IndexableArticle>, String) {
        let mut articles = Vec::new();
        let mut free_text = Vec::new();
        for block in parse_body(body) {
            match block {
                BodyBlock::Article(article) => {
                    articles.push(IndexableArticle::from_domain(&article))
                }
                BodyBlock::Paragraph(paragraph) => free_text.push(paragraph),
                BodyBlock::Heading(_) => {}
            }
        }
        (articles, free_text.join("\n"))
    }

    /// The year facet value: `year`, else the first four digits of `date`.
    pub fn facet_year(&self) -> Option<u16> {
        self.year.or_else(|| {
            self.date
                .as_deref()
                .and_then(|date| date.get(..4))
                .and_then(|year| year.parse().ok())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_body_keeps_keys_headings_and_free_text() {
        let body = "前言一段\n## 第一章 总则\n第一条 为了规范。\n第二条之一 补充。\n第二款。";
        let (articles, free_text) = IndexableDocument::split_body(body);
        assert_eq!(free_text, "前言一段");
        let keys: Vec<&str> = articles.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, vec!["1", "2-1"]);
        assert_eq!(articles[1].headings, vec!["第一章 总则".to_string()]);
        assert_eq!(articles[1].text, "补充。\n第二款。");
    }
}
