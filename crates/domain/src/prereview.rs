//! Pre-review (预审) of incoming applications: a first reading of the description that proposes
//! what kind of application it is, with the cues that led there (issue 7, item 5).
//!
//! The 《政府信息公开条例》 (2019) treats some texts that arrive as applications differently:
//! petitions, complaints and reports (信访、投诉、举报) are not handled as information requests
//! and the applicant may be pointed to the proper channel (Art. 39 ¶1); requests for public
//! publications such as yearbooks and gazettes may be answered with where to get them
//! (Art. 39 ¶2); information that is already proactively published is answered by telling the
//! applicant how to obtain it (Art. 36(1)); and a question asking for an explanation or advice
//! asks for no recorded information at all (Art. 2 defines government information as recorded
//! information), which practice also answers outside the application procedure. Repeat
//! applications may be declined (Art. 36(6)); [`similar_descriptions`] gives the text half of
//! that test, while the same applicant and the earlier reply are the caller's facts.
//!
//! Everything here is a proposal: staff decide, and an `AlreadyPublished` proposal must be
//! confirmed by a search before any reply cites it. The classifier is a weighted reading of cue
//! words written from general knowledge of how such letters are worded; it must never be tuned
//! on an evaluation file. This module is pure: no I/O, no state between calls, and it must
//! never panic on any input, because it runs on whatever the public types into the form.

use std::collections::HashSet;

/// Characters of a description that are read; the rest is ignored. Art. 29 descriptions are
/// short, and the bound keeps the work linear in a size we chose rather than in hostile input.
pub const DESCRIPTION_MAX_CHARS: usize = 20_000;

/// Points a kind needs before it is proposed instead of the default information request. Cue
/// weights are integer points so that sums compare exactly.
const KIND_THRESHOLD_POINTS: u32 = 100;

/// Bigram Jaccard similarity at or above which two descriptions from the same applicant are
/// flagged as a possible repeat application (Art. 36(6)). Rewording the same request usually
/// keeps well over half of the bigrams, while a different request shares few; a change of year
/// alone stays above the threshold, which is why the flag only asks staff to look.
pub const REPEAT_SIMILARITY_THRESHOLD: f64 = 0.6;

/// Descriptions of conduct alone never make a complaint: the text must also complain or
/// demand something, so their points are capped below the threshold.
const CONDUCT_POINTS_MAX: u32 = 60;

/// Characters searched before a 《title》 or 文号 for words such as 根据 that show it is cited
/// as the legal basis of the letter rather than asked for.
const CITATION_WINDOW_CHARS: usize = 8;

/// Characters before a record noun searched for words such as 需要哪些 or 办理 that show the
/// noun names what the applicant must bring, not what they ask for.
const NOT_REQUESTED_WINDOW_CHARS: usize = 8;

/// The longest 《title》 recognised; a lone 《 must not swallow the rest of the letter.
const TITLE_MAX_CHARS: usize = 80;

/// The longest issuer code before a 文号's bracket, such as 国卫办医发.
const DOCUMENT_NUMBER_PREFIX_MAX_CHARS: usize = 6;

/// The longest serial number of a 文号.
const DOCUMENT_NUMBER_SERIAL_MAX_DIGITS: usize = 6;

/// Cue words shown in one reason; more would not help staff read it.
const CUES_PER_REASON_MAX: usize = 5;

/// A character that replaces a consumed span so that no later cue matches inside it.
const MASK: char = '\u{25A1}';

/// What the pre-review proposes to do with an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationKind {
    /// An ordinary request for existing government information (Arts. 27–29).
    InformationRequest,
    /// A petition, complaint or report (信访、投诉、举报): not handled as an information
    /// request; the applicant is told the proper channel (Art. 39 ¶1).
    PetitionOrComplaint,
    /// A consultation (咨询): asks for an explanation or advice rather than recorded
    /// information (Art. 2, Art. 39 ¶1).
    Consultation,
    /// A request for public publications such as yearbooks or gazettes (Art. 39 ¶2).
    PublicationsRequest,
    /// Asks for information that is by nature proactively published; propose an Art. 36(1)
    /// reply pointing to it once a search confirms.
    AlreadyPublished,
}

impl ApplicationKind {
    /// The stable code used by the evaluation interface and the API.
    pub fn code(self) -> &'static str {
        match self {
            ApplicationKind::InformationRequest => "information_request",
            ApplicationKind::PetitionOrComplaint => "petition_complaint",
            ApplicationKind::Consultation => "consultation",
            ApplicationKind::PublicationsRequest => "publications_request",
            ApplicationKind::AlreadyPublished => "already_published",
        }
    }
}

/// Why the pre-review leaned one way; each code is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonCode {
    /// Complaint wording such as 举报, 投诉, 信访.
    ComplaintWording,
    /// Complaint wording together with a description of someone's conduct (违法, 受贿 …).
    ComplaintAboutConduct,
    /// A demand that the agency act (要求处理, 请求查处, 赔偿 …).
    DemandForAction,
    /// A description of someone's conduct without complaint wording.
    ConductNamed,
    /// Consultation wording (请问, 咨询, 如何办理 …).
    ConsultationWording,
    /// Asks to disclose or provide existing records (公开 … 合同).
    RecordsRequested,
    /// Names existing records without a verb of request.
    RecordsNamed,
    /// Names a published document or publication but asks for unpublished records around it.
    RecordsBeyondPublication,
    /// Names a public publication (年鉴, 公报 …).
    PublicationNamed,
    /// Names a law, regulation or normative document by its 《title》.
    RegulationTitle,
    /// Contains a document number (文号) such as 国办发〔2024〕12号.
    DocumentNumber,
    /// Asks for a category that Art. 20 requires to be published (budgets, annual reports …).
    ProactiveCategory,
    /// The description is empty.
    EmptyDescription,
    /// No cue was strong enough; the default applies.
    NoDistinguishingCue,
}

impl ReasonCode {
    /// The stable code used by the evaluation interface and the API.
    pub fn code(self) -> &'static str {
        match self {
            ReasonCode::ComplaintWording => "complaint_wording",
            ReasonCode::ComplaintAboutConduct => "complaint_about_conduct",
            ReasonCode::DemandForAction => "demand_for_action",
            ReasonCode::ConductNamed => "conduct_named",
            ReasonCode::ConsultationWording => "consultation_wording",
            ReasonCode::RecordsRequested => "records_requested",
            ReasonCode::RecordsNamed => "records_named",
            ReasonCode::RecordsBeyondPublication => "records_beyond_publication",
            ReasonCode::PublicationNamed => "publication_named",
            ReasonCode::RegulationTitle => "regulation_title",
            ReasonCode::DocumentNumber => "document_number",
            ReasonCode::ProactiveCategory => "proactive_category",
            ReasonCode::EmptyDescription => "empty_description",
            ReasonCode::NoDistinguishingCue => "no_distinguishing_cue",
        }
    }

    /// The kind this reason argues for, so that a reader can see which reasons decided and
    /// which were only noted.
    pub fn points_to(self) -> ApplicationKind {
        match self {
            ReasonCode::ComplaintWording
            | ReasonCode::ComplaintAboutConduct
            | ReasonCode::DemandForAction
            | ReasonCode::ConductNamed => ApplicationKind::PetitionOrComplaint,
            ReasonCode::ConsultationWording => ApplicationKind::Consultation,
            ReasonCode::PublicationNamed => ApplicationKind::PublicationsRequest,
            ReasonCode::RegulationTitle
            | ReasonCode::DocumentNumber
            | ReasonCode::ProactiveCategory => ApplicationKind::AlreadyPublished,
            ReasonCode::RecordsRequested
            | ReasonCode::RecordsNamed
            | ReasonCode::RecordsBeyondPublication
            | ReasonCode::EmptyDescription
            | ReasonCode::NoDistinguishingCue => ApplicationKind::InformationRequest,
        }
    }
}

/// One reason, naming the cue that was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The stable code.
    pub code: ReasonCode,
    /// The words of the description that triggered it, joined with 、 (empty when none).
    pub cue: String,
    /// A short explanation for staff, in Chinese, citing the article.
    pub explanation_zh: String,
    /// The same explanation in English.
    pub explanation_en: String,
}

/// The proposal: a kind and every reason, those arguing for the kind first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// The proposed kind.
    pub kind: ApplicationKind,
    /// The reasons; never empty.
    pub reasons: Vec<Reason>,
}

/// Complaint words (Art. 39 ¶1 names 信访、投诉、举报). Longer words come first so that a
/// shorter one inside them is not counted twice.
const COMPLAINT_WORDS: &[(&str, u32)] = &[
    ("实名举报", 100),
    ("举报", 100),
    ("投诉", 100),
    ("信访", 100),
    ("上访", 100),
    ("检举", 100),
    ("控告", 100),
    ("揭发", 100),
    ("申诉", 80),
    ("告状", 80),
    ("不服", 50),
    ("反映", 50),
    ("诉求", 50),
];

/// Phrases containing a complaint word that ask about the complaint channel or name an office,
/// not complain: 举报电话 is a question about a contact, 信访局 is an agency.
const COMPLAINT_NEUTRAL_PHRASES: &[&str] = &[
    "举报电话",
    "投诉电话",
    "举报热线",
    "投诉热线",
    "举报邮箱",
    "投诉邮箱",
    "举报方式",
    "投诉方式",
    "举报渠道",
    "投诉渠道",
    "举报途径",
    "投诉途径",
    "举报奖励",
    "举报中心",
    "投诉中心",
    "信访局",
    "信访办",
    "信访部门",
    "信访工作",
];

/// Demands that the agency act, which an information request never makes (Art. 39 ¶1).
const DEMAND_WORDS: &[(&str, u32)] = &[
    ("要求处理", 100),
    ("请求处理", 100),
    ("请求查处", 100),
    ("要求查处", 100),
    ("依法查处", 100),
    ("严肃处理", 100),
    ("严肃查处", 100),
    ("帮忙解决", 100),
    ("要求解决", 100),
    ("请求解决", 100),
    ("尽快解决", 80),
    ("给个说法", 100),
    ("讨个说法", 100),
    ("讨说法", 100),
    ("主持公道", 100),
    ("追究", 80),
    ("追责", 80),
    ("问责", 70),
    ("严惩", 80),
    ("查处", 80),
    ("赔偿", 70),
    ("退还", 80),
    ("退款", 70),
    ("责令", 60),
    ("整改", 50),
    ("撤销", 50),
    ("恢复原状", 70),
    ("强制拆除", 60),
    ("维权", 70),
];

/// Conduct that complaints describe. Alone it is only a hint (capped by CONDUCT_POINTS_MAX).
const CONDUCT_WORDS: &[(&str, u32)] = &[
    ("违法", 30),
    ("违规", 30),
    ("违纪", 30),
    ("违章", 30),
    ("贪污", 30),
    ("受贿", 30),
    ("贿赂", 30),
    ("索贿", 30),
    ("挪用", 30),
    ("侵占", 30),
    ("不作为", 30),
    ("乱作为", 30),
    ("乱收费", 30),
    ("乱罚款", 30),
    ("殴打", 30),
    ("打人", 30),
    ("威胁", 30),
    ("渎职", 30),
    ("徇私", 30),
    ("擅自", 30),
    ("强拆", 30),
    ("偷排", 30),
    ("无证经营", 30),
    ("拖欠", 30),
    ("欠薪", 30),
    ("欺诈", 30),
    ("诈骗", 30),
    ("扰民", 30),
];

/// Consultation wording: a question asking for an explanation or advice. `?` is the
/// normalised full-width question mark too.
const CONSULTATION_WORDS: &[(&str, u32)] = &[
    ("咨询", 100),
    ("请解释", 100),
    ("解释一下", 100),
    ("请解答", 100),
    ("如何办理", 100),
    ("怎么办理", 100),
    ("怎样办理", 100),
    ("需要哪些材料", 100),
    ("需要什么材料", 100),
    ("需要什么手续", 100),
    ("找哪个部门", 100),
    ("哪个部门负责", 80),
    ("政策解读", 80),
    ("有什么规定", 70),
    ("有何规定", 70),
    ("办理流程", 70),
    ("办理条件", 60),
    ("需要准备", 60),
    ("请问", 70),
    ("是否可以", 70),
    ("可不可以", 70),
    ("是否符合", 70),
    ("是否属于", 60),
    ("能不能", 50),
    ("为什么", 50),
    ("什么时候", 50),
    ("多少钱", 60),
    ("是多少", 40),
    ("如何", 40),
    ("怎么", 40),
    ("怎样", 40),
    ("多久", 40),
    ("能否", 30),
    ("吗?", 30),
    ("?", 30),
];

/// Public publications (Art. 39 ¶2 names 政府公报、报刊、书籍).
const PUBLICATION_WORDS: &[(&str, u32)] = &[
    ("统计年鉴", 100),
    ("年鉴", 100),
    ("政府公报", 100),
    ("公报", 100),
    ("出版物", 100),
    ("地方志", 100),
    ("县志", 100),
    ("市志", 100),
    ("省志", 100),
    ("志书", 100),
    ("图书", 80),
    ("书籍", 80),
    ("报纸", 80),
    ("期刊", 80),
    ("杂志", 80),
    ("画册", 80),
    ("汇编", 60),
];

/// Words in a 《title》 that make it a publication rather than a regulation.
const PUBLICATION_TITLE_WORDS: &[&str] = &["年鉴", "公报", "汇编", "画册", "志书", "期刊", "杂志"];

/// Endings of 《titles》 of laws, regulations and normative documents, which Art. 20(1)
/// requires to be proactively published, and of other documents published by nature.
const REGULATION_TITLE_SUFFIXES: &[&str] = &[
    "法",
    "条例",
    "办法",
    "规定",
    "规则",
    "细则",
    "意见",
    "通知",
    "决定",
    "规划",
    "纲要",
    "方案",
    "标准",
    "规范",
    "准则",
    "指南",
    "目录",
    "公告",
    "预算",
    "决算",
    "报告",
    "统计公报",
];

/// Categories that Art. 20 (items (2), (3), (4), (7), (8), (14)) and Art. 49–50 require to be
/// published, as they are usually named in applications.
const PROACTIVE_PHRASES: &[(&str, u32)] = &[
    ("政府信息公开工作年度报告", 100),
    ("政府信息公开年度报告", 100),
    ("政府信息公开指南", 100),
    ("政府信息公开目录", 100),
    ("国民经济和社会发展统计公报", 100),
    ("国民经济和社会发展规划", 100),
    ("统计公报", 100),
    ("五年规划", 100),
    ("政府工作报告", 100),
    ("部门预算", 100),
    ("部门决算", 100),
    ("财政预算", 100),
    ("财政决算", 100),
    ("预算报告", 100),
    ("决算报告", 100),
    ("预决算", 100),
    ("三公经费", 100),
    ("一般公共预算", 100),
    ("政府性基金预算", 100),
    ("机构职能", 100),
    ("内设机构", 100),
    ("机构设置", 100),
    ("办公地址", 100),
    ("办公时间", 100),
    ("领导分工", 100),
    ("行政事业性收费", 100),
    ("收费标准", 100),
    ("公务员招考", 100),
    ("公务员招录", 100),
    ("拟录用人员名单", 100),
    ("招考职位", 100),
];

/// Nouns naming existing records, the object of an information request (Art. 2).
const RECORD_NOUNS: &[&str] = &[
    "文件",
    "记录",
    "批复",
    "批文",
    "合同",
    "协议",
    "名单",
    "决定书",
    "通知书",
    "审批表",
    "登记表",
    "纪要",
    "台账",
    "档案",
    "案卷",
    "卷宗",
    "笔录",
    "清单",
    "明细",
    "报告",
    "证明",
    "许可证",
    "图纸",
    "规划图",
    "红线图",
    "方案",
    "复函",
    "请示",
    "数据",
    "结果",
    "处理情况",
    "数量",
    "件数",
    "统计",
    "凭证",
    "发票",
    "账目",
    "原件",
    "复印件",
    "征求意见",
    "起草说明",
];

/// Records that are not themselves published when a regulation, budget or publication is:
/// asking for them turns a request for something published into an ordinary application.
const UNPUBLISHED_RECORD_NOUNS: &[&str] = &[
    "记录",
    "纪要",
    "合同",
    "协议",
    "名单",
    "案卷",
    "卷宗",
    "笔录",
    "台账",
    "请示",
    "过程稿",
    "征求意见",
    "起草说明",
    "审批表",
    "登记表",
    "明细",
    "凭证",
    "发票",
    "报销",
    "原始数据",
    "底稿",
    "会签",
    "批复",
    "批文",
    "复函",
    "决定书",
    "通知书",
];

/// Verbs of an information request; a record noun after one of them in the same sentence is
/// asked for.
const REQUEST_VERBS: &[&str] = &[
    "公开", "提供", "复印", "复制", "查阅", "获取", "调取", "出具", "索取",
];

/// A request verb right after one of these reports the applicant's own past act or a refusal
/// (我已提供, 不公开), not a request.
const VERB_NEGATING_CHARS: &[char] = &['已', '我', '曾', '未', '经', '不'];

/// Words shortly before a record noun that make it what the applicant must bring or obtain
/// through a procedure (需要哪些文件, 办理许可证), the stuff of a consultation.
const NOT_REQUESTED_BEFORE: &[&str] = &[
    "需要", "哪些", "什么", "准备", "提交", "携带", "办理", "申领", "补办", "如何", "怎么",
];

/// Words before a 《title》 or 文号 that cite it as the basis of the letter.
const CITATION_BEFORE: &[&str] = &[
    "根据", "依据", "依照", "按照", "参照", "违反", "对照", "符合", "援引", "遵照",
];

/// Words right after a 《title》 or 文号 that cite a provision of it.
const CITATION_AFTER: &[&str] = &[
    "第",
    "规定",
    "的规定",
    "有关规定",
    "之规定",
    "要求",
    "的要求",
];

/// Words that end a 文号's issuer code when walking back from its bracket: they belong to the
/// sentence (请提供国办发…), not to the issuer.
const DOCUMENT_NUMBER_PREFIX_STOPS: &[&str] = &[
    "提供", "公开", "获取", "申请", "根据", "依据", "依照", "按照", "印发", "转发", "关于", "文件",
    "请", "的", "即", "和", "及", "与",
];

const DOCUMENT_NUMBER_OPENERS: &[char] = &['〔', '[', '【', '(', '﹝'];
const DOCUMENT_NUMBER_CLOSERS: &[char] = &['〕', ']', '】', ')', '﹞'];

/// Characters that end a sentence for the verb-before-noun test.
const SENTENCE_ENDS: &[char] = &['。', '!', '?', ';', '\n'];

/// Characters that end a clause for the citation window.
const CLAUSE_ENDS: &[char] = &['。', '!', '?', ';', '\n', ',', '、', ':'];

/// Proposes a kind for an application from its description, with the reasons.
///
/// The order of the tests encodes the law's priorities. A complaint is recognised first,
/// because Art. 39 ¶1 takes it out of the procedure altogether, unless it also asks for
/// existing records (the enforcement file, the result of handling), which is an information
/// request in its own right and is handled as one, with the complaint noted. Publications come
/// before already-published information because Art. 39 ¶2 is the more specific answer for a
/// yearbook, which is also published. A consultation that names a record asks for the record.
pub fn classify_application(description: &str) -> Classification {
    let original = normalize(description);
    if original.iter().all(|c| c.is_whitespace()) {
        return Classification {
            kind: ApplicationKind::InformationRequest,
            reasons: vec![reason(ReasonCode::EmptyDescription, &[], &[])],
        };
    }

    // The base text has titles, document numbers and proactive categories masked, so that the
    // words inside 《信访工作条例》 or 部门预算报告 are not read as complaints or record nouns.
    let mut base = original.clone();
    let mut regulation_titles: Vec<String> = Vec::new();
    let mut publication_titles: Vec<String> = Vec::new();
    for (open, close) in find_titles(&original) {
        mask(&mut base, open, close + 1 - open);
        let inner: String = original[open + 1..close].iter().collect();
        let shown = format!("《{inner}》");
        match classify_title(&inner, cited_as_basis(&original, open, close + 1)) {
            TitleKind::Publication => push_unique(&mut publication_titles, shown),
            TitleKind::Regulation => push_unique(&mut regulation_titles, shown),
            TitleKind::Other => {}
        }
    }
    let mut document_numbers: Vec<String> = Vec::new();
    for (start, end) in find_document_numbers(&original) {
        mask(&mut base, start, end - start);
        if !cited_as_basis(&original, start, end) {
            push_unique(&mut document_numbers, original[start..end].iter().collect());
        }
    }
    let proactive = take_cues(&mut base, PROACTIVE_PHRASES);

    let publication_words = take_cues(&mut base.clone(), PUBLICATION_WORDS);

    let mut complaint_text = base.clone();
    for phrase in COMPLAINT_NEUTRAL_PHRASES {
        for at in positions(&complaint_text, &chars_of(phrase)) {
            mask(&mut complaint_text, at, phrase.chars().count());
        }
    }
    let complaint_words = take_cues(&mut complaint_text, COMPLAINT_WORDS);
    let demand_words = take_cues(&mut complaint_text, DEMAND_WORDS);
    let conduct_words = take_cues(&mut complaint_text, CONDUCT_WORDS);

    let consultation_words = take_cues(&mut base.clone(), CONSULTATION_WORDS);

    let records_requested = requested_records(&base);
    let records_named = named_records(&base);
    let unpublished_records = nouns_present(&base, UNPUBLISHED_RECORD_NOUNS);

    let complaint_points = points(&complaint_words)
        + points(&demand_words)
        + points(&conduct_words).min(CONDUCT_POINTS_MAX);
    let publication_points =
        points(&publication_words).saturating_add(full_points(publication_titles.len()));
    let published_points = points(&proactive).saturating_add(full_points(
        regulation_titles.len() + document_numbers.len(),
    ));
    let consultation_points = points(&consultation_words);

    let kind = if complaint_points >= KIND_THRESHOLD_POINTS {
        if records_requested.is_empty() {
            ApplicationKind::PetitionOrComplaint
        } else {
            ApplicationKind::InformationRequest
        }
    } else if publication_points >= KIND_THRESHOLD_POINTS && unpublished_records.is_empty() {
        ApplicationKind::PublicationsRequest
    } else if published_points >= KIND_THRESHOLD_POINTS && unpublished_records.is_empty() {
        ApplicationKind::AlreadyPublished
    } else if consultation_points >= KIND_THRESHOLD_POINTS && records_named.is_empty() {
        ApplicationKind::Consultation
    } else {
        ApplicationKind::InformationRequest
    };

    let mut reasons = Vec::new();
    let complaint_cues = words(&complaint_words);
    let conduct_cues = words(&conduct_words);
    if !complaint_cues.is_empty() && !conduct_cues.is_empty() {
        reasons.push(reason(
            ReasonCode::ComplaintAboutConduct,
            &complaint_cues,
            &conduct_cues,
        ));
    } else if !complaint_cues.is_empty() {
        reasons.push(reason(ReasonCode::ComplaintWording, &complaint_cues, &[]));
    } else if !conduct_cues.is_empty() {
        reasons.push(reason(ReasonCode::ConductNamed, &conduct_cues, &[]));
    }
    if !demand_words.is_empty() {
        reasons.push(reason(
            ReasonCode::DemandForAction,
            &words(&demand_words),
            &[],
        ));
    }
    if !consultation_words.is_empty() {
        reasons.push(reason(
            ReasonCode::ConsultationWording,
            &words(&consultation_words),
            &[],
        ));
    }
    let publication_cues: Vec<String> = publication_titles
        .iter()
        .cloned()
        .chain(words(&publication_words))
        .collect();
    if !publication_cues.is_empty() {
        reasons.push(reason(ReasonCode::PublicationNamed, &publication_cues, &[]));
    }
    if !regulation_titles.is_empty() {
        reasons.push(reason(ReasonCode::RegulationTitle, &regulation_titles, &[]));
    }
    if !document_numbers.is_empty() {
        reasons.push(reason(ReasonCode::DocumentNumber, &document_numbers, &[]));
    }
    if !proactive.is_empty() {
        reasons.push(reason(
            ReasonCode::ProactiveCategory,
            &words(&proactive),
            &[],
        ));
    }
    let names_something_published = publication_points > 0 || published_points > 0;
    if names_something_published && !unpublished_records.is_empty() {
        reasons.push(reason(
            ReasonCode::RecordsBeyondPublication,
            &unpublished_records,
            &[],
        ));
    }
    if !records_requested.is_empty() {
        reasons.push(reason(
            ReasonCode::RecordsRequested,
            &records_requested,
            &[],
        ));
    } else if !records_named.is_empty() && consultation_points >= KIND_THRESHOLD_POINTS {
        reasons.push(reason(ReasonCode::RecordsNamed, &records_named, &[]));
    }
    if !reasons.iter().any(|r| r.code.points_to() == kind) {
        reasons.push(reason(ReasonCode::NoDistinguishingCue, &[], &[]));
    }
    // The reasons for the proposed kind come first; the others stay, because staff decide and
    // a noted complaint inside an information request still deserves a look.
    reasons.sort_by_key(|r| r.code.points_to() != kind);
    Classification { kind, reasons }
}

/// Character-bigram Jaccard similarity of two descriptions, in `[0, 1]`, for detecting repeat
/// applications (Art. 36(6)).
///
/// Whitespace and punctuation are ignored and full-width forms are folded, so that the same
/// request typed twice compares equal. Texts equal after that fold score 1.0 (even when too
/// short to have a bigram); a text without bigrams scores 0.0 against any other text.
pub fn similar_descriptions(a: &str, b: &str) -> f64 {
    let a = comparable(a);
    let b = comparable(b);
    if a == b {
        return 1.0;
    }
    let bigrams_a = bigrams(&a);
    let bigrams_b = bigrams(&b);
    if bigrams_a.is_empty() || bigrams_b.is_empty() {
        return 0.0;
    }
    let shared = bigrams_a.intersection(&bigrams_b).count();
    let union = bigrams_a.len() + bigrams_b.len() - shared;
    shared as f64 / union as f64
}

fn comparable(text: &str) -> Vec<char> {
    normalize(text)
        .into_iter()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn bigrams(chars: &[char]) -> HashSet<(char, char)> {
    chars.windows(2).map(|pair| (pair[0], pair[1])).collect()
}

/// Folds full-width ASCII to ASCII (？ → ?, （ → (, ２ → 2), the ideographic space and control
/// characters to a space, and ASCII letters to lower case, and bounds the length, so that every
/// cue list is written once in one form.
fn normalize(text: &str) -> Vec<char> {
    text.chars()
        .take(DESCRIPTION_MAX_CHARS)
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c if c.is_control() && c != '\n' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn chars_of(word: &str) -> Vec<char> {
    word.chars().collect()
}

/// Every start index of `word` in `text`.
fn positions(text: &[char], word: &[char]) -> Vec<usize> {
    if word.is_empty() || word.len() > text.len() {
        return Vec::new();
    }
    (0..=text.len() - word.len())
        .filter(|&at| text[at..at + word.len()] == *word)
        .collect()
}

fn mask(text: &mut [char], start: usize, len: usize) {
    for c in text.iter_mut().skip(start).take(len) {
        *c = MASK;
    }
}

/// Finds each cue, in list order, masking its occurrences so that a shorter cue inside a
/// longer one already found (如何 inside 如何办理) is not counted again.
fn take_cues(text: &mut [char], cues: &[(&'static str, u32)]) -> Vec<(&'static str, u32)> {
    let mut found = Vec::new();
    for &(word, weight) in cues {
        let word_chars = chars_of(word);
        let hits = positions(text, &word_chars);
        if !hits.is_empty() {
            for at in hits {
                mask(text, at, word_chars.len());
            }
            found.push((word, weight));
        }
    }
    found
}

fn points(cues: &[(&'static str, u32)]) -> u32 {
    cues.iter().map(|&(_, weight)| weight).sum()
}

/// Points for `count` cues that each decide on their own (a title, a 文号).
fn full_points(count: usize) -> u32 {
    u32::try_from(count)
        .unwrap_or(u32::MAX)
        .saturating_mul(KIND_THRESHOLD_POINTS)
}

fn words(cues: &[(&'static str, u32)]) -> Vec<String> {
    cues.iter().map(|&(word, _)| word.to_string()).collect()
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// Every 《title》 as (index of 《, index of 》); a 《 without a close within
/// TITLE_MAX_CHARS is ignored.
fn find_titles(text: &[char]) -> Vec<(usize, usize)> {
    let mut titles = Vec::new();
    let mut at = 0;
    while at < text.len() {
        if text[at] == '《' {
            let close = text[at + 1..]
                .iter()
                .take(TITLE_MAX_CHARS)
                .position(|&c| c == '》' || c == '《');
            if let Some(offset) = close {
                let close = at + 1 + offset;
                if text[close] == '》' {
                    titles.push((at, close));
                    at = close + 1;
                    continue;
                }
            }
        }
        at += 1;
    }
    titles
}

enum TitleKind {
    Publication,
    Regulation,
    Other,
}

/// Decides what a 《title》 names. The regulation itself (《政府信息公开条例》) and titles cited
/// as the basis of the letter are not what the applicant asks for, so they count for nothing.
fn classify_title(inner: &str, cited: bool) -> TitleKind {
    if cited || inner.contains("政府信息公开条例") {
        return TitleKind::Other;
    }
    let core = title_core(inner);
    if inner.contains("统计公报") {
        return TitleKind::Regulation;
    }
    if PUBLICATION_TITLE_WORDS.iter().any(|w| inner.contains(w)) || core.ends_with('志') {
        return TitleKind::Publication;
    }
    if REGULATION_TITLE_SUFFIXES.iter().any(|s| core.ends_with(s)) {
        return TitleKind::Regulation;
    }
    TitleKind::Other
}

/// The title without a trailing parenthesis such as (试行) or (2023年修订) and without a
/// trailing year or edition, so that its ending shows what kind of document it is.
fn title_core(inner: &str) -> &str {
    let mut core = inner.trim();
    if core.ends_with(')')
        && let Some(open) = core.rfind('(')
    {
        core = &core[..open];
    }
    core.trim_end_matches(|c: char| {
        c.is_ascii_digit() || c == '年' || c == '版' || c == '-' || c.is_whitespace()
    })
}

/// Whether the span [start, end) is cited as the legal basis (根据《…》, 《…》第五条) rather than
/// asked for.
fn cited_as_basis(text: &[char], start: usize, end: usize) -> bool {
    let window_start = start.saturating_sub(CITATION_WINDOW_CHARS);
    let before = &text[window_start..start];
    let clause_start = before
        .iter()
        .rposition(|c| CLAUSE_ENDS.contains(c))
        .map_or(0, |at| at + 1);
    let before: String = before[clause_start..].iter().collect();
    if CITATION_BEFORE.iter().any(|w| before.contains(w)) {
        return true;
    }
    let after: String = text[end.min(text.len())..].iter().take(5).collect();
    CITATION_AFTER.iter().any(|w| after.starts_with(w))
}

fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Every document number (文号) as [start, end): an issuer code, a bracketed four-digit year, a
/// serial number and 号 (国办发〔2024〕12号), or an order number (国务院令第711号).
fn find_document_numbers(text: &[char]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for at in 0..text.len() {
        let serial_start = if DOCUMENT_NUMBER_OPENERS.contains(&text[at]) {
            let year_ok = at + 5 < text.len()
                && text[at + 1..at + 5].iter().all(char::is_ascii_digit)
                && DOCUMENT_NUMBER_CLOSERS.contains(&text[at + 5]);
            if !year_ok {
                continue;
            }
            if text.get(at + 6) == Some(&'第') {
                at + 7
            } else {
                at + 6
            }
        } else if text[at] == '令' && text.get(at + 1) == Some(&'第') {
            at + 2
        } else {
            continue;
        };
        let serial_len = text
            .iter()
            .skip(serial_start)
            .take(DOCUMENT_NUMBER_SERIAL_MAX_DIGITS + 1)
            .take_while(|c| c.is_ascii_digit())
            .count();
        let hao = serial_start + serial_len;
        if serial_len == 0
            || serial_len > DOCUMENT_NUMBER_SERIAL_MAX_DIGITS
            || text.get(hao) != Some(&'号')
        {
            continue;
        }
        // The issuer code ends at the bracket, or includes 令 for an order number.
        let prefix_end = if text[at] == '令' { at + 1 } else { at };
        let mut start = prefix_end;
        while start > 0
            && prefix_end - start < DOCUMENT_NUMBER_PREFIX_MAX_CHARS
            && is_cjk(text[start - 1])
        {
            start -= 1;
        }
        let prefix: String = text[start..prefix_end].iter().collect();
        let cut_bytes = DOCUMENT_NUMBER_PREFIX_STOPS
            .iter()
            .filter_map(|stop| prefix.rfind(stop).map(|byte| byte + stop.len()))
            .max()
            .unwrap_or(0);
        start += prefix[..cut_bytes].chars().count();
        let issuer_len = prefix_end - start - usize::from(text[at] == '令');
        if issuer_len == 0 {
            continue;
        }
        found.push((start, hao + 1));
    }
    found
}

/// Record nouns that follow a request verb in the same sentence (申请公开…合同).
fn requested_records(text: &[char]) -> Vec<String> {
    let mut found = Vec::new();
    for sentence in text.split(|c| SENTENCE_ENDS.contains(c)) {
        let first_verb = REQUEST_VERBS
            .iter()
            .flat_map(|verb| positions(sentence, &chars_of(verb)))
            .filter(|&at| at == 0 || !VERB_NEGATING_CHARS.contains(&sentence[at - 1]))
            .min();
        let Some(verb_at) = first_verb else {
            continue;
        };
        for noun in RECORD_NOUNS {
            if positions(sentence, &chars_of(noun))
                .into_iter()
                .any(|at| at > verb_at)
            {
                push_unique(&mut found, (*noun).to_string());
            }
        }
    }
    found
}

/// Record nouns anywhere, except those that name what the applicant must bring to a procedure
/// (需要哪些文件, 办理许可证): a question that names a record asks for the record.
fn named_records(text: &[char]) -> Vec<String> {
    let mut found = Vec::new();
    for noun in RECORD_NOUNS {
        let requested = positions(text, &chars_of(noun)).into_iter().any(|at| {
            let window: String = text[at.saturating_sub(NOT_REQUESTED_WINDOW_CHARS)..at]
                .iter()
                .collect();
            !NOT_REQUESTED_BEFORE.iter().any(|w| window.contains(w))
        });
        if requested {
            push_unique(&mut found, (*noun).to_string());
        }
    }
    found
}

fn nouns_present(text: &[char], nouns: &[&str]) -> Vec<String> {
    nouns
        .iter()
        .filter(|noun| !positions(text, &chars_of(noun)).is_empty())
        .map(|noun| (*noun).to_string())
        .collect()
}

/// Builds a reason with its explanations. `cues` are the words found; `conduct` is used only by
/// ComplaintAboutConduct, which names both the complaint and the conduct.
fn reason(code: ReasonCode, cues: &[String], conduct: &[String]) -> Reason {
    let shown = cues
        .iter()
        .take(CUES_PER_REASON_MAX)
        .cloned()
        .collect::<Vec<_>>()
        .join("、");
    let conduct_shown = conduct
        .iter()
        .take(CUES_PER_REASON_MAX)
        .cloned()
        .collect::<Vec<_>>()
        .join("、");
    let (zh, en) = match code {
        ReasonCode::ComplaintWording => (
            format!("含有信访、投诉、举报用语“{shown}”；此类诉求不作为政府信息公开申请处理，可告知通过相应渠道提出（第三十九条第一款）"),
            format!("contains complaint wording {shown}; a petition, complaint or report is not handled as an information request and the applicant may be told the proper channel (Art. 39 ¶1)"),
        ),
        ReasonCode::ComplaintAboutConduct => (
            format!("含有“{shown}”并指向他人行为（“{conduct_shown}”），属信访、投诉、举报，不作为政府信息公开申请处理（第三十九条第一款）"),
            format!("contains {shown} and names someone's conduct ({conduct_shown}): a petition, complaint or report, not handled as an information request (Art. 39 ¶1)"),
        ),
        ReasonCode::DemandForAction => (
            format!("要求机关采取行动（“{shown}”），而非提供已有信息（第三十九条第一款）"),
            format!("demands that the agency act ({shown}) rather than provide existing information (Art. 39 ¶1)"),
        ),
        ReasonCode::ConductNamed => (
            format!("描述了他人行为（“{shown}”），可能是投诉举报，但未见明确的投诉用语或诉求"),
            format!("describes someone's conduct ({shown}); possibly a complaint, but without complaint wording or a demand"),
        ),
        ReasonCode::ConsultationWording => (
            format!("含有咨询用语“{shown}”，像是请求解释或指导，而非索取已记录的信息（第二条、第三十九条第一款）"),
            format!("contains consultation wording {shown}: asks for an explanation or advice rather than recorded information (Arts. 2, 39 ¶1)"),
        ),
        ReasonCode::RecordsRequested => (
            format!("要求公开或提供已有记录（“{shown}”），按政府信息公开申请办理；文中其他诉求供工作人员参考"),
            format!("asks to disclose or provide existing records ({shown}), so it is handled as an information request; other matters in the text are noted for staff"),
        ),
        ReasonCode::RecordsNamed => (
            format!("提问指向具体记录（“{shown}”），即已有的政府信息（第二条），按申请办理"),
            format!("the question points to specific records ({shown}), that is existing government information (Art. 2), so it is handled as an application"),
        ),
        ReasonCode::RecordsBeyondPublication => (
            format!("所求不止已公开的文件或出版物，还包括“{shown}”等记录，按申请办理"),
            format!("asks for more than the published document or publication: records such as {shown}, so it is handled as an application"),
        ),
        ReasonCode::PublicationNamed => (
            format!("所求为公开出版物（“{shown}”），可告知获取途径（第三十九条第二款）"),
            format!("asks for a public publication ({shown}); the agency may tell the applicant where to get it (Art. 39 ¶2)"),
        ),
        ReasonCode::RegulationTitle => (
            format!("点名法规或规范性文件{shown}，依第二十条第（一）项应已主动公开；经检索确认后可按第三十六条第（一）项告知获取方式"),
            format!("names the regulation or normative document {shown}, which Art. 20(1) requires to be published; once search confirms, an Art. 36(1) reply points to it"),
        ),
        ReasonCode::DocumentNumber => (
            format!("含有文号“{shown}”，该文件可能已主动公开；经检索确认后可按第三十六条第（一）项告知获取方式"),
            format!("contains the document number {shown}; the document may already be published; once search confirms, an Art. 36(1) reply points to it"),
        ),
        ReasonCode::ProactiveCategory => (
            format!("所求属于应当主动公开的信息（“{shown}”，第二十条）；经检索确认后可按第三十六条第（一）项告知获取方式"),
            format!("asks for information that must be proactively published ({shown}, Art. 20); once search confirms, an Art. 36(1) reply points to it"),
        ),
        ReasonCode::EmptyDescription => (
            "申请内容为空，无法判断所需信息；应一次性告知补正（第二十九条、第三十条）".to_string(),
            "the description is empty, so the information sought cannot be identified; a correction notice names everything missing at once (Arts. 29, 30)".to_string(),
        ),
        ReasonCode::NoDistinguishingCue => (
            "未见信访投诉、咨询、出版物或已主动公开信息的明显特征，按政府信息公开申请办理".to_string(),
            "no strong cue of a complaint, consultation, publication or already published information; handled as an information request".to_string(),
        ),
    };
    let cue = if conduct_shown.is_empty() {
        shown
    } else {
        format!("{shown}；{conduct_shown}")
    };
    Reason {
        code,
        cue,
        explanation_zh: zh,
        explanation_en: en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationKind::*;
    use ReasonCode::*;
    use proptest::prelude::*;

    /// Realistic descriptions written for this test, with the expected kind and reasons that
    /// must be among those given.
    const CASES: &[(&str, ApplicationKind, &[ReasonCode])] = &[
        // Ordinary information requests.
        (
            "申请公开我村2019年土地征收的征地补偿安置方案及补偿款发放名单。",
            InformationRequest,
            &[RecordsRequested],
        ),
        (
            "请提供某市自然资源局对某小区建设工程规划许可证的审批材料及批复文件。",
            InformationRequest,
            &[RecordsRequested],
        ),
        (
            "依据《中华人民共和国政府信息公开条例》第二十七条，申请公开某街道2023年老旧小区改造工程的施工合同。",
            InformationRequest,
            &[RecordsRequested],
        ),
        (
            "我想了解我们小区旁边变电站的环评情况",
            InformationRequest,
            &[NoDistinguishingCue],
        ),
        // Petitions, complaints and reports (Art. 39 ¶1).
        (
            "我实名举报某镇副镇长王某利用职务之便收受贿赂，请纪委严肃查处。",
            PetitionOrComplaint,
            &[ComplaintAboutConduct, DemandForAction],
        ),
        (
            "投诉某物业公司乱收费，要求退还多收的物业费。",
            PetitionOrComplaint,
            &[ComplaintAboutConduct, DemandForAction],
        ),
        (
            "某公司拖欠我三个月工资，请劳动监察大队帮忙解决。",
            PetitionOrComplaint,
            &[ConductNamed, DemandForAction],
        ),
        (
            "邻居违章搭建严重影响采光，多次信访无果，要求政府强制拆除并赔偿损失。",
            PetitionOrComplaint,
            &[ComplaintAboutConduct, DemandForAction],
        ),
        (
            "根据《信访工作条例》，我要举报某村村委会主任侵占集体土地。",
            PetitionOrComplaint,
            &[ComplaintAboutConduct],
        ),
        (
            "对某环保局的行政处罚不服，要求撤销处罚决定并退还罚款。",
            PetitionOrComplaint,
            &[ComplaintWording, DemandForAction],
        ),
        ("我要投诉！！", PetitionOrComplaint, &[ComplaintWording]),
        // Complaints that also ask for records: information requests, complaint noted.
        (
            "我于2024年3月5日举报某餐馆无证经营，现申请公开贵局对该举报的调查处理记录及行政处罚决定书。",
            InformationRequest,
            &[RecordsRequested, ComplaintAboutConduct],
        ),
        (
            "某化工厂夜间偷排废水，请环保部门查处，并公开该厂近三年的排污监测数据。",
            InformationRequest,
            &[RecordsRequested, DemandForAction],
        ),
        (
            "申请公开某街道办事处2022年收到的关于某小区噪音扰民投诉的数量及处理情况。",
            InformationRequest,
            &[RecordsRequested, ComplaintAboutConduct],
        ),
        // Consultations.
        (
            "请问新生儿落户需要哪些材料？如何办理？",
            Consultation,
            &[ConsultationWording],
        ),
        (
            "咨询一下，灵活就业人员是否可以在本市缴纳职工医保？",
            Consultation,
            &[ConsultationWording],
        ),
        (
            "请问我家的房子属于征收范围吗？补偿标准怎么算？",
            Consultation,
            &[ConsultationWording],
        ),
        (
            "请问贵局的举报电话是多少？",
            Consultation,
            &[ConsultationWording],
        ),
        (
            "请问如何办理建设工程规划许可证？",
            Consultation,
            &[ConsultationWording],
        ),
        (
            "请问怎么申请政府信息公开？",
            Consultation,
            &[ConsultationWording],
        ),
        // Consultations that name or ask for records: information requests.
        (
            "请问能否提供某路拓宽工程的立项批复和环评报告？",
            InformationRequest,
            &[RecordsRequested, ConsultationWording],
        ),
        (
            "请问某小区的规划许可证是哪年批准的？",
            InformationRequest,
            &[RecordsNamed, ConsultationWording],
        ),
        // Public publications (Art. 39 ¶2).
        (
            "申请获取《某市统计年鉴2023》纸质版一册。",
            PublicationsRequest,
            &[PublicationNamed],
        ),
        (
            "请寄送2022年第1至12期《某省人民政府公报》。",
            PublicationsRequest,
            &[PublicationNamed],
        ),
        (
            "申请公开某县志（1990-2010）电子版。",
            PublicationsRequest,
            &[PublicationNamed],
        ),
        (
            "请问在哪里可以买到2023年某市统计年鉴？",
            PublicationsRequest,
            &[PublicationNamed, ConsultationWording],
        ),
        (
            "申请公开《某市统计年鉴2022》中第三章所用的原始数据及调查记录。",
            InformationRequest,
            &[RecordsBeyondPublication, PublicationNamed],
        ),
        // Already proactively published (Art. 36(1)).
        (
            "申请公开《中华人民共和国城乡规划法》全文。",
            AlreadyPublished,
            &[RegulationTitle],
        ),
        (
            "请提供国办发〔2024〕12号文件。",
            AlreadyPublished,
            &[DocumentNumber],
        ),
        (
            "申请公开国务院令第732号全文",
            AlreadyPublished,
            &[DocumentNumber],
        ),
        (
            "申请公开某区财政局2023年度部门预算和部门决算。",
            AlreadyPublished,
            &[ProactiveCategory],
        ),
        (
            "请公开某市国民经济和社会发展第十四个五年规划纲要。",
            AlreadyPublished,
            &[ProactiveCategory],
        ),
        (
            "申请公开贵局2023年政府信息公开工作年度报告。",
            AlreadyPublished,
            &[ProactiveCategory],
        ),
        (
            "申请公开2024年某区公务员招录拟录用人员名单。",
            AlreadyPublished,
            &[ProactiveCategory],
        ),
        (
            "请问《某市物业管理条例（2021年修订）》在哪里能查到？",
            AlreadyPublished,
            &[RegulationTitle, ConsultationWording],
        ),
        (
            "申请公开某市2022年国民经济和社会发展统计公报",
            AlreadyPublished,
            &[ProactiveCategory],
        ),
        // Published documents named, but unpublished records around them asked for.
        (
            "申请公开《某市住房保障管理办法》起草过程中的征求意见记录和会议纪要。",
            InformationRequest,
            &[RecordsRequested, RecordsBeyondPublication, RegulationTitle],
        ),
        (
            "申请公开2023年某区三公经费支出明细及公务接待报销凭证。",
            InformationRequest,
            &[
                RecordsRequested,
                RecordsBeyondPublication,
                ProactiveCategory,
            ],
        ),
        (
            "申请公开某县人民政府关于同意某村土地征收的批复（某政复〔2023〕45号）。",
            InformationRequest,
            &[RecordsRequested, DocumentNumber],
        ),
        // A document number cited as the basis is not asked for.
        (
            "根据国办发〔2024〕12号文件要求，申请公开本镇落实该文件的工作台账。",
            InformationRequest,
            &[RecordsRequested],
        ),
    ];

    fn codes(classification: &Classification) -> Vec<&'static str> {
        classification
            .reasons
            .iter()
            .map(|r| r.code.code())
            .collect()
    }

    #[test]
    fn the_cases_are_classified_with_their_reasons() {
        assert!(CASES.len() >= 25);
        let mut failures = Vec::new();
        for &(description, kind, reasons) in CASES {
            let got = classify_application(description);
            let missing: Vec<_> = reasons
                .iter()
                .filter(|code| !got.reasons.iter().any(|r| r.code == **code))
                .collect();
            if got.kind != kind || !missing.is_empty() {
                failures.push(format!(
                    "{description}: expected {} with {:?}, got {} with {:?}",
                    kind.code(),
                    missing,
                    got.kind.code(),
                    codes(&got)
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_kind_is_covered_by_the_cases() {
        for kind in [
            InformationRequest,
            PetitionOrComplaint,
            Consultation,
            PublicationsRequest,
            AlreadyPublished,
        ] {
            assert!(CASES.iter().any(|&(_, k, _)| k == kind), "{}", kind.code());
        }
    }

    #[test]
    fn reasons_for_the_kind_come_first_and_name_their_cue() {
        let got = classify_application(CASES[11].0);
        assert_eq!(got.kind, InformationRequest);
        assert_eq!(got.reasons[0].code, RecordsRequested);
        let complaint = got
            .reasons
            .iter()
            .find(|r| r.code == ComplaintAboutConduct)
            .expect("complaint noted");
        assert!(complaint.cue.contains("举报"), "{}", complaint.cue);
        assert!(complaint.explanation_zh.contains("举报"));
        assert!(complaint.explanation_en.contains("举报"));
        assert!(complaint.explanation_en.contains("Art. 39"));
    }

    #[test]
    fn codes_are_stable() {
        let kinds = [
            (InformationRequest, "information_request"),
            (PetitionOrComplaint, "petition_complaint"),
            (Consultation, "consultation"),
            (PublicationsRequest, "publications_request"),
            (AlreadyPublished, "already_published"),
        ];
        for (kind, code) in kinds {
            assert_eq!(kind.code(), code);
        }
        assert_eq!(ComplaintAboutConduct.code(), "complaint_about_conduct");
        assert_eq!(DocumentNumber.points_to(), AlreadyPublished);
    }

    #[test]
    fn empty_and_garbage_input_never_panics_and_defaults() {
        let empty = classify_application("");
        assert_eq!(empty.kind, InformationRequest);
        assert_eq!(empty.reasons[0].code, EmptyDescription);
        assert_eq!(
            classify_application(" \n\u{3000}\t").reasons[0].code,
            EmptyDescription
        );
        let long_complaint = "举报".repeat(DESCRIPTION_MAX_CHARS);
        let garbage = [
            "asdf qwer 1234",
            "？？？！！！",
            "\u{0}\u{1}\u{7f}",
            "《",
            "》《",
            "《《》》",
            "〔2024〕号",
            "国办发〔",
            "国办发〔2024〕",
            "国办发〔2024〕号",
            "〔2024〕12号",
            "令第号",
            "令第12",
            "□□□",
            "\u{10FFFF}\u{FFFD}🙂",
            long_complaint.as_str(),
        ];
        for text in garbage {
            let got = classify_application(text);
            assert!(!got.reasons.is_empty(), "{text}");
        }
        assert_eq!(
            classify_application("asdf qwer 1234").kind,
            InformationRequest
        );
        assert_eq!(
            classify_application("〔2024〕12号").kind,
            InformationRequest
        );
    }

    #[test]
    fn document_numbers_are_found_with_their_issuer_only() {
        let text = normalize("请提供国办发〔2024〕12号和京政发[2023]第5号文件");
        let found: Vec<String> = find_document_numbers(&text)
            .into_iter()
            .map(|(s, e)| text[s..e].iter().collect())
            .collect();
        assert_eq!(found, vec!["国办发〔2024〕12号", "京政发[2023]第5号"]);
    }

    #[test]
    fn similarity_properties() {
        let a = "申请公开某区2023年老旧小区改造工程的施工合同";
        let reworded = "请公开某区2023年老旧小区改造工程施工合同。";
        let unrelated = "请问新生儿落户需要哪些材料";
        assert_eq!(similar_descriptions(a, a), 1.0);
        assert_eq!(similar_descriptions("", ""), 1.0);
        assert_eq!(similar_descriptions("甲", "甲"), 1.0);
        assert_eq!(similar_descriptions("甲", "乙"), 0.0);
        assert_eq!(similar_descriptions(a, ""), 0.0);
        assert_eq!(
            similar_descriptions("申请公开 合同？", "申请公开合同?"),
            1.0,
            "spacing and full-width forms are ignored"
        );
        assert!(similar_descriptions(a, reworded) >= REPEAT_SIMILARITY_THRESHOLD);
        assert!(similar_descriptions(a, unrelated) < 0.1);
        assert_eq!(
            similar_descriptions(a, reworded),
            similar_descriptions(reworded, a)
        );
    }

    proptest! {
        #[test]
        fn classification_never_panics_and_always_explains(text in "\\PC{0,200}") {
            let got = classify_application(&text);
            prop_assert!(!got.reasons.is_empty());
            prop_assert_eq!(got.reasons[0].code.points_to(), got.kind);
        }

        #[test]
        fn classification_never_panics_on_cue_soup(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "举报", "《", "》", "条例", "〔", "2024", "〕", "12", "号", "令第", "请问",
                    "公开", "合同", "年鉴", "部门预算", "？", "。", "a", " ",
                ]),
                0..40,
            )
        ) {
            let text: String = pieces.concat();
            let got = classify_application(&text);
            prop_assert_eq!(got.reasons[0].code.points_to(), got.kind);
        }

        #[test]
        fn similarity_is_symmetric_bounded_and_reflexive(a in "\\PC{0,60}", b in "\\PC{0,60}") {
            let ab = similar_descriptions(&a, &b);
            prop_assert_eq!(ab, similar_descriptions(&b, &a));
            prop_assert!((0.0..=1.0).contains(&ab));
            prop_assert_eq!(similar_descriptions(&a, &a), 1.0);
        }
    }
}
