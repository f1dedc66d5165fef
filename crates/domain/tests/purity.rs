//! The domain crate stays pure: its manifest may not name an async runtime, a database driver,
//! HTTP or mail crates, a clock or randomness; its sources may not touch the file system, the
//! environment or the wall clock.

const FORBIDDEN_DEPENDENCIES: &[&str] = &[
    "tokio",
    "async-std",
    "sqlx",
    "axum",
    "hyper",
    "reqwest",
    "lettre",
    "rand",
    "getrandom",
    "chrono",
    "uuid",
    "tower",
    "tracing",
];

const FORBIDDEN_CALLS: &[&str] = &[
    "std::fs",
    "std::env",
    "std::net",
    "std::process",
    "SystemTime",
    "Instant::now",
    "now_utc",
    "now_local",
    "thread_rng",
    "OsRng",
];

#[test]
fn manifest_names_no_forbidden_dependency() {
    let manifest = include_str!("../Cargo.toml");
    let mut in_dependencies = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if !in_dependencies || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or("");
        assert!(
            !FORBIDDEN_DEPENDENCIES.contains(&name),
            "gongkai-domain must stay pure, but depends on {name}"
        );
    }
}

#[test]
fn sources_touch_no_outside_world() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("src readable") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("source readable");
            for call in FORBIDDEN_CALLS {
                assert!(!text.contains(call), "{} uses {call}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 3);
}
