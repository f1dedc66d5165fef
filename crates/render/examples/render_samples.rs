//! Writes one sample of each PDF into a directory and prints its size and how long it took, so
//! that a person can look at the layouts (`pdftoppm -png`) and see what a render costs:
//!
//! ```text
//! cargo run -p gongkai-render --example render_samples -- /tmp/gongkai-pdf-samples
//! ```
//!
//! It uses invented data only and must never read a database.

use std::path::PathBuf;
use std::time::Instant;

use gongkai_render::{
    CatalogPdf, CatalogRow, CatalogSection, LetterPdf, Renderer, RendererConfig, TableCell,
    TablePdf, TableRow,
};

/// How many catalog rows the large sample has: a county agency's output of a few years.
const LARGE_CATALOG_ROWS: usize = 1_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let output_directory = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("gongkai-pdf-samples"));
    std::fs::create_dir_all(&output_directory)?;

    let started = Instant::now();
    let renderer = Renderer::new(&RendererConfig::default())?;
    println!(
        "Renderer::new: {:.0} ms, fonts {:?}",
        started.elapsed().as_secs_f64() * 1000.0,
        renderer.font_files()
    );

    let letter = LetterPdf {
        title: "政府信息公开申请答复书".to_string(),
        recipient: "张三".to_string(),
        body_paragraphs: vec![
            "本机关于2026年4月20日收到你提出的政府信息公开申请，申请获取《某市2025年度城市\
             道路建设项目资金使用情况》。"
                .to_string(),
            "经审查，根据《中华人民共和国政府信息公开条例》第三十六条第（二）项的规定，现将\
             你申请获取的政府信息提供给你，请查收。"
                .to_string(),
            "如对本答复不服，可以在收到本答复之日起60日内向某市人民政府申请行政复议，或者在\
             6个月内向某市人民法院提起行政诉讼。"
                .to_string(),
        ],
        agency_name: "某市人民政府办公室".to_string(),
        date_text: "2026年5月12日".to_string(),
        reference: "受理编号：GK-2026-000123".to_string(),
        seal_text: Some("（印章）".to_string()),
    };
    let catalog = |row_count: usize| CatalogPdf {
        agency_name: "某市人民政府办公室".to_string(),
        generated_on: "2026年5月12日".to_string(),
        sections: vec![CatalogSection {
            heading: "一、规章".to_string(),
            rows: (1..=row_count)
                .map(|number| CatalogRow {
                    index_number: format!("000014349/2026-{number:05}"),
                    title: format!(
                        "《某市第{number}号政府规章》关于进一步加强政务公开工作的实施意见"
                    ),
                    document_number: format!("某府〔2026〕{number}号"),
                    published_date: "2026-03-01".to_string(),
                    validity: "有效".to_string(),
                })
                .collect(),
        }],
    };
    let table = TablePdf {
        title: "三、收到和处理政府信息公开申请情况".to_string(),
        caption: "单位：件".to_string(),
        column_header_rows: vec![
            vec![
                TableCell::spanning("项目", 2, 3),
                TableCell::spanning("申请人情况", 7, 1),
            ],
            vec![
                TableCell::spanning("自然人", 1, 2),
                TableCell::spanning("法人或其他组织", 5, 1),
                TableCell::spanning("总计", 1, 2),
            ],
            [
                "商业企业",
                "科研机构",
                "社会公益组织",
                "法律服务机构",
                "其他",
            ]
            .into_iter()
            .map(TableCell::new)
            .collect(),
        ],
        rows: (1..=20)
            .map(|number| TableRow {
                row_header_cells: vec![TableCell::spanning(format!("第{number}项"), 2, 1)],
                value_cells: (0..7)
                    .map(|value| TableCell::new(value.to_string()))
                    .collect(),
            })
            .collect(),
        footnotes: vec!["注：数据统计期间为2025年1月1日至2025年12月31日。".to_string()],
    };

    // Each sample is rendered twice, the second time for another agency, because typst
    // memoises: rendering identical data again would only measure its cache.
    let render = |file_name: &str, agency_name: &str| match file_name {
        "letter.pdf" => renderer.render_letter(&LetterPdf {
            agency_name: agency_name.to_string(),
            ..letter.clone()
        }),
        "catalog-20.pdf" => renderer.render_catalog(&CatalogPdf {
            agency_name: agency_name.to_string(),
            ..catalog(20)
        }),
        "catalog-1000.pdf" => renderer.render_catalog(&CatalogPdf {
            agency_name: agency_name.to_string(),
            ..catalog(LARGE_CATALOG_ROWS)
        }),
        _ => renderer.render_table_report(&TablePdf {
            title: format!("{agency_name}{}", table.title),
            ..table.clone()
        }),
    };
    for file_name in [
        "letter.pdf",
        "catalog-20.pdf",
        "catalog-1000.pdf",
        "table.pdf",
    ] {
        // The first render of a kind pays for loading font files and warming typst's caches,
        // so it is timed apart from the second.
        let started = Instant::now();
        let pdf = render(file_name, "某市人民政府办公室")?;
        let first_milliseconds = started.elapsed().as_secs_f64() * 1000.0;
        let started = Instant::now();
        render(file_name, "某县人民政府办公室")?;
        let second_milliseconds = started.elapsed().as_secs_f64() * 1000.0;
        std::fs::write(output_directory.join(file_name), &pdf)?;
        println!(
            "{file_name}: {} bytes, first render {first_milliseconds:.0} ms, \
             second (other agency) {second_milliseconds:.0} ms",
            pdf.len()
        );
    }
    Ok(())
}
