//! Identity documents (身份证明) that an applicant shows under Art. 29(一) of the regulation.
//!
//! An application must carry 「申请人的姓名或者名称、身份证明、联系方式」. For a person the proof
//! is usually the 18-character citizen identity number of GB 11643-1999 《公民身份号码》, which
//! this module parses completely (region, birth date, sequence, check character). Other
//! documents are checked for their published shape only, because their numbering rules are
//! either not public or carry no check character we could verify. An organisation proves its
//! identity with its unified social credit code (GB 32100-2015), parsed by
//! [`crate::agency::parse_unified_social_credit_code`].
//!
//! An identity number is personal information (and, under the Personal Information Protection
//! Law, sensitive personal information), so the types here print only a masked number in
//! `Debug`. The module is pure: "today" arrives as an argument, never from a clock.
//!
//! Verification labels follow ogi-rules.md. The GB 11643 structure and its ISO 7064 MOD 11-2
//! check are the published standard. The shapes of passports, permits and the foreign
//! permanent resident identity card are from public descriptions, not from the issuing rules,
//! and are marked UNVERIFIED next to the code: confirm them before refusing a real applicant.

use std::fmt;

use time::{Date, Month};

use crate::agency::parse_unified_social_credit_code;

/// A citizen identity number has exactly 18 characters (GB 11643-1999, 4). The 15-digit
/// numbers of the first-generation cards (GB 11643-1989) are refused: those cards ceased to be
/// valid on 2013-01-01, so nobody can show one as current proof of identity.
pub const RESIDENT_ID_LENGTH_CHARS: usize = 18;
/// Birth dates before this year are refused: nobody alive holds one, and an early year is far
/// more often a typing mistake than a person.
pub const BIRTH_YEAR_MIN: i32 = 1900;
/// The longest number accepted for a document of kind [`IdentityDocumentKind::Other`], which
/// has no rule of its own.
pub const IDENTITY_NUMBER_LENGTH_MAX_CHARS: usize = 40;
/// The shortest passport number accepted. ICAO Doc 9303 fixes a nine-character field in the
/// machine-readable zone; real numbers are between five and nine characters.
pub const PASSPORT_NUMBER_LENGTH_MIN_CHARS: usize = 5;
/// The longest passport number accepted. Numbers longer than nine characters exist (Doc 9303
/// lets them overflow into the optional data), so the bound is generous.
pub const PASSPORT_NUMBER_LENGTH_MAX_CHARS: usize = 20;

/// The province-level codes of GB/T 2260 (the first two digits of an administrative-division
/// code): 11–15, 21–23, 31–37, 41–46, 50–54, 61–65 and 71 (Taiwan, listed in GB/T 2260 although
/// the mainland issues no numbers there).
const PROVINCE_CODES: [u8; 32] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71,
];
/// The address codes of the residence permits for residents of Hong Kong (810000), Macao
/// (820000) and Taiwan (830000) under 《港澳台居民居住证申领发放办法》 (2018). Their numbers follow
/// GB 11643, so an applicant may show one where a resident identity card is asked for.
/// (Secondary: public descriptions of the 2018 measures; the measures' text was not checked.)
const RESIDENCE_PERMIT_REGION_CODES: [u8; 3] = [81, 82, 83];

/// The weights of positions 1–17 of ISO 7064 MOD 11-2 as used by GB 11643-1999 (7.2):
/// W(i) = 2^(18−i) mod 11.
const MOD_11_2_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each value of (Σ a(i)·W(i)) mod 11: (12 − s) mod 11, with 10
/// written `X` (GB 11643-1999, 7.2).
const MOD_11_2_CHECK_CHARACTERS: &[u8; 11] = b"10X98765432";

/// The computed ISO 7064 MOD 11-2 check character of 17 ASCII digits.
fn mod_11_2_check_character(first_17: &[u8]) -> u8 {
    let sum: u32 = first_17
        .iter()
        .zip(MOD_11_2_WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    MOD_11_2_CHECK_CHARACTERS[(sum % 11) as usize]
}

/// Turns what a person typed into the canonical form of a document number: full-width
/// characters become ASCII (Chinese input methods produce them), letters are upper-cased and
/// whitespace anywhere is dropped, because people group digits with spaces.
pub fn normalise_document_number(raw: &str) -> String {
    raw.chars()
        .map(full_width_to_ascii)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Maps the full-width forms U+FF01–U+FF5E onto ASCII and the ideographic space onto a space.
pub(crate) fn full_width_to_ascii(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn is_province_code(code: u8) -> bool {
    PROVINCE_CODES.contains(&code)
}

fn two_digits(bytes: &[u8]) -> u8 {
    (bytes[0] - b'0') * 10 + (bytes[1] - b'0')
}

/// Reads `YYYYMMDD` from eight ASCII digits and checks that it is a real date no earlier than
/// [`BIRTH_YEAR_MIN`] and no later than `today`.
fn parse_birth_date(digits: &[u8], today: Date) -> Option<Date> {
    let number = |range: std::ops::Range<usize>| {
        digits[range]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let year = i32::try_from(number(0..4)).ok()?;
    let month = Month::try_from(u8::try_from(number(4..6)).ok()?).ok()?;
    let day = u8::try_from(number(6..8)).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    (year >= BIRTH_YEAR_MIN && date <= today).then_some(date)
}

/// A citizen identity number (公民身份号码) of GB 11643-1999, checked in full.
///
/// Structure (GB 11643-1999, 5): six digits of address code (the GB/T 2260 division where the
/// holder's household was registered), eight digits of birth date `YYYYMMDD`, three digits of
/// sequence (odd for men, even for women) and one ISO 7064 MOD 11-2 check character, `0`–`9`
/// or `X`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentId {
    // Invariant: 18 ASCII characters, 17 digits then a digit or `X`; the province code, the
    // birth date and the check character are valid.
    number: String,
    birth_date: Date,
}

impl ResidentId {
    /// Parses a citizen identity number. `today` bounds the birth date from above. Lower-case
    /// `x`, full-width characters and spaces are accepted and normalised.
    ///
    /// The checks run in the order of the codes below and the first failure is returned:
    /// `required`, `resident_id_length`, `resident_id_characters`, `resident_id_region`,
    /// `resident_id_birth_date`, `resident_id_check_digit`.
    pub fn parse(raw: &str, today: Date) -> Result<ResidentId, &'static str> {
        let number = normalise_document_number(raw);
        if number.is_empty() {
            return Err("required");
        }
        if number.chars().count() != RESIDENT_ID_LENGTH_CHARS {
            return Err("resident_id_length");
        }
        let bytes = number.as_bytes();
        let characters_ok = bytes.len() == RESIDENT_ID_LENGTH_CHARS
            && bytes[..17].iter().all(u8::is_ascii_digit)
            && matches!(bytes[17], b'0'..=b'9' | b'X');
        if !characters_ok {
            return Err("resident_id_characters");
        }
        let region = two_digits(&bytes[..2]);
        if !is_province_code(region) && !RESIDENCE_PERMIT_REGION_CODES.contains(&region) {
            return Err("resident_id_region");
        }
        let Some(birth_date) = parse_birth_date(&bytes[6..14], today) else {
            return Err("resident_id_birth_date");
        };
        if mod_11_2_check_character(&bytes[..17]) != bytes[17] {
            return Err("resident_id_check_digit");
        }
        Ok(ResidentId { number, birth_date })
    }

    /// The full number, as it must be stored. Never show it where the masked form will do.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The six-digit address code of the household registration at the time of issue.
    pub fn region_code(&self) -> &str {
        &self.number[..6]
    }

    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// The sequence code is odd for men and even for women (GB 11643-1999, 5.3).
    pub fn is_male(&self) -> bool {
        (self.number.as_bytes()[16] - b'0') % 2 == 1
    }

    /// The number with the first three and the last four characters visible, e.g.
    /// `110***********002X`, as shown on screens and in letters.
    pub fn masked(&self) -> String {
        mask(&self.number, 3, 4)
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

/// Masks a stored identity number for display: the first 3 and last 4 characters stay, as in
/// published enforcement decisions (110***********1234).
pub fn mask_identity_number(number: &str) -> String {
    mask(number, 3, 4)
}

/// Replaces all but `front` leading and `back` trailing characters with `*`.
fn mask(number: &str, front: usize, back: usize) -> String {
    let n_chars = number.chars().count();
    if n_chars <= front + back {
        return "*".repeat(n_chars);
    }
    number
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < front || i >= n_chars - back {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// The kinds of identity proof an applicant may show. The string codes are stored and used in
/// the API; they must never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdentityDocumentKind {
    /// 居民身份证, GB 11643-1999. Also covers the residence permits for residents of Hong Kong,
    /// Macao and Taiwan (港澳台居民居住证), whose numbers follow the same standard.
    ResidentIdCard,
    /// 护照, Chinese or foreign.
    Passport,
    /// 往来港澳通行证 (mainland residents) or 港澳居民来往内地通行证 (回乡证).
    HongKongMacaoPermit,
    /// 台湾居民来往大陆通行证 (台胞证) or 大陆居民往来台湾通行证.
    TaiwanPermit,
    /// 外国人永久居留身份证.
    ForeignPermanentResidentId,
    /// 统一社会信用代码, GB 32100-2015: the identity proof of a legal person or other
    /// organisation.
    UnifiedSocialCreditCode,
    /// Any other document (军官证, 社会保障卡…): checked for length and characters only.
    Other,
}

impl IdentityDocumentKind {
    pub const ALL: [IdentityDocumentKind; 7] = [
        IdentityDocumentKind::ResidentIdCard,
        IdentityDocumentKind::Passport,
        IdentityDocumentKind::HongKongMacaoPermit,
        IdentityDocumentKind::TaiwanPermit,
        IdentityDocumentKind::ForeignPermanentResidentId,
        IdentityDocumentKind::UnifiedSocialCreditCode,
        IdentityDocumentKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            IdentityDocumentKind::ResidentIdCard => "resident_id_card",
            IdentityDocumentKind::Passport => "passport",
            IdentityDocumentKind::HongKongMacaoPermit => "hk_macao_permit",
            IdentityDocumentKind::TaiwanPermit => "taiwan_permit",
            IdentityDocumentKind::ForeignPermanentResidentId => "foreign_permanent_resident_id",
            IdentityDocumentKind::UnifiedSocialCreditCode => "unified_social_credit_code",
            IdentityDocumentKind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<IdentityDocumentKind> {
        IdentityDocumentKind::ALL
            .into_iter()
            .find(|k| k.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            IdentityDocumentKind::ResidentIdCard => "居民身份证",
            IdentityDocumentKind::Passport => "护照",
            IdentityDocumentKind::HongKongMacaoPermit => "往来港澳通行证／港澳居民来往内地通行证",
            IdentityDocumentKind::TaiwanPermit => "台湾居民来往大陆通行证／大陆居民往来台湾通行证",
            IdentityDocumentKind::ForeignPermanentResidentId => "外国人永久居留身份证",
            IdentityDocumentKind::UnifiedSocialCreditCode => "统一社会信用代码",
            IdentityDocumentKind::Other => "其他有效身份证明",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            IdentityDocumentKind::ResidentIdCard => "Resident identity card",
            IdentityDocumentKind::Passport => "Passport",
            IdentityDocumentKind::HongKongMacaoPermit => "Hong Kong / Macao travel permit",
            IdentityDocumentKind::TaiwanPermit => "Taiwan travel permit",
            IdentityDocumentKind::ForeignPermanentResidentId => {
                "Foreign permanent resident ID card"
            }
            IdentityDocumentKind::UnifiedSocialCreditCode => "Unified social credit code",
            IdentityDocumentKind::Other => "Other identity document",
        }
    }

    /// Whether the document identifies a natural person. Only the unified social credit code
    /// identifies an organisation.
    pub fn is_personal(self) -> bool {
        self != IdentityDocumentKind::UnifiedSocialCreditCode
    }
}

/// Parses a document number of the given kind and returns it normalised (upper case, ASCII,
/// no spaces), or a stable problem code. `today` bounds the birth dates that some numbers
/// carry.
///
/// Codes: `required` for every kind; `resident_id_*` (see [`ResidentId::parse`]);
/// `passport_format`; `hk_macao_permit_format`; `taiwan_permit_format`;
/// `foreign_permanent_resident_id_format`, `…_birth_date`, `…_check_digit`; `uscc_length`,
/// `uscc_characters`, `uscc_check_character`; `too_long` and `invalid_characters` (other
/// documents).
pub fn parse_identity_document(
    kind: IdentityDocumentKind,
    number: &str,
    today: Date,
) -> Result<String, &'static str> {
    let normalised = normalise_document_number(number);
    if normalised.is_empty() {
        return Err("required");
    }
    match kind {
        IdentityDocumentKind::ResidentIdCard => {
            ResidentId::parse(&normalised, today).map(|id| id.number)
        }
        IdentityDocumentKind::Passport => parse_passport(normalised),
        IdentityDocumentKind::HongKongMacaoPermit => parse_hong_kong_macao_permit(normalised),
        IdentityDocumentKind::TaiwanPermit => parse_taiwan_permit(normalised),
        IdentityDocumentKind::ForeignPermanentResidentId => {
            parse_foreign_permanent_resident_id(normalised, today)
        }
        IdentityDocumentKind::UnifiedSocialCreditCode => {
            parse_unified_social_credit_code(&normalised)
        }
        IdentityDocumentKind::Other => parse_other_document(normalised),
    }
}

/// A little pattern language for document shapes: `#` a digit, `@` a capital letter, `?`
/// either, and any other byte itself.
fn matches_shape(number: &str, shape: &str) -> bool {
    number.len() == shape.len()
        && number.bytes().zip(shape.bytes()).all(|(b, s)| match s {
            b'#' => b.is_ascii_digit(),
            b'@' => b.is_ascii_uppercase(),
            b'?' => b.is_ascii_digit() || b.is_ascii_uppercase(),
            _ => b == s,
        })
}

fn matches_any_shape(number: &str, shapes: &[&str]) -> bool {
    shapes.iter().any(|shape| matches_shape(number, shape))
}

/// Passports, Chinese and foreign: the ICAO Doc 9303 document number uses only capital letters
/// and digits. Chinese ordinary passports read `E` + 8 digits or `E` + a letter + 7 digits
/// (older ones `G` + 8 digits); foreign ones vary, so only the character set and a length of
/// 5–20 with at least one digit are checked. (UNVERIFIED: public descriptions only.)
fn parse_passport(number: String) -> Result<String, &'static str> {
    let n_chars = number.len();
    let valid = number
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        && (PASSPORT_NUMBER_LENGTH_MIN_CHARS..=PASSPORT_NUMBER_LENGTH_MAX_CHARS).contains(&n_chars)
        && number.bytes().any(|b| b.is_ascii_digit());
    if valid {
        Ok(number)
    } else {
        Err("passport_format")
    }
}

/// 往来港澳通行证 (issued to mainland residents): the electronic card since 2014 reads `C` + 8
/// digits, later `C` + a letter + 7 digits; the older booklet `W` + 8 digits.
/// 港澳居民来往内地通行证: `H` (Hong Kong) or `M` (Macao) + 8 digits; older booklets add a
/// two-digit issue count. (UNVERIFIED: public descriptions only.)
fn parse_hong_kong_macao_permit(number: String) -> Result<String, &'static str> {
    const SHAPES: [&str; 7] = [
        "C########",
        "C@#######",
        "W########",
        "H########",
        "M########",
        "H##########",
        "M##########",
    ];
    if matches_any_shape(&number, &SHAPES) {
        Ok(number)
    } else {
        Err("hk_macao_permit_format")
    }
}

/// 台湾居民来往大陆通行证: 8 digits on the card issued since 2015, 10 digits on older booklets.
/// 大陆居民往来台湾通行证: `L` + 8 digits on the electronic card. (UNVERIFIED: public
/// descriptions only.)
fn parse_taiwan_permit(number: String) -> Result<String, &'static str> {
    const SHAPES: [&str; 3] = ["########", "##########", "L########"];
    if matches_any_shape(&number, &SHAPES) {
        Ok(number)
    } else {
        Err("taiwan_permit_format")
    }
}

/// 外国人永久居留身份证. The 2023 edition (issued from 2023-12-01) has 18 digits: `9`, the
/// two-digit province code of the accepting authority, a three-digit nationality code, the
/// birth date `YYYYMMDD`, a three-digit sequence and an ISO 7064 MOD 11-2 check character as in
/// GB 11643. The 2004 and 2017 editions have 15 characters: a three-letter nationality code
/// (ISO 3166-1 alpha-3) and 12 digits; only their shape is checked. (UNVERIFIED: public
/// descriptions by the National Immigration Administration, not the numbering rule itself.)
fn parse_foreign_permanent_resident_id(
    number: String,
    today: Date,
) -> Result<String, &'static str> {
    if matches_shape(&number, "@@@############") {
        return Ok(number);
    }
    let shape_2023 = matches_shape(&number, "9################?")
        && matches!(number.as_bytes()[17], b'0'..=b'9' | b'X');
    if !shape_2023 {
        return Err("foreign_permanent_resident_id_format");
    }
    let bytes = number.as_bytes();
    let province = two_digits(&bytes[1..3]);
    if !is_province_code(province) || province == 71 {
        return Err("foreign_permanent_resident_id_format");
    }
    if parse_birth_date(&bytes[6..14], today).is_none() {
        return Err("foreign_permanent_resident_id_birth_date");
    }
    if mod_11_2_check_character(&bytes[..17]) != bytes[17] {
        return Err("foreign_permanent_resident_id_check_digit");
    }
    Ok(number)
}

/// Other documents have no rule we could check, so only a length bound and the absence of
/// control characters are required.
fn parse_other_document(number: String) -> Result<String, &'static str> {
    if number.chars().count() > IDENTITY_NUMBER_LENGTH_MAX_CHARS {
        Err("too_long")
    } else if number.chars().any(char::is_control) {
        Err("invalid_characters")
    } else {
        Ok(number)
    }
}

/// An identity document that has been parsed: its kind and its normalised number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdentityDocument {
    pub kind: IdentityDocumentKind,
    // Invariant: the number passed `parse_identity_document` for `kind`.
    number: String,
}

impl IdentityDocument {
    /// Parses a number of the given kind; see [`parse_identity_document`] for the codes.
    pub fn parse(
        kind: IdentityDocumentKind,
        number: &str,
        today: Date,
    ) -> Result<IdentityDocument, &'static str> {
        parse_identity_document(kind, number, today).map(|number| IdentityDocument { kind, number })
    }

    /// The full normalised number, as it must be stored.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The number as shown on screens and in letters. A resident identity number shows its
    /// first three and last four characters; other personal documents show about a quarter
    /// of their characters at each end (at most three and four). A unified social credit code
    /// is public (it is printed on the business licence) and is shown in full.
    pub fn masked(&self) -> String {
        if self.kind == IdentityDocumentKind::UnifiedSocialCreditCode {
            return self.number.clone();
        }
        let quarter = self.number.chars().count() / 4;
        mask(&self.number, quarter.min(3), quarter.min(4))
    }
}

impl fmt::Debug for IdentityDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityDocument({:?}, {})", self.kind, self.masked())
    }
}
