//! Later changes of a higher agency's catalog template reach the agencies that adopted it
//! (the seed's 上下一致): each new template revision is shown to the lower agency's OGI office
//! with its differences, and the office either accepts it (its item takes the template's
//! content as a new revision of its own) or keeps its deviation. Both decisions are recorded;
//! the item's revisions, and the template's, are all kept.

use crate::documents::CatalogItemData;
use crate::{Actor, ServiceError, ServiceResult, Services};
use gongkai_domain::account::Role;
use gongkai_store::AgencyRow;
use uuid::Uuid;

/// One field that differs between an agency's item and its template's newer revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFieldDifference {
    /// The field's key (`name`, `elements`, …) and its Chinese and English labels.
    pub field: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub local: String,
    pub template: String,
}

/// A template revision the agency has not decided about yet.
#[derive(Debug, Clone)]
pub struct TemplateUpdate {
    pub template_agency: AgencyRow,
    pub template_revision: i64,
    pub template_data: CatalogItemData,
    /// Empty when the item already has the template's content (accepting only records it).
    pub differences: Vec<TemplateFieldDifference>,
}

fn field_texts(data: &CatalogItemData) -> [(&'static str, &'static str, &'static str, String); 7] {
    [
        ("name", "名称", "Name", data.name.clone()),
        (
            "elements",
            "内容要素",
            "Content elements",
            data.elements.clone(),
        ),
        (
            "responsible_department",
            "公开主体",
            "Responsible department",
            data.responsible_department.clone(),
        ),
        ("channels", "公开渠道", "Channels", data.channels.join("、")),
        (
            "update_rule",
            "公开时限",
            "Time limit",
            data.update_rule.describe_zh(),
        ),
        (
            "legal_basis",
            "公开依据",
            "Legal basis",
            data.legal_basis.clone(),
        ),
        (
            "five_disclosures",
            "五公开",
            "Five disclosures",
            data.five_disclosures
                .iter()
                .map(|d| d.label_zh())
                .collect::<Vec<_>>()
                .join("、"),
        ),
    ]
}

/// The fields that differ between two versions of an item's content.
pub fn catalog_item_differences(
    local: &CatalogItemData,
    template: &CatalogItemData,
) -> Vec<TemplateFieldDifference> {
    field_texts(local)
        .into_iter()
        .zip(field_texts(template))
        .filter(|(a, b)| a.3 != b.3)
        .map(
            |((field, label_zh, label_en, local), (_, _, _, template))| TemplateFieldDifference {
                field,
                label_zh,
                label_en,
                local,
                template,
            },
        )
        .collect()
}

fn unexpected(message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Unexpected(anyhow::anyhow!("{message}"))
}

impl Services {
    /// The newer revision of the template an item was adopted from, when the agency has not
    /// decided about it yet. The revision the agency started from counts as seen: the
    /// template's latest revision at the time the item was adopted.
    pub async fn catalog_template_update(
        &self,
        agency_id: Uuid,
        code: &str,
    ) -> ServiceResult<Option<TemplateUpdate>> {
        let Some(item) = self.db.catalog_item(agency_id, code).await? else {
            return Err(ServiceError::NotFound);
        };
        let (Some(template_agency_id), Some(template_code)) =
            (item.template_agency_id, item.template_code.clone())
        else {
            return Ok(None);
        };
        let Some(template) = self
            .db
            .catalog_item(template_agency_id, &template_code)
            .await?
        else {
            return Ok(None);
        };
        let seen = match self
            .db
            .catalog_template_last_decided(agency_id, code)
            .await?
        {
            Some(revision) => revision,
            None => {
                // Revisions come newest first; the item's first one is when it was adopted.
                let adopted_at = self
                    .db
                    .catalog_revisions(agency_id, code)
                    .await?
                    .last()
                    .map(|r| r.changed_at)
                    .unwrap_or(item.updated_at);
                self.db
                    .catalog_revisions(template_agency_id, &template_code)
                    .await?
                    .into_iter()
                    .filter(|r| r.changed_at <= adopted_at)
                    .map(|r| r.revision)
                    .max()
                    .unwrap_or(0)
            }
        };
        if template.revision <= seen {
            return Ok(None);
        }
        let template_data: CatalogItemData =
            serde_json::from_str(&template.data).map_err(unexpected)?;
        let local_data: CatalogItemData = serde_json::from_str(&item.data).map_err(unexpected)?;
        let template_agency = self
            .db
            .agency_get(template_agency_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(Some(TemplateUpdate {
            differences: catalog_item_differences(&local_data, &template_data),
            template_agency,
            template_revision: template.revision,
            template_data,
        }))
    }

    /// The OGI office's decision about a template revision: `accept` takes the template's
    /// content as a new revision of the agency's item (logged like any catalog edit), or the
    /// agency keeps its deviation. A decision about a revision that is no longer the latest is
    /// refused, so nobody accepts content they did not see.
    pub async fn decide_catalog_template_update(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        code: &str,
        template_revision: i64,
        accept: bool,
    ) -> ServiceResult<()> {
        if !self
            .roles_in_agency(actor, agency_id)
            .contains(&Role::OgiOffice)
        {
            return Err(ServiceError::Forbidden);
        }
        let update =
            self.catalog_template_update(agency_id, code)
                .await?
                .ok_or(ServiceError::Conflict {
                    code: "template_already_decided",
                })?;
        if update.template_revision != template_revision {
            return Err(ServiceError::Conflict {
                code: "template_changed_again",
            });
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let recorded = tx
            .catalog_template_decision_insert(
                agency_id,
                code,
                template_revision,
                if accept { "accepted" } else { "kept" },
                actor.account_id,
                now,
            )
            .await?;
        if !recorded {
            return Err(ServiceError::Conflict {
                code: "template_already_decided",
            });
        }
        // The decision and the revision it causes are one transaction: a crash between them
        // can leave neither "accepted but not applied" nor "applied but undecided".
        if accept {
            let active = tx
                .catalog_item_get(agency_id, code)
                .await?
                .map(|i| i.active)
                .unwrap_or(true);
            self.write_catalog_revision(
                &mut tx,
                actor,
                agency_id,
                code,
                update.template_data,
                active,
                &format!(
                    "采纳{}目录模板第 {} 次修订",
                    update.template_agency.name_zh, template_revision
                ),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
