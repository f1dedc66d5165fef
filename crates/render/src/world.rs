//! The closed little world in which one document is typeset: one template, one JSON data file,
//! the fonts found at start-up, and nothing else.
//!
//! Implementing `typst::World` ourselves (rather than through a crate that also knows package
//! downloads) keeps the guarantee simple to state: a template can read exactly two files, its
//! own source and `/data.json`. There is no file system access, no package registry, no network
//! and no clock; `today()` is `None`, so every date in a PDF is one the caller supplied.

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use crate::fonts::FontCollection;

/// The virtual path under which a template finds the caller's data. Templates read it with
/// `json("/data.json")`, so user text arrives as typst strings and is never parsed as markup.
pub(crate) const DATA_FILE_PATH: &str = "/data.json";

/// Interns a virtual project path. The paths used here are fixed literals, so a failure would be
/// a programming error caught by every test; it is still reported rather than unwrapped.
pub(crate) fn project_file_id(path: &str) -> Result<FileId, String> {
    let virtual_path = VirtualPath::new(path).map_err(|error| format!("{path}: {error:?}"))?;
    Ok(RootedPath::new(VirtualRoot::Project, virtual_path).intern())
}

/// Everything that is shared by all renders: built once per `Renderer`.
pub(crate) struct SharedWorld {
    pub(crate) library: LazyHash<Library>,
    pub(crate) book: LazyHash<FontBook>,
    pub(crate) fonts: FontCollection,
    pub(crate) data_file_id: FileId,
}

/// One render: a template source and the data for it.
pub(crate) struct DocumentWorld<'renderer> {
    pub(crate) shared: &'renderer SharedWorld,
    pub(crate) template: &'renderer Source,
    pub(crate) data: Bytes,
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.template.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.template.id() {
            Ok(self.template.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.shared.data_file_id {
            Ok(self.data.clone())
        } else if id == self.template.id() {
            Ok(Bytes::from_string(self.template.text().to_string()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
