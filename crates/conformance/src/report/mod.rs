//! Reports of a certify run: `summary.json`, `junit.xml`, `messages.ndjson` and `report.html`
//! (conformance spec, section 6).
//!
//! All are rendered from [`RunResults`](crate::results::RunResults) joined with the requirement
//! catalogues: [`summarize`] computes the conformance index and score and the coverage matrix,
//! [`write_summary`] and [`write_junit`] put the files in the report directory.
//! [`write_messages`] renders the Cucumber Messages stream (`messages.ndjson`) from the results
//! and the feature sources, and [`write_html`] the self-contained `report.html` from the
//! [`Summary`] and the results.

pub mod html;
mod junit;
pub mod ndjson;
mod summary;

use std::path::{Path, PathBuf};

pub use html::{render_html, write_html, HTML_FILE};
pub use junit::{junit_report, write_junit, JunitWritten};
pub use ndjson::{write_messages, MESSAGES_FILE};
pub use summary::{
    summarize, write_summary, Catalogue, CoverageRow, Fraction, ProtocolSummary, RequirementCounts,
    ScenarioCounts, ScenarioRef, Summary, Verdict,
};

/// The certification caveat, verbatim from the conformance spec (section 9). It appears in the
/// CLI summary, each JUnit suite's properties and `summary.json`.
pub const CAVEAT: &str = "payrig is a pre-certification harness. Its verdicts measure conformance \
to payrig's reading of public documentation and to its documented decisions. They are not an \
official certification by the vendors of ATIONet, TECS, MobiTEF, Payneteasy or GoChip, by any card \
scheme or by any acquirer. Official certification environments use their own simulators and \
host-side checks, which payrig does not reproduce.";

/// File name of the summary inside the report directory.
pub const SUMMARY_FILE: &str = "summary.json";
/// File name of the JUnit XML report inside the report directory.
pub const JUNIT_FILE: &str = "junit.xml";

/// A report could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Creating the directory or writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// `summary.json` could not be serialized.
    #[error("cannot serialize summary.json: {0}")]
    Json(#[from] serde_json::Error),
    /// `junit.xml` could not be serialized.
    #[error("cannot serialize junit.xml: {0}")]
    Junit(#[from] quick_junit::SerializeError),
}

/// Creates `dir` (and parents) and writes `bytes` to `dir/name`.
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|source| ReportError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
pub(crate) mod fixtures;
