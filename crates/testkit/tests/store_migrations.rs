//! Both migration folders must describe the same schema: the same files, and, applied to a
//! real database of each kind, the same tables with the same columns.

use std::collections::BTreeSet;

fn migration_names(dialect: &str) -> Vec<String> {
    let dir = format!(
        "{}/../store/migrations/{dialect}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn both_dialects_have_the_same_migration_files() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

#[tokio::test]
async fn both_dialects_give_the_same_tables_and_columns() -> anyhow::Result<()> {
    let sqlite = gongkai_testkit::sqlite_db().await?;
    let sqlite_columns = sqlite.db.schema_columns().await?;
    let tables: BTreeSet<&str> = sqlite_columns.iter().map(|(t, _)| t.as_str()).collect();
    for table in [
        "agencies",
        "departments",
        "accounts",
        "role_assignments",
        "sessions",
        "login_attempts",
        "security_events",
        "settings",
        "api_tokens",
        "calendar_years",
    ] {
        assert!(tables.contains(table), "{table} missing on SQLite");
    }
    match std::env::var(gongkai_testkit::POSTGRES_URL_ENV) {
        Ok(url) if !url.trim().is_empty() => {
            let pg = gongkai_testkit::postgres_db(url.trim()).await?;
            let pg_columns = pg.db.schema_columns().await?;
            assert_eq!(
                sqlite_columns, pg_columns,
                "SQLite and PostgreSQL schemas differ"
            );
            pg.finish().await;
        }
        _ => eprintln!(
            "PostgreSQL not configured ({}): compared file names only",
            gongkai_testkit::POSTGRES_URL_ENV
        ),
    }
    sqlite.finish().await;
    Ok(())
}
