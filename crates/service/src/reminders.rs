//! Reminders before and after a reply is due: three working days before the effective due
//! date, and once when it has passed, to the handlers (承办人) and department heads (科室负责人)
//! of the application's agency — limited to the lead department when one is assigned.

use crate::{ServiceResult, Services};
use gongkai_domain::account::Role;
use gongkai_domain::calendar::format_iso_date;
use gongkai_store::OutboxRow;
use uuid::Uuid;

/// Reminders go out this many working days before the reply is due.
pub const REMINDER_WORKING_DAYS_BEFORE: u32 = 3;

impl Services {
    /// Writes the reminders that are due today and not yet written. Returns how many.
    pub async fn write_due_reminders(&self) -> ServiceResult<usize> {
        let calendar = self.working_day_calendar().await?;
        let today = self.clock.today_in_china();
        let horizon = calendar
            .add_working_days(today, REMINDER_WORKING_DAYS_BEFORE, Default::default())
            .date;
        let staff = self.db.account_list_staff().await?;
        let mut n_written = 0;
        for row in self.db.applications_due_by(horizon).await? {
            let Some(due) = row.reply_due_date else {
                continue;
            };
            let overdue = due < today;
            // The kind carries the due date, so a moved deadline (extension, pause) gets its
            // own reminder and an unchanged one is never repeated.
            let kind = format!(
                "{}:{}",
                if overdue {
                    "reminder_overdue"
                } else {
                    "reminder_due_soon"
                },
                format_iso_date(due)
            );
            if self.db.outbox_exists(row.id, &kind).await? {
                continue;
            }
            let (subject, body) = if overdue {
                (
                    format!("【逾期】申请 {} 已超过答复期限", row.receipt_number),
                    format!(
                        "申请 {} 的答复期限为 {}，现已逾期（条例第三十三条）。请尽快办理。\n\nApplication {} was due on {} and is overdue.",
                        row.receipt_number,
                        format_iso_date(due),
                        row.receipt_number,
                        format_iso_date(due)
                    ),
                )
            } else {
                (
                    format!(
                        "【提醒】申请 {} 将于 {} 到期",
                        row.receipt_number,
                        format_iso_date(due)
                    ),
                    format!(
                        "申请 {} 的答复期限为 {}（{} 个工作日内到期）。\n\nApplication {} is due on {}.",
                        row.receipt_number,
                        format_iso_date(due),
                        REMINDER_WORKING_DAYS_BEFORE,
                        row.receipt_number,
                        format_iso_date(due)
                    ),
                )
            };
            for account in &staff {
                if !account.is_active {
                    continue;
                }
                let grants = self.db.role_list_for_account(account.id).await?;
                let responsible = grants.iter().any(|g| {
                    g.agency_id == Some(row.agency_id)
                        && matches!(
                            Role::parse(&g.role),
                            Some(Role::Clerk | Role::DepartmentReviewer)
                        )
                        && match (&g.department_id, &row.lead_department_id) {
                            (Some(department), Some(lead)) => &department.to_string() == lead,
                            _ => true,
                        }
                });
                if !responsible {
                    continue;
                }
                let now = self.clock.now();
                self.db
                    .outbox_insert(&OutboxRow {
                        id: Uuid::now_v7(),
                        created_at: now,
                        kind: kind.clone(),
                        account_id: Some(account.id),
                        recipient_email: account.email.clone().unwrap_or_default(),
                        subject: subject.clone(),
                        body: body.clone(),
                        application_id: Some(row.id),
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
                n_written += 1;
            }
        }
        Ok(n_written)
    }

    /// The applicant rates the reply (1–5 with a comment), once it is issued.
    pub async fn rate_reply(
        &self,
        actor: &crate::Actor,
        application_id: Uuid,
        rating: &str,
        comment: &str,
    ) -> ServiceResult<()> {
        use gongkai_domain::application::Stage;
        let view = self.application(actor, application_id).await?;
        if view.row.applicant_account_id != Some(actor.account_id) {
            return Err(crate::ServiceError::Forbidden);
        }
        if !matches!(
            view.stage(),
            Stage::Issued | Stage::Delivered | Stage::Archived
        ) {
            return Err(crate::ServiceError::Conflict {
                code: "wrong_stage",
            });
        }
        let mut problems = gongkai_domain::form::FormProblems::new();
        let value = match rating.trim().parse::<i64>() {
            Ok(v) if (1..=5).contains(&v) => v,
            _ => {
                problems.add(
                    "rating",
                    if rating.trim().is_empty() {
                        "required"
                    } else {
                        "rating_invalid"
                    },
                );
                0
            }
        };
        if comment.chars().count() > 2000 {
            problems.add("rating_comment", "too_long");
        }
        if !problems.is_empty() {
            return Err(crate::ServiceError::Invalid(problems));
        }
        self.db
            .rating_upsert(&gongkai_store::RatingRow {
                application_id,
                rating: value,
                comment: comment.trim().to_string(),
                rated_at: self.clock.now(),
            })
            .await?;
        Ok(())
    }
}
