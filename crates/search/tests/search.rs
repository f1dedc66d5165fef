//! Behaviour of the public search API on an in-memory index of small hand-written documents:
//! each test states one promise to the service layer and fails when it is broken.

use gongkai_search::{
    Granularity, IndexOptions, IndexableArticle, IndexableAttachment, IndexableDocument,
    SearchFilters, SearchIndex, SearchRequest, Validity,
};

fn article(key: &str, text: &str) -> IndexableArticle {
    IndexableArticle {
        key: key.to_string(),
        headings: vec!["第一章 总则".to_string()],
        text: text.to_string(),
    }
}

fn document(
    id: &str,
    title: &str,
    validity: Validity,
    articles: Vec<IndexableArticle>,
) -> IndexableDocument {
    IndexableDocument {
        external_id: id.to_string(),
        title: title.to_string(),
        short_title: None,
        issuer: Some("国务院".to_string()),
        level: Some("行政法规".to_string()),
        date: Some("2019-04-03".to_string()),
        year: None,
        validity,
        topic: None,
        catalog_item: None,
        articles,
        body_text: String::new(),
        attachments: Vec::new(),
    }
}

/// Four documents: the regulation on government information (current and an expired
/// version whose article differs), a labour-contract law and a notice without articles.
fn fixture() -> SearchIndex {
    let index = SearchIndex::create_in_ram(IndexOptions::lexical_defaults().expect("defaults"))
        .expect("index");
    let mut current = document(
        "ogi-2019",
        "中华人民共和国政府信息公开条例",
        Validity::Current,
        vec![
            article(
                "1",
                "为了保障公民、法人和其他组织依法获取政府信息，提高政府工作的透明度，制定本条例。",
            ),
            article(
                "33",
                "行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复。不能当场答复的，应当自收到申请之日起20个工作日内予以答复。",
            ),
        ],
    );
    current.issuer = Some("国务院".to_string());
    let mut expired = document(
        "ogi-2007",
        "中华人民共和国政府信息公开条例",
        Validity::Expired,
        vec![article(
            "24",
            "行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复；不能当场答复的，应当自收到申请之日起15个工作日内予以答复。",
        )],
    );
    expired.date = Some("2007-04-05".to_string());
    let mut labour = document(
        "labour",
        "中华人民共和国劳动合同法",
        Validity::Current,
        vec![
            article(
                "30",
                "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。\n用人单位拖欠或者未足额支付劳动报酬的，劳动者可以依法向当地人民法院申请支付令。",
            ),
            article(
                "47",
                "经济补偿按劳动者在本单位工作的年限，每满一年支付一个月工资的标准向劳动者支付。",
            ),
        ],
    );
    labour.issuer = Some("全国人民代表大会常务委员会".to_string());
    labour.level = Some("法律".to_string());
    labour.date = Some("2012-12-28".to_string());
    let mut notice = document(
        "notice-1",
        "关于创业担保贷款的通知 <b>",
        Validity::Current,
        Vec::new(),
    );
    notice.body_text =
        "符合条件的大学生创业可申请创业担保贷款，个人贷款额度最高30万元。<script>x</script>"
            .to_string();
    notice.level = Some("规范性文件".to_string());
    notice.date = Some("2020-04-01".to_string());
    for document in [&current, &expired, &labour, &notice] {
        index.upsert_document(document).expect("upsert");
    }
    index.commit().expect("commit");
    index
}

fn search(index: &SearchIndex, query: &str) -> Vec<String> {
    let request = SearchRequest {
        query: query.to_string(),
        limit: 10,
        ..SearchRequest::default()
    };
    let results = index.search(&request).expect("search");
    results.hits.iter().map(|hit| hit.hit_id()).collect()
}

#[test]
fn a_colloquial_question_finds_the_right_article() {
    let index = fixture();
    let cases = [
        ("老板拖欠工资怎么办", "labour#30"),
        ("申请政府信息公开多久答复？", "ogi-2019#33"),
        ("大学生创业能贷多少钱", "notice-1"),
        ("被辞退有没有补偿", "labour#47"),
    ];
    for (query, expected) in cases {
        let hits = search(&index, query);
        assert_eq!(
            hits.first().map(String::as_str),
            Some(expected),
            "{query}: {hits:?}"
        );
    }
}

#[test]
fn an_english_query_finds_chinese_articles() {
    let index = fixture();
    let hits = search(&index, "labor contract wages");
    assert_eq!(
        hits.first().map(String::as_str),
        Some("labour#30"),
        "{hits:?}"
    );
}

#[test]
fn traditional_and_full_width_input_works() {
    let index = fixture();
    let hits = search(&index, "政府信息公開申請　答覆");
    assert_eq!(
        hits.first().map(String::as_str),
        Some("ogi-2019#33"),
        "{hits:?}"
    );
    let hits = search(&index, "２０个工作日");
    assert_eq!(
        hits.first().map(String::as_str),
        Some("ogi-2019#33"),
        "{hits:?}"
    );
}

#[test]
fn expired_versions_rank_below_current_ones() {
    let index = fixture();
    let hits = search(&index, "收到政府信息公开申请 当场答复");
    let current = hits
        .iter()
        .position(|id| id == "ogi-2019#33")
        .expect("current found");
    let expired = hits
        .iter()
        .position(|id| id == "ogi-2007#24")
        .expect("expired found");
    assert!(current < expired, "{hits:?}");
}

#[test]
fn a_withdrawn_document_disappears_and_an_upsert_replaces() {
    let index = fixture();
    assert!(search(&index, "创业担保贷款").contains(&"notice-1".to_string()));
    index.delete_document("notice-1").expect("delete");
    index.commit().expect("commit");
    assert!(search(&index, "创业担保贷款").is_empty());

    let mut labour = document(
        "labour",
        "中华人民共和国劳动合同法",
        Validity::Current,
        vec![article("30", "新的文本：试用期工资。")],
    );
    labour.level = Some("法律".to_string());
    index.upsert_document(&labour).expect("upsert");
    index.commit().expect("commit");
    assert!(
        search(&index, "经济补偿")
            .iter()
            .all(|id| !id.starts_with("labour"))
    );
    assert_eq!(
        search(&index, "试用期工资").first().map(String::as_str),
        Some("labour#30")
    );
}

#[test]
fn facets_count_documents_and_filters_apply() {
    let index = fixture();
    let request = SearchRequest {
        query: "答复".to_string(),
        limit: 10,
        with_facets: true,
        ..SearchRequest::default()
    };
    let results = index.search(&request).expect("search");
    let validity: Vec<(&str, u64)> = results
        .facets
        .validity
        .iter()
        .map(|facet| (facet.value.as_str(), facet.count))
        .collect();
    assert_eq!(validity, vec![("current", 1), ("expired", 1)]);
    let years: Vec<(&str, u64)> = results
        .facets
        .year
        .iter()
        .map(|facet| (facet.value.as_str(), facet.count))
        .collect();
    assert_eq!(years, vec![("2007", 1), ("2019", 1)]);
    assert_eq!(results.facets.issuer.len(), 1);
    assert_eq!(results.facets.issuer[0].count, 2);

    let filtered = SearchRequest {
        filters: SearchFilters {
            validity: Some(Validity::Current),
            ..SearchFilters::default()
        },
        ..request
    };
    let results = index.search(&filtered).expect("search");
    assert!(
        results
            .hits
            .iter()
            .all(|hit| hit.validity == Validity::Current),
        "{:?}",
        results.hits
    );
    assert_eq!(results.facets.validity.len(), 1);
}

#[test]
fn snippets_are_escaped_and_highlighted() {
    let index = fixture();
    let request = SearchRequest {
        query: "创业担保贷款".to_string(),
        limit: 10,
        granularity: Granularity::Mixed,
        ..SearchRequest::default()
    };
    let results = index.search(&request).expect("search");
    let hit = results.hits.first().expect("a hit");
    assert!(
        hit.snippet_html.contains("<mark>创业担保贷款</mark>"),
        "{}",
        hit.snippet_html
    );
    assert!(
        hit.snippet_html.contains("&lt;script&gt;"),
        "{}",
        hit.snippet_html
    );
    assert!(
        !hit.snippet_html.contains("<script>"),
        "{}",
        hit.snippet_html
    );
}

#[test]
fn document_granularity_returns_whole_documents_and_pagination_is_stable() {
    let index = fixture();
    let request = SearchRequest {
        query: "政府信息".to_string(),
        granularity: Granularity::Documents,
        limit: 1,
        ..SearchRequest::default()
    };
    let first = index.search(&request).expect("search");
    assert_eq!(first.hits.len(), 1);
    assert!(first.hits[0].article_key.is_none());
    let second = index
        .search(&SearchRequest {
            offset: 1,
            ..request
        })
        .expect("search");
    assert_eq!(second.hits.len(), 1);
    assert_ne!(first.hits[0].external_id, second.hits[0].external_id);
    assert!(first.total >= 2);
}

#[test]
fn invalid_input_is_refused_not_panicking() {
    let index = fixture();
    let far = SearchRequest {
        query: "答复".to_string(),
        offset: 1_000_000,
        limit: 10,
        ..SearchRequest::default()
    };
    assert!(index.search(&far).is_err());
    let mut bad = document("a#b", "标题", Validity::Current, Vec::new());
    assert!(index.upsert_document(&bad).is_err());
    bad.external_id = String::new();
    assert!(index.upsert_document(&bad).is_err());
    let empty = SearchRequest {
        query: "  ？！ ".to_string(),
        limit: 10,
        ..SearchRequest::default()
    };
    index
        .search(&empty)
        .expect("an empty query is not an error");
}

#[test]
fn a_citation_by_name_and_number_comes_first() {
    let index = fixture();
    for query in ["劳动合同法第四十七条", "劳动合同法 第47条 经济补偿"] {
        let hits = search(&index, query);
        assert_eq!(
            hits.first().map(String::as_str),
            Some("labour#47"),
            "{query}: {hits:?}"
        );
    }
    // Naming the law without a number favours its articles over others with the same words.
    let hits = search(&index, "劳动合同法 答复");
    assert!(hits.iter().any(|id| id.starts_with("ogi")), "{hits:?}");
}

#[test]
fn a_misspelt_formal_word_gets_a_suggestion() {
    // Suggestions weigh how common the correction is against the text as typed, so the index
    // needs a realistic number of units that use the formal word.
    let index = fixture();
    for number in 0..60 {
        let notice = document(
            &format!("review-{number}"),
            "行政复议决定书",
            Validity::Current,
            vec![article("1", "申请人不服行政行为，依法申请行政复议。")],
        );
        index.upsert_document(&notice).expect("upsert");
    }
    index.commit().expect("commit");
    let request = |query: &str| SearchRequest {
        query: query.to_string(),
        limit: 10,
        ..SearchRequest::default()
    };
    let results = index.search(&request("怎样申请行政复意")).expect("search");
    assert_eq!(results.did_you_mean.as_deref(), Some("怎样申请行政复议"));
    let results = index.search(&request("申请行政复议")).expect("search");
    assert_eq!(results.did_you_mean, None);
    let results = index.search(&request("行政复议吗")).expect("search");
    assert_eq!(results.did_you_mean, None);
}

/// A toy embedder with one dimension per theme, so the semantic path can be tested without a
/// model: texts about pay point one way, texts about information disclosure another.
struct ThemeEmbedder;

impl gongkai_search::Embedder for ThemeEmbedder {
    fn model_id(&self) -> &str {
        "theme-test:3"
    }

    fn dimensions(&self) -> usize {
        3
    }

    fn embed_passages(
        &self,
        texts: &[String],
    ) -> Result<Vec<Vec<f32>>, gongkai_search::SearchError> {
        texts.iter().map(|text| self.embed_query(text)).collect()
    }

    fn embed_query(&self, text: &str) -> Result<Vec<f32>, gongkai_search::SearchError> {
        let theme = |words: &[&str]| -> f32 {
            if words.iter().any(|word| text.contains(word)) {
                1.0
            } else {
                0.0
            }
        };
        Ok(vec![
            theme(&["报酬", "工资", "薪酬", "薪水"]),
            theme(&["信息", "公开", "透明"]),
            0.1,
        ])
    }
}

#[test]
fn semantic_hits_fuse_persist_and_report_the_mode() {
    let directory =
        std::env::temp_dir().join(format!("gongkai-search-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    let options = || {
        let mut options = IndexOptions::lexical_defaults().expect("defaults");
        options.embedder = Some(std::sync::Arc::new(ThemeEmbedder));
        options
    };
    {
        let index = SearchIndex::open_in_dir(&directory, options()).expect("open");
        let labour = document(
            "labour",
            "中华人民共和国劳动合同法",
            Validity::Current,
            vec![article("30", "用人单位应当向劳动者及时足额支付劳动报酬。")],
        );
        let ogi = document(
            "ogi",
            "政府信息公开条例",
            Validity::Current,
            vec![article("1", "提高政府工作的透明度。")],
        );
        index.upsert_document(&labour).expect("upsert");
        index.upsert_document(&ogi).expect("upsert");
        index.commit().expect("commit");
    }
    let index = SearchIndex::open_in_dir(&directory, options()).expect("reopen");
    let status = index.status().expect("status");
    assert_eq!(status.mode, gongkai_search::RetrievalMode::Hybrid);
    assert_eq!(status.vectors as u64, status.units);
    assert!(!status.vectors_incomplete);
    // 薪酬 occurs in no document: only the semantic side can find the article on pay.
    let results = index
        .search(&SearchRequest {
            query: "薪酬".to_string(),
            limit: 10,
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(results.mode, gongkai_search::RetrievalMode::Hybrid);
    assert_eq!(
        results.hits.first().map(|hit| hit.hit_id()).as_deref(),
        Some("labour#30")
    );
    drop(index);

    // Without an embedder the same index answers lexically and says so.
    let lexical = SearchIndex::open_in_dir(
        &directory,
        IndexOptions::lexical_defaults().expect("defaults"),
    )
    .expect("reopen lexical");
    let results = lexical
        .search(&SearchRequest {
            query: "劳动报酬".to_string(),
            limit: 10,
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(results.mode, gongkai_search::RetrievalMode::LexicalOnly);
    assert_eq!(
        results.hits.first().map(|hit| hit.hit_id()).as_deref(),
        Some("labour#30")
    );
    drop(lexical);
    std::fs::remove_dir_all(&directory).expect("cleanup");
}

/// The shipped static model, when installed (`scripts/install-search-model.sh`; CI installs
/// it). `GONGKAI_SEARCH_MODEL_DIR` names the folder; without it the default install folder is
/// tried, and the test says it was skipped when neither exists.
#[test]
fn the_static_model_loads_and_relates_paraphrases() {
    let model_dir = match std::env::var_os("GONGKAI_SEARCH_MODEL_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => {
            let default = std::path::PathBuf::from(
                "/root/.cache/gongkai-models/tokenlearn-static-model-0.1.1",
            );
            if !default.is_dir() {
                eprintln!(
                    "skipped: no model at {} (run scripts/install-search-model.sh)",
                    default.display()
                );
                return;
            }
            default
        }
    };
    use gongkai_search::Embedder;
    let embedder = gongkai_search::StaticEmbedder::load(&model_dir).expect("model loads");
    let cosine = |a: &[f32], b: &[f32]| {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        dot / (norm(a) * norm(b))
    };
    let question = embedder
        .embed_query("申请公开政府信息的办理期限")
        .expect("embed");
    let paraphrase = embedder
        .embed_query("政府信息公开申请的答复时间")
        .expect("embed");
    let unrelated = embedder
        .embed_query("机动车驾驶人醉酒驾驶的处罚")
        .expect("embed");
    assert_eq!(question.len(), embedder.dimensions());
    assert!(cosine(&question, &paraphrase) > cosine(&question, &unrelated) + 0.2);
}

/// What only an attached file says is found by an article-level search too: the file is a unit
/// of its own, keyed `attachment-N` under the heading 附件：<file name>, and the document-level
/// unit holds it as well. A file without text adds no unit.
#[test]
fn an_attachment_of_a_document_with_articles_is_an_article_level_unit() {
    let index = SearchIndex::create_in_ram(IndexOptions::lexical_defaults().expect("defaults"))
        .expect("index");
    let mut rules = document(
        "parking-rules",
        "示范市公共停车场管理办法",
        Validity::Current,
        vec![article("1", "为了规范公共停车场管理，制定本办法。")],
    );
    rules.attachments = vec![
        IndexableAttachment {
            filename: "空白.pdf".to_string(),
            text: "  ".to_string(),
        },
        IndexableAttachment {
            filename: "收费标准.docx".to_string(),
            text: "小型车白天每小时收费三元，夜间每小时一元。".to_string(),
        },
    ];
    index.upsert_document(&rules).expect("upsert");
    index.commit().expect("commit");
    let request = |granularity| SearchRequest {
        query: "小型车夜间收费".to_string(),
        limit: 10,
        granularity,
        ..SearchRequest::default()
    };
    let articles = index
        .search(&request(Granularity::Articles))
        .expect("search");
    let first = articles.hits.first().expect("a hit in the attachment");
    assert_eq!(first.hit_id(), "parking-rules#attachment-1");
    assert_eq!(first.headings, vec!["附件：收费标准.docx".to_string()]);
    assert!(
        first.snippet_html.contains("<mark>"),
        "{}",
        first.snippet_html
    );
    let documents = index
        .search(&request(Granularity::Documents))
        .expect("search");
    assert_eq!(
        documents.hits.first().map(|hit| hit.hit_id()),
        Some("parking-rules".to_string())
    );
}

/// The popularity prior learnt from clicks is bounded: between two equally relevant articles
/// the more opened one comes first, yet no number of clicks lifts an irrelevant unit over a
/// relevant one, and a prior of nothing changes nothing.
#[test]
fn the_popularity_prior_breaks_ties_and_stays_bounded() {
    let index = SearchIndex::create_in_ram(IndexOptions::lexical_defaults().expect("defaults"))
        .expect("index");
    // Two articles with the same words in another order (identical texts would be merged as
    // one result): equally relevant, up to a hair.
    for (id, text) in [
        ("rules-a", "停车场收费标准由价格主管部门制定并向社会公布。"),
        ("rules-b", "价格主管部门制定停车场收费标准并向社会公布。"),
    ] {
        let doc = document(
            id,
            "停车场管理办法",
            Validity::Current,
            vec![article("1", text)],
        );
        index.upsert_document(&doc).expect("upsert");
    }
    let other = document(
        "unrelated",
        "城市绿化条例",
        Validity::Current,
        vec![article("1", "城市绿化工作由园林主管部门负责。")],
    );
    index.upsert_document(&other).expect("upsert");
    index.commit().expect("commit");
    let ranked = |query: &str| search(&index, query);
    let before = ranked("停车场收费标准");
    assert_eq!(before.len(), 2, "{before:?}");

    // rules-b is opened far more often: it now wins the tie.
    let low = if before[0] == "rules-a#1" {
        "rules-a"
    } else {
        "rules-b"
    };
    let high = if low == "rules-a" {
        "rules-b"
    } else {
        "rules-a"
    };
    index.set_popularity(gongkai_search::Popularity::from_counts([
        (high.to_string(), 40),
        (low.to_string(), 1),
        ("unrelated".to_string(), 40),
    ]));
    let after = ranked("停车场收费标准");
    assert_eq!(
        after.first().map(String::as_str),
        Some(format!("{high}#1").as_str())
    );
    assert!(
        !after.iter().any(|hit| hit.starts_with("unrelated")),
        "popularity never brings in what does not match: {after:?}"
    );
    // The factor itself is bounded by the boost.
    let popularity = gongkai_search::Popularity::from_counts([("x".to_string(), 5)]);
    assert_eq!(popularity.factor("x", 0.1), 1.1);
    assert_eq!(popularity.factor("never-clicked", 0.1), 1.0);
    assert!(gongkai_search::Popularity::default().is_empty());
    index.set_popularity(gongkai_search::Popularity::default());
    assert_eq!(ranked("停车场收费标准"), before);
}

#[test]
fn newer_notices_rank_first_and_laws_do_not_age() {
    let index = SearchIndex::create_in_ram(IndexOptions::lexical_defaults().expect("defaults"))
        .expect("index");
    // Two notices on the same matter, five years apart, whose words are the same (the texts
    // differ in one punctuation mark only, so that they are not merged as duplicates).
    let notice = |id: &str, date: &str, body: &str| {
        let mut notice = document(
            id,
            "关于公共停车场收费标准的通知",
            Validity::Current,
            vec![],
        );
        notice.level = None;
        notice.date = Some(date.to_string());
        notice.body_text = body.to_string();
        notice
    };
    index
        .upsert_document(&notice(
            "notice-2019",
            "2019-03-01",
            "公共停车场收费标准：白天每小时三元。",
        ))
        .expect("upsert");
    index
        .upsert_document(&notice(
            "notice-2024",
            "2024-03-01",
            "公共停车场收费标准：白天每小时三元！",
        ))
        .expect("upsert");
    // Two laws, one old and one recent.
    let law = |id: &str, date: &str, text: &str| {
        let mut law = document(
            id,
            "停车场管理条例",
            Validity::Current,
            vec![article("1", text)],
        );
        law.date = Some(date.to_string());
        law
    };
    index
        .upsert_document(&law("law-2001", "2001-05-01", "停车场应当公示收费标准。"))
        .expect("upsert");
    index
        .upsert_document(&law(
            "law-2023",
            "2023-05-01",
            "停车场应当在入口公示收费标准。",
        ))
        .expect("upsert");
    index.commit().expect("commit");

    let search = |reference_day: Option<u64>| {
        let results = index
            .search(&SearchRequest {
                query: "停车场收费标准".to_string(),
                granularity: Granularity::Mixed,
                limit: 10,
                reference_day,
                ..SearchRequest::default()
            })
            .expect("search");
        results
            .hits
            .iter()
            .map(|hit| (hit.hit_id(), hit.score))
            .collect::<Vec<(String, f32)>>()
    };
    let score_of = |hits: &[(String, f32)], id: &str| {
        hits.iter()
            .find(|(hit, _)| hit == id)
            .map(|(_, score)| *score)
            .unwrap_or_else(|| panic!("{id} not in {hits:?}"))
    };
    let rank_of = |hits: &[(String, f32)], id: &str| hits.iter().position(|(hit, _)| hit == id);
    let without = search(None);
    let with_recency = search(gongkai_search::day_number("2026-11-30"));
    // On words alone the notices tie; measured from today the newer one comes first.
    assert!(
        (score_of(&without, "notice-2019") - score_of(&without, "notice-2024")).abs() < 1e-6,
        "{without:?}"
    );
    assert!(
        rank_of(&with_recency, "notice-2024") < rank_of(&with_recency, "notice-2019"),
        "{with_recency:?}"
    );
    // The newer notice gains more than the older one; laws gain nothing, old or new.
    let gain = |id: &str| score_of(&with_recency, id) / score_of(&without, id);
    assert!(
        gain("notice-2024") > gain("notice-2019"),
        "{with_recency:?} {without:?}"
    );
    assert!(gain("notice-2019") >= 1.0);
    for law in ["law-2001#1", "law-2023#1"] {
        assert!(
            (gain(law) - 1.0).abs() < 1e-6,
            "{law}: {with_recency:?} {without:?}"
        );
    }
}

#[test]
fn day_numbers_follow_the_calendar() {
    use gongkai_search::day_number;
    assert_eq!(day_number("1970-01-01"), Some(0));
    assert_eq!(day_number("2000-03-01"), Some(11_017));
    assert_eq!(
        day_number("2024-02-29")
            .zip(day_number("2024-03-01"))
            .map(|(a, b)| b - a),
        Some(1)
    );
    assert_eq!(day_number("2026-11-30T08:00:00Z"), day_number("2026-11-30"));
    for bad in ["", "2026", "2026-13-01", "1969-12-31", "abcd-ef-gh"] {
        assert_eq!(day_number(bad), None, "{bad}");
    }
}
