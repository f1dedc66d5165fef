//! Detectors for e-mail addresses, passports and travel permits, and vehicle licence plates.
//!
//! Each is a small hand-written scanner over characters rather than a regular expression: the
//! shapes are short and fixed, a scanner is faster on the 2-core machines this runs on, and it
//! needs no dependency. The document shapes come from [`crate::identity`], which marks them
//! UNVERIFIED (public descriptions, not the issuing rules). This file must never report a
//! token glued to other letters or digits: a passport-like token inside a longer code is a code.

use super::numbers::{cue_before, digit_value, is_latin_letter};
use super::{Category, Detection};
use crate::identity::full_width_to_ascii;

/// The longest local part of an e-mail address (RFC 5321 4.5.3.1.1), in characters.
const EMAIL_LOCAL_PART_MAX_CHARS: usize = 64;
/// The longest domain of an e-mail address (RFC 5321 4.5.3.1.2), in characters.
const EMAIL_DOMAIN_MAX_CHARS: usize = 255;

fn ascii(c: char) -> char {
    full_width_to_ascii(c)
}

fn is_email_local_character(c: char) -> bool {
    let c = ascii(c);
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_email_domain_character(c: char) -> bool {
    let c = ascii(c);
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// E-mail addresses: a local part, `@`, and a domain with at least one dot and a top-level
/// label of two or more letters. A Weibo-style mention (@name) has no local part and no
/// dotted domain, so it is not an e-mail address.
pub(crate) fn detect_emails(chars: &[char], out: &mut Vec<Detection>) {
    for (at, &c) in chars.iter().enumerate() {
        if ascii(c) != '@' {
            continue;
        }
        let mut start = at;
        while start > 0
            && at - start < EMAIL_LOCAL_PART_MAX_CHARS
            && is_email_local_character(chars[start - 1])
        {
            start -= 1;
        }
        while start < at && matches!(ascii(chars[start]), '.' | '-') {
            start += 1;
        }
        let mut end = at + 1;
        while end < chars.len()
            && end - at <= EMAIL_DOMAIN_MAX_CHARS
            && is_email_domain_character(chars[end])
        {
            end += 1;
        }
        // A sentence may end right after the address: the final dot is punctuation.
        while end > at + 1 && matches!(ascii(chars[end - 1]), '.' | '-') {
            end -= 1;
        }
        if start == at || end <= at + 1 {
            continue;
        }
        let domain: String = chars[at + 1..end].iter().map(|c| ascii(*c)).collect();
        let top_level = domain.rsplit('.').next().unwrap_or("");
        let valid_domain = domain.contains('.')
            && top_level.len() >= 2
            && top_level.chars().all(|c| c.is_ascii_alphabetic())
            && domain.split('.').all(|label| !label.is_empty());
        if valid_domain {
            out.push(Detection {
                start,
                end,
                category: Category::Email,
                confidence_percent: 95,
                reason: "电子邮箱地址（本地部分@域名）".to_owned(),
                role: None,
            });
        }
    }
}

/// Matches a shape where `#` is a digit, `@` a capital letter and anything else itself; the
/// token must be exactly as long as the shape.
fn token_matches(token: &[char], shape: &str) -> bool {
    token.len() == shape.chars().count()
        && token.iter().zip(shape.chars()).all(|(&c, s)| {
            let c = ascii(c).to_ascii_uppercase();
            match s {
                '#' => c.is_ascii_digit(),
                '@' => c.is_ascii_uppercase(),
                _ => c == s,
            }
        })
}

/// Shapes that are distinctive enough to be reported without a cue word: Chinese ordinary
/// passports (E + 8 digits, E + letter + 7 digits, the older G + 8 digits) and the mainland
/// residents' permits for Hong Kong and Macao (C + 8 digits, C + letter + 7) and for Taiwan
/// (L + 8 digits).
const DISTINCTIVE_SHAPES: &[(&str, &str)] = &[
    ("E########", "中国护照号码（E 加 8 位数字）"),
    ("E@#######", "中国护照号码（E 加字母加 7 位数字）"),
    ("G########", "旧版中国护照号码（G 加 8 位数字）"),
    ("C########", "往来港澳通行证号码（C 加 8 位数字）"),
    ("C@#######", "往来港澳通行证号码（C 加字母加 7 位数字）"),
    ("L########", "大陆居民往来台湾通行证号码（L 加 8 位数字）"),
    ("H########", "港澳居民来往内地通行证号码（H 加 8 位数字）"),
    ("M########", "港澳居民来往内地通行证号码（M 加 8 位数字）"),
    (
        "H##########",
        "港澳居民来往内地通行证号码（H 加 10 位数字）",
    ),
    (
        "M##########",
        "港澳居民来往内地通行证号码（M 加 10 位数字）",
    ),
];
const DOCUMENT_CUES: &[&str] = &[
    "护照",
    "通行证",
    "回乡证",
    "台胞证",
    "旅行证",
    "签证",
    "证件号",
];

/// Passports and travel permits, as alphanumeric tokens standing on their own.
pub(crate) fn detect_documents(chars: &[char], out: &mut Vec<Detection>) {
    let is_token_character = |c: char| ascii(c).is_ascii_alphanumeric();
    let mut index = 0;
    while index < chars.len() {
        if !is_token_character(chars[index]) {
            index += 1;
            continue;
        }
        let start = index;
        while index < chars.len() && is_token_character(chars[index]) {
            index += 1;
        }
        let token = &chars[start..index];
        if let Some((_, reason)) = DISTINCTIVE_SHAPES
            .iter()
            .find(|(shape, _)| token_matches(token, shape))
        {
            let cue = cue_before(chars, start, DOCUMENT_CUES);
            out.push(Detection {
                start,
                end: index,
                category: Category::Passport,
                confidence_percent: if cue { 95 } else { 80 },
                reason: (*reason).to_owned(),
                role: None,
            });
            continue;
        }
        // After a cue word, any 5–20 character token with a digit is taken for a document
        // number: foreign passports and the older permits have no common shape.
        let has_digit = token.iter().any(|c| digit_value(*c).is_some());
        let has_letter = token.iter().any(|c| is_latin_letter(*c));
        let plausible_length = (5..=20).contains(&token.len());
        let digits_only_taiwan = token.len() == 8 || token.len() == 10;
        if has_digit
            && plausible_length
            && (has_letter || digits_only_taiwan)
            && cue_before(chars, start, DOCUMENT_CUES)
        {
            out.push(Detection {
                start,
                end: index,
                category: Category::Passport,
                confidence_percent: 75,
                reason: "护照或通行证号码（前有“护照/通行证”等提示词）".to_owned(),
                role: None,
            });
        }
    }
}

/// The one-character abbreviations of the provincial divisions that begin a licence plate
/// (GA 36-2018), plus 使 and 领 of diplomatic plates.
const PLATE_PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领";
/// Characters that may end a plate in place of its last letter or digit.
const PLATE_SUFFIXES: &str = "挂学警港澳领试超";

fn is_plate_character(c: char) -> bool {
    let c = ascii(c).to_ascii_uppercase();
    // Plates use no I or O, which look like 1 and 0 (GA 36-2018, 5.4).
    c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'I' && c != 'O')
}

/// Vehicle plates (GA 36-2018): a province abbreviation, the letter of the issuing office, an
/// optional separator dot, and five characters (six for new-energy vehicles) of digits and
/// letters with at least one digit, or four and a suffix character such as 挂 or 学.
pub(crate) fn detect_plates(chars: &[char], out: &mut Vec<Detection>) {
    for (index, &c) in chars.iter().enumerate() {
        if !PLATE_PROVINCES.contains(c) {
            continue;
        }
        let Some(office) = chars.get(index + 1).map(|c| ascii(*c).to_ascii_uppercase()) else {
            continue;
        };
        if !office.is_ascii_uppercase() || office == 'I' || office == 'O' {
            continue;
        }
        let mut position = index + 2;
        if matches!(chars.get(position), Some('·' | '•' | '.' | ' ' | '-')) {
            position += 1;
        }
        let body_length = count_plate_characters(chars, position);
        let body = &chars[position..position + body_length];
        let digits = body.iter().filter(|c| digit_value(**c).is_some()).count();
        let suffix = chars.get(position + body_length).copied();
        let ends_with_suffix =
            body_length == 4 && suffix.is_some_and(|s| PLATE_SUFFIXES.contains(s));
        let end = match body_length {
            5 | 6 if digits >= 1 => position + body_length,
            4 if ends_with_suffix && digits >= 1 => position + body_length + 1,
            _ => continue,
        };
        // A plate stands on its own: a following digit or letter makes it part of a code.
        if chars
            .get(end)
            .is_some_and(|c| ascii(*c).is_ascii_alphanumeric())
        {
            continue;
        }
        out.push(Detection {
            start: index,
            end,
            category: Category::Plate,
            confidence_percent: 85,
            reason: "机动车号牌（省份简称＋发牌机关代号＋序号，GA 36）".to_owned(),
            role: None,
        });
    }
}

fn count_plate_characters(chars: &[char], from: usize) -> usize {
    chars[from.min(chars.len())..]
        .iter()
        .take(7)
        .take_while(|c| is_plate_character(**c))
        .count()
}
