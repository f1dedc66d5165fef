//! The annual report (Art. 49–50) of an agency for any year, computed from stored data: table
//! 二 from its published documents and the figures its departments enter, table 三 from every
//! application's events, table 四 from the remedies, sections 一, 五 and 六 from the texts its OGI
//! office writes. Publishing is blocked while a consistency rule fails; a published report
//! becomes a document in the agency's catalog (item `art49-annual-report`), which puts it in the
//! transparency log in the same transaction, and its JSON is kept so that next year's 上年结转
//! is checked against what was actually published.

use std::collections::HashMap;

use crate::applications::channel_of;
use crate::documents::NewDocument;
use crate::{Actor, ServiceError, ServiceResult, Services};
use gongkai_domain::account::Role;
use gongkai_domain::annual_report::{
    AnnualReport, CountedDocument, EnteredFigures, NormativeClass, ReportInputs, ReportLayout,
    ReportTexts, parse_yuan_as_fen,
};
use gongkai_domain::application::{ApplicationState, Event};
use gongkai_domain::application_form::ApplicantKind;
use gongkai_domain::form::FormProblems;
use gongkai_domain::publication::{DocumentMetadata, Validity};
use gongkai_domain::remedy::{CountedRemedy, RemedyKind, RemedyOutcome};
use gongkai_domain::report::{CountedApplication, Table3, Table3Row};
use gongkai_store::{AnnualReportRow, ReportFiguresRow};
use serde_json::Value;
use uuid::Uuid;

/// The catalog item the report is published under (Art. 49; `domain::catalog`).
pub const ANNUAL_REPORT_CATALOG_CODE: &str = "art49-annual-report";

/// The events table 三 and section 六 depend on: the receipt (registered or confirmed), the
/// drafted reply whose kind an issued reply takes, the endings, and fees. Replaying only these
/// gives the same receipt date and ending as replaying everything, because applying an event
/// never depends on the stage (events are facts, `domain::application::apply`), and it spares
/// parsing the many other events of a year's applications.
pub const REPORT_EVENT_KINDS: [&str; 9] = [
    "registered",
    "receipt_confirmed",
    "reply_drafted",
    "reply_issued",
    "correction_lapsed",
    "fee_payment_lapsed",
    "withdrawn",
    "fee_notice_issued",
    "fee_paid",
];

/// The longest section text kept.
const SECTION_TEXT_CHARS_MAX: usize = 50_000;

/// The figures one department (or the agency as a whole) entered.
#[derive(Debug, Clone)]
pub struct DepartmentFigures {
    /// The department's id as text, or empty for the agency as a whole.
    pub department_key: String,
    pub department_name: String,
    pub figures: EnteredFigures,
}

/// The report of one year with what it was computed from, for staff.
#[derive(Debug, Clone)]
pub struct AnnualReportView {
    pub report: AnnualReport,
    pub department_figures: Vec<DepartmentFigures>,
    /// When and as which document it was published, if it was.
    pub published: Option<PublishedReport>,
}

#[derive(Debug, Clone)]
pub struct PublishedReport {
    pub year: i32,
    pub document_external_id: String,
    pub published_at: time::OffsetDateTime,
    pub layout: ReportLayout,
    pub keyed: Value,
}

/// Figures as typed in the form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FiguresForm {
    /// A department's id, or empty for the whole agency.
    pub department: String,
    pub licensing_decisions: String,
    pub penalty_decisions: String,
    pub coercion_decisions: String,
    /// 行政事业性收费 in yuan, up to two decimals.
    pub administrative_fees_yuan: String,
}

/// The texts of sections 一, 五 and 六 as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TextsForm {
    pub overview: String,
    pub problems_and_improvements: String,
    pub other_matters: String,
}

fn parse_count(problems: &mut FormProblems, field: &'static str, text: &str) -> u64 {
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    match text.parse::<u64>() {
        Ok(value) if value <= 1_000_000_000 => value,
        _ => {
            problems.add(field, "count_invalid");
            0
        }
    }
}

impl Services {
    fn may_compile_report(&self, actor: &Actor, agency_id: Uuid) -> bool {
        // Art. 49: the agency's OGI office compiles and publishes the report.
        self.roles_in_agency(actor, agency_id)
            .contains(&Role::OgiOffice)
    }

    /// The facts table 三 counts and the information processing fees collected in `year`, in
    /// one pass over every event of the agency's applications.
    pub(crate) async fn application_facts(
        &self,
        agency_id: Uuid,
        year: i32,
    ) -> ServiceResult<(Vec<CountedApplication>, u64)> {
        let applications = self.db.application_report_rows(agency_id).await?;
        let mut events_by_application: HashMap<Uuid, Vec<(i64, String)>> =
            HashMap::with_capacity(applications.len());
        for (application_id, seq, data) in self
            .db
            .application_event_data_of_agency(agency_id, &REPORT_EVENT_KINDS)
            .await?
        {
            events_by_application
                .entry(application_id)
                .or_default()
                .push((seq, data));
        }
        let mut counted = Vec::with_capacity(applications.len());
        let mut fees_fen: u64 = 0;
        for row in applications {
            let mut rows = events_by_application.remove(&row.id).unwrap_or_default();
            rows.sort_unstable_by_key(|(seq, _)| *seq);
            let mut events = Vec::with_capacity(rows.len());
            for (seq, data) in &rows {
                events.push(Event::from_json(data).map_err(|e| {
                    ServiceError::Unexpected(anyhow::anyhow!(
                        "application {} event {seq} does not parse: {e}",
                        row.id
                    ))
                })?);
            }
            let state = ApplicationState::replay(channel_of(&row.channel), &events);
            // 国办函〔2020〕109号: fees actually collected, i.e. notices paid within the year.
            let mut pending_fee_fen: u64 = 0;
            for event in &events {
                match event {
                    Event::FeeNoticeIssued { amount_fen, .. } => pending_fee_fen = *amount_fen,
                    Event::FeePaid { on } if on.year() == year => {
                        fees_fen = fees_fen.saturating_add(pending_fee_fen);
                        pending_fee_fen = 0;
                    }
                    Event::FeePaid { .. } => pending_fee_fen = 0,
                    _ => {}
                }
            }
            counted.push(CountedApplication {
                reference: row.receipt_number.clone(),
                applicant_kind: ApplicantKind::parse(&row.applicant_kind)
                    .unwrap_or(ApplicantKind::Other),
                received_on: state.receipt_date,
                ended: crate::report::ending(&events, &state),
            });
        }
        Ok((counted, fees_fen))
    }

    /// Rules and normative documents of the agency for table 二 (一).
    async fn counted_documents(&self, agency_id: Uuid) -> ServiceResult<Vec<CountedDocument>> {
        let mut counted = Vec::new();
        for facts in self.db.published_document_facts(agency_id).await? {
            let mut value: Value = serde_json::from_str(&facts.metadata)
                .map_err(|e| ServiceError::Unexpected(e.into()))?;
            if let Value::Object(map) = &mut value {
                map.insert("body".to_string(), Value::String(String::new()));
            }
            let metadata: DocumentMetadata =
                serde_json::from_value(value).map_err(|e| ServiceError::Unexpected(e.into()))?;
            let Some(class) = NormativeClass::classify(&facts.level, &metadata.genre) else {
                continue;
            };
            let Some(issued_on) = metadata
                .written_date
                .or(metadata.published_date)
                .or(facts.published_date)
            else {
                continue;
            };
            let left_force_on = match metadata.validity {
                Validity::Effective => None,
                // A document marked 失效 or 废止 without a date is taken to have left force on
                // the day it was issued, so it is never counted as in force.
                Validity::Expired | Validity::Repealed => {
                    Some(metadata.invalid_from.unwrap_or(issued_on))
                }
            };
            counted.push(CountedDocument {
                reference: facts.external_id,
                class,
                issued_on,
                left_force_on,
            });
        }
        Ok(counted)
    }

    async fn counted_remedies(&self, agency_id: Uuid) -> ServiceResult<Vec<CountedRemedy>> {
        let mut counted = Vec::new();
        for row in self.db.remedies_of_agency(agency_id).await? {
            let Some(kind) = RemedyKind::from_code(&row.kind) else {
                continue;
            };
            let outcome = RemedyOutcome::from_code(&row.outcome).unwrap_or(RemedyOutcome::Pending);
            let decided = match (row.decided_on, outcome) {
                (Some(on), outcome) if outcome != RemedyOutcome::Pending => Some((on, outcome)),
                _ => None,
            };
            counted.push(CountedRemedy {
                reference: if row.case_number.is_empty() {
                    row.id.to_string()
                } else {
                    row.case_number.clone()
                },
                kind,
                filed_on: row.filed_on,
                decided,
            });
        }
        Ok(counted)
    }

    async fn published_report(
        &self,
        agency_id: Uuid,
        year: i32,
    ) -> ServiceResult<Option<PublishedReport>> {
        let Some(row) = self
            .db
            .annual_report_get(agency_id, i64::from(year))
            .await?
        else {
            return Ok(None);
        };
        published_from_row(row)
    }

    /// The annual report of `year`, computed now from stored data. With an actor, only the
    /// agency's OGI office may see the working version.
    pub async fn annual_report(
        &self,
        actor: Option<&Actor>,
        agency_id: Uuid,
        year: i32,
    ) -> ServiceResult<AnnualReportView> {
        if let Some(actor) = actor
            && self.roles_in_agency(actor, agency_id).is_empty()
        {
            return Err(ServiceError::Forbidden);
        }
        if !(2008..=2100).contains(&year) {
            return Err(ServiceError::invalid("year", "year_invalid"));
        }
        let agency = self
            .db
            .agency_get(agency_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let (applications, fees_fen) = self.application_facts(agency_id, year).await?;
        let documents = self.counted_documents(agency_id).await?;
        let remedies = self.counted_remedies(agency_id).await?;
        let departments = self.db.department_list(agency_id).await?;
        let mut department_figures = Vec::new();
        let mut figures = EnteredFigures::default();
        for row in self.db.report_figures(agency_id, i64::from(year)).await? {
            let entered = EnteredFigures {
                licensing_decisions: u64::try_from(row.licensing_decisions).unwrap_or(0),
                penalty_decisions: u64::try_from(row.penalty_decisions).unwrap_or(0),
                coercion_decisions: u64::try_from(row.coercion_decisions).unwrap_or(0),
                administrative_fees_fen: u64::try_from(row.administrative_fees_fen).unwrap_or(0),
            };
            figures.add(&entered);
            let department_name = departments
                .iter()
                .find(|d| d.id.to_string() == row.department_key)
                .map(|d| d.name_zh.clone())
                .unwrap_or_default();
            department_figures.push(DepartmentFigures {
                department_key: row.department_key,
                department_name,
                figures: entered,
            });
        }
        let stored = self
            .db
            .annual_report_get(agency_id, i64::from(year))
            .await?;
        let texts = stored
            .as_ref()
            .map(|row| ReportTexts {
                overview: row.overview.clone(),
                problems_and_improvements: row.problems_and_improvements.clone(),
                other_matters: row.other_matters.clone(),
            })
            .unwrap_or_default();
        let previous_published = self.published_report(agency_id, year - 1).await?;
        let previous_table3 = previous_published
            .as_ref()
            .and_then(|published| table3_from_keyed(&published.keyed, year - 1));
        let report = AnnualReport::compute(&ReportInputs {
            year,
            agency_name: &agency.name_zh,
            documents: &documents,
            applications: &applications,
            remedies: &remedies,
            figures,
            information_fees_collected_fen: fees_fen,
            texts,
            published_previous_table3: previous_table3.as_ref(),
        });
        let published = match stored {
            Some(row) => published_from_row(row)?,
            None => None,
        };
        Ok(AnnualReportView {
            report,
            department_figures,
            published,
        })
    }

    /// Saves the figures of one department (or of the agency as a whole) for `year`. The OGI
    /// office may enter any department's; a department's liaison or clerk enters their own.
    pub async fn save_report_figures(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        year: i32,
        form: &FiguresForm,
    ) -> ServiceResult<()> {
        let department_key = form.department.trim().to_string();
        let is_office = self.may_compile_report(actor, agency_id);
        let own_department = actor.grants.iter().any(|g| {
            g.agency_id == Some(agency_id)
                && matches!(g.role, Role::Liaison | Role::Clerk)
                && g.department_id.map(|d| d.to_string()) == Some(department_key.clone())
        });
        if !is_office && !own_department {
            return Err(ServiceError::Forbidden);
        }
        let mut problems = FormProblems::new();
        if !department_key.is_empty() {
            let known = self
                .db
                .department_list(agency_id)
                .await?
                .iter()
                .any(|d| d.id.to_string() == department_key);
            if !known {
                problems.add("department", "choice_invalid");
            }
        }
        let licensing = parse_count(
            &mut problems,
            "licensing_decisions",
            &form.licensing_decisions,
        );
        let penalty = parse_count(&mut problems, "penalty_decisions", &form.penalty_decisions);
        let coercion = parse_count(
            &mut problems,
            "coercion_decisions",
            &form.coercion_decisions,
        );
        let fees_fen = parse_yuan_as_fen(&form.administrative_fees_yuan)
            .filter(|fen| *fen <= 1_000_000_000_000_000)
            .unwrap_or_else(|| {
                problems.add("administrative_fees_yuan", "amount_invalid");
                0
            });
        if !(2008..=2100).contains(&year) {
            problems.add("year", "year_invalid");
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let as_i64 = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        self.db
            .report_figures_set(&ReportFiguresRow {
                agency_id,
                year: i64::from(year),
                department_key,
                licensing_decisions: as_i64(licensing),
                penalty_decisions: as_i64(penalty),
                coercion_decisions: as_i64(coercion),
                administrative_fees_fen: as_i64(fees_fen),
                entered_by: Some(actor.account_id),
                entered_at: self.clock.now(),
            })
            .await?;
        Ok(())
    }

    /// Saves the texts of sections 一, 五 and 六.
    pub async fn save_report_texts(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        year: i32,
        form: &TextsForm,
    ) -> ServiceResult<()> {
        if !self.may_compile_report(actor, agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let mut problems = FormProblems::new();
        for (field, text) in [
            ("overview", &form.overview),
            ("problems_and_improvements", &form.problems_and_improvements),
            ("other_matters", &form.other_matters),
        ] {
            if text.chars().count() > SECTION_TEXT_CHARS_MAX {
                problems.add(field, "too_long");
            }
        }
        if !(2008..=2100).contains(&year) {
            problems.add("year", "year_invalid");
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        self.db
            .annual_report_texts_set(&AnnualReportRow {
                agency_id,
                year: i64::from(year),
                overview: form.overview.trim().to_string(),
                problems_and_improvements: form.problems_and_improvements.trim().to_string(),
                other_matters: form.other_matters.trim().to_string(),
                updated_by: Some(actor.account_id),
                updated_at: self.clock.now(),
                published_json: None,
                published_document: None,
                published_at: None,
                published_by: None,
            })
            .await?;
        Ok(())
    }

    /// Publishes the report of `year`: refused while any consistency rule fails; otherwise the
    /// report becomes a published document of the agency (a new version when it was published
    /// before, i.e. a visible correction), logged in the same transaction, and its JSON is kept.
    pub async fn publish_annual_report(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        year: i32,
    ) -> ServiceResult<String> {
        if !self.may_compile_report(actor, agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let view = self.annual_report(Some(actor), agency_id, year).await?;
        let report = &view.report;
        if !report.problems.is_empty() {
            return Err(ServiceError::invalid("report", "consistency_rules_fail"));
        }
        self.ensure_standard_catalog(agency_id).await?;
        let agency = self
            .db
            .agency_get(agency_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let layout = report.layout();
        let snapshot = serde_json::json!({
            "keyed": report.keyed_json(),
            "layout": layout,
        });
        let now = self.clock.now();
        let today = self.clock.today_in_china();
        let body = layout.plain_text();
        let summary: String = report
            .overview_paragraphs()
            .first()
            .map(|p| p.chars().take(280).collect())
            .unwrap_or_default();
        let metadata = DocumentMetadata {
            title: report.title(),
            short_title: format!("{year}年政府信息公开工作年度报告"),
            summary,
            issuer: agency.name_zh.clone(),
            document_number: None,
            written_date: Some(today),
            published_date: Some(today),
            topic: "政务公开".to_string(),
            genre: "年度报告".to_string(),
            validity: Validity::Effective,
            valid_from: None,
            invalid_from: None,
            keywords: vec!["政府信息公开".to_string(), "年度报告".to_string()],
            body,
        };
        let external_id = format!("{}-ogi-annual-report-{year}", agency.slug);
        let mut tx = self.db.begin().await?;
        let existing = match tx.document_id_by_external_id(&external_id).await? {
            Some(id) => tx.document_get_for_update(id).await?,
            None => None,
        };
        match existing {
            Some(document) => {
                let publication = self
                    .publish_new_version(
                        &mut tx,
                        document,
                        metadata,
                        Vec::new(),
                        "更正年度报告 (correction of the annual report)".to_string(),
                        Some(actor.account_id),
                        now,
                    )
                    .await?;
                self.log_publication(&mut tx, publication, now).await?;
            }
            None => {
                let (_, publication) = self
                    .insert_document(
                        &mut tx,
                        NewDocument {
                            agency: &agency,
                            external_id: Some(external_id.clone()),
                            catalog_code: Some(ANNUAL_REPORT_CATALOG_CODE.to_string()),
                            metadata,
                            header: Vec::new(),
                            level: String::new(),
                            formed_on: Some(today),
                            change_note: String::new(),
                        },
                        crate::documents::version_state::PUBLISHED,
                        Some(actor.account_id),
                        now,
                    )
                    .await?;
                if let Some(publication) = publication {
                    self.log_publication(&mut tx, publication, now).await?;
                }
            }
        }
        tx.annual_report_mark_published(&AnnualReportRow {
            agency_id,
            year: i64::from(year),
            overview: report.texts.overview.clone(),
            problems_and_improvements: report.texts.problems_and_improvements.clone(),
            other_matters: report.texts.other_matters.clone(),
            updated_by: Some(actor.account_id),
            updated_at: now,
            published_json: Some(snapshot.to_string()),
            published_document: Some(external_id.clone()),
            published_at: Some(now),
            published_by: Some(actor.account_id),
        })
        .await?;
        tx.commit().await?;
        Ok(external_id)
    }

    /// The published reports of an agency, newest first, for the public.
    pub async fn published_annual_reports(
        &self,
        agency_id: Uuid,
    ) -> ServiceResult<Vec<PublishedReport>> {
        let mut reports = Vec::new();
        for row in self.db.annual_reports_published(agency_id).await? {
            if let Some(report) = published_from_row(row)? {
                reports.push(report);
            }
        }
        Ok(reports)
    }

    /// One published report, for the public.
    pub async fn published_annual_report(
        &self,
        agency_id: Uuid,
        year: i32,
    ) -> ServiceResult<PublishedReport> {
        self.published_report(agency_id, year)
            .await?
            .ok_or(ServiceError::NotFound)
    }
}

fn published_from_row(row: AnnualReportRow) -> ServiceResult<Option<PublishedReport>> {
    let (Some(json), Some(document), Some(published_at)) =
        (row.published_json, row.published_document, row.published_at)
    else {
        return Ok(None);
    };
    let mut snapshot: Value =
        serde_json::from_str(&json).map_err(|e| ServiceError::Unexpected(e.into()))?;
    let layout: ReportLayout = serde_json::from_value(snapshot["layout"].take())
        .map_err(|e| ServiceError::Unexpected(e.into()))?;
    Ok(Some(PublishedReport {
        year: i32::try_from(row.year).unwrap_or_default(),
        document_external_id: document,
        published_at,
        layout,
        keyed: snapshot["keyed"].take(),
    }))
}

/// Rebuilds the counts of a published table 三 from its keyed JSON, for the carry-over rule.
fn table3_from_keyed(keyed: &Value, year: i32) -> Option<Table3> {
    use gongkai_domain::report::COLUMN_LABELS;
    let table = keyed
        .get("sections")?
        .get(gongkai_domain::annual_report::SECTION_HEADINGS[2])?;
    let rows = Table3Row::all();
    let mut cells = Vec::with_capacity(rows.len());
    for row in &rows {
        let values = table.get(row.label())?;
        let mut counts = [0u64; 7];
        for (column, label) in COLUMN_LABELS.iter().enumerate() {
            counts[column] = values.get(*label)?.as_u64()?;
        }
        cells.push(counts);
    }
    Some(Table3 {
        year,
        references: vec![Default::default(); rows.len()],
        rows,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::REPORT_EVENT_KINDS;
    use gongkai_domain::application::{ApplicationState, Event};
    use gongkai_domain::deadline::ReceiptChannel;
    use time::macros::date;

    /// The report replays only some event kinds; for every kind of history it must find the
    /// same receipt date, the same ending and the same issued reply kind as a full replay.
    #[test]
    fn replaying_the_report_kinds_gives_the_same_facts_as_replaying_everything() {
        let drafted = |on, kind: &str| Event::ReplyDrafted {
            on,
            reply_kind: kind.to_string(),
            body: "答复".to_string(),
            withholds_information: false,
        };
        let histories: Vec<Vec<Event>> = vec![
            // Answered after a rejected review and a second draft.
            vec![
                Event::Submitted {
                    on: date!(2026 - 01 - 05),
                },
                Event::ReceiptConfirmed {
                    receipt_date: date!(2026 - 01 - 05),
                },
                Event::Accepted {
                    on: date!(2026 - 01 - 06),
                },
                drafted(date!(2026 - 01 - 10), "disclosed"),
                Event::SubmittedForReview {
                    on: date!(2026 - 01 - 11),
                    steps: vec!["department_reviewer".into()],
                },
                Event::ReviewRejected {
                    on: date!(2026 - 01 - 12),
                    step: "department_reviewer".into(),
                    reason: "改".into(),
                },
                drafted(date!(2026 - 01 - 13), "partially_disclosed"),
                Event::ReplyIssued {
                    on: date!(2026 - 01 - 20),
                },
                Event::Delivered {
                    on: date!(2026 - 01 - 21),
                    method: "portal".into(),
                },
                Event::Archived {
                    on: date!(2026 - 02 - 01),
                },
            ],
            // Correction never made.
            vec![
                Event::Submitted {
                    on: date!(2026 - 03 - 02),
                },
                Event::ReceiptConfirmed {
                    receipt_date: date!(2026 - 03 - 02),
                },
                Event::CorrectionRequested {
                    on: date!(2026 - 03 - 03),
                    items: vec!["写明文号".into()],
                    due: date!(2026 - 03 - 18),
                },
                Event::CorrectionLapsed {
                    on: date!(2026 - 03 - 19),
                },
            ],
            // Registered by letter, then withdrawn.
            vec![
                Event::Registered {
                    channel: "post_signed_for".into(),
                    receipt_date: date!(2026 - 04 - 01),
                },
                Event::Withdrawn {
                    on: date!(2026 - 04 - 03),
                    reason: String::new(),
                },
            ],
            // A fee notice left unpaid.
            vec![
                Event::Submitted {
                    on: date!(2026 - 05 - 06),
                },
                Event::ReceiptConfirmed {
                    receipt_date: date!(2026 - 05 - 07),
                },
                Event::Accepted {
                    on: date!(2026 - 05 - 08),
                },
                Event::FeeNoticeIssued {
                    on: date!(2026 - 05 - 09),
                    amount_fen: 10_000,
                    method: "per_page".into(),
                    due: date!(2026 - 06 - 08),
                },
                Event::FeePaymentLapsed {
                    on: date!(2026 - 06 - 09),
                },
            ],
            // Submitted online, never confirmed.
            vec![Event::Submitted {
                on: date!(2026 - 06 - 01),
            }],
        ];
        for events in histories {
            for event in &events {
                // Every kind named in the filter is a real event kind.
                let _ = event.kind();
            }
            let filtered: Vec<Event> = events
                .iter()
                .filter(|e| REPORT_EVENT_KINDS.contains(&e.kind()))
                .cloned()
                .collect();
            let full = ApplicationState::replay(ReceiptChannel::Online, &events);
            let partial = ApplicationState::replay(ReceiptChannel::Online, &filtered);
            assert_eq!(full.receipt_date, partial.receipt_date, "{events:?}");
            assert_eq!(
                full.issued_reply_kind, partial.issued_reply_kind,
                "{events:?}"
            );
            assert_eq!(
                crate::report::ending(&events, &full),
                crate::report::ending(&filtered, &partial),
                "{events:?}"
            );
        }
    }
}
