//! The application form (政府信息公开申请) of Art. 29 and the clerk's first reading of it
//! under Art. 30.
//!
//! Art. 29 ¶2 fixes what an application contains: (一) the applicant's name, identity proof and
//! contact details; (二) the name, 文号 or another feature that lets the agency find the
//! information; (三) the form in which the applicant wants it, including how and through which
//! channel it is delivered. The 2019 text asks for **no purpose**, so the purpose field here is
//! optional and informational only: it must never decide an application.
//!
//! `validate_application` checks what a machine can check and lists every problem at once
//! (`FormProblems`, stable codes). `precheck` then reads a valid application as a clerk would
//! on receipt and lists the substantive points of an Art. 30 correction notice, which must be
//! given **once** (一次性告知), so all of them go into one list. Some points are advisory only:
//! the law does not let the agency refuse on them, but a clerk would raise them at once.
//!
//! The module is pure: "today" arrives as an argument, and the heuristics are plain word lists
//! kept as data below so that an agency can read what triggers them.

use std::fmt;

use time::Date;

use crate::account::{parse_email, parse_mobile};
use crate::agency::parse_unified_social_credit_code;
use crate::form::FormProblems;
use crate::identity::{IdentityDocument, IdentityDocumentKind, full_width_to_ascii};

/// The longest applicant name (a person's or an organisation's full registered name).
pub const APPLICANT_NAME_LENGTH_MAX_CHARS: usize = 100;
/// The longest name of a legal representative or person in charge (法定代表人或者负责人).
pub const LEGAL_REPRESENTATIVE_LENGTH_MAX_CHARS: usize = 50;
/// The longest telephone number as typed, with separators and an extension.
pub const PHONE_LENGTH_MAX_CHARS: usize = 40;
/// The longest postal address.
pub const POSTAL_ADDRESS_LENGTH_MAX_CHARS: usize = 200;
/// Fewer characters than this cannot describe any government information.
pub const INFORMATION_DESCRIPTION_LENGTH_MIN_CHARS: usize = 5;
/// The longest description of the information sought.
pub const INFORMATION_DESCRIPTION_LENGTH_MAX_CHARS: usize = 4000;
/// The longest 文号 (e.g. `国办发〔2017〕47号`, or several of them).
pub const DOCUMENT_NUMBER_LENGTH_MAX_CHARS: usize = 100;
/// The longest statement of purpose. The purpose is optional (the 2019 text requires none).
pub const PURPOSE_LENGTH_MAX_CHARS: usize = 1000;

/// Who applies, exactly as the columns of the annual report's table 三 (国办公开办函〔2021〕30号)
/// count them: 自然人, and under 法人或其他组织 the five columns 商业企业, 科研机构, 社会公益组织,
/// 法律服务机构 and 其他. The string codes are stored; they must never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApplicantKind {
    NaturalPerson,
    CommercialEnterprise,
    ResearchInstitution,
    SocialWelfareOrganization,
    LegalServiceOrganization,
    Other,
}

impl ApplicantKind {
    /// In the order of the report's columns.
    pub const ALL: [ApplicantKind; 6] = [
        ApplicantKind::NaturalPerson,
        ApplicantKind::CommercialEnterprise,
        ApplicantKind::ResearchInstitution,
        ApplicantKind::SocialWelfareOrganization,
        ApplicantKind::LegalServiceOrganization,
        ApplicantKind::Other,
    ];

    /// The header above the five organisation columns of table 三.
    pub const REPORT_ORGANISATION_GROUP_LABEL: &'static str = "法人或其他组织";

    pub fn code(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "natural_person",
            ApplicantKind::CommercialEnterprise => "commercial_enterprise",
            ApplicantKind::ResearchInstitution => "research_institution",
            ApplicantKind::SocialWelfareOrganization => "social_welfare_organization",
            ApplicantKind::LegalServiceOrganization => "legal_service_organization",
            ApplicantKind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<ApplicantKind> {
        ApplicantKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The label on the application form. It is fuller than the report's column label,
    /// because a bare 「其他」 means nothing to an applicant.
    pub fn label_zh(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "自然人",
            ApplicantKind::CommercialEnterprise => "商业企业",
            ApplicantKind::ResearchInstitution => "科研机构",
            ApplicantKind::SocialWelfareOrganization => "社会公益组织",
            ApplicantKind::LegalServiceOrganization => "法律服务机构",
            ApplicantKind::Other => "其他法人或者其他组织",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "Natural person",
            ApplicantKind::CommercialEnterprise => "Commercial enterprise",
            ApplicantKind::ResearchInstitution => "Research institution",
            ApplicantKind::SocialWelfareOrganization => "Social welfare organisation",
            ApplicantKind::LegalServiceOrganization => "Legal service organisation",
            ApplicantKind::Other => "Other legal person or organisation",
        }
    }

    /// The exact column label of table 三 (ogi-rules.md §2.3, V-secondary).
    pub fn report_column_label(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "自然人",
            ApplicantKind::CommercialEnterprise => "商业企业",
            ApplicantKind::ResearchInstitution => "科研机构",
            ApplicantKind::SocialWelfareOrganization => "社会公益组织",
            ApplicantKind::LegalServiceOrganization => "法律服务机构",
            ApplicantKind::Other => "其他",
        }
    }

    /// The group header above the column: none for 自然人, 「法人或其他组织」 for the rest.
    pub fn report_column_group_label(self) -> Option<&'static str> {
        (!self.is_natural_person()).then_some(Self::REPORT_ORGANISATION_GROUP_LABEL)
    }

    pub fn is_natural_person(self) -> bool {
        self == ApplicantKind::NaturalPerson
    }
}

/// The form in which the information is wanted (Art. 29 ¶2(三); Art. 40 lets the agency
/// choose another suitable form when the requested one is impossible or too costly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InformationForm {
    /// 纸质文本.
    Paper,
    /// 电子数据 (files sent or downloaded, or on a data carrier).
    Electronic,
    /// 当场查阅、抄录 (Art. 40): the applicant reads and copies at the agency.
    InspectionAndTranscription,
}

impl InformationForm {
    pub const ALL: [InformationForm; 3] = [
        InformationForm::Paper,
        InformationForm::Electronic,
        InformationForm::InspectionAndTranscription,
    ];

    pub fn code(self) -> &'static str {
        match self {
            InformationForm::Paper => "paper",
            InformationForm::Electronic => "electronic",
            InformationForm::InspectionAndTranscription => "inspection",
        }
    }

    pub fn parse(code: &str) -> Option<InformationForm> {
        InformationForm::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            InformationForm::Paper => "纸质文本",
            InformationForm::Electronic => "电子数据",
            InformationForm::InspectionAndTranscription => "当场查阅、抄录",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            InformationForm::Paper => "Paper copy",
            InformationForm::Electronic => "Electronic data",
            InformationForm::InspectionAndTranscription => "Inspect and copy on site",
        }
    }
}

/// How the information reaches the applicant (Art. 29 ¶2(三): 获取信息的方式、途径).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryMethod {
    /// 在线获取: downloaded from this platform by the signed-in applicant.
    PortalDownload,
    /// 电子邮件.
    Email,
    /// 邮寄.
    Post,
    /// 当面领取 (or, for inspection, coming to the agency).
    CollectInPerson,
    /// 传真.
    Fax,
}

impl DeliveryMethod {
    pub const ALL: [DeliveryMethod; 5] = [
        DeliveryMethod::PortalDownload,
        DeliveryMethod::Email,
        DeliveryMethod::Post,
        DeliveryMethod::CollectInPerson,
        DeliveryMethod::Fax,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeliveryMethod::PortalDownload => "portal_download",
            DeliveryMethod::Email => "email",
            DeliveryMethod::Post => "post",
            DeliveryMethod::CollectInPerson => "collect_in_person",
            DeliveryMethod::Fax => "fax",
        }
    }

    pub fn parse(code: &str) -> Option<DeliveryMethod> {
        DeliveryMethod::ALL.into_iter().find(|d| d.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DeliveryMethod::PortalDownload => "网上获取",
            DeliveryMethod::Email => "电子邮件",
            DeliveryMethod::Post => "邮寄",
            DeliveryMethod::CollectInPerson => "当面领取",
            DeliveryMethod::Fax => "传真",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DeliveryMethod::PortalDownload => "Download from this site",
            DeliveryMethod::Email => "E-mail",
            DeliveryMethod::Post => "Post",
            DeliveryMethod::CollectInPerson => "Collect in person",
            DeliveryMethod::Fax => "Fax",
        }
    }

    /// Whether information in `form` can travel this way. Paper cannot be downloaded or
    /// e-mailed (that would make it electronic); electronic data cannot be faxed (that would
    /// make it paper); inspection on site needs the applicant to come.
    pub fn suits(self, form: InformationForm) -> bool {
        match form {
            InformationForm::Paper => matches!(
                self,
                DeliveryMethod::Post | DeliveryMethod::CollectInPerson | DeliveryMethod::Fax
            ),
            InformationForm::Electronic => self != DeliveryMethod::Fax,
            InformationForm::InspectionAndTranscription => self == DeliveryMethod::CollectInPerson,
        }
    }
}

/// What an application form carries, exactly as submitted. Field names are the form's and
/// the API's, and the `field` of every reported problem.
#[derive(Clone, Default)]
pub struct ApplicationInput<'a> {
    pub applicant_kind: &'a str,
    pub name: &'a str,
    /// A code of [`IdentityDocumentKind`]. For an organisation it is optional and describes
    /// the person acting for it.
    pub identity_kind: &'a str,
    pub identity_number: &'a str,
    /// The unified social credit code (GB 32100) of a legal person or other organisation.
    pub organisation_code: &'a str,
    /// 法定代表人或者负责人 (or the organisation's contact person), for organisations.
    pub legal_representative: &'a str,
    pub contact_phone: &'a str,
    pub contact_email: &'a str,
    pub postal_address: &'a str,
    pub information_description: &'a str,
    /// 文号, optional.
    pub document_number: &'a str,
    /// Optional and informational only; see the module comment.
    pub purpose: &'a str,
    /// A code of [`InformationForm`].
    pub form_preference: &'a str,
    /// A code of [`DeliveryMethod`].
    pub delivery_preference: &'a str,
}

/// The input may carry an identity number; `Debug` shows its length only.
impl fmt::Debug for ApplicationInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplicationInput")
            .field("applicant_kind", &self.applicant_kind)
            .field("name", &self.name)
            .field("identity_kind", &self.identity_kind)
            .field(
                "identity_number",
                &format_args!("<{} chars>", self.identity_number.chars().count()),
            )
            .field("organisation_code", &self.organisation_code)
            .field("form_preference", &self.form_preference)
            .field("delivery_preference", &self.delivery_preference)
            .finish_non_exhaustive()
    }
}

/// A telephone number, normalised: a mainland mobile number as 11 digits, a landline as
/// `区号-号码` with an optional `-分机`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PhoneNumber {
    Mobile(String),
    Landline(String),
}

impl PhoneNumber {
    pub fn as_str(&self) -> &str {
        match self {
            PhoneNumber::Mobile(s) | PhoneNumber::Landline(s) => s,
        }
    }
}

/// How to reach the applicant. Invariant: at least one of the three is present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub phone: Option<PhoneNumber>,
    pub email: Option<String>,
    pub postal_address: Option<String>,
}

/// A legal person or other organisation that applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationApplicant {
    /// Invariant: never [`ApplicantKind::NaturalPerson`].
    pub kind: ApplicantKind,
    pub name: String,
    /// The unified social credit code, checked (GB 32100-2015).
    pub organisation_code: String,
    pub legal_representative: String,
    /// The personal document of whoever acts for the organisation, if one was given.
    pub representative_identity: Option<IdentityDocument>,
}

/// Who applies, with the identity proof that Art. 29 ¶2(一) requires for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicant {
    NaturalPerson {
        name: String,
        /// Invariant: a personal document (never a unified social credit code).
        identity: IdentityDocument,
    },
    Organisation(OrganisationApplicant),
}

impl Applicant {
    pub fn kind(&self) -> ApplicantKind {
        match self {
            Applicant::NaturalPerson { .. } => ApplicantKind::NaturalPerson,
            Applicant::Organisation(organisation) => organisation.kind,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Applicant::NaturalPerson { name, .. } => name,
            Applicant::Organisation(organisation) => &organisation.name,
        }
    }
}

/// An application that satisfies Art. 29 as far as a machine can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedApplication {
    pub applicant: Applicant,
    pub contact: Contact,
    pub information_description: String,
    pub document_number: Option<String>,
    /// Informational only: never a ground for any decision (Arts. 27–29 require no purpose).
    pub purpose: Option<String>,
    pub form_preference: InformationForm,
    pub delivery_preference: DeliveryMethod,
}

/// Checks a free-text field and returns it trimmed. Multi-line fields may contain line
/// breaks and tabs; no field may contain other control characters.
fn check_text(
    problems: &mut FormProblems,
    field: &'static str,
    value: &str,
    required: bool,
    max_chars: usize,
) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        if required {
            problems.add(field, "required");
        }
        return None;
    }
    if v.chars().count() > max_chars {
        problems.add(field, "too_long");
    } else if v
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        problems.add(field, "invalid_characters");
    }
    Some(v.to_string())
}

/// Parses a choice from a fixed list: `required` when blank, `<field>_invalid` when unknown.
fn check_choice<T>(
    problems: &mut FormProblems,
    field: &'static str,
    invalid_code: &'static str,
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Option<T> {
    let v = value.trim();
    if v.is_empty() {
        problems.add(field, "required");
        return None;
    }
    let parsed = parse(v);
    if parsed.is_none() {
        problems.add(field, invalid_code);
    }
    parsed
}

/// Parses a mainland telephone number: a mobile number (see [`parse_mobile`]) or a landline
/// with its area code, written `010-12345678`, `(0755)12345678`, `0755 1234 5678`,
/// `+86 10 12345678` or without separators, optionally followed by an extension
/// (`-123`, `转123`, `ext 123`). Area codes 010 and 02x have three digits, all others four;
/// local numbers have seven or eight digits and never start with 0 or 1. A number without an
/// area code is refused, because the agency may sit in another city.
pub fn parse_phone(raw: &str) -> Result<PhoneNumber, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("required");
    }
    if trimmed.chars().count() > PHONE_LENGTH_MAX_CHARS {
        return Err("too_long");
    }
    if let Ok(mobile) = parse_mobile(trimmed) {
        return Ok(PhoneNumber::Mobile(mobile));
    }
    parse_landline(trimmed)
        .map(PhoneNumber::Landline)
        .ok_or("phone_invalid")
}

fn parse_landline(raw: &str) -> Option<String> {
    let ascii: String = raw
        .chars()
        .map(full_width_to_ascii)
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
        .replace('转', "x")
        .replace("ext.", "x")
        .replace("ext", "x")
        .replace('#', "x");
    let (main, extension) = match ascii.split_once('x') {
        Some((main, extension)) => (main.to_string(), Some(extension.to_string())),
        None => (ascii, None),
    };
    let (international, main) = match main
        .strip_prefix("+86")
        .or_else(|| main.strip_prefix("0086"))
    {
        Some(rest) => (true, rest.trim_start_matches('-').to_string()),
        None => (false, main),
    };
    // Parentheses around the area code become a separator: (010)12345678 → 010-12345678.
    let main = main.replace('(', "").replace(')', "-");
    let mut groups: Vec<&str> = main.split('-').filter(|g| !g.is_empty()).collect();
    if groups
        .iter()
        .any(|g| !g.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let extension = match (extension, groups.len()) {
        (Some(extension), 1 | 2) => Some(extension),
        (None, 3) => groups.pop().map(str::to_string),
        (None, 1 | 2) => None,
        _ => return None,
    };
    let mut digits = groups.concat();
    // Dialled from abroad, the area code loses its leading 0: +86 10 … is 010 ….
    let trunk_prefix_added = international && !digits.starts_with('0');
    if trunk_prefix_added {
        digits.insert(0, '0');
    }
    let area_length = if digits.starts_with("010") || digits.starts_with("02") {
        3
    } else if digits.starts_with('0') && digits.len() > 1 && digits.as_bytes()[1] >= b'3' {
        4
    } else {
        return None;
    };
    // When the area code was written as its own group, it must be exactly the area code.
    if groups.len() == 2 && groups[0].len() + usize::from(trunk_prefix_added) != area_length {
        return None;
    }
    let (area, local) = digits.split_at(area_length);
    let local_ok = (7..=8).contains(&local.len()) && !local.starts_with(['0', '1']);
    let extension_ok = extension
        .as_deref()
        .is_none_or(|e| (1..=6).contains(&e.len()) && e.bytes().all(|b| b.is_ascii_digit()));
    if !local_ok || !extension_ok {
        return None;
    }
    Some(match extension {
        Some(extension) => format!("{area}-{local}-{extension}"),
        None => format!("{area}-{local}"),
    })
}

/// Parses an identity document pair. Reports on `identity_kind` or `identity_number`.
fn check_identity(
    problems: &mut FormProblems,
    kind_text: &str,
    number_text: &str,
    required: bool,
    today: Date,
) -> Option<IdentityDocument> {
    let kind_blank = kind_text.trim().is_empty();
    let number_blank = number_text.trim().is_empty();
    if !required && kind_blank && number_blank {
        return None;
    }
    let kind = check_choice(
        problems,
        "identity_kind",
        "identity_kind_invalid",
        kind_text,
        IdentityDocumentKind::parse,
    );
    match kind {
        Some(kind) if !kind.is_personal() => {
            problems.add("identity_kind", "identity_kind_not_personal");
            None
        }
        Some(kind) => match IdentityDocument::parse(kind, number_text, today) {
            Ok(document) => Some(document),
            Err(code) => {
                problems.add("identity_number", code);
                None
            }
        },
        None => {
            if number_blank {
                problems.add("identity_number", "required");
            }
            None
        }
    }
}

/// Validates an application and reports every problem at once. `today` bounds the birth
/// dates carried by identity numbers.
///
/// Codes besides the identity and USCC codes: `required`, `too_long`, `too_short`,
/// `invalid_characters`, `applicant_kind_invalid`, `identity_kind_invalid`,
/// `identity_kind_not_personal`, `phone_invalid`, `email_invalid`, `email_too_long`,
/// `contact_required` (on `contact_phone`, when no contact at all is given),
/// `form_preference_invalid`, `delivery_preference_invalid`,
/// `delivery_incompatible_with_form`, `required_for_email_delivery` (on `contact_email`),
/// `required_for_postal_delivery` (on `postal_address`), `required_for_fax_delivery` and
/// `landline_required_for_fax_delivery` (on `contact_phone`).
pub fn validate_application(
    input: &ApplicationInput<'_>,
    today: Date,
) -> Result<ValidatedApplication, FormProblems> {
    let mut problems = FormProblems::new();
    let kind = check_choice(
        &mut problems,
        "applicant_kind",
        "applicant_kind_invalid",
        input.applicant_kind,
        ApplicantKind::parse,
    );
    let name = check_text(
        &mut problems,
        "name",
        input.name,
        true,
        APPLICANT_NAME_LENGTH_MAX_CHARS,
    );
    let is_natural_person = kind.is_some_and(ApplicantKind::is_natural_person);
    let identity = check_identity(
        &mut problems,
        input.identity_kind,
        input.identity_number,
        is_natural_person,
        today,
    );
    // An organisation's own identity proof is its unified social credit code; a person's
    // application ignores the organisation fields, which the form hides for them.
    let is_organisation = kind.is_some_and(|k| !k.is_natural_person());
    let organisation_code = if is_organisation {
        parse_unified_social_credit_code(input.organisation_code)
            .map_err(|code| problems.add("organisation_code", code))
            .ok()
    } else {
        None
    };
    let legal_representative = check_text(
        &mut problems,
        "legal_representative",
        if is_organisation {
            input.legal_representative
        } else {
            ""
        },
        is_organisation,
        LEGAL_REPRESENTATIVE_LENGTH_MAX_CHARS,
    );

    let contact = check_contact(&mut problems, input);
    let information_description = check_text(
        &mut problems,
        "information_description",
        input.information_description,
        true,
        INFORMATION_DESCRIPTION_LENGTH_MAX_CHARS,
    );
    let description_too_short = information_description
        .as_deref()
        .is_some_and(|d| d.chars().count() < INFORMATION_DESCRIPTION_LENGTH_MIN_CHARS);
    if description_too_short && !problems.has_field("information_description") {
        problems.add("information_description", "too_short");
    }
    let document_number = check_text(
        &mut problems,
        "document_number",
        input.document_number,
        false,
        DOCUMENT_NUMBER_LENGTH_MAX_CHARS,
    );
    let purpose = check_text(
        &mut problems,
        "purpose",
        input.purpose,
        false,
        PURPOSE_LENGTH_MAX_CHARS,
    );
    let form_preference = check_choice(
        &mut problems,
        "form_preference",
        "form_preference_invalid",
        input.form_preference,
        InformationForm::parse,
    );
    let delivery_preference = check_choice(
        &mut problems,
        "delivery_preference",
        "delivery_preference_invalid",
        input.delivery_preference,
        DeliveryMethod::parse,
    );
    if let Some(delivery) = delivery_preference {
        check_delivery(&mut problems, input, delivery, form_preference, &contact);
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    let (
        Some(kind),
        Some(name),
        Some(information_description),
        Some(form_preference),
        Some(delivery_preference),
    ) = (
        kind,
        name,
        information_description,
        form_preference,
        delivery_preference,
    )
    else {
        return Err(problems);
    };
    let applicant = if kind.is_natural_person() {
        let Some(identity) = identity else {
            return Err(problems);
        };
        Applicant::NaturalPerson { name, identity }
    } else {
        let (Some(organisation_code), Some(legal_representative)) =
            (organisation_code, legal_representative)
        else {
            return Err(problems);
        };
        Applicant::Organisation(OrganisationApplicant {
            kind,
            name,
            organisation_code,
            legal_representative,
            representative_identity: identity,
        })
    };
    Ok(ValidatedApplication {
        applicant,
        contact,
        information_description,
        document_number,
        purpose,
        form_preference,
        delivery_preference,
    })
}

fn check_contact(problems: &mut FormProblems, input: &ApplicationInput<'_>) -> Contact {
    let phone = if input.contact_phone.trim().is_empty() {
        None
    } else {
        parse_phone(input.contact_phone)
            .map_err(|code| problems.add("contact_phone", code))
            .ok()
    };
    let email = if input.contact_email.trim().is_empty() {
        None
    } else {
        parse_email(input.contact_email)
            .map_err(|code| problems.add("contact_email", code))
            .ok()
    };
    let postal_address = check_text(
        problems,
        "postal_address",
        input.postal_address,
        false,
        POSTAL_ADDRESS_LENGTH_MAX_CHARS,
    );
    let all_blank = [
        input.contact_phone,
        input.contact_email,
        input.postal_address,
    ]
    .iter()
    .all(|v| v.trim().is_empty());
    if all_blank {
        problems.add("contact_phone", "contact_required");
    }
    Contact {
        phone,
        email,
        postal_address,
    }
}

/// The delivery method must suit the form and have somewhere to go. A missing destination is
/// reported only when the field is blank; an invalid one is already reported on its field.
fn check_delivery(
    problems: &mut FormProblems,
    input: &ApplicationInput<'_>,
    delivery: DeliveryMethod,
    form: Option<InformationForm>,
    contact: &Contact,
) {
    if form.is_some_and(|form| !delivery.suits(form)) {
        problems.add("delivery_preference", "delivery_incompatible_with_form");
    }
    match delivery {
        DeliveryMethod::Email if input.contact_email.trim().is_empty() => {
            problems.add("contact_email", "required_for_email_delivery");
        }
        DeliveryMethod::Post if input.postal_address.trim().is_empty() => {
            problems.add("postal_address", "required_for_postal_delivery");
        }
        // The form has no separate fax field: the landline given is the fax number.
        DeliveryMethod::Fax if input.contact_phone.trim().is_empty() => {
            problems.add("contact_phone", "required_for_fax_delivery");
        }
        DeliveryMethod::Fax if matches!(contact.phone, Some(PhoneNumber::Mobile(_))) => {
            problems.add("contact_phone", "landline_required_for_fax_delivery");
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Art. 30: the clerk's first reading.
// ---------------------------------------------------------------------------------------------

/// Whether a point is a defect the applicant must correct or advice the applicant may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CorrectionSeverity {
    /// The content is unclear (申请内容不明确): Art. 30 requires a correction notice, and an
    /// application still unclear after correction ends in report row (四)3.
    Correction,
    /// The application can be handled as it stands, but the applicant is better served by
    /// changing it; the agency may not refuse on this point alone.
    Advisory,
}

/// One point of an Art. 30 correction notice. One notice lists all of them, because the
/// agency may notify only once (「一次性告知」).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionItem {
    /// A stable code, e.g. `description_too_vague`.
    pub code: &'static str,
    /// The input field the point concerns.
    pub field: &'static str,
    pub severity: CorrectionSeverity,
    pub explanation_zh: &'static str,
    pub explanation_en: &'static str,
    pub legal_basis: &'static str,
    /// The signal words found in the text, in the order of the word list, so that the clerk
    /// sees why the point was raised. Empty when the point is not about particular words.
    pub matched: Vec<&'static str>,
}

/// Words that describe information in general without identifying any of it. What is left of
/// a description once these are removed is its specific content. Longer entries come first,
/// so that a compound goes before its parts.
pub const GENERIC_DESCRIPTION_TERMS: &[&str] = &[
    "政府信息公开申请",
    "政府信息公开",
    "政府信息",
    "申请公开",
    "要求公开",
    "请求公开",
    "依法公开",
    "予以公开",
    "贵单位",
    "贵机关",
    "贵部门",
    "你单位",
    "你们",
    "贵局",
    "贵委",
    "贵办",
    "贵府",
    "本人",
    "我单位",
    "我公司",
    "我们",
    "申请人",
    "一切",
    "所有",
    "全部",
    "任何",
    "各种",
    "各类",
    "有关",
    "相关",
    "涉及",
    "关于",
    "上述",
    "以上",
    "这些",
    "那些",
    "掌握",
    "保存",
    "制作",
    "获得",
    "持有",
    "文件",
    "信息",
    "材料",
    "资料",
    "文书",
    "档案",
    "记录",
    "内容",
    "数据",
    "情况",
    "事项",
    "东西",
    "公开",
    "提供",
    "获取",
    "查阅",
    "复制",
    "申请",
    "请求",
    "要求",
    "希望",
    "需要",
    "请",
    "我",
    "的",
    "和",
    "及",
    "与",
    "或",
    "等",
    "了",
    "都",
    "之",
];

/// A description needs at least this many specific characters (letters, Chinese characters
/// included) once the generic words are removed, unless it has a title, a 文号 or a date.
pub const SPECIFIC_DESCRIPTION_CHARS_MIN: usize = 4;

/// Words that ask the agency to process, analyse or create information (Art. 38).
pub const NEW_INFORMATION_SIGNALS: &[&str] = &[
    "统计",
    "分析",
    "汇总",
    "说明原因",
    "说明理由",
    "解释",
    "为什么",
    "为何",
    "计算",
    "整理",
    "归纳",
    "对比",
    "比较",
    "排名",
    "核算",
    "列出清单",
    "逐项说明",
];

/// Compounds that contain a signal word but name existing documents (a statistical bulletin
/// is published, not made on request). They are removed before the signals are searched.
pub const NEW_INFORMATION_EXCEPTIONS: &[&str] = &[
    "统计公报",
    "统计年鉴",
    "统计局",
    "统计报表",
    "分析报告",
    "汇总表",
    "司法解释",
];

/// Words of petitions, complaints and reports (信访、投诉、举报) put as an application (Art. 39
/// ¶1).
pub const COMPLAINT_SIGNALS: &[&str] = &[
    "投诉",
    "举报",
    "信访",
    "上访",
    "查处",
    "追究",
    "问责",
    "严惩",
    "赔偿",
    "讨个说法",
    "给个说法",
    "主持公道",
];

/// Reads a valid application as a clerk would on receipt and lists every point for one
/// Art. 30 correction notice, in a stable order. An empty list means nothing to raise.
///
/// The checks are heuristics over word lists (above); they propose, the clerk decides.
pub fn precheck(application: &ValidatedApplication) -> Vec<CorrectionItem> {
    let description = application.information_description.as_str();
    let mut items = Vec::new();
    if application.document_number.is_none() && is_description_vague(description) {
        items.push(CorrectionItem {
            code: "description_too_vague",
            field: "information_description",
            severity: CorrectionSeverity::Correction,
            explanation_zh: "所需政府信息的描述不明确：仅有“所有文件”“全部信息”“相关材料”等概括性表述，\
                没有文件名称、文号、形成时间、地点、涉及的具体事项等特征，本机关无法据此确定和查找。\
                请补充所需政府信息的名称、文号或者便于本机关查询的其他特征性描述。",
            explanation_en: "The description of the information is unclear: it only uses general \
                words such as \"all documents\" or \"relevant materials\" and gives no title, \
                document number, date, place or specific subject by which the agency could \
                identify and find it. Please add the title, the document number or other \
                features that make the information findable.",
            legal_basis: "《政府信息公开条例》第二十九条第二款第（二）项、第三十条",
            matched: Vec::new(),
        });
    }
    if count_enumerated_items(description) >= 2 {
        items.push(CorrectionItem {
            code: "multiple_requests",
            field: "information_description",
            severity: CorrectionSeverity::Advisory,
            explanation_zh: "申请内容分项列举了多项政府信息。如各项之间相互独立，建议按照“一事一申请”的原则\
                分别提出申请，以便分别办理、答复，并避免因其中一项需要补正而影响其他各项的办理。",
            explanation_en: "The application lists several items. If they are unrelated, consider \
                one application per matter (一事一申请), so that each is handled and answered on \
                its own and a correction of one does not hold up the others.",
            legal_basis: "《政府信息公开条例》第三十条；《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）第四条",
            matched: Vec::new(),
        });
    }
    let new_information = matched_signals(
        description,
        NEW_INFORMATION_SIGNALS,
        NEW_INFORMATION_EXCEPTIONS,
    );
    if !new_information.is_empty() {
        items.push(CorrectionItem {
            code: "requests_new_information",
            field: "information_description",
            severity: CorrectionSeverity::Advisory,
            explanation_zh: "申请内容含有要求统计、分析、汇总或者说明原因等表述。依申请公开的政府信息以\
                本机关现有的信息为限；需要本机关对现有政府信息进行加工、分析的，本机关可以不予提供。\
                建议改为申请获取现有的文件、报表等政府信息。",
            explanation_en: "The application asks the agency to count, analyse, compile or explain. \
                Disclosure on application covers existing information; where processing or \
                analysis of existing information is needed, the agency may decline to provide it. \
                Consider asking for the existing documents or tables instead.",
            legal_basis: "《政府信息公开条例》第三十八条",
            matched: new_information,
        });
    }
    let complaint = matched_signals(description, COMPLAINT_SIGNALS, &[]);
    if !complaint.is_empty() {
        items.push(CorrectionItem {
            code: "complaint_or_petition",
            field: "information_description",
            severity: CorrectionSeverity::Advisory,
            explanation_zh: "申请内容含有投诉、举报或者信访诉求的表述。以政府信息公开申请的形式进行信访、投诉、\
                举报等活动的，行政机关不作为政府信息公开申请处理，并可以告知通过相应渠道提出。\
                如需获取政府信息，请写明所需的政府信息本身。",
            explanation_en: "The application contains a complaint, report or petition. Such matters \
                put as a disclosure application are not handled as one; the agency may point to the \
                proper channel. If information is wanted, please describe the information itself.",
            legal_basis: "《政府信息公开条例》第三十九条第一款",
            matched: complaint,
        });
    }
    items
}

/// Whether a description names nothing specific: no 《title》, no number followed by 号 (a
/// 文号 or an address), no date, and fewer than [`SPECIFIC_DESCRIPTION_CHARS_MIN`] letters
/// once the generic words and the signal words of Arts. 38 and 39 are removed. Those verbs
/// say what the applicant wants done, not which information; bare digits are list markers
/// unless they form a 文号, an address or a date, which the first checks catch.
pub fn is_description_vague(description: &str) -> bool {
    if has_title(description) || has_number_or_date(description) {
        return false;
    }
    let mut rest = description.to_string();
    let removed = GENERIC_DESCRIPTION_TERMS
        .iter()
        .chain(NEW_INFORMATION_SIGNALS)
        .chain(COMPLAINT_SIGNALS);
    for term in removed {
        rest = rest.replace(term, " ");
    }
    let n_specific = rest
        .chars()
        .filter(|c| c.is_alphanumeric() && !c.is_ascii_digit())
        .count();
    n_specific < SPECIFIC_DESCRIPTION_CHARS_MIN
}

/// A 《…》 title with at least two characters inside.
fn has_title(text: &str) -> bool {
    text.split('《').skip(1).any(|after| {
        after
            .split_once('》')
            .is_some_and(|(title, _)| title.trim().chars().count() >= 2)
    })
}

/// A digit followed by 号, 年, 月 or 日, or a four-digit year 1949–2099 written in digits.
fn has_number_or_date(text: &str) -> bool {
    let chars: Vec<char> = text.chars().map(full_width_to_ascii).collect();
    let digit_then_unit = chars
        .windows(2)
        .any(|w| w[0].is_ascii_digit() && matches!(w[1], '号' | '年' | '月' | '日'));
    let year = chars.windows(4).any(|w| {
        let digits: String = w.iter().collect();
        w.iter().all(char::is_ascii_digit)
            && digits
                .parse::<u32>()
                .is_ok_and(|y| (1949..=2099).contains(&y))
    });
    digit_then_unit || year
}

/// Signal words found in `text` after removing the exception compounds, in list order.
fn matched_signals(text: &str, signals: &[&'static str], exceptions: &[&str]) -> Vec<&'static str> {
    let mut rest = text.to_string();
    for exception in exceptions {
        rest = rest.replace(exception, " ");
    }
    signals
        .iter()
        .copied()
        .filter(|signal| rest.contains(signal))
        .collect()
}

const CHINESE_NUMERALS: [char; 10] = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/// Counts the distinct enumerated items of a list written in the text: `1.` `2、` `3)`,
/// `①②`, `(一)(二)` or `一、二、`. A marker counts only at the start of the text or after a
/// line break, space or punctuation, so that decimals, dates and words such as 「统一、」 are not
/// taken for markers. Returns the largest count of any one style.
pub fn count_enumerated_items(text: &str) -> usize {
    let chars: Vec<char> = text.chars().map(full_width_to_ascii).collect();
    let at_boundary = |i: usize| {
        i == 0
            || chars[i - 1].is_whitespace()
            || matches!(
                chars[i - 1],
                ';' | ',' | ':' | '。' | '：' | '；' | '，' | '、' | '!' | '?'
            )
    };
    let mut arabic: Vec<u32> = Vec::new();
    let mut circled: Vec<char> = Vec::new();
    let mut chinese: Vec<char> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() && at_boundary(i) {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let marker = chars.get(i).copied();
            let after = chars.get(i + 1).copied();
            let is_marker = i - start <= 2
                && matches!(marker, Some('.' | '、' | ')'))
                && !after.is_some_and(|a| a.is_ascii_digit());
            if is_marker {
                let number: String = chars[start..i].iter().collect();
                if let Ok(n) = number.parse::<u32>()
                    && !arabic.contains(&n)
                {
                    arabic.push(n);
                }
            }
            continue;
        }
        if ('\u{2460}'..='\u{2473}').contains(&c) && !circled.contains(&c) {
            circled.push(c);
        }
        if CHINESE_NUMERALS.contains(&c) {
            let parenthesised = i > 0 && chars[i - 1] == '(' && chars.get(i + 1) == Some(&')');
            let listed = at_boundary(i) && chars.get(i + 1) == Some(&'、');
            if (parenthesised || listed) && !chinese.contains(&c) {
                chinese.push(c);
            }
        }
        i += 1;
    }
    arabic.len().max(circled.len()).max(chinese.len())
}
