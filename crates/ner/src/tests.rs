//! End-to-end tests of `LacModel` on a tiny synthetic model written byte by byte, so that
//! loading, shape checks, inference and word grouping are tested without the real files.

use super::*;
use crate::npy::tests::npy_bytes;
use crate::onnx::tests::{gru_node_proto, model_proto, tensor_proto};

/// The parts of a model with vocabulary 4, embedding size 2, hidden size 1 and 3 tags, with
/// zero GRU weights: every character gets the emissions of the output bias, [0, 1, 0], and
/// the transitions PER-B → PER-I and PER-I → PER-I score 5, so any text is one PER word.
struct TinyModel {
    tensors: Vec<(&'static str, Vec<usize>, Vec<f32>)>,
    linear_before_reset: i64,
    transitions_header: String,
    transitions: Vec<f32>,
}

const TINY_WORD_DIC: &str = "0\t \n1\t张\n2\t三\n3\tOOV\n";
const TINY_TAG_DIC: &str = "0\tn-B\n1\tPER-B\n2\tPER-I\n";

impl TinyModel {
    fn new() -> Self {
        let zeros = |count: usize| vec![0.0; count];
        Self {
            tensors: vec![
                (
                    EMBEDDING_TENSOR,
                    vec![4, 2],
                    vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
                ),
                (GRU_TENSORS[0][0], vec![2, 3, 2], zeros(12)),
                (GRU_TENSORS[0][1], vec![2, 3, 1], zeros(6)),
                (GRU_TENSORS[0][2], vec![2, 6], zeros(12)),
                (GRU_TENSORS[1][0], vec![2, 3, 2], zeros(12)),
                (GRU_TENSORS[1][1], vec![2, 3, 1], zeros(6)),
                (GRU_TENSORS[1][2], vec![2, 6], zeros(12)),
                (OUTPUT_WEIGHTS_TENSOR, vec![2, 3], zeros(6)),
                (OUTPUT_BIAS_TENSOR, vec![3], vec![0.0, 1.0, 0.0]),
            ],
            linear_before_reset: 1,
            transitions_header: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3), }"
                .to_owned(),
            transitions: vec![0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 5.0],
        }
    }

    fn onnx_bytes(&self) -> Vec<u8> {
        let nodes: Vec<Vec<u8>> = GRU_TENSORS
            .iter()
            .map(|[w, r, b]| {
                gru_node_proto(&["x", w, r, b, "", "initial"], self.linear_before_reset, 1)
            })
            .collect();
        let initializers: Vec<Vec<u8>> = self
            .tensors
            .iter()
            .map(|(name, dims, values)| tensor_proto(name, dims, values))
            .collect();
        model_proto(&nodes, &initializers)
    }

    fn npy_bytes(&self) -> Vec<u8> {
        let data: Vec<u8> = self
            .transitions
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect();
        npy_bytes(1, &self.transitions_header, &data)
    }

    fn load(&self) -> Result<LacModel, NerError> {
        LacModel::from_parts(
            &self.onnx_bytes(),
            &self.npy_bytes(),
            TINY_WORD_DIC,
            TINY_TAG_DIC,
            "",
        )
    }

    fn with_tensor(mut self, name: &str, dims: Vec<usize>, values: Vec<f32>) -> Self {
        for tensor in &mut self.tensors {
            if tensor.0 == name {
                tensor.1 = dims.clone();
                tensor.2 = values.clone();
            }
        }
        self
    }
}

fn word(start_char: usize, end_char: usize, tag: &str) -> TaggedWord {
    TaggedWord {
        start_char,
        end_char,
        tag: tag.to_owned(),
    }
}

#[test]
fn tags_a_text_with_the_tiny_model() {
    let model = TinyModel::new().load().unwrap();
    assert_eq!(model.tag("张三"), vec![word(0, 2, "PER")]);
    assert_eq!(model.tag("张"), vec![word(0, 1, "PER")]);
    assert_eq!(model.tag("未知字"), vec![word(0, 3, "PER")]);
    assert_eq!(model.tag(""), Vec::<TaggedWord>::new());
    assert!(format!("{model:?}").contains("tag_count: 3"));
}

#[test]
fn analysis_gives_each_best_path_entity_its_posterior() {
    let model = TinyModel::new().load().expect("the tiny model loads");
    let analysis = model.analyse("张三");
    assert_eq!(analysis.words, model.tag("张三"));
    assert_eq!(analysis.entities.len(), 1);
    let name = &analysis.entities[0];
    assert_eq!((name.start_char, name.end_char), (0, 2));
    assert_eq!(name.label, "PER");
    // Three tags, PER-I strongly favoured after PER-B: the one-word reading dominates but is
    // not certain, since 张 and 三 as words of their own remain possible.
    assert!(name.probability > 0.5 && name.probability < 1.0, "{name:?}");
    assert!(model.analyse("").entities.is_empty());
}

#[test]
fn words_of_later_chunks_carry_offsets_in_the_whole_text() {
    let model = TinyModel::new().load().unwrap();
    let text = "张三。".repeat(200);
    // The first chunk ends after the last 。 within 512 characters (170 sentences).
    assert_eq!(
        model.tag(&text),
        vec![word(0, 510, "PER"), word(510, 600, "PER")]
    );
}

#[test]
fn the_embedding_and_gru_weights_reach_the_emissions() {
    // The candidate gate of each layer's forward direction reads the first input value, the
    // output gives tag 1 (PER-B) ten times the last layer's forward state and tag 0 (n-B) a
    // bias of 0.5, and there are no transition scores. 张 (embedding +5) pushes the state up,
    // 三 (−5) down: layer 0 gives 0.5, −0.25, 0.375, layer 1 about 0.23, −0.008, 0.18, so
    // the emissions of tag 1 are 2.3, −0.08, 1.8 against 0.5 for tag 0.
    let model = TinyModel::new()
        .with_tensor(
            EMBEDDING_TENSOR,
            vec![4, 2],
            vec![0.0, 0.0, 5.0, 0.0, -5.0, 0.0, 0.0, 0.0],
        )
        .with_tensor(
            GRU_TENSORS[0][0],
            vec![2, 3, 2],
            vec![0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        )
        .with_tensor(
            GRU_TENSORS[1][0],
            vec![2, 3, 2],
            vec![0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        )
        .with_tensor(
            OUTPUT_WEIGHTS_TENSOR,
            vec![2, 3],
            vec![0.0, 10.0, 0.0, 0.0, 0.0, 0.0],
        )
        .with_tensor(OUTPUT_BIAS_TENSOR, vec![3], vec![0.5, 0.0, 0.0]);
    let model = LacModel::from_parts(
        &model.onnx_bytes(),
        &npy_bytes(1, &model.transitions_header, &[0; 36]),
        TINY_WORD_DIC,
        TINY_TAG_DIC,
        "",
    )
    .unwrap();
    assert_eq!(
        model.tag("张三张"),
        vec![word(0, 1, "PER"), word(1, 2, "n"), word(2, 3, "PER")]
    );
}

#[test]
fn reports_shape_and_semantics_problems() {
    let wrong_bias = TinyModel::new().with_tensor(GRU_TENSORS[1][2], vec![2, 5], vec![0.0; 10]);
    assert_eq!(
        wrong_bias.load().unwrap_err(),
        NerError::TensorShape {
            name: GRU_TENSORS[1][2],
            found: vec![2, 5],
            expected: "[2, 6]".to_owned()
        }
    );
    let wrong_embedding = TinyModel::new().with_tensor(EMBEDDING_TENSOR, vec![8], vec![0.0; 8]);
    assert!(matches!(
        wrong_embedding.load(),
        Err(NerError::TensorShape {
            name: EMBEDDING_TENSOR,
            ..
        })
    ));
    let small_embedding = TinyModel::new().with_tensor(EMBEDDING_TENSOR, vec![3, 2], vec![0.0; 6]);
    assert_eq!(
        small_embedding.load().unwrap_err(),
        NerError::VocabularyIdOutOfRange {
            id: 3,
            embedding_rows: 3
        }
    );
    let not_a_number =
        TinyModel::new().with_tensor(OUTPUT_BIAS_TENSOR, vec![3], vec![0.0, f32::NAN, 0.0]);
    assert_eq!(
        not_a_number.load().unwrap_err(),
        NerError::NonFiniteWeight {
            name: OUTPUT_BIAS_TENSOR
        }
    );
    let mut reset_first = TinyModel::new();
    reset_first.linear_before_reset = 0;
    assert_eq!(
        reset_first.load().unwrap_err(),
        NerError::UnsupportedGru {
            weights: GRU_TENSORS[0][0],
            reason: "linear_before_reset is not 1".to_owned()
        }
    );
    let mut wrong_transitions = TinyModel::new();
    wrong_transitions.transitions_header =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (9,), }".to_owned();
    assert_eq!(
        wrong_transitions.load().unwrap_err(),
        NerError::TensorShape {
            name: CRF_TRANSITIONS_NAME,
            found: vec![9],
            expected: "[3, 3]".to_owned()
        }
    );
    let tiny = TinyModel::new();
    assert_eq!(
        LacModel::from_parts(
            &tiny.onnx_bytes(),
            &tiny.npy_bytes(),
            TINY_WORD_DIC,
            "x\tn-B\n",
            ""
        )
        .unwrap_err(),
        NerError::MalformedDictionary {
            dictionary: "tag.dic",
            line_number: 1,
            reason: "the id before the tab is not an integer"
        }
    );
}

#[test]
fn never_panics_on_truncated_or_corrupted_model_files() {
    let tiny = TinyModel::new();
    let onnx = tiny.onnx_bytes();
    let npy = tiny.npy_bytes();
    for length in 0..onnx.len() {
        assert!(
            LacModel::from_parts(&onnx[..length], &npy, TINY_WORD_DIC, TINY_TAG_DIC, "").is_err(),
            "prefix {length}"
        );
    }
    for length in 0..npy.len() {
        assert!(
            LacModel::from_parts(&onnx, &npy[..length], TINY_WORD_DIC, TINY_TAG_DIC, "").is_err()
        );
    }
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for round in 0..3000 {
        let mut corrupted = onnx.clone();
        for _ in 0..1 + round % 3 {
            // A xorshift generator: deterministic, so a failure is reproducible.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let position = (state % corrupted.len() as u64) as usize;
            corrupted[position] = (state >> 40) as u8;
        }
        // A corruption inside float data still loads; then tagging must not panic either.
        if let Ok(model) = LacModel::from_parts(&corrupted, &npy, TINY_WORD_DIC, TINY_TAG_DIC, "") {
            let _ = model.tag("张三 未知");
        }
    }
    let garbage: Vec<u8> = (0..4096_u32)
        .map(|index| (index.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert!(LacModel::from_parts(&garbage, &garbage, "\u{0}\t\t", "\t", "\t").is_err());
}
