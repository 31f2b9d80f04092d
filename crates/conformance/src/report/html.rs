//! `report.html`: one self-contained page for people (conformance spec, section 6).
//!
//! Inline CSS and a little inline JS (a filter box over the coverage matrix, shown only when JS
//! runs); no network, no external assets, and every section is readable with JS off. Sections,
//! in order: the caveat banner (section 9, verbatim from [`Summary::caveat`]); run facts; index
//! and score per protocol and direction; the requirement coverage matrix
//! (`<table id="coverage-matrix">`, one `<tr id="req-<ID>">` per requirement of R, the final
//! verdict in a cell of class `verdict pass|fail|not_run`); failures with their step traces;
//! skipped scenarios; every scenario; client-grading rules with evidence; the protocol
//! DECISIONs in effect. All text is HTML-escaped.
//!
//! Not yet shown, because [`RunResults`] does not carry them: expected/actual diffs and
//! exchange transcripts (timestamps, deltas, `curl` lines) of failures. A failure shows its
//! message and step trace, and names the journal file (`journal/<slug>.ndjson`) when one was
//! written next to the report.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::{ndjson::scenario_slug, CoverageRow, Summary, Verdict};
use crate::results::{RunResults, ScenarioResult, ScenarioStatus, TargetInfo};

/// File name of the HTML report inside the report directory.
pub const HTML_FILE: &str = "report.html";

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The DECISIONs of a protocol spec that shape verdicts, as `(id, one-line note)`.
/// Hard-coded from the interpretation notes of `protocols/<protocol>.md` (section 8).
pub fn decisions(protocol: &str) -> &'static [(&'static str, &'static str)] {
    match protocol {
        "ationet" => &[
            ("D1", "static Bearer tokens; anything else gets 401"),
            ("D2", "input names and paths case-insensitive; output in the sample casing"),
            ("D3", "both externalReferanceID and externalReferenceID accepted; differing values get 400"),
            ("D4", "per-site preset_unit: volume (default) or money; dispatchedAmount is always money"),
            ("D5", "transaction id = idempotency key (uuid mode optional)"),
            ("D6", "idempotent replay rules beyond \"an existing id returns its id\""),
            ("D7", "state_Name = message; id 19 = CancelledByMPPA"),
            ("D8", "prompt states 24, 25, 27, 28 (configurable)"),
            ("D9", "cancellable states from the 4.1 column; 15 gives 04008; 04009 = nozzle lifted; 00000"),
            ("D10", "a Cancel is answered at state 12; a refused deauthorize goes back to 9"),
            ("D11", "GetTransaction takes the id from the path; unknown id 404"),
            ("D12", "errors are RFC 7807 problem+json; 401/404/409/413/415 count as 400's range"),
            ("D13", "all fields required; numeric strings graded; mode = 1; payrig limits"),
            ("D14", "requests are queued before validation: unknown site 16, pump 6, grade 8"),
            ("D15", "timeouts T_reply, T_pfep, step_delay and a 1 s poll floor"),
            ("D16-18", "UTC times, shortest numbers, gzip only when allowed"),
            ("D19", "ExternalPreAuthorized, idDispatch form, fields set at state 5"),
            ("D20", "integer ml; prices with exponent + 1 decimals; payrig's PFEP table"),
        ],
        "tecs" => &[
            ("D1", "both base paths served; auth forms per path configurable"),
            ("D2", "authKey, Bearer and Basic accepted as opaque secrets; 401 is payrig's code"),
            ("D3", "version is unauthenticated"),
            ("D4", "the 5.2 response code table is payrig's; only 0000 = approved is assumed"),
            ("D5", "all response fields always present (\"\" when empty)"),
            ("D6", "a busy terminal refuses at once instead of queueing"),
            ("D7", "identical retries replay the stored response; conflicting reuse is rejected"),
            ("D8", "references left-padded with 0 and compared padded; several matches get 1201"),
            ("D9", "the seed's _01_ is transaction_source_id; 01 equals 1"),
            ("D10", "0013 + origin 4 = capture; any other 0013 = cancel"),
            ("D11", "a cancel's amount must equal the original amount, tip excluded (switchable)"),
            ("D12", "the reader supplies the tip; receipt_footer reports it"),
            ("D13", "0017 keeps the required fields (amount 0), only in awaiting_card"),
            ("D14", "a lost response must be cancelled by the ECR; response_undelivered is graded"),
            ("D15", "timers (60 s, 30 s, client 120 s) are configurable"),
            ("D16", "transaction_type values are payrig's"),
            ("D17", "PANs masked first-6/last-4 (configurable)"),
            ("D18", "no DCC; a differing desired_currency gets 3001"),
            ("D19", "Merchant Services lookups and push notifications out of scope"),
            ("D20", "MOTO card_number is PAN_YYMM or a REF... reader reference"),
            ("D21", "OAS types outside the Cloud-iA list get 3005"),
        ],
        _ => &[],
    }
}

/// Harness-level DECISIONs (conformance spec) that shape every verdict.
const HARNESS_DECISIONS: &[(&str, &str)] = &[
    (
        "catalogue",
        "the requirements/<P>.toml catalogue is the coverage denominator",
    ),
    (
        "coverage",
        "a requirement is covered only by a scenario that ran; skipped ones do not cover",
    ),
    (
        "verdict",
        "fail if any targeting scenario failed, pass if one passed, else not run",
    ),
    (
        "optional",
        "optional requirements count only when their extension is on",
    ),
];

const CSS: &str = r#"
:root { --pass:#1a7f37; --fail:#cf222e; --skip:#9a6700; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; }
main { max-width: 1200px; margin: 0 auto; padding: 0 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 1.2rem 0 .3rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
.caveat { background: #fff8c5; border-bottom: 2px solid #d4a72c; padding: .8rem 1.25rem; }
.caveat strong { display: block; margin-bottom: .2rem; }
nav { font-size: .9rem; margin: .3rem 0 1rem; color: var(--muted); }
nav a { margin-right: .8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--bg); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.bar { background: #eaeef2; height: .5rem; width: 8rem; display: inline-block; vertical-align: middle; margin-left: .4rem; }
.bar span { display: block; height: 100%; background: var(--pass); }
.bar.index span { background: #0969da; }
.verdict { font-weight: 600; white-space: nowrap; }
.pass, .st-passed { color: var(--pass); }
.fail, .st-failed, .st-undefined { color: var(--fail); }
.not_run, .st-skipped { color: var(--skip); }
td.verdict.fail { background: #ffebe9; }
td.verdict.pass { background: #dafbe1; }
td.verdict.not_run { background: #fff8c5; }
tr.row-fail td:first-child { border-left: 4px solid var(--fail); }
tr.row-pass td:first-child { border-left: 4px solid var(--pass); }
tr.row-not_run td:first-child { border-left: 4px solid #d4a72c; }
#coverage-matrix td:first-child, #coverage-matrix td:nth-child(4) { white-space: nowrap; }
ul.refs { margin: 0; padding-left: 1rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }
pre { background: var(--bg); border: 1px solid var(--line); padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
ol.steps { padding-left: 1.6rem; }
ol.steps li .st { display: inline-block; min-width: 5.5rem; font-weight: 600; }
article.failure { border-left: 4px solid var(--fail); padding-left: .8rem; margin: 1rem 0; }
.muted { color: var(--muted); }
#filter { margin: .3rem 0; padding: .3rem .5rem; width: 20rem; max-width: 100%; }
@media print { .caveat { border: 1px solid #d4a72c; } #filter { display: none; } }
"#;

const JS: &str = r#"
(function () {
  var box = document.getElementById('filter');
  var table = document.getElementById('coverage-matrix');
  if (!box || !table) return;
  box.hidden = false;
  box.addEventListener('input', function () {
    var q = box.value.toLowerCase();
    var rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      rows[i].style.display = rows[i].textContent.toLowerCase().indexOf(q) === -1 ? 'none' : '';
    }
  });
})();
"#;

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::NotRun => "not_run",
    }
}

fn status_word(s: &ScenarioStatus) -> &'static str {
    match s {
        ScenarioStatus::Passed => "passed",
        ScenarioStatus::Failed { .. } => "failed",
        ScenarioStatus::Skipped { .. } => "skipped",
    }
}

fn target_text(t: &TargetInfo) -> String {
    match t {
        TargetInfo::Embedded { protocols } => {
            format!("embedded reference server ({})", protocols.join(", "))
        }
        TargetInfo::Remote {
            url,
            protocols,
            control,
        } => format!(
            "{url} ({}; control API {})",
            protocols.join(", "),
            if *control { "answered" } else { "absent" }
        ),
    }
}

fn ms_text(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

fn bar(class: &str, ratio: f64) -> String {
    let pct = (ratio * 100.0).clamp(0.0, 100.0);
    format!("<span class=\"bar {class}\" aria-hidden=\"true\"><span style=\"width:{pct:.1}%\"></span></span>")
}

/// Anchor of a failed scenario in the failures section.
fn failure_anchor(s: &ScenarioResult) -> String {
    format!(
        "fail-{}-{}",
        scenario_slug(&s.feature),
        scenario_slug(&s.name)
    )
}

fn facts(out: &mut String, s: &Summary) {
    let rows: Vec<(&str, String)> = vec![
        ("payrig", s.payrig.clone()),
        ("commit", s.commit.clone()),
        ("direction", s.direction.clone()),
        ("target", target_text(&s.target)),
        ("protocols", s.protocols.join(", ")),
        (
            "extensions",
            if s.extensions.is_empty() {
                "none".to_owned()
            } else {
                s.extensions.join(", ")
            },
        ),
        ("seed", s.seed.to_string()),
        ("started", s.started_at.clone()),
        ("duration", ms_text(s.duration_ms)),
        (
            "scenarios",
            format!(
                "{} total: {} passed, {} failed, {} skipped",
                s.scenarios.total, s.scenarios.passed, s.scenarios.failed, s.scenarios.skipped
            ),
        ),
        (
            "rendered on",
            format!("{} / {}", std::env::consts::OS, std::env::consts::ARCH),
        ),
    ];
    out.push_str("<section id=\"run\"><h2>Run</h2><dl class=\"facts\">\n");
    for (k, v) in rows {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v));
    }
    out.push_str("</dl></section>\n");
}

fn scores(out: &mut String, s: &Summary) {
    out.push_str(
        "<section id=\"scores\"><h2>Conformance index and score</h2>\n<p class=\"muted\">Index = \
         requirements covered by a scenario that ran / requirements of the catalogue (R); score = \
         requirements passed / R. The score never exceeds the index.</p>\n<table id=\"scores-table\">\
         <thead><tr><th>Protocol</th><th>Direction</th><th>R</th><th>Covered</th><th>Passed</th>\
         <th>Failed</th><th>Not run</th><th>Index</th><th>Score</th></tr></thead><tbody>\n",
    );
    let mut row = |name: &str,
                   r: &super::RequirementCounts,
                   index: super::Fraction,
                   score: super::Fraction| {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{} <span class=\"muted\">({})</span>{}</td>\
             <td class=\"num\">{} <span class=\"muted\">({})</span>{}</td></tr>",
            escape(name),
            escape(&s.direction),
            r.total,
            r.covered,
            r.passed,
            r.failed,
            r.not_run,
            escape(&index.percent()),
            index,
            bar("index", index.ratio()),
            escape(&score.percent()),
            score,
            bar("score", score.ratio()),
        );
    };
    for (p, ps) in &s.by_protocol {
        row(p, &ps.requirements, ps.index, ps.score);
    }
    if s.by_protocol.len() != 1 {
        row("all", &s.requirements, s.index, s.score);
    }
    out.push_str("</tbody></table></section>\n");
}

fn matrix(out: &mut String, s: &Summary, results: &RunResults) {
    out.push_str(
        "<section id=\"coverage\"><h2>Requirement coverage matrix</h2>\n\
         <input id=\"filter\" type=\"search\" placeholder=\"Filter requirements…\" \
         aria-label=\"Filter requirements\" hidden>\n\
         <table id=\"coverage-matrix\"><thead><tr><th>ID</th><th>Requirement</th><th>Source</th>\
         <th>Level</th><th>Scenarios</th><th>Verdict</th></tr></thead><tbody>\n",
    );
    for r in &s.coverage {
        matrix_row(out, r, results);
    }
    out.push_str("</tbody></table></section>\n");
}

fn matrix_row(out: &mut String, r: &CoverageRow, results: &RunResults) {
    let v = verdict_word(r.verdict);
    let _ = write!(
        out,
        "<tr id=\"req-{id}\" class=\"row-{v}\" data-verdict=\"{v}\"><td><code>{id}</code></td><td>{text}</td>\
         <td>{source}</td><td>{level}{opt}</td><td>",
        id = escape(&r.id),
        text = escape(&r.text),
        source = escape(&r.source),
        level = escape(&r.level),
        opt = if r.optional { " <span class=\"muted\">(optional)</span>" } else { "" },
    );
    if r.scenarios.is_empty() {
        out.push_str("<span class=\"muted\">no scenario in this run</span>");
    } else {
        out.push_str("<ul class=\"refs\">");
        for sc in &r.scenarios {
            let failed = results.scenarios.iter().find(|x| {
                x.name == sc.name
                    && format!("{}.{}", x.protocol, x.feature) == sc.feature
                    && matches!(x.status, ScenarioStatus::Failed { .. })
            });
            let name = match failed {
                Some(x) => format!(
                    "<a href=\"#{}\">{}</a>",
                    escape(&failure_anchor(x)),
                    escape(&sc.name)
                ),
                None => escape(&sc.name),
            };
            let _ = write!(
                out,
                "<li><span class=\"st-{st}\">{st}</span> <span class=\"muted\">{f}</span> {name}</li>",
                st = escape(&sc.status),
                f = escape(&sc.feature),
            );
        }
        out.push_str("</ul>");
    }
    let _ = writeln!(out, "</td><td class=\"verdict {v}\">{v}</td></tr>");
}

fn failures(out: &mut String, results: &RunResults, journal_dir: Option<&Path>) {
    out.push_str("<section id=\"failures\"><h2>Failures</h2>\n");
    let failed: Vec<&ScenarioResult> = results
        .scenarios
        .iter()
        .filter(|s| matches!(s.status, ScenarioStatus::Failed { .. }))
        .collect();
    if failed.is_empty() {
        out.push_str("<p>No scenario failed.</p>\n");
    }
    for s in failed {
        let message = match &s.status {
            ScenarioStatus::Failed { message } => message.as_str(),
            _ => "",
        };
        let _ = writeln!(
            out,
            "<article class=\"failure\" id=\"{}\"><h3>{}</h3>\n<p class=\"muted\">{}.{} — {} — \
             requirements {} — {}</p>\n<pre>{}</pre>",
            escape(&failure_anchor(s)),
            escape(&s.name),
            escape(&s.protocol),
            escape(&s.feature),
            escape(&s.feature_name),
            escape(&s.requirements.join(", ")),
            ms_text(s.duration_ms),
            escape(message),
        );
        out.push_str("<h4>Step trace</h4><ol class=\"steps\">");
        for st in &s.steps {
            let shown = if st.status == "skipped" {
                "undefined"
            } else {
                st.status.as_str()
            };
            let _ = write!(
                out,
                "<li class=\"st-{cls}\"><span class=\"st\">{shown}</span> <b>{kw}</b> {text}</li>",
                cls = escape(shown),
                shown = escape(shown),
                kw = escape(&st.keyword),
                text = escape(&st.text),
            );
        }
        out.push_str("</ol><p class=\"muted\">Steps after the last one listed did not run.</p>");
        let journal = format!("journal/{}.ndjson", scenario_slug(&s.name));
        if journal_dir.is_some_and(|d| d.join(&journal).is_file()) {
            let _ = write!(
                out,
                "<p>Exchange journal: <code>{}</code> (next to this report).</p>",
                escape(&journal)
            );
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

fn skipped(out: &mut String, results: &RunResults) {
    let skipped: Vec<(&ScenarioResult, &str)> = results
        .scenarios
        .iter()
        .filter_map(|s| match &s.status {
            ScenarioStatus::Skipped { reason } => Some((s, reason.as_str())),
            _ => None,
        })
        .collect();
    if skipped.is_empty() {
        return;
    }
    out.push_str("<section id=\"skipped\"><h2>Skipped scenarios</h2><p class=\"muted\">Skipped scenarios do not cover their requirements.</p><table><thead><tr><th>Feature</th><th>Scenario</th><th>Requirements</th><th>Reason</th></tr></thead><tbody>\n");
    for (s, reason) in skipped {
        let _ = writeln!(
            out,
            "<tr><td>{}.{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.protocol),
            escape(&s.feature),
            escape(&s.name),
            escape(&s.requirements.join(", ")),
            escape(reason)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn scenarios(out: &mut String, results: &RunResults) {
    out.push_str("<section id=\"scenarios\"><h2>All scenarios</h2><details><summary>");
    let _ = write!(out, "{} scenarios, in run order", results.scenarios.len());
    out.push_str("</summary><table><thead><tr><th>Feature</th><th>Scenario</th><th>Requirements</th><th>Status</th><th>Time</th></tr></thead><tbody>\n");
    for s in &results.scenarios {
        let st = status_word(&s.status);
        let _ = writeln!(
            out,
            "<tr><td>{}.{}</td><td>{}</td><td>{}</td><td class=\"st-{st}\">{st}</td><td class=\"num\">{}</td></tr>",
            escape(&s.protocol),
            escape(&s.feature),
            escape(&s.name),
            escape(&s.requirements.join(", ")),
            ms_text(s.duration_ms),
        );
    }
    out.push_str("</tbody></table></details></section>\n");
}

fn rules(out: &mut String, s: &Summary) {
    out.push_str("<section id=\"rules\"><h2>Client rules</h2>\n");
    if s.rules.is_empty() {
        let _ = writeln!(
            out,
            "<p>No client-grading rules in this run ({} direction).</p>",
            escape(&s.direction)
        );
    } else {
        out.push_str("<table><thead><tr><th>Rule</th><th>Verdict</th><th>Note</th><th>Evidence (journal seq)</th><th>Measured</th></tr></thead><tbody>\n");
        for r in &s.rules {
            let text = |k: &str| match r.get(k) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Null) | None => String::new(),
                Some(v) => v.to_string(),
            };
            let verdict = text("verdict").to_ascii_lowercase();
            let class = match verdict.as_str() {
                "pass" => "pass",
                "fail" => "fail",
                _ => "not_run",
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td class=\"verdict {class}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&text("id")),
                escape(&verdict),
                escape(&text("note")),
                escape(&text("evidence")),
                escape(&text("measured")),
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

fn decisions_section(out: &mut String, s: &Summary) {
    out.push_str(
        "<section id=\"decisions\"><h2>DECISIONs in effect</h2>\n<p class=\"muted\">payrig's \
         choices where the public documentation is silent or contradicts itself. A vendor's lab \
         can judge each verdict against them.</p>\n",
    );
    for p in &s.protocols {
        let list = decisions(p);
        let _ = writeln!(out, "<h3>{}</h3>", escape(p));
        if list.is_empty() {
            out.push_str("<p class=\"muted\">No DECISION table recorded for this protocol.</p>\n");
            continue;
        }
        out.push_str("<table class=\"decisions\"><tbody>\n");
        for (id, note) in list {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                escape(id),
                escape(note)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("<h3>harness</h3><table class=\"decisions\"><tbody>\n");
    for (id, note) in HARNESS_DECISIONS {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            escape(id),
            escape(note)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// Renders the report page. `journal_dir` is the report directory, where failures' journals
/// (`journal/<slug>.ndjson`) are looked for (`None`: not mentioned).
pub fn render_html(summary: &Summary, results: &RunResults, journal_dir: Option<&Path>) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!(
        "payrig {} conformance run — {}",
        summary.direction,
        summary.protocols.join(", ")
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <title>{t}</title>\n<style>{CSS}</style></head>\n<body>\n\
         <div class=\"caveat\" id=\"caveat\" role=\"note\"><strong>Not a certification.</strong>{c}</div>\n\
         <main><h1>{t}</h1>\n\
         <nav><a href=\"#run\">Run</a><a href=\"#scores\">Index and score</a>\
         <a href=\"#coverage\">Coverage matrix</a><a href=\"#failures\">Failures</a>\
         <a href=\"#scenarios\">Scenarios</a><a href=\"#rules\">Client rules</a>\
         <a href=\"#decisions\">DECISIONs</a></nav>\n",
        t = escape(&title),
        c = escape(&summary.caveat),
    );
    facts(&mut out, summary);
    scores(&mut out, summary);
    matrix(&mut out, summary, results);
    failures(&mut out, results, journal_dir);
    skipped(&mut out, results);
    scenarios(&mut out, results);
    rules(&mut out, summary);
    decisions_section(&mut out, summary);
    let _ = write!(out, "</main>\n<script>{JS}</script>\n</body></html>\n");
    out
}

/// Writes `dir/report.html` (creating `dir`): one self-contained page rendered from the
/// summary and the run's results.
pub fn write_html(dir: &Path, summary: &Summary, results: &RunResults) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let html = render_html(summary, results, Some(dir));
    std::fs::write(dir.join(HTML_FILE), html)
}
