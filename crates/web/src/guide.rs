//! The agency's government information disclosure guide (政府信息公开指南), generated from its
//! settings so that it never goes stale by hand (Art. 52 counts an outdated guide as a
//! violation). Art. 12 names its contents: how information is classified and arranged, how to
//! obtain it, and the OGI office's name, address, office hours, telephone, fax and internet
//! contact. The periods and fees come from the same rules the workflow uses
//! (`DeadlineRules::statutory`, `gongkai_domain::fees`), so the guide says what the system does.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::pages::{level_label, render};
use crate::templates::Base;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use gongkai_domain::deadline::DeadlineRules;
use gongkai_domain::fees;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/a/{slug}/guide", get(guide_page))
}

/// One labelled fact of the OGI office (Art. 12); empty settings show as "not provided" rather
/// than disappearing, so a missing setting is visible to the office that must fill it in.
pub(crate) struct ContactFact {
    pub label: &'static str,
    pub value: String,
    pub href: Option<String>,
}

/// A numbered step or rule with the article it comes from.
pub(crate) struct RuleLine {
    pub text: String,
    pub basis: String,
}

#[derive(Template)]
#[template(path = "guide.html")]
pub(crate) struct GuidePage {
    pub base: Base,
    pub slug: String,
    pub agency_name: String,
    pub level: &'static str,
    pub org_code: String,
    pub contact: Vec<ContactFact>,
    pub parent: Option<(String, String)>,
    pub proactive: Vec<RuleLine>,
    pub on_request: Vec<RuleLine>,
    pub fees: Vec<RuleLine>,
    pub remedies: Vec<RuleLine>,
}

async fn guide_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let agency = state.services.agency_by_slug(&slug).await?;
    let tree = state.services.agency_tree().await?;
    let probe = Base::new(&ctx, "agency.guide");
    let en = probe.is_en();
    let pick = |zh: String, english: String| if en { english } else { zh };
    let agency_name = probe.pick(&agency.name_zh, &agency.name_en).to_string();
    let parent = agency.parent_id.and_then(|id| tree.get(id)).map(|p| {
        (
            p.slug.clone(),
            probe.pick(&p.name_zh, &p.name_en).to_string(),
        )
    });
    let not_provided = || pick("（未提供）".into(), "(not provided)".into());
    let fact = |label: &'static str, value: &str, href: Option<String>| ContactFact {
        label,
        value: if value.trim().is_empty() {
            not_provided()
        } else {
            value.trim().to_string()
        },
        href: href.filter(|_| !value.trim().is_empty()),
    };
    let contact = vec![
        fact(
            probe.pick("政府信息公开工作机构", "OGI office"),
            &agency.ogi_office_name,
            None,
        ),
        fact(
            probe.pick("办公地址", "Address"),
            &agency.ogi_office_address,
            None,
        ),
        fact(
            probe.pick("办公时间", "Office hours"),
            &agency.ogi_office_hours,
            None,
        ),
        fact(
            probe.pick("联系电话", "Telephone"),
            &agency.ogi_office_phone,
            Some(format!(
                "tel:{}",
                agency
                    .ogi_office_phone
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect::<String>()
            )),
        ),
        fact(
            probe.pick("电子邮箱", "E-mail"),
            &agency.ogi_office_email,
            Some(format!("mailto:{}", agency.ogi_office_email.trim())),
        ),
    ];

    let rules = DeadlineRules::statutory();
    let basis = |zh: &str, english: &str| pick(zh.to_string(), english.to_string());
    let line = |zh: String, english: String, basis: String| RuleLine {
        text: pick(zh, english),
        basis,
    };

    // Art. 19–26: what is published without asking, where, and how fast.
    let proactive = vec![
        line(
            "本机关按照《政府信息公开条例》第二十条、第二十一条编制主动公开目录，每一类信息都有负责部门、公开渠道和更新时限。".into(),
            "This agency keeps a catalog of proactive disclosure built on Arts. 20 and 21 of the Regulation; every item has a responsible department, channels and an update rule.".into(),
            basis("第十二条、第二十条至第二十二条", "Arts. 12, 20–22"),
        ),
        line(
            "主动公开的政府信息自形成或者变更之日起20个工作日内公开；法律、法规另有规定的，从其规定。".into(),
            "Proactively disclosed information is published within 20 working days of being formed or changed, unless a law or regulation sets another period.".into(),
            basis("第二十六条", "Art. 26"),
        ),
        line(
            "本平台提供检索、查阅和下载：每份文件都有索引号、名称、内容概述和生成日期，历次版本和附件均可下载，并可按主题、发布机构、年份和有效性浏览或通过 Atom 订阅。".into(),
            "This platform offers search, viewing and download: every document has an index number, title, summary and date, every version and attachment can be downloaded, and lists by topic, issuer, year and validity are available, also as Atom feeds.".into(),
            basis("第十二条、第二十三条、第二十四条", "Arts. 12, 23, 24"),
        ),
        line(
            "主动公开的政府信息同时提供给国家档案馆、公共图书馆，并可通过纸质目录（PDF、CSV）查阅。".into(),
            "Proactively disclosed information is also supplied to the state archives and public libraries, and the catalog is available on paper (PDF, CSV).".into(),
            basis("第二十五条", "Art. 25"),
        ),
    ];

    // Arts. 27–33: how to apply and how fast the answer comes.
    let on_request = vec![
        line(
            "公民、法人或者其他组织可以向本机关申请获取主动公开以外的政府信息；申请无需说明用途。".into(),
            "Citizens, legal persons and other organisations may apply to this agency for information that is not proactively published; no reason has to be given.".into(),
            basis("第二十七条", "Art. 27"),
        ),
        line(
            "申请应当采用书面形式（包括信件、数据电文），可以通过本平台在线提交，也可以邮寄或当面提交至上述政府信息公开工作机构；书写确有困难的，可以口头提出，由工作人员代为填写。".into(),
            "Applications are made in writing (letters and electronic messages included): online on this platform, by post, or in person at the OGI office above. Anyone who genuinely cannot write may apply orally and staff fill in the form.".into(),
            basis("第二十九条第一款", "Art. 29 ¶1"),
        ),
        line(
            "申请应当包括：申请人的姓名或者名称、身份证明、联系方式；所需信息的名称、文号或者便于查询的其他特征性描述；获取信息的形式要求，包括获取方式和途径。".into(),
            "An application gives: the applicant's name, proof of identity and contact details; the information's title, document number or another description that helps find it; and the form in which it is wanted, with the way of delivery.".into(),
            basis("第二十九条第二款", "Art. 29 ¶2"),
        ),
        line(
            format!(
                "申请内容不明确的，本机关自收到申请之日起{}个工作日内一次性告知需要补正的事项，答复期限自收到补正后的申请之日起计算。",
                rules.correction_notice.working_days
            ),
            format!(
                "If an application is unclear, this agency says once, within {} working days of receipt, what to add; the reply period then runs from receipt of the corrected application.",
                rules.correction_notice.working_days
            ),
            basis(
                &rules.correction_notice.basis.short_zh,
                &rules.correction_notice.basis.short_en,
            ),
        ),
        line(
            format!(
                "能够当场答复的当场答复；不能当场答复的，自收到申请之日起{}个工作日内答复；需要延长的，经政府信息公开工作机构负责人同意并告知申请人，延长期限最长不超过{}个工作日。征求第三方和其他机关意见的时间不计算在内。",
                rules.reply.working_days, rules.extension_max.working_days
            ),
            format!(
                "Answers are given on the spot where possible, otherwise within {} working days of receipt; with the consent of the head of the OGI office and notice to the applicant this may be extended once by at most {} working days. Time spent consulting third parties and other agencies does not count.",
                rules.reply.working_days, rules.extension_max.working_days
            ),
            basis(&rules.reply.basis.short_zh, &rules.reply.basis.short_en),
        ),
    ];

    // Art. 42 and 国办函〔2020〕109号: free, with a fee only for clearly unreasonable volume.
    let page_tiers = fees::PAGE_TIERS;
    let fees = vec![
        line(
            "依申请提供政府信息，不收取费用。".into(),
            "Information provided on application is free of charge.".into(),
            basis("第四十二条第一款", "Art. 42 ¶1"),
        ),
        line(
            format!(
                "申请数量、频次明显超过合理范围的，可以收取信息处理费：按件计收的，同一申请人一个自然月内累计申请{}件以内（含）免费，{}—{}件的部分每件{}元，此后每{}件为一档，每档每件增加{}元。",
                fees::APPLICATIONS_FREE_PER_MONTH,
                fees::APPLICATIONS_FREE_PER_MONTH + 1,
                fees::APPLICATIONS_FIRST_TIER_LAST,
                fees::FIRST_TIER_YUAN_PER_APPLICATION,
                fees::APPLICATIONS_PER_FURTHER_TIER,
                fees::FURTHER_TIER_STEP_YUAN_PER_APPLICATION,
            ),
            format!(
                "Where the number or frequency of applications clearly exceeds a reasonable range, an information-processing fee may be charged. Per application: up to {} applications by one applicant in a calendar month are free, those from {} to {} cost {} yuan each, and each further band of {} costs {} yuan more per application.",
                fees::APPLICATIONS_FREE_PER_MONTH,
                fees::APPLICATIONS_FREE_PER_MONTH + 1,
                fees::APPLICATIONS_FIRST_TIER_LAST,
                fees::FIRST_TIER_YUAN_PER_APPLICATION,
                fees::APPLICATIONS_PER_FURTHER_TIER,
                fees::FURTHER_TIER_STEP_YUAN_PER_APPLICATION,
            ),
            basis(
                "第四十二条；国办函〔2020〕109号",
                "Art. 42; State Council General Office letter [2020] No. 109",
            ),
        ),
        line(
            format!(
                "按量计收的：{}页以内（含）免费，{}—{}页的部分每页{}元，{}—{}页的部分每页{}元，{}页以上的部分每页{}元。同一申请只按一种方式计收。",
                fees::PAGES_FREE,
                page_tiers[0].0 + 1,
                page_tiers[1].0,
                page_tiers[1].1,
                page_tiers[1].0 + 1,
                page_tiers[2].0,
                page_tiers[2].1,
                page_tiers[2].0,
                fees::PAGE_TOP_TIER_YUAN_PER_PAGE,
            ),
            format!(
                "Per volume: up to {} pages are free, pages {} to {} cost {} yuan each, pages {} to {} cost {} yuan each, and every page beyond {} costs {} yuan. One application is charged by one method only.",
                fees::PAGES_FREE,
                page_tiers[0].0 + 1,
                page_tiers[1].0,
                page_tiers[1].1,
                page_tiers[1].0 + 1,
                page_tiers[2].0,
                page_tiers[2].1,
                page_tiers[2].0,
                fees::PAGE_TOP_TIER_YUAN_PER_PAGE,
            ),
            basis(
                "国办函〔2020〕109号",
                "State Council General Office letter [2020] No. 109",
            ),
        ),
    ];

    // Art. 51 (and Art. 47 ¶2), with the periods of the reconsideration and litigation laws.
    let higher = parent
        .as_ref()
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| pick("上一级行政机关".into(), "the next-higher agency".into()));
    let remedies = vec![
        line(
            format!(
                "认为本机关在政府信息公开工作中侵犯其合法权益的，可以向{higher}或者政府信息公开工作主管部门投诉、举报。"
            ),
            format!(
                "Anyone who considers that this agency infringed their lawful rights in disclosure work may complain to or report it to {higher} or to the competent OGI authority."
            ),
            basis("第四十七条第二款、第五十一条", "Arts. 47 ¶2, 51"),
        ),
        line(
            "也可以自知道该行政行为之日起60日内依法申请行政复议；对不予公开的答复不服的，应当先申请行政复议。".into(),
            "One may also apply for administrative reconsideration within 60 days of learning of the act; against a refusal to disclose, reconsideration comes first.".into(),
            basis(
                "第五十一条；《行政复议法》第二十条、第二十三条",
                "Art. 51; Administrative Reconsideration Law Arts. 20, 23",
            ),
        ),
        line(
            "或者自知道作出行政行为之日起六个月内依法提起行政诉讼（经复议的，自收到复议决定书之日起15日内）。".into(),
            "Or bring an administrative lawsuit within six months of learning of the act (after reconsideration, within 15 days of receiving the decision).".into(),
            basis(
                "第五十一条；《行政诉讼法》第四十五条、第四十六条",
                "Art. 51; Administrative Litigation Law Arts. 45, 46",
            ),
        ),
    ];

    render(GuidePage {
        base: Base::titled(
            &ctx,
            pick(
                format!("{}政府信息公开指南", agency.name_zh),
                format!("Disclosure guide of {}", agency.name_en),
            ),
        ),
        slug: agency.slug.clone(),
        agency_name,
        level: level_label(ctx.lang, &agency.level),
        org_code: agency.org_code.clone(),
        contact,
        parent,
        proactive,
        on_request,
        fees,
        remedies,
    })
}
