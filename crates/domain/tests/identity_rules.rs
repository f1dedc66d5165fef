//! Data-driven tests of identity documents: the resident identity number of GB 11643-1999 in
//! full (every code, every boundary of the birth date), the shapes of the other documents, and
//! properties checked against an independent implementation of ISO 7064 MOD 11-2. The valid
//! numbers were computed with a separate script, not with the code under test.

use gongkai_domain::identity::{
    IdentityDocument, IdentityDocumentKind, ResidentId, normalise_document_number,
    parse_identity_document,
};
use proptest::prelude::*;
use time::{Date, Month};

fn today() -> Date {
    Date::from_calendar_date(2025, Month::June, 15).expect("valid")
}

fn date(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).expect("valid")
}

#[test]
fn valid_resident_ids() {
    use Month::*;
    // (input, normalised number, birth date, male, masked)
    let cases: &[(&str, &str, Date, bool, &str)] = &[
        // The example of GB 11643-1999 itself.
        (
            "11010519491231002X",
            "11010519491231002X",
            date(1949, December, 31),
            false,
            "110***********002X",
        ),
        (
            "11010519491231002x",
            "11010519491231002X",
            date(1949, December, 31),
            false,
            "110***********002X",
        ),
        (
            " 110105 19491231 002X ",
            "11010519491231002X",
            date(1949, December, 31),
            false,
            "110***********002X",
        ),
        (
            "１１０１０５１９４９１２３１００２Ｘ",
            "11010519491231002X",
            date(1949, December, 31),
            false,
            "110***********002X",
        ),
        (
            "310104198805124319",
            "310104198805124319",
            date(1988, May, 12),
            true,
            "310***********4319",
        ),
        (
            "51010719900101123X",
            "51010719900101123X",
            date(1990, January, 1),
            true,
            "510***********123X",
        ),
        (
            "650102197507074510",
            "650102197507074510",
            date(1975, July, 7),
            true,
            "650***********4510",
        ),
        // A leap day.
        (
            "440306200002290033",
            "440306200002290033",
            date(2000, February, 29),
            true,
            "440***********0033",
        ),
        // Born today, and born on the first day accepted.
        (
            "110105202506150013",
            "110105202506150013",
            date(2025, June, 15),
            true,
            "110***********0013",
        ),
        (
            "11010519000101001X",
            "11010519000101001X",
            date(1900, January, 1),
            true,
            "110***********001X",
        ),
        // Residence permits of Hong Kong and Taiwan residents follow GB 11643.
        (
            "810000199408230021",
            "810000199408230021",
            date(1994, August, 23),
            false,
            "810***********0021",
        ),
        (
            "830000198001010026",
            "830000198001010026",
            date(1980, January, 1),
            false,
            "830***********0026",
        ),
        // 71 (Taiwan) is a GB/T 2260 province code.
        (
            "710000198001010010",
            "710000198001010010",
            date(1980, January, 1),
            true,
            "710***********0010",
        ),
    ];
    for &(input, number, birth_date, male, masked) in cases {
        let id = ResidentId::parse(input, today())
            .unwrap_or_else(|code| panic!("{input:?} should parse, got {code}"));
        assert_eq!(id.as_str(), number, "{input:?}");
        assert_eq!(id.birth_date(), birth_date, "{input:?}");
        assert_eq!(id.is_male(), male, "{input:?}");
        assert_eq!(id.masked(), masked, "{input:?}");
        assert_eq!(id.region_code(), &number[..6], "{input:?}");
    }
}

#[test]
fn invalid_resident_ids() {
    let cases: &[(&str, &str)] = &[
        ("", "required"),
        ("   ", "required"),
        ("11010519491231002", "resident_id_length"),
        ("1101051949123100211", "resident_id_length"),
        // A first-generation 15-digit number: those cards ceased to be valid in 2013.
        ("110105491231002", "resident_id_length"),
        ("11010519491231002Y", "resident_id_characters"),
        ("1101051949123100X2", "resident_id_characters"),
        ("11010519491231002中", "resident_id_characters"),
        ("11O10519491231002X", "resident_id_characters"),
        // 90 and 92 are no province; codes starting with 9 belong to foreigners' cards.
        ("901100198001010012", "resident_id_region"),
        ("924400199001010028", "resident_id_region"),
        ("100105194912310021", "resident_id_region"),
        ("000000194912310021", "resident_id_region"),
        // Before 1900 (the GB 11643 example of a person born in 1880), after today, impossible.
        ("110105189912310015", "resident_id_birth_date"),
        ("440524188001010014", "resident_id_birth_date"),
        ("110105202506160019", "resident_id_birth_date"),
        ("110105199002300010", "resident_id_birth_date"),
        ("110105199013010010", "resident_id_birth_date"),
        ("110105199000100010", "resident_id_birth_date"),
        ("110105199001000010", "resident_id_birth_date"),
        ("110105190002290010", "resident_id_birth_date"),
        ("110105194912310021", "resident_id_check_digit"),
        ("310104198805124318", "resident_id_check_digit"),
        ("11010519491231002 1", "resident_id_check_digit"),
    ];
    for &(input, code) in cases {
        assert_eq!(
            ResidentId::parse(input, today()).map(|id| id.as_str().to_string()),
            Err(code),
            "{input:?}"
        );
    }
}

#[test]
fn debug_never_shows_the_full_number() {
    let id = ResidentId::parse("11010519491231002X", today()).expect("valid");
    let debug = format!("{id:?}");
    assert!(!debug.contains("11010519491231002X"), "{debug}");
    assert!(debug.contains("110***********002X"), "{debug}");
    let document =
        IdentityDocument::parse(IdentityDocumentKind::Passport, "E12345678", today()).expect("ok");
    let debug = format!("{document:?}");
    assert!(!debug.contains("E12345678"), "{debug}");
}

#[test]
fn documents_by_kind() {
    use IdentityDocumentKind::*;
    let cases: &[(IdentityDocumentKind, &str, Result<&str, &str>)] = &[
        (
            ResidentIdCard,
            "11010519491231002x",
            Ok("11010519491231002X"),
        ),
        (
            ResidentIdCard,
            "11010519491231002",
            Err("resident_id_length"),
        ),
        (ResidentIdCard, "", Err("required")),
        // Passports: Chinese ordinary passports and foreign ones.
        (Passport, "E12345678", Ok("E12345678")),
        (Passport, "e 1234 5678", Ok("E12345678")),
        (Passport, "EA1234567", Ok("EA1234567")),
        (Passport, "G12345678", Ok("G12345678")),
        (Passport, "C01X00T47", Ok("C01X00T47")),
        (Passport, "X1234", Ok("X1234")),
        (Passport, "E123", Err("passport_format")),
        (Passport, "ABCDEFGH", Err("passport_format")),
        (Passport, "E1234-5678", Err("passport_format")),
        (Passport, "E123456789012345678901", Err("passport_format")),
        (Passport, "  ", Err("required")),
        // Hong Kong and Macao permits, both directions.
        (HongKongMacaoPermit, "C12345678", Ok("C12345678")),
        (HongKongMacaoPermit, "CA1234567", Ok("CA1234567")),
        (HongKongMacaoPermit, "c 1234 5678", Ok("C12345678")),
        (HongKongMacaoPermit, "W12345678", Ok("W12345678")),
        (HongKongMacaoPermit, "H12345678", Ok("H12345678")),
        (HongKongMacaoPermit, "M12345678", Ok("M12345678")),
        (HongKongMacaoPermit, "H1234567801", Ok("H1234567801")),
        (
            HongKongMacaoPermit,
            "C1234567",
            Err("hk_macao_permit_format"),
        ),
        (
            HongKongMacaoPermit,
            "K12345678",
            Err("hk_macao_permit_format"),
        ),
        (
            HongKongMacaoPermit,
            "H123456789",
            Err("hk_macao_permit_format"),
        ),
        (
            HongKongMacaoPermit,
            "HA1234567",
            Err("hk_macao_permit_format"),
        ),
        // Taiwan permits, both directions.
        (TaiwanPermit, "12345678", Ok("12345678")),
        (TaiwanPermit, "1234567890", Ok("1234567890")),
        (TaiwanPermit, "L12345678", Ok("L12345678")),
        (TaiwanPermit, "１２３４５６７８", Ok("12345678")),
        (TaiwanPermit, "T12345678", Err("taiwan_permit_format")),
        (TaiwanPermit, "1234567", Err("taiwan_permit_format")),
        (TaiwanPermit, "123456789", Err("taiwan_permit_format")),
        // Foreign permanent resident ID: the 2023 edition (18 digits) and older ones.
        (
            ForeignPermanentResidentId,
            "911840198506150011",
            Ok("911840198506150011"),
        ),
        (
            ForeignPermanentResidentId,
            "911840198506150012",
            Err("foreign_permanent_resident_id_check_digit"),
        ),
        (
            ForeignPermanentResidentId,
            "917140198506150011",
            Err("foreign_permanent_resident_id_format"),
        ),
        (
            ForeignPermanentResidentId,
            "991840198506150011",
            Err("foreign_permanent_resident_id_format"),
        ),
        (
            ForeignPermanentResidentId,
            "911840203001010010",
            Err("foreign_permanent_resident_id_birth_date"),
        ),
        (
            ForeignPermanentResidentId,
            "usa123456789012",
            Ok("USA123456789012"),
        ),
        (
            ForeignPermanentResidentId,
            "US1234567890123",
            Err("foreign_permanent_resident_id_format"),
        ),
        (
            ForeignPermanentResidentId,
            "11010519491231002X",
            Err("foreign_permanent_resident_id_format"),
        ),
        // Organisations: the unified social credit code, reusing the GB 32100 parser.
        (
            UnifiedSocialCreditCode,
            "91110108MA01ABCD1E",
            Ok("91110108MA01ABCD1E"),
        ),
        (
            UnifiedSocialCreditCode,
            "91110108ma01abcd1e",
            Ok("91110108MA01ABCD1E"),
        ),
        (
            UnifiedSocialCreditCode,
            "9111 0108 MA01 ABCD 1E",
            Ok("91110108MA01ABCD1E"),
        ),
        (
            UnifiedSocialCreditCode,
            "91110108MA01ABCD1F",
            Err("uscc_check_character"),
        ),
        (
            UnifiedSocialCreditCode,
            "91110108MA01ABCD1",
            Err("uscc_length"),
        ),
        (
            UnifiedSocialCreditCode,
            "91110108MA01ABCDIE",
            Err("uscc_characters"),
        ),
        // Anything else: bounded and free of control characters.
        (Other, "军字第1234567号", Ok("军字第1234567号")),
        (Other, "社保卡 1234 5678", Ok("社保卡12345678")),
        (Other, "A\u{7}B", Err("invalid_characters")),
        (Other, "", Err("required")),
    ];
    for &(kind, input, expected) in cases {
        let parsed = parse_identity_document(kind, input, today());
        assert_eq!(
            parsed.as_deref().map_err(|code| *code),
            expected,
            "{kind:?} {input:?}"
        );
    }
    let forty_one = "1".repeat(41);
    assert_eq!(
        parse_identity_document(Other, &forty_one, today()),
        Err("too_long")
    );
    assert!(parse_identity_document(Other, &"1".repeat(40), today()).is_ok());
}

#[test]
fn masking_of_documents() {
    use IdentityDocumentKind::*;
    let cases: &[(IdentityDocumentKind, &str, &str)] = &[
        (ResidentIdCard, "11010519491231002X", "110***********002X"),
        (Passport, "E12345678", "E1*****78"),
        (HongKongMacaoPermit, "H1234567801", "H1*******01"),
        (TaiwanPermit, "12345678", "12****78"),
        (
            ForeignPermanentResidentId,
            "911840198506150011",
            "911***********0011",
        ),
        (Other, "ABC", "***"),
        // An organisation's code is public (printed on its business licence).
        (
            UnifiedSocialCreditCode,
            "91110108MA01ABCD1E",
            "91110108MA01ABCD1E",
        ),
    ];
    for &(kind, number, masked) in cases {
        let document = IdentityDocument::parse(kind, number, today()).expect("valid");
        assert_eq!(document.masked(), masked, "{kind:?}");
        assert_eq!(document.number(), number);
        assert_eq!(document.kind, kind);
    }
}

#[test]
fn kinds_round_trip_and_are_labelled() {
    for kind in IdentityDocumentKind::ALL {
        assert_eq!(IdentityDocumentKind::parse(kind.code()), Some(kind));
        assert!(!kind.label_zh().is_empty() && !kind.label_en().is_empty());
        assert_eq!(
            kind.is_personal(),
            kind != IdentityDocumentKind::UnifiedSocialCreditCode
        );
    }
    assert_eq!(IdentityDocumentKind::parse("id_card"), None);
    let codes: Vec<&str> = IdentityDocumentKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(
        codes,
        [
            "resident_id_card",
            "passport",
            "hk_macao_permit",
            "taiwan_permit",
            "foreign_permanent_resident_id",
            "unified_social_credit_code",
            "other"
        ]
    );
}

#[test]
fn normalisation() {
    assert_eq!(normalise_document_number(" e１２ ３４\u{3000}x "), "E1234X");
    assert_eq!(normalise_document_number(""), "");
}

/// An independent MOD 11-2: the check value is the one that makes Σ a(i)·2^(18−i) ≡ 1 mod 11
/// over all 18 positions (ISO 7064), with X standing for 10.
fn check_character(first_17: &str) -> char {
    let weighted: u32 = first_17
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * (1u32 << (17 - i)) % 11)
        .sum();
    let value = (0..11u32)
        .find(|v| (weighted + v) % 11 == 1)
        .expect("one value fits");
    if value == 10 {
        'X'
    } else {
        char::from_digit(value, 10).expect("digit")
    }
}

const PROVINCES: [u32; 32] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71,
];

fn any_valid_first_17() -> impl Strategy<Value = (String, Date)> {
    let first = date(1900, Month::January, 1);
    let n_days = (today() - first).whole_days();
    (
        prop::sample::select(PROVINCES.to_vec()),
        0u32..10_000,
        0..=n_days,
        0u32..1000,
    )
        .prop_map(move |(province, area, offset, sequence)| {
            let birth = first + time::Duration::days(offset);
            let text = format!(
                "{province:02}{area:04}{:04}{:02}{:02}{sequence:03}",
                birth.year(),
                u8::from(birth.month()),
                birth.day()
            );
            (text, birth)
        })
}

proptest! {
    #[test]
    fn every_well_formed_number_parses((first_17, birth) in any_valid_first_17()) {
        let number = format!("{first_17}{}", check_character(&first_17));
        let id = ResidentId::parse(&number, today()).expect("valid by construction");
        prop_assert_eq!(id.birth_date(), birth);
        prop_assert_eq!(id.as_str(), number.as_str());
        let sequence_digit = first_17.as_bytes()[16] - b'0';
        prop_assert_eq!(id.is_male(), sequence_digit % 2 == 1);
        prop_assert_eq!(id.masked().chars().count(), 18);
    }

    #[test]
    fn every_other_check_character_is_refused((first_17, _) in any_valid_first_17(), wrong in "[0-9X]") {
        let right = check_character(&first_17);
        prop_assume!(!wrong.starts_with(right));
        let number = format!("{first_17}{wrong}");
        prop_assert_eq!(ResidentId::parse(&number, today()), Err("resident_id_check_digit"));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,40}", kind in prop::sample::select(IdentityDocumentKind::ALL.to_vec())) {
        let _ = ResidentId::parse(&text, today());
        let _ = parse_identity_document(kind, &text, today());
    }

    #[test]
    fn digit_strings_never_panic(text in "[0-9Xx ]{0,24}") {
        let _ = ResidentId::parse(&text, today());
        let _ = parse_identity_document(IdentityDocumentKind::ForeignPermanentResidentId, &text, today());
    }
}
