//! Runs a protocol's feature files against a target and collects [`RunResults`].
//!
//! Steps: lint the features ([`lint_features`], conformance.md section 1; a violation is a
//! [`LintError`], exit code 2), resolve the target ([`crate::target::resolve`]; unreachable is
//! a [`TargetError`](crate::target::TargetError), exit code 3), then run the selected
//! scenarios with cucumber. A custom writer ([`Collector`]) turns cucumber's events into
//! [`ScenarioResult`]s; scenarios the target cannot run are reported as skipped with the reason.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cucumber::event::{self, Cucumber};
use cucumber::gherkin::{self, tagexpr::TagOperation};
use cucumber::tag::Ext as _;
use cucumber::{cli, parser, Event, Writer, WriterExt as _};

use crate::results::{RunResults, ScenarioResult, ScenarioStatus, StepResult, TargetInfo};
use crate::target::{resolve, ResolvedTarget, TargetSpec};
use crate::tecs_world::TecsWorld;
use crate::world::{AtnWorld, FactsSink, RunContext, ScenarioFacts};

/// A protocol suite's cucumber world, as the runner drives it.
pub(crate) trait SuiteWorld: cucumber::codegen::WorldInventory + std::fmt::Debug {
    /// Binds the world to the run and the scenario (before-hook).
    async fn bind_run(&mut self, ctx: Arc<RunContext>, scenario: &str) -> anyhow::Result<()>;
    /// Gathers the scenario's facts and releases the target (after-hook).
    async fn finish_run(&mut self) -> ScenarioFacts;
    /// When the scenario started.
    fn started_at(&self) -> Option<Instant>;
}

impl SuiteWorld for AtnWorld {
    async fn bind_run(&mut self, ctx: Arc<RunContext>, scenario: &str) -> anyhow::Result<()> {
        self.bind(ctx, scenario).await
    }
    async fn finish_run(&mut self) -> ScenarioFacts {
        self.finish().await
    }
    fn started_at(&self) -> Option<Instant> {
        self.started
    }
}

impl SuiteWorld for TecsWorld {
    async fn bind_run(&mut self, ctx: Arc<RunContext>, scenario: &str) -> anyhow::Result<()> {
        self.bind(ctx, scenario).await
    }
    async fn finish_run(&mut self) -> ScenarioFacts {
        self.finish().await
    }
    fn started_at(&self) -> Option<Instant> {
        self.started
    }
}

/// What to run and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Protocol folder under `features_dir` (`ationet`).
    pub protocol: String,
    /// Target.
    pub target: TargetSpec,
    /// Either the features root (`features/`) or the protocol folder itself.
    pub features_dir: PathBuf,
    /// Cucumber tag expression (`@server and not @optional`).
    pub tags: Option<String>,
    /// Run seed.
    pub seed: u64,
    /// Scenarios run in parallel on the embedded target (remote: always 1).
    pub concurrency: usize,
}

/// One scenario as the lint saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioInfo {
    /// Display name (outline rows get ` [<id>]`).
    pub name: String,
    /// Feature, rule, scenario and examples tags, without `@`.
    pub tags: Vec<String>,
    /// Requirement ids among the tags.
    pub requirements: Vec<String>,
    /// Line in the file.
    pub line: usize,
}

/// One feature file as the lint saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureInfo {
    /// The file.
    pub path: PathBuf,
    /// Protocol folder (`ationet`).
    pub protocol: String,
    /// File stem (`idempotency`).
    pub stem: String,
    /// Feature title.
    pub name: String,
    /// Scenarios, outlines expanded.
    pub scenarios: Vec<ScenarioInfo>,
}

/// A lint rule broken at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintViolation {
    /// File.
    pub path: PathBuf,
    /// Line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Why the features cannot be run (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LintError {
    /// The folder or a file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// Path.
        path: PathBuf,
        /// OS message.
        message: String,
    },
    /// A file is not valid Gherkin.
    #[error("{path}: not valid Gherkin: {message}")]
    Parse {
        /// Path.
        path: PathBuf,
        /// Parser message.
        message: String,
    },
    /// Rules of conformance.md section 1 are broken.
    #[error("{} lint violation(s):{}", .0.len(), render_violations(.0))]
    Violations(Vec<LintViolation>),
    /// The tag expression does not parse.
    #[error("bad tag expression `{0}`")]
    Tags(String),
}

fn render_violations(v: &[LintViolation]) -> String {
    v.iter()
        .map(|x| format!("\n  {}:{}: {}", x.path.display(), x.line, x.message))
        .collect()
}

/// The requirement-id prefix and catalogue of a protocol folder.
fn catalogue(protocol: &str) -> Option<(&'static str, &'static [payrig_core::Requirement])> {
    match protocol {
        "ationet" => Some(("ATN", payrig_ationet::requirements::CATALOGUE)),
        "tecs" => Some(("TEC", payrig_tecs::requirements::CATALOGUE)),
        _ => None,
    }
}

/// True for tags shaped like a requirement id (`ATN-S-012`, `SIM-P-01`).
fn is_requirement_tag(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    parts.len() == 3
        && parts[0].len() >= 2
        && parts[0].bytes().all(|b| b.is_ascii_uppercase())
        && parts[1].len() == 1
        && parts[1].bytes().all(|b| b.is_ascii_uppercase())
        && !parts[2].is_empty()
        && parts[2].bytes().all(|b| b.is_ascii_digit())
}

/// The display name of an (expanded) scenario: outline rows get ` [<id>]`.
pub fn display_name(s: &gherkin::Scenario) -> String {
    match outline_id(s) {
        Some(id) => format!("{} [{id}]", s.name),
        None => s.name.clone(),
    }
}

/// The `id` cell of an expanded outline row: cucumber places each row's scenario at
/// `examples.position.line + row + 2`.
fn outline_id(s: &gherkin::Scenario) -> Option<String> {
    let mut best: Option<String> = None;
    for ex in &s.examples {
        let Some(table) = &ex.table else { continue };
        if s.position.line < ex.position.line + 2 {
            continue;
        }
        let row = s.position.line - ex.position.line - 2;
        if let Some(cells) = table.rows.get(row + 1) {
            if ex.position.col == s.position.col || best.is_none() {
                best = cells.first().cloned();
            }
        }
    }
    best
}

fn feature_files(dir: &Path) -> Result<Vec<PathBuf>, LintError> {
    let rd = std::fs::read_dir(dir).map_err(|e| LintError::Io {
        path: dir.to_owned(),
        message: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "feature"))
        .collect();
    files.sort();
    Ok(files)
}

fn parse_feature(path: &Path) -> Result<gherkin::Feature, LintError> {
    use cucumber::feature::Ext as _;
    let f = gherkin::Feature::parse_path(path, gherkin::GherkinEnv::default()).map_err(|e| {
        LintError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        }
    })?;
    f.expand_examples().map_err(|e| LintError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// Parses and lints every `*.feature` in `dir` (a protocol folder such as
/// `features/ationet`), applying the rules of conformance.md section 1: exactly one of
/// `@server`/`@client`/`@sim-only`; `@server`/`@client` scenarios cite requirement ids that
/// exist in the protocol's catalogue with the folder's prefix, `S` with `@server` and `C` with
/// `@client`; unique scenario names; outline tables start with an `id` column.
pub fn lint_features(dir: &Path) -> Result<Vec<FeatureInfo>, LintError> {
    let protocol = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cat = catalogue(&protocol);
    let mut out = Vec::new();
    let mut violations = Vec::new();
    let mut names: HashMap<String, (PathBuf, usize)> = HashMap::new();
    for path in feature_files(dir)? {
        // Outline tables are checked on the unexpanded text.
        let raw =
            gherkin::Feature::parse_path(&path, gherkin::GherkinEnv::default()).map_err(|e| {
                LintError::Parse {
                    path: path.clone(),
                    message: e.to_string(),
                }
            })?;
        let mut v = |line: usize, message: String| {
            violations.push(LintViolation {
                path: path.clone(),
                line,
                message,
            })
        };
        for s in raw
            .scenarios
            .iter()
            .chain(raw.rules.iter().flat_map(|r| r.scenarios.iter()))
        {
            for ex in &s.examples {
                let first = ex
                    .table
                    .as_ref()
                    .and_then(|t| t.rows.first())
                    .and_then(|r| r.first());
                if first.map(String::as_str) != Some("id") {
                    v(
                        ex.position.line,
                        format!(
                            "outline `{}`: examples table must start with an `id` column",
                            s.name
                        ),
                    );
                }
            }
        }
        let feature = parse_feature(&path)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut infos = Vec::new();
        let mut each = |rule: Option<&gherkin::Rule>, s: &gherkin::Scenario| {
            let mut tags: Vec<String> = feature.tags.clone();
            if let Some(r) = rule {
                tags.extend(r.tags.iter().cloned());
            }
            tags.extend(s.tags.iter().cloned());
            let mut seen = BTreeSet::new();
            tags.retain(|t| seen.insert(t.clone()));
            let name = display_name(s);
            let line = s.position.line;
            let dirs: Vec<&str> = ["server", "client", "sim-only"]
                .into_iter()
                .filter(|d| tags.iter().any(|t| t == d))
                .collect();
            if dirs.len() != 1 {
                v(
                    line,
                    format!(
                        "`{name}`: needs exactly one of @server, @client, @sim-only (has {dirs:?})"
                    ),
                );
            }
            let reqs: Vec<String> = tags
                .iter()
                .filter(|t| is_requirement_tag(t))
                .cloned()
                .collect();
            let direction = dirs.first().copied().unwrap_or("");
            if (direction == "server" || direction == "client") && reqs.is_empty() {
                v(
                    line,
                    format!("`{name}`: @{direction} scenarios need a requirement tag"),
                );
            }
            for r in &reqs {
                match cat {
                    Some((prefix, list)) => {
                        if !r.starts_with(&format!("{prefix}-")) {
                            v(line, format!("`{name}`: @{r} does not belong to folder `{protocol}` ({prefix})"));
                        } else if !list.iter().any(|q| q.id == r) {
                            v(line, format!("`{name}`: @{r} is not in the catalogue"));
                        }
                    }
                    None => v(
                        line,
                        format!("`{name}`: no requirement catalogue for folder `{protocol}`"),
                    ),
                }
                let side = r.split('-').nth(1).unwrap_or("");
                if side == "S" && direction != "server" {
                    v(line, format!("`{name}`: @{r} is a server requirement but the scenario is not @server"));
                }
                if side == "C" && direction != "client" {
                    v(line, format!("`{name}`: @{r} is a client requirement but the scenario is not @client"));
                }
            }
            if let Some((p, l)) = names.get(&name) {
                v(
                    line,
                    format!("scenario name `{name}` already used at {}:{l}", p.display()),
                );
            } else {
                names.insert(name.clone(), (path.clone(), line));
            }
            infos.push(ScenarioInfo {
                name,
                tags,
                requirements: reqs,
                line,
            });
        };
        for s in &feature.scenarios {
            each(None, s);
        }
        for r in &feature.rules {
            for s in &r.scenarios {
                each(Some(r), s);
            }
        }
        out.push(FeatureInfo {
            path: path.clone(),
            protocol: protocol.clone(),
            stem,
            name: feature.name.clone(),
            scenarios: infos,
        });
    }
    if violations.is_empty() {
        Ok(out)
    } else {
        Err(LintError::Violations(violations))
    }
}

/// What [`run_features_with_facts`] returns: the results plus the facts each scenario
/// established (states entered, Cancel codes received), by scenario name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutput {
    /// The results.
    pub results: RunResults,
    /// Facts by scenario display name.
    pub facts: BTreeMap<String, ScenarioFacts>,
}

/// Lints, then runs the selected features against the target. See the module docs.
pub async fn run_features(opts: RunOptions) -> anyhow::Result<RunResults> {
    Ok(run_features_with_facts(opts).await?.results)
}

fn rfc3339_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    now.format(&fmt).unwrap_or_default()
}

fn all_tags(f: &gherkin::Feature, r: Option<&gherkin::Rule>, s: &gherkin::Scenario) -> Vec<String> {
    f.tags
        .iter()
        .chain(r.iter().flat_map(|r| r.tags.iter()))
        .chain(s.tags.iter())
        .cloned()
        .collect()
}

/// As [`run_features`], also returning each scenario's facts (for coverage bars).
pub async fn run_features_with_facts(opts: RunOptions) -> anyhow::Result<RunOutput> {
    let started_at = rfc3339_now();
    let t0 = Instant::now();
    let dir = if opts.features_dir.join(&opts.protocol).is_dir() {
        opts.features_dir.join(&opts.protocol)
    } else {
        opts.features_dir.clone()
    };
    let dir = std::fs::canonicalize(&dir).map_err(|e| LintError::Io {
        path: dir.clone(),
        message: e.to_string(),
    })?;
    let features = lint_features(&dir)?;
    let tags: Option<TagOperation> = match &opts.tags {
        Some(t) if !t.trim().is_empty() => Some(
            t.parse::<TagOperation>()
                .map_err(|_| LintError::Tags(t.clone()))?,
        ),
        _ => None,
    };
    let target = resolve(&opts.target).await?;
    let ctx = Arc::new(RunContext {
        target: target.clone(),
        seed: opts.seed,
        facts: FactsSink::default(),
        timings: Arc::default(),
    });

    // Selection and skips, from the lint's view.
    let selected = |t: &[String]| {
        !t.iter().any(|x| x == "wip") && tags.as_ref().is_none_or(|op| op.eval(t.iter()))
    };
    let mut skipped = Vec::new();
    let mut prompting_ran = false;
    for f in &features {
        for s in &f.scenarios {
            if !selected(&s.tags) {
                continue;
            }
            if let Some(reason) = target.caps.skip_reason(&s.tags) {
                skipped.push(ScenarioResult {
                    protocol: f.protocol.clone(),
                    feature: f.stem.clone(),
                    feature_name: f.name.clone(),
                    name: s.name.clone(),
                    tags: s.tags.clone(),
                    requirements: s.requirements.clone(),
                    status: ScenarioStatus::Skipped {
                        reason: reason.to_owned(),
                    },
                    duration_ms: 0,
                    steps: Vec::new(),
                });
            } else if f.stem == "prompting" && s.tags.iter().any(|t| t == "optional") {
                prompting_ran = true;
            }
        }
    }

    let concurrency = if target.is_embedded() {
        opts.concurrency.max(1)
    } else {
        1
    };
    let caps = target.caps;
    let tags_filter = tags.clone();
    let filter = move |f: &gherkin::Feature, r: Option<&gherkin::Rule>, s: &gherkin::Scenario| {
        let t = all_tags(f, r, s);
        !t.iter().any(|x| x == "wip")
            && tags_filter.as_ref().is_none_or(|op| op.eval(t.iter()))
            && caps.skip_reason(&t).is_none()
    };
    let collected = Arc::new(Mutex::new(Vec::new()));
    let collector = Collector {
        protocol: opts.protocol.clone(),
        out: Arc::clone(&collected),
        running: HashMap::new(),
    };
    match opts.protocol.as_str() {
        "tecs" => {
            run_cucumber::<TecsWorld, _>(&ctx, concurrency, collector, dir.clone(), filter).await
        }
        _ => run_cucumber::<AtnWorld, _>(&ctx, concurrency, collector, dir.clone(), filter).await,
    }

    let mut scenarios = collected.lock().map(|v| v.clone()).unwrap_or_default();
    if let Ok(t) = ctx.timings.lock() {
        for s in &mut scenarios {
            if let Some(ms) = t.get(&s.name) {
                s.duration_ms = *ms;
            }
        }
    }
    scenarios.extend(skipped);
    let facts = ctx.facts.lock().map(|m| m.clone()).unwrap_or_default();
    let protocols = vec![opts.protocol.clone()];
    let results = RunResults {
        target: target_info(&target, &protocols),
        seed: opts.seed,
        direction: "server".to_owned(),
        protocols,
        extensions: if prompting_ran {
            vec!["prompting".to_owned()]
        } else {
            Vec::new()
        },
        scenarios,
        started_at,
        duration_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    Ok(RunOutput { results, facts })
}

/// Runs the selected scenarios of `dir` with world `W`, collecting into `collector`.
async fn run_cucumber<W, F>(
    ctx: &Arc<RunContext>,
    concurrency: usize,
    collector: Collector,
    dir: PathBuf,
    filter: F,
) where
    W: SuiteWorld + 'static,
    F: Fn(&gherkin::Feature, Option<&gherkin::Rule>, &gherkin::Scenario) -> bool + 'static,
{
    let before_ctx = Arc::clone(ctx);
    let after_sink = Arc::clone(&ctx.facts);
    let after_timings = Arc::clone(&ctx.timings);
    W::cucumber()
        .max_concurrent_scenarios(concurrency)
        .before(move |_f, _r, s, w| {
            let ctx = Arc::clone(&before_ctx);
            let name = display_name(s);
            Box::pin(async move {
                if let Err(e) = w.bind_run(ctx, &name).await {
                    panic!("scenario setup failed: {e:#}");
                }
            })
        })
        .after(move |_f, _r, s, _ev, w| {
            let sink = Arc::clone(&after_sink);
            let timings = Arc::clone(&after_timings);
            let name = display_name(s);
            Box::pin(async move {
                if let Some(w) = w {
                    let facts = w.finish_run().await;
                    if let (Some(t0), Ok(mut t)) = (w.started_at(), timings.lock()) {
                        let ms = u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX);
                        t.insert(name.clone(), ms);
                    }
                    if let Ok(mut m) = sink.lock() {
                        m.entry(name).or_default().merge(&facts);
                    }
                }
            })
        })
        .with_writer(collector.normalized())
        .with_cli(cli::Opts::<_, _, _, cli::Empty>::default())
        .filter_run(dir, filter)
        .await;
}

fn target_info(t: &ResolvedTarget, protocols: &[String]) -> TargetInfo {
    match &t.spec {
        TargetSpec::Embedded => TargetInfo::Embedded {
            protocols: protocols.to_vec(),
        },
        TargetSpec::Remote { base_url, .. } => TargetInfo::Remote {
            url: base_url.clone(),
            protocols: protocols.to_vec(),
            control: t.caps.control,
        },
    }
}

/// A scenario being collected.
#[derive(Debug)]
struct Running {
    started: Instant,
    steps: Vec<StepResult>,
    failure: Option<String>,
}

/// A callback told of every scenario as it finishes (the CLI draws its progress bar with it).
pub type ProgressFn = Box<dyn Fn(&ScenarioResult) + Send + Sync>;

static PROGRESS: Mutex<Option<ProgressFn>> = Mutex::new(None);

/// Installs (or with `None` removes) the process-wide progress callback. Process-wide because
/// runs are started by the one CLI invocation; tests leave it unset.
pub fn set_progress(f: Option<ProgressFn>) {
    if let Ok(mut p) = PROGRESS.lock() {
        *p = f;
    }
}

fn report_progress(r: &ScenarioResult) {
    if let Ok(p) = PROGRESS.lock() {
        if let Some(f) = p.as_ref() {
            f(r);
        }
    }
}

/// The cucumber writer that turns events into [`ScenarioResult`]s.
#[derive(Debug)]
pub struct Collector {
    protocol: String,
    out: Arc<Mutex<Vec<ScenarioResult>>>,
    running: HashMap<(PathBuf, usize, String), Running>,
}

fn panic_text(info: &event::Info) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "panic".to_owned()
    }
}

fn step_error_text(e: &event::StepError) -> String {
    match e {
        event::StepError::Panic(info) => panic_text(info),
        other => other.to_string(),
    }
}

impl Collector {
    fn on_scenario<W>(
        &mut self,
        feat: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        sc: &gherkin::Scenario,
        ev: event::Scenario<W>,
    ) {
        let key = (
            feat.path.clone().unwrap_or_default(),
            sc.position.line,
            sc.name.clone(),
        );
        match ev {
            event::Scenario::Started => {
                self.running.insert(
                    key,
                    Running {
                        started: Instant::now(),
                        steps: Vec::new(),
                        failure: None,
                    },
                );
            }
            event::Scenario::Hook(kind, event::Hook::Failed(_, info)) => {
                if let Some(r) = self.running.get_mut(&key) {
                    r.failure.get_or_insert_with(|| {
                        format!("{kind:?} hook failed: {}", panic_text(&info))
                    });
                }
            }
            event::Scenario::Step(step, ev) | event::Scenario::Background(step, ev) => {
                let Some(r) = self.running.get_mut(&key) else {
                    return;
                };
                let line = format!("{}{}", step.keyword, step.value);
                let status = match ev {
                    event::Step::Started => return,
                    event::Step::Passed(..) => "passed",
                    event::Step::Skipped => {
                        r.failure.get_or_insert_with(|| {
                            format!("step `{}` matches no step definition", line.trim())
                        });
                        "skipped"
                    }
                    event::Step::Failed(_, _, _, err) => {
                        r.failure.get_or_insert_with(|| {
                            format!("step `{}` failed: {}", line.trim(), step_error_text(&err))
                        });
                        "failed"
                    }
                };
                r.steps.push(StepResult {
                    keyword: step.keyword.trim().to_owned(),
                    text: step.value.clone(),
                    status: status.to_owned(),
                });
            }
            event::Scenario::Finished => {
                let Some(r) = self.running.remove(&key) else {
                    return;
                };
                let tags = {
                    let mut seen = BTreeSet::new();
                    all_tags(feat, rule, sc)
                        .into_iter()
                        .filter(|t| seen.insert(t.clone()))
                        .collect::<Vec<_>>()
                };
                let result = ScenarioResult {
                    protocol: self.protocol.clone(),
                    feature: feat
                        .path
                        .as_ref()
                        .and_then(|p| p.file_stem())
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    feature_name: feat.name.clone(),
                    name: display_name(sc),
                    requirements: tags
                        .iter()
                        .filter(|t| is_requirement_tag(t))
                        .cloned()
                        .collect(),
                    tags,
                    status: match r.failure {
                        Some(message) => ScenarioStatus::Failed { message },
                        None => ScenarioStatus::Passed,
                    },
                    duration_ms: u64::try_from(r.started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    steps: r.steps,
                };
                report_progress(&result);
                if let Ok(mut out) = self.out.lock() {
                    out.push(result);
                }
            }
            _ => {}
        }
    }
}

impl<W: cucumber::World> Writer<W> for Collector {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, ev: parser::Result<Event<Cucumber<W>>>, _cli: &Self::Cli) {
        let Ok(ev) = ev else { return };
        if let Cucumber::Feature(feat, fev) = ev.value {
            match fev {
                event::Feature::Scenario(sc, rs) => self.on_scenario(&feat, None, &sc, rs.event),
                event::Feature::Rule(rule, event::Rule::Scenario(sc, rs)) => {
                    self.on_scenario(&feat, Some(&rule), &sc, rs.event)
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_tags() {
        assert!(is_requirement_tag("ATN-S-012"));
        assert!(is_requirement_tag("SIM-P-01"));
        assert!(!is_requirement_tag("server"));
        assert!(!is_requirement_tag("needs-virtual-time"));
    }

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn lint_catches_each_rule() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("ationet");
        std::fs::create_dir(&dir).unwrap();
        write(
            &dir,
            "a.feature",
            "Feature: A\n\n  @server @ATN-S-001\n  Scenario: ok\n    Given x\n\n  @server\n  Scenario: no req\n    Given x\n\n  @server @client @ATN-S-001\n  Scenario: two dirs\n    Given x\n\n  @server @ATN-S-099\n  Scenario: unknown id\n    Given x\n\n  @server @ATN-C-001\n  Scenario: wrong side\n    Given x\n\n  @server @ATN-S-001\n  Scenario: ok\n    Given x\n\n  @server @ATN-S-001\n  Scenario Outline: outline <n>\n    Given x\n\n    Examples:\n      | n |\n      | 1 |\n",
        );
        let err = lint_features(&dir).unwrap_err();
        let LintError::Violations(v) = err else {
            panic!("{err}")
        };
        let text = render_violations(&v);
        for needle in [
            "need a requirement tag",
            "exactly one of",
            "not in the catalogue",
            "is a client requirement",
            "already used",
            "must start with an `id` column",
        ] {
            assert!(text.contains(needle), "{needle} missing in {text}");
        }
    }

    #[test]
    fn outline_rows_get_their_id() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("ationet");
        std::fs::create_dir(&dir).unwrap();
        write(
            &dir,
            "b.feature",
            "Feature: B\n\n  @server @ATN-S-001\n  Scenario Outline: amount <amount>\n    Given x\n\n    Examples:\n      | id   | amount |\n      | zero | 0      |\n      | neg  | -1     |\n",
        );
        let f = lint_features(&dir).unwrap();
        let names: Vec<&str> = f[0].scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["amount 0 [zero]", "amount -1 [neg]"]);
    }
}

#[cfg(test)]
mod suite_lint {
    use super::*;

    /// The shipped ATIONet features pass the lint, with unique names and known ids.
    #[test]
    fn shipped_ationet_features_lint_clean() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../features/ationet");
        let features = lint_features(&dir).unwrap_or_else(|e| panic!("{e}"));
        let n: usize = features.iter().map(|f| f.scenarios.len()).sum();
        assert!(n >= 100, "{n} scenarios");
        assert!(features
            .iter()
            .flat_map(|f| &f.scenarios)
            .all(|s| s.tags.iter().any(|t| t == "server")));
    }

    /// The shipped TECS features pass the lint too.
    #[test]
    fn shipped_tecs_features_lint_clean() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../features/tecs");
        let features = lint_features(&dir).unwrap_or_else(|e| panic!("{e}"));
        let n: usize = features.iter().map(|f| f.scenarios.len()).sum();
        assert!(n >= 100, "{n} scenarios");
        assert!(features
            .iter()
            .flat_map(|f| &f.scenarios)
            .all(|s| s.tags.iter().any(|t| t == "server")));
    }
}
