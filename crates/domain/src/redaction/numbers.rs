//! Detectors for numbers: resident identity numbers, telephone numbers and bank cards, and the
//! public facts made of digits (unified social credit codes, document numbers, dates, article
//! numbers) that must never be redacted.
//!
//! Numbers are found as maximal runs of digits, so a mobile number inside a longer run (an
//! order number, a tracking number) is never reported; runs separated by a single space or
//! hyphen are also tried together, because people write 138 1234 5678 and 6222 0212 3456 7890.
//! Checks reuse the GB 11643 parser of [`crate::identity`] and the GB 32100 parser of
//! [`crate::agency`]. This file must never report a number it has not checked where a check
//! exists (ID check digit, Luhn), except at a lower confidence when a cue word says what it is.

use time::{Date, Month};

use super::{Category, Detection, PublicFact, PublicFactKind, touches_public_fact};
use crate::agency::parse_unified_social_credit_code;
use crate::identity::{ResidentId, full_width_to_ascii};

/// The latest birth date accepted in an identity number found in text. The domain has no clock,
/// and a redaction errs on the side of removing: a number dated a few decades ahead is still
/// far more likely an ID than anything else, so the bound only rules out absurd dates.
const LATEST_PLAUSIBLE_BIRTH_DATE: (i32, Month, u8) = (2099, Month::December, 31);
/// How far before a number a cue word (身份证, 卡号, 电话…) is looked for, in characters.
const CUE_WINDOW_CHARS: usize = 12;
/// The longest agency abbreviation in front of a document number's bracket, in characters
/// (e.g. 国办发, 京政办发, 中华人民共和国国务院令 is written without a bracket).
const DOCUMENT_NUMBER_PREFIX_MAX_CHARS: usize = 10;
/// The longest serial after the year of a document or case number, in characters
/// (〔2024〕12号, (2023)京0105民初12345号).
const DOCUMENT_NUMBER_SERIAL_MAX_CHARS: usize = 16;

/// The ASCII digit value of `c`, full-width digits included (Chinese input methods type them).
pub(crate) fn digit_value(c: char) -> Option<u8> {
    let c = full_width_to_ascii(c);
    c.is_ascii_digit().then(|| c as u8 - b'0')
}

/// Whether `c` is a Latin letter, half- or full-width.
pub(crate) fn is_latin_letter(c: char) -> bool {
    full_width_to_ascii(c).is_ascii_alphabetic()
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Whether one of `cues` ends within [`CUE_WINDOW_CHARS`] characters before `start`.
pub(crate) fn cue_before(chars: &[char], start: usize, cues: &[&str]) -> bool {
    let from = start.saturating_sub(CUE_WINDOW_CHARS);
    let window: String = chars[from..start].iter().collect();
    cues.iter().any(|cue| window.contains(cue))
}

const ID_CUES: &[&str] = &[
    "身份证",
    "身份号码",
    "公民身份",
    "证件号",
    "居住证",
    "身份证明",
];
const CREDIT_CODE_CUES: &[&str] = &["信用代码", "注册号", "税号", "纳税人识别号", "组织机构代码"];
const BANK_CUES: &[&str] = &[
    "卡号",
    "银行卡",
    "账号",
    "帐号",
    "账户",
    "帐户",
    "开户",
    "银行",
];
const PHONE_CUES: &[&str] = &[
    "电话",
    "手机",
    "座机",
    "联系方式",
    "Tel",
    "TEL",
    "tel",
    "致电",
    "拨打",
    "号码",
];
/// Numbers after these cues belong to an office, not to a person: a supervision or service line
/// is published on purpose (Art. 20 asks agencies to publish their contact details).
const PUBLIC_LINE_CUES: &[&str] = &[
    "监督电话",
    "咨询电话",
    "举报电话",
    "投诉电话",
    "办公电话",
    "受理电话",
    "服务热线",
    "热线",
    "传真",
    "值班电话",
    "公开电话",
];

/// A maximal run of digits.
#[derive(Debug, Clone, Copy)]
struct DigitRun {
    start: usize,
    end: usize,
}

fn digit_runs(chars: &[char]) -> Vec<DigitRun> {
    let mut runs = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        if digit_value(chars[index]).is_some() {
            let start = index;
            while index < chars.len() && digit_value(chars[index]).is_some() {
                index += 1;
            }
            runs.push(DigitRun { start, end: index });
        } else {
            index += 1;
        }
    }
    runs
}

fn digits_of(chars: &[char], start: usize, end: usize) -> Vec<u8> {
    chars[start..end]
        .iter()
        .filter_map(|c| digit_value(*c))
        .collect()
}

/// The Luhn check (ISO/IEC 7812-1) that every payment card number carries in its last digit.
pub(crate) fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(position, &digit)| {
            let digit = u32::from(digit);
            if position % 2 == 1 {
                let doubled = digit * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                digit
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

fn as_ascii(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

fn latest_plausible_birth_date() -> Option<Date> {
    let (year, month, day) = LATEST_PLAUSIBLE_BIRTH_DATE;
    Date::from_calendar_date(year, month, day).ok()
}

/// Whether 18 characters form a valid citizen identity number (GB 11643-1999: region, birth
/// date, check character), by the parser of [`crate::identity`].
pub(crate) fn is_valid_resident_id(number: &str) -> bool {
    latest_plausible_birth_date().is_some_and(|latest| ResidentId::parse(number, latest).is_ok())
}

/// Finds identity numbers, telephone numbers and bank cards.
pub(crate) fn detect_numbers(
    chars: &[char],
    public_facts: &[PublicFact],
    out: &mut Vec<Detection>,
) {
    let runs = digit_runs(chars);
    let mut index = 0;
    while index < runs.len() {
        // A chain is a sequence of runs joined by one separator each: 138 1234 5678.
        let mut chain_end = index;
        while chain_end + 1 < runs.len()
            && joined_by_separator(chars, runs[chain_end], runs[chain_end + 1])
        {
            chain_end += 1;
        }
        let mut first = index;
        while first <= chain_end {
            let mut matched = None;
            // Longest sub-chain first, so that 6222 0212 3456 7890 is one card, not four runs.
            for last in (first..=chain_end).rev() {
                let (start, end) = (runs[first].start, runs[last].end);
                if touches_public_fact(start, end, public_facts) {
                    continue;
                }
                if let Some(detection) = classify(chars, start, end, last > first) {
                    matched = Some((last, detection));
                    break;
                }
            }
            match matched {
                Some((last, detection)) => {
                    out.push(detection);
                    first = last + 1;
                }
                None => first += 1,
            }
        }
        index = chain_end + 1;
    }
}

/// Whether two runs are separated by exactly one space or hyphen and both are long enough to be
/// groups of one number (dates such as 2024-1-5 have short groups and stay apart).
fn joined_by_separator(chars: &[char], left: DigitRun, right: DigitRun) -> bool {
    right.start == left.end + 1
        && matches!(chars[left.end], ' ' | '-' | '\u{00A0}' | '\u{3000}')
        && left.end - left.start >= 3
        && right.end - right.start >= 3
}

/// Classifies the digits in `start..end` (possibly several runs joined by separators).
fn classify(chars: &[char], start: usize, end: usize, joined: bool) -> Option<Detection> {
    let digits = digits_of(chars, start, end);
    let before = start.checked_sub(1).map(|i| chars[i]);
    let after = chars.get(end).copied();
    let letter_before = before.is_some_and(is_latin_letter);
    let x_after = after.is_some_and(|c| matches!(full_width_to_ascii(c), 'X' | 'x'));
    let after_x = chars.get(end + 1).copied();
    // A digit run glued to letters is part of a code (an order number, a passport handled
    // elsewhere), except the check character X of an identity number.
    if letter_before {
        return None;
    }
    if digits.len() == 17 && x_after && !after_x.is_some_and(is_latin_letter) {
        let number = format!("{}X", as_ascii(&digits));
        if is_valid_resident_id(&number) {
            return Some(detection(start, end + 1, Category::IdNumber, 97, ID_REASON));
        }
    }
    if after.is_some_and(is_latin_letter) {
        return None;
    }
    match digits.len() {
        18 if is_valid_resident_id(&as_ascii(&digits)) => {
            return Some(detection(start, end, Category::IdNumber, 97, ID_REASON));
        }
        15 if cue_before(chars, start, ID_CUES) && is_plausible_first_generation_id(&digits) => {
            return Some(detection(
                start,
                end,
                Category::IdNumber,
                75,
                "15 位第一代身份证号码（地区码与出生日期有效，前有“身份证”等提示词）",
            ));
        }
        _ => {}
    }
    if let Some(found) = classify_phone(chars, start, end, &digits, joined) {
        return Some(found);
    }
    if (16..=19).contains(&digits.len()) {
        let cue = cue_before(chars, start, BANK_CUES);
        if luhn_valid(&digits) && matches!(digits[0], 3..=6) {
            let confidence = if cue { 95 } else { 88 };
            return Some(detection(
                start,
                end,
                Category::BankCard,
                confidence,
                "16–19 位数字，Luhn 校验通过（ISO/IEC 7812）",
            ));
        }
        if cue {
            return Some(detection(
                start,
                end,
                Category::BankCard,
                70,
                "16–19 位数字，前有“卡号/账号”等提示词（无 Luhn 校验）",
            ));
        }
    }
    None
}

const ID_REASON: &str = "18 位公民身份号码：校验码、出生日期和地区码均有效（GB 11643-1999）";

fn detection(
    start: usize,
    end: usize,
    category: Category,
    confidence_percent: u8,
    reason: &str,
) -> Detection {
    Detection {
        start,
        end,
        category,
        confidence_percent,
        reason: reason.to_owned(),
        role: None,
    }
}

/// A first-generation (GB 11643-1989) number: six digits of region, YYMMDD and three of
/// sequence, no check character. Only the region's province and the date can be checked.
fn is_plausible_first_generation_id(digits: &[u8]) -> bool {
    let province = digits[0] * 10 + digits[1];
    let month = digits[8] * 10 + digits[9];
    let day = digits[10] * 10 + digits[11];
    (11..=65).contains(&province) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

fn classify_phone(
    chars: &[char],
    start: usize,
    end: usize,
    digits: &[u8],
    joined: bool,
) -> Option<Detection> {
    let public_line = cue_before(chars, start, PUBLIC_LINE_CUES);
    // Mobile numbers: 1[3-9] and nine more digits (the MIIT numbering plan), optionally with the
    // country code 86 in front.
    let is_mobile = |d: &[u8]| d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1]);
    if is_mobile(digits) {
        let plus_86 = start >= 3
            && chars[start - 3] == '+'
            && digit_value(chars[start - 2]) == Some(8)
            && digit_value(chars[start - 1]) == Some(6);
        let span_start = if plus_86 { start - 3 } else { start };
        return Some(detection(
            span_start,
            end,
            Category::Phone,
            if public_line { 50 } else { 92 },
            "11 位手机号码（1[3-9] 开头，前后无其他数字）",
        ));
    }
    if digits.len() == 13 && digits[..2] == [8, 6] && is_mobile(&digits[2..]) {
        let plus = start > 0 && chars[start - 1] == '+';
        return Some(detection(
            if plus { start - 1 } else { start },
            end,
            Category::Phone,
            90,
            "带国家代码 86 的手机号码",
        ));
    }
    if public_line {
        // A published service line is not personal data; it is simply not reported.
        return None;
    }
    // Landlines: an area code (010, 02X, or 0 + three digits) and a subscriber number of seven
    // or eight digits that never starts with 0 or 1.
    if digits.first() == Some(&0) && digits.len() >= 10 {
        let area_length = if matches!(digits[1], 1 | 2) { 3 } else { 4 };
        let subscriber = &digits[area_length..];
        let written_as_landline = joined
            || (start > 0 && matches!(chars[start - 1], '(' | '（'))
            || cue_before(chars, start, PHONE_CUES);
        if matches!(subscriber.len(), 7 | 8) && subscriber[0] >= 2 && written_as_landline {
            let span_start = if start > 0 && matches!(chars[start - 1], '(' | '（') {
                start - 1
            } else {
                start
            };
            return Some(detection(
                span_start,
                end,
                Category::Phone,
                85,
                "固定电话号码（区号加 7–8 位号码）",
            ));
        }
    }
    // A landline written with its area code in brackets: (010)12345678 or （0755）1234567.
    if matches!(digits.len(), 7 | 8) && digits[0] >= 2 && start >= 2 {
        let closing = chars[start - 1];
        if matches!(closing, ')' | '）') {
            let mut open = start - 1;
            while open > 0 && digit_value(chars[open - 1]).is_some() {
                open -= 1;
            }
            let area = digits_of(chars, open, start - 1);
            if open > 0
                && matches!(chars[open - 1], '(' | '（')
                && matches!(area.len(), 3 | 4)
                && area[0] == 0
            {
                return Some(detection(
                    open - 1,
                    end,
                    Category::Phone,
                    85,
                    "固定电话号码（括号内区号加 7–8 位号码）",
                ));
            }
        }
    }
    // A local number without area code counts only after a cue word, because seven or eight
    // digits alone are as often an amount or a serial.
    if matches!(digits.len(), 7 | 8) && digits[0] >= 2 && cue_before(chars, start, PHONE_CUES) {
        return Some(detection(
            start,
            end,
            Category::Phone,
            65,
            "7–8 位固定电话号码，前有“电话”等提示词",
        ));
    }
    None
}

/// Finds the public facts in `chars`: unified social credit codes, document and case numbers,
/// dates and article numbers. The result is sorted by start and has no overlaps.
pub(crate) fn public_facts(chars: &[char]) -> Vec<PublicFact> {
    let mut facts = Vec::new();
    credit_codes(chars, &mut facts);
    document_numbers(chars, &mut facts);
    dates(chars, &mut facts);
    article_numbers(chars, &mut facts);
    facts.sort_by_key(|fact| (fact.start, std::cmp::Reverse(fact.end)));
    let mut merged: Vec<PublicFact> = Vec::with_capacity(facts.len());
    for fact in facts {
        match merged.last_mut() {
            Some(last) if fact.start <= last.end => last.end = last.end.max(fact.end),
            _ => merged.push(fact),
        }
    }
    merged
}

fn is_code_character(c: char) -> bool {
    full_width_to_ascii(c).is_ascii_alphanumeric()
}

/// Unified social credit codes: 18 characters of the GB 32100 alphabet with a valid check
/// character. A code made only of digits can also be a valid identity number; then the
/// identity number wins unless a cue word (统一社会信用代码…) says otherwise, because removing
/// a public code by mistake costs less than publishing an identity number.
fn credit_codes(chars: &[char], facts: &mut Vec<PublicFact>) {
    let mut index = 0;
    while index < chars.len() {
        if !is_code_character(chars[index]) {
            index += 1;
            continue;
        }
        let start = index;
        while index < chars.len() && is_code_character(chars[index]) {
            index += 1;
        }
        if index - start != 18 {
            continue;
        }
        let code: String = chars[start..index]
            .iter()
            .map(|c| full_width_to_ascii(*c).to_ascii_uppercase())
            .collect();
        if parse_unified_social_credit_code(&code).is_err() {
            continue;
        }
        if is_valid_resident_id(&code) && !cue_before(chars, start, CREDIT_CODE_CUES) {
            continue;
        }
        facts.push(PublicFact {
            start,
            end: index,
            kind: PublicFactKind::UnifiedSocialCreditCode,
        });
    }
}

const OPENING_BRACKETS: &[char] = &['〔', '[', '［', '(', '（', '【', '〖'];
const CLOSING_BRACKETS: &[char] = &['〕', ']', '］', ')', '）', '】', '〗'];
/// Characters that end an agency abbreviation when reading leftwards from a document number:
/// the words that introduce a citation (根据, 依照, 按照, 见) are not part of the number.
const DOCUMENT_PREFIX_STOPS: &[char] = &[
    '据', '照', '依', '按', '见', '于', '的', '和', '与', '及', '在', '是', '为', '即', '经', '由',
];

/// Document numbers (发文字号, GB/T 9704-2012 7.2.4) such as 国办发〔2024〕12号, and court case
/// numbers such as (2023)京0105民初12345号: a bracketed four-digit year followed by a serial
/// ending in 号.
fn document_numbers(chars: &[char], facts: &mut Vec<PublicFact>) {
    for (open, &c) in chars.iter().enumerate() {
        if !OPENING_BRACKETS.contains(&c) || open + 6 >= chars.len() {
            continue;
        }
        let year_digits = (open + 1..open + 5).all(|i| digit_value(chars[i]).is_some());
        if !year_digits || !CLOSING_BRACKETS.contains(&chars[open + 5]) {
            continue;
        }
        let serial_start = open + 6;
        let serial_limit = (serial_start + DOCUMENT_NUMBER_SERIAL_MAX_CHARS).min(chars.len());
        let Some(hao) = (serial_start..serial_limit)
            .take_while(|&i| digit_value(chars[i]).is_some() || is_cjk(chars[i]))
            .find(|&i| chars[i] == '号')
        else {
            continue;
        };
        let has_serial_digit = (serial_start..hao).any(|i| digit_value(chars[i]).is_some());
        if !has_serial_digit {
            continue;
        }
        let mut start = open;
        while start > 0
            && open - start < DOCUMENT_NUMBER_PREFIX_MAX_CHARS
            && is_cjk(chars[start - 1])
            && !DOCUMENT_PREFIX_STOPS.contains(&chars[start - 1])
        {
            start -= 1;
        }
        facts.push(PublicFact {
            start,
            end: hao + 1,
            kind: PublicFactKind::DocumentNumber,
        });
    }
}

fn chinese_numeral_value(c: char) -> Option<u8> {
    match c {
        '〇' | '零' | '○' => Some(0),
        '一' => Some(1),
        '二' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        '十' => Some(10),
        _ => None,
    }
}

/// Counts the characters from `from` that satisfy `accept`, up to `max`.
fn count_while(chars: &[char], from: usize, max: usize, accept: impl Fn(char) -> bool) -> usize {
    chars[from.min(chars.len())..]
        .iter()
        .take(max)
        .take_while(|c| accept(**c))
        .count()
}

/// Dates: 2024年1月5日, 2024-01-05, 2024/1/5, 2024.01.05, 二〇二四年一月五日 and 1月5日. A date
/// is never personal data by itself; a birth date matters only inside an identity number,
/// which its own detector covers.
fn dates(chars: &[char], facts: &mut Vec<PublicFact>) {
    let is_digit = |c: char| digit_value(c).is_some();
    let is_numeral = |c: char| chinese_numeral_value(c).is_some();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if !is_digit(c) && !is_numeral(c) {
            index += 1;
            continue;
        }
        let start = index;
        let mut end = start;
        let arabic = is_digit(c);
        let accept = |ch: char| if arabic { is_digit(ch) } else { is_numeral(ch) };
        let year_length = count_while(chars, start, 4, accept);
        // Year, month and optional day with 年月日.
        let mut position = start + year_length;
        if year_length == 4 && chars.get(position) == Some(&'年') {
            end = position + 1;
            position += 1;
        } else {
            position = start;
        }
        let month_length = count_while(chars, position, 3, accept);
        if month_length > 0 && chars.get(position + month_length) == Some(&'月') {
            end = position + month_length + 1;
            let day_at = end;
            let day_length = count_while(chars, day_at, 3, accept);
            if day_length > 0 && matches!(chars.get(day_at + day_length), Some('日' | '号')) {
                end = day_at + day_length + 1;
            }
        }
        // Numeric dates with a separator: 2024-01-05, 2024/1/5, 2024.01.05.
        if arabic && year_length == 4 && end == start {
            let separator = chars.get(start + 4).copied();
            if let Some(separator @ ('-' | '/' | '.')) = separator {
                let month_length = count_while(chars, start + 5, 2, is_digit);
                let day_at = start + 5 + month_length + 1;
                if month_length > 0 && chars.get(start + 5 + month_length) == Some(&separator) {
                    let day_length = count_while(chars, day_at, 2, is_digit);
                    let followed_by_digit = chars
                        .get(day_at + day_length)
                        .copied()
                        .is_some_and(is_digit);
                    if day_length > 0 && !followed_by_digit {
                        end = day_at + day_length;
                    }
                }
            }
        }
        if end > start {
            facts.push(PublicFact {
                start,
                end,
                kind: PublicFactKind::Date,
            });
            index = end;
        } else {
            index = start + count_while(chars, start, usize::MAX, accept).max(1);
        }
    }
}

/// Article numbers of legal texts: 第十二条, 第12条, 第二款, 第（三）项, 第一章, and the bare
/// item numbers （一）… that structure a decision. They cite the law, never a person.
fn article_numbers(chars: &[char], facts: &mut Vec<PublicFact>) {
    const UNITS: &[char] = &['条', '款', '项', '章', '节', '目', '编', '部', '段'];
    let is_number = |c: char| {
        digit_value(c).is_some() || chinese_numeral_value(c).is_some() || matches!(c, '百' | '千')
    };
    for (index, &c) in chars.iter().enumerate() {
        if c != '第' {
            continue;
        }
        let mut position = index + 1;
        let bracketed = matches!(chars.get(position), Some('(' | '（'));
        if bracketed {
            position += 1;
        }
        let length = count_while(chars, position, 8, is_number);
        if length == 0 {
            continue;
        }
        position += length;
        if bracketed {
            if !matches!(chars.get(position), Some(')' | '）')) {
                continue;
            }
            position += 1;
        }
        if chars.get(position).is_some_and(|unit| UNITS.contains(unit)) {
            facts.push(PublicFact {
                start: index,
                end: position + 1,
                kind: PublicFactKind::ArticleNumber,
            });
        }
    }
}
