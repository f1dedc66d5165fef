//! Demo content for a fresh installation: a city government with its OGI office and nine
//! departments, a county below it, one account per staff role and a demo applicant.
//!
//! It is seeded only into an empty database and only when the operator has not asked for
//! `--no-demo`, so a production installation never carries demo accounts.

use crate::{RoleGrant, ServiceResult, Services};
use gongkai_domain::account::Role;
use gongkai_store::{AgencyRow, DepartmentRow, RoleAssignmentRow};
use uuid::Uuid;

/// The password of every demo account. It is printed at start; demo installations are for
/// trying the system, never for real data.
pub const DEMO_PASSWORD: &str = "gongkai-demo-2026";

/// A demo login, as printed at start and shown in the README.
#[derive(Debug, Clone, Copy)]
pub struct DemoAccount {
    pub email: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    /// Whether the role is limited to the first department (办公室).
    pub department_scoped: bool,
}

pub fn demo_accounts() -> Vec<DemoAccount> {
    let staff = |email, display_name, role, department_scoped| DemoAccount {
        email,
        display_name,
        role,
        department_scoped,
    };
    vec![
        staff(
            "applicant@demo.gongkai.cn",
            "张明（示范申请人）",
            Role::Applicant,
            false,
        ),
        staff("clerk@demo.gongkai.cn", "李承办", Role::Clerk, true),
        staff(
            "reviewer@demo.gongkai.cn",
            "王科长",
            Role::DepartmentReviewer,
            true,
        ),
        staff(
            "secrecy@demo.gongkai.cn",
            "赵保密",
            Role::ConfidentialityReviewer,
            false,
        ),
        staff("leader@demo.gongkai.cn", "陈副市长", Role::Leader, false),
        staff("ogi@demo.gongkai.cn", "刘公开办", Role::OgiOffice, false),
        staff("liaison@demo.gongkai.cn", "周联络", Role::Liaison, true),
        staff("auditor@demo.gongkai.cn", "吴审计", Role::Auditor, false),
        staff(
            "admin@demo.gongkai.cn",
            "系统管理员",
            Role::SystemAdministrator,
            false,
        ),
    ]
}

const CITY_DEPARTMENTS: [(&str, &str, &str); 9] = [
    (
        "市政府办公室",
        "General Office",
        "负责政府信息公开日常工作的协调与督办。",
    ),
    (
        "市发展和改革委员会",
        "Development and Reform Commission",
        "负责国民经济和社会发展规划、价格管理、重大项目。",
    ),
    (
        "市教育局",
        "Education Bureau",
        "负责各级各类教育的统筹规划、招生考试与学校管理。",
    ),
    (
        "市公安局",
        "Public Security Bureau",
        "负责治安管理、户籍、出入境与交通管理。",
    ),
    (
        "市财政局",
        "Finance Bureau",
        "负责财政预决算、政府采购与非税收入管理。",
    ),
    (
        "市人力资源和社会保障局",
        "Human Resources and Social Security Bureau",
        "负责就业创业、社会保险、创业担保贷款与人事管理。",
    ),
    (
        "市自然资源和规划局",
        "Natural Resources and Planning Bureau",
        "负责国土空间规划、土地征收与不动产登记。",
    ),
    (
        "市生态环境局",
        "Ecology and Environment Bureau",
        "负责环境质量监测、环评审批与环境执法。",
    ),
    (
        "市市场监督管理局",
        "Market Regulation Bureau",
        "负责市场主体登记、食品药品安全与行政处罚。",
    ),
];

const COUNTY_DEPARTMENTS: [(&str, &str, &str); 3] = [
    (
        "县政府办公室",
        "County General Office",
        "负责县政府信息公开工作。",
    ),
    (
        "县农业农村局",
        "Agriculture and Rural Affairs Bureau",
        "负责农业补贴、农村土地承包与乡村振兴项目。",
    ),
    (
        "县住房和城乡建设局",
        "Housing and Urban-Rural Development Bureau",
        "负责保障性住房、建筑市场与城乡建设。",
    ),
];

/// Real laws and regulations shipped with the repository (see data/demo/README.md), so that
/// a fresh clone has content to browse and search.
const DEMO_LAWS_JSONL: &str = include_str!("../data/demo/laws_subset.jsonl");

impl Services {
    /// Seeds the demo library when no document exists yet; returns how many were imported.
    pub async fn seed_demo_documents_if_empty(&self) -> ServiceResult<u64> {
        if self.db.document_count().await? > 0 {
            return Ok(0);
        }
        let Some(agency) = self.default_library_agency().await? else {
            return Ok(0);
        };
        let report = self
            .import_laws_jsonl(
                &agency.slug,
                DEMO_LAWS_JSONL.lines().map(|line| Ok(line.to_string())),
            )
            .await?;
        Ok(report.imported)
    }

    /// Seeds the demo when the database holds no agency yet. Returns whether it seeded.
    pub async fn seed_demo_if_empty(&self) -> ServiceResult<bool> {
        if self.db.agency_count().await? > 0 {
            return Ok(false);
        }
        let now = self.clock.now();
        let city = AgencyRow {
            id: Uuid::now_v7(),
            parent_id: None,
            level: "city".to_string(),
            slug: "demo-city".to_string(),
            name_zh: "示范市人民政府".to_string(),
            name_en: "Demo City People's Government".to_string(),
            org_code: "11330100002500017H".to_string(),
            ogi_office_name: "示范市人民政府办公室（政务公开办）".to_string(),
            ogi_office_phone: "0571-12345678".to_string(),
            ogi_office_email: "gongkai@demo-city.gov.cn".to_string(),
            ogi_office_address: "示范市人民大道1号市民中心A座2楼".to_string(),
            ogi_office_hours: "工作日 上午9:00-12:00，下午13:30-17:00".to_string(),
            created_at: now,
            updated_at: now,
        };
        let county = AgencyRow {
            id: Uuid::now_v7(),
            parent_id: Some(city.id),
            level: "county".to_string(),
            slug: "demo-county".to_string(),
            name_zh: "示范县人民政府".to_string(),
            name_en: "Demo County People's Government".to_string(),
            org_code: "113301220025000144".to_string(),
            ogi_office_name: "示范县人民政府办公室".to_string(),
            ogi_office_phone: "0571-87654321".to_string(),
            ogi_office_email: "gongkai@demo-county.gov.cn".to_string(),
            ogi_office_address: "示范县城关镇政府路8号".to_string(),
            ogi_office_hours: "工作日 9:00-17:00".to_string(),
            created_at: now,
            updated_at: now,
        };
        self.db.agency_insert(&city).await?;
        self.db.agency_insert(&county).await?;
        // The county adopts the city's catalog items (上下一致), so the city's comes first.
        self.ensure_standard_catalog(city.id).await?;
        self.ensure_standard_catalog(county.id).await?;
        let mut city_departments = Vec::new();
        for (agency, list) in [
            (&city, &CITY_DEPARTMENTS[..]),
            (&county, &COUNTY_DEPARTMENTS[..]),
        ] {
            for (name_zh, name_en, duties) in list {
                let row = DepartmentRow {
                    id: Uuid::now_v7(),
                    agency_id: agency.id,
                    name_zh: (*name_zh).to_string(),
                    name_en: (*name_en).to_string(),
                    duties: (*duties).to_string(),
                    created_at: now,
                };
                self.db.department_insert(&row).await?;
                if agency.id == city.id {
                    city_departments.push(row.id);
                }
            }
        }
        for demo in demo_accounts() {
            let account_id = self
                .create_account(
                    Some(demo.email),
                    None,
                    demo.display_name,
                    DEMO_PASSWORD,
                    demo.role.is_staff(),
                )
                .await?;
            let grant = RoleGrant {
                id: Uuid::now_v7(),
                role: demo.role,
                agency_id: demo.role.is_staff().then_some(city.id),
                department_id: if demo.department_scoped {
                    city_departments.first().copied()
                } else {
                    None
                },
            };
            self.db
                .role_insert(&RoleAssignmentRow {
                    id: grant.id,
                    account_id,
                    role: grant.role.code().to_string(),
                    agency_id: grant.agency_id,
                    department_id: grant.department_id,
                    created_at: now,
                })
                .await?;
            // The demo administrator also administers the installation as a whole, so that a
            // visitor can create new agencies at the top level.
            if demo.role == Role::SystemAdministrator {
                self.db
                    .role_insert(&RoleAssignmentRow {
                        id: Uuid::now_v7(),
                        account_id,
                        role: Role::SystemAdministrator.code().to_string(),
                        agency_id: None,
                        department_id: None,
                        created_at: now,
                    })
                    .await?;
            }
        }
        Ok(true)
    }
}
