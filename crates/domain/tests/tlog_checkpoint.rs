//! Checkpoints in the C2SP tlog-checkpoint format, read strictly and written back unchanged, and
//! the canonical record data that the log hashes.

use gongkai_domain::tlog::{
    CHECKPOINT_TEXT_BYTES_MAX, Checkpoint, CheckpointError, EMPTY_TREE_HASH, EXTENSION_LINES_MAX,
    Hash, LEAF_DATA_BYTES_MAX, LEAF_KIND_BYTES_MAX, LeafDataError, ORIGIN_BYTES_MAX,
    TREE_RECORDS_MAX, leaf_json, record_hash,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The example of the C2SP tlog-checkpoint specification.
const C2SP_EXAMPLE: &str = "example.com/behind-the-sofa\n\
                            20852163\n\
                            CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

#[test]
fn the_specification_example_round_trips() {
    let checkpoint = Checkpoint::parse(C2SP_EXAMPLE).expect("valid checkpoint");
    assert_eq!(checkpoint.origin(), "example.com/behind-the-sofa");
    assert_eq!(checkpoint.size(), 20_852_163);
    assert_eq!(
        checkpoint.root().to_base64(),
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    );
    assert!(checkpoint.extensions().is_empty());
    assert_eq!(checkpoint.to_text(), C2SP_EXAMPLE);
}

#[test]
fn extensions_and_the_empty_tree() {
    let checkpoint = Checkpoint::new(
        "gongkai.example.gov.cn/log",
        0,
        EMPTY_TREE_HASH,
        vec!["时间 2025-03-01T00:00:00Z".to_owned(), "x".to_owned()],
    )
    .expect("valid");
    let text = checkpoint.to_text();
    assert_eq!(
        text,
        "gongkai.example.gov.cn/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\
         时间 2025-03-01T00:00:00Z\nx\n"
    );
    assert_eq!(Checkpoint::parse(&text), Ok(checkpoint));
}

#[test]
fn malformed_checkpoints_are_refused_precisely() {
    let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let long_origin = "o".repeat(ORIGIN_BYTES_MAX + 1);
    let long_extension = "e".repeat(2000);
    let many_extensions = "e\n".repeat(EXTENSION_LINES_MAX + 1);
    let huge = "e".repeat(CHECKPOINT_TEXT_BYTES_MAX);
    let cases: Vec<(String, CheckpointError)> = vec![
        (String::new(), CheckpointError::MissingFinalNewline),
        (
            format!("origin\n5\n{root}"),
            CheckpointError::MissingFinalNewline,
        ),
        ("origin\n5\n".to_owned(), CheckpointError::MissingLine),
        ("\n".to_owned(), CheckpointError::EmptyOrigin),
        (format!("\n5\n{root}\n"), CheckpointError::EmptyOrigin),
        (
            format!("{long_origin}\n5\n{root}\n"),
            CheckpointError::OriginTooLong,
        ),
        (
            format!("my log\n5\n{root}\n"),
            CheckpointError::OriginHasSpaceOrPlus,
        ),
        (
            format!("a+b\n5\n{root}\n"),
            CheckpointError::OriginHasSpaceOrPlus,
        ),
        (
            format!("a\u{3000}b\n5\n{root}\n"),
            CheckpointError::OriginHasSpaceOrPlus,
        ),
        (
            format!("origin\r\n5\n{root}\n"),
            CheckpointError::ControlCharacter,
        ),
        (
            format!("origin\n5\n{root}\nbad\tline\n"),
            CheckpointError::ControlCharacter,
        ),
        (
            format!("origin\n05\n{root}\n"),
            CheckpointError::SizeNotDecimal,
        ),
        (
            format!("origin\n+5\n{root}\n"),
            CheckpointError::SizeNotDecimal,
        ),
        (
            format!("origin\n-5\n{root}\n"),
            CheckpointError::SizeNotDecimal,
        ),
        (
            format!("origin\n 5\n{root}\n"),
            CheckpointError::SizeNotDecimal,
        ),
        (
            format!("origin\n\n{root}\n"),
            CheckpointError::SizeNotDecimal,
        ),
        (
            format!("origin\n５\n{root}\n"),
            CheckpointError::SizeNotDecimal,
        ),
        (
            format!("origin\n{}\n{root}\n", TREE_RECORDS_MAX + 1),
            CheckpointError::SizeTooLarge,
        ),
        (
            format!("origin\n99999999999999999999999\n{root}\n"),
            CheckpointError::SizeTooLarge,
        ),
        (
            "origin\n5\nZm9vYmFy\n".to_owned(),
            CheckpointError::InvalidRootHash,
        ),
        (
            "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".to_owned(),
            CheckpointError::InvalidRootHash,
        ),
        (
            "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n".to_owned(),
            CheckpointError::InvalidRootHash,
        ),
        (
            format!("origin\n5\n{root} \n"),
            CheckpointError::InvalidRootHash,
        ),
        (
            format!("origin\n5\n{root}\n\n"),
            CheckpointError::EmptyExtensionLine,
        ),
        (
            format!("origin\n5\n{root}\na\n\nb\n"),
            CheckpointError::EmptyExtensionLine,
        ),
        (
            format!("origin\n5\n{root}\n{long_extension}\n"),
            CheckpointError::ExtensionLineTooLong,
        ),
        (
            format!("origin\n5\n{root}\n{many_extensions}"),
            CheckpointError::TooManyExtensionLines,
        ),
        (
            format!("origin\n5\n{root}\n{huge}\n"),
            CheckpointError::TextTooLong,
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(Checkpoint::parse(&text), Err(expected), "{text:?}");
        assert!(expected.code().starts_with("checkpoint_"));
    }
}

#[test]
fn new_refuses_what_parse_refuses() {
    let root = Hash::default();
    assert_eq!(
        Checkpoint::new("", 1, root, vec![]),
        Err(CheckpointError::EmptyOrigin)
    );
    assert_eq!(
        Checkpoint::new("a b", 1, root, vec![]),
        Err(CheckpointError::OriginHasSpaceOrPlus)
    );
    assert_eq!(
        Checkpoint::new("a\nb", 1, root, vec![]),
        Err(CheckpointError::ControlCharacter)
    );
    assert_eq!(
        Checkpoint::new("log", TREE_RECORDS_MAX + 1, root, vec![]),
        Err(CheckpointError::SizeTooLarge)
    );
    assert_eq!(
        Checkpoint::new("log", 1, root, vec![String::new()]),
        Err(CheckpointError::EmptyExtensionLine)
    );
    assert_eq!(
        Checkpoint::new("log", 1, root, vec!["a\nb".to_owned()]),
        Err(CheckpointError::ControlCharacter)
    );
    assert_eq!(
        Checkpoint::new(
            "log",
            1,
            root,
            vec!["e".to_owned(); EXTENSION_LINES_MAX + 1]
        ),
        Err(CheckpointError::TooManyExtensionLines)
    );
}

fn origin() -> impl Strategy<Value = String> {
    "[a-z0-9./\u{4e00}-\u{4e10}-]{1,40}"
}

fn extension_line() -> impl Strategy<Value = String> {
    "[ -~\u{4e00}-\u{4e10}]{1,60}"
}

proptest! {
    /// Whatever `new` accepts, `to_text` writes and `parse` reads back unchanged, and the text
    /// is the one C2SP describes line by line.
    #[test]
    fn checkpoints_round_trip(
        origin in origin(),
        size in 0..=TREE_RECORDS_MAX,
        root in any::<[u8; 32]>(),
        extensions in prop::collection::vec(extension_line(), 0..4),
    ) {
        let checkpoint = Checkpoint::new(&origin, size, Hash(root), extensions.clone())
            .expect("valid fields");
        let text = checkpoint.to_text();
        prop_assert!(text.ends_with('\n'));
        let lines: Vec<&str> = text.lines().collect();
        prop_assert_eq!(lines.len(), 3 + extensions.len());
        prop_assert_eq!(lines[0], origin.as_str());
        let size_text = size.to_string();
        prop_assert_eq!(lines[1], size_text.as_str());
        prop_assert_eq!(Checkpoint::parse(&text), Ok(checkpoint));
    }

    /// Parsing never panics, and whatever it accepts it writes back byte for byte.
    #[test]
    fn parse_accepts_only_what_it_writes(text in "[a-z0-9+/=\n ]{0,80}") {
        if let Ok(checkpoint) = Checkpoint::parse(&text) {
            prop_assert_eq!(checkpoint.to_text(), text);
        }
    }
}

const DIGEST: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

#[test]
fn leaf_json_is_canonical() {
    let mut extra = Map::new();
    extra.insert("agency".to_owned(), json!("某某市人民政府办公室"));
    extra.insert("bytes".to_owned(), json!(1024));
    let data = leaf_json(
        "application.submitted",
        "2025-粤-0001",
        "2025-03-01T08:00:00Z",
        DIGEST,
        extra,
    )
    .expect("valid record");
    let text = String::from_utf8(data.clone()).expect("UTF-8");
    assert_eq!(
        text,
        format!(
            "{{\"agency\":\"某某市人民政府办公室\",\"bytes\":1024,\"kind\":\"application.submitted\",\
             \"sha256\":\"{DIGEST}\",\"subject\":\"2025-粤-0001\",\"time\":\"2025-03-01T08:00:00Z\"}}"
        )
    );
    // The same record gives the same bytes and so the same leaf hash.
    let again = leaf_json(
        "application.submitted",
        "2025-粤-0001",
        "2025-03-01T08:00:00Z",
        DIGEST,
        {
            let mut extra = Map::new();
            extra.insert("bytes".to_owned(), json!(1024));
            extra.insert("agency".to_owned(), json!("某某市人民政府办公室"));
            extra
        },
    )
    .expect("valid record");
    assert_eq!(record_hash(&again), record_hash(&data));
    let parsed: Value = serde_json::from_slice(&data).expect("JSON");
    assert_eq!(parsed["kind"], "application.submitted");
}

/// kind, subject, time, digest, extra members and the expected error.
type LeafCase<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Map<String, Value>,
    LeafDataError,
);

#[test]
fn leaf_json_refuses_bad_fields() {
    let time = "2025-03-01T08:00:00+08:00";
    let reserved = |name: &str| {
        let mut extra = Map::new();
        extra.insert(name.to_owned(), json!("x"));
        extra
    };
    let too_big = {
        let mut extra = Map::new();
        extra.insert(
            "note".to_owned(),
            json!("长".repeat(LEAF_DATA_BYTES_MAX / 3)),
        );
        extra
    };
    let huge_integer = {
        let mut extra = Map::new();
        extra.insert("amount".to_owned(), json!(u64::MAX));
        extra
    };
    let kind_too_long = "k".repeat(LEAF_KIND_BYTES_MAX + 1);
    let upper_digest = DIGEST.to_uppercase();
    let cases: Vec<LeafCase<'_>> = vec![
        ("", "s", time, DIGEST, Map::new(), LeafDataError::EmptyKind),
        (
            &kind_too_long,
            "s",
            time,
            DIGEST,
            Map::new(),
            LeafDataError::KindTooLong,
        ),
        (
            "k",
            "",
            time,
            DIGEST,
            Map::new(),
            LeafDataError::EmptySubject,
        ),
        (
            "k",
            "s",
            "2025-03-01",
            DIGEST,
            Map::new(),
            LeafDataError::InvalidTime,
        ),
        (
            "k",
            "s",
            "2025-03-01 08:00:00",
            DIGEST,
            Map::new(),
            LeafDataError::InvalidTime,
        ),
        (
            "k",
            "s",
            "2025-02-30T08:00:00Z",
            DIGEST,
            Map::new(),
            LeafDataError::InvalidTime,
        ),
        (
            "k",
            "s",
            time,
            "abc",
            Map::new(),
            LeafDataError::InvalidSha256,
        ),
        (
            "k",
            "s",
            time,
            &upper_digest,
            Map::new(),
            LeafDataError::InvalidSha256,
        ),
        (
            "k",
            "s",
            time,
            DIGEST,
            reserved("time"),
            LeafDataError::ReservedField("time".to_owned()),
        ),
        (
            "k",
            "s",
            time,
            DIGEST,
            reserved("kind"),
            LeafDataError::ReservedField("kind".to_owned()),
        ),
        ("k", "s", time, DIGEST, too_big, LeafDataError::TooLong),
    ];
    for (kind, subject, time, digest, extra, expected) in cases {
        assert_eq!(
            leaf_json(kind, subject, time, digest, extra),
            Err(expected.clone())
        );
        assert!(expected.code().starts_with("leaf_"));
    }
    let error = leaf_json("k", "s", time, DIGEST, huge_integer).expect_err("inexact integer");
    assert_eq!(error.code(), "canonical_json_integer_not_exact");
    // An offset other than Z is a valid RFC 3339 time and is kept as written.
    let data = leaf_json("k", "s", time, DIGEST, Map::new()).expect("valid");
    assert!(String::from_utf8(data).expect("UTF-8").contains(time));
}
