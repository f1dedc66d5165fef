//! Errors of the service layer: expected rejections with stable codes, and the unexpected.

use gongkai_domain::form::FormProblems;
use gongkai_store::StoreError;
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input has problems; every one of them is listed.
    #[error("invalid input: {0}")]
    Invalid(FormProblems),
    #[error("not signed in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The request conflicts with the current state (a duplicate e-mail, a concurrent edit).
    #[error("conflict: {code}")]
    Conflict { code: &'static str },
    /// Wrong identifier or password; deliberately does not say which.
    #[error("login failed")]
    LoginFailed,
    #[error("account locked until {until}")]
    AccountLocked { until: OffsetDateTime },
    /// A rule refused the command (the code names the rule, e.g. `extension_length`).
    #[error("refused: {code}")]
    Refused { code: &'static str },
    #[error("too many attempts")]
    RateLimited { retry_after_seconds: u64 },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ServiceError {
    /// A stable, machine-readable code for the API and for translations.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Invalid(_) => "invalid_input",
            ServiceError::Unauthenticated => "unauthenticated",
            ServiceError::Forbidden => "forbidden",
            ServiceError::NotFound => "not_found",
            ServiceError::Conflict { code } => code,
            ServiceError::LoginFailed => "login_failed",
            ServiceError::AccountLocked { .. } => "account_locked",
            ServiceError::RateLimited { .. } => "rate_limited",
            ServiceError::Refused { code } => code,
            ServiceError::Unexpected(_) => "internal_error",
        }
    }

    pub fn invalid(field: &'static str, code: &'static str) -> ServiceError {
        let mut problems = FormProblems::new();
        problems.add(field, code);
        ServiceError::Invalid(problems)
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Conflict(_) => ServiceError::Conflict { code: "conflict" },
            other => ServiceError::Unexpected(anyhow::Error::new(other)),
        }
    }
}

impl From<FormProblems> for ServiceError {
    fn from(problems: FormProblems) -> Self {
        ServiceError::Invalid(problems)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
