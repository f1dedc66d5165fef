//! Detector for natural persons' names in Chinese text.
//!
//! Names are open-class words: no list holds them all. The detector therefore combines four
//! kinds of evidence, each with its own confidence:
//! 1. a **cue word** before the name (申请人, 当事人, 法定代表人, 局长…) followed by a surname;
//! 2. a **dictionary word shaped like a name**: a three-character word of jieba's lexicon that
//!    starts with a common surname (jieba-rs 0.11's POS tags are not used: they mark ordinary
//!    words such as 安静 or 谢谢 as `nr`, which measured worse than no tags);
//! 3. an **unknown word built like a name**: jieba (without its HMM, for speed) leaves words it
//!    does not know as single characters, and a surname followed by one or two such characters
//!    that are usual in given names is a name far more often than not;
//! 4. a **cue word after** the name (先生, 女士, 说, 身份证号, 住址…), which raises confidence;
//! 5. a **familiar form**: 老 or 小 before a common surname (老张, 小李);
//! 6. the **named-entity model's** person names, when a tagger is installed, ranked by the
//!    model's posterior probability of each (which the reason shown to staff states).
//!
//! Every mention of a person is then treated alike (the seed's 该脱的不脱 is the failure this
//! prevents): the other occurrences of a name found with enough confidence are candidates too,
//! and a mention without a role word takes the role of another mention of the same name, so an
//! official named once with the office stays visible throughout.
//!
//! Every candidate then passes filters that keep public and generic words out: kinship and
//! role words (妈妈, 老师), place names (北京, 台湾) and the first part of an organisation or
//! place (a candidate followed by 市, 路, 公司, 大学…), and a surname with a form of address
//! (宋同志, 王老师), which says no more than the surname. The role word next to a name (局长,
//! 法定代表人) is recorded so that the policy can keep officials and legal representatives.
//!
//! This file must never decide what is redacted (the policy does) and never hold names taken
//! from any evaluation text.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use jieba_rs::Jieba;

use super::lexicon::{
    CharSet, is_ambiguous_surname, is_generic_person_word, is_given_name_character, is_place_name,
    name_cue_after, name_cue_before, official_cue_before, org_or_place_suffix_at,
    surname_length_at,
};
use super::{Category, Detection, TaggedEntity, TaggedEntityKind};

/// The segmenter with its built-in dictionary, built once on first use (the dictionary is
/// compiled into the binary by jieba-rs; nothing is read from disk).
static SEGMENTER: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// The longest social-media handle after `@` taken as one name, in characters.
const HANDLE_MAX_CHARS: usize = 20;

/// Characters that are never part of a given name: particles, pronouns, prepositions and the
/// commonest verbs. A candidate whose given part contains one is not a name.
const NEVER_IN_GIVEN_NAMES: &str = "的了是在和与及或说我你他她它们也都就不很被把给跟对从向到为这那有没吗呢吧啊呀哦嘛么着过还又再才而且但并让叫请将要会能可想去来上下里中个些之其所以因如果虽然等年月日时分号第次";

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

static NEVER_IN_GIVEN_NAMES_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::from_chars(NEVER_IN_GIVEN_NAMES.chars()));

fn may_be_in_given_name(c: char) -> bool {
    is_cjk(c) && !NEVER_IN_GIVEN_NAMES_SET.contains(c)
}

/// A word of the segmented text, with character offsets.
struct Token {
    start: usize,
    end: usize,
}

impl Token {
    fn length(&self) -> usize {
        self.end - self.start
    }
}

/// How sure a tagger's person name is taken to be: above the rules' guesses from the shape of a
/// word (a trained model reads the context they ignore), below a name right after a cue word
/// such as 申请人, which also carries the role the policy needs.
const TAGGED_PERSON_CONFIDENCE_PERCENT: u8 = 72;

/// The rules' guesses that a tagger's place, organisation or time overrules: guesses from the
/// shape of a word score below this; a name after a cue word (85) stands.
const OVERRULABLE_BELOW_PERCENT: u8 = 80;

/// Finds person names in `text`, whose characters are `chars`, with the entities a tagger found
/// in it (none when no model is installed).
pub(crate) fn detect_names(
    text: &str,
    chars: &[char],
    entities: &[TaggedEntity],
    out: &mut Vec<Detection>,
) {
    let tokens: Vec<Token> = SEGMENTER
        .cut(text, false)
        .into_iter()
        .map(|token| Token {
            start: token.start,
            end: token.end,
        })
        .collect();
    let mut candidates = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if let Some(found) = cue_name(chars, token) {
            candidates.push(found);
        }
        if let Some(found) = dictionary_name(chars, token) {
            candidates.push(found);
        }
        if let Some(found) = composed_name(chars, &tokens, index) {
            candidates.push(found);
        }
    }
    handles(chars, &mut candidates);
    familiar_names(chars, &tokens, &mut candidates);
    // A guess from the shape of a word that the tagger reads as a place, an organisation or a
    // date (周口, 高新区, 明天) is dropped; the tagger's own person names join the candidates.
    candidates.retain(|candidate| {
        candidate.confidence_percent >= OVERRULABLE_BELOW_PERCENT
            || !entities.iter().any(|entity| {
                entity.kind != TaggedEntityKind::Person
                    && entity.start < candidate.end
                    && candidate.start < entity.end
            })
    });
    for entity in entities {
        if entity.kind != TaggedEntityKind::Person {
            continue;
        }
        let (mut start, end) = trim_decoration(chars, entity.start, entity.end);
        // A tagger sometimes takes a two-character given name without the surname right
        // before it (曾|若彤): the name includes a common surname that directly precedes it.
        // A nickname (小新, 阿明) has no surname to take back.
        if end - start == 2
            && start > 0
            && surname_length_at(&chars[start..end]) == 0
            && !matches!(chars[start], '小' | '老' | '阿')
            && chars[start..end]
                .iter()
                .all(|&c| is_given_name_character(c))
            && !is_ambiguous_surname(chars[start - 1])
        {
            start -= 1;
        }
        // A single character is a surname said alone (老李) or a tagging slip, never enough
        // to name someone.
        if end - start < 2 {
            continue;
        }
        // The more probable reading wins where the tagger's names overlap a rule's guess or
        // each other; the probability is in the reason, for staff.
        candidates.push(person(
            start,
            end,
            TAGGED_PERSON_CONFIDENCE_PERCENT + entity.probability_percent.min(100) / 12,
            format!(
                "姓名：命名实体模型识别为人名（模型概率 {}%）",
                entity.probability_percent
            ),
        ));
    }
    let first_accepted = out.len();
    for mut candidate in candidates {
        if !passes_filters(chars, &candidate) {
            continue;
        }
        if let Some(cue) = name_cue_after(chars, candidate.end) {
            candidate.confidence_percent = candidate.confidence_percent.saturating_add(15).min(90);
            candidate.reason.push_str(&format!("；其后有“{cue}”"));
        }
        if candidate.role.is_none() {
            candidate.role = role_before(chars, candidate.start);
        }
        out.push(candidate);
    }
    propagate_names(chars, first_accepted, out);
}

/// Strokes that social-media nicknames use as ornaments (寒阳丶, 冰凌灬): ideographs by code
/// point, never the edge of a name.
const ORNAMENTAL_STROKES: &str = "丶灬乀丿乛亅丨";

/// Characters of laughter and interjections (哈哈, 呵呵, 嘿嘿), which social-media posts repeat.
const INTERJECTIONS: &str = "哈呵嘿嘻哇啊哦喔嗯";

/// Particles and words that follow a name but never end one. Kept short on purpose: 中, 和 or
/// 为 end many given names (建中, 张和), though they are rare inside a rule's guess.
const NEVER_LAST_IN_NAMES: &str = "的了吗呢吧啊呀哦嘛么着过们岁歲";

/// Shrinks a tagger's span until it starts and ends with a letter, a digit or an ideograph
/// that is not an ornamental stroke, and does not start with the last of a repeated
/// interjection: a tagger sometimes takes the punctuation, ornament or laughter next to a name
/// into it.
fn trim_decoration(chars: &[char], mut start: usize, mut end: usize) -> (usize, usize) {
    let is_edge = |c: char| c.is_alphanumeric() && !ORNAMENTAL_STROKES.contains(c);
    while start < end
        && (!is_edge(chars[start])
            // Laughter or an interjection run into the name (哈哈|柯震倲): the same sound right
            // before it shows that it is not a surname.
            || (INTERJECTIONS.contains(chars[start])
                && start > 0
                && chars[start - 1] == chars[start]))
    {
        start += 1;
    }
    // A particle or 岁 after a name of at least two characters is never its last character
    // (林志颖岁, 王小明的).
    while end > start
        && (!is_edge(chars[end - 1])
            || (end - start > 2 && NEVER_LAST_IN_NAMES.contains(chars[end - 1])))
    {
        end -= 1;
    }
    (start, end)
}

/// How sure a name must be before its other occurrences in the same text are marked too.
const PROPAGATION_MIN_CONFIDENCE_PERCENT: u8 = 70;

/// Treats every mention of a person alike, which is what the seed asks of redaction (该脱的不脱、
/// 不该脱的乱脱 is the failure): each other occurrence of a name found with enough confidence
/// becomes a candidate too, as does each part of at least two characters of a transliterated
/// name written with a middle dot (查曼基尼·祖鲁, later just 祖鲁); and a mention without a role
/// word takes the role of another mention of the same name, so that an official named once
/// with the office (局长赵明) stays visible wherever the text names him again.
fn propagate_names(chars: &[char], first_accepted: usize, out: &mut Vec<Detection>) {
    // Each name form with the best confidence and the first role any of its mentions has.
    let mut names: HashMap<Vec<char>, (u8, Option<&'static str>)> = HashMap::new();
    let mut found_spans: HashSet<(usize, usize)> = HashSet::new();
    for found in &out[first_accepted..] {
        if found.category != Category::Person {
            continue;
        }
        found_spans.insert((found.start, found.end));
        if found.confidence_percent < PROPAGATION_MIN_CONFIDENCE_PERCENT {
            continue;
        }
        let whole = &chars[found.start..found.end];
        let parts = whole
            .iter()
            .any(|&c| is_name_separator(c))
            .then(|| whole.split(|&c| is_name_separator(c)))
            .into_iter()
            .flatten();
        for form in std::iter::once(whole).chain(parts) {
            if form.len() < 2 {
                continue;
            }
            let entry = names
                .entry(form.to_vec())
                .or_insert((found.confidence_percent, found.role));
            entry.0 = entry.0.max(found.confidence_percent);
            entry.1 = entry.1.or(found.role);
        }
    }
    if names.is_empty() {
        return;
    }
    // A mention found on its own takes the role of another mention of the same name.
    for found in &mut out[first_accepted..] {
        if found.category == Category::Person
            && found.role.is_none()
            && let Some(&(_, Some(role))) = names.get(&chars[found.start..found.end])
        {
            found.role = Some(role);
        }
    }
    // One pass over the text finds every occurrence of every form: the forms are indexed by
    // their first two characters, so a position costs one look-up, however many names there
    // are.
    let mut forms_by_first_two: HashMap<(char, char), Vec<&Vec<char>>> = HashMap::new();
    for form in names.keys() {
        forms_by_first_two
            .entry((form[0], form[1]))
            .or_default()
            .push(form);
    }
    for forms in forms_by_first_two.values_mut() {
        // The surest form first (张伟 after a cue before the guess 张伟于), then the longest, so
        // that 查曼基尼·祖鲁 is taken before a shorter form at the same place.
        forms.sort_by_key(|form| {
            (
                std::cmp::Reverse(names[*form].0),
                std::cmp::Reverse(form.len()),
            )
        });
    }
    // Most positions start no form; a bitmap of first characters answers that without hashing.
    let first_characters = CharSet::from_chars(names.keys().map(|form| form[0]));
    let mut position = 0;
    while position + 1 < chars.len() {
        if !first_characters.contains(chars[position]) {
            position += 1;
            continue;
        }
        let Some(forms) = forms_by_first_two.get(&(chars[position], chars[position + 1])) else {
            position += 1;
            continue;
        };
        let Some(form) = forms
            .iter()
            .find(|form| chars[position..].starts_with(form))
        else {
            position += 1;
            continue;
        };
        let end = position + form.len();
        let inside_a_longer_word = (position > 0 && continues_a_name(chars[position - 1]))
            || chars.get(end).is_some_and(|&c| continues_a_name(c));
        // An overlapping weaker guess (张伟于 where 张伟 was found after a cue) is left to the
        // overlap resolution, which keeps the more confident reading.
        if !inside_a_longer_word && !found_spans.contains(&(position, end)) {
            let (confidence_percent, role) = names[*form];
            let mut found = person(
                position,
                end,
                confidence_percent.saturating_sub(5),
                "姓名：与本文中已识别的姓名相同".to_owned(),
            );
            // A role word right before this mention says more than one elsewhere.
            found.role = role_before(chars, position).or(role);
            if passes_filters(chars, &found) {
                out.push(found);
            }
        }
        position = end;
    }
}

/// The middle dots that join the parts of a transliterated name (查曼基尼·祖鲁).
fn is_name_separator(c: char) -> bool {
    matches!(c, '·' | '•' | '・' | '‧' | '.')
}

/// Whether a character next to an occurrence makes it part of a longer name: another Latin
/// letter or digit next to a Latin name (Lily in Lilyan), or a middle dot.
fn continues_a_name(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_name_separator(c)
}

/// Words of 小 or 老 and a common surname that are ordinary words in their own right (小康社会,
/// 小孔, 小叶, 小钱); the segmenter keeps them as words of two characters, just as it keeps
/// 老张, so they are listed.
const ORDINARY_FAMILIAR_SHAPED_WORDS: [[char; 2]; 4] =
    [['小', '康'], ['小', '孔'], ['小', '叶'], ['小', '钱']];

/// Evidence 5: 老 or 小 before a common surname (老张, 小李) is how people call someone they
/// know; it names one person as surely as a nickname. Ambiguous surnames are left out (小时,
/// 老高 as in 老高兴), as are pairs that the segmenter joins to a neighbouring character
/// (老黄历, 小周末, 老毛病) and the ordinary words above.
fn familiar_names(chars: &[char], tokens: &[Token], out: &mut Vec<Detection>) {
    for (index, token) in tokens.iter().enumerate() {
        if !matches!(chars[token.start], '老' | '小') {
            continue;
        }
        // The pair must be a word of its own (老张) or two single-character words (小/李), so
        // that it ends where a word ends.
        let pair_is_words = token.length() == 2
            || (token.length() == 1
                && tokens.get(index + 1).is_some_and(|next| next.length() == 1));
        let position = token.start;
        let Some(&surname) = chars.get(position + 1) else {
            continue;
        };
        if !pair_is_words
            || is_ambiguous_surname(surname)
            || ORDINARY_FAMILIAR_SHAPED_WORDS.contains(&[chars[position], surname])
        {
            continue;
        }
        // 小张三 or 老王八: more characters that may belong to a word or name follow.
        if chars
            .get(position + 2)
            .is_some_and(|&next| is_given_name_character(next))
        {
            continue;
        }
        out.push(person(
            position,
            position + 2,
            50,
            "姓名：“老”或“小”加常见姓氏的称呼".to_owned(),
        ));
    }
}

fn person(start: usize, end: usize, confidence_percent: u8, reason: String) -> Detection {
    Detection {
        start,
        end,
        category: Category::Person,
        confidence_percent,
        reason,
        role: None,
    }
}

/// Skips a colon, a space or 为/是 between a cue word and a name: 申请人：张三, 申请人为张三.
fn skip_cue_separators(chars: &[char], mut position: usize) -> usize {
    while position < chars.len()
        && matches!(chars[position], '：' | ':' | ' ' | '\u{3000}' | '为' | '是')
    {
        position += 1;
    }
    position
}

/// The role word (申请人, 局长, 法定代表人…) that ends right before `start`, allowing a colon
/// between them.
fn role_before(chars: &[char], start: usize) -> Option<&'static str> {
    let mut end = start;
    while end > 0 && matches!(chars[end - 1], '：' | ':' | ' ' | '\u{3000}') {
        end -= 1;
    }
    official_cue_before(chars, end).or_else(|| name_cue_before(chars, end))
}

/// Evidence 1: a surname right after a cue word. The given name is taken as two characters when
/// both may be part of a name, otherwise one.
fn cue_name(chars: &[char], token: &Token) -> Option<Detection> {
    let role =
        official_cue_before(chars, token.start).or_else(|| name_cue_before(chars, token.start))?;
    let start = skip_cue_separators(chars, token.start);
    let surname_length = surname_length_at(&chars[start..]);
    if surname_length == 0 {
        return None;
    }
    let given_start = start + surname_length;
    let given_length = given_name_length_after_cue(chars, given_start);
    if given_length == 0 {
        return None;
    }
    let mut found = person(
        start,
        given_start + given_length,
        85,
        format!("姓名：前有“{role}”，姓氏加名"),
    );
    found.role = Some(role);
    Some(found)
}

fn given_name_length_after_cue(chars: &[char], given_start: usize) -> usize {
    let usable = |offset: usize| {
        chars
            .get(given_start + offset)
            .is_some_and(|c| may_be_in_given_name(*c))
    };
    if !usable(0) {
        return 0;
    }
    // A cue word right after the first character (张三先生, 张三身份证号) ends the name there.
    // The second character belongs to the name when it is usual in names or when the text
    // breaks right after it (李娜反映 is 李娜 + 反映; 王建国对 is 王建国 + 对).
    let boundary_after_second = !usable(2);
    let second_is_name_like = chars
        .get(given_start + 1)
        .is_some_and(|c| is_given_name_character(*c));
    if usable(1)
        && name_cue_after(chars, given_start + 1).is_none()
        && (second_is_name_like || boundary_after_second)
    {
        2
    } else {
        1
    }
}

/// Evidence 2: a word of the segmenter's dictionary made of a common surname and a two-character
/// given name (well-known people are in the dictionary as one word). Ambiguous surnames are left
/// out: 高血压, 方便面 and 白开水 are dictionary words too.
fn dictionary_name(chars: &[char], token: &Token) -> Option<Detection> {
    if token.length() != 3 || surname_length_at(&chars[token.start..token.end]) != 1 {
        return None;
    }
    let first = chars[token.start];
    let given = &chars[token.start + 1..token.end];
    if is_ambiguous_surname(first) || !given.iter().all(|c| may_be_in_given_name(*c)) {
        return None;
    }
    let given_name_like = given
        .iter()
        .filter(|c| is_given_name_character(**c))
        .count();
    Some(person(
        token.start,
        token.end,
        if given_name_like >= 1 { 55 } else { 45 },
        "姓名：词典中以常见姓氏开头的三字词".to_owned(),
    ))
}

/// Evidence 3: a surname followed by one or two characters that the dictionary does not join
/// into a word, as an unknown name is segmented (刘/希/平).
fn composed_name(chars: &[char], tokens: &[Token], index: usize) -> Option<Detection> {
    let token = &tokens[index];
    let surname_length = surname_length_at(&chars[token.start..token.end]);
    // The surname must be a token of its own (single or compound): if the dictionary glued it
    // to the next character, that is an ordinary word (高兴, 方法).
    if surname_length == 0 || surname_length != token.length() {
        return None;
    }
    let single = |offset: usize| {
        tokens
            .get(index + offset)
            .filter(|next| next.length() == 1 && may_be_in_given_name(chars[next.start]))
    };
    if let Some(found) = surname_and_two_character_word(chars, tokens, index) {
        return Some(found);
    }
    let first = single(1)?;
    let second = single(2);
    let given: Vec<char> = match second {
        Some(second) => vec![chars[first.start], chars[second.start]],
        None => vec![chars[first.start]],
    };
    let given_name_like = given
        .iter()
        .filter(|c| is_given_name_character(**c))
        .count();
    let ambiguous = surname_length == 1 && is_ambiguous_surname(chars[token.start]);
    let confidence_percent = match (given.len(), given_name_like, ambiguous) {
        (2, 2, false) => 70,
        (2, 2, true) => 60,
        (2, 1, false) => 58,
        (2, 1, true) => 45,
        (2, 0, _) => 35,
        (1, 1, false) => 55,
        (1, 1, true) => 40,
        _ => 30,
    };
    let end = first.end + second.map_or(0, |second| second.length());
    // A name is followed by something else than more unknown single characters; a long run of
    // them is unsegmentable text (classical Chinese, a list of characters), not a name.
    if second.is_some()
        && single(3).is_some_and(|third| is_cjk(chars[third.start]))
        && given_name_like < 2
    {
        return None;
    }
    Some(person(
        token.start,
        end,
        confidence_percent,
        "姓名：姓氏后接词典未收的名字用字".to_owned(),
    ))
}

/// A surname of its own followed by a two-character dictionary word whose characters are both
/// usual in given names (赵/新民, 王/建国): names are often also words.
fn surname_and_two_character_word(
    chars: &[char],
    tokens: &[Token],
    index: usize,
) -> Option<Detection> {
    let token = &tokens[index];
    let next = tokens.get(index + 1).filter(|next| next.length() == 2)?;
    let given = &chars[next.start..next.end];
    if !given
        .iter()
        .all(|c| is_given_name_character(*c) && may_be_in_given_name(*c))
    {
        return None;
    }
    let ambiguous = token.length() == 1 && is_ambiguous_surname(chars[token.start]);
    Some(person(
        token.start,
        next.end,
        if ambiguous { 40 } else { 52 },
        "姓名：姓氏后接由名字常用字组成的双字词".to_owned(),
    ))
}

/// Evidence 4 on social media: a handle after `@` stands for an account holder.
fn handles(chars: &[char], out: &mut Vec<Detection>) {
    for (at, &c) in chars.iter().enumerate() {
        if c != '@' && c != '＠' {
            continue;
        }
        // An e-mail address has a local part right before the @; the e-mail detector has it.
        if at > 0
            && (chars[at - 1].is_ascii_alphanumeric() || matches!(chars[at - 1], '.' | '_' | '-'))
        {
            continue;
        }
        let handle_length = chars[at + 1..]
            .iter()
            .take(HANDLE_MAX_CHARS)
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
            .count();
        if handle_length >= 2 {
            out.push(person(
                at + 1,
                at + 1 + handle_length,
                60,
                "社交媒体账号名（@ 后）".to_owned(),
            ));
        }
    }
}

/// Keeps generic mentions, place names and the first parts of organisation names out.
fn passes_filters(chars: &[char], candidate: &Detection) -> bool {
    let word: String = chars[candidate.start..candidate.end].iter().collect();
    if is_generic_person_word(&word) || is_place_name(&word) {
        return false;
    }
    // A surname with a form of address (宋同志, 王老师, 李医生) names a role, not a person: it
    // says no more than the surname does.
    let surname_length = surname_length_at(&chars[candidate.start..candidate.end]);
    if surname_length > 0 {
        let rest: String = chars[candidate.start + surname_length..candidate.end]
            .iter()
            .collect();
        if rest.chars().count() >= 2 && is_generic_person_word(&rest) {
            return false;
        }
    }
    // A place name inside the candidate at its start (北京人, 台湾省) is a place.
    let starts_with_place = (2..=4).any(|length| {
        length < candidate.end - candidate.start
            && is_place_name(
                &chars[candidate.start..candidate.start + length]
                    .iter()
                    .collect::<String>(),
            )
    });
    if starts_with_place {
        return false;
    }
    if org_or_place_suffix_at(chars, candidate.end).is_some() {
        return false;
    }
    // A business named after a person with its branch's place (孟小帅沈阳店, 张记北京分公司):
    // a place name, then an organisation suffix, right after the candidate.
    !(2..=4).any(|length| {
        let place_end = candidate.end + length;
        place_end < chars.len()
            && is_place_name(&chars[candidate.end..place_end].iter().collect::<String>())
            && org_or_place_suffix_at(chars, place_end).is_some()
    })
}
