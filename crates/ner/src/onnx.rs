//! Extraction of named FLOAT initializers and of the GRU nodes from an ONNX `ModelProto`.
//!
//! The LAC encoder is a fixed graph (embedding lookup, two bidirectional GRUs, one linear
//! layer), so this crate does not interpret the graph: it takes the weights it knows by name
//! and checks that the GRU nodes that consume them use the semantics the Rust code implements
//! (`linear_before_reset = 1`, bidirectional, default activations). Field numbers are those of
//! `onnx.proto` (ModelProto.graph = 7, GraphProto.node = 1, GraphProto.initializer = 5, …).
//!
//! It must never copy a tensor it was not asked for, never trust a length or a shape without
//! comparing it with the bytes present, and never panic on malformed input.

use crate::NerError;
use crate::protobuf::{Field, FieldReader, FieldValue, little_endian_floats, packed_varints};

const MODEL_GRAPH_FIELD: u32 = 7;
const GRAPH_NODE_FIELD: u32 = 1;
const GRAPH_INITIALIZER_FIELD: u32 = 5;
const NODE_INPUT_FIELD: u32 = 1;
const NODE_OP_TYPE_FIELD: u32 = 4;
const NODE_ATTRIBUTE_FIELD: u32 = 5;
const ATTRIBUTE_NAME_FIELD: u32 = 1;
const ATTRIBUTE_INT_FIELD: u32 = 3;
const ATTRIBUTE_STRING_FIELD: u32 = 4;
const TENSOR_DIMS_FIELD: u32 = 1;
const TENSOR_DATA_TYPE_FIELD: u32 = 2;
const TENSOR_SEGMENT_FIELD: u32 = 3;
const TENSOR_FLOAT_DATA_FIELD: u32 = 4;
const TENSOR_NAME_FIELD: u32 = 8;
const TENSOR_RAW_DATA_FIELD: u32 = 9;
const TENSOR_EXTERNAL_DATA_FIELD: u32 = 13;
const TENSOR_DATA_LOCATION_FIELD: u32 = 14;

/// `TensorProto.DataType.FLOAT`.
const DATA_TYPE_FLOAT: u64 = 1;

/// A FLOAT tensor in row-major order with its shape.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tensor {
    pub(crate) dims: Vec<usize>,
    pub(crate) values: Vec<f32>,
}

/// A GRU node with the attributes that decide its arithmetic.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct GruNode {
    pub(crate) inputs: Vec<String>,
    pub(crate) direction: Option<String>,
    pub(crate) hidden_size: Option<i64>,
    pub(crate) linear_before_reset: Option<i64>,
    pub(crate) layout: Option<i64>,
    /// The first attribute this crate does not implement (activations, clip, …), if any.
    pub(crate) unsupported_attribute: Option<String>,
}

/// What [`read_model`] found: the wanted tensors in the order of the names asked for, and
/// every GRU node of the graph in graph order.
#[derive(Debug)]
pub(crate) struct OnnxContents {
    pub(crate) tensors: Vec<Tensor>,
    pub(crate) gru_nodes: Vec<GruNode>,
}

/// Reads the initializers named in `wanted_names` (each must be present exactly once) and the
/// GRU nodes of the model's graph.
pub(crate) fn read_model(
    model_bytes: &[u8],
    wanted_names: &[&'static str],
) -> Result<OnnxContents, NerError> {
    let mut tensors: Vec<Option<Tensor>> = vec![None; wanted_names.len()];
    let mut gru_nodes = Vec::new();
    let mut graph_seen = false;
    for field in FieldReader::new(model_bytes, 0) {
        let field = field?;
        // A message field that appears twice is merged by protobuf; reading the repeated
        // fields of every occurrence is that merge for everything this crate reads.
        if let Some((graph, graph_offset_bytes)) = message_field(&field, MODEL_GRAPH_FIELD) {
            graph_seen = true;
            read_graph(
                graph,
                graph_offset_bytes,
                wanted_names,
                &mut tensors,
                &mut gru_nodes,
            )?;
        }
    }
    if !graph_seen {
        return Err(NerError::MissingGraph);
    }
    let tensors = tensors
        .into_iter()
        .zip(wanted_names)
        .map(|(tensor, name)| tensor.ok_or(NerError::MissingTensor { name }))
        .collect::<Result<Vec<Tensor>, NerError>>()?;
    Ok(OnnxContents { tensors, gru_nodes })
}

fn message_field<'a>(field: &Field<'a>, number: u32) -> Option<(&'a [u8], usize)> {
    match field.value {
        FieldValue::LengthDelimited(payload) if field.number == number => {
            Some((payload, field.value_offset_bytes))
        }
        _ => None,
    }
}

fn read_graph(
    graph: &[u8],
    graph_offset_bytes: usize,
    wanted_names: &[&'static str],
    tensors: &mut [Option<Tensor>],
    gru_nodes: &mut Vec<GruNode>,
) -> Result<(), NerError> {
    for field in FieldReader::new(graph, graph_offset_bytes) {
        let field = field?;
        if let Some((node, node_offset_bytes)) = message_field(&field, GRAPH_NODE_FIELD) {
            if let Some(gru_node) = read_gru_node(node, node_offset_bytes)? {
                gru_nodes.push(gru_node);
            }
        } else if let Some((tensor, tensor_offset_bytes)) =
            message_field(&field, GRAPH_INITIALIZER_FIELD)
        {
            read_initializer(tensor, tensor_offset_bytes, wanted_names, tensors)?;
        }
    }
    Ok(())
}

/// Returns the node's inputs and attributes when it is a GRU, and `None` for any other node.
fn read_gru_node(node: &[u8], node_offset_bytes: usize) -> Result<Option<GruNode>, NerError> {
    let mut is_gru = false;
    let mut gru_node = GruNode::default();
    for field in FieldReader::new(node, node_offset_bytes) {
        let field = field?;
        match (field.number, field.value) {
            (NODE_OP_TYPE_FIELD, FieldValue::LengthDelimited(op_type)) => {
                is_gru = op_type == b"GRU";
            }
            (NODE_INPUT_FIELD, FieldValue::LengthDelimited(input)) => {
                gru_node
                    .inputs
                    .push(String::from_utf8_lossy(input).into_owned());
            }
            (NODE_ATTRIBUTE_FIELD, FieldValue::LengthDelimited(attribute)) => {
                read_gru_attribute(attribute, field.value_offset_bytes, &mut gru_node)?;
            }
            _ => {}
        }
    }
    Ok(is_gru.then_some(gru_node))
}

fn read_gru_attribute(
    attribute: &[u8],
    attribute_offset_bytes: usize,
    gru_node: &mut GruNode,
) -> Result<(), NerError> {
    let mut name = String::new();
    let mut int_value = None;
    let mut string_value = None;
    for field in FieldReader::new(attribute, attribute_offset_bytes) {
        let field = field?;
        match (field.number, field.value) {
            (ATTRIBUTE_NAME_FIELD, FieldValue::LengthDelimited(bytes)) => {
                name = String::from_utf8_lossy(bytes).into_owned();
            }
            // Protobuf int64 is two's complement in a varint, so the cast restores the sign.
            (ATTRIBUTE_INT_FIELD, FieldValue::Varint(value)) => int_value = Some(value as i64),
            (ATTRIBUTE_STRING_FIELD, FieldValue::LengthDelimited(bytes)) => {
                string_value = Some(String::from_utf8_lossy(bytes).into_owned());
            }
            _ => {}
        }
    }
    match name.as_str() {
        "direction" => gru_node.direction = string_value,
        "hidden_size" => gru_node.hidden_size = int_value,
        "linear_before_reset" => gru_node.linear_before_reset = int_value,
        "layout" => gru_node.layout = int_value,
        _ => {
            if gru_node.unsupported_attribute.is_none() {
                gru_node.unsupported_attribute = Some(name);
            }
        }
    }
    Ok(())
}

/// The fields of a `TensorProto` that matter here, still borrowed from the file.
#[derive(Default)]
struct TensorFields<'a> {
    name: &'a [u8],
    dims: Vec<i64>,
    data_type: Option<u64>,
    raw_data: Option<(&'a [u8], usize)>,
    float_data: Vec<FloatDataPiece<'a>>,
    stored_elsewhere: bool,
}

/// One occurrence of `float_data`: packed (the usual encoding) or a single unpacked value.
enum FloatDataPiece<'a> {
    Packed(&'a [u8], usize),
    Single([u8; 4]),
}

fn read_initializer(
    tensor: &[u8],
    tensor_offset_bytes: usize,
    wanted_names: &[&'static str],
    tensors: &mut [Option<Tensor>],
) -> Result<(), NerError> {
    let mut fields = TensorFields::default();
    for field in FieldReader::new(tensor, tensor_offset_bytes) {
        let field = field?;
        match (field.number, field.value) {
            (TENSOR_NAME_FIELD, FieldValue::LengthDelimited(name)) => fields.name = name,
            (TENSOR_DIMS_FIELD, FieldValue::Varint(dim)) => fields.dims.push(dim as i64),
            (TENSOR_DIMS_FIELD, FieldValue::LengthDelimited(packed)) => fields.dims.extend(
                packed_varints(packed, field.value_offset_bytes)?
                    .into_iter()
                    .map(|dim| dim as i64),
            ),
            (TENSOR_DATA_TYPE_FIELD, FieldValue::Varint(data_type)) => {
                fields.data_type = Some(data_type);
            }
            (TENSOR_RAW_DATA_FIELD, FieldValue::LengthDelimited(raw)) => {
                fields.raw_data = Some((raw, field.value_offset_bytes));
            }
            (TENSOR_FLOAT_DATA_FIELD, FieldValue::LengthDelimited(packed)) => {
                fields
                    .float_data
                    .push(FloatDataPiece::Packed(packed, field.value_offset_bytes));
            }
            (TENSOR_FLOAT_DATA_FIELD, FieldValue::Fixed32(bytes)) => {
                fields.float_data.push(FloatDataPiece::Single(bytes));
            }
            (TENSOR_SEGMENT_FIELD | TENSOR_EXTERNAL_DATA_FIELD, _) => {
                fields.stored_elsewhere = true;
            }
            (TENSOR_DATA_LOCATION_FIELD, FieldValue::Varint(location)) => {
                // DataLocation.EXTERNAL is 1; DEFAULT (0) keeps the data in this message.
                fields.stored_elsewhere |= location != 0;
            }
            _ => {}
        }
    }
    let Some(index) = wanted_names
        .iter()
        .position(|wanted| wanted.as_bytes() == fields.name)
    else {
        return Ok(());
    };
    let name = wanted_names[index];
    if tensors[index].is_some() {
        return Err(NerError::DuplicateTensor { name });
    }
    tensors[index] = Some(decode_tensor(name, fields)?);
    Ok(())
}

fn decode_tensor(name: &'static str, fields: TensorFields<'_>) -> Result<Tensor, NerError> {
    if fields.stored_elsewhere {
        return Err(NerError::UnsupportedTensorStorage { name });
    }
    // An absent data_type is UNDEFINED (0), which is as wrong as any non-FLOAT type.
    let data_type = fields.data_type.unwrap_or(0);
    if data_type != DATA_TYPE_FLOAT {
        return Err(NerError::TensorDataType { name, data_type });
    }
    let dims = fields
        .dims
        .iter()
        .map(|&dim| usize::try_from(dim).map_err(|_| NerError::InvalidTensorDimensions { name }))
        .collect::<Result<Vec<usize>, NerError>>()?;
    let expected_values = dims
        .iter()
        .try_fold(1_usize, |product, &dim| product.checked_mul(dim))
        .ok_or(NerError::InvalidTensorDimensions { name })?;
    let values = match fields.raw_data {
        Some((raw, raw_offset_bytes)) => little_endian_floats(raw, raw_offset_bytes)?,
        None => {
            let mut values = Vec::new();
            for piece in fields.float_data {
                match piece {
                    FloatDataPiece::Packed(packed, offset_bytes) => {
                        values.extend(little_endian_floats(packed, offset_bytes)?);
                    }
                    FloatDataPiece::Single(bytes) => values.push(f32::from_le_bytes(bytes)),
                }
            }
            values
        }
    };
    if values.len() != expected_values {
        return Err(NerError::TensorDataLength {
            name,
            expected_values,
            found_values: values.len(),
        });
    }
    Ok(Tensor { dims, values })
}

#[cfg(test)]
pub(crate) mod tests {
    //! A tiny protobuf writer for building ONNX files in tests, and the reader's tests.

    use super::*;

    pub(crate) fn varint(mut value: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    pub(crate) fn varint_field(number: u32, value: u64, out: &mut Vec<u8>) {
        varint(u64::from(number) << 3, out);
        varint(value, out);
    }

    pub(crate) fn bytes_field(number: u32, payload: &[u8], out: &mut Vec<u8>) {
        varint((u64::from(number) << 3) | 2, out);
        varint(payload.len() as u64, out);
        out.extend_from_slice(payload);
    }

    /// A FLOAT initializer with packed dims and `raw_data`, as paddle2onnx writes them.
    pub(crate) fn tensor_proto(name: &str, dims: &[usize], values: &[f32]) -> Vec<u8> {
        let mut packed_dims = Vec::new();
        for &dim in dims {
            varint(dim as u64, &mut packed_dims);
        }
        let raw: Vec<u8> = values
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect();
        let mut tensor = Vec::new();
        bytes_field(TENSOR_DIMS_FIELD, &packed_dims, &mut tensor);
        varint_field(TENSOR_DATA_TYPE_FIELD, DATA_TYPE_FLOAT, &mut tensor);
        bytes_field(TENSOR_NAME_FIELD, name.as_bytes(), &mut tensor);
        bytes_field(TENSOR_RAW_DATA_FIELD, &raw, &mut tensor);
        tensor
    }

    pub(crate) fn gru_node_proto(
        inputs: &[&str],
        linear_before_reset: i64,
        hidden_size: i64,
    ) -> Vec<u8> {
        let mut node = Vec::new();
        for input in inputs {
            bytes_field(NODE_INPUT_FIELD, input.as_bytes(), &mut node);
        }
        bytes_field(NODE_OP_TYPE_FIELD, b"GRU", &mut node);
        let mut direction = Vec::new();
        bytes_field(ATTRIBUTE_NAME_FIELD, b"direction", &mut direction);
        bytes_field(ATTRIBUTE_STRING_FIELD, b"bidirectional", &mut direction);
        bytes_field(NODE_ATTRIBUTE_FIELD, &direction, &mut node);
        for (name, value) in [
            ("hidden_size", hidden_size),
            ("linear_before_reset", linear_before_reset),
        ] {
            let mut attribute = Vec::new();
            bytes_field(ATTRIBUTE_NAME_FIELD, name.as_bytes(), &mut attribute);
            varint_field(ATTRIBUTE_INT_FIELD, value as u64, &mut attribute);
            bytes_field(NODE_ATTRIBUTE_FIELD, &attribute, &mut node);
        }
        node
    }

    pub(crate) fn model_proto(nodes: &[Vec<u8>], initializers: &[Vec<u8>]) -> Vec<u8> {
        let mut graph = Vec::new();
        for node in nodes {
            bytes_field(GRAPH_NODE_FIELD, node, &mut graph);
        }
        for initializer in initializers {
            bytes_field(GRAPH_INITIALIZER_FIELD, initializer, &mut graph);
        }
        let mut model = Vec::new();
        varint_field(1, 7, &mut model); // ir_version, which the reader skips.
        bytes_field(MODEL_GRAPH_FIELD, &graph, &mut model);
        model
    }

    #[test]
    fn reads_wanted_tensors_in_the_order_asked_and_skips_others() {
        let model = model_proto(
            &[gru_node_proto(&["x", "w", "r", "b"], 1, 4)],
            &[
                tensor_proto("other", &[1], &[9.0]),
                tensor_proto("b", &[3], &[1.0, 2.0, 3.0]),
                tensor_proto("a", &[2, 1], &[-1.5, 0.25]),
            ],
        );
        let contents = read_model(&model, &["a", "b"]).unwrap();
        assert_eq!(
            contents.tensors,
            vec![
                Tensor {
                    dims: vec![2, 1],
                    values: vec![-1.5, 0.25]
                },
                Tensor {
                    dims: vec![3],
                    values: vec![1.0, 2.0, 3.0]
                },
            ]
        );
        assert_eq!(
            contents.gru_nodes,
            vec![GruNode {
                inputs: ["x", "w", "r", "b"].map(String::from).to_vec(),
                direction: Some("bidirectional".to_owned()),
                hidden_size: Some(4),
                linear_before_reset: Some(1),
                layout: None,
                unsupported_attribute: None,
            }]
        );
    }

    #[test]
    fn reads_unpacked_dims_and_float_data() {
        let mut tensor = Vec::new();
        varint_field(TENSOR_DIMS_FIELD, 2, &mut tensor);
        varint_field(TENSOR_DATA_TYPE_FIELD, DATA_TYPE_FLOAT, &mut tensor);
        let packed: Vec<u8> = [1.0_f32]
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect();
        bytes_field(TENSOR_FLOAT_DATA_FIELD, &packed, &mut tensor);
        varint((u64::from(TENSOR_FLOAT_DATA_FIELD) << 3) | 5, &mut tensor);
        tensor.extend_from_slice(&2.0_f32.to_le_bytes());
        bytes_field(TENSOR_NAME_FIELD, b"t", &mut tensor);
        let model = model_proto(&[], &[tensor]);
        let contents = read_model(&model, &["t"]).unwrap();
        assert_eq!(
            contents.tensors,
            vec![Tensor {
                dims: vec![2],
                values: vec![1.0, 2.0]
            }]
        );
    }

    #[test]
    fn reports_each_problem_with_a_typed_error() {
        let ok = tensor_proto("t", &[2], &[1.0, 2.0]);
        assert_eq!(read_model(&[], &["t"]).unwrap_err(), NerError::MissingGraph);
        assert_eq!(
            read_model(&model_proto(&[], &[]), &["t"]).unwrap_err(),
            NerError::MissingTensor { name: "t" }
        );
        assert_eq!(
            read_model(&model_proto(&[], &[ok.clone(), ok.clone()]), &["t"]).unwrap_err(),
            NerError::DuplicateTensor { name: "t" }
        );
        assert_eq!(
            read_model(
                &model_proto(&[], &[tensor_proto("t", &[3], &[1.0, 2.0])]),
                &["t"]
            )
            .unwrap_err(),
            NerError::TensorDataLength {
                name: "t",
                expected_values: 3,
                found_values: 2
            }
        );
        let mut int64_tensor = ok.clone();
        varint_field(TENSOR_DATA_TYPE_FIELD, 7, &mut int64_tensor);
        assert_eq!(
            read_model(&model_proto(&[], &[int64_tensor]), &["t"]).unwrap_err(),
            NerError::TensorDataType {
                name: "t",
                data_type: 7
            }
        );
        let mut external = ok.clone();
        varint_field(TENSOR_DATA_LOCATION_FIELD, 1, &mut external);
        assert_eq!(
            read_model(&model_proto(&[], &[external]), &["t"]).unwrap_err(),
            NerError::UnsupportedTensorStorage { name: "t" }
        );
        let mut negative = ok;
        varint_field(TENSOR_DIMS_FIELD, (-1_i64) as u64, &mut negative);
        assert_eq!(
            read_model(&model_proto(&[], &[negative]), &["t"]).unwrap_err(),
            NerError::InvalidTensorDimensions { name: "t" }
        );
        let overflowing = tensor_proto("t", &[usize::MAX / 2, 4], &[]);
        assert_eq!(
            read_model(&model_proto(&[], &[overflowing]), &["t"]).unwrap_err(),
            NerError::InvalidTensorDimensions { name: "t" }
        );
    }

    #[test]
    fn never_panics_on_truncated_or_corrupted_models() {
        let model = model_proto(
            &[gru_node_proto(&["x", "w", "r", "b"], 1, 4)],
            &[tensor_proto("a", &[2, 2], &[1.0, 2.0, 3.0, 4.0])],
        );
        for length in 0..model.len() {
            // Every strict prefix is an error (or, where the cut falls between fields, a
            // missing tensor), never a panic and never a success.
            assert!(
                read_model(&model[..length], &["a"]).is_err(),
                "prefix {length}"
            );
        }
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for round in 0..2000 {
            let mut corrupted = model.clone();
            for _ in 0..1 + round % 4 {
                // A xorshift generator: deterministic, so a failure is reproducible.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let position = (state % corrupted.len() as u64) as usize;
                corrupted[position] = (state >> 32) as u8;
            }
            let _ = read_model(&corrupted, &["a"]);
        }
    }
}
