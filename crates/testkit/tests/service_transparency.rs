//! Every recorded step of an application lands in the transparency log in the same
//! transaction, with digests only; the tree head, inclusion and consistency proofs verify
//! offline with the pure `domain::tlog` functions, on both databases.

use gongkai_domain::application::Command;
use gongkai_domain::application_form::ApplicationInput;
use gongkai_domain::signed_note::NoteSigner;
use gongkai_domain::tlog::{
    Checkpoint, Hash, RecordProof, Tile, TreeProof, base64_decode, check_record, check_tree,
    parse_entry_bundle, record_hash,
};
use gongkai_service::{DEMO_PASSWORD, RequestOrigin};
use gongkai_testkit::{TestApp, all_databases, services};

fn form() -> ApplicationInput<'static> {
    ApplicationInput {
        applicant_kind: "natural_person",
        name: "张明",
        identity_kind: "resident_id_card",
        identity_number: "11010519491231002X",
        organisation_code: "",
        legal_representative: "",
        contact_phone: "13800138000",
        contact_email: "zhangming@example.cn",
        postal_address: "",
        information_description: "请公开《示范市2025年公共停车场建设规划》全文",
        document_number: "",
        purpose: "",
        form_preference: "electronic",
        delivery_preference: "portal_download",
    }
}

fn hash_of(b64: &serde_json::Value) -> Hash {
    let bytes = base64_decode(b64.as_str().unwrap_or("")).expect("base64");
    Hash(bytes.try_into().expect("32 bytes"))
}

#[tokio::test]
async fn application_steps_are_logged_and_provable() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let origin = RequestOrigin::default();
        let applicant = s
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD, &origin)
            .await?
            .actor;
        let clerk = s
            .login("clerk@demo.gongkai.cn", DEMO_PASSWORD, &origin)
            .await?
            .actor;
        let city = s.agency_by_slug("demo-city").await?.id;
        let app = s
            .submit_application(&applicant, city, &form(), "tlog")
            .await?;
        for command in [
            Command::ConfirmReceipt {
                receipt_date: s.clock.today_in_china(),
            },
            Command::Accept,
        ] {
            let v = s.db.application_get(app.id).await?.expect("row").version;
            s.act_on_application(&clerk, app.id, v, command).await?;
        }
        let mut client = TestApp::new(s.clone()).await?;
        let head = client.get("/transparency/tree-head").await?.json();
        assert_eq!(
            head["size"], 3,
            "{}: submitted, received, accepted",
            db.label
        );
        let root = hash_of(&head["root"]);
        let entries = client
            .get("/transparency/entries?start=0&limit=10")
            .await?
            .json();
        let entries = entries["entries"].as_array().cloned().unwrap_or_default();
        assert_eq!(entries.len(), 3);
        for (i, entry) in entries.iter().enumerate() {
            let data = base64_decode(entry["data"].as_str().unwrap_or("")).expect("base64");
            let text = String::from_utf8(data.clone())?;
            assert!(text.contains("demo-city-2026-00001#"), "{text}");
            assert!(
                !text.contains("张明") && !text.contains("11010519491231002X"),
                "no personal data in a leaf: {text}"
            );
            let proof = client
                .get(&format!("/transparency/proof/inclusion?index={i}&size=3"))
                .await?
                .json();
            let proof = RecordProof(
                proof["proof"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(hash_of)
                    .collect(),
            );
            check_record(&proof, 3, root, i as u64, record_hash(&data))
                .expect("inclusion proof verifies");
        }
        // The tree after the first entry is consistent with the tree now.
        let first =
            record_hash(&base64_decode(entries[0]["data"].as_str().unwrap_or("")).expect("base64"));
        let proof = client
            .get("/transparency/proof/consistency?from=1&to=3")
            .await?
            .json();
        let proof = TreeProof(
            proof["proof"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(hash_of)
                .collect(),
        );
        check_tree(&proof, 3, root, 1, first).expect("consistency proof verifies");
        // Out-of-range and garbage requests are clear 4xx answers.
        assert_eq!(
            client
                .get("/transparency/proof/inclusion?index=5&size=3")
                .await?
                .status,
            422
        );
        assert_eq!(
            client
                .get("/transparency/proof/inclusion?index=x")
                .await?
                .status,
            422
        );
        assert_eq!(
            client
                .get("/transparency/proof/consistency?from=3&to=1")
                .await?
                .status,
            422
        );
        db.finish().await;
    }
    Ok(())
}

#[test]
fn transparency_endpoints_are_in_the_openapi_document() {
    let source = include_str!("../../web/src/transparency.rs");
    let document = gongkai_web::api::openapi_document();
    let mut n = 0;
    for piece in source.split(".route(\"").skip(1) {
        // axum's catch-all `{*path}` is OpenAPI's `{path}`.
        let path = piece.split('"').next().unwrap_or("").replace("{*", "{");
        assert!(
            document["paths"][path.as_str()]["get"].is_object(),
            "{path} is missing from the OpenAPI document"
        );
        n += 1;
    }
    assert_eq!(n, 7);
}

#[tokio::test]
async fn the_service_signs_the_tree_head_and_serves_only_filled_tiles() -> anyhow::Result<()> {
    for db in all_databases().await? {
        let s = services(&db.db);
        s.seed_demo_if_empty().await?;
        let origin = RequestOrigin::default();
        let applicant = s
            .login("applicant@demo.gongkai.cn", DEMO_PASSWORD, &origin)
            .await?
            .actor;
        let city = s.agency_by_slug("demo-city").await?.id;
        s.submit_application(&applicant, city, &form(), "tlog-tiles")
            .await?;
        let signer = NoteSigner::from_seed("gongkai.test/log", [42u8; 32])?;
        let note = s.signed_checkpoint(&signer).await?;
        let checkpoint = Checkpoint::parse(signer.verifier().open(&note)?)?;
        let head = s.tree_head().await?;
        assert_eq!(
            (checkpoint.size(), checkpoint.root()),
            (head.size, head.root),
            "{}",
            db.label
        );
        assert_eq!(head.size, 1, "one leaf: the submission");
        // The one leaf is a partial tile of width 1; width 2 and the full tile do not exist.
        let leaf = s
            .log_tile(Tile::parse_path("tile/0/000.p/1")?)
            .await?
            .expect("partial tile");
        assert_eq!(
            leaf,
            head.root.0.to_vec(),
            "a one-leaf tree's root is its leaf"
        );
        let bundle = s
            .log_tile(Tile::parse_path("tile/entries/000.p/1")?)
            .await?
            .expect("entry bundle");
        let entries = parse_entry_bundle(&bundle)?;
        assert_eq!(record_hash(entries[0]), head.root);
        for absent in ["tile/0/000.p/2", "tile/0/000", "tile/entries/000.p/2"] {
            assert_eq!(
                s.log_tile(Tile::parse_path(absent)?).await?,
                None,
                "{absent}"
            );
        }
        db.finish().await;
    }
    Ok(())
}
