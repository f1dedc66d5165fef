//! An application's complete archive (申请-答复-归档) as a ZIP file: the form, the full history
//! as JSON, the reply letter and the attachments.
//!
//! The ZIP is written here with stored (uncompressed) entries: the format is a few dozen lines
//! for that case, the archive is small, and a dependency would cost more than it saves.

use crate::{Actor, ServiceResult, Services};
use gongkai_domain::calendar::format_iso_date;
use serde_json::json;

/// CRC-32 (IEEE 802.3, as ZIP requires), bit by bit: archives are small, clarity wins.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// Writes a ZIP archive with stored entries. Names are UTF-8 (general-purpose flag bit 11).
pub fn zip_stored(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    const UTF8_FLAG: u16 = 1 << 11;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let name_bytes = name.as_bytes();
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&UTF8_FLAG.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // stored
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name_bytes.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name_bytes);
        out.extend_from_slice(data);
        // Central directory entry.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&UTF8_FLAG.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0x21u16.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name_bytes.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name_bytes);
    }
    let central_offset = out.len() as u32;
    let central_size = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

impl Services {
    /// The archive of one application, for its applicant or the staff of its agency.
    /// Returns the file name and the ZIP bytes.
    pub async fn application_archive(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
    ) -> ServiceResult<(String, Vec<u8>)> {
        let view = self.application(actor, id).await?;
        let row = &view.row;
        let is_staff = !self.roles_in_agency(actor, row.agency_id).is_empty();
        let agency = self.agency(row.agency_id).await?;
        let application = json!({
            "receipt_number": row.receipt_number,
            "agency": { "name": agency.name_zh, "org_code": agency.org_code },
            "channel": row.channel,
            "applicant": {
                "kind": row.applicant_kind,
                "name": row.applicant_name,
                "identity_kind": row.identity_kind,
                "identity_number": row.identity_number,
                "organisation_code": row.organisation_code,
                "legal_representative": row.legal_representative,
                "contact_phone": row.contact_phone,
                "contact_email": row.contact_email,
                "postal_address": row.postal_address,
            },
            "information_description": row.information_description,
            "document_number": row.document_number,
            "purpose": row.purpose,
            "form_preference": row.form_preference,
            "delivery_preference": row.delivery_preference,
            "stage": view.state.stage.code(),
            "receipt_date": view.state.receipt_date.map(format_iso_date),
            "submitted_at": row.created_at.to_string(),
        });
        let history: Vec<serde_json::Value> = view
            .events
            .iter()
            // The applicant's copy leaves out internal review notes and department answers.
            .filter(|(e, _)| {
                is_staff
                    || !matches!(
                        e.kind.as_str(),
                        "review_approved" | "review_rejected" | "submitted_for_review" | "reply_drafted"
                    )
            })
            .map(|(row, event)| {
                json!({
                    "seq": row.seq,
                    "recorded_at": row.occurred_at.to_string(),
                    "actor_id": row.actor_id,
                    "event": serde_json::from_str::<serde_json::Value>(&event.to_json()).unwrap_or_default(),
                })
            })
            .collect();
        let deadlines: Vec<serde_json::Value> = view
            .deadlines
            .iter()
            .flat_map(|s| s.deadlines.iter())
            .map(|d| {
                json!({
                    "kind": format!("{:?}", d.kind),
                    "due": format_iso_date(d.due.date),
                    "provisional": d.due.provisional,
                    "derivation_zh": d.derivation.zh,
                    "derivation_en": d.derivation.en,
                })
            })
            .collect();
        let mut files = vec![
            (
                "application.json".to_string(),
                serde_json::to_vec_pretty(&application).unwrap_or_default(),
            ),
            (
                "history.json".to_string(),
                serde_json::to_vec_pretty(&json!({ "events": history, "deadlines": deadlines }))
                    .unwrap_or_default(),
            ),
        ];
        let issued = matches!(
            view.state.stage,
            gongkai_domain::application::Stage::Issued
                | gongkai_domain::application::Stage::Delivered
                | gongkai_domain::application::Stage::Archived
        );
        if let Some(draft) = view.state.draft.as_ref().filter(|_| issued || is_staff) {
            let name = if issued {
                "reply.txt"
            } else {
                "reply-draft.txt"
            };
            files.push((name.to_string(), draft.body.clone().into_bytes()));
        }
        for attachment in self.db.attachments_of(id).await? {
            if let Some(content) = self.db.blob_get(&attachment.sha256).await? {
                files.push((format!("attachments/{}", attachment.filename), content));
            }
        }
        Ok((format!("{}.zip", row.receipt_number), zip_stored(&files)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn zip_has_headers_directory_and_end_record() {
        let zip = zip_stored(&[
            ("a.txt".into(), b"hello".to_vec()),
            ("目录/b.json".into(), b"{}".to_vec()),
        ]);
        assert_eq!(&zip[..4], &[0x50, 0x4b, 0x03, 0x04]);
        let end = zip.len() - 22;
        assert_eq!(&zip[end..end + 4], &[0x50, 0x4b, 0x05, 0x06]);
        assert_eq!(u16::from_le_bytes([zip[end + 10], zip[end + 11]]), 2);
    }
}
