//! E-mail subscriptions to new publications (all documents, or one catalog item, topic or
//! issuer): double opt-in, daily or weekly digests, one-click unsubscribe (RFC 8058).
//!
//! Tokens in links are HMACs of the subscription id under the installation secret, so nothing
//! secret is stored and a link cannot be forged for another subscription.

use crate::applications::outbox_row_for;
use crate::{Actor, ServiceError, ServiceResult, Services, constant_time_eq, hmac_sha256_hex};
use gongkai_domain::form::FormProblems;
use gongkai_store::SubscriptionRow;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub const SUBSCRIPTION_FILTER_KINDS: [&str; 4] = ["all", "catalog", "topic", "issuer"];
pub const SUBSCRIPTION_FREQUENCIES: [&str; 2] = ["daily", "weekly"];

/// What a person asks to receive.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionRequest {
    pub email: String,
    pub filter_kind: String,
    pub filter_value: String,
    pub frequency: String,
}

fn frequency_period(frequency: &str) -> Duration {
    if frequency == "weekly" {
        Duration::days(7)
    } else {
        Duration::days(1)
    }
}

fn filter_label(kind: &str, value: &str) -> String {
    match kind {
        "catalog" => format!("目录事项 {value}"),
        "topic" => format!("主题 {value}"),
        "issuer" => format!("发布机构 {value}"),
        _ => "全部新公开文件".to_string(),
    }
}

impl Services {
    async fn subscription_token(&self, purpose: &str, id: Uuid) -> ServiceResult<String> {
        let secret = self.installation_secret().await?;
        Ok(hmac_sha256_hex(
            &secret,
            format!("{purpose}:{id}").as_bytes(),
        ))
    }

    fn link(&self, path_and_query: &str) -> String {
        format!(
            "{}{path_and_query}",
            self.config.public_base_url.trim_end_matches('/')
        )
    }

    /// Records a subscription as pending and mails the confirmation link (double opt-in: no
    /// digest is sent to an address whose owner did not confirm). Asking again for a pending
    /// one sends the link again; an active one is refused as a duplicate.
    pub async fn subscribe(
        &self,
        actor: Option<&Actor>,
        request: &SubscriptionRequest,
    ) -> ServiceResult<Uuid> {
        let mut problems = FormProblems::new();
        let email = request.email.trim().to_lowercase();
        if email.is_empty() {
            problems.add("email", "required");
        } else if email.len() > 254
            || !email.contains('@')
            || email.starts_with('@')
            || email.ends_with('@')
            || email
                .chars()
                .any(|c| c.is_whitespace() || c == '<' || c == '>')
        {
            problems.add("email", "email_invalid");
        }
        let kind = request.filter_kind.trim();
        if !SUBSCRIPTION_FILTER_KINDS.contains(&kind) {
            problems.add("kind", "invalid_choice");
        }
        let value = if kind == "all" {
            String::new()
        } else {
            request.filter_value.replace('\0', "").trim().to_string()
        };
        if kind != "all" && SUBSCRIPTION_FILTER_KINDS.contains(&kind) && value.is_empty() {
            problems.add("value", "required");
        } else if value.chars().count() > 100 {
            problems.add("value", "too_long");
        }
        let frequency = request.frequency.trim();
        if !SUBSCRIPTION_FREQUENCIES.contains(&frequency) {
            problems.add("frequency", "invalid_choice");
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let now = self.clock.now();
        let row = match self.db.subscription_find(&email, kind, &value).await? {
            Some(existing) if existing.status == "active" => {
                return Err(ServiceError::Conflict {
                    code: "already_subscribed",
                });
            }
            Some(mut existing) => {
                existing.status = "pending".to_string();
                existing.frequency = frequency.to_string();
                existing.account_id = existing.account_id.or(actor.map(|a| a.account_id));
                self.db.subscription_update(&existing).await?;
                existing
            }
            None => {
                let row = SubscriptionRow {
                    id: Uuid::now_v7(),
                    email: email.clone(),
                    account_id: actor.map(|a| a.account_id),
                    filter_kind: kind.to_string(),
                    filter_value: value.clone(),
                    frequency: frequency.to_string(),
                    status: "pending".to_string(),
                    created_at: now,
                    confirmed_at: None,
                    last_sent_at: None,
                };
                self.db.subscription_insert(&row).await?;
                row
            }
        };
        let token = self.subscription_token("confirm", row.id).await?;
        let link = self.link(&format!(
            "/subscriptions/confirm?id={}&token={token}",
            row.id
        ));
        let body = format!(
            "您好：\n\n有人（希望是您本人）用本邮箱订阅了“{}”的{}更新。\n请打开以下链接确认订阅；如非本人操作，请忽略本邮件，我们不会再发送。\n\n{link}\n\nSomeone (hopefully you) subscribed this address to new publications. Open the link above to confirm; otherwise ignore this message.\n",
            filter_label(kind, &value),
            if frequency == "weekly" {
                "每周"
            } else {
                "每日"
            },
        );
        let mut tx = self.db.begin().await?;
        tx.outbox_insert(&outbox_row_for(
            "subscription_confirm",
            None,
            &email,
            "请确认您的订阅 / Confirm your subscription",
            &body,
            None,
            now,
        ))
        .await?;
        tx.commit().await?;
        Ok(row.id)
    }

    async fn check_token(
        &self,
        purpose: &str,
        id: Uuid,
        token: &str,
    ) -> ServiceResult<SubscriptionRow> {
        let row = self
            .db
            .subscription_get(id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let expected = self.subscription_token(purpose, id).await?;
        if !constant_time_eq(&expected, token.trim()) {
            return Err(ServiceError::NotFound);
        }
        Ok(row)
    }

    /// Confirms a subscription from the link in the confirmation mail.
    pub async fn confirm_subscription(
        &self,
        id: Uuid,
        token: &str,
    ) -> ServiceResult<SubscriptionRow> {
        let mut row = self.check_token("confirm", id, token).await?;
        if row.status != "active" {
            row.status = "active".to_string();
            let now = self.clock.now();
            row.confirmed_at = Some(now);
            // The first digest covers what is published from now on, not the whole archive.
            row.last_sent_at = Some(now);
            self.db.subscription_update(&row).await?;
        }
        Ok(row)
    }

    /// Ends a subscription from the link in a digest (or the mail program's one-click
    /// button); repeating it is harmless.
    pub async fn unsubscribe(&self, id: Uuid, token: &str) -> ServiceResult<SubscriptionRow> {
        let mut row = self.check_token("unsubscribe", id, token).await?;
        if row.status != "unsubscribed" {
            row.status = "unsubscribed".to_string();
            self.db.subscription_update(&row).await?;
        }
        Ok(row)
    }

    /// Ends one of the signed-in person's own subscriptions from the account page.
    pub async fn unsubscribe_own(&self, actor: &Actor, id: Uuid) -> ServiceResult<()> {
        let token = self.subscription_token("unsubscribe", id).await?;
        let row = self
            .db
            .subscription_get(id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let own = row.account_id == Some(actor.account_id)
            || actor
                .email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(&row.email));
        if !own {
            return Err(ServiceError::NotFound);
        }
        self.unsubscribe(id, &token).await?;
        Ok(())
    }

    pub async fn my_subscriptions(&self, actor: &Actor) -> ServiceResult<Vec<SubscriptionRow>> {
        Ok(self
            .db
            .subscriptions_of(actor.account_id, actor.email.as_deref().unwrap_or(""))
            .await?)
    }

    /// The unsubscribe address of a subscription (for its digests and the account page).
    pub async fn unsubscribe_link(&self, id: Uuid) -> ServiceResult<String> {
        let token = self.subscription_token("unsubscribe", id).await?;
        Ok(self.link(&format!("/subscriptions/unsubscribe?id={id}&token={token}")))
    }

    /// Writes the digests that are due: for every active subscription whose period has
    /// passed, the documents published or corrected since its last digest (none: no mail,
    /// and the period starts again). Returns the number of digests written.
    pub async fn write_due_digests(&self) -> ServiceResult<u64> {
        let now: OffsetDateTime = self.clock.now();
        let mut written = 0;
        for subscription in self.db.subscriptions_active().await? {
            let since = subscription
                .last_sent_at
                .or(subscription.confirmed_at)
                .unwrap_or(subscription.created_at);
            if now - since < frequency_period(&subscription.frequency) {
                continue;
            }
            let documents = self
                .db
                .documents_changed_between(
                    &subscription.filter_kind,
                    &subscription.filter_value,
                    since,
                    now,
                )
                .await?;
            // Computed before the transaction: it may write the installation secret, and on
            // SQLite a second writer inside an open write transaction would wait on itself.
            let unsubscribe = self.unsubscribe_link(subscription.id).await?;
            let mut tx = self.db.begin().await?;
            if !documents.is_empty() {
                let mut body = format!(
                    "“{}”自上次通知以来新公开或更正了 {} 件文件：\n\n",
                    filter_label(&subscription.filter_kind, &subscription.filter_value),
                    documents.len()
                );
                for (external_id, title, index_number) in &documents {
                    body.push_str(&format!(
                        "· {title}（索引号 {index_number}）\n  {}\n",
                        self.link(&format!("/documents/{external_id}"))
                    ));
                }
                body.push_str(&format!("\n退订 / Unsubscribe: {unsubscribe}\n"));
                let row = outbox_row_for(
                    "subscription_digest",
                    subscription.account_id,
                    &subscription.email,
                    &format!("新公开文件 {} 件 / New publications", documents.len()),
                    &body,
                    None,
                    now,
                );
                tx.outbox_insert(&row).await?;
                tx.outbox_list_unsubscribe_insert(row.id, &unsubscribe)
                    .await?;
                written += 1;
            }
            tx.subscription_mark_sent(subscription.id, now).await?;
            tx.commit().await?;
        }
        Ok(written)
    }
}
