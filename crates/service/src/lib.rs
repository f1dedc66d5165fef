//! Gongkai's use cases: each loads what it needs from the store, lets `gongkai-domain` decide,
//! and persists the outcome (with its audit record) in one go.
//!
//! This is where the clock lives (`Clock::System` in production, `Clock::Fixed` in tests) and
//! where randomness is drawn (session tokens, salts). This crate must never know about HTTP:
//! it speaks in `ServiceError`s with stable codes that the web layer maps to status codes and
//! translated messages.

mod agencies;
mod annual_report;
mod applications;
mod archive;
mod attachments;
mod audit;
mod auth;
mod calendar;
mod catalog_templates;
mod clock;
mod datasets;
mod demo;
mod document_import;
mod documents;
mod entity_tagger;
mod error;
mod open_data;
mod outbox;
mod performance;
mod publication_reminders;
mod redaction;
mod remedies;
mod reminders;
mod repeat_applications;
mod report;
mod search;
mod staff;
mod submission;
mod subscriptions;
mod transparency;

pub use agencies::*;
pub use annual_report::*;
pub use applications::*;
pub use archive::{crc32, zip_stored};
pub use attachments::*;
pub use audit::{AuditFinding, AuditReport};
pub use auth::*;
pub use catalog_templates::*;
pub use clock::Clock;
pub use datasets::*;
pub use demo::{DEMO_PASSWORD, DemoAccount, demo_accounts};
pub use document_import::*;
pub use documents::*;
pub use entity_tagger::{EntityTagger, EntityTaggerError};
pub use error::{ServiceError, ServiceResult};
pub use gongkai_notify::{Mailer, SmtpSettings};
pub use gongkai_search;
pub use gongkai_store::{
    Backend, CatalogItemRow, Db, DocumentFacet, DocumentListFilter, DocumentRow, DocumentVersionRow,
};
pub use open_data::*;
pub use outbox::*;
pub use performance::*;
pub use publication_reminders::*;
pub use redaction::*;
pub use remedies::*;
pub use reminders::*;
pub use repeat_applications::*;
pub use report::*;
pub use search::SearchState;
pub use staff::*;
pub use subscriptions::*;
pub use transparency::{
    DocumentLogEntry, DocumentLogHistory, LogKeyError, TreeHead, load_or_create_log_signer,
};

use sha2::{Digest, Sha256};

/// Settings the services need, parsed once by the binary and passed down as plain values.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub password_hashing: PasswordHashing,
    /// A session ends after this long without activity.
    pub session_idle_minutes: i64,
    pub login_throttle: gongkai_domain::account::LoginThrottlePolicy,
    /// The address people reach the site at, for links in mail (no trailing slash needed).
    pub public_base_url: String,
    /// The k of small-cell suppression in public statistics (C14): counts of people from 1 to
    /// k − 1 are never published. At least 3 whatever is configured.
    pub statistics_small_cell_k: u64,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            password_hashing: PasswordHashing::default(),
            session_idle_minutes: 120,
            login_throttle: Default::default(),
            public_base_url: "http://127.0.0.1:8080".to_string(),
            statistics_small_cell_k: gongkai_domain::statistics::SMALL_CELL_THRESHOLD_DEFAULT,
        }
    }
}

/// Argon2id cost parameters. The defaults are OWASP's recommendation (19 MiB, 2 passes);
/// tests may use cheaper ones, never production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordHashing {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        PasswordHashing {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// The services over one database, one clock and one configuration. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Services {
    pub db: Db,
    pub clock: Clock,
    pub config: ServiceConfig,
    /// This process's search index (each process has its own, following the database's
    /// change records); `None` in tools that do not search.
    pub(crate) search: Option<std::sync::Arc<SearchState>>,
    /// The named-entity model the redaction detectors consult; `None` where none is
    /// installed (the rules work alone).
    pub(crate) entity_tagger: Option<EntityTagger>,
}

impl Services {
    pub fn new(db: Db, clock: Clock, config: ServiceConfig) -> Services {
        Services {
            db,
            clock,
            config,
            search: None,
            entity_tagger: None,
        }
    }

    /// Lets the redaction detectors consult a named-entity model.
    pub fn with_entity_tagger(mut self, tagger: EntityTagger) -> Services {
        self.entity_tagger = Some(tagger);
        self
    }

    /// Whether a named-entity model is loaded, for the admin page.
    pub fn has_entity_tagger(&self) -> bool {
        self.entity_tagger.is_some()
    }

    /// The installation's secret for signing CSRF tokens. It is created on first start and
    /// kept in the database so every process behind a load balancer signs alike.
    pub async fn installation_secret(&self) -> ServiceResult<Vec<u8>> {
        let fresh = random_hex(32)?;
        let stored = self
            .db
            .setting_insert_if_absent("installation_secret", &fresh)
            .await?;
        Ok(stored.into_bytes())
    }
}

/// `n_bytes` random bytes from the operating system, hex-encoded.
pub fn random_hex(n_bytes: usize) -> ServiceResult<String> {
    let mut bytes = vec![0u8; n_bytes];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("random source failed: {e}")))?;
    Ok(hex(&bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// HMAC-SHA256 (RFC 2104), hex-encoded. Used to sign CSRF tokens with the installation secret;
/// written out here because it is a dozen lines and saves a dependency.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    const BLOCK_BYTES: usize = 64;
    let mut key_block = [0u8; BLOCK_BYTES];
    if key.len() > BLOCK_BYTES {
        key_block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        key_block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(key_block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner_digest = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(key_block.map(|b| b ^ 0x5c));
    outer.update(inner_digest);
    hex(&outer.finalize())
}

/// Compares two strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_6_long_key() {
        let key = [0xaau8; 131];
        assert_eq!(
            hmac_sha256_hex(
                &key,
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
