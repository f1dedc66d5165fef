//! Data-driven tests of the Art. 29 application form: realistic valid applications by a person
//! and by organisations, a table of invalid ones each with every problem it must report at
//! once, the telephone formats people really type, the applicant kinds against the report's
//! columns, and a property that no input makes validation panic.

use gongkai_domain::application_form::{
    Applicant, ApplicantKind, ApplicationInput, DeliveryMethod, InformationForm, PhoneNumber,
    ValidatedApplication, parse_phone, validate_application,
};
use gongkai_domain::identity::IdentityDocumentKind;
use proptest::prelude::*;
use time::{Date, Month};

fn today() -> Date {
    Date::from_calendar_date(2025, Month::June, 15).expect("valid")
}

/// 张伟 asks the district government for a demolition decision and its compensation plan.
fn person() -> ApplicationInput<'static> {
    ApplicationInput {
        applicant_kind: "natural_person",
        name: "张伟",
        identity_kind: "resident_id_card",
        identity_number: "11010519491231002X",
        contact_phone: "13812345678",
        contact_email: "zhangwei@example.cn",
        postal_address: "北京市朝阳区建国路88号1单元101室",
        information_description: "北京市朝阳区人民政府2023年作出的建国路沿线旧城改造项目房屋征收决定及征收补偿方案",
        form_preference: "electronic",
        delivery_preference: "email",
        ..ApplicationInput::default()
    }
}

/// A law firm asks for an administrative penalty decision, by post on paper.
fn law_firm() -> ApplicationInput<'static> {
    ApplicationInput {
        applicant_kind: "legal_service_organization",
        name: "北京市某某律师事务所",
        organisation_code: "31110000E00012345E",
        legal_representative: "李娜",
        contact_phone: "010-65123456",
        postal_address: "北京市东城区东长安街1号东方广场W1座8层",
        information_description: "北京市市场监督管理局京市监处罚〔2024〕118号行政处罚决定书",
        document_number: "京市监处罚〔2024〕118号",
        form_preference: "paper",
        delivery_preference: "post",
        ..ApplicationInput::default()
    }
}

fn validate(
    input: &ApplicationInput<'_>,
) -> Result<ValidatedApplication, Vec<(&'static str, &'static str)>> {
    validate_application(input, today()).map_err(|problems| {
        problems
            .problems()
            .iter()
            .map(|p| (p.field, p.code))
            .collect()
    })
}

#[test]
fn a_person_applies() {
    let application = validate(&person()).expect("valid");
    let Applicant::NaturalPerson { name, identity } = &application.applicant else {
        panic!("a person");
    };
    assert_eq!(name, "张伟");
    assert_eq!(identity.kind, IdentityDocumentKind::ResidentIdCard);
    assert_eq!(identity.number(), "11010519491231002X");
    assert_eq!(application.applicant.kind(), ApplicantKind::NaturalPerson);
    assert_eq!(
        application.contact.phone,
        Some(PhoneNumber::Mobile("13812345678".into()))
    );
    assert_eq!(
        application.contact.email.as_deref(),
        Some("zhangwei@example.cn")
    );
    assert_eq!(application.form_preference, InformationForm::Electronic);
    assert_eq!(application.delivery_preference, DeliveryMethod::Email);
    assert_eq!(application.document_number, None);
    assert_eq!(application.purpose, None);
}

#[test]
fn an_organisation_applies() {
    let application = validate(&law_firm()).expect("valid");
    let Applicant::Organisation(organisation) = &application.applicant else {
        panic!("an organisation");
    };
    assert_eq!(organisation.kind, ApplicantKind::LegalServiceOrganization);
    assert_eq!(organisation.organisation_code, "31110000E00012345E");
    assert_eq!(organisation.legal_representative, "李娜");
    assert_eq!(organisation.representative_identity, None);
    assert_eq!(application.applicant.name(), "北京市某某律师事务所");
    assert_eq!(
        application.contact.phone,
        Some(PhoneNumber::Landline("010-65123456".into()))
    );
    assert_eq!(
        application.document_number.as_deref(),
        Some("京市监处罚〔2024〕118号")
    );
}

type Base = fn() -> ApplicationInput<'static>;
type Edit = fn(&mut ApplicationInput<'static>);
type Problems = &'static [(&'static str, &'static str)];

#[test]
fn valid_variants() {
    let cases: &[(&str, Base, Edit)] = &[
        ("person as given", person, |_| {}),
        ("organisation as given", law_firm, |_| {}),
        ("lower-case x and spaces in the number", person, |i| {
            i.identity_number = " 110105 19491231 002x "
        }),
        ("a passport", person, |i| {
            i.identity_kind = "passport";
            i.identity_number = "E12345678";
        }),
        ("a Hong Kong resident's home-return permit", person, |i| {
            i.identity_kind = "hk_macao_permit";
            i.identity_number = "H12345678";
        }),
        ("only a phone", person, |i| {
            i.contact_email = "";
            i.postal_address = "";
            i.delivery_preference = "collect_in_person";
        }),
        ("only a postal address", person, |i| {
            i.contact_phone = "";
            i.contact_email = "";
            i.form_preference = "paper";
            i.delivery_preference = "post";
        }),
        ("a purpose is accepted but not required", person, |i| {
            i.purpose = "了解本人房屋的征收补偿标准"
        }),
        ("exactly five characters of description", person, |i| {
            i.information_description = "征收决定书"
        }),
        ("inspection on site", person, |i| {
            i.form_preference = "inspection";
            i.delivery_preference = "collect_in_person";
        }),
        ("download from the portal", person, |i| {
            i.delivery_preference = "portal_download"
        }),
        ("paper by fax to a landline", law_firm, |i| {
            i.delivery_preference = "fax"
        }),
        (
            "an enterprise with its representative's identity",
            law_firm,
            |i| {
                i.applicant_kind = "commercial_enterprise";
                i.name = "北京某某科技有限公司";
                i.organisation_code = "91110108ma01abcd1e";
                i.identity_kind = "resident_id_card";
                i.identity_number = "310104198805124319";
            },
        ),
        ("a foundation", law_firm, |i| {
            i.applicant_kind = "social_welfare_organization";
            i.name = "某某公益基金会";
            i.organisation_code = "53100000500021676K";
        }),
        (
            "a person's application ignores organisation fields",
            person,
            |i| {
                i.organisation_code = "not a code";
                i.legal_representative = "无";
            },
        ),
    ];
    for (name, base, edit) in cases {
        let mut input = base();
        edit(&mut input);
        if let Err(problems) = validate(&input) {
            panic!("{name}: {problems:?}");
        }
    }
}

#[test]
fn invalid_applications_report_every_problem() {
    let cases: &[(&str, Base, Edit, Problems)] = &[
        (
            "an empty form",
            ApplicationInput::default,
            |_| {},
            &[
                ("applicant_kind", "required"),
                ("name", "required"),
                ("contact_phone", "contact_required"),
                ("information_description", "required"),
                ("form_preference", "required"),
                ("delivery_preference", "required"),
            ],
        ),
        (
            "an unknown applicant kind",
            person,
            |i| i.applicant_kind = "citizen",
            &[("applicant_kind", "applicant_kind_invalid")],
        ),
        (
            "a person without identity proof",
            person,
            |i| {
                i.identity_kind = "";
                i.identity_number = "";
            },
            &[
                ("identity_kind", "required"),
                ("identity_number", "required"),
            ],
        ),
        (
            "a person with a number but no kind",
            person,
            |i| i.identity_kind = "",
            &[("identity_kind", "required")],
        ),
        (
            "an unknown identity kind",
            person,
            |i| i.identity_kind = "driving_licence",
            &[("identity_kind", "identity_kind_invalid")],
        ),
        (
            "a wrong check digit",
            person,
            |i| i.identity_number = "110105194912310021",
            &[("identity_number", "resident_id_check_digit")],
        ),
        (
            "a birth date in the future",
            person,
            |i| i.identity_number = "110105202506160019",
            &[("identity_number", "resident_id_birth_date")],
        ),
        (
            "a name typed as passport number",
            person,
            |i| {
                i.identity_kind = "passport";
                i.identity_number = "张伟";
            },
            &[("identity_number", "passport_format")],
        ),
        (
            "a person shows an organisation code",
            person,
            |i| {
                i.identity_kind = "unified_social_credit_code";
                i.identity_number = "91110108MA01ABCD1E";
            },
            &[("identity_kind", "identity_kind_not_personal")],
        ),
        (
            "an organisation without code or representative",
            law_firm,
            |i| {
                i.organisation_code = "";
                i.legal_representative = "";
            },
            &[
                ("organisation_code", "required"),
                ("legal_representative", "required"),
            ],
        ),
        (
            "an organisation code with a wrong check character",
            law_firm,
            |i| i.organisation_code = "31110000E00012345F",
            &[("organisation_code", "uscc_check_character")],
        ),
        (
            "an organisation code too short",
            law_firm,
            |i| i.organisation_code = "3111000E0001234",
            &[("organisation_code", "uscc_length")],
        ),
        (
            "a representative's identity kind without a number",
            law_firm,
            |i| i.identity_kind = "resident_id_card",
            &[("identity_number", "required")],
        ),
        (
            "a representative's number without a kind",
            law_firm,
            |i| i.identity_number = "11010519491231002X",
            &[("identity_kind", "required")],
        ),
        (
            "no contact at all",
            person,
            |i| {
                i.contact_phone = "";
                i.contact_email = "";
                i.postal_address = "";
                i.delivery_preference = "collect_in_person";
            },
            &[("contact_phone", "contact_required")],
        ),
        (
            "a phone number without area code",
            person,
            |i| i.contact_phone = "65123456",
            &[("contact_phone", "phone_invalid")],
        ),
        (
            "an e-mail address without domain",
            person,
            |i| i.contact_email = "zhangwei@",
            &[("contact_email", "email_invalid")],
        ),
        (
            "a description of four characters",
            person,
            |i| i.information_description = "征收文件",
            &[("information_description", "too_short")],
        ),
        (
            "a description with a control character",
            person,
            |i| i.information_description = "房屋征收\u{0}决定书全文",
            &[("information_description", "invalid_characters")],
        ),
        (
            "e-mail delivery without an address",
            person,
            |i| i.contact_email = "",
            &[("contact_email", "required_for_email_delivery")],
        ),
        (
            "postal delivery without an address",
            law_firm,
            |i| i.postal_address = "",
            &[("postal_address", "required_for_postal_delivery")],
        ),
        (
            "fax delivery to a mobile",
            person,
            |i| {
                i.form_preference = "paper";
                i.delivery_preference = "fax";
            },
            &[("contact_phone", "landline_required_for_fax_delivery")],
        ),
        (
            "fax delivery without a phone",
            law_firm,
            |i| {
                i.contact_phone = "";
                i.delivery_preference = "fax";
            },
            &[("contact_phone", "required_for_fax_delivery")],
        ),
        (
            "paper by e-mail",
            person,
            |i| i.form_preference = "paper",
            &[("delivery_preference", "delivery_incompatible_with_form")],
        ),
        (
            "inspection by post",
            law_firm,
            |i| i.form_preference = "inspection",
            &[("delivery_preference", "delivery_incompatible_with_form")],
        ),
        (
            "unknown form and delivery",
            person,
            |i| {
                i.form_preference = "cd_rom";
                i.delivery_preference = "pigeon";
            },
            &[
                ("form_preference", "form_preference_invalid"),
                ("delivery_preference", "delivery_preference_invalid"),
            ],
        ),
        (
            "everything wrong at once",
            person,
            |i| {
                i.name = "";
                i.identity_number = "11010519491231002";
                i.contact_phone = "123";
                i.contact_email = "not-an-email";
                i.information_description = "信息";
                i.form_preference = "paper";
                i.delivery_preference = "email";
            },
            &[
                ("name", "required"),
                ("identity_number", "resident_id_length"),
                ("contact_phone", "phone_invalid"),
                ("contact_email", "email_invalid"),
                ("information_description", "too_short"),
                ("delivery_preference", "delivery_incompatible_with_form"),
            ],
        ),
    ];
    for (name, base, edit, expected) in cases {
        let mut input = base();
        edit(&mut input);
        match validate(&input) {
            Ok(_) => panic!("{name}: should be refused"),
            Err(problems) => assert_eq!(problems, expected.to_vec(), "{name}"),
        }
    }
}

#[test]
fn length_limits() {
    let long_name = "张".repeat(101);
    let long_description = "征".repeat(4001);
    let longest_description = "征".repeat(4000);
    let long_document_number = "号".repeat(101);
    let long_purpose = "用".repeat(1001);
    let long_address = "路".repeat(201);
    let long_representative = "李".repeat(51);

    let mut input = person();
    input.name = &long_name;
    input.information_description = &long_description;
    input.document_number = &long_document_number;
    input.purpose = &long_purpose;
    input.postal_address = &long_address;
    assert_eq!(
        validate(&input).err(),
        Some(vec![
            ("name", "too_long"),
            ("postal_address", "too_long"),
            ("information_description", "too_long"),
            ("document_number", "too_long"),
            ("purpose", "too_long"),
        ])
    );

    let mut input = law_firm();
    input.legal_representative = &long_representative;
    assert_eq!(
        validate(&input).err(),
        Some(vec![("legal_representative", "too_long")])
    );

    let mut input = person();
    input.information_description = &longest_description;
    assert!(validate(&input).is_ok());
}

#[test]
fn telephone_numbers() {
    let cases: &[(&str, Result<PhoneNumber, &str>)] = &[
        ("13812345678", Ok(PhoneNumber::Mobile("13812345678".into()))),
        (
            "+86 138 1234 5678",
            Ok(PhoneNumber::Mobile("13812345678".into())),
        ),
        (
            "010-65123456",
            Ok(PhoneNumber::Landline("010-65123456".into())),
        ),
        (
            "01065123456",
            Ok(PhoneNumber::Landline("010-65123456".into())),
        ),
        (
            "(010)65123456",
            Ok(PhoneNumber::Landline("010-65123456".into())),
        ),
        (
            "（０１０）６５１２３４５６",
            Ok(PhoneNumber::Landline("010-65123456".into())),
        ),
        (
            "0755-2345678",
            Ok(PhoneNumber::Landline("0755-2345678".into())),
        ),
        (
            "0755 8888 6666",
            Ok(PhoneNumber::Landline("0755-88886666".into())),
        ),
        (
            "075588886666",
            Ok(PhoneNumber::Landline("0755-88886666".into())),
        ),
        (
            "020-87654321-123",
            Ok(PhoneNumber::Landline("020-87654321-123".into())),
        ),
        (
            "020-87654321转123",
            Ok(PhoneNumber::Landline("020-87654321-123".into())),
        ),
        (
            "020-87654321 ext. 8",
            Ok(PhoneNumber::Landline("020-87654321-8".into())),
        ),
        (
            "+86 10 6512 3456",
            Ok(PhoneNumber::Landline("010-65123456".into())),
        ),
        (
            "+86-755-88886666",
            Ok(PhoneNumber::Landline("0755-88886666".into())),
        ),
        (
            "0086 21 6321 5678",
            Ok(PhoneNumber::Landline("021-63215678".into())),
        ),
        ("", Err("required")),
        ("65123456", Err("phone_invalid")),
        ("010-01234567", Err("phone_invalid")),
        ("010-11234567", Err("phone_invalid")),
        ("0755-123456", Err("phone_invalid")),
        ("0755-123456789", Err("phone_invalid")),
        ("01-065123456", Err("phone_invalid")),
        ("0155-88886666", Err("phone_invalid")),
        ("0571-87654321-12-3", Err("phone_invalid")),
        ("021-63215678转1234567", Err("phone_invalid")),
        ("电话010-65123456", Err("phone_invalid")),
        ("12345678901", Err("phone_invalid")),
        ("0".repeat(41).leak(), Err("too_long")),
    ];
    for (input, expected) in cases {
        assert_eq!(&parse_phone(input), expected, "{input:?}");
    }
}

#[test]
fn applicant_kinds_are_the_report_columns() {
    let columns: Vec<&str> = ApplicantKind::ALL
        .iter()
        .map(|k| k.report_column_label())
        .collect();
    assert_eq!(
        columns,
        [
            "自然人",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他"
        ]
    );
    for kind in ApplicantKind::ALL {
        assert_eq!(ApplicantKind::parse(kind.code()), Some(kind));
        assert!(!kind.label_zh().is_empty() && !kind.label_en().is_empty());
        let expected_group = (kind != ApplicantKind::NaturalPerson).then_some("法人或其他组织");
        assert_eq!(kind.report_column_group_label(), expected_group);
    }
    assert_eq!(ApplicantKind::parse("person"), None);
}

#[test]
fn choices_round_trip() {
    for form in InformationForm::ALL {
        assert_eq!(InformationForm::parse(form.code()), Some(form));
        assert!(!form.label_zh().is_empty() && !form.label_en().is_empty());
    }
    for delivery in DeliveryMethod::ALL {
        assert_eq!(DeliveryMethod::parse(delivery.code()), Some(delivery));
        assert!(!delivery.label_zh().is_empty() && !delivery.label_en().is_empty());
    }
    // Which delivery suits which form, as a table: rows are forms, columns the methods in
    // the order portal, e-mail, post, in person, fax.
    let table = [
        (InformationForm::Paper, [false, false, true, true, true]),
        (InformationForm::Electronic, [true, true, true, true, false]),
        (
            InformationForm::InspectionAndTranscription,
            [false, false, false, true, false],
        ),
    ];
    for (form, expected) in table {
        let actual = DeliveryMethod::ALL.map(|d| d.suits(form));
        assert_eq!(actual, expected, "{form:?}");
    }
}

#[test]
fn debug_of_the_input_hides_the_identity_number() {
    let debug = format!("{:?}", person());
    assert!(!debug.contains("11010519491231002X"), "{debug}");
    let debug = format!("{:?}", validate(&person()).expect("valid"));
    assert!(!debug.contains("11010519491231002X"), "{debug}");
}

proptest! {
    #[test]
    fn no_input_makes_validation_panic(
        fields in prop::collection::vec("\\PC{0,30}|natural_person|other|resident_id_card|passport|email|post|fax|paper", 14)
    ) {
        let input = ApplicationInput {
            applicant_kind: &fields[0],
            name: &fields[1],
            identity_kind: &fields[2],
            identity_number: &fields[3],
            organisation_code: &fields[4],
            legal_representative: &fields[5],
            contact_phone: &fields[6],
            contact_email: &fields[7],
            postal_address: &fields[8],
            information_description: &fields[9],
            document_number: &fields[10],
            purpose: &fields[11],
            form_preference: &fields[12],
            delivery_preference: &fields[13],
        };
        let _ = validate_application(&input, today());
        let _ = parse_phone(&fields[6]);
    }
}
