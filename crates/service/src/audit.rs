//! `gongkai audit`: re-reads the database and checks that nothing recorded in the
//! transparency log was changed afterwards. Every leaf's digest is recomputed from the stored
//! record it names (a document version's canonical content, an application event, a catalog
//! revision) and the root is recomputed from the leaves; every difference is named.

use crate::{ServiceResult, Services, sha256_hex};
use gongkai_domain::tlog::{Hash, record_hash};
use sha2::{Digest, Sha256};

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

impl Services {
    /// Recomputes every leaf's record digest and the log's root from the database.
    pub async fn audit(&self) -> ServiceResult<AuditReport> {
        let mut report = AuditReport::default();
        let mut leaf_hashes = Vec::new();
        let mut start = 0i64;
        loop {
            let entries = self.db.tlog_entries(start, 1000).await?;
            if entries.is_empty() {
                break;
            }
            start += entries.len() as i64;
            for (index, data) in entries {
                let index = index as u64;
                leaf_hashes.push(record_hash(&data));
                report.entries += 1;
                let leaf: serde_json::Value = match serde_json::from_slice(&data) {
                    Ok(value) => value,
                    Err(_) => {
                        report.findings.push(AuditFinding {
                            index,
                            subject: String::new(),
                            problem: "the leaf is not JSON".to_string(),
                        });
                        continue;
                    }
                };
                let kind = leaf["kind"].as_str().unwrap_or_default();
                let subject = leaf["subject"].as_str().unwrap_or_default().to_string();
                let logged = leaf["sha256"].as_str().unwrap_or_default();
                let stored = self.recompute_digest(kind, &subject).await?;
                let Some(stored) = stored else {
                    if kind != "document_withdrawn" {
                        report.findings.push(AuditFinding {
                            index,
                            subject,
                            problem: format!("no stored record for this {kind} leaf"),
                        });
                    }
                    continue;
                };
                report.checked_records += 1;
                if stored != logged {
                    report.findings.push(AuditFinding {
                        index,
                        subject,
                        problem: format!(
                            "the stored record hashes to {stored}, the log recorded {logged}"
                        ),
                    });
                }
            }
        }
        let head = self.tree_head().await?;
        let recomputed = merkle_root(&leaf_hashes);
        if head.size != leaf_hashes.len() as u64 || head.root != recomputed {
            report.findings.push(AuditFinding {
                index: head.size,
                subject: "tree".to_string(),
                problem: "the stored tree hashes do not match the root recomputed from the entries"
                    .to_string(),
            });
        }
        Ok(report)
    }

    /// The digest of the stored record a leaf names, computed the way the leaf was; `None`
    /// when the record is gone or the kind has no stored record to compare.
    async fn recompute_digest(&self, kind: &str, subject: &str) -> ServiceResult<Option<String>> {
        match kind {
            "document_version_published" | "document_version_corrected" => {
                let Some((external_id, version)) = subject.rsplit_once("@v") else {
                    return Ok(None);
                };
                let Ok(version) = version.parse::<i64>() else {
                    return Ok(None);
                };
                let Some(document) = self.db.document_by_external_id(external_id).await? else {
                    return Ok(None);
                };
                let Some(row) = self.db.document_version(document.id, version).await? else {
                    return Ok(None);
                };
                let view = crate::documents::parse_version_row(row)?;
                let bytes = crate::documents::canonical_version_content(
                    &document.external_id,
                    &document.index_number,
                    version,
                    &view.metadata,
                    &view.header,
                )?;
                Ok(Some(sha256_hex(&bytes)))
            }
            "application_event" => {
                let Some((receipt, seq)) = subject.rsplit_once('#') else {
                    return Ok(None);
                };
                let Ok(seq) = seq.parse::<i64>() else {
                    return Ok(None);
                };
                Ok(self
                    .db
                    .application_event_data_by_receipt(receipt, seq)
                    .await?
                    .map(|data| sha256_hex(data.as_bytes())))
            }
            "catalog_revision" => {
                let Some((path, revision)) = subject.rsplit_once("@r") else {
                    return Ok(None);
                };
                let Some((slug, code)) = path.split_once('/') else {
                    return Ok(None);
                };
                let Ok(revision) = revision.parse::<i64>() else {
                    return Ok(None);
                };
                Ok(self
                    .db
                    .catalog_revision_data(slug, code, revision)
                    .await?
                    .map(|data| sha256_hex(data.as_bytes())))
            }
            _ => Ok(None),
        }
    }
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
