//! Page models for the askama templates in `templates/`.
//!
//! Each page struct carries a `Base` with what the layout needs (language, display mode, the
//! signed-in person, the CSRF token) and its own fields. Templates call `base.t("key")` for
//! interface text; a test checks every key they use exists in both languages.

use crate::ctx::Ctx;
use crate::i18n::{self, Lang};
use askama::Template;
use gongkai_domain::form::FormProblems;

pub(crate) fn static_t(lang: Lang, key: &str) -> &'static str {
    i18n::t(lang, key)
}

/// What the layout needs on every page.
pub(crate) struct Base {
    pub lang: Lang,
    pub large_text: bool,
    pub title: String,
    pub actor_name: Option<String>,
    pub is_staff: bool,
    pub csrf_token: String,
    /// This page's path and query, URL-encoded, for the language and display switches.
    pub here_encoded: String,
    pub notice: Option<String>,
}

impl Base {
    pub(crate) fn new(ctx: &Ctx, title_key: &str) -> Base {
        Base::titled(ctx, i18n::t(ctx.lang, title_key).to_string())
    }

    pub(crate) fn titled(ctx: &Ctx, title: String) -> Base {
        Base {
            lang: ctx.lang,
            large_text: ctx.large_text,
            title,
            actor_name: ctx.actor.as_ref().map(|a| a.display_name.clone()),
            is_staff: ctx.actor.as_ref().is_some_and(|a| a.is_staff),
            csrf_token: ctx.csrf_token.clone(),
            here_encoded: encode(&ctx.here),
            notice: None,
        }
    }

    pub(crate) fn with_notice(mut self, notice: Option<String>) -> Base {
        self.notice = notice;
        self
    }

    pub(crate) fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    pub(crate) fn lang_tag(&self) -> &'static str {
        self.lang.tag()
    }

    pub(crate) fn other_lang(&self) -> &'static str {
        self.lang.other().code()
    }

    pub(crate) fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// Picks the Chinese or English of a pair, falling back to Chinese when English is empty.
    pub(crate) fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::En && !en.trim().is_empty() {
            en
        } else {
            zh
        }
    }
}

/// Percent-encodes a value for a query string.
pub(crate) fn encode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .map(|s| s.trim_start_matches("v=").to_string())
        .unwrap_or_default()
}

/// One problem, ready to show: the field's id (for the link from the summary), its label and
/// the message.
pub(crate) struct ShownProblem {
    pub field: &'static str,
    pub label: &'static str,
    pub message: &'static str,
    /// A precise detail from a parser (e.g. which line of an import is wrong), if any.
    pub detail: String,
}

/// The problems of a rejected form, in the reader's language.
#[derive(Default)]
pub(crate) struct Problems {
    pub items: Vec<ShownProblem>,
    /// Prefixes the ids of this form's fields, so that two forms on one page never share an id.
    pub prefix: &'static str,
}

impl Problems {
    pub(crate) fn from_form(lang: Lang, problems: &FormProblems) -> Problems {
        Problems {
            items: problems
                .problems()
                .iter()
                .map(|p| ShownProblem {
                    field: p.field,
                    label: i18n::lookup(lang, &format!("field.{}", p.field)).unwrap_or(p.field),
                    message: i18n::problem(lang, p.code),
                    detail: String::new(),
                })
                .collect(),
            prefix: "",
        }
    }

    /// Gives this form's field ids a prefix (for pages with several forms).
    pub(crate) fn prefixed(mut self, prefix: &'static str) -> Problems {
        self.prefix = prefix;
        self
    }

    pub(crate) fn one(lang: Lang, field: &'static str, message_key: &str) -> Problems {
        Problems {
            items: vec![ShownProblem {
                field,
                label: i18n::lookup(lang, &format!("field.{field}")).unwrap_or(field),
                message: i18n::t(lang, message_key),
                detail: String::new(),
            }],
            prefix: "",
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message for one field, for the inline error next to its input.
    pub(crate) fn for_field(&self, field: &str) -> Option<&'static str> {
        self.items
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message)
    }

    pub(crate) fn has(&self, field: &str) -> bool {
        self.items.iter().any(|p| p.field == field)
    }
}

/// An agency in the directory, indented by depth.
pub(crate) struct DirectoryEntry {
    pub depth: usize,
    pub slug: String,
    pub name: String,
    pub level: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    pub base: Base,
    pub directory: Vec<DirectoryEntry>,
}

pub(crate) struct DepartmentView {
    pub name: String,
    pub duties: String,
}

pub(crate) struct AgencyLink {
    pub slug: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "agency.html")]
pub(crate) struct AgencyPage {
    pub base: Base,
    pub slug: String,
    pub name: String,
    pub level: &'static str,
    pub org_code: String,
    pub ogi_office_name: String,
    pub ogi_office_address: String,
    pub ogi_office_hours: String,
    pub ogi_office_phone: String,
    pub ogi_office_email: String,
    pub departments: Vec<DepartmentView>,
    pub parent: Option<AgencyLink>,
    pub children: Vec<AgencyLink>,
}

pub(crate) struct SearchHit {
    pub href: String,
    pub title: String,
    pub context: String,
}

/// One article (or document) found by the search.
pub(crate) struct DocumentHit {
    pub click_href: String,
    pub title: String,
    pub article_label: String,
    pub headings: String,
    /// Escaped by the search layer, with `<mark>` around matches.
    pub snippet_html: String,
    pub expired: bool,
    pub date: String,
}

pub(crate) struct SearchFacet {
    pub label: &'static str,
    pub values: Vec<SearchFacetValue>,
}

pub(crate) struct SearchFacetValue {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
pub(crate) struct SearchPage {
    pub base: Base,
    pub query: String,
    pub hits: Vec<SearchHit>,
    pub document_hits: Vec<DocumentHit>,
    pub facets: Vec<SearchFacet>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub did_you_mean: Option<String>,
    pub did_you_mean_href: Option<String>,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
    pub expansions: String,
    pub lexical_only: bool,
    pub search_available: bool,
    pub apply_href: String,
}

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    pub base: Base,
    pub problems: Problems,
    pub identifier: String,
    pub back: String,
    pub demo_password: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "register.html")]
pub(crate) struct RegisterPage {
    pub base: Base,
    pub problems: Problems,
    pub email: String,
    pub mobile: String,
    pub display_name: String,
}

pub(crate) struct RoleView {
    pub role: &'static str,
    pub scope: String,
}

#[derive(Template)]
#[template(path = "account.html")]
pub(crate) struct AccountPage {
    pub base: Base,
    pub problems: Problems,
    pub login: String,
    pub roles: Vec<RoleView>,
    pub new_token: Option<String>,
    pub subscriptions: Vec<SubscriptionView>,
}

/// One of the signed-in person's e-mail subscriptions.
pub(crate) struct SubscriptionView {
    pub id: String,
    pub email: String,
    pub what: String,
    pub frequency: String,
    pub pending: bool,
}

pub(crate) struct AdminAgencyRow {
    pub id: String,
    pub depth: usize,
    pub name: String,
    pub slug: String,
    pub level: &'static str,
}

#[derive(Template)]
#[template(path = "admin_index.html")]
pub(crate) struct AdminIndexPage {
    pub base: Base,
    pub agencies: Vec<AdminAgencyRow>,
    pub may_create_top_level: bool,
    pub may_view_security_log: bool,
    /// Whether the redaction detectors consult the named-entity model in this process.
    pub redaction_model_loaded: bool,
}

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The agency form's values, kept when it is shown again with problems.
#[derive(Default, serde::Deserialize)]
pub(crate) struct AgencyFormValues {
    #[serde(default)]
    pub parent_id: String,
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub org_code: String,
    #[serde(default)]
    pub ogi_office_name: String,
    #[serde(default)]
    pub ogi_office_phone: String,
    #[serde(default)]
    pub ogi_office_email: String,
    #[serde(default)]
    pub ogi_office_address: String,
    #[serde(default)]
    pub ogi_office_hours: String,
}

#[derive(Template)]
#[template(path = "admin_agency_form.html")]
pub(crate) struct AgencyFormPage {
    pub base: Base,
    pub problems: Problems,
    pub action: String,
    pub is_new: bool,
    pub values: AgencyFormValues,
    pub parents: Vec<Choice>,
    pub levels: Vec<Choice>,
}

pub(crate) struct StaffRowView {
    pub account_id: String,
    pub display_name: String,
    pub login: String,
    pub is_active: bool,
    pub grants: Vec<GrantView>,
}

pub(crate) struct GrantView {
    pub id: String,
    pub role: &'static str,
    pub department: String,
}

pub(crate) struct DepartmentAdminView {
    pub name_zh: String,
    pub name_en: String,
    pub duties: String,
}

#[derive(Template)]
#[template(path = "admin_agency.html")]
pub(crate) struct AdminAgencyPage {
    pub base: Base,
    pub agency_id: String,
    pub agency_name: String,
    pub slug: String,
    pub departments: Vec<DepartmentAdminView>,
    pub staff: Vec<StaffRowView>,
    pub roles: Vec<Choice>,
    pub department_choices: Vec<Choice>,
    pub department_problems: Problems,
    pub department_values: (String, String, String),
    pub staff_problems: Problems,
    pub staff_values: (String, String, String),
    pub grant_problems: Problems,
    pub staff_choices: Vec<Choice>,
    pub may_administer: bool,
    /// The review tiers in force (分级审核): each review role with whether routine and
    /// sensitive replies need it.
    pub tiers: Vec<TierRoleView>,
    pub tier_problems: Problems,
}

/// One review role in the agency's tier configuration.
pub(crate) struct TierRoleView {
    pub code: &'static str,
    pub label: &'static str,
    pub routine: bool,
    pub sensitive: bool,
}

pub(crate) struct SecurityEventView {
    pub occurred_at: String,
    pub kind: String,
    pub account: String,
    pub address: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin_security.html")]
pub(crate) struct SecurityLogPage {
    pub base: Base,
    pub events: Vec<SecurityEventView>,
}

/// The values of the application form, kept when it is shown again with problems.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ApplicationFormValues {
    pub applicant_kind: String,
    pub name: String,
    pub identity_kind: String,
    pub identity_number: String,
    pub organisation_code: String,
    pub legal_representative: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub postal_address: String,
    pub information_description: String,
    pub document_number: String,
    pub purpose: String,
    pub form_preference: String,
    pub delivery_preference: String,
    pub idempotency_key: String,
    /// Staff registration only.
    pub channel: String,
    pub receipt_date: String,
}

#[derive(Template)]
#[template(path = "apply.html")]
pub(crate) struct ApplyPage {
    pub base: Base,
    pub problems: Problems,
    pub agency_name: String,
    pub action: String,
    pub values: ApplicationFormValues,
    pub applicant_kinds: Vec<Choice>,
    pub identity_kinds: Vec<Choice>,
    pub forms: Vec<Choice>,
    pub deliveries: Vec<Choice>,
    /// Staff registration of a walk-in, letter, fax or oral application.
    pub staff_channels: Option<Vec<Choice>>,
}

#[derive(Template)]
#[template(path = "apply_choose.html")]
pub(crate) struct ApplyChoosePage {
    pub base: Base,
    pub directory: Vec<DirectoryEntry>,
    /// `?description=…` carried from a search that found nothing, or empty.
    pub prefill_query: String,
}

/// One application in a list.
pub(crate) struct ApplicationListRow {
    pub href: String,
    pub receipt_number: String,
    pub applicant_name: String,
    pub summary: String,
    pub stage: &'static str,
    pub receipt_date: String,
    pub due: String,
    pub due_provisional: bool,
    /// `overdue`, `due-soon` or empty: a CSS class and a word for screen readers.
    pub urgency: &'static str,
    pub urgency_label: &'static str,
}

#[derive(Template)]
#[template(path = "applications_list.html")]
pub(crate) struct ApplicationListPage {
    pub base: Base,
    pub heading: String,
    pub rows: Vec<ApplicationListRow>,
    pub is_staff_queue: bool,
    pub stage_filter: Vec<Choice>,
    pub sort_choices: Vec<Choice>,
    pub due_soon_only: bool,
}

pub(crate) struct TimelineEntry {
    pub date: String,
    pub title: String,
    pub detail: String,
}

pub(crate) struct DeadlineView {
    pub title: String,
    pub due: String,
    pub provisional: bool,
    pub status: String,
    pub derivation: String,
}

pub(crate) struct ConsultationView {
    pub id: String,
    pub party: &'static str,
    pub party_name: String,
    pub due: String,
    pub answer: String,
    pub open: bool,
}

pub(crate) struct SuggestionView {
    pub text: String,
    pub basis: &'static str,
}

/// What the actor may do now, each a small form on the page.
#[derive(Default)]
pub(crate) struct AllowedActions {
    pub confirm_receipt: bool,
    pub request_correction: bool,
    pub accept: bool,
    pub assign: bool,
    pub consult: bool,
    pub extend: bool,
    pub draft_reply: bool,
    pub submit_for_review: bool,
    pub review: bool,
    pub issue: bool,
    pub deliver: bool,
    pub archive: bool,
    pub lapse_correction: bool,
    pub submit_correction: bool,
    pub withdraw: bool,
    pub fee_notice: bool,
    pub fee_payment: bool,
    pub record_communication: bool,
}

/// One pre-reply communication with the applicant (前置沟通), as shown on the application page.
pub(crate) struct CommunicationView {
    pub date: String,
    pub method: &'static str,
    pub outcome: &'static str,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "application.html")]
pub(crate) struct ApplicationPage {
    pub base: Base,
    pub problems: Problems,
    pub id: String,
    pub version: i64,
    pub receipt_number: String,
    pub stage: &'static str,
    pub agency_name: String,
    pub applicant_name: String,
    pub applicant_kind: &'static str,
    pub identity_masked: String,
    pub contact: String,
    pub description: String,
    pub document_number: String,
    pub form_preference: String,
    pub delivery_preference: String,
    pub channel: String,
    pub receipt_date: String,
    pub expected_completion: String,
    pub expected_completion_provisional: bool,
    pub deadlines: Vec<DeadlineView>,
    pub deadline_problem: String,
    pub timeline: Vec<TimelineEntry>,
    pub correction_items: Vec<String>,
    pub correction_due: String,
    pub consultations: Vec<ConsultationView>,
    pub draft_kind: String,
    pub draft_body: String,
    pub review_next: String,
    pub reply_issued: bool,
    pub is_staff_view: bool,
    pub actions: AllowedActions,
    pub suggestions: Vec<SuggestionView>,
    pub departments: Vec<Choice>,
    pub reply_kinds: Vec<Choice>,
    pub today: String,
    pub may_rate: bool,
    pub rating: String,
    pub may_upload: bool,
    pub attachments: Vec<AttachmentView>,
    /// The machine's first reading for staff (issue 7: AI预审); `None` for the applicant.
    pub prereview: Option<PrereviewView>,
    /// Complaints, reconsideration and litigation about this application (Art. 51), for staff.
    pub remedies: Option<crate::annual_report::RemedySectionView>,
    /// Pre-reply communications with the applicant, shown to staff and to the applicant.
    pub communications: Vec<CommunicationView>,
    pub communication_methods: Vec<Choice>,
    pub communication_outcomes: Vec<Choice>,
}

/// The pre-review's proposed kind, its reasons, and published documents that may already
/// answer the request (Art. 36(1)). Staff decide; nothing here acts on its own.
pub(crate) struct PrereviewView {
    pub kind: &'static str,
    pub kind_code: &'static str,
    pub reasons: Vec<String>,
    pub published: Vec<(String, String)>,
    /// The same applicant's earlier answered applications that this one may repeat
    /// (Art. 36(6)), most similar first.
    pub repeats: Vec<RepeatCandidateView>,
}

/// One earlier application that the one in hand may repeat, as the pre-review lists it.
pub(crate) struct RepeatCandidateView {
    pub href: String,
    pub receipt_number: String,
    pub similarity_percent: u8,
    pub reply_kind: String,
    pub replied_on: String,
}

pub(crate) struct AttachmentView {
    pub href: String,
    pub filename: String,
    pub sha256: String,
}

pub(crate) struct CalendarYearView {
    pub year: i32,
    pub n_days_off: usize,
    pub n_working_weekend_days: usize,
    pub published: bool,
    pub imported: bool,
    pub source: String,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
pub(crate) struct CalendarPage {
    pub base: Base,
    pub problems: Problems,
    pub years: Vec<CalendarYearView>,
    pub last_loaded_year: String,
    pub arrangement: String,
}

pub(crate) struct WorkloadView {
    pub department: String,
    pub n_open: i64,
    pub n_overdue: i64,
    pub n_due_soon: i64,
    pub n_answered: i64,
    pub n_closed_otherwise: i64,
}

pub(crate) struct AgencyWorkload {
    pub name: String,
    pub rows: Vec<WorkloadView>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub(crate) struct DashboardPage {
    pub base: Base,
    pub agencies: Vec<AgencyWorkload>,
}

pub(crate) struct NoticeView {
    pub sent_at: String,
    pub subject: String,
    pub body: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub(crate) struct InboxPage {
    pub base: Base,
    pub notices: Vec<NoticeView>,
}
