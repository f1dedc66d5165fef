//! Remedies against an agency's disclosure conduct (Art. 51), each linked to the application it
//! concerns: staff record a complaint, reconsideration or lawsuit when they learn of it, with its
//! dates, and its outcome when it is decided. Filing and decision deadlines are computed from
//! the dates (see `gongkai_domain::remedy`) and shown with their articles.

use crate::{Actor, ServiceError, ServiceResult, Services};
use gongkai_domain::account::Role;
use gongkai_domain::form::FormProblems;
use gongkai_domain::remedy::{
    RemedyDeadline, RemedyKind, RemedyOutcome, decision_deadline, filing_deadline,
};
use gongkai_store::RemedyRow;
use time::Date;
use uuid::Uuid;

/// The longest name of a reviewing body or court, case number or decision note kept.
const REMEDY_TEXT_CHARS_MAX: usize = 500;

/// A remedy as staff enter it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RemedyForm {
    pub kind: String,
    pub body_name: String,
    pub case_number: String,
    /// When the person knew of the conduct (for litigation after reconsideration: when the
    /// reconsideration decision was received), ISO date.
    pub known_on: String,
    pub filed_on: String,
    /// "on" when the simplified procedure applies.
    pub simplified: String,
}

/// A decision on a remedy.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RemedyDecisionForm {
    pub outcome: String,
    pub decided_on: String,
    pub note: String,
}

/// A remedy with its deadlines.
#[derive(Debug, Clone)]
pub struct RemedyView {
    pub row: RemedyRow,
    pub kind: RemedyKind,
    pub outcome: RemedyOutcome,
    pub filing_deadline: Option<RemedyDeadline>,
    pub decision_deadline: Option<RemedyDeadline>,
    /// Filed after its filing deadline (the body may still accept it for cause).
    pub filed_late: bool,
    /// Undecided past its decision deadline today.
    pub decision_overdue: bool,
}

fn parse_date(problems: &mut FormProblems, field: &'static str, text: &str) -> Option<Date> {
    let text = text.trim();
    if text.is_empty() {
        problems.add(field, "required");
        return None;
    }
    match Date::parse(text, &time::format_description::well_known::Iso8601::DATE) {
        Ok(date) => Some(date),
        Err(_) => {
            problems.add(field, "date_invalid");
            None
        }
    }
}

fn check_text(problems: &mut FormProblems, field: &'static str, text: &str, required: bool) {
    let text = text.trim();
    if required && text.is_empty() {
        problems.add(field, "required");
    } else if text.chars().count() > REMEDY_TEXT_CHARS_MAX {
        problems.add(field, "too_long");
    }
}

impl Services {
    /// Who may record remedies and their outcomes: the OGI office, which answers for the
    /// agency in reconsideration and litigation, and the clerks who handled the application.
    fn may_record_remedy(&self, actor: &Actor, agency_id: Uuid) -> bool {
        let roles = self.roles_in_agency(actor, agency_id);
        roles.contains(&Role::OgiOffice) || roles.contains(&Role::Clerk)
    }

    fn remedy_view(
        &self,
        row: RemedyRow,
        calendar: &gongkai_domain::calendar::WorkingDayCalendar,
    ) -> ServiceResult<RemedyView> {
        let is_working_day = |date: Date| calendar.is_working_day(date);
        let kind = RemedyKind::from_code(&row.kind)
            .ok_or_else(|| ServiceError::Unexpected(anyhow::anyhow!("remedy kind {}", row.kind)))?;
        let outcome = RemedyOutcome::from_code(&row.outcome).unwrap_or(RemedyOutcome::Pending);
        // A reply issued by Gongkai always states the remedies (Art. 36 replies carry the
        // remedy notice), so the 60-day period applies.
        let filing = filing_deadline(kind, row.known_on, true, &is_working_day);
        let decision = decision_deadline(kind, row.filed_on, row.simplified, &is_working_day);
        let today = self.clock.today_in_china();
        Ok(RemedyView {
            filed_late: filing.as_ref().is_some_and(|d| row.filed_on > d.due),
            decision_overdue: outcome == RemedyOutcome::Pending
                && decision.as_ref().is_some_and(|d| today > d.due),
            filing_deadline: filing,
            decision_deadline: decision,
            kind,
            outcome,
            row,
        })
    }

    /// The remedies concerning an application, for its staff.
    pub async fn remedies_of_application(
        &self,
        actor: &Actor,
        application_id: Uuid,
    ) -> ServiceResult<Vec<RemedyView>> {
        let application = self
            .db
            .application_get(application_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if self
            .roles_in_agency(actor, application.agency_id)
            .is_empty()
        {
            return Err(ServiceError::Forbidden);
        }
        // One calendar for all of them: it is read from the database.
        let calendar = self.working_day_calendar().await?;
        self.db
            .remedies_of_application(application_id)
            .await?
            .into_iter()
            .map(|row| self.remedy_view(row, &calendar))
            .collect()
    }

    /// Records a remedy against the handling of an application. Every problem of the form is
    /// reported at once.
    pub async fn record_remedy(
        &self,
        actor: &Actor,
        application_id: Uuid,
        form: &RemedyForm,
    ) -> ServiceResult<Uuid> {
        let application = self
            .db
            .application_get(application_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !self.may_record_remedy(actor, application.agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let mut problems = FormProblems::new();
        let kind = RemedyKind::from_code(form.kind.trim());
        if kind.is_none() {
            problems.add("kind", "choice_invalid");
        }
        check_text(&mut problems, "body_name", &form.body_name, true);
        check_text(&mut problems, "case_number", &form.case_number, false);
        let known_on = parse_date(&mut problems, "known_on", &form.known_on);
        let filed_on = parse_date(&mut problems, "filed_on", &form.filed_on);
        let today = self.clock.today_in_china();
        if let (Some(known), Some(filed)) = (known_on, filed_on) {
            if filed < known {
                problems.add("filed_on", "before_known_on");
            }
            if filed > today {
                problems.add("filed_on", "in_future");
            }
        }
        let (Some(kind), Some(known_on), Some(filed_on)) = (kind, known_on, filed_on) else {
            return Err(ServiceError::Invalid(problems));
        };
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let now = self.clock.now();
        let id = Uuid::now_v7();
        self.db
            .remedy_insert(&RemedyRow {
                id,
                agency_id: application.agency_id,
                application_id,
                kind: kind.code().to_string(),
                body_name: form.body_name.trim().to_string(),
                case_number: form.case_number.trim().to_string(),
                known_on,
                filed_on,
                simplified: form.simplified == "on" || form.simplified == "true",
                outcome: RemedyOutcome::Pending.code().to_string(),
                decided_on: None,
                decision_note: String::new(),
                created_by: Some(actor.account_id),
                created_at: now,
                updated_at: now,
            })
            .await?;
        Ok(id)
    }

    /// Records how a remedy was decided (维持 / 纠正 / 其他), or sets it back to pending.
    pub async fn decide_remedy(
        &self,
        actor: &Actor,
        remedy_id: Uuid,
        form: &RemedyDecisionForm,
    ) -> ServiceResult<()> {
        let remedy = self
            .db
            .remedy_get(remedy_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !self.may_record_remedy(actor, remedy.agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let mut problems = FormProblems::new();
        let outcome = RemedyOutcome::from_code(form.outcome.trim());
        if outcome.is_none() {
            problems.add("outcome", "choice_invalid");
        }
        check_text(&mut problems, "note", &form.note, false);
        let decided_on = if outcome == Some(RemedyOutcome::Pending) {
            None
        } else {
            let date = parse_date(&mut problems, "decided_on", &form.decided_on);
            if let Some(date) = date {
                if date < remedy.filed_on {
                    problems.add("decided_on", "before_filed_on");
                }
                if date > self.clock.today_in_china() {
                    problems.add("decided_on", "in_future");
                }
            }
            date
        };
        let Some(outcome) = outcome else {
            return Err(ServiceError::Invalid(problems));
        };
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        self.db
            .remedy_decide(
                remedy_id,
                outcome.code(),
                decided_on,
                form.note.trim(),
                self.clock.now(),
            )
            .await?;
        Ok(())
    }
}
