//! Reads the generated PDFs back as a person would: the text with `pdftotext`, the embedded
//! fonts with `pdffonts`, the page size with `pdfinfo` and the first page as an image with
//! `pdftoppm` (all from Debian's poppler-utils, installed by scripts/install-fonts.sh).
//!
//! Without the tools or the CJK fonts these tests skip with a message, unless
//! GONGKAI_REQUIRE_PDF_TOOLS is set (CI sets it), in which case they fail: a green CI must mean
//! the PDFs were really checked.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;

use gongkai_render::{
    AnnualReportPdf, CatalogPdf, CatalogRow, CatalogSection, LetterPdf, RedactedDocumentPdf,
    RenderError, Renderer, RendererConfig, ReportBlock, ReportSection, TableCell, TablePdf,
    TableRow,
};

const POPPLER_TOOLS: &[&str] = &["pdftotext", "pdftoppm", "pdffonts", "pdfinfo"];

/// The renderer, built once for all tests, or why it could not be.
fn shared_renderer() -> &'static Result<Renderer, String> {
    static RENDERER: OnceLock<Result<Renderer, String>> = OnceLock::new();
    RENDERER.get_or_init(|| {
        for tool in POPPLER_TOOLS {
            let found = Command::new(tool).arg("-v").output().is_ok();
            if !found {
                return Err(format!(
                    "{tool} is missing (Debian poppler-utils; run scripts/install-fonts.sh)"
                ));
            }
        }
        Renderer::new(&RendererConfig::default()).map_err(|error| error.to_string())
    })
}

/// The renderer, or `None` after saying why the test is skipped; a panic instead when
/// GONGKAI_REQUIRE_PDF_TOOLS is set.
fn renderer_or_skip(test_name: &str) -> Option<&'static Renderer> {
    match shared_renderer() {
        Ok(renderer) => Some(renderer),
        Err(reason) if std::env::var_os("GONGKAI_REQUIRE_PDF_TOOLS").is_none() => {
            eprintln!("{test_name} skipped: {reason}");
            None
        }
        Err(reason) => panic!("GONGKAI_REQUIRE_PDF_TOOLS is set, but {reason}"),
    }
}

/// Writes the PDF to a fresh file under the system's temporary directory.
fn write_pdf(test_name: &str, pdf: &[u8]) -> PathBuf {
    static SEQUENCE: AtomicUsize = AtomicUsize::new(0);
    let directory = std::env::temp_dir().join(format!(
        "gongkai-render-{}-{}-{}",
        std::process::id(),
        test_name,
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&directory).expect("create temporary directory");
    let path = directory.join("document.pdf");
    std::fs::write(&path, pdf).expect("write PDF");
    path
}

fn run_tool(tool: &str, arguments: &[&str], pdf_path: &Path) -> Vec<u8> {
    let output = Command::new(tool)
        .args(arguments)
        .arg(pdf_path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .expect("run poppler tool");
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn extracted_text(pdf_path: &Path, page: Option<usize>) -> String {
    let page_text = page.map(|page| page.to_string());
    let mut arguments = vec!["-enc", "UTF-8"];
    if let Some(page_text) = &page_text {
        arguments.extend(["-f", page_text, "-l", page_text]);
    }
    String::from_utf8(run_tool("pdftotext", &arguments, pdf_path)).expect("UTF-8 text")
}

/// Text without any white space, so that line breaks chosen by the layout do not matter.
fn squeezed(text: &str) -> String {
    text.chars()
        .filter(|character| !character.is_whitespace())
        .collect()
}

fn assert_contains_all(pdf_path: &Path, expected: &[&str]) {
    let text = squeezed(&extracted_text(pdf_path, None));
    for wanted in expected {
        assert!(
            text.contains(&squeezed(wanted)),
            "{wanted:?} not found in the extracted text:\n{text}"
        );
    }
}

/// Page count and page size in points, from pdfinfo.
fn page_count_and_size(pdf_path: &Path) -> (usize, String) {
    let info = String::from_utf8(run_tool("pdfinfo", &[], pdf_path)).expect("UTF-8 info");
    let field = |name: &str| {
        info.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(|value| value.trim().to_string())
            .unwrap_or_default()
    };
    let pages = field("Pages:").parse().expect("page count");
    (pages, field("Page size:"))
}

/// Every font in the PDF is embedded (pdffonts' "emb" column), and there is at least one.
fn assert_fonts_embedded(pdf: &[u8], pdf_path: &Path) {
    let listing = String::from_utf8(run_tool("pdffonts", &[], pdf_path)).expect("UTF-8 fonts");
    let font_lines: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!font_lines.is_empty(), "no fonts in the PDF:\n{listing}");
    for line in &font_lines {
        // Columns: name, type (one or two words), encoding, emb, sub, uni, object, generation.
        let columns: Vec<&str> = line.split_whitespace().collect();
        let embedded = columns.iter().rev().nth(4).copied();
        assert_eq!(embedded, Some("yes"), "font not embedded: {line}");
    }
    // typst (krilla) writes no object streams, so the font descriptors are plain text in the
    // file and name their font programs: FontFile2 for TrueType, FontFile3 for CFF outlines.
    let has_font_program = [&b"/FontFile2"[..], b"/FontFile3"]
        .iter()
        .any(|key| pdf.windows(key.len()).any(|window| window == *key));
    assert!(has_font_program, "no FontFile2 or FontFile3 stream");
}

/// Rasterises page 1 in grey at 50 dpi and returns the share of dark pixels.
fn dark_pixel_share_of_first_page(pdf_path: &Path) -> f64 {
    let prefix = pdf_path.with_file_name("page");
    let prefix_text = prefix.to_str().expect("UTF-8 path");
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", "50", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf_path)
        .arg(prefix_text)
        .status()
        .expect("run pdftoppm");
    assert!(status.success(), "pdftoppm failed");
    let image = std::fs::read(prefix.with_extension("pgm")).expect("read PGM");
    let (width, height, pixels) = parse_binary_pgm(&image);
    assert_eq!(pixels.len(), width * height, "PGM size");
    let dark = pixels.iter().filter(|&&value| value < 128).count();
    dark as f64 / pixels.len() as f64
}

/// Parses a binary PGM ("P5", 8-bit), as pdftoppm writes it: the header is four white-space
/// separated fields, then one white-space byte, then the pixels.
fn parse_binary_pgm(image: &[u8]) -> (usize, usize, &[u8]) {
    let mut fields = Vec::new();
    let mut position = 0;
    while fields.len() < 4 {
        while image[position].is_ascii_whitespace() {
            position += 1;
        }
        let start = position;
        while !image[position].is_ascii_whitespace() {
            position += 1;
        }
        fields.push(std::str::from_utf8(&image[start..position]).expect("ASCII header"));
    }
    assert_eq!(fields[0], "P5", "binary grey map");
    assert_eq!(fields[3], "255", "8-bit grey map");
    let width = fields[1].parse().expect("width");
    let height = fields[2].parse().expect("height");
    (width, height, &image[position + 1..])
}

fn reply_letter() -> LetterPdf {
    LetterPdf {
        title: "政府信息公开申请答复书".to_string(),
        recipient: "张三".to_string(),
        body_paragraphs: vec![
            "本机关于2026年4月20日收到你（单位）提出的政府信息公开申请，申请获取\
             《某市2025年度城市道路建设项目资金使用情况》。"
                .to_string(),
            "经审查，根据《中华人民共和国政府信息公开条例》第三十六条第（二）项的规定，\
             现将你申请获取的政府信息提供给你，请查收。"
                .to_string(),
            "如对本答复不服，可以在收到本答复之日起60日内向某市人民政府申请行政复议，\
             或者在6个月内向某市人民法院提起行政诉讼。"
                .to_string(),
        ],
        agency_name: "某市人民政府办公室".to_string(),
        date_text: "2026年5月12日".to_string(),
        reference: "受理编号：GK-2026-000123".to_string(),
        seal_text: Some("（印章）".to_string()),
    }
}

fn catalog_with_rows(row_count: usize) -> CatalogPdf {
    let rows = (1..=row_count)
        .map(|number| CatalogRow {
            index_number: format!("11440300007542xxxx/2026-{number:05}"),
            title: format!("《某市第{number}号政府规章》"),
            document_number: format!("某府〔2026〕{number}号"),
            published_date: "2026-03-01".to_string(),
            validity: if number % 7 == 0 {
                "已废止"
            } else {
                "有效"
            }
            .to_string(),
        })
        .collect();
    CatalogPdf {
        agency_name: "某市人民政府办公室".to_string(),
        generated_on: "2026年5月12日".to_string(),
        sections: vec![
            CatalogSection {
                heading: "一、规章".to_string(),
                rows,
            },
            CatalogSection {
                heading: "二、规范性文件".to_string(),
                rows: Vec::new(),
            },
        ],
    }
}

/// Table 三 of the annual report, cut down: two header rows with spans, row headers nested
/// over two columns.
fn annual_report_table() -> TablePdf {
    let values = |figures: [u32; 7]| {
        figures
            .iter()
            .map(|figure| TableCell::new(figure.to_string()))
            .collect::<Vec<_>>()
    };
    TablePdf {
        title: "三、收到和处理政府信息公开申请情况".to_string(),
        caption: "单位：件".to_string(),
        column_header_rows: vec![
            vec![
                TableCell::spanning(
                    "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和",
                    2,
                    3,
                ),
                TableCell::spanning("申请人情况", 7, 1),
            ],
            vec![
                TableCell::spanning("自然人", 1, 2),
                TableCell::spanning("法人或其他组织", 5, 1),
                TableCell::spanning("总计", 1, 2),
            ],
            vec![
                TableCell::new("商业企业"),
                TableCell::new("科研机构"),
                TableCell::new("社会公益组织"),
                TableCell::new("法律服务机构"),
                TableCell::new("其他"),
            ],
        ],
        rows: vec![
            TableRow {
                row_header_cells: vec![TableCell::spanning(
                    "一、本年新收政府信息公开申请数量",
                    2,
                    1,
                )],
                value_cells: values([112, 9, 1, 0, 3, 2, 127]),
            },
            TableRow {
                row_header_cells: vec![
                    TableCell::spanning("三、本年度办理结果", 1, 2),
                    TableCell::new("（一）予以公开"),
                ],
                value_cells: values([60, 4, 0, 0, 1, 1, 66]),
            },
            TableRow {
                row_header_cells: vec![TableCell::new(
                    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                )],
                value_cells: values([12, 1, 0, 0, 0, 0, 13]),
            },
        ],
        footnotes: vec!["注：数据统计期间为2025年1月1日至2025年12月31日。".to_string()],
    }
}

#[test]
fn the_reply_letter_is_an_a4_pdf_with_embedded_fonts_and_its_text() {
    let Some(renderer) = renderer_or_skip("reply_letter") else {
        return;
    };
    let pdf = renderer
        .render_letter(&reply_letter())
        .expect("render letter");
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let path = write_pdf("letter", &pdf);
    assert_fonts_embedded(&pdf, &path);
    assert_contains_all(
        &path,
        &[
            "政府信息公开申请答复书",
            "张三：",
            "《某市2025年度城市道路建设项目资金使用情况》",
            "第三十六条第（二）项",
            "某市人民政府办公室",
            "2026年5月12日",
            "受理编号：GK-2026-000123",
            "— 1 —",
        ],
    );
    let (pages, page_size) = page_count_and_size(&path);
    assert_eq!(pages, 1);
    assert!(page_size.starts_with("595.276 x 841.89"), "{page_size}");
    eprintln!("reply letter: {} bytes", pdf.len());
}

#[test]
fn the_first_page_of_the_letter_is_not_blank() {
    let Some(renderer) = renderer_or_skip("letter_raster") else {
        return;
    };
    let pdf = renderer
        .render_letter(&reply_letter())
        .expect("render letter");
    let path = write_pdf("raster", &pdf);
    let dark_share = dark_pixel_share_of_first_page(&path);
    // Text of this length covers about one to three per cent of a page at 50 dpi; a blank or
    // box-only page would be far below, a black page far above.
    assert!(dark_share > 0.003, "page 1 is nearly blank: {dark_share}");
    assert!(dark_share < 0.5, "page 1 is mostly dark: {dark_share}");
}

#[test]
fn the_catalog_breaks_across_pages_and_repeats_its_header() {
    let Some(renderer) = renderer_or_skip("catalog") else {
        return;
    };
    let pdf = renderer
        .render_catalog(&catalog_with_rows(120))
        .expect("render catalog");
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let path = write_pdf("catalog", &pdf);
    assert_fonts_embedded(&pdf, &path);
    assert_contains_all(
        &path,
        &[
            "某市人民政府办公室政府信息公开目录",
            "一、规章",
            "11440300007542xxxx/2026-00001",
            "《某市第1号政府规章》",
            "某府〔2026〕120号",
            "已废止",
            "二、规范性文件",
            "本类目暂无信息。",
        ],
    );
    let (pages, page_size) = page_count_and_size(&path);
    assert!(
        pages >= 3,
        "120 rows should need several pages, got {pages}"
    );
    assert!(page_size.starts_with("841.89 x 595.276"), "{page_size}");
    for page in 1..=pages {
        let page_text = squeezed(&extracted_text(&path, Some(page)));
        assert!(
            page_text.contains("索引号") && page_text.contains("发布日期"),
            "page {page} lacks the header row"
        );
        // pdftotext may put the two halves of the footer apart, so each is looked for alone.
        assert!(
            page_text.contains(&format!("第{page}页"))
                && page_text.contains(&format!("共{pages}页")),
            "page {page} lacks its number"
        );
    }
    eprintln!("catalog of 120 rows: {} bytes, {pages} pages", pdf.len());
}

#[test]
fn the_report_table_has_spanned_headers_row_headers_and_footnotes() {
    let Some(renderer) = renderer_or_skip("table") else {
        return;
    };
    let pdf = renderer
        .render_table_report(&annual_report_table())
        .expect("render table");
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let path = write_pdf("table", &pdf);
    assert_fonts_embedded(&pdf, &path);
    assert_contains_all(
        &path,
        &[
            "三、收到和处理政府信息公开申请情况",
            "单位：件",
            "申请人情况",
            "法人或其他组织",
            "自然人",
            "总计",
            "一、本年新收政府信息公开申请数量",
            "（一）予以公开",
            "127",
            "注：数据统计期间为2025年1月1日至2025年12月31日。",
        ],
    );
    let (pages, page_size) = page_count_and_size(&path);
    assert_eq!(pages, 1);
    // Nine columns: landscape.
    assert!(page_size.starts_with("841.89 x 595.276"), "{page_size}");
    eprintln!("report table: {} bytes", pdf.len());
}

#[test]
fn hostile_text_is_printed_literally_and_changes_nothing() {
    let Some(renderer) = renderer_or_skip("hostile") else {
        return;
    };
    let hostile_strings = [
        "#set page(width: 1pt)",
        "#set text(size: 80pt)",
        "]",
        "$x^2$",
        "\\",
        "<script>alert(1)</script>",
        "*粗体* _斜体_ `代码`",
        "= 假标题",
        "#import \"@preview/cetz:0.3.0\"",
        "@label",
        "// 注释",
        "#eval(\"1\")",
    ];
    let mut hostile_letter = reply_letter();
    hostile_letter.title = "#set page(width: 1pt)".to_string();
    hostile_letter.recipient = "]$\\<script>".to_string();
    hostile_letter.body_paragraphs = hostile_strings
        .iter()
        .map(|hostile| hostile.to_string())
        .collect();
    let pdf = renderer
        .render_letter(&hostile_letter)
        .expect("render hostile letter");
    let path = write_pdf("hostile", &pdf);
    assert_contains_all(&path, &hostile_strings);
    assert_contains_all(&path, &["]$\\<script>："]);
    let (pages, page_size) = page_count_and_size(&path);
    assert!(page_size.starts_with("595.276 x 841.89"), "{page_size}");
    assert!(pages <= 2, "{pages} pages for a dozen short lines");

    let mut hostile_catalog = catalog_with_rows(2);
    hostile_catalog.agency_name = "#set page(flipped: false)".to_string();
    hostile_catalog.sections[0].rows[0].title = "<script>]$\\".to_string();
    let pdf = renderer
        .render_catalog(&hostile_catalog)
        .expect("render hostile catalog");
    let path = write_pdf("hostile-catalog", &pdf);
    assert_contains_all(&path, &["#set page(flipped: false)", "<script>]$\\"]);
    let (_, page_size) = page_count_and_size(&path);
    assert!(page_size.starts_with("841.89 x 595.276"), "{page_size}");

    let mut hostile_table = annual_report_table();
    hostile_table.caption = "#set page(flipped: false) ] $".to_string();
    hostile_table.rows[0].value_cells[0].text = "#table()".to_string();
    let pdf = renderer
        .render_table_report(&hostile_table)
        .expect("render hostile table");
    let path = write_pdf("hostile-table", &pdf);
    assert_contains_all(&path, &["#set page(flipped: false) ] $", "#table()"]);
}

#[test]
fn a_font_path_without_cjk_fonts_is_a_typed_error_naming_the_package() {
    let empty_directory =
        std::env::temp_dir().join(format!("gongkai-render-{}-no-fonts", std::process::id()));
    std::fs::create_dir_all(&empty_directory).expect("create directory");
    let error = Renderer::new(&RendererConfig {
        font_paths: vec![empty_directory],
    })
    .expect_err("no fonts must fail");
    assert!(matches!(error, RenderError::NoCjkFont { .. }));
    assert!(error.to_string().contains("fonts-noto-cjk"));
}

#[test]
fn oversized_input_is_refused_before_typesetting() {
    let Some(renderer) = renderer_or_skip("oversized") else {
        return;
    };
    let error = renderer
        .render_catalog(&catalog_with_rows(gongkai_render::CATALOG_ROWS_MAX + 1))
        .expect_err("too many rows");
    assert!(matches!(error, RenderError::TooLarge { field: "rows", .. }));
}

/// The six section headings of the 2021 format.
const REPORT_HEADINGS: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];

fn annual_report() -> AnnualReportPdf {
    let paragraph = |text: &str| ReportBlock::Paragraph(text.to_string());
    let blocks_by_section = vec![
        vec![
            paragraph(
                "2026年，某某局坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实\
                 《中华人民共和国政府信息公开条例》，全面推进政府信息公开工作。",
            ),
            paragraph("本报告中所列数据的统计期限自2026年1月1日起至2026年12月31日止。"),
        ],
        vec![
            ReportBlock::Table(common::table_two_regulations()),
            ReportBlock::Table(common::table_two_fees()),
        ],
        vec![ReportBlock::Table(common::table_three())],
        vec![ReportBlock::Table(common::table_four())],
        vec![paragraph(
            "一是部分栏目更新不够及时；二是解读形式较为单一。",
        )],
        vec![paragraph(
            "依据《政府信息公开信息处理费管理办法》规定，本机关2026年度未收取信息处理费。",
        )],
    ];
    AnnualReportPdf {
        title: "某某局2026年政府信息公开工作年度报告".to_string(),
        subtitle: "（2027年1月20日发布）".to_string(),
        sections: REPORT_HEADINGS
            .iter()
            .zip(blocks_by_section)
            .map(|(heading, blocks)| ReportSection {
                heading: heading.to_string(),
                blocks,
            })
            .collect(),
    }
}

#[test]
fn the_annual_report_has_every_heading_paragraph_row_label_and_figure() {
    let Some(renderer) = renderer_or_skip("annual_report") else {
        return;
    };
    let pdf = renderer
        .render_annual_report(&annual_report())
        .expect("render annual report");
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let path = write_pdf("annual-report", &pdf);
    assert_fonts_embedded(&pdf, &path);
    let mut expected = vec![
        "某某局2026年政府信息公开工作年度报告",
        "（2027年1月20日发布）",
        "《中华人民共和国政府信息公开条例》",
        "本报告中所列数据的统计期限自2026年1月1日起至2026年12月31日止。",
        "依据《政府信息公开信息处理费管理办法》规定",
        // Section 二: a sub-table's title, a row label and its figures, a decimal.
        "第二十条第（一）项",
        "行政规范性文件",
        "248",
        "1520.75",
        // Table 三: the header, the rows outside 三、本年度办理结果 and that merged label.
        "申请人情况",
        "法人或其他组织",
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "三、本年度办理结果",
        "四、结转下年度继续办理",
        "注：数据统计期间为2026年1月1日至2026年12月31日。",
        // Table 四.
        "行政复议",
        "行政诉讼",
        "未经复议直接起诉",
        "复议后起诉",
        "结果维持",
        "尚未审结",
    ];
    expected.extend(REPORT_HEADINGS);
    expected.extend(common::TABLE_THREE_APPLICANT_COLUMNS);
    let figures = [
        common::NEW_APPLICATIONS_NATURAL_PERSONS,
        common::CARRIED_OVER_NATURAL_PERSONS,
        common::RESULTS_TOTAL_NATURAL_PERSONS,
        common::CARRIED_FORWARD_NATURAL_PERSONS,
    ]
    .map(|figure| figure.to_string());
    expected.extend(figures.iter().map(String::as_str));
    assert_contains_all(&path, &expected);
    // Every row label of table 三, the ones under merged labels included. A label that wraps
    // inside its cell has its lines apart in pdftotext's reading order (a neighbouring cell's
    // text comes between them), so the labels are looked for in the order typst wrote the text
    // (`-raw`), where each cell's lines follow each other.
    let raw_text = squeezed(
        &String::from_utf8(run_tool("pdftotext", &["-raw", "-enc", "UTF-8"], &path))
            .expect("UTF-8 text"),
    );
    for label in common::table_three_row_labels() {
        assert!(
            raw_text.contains(&squeezed(label)),
            "row label {label:?} not found in:\n{raw_text}"
        );
    }
    // Table 四's fifteen figures, in their order in the row.
    let table_four_text = squeezed(&extracted_text(&path, None));
    let table_four_row = common::TABLE_FOUR_FIGURES.concat();
    assert!(
        table_four_text.contains(&table_four_row),
        "table 四's row {table_four_row} not found in:\n{table_four_text}"
    );

    // Sections 一 and 二 are portrait, 三 and 四 (ten and fifteen columns) landscape, five and
    // six portrait again, and every page carries its number.
    let (pages, _) = page_count_and_size(&path);
    assert!(pages >= 3, "{pages} pages");
    let page_sizes = page_sizes(&path, pages);
    assert!(
        page_sizes[0].starts_with("595.276 x 841.89"),
        "{page_sizes:?}"
    );
    assert!(
        page_sizes
            .iter()
            .any(|size| size.starts_with("841.89 x 595.276")),
        "no landscape page: {page_sizes:?}"
    );
    for page in 1..=pages {
        let page_text = squeezed(&extracted_text(&path, Some(page)));
        assert!(
            page_text.contains(&format!("第{page}页"))
                && page_text.contains(&format!("共{pages}页")),
            "page {page} lacks its number"
        );
        let is_landscape = page_sizes[page - 1].starts_with("841.89 x 595.276");
        let has_wide_table = page_text.contains("申请人情况") || page_text.contains("行政复议");
        assert_eq!(
            is_landscape,
            has_wide_table,
            "page {page} ({}) and its table disagree",
            page_sizes[page - 1]
        );
    }
    eprintln!("annual report: {} bytes, {pages} pages", pdf.len());
}

/// The size of each page, from pdfinfo's per-page listing.
fn page_sizes(pdf_path: &Path, pages: usize) -> Vec<String> {
    let last_page = pages.to_string();
    let info = String::from_utf8(run_tool(
        "pdfinfo",
        &["-f", "1", "-l", &last_page],
        pdf_path,
    ))
    .expect("UTF-8 info");
    let sizes: Vec<String> = info
        .lines()
        .filter(|line| line.starts_with("Page") && line.contains("size:"))
        .filter_map(|line| line.split_once("size:"))
        .map(|(_, size)| size.trim().to_string())
        .collect();
    assert_eq!(sizes.len(), pages, "{info}");
    sizes
}

#[test]
fn a_report_table_whose_cells_do_not_fit_is_refused_before_typesetting() {
    let Some(renderer) = renderer_or_skip("report_invalid") else {
        return;
    };
    let mut report = annual_report();
    let mut table = common::table_four();
    table.rows[0].value_cells.push(TableCell::new("16"));
    report.sections[3].blocks = vec![ReportBlock::Table(table)];
    let error = renderer
        .render_annual_report(&report)
        .expect_err("a sixteenth figure in a table of fifteen columns");
    assert!(matches!(error, RenderError::InvalidTable { .. }), "{error}");

    let mut report = annual_report();
    report.sections = (0..=gongkai_render::REPORT_SECTIONS_MAX)
        .map(|number| ReportSection {
            heading: number.to_string(),
            blocks: Vec::new(),
        })
        .collect();
    let error = renderer
        .render_annual_report(&report)
        .expect_err("too many sections");
    assert!(
        matches!(
            error,
            RenderError::TooLarge {
                field: "sections",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn a_redacted_document_prints_its_lines_and_the_note_of_what_was_withheld() {
    let Some(renderer) = renderer_or_skip("redacted_document") else {
        return;
    };
    let document = RedactedDocumentPdf {
        title: "政府信息（区分处理后公开文本）".to_string(),
        reference: "demo-city-2026-00001".to_string(),
        paragraphs: vec![
            "当事人：示范市某某建材有限公司，法定代表人：王建国。".to_string(),
            String::new(),
            "举报人[已删除]，联系电话138****8000。".to_string(),
        ],
        notes: vec![
            "说明：依据《中华人民共和国政府信息公开条例》第十五条（个人隐私），不予公开2处。"
                .to_string(),
        ],
    };
    let pdf = renderer
        .render_redacted_document(&document)
        .expect("render redacted document");
    let path = write_pdf("redacted", &pdf);
    assert_fonts_embedded(&pdf, &path);
    assert_contains_all(
        &path,
        &[
            "政府信息（区分处理后公开文本）",
            "demo-city-2026-00001",
            "法定代表人：王建国。",
            "举报人[已删除]，联系电话138****8000。",
            "第十五条（个人隐私），不予公开2处。",
            "第 1 页",
        ],
    );
    let (pages, page_size) = page_count_and_size(&path);
    assert_eq!(pages, 1);
    assert!(page_size.starts_with("595.276 x 841.89"), "{page_size}");
    let too_many = RedactedDocumentPdf {
        paragraphs: vec!["行".to_string(); gongkai_render::REDACTED_PARAGRAPHS_MAX + 1],
        ..document
    };
    assert!(matches!(
        renderer.render_redacted_document(&too_many),
        Err(RenderError::TooLarge {
            field: "paragraphs",
            ..
        })
    ));
}
