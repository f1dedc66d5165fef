//! A minimal reader of the protobuf wire format, enough to walk an ONNX `ModelProto`.
//!
//! The ONNX file is a protobuf message, and the only parts this crate needs are a few fields
//! of a few messages (the graph, its nodes and initializers). A general protobuf library with
//! generated code for the whole ONNX schema would be a large dependency for that, so this file
//! reads the wire format itself: varints, fixed 32/64-bit values and length-delimited payloads.
//!
//! It must never panic or read past the end of its input, whatever the bytes: every length is
//! checked before it is used, and every problem is reported with the absolute byte offset where
//! it was found. It never allocates in proportion to a length read from the input.

use crate::NerError;

/// One field of a message as it appears on the wire; payloads borrow from the input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FieldValue<'a> {
    /// Wire type 0: int32, int64, uint32, uint64, sint*, bool and enum values.
    Varint(u64),
    /// Wire type 1: fixed64, sfixed64 and double values.
    Fixed64([u8; 8]),
    /// Wire type 2: strings, bytes, embedded messages and packed repeated fields.
    LengthDelimited(&'a [u8]),
    /// Wire type 5: fixed32, sfixed32 and float values.
    Fixed32([u8; 4]),
}

/// A field number with its value and the absolute offset of the value's first byte, so that
/// a reader of an embedded message can report offsets in the whole file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Field<'a> {
    pub(crate) number: u32,
    pub(crate) value: FieldValue<'a>,
    pub(crate) value_offset_bytes: usize,
}

/// Iterates over the fields of one message. After the first error it yields nothing more,
/// because the position of the following field is unknown once one field is malformed.
#[derive(Debug, Clone)]
pub(crate) struct FieldReader<'a> {
    bytes: &'a [u8],
    position: usize,
    base_offset_bytes: usize,
    failed: bool,
}

/// The longest varint the wire format allows, in bytes (ten 7-bit groups cover 64 bits).
const VARINT_LENGTH_MAX_BYTES: usize = 10;

impl<'a> FieldReader<'a> {
    /// Reads the fields of `bytes`, whose first byte is at `base_offset_bytes` in the file.
    pub(crate) fn new(bytes: &'a [u8], base_offset_bytes: usize) -> Self {
        Self {
            bytes,
            position: 0,
            base_offset_bytes,
            failed: false,
        }
    }

    fn error(&self, position: usize, reason: &'static str) -> NerError {
        NerError::MalformedProtobuf {
            offset_bytes: self.base_offset_bytes.saturating_add(position),
            reason,
        }
    }

    fn read_field(&mut self) -> Result<Field<'a>, NerError> {
        let key_position = self.position;
        let key = read_varint(self.bytes, &mut self.position)
            .map_err(|reason| self.error(key_position, reason))?;
        let wire_type = key & 0x7;
        let number = u32::try_from(key >> 3)
            .map_err(|_| self.error(key_position, "the field number does not fit in 32 bits"))?;
        if number == 0 {
            return Err(self.error(key_position, "field number 0 is not allowed"));
        }
        let value_position = self.position;
        let value = match wire_type {
            0 => FieldValue::Varint(
                read_varint(self.bytes, &mut self.position)
                    .map_err(|reason| self.error(value_position, reason))?,
            ),
            1 => FieldValue::Fixed64(self.take_array::<8>()?),
            2 => {
                let length = read_varint(self.bytes, &mut self.position)
                    .map_err(|reason| self.error(value_position, reason))?;
                let payload_position = self.position;
                let end = usize::try_from(length)
                    .ok()
                    .and_then(|length| payload_position.checked_add(length))
                    .filter(|end| *end <= self.bytes.len())
                    .ok_or_else(|| {
                        self.error(value_position, "a length-delimited field runs past its end")
                    })?;
                self.position = end;
                return Ok(Field {
                    number,
                    value: FieldValue::LengthDelimited(&self.bytes[payload_position..end]),
                    value_offset_bytes: self.base_offset_bytes.saturating_add(payload_position),
                });
            }
            5 => FieldValue::Fixed32(self.take_array::<4>()?),
            3 | 4 => return Err(self.error(key_position, "protobuf groups are not supported")),
            _ => return Err(self.error(key_position, "unknown wire type")),
        };
        Ok(Field {
            number,
            value,
            value_offset_bytes: self.base_offset_bytes.saturating_add(value_position),
        })
    }

    fn take_array<const LENGTH: usize>(&mut self) -> Result<[u8; LENGTH], NerError> {
        let start = self.position;
        let array = self
            .bytes
            .get(start..)
            .and_then(|rest| rest.first_chunk::<LENGTH>())
            .copied()
            .ok_or_else(|| self.error(start, "a fixed-width field runs past its end"))?;
        self.position = start + LENGTH;
        Ok(array)
    }
}

impl<'a> Iterator for FieldReader<'a> {
    type Item = Result<Field<'a>, NerError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.position >= self.bytes.len() {
            return None;
        }
        let field = self.read_field();
        if field.is_err() {
            self.failed = true;
        }
        Some(field)
    }
}

/// Reads one base-128 varint at `*position` and advances past it. The error is a reason only;
/// the caller knows the offset to report.
fn read_varint(bytes: &[u8], position: &mut usize) -> Result<u64, &'static str> {
    let mut value = 0_u64;
    for index in 0..VARINT_LENGTH_MAX_BYTES {
        let Some(&byte) = bytes.get(*position + index) else {
            return Err("a varint runs past the end of its message");
        };
        let group = u64::from(byte & 0x7f);
        // The tenth byte may only carry the 64th bit; anything more would overflow.
        if index == VARINT_LENGTH_MAX_BYTES - 1 && group > 1 {
            return Err("a varint overflows 64 bits");
        }
        value |= group << (7 * index);
        if byte & 0x80 == 0 {
            *position += index + 1;
            return Ok(value);
        }
    }
    Err("a varint is longer than ten bytes")
}

/// Decodes the values of a packed repeated varint field (for example `dims`).
pub(crate) fn packed_varints(
    payload: &[u8],
    payload_offset_bytes: usize,
) -> Result<Vec<u64>, NerError> {
    let mut values = Vec::new();
    let mut position = 0;
    while position < payload.len() {
        let start = position;
        let value =
            read_varint(payload, &mut position).map_err(|reason| NerError::MalformedProtobuf {
                offset_bytes: payload_offset_bytes.saturating_add(start),
                reason,
            })?;
        values.push(value);
    }
    Ok(values)
}

/// Decodes little-endian IEEE 754 single-precision values, as ONNX stores both `raw_data` of a
/// FLOAT tensor and a packed `float_data` field.
pub(crate) fn little_endian_floats(
    payload: &[u8],
    payload_offset_bytes: usize,
) -> Result<Vec<f32>, NerError> {
    if !payload.len().is_multiple_of(4) {
        return Err(NerError::MalformedProtobuf {
            offset_bytes: payload_offset_bytes,
            reason: "packed float data is not a multiple of four bytes",
        });
    }
    Ok(payload
        .chunks_exact(4)
        .map(|bytes| f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(bytes: &[u8]) -> Vec<Result<Field<'_>, NerError>> {
        FieldReader::new(bytes, 100).collect()
    }

    #[test]
    fn reads_each_wire_type_with_absolute_offsets() {
        // Field 1 varint 150 (the protobuf documentation's example), field 2 bytes "hi",
        // field 3 fixed32 1.0f32, field 4 fixed64.
        let bytes = [
            0x08, 0x96, 0x01, //
            0x12, 0x02, b'h', b'i', //
            0x1d, 0x00, 0x00, 0x80, 0x3f, //
            0x21, 1, 2, 3, 4, 5, 6, 7, 8,
        ];
        let read: Vec<Field<'_>> = fields(&bytes)
            .into_iter()
            .map(|field| field.unwrap())
            .collect();
        assert_eq!(
            read,
            vec![
                Field {
                    number: 1,
                    value: FieldValue::Varint(150),
                    value_offset_bytes: 101
                },
                Field {
                    number: 2,
                    value: FieldValue::LengthDelimited(b"hi"),
                    value_offset_bytes: 105
                },
                Field {
                    number: 3,
                    value: FieldValue::Fixed32(1.0_f32.to_le_bytes()),
                    value_offset_bytes: 108
                },
                Field {
                    number: 4,
                    value: FieldValue::Fixed64([1, 2, 3, 4, 5, 6, 7, 8]),
                    value_offset_bytes: 113
                },
            ]
        );
    }

    #[test]
    fn reads_the_largest_varint_and_rejects_overflow() {
        let mut position = 0;
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(read_varint(&max, &mut position), Ok(u64::MAX));
        assert_eq!(position, 10);
        let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert!(read_varint(&overflow, &mut 0).is_err());
        let too_long = [0x80; 11];
        assert!(read_varint(&too_long, &mut 0).is_err());
    }

    #[test]
    fn reports_malformed_fields_with_their_offset_and_stops() {
        let cases: [(&[u8], usize, &str); 6] = [
            (&[0x08], 101, "a varint runs past the end of its message"),
            (
                &[0x12, 0x05, b'a'],
                101,
                "a length-delimited field runs past its end",
            ),
            (&[0x1d, 0x00], 101, "a fixed-width field runs past its end"),
            (&[0x0b], 100, "protobuf groups are not supported"),
            (&[0x0e], 100, "unknown wire type"),
            (&[0x00, 0x00], 100, "field number 0 is not allowed"),
        ];
        for (bytes, offset_bytes, reason) in cases {
            let read = fields(bytes);
            assert_eq!(
                read,
                vec![Err(NerError::MalformedProtobuf {
                    offset_bytes,
                    reason
                })],
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn a_huge_length_is_an_error_not_an_allocation() {
        let bytes = [
            0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        assert!(matches!(
            fields(&bytes).as_slice(),
            [Err(NerError::MalformedProtobuf { .. })]
        ));
    }

    #[test]
    fn decodes_packed_varints_and_floats() {
        assert_eq!(packed_varints(&[0x03, 0x96, 0x01], 0), Ok(vec![3, 150]));
        assert!(packed_varints(&[0x96], 0).is_err());
        let mut floats = Vec::new();
        floats.extend_from_slice(&0.5_f32.to_le_bytes());
        floats.extend_from_slice(&(-2.0_f32).to_le_bytes());
        assert_eq!(little_endian_floats(&floats, 0), Ok(vec![0.5, -2.0]));
        assert!(little_endian_floats(&floats[..7], 0).is_err());
    }
}
