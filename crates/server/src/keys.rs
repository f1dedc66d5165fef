//! The transparency log's signing key at `serve` start: the log name and the key file are
//! resolved from the configuration (environment, then config file, then default) and the key
//! is read, or created on first start, by `gongkai_service::load_or_create_log_signer`.
//!
//! The key lives in a file, never in the database, so that whoever can write the database
//! cannot also sign for the log. Every process over one database must be given the same file;
//! the verifier key is logged at start so operators can compare processes at a glance. This
//! module never prints the private key.

use crate::config::Resolved;
use anyhow::Context;
use gongkai_domain::signed_note::NoteSigner;
use std::path::PathBuf;

/// The log name used when none is configured. `.local` marks it as not yet named after a real
/// host; a production installation sets its own before the first start.
pub(crate) const DEFAULT_LOG_NAME: &str = "gongkai.local/log";
/// The key file's name inside the data directory when no path is configured.
pub(crate) const DEFAULT_KEY_FILE_NAME: &str = "transparency-log.key";

/// The configured log name and key file path.
pub(crate) fn log_key_settings(resolved: &Resolved) -> (String, PathBuf) {
    let name = std::env::var("GONGKAI_TRANSPARENCY_LOG_NAME")
        .ok()
        .filter(|value| !value.is_empty())
        .or_else(|| resolved.file.transparency_log_name.clone())
        .unwrap_or_else(|| DEFAULT_LOG_NAME.to_string());
    let path = std::env::var_os("GONGKAI_TRANSPARENCY_KEY_FILE")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| resolved.file.transparency_key_file.clone())
        .unwrap_or_else(|| resolved.data_dir.join(DEFAULT_KEY_FILE_NAME));
    (name, path)
}

/// Reads or creates the signing key and logs its public half.
pub(crate) fn log_signer(resolved: &Resolved) -> anyhow::Result<NoteSigner> {
    let (name, path) = log_key_settings(resolved);
    let signer = gongkai_service::load_or_create_log_signer(&path, &name)
        .context("cannot load the transparency log's signing key")?;
    tracing::info!(
        verifier_key = %signer.verifier().to_vkey(),
        path = %path.display(),
        "transparency log signing key"
    );
    Ok(signer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FileConfig, resolve};
    use std::os::unix::fs::PermissionsExt;

    fn temporary_dir(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "gongkai-keys-{label}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_key_is_made_once_private_and_reused() {
        let dir = temporary_dir("reuse");
        let resolved = resolve(Some(dir.clone()), None, FileConfig::default());
        let first = log_signer(&resolved).unwrap();
        let path = dir.join(DEFAULT_KEY_FILE_NAME);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(first.name(), DEFAULT_LOG_NAME);
        let second = log_signer(&resolved).unwrap();
        assert_eq!(first.verifier(), second.verifier());
        // Only the key file is left in the directory: no temporary file.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_readable_key_or_a_renamed_log_is_refused() {
        let dir = temporary_dir("refuse");
        let path = dir.join("key");
        gongkai_service::load_or_create_log_signer(&path, "a.example/log").unwrap();
        let renamed = gongkai_service::load_or_create_log_signer(&path, "b.example/log");
        assert!(matches!(
            renamed,
            Err(gongkai_service::LogKeyError::NameMismatch { .. })
        ));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let readable = gongkai_service::load_or_create_log_signer(&path, "a.example/log");
        assert!(matches!(
            readable,
            Err(gongkai_service::LogKeyError::Permissions { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
