//! Data-driven tests of the redaction detectors, the policy and the irreversible output: valid
//! and invalid inputs for every detector, synthetic checksum-valid numbers that must all be
//! found, public facts that must never be redacted, and a property test that a valid resident
//! ID embedded in random Chinese text is always found with exact offsets.

use proptest::prelude::*;

use super::numbers::luhn_valid;
use super::*;

/// The GB 11643 check character of 17 digits, computed independently of `identity.rs` so that
/// the test does not trust the code it checks.
fn resident_id_check_character(first_17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first_17
        .bytes()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
}

fn resident_id(region: &str, birth_date: &str, sequence: &str) -> String {
    let first_17 = format!("{region}{birth_date}{sequence}");
    format!("{first_17}{}", resident_id_check_character(&first_17))
}

/// Appends the Luhn check digit to a card number body.
fn with_luhn_digit(body: &str) -> String {
    (0..10)
        .map(|check| format!("{body}{check}"))
        .find(|number| luhn_valid(&number.bytes().map(|b| b - b'0').collect::<Vec<u8>>()))
        .unwrap_or_default()
}

fn char_offsets_of(text: &str, needle: &str) -> (usize, usize) {
    let byte_start = text.find(needle).expect("needle in text");
    let start = text[..byte_start].chars().count();
    (start, start + needle.chars().count())
}

fn found(text: &str, needle: &str, category: Category) -> bool {
    let (start, end) = char_offsets_of(text, needle);
    spans_to_redact(text)
        .iter()
        .any(|span| span.start == start && span.end == end && span.category == category)
}

fn nothing_redacted_in(text: &str, needle: &str) -> bool {
    let (start, end) = char_offsets_of(text, needle);
    spans_to_redact(text)
        .iter()
        .all(|span| span.end <= start || span.start >= end)
}

#[test]
fn categories_have_stable_codes() {
    let codes: Vec<&str> = Category::ALL.iter().map(|c| c.code()).collect();
    assert_eq!(
        codes,
        [
            "person",
            "address",
            "id_number",
            "phone",
            "bank_card",
            "email",
            "passport",
            "plate"
        ]
    );
    for category in Category::ALL {
        assert_eq!(Category::parse(category.code()), Some(category));
    }
}

#[test]
fn valid_resident_ids_are_found_in_context() {
    let ids = [
        resident_id("110105", "19900101", "123"),
        resident_id("440305", "20001231", "004"),
        resident_id("650102", "19491001", "77"),
        "11010519491231002X".to_owned(),
    ];
    for id in ids.iter().filter(|id| id.len() == 18) {
        for template in [
            "申请人身份证号码：{}，特此说明。",
            "{}",
            "号码为{}。",
            "身份证 {} 住址",
        ] {
            let text = template.replace("{}", id);
            assert!(found(&text, id, Category::IdNumber), "{text}");
        }
    }
    // A lower-case x check character is accepted too.
    let text = "身份证号11010519491231002x。";
    assert!(found(text, "11010519491231002x", Category::IdNumber));
}

#[test]
fn invalid_resident_ids_are_not_reported_as_ids() {
    let valid = resident_id("110105", "19900101", "123");
    let wrong_check = {
        let mut chars: Vec<char> = valid.chars().collect();
        chars[17] = if chars[17] == '1' { '2' } else { '1' };
        chars.into_iter().collect::<String>()
    };
    let cases = [
        wrong_check,
        // No province 99.
        resident_id("990105", "19900101", "123"),
        // 13th month.
        resident_id("110105", "19901301", "123"),
        // Too old.
        resident_id("110105", "18500101", "123"),
    ];
    for case in cases {
        let text = format!("编号{case}。");
        assert!(
            spans_to_redact(&text)
                .iter()
                .all(|span| span.category != Category::IdNumber),
            "{text}"
        );
    }
    // An ID glued inside a longer run of digits is not an ID.
    let text = format!("订单号9{valid}9。");
    assert!(spans_to_redact(&text).is_empty(), "{text}");
}

#[test]
fn mobile_numbers_are_found_and_longer_runs_are_not() {
    let cases = [
        ("联系电话：13812345678。", "13812345678", true),
        ("手机19912345678", "19912345678", true),
        ("打 +8615012345678 找我", "+8615012345678", true),
        ("电话138 1234 5678", "138 1234 5678", true),
        ("电话138-1234-5678", "138-1234-5678", true),
        ("运单号1381234567890123", "1381234567890123", false),
        ("编号12812345678", "12812345678", false),
        ("编号A13812345678", "13812345678", false),
    ];
    for (text, needle, expected) in cases {
        assert_eq!(found(text, needle, Category::Phone), expected, "{text}");
    }
}

#[test]
fn landline_numbers_are_found() {
    let cases = [
        ("家中电话010-62345678", "010-62345678"),
        ("座机（0755）2345678。", "（0755）2345678"),
        ("电话：02087654321", "02087654321"),
        ("联系电话 87654321", "87654321"),
    ];
    for (text, needle) in cases {
        assert!(found(text, needle, Category::Phone), "{text}");
    }
    // A published service line belongs to the office, and an amount is not a phone.
    for text in ["监督电话：010-12345678", "罚款87654321元"] {
        assert!(
            spans_to_redact(text)
                .iter()
                .all(|span| span.category != Category::Phone),
            "{text}"
        );
    }
}

#[test]
fn bank_cards_need_luhn_or_a_cue() {
    let card_16 = with_luhn_digit("622202123456789");
    let card_19 = with_luhn_digit("622848001234567890");
    for card in [&card_16, &card_19] {
        assert!(found(&format!("卡号{card}"), card, Category::BankCard));
        assert!(found(&format!("转入{card}。"), card, Category::BankCard));
    }
    let grouped = format!(
        "{} {} {} {}",
        &card_16[0..4],
        &card_16[4..8],
        &card_16[8..12],
        &card_16[12..16]
    );
    assert!(found(
        &format!("银行卡号：{grouped}"),
        &grouped,
        Category::BankCard
    ));
    // A failed Luhn check without a cue is no card.
    let mut bad: Vec<char> = card_16.chars().collect();
    bad[15] = char::from(b'0' + ((bad[15] as u8 - b'0' + 1) % 10));
    let bad: String = bad.into_iter().collect();
    assert!(spans_to_redact(&format!("流水{bad}")).is_empty());
}

#[test]
fn emails_are_found_and_mentions_are_not_emails() {
    let cases = [
        (
            "请发送至 zhang.san@example.com。",
            "zhang.san@example.com",
            true,
        ),
        (
            "邮箱:li_si+gov@mail.example.org.cn",
            "li_si+gov@mail.example.org.cn",
            true,
        ),
        ("写信到a@b.cn", "a@b.cn", true),
        ("地址x@localhost", "x@localhost", false),
    ];
    for (text, needle, expected) in cases {
        assert_eq!(found(text, needle, Category::Email), expected, "{text}");
    }
    assert!(
        spans_to_redact("回复@某人：好的")
            .iter()
            .all(|span| span.category != Category::Email)
    );
}

#[test]
fn passports_and_permits_are_found() {
    let cases = [
        ("护照号码E12345678", "E12345678", true),
        ("护照EA1234567。", "EA1234567", true),
        ("通行证C12345678", "C12345678", true),
        ("往来台湾通行证L12345678", "L12345678", true),
        ("回乡证H1234567890", "H1234567890", true),
        ("台胞证12345678", "12345678", true),
        ("护照号：K1234567", "K1234567", true),
        ("型号XE12345678Z", "XE12345678Z", false),
    ];
    for (text, needle, expected) in cases {
        assert_eq!(found(text, needle, Category::Passport), expected, "{text}");
    }
}

#[test]
fn vehicle_plates_are_found() {
    let cases = [
        ("车牌号京A12345的车辆", "京A12345", true),
        ("粤B·D12345", "粤B·D12345", true),
        ("沪AD12345新能源", "沪AD12345", true),
        ("苏E1234学", "苏E1234学", true),
        ("京A股上涨", "京A股", false),
        ("京AB1234567", "京AB1234567", false),
    ];
    for (text, needle, expected) in cases {
        assert_eq!(found(text, needle, Category::Plate), expected, "{text}");
    }
}

#[test]
fn personal_addresses_are_found_and_place_names_are_not() {
    let cases = [
        (
            "申请人住址：北京市朝阳区幸福路12号3单元401室，电话",
            "北京市朝阳区幸福路12号3单元401室",
        ),
        ("家住杭州市西湖区文三路88号", "杭州市西湖区文三路88号"),
        ("现住某某小区5-1-302", "某某小区5-1-302"),
    ];
    for (text, needle) in cases {
        assert!(found(text, needle, Category::Address), "{text}");
    }
    for text in [
        "我去北京出差",
        "台湾同胞",
        "朝阳区人民政府",
        "他在上海市浦东新区工作",
    ] {
        assert!(
            spans_to_redact(text)
                .iter()
                .all(|span| span.category != Category::Address),
            "{text}"
        );
    }
}

#[test]
fn names_after_cues_are_redacted_and_officials_are_kept() {
    let redacted = [
        ("申请人：张伟，身份证号", "张伟"),
        ("当事人王建国对处罚不服", "王建国"),
        ("举报人李娜反映", "李娜"),
        ("委托代理人欧阳明辉", "欧阳明辉"),
        ("感谢陈晓明先生的来信", "陈晓明"),
    ];
    for (text, name) in redacted {
        assert!(
            found(text, name, Category::Person),
            "{text}: {:?}",
            spans_to_redact(text)
        );
    }
    let kept = [
        ("法定代表人：刘强，统一社会信用代码", "刘强"),
        ("局长赵明签发", "赵明"),
        ("签发人：孙丽", "孙丽"),
        ("执法人员周杰、吴斌", "周杰"),
    ];
    for (text, name) in kept {
        assert!(
            nothing_redacted_in(text, name),
            "{text}: {:?}",
            spans_to_redact(text)
        );
    }
}

fn tagged(text: &str, needle: &str, kind: TaggedEntityKind) -> TaggedEntity {
    let (start, end) = char_offsets_of(text, needle);
    TaggedEntity {
        start,
        end,
        kind,
        probability_percent: 95,
    }
}

fn persons_redacted(text: &str, entities: &[TaggedEntity]) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    spans_to_redact_with_entities(text, entities)
        .into_iter()
        .filter(|span| span.category == Category::Person)
        .map(|span| chars[span.start..span.end].iter().collect())
        .collect()
}

#[test]
fn a_taggers_entities_add_names_and_overrule_shape_guesses_but_not_the_policy() {
    // A name no rule finds (no cue, a foreign transliteration) comes from the tagger.
    let text = "昨天看到奥巴马在台上讲话";
    assert!(persons_redacted(text, &[]).is_empty());
    assert_eq!(
        persons_redacted(text, &[tagged(text, "奥巴马", TaggedEntityKind::Person)]),
        ["奥巴马"]
    );
    // The tagger's exact span replaces a shorter guess from the shape of the word.
    let text = "今天和林志强一起吃饭";
    assert_eq!(
        persons_redacted(text, &[tagged(text, "林志强", TaggedEntityKind::Person)]),
        ["林志强"]
    );
    // A shape guess the tagger reads as a place is dropped; a name after a cue word stands.
    let text = "周末去钱塘江边";
    assert_eq!(persons_redacted(text, &[]), ["钱塘江"], "the rules' guess");
    let place = [tagged(text, "钱塘江", TaggedEntityKind::Place)];
    assert!(
        persons_redacted(text, &place).is_empty(),
        "{:?}",
        persons_redacted(text, &place)
    );
    let text = "申请人：张伟，身份证号";
    let wrong = [tagged(text, "张伟", TaggedEntityKind::Organisation)];
    assert_eq!(persons_redacted(text, &wrong), ["张伟"]);
    // The tagger's names pass the same filters and the same policy: a generic word is not a
    // name, and an official named with the office stays visible.
    let text = "妈妈说今天不回来";
    assert!(persons_redacted(text, &[tagged(text, "妈妈", TaggedEntityKind::Person)]).is_empty());
    let text = "局长赵明签发";
    assert!(persons_redacted(text, &[tagged(text, "赵明", TaggedEntityKind::Person)]).is_empty());
    // Ornaments and punctuation the tagger took in are trimmed off the name.
    let text = "我和寒阳丶一起去";
    let entities = [tagged(text, "寒阳丶", TaggedEntityKind::Person)];
    assert_eq!(persons_redacted(text, &entities), ["寒阳"]);
    let text = "哈哈哈柯震东来了";
    let entities = [tagged(text, "哈柯震东", TaggedEntityKind::Person)];
    assert_eq!(persons_redacted(text, &entities), ["柯震东"]);
    let text = "林志颖岁月不老";
    let entities = [tagged(text, "林志颖岁", TaggedEntityKind::Person)];
    assert_eq!(persons_redacted(text, &entities), ["林志颖"]);
    let text = "“林小雨”来了";
    let entities = [tagged(text, "“林小雨”", TaggedEntityKind::Person)];
    assert_eq!(persons_redacted(text, &entities), ["林小雨"]);
    // A given name read without the surname before it gets the surname back.
    let text = "我叫曾若彤，你好";
    let entities = [tagged(text, "若彤", TaggedEntityKind::Person)];
    assert_eq!(persons_redacted(text, &entities), ["曾若彤"]);
    let text = "哈哈小新啊";
    let entities = [tagged(text, "小新", TaggedEntityKind::Person)];
    assert_eq!(persons_redacted(text, &entities), ["小新"]);
    // A single character is never enough, and entities outside the text are ignored.
    let text = "信上只写了李的名字";
    let entities = [
        tagged(text, "李", TaggedEntityKind::Person),
        TaggedEntity {
            start: 3,
            end: 99,
            kind: TaggedEntityKind::Person,
            probability_percent: 95,
        },
    ];
    assert!(persons_redacted(text, &entities).is_empty());
}

#[test]
fn every_mention_of_a_found_name_is_treated_alike() {
    // A later mention without a cue is redacted because an earlier one was found.
    let text = "申请人：张伟，身份证号略。经核实，张伟于三月提出申请。";
    assert_eq!(persons_redacted(text, &[]), ["张伟", "张伟"]);
    // The part of a transliterated name, mentioned alone later, is the same person.
    let text = "总统查曼基尼·祖鲁今天访问，祖鲁表示满意";
    let entities = [tagged(text, "查曼基尼·祖鲁", TaggedEntityKind::Person)];
    assert_eq!(persons_redacted(text, &entities), ["查曼基尼·祖鲁", "祖鲁"]);
    // An official named once with the office stays visible wherever the text names him.
    let text = "局长赵明签发。赵明指出，要依法公开。";
    assert!(
        persons_redacted(text, &[]).is_empty(),
        "{:?}",
        persons_redacted(text, &[])
    );
    // A name inside a longer Latin word is not another mention.
    let text = "Lily说了，Lilyan没说";
    let entities = [tagged(text, "Lily", TaggedEntityKind::Person)];
    assert_eq!(persons_redacted(text, &entities), ["Lily"]);
    // A weak guess is not spread: only names found with some confidence are.
    let text = "马上就到，马上出发";
    assert!(persons_redacted(text, &[]).is_empty());
}

#[test]
fn familiar_forms_name_a_person_but_a_surname_with_a_title_does_not() {
    assert_eq!(persons_redacted("周末和老张去钓鱼", &[]), ["老张"]);
    assert_eq!(persons_redacted("让小李去一趟", &[]), ["小李"]);
    for text in [
        "我小时候住在这里",
        "他老高兴了",
        "小王子很可爱",
        "宋同志抵达汉口站",
    ] {
        assert!(
            persons_redacted(text, &[]).is_empty(),
            "{text}: {:?}",
            persons_redacted(text, &[])
        );
    }
    // A business named after a person, with its branch's place, is an organisation.
    let text = "感恩回馈，王小帅沈阳店专属活动";
    let entities = [tagged(text, "王小帅", TaggedEntityKind::Person)];
    assert!(persons_redacted(text, &entities).is_empty());
    let text = "王小帅在沈阳开店";
    let entities = [tagged(text, "王小帅", TaggedEntityKind::Person)];
    assert_eq!(persons_redacted(text, &entities), ["王小帅"]);
    // The tagger's reading of a surname and a form of address is not a name either.
    let text = "日中午，宋同志抵达汉口站";
    let entities = [tagged(text, "宋同志", TaggedEntityKind::Person)];
    assert!(persons_redacted(text, &entities).is_empty());
    let text = "感谢王老师的耐心";
    let entities = [tagged(text, "王老师", TaggedEntityKind::Person)];
    assert!(persons_redacted(text, &entities).is_empty());
}

#[test]
fn generic_mentions_and_places_are_not_names() {
    for text in [
        "妈妈说老师很好",
        "我在北京和台湾都待过",
        "高兴地看到方法有效",
        "朝阳区人民政府办公室",
        "各位网友大家好",
    ] {
        let persons: Vec<RedactionSpan> = spans_to_redact(text)
            .into_iter()
            .filter(|span| span.category == Category::Person)
            .collect();
        assert!(persons.is_empty(), "{text}: {persons:?}");
    }
}

#[test]
fn public_facts_are_never_redacted() {
    let credit_code = "91350100M000100Y43";
    assert!(crate::agency::parse_unified_social_credit_code(credit_code).is_ok());
    let cases = [
        (
            format!("统一社会信用代码：{credit_code}。"),
            credit_code.to_owned(),
        ),
        (format!("代码{credit_code}"), credit_code.to_owned()),
        (
            "依据国办发〔2024〕12号文件".to_owned(),
            "国办发〔2024〕12号".to_owned(),
        ),
        (
            "见京政办发[2023]1381234567号".to_owned(),
            "京政办发[2023]1381234567号".to_owned(),
        ),
        (
            "（2023）京0105民初12345号判决".to_owned(),
            "（2023）京0105民初12345号".to_owned(),
        ),
        ("于2024年1月5日作出".to_owned(), "2024年1月5日".to_owned()),
        ("于2024-01-05作出".to_owned(), "2024-01-05".to_owned()),
        (
            "二〇二四年三月十二日".to_owned(),
            "二〇二四年三月十二日".to_owned(),
        ),
        ("根据第十二条第二款".to_owned(), "第十二条第二款".to_owned()),
        ("第（三）项规定".to_owned(), "第（三）项".to_owned()),
        ("第36条".to_owned(), "第36条".to_owned()),
    ];
    for (text, needle) in cases {
        assert!(
            nothing_redacted_in(&text, &needle),
            "{text}: {:?}",
            spans_to_redact(&text)
        );
        let (start, end) = char_offsets_of(&text, &needle);
        let facts = detect(&text).public_facts;
        assert!(
            facts
                .iter()
                .any(|fact| fact.start <= start && fact.end >= end),
            "{text}: {facts:?}"
        );
    }
}

#[test]
fn synthetic_numbers_are_all_found() {
    // Every province, several birth dates and sequences: all IDs are found.
    let provinces = ["11", "23", "31", "44", "51", "65", "81"];
    let mut count = 0;
    for province in provinces {
        for (date, sequence) in [
            ("19800229", "001"),
            ("20101010", "222"),
            ("19651231", "998"),
        ] {
            let id = resident_id(&format!("{province}0102"), date, sequence);
            let text = format!("公民身份号码{id}，");
            assert!(found(&text, &id, Category::IdNumber), "{text}");
            count += 1;
        }
    }
    // Mobile numbers of every second digit 3–9.
    for second in 3..=9 {
        let phone = format!("1{second}012345678");
        let text = format!("请拨{phone}联系");
        assert!(found(&text, &phone, Category::Phone), "{text}");
        count += 1;
    }
    // Cards of 16 to 19 digits.
    for length in 16..=19 {
        let body: String = "6222021234567890123"[..length - 1].to_owned();
        let card = with_luhn_digit(&body);
        let text = format!("打款至{card}。");
        assert!(found(&text, &card, Category::BankCard), "{text}");
        count += 1;
    }
    assert_eq!(count, 21 + 7 + 4);
}

#[test]
fn redaction_is_irreversible_and_logged() {
    let id = resident_id("110105", "19900101", "123");
    let text = format!("申请人：张伟，身份证号{id}，联系电话13812345678。依据国办发〔2024〕12号。");
    let spans = spans_to_redact(&text);
    assert!(spans.len() >= 3, "{spans:?}");
    for style in [MaskStyle::default(), MaskStyle::Blocks, MaskStyle::Partial] {
        let redacted = apply_redactions(&text, &spans, &style).expect("spans apply");
        assert!(!redacted.text.contains(&id));
        assert!(!redacted.text.contains("13812345678"));
        assert!(!redacted.text.contains("张伟"));
        assert!(redacted.text.contains("国办发〔2024〕12号"));
        assert_eq!(redacted.log.len(), spans.len());
        for entry in &redacted.log {
            assert_eq!(entry.ground, Ground::PersonalPrivacy);
            let replaced: String = redacted
                .text
                .chars()
                .skip(entry.output_start)
                .take(entry.output_end - entry.output_start)
                .collect();
            let original: String = text
                .chars()
                .skip(entry.start)
                .take(entry.end - entry.start)
                .collect();
            assert_ne!(replaced, original);
        }
    }
    let partial = apply_redactions(&text, &spans, &MaskStyle::Partial).expect("spans apply");
    assert!(partial.text.contains("张某"), "{}", partial.text);
    assert!(partial.text.contains("110***********"), "{}", partial.text);
    assert!(partial.text.contains("138****5678"), "{}", partial.text);
}

#[test]
fn bad_span_lists_are_refused_with_offsets_only() {
    let span = |start, end| RedactionSpan {
        start,
        end,
        category: Category::Person,
        confidence_percent: 90,
        reason: String::new(),
        ground: Ground::PersonalPrivacy,
    };
    let text = "张伟和李娜";
    let style = MaskStyle::Blocks;
    assert_eq!(
        apply_redactions(text, &[span(2, 2)], &style),
        Err(RedactionError::EmptySpan { start: 2, end: 2 })
    );
    assert_eq!(
        apply_redactions(text, &[span(3, 9)], &style),
        Err(RedactionError::SpanOutOfRange {
            start: 3,
            end: 9,
            text_length_chars: 5
        })
    );
    assert_eq!(
        apply_redactions(text, &[span(0, 2), span(1, 3)], &style),
        Err(RedactionError::OverlappingSpans {
            first_start: 0,
            second_start: 1
        })
    );
    let done = apply_redactions(text, &[span(3, 5), span(0, 2)], &style).expect("valid");
    assert_eq!(done.text, "■■和■■");
}

#[test]
fn policy_is_configurable() {
    let text = "法定代表人：刘强";
    let findings = detect(text);
    let strict = RedactionPolicy {
        keep_legal_representatives: false,
        ..RedactionPolicy::default()
    };
    let decisions = decide(&findings, &strict);
    assert!(
        decisions.iter().any(|d| matches!(d, Decision::Redact(_))),
        "{decisions:?}"
    );
    let default = decide(&findings, &RedactionPolicy::default());
    assert!(
        default.iter().any(|d| matches!(
            d,
            Decision::Keep {
                reason: KeepReason::LegalRepresentative,
                ..
            }
        )),
        "{default:?}"
    );
}

const FILLER: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质";

proptest! {
    #[test]
    fn embedded_valid_resident_ids_are_found_exactly(
        province_index in 0usize..7,
        year in 1930i32..2020,
        month in 1u8..=12,
        day in 1u8..=28,
        sequence in 0u16..1000,
        before_indices in proptest::collection::vec(0usize..FILLER.chars().count(), 0..40),
        after_indices in proptest::collection::vec(0usize..FILLER.chars().count(), 0..40),
    ) {
        let provinces = ["11", "23", "31", "44", "51", "65", "82"];
        let region = format!("{}0102", provinces[province_index]);
        let id = resident_id(&region, &format!("{year:04}{month:02}{day:02}"), &format!("{sequence:03}"));
        let filler: Vec<char> = FILLER.chars().collect();
        let before: String = before_indices.iter().map(|&i| filler[i]).collect();
        let after: String = after_indices.iter().map(|&i| filler[i]).collect();
        let text = format!("{before}{id}{after}");
        let start = before.chars().count();
        let spans = spans_to_redact(&text);
        prop_assert!(
            spans.iter().any(|s| s.category == Category::IdNumber && s.start == start && s.end == start + 18),
            "{} {:?}", text, spans
        );
    }
}

/// Characters that exercise every name rule: surnames, 老/小, given-name characters, forms of
/// address, ornaments, middle dots, Latin letters, punctuation and a cue word's characters.
const NAME_ALPHABET: &str = "王李张刘陈欧阳老小明华建国伟丶灬·.同志师申请人局长：，。 AbcL@店沈阳";

proptest! {
    #[test]
    fn names_with_any_tagger_output_never_panic_and_stay_well_formed(
        indices in proptest::collection::vec(0usize..NAME_ALPHABET.chars().count(), 0..60),
        raw_entities in proptest::collection::vec((0usize..70, 0usize..8, 0u8..4, 0u8..=100), 0..12),
    ) {
        let alphabet: Vec<char> = NAME_ALPHABET.chars().collect();
        let text: String = indices.iter().map(|&i| alphabet[i]).collect();
        let kinds = [
            TaggedEntityKind::Person,
            TaggedEntityKind::Place,
            TaggedEntityKind::Organisation,
            TaggedEntityKind::Time,
        ];
        let entities: Vec<TaggedEntity> = raw_entities
            .iter()
            .map(|&(start, length, kind, probability_percent)| TaggedEntity {
                start,
                end: start + length,
                kind: kinds[usize::from(kind)],
                probability_percent,
            })
            .collect();
        let length = text.chars().count();
        let findings = detect_with_entities(&text, &entities);
        let mut previous_end = 0;
        for detection in &findings.detections {
            prop_assert!(detection.start < detection.end && detection.end <= length, "{detection:?}");
            prop_assert!(detection.start >= previous_end, "overlap in {text:?}: {:?}", findings.detections);
            previous_end = detection.end;
        }
        let spans = spans_to_redact_with_entities(&text, &entities);
        prop_assert!(spans.iter().all(|span| span.end <= length));
    }
}
