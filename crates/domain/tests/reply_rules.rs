//! Tests of the reply kinds against the annual report's table 三 (国办公开办函〔2021〕30号):
//! the row labels exactly as printed and in order, stable codes, the article of each kind, the
//! remedy notice of every letter (reconsideration first for refusals, 《行政复议法》 Art. 23), and
//! the placeholder renderer.

use std::collections::HashMap;

use gongkai_domain::reply::{
    CannotProvideReason, MissingPlaceholders, NonDisclosureGround, NotProcessedReason,
    OtherHandlingReason, REPORT_SECTION_LABEL, REPORT_TOTAL_ROW_LABEL, ReplyKind, placeholders,
    render,
};

/// The 22 rows under 「三、本年度办理结果」 as printed in the 2021 format (ogi-rules.md §2.3):
/// 21 outcome rows and the total. Group rows with sub-rows carry no count and are not here.
const OFFICIAL_ROWS: [&str; 22] = [
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
    "（七）总计",
];

#[test]
fn kinds_are_the_report_rows_in_order() {
    let mut rows: Vec<&str> = ReplyKind::ALL
        .iter()
        .map(|k| k.report_row_label().row())
        .collect();
    rows.push(REPORT_TOTAL_ROW_LABEL);
    assert_eq!(rows, OFFICIAL_ROWS);
    assert_eq!(REPORT_SECTION_LABEL, "三、本年度办理结果");
}

#[test]
fn kinds_sit_under_their_groups() {
    let groups: Vec<&str> = ReplyKind::ALL
        .iter()
        .map(|k| k.report_row_label().group)
        .collect();
    let expected: Vec<&str> = [
        ("（一）予以公开", 1),
        (
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            1,
        ),
        ("（三）不予公开", 8),
        ("（四）无法提供", 3),
        ("（五）不予处理", 5),
        ("（六）其他处理", 3),
    ]
    .iter()
    .flat_map(|&(group, n)| std::iter::repeat_n(group, n))
    .collect();
    assert_eq!(groups, expected);
    assert_eq!(ReplyKind::Disclosed.report_row_label().item, None);
    assert_eq!(
        ReplyKind::NotDisclosed(NonDisclosureGround::StateSecret)
            .report_row_label()
            .item,
        Some("1.属于国家秘密")
    );
}

#[test]
fn row_codes_are_stable_unique_and_round_trip() {
    let codes: Vec<&str> = ReplyKind::ALL.iter().map(|k| k.row_code()).collect();
    let mut unique = codes.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ReplyKind::ALL.len());
    for kind in ReplyKind::ALL {
        let code = kind.row_code();
        assert_eq!(ReplyKind::parse(code), Some(kind));
        assert!(
            code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{code}"
        );
    }
    assert_eq!(ReplyKind::parse("总计"), None);
    // Stored codes must never change meaning: pin them.
    assert_eq!(
        codes,
        [
            "disclosed",
            "partially_disclosed",
            "not_disclosed_state_secret",
            "not_disclosed_prohibited_by_law",
            "not_disclosed_security_stability",
            "not_disclosed_third_party_rights",
            "not_disclosed_internal_affairs",
            "not_disclosed_process_information",
            "not_disclosed_enforcement_file",
            "not_disclosed_administrative_query",
            "cannot_provide_not_held",
            "cannot_provide_needs_new_information",
            "cannot_provide_unclear_after_correction",
            "not_processed_petition_complaint_report",
            "not_processed_repeat_application",
            "not_processed_public_publication",
            "not_processed_excessive",
            "not_processed_confirmation_or_reissue",
            "other_correction_not_made",
            "other_fee_not_paid",
            "other",
        ]
    );
}

#[test]
fn legal_bases() {
    use CannotProvideReason as C;
    use NonDisclosureGround as N;
    use NotProcessedReason as P;
    use OtherHandlingReason as O;
    let cases: [(ReplyKind, &[&str]); 21] = [
        (
            ReplyKind::Disclosed,
            &["第三十六条第（一）项", "第（二）项"],
        ),
        (ReplyKind::PartiallyDisclosed, &["第三十七条"]),
        (
            ReplyKind::NotDisclosed(N::StateSecret),
            &["第十四条", "第三十六条第（三）项"],
        ),
        (ReplyKind::NotDisclosed(N::ProhibitedByLaw), &["第十四条"]),
        (
            ReplyKind::NotDisclosed(N::EndangersSecurityOrStability),
            &["第十四条"],
        ),
        (ReplyKind::NotDisclosed(N::ThirdPartyRights), &["第十五条"]),
        (
            ReplyKind::NotDisclosed(N::InternalAffairs),
            &["第十六条第一款"],
        ),
        (
            ReplyKind::NotDisclosed(N::ProcessInformation),
            &["第十六条第二款"],
        ),
        (
            ReplyKind::NotDisclosed(N::EnforcementFile),
            &["第十六条第二款"],
        ),
        (
            ReplyKind::NotDisclosed(N::AdministrativeQuery),
            &["第三十六条第（七）项"],
        ),
        (
            ReplyKind::CannotProvide(C::NotHeld),
            &["第三十六条第（四）项"],
        ),
        (
            ReplyKind::CannotProvide(C::NeedsNewInformation),
            &["第三十八条"],
        ),
        (
            ReplyKind::CannotProvide(C::StillUnclearAfterCorrection),
            &["第三十条"],
        ),
        (
            ReplyKind::NotProcessed(P::PetitionComplaintReport),
            &["第三十九条第一款"],
        ),
        (
            ReplyKind::NotProcessed(P::RepeatApplication),
            &["第三十六条第（六）项"],
        ),
        (
            ReplyKind::NotProcessed(P::PublicPublication),
            &["第三十九条第二款"],
        ),
        (
            ReplyKind::NotProcessed(P::ExcessiveWithoutReason),
            &["第三十五条"],
        ),
        (
            ReplyKind::NotProcessed(P::ConfirmationOrReissue),
            &["第二条"],
        ),
        (
            ReplyKind::OtherHandling(O::CorrectionNotMade),
            &["第三十条"],
        ),
        (
            ReplyKind::OtherHandling(O::FeeNotPaid),
            &["第四十二条", "国办函〔2020〕109号"],
        ),
        (ReplyKind::OtherHandling(O::Other), &[]),
    ];
    assert_eq!(
        cases.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        ReplyKind::ALL.to_vec()
    );
    for (kind, citations) in cases {
        let basis = kind.legal_basis();
        assert!(!basis.is_empty());
        for citation in citations {
            assert!(basis.contains(citation), "{kind:?}: {basis}");
            // The letter cites the same article it rests on.
            assert!(
                kind.template_zh().contains(citation),
                "{kind:?} letter lacks {citation}"
            );
        }
    }
}

const COMMON_PLACEHOLDERS: [&str; 7] = [
    "applicant_name",
    "receipt_date",
    "information_description",
    "reconsideration_body",
    "court",
    "agency_name",
    "reply_date",
];

#[test]
fn every_letter_is_complete() {
    for kind in ReplyKind::ALL {
        let template = kind.template_zh();
        assert!(
            template.starts_with("政府信息公开申请答复书\n\n{applicant_name}："),
            "{kind:?}"
        );
        assert!(
            template.ends_with("{agency_name}\n{reply_date}\n"),
            "{kind:?}"
        );
        let names = kind.placeholders();
        for common in COMMON_PLACEHOLDERS {
            assert!(names.contains(&common), "{kind:?} lacks {common}");
        }
        // Every letter tells the applicant the remedy and its period.
        assert!(template.contains("六十日内"), "{kind:?}");
        assert!(template.contains("申请行政复议"), "{kind:?}");
        assert!(template.contains("提起行政诉讼"), "{kind:?}");
        assert!(
            template.contains("《中华人民共和国行政复议法》"),
            "{kind:?}"
        );
        let first = kind.requires_reconsideration_first();
        assert_eq!(
            first,
            matches!(
                kind,
                ReplyKind::NotDisclosed(_) | ReplyKind::PartiallyDisclosed
            ),
            "{kind:?}"
        );
        if first {
            // 《行政复议法》 Art. 23 ¶1(四) and ¶2: say that reconsideration comes first.
            assert!(template.contains("第二十三条第一款第（四）项"), "{kind:?}");
            assert!(template.contains("应当先"), "{kind:?}");
            assert!(template.contains("十五日内"), "{kind:?}");
            assert!(template.contains("第四十五条"), "{kind:?}");
        } else {
            assert!(!template.contains("应当先"), "{kind:?}");
            assert!(template.contains("第二十条"), "{kind:?}");
            assert!(template.contains("六个月内"), "{kind:?}");
            assert!(template.contains("第四十六条"), "{kind:?}");
        }
        // A refusal or non-provision gives reasons; a disclosure says how to obtain it.
        let needs_reasons = !matches!(
            kind,
            ReplyKind::Disclosed
                | ReplyKind::NotProcessed(NotProcessedReason::PublicPublication)
                | ReplyKind::OtherHandling(
                    OtherHandlingReason::CorrectionNotMade | OtherHandlingReason::FeeNotPaid
                )
        );
        assert_eq!(names.contains(&"reasons"), needs_reasons, "{kind:?}");
        let needs_how = matches!(
            kind,
            ReplyKind::Disclosed
                | ReplyKind::PartiallyDisclosed
                | ReplyKind::NotProcessed(NotProcessedReason::PublicPublication)
        );
        assert_eq!(names.contains(&"how_to_obtain"), needs_how, "{kind:?}");
    }
}

fn filled(kind: ReplyKind) -> HashMap<&'static str, String> {
    kind.placeholders()
        .into_iter()
        .map(|name| (name, format!("〈{name}〉")))
        .collect()
}

#[test]
fn every_letter_renders_when_filled() {
    for kind in ReplyKind::ALL {
        let letter = render(kind.template_zh(), &filled(kind)).expect("all filled");
        assert!(
            !letter.contains('{') && !letter.contains('}'),
            "{kind:?}: {letter}"
        );
        assert!(letter.contains("〈applicant_name〉："), "{kind:?}");
    }
}

#[test]
fn a_disclosure_letter() {
    let values: HashMap<&str, String> = [
        ("applicant_name", "张伟"),
        ("receipt_date", "2025年6月3日"),
        ("information_description", "建国路沿线旧城改造项目房屋征收决定"),
        ("how_to_obtain", "该信息已于2023年5月8日在北京市朝阳区人民政府网站主动公开，网址：https://www.bjchy.gov.cn/。"),
        ("reconsideration_body", "北京市朝阳区人民政府"),
        ("court", "北京市朝阳区人民法院"),
        ("agency_name", "北京市朝阳区住房和城乡建设委员会"),
        ("reply_date", "2025年6月20日"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    let letter = render(ReplyKind::Disclosed.template_zh(), &values).expect("filled");
    let expected = "政府信息公开申请答复书\n\n\
        张伟：\n\n\
        本机关于2025年6月3日收到您提出的政府信息公开申请，您申请获取的政府信息为：\
        “建国路沿线旧城改造项目房屋征收决定”。经审查，现答复如下：\n\n\
        您申请获取的政府信息属于可以公开的政府信息。根据《中华人民共和国政府信息公开条例》\
        第三十六条第（一）项、第（二）项的规定，本机关予以公开。获取该政府信息的方式、途径和时间如下：\n\
        该信息已于2023年5月8日在北京市朝阳区人民政府网站主动公开，网址：https://www.bjchy.gov.cn/。\n\n\
        如对本答复不服，您可以自知道或者应当知道本答复之日起六十日内向北京市朝阳区人民政府\
        申请行政复议（《中华人民共和国行政复议法》第二十条），也可以自知道或者应当知道本答复之日起\
        六个月内向北京市朝阳区人民法院提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）。\n\n\
        特此告知。\n\n\
        北京市朝阳区住房和城乡建设委员会\n\
        2025年6月20日\n";
    assert_eq!(letter, expected);
}

#[test]
fn render_lists_every_missing_placeholder() {
    let template = "{a}与{b}，{a}又见{c}";
    let mut values: HashMap<&str, String> = HashMap::new();
    assert_eq!(
        render(template, &values),
        Err(MissingPlaceholders(vec![
            "a".into(),
            "b".into(),
            "c".into()
        ]))
    );
    values.insert("a", "甲".into());
    values.insert("c", "   ".into());
    // A blank value is missing: a letter must not go out with an empty reason.
    assert_eq!(
        render(template, &values),
        Err(MissingPlaceholders(vec!["b".into(), "c".into()]))
    );
    values.insert("b", "乙".into());
    values.insert("c", "丙".into());
    values.insert("unused", "extra values are ignored".into());
    assert_eq!(render(template, &values).as_deref(), Ok("甲与乙，甲又见丙"));
    let error = render("{x}{y}", &HashMap::new()).expect_err("missing");
    assert_eq!(error.to_string(), "missing placeholders: x, y");
}

#[test]
fn render_leaves_other_braces_and_values_alone() {
    let values: HashMap<&str, String> = [("name", "{reasons}".to_string())].into_iter().collect();
    let cases = [
        ("{name}", "{reasons}"),
        ("{不是占位符}{name}", "{不是占位符}{reasons}"),
        ("{Name}{name}", "{Name}{reasons}"),
        ("{1x}{name}", "{1x}{reasons}"),
        ("{}{name}", "{}{reasons}"),
        ("{name}{", "{reasons}{"),
        ("}{name}", "}{reasons}"),
        ("{{name}}", "{{reasons}}"),
        ("", ""),
    ];
    for (template, expected) in cases {
        assert_eq!(
            render(template, &values).as_deref(),
            Ok(expected),
            "{template:?}"
        );
    }
    assert_eq!(placeholders("{a}{b}{a}{B}{}"), ["a", "b"]);
    let long_name = format!("{{{}}}", "a".repeat(41));
    assert_eq!(placeholders(&long_name), Vec::<&str>::new());
}

#[test]
fn placeholders_of_a_kind() {
    assert_eq!(
        ReplyKind::Disclosed.placeholders(),
        [
            "applicant_name",
            "receipt_date",
            "information_description",
            "how_to_obtain",
            "reconsideration_body",
            "court",
            "agency_name",
            "reply_date",
        ]
    );
    assert!(
        ReplyKind::OtherHandling(OtherHandlingReason::CorrectionNotMade)
            .placeholders()
            .contains(&"correction_deadline")
    );
    assert!(
        ReplyKind::NotProcessed(NotProcessedReason::RepeatApplication)
            .placeholders()
            .contains(&"previous_reply_date")
    );
}
