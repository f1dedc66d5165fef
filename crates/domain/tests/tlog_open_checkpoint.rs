//! What a verifier does with a signed checkpoint and a record it fetched: the checkpoint opens
//! only with the log's own key and only unchanged, and a record's four fields read back from
//! the data that [`leaf_json`] wrote.

use gongkai_domain::signed_note::NoteSigner;
use gongkai_domain::tlog::{
    Checkpoint, CheckpointOpenError, EMPTY_TREE_HASH, LeafDataError, document_of_leaf, leaf_json,
    open_checkpoint, parse_leaf, record_hash,
};
use serde_json::{Map, Value};

const LOG_NAME: &str = "gongkai.example/log";

fn signed(signer: &NoteSigner, size: u64) -> String {
    let root = if size == 0 {
        EMPTY_TREE_HASH
    } else {
        record_hash(b"some root")
    };
    let checkpoint = Checkpoint::new(signer.name(), size, root, Vec::new()).expect("checkpoint");
    signer.sign(&checkpoint.to_text()).expect("signed")
}

#[test]
fn a_checkpoint_opens_with_its_key_and_not_when_changed() {
    let signer = NoteSigner::from_seed(LOG_NAME, [7; 32]).expect("signer");
    let note = signed(&signer, 42);
    let checkpoint = open_checkpoint(&signer.verifier(), &note).expect("opens");
    assert_eq!(checkpoint.size(), 42);

    // One changed digit of the size, and the signature no longer covers the text.
    let tampered = note.replacen("\n42\n", "\n43\n", 1);
    assert!(matches!(
        open_checkpoint(&signer.verifier(), &tampered),
        Err(CheckpointOpenError::Signature { .. })
    ));
    // Another key of the same name does not open it either.
    let impostor = NoteSigner::from_seed(LOG_NAME, [8; 32]).expect("signer");
    assert!(matches!(
        open_checkpoint(&impostor.verifier(), &note),
        Err(CheckpointOpenError::Signature { .. })
    ));
}

#[test]
fn a_signed_text_that_names_another_log_is_refused() {
    let signer = NoteSigner::from_seed(LOG_NAME, [7; 32]).expect("signer");
    let other_origin =
        Checkpoint::new("other.example/log", 1, record_hash(b"x"), Vec::new()).expect("checkpoint");
    let note = signer.sign(&other_origin.to_text()).expect("signed");
    assert!(matches!(
        open_checkpoint(&signer.verifier(), &note),
        Err(CheckpointOpenError::OriginMismatch { .. })
    ));
    let not_a_checkpoint = signer.sign("hello\n").expect("signed");
    assert!(matches!(
        open_checkpoint(&signer.verifier(), &not_a_checkpoint),
        Err(CheckpointOpenError::Malformed(_))
    ));
}

#[test]
fn leaf_fields_read_back_what_leaf_json_wrote() {
    let digest = "ab".repeat(32);
    let mut extra = Map::new();
    extra.insert("event".to_owned(), Value::String("received".to_owned()));
    let data = leaf_json(
        "application_event",
        "demo-city-2026-00001#2",
        "2026-03-02T01:00:00Z",
        &digest,
        extra.clone(),
    )
    .expect("leaf");
    let fields = parse_leaf(&data).expect("parses");
    assert_eq!(fields.kind, "application_event");
    assert_eq!(fields.subject, "demo-city-2026-00001#2");
    assert_eq!(fields.time_rfc3339, "2026-03-02T01:00:00Z");
    assert_eq!(fields.sha256_hex, digest);
    assert_eq!(fields.extra, extra);

    assert_eq!(parse_leaf(b"[1,2]"), Err(LeafDataError::NotAnObject));
    assert_eq!(parse_leaf(b"not json"), Err(LeafDataError::NotAnObject));
    let bad_digest = br#"{"kind":"k","sha256":"AB","subject":"s","time":"2026-03-02T01:00:00Z"}"#;
    assert_eq!(parse_leaf(bad_digest), Err(LeafDataError::InvalidSha256));
    let no_time = br#"{"kind":"k","sha256":"ab","subject":"s"}"#;
    assert_eq!(parse_leaf(no_time), Err(LeafDataError::InvalidTime));
}

#[test]
fn document_records_name_their_document_and_others_do_not() {
    let digest = "cd".repeat(32);
    let fields = |kind: &str, subject: &str| {
        let data =
            leaf_json(kind, subject, "2026-03-02T01:00:00Z", &digest, Map::new()).expect("leaf");
        parse_leaf(&data).expect("parses")
    };
    let published = fields("document_version_published", "lrb-a232@v1@v12");
    assert_eq!(document_of_leaf(&published), Some("lrb-a232@v1"));
    let withdrawn = fields("document_withdrawn", "gov/2026/7@v3");
    assert_eq!(document_of_leaf(&withdrawn), Some("gov/2026/7"));
    assert_eq!(
        document_of_leaf(&fields("document_withdrawn", "x@vx")),
        None
    );
    assert_eq!(document_of_leaf(&fields("document_withdrawn", "@v1")), None);
    let catalog = fields("catalog_revision", "demo-city/A01@r2");
    assert_eq!(document_of_leaf(&catalog), None);
}
