//! Printable PDFs for Gongkai: the reply letter (答复书) of an application, the paper catalog of
//! Art. 25, report tables and the whole annual report, typeset by typst (as a library) with
//! embedded CJK fonts; and the same report tables as an Excel workbook (`write_workbook`).
//!
//! A `Renderer` is created once: it finds the fonts, builds typst's standard library and parses
//! the vendored templates. Each `render_*` call takes plain data, hands it to a template as a
//! JSON file that the template decodes (so no user text is ever read as typst markup), and
//! returns the bytes of a tagged PDF whose language is Chinese.
//!
//! This crate must never touch a database, speak HTTP, read the clock, or reach the network
//! (no typst `@preview` packages): it turns data into bytes, and the caller decides where they
//! go. See `docs/pdf.md` for the layouts, the fonts and what the build costs.

mod documents;
mod fonts;
mod layout;
mod workbook;
mod world;

use std::path::PathBuf;

use typst::diag::{SourceDiagnostic, Warned};
use typst::ecow::EcoVec;
use typst::foundations::{Bytes, Smart};
use typst::syntax::Source;
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

pub use crate::documents::{
    AnnualReportPdf, CATALOG_ROWS_MAX, CATALOG_SECTIONS_MAX, CatalogPdf, CatalogRow,
    CatalogSection, LETTER_PARAGRAPHS_MAX, LetterPdf, PARAGRAPH_CHARS_MAX, REDACTED_NOTES_MAX,
    REDACTED_PARAGRAPHS_MAX, REPORT_BLOCKS_MAX, REPORT_SECTIONS_MAX, REPORT_TABLE_ROWS_MAX,
    RedactedDocumentPdf, ReportBlock, ReportSection, SHORT_TEXT_CHARS_MAX, TABLE_CELL_SPAN_MAX,
    TABLE_COLUMNS_MAX, TABLE_FOOTNOTES_MAX, TABLE_HEADER_ROWS_MAX, TABLE_ROWS_MAX, TableCell,
    TablePdf, TableRow,
};
use crate::fonts::FontCollection;
pub use crate::workbook::{
    SHEET_NAME_UTF16_UNITS_MAX, WORKBOOK_SHEETS_MAX, WorkbookSheet, write_workbook,
};
use crate::world::{DATA_FILE_PATH, DocumentWorld, SharedWorld, project_file_id};

/// Where Debian's `fonts-noto-cjk` puts Noto Serif CJK and Noto Sans CJK (regular and bold),
/// followed by the TrueType tree where `fonts-wqy-zenhei` and `fonts-arphic-*` live.
pub const DEFAULT_FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype",
];

/// The Debian package that provides the default fonts, named in the error when none is found.
pub const CJK_FONT_DEBIAN_PACKAGE: &str = "fonts-noto-cjk";

/// How many compilations typst's memoisation cache may remember an unused entry for. The cache
/// is global to the process; without eviction a long-running server would keep every layout it
/// ever made. Ten keeps the fonts' and templates' shared work warm between renders.
const TYPST_CACHE_AGE_MAX: usize = 10;

const LETTER_TEMPLATE: &str = include_str!("../templates/letter.typ");
const CATALOG_TEMPLATE: &str = include_str!("../templates/catalog.typ");
const REDACTED_TEMPLATE: &str = include_str!("../templates/redacted.typ");
/// The grid of a report table, put in front of both templates that draw report tables, since
/// a template can read no file but itself and its data.
const TABLE_TEMPLATE: &str = concat!(
    include_str!("../templates/report_table.typ"),
    include_str!("../templates/table.typ")
);
const ANNUAL_REPORT_TEMPLATE: &str = concat!(
    include_str!("../templates/report_table.typ"),
    include_str!("../templates/annual_report.typ")
);

/// Everything that can go wrong while producing a PDF.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No font covering Chinese was found, so a PDF would show empty boxes.
    #[error(
        "no font covering Chinese was found in {searched_paths:?}; install the Debian package \
         {CJK_FONT_DEBIAN_PACKAGE} (scripts/install-fonts.sh does) or configure a directory \
         holding a CJK font"
    )]
    NoCjkFont { searched_paths: Vec<PathBuf> },
    /// A field, or a list, is longer than this crate typesets.
    #[error("{field} has {actual}, more than the {limit} allowed")]
    TooLarge {
        field: &'static str,
        limit: usize,
        actual: usize,
    },
    /// The shape of a report table is unusable (no header, empty or huge spans).
    #[error("invalid table: {reason}")]
    InvalidTable { reason: String },
    /// Typst rejected a template or its data. This is a bug in a template or in this crate,
    /// never a property of user text, which is always passed as data.
    #[error("typesetting failed: {message}")]
    Typeset { message: String },
    /// Typst laid the document out but could not write it as PDF.
    #[error("PDF export failed: {message}")]
    Export { message: String },
    /// rust_xlsxwriter refused the workbook. The names and the shape are made valid before
    /// writing, so this is a bug in this crate, never a property of user text.
    #[error("XLSX export failed: {message}")]
    Spreadsheet { message: String },
}

/// Where to look for fonts. Files are used as they are; directories are searched (a few levels
/// deep) for `.ttf`, `.otf`, `.ttc` and `.otc` files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RendererConfig {
    pub font_paths: Vec<PathBuf>,
}

impl Default for RendererConfig {
    fn default() -> Self {
        Self {
            font_paths: DEFAULT_FONT_PATHS.iter().map(PathBuf::from).collect(),
        }
    }
}

/// The PDF renderer: fonts, typst's library and the templates, prepared once and shared
/// (`Renderer` is `Send + Sync`; wrap it in an `Arc`). Rendering is CPU-bound and takes tens
/// to hundreds of milliseconds, so async callers should run it on a blocking thread.
pub struct Renderer {
    shared: SharedWorld,
    letter_template: Source,
    catalog_template: Source,
    table_template: Source,
    annual_report_template: Source,
    redacted_template: Source,
    /// The font families handed to the templates as JSON, computed once.
    font_data: serde_json::Value,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Renderer")
            .field("font_files", &self.shared.fonts.file_paths())
            .field("serif_families", &self.shared.fonts.serif_families)
            .field("sans_families", &self.shared.fonts.sans_families)
            .finish_non_exhaustive()
    }
}

impl Renderer {
    /// Finds the fonts and prepares the templates. Fails with `RenderError::NoCjkFont` when no
    /// font under `config.font_paths` covers Chinese.
    pub fn new(config: &RendererConfig) -> Result<Self, RenderError> {
        let fonts = FontCollection::discover(&config.font_paths)?;
        let font_data = serde_json::json!({
            "serif": fonts.serif_families,
            "sans": fonts.sans_families,
        });
        let template_error = |message: String| RenderError::Typeset { message };
        let data_file_id = project_file_id(DATA_FILE_PATH).map_err(template_error)?;
        let letter_template = Source::new(
            project_file_id("/letter.typ").map_err(template_error)?,
            LETTER_TEMPLATE.to_string(),
        );
        let catalog_template = Source::new(
            project_file_id("/catalog.typ").map_err(template_error)?,
            CATALOG_TEMPLATE.to_string(),
        );
        let table_template = Source::new(
            project_file_id("/table.typ").map_err(template_error)?,
            TABLE_TEMPLATE.to_string(),
        );
        let annual_report_template = Source::new(
            project_file_id("/annual_report.typ").map_err(template_error)?,
            ANNUAL_REPORT_TEMPLATE.to_string(),
        );
        let redacted_template = Source::new(
            project_file_id("/redacted.typ").map_err(template_error)?,
            REDACTED_TEMPLATE.to_string(),
        );
        let book = LazyHash::new(fonts.book.clone());
        Ok(Self {
            shared: SharedWorld {
                library: LazyHash::new(Library::default()),
                book,
                fonts,
                data_file_id,
            },
            letter_template,
            catalog_template,
            table_template,
            annual_report_template,
            redacted_template,
            font_data,
        })
    }

    /// The font files in use, for the start-up log.
    pub fn font_files(&self) -> Vec<PathBuf> {
        self.shared.fonts.file_paths()
    }

    /// A reply letter in the layout of an official document (GB/T 9704 in spirit): A4, the
    /// title centred, the body in Noto Serif CJK, page numbers as — 1 — at the foot.
    pub fn render_letter(&self, letter: &LetterPdf) -> Result<Vec<u8>, RenderError> {
        let data = documents::letter_data(letter)?;
        self.render(&self.letter_template, data)
    }

    /// The catalog as a table that breaks across pages and repeats its header row on each.
    pub fn render_catalog(&self, catalog: &CatalogPdf) -> Result<Vec<u8>, RenderError> {
        let data = documents::catalog_data(catalog)?;
        self.render(&self.catalog_template, data)
    }

    /// A table with column header rows (spans allowed), row headers and footnotes; landscape
    /// when it has more than eight columns.
    pub fn render_table_report(&self, table: &TablePdf) -> Result<Vec<u8>, RenderError> {
        let data = documents::table_data(table)?;
        self.render(&self.table_template, data)
    }

    /// The whole annual report: title, subtitle, sections of paragraphs and tables. Sections
    /// holding a table of more than eight columns are set on landscape pages.
    pub fn render_annual_report(&self, report: &AnnualReportPdf) -> Result<Vec<u8>, RenderError> {
        let data = documents::annual_report_data(report)?;
        self.render(&self.annual_report_template, data)
    }

    /// A text released after redaction: title, reference, the redacted lines and a note of
    /// what was withheld on which ground. Only redacted text ever reaches this function.
    pub fn render_redacted_document(
        &self,
        document: &RedactedDocumentPdf,
    ) -> Result<Vec<u8>, RenderError> {
        let data = documents::redacted_document_data(document)?;
        self.render(&self.redacted_template, data)
    }

    fn render(
        &self,
        template: &Source,
        mut data: serde_json::Value,
    ) -> Result<Vec<u8>, RenderError> {
        let (pdf, _warnings) = self.render_with_warnings(template, &mut data)?;
        Ok(pdf)
    }

    /// Renders and also returns typst's warnings, which the tests require to be empty: a
    /// warning (an unknown font family, say) means a template does not do what it says.
    fn render_with_warnings(
        &self,
        template: &Source,
        data: &mut serde_json::Value,
    ) -> Result<(Vec<u8>, Vec<String>), RenderError> {
        if let Some(object) = data.as_object_mut() {
            object.insert("fonts".to_string(), self.font_data.clone());
        }
        let data_bytes = serde_json::to_vec(data).map_err(|error| RenderError::Typeset {
            message: format!("the data could not be written as JSON: {error}"),
        })?;
        let world = DocumentWorld {
            shared: &self.shared,
            template,
            data: Bytes::new(data_bytes),
        };
        let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
        let document = output.map_err(|errors| RenderError::Typeset {
            message: diagnostics_text(&errors),
        })?;
        let options = PdfOptions {
            creator: Smart::Custom(Some("Gongkai".to_string())),
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| RenderError::Export {
            message: diagnostics_text(&errors),
        })?;
        typst::comemo::evict(TYPST_CACHE_AGE_MAX);
        let warnings = warnings
            .iter()
            .map(|warning| warning.message.to_string())
            .collect();
        Ok((pdf, warnings))
    }
}

fn diagnostics_text(diagnostics: &EcoVec<SourceDiagnostic>) -> String {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let hints = diagnostic
                .hints
                .iter()
                .map(|hint| format!(" (hint: {})", hint.v))
                .collect::<String>();
            format!("{}{hints}", diagnostic.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renderer_or_skip() -> Option<Renderer> {
        match Renderer::new(&RendererConfig::default()) {
            Ok(renderer) => Some(renderer),
            Err(error) if std::env::var_os("GONGKAI_REQUIRE_PDF_TOOLS").is_none() => {
                eprintln!("skipped: {error}");
                None
            }
            Err(error) => panic!("GONGKAI_REQUIRE_PDF_TOOLS is set but: {error}"),
        }
    }

    #[test]
    fn every_template_typesets_without_warnings() {
        let Some(renderer) = renderer_or_skip() else {
            return;
        };
        let letter = LetterPdf {
            title: "政府信息公开申请答复书".to_string(),
            recipient: "张三".to_string(),
            body_paragraphs: vec!["你好。".to_string()],
            agency_name: "某市人民政府办公室".to_string(),
            date_text: "2026年5月12日".to_string(),
            reference: "受理编号：2026-0001".to_string(),
            seal_text: Some("印章位置".to_string()),
        };
        let catalog = CatalogPdf {
            agency_name: "某市人民政府办公室".to_string(),
            generated_on: "2026年5月12日".to_string(),
            sections: vec![CatalogSection {
                heading: "规章".to_string(),
                rows: Vec::new(),
            }],
        };
        let table = TablePdf {
            title: "表".to_string(),
            caption: "单位：件".to_string(),
            column_header_rows: vec![vec![TableCell::new("项目"), TableCell::new("数量")]],
            rows: vec![TableRow {
                row_header_cells: vec![TableCell::new("甲")],
                value_cells: vec![TableCell::new("1")],
            }],
            footnotes: vec!["注".to_string()],
        };
        let cases = [
            (
                &renderer.letter_template,
                documents::letter_data(&letter).expect("letter data"),
            ),
            (
                &renderer.catalog_template,
                documents::catalog_data(&catalog).expect("catalog data"),
            ),
            (
                &renderer.table_template,
                documents::table_data(&table).expect("table data"),
            ),
            (
                &renderer.annual_report_template,
                documents::annual_report_data(&AnnualReportPdf {
                    title: "某某局2026年政府信息公开工作年度报告".to_string(),
                    subtitle: "2027年1月20日".to_string(),
                    sections: vec![
                        ReportSection {
                            heading: "一、总体情况".to_string(),
                            blocks: vec![ReportBlock::Paragraph("正文。".to_string())],
                        },
                        ReportSection {
                            heading: "三、收到和处理政府信息公开申请情况".to_string(),
                            blocks: vec![ReportBlock::Table(TablePdf {
                                column_header_rows: vec![
                                    (1..=10).map(|n| TableCell::new(n.to_string())).collect(),
                                ],
                                ..table.clone()
                            })],
                        },
                    ],
                })
                .expect("annual report data"),
            ),
            (
                &renderer.redacted_template,
                documents::redacted_document_data(&RedactedDocumentPdf {
                    title: "政府信息（区分处理后）".to_string(),
                    reference: "2026-0001".to_string(),
                    paragraphs: vec!["申请人[已删除]。".to_string(), String::new()],
                    notes: vec!["依据第十五条不予公开1处。".to_string()],
                })
                .expect("redacted document data"),
            ),
        ];
        for (template, mut data) in cases {
            let (pdf, warnings) = renderer
                .render_with_warnings(template, &mut data)
                .expect("renders");
            assert!(pdf.starts_with(b"%PDF"));
            assert_eq!(warnings, Vec::<String>::new(), "{:?}", template.id());
        }
    }
}
