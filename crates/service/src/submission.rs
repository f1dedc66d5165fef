//! Submitting an application (Art. 29) online, and registering one that arrived by another
//! channel (walk-in, letter, fax, e-mail, oral), each with a receipt number.
//!
//! A submission is idempotent: the form carries a one-time key, so a double click or a retried
//! POST finds the application the first attempt created instead of making a second one. The
//! application, its first event and its notice are written in one transaction, so an
//! acknowledged submission survives a crash.

use crate::applications::{ApplicationView, notice_for, outbox_row, summarise};
use crate::{Actor, ServiceError, ServiceResult, Services};
use gongkai_domain::application::{ApplicationState, Event, registration_channel};
use gongkai_domain::application_form::{
    ApplicationInput, CorrectionItem, ValidatedApplication, precheck, validate_application,
};
use gongkai_store::{ApplicationEventRow, ApplicationRow, StoreError};
use uuid::Uuid;

/// The longest idempotency key accepted from a form.
const IDEMPOTENCY_KEY_MAX_CHARS: usize = 100;

#[allow(clippy::too_many_arguments)]
fn row_from(
    id: Uuid,
    agency_id: Uuid,
    receipt_number: String,
    applicant_account_id: Option<Uuid>,
    idempotency_key: Option<String>,
    channel: &str,
    validated: &ValidatedApplication,
    now: time::OffsetDateTime,
) -> ApplicationRow {
    use gongkai_domain::application_form::Applicant;
    let (identity_kind, identity_number, organisation_code, legal_representative) =
        match &validated.applicant {
            Applicant::NaturalPerson { identity, .. } => (
                identity.kind.code().to_string(),
                identity.number().to_string(),
                String::new(),
                String::new(),
            ),
            Applicant::Organisation(o) => (
                "unified_social_credit_code".to_string(),
                o.organisation_code.clone(),
                o.organisation_code.clone(),
                o.legal_representative.clone(),
            ),
        };
    ApplicationRow {
        id,
        agency_id,
        receipt_number,
        applicant_account_id,
        idempotency_key,
        channel: channel.to_string(),
        applicant_kind: validated.applicant.kind().code().to_string(),
        applicant_name: validated.applicant.name().to_string(),
        identity_kind,
        identity_number,
        organisation_code,
        legal_representative,
        contact_phone: validated
            .contact
            .phone
            .as_ref()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        contact_email: validated.contact.email.clone().unwrap_or_default(),
        postal_address: validated.contact.postal_address.clone().unwrap_or_default(),
        information_description: validated.information_description.clone(),
        document_number: validated.document_number.clone().unwrap_or_default(),
        purpose: validated.purpose.clone().unwrap_or_default(),
        form_preference: validated.form_preference.code().to_string(),
        delivery_preference: validated.delivery_preference.code().to_string(),
        stage: "submitted".to_string(),
        receipt_date: None,
        reply_due_date: None,
        reply_due_provisional: false,
        lead_department_id: None,
        reply_kind: None,
        version: 0,
        created_at: now,
        updated_at: now,
    }
}

impl Services {
    /// Submits an application online to `agency_id` for the signed-in applicant.
    pub async fn submit_application(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        input: &ApplicationInput<'_>,
        idempotency_key: &str,
    ) -> ServiceResult<ApplicationRow> {
        self.agency(agency_id).await?;
        let key = idempotency_key.trim();
        let key = (!key.is_empty() && key.chars().count() <= IDEMPOTENCY_KEY_MAX_CHARS)
            .then(|| format!("{}:{key}", actor.account_id));
        if let Some(key) = &key
            && let Some(existing) = self.db.application_by_idempotency_key(key).await?
        {
            return Ok(existing);
        }
        let today = self.clock.today_in_china();
        let validated = validate_application(input, today)?;
        let result = self
            .insert_application(
                agency_id,
                Some(actor.account_id),
                key.clone(),
                "online",
                &validated,
                Event::Submitted { on: today },
                actor.account_id,
            )
            .await;
        match (result, &key) {
            // A concurrent retry with the same key won the race: answer with its application.
            (Err(ServiceError::Conflict { .. }), Some(key)) => self
                .db
                .application_by_idempotency_key(key)
                .await?
                .ok_or(ServiceError::Conflict { code: "conflict" }),
            (other, _) => other,
        }
    }

    /// Registers an application that arrived by another channel, with the legal receipt date
    /// of Art. 31 for that channel. Staff of the agency's intake roles only.
    pub async fn register_application(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        input: &ApplicationInput<'_>,
        channel: &str,
        receipt_date: &str,
    ) -> ServiceResult<ApplicationRow> {
        use gongkai_domain::account::Role;
        self.agency(agency_id).await?;
        let roles = self.roles_in_agency(actor, agency_id);
        if !roles
            .iter()
            .any(|r| matches!(r, Role::OgiOffice | Role::Clerk))
        {
            return Err(ServiceError::Forbidden);
        }
        let today = self.clock.today_in_china();
        let mut problems = match validate_application(input, today) {
            Ok(_) => gongkai_domain::form::FormProblems::new(),
            Err(p) => p,
        };
        if registration_channel(channel).is_none() {
            problems.add("channel", "channel_invalid");
        }
        let receipt = match gongkai_domain::calendar::parse_iso_date(receipt_date) {
            Ok(d) if d <= today => Some(d),
            Ok(_) => {
                problems.add("receipt_date", "date_in_future");
                None
            }
            Err(_) => {
                problems.add(
                    "receipt_date",
                    if receipt_date.trim().is_empty() {
                        "required"
                    } else {
                        "date_invalid"
                    },
                );
                None
            }
        };
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let validated = validate_application(input, today)?;
        let receipt_date = receipt.ok_or(ServiceError::invalid("receipt_date", "required"))?;
        self.insert_application(
            agency_id,
            None,
            None,
            channel,
            &validated,
            Event::Registered {
                channel: channel.to_string(),
                receipt_date,
            },
            actor.account_id,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_application(
        &self,
        agency_id: Uuid,
        applicant_account_id: Option<Uuid>,
        idempotency_key: Option<String>,
        channel: &str,
        validated: &ValidatedApplication,
        first_event: Event,
        actor_id: Uuid,
    ) -> ServiceResult<ApplicationRow> {
        let agency = self.agency(agency_id).await?;
        let now = self.clock.now();
        let year = self.clock.today_in_china().year();
        let id = Uuid::now_v7();
        let calendar = self.working_day_calendar().await?;
        let state = gongkai_domain::application::apply(
            ApplicationState::initial(crate::applications::channel_of(channel)),
            &first_event,
        );
        let (cache, _, _) = summarise(&state, &calendar);
        let mut tx = self.db.begin().await?;
        let sequence = tx.next_receipt_sequence(agency_id, year).await?;
        let receipt_number = format!("{}-{year}-{sequence:05}", agency.slug);
        let mut row = row_from(
            id,
            agency_id,
            receipt_number,
            applicant_account_id,
            idempotency_key,
            channel,
            validated,
            now,
        );
        row.stage = cache.stage.clone();
        row.receipt_date = cache.receipt_date;
        row.reply_due_date = cache.reply_due_date;
        row.reply_due_provisional = cache.reply_due_provisional;
        tx.application_insert(&row).await.map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict {
                code: "duplicate_submission",
            },
            other => other.into(),
        })?;
        tx.application_event_insert(&ApplicationEventRow {
            id: Uuid::now_v7(),
            application_id: id,
            seq: 0,
            kind: first_event.kind().to_string(),
            data: first_event.to_json(),
            actor_id: Some(actor_id),
            occurred_at: now,
        })
        .await?;
        let leaf = crate::transparency::application_event_leaf(
            &row.receipt_number,
            0,
            first_event.kind(),
            &first_event.to_json(),
            now,
        )?;
        crate::transparency::append_leaf(&mut tx, &leaf, now).await?;
        if let Some(notice) = notice_for(&row, &first_event) {
            tx.outbox_insert(&outbox_row(&row, notice, now)).await?;
        }
        tx.commit().await?;
        Ok(row)
    }

    /// The machine's form check of an application: the defects a correction notice would
    /// list (Art. 30), for staff to confirm, edit or discard.
    pub fn precheck_suggestions(&self, view: &ApplicationView) -> Vec<CorrectionItem> {
        let row = &view.row;
        let input = ApplicationInput {
            applicant_kind: &row.applicant_kind,
            name: &row.applicant_name,
            identity_kind: &row.identity_kind,
            identity_number: &row.identity_number,
            organisation_code: &row.organisation_code,
            legal_representative: &row.legal_representative,
            contact_phone: &row.contact_phone,
            contact_email: &row.contact_email,
            postal_address: &row.postal_address,
            information_description: &row.information_description,
            document_number: &row.document_number,
            purpose: &row.purpose,
            form_preference: &row.form_preference,
            delivery_preference: &row.delivery_preference,
        };
        match validate_application(&input, self.clock.today_in_china()) {
            Ok(validated) => precheck(&validated),
            Err(_) => Vec::new(),
        }
    }
}
