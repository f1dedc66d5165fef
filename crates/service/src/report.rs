//! The annual report's table 三 from stored applications: every cell is recomputed from each
//! application's events (its receipt date and how and when it ended), so a figure can always be
//! reproduced and drilled down to the applications behind it.

use crate::applications::{channel_of, parse_events};
use crate::{Actor, ServiceError, ServiceResult, Services};
use gongkai_domain::application::{ApplicationState, Event};
use gongkai_domain::application_form::ApplicantKind;
use gongkai_domain::reply::{OtherHandlingReason, ReplyKind};
use gongkai_domain::report::{ConsistencyProblem, CountedApplication, Table3};
use uuid::Uuid;

/// Table 三 of one year, last year's (for the carry-over rule), and every failed rule.
#[derive(Debug, Clone)]
pub struct Table3Report {
    pub table: Table3,
    pub previous: Table3,
    pub problems: Vec<ConsistencyProblem>,
}

/// When and how an application ended, read from its events.
fn ending(events: &[Event], state: &ApplicationState) -> Option<(time::Date, ReplyKind)> {
    events.iter().rev().find_map(|event| match event {
        Event::ReplyIssued { on } => state
            .issued_reply_kind
            .as_deref()
            .and_then(ReplyKind::parse)
            .map(|kind| (*on, kind)),
        Event::CorrectionLapsed { on } => Some((
            *on,
            ReplyKind::OtherHandling(OtherHandlingReason::CorrectionNotMade),
        )),
        Event::FeePaymentLapsed { on } => Some((
            *on,
            ReplyKind::OtherHandling(OtherHandlingReason::FeeNotPaid),
        )),
        // A withdrawal is counted under （六）3 其他 (ogi-rules §1.2).
        Event::Withdrawn { on, .. } => {
            Some((*on, ReplyKind::OtherHandling(OtherHandlingReason::Other)))
        }
        _ => None,
    })
}

impl Services {
    /// The facts table 三 counts, one per application of the agency.
    pub async fn counted_applications(
        &self,
        agency_id: Uuid,
    ) -> ServiceResult<Vec<CountedApplication>> {
        let mut counted = Vec::new();
        for row in self.db.applications_of_agency(agency_id).await? {
            let events: Vec<Event> = parse_events(self.db.application_events(row.id).await?)?
                .into_iter()
                .map(|(_, e)| e)
                .collect();
            let state = ApplicationState::replay(channel_of(&row.channel), &events);
            counted.push(CountedApplication {
                reference: row.receipt_number.clone(),
                applicant_kind: ApplicantKind::parse(&row.applicant_kind)
                    .unwrap_or(ApplicantKind::Other),
                received_on: state.receipt_date,
                ended: ending(&events, &state),
            });
        }
        Ok(counted)
    }

    /// Table 三 for `year`, for the agency's staff (its OGI office compiles the report).
    pub async fn annual_table3(
        &self,
        actor: Option<&Actor>,
        agency_id: Uuid,
        year: i32,
    ) -> ServiceResult<Table3Report> {
        if let Some(actor) = actor
            && self.roles_in_agency(actor, agency_id).is_empty()
        {
            return Err(ServiceError::Forbidden);
        }
        if !(2008..=2100).contains(&year) {
            return Err(ServiceError::invalid("year", "year_invalid"));
        }
        let counted = self.counted_applications(agency_id).await?;
        let table = Table3::compute(year, &counted);
        let previous = Table3::compute(year - 1, &counted);
        let problems = table.check(Some(&previous));
        Ok(Table3Report {
            table,
            previous,
            problems,
        })
    }
}
