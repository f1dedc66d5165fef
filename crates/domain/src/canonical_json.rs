//! The JSON Canonicalization Scheme (JCS, RFC 8785): one byte sequence for one JSON value.
//!
//! The transparency log (`crate::tlog`) hashes and signs the bytes of its records, so two
//! writers that mean the same record must produce the same bytes, and a verifier must be able
//! to rebuild them from the parsed value. JCS fixes every free choice of JSON: object members
//! sorted by the UTF-16 code units of their names (§3.2.3), no whitespace, strings escaped with
//! the fewest escapes (§3.2.2.2) and numbers printed as ECMAScript's `Number.prototype.toString`
//! prints an IEEE 754 double (§3.2.2.3).
//!
//! This module must never change a value silently. JCS reads every number as an IEEE 754
//! double, so an integer is written only if its canonical text is its own decimal digits:
//! 2^53 + 1 or 2^60 is refused rather than rounded, because a rounded amount in a signed record
//! is a statement the signer never made. It is pure and never panics on any
//! `serde_json::Value`.
//!
//! A verifier should hash the stored bytes rather than re-serialize a parsed value: without its
//! `float_roundtrip` feature `serde_json` reads many doubles one unit in the last place off (for
//! instance 333333333.33333329, or about a third of random bit patterns), and the canonical form
//! of the value it read is then a different text.

use std::cmp::Ordering;
use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

/// The deepest nesting of arrays and objects serialized. `serde_json` refuses to parse deeper
/// documents (its default recursion limit is 128), and the limit keeps the recursion of this
/// serializer far from the end of the stack for values built in code.
pub const NESTING_DEPTH_MAX: usize = 128;

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalJsonError {
    /// The integer's canonical text would not be its own digits: JCS reads it as the nearest
    /// double and prints that (RFC 8785 §3.2.2.3; I-JSON, RFC 7493 §2.2, advises ±(2^53 − 1)).
    #[error("the integer {0} would change in canonical form: it is not exactly a double")]
    IntegerNotExact(String),
    /// The number is not finite. `serde_json` cannot hold NaN or infinities without its
    /// `arbitrary_precision` feature, but a huge literal could become infinite there.
    #[error("the number {0} is not a finite IEEE 754 double")]
    NumberNotFinite(String),
    /// Arrays and objects are nested deeper than [`NESTING_DEPTH_MAX`].
    #[error("the value is nested deeper than {NESTING_DEPTH_MAX} levels")]
    NestedTooDeep,
}

impl CanonicalJsonError {
    /// A stable code for logs and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::IntegerNotExact(_) => "canonical_json_integer_not_exact",
            Self::NumberNotFinite(_) => "canonical_json_number_not_finite",
            Self::NestedTooDeep => "canonical_json_nested_too_deep",
        }
    }
}

/// Serializes `value` in the canonical form of RFC 8785.
pub fn to_canonical_string(value: &Value) -> Result<String, CanonicalJsonError> {
    let mut out = String::new();
    write_value(value, 0, &mut out)?;
    Ok(out)
}

/// Serializes `value` in the canonical form of RFC 8785, as the UTF-8 bytes that are hashed.
pub fn to_canonical_bytes(value: &Value) -> Result<Vec<u8>, CanonicalJsonError> {
    to_canonical_string(value).map(String::into_bytes)
}

/// Formats a finite double exactly as ECMAScript's `Number.prototype.toString` (ECMA-262,
/// Number::toString with radix 10), which RFC 8785 §3.2.2.3 adopts for JSON numbers.
///
/// Returns `None` for NaN and the infinities, which JSON cannot express.
pub fn format_es_number(number: f64) -> Option<String> {
    if !number.is_finite() {
        return None;
    }
    // Both zeros print as "0" (step 2 of Number::toString).
    if number == 0.0 {
        return Some("0".to_owned());
    }
    let mut out = String::new();
    if number < 0.0 {
        out.push('-');
    }
    let (digits, exponent) = shortest_digits(number.abs())?;
    // In ECMA-262's terms: value = 0.d1d2…dk × 10^n.
    let k = i32::try_from(digits.len()).ok()?;
    let n = exponent + 1;
    if k <= n && n <= 21 {
        // An integer below 10^21: the digits, then n − k zeros.
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', usize::try_from(n - k).ok()?));
    } else if 0 < n && n <= 21 {
        // A fraction with n digits before the point.
        let (whole, fraction) = digits.split_at(usize::try_from(n).ok()?);
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    } else if -6 < n && n <= 0 {
        // A small fraction: "0." and −n zeros before the digits.
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', usize::try_from(-n).ok()?));
        out.push_str(&digits);
    } else {
        // Exponent form, with an explicit sign on the exponent: 1e+21, 1.5e-7.
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        let _ = write!(out, "{}", (n - 1).unsigned_abs());
    }
    Some(out)
}

/// The digits s and the exponent e of the shortest decimal s × 10^(e+1−k) that reads back as
/// `magnitude`, choosing among several of that length the closest, and of two equally close the
/// even one (ECMA-262 Number::toString, step 5 and its note).
fn shortest_digits(magnitude: f64) -> Option<(String, i32)> {
    // Rust's `{:e}` without a precision prints the shortest digit string that reads back as the
    // same double, the closest of them, but breaks an exact tie upwards: 1424953923781206.25
    // prints as …206.3 where ECMAScript wants …206.2 (RFC 8785 Appendix B).
    let shortest = format!("{magnitude:e}");
    let (mantissa, _) = shortest.split_once('e')?;
    let length = mantissa.chars().filter(char::is_ascii_digit).count();
    // With a precision, Rust rounds the exact binary value correctly, ties to even. That
    // decimal of the same length is the closest there is, so it is ECMAScript's answer whenever
    // it reads back as the same double; otherwise the shortest one is.
    let rounded = format!(
        "{magnitude:.precision$e}",
        precision = length.checked_sub(1)?
    );
    let chosen = match rounded.parse::<f64>() {
        Ok(back) if back == magnitude => rounded,
        _ => shortest,
    };
    let (mantissa, exponent) = chosen.split_once('e')?;
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // Neither string ends in a zero digit unless it is the only one, since a shorter string
    // would then read back too; trimming keeps k minimal even if that reasoning were wrong.
    let significant = digits.trim_end_matches('0');
    let digits = if significant.is_empty() {
        "0"
    } else {
        significant
    };
    Some((digits.to_owned(), exponent.parse().ok()?))
}

fn write_value(value: &Value, depth: usize, out: &mut String) -> Result<(), CanonicalJsonError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => write_number(number, out)?,
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            if depth >= NESTING_DEPTH_MAX {
                return Err(CanonicalJsonError::NestedTooDeep);
            }
            out.push('[');
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_value(item, depth + 1, out)?;
            }
            out.push(']');
        }
        Value::Object(members) => {
            if depth >= NESTING_DEPTH_MAX {
                return Err(CanonicalJsonError::NestedTooDeep);
            }
            write_object(members, depth, out)?;
        }
    }
    Ok(())
}

fn write_object(
    members: &Map<String, Value>,
    depth: usize,
    out: &mut String,
) -> Result<(), CanonicalJsonError> {
    // `serde_json::Map` iterates in byte (code point) order, or in insertion order with the
    // `preserve_order` feature; JCS wants UTF-16 code unit order, which differs for characters
    // beyond the Basic Multilingual Plane against U+E000–U+FFFF (RFC 8785 §3.2.3).
    let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
    sorted.sort_by(|(left, _), (right, _)| compare_utf16(left, right));
    out.push('{');
    for (position, (name, member)) in sorted.into_iter().enumerate() {
        if position > 0 {
            out.push(',');
        }
        write_string(name, out);
        out.push(':');
        write_value(member, depth + 1, out)?;
    }
    out.push('}');
    Ok(())
}

fn compare_utf16(left: &str, right: &str) -> Ordering {
    left.encode_utf16().cmp(right.encode_utf16())
}

fn write_number(number: &Number, out: &mut String) -> Result<(), CanonicalJsonError> {
    // An integer is written as its own digits when those are exactly what JCS prints for the
    // nearest double, and refused otherwise, instead of being rounded through f64. Every integer
    // up to 2^53 passes, and so does a larger one that came from a double's canonical text, such
    // as 10576557897242762, so that canonical text read back by `serde_json` stays canonical.
    let integer_digits = number
        .as_i64()
        .map(|integer| (integer.to_string(), integer as f64))
        .or_else(|| {
            number
                .as_u64()
                .map(|integer| (integer.to_string(), integer as f64))
        });
    if let Some((digits, nearest_double)) = integer_digits {
        if format_es_number(nearest_double).as_deref() != Some(digits.as_str()) {
            return Err(CanonicalJsonError::IntegerNotExact(digits));
        }
        out.push_str(&digits);
        return Ok(());
    }
    match number.as_f64().and_then(format_es_number) {
        Some(text) => {
            out.push_str(&text);
            Ok(())
        }
        None => Err(CanonicalJsonError::NumberNotFinite(number.to_string())),
    }
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // The other C0 controls as \u00xx with lowercase hexadecimal digits (§3.2.2.2);
            // everything else, DEL and U+2028 included, is written as itself.
            control if u32::from(control) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(control));
            }
            other => out.push(other),
        }
    }
    out.push('"');
}
