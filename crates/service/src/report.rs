//! The annual report's table 三 from stored applications: every cell is recomputed from each
//! application's events (its receipt date and how and when it ended), so a figure can always be
//! reproduced and drilled down to the applications behind it.

use crate::{Actor, ServiceError, ServiceResult, Services};
use gongkai_domain::application::{ApplicationState, Event};
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
pub(crate) fn ending(
    events: &[Event],
    state: &ApplicationState,
) -> Option<(time::Date, ReplyKind)> {
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
        // The fee total is per year; table 三 alone does not need it.
        Ok(self.application_facts(agency_id, 0).await?.0)
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
