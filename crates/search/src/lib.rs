//! Gongkai's search: article-level hybrid retrieval over published documents for questions
//! written by people who do not know the legal words.
//!
//! A tantivy index holds every article (第X条) as a unit of its own plus one unit per whole
//! document; jieba words and character bigrams are ranked with BM25, queries are normalised
//! (traditional → simplified, full-width → half-width), stripped of question filler and
//! expanded with an editable colloquial → formal thesaurus and an English → Chinese glossary.
//! An optional offline embedding model (a Model2Vec static model behind [`Embedder`]) adds a
//! semantic ranking that is fused with BM25 (weighted score fusion by default, reciprocal-rank
//! fusion selectable); without a model the search is lexical and says so. Expired versions
//! rank below current ones. `docs/search.md` has the API, the figures and the limits.
//!
//! This crate must never be the source of truth: the database is. The index and its vectors
//! are a cache that the service rebuilds from the published documents, written by one writer
//! (tantivy locks the directory, so each process keeps its own index directory), and nothing
//! here reaches the network or reads configuration of its own: paths and models are handed in
//! by the caller.

mod analyzer;
mod document;
mod embed;
mod index;
mod normalize;
mod query;
mod snippet;
mod thesaurus;

use std::path::PathBuf;

pub use document::{
    ATTACHMENT_KEY_PREFIX, IndexableArticle, IndexableAttachment, IndexableDocument, Validity,
};
pub use embed::{EMBEDDED_TEXT_MAX_CHARS, Embedder, StaticEmbedder};
pub use index::{
    FACET_VALUES_MAX, FacetCount, Facets, Fusion, Granularity, Hit, INDEX_FORMAT_VERSION,
    IndexOptions, IndexStatus, PAGE_LIMIT_MAX, PAGE_OFFSET_MAX, Popularity, RankingOptions,
    RetrievalMode, SearchFilters, SearchIndex, SearchRequest, SearchResults,
    WRITER_HEAP_BYTES_DEFAULT, day_number,
};
pub use normalize::normalize_text;
pub use query::{AnalyzedQuery, QUERY_MAX_CHARS, QueryWord, WordOrigin};
pub use snippet::{SNIPPET_MAX_CHARS, snippet_html};
pub use thesaurus::{DEFAULT_GLOSSARY_EN_ZH, DEFAULT_THESAURUS_ZH, Expansion, Thesaurus};

/// Everything that can go wrong in the search layer. None of these is the user's fault except
/// [`SearchError::InvalidRequest`]; the service maps the rest to an internal error and may
/// rebuild the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("i/o on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the index at {path} was written by another version of gongkai-search; rebuild it")]
    IndexOutdated { path: PathBuf },
    #[error("thesaurus: {0}")]
    Thesaurus(String),
    #[error("embedding model at {path}: {message}")]
    ModelLoad { path: PathBuf, message: String },
    #[error("embedding: {0}")]
    Embedding(String),
    #[error("vector file {path}: {message}")]
    VectorFile { path: PathBuf, message: String },
    #[error("invalid document: {0}")]
    InvalidDocument(String),
    #[error("invalid search request: {0}")]
    InvalidRequest(String),
    #[error("a search index lock was poisoned by a panic")]
    Poisoned,
}
