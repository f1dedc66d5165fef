//! Data-driven tests of the Art. 30 pre-check: realistic descriptions of the kind agencies
//! receive, each with the points a clerk would raise in the one correction notice, and the
//! signal words that triggered them.

use gongkai_domain::application_form::{
    ApplicationInput, CorrectionSeverity, ValidatedApplication, count_enumerated_items,
    is_description_vague, precheck, validate_application,
};
use time::{Date, Month};

fn application(description: &str, document_number: &str, purpose: &str) -> ValidatedApplication {
    let input = ApplicationInput {
        applicant_kind: "natural_person",
        name: "王芳",
        identity_kind: "resident_id_card",
        identity_number: "310104198805124319",
        contact_phone: "021-63215678",
        information_description: description,
        document_number,
        purpose,
        form_preference: "paper",
        delivery_preference: "collect_in_person",
        ..ApplicationInput::default()
    };
    let today = Date::from_calendar_date(2025, Month::June, 15).expect("valid");
    validate_application(&input, today)
        .unwrap_or_else(|problems| panic!("{description:?} must be valid: {problems}"))
}

/// (description, 文号, expected codes with their matched words)
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
);

#[test]
fn precheck_table() {
    let cases: &[Case] = &[
        // Specific enough: a body, a year, a project and the documents wanted.
        (
            "北京市朝阳区人民政府2023年作出的建国路沿线旧城改造项目房屋征收决定及征收补偿方案",
            "",
            &[],
        ),
        ("关于我家房屋征收的所有文件", "", &[]),
        ("朝阳区建国路88号的相关材料", "", &[]),
        (
            "《上海市国有土地上房屋征收与补偿实施细则》相关材料",
            "",
            &[],
        ),
        ("沪府发〔2011〕71号文件全文", "", &[]),
        ("2021年的所有文件", "", &[]),
        ("徐汇区田林街道老旧小区加装电梯补贴政策", "", &[]),
        // Only general words: unclear content, Art. 30.
        ("贵单位的所有文件", "", &[("description_too_vague", &[])]),
        ("全部信息和相关材料", "", &[("description_too_vague", &[])]),
        (
            "请公开与本人有关的全部材料",
            "",
            &[("description_too_vague", &[])],
        ),
        (
            "申请公开贵局掌握的一切政府信息",
            "",
            &[("description_too_vague", &[])],
        ),
        (
            "我要你们所有的资料和档案",
            "",
            &[("description_too_vague", &[])],
        ),
        // The same general words with a 文号 are specific.
        ("相关材料全部", "沪府发〔2011〕71号", &[]),
        // Several items listed: one application per matter is advised.
        (
            "1.朝阳区2023年财政预算报告；2.朝阳区2023年政府集中采购目录；3.建国路改造项目环评批复",
            "",
            &[("multiple_requests", &[])],
        ),
        (
            "（一）某某项目立项批复（二）某某项目建设工程规划许可证",
            "",
            &[("multiple_requests", &[])],
        ),
        (
            "①2022年度部门决算 ②2023年度部门预算",
            "",
            &[("multiple_requests", &[])],
        ),
        (
            "一、征收决定\n二、征收补偿方案",
            "",
            &[("multiple_requests", &[])],
        ),
        // One item, a decimal, a date and 「统一、」 are not lists.
        ("1.朝阳区2023年财政预算报告", "", &[]),
        ("2023.5.1发布的朝阳区房屋征收补偿标准", "", &[]),
        ("朝阳区统一、规范的2023年行政事业性收费标准", "", &[]),
        // Asking for processing or new information, Art. 38.
        (
            "请统计朝阳区2020年至2023年每年房屋征收的户数并分析原因",
            "",
            &[("requests_new_information", &["统计", "分析"])],
        ),
        (
            "请说明原因：为什么建国路88号的征收补偿标准低于周边地区",
            "",
            &[("requests_new_information", &["说明原因", "为什么"])],
        ),
        // A published statistical bulletin is existing information.
        ("朝阳区2023年国民经济和社会发展统计公报", "", &[]),
        // A complaint put as an application, Art. 39 ¶1.
        (
            "举报朝阳区某街道办事处违法强拆我家房屋，要求查处责任人",
            "",
            &[("complaint_or_petition", &["举报", "查处"])],
        ),
        // Several points at once, in a stable order, for one notice.
        (
            "统计贵单位的所有信息",
            "",
            &[
                ("description_too_vague", &[]),
                ("requests_new_information", &["统计"]),
            ],
        ),
        (
            "1.汇总全部相关材料；2.投诉有关情况",
            "",
            &[
                ("description_too_vague", &[]),
                ("multiple_requests", &[]),
                ("requests_new_information", &["汇总"]),
                ("complaint_or_petition", &["投诉"]),
            ],
        ),
    ];
    for &(description, document_number, expected) in cases {
        let items = precheck(&application(description, document_number, ""));
        let actual: Vec<(&str, &[&str])> = items
            .iter()
            .map(|item| (item.code, item.matched.as_slice()))
            .collect();
        assert_eq!(actual, expected.to_vec(), "{description:?}");
    }
}

#[test]
fn every_item_explains_itself_and_cites_its_article() {
    let items = precheck(&application("1.汇总全部相关材料；2.投诉有关情况", "", ""));
    assert_eq!(items.len(), 4);
    for item in &items {
        assert_eq!(item.field, "information_description");
        assert!(!item.explanation_zh.is_empty() && !item.explanation_en.is_empty());
        assert!(item.legal_basis.contains("条"), "{}", item.legal_basis);
    }
    // Only unclear content is a defect the applicant must correct (Art. 30); the rest advise.
    let severities: Vec<CorrectionSeverity> = items.iter().map(|i| i.severity).collect();
    assert_eq!(
        severities,
        [
            CorrectionSeverity::Correction,
            CorrectionSeverity::Advisory,
            CorrectionSeverity::Advisory,
            CorrectionSeverity::Advisory,
        ]
    );
    assert!(items[0].legal_basis.contains("第三十条"));
    assert!(items[2].legal_basis.contains("第三十八条"));
    assert!(items[3].legal_basis.contains("第三十九条第一款"));
}

#[test]
fn the_purpose_never_triggers_anything() {
    // The 2019 text requires no purpose; what an applicant writes there must not count.
    let items = precheck(&application(
        "北京市朝阳区2023年建国路沿线旧城改造项目房屋征收决定",
        "",
        "统计分析后举报违法行为，所有文件",
    ));
    assert_eq!(items, []);
}

#[test]
fn vagueness_and_enumeration_helpers() {
    let vague = [
        "所有文件",
        "全部信息",
        "相关材料",
        "贵单位保存的关于我的全部档案材料",
        "  ",
    ];
    for text in vague {
        assert!(is_description_vague(text), "{text:?}");
    }
    let specific = [
        "《政府信息公开条例》",
        "国办发〔2017〕47号",
        "2019年5月15日的会议纪要",
        "某某村土地征收补偿安置方案",
    ];
    for text in specific {
        assert!(!is_description_vague(text), "{text:?}");
    }
    let counts = [
        ("", 0),
        ("1.甲", 1),
        ("1.甲 2.乙", 2),
        ("1、甲；2、乙；3、丙", 3),
        ("1)甲\n2)乙", 2),
        ("１．甲；２．乙", 2),
        ("3.5万元", 0),
        ("2023.05.01", 0),
        ("第1.2节", 0),
        ("(一)甲(二)乙(三)丙(四)丁", 4),
        ("①②③", 3),
        ("统一、规范", 0),
        ("1.甲；1.乙", 1),
    ];
    for (text, expected) in counts {
        assert_eq!(count_enumerated_items(text), expected, "{text:?}");
    }
}
