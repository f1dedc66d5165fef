//! Detector for a natural person's address: administrative divisions, street or village, and
//! the house number that makes it one household's (北京市朝阳区某某路12号3单元401室).
//!
//! A place name alone (北京, 朝阳区, 台湾) is not personal data and is never reported: an address
//! is only found where a house-level number follows a street, road, village or estate. Its
//! confidence depends on how personal it looks: after a cue such as 住址/家住 it is almost
//! certainly a household; with a room or unit number it very likely is; a bare "路 12 号" is
//! as often an office (agencies publish theirs), so it scores low and the default policy keeps
//! it. This file must never report an address without a house-level number.

use super::numbers::digit_value;
use super::{Category, Detection};

/// The longest address read leftwards from its house number, in characters.
const ADDRESS_PREFIX_MAX_CHARS: usize = 30;

/// Units that end a house-level number: 12号, 3栋, 2单元, 401室.
const HOUSE_UNITS: &[&str] = &[
    "号楼", "号院", "单元", "号", "栋", "幢", "座", "室", "层", "楼", "户", "组", "弄",
];
/// Words that show a street, a village or an estate, one of which must stand before the house
/// number.
const STREET_MARKERS: &[char] = &[
    '路', '街', '道', '巷', '弄', '里', '村', '组', '屯', '区', '苑', '园', '庄', '坊', '院', '厦',
    '寓', '城', '湾', '府', '邸', '居',
];
/// Cue words that say the following address is where someone lives.
const PERSONAL_ADDRESS_CUES: &[&str] = &[
    "住址",
    "家住",
    "住在",
    "现住",
    "现居",
    "居住地",
    "居住在",
    "居住于",
    "户籍地",
    "户籍所在地",
    "住所地",
    "住所",
    "住",
    "暂住",
    "送达地址",
    "家庭地址",
    "家庭住址",
    "通讯地址",
    "联系地址",
    "收货地址",
];
/// Characters that cannot be inside an address and so end it when reading leftwards.
const ADDRESS_STOPS: &[char] = &[
    '在', '于', '是', '的', '到', '从', '至', '往', '为', '和', '与', '及', '或', '向', '去', '来',
];
/// Units that only a household has (an office gives a street number, rarely a room).
const ROOM_LEVEL_UNITS: &[&str] = &["单元", "室", "户"];

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Only Arabic digits count: Chinese numerals before 户, 组 or 楼 are far more often ordinary
/// counting (每一户, 第二组, 一楼大厅) than a house number.
fn is_number_character(c: char) -> bool {
    digit_value(c).is_some()
}

/// The house unit that starts at `position`, if any.
fn house_unit_at(chars: &[char], position: usize) -> Option<usize> {
    HOUSE_UNITS.iter().find_map(|unit| {
        let length = unit.chars().count();
        let fits = position + length <= chars.len()
            && unit
                .chars()
                .eq(chars[position..position + length].iter().copied());
        fits.then_some(length)
    })
}

fn ends_with(chars: &[char], end: usize, word: &str) -> bool {
    let length = word.chars().count();
    end >= length && word.chars().eq(chars[end - length..end].iter().copied())
}

/// Reads number-and-unit groups from `position` (12号3栋2单元401室, 5-1-302室) and returns the
/// end of the last one and whether a room-level unit was among them.
fn read_house_number(chars: &[char], mut position: usize) -> Option<(usize, bool)> {
    let mut end = None;
    let mut room_level = false;
    loop {
        let digits_start = position;
        while position < chars.len()
            && (is_number_character(chars[position]) || chars[position] == '-')
        {
            position += 1;
        }
        if position == digits_start {
            break;
        }
        // 5-1-302 without a final unit is a room in a building in the usual shorthand.
        let dashed = chars[digits_start..position].contains(&'-');
        match house_unit_at(chars, position) {
            Some(length) => {
                let unit: String = chars[position..position + length].iter().collect();
                room_level |= ROOM_LEVEL_UNITS.contains(&unit.as_str()) || dashed;
                position += length;
                end = Some(position);
            }
            None if dashed && digit_value(chars[position - 1]).is_some() => {
                room_level = true;
                end = Some(position);
                break;
            }
            None => break,
        }
    }
    end.map(|end| (end, room_level))
}

/// Finds personal addresses in `chars`.
pub(crate) fn detect_addresses(chars: &[char], out: &mut Vec<Detection>) {
    let mut index = 0;
    while index < chars.len() {
        let starts_number = is_number_character(chars[index])
            && (index == 0 || !is_number_character(chars[index - 1]));
        if !starts_number {
            index += 1;
            continue;
        }
        let Some((end, room_level)) = read_house_number(chars, index) else {
            index += 1;
            continue;
        };
        match address_before(chars, index) {
            Some((start, personal_cue)) => {
                let confidence_percent = match (personal_cue, room_level) {
                    (true, _) => 88,
                    (false, true) => 72,
                    (false, false) => 45,
                };
                let reason = if personal_cue {
                    "住址：前有“住址/家住”等提示词，含街路（村）与门牌号"
                } else if room_level {
                    "住址：街路（小区）加门牌号与单元/室号"
                } else {
                    "地址：街路加门牌号（可能是单位地址）"
                };
                out.push(Detection {
                    start,
                    end,
                    category: Category::Address,
                    confidence_percent,
                    reason: reason.to_owned(),
                    role: None,
                });
                index = end;
            }
            None => index = end,
        }
    }
}

/// Reads leftwards from a house number over the street and division names and returns where
/// the address starts and whether a personal cue word stands right before it. `None` when no
/// street marker stands before the number.
fn address_before(chars: &[char], number_start: usize) -> Option<(usize, bool)> {
    let mut start = number_start;
    let mut personal_cue = false;
    while start > 0 && number_start - start < ADDRESS_PREFIX_MAX_CHARS {
        let cue = PERSONAL_ADDRESS_CUES
            .iter()
            .find(|cue| ends_with(chars, start, cue));
        if cue.is_some() {
            personal_cue = true;
            break;
        }
        // A colon or 为/是 may sit between a cue and the address: 住址：…, 住址为….
        let c = chars[start - 1];
        if matches!(c, '：' | ':') {
            let cue_before_colon = PERSONAL_ADDRESS_CUES
                .iter()
                .any(|cue| ends_with(chars, start - 1, cue));
            personal_cue = cue_before_colon;
            break;
        }
        let part_of_address =
            (is_cjk(c) && !ADDRESS_STOPS.contains(&c)) || is_number_character(c) || c == '-';
        if !part_of_address {
            break;
        }
        start -= 1;
    }
    let has_street = chars[start..number_start]
        .iter()
        .any(|c| STREET_MARKERS.contains(c));
    (has_street && start < number_start).then_some((start, personal_cue))
}
