//! Each extractor on a small file built here: a DOCX zipped by hand, an XLSX written by
//! rust_xlsxwriter and a Chinese PDF typeset by gongkai-render and read back by `pdftotext`.
//!
//! Without `pdftotext` or the CJK fonts the PDF test skips with a message, unless
//! GONGKAI_REQUIRE_PDF_TOOLS is set (CI sets it), in which case it fails.

use gongkai_extract::{ExtractError, Format, docx_text, extract_text, pdf_text, xlsx_text};
use std::io::Write;
use std::time::Duration;

fn docx_with_body(body_xml: &str) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body_xml}</w:body></w:document>"#
    );
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer
        .start_file("[Content_Types].xml", options)
        .expect("zip entry");
    writer
        .write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#)
        .expect("write");
    writer
        .start_file("word/document.xml", options)
        .expect("zip entry");
    writer.write_all(document.as_bytes()).expect("write");
    writer.finish().expect("zip").into_inner()
}

#[test]
fn docx_text_reads_paragraphs_tabs_and_breaks() {
    let bytes = docx_with_body(
        "<w:p><w:r><w:t>关于做好政府信息公开工作的通知</w:t></w:r></w:p>\
         <w:p><w:r><w:t>一、</w:t></w:r><w:r><w:tab/><w:t>主动公开</w:t></w:r></w:p>\
         <w:p><w:r><w:t>联系电话：</w:t><w:br/><w:t>010-12345678</w:t></w:r></w:p>",
    );
    assert_eq!(Format::detect(&bytes, "通知.docx"), Some(Format::Docx));
    let text = docx_text(&bytes).expect("text");
    assert_eq!(
        text,
        "关于做好政府信息公开工作的通知\n一、\t主动公开\n联系电话：\n010-12345678"
    );
    assert_eq!(extract_text(Format::Docx, &bytes).expect("text"), text);
}

#[test]
fn docx_without_a_document_part_is_unreadable() {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file("other.xml", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    writer.write_all(b"<x/>").expect("write");
    let bytes = writer.finish().expect("zip").into_inner();
    let error = docx_text(&bytes).expect_err("no word/document.xml");
    assert!(matches!(error, ExtractError::Unreadable { .. }), "{error}");
}

#[test]
fn xlsx_text_puts_cells_in_tab_separated_rows_sheet_by_sheet() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let first = workbook.add_worksheet();
    first.set_name("收费项目").expect("name");
    first.write_string(0, 0, "项目").expect("cell");
    first.write_string(0, 1, "标准（元）").expect("cell");
    first.write_string(1, 0, "信息处理费").expect("cell");
    first.write_number(1, 1, 100).expect("cell");
    let second = workbook.add_worksheet();
    second.set_name("说明").expect("name");
    second
        .write_string(0, 0, "依据国办函〔2020〕109号")
        .expect("cell");
    let bytes = workbook.save_to_buffer().expect("xlsx");
    assert_eq!(Format::detect(&bytes, "收费.xlsx"), Some(Format::Xlsx));
    let text = xlsx_text(&bytes).expect("text");
    assert_eq!(
        text,
        "收费项目\n项目\t标准（元）\n信息处理费\t100\n\n说明\n依据国办函〔2020〕109号"
    );
}

fn pdf_tools_required() -> bool {
    std::env::var_os("GONGKAI_REQUIRE_PDF_TOOLS").is_some()
}

#[test]
fn pdf_text_reads_chinese_through_pdftotext() {
    let renderer = match gongkai_render::Renderer::new(&gongkai_render::RendererConfig::default()) {
        Ok(renderer) => renderer,
        Err(error) if !pdf_tools_required() => {
            eprintln!("skipped: no CJK font to typeset the fixture ({error})");
            return;
        }
        Err(error) => panic!("GONGKAI_REQUIRE_PDF_TOOLS is set, but: {error}"),
    };
    let pdf = renderer
        .render_letter(&gongkai_render::LetterPdf {
            title: "政府信息公开申请答复书".to_string(),
            recipient: "张三".to_string(),
            body_paragraphs: vec!["经审查，您申请公开的信息属于主动公开范围。".to_string()],
            agency_name: "示范市人民政府办公室".to_string(),
            date_text: "2026年5月12日".to_string(),
            reference: "2026-0001".to_string(),
            seal_text: None,
        })
        .expect("PDF");
    assert_eq!(Format::detect(&pdf, "letter.pdf"), Some(Format::Pdf));
    match pdf_text(&pdf, Duration::from_secs(20)) {
        Ok(text) => {
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            for wanted in [
                "政府信息公开申请答复书",
                "主动公开范围",
                "示范市人民政府办公室",
            ] {
                assert!(squeezed.contains(wanted), "{wanted} not in {text}");
            }
        }
        Err(ExtractError::ToolMissing { tool }) if !pdf_tools_required() => {
            eprintln!("skipped: {tool} is not installed");
        }
        Err(error) => panic!("pdftotext: {error}"),
    }
}

#[test]
fn a_broken_pdf_is_unreadable_or_reports_the_missing_tool() {
    match pdf_text(b"%PDF-1.7\nnot really a PDF", Duration::from_secs(20)) {
        Err(ExtractError::Unreadable { .. }) => {}
        Err(ExtractError::ToolMissing { .. }) if !pdf_tools_required() => {}
        // pdftotext may also print nothing and succeed on some garbage; no text is then fine.
        Ok(text) => assert!(text.trim().is_empty(), "{text}"),
        Err(other) => panic!("unexpected: {other}"),
    }
}
