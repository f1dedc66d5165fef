//! The search index: one tantivy index of retrievable units (articles and whole documents), the
//! optional vectors beside it, and the hybrid search over both.
//!
//! The index is a cache of the database: it is written only through [`SearchIndex`], by one
//! writer, and can always be deleted and rebuilt from the published documents. It must never
//! hold anything that exists nowhere else.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use jieba_rs::Jieba;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
};

use crate::SearchError;
use crate::analyzer::{
    BIGRAM_TOKENIZER_NAME, BigramTokenizer, JIEBA_TOKENIZER_NAME, JiebaWordTokenizer, bigrams,
    build_jieba,
};
use crate::document::{IndexableAttachment, IndexableDocument, Validity};
use crate::embed::{Embedder, VectorStore, vector_file_path};
use crate::normalize::{is_cjk, normalize_text};
use crate::query::{AnalyzedQuery, QueryAnalyzer, QueryWord, WordOrigin};
use crate::snippet::snippet_html;
use crate::thesaurus::{DEFAULT_GLOSSARY_EN_ZH, DEFAULT_THESAURUS_ZH, Thesaurus};

/// Bumped whenever the schema or the analyzers change; an index written under another version
/// is refused with [`SearchError::IndexOutdated`] so that the caller rebuilds it.
pub const INDEX_FORMAT_VERSION: &str = "gongkai-search-7";
const VERSION_FILE_NAME: &str = "gongkai-search-version";
/// The writer's memory budget: enough for the whole corpus without flushing tiny segments.
pub const WRITER_HEAP_BYTES_DEFAULT: usize = 200_000_000;
/// A page holds at most this many hits; the evaluation asks for 100.
pub const PAGE_LIMIT_MAX: usize = 100;
/// Offsets beyond this are refused: nobody pages that far, and every skipped hit is ranked.
pub const PAGE_OFFSET_MAX: usize = 1_000;
/// At most this many values per facet are returned, the largest counts first.
pub const FACET_VALUES_MAX: usize = 50;
/// Levels with a fixed code in the index, so that the ranking prior can read a fast field.
const KNOWN_LEVELS: [&str; 9] = [
    "宪法",
    "法律",
    "行政法规",
    "司法解释",
    "部门规章",
    "地方性法规",
    "地方政府规章",
    "规范性文件",
    "案例",
];
/// The fused score of an article cited by name and number; fused scores of ranked hits stay
/// below 2 / (fusion_k + 1), so a pinned article always comes first.
const PINNED_SCORE: f32 = 10.0;
/// Spelling suggestions only replace stretches at least this long.
const SUGGESTION_WORD_MIN_CHARS: usize = 3;
/// A suggestion replaces a stretch only when the correction occurs in this many times more
/// units than the stretch as typed.
const SUGGESTION_FREQUENCY_RATIO: usize = 50;
/// Citation names shorter than this (法, 条例) would match almost any query.
const CITATION_NAME_MIN_CHARS: usize = 3;
/// The known levels whose documents age (normative documents of agencies); documents of no
/// known level (notices, plans, reports) age too, legal norms and cases do not.
const RECENCY_LEVELS: [&str; 1] = ["规范性文件"];
/// What the ranking prior needs to know about the request.
#[derive(Debug, Clone, Copy)]
struct PriorContext {
    /// The query names a province or a large city: local rules are not demoted.
    names_region: bool,
    /// Today as days since 1970-01-01, for the recency prior.
    reference_day: Option<u64>,
}
/// Levels made by local legislatures and governments, for the region exemption of the prior.
const LOCAL_LEVELS: [&str; 2] = ["地方性法规", "地方政府规章"];
/// Province-level divisions and large cities; a query naming one is a local question.
const REGION_NAMES: [&str; 45] = [
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "深圳",
    "广州",
    "杭州",
    "宁波",
    "温州",
    "南京",
    "苏州",
    "武汉",
    "成都",
    "西安",
    "厦门",
];
const GRANULARITY_ARTICLE_LEVEL: &str = "article_level";
const GRANULARITY_DOCUMENT_LEVEL: &str = "document_level";

/// What a hit may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Granularity {
    /// Articles, plus whole documents that have no articles (notices): what a person asking a
    /// question wants, and what the evaluation scores.
    #[default]
    Articles,
    /// Whole documents only.
    Documents,
    /// Both, ranked together.
    Mixed,
}

/// Exact-value filters; `None` means any. Values are the facet values shown in results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilters {
    pub issuer: Option<String>,
    pub year: Option<u16>,
    pub level: Option<String>,
    pub validity: Option<Validity>,
    pub topic: Option<String>,
    pub catalog_item: Option<String>,
}

/// One search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub filters: SearchFilters,
    pub granularity: Granularity,
    pub offset: usize,
    pub limit: usize,
    /// Facet counts cost a second pass over the matches; the evaluation turns them off.
    pub with_facets: bool,
    /// Today as days since 1970-01-01 ([`day_number`]), for the recency prior; `None` turns
    /// it off (the index knows no clock: the caller says what "recent" is measured from).
    pub reference_day: Option<u64>,
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub external_id: String,
    /// `Some("56")` for an article hit, `None` for a whole-document hit.
    pub article_key: Option<String>,
    pub title: String,
    /// The headings the article sits under, outermost first (empty for a document hit).
    pub headings: Vec<String>,
    /// HTML-escaped text with `<mark>` around the matches; safe to put into a page as is.
    pub snippet_html: String,
    pub validity: Validity,
    pub date: Option<String>,
    pub score: f32,
}

impl Hit {
    /// The hit id of the evaluation and of links: `id#key` for an article, `id` otherwise.
    pub fn hit_id(&self) -> String {
        match &self.article_key {
            Some(key) => format!("{}#{key}", self.external_id),
            None => self.external_id.clone(),
        }
    }
}

/// A facet value with the number of matching documents that have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Counts of matching documents (not articles) per facet value, largest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub issuer: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    pub level: Vec<FacetCount>,
    pub validity: Vec<FacetCount>,
    pub topic: Vec<FacetCount>,
    pub catalog_item: Vec<FacetCount>,
}

/// How a search was answered, so that pages can say "lexical only".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrievalMode {
    Hybrid,
    /// No embedder configured, or its vectors are missing.
    LexicalOnly,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// Lexical matches at the requested granularity (at least the minimum number of query
    /// words), plus semantic-only hits that were ranked; an estimate for pagination.
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// A corrected query to offer when this one found little, e.g. simplified for traditional.
    pub did_you_mean: Option<String>,
    /// Formal words the thesaurus or glossary added ("also searched for").
    pub expansions: Vec<String>,
    pub mode: RetrievalMode,
}

/// The knobs of ranking. The defaults are the figures measured in `docs/search.md`.
#[derive(Debug, Clone)]
pub struct RankingOptions {
    pub title_boost: f32,
    pub headings_boost: f32,
    pub text_boost: f32,
    pub bigram_boost: f32,
    pub thesaurus_weight: f32,
    pub glossary_weight: f32,
    /// A lone character (房, 钱) is ambiguous; its clauses are scaled by this.
    pub single_char_weight: f32,
    /// The share of query words a unit must contain to count in `total` and in the facets.
    /// Ranking considers every unit with any word (requiring more loses recall: at 0.35 the
    /// dev set's Recall@100 drops from 0.64 to 0.57), but "12 of 100,000 units mention 的
    /// words you typed" is no count to show a person.
    pub match_ratio: f32,
    /// The score of an expired version is multiplied by this.
    pub expired_factor: f32,
    /// Score factors per level (法律 over 地方性法规 for a general question); unlisted levels
    /// get `other_level_factor`.
    pub level_factors: Vec<(String, f32)>,
    pub other_level_factor: f32,
    /// How the lexical and the semantic lists are merged.
    pub fusion: Fusion,
    /// Reciprocal-rank fusion constant; larger flattens the ranks.
    pub fusion_k: f32,
    /// The weight of the semantic list: against 1 for the lexical list in reciprocal-rank
    /// fusion, as the share α in `(1 − α) × lexical + α × semantic` in weighted fusion.
    pub semantic_weight: f32,
    /// How many candidates the lexical list contributes to the fusion.
    pub candidate_depth: usize,
    /// How many candidates the semantic list contributes. With a small semantic weight the
    /// tail of the list barely moves anything, and each candidate costs a lookup.
    pub semantic_depth: usize,
    /// When the query names a document (劳动合同法 试用期), the lexical scores of that
    /// document's units are multiplied by `1 + cited_document_boost`.
    pub cited_document_boost: f32,
    /// The popularity prior's ceiling: a document opened from results as often as the most
    /// opened one gets its units' scores multiplied by `1 + popularity_boost`, one never
    /// opened by 1, on a log scale in between. Kept small so that popularity only breaks
    /// near-ties and never buries the relevant article under a popular one.
    pub popularity_boost: f32,
    /// The recency prior's ceiling: a notice or policy document (not a law, regulation, rule
    /// or case, whose force does not fade with age; expired versions are demoted apart) dated
    /// on the request's reference day gets its score multiplied by `1 + recency_boost`, one
    /// `recency_half_life_days` older by `1 + recency_boost / 2`, and so on.
    pub recency_boost: f32,
    pub recency_half_life_days: f32,
}

impl Default for RankingOptions {
    fn default() -> Self {
        Self {
            title_boost: 0.0,
            headings_boost: 0.5,
            text_boost: 1.0,
            bigram_boost: 0.3,
            thesaurus_weight: 0.5,
            glossary_weight: 1.0,
            single_char_weight: 0.3,
            match_ratio: 0.5,
            expired_factor: 0.7,
            level_factors: vec![
                ("宪法".to_string(), 1.0),
                ("法律".to_string(), 1.0),
                ("行政法规".to_string(), 1.0),
                ("司法解释".to_string(), 1.0),
                ("部门规章".to_string(), 1.0),
                ("地方性法规".to_string(), 0.6),
                ("地方政府规章".to_string(), 0.6),
                ("案例".to_string(), 0.6),
            ],
            other_level_factor: 1.0,
            fusion: Fusion::Weighted,
            fusion_k: 60.0,
            semantic_weight: 0.1,
            candidate_depth: 200,
            semantic_depth: 100,
            cited_document_boost: 1.0,
            popularity_boost: 0.1,
            recency_boost: 0.15,
            recency_half_life_days: 365.0,
        }
    }
}

/// How often each document was opened from search results (the click log), for the bounded
/// popularity prior. The service loads it from the database, where every process reads the
/// same log, so all processes rank alike.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Popularity {
    clicks: HashMap<String, u64>,
    most_clicks: u64,
}

impl Popularity {
    /// From (document external id, clicks) pairs; repeated ids add up.
    pub fn from_counts(counts: impl IntoIterator<Item = (String, u64)>) -> Self {
        let mut clicks: HashMap<String, u64> = HashMap::new();
        for (external_id, n) in counts {
            *clicks.entry(external_id).or_default() += n;
        }
        let most_clicks = clicks.values().copied().max().unwrap_or(0);
        Self {
            clicks,
            most_clicks,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.most_clicks == 0
    }

    /// The score factor of a document: `1 + boost · ln(1 + clicks) / ln(1 + most clicks)`,
    /// so between 1 and `1 + boost`.
    pub fn factor(&self, external_id: &str, boost: f32) -> f32 {
        let clicks = self.clicks.get(external_id).copied().unwrap_or(0);
        if clicks == 0 || self.most_clicks == 0 {
            return 1.0;
        }
        let share = ((1 + clicks) as f64).ln() / ((1 + self.most_clicks) as f64).ln();
        1.0 + boost * share.clamp(0.0, 1.0) as f32
    }
}

/// How the lexical and the semantic rankings are merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fusion {
    /// Σ weight / (k + rank): robust to incomparable scores, but flat at the top, so a weak
    /// list reorders the first places of a strong one.
    ReciprocalRank,
    /// A weighted sum of each list's scores scaled to [0, 1] (lexical by its best score,
    /// semantic min-max): keeps the lexical order unless the semantic evidence is strong.
    Weighted,
}

/// Everything an index needs besides its directory.
#[derive(Clone)]
pub struct IndexOptions {
    /// The semantic half; `None` means lexical only.
    pub embedder: Option<Arc<dyn Embedder>>,
    pub thesaurus: Thesaurus,
    pub glossary: Thesaurus,
    pub ranking: RankingOptions,
    pub writer_heap_bytes: usize,
}

impl IndexOptions {
    /// The shipped thesaurus and glossary, default ranking, no embedder.
    pub fn lexical_defaults() -> Result<Self, SearchError> {
        Ok(Self {
            embedder: None,
            thesaurus: Thesaurus::parse(DEFAULT_THESAURUS_ZH)?,
            glossary: Thesaurus::parse(DEFAULT_GLOSSARY_EN_ZH)?,
            ranking: RankingOptions::default(),
            writer_heap_bytes: WRITER_HEAP_BYTES_DEFAULT,
        })
    }
}

/// What an administrator page shows about the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexStatus {
    pub units: u64,
    pub mode: RetrievalMode,
    pub model_id: Option<String>,
    pub vectors: usize,
    /// True when an embedder is configured but fewer vectors than units exist (a model was
    /// installed or changed after the index was built): rebuild the index from the database.
    pub vectors_incomplete: bool,
}

#[derive(Clone, Copy)]
struct Fields {
    unit_id: Field,
    document_id: Field,
    article_key: Field,
    granularity: Field,
    title: Field,
    headings: Field,
    text: Field,
    full_text: Field,
    text_bigram: Field,
    full_text_bigram: Field,
    facets: Field,
    validity_code: Field,
    level_code: Field,
    text_hash: Field,
    date: Field,
    /// The version's date as days since 1970-01-01 (0 when unknown), for the recency prior.
    day_number: Field,
    citation_names: Field,
}

fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let word_indexing = |tokenizer: &str| {
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqs)
    };
    let stored_words = TextOptions::default()
        .set_indexing_options(word_indexing(JIEBA_TOKENIZER_NAME))
        .set_stored();
    let bigram_words =
        TextOptions::default().set_indexing_options(word_indexing(BIGRAM_TOKENIZER_NAME));
    let fields = Fields {
        unit_id: builder.add_text_field("unit_id", STRING | STORED | FAST),
        document_id: builder.add_text_field("document_id", STRING),
        article_key: builder.add_text_field("article_key", STORED),
        granularity: builder.add_text_field("granularity", STRING),
        title: builder.add_text_field("title", stored_words.clone()),
        headings: builder.add_text_field("headings", stored_words.clone()),
        text: builder.add_text_field("text", stored_words.clone()),
        full_text: builder.add_text_field("full_text", stored_words),
        text_bigram: builder.add_text_field("text_bigram", bigram_words.clone()),
        full_text_bigram: builder.add_text_field("full_text_bigram", bigram_words),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
        validity_code: builder.add_u64_field("validity_code", INDEXED | FAST | STORED),
        level_code: builder.add_u64_field("level_code", FAST),
        text_hash: builder.add_u64_field("text_hash", FAST),
        date: builder.add_text_field("date", STORED),
        day_number: builder.add_u64_field("day_number", FAST),
        citation_names: builder.add_text_field("citation_names", STORED),
    };
    (builder.build(), fields)
}

/// The search index. Searches run concurrently; writes go through one internal writer, and
/// become visible at [`SearchIndex::commit`].
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    fields: Fields,
    jieba: Arc<Jieba>,
    analyzer: QueryAnalyzer,
    ranking: RankingOptions,
    embedder: Option<Arc<dyn Embedder>>,
    vectors: RwLock<Option<VectorStore>>,
    vector_path: Option<PathBuf>,
    /// The names people cite documents by (劳动合同法, 中华人民共和国劳动合同法), normalised, to
    /// the external ids of the documents (several versions share a name). Rebuilt from the
    /// index at open, kept in step by upserts and deletions.
    citations: RwLock<HashMap<String, Vec<String>>>,
    /// The words spelling suggestions may propose, as characters; dropped whenever the
    /// citations change and rebuilt by the next search that needs it.
    suggestion_vocabulary: RwLock<Option<Arc<Vec<Vec<char>>>>>,
    /// The click counts of the popularity prior; empty until the service sets them.
    popularity: RwLock<Arc<Popularity>>,
}

impl SearchIndex {
    /// Replaces the click counts the popularity prior ranks by.
    pub fn set_popularity(&self, popularity: Popularity) {
        if let Ok(mut current) = self.popularity.write() {
            *current = Arc::new(popularity);
        }
    }

    fn popularity(&self) -> Arc<Popularity> {
        self.popularity
            .read()
            .map(|p| Arc::clone(&p))
            .unwrap_or_default()
    }

    /// An index in memory, for tests and small tools.
    pub fn create_in_ram(options: IndexOptions) -> Result<Self, SearchError> {
        let (schema, fields) = build_schema();
        let index = Index::create_in_ram(schema);
        Self::from_index(index, fields, options, None)
    }

    /// Opens the index in `directory`, creating it when the directory is empty or missing.
    /// An index written by another format version is refused ([`SearchError::IndexOutdated`]):
    /// delete the directory and rebuild from the database.
    pub fn open_in_dir(directory: &Path, options: IndexOptions) -> Result<Self, SearchError> {
        let io_error = |source| SearchError::Io {
            path: directory.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(directory).map_err(io_error)?;
        let version_path = directory.join(VERSION_FILE_NAME);
        let has_index = directory.join("meta.json").exists();
        if has_index {
            let version = std::fs::read_to_string(&version_path).unwrap_or_default();
            if version.trim() != INDEX_FORMAT_VERSION {
                return Err(SearchError::IndexOutdated {
                    path: directory.to_path_buf(),
                });
            }
        }
        let (schema, fields) = build_schema();
        let index = if has_index {
            Index::open_in_dir(directory)?
        } else {
            let index = Index::create_in_dir(directory, schema)?;
            std::fs::write(&version_path, INDEX_FORMAT_VERSION).map_err(io_error)?;
            index
        };
        Self::from_index(index, fields, options, Some(vector_file_path(directory)))
    }

    fn from_index(
        index: Index,
        fields: Fields,
        options: IndexOptions,
        vector_path: Option<PathBuf>,
    ) -> Result<Self, SearchError> {
        let jieba = build_jieba();
        index
            .tokenizers()
            .register(JIEBA_TOKENIZER_NAME, JiebaWordTokenizer::new(jieba.clone()));
        index
            .tokenizers()
            .register(BIGRAM_TOKENIZER_NAME, BigramTokenizer);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        // Two indexing threads: the build machine has two cores, and more threads would only
        // make more, smaller segments.
        let writer = index.writer_with_num_threads(2, options.writer_heap_bytes)?;
        let vectors = match (&options.embedder, &vector_path) {
            (Some(embedder), Some(path)) => Some(
                VectorStore::load(path, embedder.model_id(), embedder.dimensions())?
                    .unwrap_or_else(|| {
                        VectorStore::new(embedder.model_id(), embedder.dimensions())
                    }),
            ),
            (Some(embedder), None) => {
                Some(VectorStore::new(embedder.model_id(), embedder.dimensions()))
            }
            (None, _) => None,
        };
        let citations = RwLock::new(load_citations(&reader, fields)?);
        Ok(Self {
            suggestion_vocabulary: RwLock::new(None),
            popularity: RwLock::new(Arc::new(Popularity::default())),
            citations,
            reader,
            writer: Mutex::new(writer),
            fields,
            jieba,
            analyzer: QueryAnalyzer::new(options.thesaurus, options.glossary),
            ranking: options.ranking,
            embedder: options.embedder,
            vectors: RwLock::new(vectors),
            vector_path,
        })
    }

    /// Replaces the ranking knobs (used by the evaluation to compare variants).
    pub fn set_ranking(&mut self, ranking: RankingOptions) {
        self.ranking = ranking;
    }

    /// Adds a document or replaces every unit of an earlier version with the same
    /// `external_id`. Visible after [`SearchIndex::commit`].
    pub fn upsert_document(&self, document: &IndexableDocument) -> Result<(), SearchError> {
        if document.external_id.is_empty() || document.external_id.contains('#') {
            return Err(SearchError::InvalidDocument(format!(
                "external id {:?} is empty or contains '#'",
                document.external_id
            )));
        }
        let units = self.units_of(document);
        let embedded = match &self.embedder {
            Some(embedder) => {
                let texts: Vec<String> = units
                    .iter()
                    .map(|unit| unit.embedding_text.clone())
                    .collect();
                Some(embedder.embed_passages(&texts)?)
            }
            None => None,
        };
        {
            let writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
            writer.delete_term(Term::from_field_text(
                self.fields.document_id,
                &document.external_id,
            ));
            for unit in &units {
                writer.add_document(unit.document.clone())?;
            }
        }
        {
            let mut citations = self.citations.write().map_err(|_| SearchError::Poisoned)?;
            forget_citations(&mut citations, &document.external_id);
            for name in citation_names(document) {
                citations
                    .entry(name)
                    .or_default()
                    .push(document.external_id.clone());
            }
        }
        self.forget_suggestion_vocabulary()?;
        if let Some(vectors) = embedded {
            let mut store = self.vectors.write().map_err(|_| SearchError::Poisoned)?;
            if let Some(store) = store.as_mut() {
                store.remove_document(&document.external_id);
                for (unit, vector) in units.iter().zip(vectors) {
                    store.upsert(&unit.unit_id, vector)?;
                }
            }
        }
        Ok(())
    }

    /// Removes a document (withdrawn, unpublished) with all its articles. Visible after
    /// [`SearchIndex::commit`].
    pub fn delete_document(&self, external_id: &str) -> Result<(), SearchError> {
        {
            let writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
            writer.delete_term(Term::from_field_text(self.fields.document_id, external_id));
        }
        forget_citations(
            &mut *self.citations.write().map_err(|_| SearchError::Poisoned)?,
            external_id,
        );
        self.forget_suggestion_vocabulary()?;
        let mut store = self.vectors.write().map_err(|_| SearchError::Poisoned)?;
        if let Some(store) = store.as_mut() {
            store.remove_document(external_id);
        }
        Ok(())
    }

    /// Removes everything, before a rebuild from the database.
    pub fn delete_all(&self) -> Result<(), SearchError> {
        {
            let writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
            writer.delete_all_documents()?;
        }
        self.citations
            .write()
            .map_err(|_| SearchError::Poisoned)?
            .clear();
        self.forget_suggestion_vocabulary()?;
        let mut store = self.vectors.write().map_err(|_| SearchError::Poisoned)?;
        if let Some(store) = store.as_mut() {
            store.clear();
        }
        Ok(())
    }

    /// Makes every change since the last commit durable and visible to searches, and saves
    /// the vectors of an on-disk index.
    pub fn commit(&self) -> Result<(), SearchError> {
        {
            let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
            writer.commit()?;
        }
        self.reader.reload()?;
        if let Some(path) = &self.vector_path {
            let store = self.vectors.read().map_err(|_| SearchError::Poisoned)?;
            if let Some(store) = store.as_ref() {
                store.save(path)?;
            }
        }
        Ok(())
    }

    /// Units, retrieval mode and vector count, for the administrator page.
    pub fn status(&self) -> Result<IndexStatus, SearchError> {
        let units = self.reader.searcher().num_docs();
        let store = self.vectors.read().map_err(|_| SearchError::Poisoned)?;
        let (model_id, vectors) = match store.as_ref() {
            Some(store) => (Some(store.model_id().to_string()), store.len()),
            None => (None, 0),
        };
        Ok(IndexStatus {
            units,
            mode: if vectors > 0 {
                RetrievalMode::Hybrid
            } else {
                RetrievalMode::LexicalOnly
            },
            vectors_incomplete: model_id.is_some() && (vectors as u64) < units,
            model_id,
            vectors,
        })
    }

    /// The query analysis the search would use, for debugging pages and tests.
    pub fn analyze_query(&self, query: &str) -> AnalyzedQuery {
        self.analyzer.analyze(&self.jieba, query)
    }

    fn units_of(&self, document: &IndexableDocument) -> Vec<Unit> {
        let fields = self.fields;
        let level_code = level_code(document.level.as_deref());
        let mut facet_paths: Vec<Facet> =
            vec![Facet::from_path(["validity", document.validity.code()])];
        if let Some(issuer) = non_empty(document.issuer.as_deref()) {
            facet_paths.push(Facet::from_path(["issuer", issuer]));
        }
        if let Some(year) = document.facet_year() {
            facet_paths.push(Facet::from_path(["year".to_string(), year.to_string()]));
        }
        if let Some(level) = non_empty(document.level.as_deref()) {
            facet_paths.push(Facet::from_path(["level", level]));
        }
        if let Some(topic) = non_empty(document.topic.as_deref()) {
            facet_paths.push(Facet::from_path(["topic", topic]));
        }
        if let Some(item) = non_empty(document.catalog_item.as_deref()) {
            facet_paths.push(Facet::from_path(["catalog", item]));
        }
        let title = match non_empty(document.short_title.as_deref()) {
            Some(short) if !document.title.contains(short) => format!("{} {short}", document.title),
            _ => document.title.clone(),
        };
        let base = |unit_id: &str| {
            let mut base = TantivyDocument::default();
            base.add_text(fields.unit_id, unit_id);
            base.add_text(fields.document_id, &document.external_id);
            base.add_text(fields.title, &title);
            for facet in &facet_paths {
                base.add_facet(fields.facets, facet.clone());
            }
            base.add_u64(fields.validity_code, document.validity.fast_value());
            base.add_u64(fields.level_code, level_code);
            if let Some(date) = non_empty(document.date.as_deref()) {
                base.add_text(fields.date, date);
            }
            base.add_u64(
                fields.day_number,
                document.date.as_deref().and_then(day_number).unwrap_or(0),
            );
            base
        };
        let mut units = Vec::with_capacity(document.articles.len() + 1);
        for article in &document.articles {
            let unit_id = format!("{}#{}", document.external_id, article.key);
            let mut unit = base(&unit_id);
            unit.add_text(fields.article_key, &article.key);
            unit.add_text(fields.granularity, GRANULARITY_ARTICLE_LEVEL);
            let headings = article.headings.join(" ");
            unit.add_text(fields.headings, &headings);
            unit.add_text(fields.text, &article.text);
            unit.add_text(fields.text_bigram, &article.text);
            unit.add_u64(fields.text_hash, text_fingerprint(&article.text));
            units.push(Unit {
                embedding_text: format!("{title} {headings} {}", article.text),
                unit_id,
                document: unit,
            });
        }
        // Attachments of a document with articles are article-level units of their own: the
        // text of a file is not any article's, yet an article-level search must reach it.
        // (Without articles the whole-document unit below is article-level and holds them.)
        if !document.articles.is_empty() {
            for (n, attachment) in document
                .attachments
                .iter()
                .filter(|a| !a.text.trim().is_empty())
                .enumerate()
            {
                let key = IndexableAttachment::key(n + 1);
                let unit_id = format!("{}#{key}", document.external_id);
                let heading = format!("附件：{}", attachment.filename);
                let mut unit = base(&unit_id);
                unit.add_text(fields.article_key, &key);
                unit.add_text(fields.granularity, GRANULARITY_ARTICLE_LEVEL);
                unit.add_text(fields.headings, &heading);
                unit.add_text(fields.text, &attachment.text);
                unit.add_text(fields.text_bigram, &attachment.text);
                unit.add_u64(fields.text_hash, text_fingerprint(&attachment.text));
                units.push(Unit {
                    embedding_text: format!("{title} {heading} {}", attachment.text),
                    unit_id,
                    document: unit,
                });
            }
        }
        let mut whole = base(&document.external_id);
        whole.add_text(fields.granularity, GRANULARITY_DOCUMENT_LEVEL);
        if document.articles.is_empty() {
            whole.add_text(fields.granularity, GRANULARITY_ARTICLE_LEVEL);
        }
        let mut full_text = document.body_text.clone();
        for article in &document.articles {
            if !full_text.is_empty() {
                full_text.push('\n');
            }
            full_text.push_str(&article.text);
        }
        // Each file is introduced by its name so that a snippet shows where the match is.
        for attachment in document
            .attachments
            .iter()
            .filter(|a| !a.text.trim().is_empty())
        {
            if !full_text.is_empty() {
                full_text.push_str("\n\n");
            }
            full_text.push_str(&format!(
                "附件：{}\n{}",
                attachment.filename, attachment.text
            ));
        }
        whole.add_text(fields.citation_names, citation_names(document).join("\n"));
        whole.add_text(fields.full_text, &full_text);
        whole.add_text(fields.full_text_bigram, &full_text);
        whole.add_u64(fields.text_hash, text_fingerprint(&full_text));
        units.push(Unit {
            embedding_text: format!("{title} {full_text}"),
            unit_id: document.external_id.clone(),
            document: whole,
        });
        units
    }

    /// Runs a search: lexical BM25 over jieba words and bigrams with the thesaurus, fused with
    /// the semantic ranking when vectors exist, demoting expired versions.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let limit = request.limit.clamp(1, PAGE_LIMIT_MAX);
        if request.offset > PAGE_OFFSET_MAX {
            return Err(SearchError::InvalidRequest(format!(
                "offset {} exceeds {PAGE_OFFSET_MAX}",
                request.offset
            )));
        }
        let analyzed = self.analyzer.analyze(&self.jieba, &request.query);
        let searcher = self.reader.searcher();
        let ranking = &self.ranking;
        let restriction = self.restriction_clauses(request);
        let lexical_query = self.lexical_query(&analyzed.words, 0.0);
        // Articles carry their text in `text`, whole documents in `full_text`; each count
        // reads only the postings of the units it counts.
        let counting_query = match request.granularity {
            Granularity::Articles => self.counting_query(
                &analyzed.words,
                ranking.match_ratio,
                &[self.fields.title, self.fields.text, self.fields.full_text],
            ),
            Granularity::Documents => self.counting_query(
                &analyzed.words,
                ranking.match_ratio,
                &[self.fields.title, self.fields.full_text],
            ),
            Granularity::Mixed => self.counting_query(
                &analyzed.words,
                ranking.match_ratio,
                &[self.fields.title, self.fields.text, self.fields.full_text],
            ),
        };
        let document_counting_query = self.counting_query(
            &analyzed.words,
            ranking.match_ratio,
            &[self.fields.title, self.fields.full_text],
        );
        let names_region = REGION_NAMES
            .iter()
            .any(|region| analyzed.normalized.contains(region));
        let context = PriorContext {
            names_region,
            reference_day: request.reference_day,
        };
        let mut match_clauses: Vec<(Occur, Box<dyn Query>)> = restriction
            .iter()
            .map(|(occur, query)| (*occur, query.box_clone()))
            .collect();
        match &lexical_query {
            Some(query) => match_clauses.push((Occur::Must, query.box_clone())),
            None => match_clauses.push((Occur::Must, Box::new(AllQuery))),
        }
        let match_query = BooleanQuery::new(match_clauses);
        let depth = ranking.candidate_depth.max(request.offset + limit);
        let lexical_top =
            searcher.search(&match_query, &TopDocs::with_limit(depth).order_by_score())?;
        let mut counting_clauses: Vec<(Occur, Box<dyn Query>)> = restriction
            .iter()
            .map(|(occur, query)| (*occur, query.box_clone()))
            .collect();
        match &counting_query {
            Some(query) => counting_clauses.push((Occur::Must, query.box_clone())),
            None => counting_clauses.push((Occur::Must, Box::new(AllQuery))),
        }
        let lexical_total = searcher.search(&BooleanQuery::new(counting_clauses), &Count)?;

        let cited = self.cited_documents(&analyzed.normalized)?;
        let popularity = self.popularity();
        let columns = Columns::open(&searcher)?;
        let mut candidates: HashMap<DocAddress, Candidate> = HashMap::new();
        let mut lexical_ranked: Vec<(DocAddress, f32)> = Vec::with_capacity(lexical_top.len());
        for (score, address) in lexical_top {
            let mut factor = self.prior(&columns, address, context, &popularity);
            if !cited.is_empty() {
                let unit_id = columns.unit_id(address)?;
                let external_id = unit_id.split('#').next().unwrap_or_default();
                if cited.iter().any(|id| id == external_id) {
                    factor *= 1.0 + ranking.cited_document_boost;
                }
            }
            lexical_ranked.push((address, score * factor));
        }
        lexical_ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let lexical_best = lexical_ranked
            .first()
            .map(|(_, score)| *score)
            .unwrap_or(0.0);
        for (rank, (address, score)) in lexical_ranked.iter().enumerate() {
            let candidate = candidates.entry(*address).or_default();
            candidate.fused += match ranking.fusion {
                Fusion::ReciprocalRank => 1.0 / (ranking.fusion_k + rank as f32 + 1.0),
                Fusion::Weighted if lexical_best > 0.0 => {
                    (1.0 - ranking.semantic_weight) * score / lexical_best
                }
                Fusion::Weighted => 0.0,
            };
        }

        let mut mode = RetrievalMode::LexicalOnly;
        let mut semantic_only = 0;
        if !analyzed.normalized.is_empty()
            && let Some(semantic_ranked) = self.semantic_ranking(
                &searcher,
                &analyzed,
                &restriction,
                context,
                &columns,
                &popularity,
            )?
        {
            mode = RetrievalMode::Hybrid;
            let best = semantic_ranked
                .first()
                .map(|(_, score)| *score)
                .unwrap_or(0.0);
            let worst = semantic_ranked
                .last()
                .map(|(_, score)| *score)
                .unwrap_or(0.0);
            for (rank, (address, score)) in semantic_ranked.iter().enumerate() {
                let candidate = candidates.entry(*address).or_default();
                if candidate.fused == 0.0 {
                    semantic_only += 1;
                }
                candidate.fused += match ranking.fusion {
                    Fusion::ReciprocalRank => {
                        ranking.semantic_weight / (ranking.fusion_k + rank as f32 + 1.0)
                    }
                    // Min-max over the list: cosines of a static model crowd into a narrow
                    // band, so the raw value would say little.
                    Fusion::Weighted if best > worst => {
                        ranking.semantic_weight * (score - worst) / (best - worst)
                    }
                    Fusion::Weighted => 0.0,
                };
            }
        }

        // A citation such as 劳动合同法第三十九条 pins that article (in every cited version, the
        // prior ordering them) above everything else: the person knows what they want.
        if let Some(article_key) = article_reference(&analyzed.normalized)
            && !cited.is_empty()
        {
            let unit_ids = cited.iter().map(|id| {
                Term::from_field_text(self.fields.unit_id, &format!("{id}#{article_key}"))
            });
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = restriction
                .iter()
                .map(|(occur, query)| (*occur, query.box_clone()))
                .collect();
            clauses.push((Occur::Must, Box::new(TermSetQuery::new(unit_ids))));
            let pinned = searcher.search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(cited.len().max(1)).order_by_score(),
            )?;
            for (_, address) in pinned {
                candidates.entry(address).or_default().fused +=
                    PINNED_SCORE * self.prior(&columns, address, context, &popularity);
            }
        }
        let mut fused: Vec<(DocAddress, f32)> = candidates
            .into_iter()
            .map(|(address, candidate)| (address, candidate.fused))
            .collect();
        fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // The same article text in several versions of a law (2017 and 2023 行政复议法) would
        // fill a page with copies; the best-ranked copy stands for all of them.
        let mut seen_texts = std::collections::HashSet::new();
        fused.retain(|(address, _)| {
            let fingerprint = columns.text_hash(*address);
            fingerprint.is_none_or(|fingerprint| seen_texts.insert(fingerprint))
        });
        let highlight_terms = analyzed.highlight_terms();
        let mut hits = Vec::with_capacity(limit);
        for (address, score) in fused.iter().skip(request.offset).take(limit) {
            hits.push(self.hit_at(&searcher, *address, *score, &highlight_terms)?);
        }
        let facets = if request.with_facets {
            self.facet_counts(&searcher, &restriction, document_counting_query.as_deref())?
        } else {
            Facets::default()
        };
        let did_you_mean = self.suggest(&searcher, &analyzed.normalized)?;
        Ok(SearchResults {
            total: lexical_total + semantic_only,
            hits,
            facets,
            did_you_mean,
            expansions: analyzed.expansions.clone(),
            mode,
        })
    }

    /// Filters and granularity as Must clauses.
    fn restriction_clauses(&self, request: &SearchRequest) -> Vec<(Occur, Box<dyn Query>)> {
        let fields = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let granularity = match request.granularity {
            Granularity::Articles => Some(GRANULARITY_ARTICLE_LEVEL),
            Granularity::Documents => Some(GRANULARITY_DOCUMENT_LEVEL),
            Granularity::Mixed => None,
        };
        if let Some(granularity) = granularity {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(fields.granularity, granularity),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let filters = &request.filters;
        let year = filters.year.map(|year| year.to_string());
        let facet_filters = [
            ("issuer", filters.issuer.as_deref()),
            ("year", year.as_deref()),
            ("level", filters.level.as_deref()),
            ("validity", filters.validity.map(Validity::code)),
            ("topic", filters.topic.as_deref()),
            ("catalog", filters.catalog_item.as_deref()),
        ];
        for (facet_name, value) in facet_filters {
            if let Some(value) = value {
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_facet(fields.facets, &Facet::from_path([facet_name, value])),
                        IndexRecordOption::Basic,
                    )),
                ));
            }
        }
        clauses
    }

    /// The query that decides what counts in `total` and the facets: a unit counts when it
    /// holds at least `match_ratio` of the typed words (jieba words in its title or text,
    /// synonyms included as alternatives). Scores are not needed, so it leaves out the bigram
    /// conjunctions, which cost the most on whole-document units.
    fn counting_query(
        &self,
        words: &[QueryWord],
        match_ratio: f32,
        word_fields: &[Field],
    ) -> Option<Box<dyn Query>> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|word| -> (Occur, Box<dyn Query>) {
                let alternatives: Vec<(Occur, Box<dyn Query>)> = word_fields
                    .iter()
                    .map(|field| -> (Occur, Box<dyn Query>) {
                        (
                            Occur::Should,
                            Box::new(TermQuery::new(
                                Term::from_field_text(*field, &word.text),
                                IndexRecordOption::Basic,
                            )),
                        )
                    })
                    .collect();
                (Occur::Should, Box::new(BooleanQuery::new(alternatives)))
            })
            .collect();
        if clauses.is_empty() {
            return None;
        }
        let typed_words = words
            .iter()
            .filter(|word| word.origin == WordOrigin::Typed)
            .count();
        let minimum = ((typed_words as f32) * match_ratio).floor() as usize;
        Some(Box::new(BooleanQuery::with_minimum_required_clauses(
            clauses,
            minimum.max(1),
        )))
    }

    /// One Should group per query word: the word in the title, headings and text fields (jieba)
    /// and all its bigrams in the bigram fields. No phrase anywhere, so a question cut
    /// differently from the law still matches word by word.
    fn lexical_query(&self, words: &[QueryWord], match_ratio: f32) -> Option<Box<dyn Query>> {
        let fields = self.fields;
        let ranking = &self.ranking;
        let mut groups: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in words {
            let mut weight = match word.origin {
                WordOrigin::Typed => 1.0,
                WordOrigin::Thesaurus => ranking.thesaurus_weight,
                WordOrigin::Glossary => ranking.glossary_weight,
            } * word.weight;
            let character_count = word.text.chars().count();
            if character_count == 1 {
                weight *= ranking.single_char_weight;
            }
            let term_clause = |field: Field, text: &str, boost: f32| -> (Occur, Box<dyn Query>) {
                let query = TermQuery::new(
                    Term::from_field_text(field, text),
                    IndexRecordOption::WithFreqs,
                );
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), boost)),
                )
            };
            let mut clauses = vec![
                term_clause(fields.title, &word.text, weight * ranking.title_boost),
                term_clause(fields.headings, &word.text, weight * ranking.headings_boost),
                term_clause(fields.text, &word.text, weight * ranking.text_boost),
                term_clause(fields.full_text, &word.text, weight * ranking.text_boost),
            ];
            let word_bigrams = bigrams(&word.text);
            if character_count >= 2 && !word_bigrams.is_empty() {
                for field in [fields.text_bigram, fields.full_text_bigram] {
                    let all_bigrams: Vec<(Occur, Box<dyn Query>)> = word_bigrams
                        .iter()
                        .map(|bigram| term_clause(field, bigram, 1.0))
                        .map(|(_, query)| (Occur::Must, query))
                        .collect();
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(BooleanQuery::new(all_bigrams)),
                            weight * ranking.bigram_boost,
                        )),
                    ));
                }
            }
            groups.push((Occur::Should, Box::new(BooleanQuery::new(clauses))));
        }
        if groups.is_empty() {
            return None;
        }
        let typed_words = words
            .iter()
            .filter(|word| word.origin == WordOrigin::Typed)
            .count();
        let minimum = ((typed_words as f32) * match_ratio).floor() as usize;
        Some(Box::new(BooleanQuery::with_minimum_required_clauses(
            groups,
            minimum.max(1),
        )))
    }

    /// The validity, level and popularity prior of a unit, read from fast fields.
    fn prior(
        &self,
        columns: &Columns,
        address: DocAddress,
        context: PriorContext,
        popularity: &Popularity,
    ) -> f32 {
        let popularity_factor = if popularity.is_empty() {
            1.0
        } else {
            columns
                .unit_id(address)
                .map(|unit_id| {
                    let external_id = unit_id.split('#').next().unwrap_or_default();
                    popularity.factor(external_id, self.ranking.popularity_boost)
                })
                .unwrap_or(1.0)
        };
        popularity_factor
            * self.recency_factor(columns, address, context)
            * self.validity_and_level_prior(columns, address, context)
    }

    /// The recency prior: `1 + recency_boost · 2^(−age / half-life)` for a unit that is
    /// neither a legal norm nor a case and whose date is known, 1 otherwise. Laws, regulations
    /// and rules keep their force however old they are (their expired versions are demoted
    /// apart), but of two notices or policy documents on the same matter the newer one is more
    /// likely the one in force and wanted.
    fn recency_factor(&self, columns: &Columns, address: DocAddress, context: PriorContext) -> f32 {
        let Some(reference_day) = context.reference_day else {
            return 1.0;
        };
        if self.ranking.recency_boost <= 0.0 || self.ranking.recency_half_life_days <= 0.0 {
            return 1.0;
        }
        let day = columns.day_number(address);
        if day == 0 {
            return 1.0;
        }
        let level = usize::try_from(columns.level_code(address))
            .ok()
            .and_then(|code| KNOWN_LEVELS.get(code));
        if level.is_some_and(|name| !RECENCY_LEVELS.contains(name)) {
            return 1.0;
        }
        // A date after the reference day (a typo, another time zone) counts as today.
        let age_days = reference_day.saturating_sub(day) as f32;
        1.0 + self.ranking.recency_boost * (-age_days / self.ranking.recency_half_life_days).exp2()
    }

    /// The validity and level prior of a unit, read from fast fields.
    fn validity_and_level_prior(
        &self,
        columns: &Columns,
        address: DocAddress,
        context: PriorContext,
    ) -> f32 {
        let validity = columns.validity(address);
        let level = columns.level_code(address);
        let validity_factor = if validity == Validity::Expired {
            self.ranking.expired_factor
        } else {
            1.0
        };
        let level_name = usize::try_from(level)
            .ok()
            .and_then(|code| KNOWN_LEVELS.get(code));
        // A question that names a province or city wants its local rules; only a question
        // without a place is steered towards national law.
        if context.names_region && level_name.is_some_and(|name| LOCAL_LEVELS.contains(name)) {
            return validity_factor;
        }
        let level_factor = level_name
            .and_then(|name| {
                self.ranking
                    .level_factors
                    .iter()
                    .find(|(level, _)| level == name)
                    .map(|(_, factor)| *factor)
            })
            .unwrap_or(self.ranking.other_level_factor);
        validity_factor * level_factor
    }

    /// The semantic candidates that pass the filters, best first, with the prior applied; `None`
    /// when there is no embedder or no vector.
    fn semantic_ranking(
        &self,
        searcher: &tantivy::Searcher,
        analyzed: &AnalyzedQuery,
        restriction: &[(Occur, Box<dyn Query>)],
        context: PriorContext,
        columns: &Columns,
        popularity: &Popularity,
    ) -> Result<Option<Vec<(DocAddress, f32)>>, SearchError> {
        let Some(embedder) = &self.embedder else {
            return Ok(None);
        };
        let store = self.vectors.read().map_err(|_| SearchError::Poisoned)?;
        let Some(store) = store.as_ref().filter(|store| store.len() > 0) else {
            return Ok(None);
        };
        // The query text for the model is the normalised question plus the formal words the
        // thesaurus found, so that a colloquial question moves towards the legal wording.
        let mut model_text = analyzed.normalized.clone();
        for expansion in &analyzed.expansions {
            model_text.push(' ');
            model_text.push_str(expansion);
        }
        let query_vector = embedder.embed_query(&model_text)?;
        // Ask for more than the depth, because filters and granularity drop some.
        let nearest = store.nearest(&query_vector, self.ranking.semantic_depth * 3 / 2);
        // Find each candidate's unit through the term dictionary (no stored fields, no string
        // columns), then keep those that pass the filters, segment by segment in doc order.
        let mut by_segment: Vec<Vec<(tantivy::DocId, f32)>> =
            vec![Vec::new(); searcher.segment_readers().len()];
        let inverted_indexes = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.inverted_index(self.fields.unit_id))
            .collect::<Result<Vec<_>, _>>()?;
        for (unit_id, cosine) in &nearest {
            let term = Term::from_field_text(self.fields.unit_id, unit_id);
            for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
                let postings = inverted_indexes[segment_ord]
                    .read_postings(&term, IndexRecordOption::Basic)
                    .map_err(|source| SearchError::Io {
                        path: PathBuf::from("unit_id postings"),
                        source,
                    })?;
                let Some(postings) = postings else {
                    continue;
                };
                let doc = postings.doc();
                if doc != tantivy::TERMINATED && !segment.is_deleted(doc) {
                    by_segment[segment_ord].push((doc, *cosine));
                    break;
                }
            }
        }
        let restriction_query = BooleanQuery::new(
            restriction
                .iter()
                .map(|(occur, query)| (*occur, query.box_clone()))
                .collect(),
        );
        let restriction_weight = (!restriction.is_empty())
            .then(|| {
                restriction_query.weight(tantivy::query::EnableScoring::disabled_from_searcher(
                    searcher,
                ))
            })
            .transpose()?;
        let mut ranked = Vec::with_capacity(nearest.len());
        for (segment_ord, mut candidates) in by_segment.into_iter().enumerate() {
            candidates.sort_by_key(|(doc, _)| *doc);
            let segment = &searcher.segment_readers()[segment_ord];
            let mut filter = match &restriction_weight {
                Some(weight) => Some(weight.scorer(segment, 1.0)?),
                None => None,
            };
            for (doc, cosine) in candidates {
                if let Some(filter) = filter.as_mut() {
                    let current = filter.doc();
                    let position = if current < doc {
                        filter.seek(doc)
                    } else {
                        current
                    };
                    if position != doc {
                        continue;
                    }
                }
                let address = DocAddress::new(u32::try_from(segment_ord).unwrap_or(u32::MAX), doc);
                // Cosines lie in [-1, 1]; the prior multiplies a value in [0, 1].
                let similarity = (cosine + 1.0) / 2.0;
                ranked.push((
                    address,
                    similarity * self.prior(columns, address, context, popularity),
                ));
            }
        }
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked.truncate(self.ranking.semantic_depth);
        Ok(Some(ranked))
    }

    /// A spelling suggestion: the query with one stretch replaced by a known formal word
    /// (a legal word, a thesaurus replacement or a document's citation name) of at least
    /// [`SUGGESTION_WORD_MIN_CHARS`] characters that differs from it in exactly one character,
    /// provided the stretch as typed is unknown to the index (行政复意 → 行政复议). Words of two
    /// characters are left alone: too many of them are one character apart.
    fn suggest(
        &self,
        searcher: &tantivy::Searcher,
        normalized_query: &str,
    ) -> Result<Option<String>, SearchError> {
        let characters: Vec<char> = normalized_query.chars().collect();
        let vocabulary = self.suggestion_vocabulary()?;
        // Token boundaries of the query in characters: a correction must replace whole
        // tokens, or it would glue a word to its neighbour (经营个体 → 经营者体).
        let mut boundaries = vec![0];
        for token in self.jieba.cut(normalized_query, true) {
            boundaries.push(token.end);
        }
        let single_tokens: HashMap<usize, String> = self
            .jieba
            .cut(normalized_query, true)
            .into_iter()
            .filter(|token| token.end == token.start + 1)
            .map(|token| (token.start, token.word.to_string()))
            .collect();
        let mut best: Option<(usize, usize, String)> = None;
        for word_characters in vocabulary.iter() {
            let length = word_characters.len();
            if length > characters.len()
                || characters
                    .windows(length)
                    .any(|window| window == word_characters.as_slice())
            {
                continue;
            }
            for start in 0..=characters.len() - length {
                let window = &characters[start..start + length];
                let differences = window
                    .iter()
                    .zip(word_characters.iter())
                    .filter(|(a, b)| a != b)
                    .count();
                // A differing character must be Chinese on both sides: digits and Latin
                // letters in a query are document numbers and names, not typos.
                let plausible = window
                    .iter()
                    .zip(word_characters.iter())
                    .filter(|(a, b)| a != b)
                    .all(|(a, b)| is_cjk(*a) && is_cjk(*b));
                if differences != 1
                    || !plausible
                    || !boundaries.contains(&start)
                    || !boundaries.contains(&(start + length))
                {
                    continue;
                }
                // A question particle or a preposition standing where the word would differ
                // (违约吗, 公司在) is grammar, not a typo.
                let changed = (0..length)
                    .find(|offset| window[*offset] != word_characters[*offset])
                    .map(|offset| start + offset);
                if changed
                    .and_then(|position| single_tokens.get(&position))
                    .is_some_and(|token| self.analyzer.is_filler(token))
                {
                    continue;
                }
                let typed: String = window.iter().collect();
                if self.jieba.has_word(&typed) {
                    continue;
                }
                // The typed stretch must be far rarer in the index than the correction: a
                // real but rarer term (保理合同 next to 保证合同) is not a typo.
                let typed_units = self.units_with_all_bigrams(searcher, &typed)?;
                let word: String = word_characters.iter().collect();
                let corrected_units = self.units_with_all_bigrams(searcher, &word)?;
                if typed_units.saturating_mul(SUGGESTION_FREQUENCY_RATIO) >= corrected_units {
                    continue;
                }
                if best
                    .as_ref()
                    .is_none_or(|(_, best_length, _)| length > *best_length)
                {
                    best = Some((start, length, word.clone()));
                }
            }
        }
        Ok(best.map(|(start, length, word)| {
            let mut corrected: String = characters[..start].iter().collect();
            corrected.push_str(&word);
            corrected.extend(&characters[start + length..]);
            corrected
        }))
    }

    fn forget_suggestion_vocabulary(&self) -> Result<(), SearchError> {
        *self
            .suggestion_vocabulary
            .write()
            .map_err(|_| SearchError::Poisoned)? = None;
        Ok(())
    }

    /// The formal words spelling suggestions may propose: legal words, thesaurus replacements
    /// and citation names of at least [`SUGGESTION_WORD_MIN_CHARS`] characters.
    fn suggestion_vocabulary(&self) -> Result<Arc<Vec<Vec<char>>>, SearchError> {
        if let Some(vocabulary) = self
            .suggestion_vocabulary
            .read()
            .map_err(|_| SearchError::Poisoned)?
            .as_ref()
        {
            return Ok(vocabulary.clone());
        }
        let citations = self.citations.read().map_err(|_| SearchError::Poisoned)?;
        let mut words: Vec<Vec<char>> = self
            .analyzer
            .vocabulary()
            .chain(citations.keys().cloned())
            .map(|word| word.chars().collect::<Vec<char>>())
            .filter(|word| word.len() >= SUGGESTION_WORD_MIN_CHARS)
            .collect();
        drop(citations);
        words.sort();
        words.dedup();
        let vocabulary = Arc::new(words);
        *self
            .suggestion_vocabulary
            .write()
            .map_err(|_| SearchError::Poisoned)? = Some(vocabulary.clone());
        Ok(vocabulary)
    }

    /// How many units contain every bigram of a text: a cheap stand-in for "contains the text"
    /// without positions in the index.
    fn units_with_all_bigrams(
        &self,
        searcher: &tantivy::Searcher,
        text: &str,
    ) -> Result<usize, SearchError> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = bigrams(text)
            .iter()
            .map(|bigram| -> (Occur, Box<dyn Query>) {
                (
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.text_bigram, bigram),
                        IndexRecordOption::Basic,
                    )),
                )
            })
            .collect();
        if clauses.is_empty() {
            return Ok(0);
        }
        Ok(searcher.search(&BooleanQuery::new(clauses), &Count)?)
    }

    /// The documents the query names, by their longest citation names found in it (a
    /// query naming 劳动合同法实施条例 does not also cite 劳动合同法).
    fn cited_documents(&self, normalized_query: &str) -> Result<Vec<String>, SearchError> {
        let citations = self.citations.read().map_err(|_| SearchError::Poisoned)?;
        let found: Vec<&String> = citations
            .keys()
            .filter(|name| normalized_query.contains(String::as_str(name)))
            .collect();
        let mut cited = Vec::new();
        for name in &found {
            let inside_longer = found
                .iter()
                .any(|other| other.len() > name.len() && other.contains(String::as_str(name)));
            if inside_longer {
                continue;
            }
            for id in citations.get(*name).into_iter().flatten() {
                if !cited.contains(id) {
                    cited.push(id.clone());
                }
            }
        }
        Ok(cited)
    }

    fn hit_at(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: f32,
        highlight_terms: &[String],
    ) -> Result<Hit, SearchError> {
        let fields = self.fields;
        let stored: TantivyDocument = searcher.doc(address)?;
        let text_of = |field: Field| -> String {
            stored
                .get_first(field)
                .and_then(|value| value.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let unit_id = text_of(fields.unit_id);
        let article_key = Some(text_of(fields.article_key)).filter(|key| !key.is_empty());
        let external_id = match &article_key {
            Some(key) => unit_id
                .strip_suffix(&format!("#{key}"))
                .unwrap_or(&unit_id)
                .to_string(),
            None => unit_id.clone(),
        };
        let body = match &article_key {
            Some(_) => text_of(fields.text),
            None => text_of(fields.full_text),
        };
        let headings = text_of(fields.headings);
        let validity = stored
            .get_first(fields.validity_code)
            .and_then(|value| value.as_u64())
            .map(Validity::from_fast_value)
            .unwrap_or(Validity::Unknown);
        Ok(Hit {
            external_id,
            article_key,
            title: text_of(fields.title),
            headings: headings
                .split(' ')
                .filter(|h| !h.is_empty())
                .map(str::to_string)
                .collect(),
            snippet_html: snippet_html(&body, highlight_terms),
            validity,
            date: Some(text_of(fields.date)).filter(|date| !date.is_empty()),
            score,
        })
    }

    fn facet_counts(
        &self,
        searcher: &tantivy::Searcher,
        restriction: &[(Occur, Box<dyn Query>)],
        lexical_query: Option<&dyn Query>,
    ) -> Result<Facets, SearchError> {
        // Facets count documents: the whole-document units that match. The granularity clause
        // of the request is replaced by "document level".
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = restriction
            .iter()
            .filter(|(_, query)| !is_granularity_clause(query.as_ref(), self.fields.granularity))
            .map(|(occur, query)| (*occur, query.box_clone()))
            .collect();
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.granularity, GRANULARITY_DOCUMENT_LEVEL),
                IndexRecordOption::Basic,
            )),
        ));
        if let Some(query) = lexical_query {
            clauses.push((Occur::Must, query.box_clone()));
        }
        let mut collector = FacetCollector::for_field("facets");
        for root in [
            "/issuer",
            "/year",
            "/level",
            "/validity",
            "/topic",
            "/catalog",
        ] {
            collector.add_facet(root);
        }
        let counts = searcher.search(&BooleanQuery::new(clauses), &collector)?;
        let values = |root: &str| -> Vec<FacetCount> {
            let mut values: Vec<FacetCount> = counts
                .get(root)
                .map(|(facet, count)| FacetCount {
                    value: facet
                        .to_path()
                        .last()
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    count,
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            values.truncate(FACET_VALUES_MAX);
            values
        };
        Ok(Facets {
            issuer: values("/issuer"),
            year: values("/year"),
            level: values("/level"),
            validity: values("/validity"),
            topic: values("/topic"),
            catalog_item: values("/catalog"),
        })
    }
}

/// The fast-field columns of every segment, opened once per search: opening a column per hit
/// costs more than reading it.
struct Columns {
    segments: Vec<SegmentColumns>,
}

struct SegmentColumns {
    validity: Option<tantivy::columnar::Column<u64>>,
    level: Option<tantivy::columnar::Column<u64>>,
    day_number: Option<tantivy::columnar::Column<u64>>,
    text_hash: Option<tantivy::columnar::Column<u64>>,
    unit_id: Option<tantivy::columnar::StrColumn>,
}

impl Columns {
    fn open(searcher: &tantivy::Searcher) -> Result<Self, SearchError> {
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let fast_fields = segment.fast_fields();
            segments.push(SegmentColumns {
                validity: fast_fields.u64("validity_code").ok(),
                level: fast_fields.u64("level_code").ok(),
                day_number: fast_fields.u64("day_number").ok(),
                text_hash: fast_fields.u64("text_hash").ok(),
                unit_id: fast_fields.str("unit_id")?,
            });
        }
        Ok(Self { segments })
    }

    fn segment(&self, address: DocAddress) -> Option<&SegmentColumns> {
        self.segments
            .get(usize::try_from(address.segment_ord).ok()?)
    }

    fn validity(&self, address: DocAddress) -> Validity {
        self.segment(address)
            .and_then(|columns| columns.validity.as_ref())
            .and_then(|column| column.first(address.doc_id))
            .map(Validity::from_fast_value)
            .unwrap_or(Validity::Unknown)
    }

    /// The unit's date as days since 1970-01-01; 0 when unknown.
    fn day_number(&self, address: DocAddress) -> u64 {
        self.segment(address)
            .and_then(|columns| columns.day_number.as_ref())
            .and_then(|column| column.first(address.doc_id))
            .unwrap_or(0)
    }

    fn level_code(&self, address: DocAddress) -> u64 {
        self.segment(address)
            .and_then(|columns| columns.level.as_ref())
            .and_then(|column| column.first(address.doc_id))
            .unwrap_or(KNOWN_LEVELS.len() as u64)
    }

    fn text_hash(&self, address: DocAddress) -> Option<u64> {
        self.segment(address)
            .and_then(|columns| columns.text_hash.as_ref())
            .and_then(|column| column.first(address.doc_id))
    }

    fn unit_id(&self, address: DocAddress) -> Result<String, SearchError> {
        let mut unit_id = String::new();
        if let Some(column) = self
            .segment(address)
            .and_then(|columns| columns.unit_id.as_ref())
            && let Some(ordinal) = column.term_ords(address.doc_id).next()
        {
            column
                .ord_to_str(ordinal, &mut unit_id)
                .map_err(|source| SearchError::Io {
                    path: PathBuf::from("unit_id"),
                    source,
                })?;
        }
        Ok(unit_id)
    }
}

#[derive(Default)]
struct Candidate {
    fused: f32,
}

struct Unit {
    unit_id: String,
    document: TantivyDocument,
    embedding_text: String,
}

fn is_granularity_clause(query: &dyn Query, granularity: Field) -> bool {
    query
        .downcast_ref::<TermQuery>()
        .is_some_and(|term_query| term_query.term().field() == granularity)
}

/// The names a document is cited by, normalised: its title, the title without the
/// 中华人民共和国 prefix, and its short title.
fn citation_names(document: &IndexableDocument) -> Vec<String> {
    let title = normalize_text(document.title.trim());
    let mut names = vec![title.clone()];
    if let Some(without_prefix) = title.strip_prefix("中华人民共和国") {
        names.push(without_prefix.to_string());
    }
    if let Some(short) = non_empty(document.short_title.as_deref()) {
        names.push(normalize_text(short));
    }
    names.retain(|name| name.chars().count() >= CITATION_NAME_MIN_CHARS);
    names.sort();
    names.dedup();
    names
}

fn forget_citations(citations: &mut HashMap<String, Vec<String>>, external_id: &str) {
    citations.retain(|_, ids| {
        ids.retain(|id| id != external_id);
        !ids.is_empty()
    });
}

/// Reads the citation names stored on the whole-document units of a committed index.
fn load_citations(
    reader: &IndexReader,
    fields: Fields,
) -> Result<HashMap<String, Vec<String>>, SearchError> {
    let searcher = reader.searcher();
    let query = TermQuery::new(
        Term::from_field_text(fields.granularity, GRANULARITY_DOCUMENT_LEVEL),
        IndexRecordOption::Basic,
    );
    let addresses = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
    let mut citations: HashMap<String, Vec<String>> = HashMap::new();
    for address in addresses {
        let stored: TantivyDocument = searcher.doc(address)?;
        let text_of = |field: Field| {
            stored
                .get_first(field)
                .and_then(|value| value.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let external_id = text_of(fields.unit_id);
        for name in text_of(fields.citation_names).split('\n') {
            if !name.is_empty() {
                citations
                    .entry(name.to_string())
                    .or_default()
                    .push(external_id.clone());
            }
        }
    }
    Ok(citations)
}

/// The article a query cites by number: 第三十九条, 第39条, 第二百八十七条之二 → `39`, `287-2`.
fn article_reference(normalized_query: &str) -> Option<String> {
    let (_, after) = normalized_query.split_once('第')?;
    let numeral: String = after
        .chars()
        .take_while(|c| c.is_ascii_digit() || "零〇一二两三四五六七八九十百千".contains(*c))
        .collect();
    let rest = after[numeral.len()..].strip_prefix('条')?;
    let parse = |text: &str| -> Option<u32> {
        if text.chars().all(|c| c.is_ascii_digit()) {
            text.parse().ok().filter(|number| *number > 0)
        } else {
            gongkai_domain::document::parse_chinese_numeral(text)
        }
    };
    let number = parse(&numeral)?;
    let suffix = rest.strip_prefix('之').and_then(|after_suffix| {
        let suffix: String = after_suffix
            .chars()
            .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
            .collect();
        parse(&suffix)
    });
    Some(match suffix {
        Some(suffix) => format!("{number}-{suffix}"),
        None => number.to_string(),
    })
}

/// A fingerprint of a text for collapsing the same article in several versions of a law. It is
/// FNV-1a over the normalised text without whitespace, stable across runs and platforms
/// (unlike `std`'s randomly seeded hasher), because it is stored in the index.
fn text_fingerprint(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in normalize_text(text)
        .chars()
        .filter(|character| !character.is_whitespace())
        .collect::<String>()
        .bytes()
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the proleptic Gregorian calendar, H. Hinnant's
/// days-from-civil); `None` for anything else.
pub fn day_number(date: &str) -> Option<u64> {
    let mut parts = date.get(..10)?.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year / 400;
    let year_of_era = shifted_year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    u64::try_from(era * 146_097 + day_of_era - 719_468).ok()
}

fn level_code(level: Option<&str>) -> u64 {
    level
        .and_then(|level| KNOWN_LEVELS.iter().position(|known| *known == level.trim()))
        .unwrap_or(KNOWN_LEVELS.len()) as u64
}
