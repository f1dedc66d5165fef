//! Attachments of an application: identity documents from the applicant, scans and records
//! from staff. Bytes are stored once per SHA-256 digest in the database (the only shared state
//! of a multi-process installation); the type is decided from the content, not from the name,
//! and files are only ever served as downloads, never inline.

use crate::applications::ApplicationView;
use crate::{Actor, ServiceError, ServiceResult, Services, sha256_hex};
use gongkai_domain::application::Event;
use gongkai_store::{ApplicationEventRow, AttachmentRow};
use uuid::Uuid;

/// The largest attachment accepted.
pub const ATTACHMENT_BYTES_MAX: usize = 20 * 1024 * 1024;
/// At most this many attachments per application.
pub const ATTACHMENTS_PER_APPLICATION_MAX: usize = 30;
/// The longest file name kept.
const FILENAME_CHARS_MAX: usize = 120;

/// The file types accepted, recognised by their first bytes.
pub fn sniff_content_type(bytes: &[u8], filename: &str) -> Option<&'static str> {
    let lower = filename.to_lowercase();
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".docx") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".xlsx") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else if lower.ends_with(".txt") && std::str::from_utf8(bytes).is_ok() {
        Some("text/plain; charset=utf-8")
    } else {
        None
    }
}

/// Keeps a file name safe to show and to put in a download header: no path, no control
/// characters, no quotes, bounded length.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/' | ';'))
        .take(FILENAME_CHARS_MAX)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').to_string();
    if trimmed.is_empty() {
        "attachment".to_string()
    } else {
        trimmed
    }
}

impl Services {
    /// Adds a file to an application, for its applicant or its agency's staff, while it is
    /// still open.
    pub async fn add_attachment(
        &self,
        actor: &Actor,
        id: Uuid,
        filename: &str,
        bytes: &[u8],
    ) -> ServiceResult<AttachmentRow> {
        let view: ApplicationView = self.application(actor, id).await?;
        let is_staff = !self.roles_in_agency(actor, view.row.agency_id).is_empty();
        if !is_staff && view.row.applicant_account_id != Some(actor.account_id) {
            return Err(ServiceError::Forbidden);
        }
        if !view.state.stage.is_open() && !is_staff {
            return Err(ServiceError::Conflict {
                code: "wrong_stage",
            });
        }
        let mut problems = gongkai_domain::form::FormProblems::new();
        if bytes.is_empty() {
            problems.add("file", "required");
        } else if bytes.len() > ATTACHMENT_BYTES_MAX {
            problems.add("file", "file_too_large");
        }
        let content_type = sniff_content_type(bytes, filename);
        if !bytes.is_empty() && content_type.is_none() {
            problems.add("file", "file_type_not_allowed");
        }
        if self.db.attachments_of(id).await?.len() >= ATTACHMENTS_PER_APPLICATION_MAX {
            problems.add("file", "too_many_files");
        }
        let Some(content_type) = content_type.filter(|_| problems.is_empty()) else {
            return Err(ServiceError::Invalid(problems));
        };
        let now = self.clock.now();
        let digest = sha256_hex(bytes);
        let filename = clean_filename(filename);
        let row = AttachmentRow {
            id: Uuid::now_v7(),
            application_id: id,
            sha256: digest.clone(),
            filename: filename.clone(),
            content_type: content_type.to_string(),
            purpose: if is_staff { "staff" } else { "applicant" }.to_string(),
            uploaded_by: Some(actor.account_id),
            created_at: now,
        };
        let event = Event::AttachmentAdded {
            on: self.clock.today_in_china(),
            sha256: digest.clone(),
            filename,
            size_bytes: bytes.len() as u64,
        };
        let mut tx = self.db.begin().await?;
        tx.blob_insert(&digest, bytes, now).await?;
        tx.attachment_insert(&row).await?;
        let seq = tx.application_event_count(id).await?;
        tx.application_event_insert(&ApplicationEventRow {
            id: Uuid::now_v7(),
            application_id: id,
            seq,
            kind: event.kind().to_string(),
            data: event.to_json(),
            actor_id: Some(actor.account_id),
            occurred_at: now,
        })
        .await
        .map_err(|e| match e {
            gongkai_store::StoreError::Conflict(_) => ServiceError::Conflict {
                code: "stale_version",
            },
            other => other.into(),
        })?;
        let leaf = crate::transparency::application_event_leaf(
            &view.row.receipt_number,
            seq,
            event.kind(),
            &event.to_json(),
            now,
        )?;
        crate::transparency::append_leaf(&mut tx, &leaf, now).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// An attachment's metadata and bytes, for the applicant or the agency's staff.
    pub async fn attachment(
        &self,
        actor: &Actor,
        application_id: Uuid,
        attachment_id: Uuid,
    ) -> ServiceResult<(AttachmentRow, Vec<u8>)> {
        self.application(actor, application_id).await?;
        let row = self
            .db
            .attachments_of(application_id)
            .await?
            .into_iter()
            .find(|a| a.id == attachment_id)
            .ok_or(ServiceError::NotFound)?;
        let bytes = self
            .db
            .blob_get(&row.sha256)
            .await?
            .ok_or(ServiceError::NotFound)?;
        // The digest is checked on the way out too: a blob that no longer matches its name
        // is never served as if it were the file that was uploaded.
        if sha256_hex(&bytes) != row.sha256 {
            return Err(ServiceError::Unexpected(anyhow::anyhow!(
                "blob {} does not match its digest",
                row.sha256
            )));
        }
        Ok((row, bytes))
    }

    pub async fn attachments(
        &self,
        actor: &Actor,
        application_id: Uuid,
    ) -> ServiceResult<Vec<AttachmentRow>> {
        self.application(actor, application_id).await?;
        Ok(self.db.attachments_of(application_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_content_and_names_are_cleaned() {
        assert_eq!(
            sniff_content_type(b"%PDF-1.7 ...", "x.exe"),
            Some("application/pdf")
        );
        assert_eq!(sniff_content_type(b"<html><script>", "a.pdf"), None);
        assert_eq!(sniff_content_type(b"MZ\x90\x00", "a.docx"), None);
        assert_eq!(
            sniff_content_type("身份证复印件".as_bytes(), "说明.txt"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\张\\身份证.pdf"), "身份证.pdf");
        assert_eq!(clean_filename("a\"b;c\n.pdf"), "abc.pdf");
        assert_eq!(clean_filename("..."), "attachment");
    }
}
