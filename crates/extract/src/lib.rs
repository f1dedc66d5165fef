//! Plain text out of the files staff attach to published documents, so that search can find
//! what is written inside them (Art. 24: the platform must support search, viewing and
//! download of everything published).
//!
//! Three formats, three adapters:
//! - PDF through poppler's `pdftotext -layout -enc UTF-8` as a subprocess with a timeout.
//!   Chinese official-document PDFs often use CID fonts without a ToUnicode map, which pure-Rust
//!   extractors turn into U+FFFD; poppler decodes them through the Adobe-GB1 CMaps. A scanned
//!   PDF has no text layer: its pages are rendered by poppler's `pdftoppm` and read by
//!   `tesseract -l chi_sim+eng` (OCR), page by page, with a page cap and timeouts, and the
//!   result says so (`TextSource::Ocr`), because recognised text may contain errors.
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
/// A PDF whose text layer has fewer non-whitespace characters than this per page, on average,
/// is treated as a scan and read by OCR. A real page of text has hundreds of characters, while
/// a scan's text layer holds at most a page number or a scanner app's watermark ("扫描全能王
/// 创建" is seven characters), so twenty per page separates the two with room on both sides.
pub const OCR_TEXT_LAYER_CHARS_PER_PAGE_MIN: usize = 20;
/// At most this many pages of a scan are read by OCR by default; later pages are counted as
/// unread in `TextSource::Ocr`. OCR costs seconds per page, and a long scan is rarely more
/// than an annex whose first pages say what it is.
pub const OCR_PAGES_MAX_DEFAULT: usize = 30;
/// How long rendering or recognising one page may take by default.
pub const OCR_PAGE_TIMEOUT_DEFAULT: Duration = Duration::from_secs(15);
/// How long OCR of one file may take by default, over all its pages. Uploads extract inside
/// the request, which the web layer cuts after 30 s, so OCR stops in time and keeps the pages
/// it has read (the rest are reported unread) instead of losing everything to that timeout.
pub const OCR_TOTAL_TIMEOUT_DEFAULT: Duration = Duration::from_secs(20);
/// The long side of a rendered page in pixels: about 200 dpi on A4 (11.69 in), which
/// tesseract reads Chinese well at, and a bound on memory for absurd page sizes, since the
/// scale follows the page instead of a fixed resolution.
const OCR_PAGE_LONG_SIDE_PIXELS: u32 = 2400;
/// The most text kept from one recognised page, in bytes; a dense A4 page is under 10 KB.
const OCR_PAGE_TEXT_BYTES_MAX: u64 = 256 * 1024;
/// The OCR languages: simplified Chinese, and English for the Latin letters and digits in
/// Chinese documents (document numbers, URLs).
const OCR_LANGUAGES: &str = "chi_sim+eng";

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

/// Where the text of a file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextSource {
    /// The text stored in the file (a PDF's text layer, the XML of a DOCX or XLSX).
    Embedded,
    /// Recognised by OCR from the page images of a scanned PDF, so it may contain errors.
    /// `pages_unread` pages (past the page cap, or after the time ran out) were not read.
    Ocr {
        pages_read: usize,
        pages_unread: usize,
    },
}

/// The text of a file and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub text: String,
    pub source: TextSource,
}

impl Extracted {
    fn embedded(text: String) -> Extracted {
        Extracted {
            text,
            source: TextSource::Embedded,
        }
    }
}

/// The limits of one PDF extraction. `Default` gives the limits used for uploads; tests lower
/// them to exercise the cap without rendering thirty pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdfLimits {
    /// How long `pdftotext` may run.
    pub text_timeout: Duration,
    /// At most this many pages are read by OCR.
    pub ocr_pages_max: usize,
    /// How long rendering or recognising one page may take.
    pub ocr_page_timeout: Duration,
    /// How long OCR of the whole file may take.
    pub ocr_total_timeout: Duration,
}

impl Default for PdfLimits {
    fn default() -> PdfLimits {
        PdfLimits {
            text_timeout: PDF_TIMEOUT_DEFAULT,
            ocr_pages_max: OCR_PAGES_MAX_DEFAULT,
            ocr_page_timeout: OCR_PAGE_TIMEOUT_DEFAULT,
            ocr_total_timeout: OCR_TOTAL_TIMEOUT_DEFAULT,
        }
    }
}

/// Extracts the text of a file of a known format. Blocking (PDF runs subprocesses): async
/// callers run it on a blocking thread.
pub fn extract_text(format: Format, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    match format {
        Format::Pdf => pdf_text(bytes, &PdfLimits::default()),
        Format::Docx => docx_text(bytes).map(Extracted::embedded),
        Format::Xlsx => xlsx_text(bytes).map(Extracted::embedded),
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

/// What a finished tool left behind.
struct ToolOutput {
    success: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs a tool with stdin closed, keeping at most `stdout_bytes_max` bytes of its output, and
/// kills it after `timeout`. Both streams are read by threads so that a large output cannot
/// fill a pipe and stall the tool.
fn run_tool(
    tool: &'static str,
    command: &mut Command,
    timeout: Duration,
    stdout_bytes_max: u64,
) -> Result<ToolOutput, ExtractError> {
    let mut child = match command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ExtractError::ToolMissing { tool });
        }
        Err(error) => {
            return Err(ExtractError::ToolFailed {
                tool,
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
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        stdout_bytes_max,
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
                    tool,
                    seconds: timeout.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(error) => {
                return Err(ExtractError::ToolFailed {
                    tool,
                    message: error.to_string(),
                });
            }
        }
    };
    Ok(ToolOutput {
        success: status.success(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// The text of a PDF through `pdftotext -layout -enc UTF-8 FILE -`, killed after
/// `limits.text_timeout`. The PDF goes through a file (poppler needs to seek). When the text
/// layer is empty or nearly so (`OCR_TEXT_LAYER_CHARS_PER_PAGE_MIN`), the file is a scan and
/// its pages are read by OCR instead (`ocr_text`).
pub fn pdf_text(bytes: &[u8], limits: &PdfLimits) -> Result<Extracted, ExtractError> {
    const TOOL: &str = "pdftotext";
    let scratch = ScratchDirectory::create()?;
    let input = scratch.path().join("input.pdf");
    std::fs::write(&input, bytes).map_err(ExtractError::TemporaryFile)?;
    let output = run_tool(
        TOOL,
        Command::new(TOOL)
            .args(["-layout", "-enc", "UTF-8"])
            .arg(&input)
            .arg("-"),
        limits.text_timeout,
        // UTF-8 takes at most four bytes per character.
        (TEXT_CHARS_MAX * 4) as u64,
    )?;
    if !output.success {
        return Err(ExtractError::Unreadable {
            format: "PDF",
            message: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    let text = String::from_utf8_lossy(&output.stdout);
    // pdftotext ends every page with a form feed, so they count the pages it saw.
    let pages = text.matches('\u{c}').count().max(1);
    let characters = text.chars().filter(|c| !c.is_whitespace()).count();
    if characters < pages * OCR_TEXT_LAYER_CHARS_PER_PAGE_MIN {
        return ocr_text(&scratch, &input, pages, limits);
    }
    // Form feeds mean nothing to search or to readers.
    Ok(Extracted::embedded(bounded(text.replace('\u{c}', "\n"))))
}

/// Reads the first `limits.ocr_pages_max` of a scan's `pages` by OCR: each page is rendered to
/// a gray PNG in the scratch directory by `pdftoppm` and recognised by `tesseract`. When the
/// total time runs out or one page times out after others were read, the pages read so far
/// are kept and the rest reported unread; a timeout before any page is an error.
fn ocr_text(
    scratch: &ScratchDirectory,
    input: &Path,
    pages: usize,
    limits: &PdfLimits,
) -> Result<Extracted, ExtractError> {
    const RENDERER: &str = "pdftoppm";
    const RECOGNISER: &str = "tesseract";
    let started = Instant::now();
    ocr_languages_installed(limits.ocr_page_timeout)?;
    let stem = scratch.path().join("page");
    let image = scratch.path().join("page.png");
    let mut text = String::new();
    let mut pages_read = 0;
    for page in 1..=pages.min(limits.ocr_pages_max) {
        let remaining = limits.ocr_total_timeout.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            if pages_read == 0 {
                return Err(ExtractError::TimedOut {
                    tool: RECOGNISER,
                    seconds: limits.ocr_total_timeout.as_secs(),
                });
            }
            break;
        }
        let page_timeout = limits.ocr_page_timeout.min(remaining);
        let page_number = page.to_string();
        let rendered = run_tool(
            RENDERER,
            Command::new(RENDERER)
                .args(["-f", &page_number, "-l", &page_number])
                .args(["-scale-to", &OCR_PAGE_LONG_SIDE_PIXELS.to_string()])
                .args(["-gray", "-png", "-singlefile"])
                .arg(input)
                .arg(&stem),
            page_timeout,
            4096,
        );
        let recognised = rendered.and_then(|rendered| {
            if !rendered.success {
                return Err(ExtractError::Unreadable {
                    format: "PDF",
                    message: String::from_utf8_lossy(&rendered.stderr).trim().to_string(),
                });
            }
            let remaining = limits.ocr_total_timeout.saturating_sub(started.elapsed());
            run_tool(
                RECOGNISER,
                Command::new(RECOGNISER)
                    .arg(&image)
                    .arg("stdout")
                    .args(["-l", OCR_LANGUAGES]),
                limits.ocr_page_timeout.min(remaining),
                OCR_PAGE_TEXT_BYTES_MAX,
            )
        });
        // The next page overwrites the image anyway; removing it now keeps the scratch
        // directory at one page whatever happens next.
        let _ = std::fs::remove_file(&image);
        let recognised = match recognised {
            Ok(recognised) => recognised,
            Err(ExtractError::TimedOut { .. }) if pages_read > 0 => break,
            Err(error) => return Err(error),
        };
        if !recognised.success {
            return Err(ExtractError::ToolFailed {
                tool: RECOGNISER,
                message: String::from_utf8_lossy(&recognised.stderr)
                    .trim()
                    .to_string(),
            });
        }
        let page_text = join_cjk(&String::from_utf8_lossy(&recognised.stdout));
        let page_text = page_text.trim();
        if !page_text.is_empty() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(page_text);
        }
        pages_read += 1;
        if text.len() > TEXT_CHARS_MAX * 4 {
            break;
        }
    }
    Ok(Extracted {
        text: bounded(text),
        source: TextSource::Ocr {
            pages_read,
            pages_unread: pages - pages_read,
        },
    })
}

/// Checks that `tesseract` and its Chinese model are installed, because without `chi_sim`
/// tesseract fails only at the first page, with a message a page cannot show.
fn ocr_languages_installed(timeout: Duration) -> Result<(), ExtractError> {
    const TOOL: &str = "tesseract";
    let output = run_tool(
        TOOL,
        Command::new(TOOL).arg("--list-langs"),
        timeout,
        64 * 1024,
    )?;
    // Older versions print the list on stderr, newer ones on stdout.
    let listed = [&output.stdout, &output.stderr].iter().any(|stream| {
        String::from_utf8_lossy(stream)
            .lines()
            .any(|line| line.trim() == "chi_sim")
    });
    if !output.success || !listed {
        return Err(ExtractError::ToolMissing {
            tool: "tesseract-ocr-chi-sim",
        });
    }
    Ok(())
}

/// Whether a character belongs to Chinese text: ideographs and the CJK and full-width
/// punctuation around them.
fn is_cjk(character: char) -> bool {
    matches!(
        character,
        '\u{3000}'..='\u{303F}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF00}'..='\u{FFEF}'
            | '\u{20000}'..='\u{2FFFF}'
    )
}

/// Removes the spaces tesseract puts between Chinese characters ("政 府 信 息"), which would
/// split every word for search and for the redaction detectors, and the form feed it ends a
/// page with. Spaces between Chinese characters and digits go too, because Chinese writes
/// dates and numbers without them ("2026年5月12日", "电话：010…"); spaces next to Latin
/// letters are kept, because there they may separate words.
fn join_cjk(text: &str) -> String {
    let characters: Vec<char> = text.chars().filter(|&c| c != '\u{c}').collect();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        if character == ' ' || character == '\t' {
            let run_end = characters[index..]
                .iter()
                .position(|&c| c != ' ' && c != '\t')
                .map_or(characters.len(), |offset| index + offset);
            let before = out.chars().next_back();
            let after = characters.get(run_end).copied();
            let joins = |cjk: Option<char>, other: Option<char>| {
                cjk.is_some_and(is_cjk) && other.is_some_and(|c| is_cjk(c) || c.is_ascii_digit())
            };
            if !(joins(before, after) || joins(after, before)) {
                out.extend(&characters[index..run_end]);
            }
            index = run_end;
        } else {
            out.push(character);
            index += 1;
        }
    }
    out
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
    fn spaces_between_chinese_characters_are_removed_and_others_kept() {
        for (ocr, joined) in [
            ("政 府 信 息 公 开", "政府信息公开"),
            ("国 办 函 〔 2020 〕 109 号", "国办函〔2020〕109号"),
            ("2026 年 5 月 12 日", "2026年5月12日"),
            ("答 复 书 ， 见 附 件 。", "答复书，见附件。"),
            ("Email: a@b.cn  联 系 Web", "Email: a@b.cn  联系 Web"),
            ("第 一 页\n第 二 页\u{c}", "第一页\n第二页"),
            ("  前 后  ", "  前后  "),
        ] {
            assert_eq!(join_cjk(ocr), joined, "{ocr:?}");
        }
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let text = bounded("中".repeat(TEXT_CHARS_MAX + 5));
        assert_eq!(text.chars().count(), TEXT_CHARS_MAX);
    }
}
