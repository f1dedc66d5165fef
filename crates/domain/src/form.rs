//! Form validation results that list every problem at once.
//!
//! A rejected form must tell the person everything that is wrong in one answer (the seed's
//! 一次性告知), so validators collect `FieldProblem`s instead of stopping at the first one.

/// One problem with one field, identified by a stable machine code that the web layer
/// translates into the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The form field's name, as it appears in the HTML form and the JSON API.
    pub field: &'static str,
    /// A stable code such as `required` or `password_too_short`; never free text.
    pub code: &'static str,
}

/// Every problem found in one submitted form. Empty means the form is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormProblems {
    problems: Vec<FieldProblem>,
}

impl FormProblems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, code: &'static str) {
        self.problems.push(FieldProblem { field, code });
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn problems(&self) -> &[FieldProblem] {
        &self.problems
    }

    pub fn has_field(&self, field: &str) -> bool {
        self.problems.iter().any(|p| p.field == field)
    }

    /// Turns the collected problems into a result: `Ok(value)` only when nothing was found.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FormProblems> {
        if self.problems.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for FormProblems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.code))
            .collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for FormProblems {}
