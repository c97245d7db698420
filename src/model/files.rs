//! Where a model's files come from: a folder on disk (CLI) or bytes already in memory (the browser
//! has no filesystem; the page fetches each file and hands the bytes over).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A model folder in Hugging Face layout, read lazily from disk or held in memory.
pub enum ModelFiles {
    Dir(PathBuf),
    Memory(BTreeMap<String, Vec<u8>>),
}

impl ModelFiles {
    pub fn dir(path: impl Into<PathBuf>) -> Self {
        ModelFiles::Dir(path.into())
    }

    pub fn memory(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        ModelFiles::Memory(files.into_iter().collect())
    }

    /// How a file is named in error messages: its full path on disk, or its bare name in memory.
    pub fn display_name(&self, name: &str) -> String {
        match self {
            ModelFiles::Dir(dir) => dir.join(name).display().to_string(),
            ModelFiles::Memory(_) => name.to_string(),
        }
    }

    pub fn exists(&self, name: &str) -> bool {
        match self {
            ModelFiles::Dir(dir) => dir.join(name).is_file(),
            ModelFiles::Memory(files) => files.contains_key(name),
        }
    }

    /// The bytes of one file; a missing one is `Error::MissingFile`.
    pub fn read(&self, name: &str) -> Result<Vec<u8>> {
        match self {
            ModelFiles::Dir(dir) => read_file(&dir.join(name)),
            ModelFiles::Memory(files) => {
                files.get(name).cloned().ok_or_else(|| Error::MissingFile {
                    path: PathBuf::from(name),
                })
            }
        }
    }

    /// A file parsed as JSON; `None` when it does not exist (for optional files).
    pub fn read_json_if_exists(&self, name: &str) -> Result<Option<serde_json::Value>> {
        if !self.exists(name) {
            return Ok(None);
        }
        let bytes = self.read(name)?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|source| Error::InvalidJson {
                file: self.display_name(name),
                source,
            })
    }

    pub fn read_json(&self, name: &str) -> Result<serde_json::Value> {
        self.read_json_if_exists(name)?
            .ok_or_else(|| self.missing(name))
    }

    pub fn missing(&self, name: &str) -> Error {
        Error::MissingFile {
            path: PathBuf::from(self.display_name(name)),
        }
    }
}

pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => Error::MissingFile {
            path: path.to_path_buf(),
        },
        _ => Error::Io {
            path: path.to_path_buf(),
            source,
        },
    })
}
