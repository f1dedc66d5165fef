//! Agencies (行政机关) and their departments, many per installation.
//!
//! One installation serves a hierarchy of agencies by administrative level, 省 → 市 → 县 → 乡镇
//! (the seed's 省-市-县-乡四级联动). Each agency keeps the particulars its public guide must show
//! under Art. 12 of the regulation: the OGI office, its address, hours and contacts. Pure rules
//! only: which parent is allowed, what a valid organisation code and slug look like.

use crate::form::FormProblems;

/// The administrative level of an agency, from the top down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AdministrativeLevel {
    Province,
    City,
    County,
    Township,
}

impl AdministrativeLevel {
    pub const ALL: [AdministrativeLevel; 4] = [
        AdministrativeLevel::Province,
        AdministrativeLevel::City,
        AdministrativeLevel::County,
        AdministrativeLevel::Township,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AdministrativeLevel::Province => "province",
            AdministrativeLevel::City => "city",
            AdministrativeLevel::County => "county",
            AdministrativeLevel::Township => "township",
        }
    }

    pub fn parse(code: &str) -> Option<AdministrativeLevel> {
        AdministrativeLevel::ALL
            .into_iter()
            .find(|l| l.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AdministrativeLevel::Province => "省级",
            AdministrativeLevel::City => "市级",
            AdministrativeLevel::County => "县级",
            AdministrativeLevel::Township => "乡镇级",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AdministrativeLevel::Province => "Province",
            AdministrativeLevel::City => "City",
            AdministrativeLevel::County => "County",
            AdministrativeLevel::Township => "Township",
        }
    }

    /// Whether an agency of level `self` may sit directly below an agency of level `parent`.
    /// A level may be skipped (a county directly under a province exists: 省直管县), but an
    /// agency can never sit below one of its own level or a lower one.
    pub fn may_sit_below(self, parent: AdministrativeLevel) -> bool {
        self > parent
    }
}

/// The character set of the unified social credit code (GB 32100-2015): digits and capital
/// letters without I, O, Z, S and V.
const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// The weights of positions 1–17 (GB 32100-2015, 4.2), 3^(i-1) mod 31.
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Parses a unified social credit code (统一社会信用代码), checking its check character.
/// Lower-case letters are accepted and upper-cased.
pub fn parse_unified_social_credit_code(raw: &str) -> Result<String, &'static str> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err("required");
    }
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return Err("uscc_length");
    }
    let mut values = [0u32; 18];
    for (i, b) in bytes.iter().enumerate() {
        match USCC_ALPHABET.iter().position(|a| a == b) {
            Some(v) => values[i] = v as u32,
            None => return Err("uscc_characters"),
        }
    }
    let sum: u32 = values[..17]
        .iter()
        .zip(USCC_WEIGHTS.iter())
        .map(|(v, w)| v * w)
        .sum();
    let expected = (31 - sum % 31) % 31;
    if values[17] == expected {
        Ok(code)
    } else {
        Err("uscc_check_character")
    }
}

/// The longest slug accepted for an agency's entry page URL.
pub const SLUG_LENGTH_MAX_CHARS: usize = 48;
/// The longest name accepted for an agency or department.
pub const NAME_LENGTH_MAX_CHARS: usize = 100;
/// The longest free text accepted for duties, addresses and hours.
pub const TEXT_LENGTH_MAX_CHARS: usize = 2000;

/// A slug is the agency's short name in its entry page URL, e.g. `/a/demo-city`.
pub fn parse_slug(raw: &str) -> Result<String, &'static str> {
    let slug = raw.trim().to_ascii_lowercase();
    if slug.is_empty() {
        return Err("required");
    }
    if slug.len() > SLUG_LENGTH_MAX_CHARS {
        return Err("too_long");
    }
    let valid = slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if valid { Ok(slug) } else { Err("slug_invalid") }
}

/// What an agency form carries, before validation.
#[derive(Debug, Clone, Default)]
pub struct AgencyInput<'a> {
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub slug: &'a str,
    pub level: &'a str,
    pub org_code: &'a str,
    pub ogi_office_name: &'a str,
    pub ogi_office_phone: &'a str,
    pub ogi_office_email: &'a str,
    pub ogi_office_address: &'a str,
    pub ogi_office_hours: &'a str,
}

/// A validated agency's particulars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyParticulars {
    pub name_zh: String,
    pub name_en: String,
    pub slug: String,
    pub level: AdministrativeLevel,
    pub org_code: String,
    pub ogi_office_name: String,
    pub ogi_office_phone: String,
    pub ogi_office_email: String,
    pub ogi_office_address: String,
    pub ogi_office_hours: String,
}

fn check_text(
    problems: &mut FormProblems,
    field: &'static str,
    value: &str,
    required: bool,
    max_chars: usize,
) -> String {
    let v = value.trim();
    if v.is_empty() && required {
        problems.add(field, "required");
    } else if v.chars().count() > max_chars {
        problems.add(field, "too_long");
    } else if v
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        problems.add(field, "invalid_characters");
    }
    v.to_string()
}

/// Validates an agency form. `parent_level` is the level of the chosen parent agency, if any.
pub fn validate_agency(
    input: &AgencyInput<'_>,
    parent_level: Option<AdministrativeLevel>,
) -> Result<AgencyParticulars, FormProblems> {
    let mut problems = FormProblems::new();
    let name_zh = check_text(
        &mut problems,
        "name_zh",
        input.name_zh,
        true,
        NAME_LENGTH_MAX_CHARS,
    );
    let name_en = check_text(
        &mut problems,
        "name_en",
        input.name_en,
        false,
        NAME_LENGTH_MAX_CHARS,
    );
    let slug = parse_slug(input.slug).unwrap_or_else(|code| {
        problems.add("slug", code);
        String::new()
    });
    let level = match AdministrativeLevel::parse(input.level.trim()) {
        Some(level) => {
            if let Some(parent) = parent_level
                && !level.may_sit_below(parent)
            {
                problems.add("level", "level_not_below_parent");
            }
            Some(level)
        }
        None => {
            problems.add(
                "level",
                if input.level.trim().is_empty() {
                    "required"
                } else {
                    "level_invalid"
                },
            );
            None
        }
    };
    let org_code = parse_unified_social_credit_code(input.org_code).unwrap_or_else(|code| {
        problems.add("org_code", code);
        String::new()
    });
    let ogi_office_name = check_text(
        &mut problems,
        "ogi_office_name",
        input.ogi_office_name,
        false,
        NAME_LENGTH_MAX_CHARS,
    );
    let ogi_office_phone = check_text(
        &mut problems,
        "ogi_office_phone",
        input.ogi_office_phone,
        false,
        40,
    );
    let ogi_office_email = if input.ogi_office_email.trim().is_empty() {
        String::new()
    } else {
        crate::account::parse_email(input.ogi_office_email).unwrap_or_else(|code| {
            problems.add("ogi_office_email", code);
            String::new()
        })
    };
    let ogi_office_address = check_text(
        &mut problems,
        "ogi_office_address",
        input.ogi_office_address,
        false,
        TEXT_LENGTH_MAX_CHARS,
    );
    let ogi_office_hours = check_text(
        &mut problems,
        "ogi_office_hours",
        input.ogi_office_hours,
        false,
        TEXT_LENGTH_MAX_CHARS,
    );
    match (problems.is_empty(), level) {
        (true, Some(level)) => Ok(AgencyParticulars {
            name_zh,
            name_en,
            slug,
            level,
            org_code,
            ogi_office_name,
            ogi_office_phone,
            ogi_office_email,
            ogi_office_address,
            ogi_office_hours,
        }),
        _ => Err(problems),
    }
}

/// A validated department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentParticulars {
    pub name_zh: String,
    pub name_en: String,
    pub duties: String,
}

pub fn validate_department(
    name_zh: &str,
    name_en: &str,
    duties: &str,
) -> Result<DepartmentParticulars, FormProblems> {
    let mut problems = FormProblems::new();
    let name_zh = check_text(
        &mut problems,
        "name_zh",
        name_zh,
        true,
        NAME_LENGTH_MAX_CHARS,
    );
    let name_en = check_text(
        &mut problems,
        "name_en",
        name_en,
        false,
        NAME_LENGTH_MAX_CHARS,
    );
    let duties = check_text(
        &mut problems,
        "duties",
        duties,
        false,
        TEXT_LENGTH_MAX_CHARS,
    );
    problems.into_result(|| DepartmentParticulars {
        name_zh,
        name_en,
        duties,
    })
}
