//! Plain text out of the files staff attach to published documents, so that search can find
//! what is written inside them (Art. 24: the platform must support search, viewing and
//! download of everything published).
//!
//! Three formats, three adapters:
//! - PDF through poppler's `pdftotext -layout -enc UTF-8` as a subprocess with a timeout.
//!   Chinese official-document PDFs often use CID fonts without a ToUnicode map, which pure-Rust
//!   extractors turn into U+FFFD; poppler decodes them through the Adobe-GB1 CMaps.
//! - DOCX by reading `word/document.xml` out of the ZIP with quick-xml (`w:t`, `w:tab`, `w:br`,
//!   paragraphs); a full DOCX library would cost more than these few lines.
//! - XLSX through calamine: cells tab-separated per row, one sheet after another.
//!
//! Every input is untrusted: sizes are bounded (a ZIP bomb stops at `XML_BYTES_MAX`), the
//! output is bounded (`TEXT_CHARS_MAX`), and failures are typed errors, never panics.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest text kept from one file, in characters. Longer text is cut: search needs the
/// words, not a second copy of a huge spreadsheet.
pub const TEXT_CHARS_MAX: usize = 1_000_000;
/// The largest uncompressed XML part read out of a DOCX (a ZIP bomb stops here).
const XML_BYTES_MAX: u64 = 64 * 1024 * 1024;
/// How long `pdftotext` may run on one file by default.
pub const PDF_TIMEOUT_DEFAULT: Duration = Duration::from_secs(20);

/// The formats whose text can be extracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
    Xlsx,
}

impl Format {
    /// The format of a file, decided from its first bytes (and, for the two ZIP-based Office
    /// formats, which share their magic number, from the name's extension).
    pub fn detect(bytes: &[u8], filename: &str) -> Option<Format> {
        let lower = filename.to_lowercase();
        if bytes.starts_with(b"%PDF-") {
            Some(Format::Pdf)
        } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".docx") {
            Some(Format::Docx)
        } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }

    /// The media type served with downloads of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Why no text came out of a file.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The external tool is not installed; the file is fine, only its text is unavailable here.
    #[error("{tool} is not installed, so the text of this file is unavailable")]
    ToolMissing { tool: &'static str },
    #[error("{tool} did not finish within {seconds} s")]
    TimedOut { tool: &'static str, seconds: u64 },
    #[error("{tool} failed: {message}")]
    ToolFailed { tool: &'static str, message: String },
    /// The file is not a readable file of its format (truncated, encrypted, not what its name
    /// says).
    #[error("the file cannot be read as {format}: {message}")]
    Unreadable {
        format: &'static str,
        message: String,
    },
    #[error("temporary file: {0}")]
    TemporaryFile(std::io::Error),
}

impl ExtractError {
    /// A stable code for storing and showing the outcome.
    pub fn code(&self) -> &'static str {
        match self {
            ExtractError::ToolMissing { .. } => "tool_missing",
            ExtractError::TimedOut { .. } => "timed_out",
            ExtractError::ToolFailed { .. } => "tool_failed",
            ExtractError::Unreadable { .. } => "unreadable",
            ExtractError::TemporaryFile(_) => "temporary_file",
        }
    }
}

/// Extracts the text of a file of a known format. Blocking (PDF runs a subprocess): async
/// callers run it on a blocking thread.
pub fn extract_text(format: Format, bytes: &[u8]) -> Result<String, ExtractError> {
    match format {
        Format::Pdf => pdf_text(bytes, PDF_TIMEOUT_DEFAULT),
        Format::Docx => docx_text(bytes),
        Format::Xlsx => xlsx_text(bytes),
    }
}

/// Cuts text to `TEXT_CHARS_MAX` characters.
fn bounded(mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(TEXT_CHARS_MAX) {
        text.truncate(cut);
    }
    text
}

// ---------------------------------------------------------------------------------------------
// PDF

/// A fresh private directory for one extraction, removed when dropped.
struct ScratchDirectory(PathBuf);

impl ScratchDirectory {
    fn create() -> Result<ScratchDirectory, ExtractError> {
        static SEQUENCE: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "gongkai-extract-{}-{}-{nanos}",
            std::process::id(),
            SEQUENCE.fetch_add(1, Ordering::Relaxed)
        ));
        // create_dir (not create_dir_all) fails if the name exists, so another process's
        // directory is never reused.
        std::fs::create_dir(&path).map_err(ExtractError::TemporaryFile)?;
        Ok(ScratchDirectory(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDirectory {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The text of a PDF through `pdftotext -layout -enc UTF-8 FILE -`, killed after `timeout`.
/// The PDF goes through a file (poppler needs to seek); the text comes back on stdout, read by
/// a thread so a large output cannot fill the pipe and stall the tool.
pub fn pdf_text(bytes: &[u8], timeout: Duration) -> Result<String, ExtractError> {
    const TOOL: &str = "pdftotext";
    let scratch = ScratchDirectory::create()?;
    let input = scratch.path().join("input.pdf");
    std::fs::write(&input, bytes).map_err(ExtractError::TemporaryFile)?;
    let mut child = match Command::new(TOOL)
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&input)
        .arg("-")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ExtractError::ToolMissing { tool: TOOL });
        }
        Err(error) => {
            return Err(ExtractError::ToolFailed {
                tool: TOOL,
                message: error.to_string(),
            });
        }
    };
    let reader = |stream: Option<Box<dyn Read + Send>>, limit: u64| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(stream) = stream {
                // Bytes past the limit are drained, not kept, so the tool can still finish.
                let mut stream = stream;
                let _ = (&mut stream).take(limit).read_to_end(&mut out);
                let _ = std::io::copy(&mut stream, &mut std::io::sink());
            }
            out
        })
    };
    // UTF-8 takes at most four bytes per character.
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        (TEXT_CHARS_MAX * 4) as u64,
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        4096,
    );
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ExtractError::TimedOut {
                    tool: TOOL,
                    seconds: timeout.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(error) => {
                return Err(ExtractError::ToolFailed {
                    tool: TOOL,
                    message: error.to_string(),
                });
            }
        }
    };
    let text = stdout.join().unwrap_or_default();
    let errors = stderr.join().unwrap_or_default();
    if !status.success() {
        return Err(ExtractError::Unreadable {
            format: "PDF",
            message: String::from_utf8_lossy(&errors).trim().to_string(),
        });
    }
    // pdftotext separates pages with form feeds; they mean nothing to search or to readers.
    let text = String::from_utf8_lossy(&text).replace('\u{c}', "\n");
    Ok(bounded(text))
}

// ---------------------------------------------------------------------------------------------
// DOCX

fn unreadable(format: &'static str, message: impl std::fmt::Display) -> ExtractError {
    ExtractError::Unreadable {
        format,
        message: message.to_string(),
    }
}

/// The text of a DOCX: the runs of `word/document.xml`, one line per paragraph, `w:tab` as a
/// tab and `w:br`/`w:cr` as a line break. Deleted text (`w:delText`) and field codes
/// (`w:instrText`) are not text a reader sees, so they are skipped.
pub fn docx_text(bytes: &[u8]) -> Result<String, ExtractError> {
    const FORMAT: &str = "DOCX";
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(FORMAT, e))?;
    let mut part = archive
        .by_name("word/document.xml")
        .map_err(|e| unreadable(FORMAT, format!("word/document.xml: {e}")))?;
    let mut xml_bytes = Vec::new();
    (&mut part)
        .take(XML_BYTES_MAX + 1)
        .read_to_end(&mut xml_bytes)
        .map_err(|e| unreadable(FORMAT, e))?;
    if xml_bytes.len() as u64 > XML_BYTES_MAX {
        return Err(unreadable(FORMAT, "word/document.xml is too large"));
    }
    let xml = String::from_utf8(xml_bytes).map_err(|e| unreadable(FORMAT, e))?;
    docx_xml_text(&xml).map_err(|e| unreadable(FORMAT, e))
}

/// The text of a WordprocessingML body (separate from the ZIP so it can be tested alone).
pub fn docx_xml_text(xml: &str) -> Result<String, quick_xml::Error> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    // Inside <w:t>: only there is character data text of the document.
    let mut in_text = false;
    loop {
        match reader.read_event()? {
            Event::Start(element) => match element.local_name().as_ref() {
                "t" => in_text = true,
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                _ => {}
            },
            Event::Empty(element) => match element.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                // An empty paragraph is still a line.
                "p" => out.push('\n'),
                _ => {}
            },
            Event::End(element) => match element.local_name().as_ref() {
                "t" => in_text = false,
                "p" => out.push('\n'),
                _ => {}
            },
            Event::Text(text) if in_text => out.push_str(&text.xml10_content()),
            Event::CData(text) if in_text => out.push_str(&text.xml10_content()),
            Event::GeneralRef(reference) if in_text => {
                if let Some(character) = reference.resolve_char_ref()? {
                    out.push(character);
                } else if let Some(resolved) =
                    quick_xml::escape::resolve_predefined_entity(&reference.xml10_content())
                {
                    out.push_str(resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if out.len() > TEXT_CHARS_MAX * 4 {
            break;
        }
    }
    Ok(bounded(out.trim_end().to_string()))
}

// ---------------------------------------------------------------------------------------------
// XLSX

/// The text of an XLSX workbook: each sheet's name on a line of its own, then its rows with
/// cells separated by tabs (trailing empty cells dropped); a blank line between sheets.
pub fn xlsx_text(bytes: &[u8]) -> Result<String, ExtractError> {
    use calamine::Reader;
    const FORMAT: &str = "XLSX";
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(FORMAT, e))?;
    let mut out = String::new();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| unreadable(FORMAT, format!("sheet {name}: {e}")))?;
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&name);
        out.push('\n');
        for row in range.rows() {
            let cells: Vec<String> = row.iter().map(|cell| cell.to_string()).collect();
            let used = cells
                .iter()
                .rposition(|c| !c.is_empty())
                .map_or(0, |last| last + 1);
            if used == 0 {
                continue;
            }
            out.push_str(&cells[..used].join("\t"));
            out.push('\n');
            if out.len() > TEXT_CHARS_MAX * 4 {
                return Ok(bounded(out));
            }
        }
    }
    Ok(bounded(out.trim_end().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_content() {
        assert_eq!(Format::detect(b"%PDF-1.7", "x.docx"), Some(Format::Pdf));
        assert_eq!(
            Format::detect(b"PK\x03\x04...", "a.DOCX"),
            Some(Format::Docx)
        );
        assert_eq!(
            Format::detect(b"PK\x03\x04...", "a.xlsx"),
            Some(Format::Xlsx)
        );
        assert_eq!(Format::detect(b"PK\x03\x04...", "a.zip"), None);
        assert_eq!(Format::detect(b"MZ\x90", "a.pdf"), None);
    }

    #[test]
    fn docx_xml_keeps_paragraphs_tabs_breaks_and_entities() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>第一条</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">为了保障 </w:t></w:r></w:p>
<w:p/>
<w:p><w:r><w:t>A &amp; B &#x4E2D;</w:t><w:br/><w:t>下一行</w:t></w:r><w:r><w:delText>删除</w:delText><w:instrText>PAGE</w:instrText></w:r></w:p>
</w:body></w:document>"#;
        let text = docx_xml_text(xml).expect("parses");
        assert_eq!(text, "第一条\t为了保障 \n\nA & B 中\n下一行");
    }

    #[test]
    fn garbage_is_unreadable_not_a_panic() {
        assert_eq!(
            docx_text(b"PK\x03\x04garbage").unwrap_err().code(),
            "unreadable"
        );
        assert_eq!(
            xlsx_text(b"PK\x03\x04garbage").unwrap_err().code(),
            "unreadable"
        );
        assert!(
            docx_xml_text("<w:p><w:t>unclosed</w:p>").is_err(),
            "mismatched tags are an error"
        );
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let text = bounded("中".repeat(TEXT_CHARS_MAX + 5));
        assert_eq!(text.chars().count(), TEXT_CHARS_MAX);
    }
}
