//! The repeat-application check of the staff pre-review: the same applicant's earlier,
//! already answered applications to the same agency whose description reads like the one in
//! hand. Art. 36(6) of the 《政府信息公开条例》 (2019) lets the agency tell an applicant who asks
//! again for the same information it has already answered that the request is not processed
//! again (不予重复处理).
//!
//! This only proposes: staff compare the requests and decide, and nothing here acts on an
//! application. "The same applicant" is the applicant account the application was submitted
//! from. The store keeps identity numbers only in clear in the form columns and no digest of
//! them, so they are deliberately not compared (comparing raw ID numbers would spread a
//! personal identifier into one more use); an application registered by staff without an
//! account therefore has no candidates. Nothing here may ever return an identity number.

use crate::applications::{channel_of, parse_events};
use crate::{Actor, ServiceError, ServiceResult, Services};
use gongkai_domain::application::{ApplicationState, Event};
use gongkai_domain::prereview::{REPEAT_SIMILARITY_THRESHOLD, similar_descriptions};
use gongkai_store::{ANSWERED_APPLICATIONS_OF_APPLICANT_MAX, ApplicationRow};
use time::Date;
use uuid::Uuid;

/// The most candidates shown. Staff read each one, and a genuine repeat is usually among the
/// closest few; a longer list would bury it.
pub const REPEAT_CANDIDATES_MAX: usize = 5;

/// An earlier application that the new one may repeat (Art. 36(6)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatCandidate {
    pub application_id: Uuid,
    pub receipt_number: String,
    /// The bigram similarity of the two descriptions, rounded to a whole percent.
    pub similarity_percent: u8,
    /// The reply kind issued on the earlier application (a `ReplyKind::row_code`).
    pub reply_kind_code: String,
    /// The day the earlier reply was issued, from its `ReplyIssued` event; `None` only if the
    /// event is missing from a record that says the reply was issued.
    pub replied_on: Option<Date>,
}

impl Services {
    /// The same applicant's earlier answered applications to the same agency whose
    /// description is similar to this one's (at least the domain's
    /// `REPEAT_SIMILARITY_THRESHOLD`), most similar first, at most `REPEAT_CANDIDATES_MAX`.
    /// For staff of the application's agency only: whoever may not see the application hears
    /// that it does not exist, and the applicant is refused (the check is staff work).
    pub async fn earlier_similar_applications(
        &self,
        actor: &Actor,
        application_id: Uuid,
    ) -> ServiceResult<Vec<RepeatCandidate>> {
        let row = self
            .db
            .application_get(application_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !self.may_see(actor, &row) {
            return Err(ServiceError::NotFound);
        }
        if self.roles_in_agency(actor, row.agency_id).is_empty() {
            return Err(ServiceError::Forbidden);
        }
        let Some(applicant_account_id) = row.applicant_account_id else {
            return Ok(Vec::new());
        };
        let answered = self
            .db
            .answered_applications_of_applicant(
                applicant_account_id,
                row.agency_id,
                row.id,
                row.created_at,
                ANSWERED_APPLICATIONS_OF_APPLICANT_MAX,
            )
            .await?;
        // The threshold is the domain's, with its reason beside it: rewording keeps well over
        // half of the bigrams while a different request shares few. It was not tuned here.
        let mut similar: Vec<(f64, ApplicationRow)> = answered
            .into_iter()
            .map(|earlier| {
                let similarity = similar_descriptions(
                    &row.information_description,
                    &earlier.information_description,
                );
                (similarity, earlier)
            })
            .filter(|(similarity, _)| *similarity >= REPEAT_SIMILARITY_THRESHOLD)
            .collect();
        // Most similar first; among equals the newer reply, which staff would cite.
        similar.sort_by(|(a, row_a), (b, row_b)| {
            b.total_cmp(a)
                .then_with(|| row_b.created_at.cmp(&row_a.created_at))
                .then_with(|| row_b.receipt_number.cmp(&row_a.receipt_number))
        });
        similar.truncate(REPEAT_CANDIDATES_MAX);
        let mut candidates = Vec::with_capacity(similar.len());
        for (similarity, earlier) in similar {
            // The events are the record: the reply kind and date are read from them, with
            // the cached column as a fallback for the kind.
            let events: Vec<Event> = parse_events(self.db.application_events(earlier.id).await?)?
                .into_iter()
                .map(|(_, event)| event)
                .collect();
            let state = ApplicationState::replay(channel_of(&earlier.channel), &events);
            let replied_on = events.iter().rev().find_map(|event| match event {
                Event::ReplyIssued { on } => Some(*on),
                _ => None,
            });
            candidates.push(RepeatCandidate {
                application_id: earlier.id,
                receipt_number: earlier.receipt_number,
                similarity_percent: similarity_percent(similarity),
                reply_kind_code: state
                    .issued_reply_kind
                    .or(earlier.reply_kind)
                    .unwrap_or_default(),
                replied_on,
            });
        }
        Ok(candidates)
    }
}

/// A similarity in [0, 1] as a whole percent; anything outside the range (which the domain
/// never returns) is clamped rather than wrapped.
fn similarity_percent(similarity: f64) -> u8 {
    (similarity * 100.0).round().clamp(0.0, 100.0) as u8
}

#[cfg(test)]
mod tests {
    use super::similarity_percent;

    #[test]
    fn percentages_are_rounded_and_clamped() {
        for (similarity, percent) in [
            (0.0, 0),
            (0.6, 60),
            (0.666, 67),
            (1.0, 100),
            (1.5, 100),
            (-0.2, 0),
            (f64::NAN, 0),
        ] {
            assert_eq!(similarity_percent(similarity), percent, "{similarity}");
        }
    }
}
