//! Integration tests of vl-schema: one binary, one module per topic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests panic on purpose when an expectation fails"
)]

mod aliases;
mod bounds;
mod fixtures;
mod ga;
mod malformed;
mod patch;
mod proptests;
mod unknown;
mod validation;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The fixture directory `tests/fixtures/<sub>`.
pub(crate) fn fixture_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
}

/// Every `*.json` in `tests/fixtures/<sub>` as (file stem, text), sorted by name.
pub(crate) fn fixtures(sub: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixture_dir(sub))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {sub}");
    out
}

pub(crate) fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}
