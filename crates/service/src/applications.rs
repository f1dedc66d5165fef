//! Disclosure applications: viewing, acting on them through the domain's state machine, the
//! staff queue and the applicant's own list.
//!
//! Every command runs as load → `domain::application::decide` → persist in ONE transaction:
//! the new events, the refreshed state cache (guarded by the version the actor saw, so of two
//! staff acting at the same moment exactly one wins) and the notifications in the outbox.

use crate::{Actor, ServiceError, ServiceResult, Services};
use gongkai_domain::account::Role;
use gongkai_domain::application::{
    Acting, ApplicationState, Command, Event, Rejection, Stage, TierRules, apply, decide,
};
use gongkai_domain::calendar::{WorkingDayCalendar, format_iso_date};
use gongkai_domain::deadline::{DeadlineRules, DeadlineSummary, ReceiptChannel, compute_deadlines};
pub use gongkai_store::{ApplicationEventRow, ApplicationRow, OutboxRow, QueueFilter, QueueSort};
use gongkai_store::{ApplicationStateCache, StoreError};
use time::Duration;
use uuid::Uuid;

/// Everything a page needs to show one application.
#[derive(Debug, Clone)]
pub struct ApplicationView {
    pub row: ApplicationRow,
    pub events: Vec<(ApplicationEventRow, Event)>,
    pub state: ApplicationState,
    /// `None` until the application is received (the clock has not started).
    pub deadlines: Option<DeadlineSummary>,
    /// Why the deadline engine could not compute, if it could not (shown to staff).
    pub deadline_problem: Option<String>,
}

impl ApplicationView {
    pub fn stage(&self) -> Stage {
        self.state.stage
    }
}

pub(crate) fn channel_of(code: &str) -> ReceiptChannel {
    match code {
        "in_person" | "oral" => ReceiptChannel::InPerson,
        "post_signed_for" => ReceiptChannel::PostSignedFor,
        "post_without_signature" => ReceiptChannel::PostWithoutSignature,
        "fax" => ReceiptChannel::Fax,
        "email" => ReceiptChannel::Email,
        _ => ReceiptChannel::Online,
    }
}

pub(crate) fn parse_events(
    rows: Vec<ApplicationEventRow>,
) -> ServiceResult<Vec<(ApplicationEventRow, Event)>> {
    rows.into_iter()
        .map(|row| {
            let event = Event::from_json(&row.data).map_err(|e| {
                ServiceError::Unexpected(anyhow::anyhow!(
                    "application {} event {} does not parse: {e}",
                    row.application_id,
                    row.seq
                ))
            })?;
            Ok((row, event))
        })
        .collect()
}

/// The state cache and deadlines for a state.
pub(crate) fn summarise(
    state: &ApplicationState,
    calendar: &WorkingDayCalendar,
) -> (
    ApplicationStateCache,
    Option<DeadlineSummary>,
    Option<String>,
) {
    let (deadlines, problem) = if state.clock_events.is_empty() {
        (None, None)
    } else {
        match compute_deadlines(&state.clock_events, calendar, &DeadlineRules::statutory()) {
            Ok(summary) => (Some(summary), None),
            Err(e) => (None, Some(e.to_string())),
        }
    };
    let reply = deadlines
        .as_ref()
        .filter(|_| state.stage.is_open())
        .and_then(|d| d.effective_reply());
    let cache = ApplicationStateCache {
        stage: state.stage.code().to_string(),
        receipt_date: state.receipt_date,
        reply_due_date: reply.map(|d| d.due.date),
        reply_due_provisional: reply.is_some_and(|d| d.due.provisional),
        lead_department_id: state.lead_department.clone(),
        reply_kind: state
            .issued_reply_kind
            .clone()
            .or_else(|| state.draft.as_ref().map(|d| d.reply_kind.clone())),
    };
    (cache, deadlines, problem)
}

/// The distinct staff roles an actor holds in an agency through the grants `counts` admits.
fn staff_roles(
    actor: &Actor,
    agency_id: Uuid,
    counts: impl Fn(&crate::RoleGrant) -> bool,
) -> Vec<Role> {
    let mut roles: Vec<Role> = actor
        .grants
        .iter()
        .filter(|g| g.agency_id == Some(agency_id) && g.role.is_staff() && counts(g))
        .map(|g| g.role)
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

fn rejection_to_error(rejection: Rejection) -> ServiceError {
    match rejection {
        Rejection::NotPermitted => ServiceError::Forbidden,
        Rejection::WrongStage(_) => ServiceError::Conflict {
            code: "wrong_stage",
        },
        other => ServiceError::Refused { code: other.code() },
    }
}

/// A notification for the applicant, written to the outbox in the same transaction.
pub(crate) struct Notice {
    pub kind: &'static str,
    pub subject: String,
    pub body: String,
}

/// The notice an applicant gets for an event, if any. Chinese first, English below.
pub(crate) fn notice_for(row: &ApplicationRow, event: &Event) -> Option<Notice> {
    let number = &row.receipt_number;
    let (kind, zh, en) = match event {
        Event::Submitted { .. } | Event::Registered { .. } => (
            "application_received",
            format!("您的政府信息公开申请已提交，申请编号 {number}。"),
            format!("Your application was submitted; its number is {number}."),
        ),
        Event::ReceiptConfirmed { receipt_date } => (
            "receipt_confirmed",
            format!(
                "申请 {number} 已于 {} 确认收到（条例第三十一条），答复期限自该日起计算。",
                format_iso_date(*receipt_date)
            ),
            format!(
                "Application {number} was confirmed as received on {} (Art. 31); the reply period counts from that day.",
                format_iso_date(*receipt_date)
            ),
        ),
        Event::CorrectionRequested { items, due, .. } => (
            "correction_requested",
            format!(
                "申请 {number} 需要补正（条例第三十条），请于 {} 前补正以下事项：\n- {}",
                format_iso_date(*due),
                items.join("\n- ")
            ),
            format!(
                "Application {number} needs correction (Art. 30) by {}; see the items listed above.",
                format_iso_date(*due)
            ),
        ),
        Event::ExtensionApproved {
            working_days,
            reason,
            ..
        } => (
            "extension_approved",
            format!(
                "申请 {number} 的答复期限经政府信息公开工作机构负责人同意延长 {working_days} 个工作日（条例第三十三条）。理由：{reason}"
            ),
            format!(
                "The reply period of application {number} was extended by {working_days} working days (Art. 33)."
            ),
        ),
        Event::ConsultationStarted { party, .. }
            if *party != gongkai_domain::application::ConsultationParty::Department =>
        {
            (
                "consultation_started",
                format!(
                    "申请 {number} 涉及征求意见，征求意见所需时间不计算在答复期限内（条例第三十三条）。"
                ),
                format!(
                    "Application {number} needs consultation; that time is not counted in the reply period (Art. 33)."
                ),
            )
        }
        Event::FeeNoticeIssued {
            amount_fen, due, ..
        } => (
            "fee_notice_issued",
            format!(
                "申请 {number} 需缴纳信息处理费 {}（《政府信息公开信息处理费管理办法》，国办函〔2020〕109号），请于 {} 前缴纳；缴费期间不计算答复期限，逾期未缴纳的不再处理。",
                gongkai_domain::fees::format_fen_as_yuan(*amount_fen),
                format_iso_date(*due)
            ),
            format!(
                "Application {number} incurs an information processing fee; pay by {}.",
                format_iso_date(*due)
            ),
        ),
        Event::FeePaymentLapsed { .. } => (
            "fee_payment_lapsed",
            format!("申请 {number} 逾期未缴纳信息处理费，行政机关不再处理。"),
            format!(
                "The fee for application {number} was not paid in time; the application is no longer handled."
            ),
        ),
        Event::ReplyIssued { .. } => (
            "reply_issued",
            format!("申请 {number} 已作出答复，请登录平台查看并下载答复书。"),
            format!(
                "Application {number} has been answered; sign in to read and download the reply."
            ),
        ),
        Event::CorrectionLapsed { .. } => (
            "correction_lapsed",
            format!("申请 {number} 未在补正期限内补正，视为放弃申请（条例第三十条）。"),
            format!(
                "Application {number} was not corrected in time and is deemed abandoned (Art. 30)."
            ),
        ),
        Event::Withdrawn { .. } => (
            "withdrawn",
            format!("申请 {number} 已撤回。"),
            format!("Application {number} was withdrawn."),
        ),
        _ => return None,
    };
    Some(Notice {
        kind,
        subject: format!(
            "【政府信息公开】{}",
            zh.chars().take(40).collect::<String>()
        ),
        body: format!("{zh}\n\n{en}\n"),
    })
}

/// A pending mail that is not about an application (subscriptions).
pub(crate) fn outbox_row_for(
    kind: &str,
    account_id: Option<Uuid>,
    email: &str,
    subject: &str,
    body: &str,
    application_id: Option<Uuid>,
    now: time::OffsetDateTime,
) -> gongkai_store::OutboxRow {
    OutboxRow {
        id: Uuid::now_v7(),
        created_at: now,
        kind: kind.to_string(),
        account_id,
        recipient_email: email.to_string(),
        subject: subject.to_string(),
        body: body.to_string(),
        application_id,
        status: "pending".to_string(),
        attempts: 0,
        next_attempt_at: now,
        sent_at: None,
        last_error: String::new(),
    }
}

pub(crate) fn outbox_row(
    row: &ApplicationRow,
    notice: Notice,
    now: time::OffsetDateTime,
) -> gongkai_store::OutboxRow {
    OutboxRow {
        id: Uuid::now_v7(),
        created_at: now,
        kind: notice.kind.to_string(),
        account_id: row.applicant_account_id,
        recipient_email: row.contact_email.clone(),
        subject: notice.subject,
        body: notice.body,
        application_id: Some(row.id),
        // Without an e-mail address the notice still appears in the site inbox.
        status: if row.contact_email.is_empty() {
            "inbox_only".to_string()
        } else {
            "pending".to_string()
        },
        attempts: 0,
        next_attempt_at: now,
        sent_at: None,
        last_error: String::new(),
    }
}

impl Services {
    /// The staff roles an actor holds in an agency (installation-wide grants do not make
    /// anyone a handler of applications).
    pub fn roles_in_agency(&self, actor: &Actor, agency_id: Uuid) -> Vec<Role> {
        staff_roles(actor, agency_id, |_| true)
    }

    /// The roles an actor may use on one application: those of the agency, where a grant
    /// scoped to a department (a department's clerk, reviewer or liaison) counts only while the
    /// application is not yet assigned (intake is the receiving office's work) or once it is
    /// assigned to that department (谁承办、谁负责). Staff of other departments still see the
    /// application; they cannot act on it.
    pub fn roles_for_application(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        assigned_departments: &[String],
    ) -> Vec<Role> {
        staff_roles(actor, agency_id, |grant| match grant.department_id {
            None => true,
            Some(department) => {
                assigned_departments.is_empty()
                    || assigned_departments
                        .iter()
                        .any(|d| d == &department.to_string())
            }
        })
    }

    /// The settings key of an agency's review tiers.
    fn tier_rules_key(agency_id: Uuid) -> String {
        format!("review_tiers/{agency_id}")
    }

    /// The review tiers in force for an agency (分级审核): its own configuration, or the default
    /// (routine: the department's reviewer; sensitive: plus the confidentiality review of
    /// Art. 17 and the leader's sign-off). A stored value that no longer passes the checks is
    /// ignored in favour of the default, never half-applied.
    pub async fn tier_rules(&self, agency_id: Uuid) -> ServiceResult<TierRules> {
        Ok(self
            .db
            .setting(&Self::tier_rules_key(agency_id))
            .await?
            .and_then(|text| TierRules::from_json(&text).ok())
            .unwrap_or_default())
    }

    /// Sets an agency's review tiers from role codes, for its administrators. Every problem is
    /// reported at once; replies already in review keep the steps they were given.
    pub async fn set_tier_rules(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        routine: &[String],
        sensitive: &[String],
        origin: &crate::RequestOrigin,
    ) -> ServiceResult<TierRules> {
        let tree = self.agency_tree().await?;
        if !self.administers(actor, &tree, agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let rules = TierRules::from_codes(routine, sensitive).map_err(ServiceError::Invalid)?;
        self.db
            .setting_set(&Self::tier_rules_key(agency_id), &rules.to_json())
            .await?;
        self.record_security_event(
            "review_tiers_updated",
            None,
            Some(actor.account_id),
            origin,
            serde_json::json!({ "agency_id": agency_id, "tiers": rules.to_json() }),
        )
        .await?;
        Ok(rules)
    }

    pub(crate) fn may_see(&self, actor: &Actor, row: &ApplicationRow) -> bool {
        row.applicant_account_id == Some(actor.account_id)
            || !self.roles_in_agency(actor, row.agency_id).is_empty()
    }

    pub(crate) async fn load_view(&self, row: ApplicationRow) -> ServiceResult<ApplicationView> {
        let calendar = self.working_day_calendar().await?;
        self.load_view_with(row, &calendar).await
    }

    /// `load_view` with a calendar the caller already holds (a command needs it several times).
    async fn load_view_with(
        &self,
        row: ApplicationRow,
        calendar: &WorkingDayCalendar,
    ) -> ServiceResult<ApplicationView> {
        let events = parse_events(self.db.application_events(row.id).await?)?;
        let plain: Vec<Event> = events.iter().map(|(_, e)| e.clone()).collect();
        let state = ApplicationState::replay(channel_of(&row.channel), &plain);
        let (_, deadlines, deadline_problem) = summarise(&state, calendar);
        Ok(ApplicationView {
            row,
            events,
            state,
            deadlines,
            deadline_problem,
        })
    }

    /// One application, for its applicant or the staff of its agency.
    pub async fn application(&self, actor: &Actor, id: Uuid) -> ServiceResult<ApplicationView> {
        let row = self
            .db
            .application_get(id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !self.may_see(actor, &row) {
            // Someone else's application does not exist, as far as this actor can tell.
            return Err(ServiceError::NotFound);
        }
        self.load_view(row).await
    }

    /// Runs one command. `expected_version` is the version the actor's page showed; if the
    /// application moved on since, nothing is written and the actor hears of the conflict.
    pub async fn act_on_application(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: i64,
        command: Command,
    ) -> ServiceResult<ApplicationView> {
        let row = self
            .db
            .application_get(id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !self.may_see(actor, &row) {
            return Err(ServiceError::NotFound);
        }
        if row.version != expected_version {
            return Err(ServiceError::Conflict {
                code: "stale_version",
            });
        }
        let calendar = self.working_day_calendar().await?;
        let view = self.load_view_with(row, &calendar).await?;
        let roles = self.roles_for_application(actor, view.row.agency_id, &view.state.departments);
        let tiers = self.tier_rules(view.row.agency_id).await?;
        let acting = Acting {
            roles: &roles,
            is_applicant: view.row.applicant_account_id == Some(actor.account_id),
            today: self.clock.today_in_china(),
            tier_rules: &tiers,
        };
        let new_events = decide(&view.state, &command, &acting).map_err(rejection_to_error)?;
        let state = new_events.iter().fold(view.state.clone(), apply);
        let (cache, _, _) = summarise(&state, &calendar);
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let first_seq = view.events.len() as i64;
        for (i, event) in new_events.iter().enumerate() {
            tx.application_event_insert(&ApplicationEventRow {
                id: Uuid::now_v7(),
                application_id: id,
                seq: first_seq + i as i64,
                kind: event.kind().to_string(),
                data: event.to_json(),
                actor_id: Some(actor.account_id),
                occurred_at: now,
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => ServiceError::Conflict {
                    code: "stale_version",
                },
                other => other.into(),
            })?;
            let leaf = crate::transparency::application_event_leaf(
                &view.row.receipt_number,
                first_seq + i as i64,
                event.kind(),
                &event.to_json(),
                now,
            )?;
            crate::transparency::append_leaf(&mut tx, &leaf, now).await?;
            if let Some(mut notice) = notice_for(&view.row, event) {
                // An applicant who asked for delivery by e-mail receives the reply letter
                // itself in the message, not only the news that it exists.
                if let (Event::ReplyIssued { .. }, Some(draft)) = (event, &state.draft)
                    && view.row.delivery_preference == "email"
                {
                    notice.body = format!(
                        "{}\n\n——— 答复书 / Reply ———\n\n{}\n",
                        notice.body.trim_end(),
                        draft.body
                    );
                }
                tx.outbox_insert(&outbox_row(&view.row, notice, now))
                    .await?;
            }
        }
        if !tx
            .application_update_state(id, expected_version, &cache, now)
            .await?
        {
            return Err(ServiceError::Conflict {
                code: "stale_version",
            });
        }
        tx.commit().await?;
        let row = self
            .db
            .application_get(id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.load_view_with(row, &calendar).await
    }

    /// The staff queue of every agency where the actor handles applications.
    pub async fn application_queue(
        &self,
        actor: &Actor,
        mut filter: QueueFilter,
    ) -> ServiceResult<Vec<ApplicationRow>> {
        let tree = self.agency_tree().await?;
        let agencies: Vec<Uuid> = tree
            .agencies
            .iter()
            .map(|a| a.id)
            .filter(|id| !self.roles_in_agency(actor, *id).is_empty())
            .collect();
        filter.agency_ids = if filter.agency_ids.is_empty() {
            agencies
        } else {
            filter
                .agency_ids
                .into_iter()
                .filter(|id| agencies.contains(id))
                .collect()
        };
        if filter.agency_ids.is_empty() {
            return Err(ServiceError::Forbidden);
        }
        if filter.limit == 0 {
            filter.limit = 50;
        }
        Ok(self.db.application_queue(&filter).await?)
    }

    /// The applicant's own applications, newest first.
    pub async fn my_applications(&self, actor: &Actor) -> ServiceResult<Vec<ApplicationRow>> {
        Ok(self
            .db
            .applications_of_account(actor.account_id, 200)
            .await?)
    }

    /// The site inbox: every notice sent (or to be sent) to the actor.
    pub async fn inbox(&self, actor: &Actor) -> ServiceResult<Vec<OutboxRow>> {
        Ok(self.db.outbox_for_account(actor.account_id, 100).await?)
    }

    /// Recomputes the due-date cache of every open application, after the calendar changed
    /// (a newly published holiday moves deadlines). Returns how many were looked at.
    pub async fn recompute_open_deadlines(&self) -> ServiceResult<usize> {
        let calendar = self.working_day_calendar().await?;
        let ids = self.db.application_open_ids().await?;
        for id in &ids {
            let Some(row) = self.db.application_get(*id).await? else {
                continue;
            };
            let events = parse_events(self.db.application_events(*id).await?)?;
            let plain: Vec<Event> = events.into_iter().map(|(_, e)| e).collect();
            let state = ApplicationState::replay(channel_of(&row.channel), &plain);
            let (cache, _, _) = summarise(&state, &calendar);
            self.db
                .application_set_due(*id, cache.reply_due_date, cache.reply_due_provisional)
                .await?;
        }
        Ok(ids.len())
    }

    /// How many working days remain until a date, from today (negative when overdue).
    pub fn working_days_left(&self, calendar: &WorkingDayCalendar, due: time::Date) -> i64 {
        let today = self.clock.today_in_china();
        if due >= today {
            i64::from(calendar.working_days_between(today, due))
        } else {
            -i64::from(calendar.working_days_between(due, today))
        }
    }
}

/// How long a worker may hold a claimed outbox row before another may take it.
pub const OUTBOX_LEASE: Duration = Duration::minutes(5);

/// One row of the department dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepartmentWorkload {
    /// Empty for applications not yet assigned.
    pub department_id: String,
    pub n_open: i64,
    pub n_overdue: i64,
    pub n_due_soon: i64,
    pub n_answered: i64,
    pub n_closed_otherwise: i64,
}

impl Services {
    /// The workload of each department of an agency, for its leaders and OGI office: open,
    /// overdue, due within three working days, answered, and closed without a reply.
    pub async fn department_workload(
        &self,
        actor: &Actor,
        agency_id: Uuid,
    ) -> ServiceResult<Vec<DepartmentWorkload>> {
        if self.roles_in_agency(actor, agency_id).is_empty() {
            return Err(ServiceError::Forbidden);
        }
        let calendar = self.working_day_calendar().await?;
        let today = self.clock.today_in_china();
        let soon = calendar
            .add_working_days(
                today,
                crate::REMINDER_WORKING_DAYS_BEFORE,
                Default::default(),
            )
            .date;
        let mut rows: Vec<DepartmentWorkload> = Vec::new();
        for stat in self.db.application_stats(agency_id, today, soon).await? {
            let index = match rows
                .iter()
                .position(|r| r.department_id == stat.lead_department_id)
            {
                Some(i) => i,
                None => {
                    rows.push(DepartmentWorkload {
                        department_id: stat.lead_department_id.clone(),
                        ..Default::default()
                    });
                    rows.len() - 1
                }
            };
            let row = &mut rows[index];
            match Stage::parse(&stat.stage) {
                Some(stage) if stage.is_open() => {
                    row.n_open += stat.n_applications;
                    row.n_overdue += stat.n_overdue;
                    row.n_due_soon += stat.n_due_soon;
                }
                Some(Stage::Issued | Stage::Delivered | Stage::Archived) => {
                    row.n_answered += stat.n_applications
                }
                _ => row.n_closed_otherwise += stat.n_applications,
            }
        }
        Ok(rows)
    }
}

impl Services {
    /// The standard letter of a reply kind filled in from the application (domain::reply's
    /// template), so that a draft begins with correct legal wording. Placeholders without a
    /// value stay as visible blanks for staff to complete.
    pub fn standard_reply_body(
        &self,
        view: &ApplicationView,
        kind: gongkai_domain::reply::ReplyKind,
    ) -> String {
        self.standard_reply_body_with_reasons(view, kind, None)
    }

    fn standard_reply_body_with_reasons(
        &self,
        view: &ApplicationView,
        kind: gongkai_domain::reply::ReplyKind,
        reasons: Option<&str>,
    ) -> String {
        let row = &view.row;
        let mut values = std::collections::HashMap::new();
        values.insert("applicant_name", row.applicant_name.clone());
        values.insert(
            "receipt_date",
            view.state
                .receipt_date
                .map(format_iso_date)
                .unwrap_or_default(),
        );
        values.insert(
            "information_description",
            row.information_description.clone(),
        );
        values.insert("reply_date", format_iso_date(self.clock.today_in_china()));
        values.insert("receipt_number", row.receipt_number.clone());
        if let Some(reasons) = reasons {
            values.insert("reasons", reasons.to_string());
        }
        gongkai_domain::reply::fill_with_blanks(kind.template_zh(), &values)
    }

    /// The standard letter of `kind` for this application, as `standard_reply_body`, where a
    /// partial disclosure (Art. 37) also states in its `{reasons}` blank what the confirmed
    /// redaction reviews of the application withheld under Art. 15 ("依据…第十五条（个人隐私），
    /// 不予公开N处"). Staff complete or change the letter before it is reviewed.
    pub async fn standard_reply_letter(
        &self,
        view: &ApplicationView,
        kind: gongkai_domain::reply::ReplyKind,
    ) -> ServiceResult<String> {
        let reasons = if kind == gongkai_domain::reply::ReplyKind::PartiallyDisclosed {
            let counts = self.withheld_under_article_15(view.row.id).await?;
            crate::redaction::withheld_statement_zh(&counts)
        } else {
            None
        };
        Ok(self.standard_reply_body_with_reasons(view, kind, reasons.as_deref()))
    }
}

/// Third parties (Art. 32) and co-making agencies (Art. 34) have 15 working days to answer.
pub const CONSULTATION_WORKING_DAYS: u32 = 15;
/// A department of the same agency is asked to answer within 5 working days.
pub const DEPARTMENT_CONSULTATION_WORKING_DAYS: u32 = 5;

impl Services {
    /// The answer date of a consultation started today, on the calendar in force (imported
    /// years included).
    pub async fn consultation_due(
        &self,
        party: gongkai_domain::application::ConsultationParty,
    ) -> ServiceResult<time::Date> {
        let working_days = match party {
            gongkai_domain::application::ConsultationParty::Department => {
                DEPARTMENT_CONSULTATION_WORKING_DAYS
            }
            _ => CONSULTATION_WORKING_DAYS,
        };
        let calendar = self.working_day_calendar().await?;
        Ok(calendar
            .add_working_days(
                self.clock.today_in_china(),
                working_days,
                Default::default(),
            )
            .date)
    }
}

/// The issued reply letter of an application, as plain parts for a printable rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedReplyLetter {
    pub receipt_number: String,
    pub applicant_name: String,
    pub agency_name: String,
    pub issued_on: time::Date,
    pub paragraphs: Vec<String>,
}

impl Services {
    /// The reply letter as issued (Art. 36), for the applicant and the agency's staff; not
    /// before it is issued, because a draft is not an answer.
    pub async fn issued_reply_letter(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ServiceResult<IssuedReplyLetter> {
        let view = self.application(actor, id).await?;
        let issued_on = view
            .events
            .iter()
            .rev()
            .find_map(|(_, event)| match event {
                Event::ReplyIssued { on } => Some(*on),
                _ => None,
            })
            .ok_or(ServiceError::Refused {
                code: "reply_not_issued",
            })?;
        let draft = view.state.draft.clone().ok_or(ServiceError::Refused {
            code: "reply_not_issued",
        })?;
        let agency = self
            .db
            .agency_get(view.row.agency_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(IssuedReplyLetter {
            receipt_number: view.row.receipt_number.clone(),
            applicant_name: view.row.applicant_name.clone(),
            agency_name: agency.name_zh,
            issued_on,
            paragraphs: draft
                .body
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
        })
    }
}
