//! Interface text in Chinese (zh-CN, the default) and English.
//!
//! Every message is one row of `MESSAGES`, with both languages side by side, so a missing
//! translation is visible in review and caught by a test. Keys are stable; error codes from
//! the domain and service layers are keys too (`problem.<code>`, `error.<code>`).

/// The two interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" | "zh_cn" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the language from an Accept-Language header: the first supported tag by quality,
    /// Chinese when nothing matches (the platform is Chinese first).
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_string))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag.starts_with("zh") {
                Some(Lang::Zh)
            } else if tag.starts_with("en") {
                Some(Lang::En)
            } else {
                None
            };
            if let Some(lang) = lang
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::Zh)
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// Looks up a message, if it exists.
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    MESSAGES
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, zh, en)| match lang {
            Lang::Zh => *zh,
            Lang::En => *en,
        })
}

/// Looks up a message. A test checks that every key used in a template or in code exists, so
/// the marker for a missing one should never be seen.
pub fn t(lang: Lang, key: &str) -> &'static str {
    lookup(lang, key).unwrap_or("[?]")
}

/// The message for a field problem code, e.g. `required` → 「此项为必填项」.
pub fn problem(lang: Lang, code: &str) -> &'static str {
    lookup(lang, &format!("problem.{code}")).unwrap_or_else(|| t(lang, "problem.invalid"))
}

/// (key, 中文, English)
pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "site.name",
        "公开 · 政府信息公开平台",
        "Gongkai · Government Information Disclosure",
    ),
    ("site.short", "公开", "Gongkai"),
    (
        "site.tagline",
        "查找已公开的信息，申请未公开的信息，跟踪每一件申请直至依法答复。",
        "Find what is public, apply for what is not, and follow every application to a lawful reply.",
    ),
    ("nav.skip", "跳到主要内容", "Skip to main content"),
    ("nav.home", "首页", "Home"),
    ("nav.agencies", "机关目录", "Agencies"),
    ("nav.login", "登录", "Sign in"),
    ("nav.logout", "退出登录", "Sign out"),
    ("nav.register", "注册", "Register"),
    ("nav.account", "我的账户", "My account"),
    ("nav.admin", "管理后台", "Administration"),
    ("nav.main", "主导航", "Main navigation"),
    ("nav.language", "English", "中文"),
    ("nav.language_label", "切换到英文界面", "Switch to Chinese"),
    (
        "nav.large_text_on",
        "大字体高对比",
        "Large text, high contrast",
    ),
    ("nav.large_text_off", "标准显示", "Standard display"),
    ("nav.display", "显示设置", "Display settings"),
    (
        "search.label",
        "搜索政府信息",
        "Search government information",
    ),
    (
        "search.placeholder",
        "例如：大学生创业能贷多少钱",
        "e.g. start-up loans for graduates",
    ),
    ("search.button", "搜索", "Search"),
    ("search.title", "搜索", "Search"),
    ("search.your_query", "您搜索的是", "You searched for"),
    (
        "footer.about",
        "公开是开源的政府信息公开平台，依据《中华人民共和国政府信息公开条例》（2019年修订）。",
        "Gongkai is an open-source platform for government information disclosure under the Regulations of the PRC on Open Government Information (2019 revision).",
    ),
    ("footer.api", "开放接口（OpenAPI）", "Open API (OpenAPI)"),
    (
        "home.title",
        "政府信息公开一站式服务",
        "One-stop government information disclosure",
    ),
    (
        "home.intro",
        "本平台汇集各级行政机关的政府信息公开工作：主动公开目录、依申请公开、政策解读与年度报告。",
        "This platform brings together the disclosure work of agencies at every level: proactive disclosure catalogs, applications, policy interpretations and annual reports.",
    ),
    ("home.directory", "机关目录", "Agency directory"),
    (
        "home.directory_intro",
        "请选择负责该信息的行政机关。根据条例第二十七条，申请应向制作或保存该信息的机关提出。",
        "Choose the agency responsible for the information. Under Art. 27, an application goes to the agency that made or keeps it.",
    ),
    (
        "home.how",
        "如何申请政府信息公开",
        "How to apply for government information",
    ),
    ("home.how_1", "注册账户并登录。", "Register and sign in."),
    (
        "home.how_2",
        "选择机关，填写申请（条例第二十九条）。",
        "Choose the agency and fill in the application (Art. 29).",
    ),
    (
        "home.how_3",
        "机关在20个工作日内答复；需要延长的，最长延长20个工作日（第三十三条）。",
        "The agency replies within 20 working days, extendable once by at most 20 (Art. 33).",
    ),
    ("agency.level", "层级", "Level"),
    ("agency.departments", "内设部门", "Departments"),
    ("agency.guide", "政府信息公开指南", "Disclosure guide"),
    (
        "agency.guide_intro",
        "依据条例第十二条，本机关公开其政府信息公开工作机构的名称、办公地址、办公时间、联系电话、传真号码和电子邮箱。",
        "Under Art. 12, this agency publishes its OGI office's name, address, hours, telephone and e-mail.",
    ),
    ("agency.ogi_office", "政府信息公开工作机构", "OGI office"),
    ("agency.address", "办公地址", "Address"),
    ("agency.hours", "办公时间", "Office hours"),
    ("agency.phone", "联系电话", "Telephone"),
    ("agency.email", "电子邮箱", "E-mail"),
    (
        "agency.org_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("agency.below", "下级机关", "Agencies below"),
    ("agency.above", "上级机关", "Agency above"),
    ("agency.duties", "职责", "Duties"),
    ("agency.none", "暂无机关。", "No agencies yet."),
    ("login.title", "登录", "Sign in"),
    (
        "login.identifier",
        "电子邮箱或手机号码",
        "E-mail or mobile number",
    ),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    ("login.no_account", "还没有账户？", "No account yet?"),
    (
        "login.demo_hint",
        "示范账户的密码均为",
        "Every demo account's password is",
    ),
    ("register.title", "注册账户", "Register"),
    ("register.email", "电子邮箱", "E-mail"),
    ("register.mobile", "手机号码", "Mobile number"),
    (
        "register.email_or_mobile",
        "电子邮箱和手机号码至少填写一项。",
        "Give an e-mail address, a mobile number or both.",
    ),
    ("register.display_name", "姓名或称呼", "Name"),
    (
        "register.password",
        "密码（至少10个字符）",
        "Password (at least 10 characters)",
    ),
    (
        "register.password_confirmation",
        "再次输入密码",
        "Repeat the password",
    ),
    ("register.submit", "注册", "Register"),
    ("account.title", "我的账户", "My account"),
    ("account.signed_in_as", "当前登录", "Signed in as"),
    ("account.roles", "角色", "Roles"),
    ("account.change_password", "修改密码", "Change password"),
    ("account.current_password", "当前密码", "Current password"),
    (
        "account.new_password",
        "新密码（至少10个字符）",
        "New password (at least 10 characters)",
    ),
    (
        "account.new_password_confirmation",
        "再次输入新密码",
        "Repeat the new password",
    ),
    (
        "account.password_changed",
        "密码已修改，其他设备上的登录已退出。",
        "Your password was changed; other sessions were signed out.",
    ),
    ("account.api_tokens", "接口令牌", "API tokens"),
    ("account.token_name", "令牌名称", "Token name"),
    ("account.create_token", "创建令牌", "Create token"),
    (
        "account.token_created",
        "新令牌如下，只显示这一次，请妥善保存：",
        "Your new token, shown only once; keep it safe:",
    ),
    ("common.save", "保存", "Save"),
    ("common.create", "创建", "Create"),
    ("common.edit", "编辑", "Edit"),
    ("common.none", "无", "None"),
    ("common.actions", "操作", "Actions"),
    ("common.all_departments", "全机关", "Whole agency"),
    ("common.installation", "全平台", "Whole installation"),
    ("common.back", "返回", "Back"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.optional", "（选填）", "(optional)"),
    (
        "form.error_summary",
        "提交的内容有以下问题，请修改后重新提交：",
        "There is a problem with what you submitted:",
    ),
    ("form.saved", "已保存。", "Saved."),
    ("admin.title", "管理后台", "Administration"),
    ("admin.agencies", "机关管理", "Agencies"),
    ("admin.new_agency", "新增机关", "New agency"),
    ("admin.edit_agency", "编辑机关信息", "Edit agency"),
    ("admin.parent", "上级机关", "Parent agency"),
    ("admin.no_parent", "无（顶级）", "None (top level)"),
    (
        "admin.slug",
        "网址简称（小写字母、数字、连字符）",
        "URL name (lower-case letters, digits, hyphens)",
    ),
    ("admin.name_zh", "中文名称", "Name in Chinese"),
    ("admin.name_en", "英文名称", "Name in English"),
    ("admin.level", "行政层级", "Administrative level"),
    ("admin.departments", "部门管理", "Departments"),
    ("admin.new_department", "新增部门", "New department"),
    ("admin.staff", "工作人员", "Staff"),
    ("admin.new_staff", "新增工作人员", "New staff member"),
    (
        "admin.initial_password",
        "初始密码（至少10个字符）",
        "Initial password (at least 10 characters)",
    ),
    ("admin.role", "角色", "Role"),
    ("admin.department", "所属部门", "Department"),
    ("admin.grant_role", "授予角色", "Grant role"),
    ("admin.revoke", "撤销", "Revoke"),
    ("admin.deactivate", "停用账户", "Deactivate"),
    ("admin.reactivate", "启用账户", "Reactivate"),
    ("admin.active", "状态", "Status"),
    ("admin.is_active", "启用", "Active"),
    ("admin.is_inactive", "已停用", "Deactivated"),
    ("admin.security_log", "安全日志", "Security log"),
    ("admin.event_time", "时间", "Time"),
    ("admin.event_kind", "事件", "Event"),
    ("admin.event_address", "来源地址", "Address"),
    ("admin.event_detail", "详情", "Detail"),
    (
        "admin.no_access",
        "您没有可管理的机关。",
        "You have no agency to manage.",
    ),
    ("error.title", "出错了", "Something went wrong"),
    (
        "error.400",
        "请求有误，无法处理。",
        "The request could not be understood.",
    ),
    ("error.401", "请先登录。", "Please sign in first."),
    (
        "error.403",
        "您没有权限执行此操作。",
        "You are not allowed to do this.",
    ),
    (
        "error.404",
        "找不到您要访问的页面。",
        "The page you asked for does not exist.",
    ),
    (
        "error.405",
        "不支持此请求方式。",
        "This method is not allowed here.",
    ),
    (
        "error.409",
        "操作与当前状态冲突，请刷新后重试。",
        "This conflicts with the current state; reload and try again.",
    ),
    (
        "error.413",
        "提交的内容过大。",
        "What you sent is too large.",
    ),
    (
        "error.422",
        "提交的内容有误。",
        "What you sent is not valid.",
    ),
    (
        "error.429",
        "尝试次数过多，请稍后再试。",
        "Too many attempts; please try again later.",
    ),
    (
        "error.500",
        "服务器内部错误，我们已记录此问题。",
        "An internal error occurred; it has been logged.",
    ),
    (
        "error.503",
        "服务暂时不可用。",
        "The service is temporarily unavailable.",
    ),
    ("error.request_id", "请求编号", "Request id"),
    (
        "error.csrf",
        "表单已过期或来源不明，请返回刷新页面后重新提交。",
        "The form expired or came from elsewhere; go back, reload the page and submit again.",
    ),
    (
        "error.login_failed",
        "账户或密码不正确。",
        "The account or password is not correct.",
    ),
    (
        "error.account_locked",
        "由于多次输入错误密码，账户已暂时锁定，请稍后再试。",
        "After repeated wrong passwords the account is locked for a while; try again later.",
    ),
    (
        "error.rate_limited",
        "尝试次数过多，请稍后再试。",
        "Too many attempts; please try again later.",
    ),
    ("error.go_home", "返回首页", "Back to the home page"),
    ("problem.invalid", "内容无效", "is not valid"),
    ("problem.required", "此项为必填项", "is required"),
    ("problem.too_long", "内容过长", "is too long"),
    (
        "problem.invalid_characters",
        "含有不允许的字符",
        "contains characters that are not allowed",
    ),
    (
        "problem.email_invalid",
        "电子邮箱格式不正确",
        "is not a valid e-mail address",
    ),
    (
        "problem.email_too_long",
        "电子邮箱过长",
        "is too long for an e-mail address",
    ),
    (
        "problem.email_taken",
        "该电子邮箱已注册",
        "is already registered",
    ),
    (
        "problem.mobile_invalid",
        "手机号码应为11位中国大陆手机号",
        "must be an 11-digit mainland mobile number",
    ),
    (
        "problem.mobile_taken",
        "该手机号码已注册",
        "is already registered",
    ),
    (
        "problem.email_or_mobile_required",
        "电子邮箱和手机号码至少填写一项",
        "give an e-mail address or a mobile number",
    ),
    (
        "problem.password_too_short",
        "密码至少需要10个字符",
        "must have at least 10 characters",
    ),
    (
        "problem.password_too_long",
        "密码不能超过128个字符",
        "must have at most 128 characters",
    ),
    (
        "problem.password_too_simple",
        "密码过于简单",
        "is too simple",
    ),
    (
        "problem.password_mismatch",
        "两次输入的密码不一致",
        "does not match the password",
    ),
    (
        "problem.current_password_wrong",
        "当前密码不正确",
        "is not your current password",
    ),
    (
        "problem.slug_invalid",
        "只能包含小写字母、数字和连字符，且不能以连字符开头或结尾",
        "may only hold lower-case letters, digits and inner hyphens",
    ),
    (
        "problem.slug_taken",
        "该网址简称已被使用",
        "is already used",
    ),
    (
        "problem.level_invalid",
        "行政层级无效",
        "is not a valid level",
    ),
    (
        "problem.level_not_below_parent",
        "层级必须低于上级机关",
        "must be below the parent agency's level",
    ),
    (
        "problem.uscc_length",
        "统一社会信用代码应为18位",
        "must have 18 characters",
    ),
    (
        "problem.uscc_characters",
        "统一社会信用代码含有无效字符",
        "contains characters a credit code cannot have",
    ),
    (
        "problem.uscc_check_character",
        "统一社会信用代码校验位不正确",
        "has a wrong check character",
    ),
    (
        "problem.org_code_taken",
        "该统一社会信用代码已被其他机关使用",
        "is already used by another agency",
    ),
    ("problem.name_taken", "该名称已存在", "already exists"),
    ("problem.role_invalid", "角色无效", "is not a valid role"),
    (
        "problem.role_not_staff",
        "只能授予工作人员角色",
        "must be a staff role",
    ),
    (
        "problem.role_already_held",
        "该人员已拥有此角色",
        "is already held",
    ),
    (
        "problem.role_is_agency_wide",
        "该角色面向全机关，不能限定到部门",
        "is agency-wide and cannot be limited to a department",
    ),
    (
        "problem.department_invalid",
        "部门无效",
        "is not a department of this agency",
    ),
    (
        "problem.account_not_staff",
        "该账户不是工作人员账户",
        "is not a staff account",
    ),
    (
        "problem.parent_invalid",
        "上级机关无效",
        "is not a valid agency",
    ),
    ("nav.apply", "申请公开", "Apply"),
    ("nav.my_applications", "我的申请", "My applications"),
    ("nav.staff_queue", "申请办理", "Applications to handle"),
    (
        "apply.title",
        "政府信息公开申请",
        "Application for government information",
    ),
    ("apply.new", "提出新的申请", "Make a new application"),
    ("apply.to", "受理机关", "Addressed to"),
    (
        "apply.intro",
        "依据条例第二十九条，请填写申请人信息、联系方式和所需政府信息的名称、文号或者其他特征性描述。申请无需说明用途。",
        "Under Art. 29, give who you are, how to reach you and the title, document number or other features of the information. You need not say why you want it.",
    ),
    ("apply.intake", "收件登记（工作人员）", "Intake (staff)"),
    ("apply.applicant", "申请人", "Applicant"),
    (
        "apply.organisation_hint",
        "法人或者其他组织申请的，请填写统一社会信用代码和法定代表人（负责人）。",
        "Legal persons and other organisations give their unified social credit code and legal representative.",
    ),
    ("apply.contact", "联系方式", "Contact"),
    ("apply.information", "所需政府信息", "Information requested"),
    ("apply.submit", "提交申请", "Submit the application"),
    (
        "apply.submitted",
        "申请已提交，申请编号为",
        "Your application was submitted; its number is",
    ),
    ("queue.title", "申请办理队列", "Applications to handle"),
    ("queue.stage", "办理状态", "Stage"),
    ("queue.all_open", "全部未办结", "All open"),
    ("queue.all", "全部", "All"),
    (
        "queue.due_soon_only",
        "只看3个工作日内到期或已逾期",
        "Only due within 3 working days or overdue",
    ),
    ("queue.filter", "筛选", "Filter"),
    (
        "queue.register",
        "登记当面、信函、传真或口头申请",
        "Register an application received in person, by letter, fax or orally",
    ),
    ("queue.empty", "暂无申请。", "No applications."),
    ("queue.overdue", "已逾期", "Overdue"),
    ("queue.due_soon", "即将到期", "Due soon"),
    ("my.title", "我的申请", "My applications"),
    ("application.title", "申请", "Application"),
    ("application.stage", "当前状态", "Current stage"),
    ("application.agency", "受理机关", "Agency"),
    ("application.receipt_number", "申请编号", "Number"),
    ("application.summary", "申请内容", "Information requested"),
    (
        "application.receipt_date",
        "收到申请之日",
        "Date of receipt",
    ),
    ("application.due", "期限", "Due"),
    ("application.provisional", "暂定", "provisional"),
    (
        "application.expected_completion",
        "预计办结日期",
        "Expected completion",
    ),
    (
        "application.not_started",
        "尚未起算（待确认收到）",
        "Not started (receipt not yet confirmed)",
    ),
    ("application.deadlines", "法定期限", "Statutory deadlines"),
    ("application.deadline", "期限", "Deadline"),
    ("application.deadline_status", "状态", "Status"),
    ("application.derivation", "计算依据", "How it was computed"),
    (
        "application.correction_notice",
        "补正告知",
        "Correction notice",
    ),
    ("application.correction_due", "补正期限", "Correct by"),
    ("application.correction_text", "补正内容", "Your correction"),
    (
        "application.submit_correction",
        "提交补正",
        "Submit the correction",
    ),
    ("application.consultations", "征求意见", "Consultations"),
    ("application.party", "征求对象", "Consulted party"),
    ("application.answer", "意见", "Answer"),
    ("application.record_answer", "记录意见", "Record the answer"),
    ("application.reply", "答复", "Reply"),
    ("application.draft_reply", "答复（草稿）", "Reply (draft)"),
    ("application.review_next", "待审核环节", "Next review step"),
    ("application.timeline", "办理过程", "Timeline"),
    ("application.actions", "办理操作", "Actions"),
    (
        "application.precheck",
        "形式审查提示（机器预审，供补正告知参考）",
        "Form check (machine pre-review, for the correction notice)",
    ),
    (
        "application.withdraw",
        "撤回申请",
        "Withdraw the application",
    ),
    (
        "party.department",
        "本机关部门会办",
        "Department of this agency",
    ),
    (
        "party.third_party",
        "第三方（第三十二条）",
        "Third party (Art. 32)",
    ),
    (
        "party.other_agency",
        "其他机关（第三十四条）",
        "Other agency (Art. 34)",
    ),
    ("action.confirm_receipt", "确认收到", "Confirm receipt"),
    ("action.accept", "受理", "Accept"),
    (
        "action.request_correction",
        "发出补正告知（一次性告知）",
        "Send the correction notice (once)",
    ),
    (
        "action.correction_items",
        "需要补正的事项（每行一项）",
        "Items to correct (one per line)",
    ),
    ("action.correction_due", "补正期限", "Correct by"),
    (
        "action.lapse_correction",
        "逾期未补正，视为放弃",
        "Correction lapsed: deem abandoned",
    ),
    ("action.departments", "承办部门", "Handling departments"),
    ("action.lead", "牵头部门", "Lead department"),
    ("action.assign", "分办", "Assign"),
    (
        "action.party_name",
        "征求对象名称",
        "Name of the consulted party",
    ),
    (
        "action.start_consultation",
        "发起征求意见",
        "Start a consultation",
    ),
    (
        "action.extension_days",
        "延长工作日数（最多20）",
        "Working days of extension (at most 20)",
    ),
    ("action.reason", "理由", "Reason"),
    (
        "action.approve_extension",
        "批准延期（政府信息公开工作机构负责人）",
        "Approve the extension (head of the OGI office)",
    ),
    ("action.reply_kind", "答复类型", "Kind of reply"),
    ("action.reply_body", "答复正文", "Reply text"),
    (
        "action.reply_body_hint",
        "留空则按答复类型使用标准模板。",
        "Leave empty to use the standard template for the kind of reply.",
    ),
    ("action.draft_reply", "保存答复草稿", "Save the draft reply"),
    ("action.submit_for_review", "提交审核", "Submit for review"),
    ("action.comment", "审核意见", "Review comment"),
    ("action.approve_review", "审核通过", "Approve"),
    ("action.reject_review", "退回修改", "Return for revision"),
    ("action.issue_reply", "出具答复", "Issue the reply"),
    ("action.delivery_method", "送达方式", "Delivered by"),
    ("action.mark_delivered", "登记送达", "Record delivery"),
    ("action.archive", "归档", "Archive"),
    ("action.done", "已办理。", "Done."),
    (
        "error.stale_version",
        "该申请已被他人更新，请查看最新状态后重新操作。",
        "Someone else changed this application meanwhile; look at its current state and try again.",
    ),
    (
        "error.wrong_stage",
        "该申请当前状态下不能进行此操作。",
        "This action is not possible at the application's current stage.",
    ),
    ("field.channel", "申请方式", "Channel"),
    ("field.receipt_date", "收到申请之日", "Date of receipt"),
    ("field.applicant_kind", "申请人类型", "Kind of applicant"),
    (
        "field.applicant_name",
        "申请人姓名或名称",
        "Applicant's name",
    ),
    ("field.identity_kind", "身份证件类型", "Identity document"),
    ("field.identity_number", "证件号码", "Document number"),
    (
        "field.organisation_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    (
        "field.legal_representative",
        "法定代表人（负责人）",
        "Legal representative",
    ),
    ("field.contact_phone", "联系电话", "Telephone"),
    ("field.contact_email", "电子邮箱", "E-mail"),
    ("field.postal_address", "通信地址", "Postal address"),
    (
        "field.information_description",
        "所需政府信息的名称或特征描述",
        "Title or description of the information",
    ),
    (
        "field.document_number",
        "文号（如知道）",
        "Document number (if known)",
    ),
    (
        "field.purpose",
        "用途（选填，无需说明）",
        "Purpose (optional, not required)",
    ),
    (
        "field.form_preference",
        "获取信息的形式",
        "Form of the information",
    ),
    ("field.delivery_preference", "获取信息的方式", "Delivery"),
    ("field.text", "补正内容", "Correction"),
    ("field.items", "补正事项", "Items to correct"),
    ("field.due", "期限", "Deadline"),
    ("field.working_days", "工作日数", "Working days"),
    ("field.reason", "理由", "Reason"),
    ("field.rejection_reason", "理由", "Reason"),
    ("field.withdraw_reason", "理由", "Reason"),
    ("field.reply_kind", "答复类型", "Kind of reply"),
    ("field.body", "答复正文", "Reply text"),
    ("field.party_name", "征求对象名称", "Consulted party"),
    ("field.answer", "意见", "Answer"),
    ("field.lead", "牵头部门", "Lead department"),
    ("field.departments", "承办部门", "Departments"),
    ("field.method", "送达方式", "Delivered by"),
    ("field.comment", "审核意见", "Comment"),
    ("field.action", "操作", "Action"),
    ("field.party", "征求对象", "Consulted party"),
    (
        "problem.channel_invalid",
        "申请方式无效",
        "is not a valid channel",
    ),
    (
        "problem.date_invalid",
        "日期格式应为 年-月-日",
        "must be a date such as 2026-03-02",
    ),
    (
        "problem.date_in_future",
        "日期不能晚于今天",
        "cannot be in the future",
    ),
    ("problem.number_invalid", "应为数字", "must be a number"),
    (
        "problem.too_short",
        "内容过短，请写得具体一些",
        "is too short; please be more specific",
    ),
    (
        "problem.applicant_kind_invalid",
        "申请人类型无效",
        "is not a valid kind of applicant",
    ),
    (
        "problem.identity_kind_invalid",
        "证件类型无效",
        "is not a valid kind of document",
    ),
    (
        "problem.identity_kind_not_personal",
        "自然人应提供个人身份证件",
        "must be a personal identity document",
    ),
    (
        "problem.phone_invalid",
        "电话号码格式不正确（手机号或 区号-号码）",
        "is not a valid telephone number (mobile, or area code and number)",
    ),
    (
        "problem.contact_required",
        "请至少提供一种联系方式（电话、电子邮箱或通信地址）",
        "give at least one way to reach you (telephone, e-mail or postal address)",
    ),
    (
        "problem.form_preference_invalid",
        "获取信息的形式无效",
        "is not a valid form",
    ),
    (
        "problem.delivery_preference_invalid",
        "获取信息的方式无效",
        "is not a valid delivery method",
    ),
    (
        "problem.delivery_incompatible_with_form",
        "该获取方式不适用于所选的信息形式",
        "does not suit the chosen form of the information",
    ),
    (
        "problem.required_for_email_delivery",
        "选择电子邮件获取时须填写电子邮箱",
        "is needed for delivery by e-mail",
    ),
    (
        "problem.required_for_postal_delivery",
        "选择邮寄时须填写通信地址",
        "is needed for delivery by post",
    ),
    (
        "problem.required_for_fax_delivery",
        "选择传真时须填写电话（传真）号码",
        "is needed for delivery by fax",
    ),
    (
        "problem.landline_required_for_fax_delivery",
        "传真须为固定电话号码",
        "must be a landline for fax delivery",
    ),
    (
        "problem.resident_id_length",
        "居民身份证号码应为18位",
        "must have 18 characters",
    ),
    (
        "problem.resident_id_characters",
        "居民身份证号码只能包含数字和末位X",
        "may hold only digits and a final X",
    ),
    (
        "problem.resident_id_region",
        "居民身份证号码的地区码无效",
        "has an invalid region code",
    ),
    (
        "problem.resident_id_birth_date",
        "居民身份证号码中的出生日期无效",
        "has an invalid birth date",
    ),
    (
        "problem.resident_id_check_digit",
        "居民身份证号码校验位不正确，请核对",
        "has a wrong check digit; please check it",
    ),
    (
        "problem.correction_items_missing",
        "请至少列出一项需要补正的事项",
        "list at least one item to correct",
    ),
    (
        "problem.correction_text_missing",
        "请填写补正内容",
        "write your correction",
    ),
    (
        "problem.receipt_date_in_future",
        "收到日期不能晚于今天",
        "cannot be in the future",
    ),
    (
        "problem.departments_missing",
        "请至少选择一个承办部门",
        "choose at least one department",
    ),
    (
        "problem.lead_not_assigned",
        "牵头部门必须是所选承办部门之一",
        "must be one of the chosen departments",
    ),
    (
        "problem.party_name_missing",
        "请填写征求意见对象",
        "name the consulted party",
    ),
    ("problem.answer_missing", "请填写意见", "write the answer"),
    (
        "problem.extension_length",
        "延长期限为1至20个工作日（第三十三条）",
        "must be 1 to 20 working days (Art. 33)",
    ),
    (
        "problem.extension_reason_missing",
        "请填写延期理由，将告知申请人",
        "give the reason the applicant will be told",
    ),
    (
        "problem.reply_kind_missing",
        "请选择答复类型",
        "choose the kind of reply",
    ),
    (
        "problem.reply_body_missing",
        "请填写答复正文",
        "write the reply",
    ),
    ("problem.reason_missing", "请填写理由", "give a reason"),
    (
        "problem.delivery_method_missing",
        "请填写送达方式",
        "say how it was delivered",
    ),
    (
        "problem.correction_already_requested",
        "补正告知只能发出一次（第三十条）",
        "a correction may be requested only once (Art. 30)",
    ),
    (
        "problem.correction_not_yet_due",
        "补正期限尚未届满",
        "the correction period has not ended yet",
    ),
    (
        "problem.consultation_exists",
        "该征求意见已存在",
        "exists already",
    ),
    (
        "problem.consultation_unknown",
        "没有该项未完成的征求意见",
        "is not an open consultation",
    ),
    (
        "problem.consultations_open",
        "尚有征求意见未完成",
        "consultations are still open",
    ),
    (
        "problem.extension_already_approved",
        "答复期限只能延长一次（第三十三条）",
        "the reply period may be extended only once (Art. 33)",
    ),
    ("problem.flags_missing", "请选择敏感标记", "choose a flag"),
    ("field.email", "电子邮箱", "E-mail"),
    ("field.mobile", "手机号码", "Mobile number"),
    ("field.display_name", "姓名或称呼", "Name"),
    ("field.password", "密码", "Password"),
    (
        "field.password_confirmation",
        "确认密码",
        "Password confirmation",
    ),
    (
        "field.identifier",
        "电子邮箱或手机号码",
        "E-mail or mobile number",
    ),
    ("field.current_password", "当前密码", "Current password"),
    ("field.new_password", "新密码", "New password"),
    (
        "field.new_password_confirmation",
        "确认新密码",
        "New password confirmation",
    ),
    ("field.name_zh", "中文名称", "Name in Chinese"),
    ("field.name_en", "英文名称", "Name in English"),
    ("field.slug", "网址简称", "URL name"),
    ("field.level", "行政层级", "Level"),
    (
        "field.org_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("field.parent_id", "上级机关", "Parent agency"),
    (
        "field.ogi_office_name",
        "政府信息公开工作机构名称",
        "OGI office name",
    ),
    ("field.ogi_office_phone", "联系电话", "Telephone"),
    ("field.ogi_office_email", "电子邮箱", "E-mail"),
    ("field.ogi_office_address", "办公地址", "Address"),
    ("field.ogi_office_hours", "办公时间", "Office hours"),
    ("field.duties", "职责", "Duties"),
    ("field.initial_password", "初始密码", "Initial password"),
    ("field.role", "角色", "Role"),
    ("field.department_id", "所属部门", "Department"),
    ("field.name", "名称", "Name"),
    ("field.account_id", "账户", "Account"),
    ("application.rate", "评价答复", "Rate the reply"),
    ("application.your_rating", "您的评价", "Your rating"),
    (
        "application.rating_question",
        "您对本次答复的满意程度（1 最不满意，5 最满意）",
        "How satisfied are you with the reply (1 least, 5 most)?",
    ),
    (
        "application.rating_comment",
        "意见和建议（选填）",
        "Comments (optional)",
    ),
    ("application.submit_rating", "提交评价", "Submit the rating"),
    (
        "application.download_archive",
        "下载申请档案（ZIP：申请、办理过程、答复）",
        "Download the archive (ZIP: application, history, reply)",
    ),
    ("problem.rating_invalid", "请选择1至5分", "choose 1 to 5"),
    ("field.rating", "评分", "Rating"),
    ("field.rating_comment", "意见和建议", "Comments"),
    ("action.fee_method", "计费方式", "Charging method"),
    (
        "fee.per_application",
        "按件计收（同一申请人当月第几件）",
        "Per application (which application of the month)",
    ),
    ("fee.per_page", "按量计收（页数）", "Per volume (pages)"),
    (
        "action.fee_units",
        "当月第几件申请，或页数",
        "The month's application count, or the number of pages",
    ),
    ("action.fee_due", "缴费期限", "Pay by"),
    (
        "action.issue_fee_notice",
        "发出收费通知（金额按国办函〔2020〕109号计算）",
        "Issue the fee notice (amount per 国办函〔2020〕109号)",
    ),
    ("action.record_fee_payment", "登记已缴费", "Record payment"),
    (
        "action.lapse_fee",
        "逾期未缴费，不再处理",
        "Fee not paid in time: stop handling",
    ),
    (
        "problem.fee_not_due",
        "按该数量不收取费用",
        "no fee is due for this amount",
    ),
    (
        "problem.fee_amount_invalid",
        "费用金额无效",
        "is not a valid amount",
    ),
    (
        "problem.fee_notice_already_issued",
        "收费通知已发出过",
        "a fee notice was already issued",
    ),
    (
        "problem.no_fee_pending",
        "没有待缴的费用",
        "no fee is awaiting payment",
    ),
    (
        "problem.fee_not_yet_due",
        "缴费期限尚未届满",
        "the payment period has not ended",
    ),
    (
        "problem.fee_pending",
        "须先缴纳信息处理费",
        "the fee must be paid first",
    ),
    ("field.fee_method", "计费方式", "Charging method"),
    ("field.fee_units", "件数或页数", "Count or pages"),
    ("field.fee_due", "缴费期限", "Pay by"),
    (
        "admin.tiers",
        "答复审核层级（分级审核）",
        "Review tiers of replies",
    ),
    (
        "admin.tiers_hint",
        "一般答复经所选环节审核；涉及第三方权益、不予公开、媒体关注等敏感情形的答复经较高层级审核。敏感答复必须包含保密审查（条例第十七条），且不少于一般答复的审核环节。已提交审核的答复按提交时的层级办理。",
        "Routine replies pass the steps chosen; sensitive ones (third-party rights, non-disclosure, media interest) pass the higher tier, which must include the confidentiality review (Art. 17) and every routine step. Replies already in review keep the steps they were given.",
    ),
    ("admin.tiers_routine", "一般答复", "Routine replies"),
    ("admin.tiers_sensitive", "敏感答复", "Sensitive replies"),
    ("admin.tiers_save", "保存审核层级", "Save the review tiers"),
    (
        "field.routine",
        "一般答复的审核环节",
        "Routine review steps",
    ),
    (
        "field.sensitive",
        "敏感答复的审核环节",
        "Sensitive review steps",
    ),
    (
        "problem.confidentiality_review_required",
        "须包含保密审查（条例第十七条）",
        "must include the confidentiality review (Art. 17)",
    ),
    (
        "problem.must_include_routine_steps",
        "须包含一般答复的全部审核环节",
        "must include every routine review step",
    ),
    (
        "application.communications",
        "答复前沟通记录（前置沟通）",
        "Talks with the applicant before the reply",
    ),
    (
        "application.communications_hint",
        "正式答复前，对复杂或有争议的申请，可通过电话、面谈等方式与申请人沟通，了解真实需求。沟通不影响法定答复期限。",
        "Before a formal reply to a complex or disputed request, staff may talk with the applicant to learn what they actually need. This does not change the statutory reply period.",
    ),
    ("field.contacted_on", "沟通日期", "Date of the conversation"),
    ("field.communication_method", "沟通方式", "How"),
    ("field.communication_outcome", "沟通结果", "Outcome"),
    ("field.communication_summary", "沟通情况", "What was said"),
    (
        "action.record_communication",
        "登记沟通情况",
        "Record the conversation",
    ),
    (
        "problem.communication_date_in_future",
        "沟通日期不能晚于今天",
        "cannot be later than today",
    ),
    (
        "problem.communication_date_too_early",
        "沟通日期不能早于提交或收到申请之日",
        "cannot be earlier than the day the application was submitted or received",
    ),
    (
        "problem.communication_summary_missing",
        "请简要记录沟通情况",
        "needs a short record of what was said",
    ),
    (
        "calendar.title",
        "工作日历（法定节假日与调休）",
        "Working-day calendar (holidays and make-up days)",
    ),
    (
        "calendar.intro",
        "法定期限按工作日计算。国务院办公厅每年约11月公布下一年的节假日安排，请在公布后导入；尚未导入年份的期限显示为“暂定”。",
        "Statutory periods count working days. The State Council publishes next year's arrangement around November; import it then. Deadlines in years not yet loaded are shown as provisional.",
    ),
    (
        "calendar.last_loaded",
        "已公布安排的最后年份",
        "Last year with a published arrangement",
    ),
    ("calendar.year", "年份", "Year"),
    ("calendar.days_off", "放假日", "Days off"),
    (
        "calendar.working_weekend_days",
        "调休上班日",
        "Make-up working days",
    ),
    ("calendar.published", "已公布", "Published"),
    ("calendar.imported_flag", "来源", "Source"),
    ("calendar.builtin", "内置", "Built in"),
    ("calendar.imported_by_admin", "管理员导入", "Imported"),
    (
        "calendar.import",
        "导入或更正一年的安排",
        "Import or correct a year",
    ),
    (
        "calendar.import_hint",
        "格式与 holiday-cn 相同：{\"year\": 2027, \"papers\": [...], \"days\": [{\"name\": \"春节\", \"date\": \"2027-02-06\", \"isOffDay\": true}]}。导入后，所有未办结申请的期限将重新计算。",
        "Same shape as holiday-cn: {\"year\": 2027, \"papers\": [...], \"days\": [...]}. Open applications' deadlines are recomputed after an import.",
    ),
    ("calendar.submit", "导入", "Import"),
    (
        "calendar.imported",
        "已导入并重新计算期限：",
        "Imported, deadlines recomputed:",
    ),
    (
        "problem.calendar_invalid",
        "节假日安排数据有误",
        "is not a valid arrangement",
    ),
    (
        "field.arrangement",
        "节假日安排（JSON）",
        "Arrangement (JSON)",
    ),
    ("admin.calendar", "工作日历", "Working-day calendar"),
    ("application.attachments", "附件", "Attachments"),
    (
        "application.attach_file",
        "添加附件（PDF、DOCX、XLSX、JPG、PNG 或 TXT，不超过20MB）",
        "Attach a file (PDF, DOCX, XLSX, JPG, PNG or TXT, at most 20 MB)",
    ),
    ("application.upload", "上传", "Upload"),
    (
        "problem.file_too_large",
        "文件超过20MB",
        "is larger than 20 MB",
    ),
    (
        "problem.file_type_not_allowed",
        "只接受 PDF、DOCX、XLSX、JPG、PNG 或 TXT 文件",
        "must be a PDF, DOCX, XLSX, JPG, PNG or TXT file",
    ),
    (
        "problem.document_file_type_not_allowed",
        "只接受 PDF、DOCX 或 XLSX 文件",
        "must be a PDF, DOCX or XLSX file",
    ),
    (
        "problem.file_unreadable",
        "文件已损坏或与其类型不符，无法读取",
        "cannot be read (damaged, or not the kind of file its name says)",
    ),
    (
        "problem.too_many_files",
        "附件数量已达上限",
        "too many files",
    ),
    ("field.file", "附件", "File"),
    ("field.schema", "表结构说明", "Table Schema"),
    ("field.csv", "数据文件", "Data file"),
    (
        "problem.not_utf8_text",
        "须为 UTF-8 编码的文本文件",
        "must be a UTF-8 text file",
    ),
    ("field.title", "名称", "Title"),
    ("field.summary", "内容概述", "Summary"),
    ("field.short_title", "简称", "Short title"),
    ("field.interpretation", "政策解读", "Policy interpretation"),
    ("field.kind", "订阅内容", "What to follow"),
    ("field.value", "订阅对象", "Which one"),
    ("field.frequency", "频率", "How often"),
    ("field.issuer", "发布机构", "Issued by"),
    ("field.written_date", "成文日期", "Date written"),
    ("field.published_date", "发布日期", "Date published"),
    ("field.topic", "主题分类", "Topic"),
    ("field.genre", "体裁", "Genre"),
    ("field.validity", "有效性", "Validity"),
    ("field.valid_from", "施行日期", "In force from"),
    ("field.invalid_from", "失效或废止日期", "In force until"),
    ("field.keywords", "关键词", "Keywords"),
    ("field.catalog_code", "目录事项", "Catalog item"),
    (
        "field.formed_on",
        "信息形成或变更日期",
        "Date formed or changed",
    ),
    ("field.note", "审查意见", "Review note"),
    ("field.change_note", "修改说明", "What changed"),
    (
        "field.index_number_template",
        "索引号模板",
        "Index number template",
    ),
    ("field.id", "编号", "Id"),
    ("field.elements", "公开要素", "Content elements"),
    ("field.channels", "公开渠道", "Channels"),
    ("dashboard.title", "办理情况看板", "Workload dashboard"),
    ("dashboard.department", "牵头部门", "Lead department"),
    ("dashboard.unassigned", "尚未分办", "Not yet assigned"),
    ("dashboard.open", "办理中", "Open"),
    ("dashboard.overdue", "已逾期", "Overdue"),
    (
        "dashboard.due_soon",
        "3个工作日内到期",
        "Due within 3 working days",
    ),
    ("dashboard.answered", "已答复", "Answered"),
    (
        "dashboard.closed_otherwise",
        "撤回或终止",
        "Withdrawn or ended",
    ),
    (
        "report.title",
        "政府信息公开工作年度报告（编制）",
        "Annual report on open government information (compiling)",
    ),
    (
        "report.public_title",
        "政府信息公开工作年度报告",
        "Annual reports on open government information",
    ),
    (
        "report.table3",
        "三、收到和处理政府信息公开申请情况",
        "Table 三: applications received and handled",
    ),
    (
        "report.intro",
        "本报告按国办公开办函〔2021〕30号格式，根据已公开文件、每件申请的收到日期和办结情况、复议诉讼记录及各部门填报数据实时计算；点击表三、表四中的数字可查看计入该格的申请或案件。",
        "Computed live in the format of 国办公开办函〔2021〕30号 from the documents published, each application's receipt and outcome, the remedies recorded and the figures departments enter; follow a number in tables 三 and 四 to what it counts.",
    ),
    ("report.year", "年度", "Year"),
    ("report.show", "显示", "Show"),
    (
        "report.consistent",
        "全部勾稽关系校验通过。",
        "Every consistency rule holds.",
    ),
    (
        "report.inconsistent",
        "以下勾稽关系未通过，不得发布：",
        "These consistency rules fail; the report cannot be published:",
    ),
    ("report.applicant", "申请人情况", "Applicants"),
    (
        "report.legal_persons",
        "法人或其他组织",
        "Legal persons and other organisations",
    ),
    ("report.item", "项目", "Item"),
    (
        "report.drill",
        "计入该格的申请",
        "Applications counted in this cell",
    ),
    (
        "problem.proof_out_of_range",
        "证明请求的序号或树大小超出日志范围",
        "is outside the log's range",
    ),
    ("problem.year_invalid", "年度无效", "is not a valid year"),
    (
        "problem.consistency_rules_fail",
        "勾稽关系未通过，报告不能发布",
        "fails a consistency rule, so it cannot be published",
    ),
    (
        "problem.count_invalid",
        "应为不小于0的整数",
        "must be a whole number, 0 or more",
    ),
    (
        "problem.amount_invalid",
        "应为金额（元），最多两位小数",
        "must be an amount in yuan with at most two decimals",
    ),
    (
        "problem.choice_invalid",
        "请从列表中选择",
        "must be one of the choices",
    ),
    (
        "problem.before_known_on",
        "不能早于知道该行为的日期",
        "cannot be before the date the conduct became known",
    ),
    (
        "problem.before_filed_on",
        "不能早于提起日期",
        "cannot be before the filing date",
    ),
    (
        "problem.in_future",
        "不能晚于今天",
        "cannot be in the future",
    ),
    ("field.overview", "总体情况", "Overview"),
    (
        "field.problems_and_improvements",
        "存在的主要问题及改进情况",
        "Problems and improvements",
    ),
    ("field.other_matters", "其他需要报告的事项", "Other matters"),
    (
        "field.licensing_decisions",
        "行政许可",
        "Licensing decisions",
    ),
    ("field.penalty_decisions", "行政处罚", "Penalty decisions"),
    ("field.coercion_decisions", "行政强制", "Coercive measures"),
    (
        "field.administrative_fees_yuan",
        "行政事业性收费",
        "Administrative fees",
    ),
    ("field.report", "年度报告", "Annual report"),
    (
        "field.known_on",
        "知道该行为的日期",
        "Date the conduct became known",
    ),
    ("field.filed_on", "提起日期", "Filing date"),
    (
        "field.body_name",
        "复议机关或法院",
        "Reviewing body or court",
    ),
    ("field.case_number", "案号", "Case number"),
    ("field.decided_on", "决定日期", "Decision date"),
    ("field.outcome", "结果", "Outcome"),
    (
        "problem.invalid_document_number",
        "文号格式应为“机关代字〔年份〕序号号”，例如 国办发〔2024〕12号",
        "must look like 机关代字〔year〕N号, e.g. 国办发〔2024〕12号",
    ),
    (
        "problem.published_before_written",
        "发布日期不能早于成文日期",
        "cannot be earlier than the date written",
    ),
    (
        "problem.before_valid_from",
        "失效日期不能早于施行日期",
        "cannot be earlier than the date it came into force",
    ),
    (
        "problem.required_when_repealed",
        "废止的文件须填写废止日期",
        "is required for a repealed document",
    ),
    ("problem.too_many", "项目过多", "has too many entries"),
    (
        "problem.unknown_catalog_item",
        "本机关目录中没有该事项",
        "is not an item of this agency's catalog",
    ),
    (
        "problem.invalid_external_id",
        "编号只能包含字母、数字、连字符、下划线和点",
        "may hold only letters, digits, '-', '_' and '.'",
    ),
    (
        "problem.invalid_choice",
        "不是可选的值",
        "is not one of the choices",
    ),
    (
        "problem.invalid_template",
        "模板须包含 {seq} 且只能使用 {org_code}、{yyyy}、{mm}、{seq:0N}",
        "must contain {seq} and use only {org_code}, {yyyy}, {mm}, {seq:0N}",
    ),
    (
        "problem.invalid_code",
        "编码只能包含字母、数字、连字符和下划线",
        "may hold only letters, digits, '-' and '_'",
    ),
    ("queue.sort", "排序", "Sort by"),
    ("queue.sort_due", "期限最近在前", "Most urgent first"),
    ("queue.sort_newest", "最新申请在前", "Newest first"),
    ("queue.sort_number", "按申请编号", "Application number"),
    ("inbox.title", "站内消息", "Messages"),
    ("inbox.open_application", "查看申请", "Open the application"),
    ("inbox.empty", "暂无消息。", "No messages."),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn keys_are_unique_and_both_languages_are_filled() {
        let mut seen = HashSet::new();
        for (key, zh, en) in MESSAGES {
            assert!(seen.insert(*key), "duplicate key {key}");
            assert!(!zh.trim().is_empty(), "{key} has no Chinese");
            assert!(!en.trim().is_empty(), "{key} has no English");
        }
    }

    /// Every `t("…")` in a template or in the web crate's code names an existing key.
    #[test]
    fn every_key_used_exists() {
        let sources = [
            include_str!("../templates/base.html"),
            include_str!("../templates/home.html"),
            include_str!("../templates/agency.html"),
            include_str!("../templates/search.html"),
            include_str!("../templates/login.html"),
            include_str!("../templates/register.html"),
            include_str!("../templates/account.html"),
            include_str!("../templates/admin_index.html"),
            include_str!("../templates/admin_agency_form.html"),
            include_str!("../templates/admin_agency.html"),
            include_str!("../templates/admin_security.html"),
            include_str!("../templates/error_summary.html"),
            include_str!("pages.rs"),
            include_str!("account.rs"),
            include_str!("admin.rs"),
            include_str!("error.rs"),
            include_str!("applications.rs"),
            include_str!("../templates/apply.html"),
            include_str!("../templates/apply_choose.html"),
            include_str!("../templates/applications_list.html"),
            include_str!("../templates/application.html"),
            include_str!("../templates/admin_calendar.html"),
            include_str!("../templates/dashboard.html"),
            include_str!("../templates/annual_report_staff.html"),
            include_str!("../templates/annual_report_public.html"),
            include_str!("../templates/annual_report_sections.html"),
            include_str!("../templates/annual_reports_list.html"),
            include_str!("../templates/remedies.html"),
            include_str!("../templates/inbox.html"),
        ];
        let mut n_used = 0;
        for source in sources {
            for pattern in [
                "t(\"",
                "Base::new(&ctx, \"",
                "Base::new(ctx, \"",
                "Problems::one(ctx.lang, \"identifier\", \"",
            ] {
                for piece in source.split(pattern).skip(1) {
                    let key = piece.split('"').next().unwrap_or("");
                    if key.contains('.') {
                        assert!(lookup(Lang::Zh, key).is_some(), "missing message key {key}");
                        n_used += 1;
                    }
                }
            }
        }
        assert!(n_used > 50, "found only {n_used} keys: the scan is broken");
    }

    #[test]
    fn accept_language_prefers_quality_and_defaults_to_chinese() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr,en;q=0.5,zh;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("de"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
    }
}
