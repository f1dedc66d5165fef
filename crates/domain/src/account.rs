//! Accounts, roles and the rules for logging in.
//!
//! Roles follow how a Chinese agency actually divides the work on a disclosure application:
//! the 承办人 drafts, the 科室负责人 reviews, the 保密审查 checks for secrets (Art. 17 of the
//! regulation), the 分管/主要领导 signs sensitive replies, and the 政府信息公开工作机构 (Art. 4)
//! runs the whole. Staff roles are always scoped to an agency and optionally to one department.
//! This module is pure: times arrive as arguments.

use crate::form::FormProblems;
use time::{Duration, OffsetDateTime};

/// Every role the system knows. The string codes are stored in the database and used in the
/// API; they must never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 申请人: a member of the public who applies, follows and objects.
    Applicant,
    /// 承办人: handles applications and drafts replies for a department.
    Clerk,
    /// 科室负责人: reviews the replies of a department.
    DepartmentReviewer,
    /// 保密审查: confidentiality review before anything is released (Art. 17).
    ConfidentialityReviewer,
    /// 分管/主要领导: signs off sensitive replies and approves extensions.
    Leader,
    /// 政府信息公开工作机构: the agency's OGI office (Art. 4).
    OgiOffice,
    /// 联络员: a department's liaison to the OGI office.
    Liaison,
    /// 审计: reads everything, changes nothing.
    Auditor,
    /// 系统管理员: manages agencies, departments and staff accounts.
    SystemAdministrator,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Applicant,
        Role::Clerk,
        Role::DepartmentReviewer,
        Role::ConfidentialityReviewer,
        Role::Leader,
        Role::OgiOffice,
        Role::Liaison,
        Role::Auditor,
        Role::SystemAdministrator,
    ];

    /// The staff roles, in the order a back office lists them.
    pub const STAFF: [Role; 8] = [
        Role::Clerk,
        Role::DepartmentReviewer,
        Role::ConfidentialityReviewer,
        Role::Leader,
        Role::OgiOffice,
        Role::Liaison,
        Role::Auditor,
        Role::SystemAdministrator,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::Clerk => "clerk",
            Role::DepartmentReviewer => "department_reviewer",
            Role::ConfidentialityReviewer => "confidentiality_reviewer",
            Role::Leader => "leader",
            Role::OgiOffice => "ogi_office",
            Role::Liaison => "liaison",
            Role::Auditor => "auditor",
            Role::SystemAdministrator => "system_administrator",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Applicant => "申请人",
            Role::Clerk => "承办人",
            Role::DepartmentReviewer => "科室负责人",
            Role::ConfidentialityReviewer => "保密审查员",
            Role::Leader => "分管/主要领导",
            Role::OgiOffice => "政府信息公开工作机构",
            Role::Liaison => "联络员",
            Role::Auditor => "审计员（只读）",
            Role::SystemAdministrator => "系统管理员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Applicant => "Applicant",
            Role::Clerk => "Clerk",
            Role::DepartmentReviewer => "Department reviewer",
            Role::ConfidentialityReviewer => "Confidentiality reviewer",
            Role::Leader => "Leader",
            Role::OgiOffice => "OGI office",
            Role::Liaison => "Liaison officer",
            Role::Auditor => "Auditor (read-only)",
            Role::SystemAdministrator => "System administrator",
        }
    }

    pub fn is_staff(self) -> bool {
        self != Role::Applicant
    }

    /// Whether the role may be limited to a single department. Agency-wide roles such as the
    /// OGI office, leaders, auditors and administrators see the whole agency.
    pub fn may_be_department_scoped(self) -> bool {
        matches!(
            self,
            Role::Clerk | Role::DepartmentReviewer | Role::Liaison | Role::ConfidentialityReviewer
        )
    }

    /// Whether the role only reads. Auditors must never change anything.
    pub fn is_read_only(self) -> bool {
        self == Role::Auditor
    }
}

/// How a person logs in: an e-mail address or a mainland mobile number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginIdentifier {
    Email(String),
    Mobile(String),
}

impl LoginIdentifier {
    /// Parses what a person typed into the login field. E-mail addresses are lower-cased so
    /// that `Zhang@Example.cn` and `zhang@example.cn` are the same account; full-width digits
    /// and the `+86` prefix are accepted for mobile numbers because people type them.
    pub fn parse(raw: &str) -> Result<LoginIdentifier, &'static str> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("required");
        }
        if trimmed.contains('@') {
            return parse_email(trimmed).map(LoginIdentifier::Email);
        }
        parse_mobile(trimmed).map(LoginIdentifier::Mobile)
    }

    pub fn as_str(&self) -> &str {
        match self {
            LoginIdentifier::Email(s) | LoginIdentifier::Mobile(s) => s,
        }
    }
}

/// The longest e-mail address accepted (RFC 5321 path limit).
pub const EMAIL_LENGTH_MAX_CHARS: usize = 254;

pub fn parse_email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("required");
    }
    if email.chars().count() > EMAIL_LENGTH_MAX_CHARS {
        return Err("email_too_long");
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err("email_invalid");
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '@' && c != '<' && c != '>');
    if domain_ok && local_ok {
        Ok(email)
    } else {
        Err("email_invalid")
    }
}

/// Mainland China mobile numbers: 11 digits starting with 1 and a second digit 3–9.
pub fn parse_mobile(raw: &str) -> Result<String, &'static str> {
    let normalised: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '　'))
        .map(full_width_digit_to_ascii)
        .collect();
    let digits = normalised
        .strip_prefix("+86")
        .or_else(|| normalised.strip_prefix("0086"))
        .unwrap_or(&normalised);
    let bytes = digits.as_bytes();
    let valid = bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1]);
    if valid {
        Ok(digits.to_string())
    } else {
        Err("mobile_invalid")
    }
}

fn full_width_digit_to_ascii(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '＋' => '+',
        _ => c,
    }
}

/// Passwords shorter than this are refused (NIST SP 800-63B asks for at least 8; we ask a
/// little more because applications carry identity documents).
pub const PASSWORD_LENGTH_MIN_CHARS: usize = 10;
/// Longer passwords are refused so that hashing cost stays bounded (a denial-of-service guard).
pub const PASSWORD_LENGTH_MAX_CHARS: usize = 128;

/// Checks a new password and returns the problem code, if any.
pub fn check_new_password(password: &str) -> Result<(), &'static str> {
    let n_chars = password.chars().count();
    if n_chars == 0 {
        return Err("required");
    }
    if n_chars < PASSWORD_LENGTH_MIN_CHARS {
        return Err("password_too_short");
    }
    if n_chars > PASSWORD_LENGTH_MAX_CHARS {
        return Err("password_too_long");
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err("password_too_simple");
    }
    Ok(())
}

/// The longest display name accepted.
pub const DISPLAY_NAME_LENGTH_MAX_CHARS: usize = 64;

/// A validated public registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub display_name: String,
    pub password: String,
}

/// What a registration form carries, before validation.
#[derive(Debug, Clone, Default)]
pub struct RegistrationInput<'a> {
    pub email: &'a str,
    pub mobile: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub password_confirmation: &'a str,
}

/// Validates a registration and reports every problem at once.
pub fn validate_registration(input: &RegistrationInput<'_>) -> Result<Registration, FormProblems> {
    let mut problems = FormProblems::new();
    let email = if input.email.trim().is_empty() {
        None
    } else {
        match parse_email(input.email) {
            Ok(e) => Some(e),
            Err(code) => {
                problems.add("email", code);
                None
            }
        }
    };
    let mobile = if input.mobile.trim().is_empty() {
        None
    } else {
        match parse_mobile(input.mobile) {
            Ok(m) => Some(m),
            Err(code) => {
                problems.add("mobile", code);
                None
            }
        }
    };
    if input.email.trim().is_empty() && input.mobile.trim().is_empty() {
        problems.add("email", "email_or_mobile_required");
    }
    let display_name = input.display_name.trim().to_string();
    if display_name.is_empty() {
        problems.add("display_name", "required");
    } else if display_name.chars().count() > DISPLAY_NAME_LENGTH_MAX_CHARS {
        problems.add("display_name", "too_long");
    } else if display_name.chars().any(char::is_control) {
        problems.add("display_name", "invalid_characters");
    }
    if let Err(code) = check_new_password(input.password) {
        problems.add("password", code);
    }
    if input.password != input.password_confirmation {
        problems.add("password_confirmation", "password_mismatch");
    }
    problems.into_result(|| Registration {
        email,
        mobile,
        display_name,
        password: input.password.to_string(),
    })
}

/// When repeated failures lock an account, and how login attempts from one address are
/// throttled. Both counters live in the database, so a restart does not reset them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottlePolicy {
    /// Consecutive failed passwords after which the account is locked.
    pub account_failures_max: u32,
    /// How long a locked account stays locked.
    pub account_lock_duration: Duration,
    /// Attempts (successful or not) one network address may make within the window.
    pub address_attempts_max: u32,
    /// The sliding window for the per-address limit.
    pub address_window: Duration,
}

impl Default for LoginThrottlePolicy {
    fn default() -> Self {
        LoginThrottlePolicy {
            account_failures_max: 5,
            account_lock_duration: Duration::minutes(15),
            address_attempts_max: 20,
            address_window: Duration::minutes(10),
        }
    }
}

/// The outcome of checking a failed password against the lockout policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureOutcome {
    pub failed_login_count: u32,
    pub locked_until: Option<OffsetDateTime>,
}

impl LoginThrottlePolicy {
    /// Counts one more failure and decides whether the account is now locked. The counter
    /// restarts after a lock so that the next lock needs another full series of failures.
    pub fn after_failure(self, failed_login_count: u32, now: OffsetDateTime) -> FailureOutcome {
        let count = failed_login_count.saturating_add(1);
        if count >= self.account_failures_max {
            FailureOutcome {
                failed_login_count: 0,
                locked_until: Some(now + self.account_lock_duration),
            }
        } else {
            FailureOutcome {
                failed_login_count: count,
                locked_until: None,
            }
        }
    }

    pub fn is_locked(locked_until: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
        locked_until.is_some_and(|until| until > now)
    }

    pub fn address_allowed(self, attempts_in_window: u32) -> bool {
        attempts_in_window < self.address_attempts_max
    }
}
