//! Hand-built catalogue and results for the report tests.

use payrig_core::requirement::Level;
use payrig_core::{Requirement, Side};

use super::Catalogue;
use crate::results::{RunResults, ScenarioResult, ScenarioStatus, StepResult, TargetInfo};

const fn req(id: &'static str, side: Side, optional: bool) -> Requirement {
    Requirement {
        id,
        side,
        text: "text",
        source: "[seed]",
        level: Level::Must,
        optional,
    }
}

/// Four mandatory server requirements, one optional (prompting), one client.
pub(crate) const CATALOGUE: &[Requirement] = &[
    req("ATN-S-001", Side::Server, false),
    req("ATN-S-002", Side::Server, false),
    req("ATN-S-003", Side::Server, false),
    req("ATN-S-004", Side::Server, false),
    req("ATN-S-005", Side::Server, true),
    req("ATN-C-001", Side::Client, false),
];

pub(crate) fn catalogue() -> Catalogue<'static> {
    Catalogue {
        protocol: "ationet",
        requirements: CATALOGUE,
        extension: Some("prompting"),
    }
}

pub(crate) fn scenario(
    feature: &str,
    name: &str,
    reqs: &[&str],
    status: ScenarioStatus,
) -> ScenarioResult {
    let mut tags = vec!["server".to_owned()];
    tags.extend(reqs.iter().map(|r| (*r).to_owned()));
    ScenarioResult {
        protocol: "ationet".to_owned(),
        feature: feature.to_owned(),
        feature_name: format!("ATIONet {feature}"),
        name: name.to_owned(),
        tags,
        requirements: reqs.iter().map(|r| (*r).to_owned()).collect(),
        status,
        duration_ms: 12,
        steps: vec![StepResult {
            keyword: "Given".to_owned(),
            text: "the default site".to_owned(),
            status: "passed".to_owned(),
        }],
    }
}

pub(crate) fn results(scenarios: Vec<ScenarioResult>) -> RunResults {
    RunResults {
        target: TargetInfo::Embedded {
            protocols: vec!["ationet".to_owned()],
        },
        seed: 42,
        direction: "server".to_owned(),
        protocols: vec!["ationet".to_owned()],
        extensions: Vec::new(),
        scenarios,
        started_at: "2026-01-15T09:00:00.000Z".to_owned(),
        duration_ms: 36,
    }
}
