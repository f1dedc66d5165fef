//! The outbox worker: sends the notices that commands wrote to the outbox, with retries and
//! exponential backoff. Several processes may run it at once over PostgreSQL; claiming rows
//! with a lease (SKIP LOCKED) keeps each message with one sender.

use crate::{OUTBOX_LEASE, ServiceResult, Services};
use gongkai_notify::Mailer;
use time::Duration;

/// How many notices one batch claims.
pub const OUTBOX_BATCH_MAX: i64 = 20;
/// After this many failed attempts a notice is given up and marked `failed`.
pub const OUTBOX_ATTEMPTS_MAX: i64 = 6;

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxBatch {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// The wait before attempt `attempts + 1`: 1, 2, 4, 8, 16 minutes.
pub fn outbox_backoff(attempts: i64) -> Duration {
    Duration::minutes(1_i64 << attempts.clamp(0, 10))
}

impl Services {
    /// Claims and sends one batch of due notices.
    pub async fn deliver_outbox_batch(&self, mailer: &Mailer) -> ServiceResult<OutboxBatch> {
        let now = self.clock.now();
        let claimed = self
            .db
            .outbox_claim(now, now + OUTBOX_LEASE, OUTBOX_BATCH_MAX)
            .await?;
        let mut batch = OutboxBatch::default();
        for row in claimed {
            let attempts = row.attempts + 1;
            let list_unsubscribe = self.db.outbox_list_unsubscribe(row.id).await?;
            match mailer
                .send_with_unsubscribe(
                    &row.recipient_email,
                    &row.subject,
                    &row.body,
                    list_unsubscribe.as_deref(),
                )
                .await
            {
                Ok(()) => {
                    self.db
                        .outbox_mark(row.id, "sent", attempts, now, Some(self.clock.now()), "")
                        .await?;
                    batch.sent += 1;
                }
                Err(e) => {
                    let message = e.to_string();
                    tracing::warn!(outbox_id = %row.id, attempts, error = %message, "notice not sent");
                    if attempts >= OUTBOX_ATTEMPTS_MAX {
                        self.db
                            .outbox_mark(row.id, "failed", attempts, now, None, &message)
                            .await?;
                        batch.failed += 1;
                    } else {
                        self.db
                            .outbox_mark(
                                row.id,
                                "pending",
                                attempts,
                                now + outbox_backoff(attempts - 1),
                                None,
                                &message,
                            )
                            .await?;
                        batch.retried += 1;
                    }
                }
            }
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles() {
        assert_eq!(outbox_backoff(0), Duration::minutes(1));
        assert_eq!(outbox_backoff(3), Duration::minutes(8));
        assert_eq!(outbox_backoff(99), Duration::minutes(1024));
    }
}
