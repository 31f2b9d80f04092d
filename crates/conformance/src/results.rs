//! What a certify run produced, independent of how it is reported.
//!
//! The runner fills these from cucumber events; the reports (summary.json, junit.xml, and
//! later NDJSON and HTML) are rendered from them.

use serde::{Deserialize, Serialize};

/// Outcome of one scenario (or one example row of an outline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ScenarioStatus {
    /// Every step passed.
    Passed,
    /// A step failed; `message` says which and why.
    Failed {
        /// The failure, with the step text.
        message: String,
    },
    /// Not run; `reason` says why (e.g. `target lacks control API`).
    Skipped {
        /// Why it was skipped.
        reason: String,
    },
}

/// One step as it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    /// `Given`, `When`, `Then`, `And`...
    pub keyword: String,
    /// The step text.
    pub text: String,
    /// `passed`, `failed`, `skipped`.
    pub status: String,
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Protocol folder (`ationet`).
    pub protocol: String,
    /// Feature file stem (`idempotency`).
    pub feature: String,
    /// Feature title.
    pub feature_name: String,
    /// Scenario name (outline rows get ` [<id>]`).
    pub name: String,
    /// All tags (feature and scenario), without `@`.
    pub tags: Vec<String>,
    /// Requirement ids among the tags.
    pub requirements: Vec<String>,
    /// Outcome.
    #[serde(flatten)]
    pub status: ScenarioStatus,
    /// Wall time spent, ms.
    pub duration_ms: u64,
    /// Steps in order.
    pub steps: Vec<StepResult>,
}

/// Where the run pointed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetInfo {
    /// payrig's own reference server, in-process.
    Embedded {
        /// Protocols served.
        protocols: Vec<String>,
    },
    /// Another implementation.
    Remote {
        /// Base URL.
        url: String,
        /// Protocols exercised.
        protocols: Vec<String>,
        /// Whether a payrig control API answered.
        control: bool,
    },
}

/// A whole server-conformance run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunResults {
    /// Target.
    pub target: TargetInfo,
    /// Run seed.
    pub seed: u64,
    /// `server` or `client`.
    pub direction: String,
    /// Protocols selected (`ationet`).
    pub protocols: Vec<String>,
    /// Extensions switched on for the run (`prompting`): optional requirements count only then.
    pub extensions: Vec<String>,
    /// Scenarios in run order.
    pub scenarios: Vec<ScenarioResult>,
    /// Start, RFC 3339 UTC.
    pub started_at: String,
    /// Total wall time, ms.
    pub duration_ms: u64,
}
