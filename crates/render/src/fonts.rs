//! Finding, describing and lazily loading the font files that the PDFs embed.
//!
//! At start-up every font file under the configured paths is read once to build typst's
//! `FontBook` (family, style, weight and coverage of each face); the file contents are then
//! dropped and read again only when typst asks for a face of that file, so a server that only
//! ever prints in Noto Serif CJK does not keep the other collections (20–27 MB each) in memory.
//! This module must never fetch fonts from anywhere but the local file system.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};

use crate::RenderError;

/// How deep below a configured directory font files are still looked for. Debian keeps them two
/// levels down (`truetype/wqy/wqy-zenhei.ttc`); the limit guards against a symlink loop.
const FONT_DIRECTORY_DEPTH_MAX: usize = 4;

/// The largest font file that is read. The biggest Noto CJK collection is about 27 MB; a file
/// far beyond that is not a font we want to embed piecemeal in letters.
const FONT_FILE_BYTES_MAX: u64 = 64 * 1024 * 1024;

/// A character that every Chinese font has and no Latin-only font has: the first character of
/// 政府信息公开. A family covering it is taken as a CJK family.
const CJK_PROBE_CHARACTER: char = '政';

/// Families in the order in which the body text (宋体/仿宋-like, serif) prefers them. Only
/// families actually found are passed to the templates, so typst never warns about a missing one.
const SERIF_FAMILY_PREFERENCE: &[&str] = &[
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Noto Serif CJK TC",
    "AR PL UMing CN",
    "AR PL UKai CN",
];

/// Families in the order in which headings and table headers (黑体-like, sans) prefer them.
const SANS_FAMILY_PREFERENCE: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans CJK TC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
];

/// One font file on disk whose contents are read on first use and then kept.
struct FontFile {
    path: PathBuf,
    contents: OnceLock<Option<Bytes>>,
}

impl FontFile {
    fn contents(&self) -> Option<Bytes> {
        self.contents
            .get_or_init(|| std::fs::read(&self.path).ok().map(Bytes::new))
            .clone()
    }
}

/// One face of a font file, in the same order as the `FontBook` entries.
struct FontFace {
    file_position: usize,
    face_index: u32,
    loaded: OnceLock<Option<Font>>,
}

/// Every font found, described for typst and loadable on demand.
pub(crate) struct FontCollection {
    files: Vec<FontFile>,
    faces: Vec<FontFace>,
    pub(crate) book: FontBook,
    /// CJK families for body text, best first.
    pub(crate) serif_families: Vec<String>,
    /// CJK families for headings and table headers, best first.
    pub(crate) sans_families: Vec<String>,
}

impl FontCollection {
    /// Scans the given files and directories for fonts and checks that at least one covers
    /// Chinese. Unreadable or unparsable files are skipped, because a broken font elsewhere on
    /// the system must not stop the letters from printing.
    pub(crate) fn discover(font_paths: &[PathBuf]) -> Result<Self, RenderError> {
        let mut candidate_files = Vec::new();
        for font_path in font_paths {
            collect_font_files(font_path, 0, &mut candidate_files);
        }
        // Sorting makes the font book, and so the chosen fallback faces, the same on every run.
        candidate_files.sort();
        candidate_files.dedup();

        let mut files = Vec::new();
        let mut faces = Vec::new();
        let mut book = FontBook::new();
        for path in candidate_files {
            let Ok(contents) = std::fs::read(&path) else {
                continue;
            };
            let file_position = files.len();
            let mut face_count = 0_usize;
            let collection_size = typst_face_count(&contents);
            for face_index in 0..collection_size {
                if let Some(info) = FontInfo::new(&contents, face_index) {
                    book.push(info);
                    faces.push(FontFace {
                        file_position,
                        face_index,
                        loaded: OnceLock::new(),
                    });
                    face_count += 1;
                }
            }
            if face_count > 0 {
                files.push(FontFile {
                    path,
                    contents: OnceLock::new(),
                });
            }
        }

        let cjk_families = cjk_family_names(&book);
        if cjk_families.is_empty() {
            return Err(RenderError::NoCjkFont {
                searched_paths: font_paths.to_vec(),
            });
        }
        let serif_families = preferred_families(SERIF_FAMILY_PREFERENCE, &cjk_families);
        let sans_families = preferred_families(SANS_FAMILY_PREFERENCE, &cjk_families);
        Ok(Self {
            files,
            faces,
            book,
            serif_families,
            sans_families,
        })
    }

    /// The face at `index` of the font book, read from disk on first use.
    pub(crate) fn font(&self, index: usize) -> Option<Font> {
        let face = self.faces.get(index)?;
        face.loaded
            .get_or_init(|| {
                let contents = self.files.get(face.file_position)?.contents()?;
                Font::new(contents, face.face_index)
            })
            .clone()
    }

    /// The paths of the files that hold at least one usable face, for diagnostics.
    pub(crate) fn file_paths(&self) -> Vec<PathBuf> {
        self.files.iter().map(|file| file.path.clone()).collect()
    }
}

/// The number of faces in a font file: a collection (`ttcf`) says how many it holds, any other
/// file holds one.
fn typst_face_count(contents: &[u8]) -> u32 {
    if contents.len() >= 12 && &contents[0..4] == b"ttcf" {
        u32::from_be_bytes([contents[8], contents[9], contents[10], contents[11]])
            // A corrupt header must not make us try four billion faces.
            .min(256)
    } else {
        1
    }
}

fn collect_font_files(path: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    let Ok(metadata) = std::fs::metadata(path) else {
        return;
    };
    if metadata.is_file() {
        if has_font_extension(path) && metadata.len() <= FONT_FILE_BYTES_MAX {
            found.push(path.to_path_buf());
        }
        return;
    }
    if !metadata.is_dir() || depth > FONT_DIRECTORY_DEPTH_MAX {
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        collect_font_files(&entry.path(), depth + 1, found);
    }
}

fn has_font_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .map(|extension| extension.to_ascii_lowercase())
        .is_some_and(|extension| matches!(extension.as_str(), "ttf" | "otf" | "ttc" | "otc"))
}

/// The families with at least one face that covers Chinese, in font book order.
fn cjk_family_names(book: &FontBook) -> Vec<String> {
    let mut families: Vec<String> = Vec::new();
    let mut index = 0;
    while let Some(info) = book.info(index) {
        if info.coverage.contains(u32::from(CJK_PROBE_CHARACTER))
            && !families.iter().any(|family| family == &info.family)
        {
            families.push(info.family.clone());
        }
        index += 1;
    }
    families
}

/// The preferred families that exist, then every other CJK family as a last resort, so that a
/// machine with only, say, WenQuanYi still prints Chinese rather than empty boxes.
fn preferred_families(preference: &[&str], available: &[String]) -> Vec<String> {
    let mut chosen: Vec<String> = preference
        .iter()
        .filter_map(|wanted| {
            available
                .iter()
                .find(|family| family.eq_ignore_ascii_case(wanted))
                .cloned()
        })
        .collect();
    for family in available {
        if !chosen.contains(family) {
            chosen.push(family.clone());
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_header_gives_its_face_count_and_anything_else_one() {
        let mut collection = b"ttcf\0\x02\0\0".to_vec();
        collection.extend_from_slice(&10_u32.to_be_bytes());
        assert_eq!(typst_face_count(&collection), 10);
        assert_eq!(typst_face_count(b"\0\x01\0\0 some truetype"), 1);
        let mut corrupt = b"ttcf\0\x02\0\0".to_vec();
        corrupt.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(typst_face_count(&corrupt), 256);
    }

    #[test]
    fn preferred_families_come_first_and_the_rest_follow() {
        let available = vec![
            "WenQuanYi Zen Hei".to_string(),
            "Noto Serif CJK SC".to_string(),
        ];
        assert_eq!(
            preferred_families(SERIF_FAMILY_PREFERENCE, &available),
            vec!["Noto Serif CJK SC", "WenQuanYi Zen Hei"]
        );
        assert_eq!(
            preferred_families(SANS_FAMILY_PREFERENCE, &available),
            vec!["WenQuanYi Zen Hei", "Noto Serif CJK SC"]
        );
    }

    #[test]
    fn no_font_directory_means_the_typed_error_naming_the_package() {
        let missing = vec![PathBuf::from("/nonexistent/gongkai-render-fonts")];
        let error = FontCollection::discover(&missing)
            .err()
            .expect("no fonts must be an error");
        assert!(matches!(error, RenderError::NoCjkFont { .. }));
        assert!(error.to_string().contains("fonts-noto-cjk"));
    }
}
