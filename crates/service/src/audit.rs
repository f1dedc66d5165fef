//! `gongkai audit`: re-reads the database and checks that nothing recorded in the
//! transparency log was changed afterwards. Every leaf's digest is recomputed from the stored
//! record it names (a document version's canonical content, an application event, a catalog
//! revision), every stored hash of the Merkle tree and the root are recomputed from the
//! leaves; every difference is named.

use crate::documents::LEAF_ATTACHMENTS_MEMBER;
use crate::{ServiceResult, Services, sha256_hex};
use gongkai_domain::publication::DocumentMetadata;
use gongkai_domain::tlog::{
    Hash, TreeFrontier, parse_leaf, record_hash, split_stored_hash_index, stored_hash_index,
};
use gongkai_store::AuditDocumentVersionRow;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};

/// One record that does not match the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFinding {
    /// The leaf's index in the log.
    pub index: u64,
    /// The leaf's subject, e.g. `lrb-a232c94b84ab@v1` or `demo-city-2026-00001#3`.
    pub subject: String,
    pub problem: String,
}

/// What the audit looked at and what it found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: u64,
    pub checked_records: u64,
    pub findings: Vec<AuditFinding>,
}

/// RFC 9162 §2.1.1 Merkle Tree Hash over leaf hashes, recomputed independently of the stored
/// interior hashes.
fn merkle_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Hash(Sha256::digest([]).into()),
        1 => leaves[0],
        n => {
            let split = n.next_power_of_two() / 2;
            let split = if split == n { n / 2 } else { split };
            let left = merkle_root(&leaves[..split]);
            let right = merkle_root(&leaves[split..]);
            let mut hasher = Sha256::new();
            hasher.update([1u8]);
            hasher.update(left.0);
            hasher.update(right.0);
            Hash(hasher.finalize().into())
        }
    }
}

/// Entries read and checked per page: large enough that the records a page names cost a
/// handful of statements (one per kind and 1,000 keys), small enough to keep a page's records
/// in memory (a few megabytes for real documents).
const AUDIT_PAGE_ENTRIES: u64 = 10_000;

/// The key of a record a leaf names, parsed from its subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum RecordKey {
    /// `<external id>@v<version>`.
    DocumentVersion { external_id: String, version: i64 },
    /// `<receipt number>#<event sequence>`.
    ApplicationEvent { receipt_number: String, seq: i64 },
    /// `<agency slug>/<item code>@r<revision>`.
    CatalogRevision {
        agency_slug: String,
        code: String,
        revision: i64,
    },
}

/// What a leaf says, with the record it names when its kind has a stored record to compare.
struct AuditLeaf {
    index: u64,
    data: Vec<u8>,
    /// `Err` holds the finding for a leaf that cannot be read at all.
    fields: Result<LoggedFields, String>,
    key: Option<RecordKey>,
}

/// The members of a leaf the audit compares with the stored records.
struct LoggedFields {
    kind: String,
    subject: String,
    sha256_hex: String,
    /// The digests of the files a document version published (the `attachments` member);
    /// empty when the member is absent. `Err` when the member is there but not a list of
    /// digests.
    attachment_sha256s: Result<Vec<String>, String>,
}

/// Reads the `attachments` member of a document version's leaf.
fn logged_attachments(
    extra: &serde_json::Map<String, serde_json::Value>,
) -> Result<Vec<String>, String> {
    match extra.get(LEAF_ATTACHMENTS_MEMBER) {
        None => Ok(Vec::new()),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                serde_json::Value::String(digest) => Ok(digest.clone()),
                _ => Err("the leaf's attachments are not a list of digests".to_string()),
            })
            .collect(),
        Some(_) => Err("the leaf's attachments are not a list of digests".to_string()),
    }
}

/// The key of the stored record a leaf names; `None` when the kind has no stored record to
/// compare or the subject does not have the kind's shape.
fn record_key(kind: &str, subject: &str) -> Option<RecordKey> {
    match kind {
        "document_version_published" | "document_version_corrected" => {
            let (external_id, version) = subject.rsplit_once("@v")?;
            Some(RecordKey::DocumentVersion {
                external_id: external_id.to_owned(),
                version: version.parse().ok()?,
            })
        }
        "application_event" => {
            let (receipt_number, seq) = subject.rsplit_once('#')?;
            Some(RecordKey::ApplicationEvent {
                receipt_number: receipt_number.to_owned(),
                seq: seq.parse().ok()?,
            })
        }
        "catalog_revision" => {
            let (path, revision) = subject.rsplit_once("@r")?;
            let (agency_slug, code) = path.split_once('/')?;
            Some(RecordKey::CatalogRevision {
                agency_slug: agency_slug.to_owned(),
                code: code.to_owned(),
                revision: revision.parse().ok()?,
            })
        }
        _ => None,
    }
}

/// One page of the log with every stored record its leaves name, read in a few statements.
struct AuditPage {
    /// The first index the page should hold and one past the last.
    start: u64,
    end: u64,
    leaves: Vec<AuditLeaf>,
    /// The stored hashes the page's entries wrote: indexes `stored_hash_index(0, start)` up to
    /// `stored_hash_index(0, end)`, since hashes are stored in the order appends make them.
    stored_hashes: Vec<(i64, Vec<u8>)>,
    documents: HashMap<(String, i64), AuditDocumentVersionRow>,
    /// Every file of the documents the page names: external id → (version added, SHA-256).
    attachments: HashMap<String, Vec<(i64, String)>>,
    /// Files whose stored bytes are missing or no longer hash to their digest, found while
    /// the page was read.
    file_findings: Vec<AuditFinding>,
    events: HashMap<(String, i64), String>,
    catalog: HashMap<(String, String, i64), String>,
}

/// What checking one page found.
#[derive(Default)]
struct AuditPageOutcome {
    leaf_hashes: Vec<Hash>,
    checked_records: u64,
    findings: Vec<AuditFinding>,
}

/// The SHA-256 of a document version's canonical content, made exactly as publication made it
/// (`documents::parse_version_row`, then `documents::canonical_version_content`).
fn document_version_digest(row: &AuditDocumentVersionRow) -> ServiceResult<String> {
    let mut value: serde_json::Value = serde_json::from_str(&row.metadata)
        .map_err(|e| crate::ServiceError::Unexpected(anyhow::anyhow!("metadata: {e}")))?;
    if let serde_json::Value::Object(map) = &mut value {
        map.insert(
            "body".to_string(),
            serde_json::Value::String(row.body.clone()),
        );
    }
    let metadata: DocumentMetadata = serde_json::from_value(value)
        .map_err(|e| crate::ServiceError::Unexpected(anyhow::anyhow!("metadata: {e}")))?;
    let header: Vec<String> = serde_json::from_str(&row.header)
        .map_err(|e| crate::ServiceError::Unexpected(anyhow::anyhow!("header: {e}")))?;
    let bytes = crate::documents::canonical_version_content(
        &row.external_id,
        &row.index_number,
        row.version,
        &metadata,
        &header,
    )?;
    Ok(sha256_hex(&bytes))
}

/// Checks one page: every entry present, every leaf's digest against its stored record. Pure
/// computation, run on the blocking pool while the next page is read.
fn check_audit_page(
    page: AuditPage,
    mut frontier: Option<TreeFrontier>,
) -> (AuditPageOutcome, Option<TreeFrontier>) {
    let mut outcome = AuditPageOutcome {
        findings: page.file_findings,
        ..AuditPageOutcome::default()
    };
    let mut expected = page.start;
    let stored_hashes: HashMap<u64, &[u8]> = page
        .stored_hashes
        .iter()
        .map(|(index, hash)| (*index as u64, hash.as_slice()))
        .collect();
    for leaf in page.leaves {
        // Entries are numbered without gaps; a missing one is named, and the root check below
        // fails as well.
        while expected < leaf.index.min(page.end) {
            outcome.findings.push(AuditFinding {
                index: expected,
                subject: String::new(),
                problem: "the entry is missing from the log".to_string(),
            });
            expected += 1;
            // Later stored hashes cannot be recomputed without the missing entry.
            frontier = None;
        }
        expected = leaf.index + 1;
        outcome.leaf_hashes.push(record_hash(&leaf.data));
        // Every stored hash the entry wrote (its leaf hash and the subtrees it completed) must
        // be the one recomputed from the entries: proofs and tiles are served from them.
        if let Some(tree) = frontier.as_mut() {
            match tree.append(&leaf.data) {
                Ok(recomputed) => {
                    let first = stored_hash_index(0, leaf.index);
                    for (index, hash) in (first..).zip(recomputed) {
                        if stored_hashes.get(&index) != Some(&hash.0.as_slice()) {
                            let (level, node) = split_stored_hash_index(index);
                            outcome.findings.push(AuditFinding {
                                index: leaf.index,
                                subject: "tree".to_string(),
                                problem: format!(
                                    "stored hash {index} (level {level}, node {node}) is not \
                                     the hash recomputed from the entries"
                                ),
                            });
                        }
                    }
                }
                Err(_) => frontier = None,
            }
        }
        let LoggedFields {
            kind,
            subject,
            sha256_hex: logged,
            attachment_sha256s,
        } = match leaf.fields {
            Ok(fields) => fields,
            Err(problem) => {
                outcome.findings.push(AuditFinding {
                    index: leaf.index,
                    subject: String::new(),
                    problem,
                });
                continue;
            }
        };
        // The digest is recomputed for every entry, even when two entries name one record, so
        // that the cost measured is the cost of a log whose entries all name different records.
        // A version's leaf lists the files it published; the files stored for it now must be
        // exactly those (one added, removed or swapped afterwards is a finding).
        if let Some(RecordKey::DocumentVersion {
            external_id,
            version,
        }) = &leaf.key
            && page
                .documents
                .contains_key(&(external_id.clone(), *version))
        {
            let mut stored_files: Vec<&str> = page
                .attachments
                .get(external_id)
                .map(|files| {
                    files
                        .iter()
                        .filter(|(added_in, _)| added_in <= version)
                        .map(|(_, digest)| digest.as_str())
                        .collect()
                })
                .unwrap_or_default();
            stored_files.sort_unstable();
            match &attachment_sha256s {
                Err(problem) => outcome.findings.push(AuditFinding {
                    index: leaf.index,
                    subject: subject.clone(),
                    problem: problem.clone(),
                }),
                Ok(logged_files) if *logged_files != stored_files => {
                    outcome.findings.push(AuditFinding {
                        index: leaf.index,
                        subject: subject.clone(),
                        problem: format!(
                            "the version's stored files are [{}], the log recorded [{}]",
                            stored_files.join(", "),
                            logged_files.join(", ")
                        ),
                    });
                }
                Ok(_) => {}
            }
        }
        let stored = match &leaf.key {
            Some(RecordKey::DocumentVersion {
                external_id,
                version,
            }) => page
                .documents
                .get(&(external_id.clone(), *version))
                .map(|row| {
                    // A stored version that no longer parses was changed too: it is a finding,
                    // not a reason to stop the audit.
                    document_version_digest(row)
                        .unwrap_or_else(|e| format!("(unreadable stored record: {e})"))
                }),
            Some(RecordKey::ApplicationEvent {
                receipt_number,
                seq,
            }) => page
                .events
                .get(&(receipt_number.clone(), *seq))
                .map(|data| sha256_hex(data.as_bytes())),
            Some(RecordKey::CatalogRevision {
                agency_slug,
                code,
                revision,
            }) => page
                .catalog
                .get(&(agency_slug.clone(), code.clone(), *revision))
                .map(|data| sha256_hex(data.as_bytes())),
            None => None,
        };
        let Some(stored) = stored else {
            // A withdrawal's digest is of its reason, which the audit does not recompute; an
            // unknown kind has no stored record to compare.
            if kind != "document_withdrawn" {
                outcome.findings.push(AuditFinding {
                    index: leaf.index,
                    subject,
                    problem: format!("no stored record for this {kind} leaf"),
                });
            }
            continue;
        };
        outcome.checked_records += 1;
        if stored != logged {
            outcome.findings.push(AuditFinding {
                index: leaf.index,
                subject,
                problem: format!("the stored record hashes to {stored}, the log recorded {logged}"),
            });
        }
    }
    while expected < page.end {
        outcome.findings.push(AuditFinding {
            index: expected,
            subject: String::new(),
            problem: "the entry is missing from the log".to_string(),
        });
        expected += 1;
        frontier = None;
    }
    (outcome, frontier)
}

impl Services {
    /// Recomputes every leaf's record digest and the log's root from the database.
    ///
    /// The log is read in pages of [`AUDIT_PAGE_ENTRIES`]; the records a page names are read
    /// with one statement per kind and 1,000 keys rather than one or two per entry, and each
    /// page is checked on the blocking pool while the next one is read, so both the database
    /// and a second core work at once.
    pub async fn audit(&self) -> ServiceResult<AuditReport> {
        // The size is read first and only the entries below it are audited, so that appends
        // during the audit are neither reported as differences nor mixed into the root.
        let size = self.db.tlog_size().await?.max(0) as u64;
        let mut report = AuditReport::default();
        let mut leaf_hashes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let mut pending: Option<PageCheck> = None;
        // Recomputes every stored hash from the entries, page after page; dropped (and the
        // remaining stored hashes left to the root check) once an entry is missing.
        let mut frontier = Some(TreeFrontier::new());
        let mut checked_files = HashSet::new();
        let mut start = 0u64;
        while start < size {
            let end = (start + AUDIT_PAGE_ENTRIES).min(size);
            let page = self.read_audit_page(start, end, &mut checked_files).await?;
            report.entries += page.leaves.len() as u64;
            if let Some(checking) = pending.take() {
                let (outcome, tree) = join_page(checking).await?;
                merge_page(&mut report, &mut leaf_hashes, outcome);
                frontier = tree;
            }
            let tree = frontier.take();
            pending = Some(tokio::task::spawn_blocking(move || {
                check_audit_page(page, tree)
            }));
            start = end;
        }
        if let Some(checking) = pending.take() {
            let (outcome, _) = join_page(checking).await?;
            merge_page(&mut report, &mut leaf_hashes, outcome);
        }
        let stored_root = self.stored_tree_hash(size).await;
        let recomputed = merkle_root(&leaf_hashes);
        if leaf_hashes.len() as u64 != size || stored_root.ok() != Some(recomputed) {
            report.findings.push(AuditFinding {
                index: size,
                subject: "tree".to_string(),
                problem: "the stored tree hashes do not match the root recomputed from the entries"
                    .to_string(),
            });
        }
        Ok(report)
    }

    /// Entries `start..end` and every stored record they name. The bytes of every file the
    /// page's documents hold are re-hashed once per audit (`checked_files` remembers them), so
    /// that a file changed in the blob store is found even though its row is unchanged.
    async fn read_audit_page(
        &self,
        start: u64,
        end: u64,
        checked_files: &mut HashSet<String>,
    ) -> ServiceResult<AuditPage> {
        let rows = self
            .db
            .tlog_entries_between(start as i64, end as i64)
            .await?;
        let stored_hashes = self
            .db
            .tlog_hashes_between(
                stored_hash_index(0, start) as i64,
                stored_hash_index(0, end) as i64,
            )
            .await?;
        let mut leaves = Vec::with_capacity(rows.len());
        let mut documents = BTreeSet::new();
        let mut receipts = BTreeSet::new();
        let mut agencies = BTreeSet::new();
        for (index, data) in rows {
            let (fields, key) = match parse_leaf(&data) {
                Ok(fields) => {
                    let key = record_key(&fields.kind, &fields.subject);
                    match &key {
                        Some(RecordKey::DocumentVersion { external_id, .. }) => {
                            documents.insert(external_id.clone());
                        }
                        Some(RecordKey::ApplicationEvent { receipt_number, .. }) => {
                            receipts.insert(receipt_number.clone());
                        }
                        Some(RecordKey::CatalogRevision { agency_slug, .. }) => {
                            agencies.insert(agency_slug.clone());
                        }
                        None => {}
                    }
                    let attachment_sha256s = logged_attachments(&fields.extra);
                    (
                        Ok(LoggedFields {
                            kind: fields.kind,
                            subject: fields.subject,
                            sha256_hex: fields.sha256_hex,
                            attachment_sha256s,
                        }),
                        key,
                    )
                }
                Err(e) => (Err(format!("the leaf cannot be read: {e}")), None),
            };
            leaves.push(AuditLeaf {
                index: index as u64,
                data,
                fields,
                key,
            });
        }
        let documents: Vec<&str> = documents.iter().map(String::as_str).collect();
        let receipts: Vec<&str> = receipts.iter().map(String::as_str).collect();
        let agencies: Vec<&str> = agencies.iter().map(String::as_str).collect();
        let stored_files = self.db.audit_document_attachments(&documents).await?;
        let documents = self
            .db
            .audit_document_versions(&documents)
            .await?
            .into_iter()
            .map(|row| ((row.external_id.clone(), row.version), row))
            .collect();
        let mut attachments: HashMap<String, Vec<(i64, String)>> = HashMap::new();
        for (external_id, version, digest) in stored_files {
            attachments
                .entry(external_id)
                .or_default()
                .push((version, digest));
        }
        let mut file_findings = Vec::new();
        // Where a file finding is reported: the first leaf of the page naming the document.
        // Only needed (and built) when the page's documents have files.
        let first_index_of: HashMap<&str, (u64, &str)> = if attachments.is_empty() {
            HashMap::new()
        } else {
            leaves
                .iter()
                .rev()
                .filter_map(|leaf| match (&leaf.key, &leaf.fields) {
                    (Some(RecordKey::DocumentVersion { external_id, .. }), Ok(fields)) => {
                        Some((external_id.as_str(), (leaf.index, fields.subject.as_str())))
                    }
                    _ => None,
                })
                .collect()
        };
        for (external_id, files) in &attachments {
            for (_, digest) in files {
                if !checked_files.insert(digest.clone()) {
                    continue;
                }
                let problem = match self.db.blob_get(digest).await? {
                    None => Some(format!("the stored bytes of the file {digest} are missing")),
                    Some(bytes) => {
                        let recomputed = tokio::task::spawn_blocking(move || sha256_hex(&bytes))
                            .await
                            .map_err(|e| {
                                crate::ServiceError::Unexpected(anyhow::anyhow!("audit file: {e}"))
                            })?;
                        (recomputed != *digest).then(|| {
                            format!("the stored bytes of the file {digest} hash to {recomputed}")
                        })
                    }
                };
                if let Some(problem) = problem {
                    let (index, subject) = first_index_of
                        .get(external_id.as_str())
                        .copied()
                        .unwrap_or((start, external_id.as_str()));
                    file_findings.push(AuditFinding {
                        index,
                        subject: subject.to_string(),
                        problem,
                    });
                }
            }
        }
        let events = self
            .db
            .audit_application_events(&receipts)
            .await?
            .into_iter()
            .map(|row| ((row.receipt_number, row.seq), row.data))
            .collect();
        let catalog = self
            .db
            .audit_catalog_revisions(&agencies)
            .await?
            .into_iter()
            .map(|row| ((row.agency_slug, row.code, row.revision), row.data))
            .collect();
        Ok(AuditPage {
            start,
            end,
            leaves,
            stored_hashes,
            documents,
            attachments,
            file_findings,
            events,
            catalog,
        })
    }
}

/// A page being checked on the blocking pool, with the frontier it hands back.
type PageCheck = tokio::task::JoinHandle<(AuditPageOutcome, Option<TreeFrontier>)>;

async fn join_page(checking: PageCheck) -> ServiceResult<(AuditPageOutcome, Option<TreeFrontier>)> {
    checking
        .await
        .map_err(|e| crate::ServiceError::Unexpected(anyhow::anyhow!("audit page: {e}")))
}

fn merge_page(report: &mut AuditReport, leaf_hashes: &mut Vec<Hash>, page: AuditPageOutcome) {
    leaf_hashes.extend(page.leaf_hashes);
    report.checked_records += page.checked_records;
    report.findings.extend(page.findings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_independent_root_matches_the_domain_log() {
        for n in 0..40u64 {
            let leaves: Vec<Vec<u8>> = (0..n).map(|i| format!("leaf {i}").into_bytes()).collect();
            let hashes: Vec<Hash> = leaves.iter().map(|l| record_hash(l)).collect();
            let mut stored = std::collections::BTreeMap::new();
            for (i, leaf) in leaves.iter().enumerate() {
                let indexes =
                    gongkai_domain::tlog::stored_hashes_read_indexes(i as u64).expect("indexes");
                let known: std::collections::BTreeMap<u64, Hash> = indexes
                    .iter()
                    .map(|x| (*x, *stored.get(x).expect("stored")))
                    .collect();
                let new =
                    gongkai_domain::tlog::stored_hashes(i as u64, leaf, &known).expect("hashes");
                let first = gongkai_domain::tlog::stored_hash_index(0, i as u64);
                for (k, h) in new.into_iter().enumerate() {
                    stored.insert(first + k as u64, h);
                }
            }
            let root = gongkai_domain::tlog::tree_hash(n, &stored).expect("root");
            assert_eq!(merkle_root(&hashes), root, "size {n}");
        }
    }
}
