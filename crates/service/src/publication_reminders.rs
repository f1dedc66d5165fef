//! Reminders of late publication duties to the department that owns them (谁产生、谁公开):
//! information formed or changed but not published within 20 working days (Art. 26), and
//! periodic catalog items missing their update. They go through the outbox like every notice:
//! the messages and the record that today's reminder was sent are written in one transaction,
//! the SMTP worker delivers them, and each duty is reminded at most once a day.

use crate::documents::{CatalogItemData, PublicationOverdue};
use crate::{ServiceResult, Services};
use gongkai_domain::account::Role;
use gongkai_domain::calendar::format_iso_date;
use gongkai_store::{AccountRow, AgencyRow, DepartmentRow, OutboxRow, RoleAssignmentRow};
use uuid::Uuid;

/// The outbox kind of these reminders (followed by `:{duty kind}:{reference}:{day}`).
pub const PUBLICATION_REMINDER_KIND: &str = "publication_overdue";

/// The department named as responsible for a catalog item, matched on its Chinese or English
/// name (the catalog stores the name people typed).
fn owning_department<'a>(
    departments: &'a [DepartmentRow],
    name: &str,
) -> Option<&'a DepartmentRow> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    departments
        .iter()
        .find(|d| d.name_zh.trim() == name || d.name_en.trim() == name)
}

/// Who is reminded: the owning department's clerks and reviewers; when the item names no
/// known department or nobody works in it, the OGI office, which answers for the catalog.
fn reminder_recipients<'a>(
    staff: &'a [(AccountRow, Vec<RoleAssignmentRow>)],
    agency_id: Uuid,
    department: Option<&DepartmentRow>,
) -> Vec<&'a AccountRow> {
    let in_department: Vec<&AccountRow> = match department {
        Some(department) => staff
            .iter()
            .filter(|(_, grants)| {
                grants.iter().any(|g| {
                    g.agency_id == Some(agency_id)
                        && g.department_id == Some(department.id)
                        && matches!(
                            Role::parse(&g.role),
                            Some(Role::Clerk | Role::DepartmentReviewer)
                        )
                })
            })
            .map(|(account, _)| account)
            .collect(),
        None => Vec::new(),
    };
    if !in_department.is_empty() {
        return in_department;
    }
    staff
        .iter()
        .filter(|(_, grants)| {
            grants.iter().any(|g| {
                g.agency_id == Some(agency_id) && Role::parse(&g.role) == Some(Role::OgiOffice)
            })
        })
        .map(|(account, _)| account)
        .collect()
}

fn reminder_text(
    agency: &AgencyRow,
    duty: &PublicationOverdue,
    department: Option<&DepartmentRow>,
    staff_url: &str,
) -> (String, String) {
    let since = format_iso_date(duty.since);
    let due = format_iso_date(duty.due);
    let owner = department
        .map(|d| d.name_zh.clone())
        .unwrap_or_else(|| "（未指定责任部门，请政务公开工作机构分派）".to_string());
    let (what_zh, what_en) = if duty.kind == "unpublished_change" {
        (
            format!(
                "信息「{}」（{}）于 {since} 形成或变更，应在 20 个工作日内即 {due} 前公开（条例第二十六条），至今未公开，已逾期 {} 个工作日。",
                duty.subject, duty.reference, duty.working_days_late
            ),
            format!(
                "\"{}\" ({}) was formed or changed on {since} and had to be published within 20 working days, by {due} (Art. 26); it is {} working days late.",
                duty.subject, duty.reference, duty.working_days_late
            ),
        )
    } else {
        (
            format!(
                "目录项「{}」（{}）的定期更新在 {since} 结束的周期内未公开，应于 {due} 前更新，已逾期 {} 个工作日。",
                duty.subject, duty.reference, duty.working_days_late
            ),
            format!(
                "Catalog item \"{}\" ({}) missed the update of the period that ended on {since}; it was due by {due} and is {} working days late.",
                duty.subject, duty.reference, duty.working_days_late
            ),
        )
    };
    let subject = format!("【逾期未公开】{}：{}", agency.name_zh, duty.subject);
    let body = format!(
        "{owner}：\n\n{what_zh}\n请尽快办理：{staff_url}\n\n{what_en}\nPlease publish it: {staff_url}\n\n（每项每天至多提醒一次。One reminder per item per day at most.）"
    );
    (subject, body)
}

impl Services {
    /// Writes today's reminders of late publication duties, for every agency, to the outbox.
    /// Returns how many messages were written (none for a duty already reminded today).
    pub async fn write_publication_overdue_reminders(&self) -> ServiceResult<usize> {
        let today = self.clock.today_in_china();
        let mut staff = Vec::new();
        for account in self.db.account_list_staff().await? {
            if !account.is_active {
                continue;
            }
            let grants = self.db.role_list_for_account(account.id).await?;
            staff.push((account, grants));
        }
        let staff_url = format!(
            "{}/staff/documents",
            self.config.public_base_url.trim_end_matches('/')
        );
        let mut n_written = 0;
        for agency in self.db.agency_list().await? {
            let overdue = self.publication_overdue(agency.id).await?;
            if overdue.is_empty() {
                continue;
            }
            let catalog = self.db.catalog_items(agency.id).await?;
            let departments = self.db.department_list(agency.id).await?;
            for duty in &overdue {
                // A late document belongs to its catalog item's department; a periodic item
                // names its own.
                let catalog_code = if duty.kind == "unpublished_change" {
                    self.db
                        .document_by_external_id(&duty.reference)
                        .await?
                        .and_then(|d| d.catalog_code)
                } else {
                    Some(duty.reference.clone())
                };
                let responsible = catalog_code
                    .and_then(|code| catalog.iter().find(|item| item.code == code))
                    .and_then(|item| serde_json::from_str::<CatalogItemData>(&item.data).ok())
                    .map(|data| data.responsible_department)
                    .unwrap_or_default();
                let department = owning_department(&departments, &responsible);
                let recipients = reminder_recipients(&staff, agency.id, department);
                if recipients.is_empty() {
                    tracing::warn!(agency = %agency.slug, reference = %duty.reference, "late publication duty with nobody to remind");
                    continue;
                }
                let (subject, body) = reminder_text(&agency, duty, department, &staff_url);
                let kind = format!(
                    "{PUBLICATION_REMINDER_KIND}:{}:{}:{}",
                    duty.kind,
                    duty.reference,
                    format_iso_date(today)
                );
                let now = self.clock.now();
                let mut tx = self.db.begin().await?;
                if !tx
                    .publication_reminder_insert(
                        agency.id,
                        duty.kind,
                        &duty.reference,
                        today,
                        recipients.len() as i64,
                        now,
                    )
                    .await?
                {
                    // Already reminded today; dropping the transaction writes nothing.
                    continue;
                }
                for account in &recipients {
                    tx.outbox_insert(&OutboxRow {
                        id: Uuid::now_v7(),
                        created_at: now,
                        kind: kind.clone(),
                        account_id: Some(account.id),
                        recipient_email: account.email.clone().unwrap_or_default(),
                        subject: subject.clone(),
                        body: body.clone(),
                        application_id: None,
                        // An account without e-mail still sees the notice in its inbox.
                        status: if account.email.is_some() {
                            "pending"
                        } else {
                            "inbox_only"
                        }
                        .to_string(),
                        attempts: 0,
                        next_attempt_at: now,
                        sent_at: None,
                        last_error: String::new(),
                    })
                    .await?;
                }
                tx.commit().await?;
                n_written += recipients.len();
            }
        }
        Ok(n_written)
    }
}
