//! Each extractor on a small file built here: a DOCX zipped by hand, an XLSX written by
//! rust_xlsxwriter, a Chinese PDF typeset by gongkai-render and read back by `pdftotext`, and
//! a scan of that PDF (its page rendered by `pdftoppm` and wrapped as the only content of a
//! hand-written PDF) read back by OCR.
//!
//! Without `pdftotext`, `pdftoppm`, `tesseract` (with chi_sim) or the CJK fonts the PDF tests
//! skip with a message, unless GONGKAI_REQUIRE_PDF_TOOLS is set (CI sets it), in which case
//! they fail.

use gongkai_extract::{
    ExtractError, Extracted, Format, PdfLimits, TextSource, docx_text, extract_text, pdf_text,
    xlsx_text,
};
use std::io::Write;
use std::path::PathBuf;

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
    let extracted = extract_text(Format::Docx, &bytes).expect("text");
    assert_eq!(
        (extracted.text, extracted.source),
        (text, TextSource::Embedded)
    );
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

/// The fixture letter typeset by gongkai-render, or `None` (test skipped) without CJK fonts.
fn letter_pdf() -> Option<Vec<u8>> {
    let renderer = match gongkai_render::Renderer::new(&gongkai_render::RendererConfig::default()) {
        Ok(renderer) => renderer,
        Err(error) if !pdf_tools_required() => {
            eprintln!("skipped: no CJK font to typeset the fixture ({error})");
            return None;
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
    Some(pdf)
}

/// Text without whitespace, so that line breaks of the layout do not split the words looked for.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn pdf_text_reads_chinese_through_pdftotext() {
    let Some(pdf) = letter_pdf() else { return };
    assert_eq!(Format::detect(&pdf, "letter.pdf"), Some(Format::Pdf));
    match pdf_text(&pdf, &PdfLimits::default()) {
        Ok(Extracted { text, source }) => {
            // A PDF with a text layer never goes to OCR.
            assert_eq!(source, TextSource::Embedded);
            let squeezed = squeezed(&text);
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

/// The resolution the fixture is scanned at: an ordinary office scanner setting.
const SCAN_DPI: u32 = 200;

/// A scan of the first page of `pdf`: the page rendered to an 8-bit gray image by `pdftoppm`
/// and placed, uncompressed, as the only content of each of `pages` pages of a hand-written
/// PDF, so the result has no text layer at all. `None` (test skipped) without `pdftoppm`.
fn scanned_pdf(pdf: &[u8], pages: usize) -> Option<Vec<u8>> {
    // Tests run in parallel threads of one process, so the process id alone is not unique.
    static SEQUENCE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let directory: PathBuf = std::env::temp_dir().join(format!(
        "gongkai-extract-test-{}-{}",
        std::process::id(),
        SEQUENCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&directory).expect("temporary directory");
    std::fs::write(directory.join("text.pdf"), pdf).expect("write");
    let rendered = std::process::Command::new("pdftoppm")
        .args(["-f", "1", "-l", "1", "-gray", "-singlefile"])
        .args(["-r", &SCAN_DPI.to_string()])
        .arg(directory.join("text.pdf"))
        .arg(directory.join("scan"))
        .status();
    let image = std::fs::read(directory.join("scan.pgm"));
    let _ = std::fs::remove_dir_all(&directory);
    match rendered {
        Ok(status) => assert!(status.success(), "pdftoppm failed"),
        Err(error) if !pdf_tools_required() => {
            eprintln!("skipped: pdftoppm is not available ({error})");
            return None;
        }
        Err(error) => panic!("GONGKAI_REQUIRE_PDF_TOOLS is set, but pdftoppm: {error}"),
    }
    let image = image.expect("pdftoppm wrote the page");
    // A binary PGM: "P5", width, height, maximum value, one whitespace byte, then the pixels.
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
        fields.push(String::from_utf8_lossy(&image[start..position]).into_owned());
    }
    assert_eq!((fields[0].as_str(), fields[3].as_str()), ("P5", "255"));
    let width: u32 = fields[1].parse().expect("width");
    let height: u32 = fields[2].parse().expect("height");
    let pixels = &image[position + 1..];
    assert_eq!(pixels.len(), (width * height) as usize);

    let points = |pixels: u32| f64::from(pixels) * 72.0 / f64::from(SCAN_DPI);
    let (page_width, page_height) = (points(width), points(height));
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |out: &mut Vec<u8>, head: String, stream: Option<&[u8]>| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{head}\n", offsets.len()).as_bytes());
        if let Some(stream) = stream {
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(stream);
            out.extend_from_slice(b"\nendstream\n");
        }
        out.extend_from_slice(b"endobj\n");
    };
    // Objects 1 to 4, then one page object per page from 5 on.
    let kids: Vec<String> = (0..pages).map(|page| format!("{} 0 R", 5 + page)).collect();
    object(&mut out, "<< /Type /Catalog /Pages 2 0 R >>".into(), None);
    object(
        &mut out,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            kids.join(" ")
        ),
        None,
    );
    object(
        &mut out,
        format!(
            "<< /Type /XObject /Subtype /Image /Width {width} /Height {height} \
             /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>",
            pixels.len()
        ),
        Some(pixels),
    );
    let content = format!("q {page_width:.2} 0 0 {page_height:.2} 0 0 cm /Scan Do Q");
    object(
        &mut out,
        format!("<< /Length {} >>", content.len()),
        Some(content.as_bytes()),
    );
    for _ in 0..pages {
        object(
            &mut out,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_width:.2} {page_height:.2}] \
                 /Resources << /XObject << /Scan 3 0 R >> >> /Contents 4 0 R >>"
            ),
            None,
        );
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for offset in &offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    Some(out)
}

/// OCR of a scan, or `None` (test skipped) when a tool is missing and not required.
fn ocr(scan: &[u8], limits: &PdfLimits) -> Option<Extracted> {
    match pdf_text(scan, limits) {
        Ok(extracted) => Some(extracted),
        Err(ExtractError::ToolMissing { tool }) if !pdf_tools_required() => {
            eprintln!("skipped: {tool} is not installed");
            None
        }
        Err(error) => panic!("OCR: {error}"),
    }
}

#[test]
fn a_scanned_pdf_is_read_by_ocr() {
    let Some(letter) = letter_pdf() else { return };
    let Some(scan) = scanned_pdf(&letter, 1) else {
        return;
    };
    let Some(extracted) = ocr(&scan, &PdfLimits::default()) else {
        return;
    };
    assert_eq!(
        extracted.source,
        TextSource::Ocr {
            pages_read: 1,
            pages_unread: 0
        }
    );
    // OCR makes mistakes, so a few short words are looked for, not the whole letter. No
    // space is left between Chinese characters.
    let text = &extracted.text;
    eprintln!("OCR text:\n{text}");
    for wanted in ["政府信息公开", "答复书", "主动公开", "人民政府"] {
        assert!(text.contains(wanted), "{wanted} not in {text}");
    }
}

#[test]
fn ocr_stops_at_the_page_cap_and_reports_the_pages_unread() {
    let Some(letter) = letter_pdf() else { return };
    let Some(scan) = scanned_pdf(&letter, 2) else {
        return;
    };
    let limits = PdfLimits {
        ocr_pages_max: 1,
        ..PdfLimits::default()
    };
    let Some(extracted) = ocr(&scan, &limits) else {
        return;
    };
    assert_eq!(
        extracted.source,
        TextSource::Ocr {
            pages_read: 1,
            pages_unread: 1
        }
    );
    assert!(extracted.text.contains("主动公开"), "{}", extracted.text);
}

#[test]
fn a_broken_pdf_is_unreadable_or_reports_the_missing_tool() {
    match pdf_text(b"%PDF-1.7\nnot really a PDF", &PdfLimits::default()) {
        Err(ExtractError::Unreadable { .. }) => {}
        Err(ExtractError::ToolMissing { .. }) if !pdf_tools_required() => {}
        // pdftotext may also print nothing and succeed on some garbage; no text is then fine.
        Ok(extracted) => assert!(extracted.text.trim().is_empty(), "{extracted:?}"),
        Err(other) => panic!("unexpected: {other}"),
    }
}
