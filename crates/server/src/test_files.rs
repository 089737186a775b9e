//! Unit tests' files: a fresh temporary folder, removed when the test ends.
#![allow(clippy::unwrap_used)] // test helper: a panic is the failure report

use std::path::PathBuf;

/// A temporary folder to write configuration files into.
pub(crate) struct TestFiles(tempfile::TempDir);

impl TestFiles {
    pub(crate) fn new() -> Self {
        Self(tempfile::Builder::new().prefix("switchboard-test-").tempdir().unwrap())
    }

    /// Writes (or replaces) `name` with `text`; returns its path.
    pub(crate) fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}
