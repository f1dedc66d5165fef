//! The search index of this process, kept in step with the database.
//!
//! The database is the only shared state: every publication, correction and withdrawal
//! leaves a row in `document_changes` in the same transaction, and each process replays those
//! rows into its own index (`sync_search_index`, run by the server every second and by the
//! CLI before a batch). The last replayed sequence number is written next to the index, so a
//! restart continues where it stopped; a missing or outdated index is rebuilt from the
//! published documents.

use crate::documents::document_status;
use crate::{ServiceError, ServiceResult, Services};
use gongkai_search::{
    IndexOptions, IndexableAttachment, IndexableDocument, SearchIndex, SearchRequest,
    SearchResults, Validity,
};
use gongkai_store::DocumentRow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Mutex;

/// How many change records one sync step reads.
const CHANGES_PER_STEP: i64 = 500;
/// How far below the highest applied sequence each sync looks again. On PostgreSQL a sequence
/// number is taken when a transaction inserts, not when it commits, so a slow transaction can
/// make its change visible after higher numbers were already replayed; looking back this many
/// numbers (and skipping those already applied) picks such late commits up.
const LATE_COMMIT_LOOKBACK: i64 = 1_000;
/// The file beside the index that remembers the last replayed change.
const SYNC_STATE_FILE: &str = "gongkai-sync-seq";

/// The index and how far it has followed the change records.
pub struct SearchState {
    pub index: SearchIndex,
    directory: Option<PathBuf>,
    /// The highest change sequence applied and the sequences applied within the lookback
    /// window below it; the mutex also makes one sync run at a time.
    applied_seq: Mutex<AppliedChanges>,
}

impl std::fmt::Debug for SearchState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchState")
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

fn search_error(error: gongkai_search::SearchError) -> ServiceError {
    ServiceError::Unexpected(anyhow::anyhow!("search: {error}"))
}

impl SearchState {
    /// An index in memory (tests, short-lived tools); it starts empty and is filled by the
    /// first sync.
    pub fn in_memory(options: IndexOptions) -> ServiceResult<SearchState> {
        Ok(SearchState {
            index: SearchIndex::create_in_ram(options).map_err(search_error)?,
            directory: None,
            applied_seq: Mutex::new(AppliedChanges::default()),
        })
    }

    /// The index in `directory`. An index of another format version is deleted and rebuilt
    /// from the database by the first sync (the database is the source of truth).
    pub fn open(directory: &Path, options: IndexOptions) -> ServiceResult<SearchState> {
        let index = match SearchIndex::open_in_dir(directory, options.clone()) {
            Ok(index) => index,
            Err(gongkai_search::SearchError::IndexOutdated { .. }) => {
                tracing::warn!(path = %directory.display(), "search index outdated: rebuilding");
                std::fs::remove_dir_all(directory).map_err(|e| {
                    ServiceError::Unexpected(anyhow::anyhow!(
                        "cannot remove the outdated index at {}: {e}",
                        directory.display()
                    ))
                })?;
                SearchIndex::open_in_dir(directory, options).map_err(search_error)?
            }
            Err(other) => return Err(search_error(other)),
        };
        let applied = std::fs::read_to_string(directory.join(SYNC_STATE_FILE))
            .ok()
            .and_then(|text| text.trim().parse::<i64>().ok())
            .unwrap_or(0);
        Ok(SearchState {
            index,
            directory: Some(directory.to_path_buf()),
            applied_seq: Mutex::new(AppliedChanges {
                highest: applied,
                // After a restart the window is not known: replay it (re-indexing is harmless).
                recent: std::collections::BTreeSet::new(),
            }),
        })
    }

    fn remember(&self, seq: i64) -> ServiceResult<()> {
        if let Some(directory) = &self.directory {
            std::fs::write(directory.join(SYNC_STATE_FILE), seq.to_string())
                .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("search sync state: {e}")))?;
        }
        Ok(())
    }
}

/// Which change records this process has replayed.
#[derive(Debug, Default)]
struct AppliedChanges {
    highest: i64,
    recent: std::collections::BTreeSet<i64>,
}

impl AppliedChanges {
    fn mark(&mut self, seq: i64) {
        self.recent.insert(seq);
        self.highest = self.highest.max(seq);
        let floor = self.highest - LATE_COMMIT_LOOKBACK;
        self.recent = self.recent.split_off(&floor);
    }
}

fn validity_of(code: &str) -> Validity {
    match code {
        "effective" => Validity::Current,
        "expired" | "repealed" => Validity::Expired,
        _ => Validity::Unknown,
    }
}

/// The click log's window for the popularity prior: a year, so that last year's rush on a
/// since-replaced document fades.
pub(crate) const POPULARITY_WINDOW_DAYS: i64 = 365;

impl Services {
    /// This process's search state with a lexical or hybrid index attached.
    pub fn with_search(mut self, search: SearchState) -> Services {
        self.search = Some(Arc::new(search));
        self
    }

    /// The document as the index needs it, from its current published version.
    async fn indexable(&self, document: &DocumentRow) -> ServiceResult<Option<IndexableDocument>> {
        if document.status != document_status::PUBLISHED || document.current_version == 0 {
            return Ok(None);
        }
        let Some(version) = self
            .db
            .document_version(document.id, document.current_version)
            .await?
        else {
            return Ok(None);
        };
        let view = crate::documents::parse_version_row(version)?;
        let (articles, body_text) = IndexableDocument::split_body(&view.metadata.body);
        // The text of the attached files is part of what the document says (Art. 24: search
        // covers everything published); a hit in it leads to the document page's list of files.
        let attachments = self
            .db
            .document_attachment_texts(document.id, document.current_version)
            .await?
            .into_iter()
            .map(|(filename, text)| IndexableAttachment { filename, text })
            .collect();
        let date = document
            .published_date
            .map(gongkai_domain::calendar::format_iso_date);
        Ok(Some(IndexableDocument {
            external_id: document.external_id.clone(),
            title: view.metadata.title.clone(),
            short_title: Some(view.metadata.short_title.clone()).filter(|s| !s.is_empty()),
            issuer: Some(document.issuer.clone()).filter(|s| !s.is_empty()),
            level: Some(document.level.clone()).filter(|s| !s.is_empty()),
            year: document.published_year.and_then(|y| u16::try_from(y).ok()),
            date,
            validity: validity_of(&document.validity),
            topic: Some(document.topic.clone()).filter(|s| !s.is_empty()),
            catalog_item: document.catalog_code.clone(),
            articles,
            body_text,
            attachments,
        }))
    }

    /// Replays the change records this process has not applied yet. Returns how many
    /// documents were re-indexed or removed. Replaying a change twice is harmless, so a crash
    /// between the commit of the index and the write of the sequence loses nothing.
    pub async fn sync_search_index(&self) -> ServiceResult<u64> {
        let Some(search) = self.search.as_deref() else {
            return Ok(0);
        };
        let mut applied = search.applied_seq.lock().await;
        let mut touched = 0u64;
        let mut cursor = (applied.highest - LATE_COMMIT_LOOKBACK).max(0);
        loop {
            let changes = self
                .db
                .document_changes_since(cursor, CHANGES_PER_STEP)
                .await?;
            let Some(&(last_seq, _)) = changes.last() else {
                break;
            };
            cursor = last_seq;
            let fresh: Vec<(i64, uuid::Uuid)> = changes
                .into_iter()
                .filter(|(seq, _)| *seq > applied.highest || !applied.recent.contains(seq))
                .filter(|(seq, _)| *seq > applied.highest - LATE_COMMIT_LOOKBACK)
                .collect();
            if fresh.is_empty() {
                continue;
            }
            let mut ids: Vec<uuid::Uuid> = fresh.iter().map(|(_, id)| *id).collect();
            ids.sort();
            ids.dedup();
            for id in ids {
                let Some(document) = self.db.document_get(id).await? else {
                    continue;
                };
                match self.indexable(&document).await? {
                    Some(indexable) => search
                        .index
                        .upsert_document(&indexable)
                        .map_err(search_error)?,
                    None => search
                        .index
                        .delete_document(&document.external_id)
                        .map_err(search_error)?,
                }
                touched += 1;
            }
            search.index.commit().map_err(search_error)?;
            for (seq, _) in &fresh {
                applied.mark(*seq);
            }
            search.remember(applied.highest)?;
        }
        Ok(touched)
    }

    /// Empties the index and fills it again from every published document.
    pub async fn rebuild_search_index(&self) -> ServiceResult<u64> {
        let Some(search) = self.search.as_deref() else {
            return Ok(0);
        };
        let mut applied = search.applied_seq.lock().await;
        let last_seq = self.db.document_changes_last_seq().await?;
        search.index.delete_all().map_err(search_error)?;
        let mut count = 0u64;
        for id in self.db.document_ids_published().await? {
            let Some(document) = self.db.document_get(id).await? else {
                continue;
            };
            if let Some(indexable) = self.indexable(&document).await? {
                search
                    .index
                    .upsert_document(&indexable)
                    .map_err(search_error)?;
                count += 1;
            }
        }
        search.index.commit().map_err(search_error)?;
        *applied = AppliedChanges {
            highest: last_seq,
            recent: std::collections::BTreeSet::new(),
        };
        search.remember(last_seq)?;
        Ok(count)
    }

    /// Searches published documents. Without an index (a process started without one) the
    /// answer is an empty result in lexical mode rather than an error.
    pub async fn search_documents(&self, request: &SearchRequest) -> ServiceResult<SearchResults> {
        let Some(search) = self.search.as_deref() else {
            return Err(ServiceError::Refused {
                code: "search_unavailable",
            });
        };
        // The recency prior measures age from today in China, unless the caller fixed a day.
        let mut request = request.clone();
        if request.reference_day.is_none() {
            request.reference_day =
                gongkai_search::day_number(&self.clock.today_in_china().to_string());
        }
        match search.index.search(&request) {
            Ok(results) => Ok(results),
            Err(gongkai_search::SearchError::InvalidRequest(_)) => {
                let mut problems = gongkai_domain::form::FormProblems::new();
                problems.add("q", "invalid");
                Err(ServiceError::Invalid(problems))
            }
            Err(other) => Err(search_error(other)),
        }
    }
}

/// The stored form of a query: trimmed, NUL removed, at most 200 characters.
fn stored_query(query: &str) -> String {
    query.replace('\0', "").trim().chars().take(200).collect()
}

impl Services {
    /// Logs a search (no account, no address: only the query and the number of results).
    pub async fn record_search(&self, query: &str, results: i64) -> ServiceResult<()> {
        let query = stored_query(query);
        if query.is_empty() {
            return Ok(());
        }
        self.db
            .search_query_insert(uuid::Uuid::now_v7(), &query, results, self.clock.now())
            .await?;
        Ok(())
    }

    /// Logs that a result was opened for a query.
    /// Reloads the search's popularity prior from the click log of the last
    /// `POPULARITY_WINDOW_DAYS` days. Every process reads the same log, so every process's
    /// index ranks alike; the prior is bounded (`RankingOptions::popularity_boost`). Returns the
    /// number of documents with clicks.
    pub async fn refresh_search_popularity(&self) -> ServiceResult<usize> {
        let Some(search) = self.search.as_deref() else {
            return Ok(0);
        };
        let since = self.clock.now() - time::Duration::days(POPULARITY_WINDOW_DAYS);
        let counts = self.db.search_click_counts(since).await?;
        let n_documents = counts.len();
        search
            .index
            .set_popularity(gongkai_search::Popularity::from_counts(
                counts
                    .into_iter()
                    .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0))),
            ));
        Ok(n_documents)
    }

    pub async fn record_search_click(&self, query: &str, external_id: &str) -> ServiceResult<()> {
        let query = stored_query(query);
        if query.is_empty() || external_id.is_empty() || external_id.len() > 200 {
            return Ok(());
        }
        self.db
            .search_click_insert(uuid::Uuid::now_v7(), &query, external_id, self.clock.now())
            .await?;
        Ok(())
    }

    /// Zero-result and never-clicked queries of the last `days` days, for the OGI office
    /// (staff only: queries may hold what people were looking for in their own words).
    pub async fn search_gaps(
        &self,
        actor: &crate::Actor,
        days: i64,
    ) -> ServiceResult<Vec<gongkai_store::SearchGapRow>> {
        let is_ogi = actor
            .grants
            .iter()
            .any(|g| g.role == gongkai_domain::account::Role::OgiOffice);
        if !is_ogi && !actor.is_installation_administrator() {
            return Err(ServiceError::Forbidden);
        }
        let since = self.clock.now() - time::Duration::days(days.clamp(1, 366));
        Ok(self.db.search_gaps(since, 200).await?)
    }
}
