//! Account, session, lockout and role contract tests, run on SQLite and (when configured) on
//! PostgreSQL, each on its own fresh database with a fixed clock.

use gongkai_domain::account::{RegistrationInput, Role};
use gongkai_domain::agency::AgencyInput;
use gongkai_service::{DEMO_PASSWORD, RequestOrigin, ServiceError, Services, StaffInput};
use gongkai_testkit::{all_databases, services};

fn origin(address: &str) -> RequestOrigin {
    RequestOrigin {
        address: address.to_string(),
        user_agent: "test".to_string(),
    }
}

fn registration<'a>(email: &'a str, password: &'a str) -> RegistrationInput<'a> {
    RegistrationInput {
        email,
        mobile: "",
        display_name: "测试用户",
        password,
        password_confirmation: password,
    }
}

#[tokio::test]
async fn register_then_login_with_email_or_mobile() -> anyhow::Result<()> {
    for test_db in all_databases().await? {
        let s = services(&test_db.db);
        let input = RegistrationInput {
            email: "Citizen@Example.CN",
            mobile: "+86 138 0013 8000",
            display_name: "王小明",
            password: "correct horse battery",
            password_confirmation: "correct horse battery",
        };
        let session = s.register(&input, &origin("10.0.0.1")).await?;
        assert!(session.actor.has_role(Role::Applicant), "{}", test_db.label);
        assert!(!session.actor.is_staff);
        let by_email = s
            .login(
                "citizen@example.cn",
                "correct horse battery",
                &origin("10.0.0.1"),
            )
            .await?;
        assert_eq!(by_email.actor.account_id, session.actor.account_id);
        let by_mobile = s
            .login("13800138000", "correct horse battery", &origin("10.0.0.1"))
            .await?;
        assert_eq!(by_mobile.actor.account_id, session.actor.account_id);
        let resolved = s
            .session_actor(&by_mobile.token)
            .await?
            .expect("live session");
        assert_eq!(resolved.display_name, "王小明");
        // The same e-mail cannot register twice; the answer names the field.
        let again = s
            .register(
                &registration("citizen@example.cn", "another password 1"),
                &origin("10.0.0.1"),
            )
            .await;
        match again {
            Err(ServiceError::Invalid(p)) => assert!(p.has_field("email"), "{p}"),
            other => panic!("expected email_taken, got {other:?}"),
        }
        test_db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn registration_lists_every_problem_at_once() -> anyhow::Result<()> {
    for test_db in all_databases().await? {
        let s = services(&test_db.db);
        let input = RegistrationInput {
            email: "not-an-email",
            mobile: "12345",
            display_name: "",
            password: "short",
            password_confirmation: "different",
        };
        match s.register(&input, &origin("10.0.0.2")).await {
            Err(ServiceError::Invalid(p)) => {
                let fields: Vec<&str> = p.problems().iter().map(|x| x.field).collect();
                assert_eq!(
                    fields,
                    [
                        "email",
                        "mobile",
                        "display_name",
                        "password",
                        "password_confirmation"
                    ],
                    "{}",
                    test_db.label
                );
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        test_db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn lockout_survives_a_restart_and_expires() -> anyhow::Result<()> {
    for test_db in all_databases().await? {
        let s = services(&test_db.db);
        s.register(
            &registration("lock@example.cn", "the right password"),
            &origin("10.0.0.3"),
        )
        .await?;
        let policy = s.config.login_throttle;
        for attempt in 1..policy.account_failures_max {
            let result = s
                .login("lock@example.cn", "wrong password!", &origin("10.0.0.3"))
                .await;
            assert!(
                matches!(result, Err(ServiceError::LoginFailed)),
                "attempt {attempt}: {result:?}"
            );
        }
        let locking = s
            .login("lock@example.cn", "wrong password!", &origin("10.0.0.3"))
            .await;
        assert!(
            matches!(locking, Err(ServiceError::AccountLocked { .. })),
            "{locking:?}"
        );
        // A "restarted" server (new services over the same database) still refuses, even the
        // right password.
        let restarted: Services = services(&test_db.db);
        restarted.clock.advance(time::Duration::minutes(1));
        let refused = restarted
            .login("lock@example.cn", "the right password", &origin("10.0.0.4"))
            .await;
        assert!(
            matches!(refused, Err(ServiceError::AccountLocked { .. })),
            "{refused:?}"
        );
        restarted.clock.advance(policy.account_lock_duration);
        restarted
            .login("lock@example.cn", "the right password", &origin("10.0.0.4"))
            .await?;
        let kinds: Vec<String> = test_db
            .db
            .security_event_list(100)
            .await?
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(kinds.contains(&"account_locked".to_string()));
        assert!(kinds.contains(&"login_refused_locked".to_string()));
        assert!(kinds.contains(&"login_succeeded".to_string()));
        test_db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn one_address_is_throttled_across_accounts() -> anyhow::Result<()> {
    for test_db in all_databases().await? {
        let s = services(&test_db.db);
        let max = s.config.login_throttle.address_attempts_max;
        for i in 0..max {
            let result = s
                .login(
                    &format!("nobody{i}@example.cn"),
                    "whatever password",
                    &origin("203.0.113.9"),
                )
                .await;
            assert!(
                matches!(result, Err(ServiceError::LoginFailed)),
                "{result:?}"
            );
        }
        let limited = s
            .login(
                "nobody@example.cn",
                "whatever password",
                &origin("203.0.113.9"),
            )
            .await;
        assert!(
            matches!(limited, Err(ServiceError::RateLimited { .. })),
            "{limited:?}"
        );
        // Another address is unaffected.
        let other = s
            .login(
                "nobody@example.cn",
                "whatever password",
                &origin("203.0.113.10"),
            )
            .await;
        assert!(matches!(other, Err(ServiceError::LoginFailed)), "{other:?}");
        test_db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn password_change_ends_other_sessions_and_logout_ends_this_one() -> anyhow::Result<()> {
    for test_db in all_databases().await? {
        let s = services(&test_db.db);
        let first = s
            .register(
                &registration("pw@example.cn", "original password"),
                &origin("10.0.0.5"),
            )
            .await?;
        let second = s
            .login("pw@example.cn", "original password", &origin("10.0.0.6"))
            .await?;
        let wrong = s
            .change_password(
                &first.actor,
                &first.token,
                "not it at all",
                "new password 2026",
                "new password 2026",
                &origin("10.0.0.5"),
            )
            .await;
        assert!(
            matches!(wrong, Err(ServiceError::Invalid(ref p)) if p.has_field("current_password"))
        );
        s.change_password(
            &first.actor,
            &first.token,
            "original password",
            "new password 2026",
            "new password 2026",
            &origin("10.0.0.5"),
        )
        .await?;
        assert!(
            s.session_actor(&first.token).await?.is_some(),
            "the changing session stays"
        );
        assert!(
            s.session_actor(&second.token).await?.is_none(),
            "other sessions end"
        );
        assert!(matches!(
            s.login("pw@example.cn", "original password", &origin("10.0.0.5"))
                .await,
            Err(ServiceError::LoginFailed)
        ));
        s.logout(&first.token, &origin("10.0.0.5")).await?;
        assert!(s.session_actor(&first.token).await?.is_none());
        test_db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn sessions_expire_after_idle_time() -> anyhow::Result<()> {
    for test_db in all_databases().await? {
        let s = services(&test_db.db);
        let session = s
            .register(
                &registration("idle@example.cn", "idle password 1"),
                &origin("10.0.0.7"),
            )
            .await?;
        s.clock
            .advance(time::Duration::minutes(s.config.session_idle_minutes - 1));
        assert!(
            s.session_actor(&session.token).await?.is_some(),
            "activity slides the expiry"
        );
        s.clock
            .advance(time::Duration::minutes(s.config.session_idle_minutes - 1));
        assert!(s.session_actor(&session.token).await?.is_some());
        s.clock
            .advance(time::Duration::minutes(s.config.session_idle_minutes + 1));
        assert!(s.session_actor(&session.token).await?.is_none());
        assert!(s.session_actor("not-a-token").await?.is_none());
        test_db.finish().await;
    }
    Ok(())
}

fn county_input<'a>(slug: &'a str, org_code: &'a str) -> AgencyInput<'a> {
    AgencyInput {
        name_zh: "测试县人民政府",
        name_en: "Test County",
        slug,
        level: "county",
        org_code,
        ..Default::default()
    }
}

#[tokio::test]
async fn agency_hierarchy_governs_who_administers_what() -> anyhow::Result<()> {
    for test_db in all_databases().await? {
        let s = services(&test_db.db);
        s.seed_demo_if_empty().await?;
        let o = origin("10.0.1.1");
        let admin = s
            .login("admin@demo.gongkai.cn", DEMO_PASSWORD, &o)
            .await?
            .actor;
        let clerk = s
            .login("clerk@demo.gongkai.cn", DEMO_PASSWORD, &o)
            .await?
            .actor;
        let city = s.agency_by_slug("demo-city").await?;
        let county = s.agency_by_slug("demo-county").await?;
        // A county below the city: allowed for the administrator, refused for a clerk.
        let created = s
            .create_agency(
                &admin,
                Some(city.id),
                &county_input("test-county", "11330100MB0A12345B"),
                &o,
            )
            .await?;
        assert_eq!(created.parent_id, Some(city.id));
        assert!(matches!(
            s.create_agency(
                &clerk,
                Some(city.id),
                &county_input("x-county", "91330100MA2B3C4D5N"),
                &o
            )
            .await,
            Err(ServiceError::Forbidden)
        ));
        // A city cannot sit below a county, the slug and code must be unique, and every
        // problem comes back at once.
        let bad = AgencyInput {
            name_zh: "",
            slug: "test-county",
            level: "city",
            org_code: "11330100MB0A12345B",
            ogi_office_email: "nope",
            ..Default::default()
        };
        match s.create_agency(&admin, Some(county.id), &bad, &o).await {
            Err(ServiceError::Invalid(p)) => {
                for field in ["name_zh", "level", "ogi_office_email"] {
                    assert!(p.has_field(field), "{field} missing in {p}");
                }
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        let duplicate = AgencyInput {
            name_zh: "重复",
            ..county_input("test-county", "11330100MB0A12345B")
        };
        match s.create_agency(&admin, Some(city.id), &duplicate, &o).await {
            Err(ServiceError::Invalid(p)) => {
                assert!(p.has_field("slug") && p.has_field("org_code"), "{p}");
            }
            other => panic!("expected duplicates refused, got {other:?}"),
        }
        // A county administrator manages the county but not the city above it.
        let county_admin_id = s
            .create_staff(
                &admin,
                county.id,
                &StaffInput {
                    email: "county-admin@example.cn",
                    display_name: "县管理员",
                    initial_password: "county admin password",
                    role: "system_administrator",
                    ..Default::default()
                },
                &o,
            )
            .await?;
        let county_admin = s.actor(county_admin_id).await?.expect("actor");
        let tree = s.agency_tree().await?;
        assert!(s.administers(&county_admin, &tree, county.id));
        assert!(!s.administers(&county_admin, &tree, city.id));
        assert!(
            s.administers(&admin, &tree, county.id),
            "the city's admin manages the county below"
        );
        assert!(matches!(
            s.create_department(&county_admin, city.id, "越权科", "", "", &o)
                .await,
            Err(ServiceError::Forbidden)
        ));
        s.create_department(
            &county_admin,
            county.id,
            "县统计局",
            "Statistics Bureau",
            "统计调查。",
            &o,
        )
        .await?;
        test_db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn roles_are_scoped_validated_and_logged() -> anyhow::Result<()> {
    for test_db in all_databases().await? {
        let s = services(&test_db.db);
        s.seed_demo_if_empty().await?;
        let o = origin("10.0.2.1");
        let admin = s
            .login("admin@demo.gongkai.cn", DEMO_PASSWORD, &o)
            .await?
            .actor;
        let city = s.agency_by_slug("demo-city").await?;
        let county = s.agency_by_slug("demo-county").await?;
        let city_department = s.departments(city.id).await?.remove(0);
        let county_department = s.departments(county.id).await?.remove(0);
        let staff_id = s
            .create_staff(
                &admin,
                city.id,
                &StaffInput {
                    mobile: "13912345678",
                    display_name: "新承办人",
                    initial_password: "new clerk password",
                    role: "clerk",
                    department_id: &city_department.id.to_string(),
                    ..Default::default()
                },
                &o,
            )
            .await?;
        // A department from another agency, an agency-wide role limited to a department and
        // an unknown role are each refused with a precise code.
        let cases = [
            (
                "liaison",
                county_department.id.to_string(),
                "department_id",
                "department_invalid",
            ),
            (
                "leader",
                city_department.id.to_string(),
                "department_id",
                "role_is_agency_wide",
            ),
            ("emperor", String::new(), "role", "role_invalid"),
            ("applicant", String::new(), "role", "role_not_staff"),
        ];
        for (role, department, field, code) in cases {
            match s
                .grant_role(&admin, staff_id, city.id, role, &department, &o)
                .await
            {
                Err(ServiceError::Invalid(p)) => assert!(
                    p.problems()
                        .iter()
                        .any(|x| x.field == field && x.code == code),
                    "{role}: {p}"
                ),
                other => panic!("{role}: expected invalid, got {other:?}"),
            }
        }
        let grant = s
            .grant_role(
                &admin,
                staff_id,
                city.id,
                "department_reviewer",
                &city_department.id.to_string(),
                &o,
            )
            .await?;
        let staff_actor = s.actor(staff_id).await?.expect("actor");
        assert!(
            staff_actor.has_role(Role::Clerk) && staff_actor.has_role(Role::DepartmentReviewer)
        );
        s.revoke_role(&admin, grant, &o).await?;
        assert!(
            !s.actor(staff_id)
                .await?
                .expect("actor")
                .has_role(Role::DepartmentReviewer)
        );
        // Deactivation ends the account's sessions at once.
        let staff_session = s.login("13912345678", "new clerk password", &o).await?;
        s.set_staff_active(&admin, staff_id, false, &o).await?;
        assert!(s.session_actor(&staff_session.token).await?.is_none());
        assert!(matches!(
            s.login("13912345678", "new clerk password", &o).await,
            Err(ServiceError::LoginFailed)
        ));
        let kinds: Vec<String> = s
            .security_events(&admin, 200)
            .await?
            .into_iter()
            .map(|e| e.kind)
            .collect();
        for kind in [
            "staff_created",
            "role_granted",
            "role_revoked",
            "account_deactivated",
        ] {
            assert!(kinds.contains(&kind.to_string()), "{kind} not logged");
        }
        // Auditors read the log; clerks do not.
        let auditor = s
            .login("auditor@demo.gongkai.cn", DEMO_PASSWORD, &o)
            .await?
            .actor;
        assert!(s.security_events(&auditor, 10).await.is_ok());
        let clerk = s
            .login("clerk@demo.gongkai.cn", DEMO_PASSWORD, &o)
            .await?
            .actor;
        assert!(matches!(
            s.security_events(&clerk, 10).await,
            Err(ServiceError::Forbidden)
        ));
        // The last administrator grant of one's own cannot be revoked... but the demo admin
        // holds two (agency and installation), so revoking one is allowed and the other stays.
        let own: Vec<_> = admin
            .grants
            .iter()
            .filter(|g| g.role == Role::SystemAdministrator)
            .collect();
        assert_eq!(own.len(), 2);
        test_db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn demo_seed_is_idempotent_and_complete() -> anyhow::Result<()> {
    for test_db in all_databases().await? {
        let s = services(&test_db.db);
        assert!(s.seed_demo_if_empty().await?);
        assert!(
            !s.seed_demo_if_empty().await?,
            "a second start seeds nothing"
        );
        let tree = s.agency_tree().await?;
        assert_eq!(tree.agencies.len(), 2);
        let city = s.agency_by_slug("demo-city").await?;
        assert!(s.departments(city.id).await?.len() >= 6);
        for demo in gongkai_service::demo_accounts() {
            let session = s
                .login(demo.email, DEMO_PASSWORD, &origin("10.0.3.1"))
                .await?;
            assert!(session.actor.has_role(demo.role), "{}", demo.email);
        }
        test_db.finish().await;
    }
    Ok(())
}

#[tokio::test]
async fn calendar_years_imported_override_the_builtin_ones() -> anyhow::Result<()> {
    for test_db in all_databases().await? {
        let s = services(&test_db.db);
        let before = s.working_day_calendar().await?;
        let date = time::macros::date!(2027 - 02 - 08);
        assert!(
            before.is_working_day(date),
            "2027 has no arrangement yet: Monday works"
        );
        let json = r#"{"year": 2027, "papers": ["https://www.gov.cn/example"], "days": [
            {"name": "春节", "date": "2027-02-08", "isOffDay": true}]}"#;
        assert_eq!(
            s.import_calendar_year(None, json, &origin("cli")).await?,
            2027
        );
        let after = s.working_day_calendar().await?;
        assert!(!after.is_working_day(date));
        assert!(matches!(
            s.import_calendar_year(None, "{\"year\": 2027", &origin("cli"))
                .await,
            Err(ServiceError::Invalid(_))
        ));
        test_db.finish().await;
    }
    Ok(())
}
