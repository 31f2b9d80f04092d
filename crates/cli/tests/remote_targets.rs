//! `payrig certify server` against remote targets (conformance spec section 2), end to end over
//! real sockets: a `payrig serve` child process is the target.
//!
//! - A remote payrig with the control API (found by `GET /_payrig/v1/health`, reset before each
//!   scenario, concurrency 1): every ATIONet and TECS scenario runs and passes, index == score,
//!   every requirement covered; exit 0.
//! - A remote server without the control API (`serve --no-control --clock real`, i.e. what a
//!   vendor server looks like to payrig): scenarios needing control are skipped with
//!   `target lacks control API` and count as not run, the rest run and pass, nothing fails;
//!   exit 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_payrig");
const LACKS_CONTROL: &str = "target lacks control API";
const NOT_VIRTUAL: &str = "target clock is not virtual";

/// A `payrig serve` child, killed when dropped so a failed assertion does not leak it.
struct Served {
    child: Child,
    port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Starts `payrig serve --listen 127.0.0.1:<free port> <extra>` and waits until it accepts.
fn serve(extra: &[&str]) -> Served {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(BIN)
        .args(["serve", "--listen", &listen])
        .args(extra)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn payrig serve");
    let mut s = Served { child, port };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = s.child.try_wait().unwrap() {
            panic!("payrig serve {extra:?} exited early: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "payrig serve {extra:?} did not listen on {listen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    s
}

/// The status line and body of a plain `GET`.
fn http_get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    buf
}

/// `payrig certify server --protocol ationet --protocol tecs --target URL --out DIR`.
fn certify(port: u16, out: &Path) -> Output {
    let t0 = Instant::now();
    let o = Command::new(BIN)
        .args([
            "certify",
            "server",
            "--protocol",
            "ationet",
            "--protocol",
            "tecs",
            "--target",
            &format!("http://127.0.0.1:{port}"),
            "--out",
            out.to_str().unwrap(),
        ])
        .env_remove("RUST_LOG")
        .env_remove("PAYRIG_ATIONET_TOKEN")
        .env_remove("PAYRIG_TECS_AUTHORIZATION")
        .output()
        .expect("run payrig certify server");
    eprintln!(
        "certify server against 127.0.0.1:{port}: exit {:?} in {:.1} s",
        o.status.code(),
        t0.elapsed().as_secs_f64()
    );
    o
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

fn has_tag(s: &Value, tag: &str) -> bool {
    s["tags"].as_array().unwrap().iter().any(|t| t == tag)
}

fn label(s: &Value) -> String {
    format!(
        "{}.{}: {}",
        s["protocol"].as_str().unwrap_or(""),
        s["feature"].as_str().unwrap_or(""),
        s["name"].as_str().unwrap_or("")
    )
}

/// `protocol.feature: name` and the first line of the failure, for every failed scenario.
fn failures(results: &Value) -> Vec<String> {
    results["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "failed")
        .map(|s| {
            let msg = s["message"].as_str().unwrap_or("");
            let why: Vec<&str> = msg.lines().take(3).collect();
            format!("{}\n    {}", label(s), why.join("\n    "))
        })
        .collect()
}

/// |R| for ATIONet and TECS, server side (optional requirements only with their extension).
fn catalogue_size(summary: &Value) -> (usize, usize) {
    let prompting = summary["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x.as_str().is_some_and(|x| x.ends_with("prompting")));
    let atn = payrig_ationet::requirements::CATALOGUE
        .iter()
        .filter(|r| r.side == payrig_core::Side::Server && (!r.optional || prompting))
        .count();
    let tecs = payrig_tecs::requirements::CATALOGUE
        .iter()
        .filter(|r| r.side == payrig_core::Side::Server && !r.optional)
        .count();
    (atn, tecs)
}

#[test]
fn a_remote_payrig_with_control_passes_every_scenario() {
    let server = serve(&["--clock", "virtual"]);
    let health = http_get(server.port, "/_payrig/v1/health");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"clock\":\"virtual\""), "{health}");

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("report");
    let o = certify(server.port, &dir);
    let results = json(&dir.join("results.json"));
    assert_eq!(
        failures(&results),
        Vec::<String>::new(),
        "failed scenarios\n{}",
        text(&o)
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("(payrig control API)"), "{stdout}");

    let summary = json(&dir.join("summary.json"));
    let sc = &summary["scenarios"];
    let total = sc["total"].as_u64().unwrap();
    assert!(total > 100, "{summary:#}");
    assert_eq!(sc["passed"].as_u64(), Some(total), "{summary:#}");
    assert_eq!(sc["failed"], 0, "{summary:#}");
    assert_eq!(sc["skipped"], 0, "{summary:#}");
    assert!(
        results["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "passed"),
        "{results:#}"
    );

    // Index == score == |R|/|R|, overall and per protocol: everything covered and passed.
    let (atn, tecs) = catalogue_size(&summary);
    let all = format!("{0}/{0}", atn + tecs);
    assert_eq!(summary["index"], all.as_str(), "{summary:#}");
    assert_eq!(summary["score"], summary["index"], "{summary:#}");
    let req = &summary["requirements"];
    assert_eq!(req["covered"], req["total"], "{summary:#}");
    assert_eq!(req["passed"], req["total"], "{summary:#}");
    for (p, n) in [("ationet", atn), ("tecs", tecs)] {
        let ps = &summary["by_protocol"][p];
        let all = format!("{n}/{n}");
        assert_eq!(ps["index"], all.as_str(), "{p}: {summary:#}");
        assert_eq!(ps["score"], all.as_str(), "{p}: {summary:#}");
    }

    assert_eq!(summary["target"]["kind"], "remote", "{summary:#}");
    assert_eq!(summary["target"]["control"], true, "{summary:#}");
    assert_eq!(
        summary["target"]["url"],
        format!("http://127.0.0.1:{}", server.port).as_str()
    );
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(junit.contains("<testsuite name=\"ationet."), "{junit}");
    assert!(junit.contains("<testsuite name=\"tecs."), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(!junit.contains("<skipped"), "{junit}");

    // The target ran both protocols; summary.json should name both (spec section 6).
    assert_eq!(
        summary["target"]["protocols"],
        serde_json::json!(["ationet", "tecs"]),
        "summary.json target.protocols of a two-protocol remote run: {:#}",
        summary["target"]
    );
    drop(server);
}

#[test]
fn a_server_without_control_skips_what_needs_it_and_fails_nothing() {
    let server = serve(&["--no-control", "--clock", "real"]);
    // What a vendor server looks like to payrig: the health probe is not answered.
    let health = http_get(server.port, "/_payrig/v1/health");
    assert!(health.starts_with("HTTP/1.1 404"), "{health}");

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("report");
    let o = certify(server.port, &dir);
    let summary = json(&dir.join("summary.json"));
    let results = json(&dir.join("results.json"));
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    let scenarios = results["scenarios"].as_array().unwrap();
    assert_eq!(summary["target"]["kind"], "remote", "{summary:#}");
    assert_eq!(summary["target"]["control"], false, "{summary:#}");

    // Every scenario that needs control is skipped with the runner's reason; a skip has no
    // other cause than a capability the target lacks.
    let needs_control: Vec<&Value> = scenarios
        .iter()
        .filter(|s| has_tag(s, "needs-control"))
        .collect();
    assert!(needs_control.len() > 10, "{results:#}");
    for s in &needs_control {
        assert_eq!(s["status"], "skipped", "{}", label(s));
        assert_eq!(s["reason"], LACKS_CONTROL, "{}", label(s));
    }
    for s in scenarios.iter().filter(|s| s["status"] == "skipped") {
        let reason = s["reason"].as_str().unwrap();
        if has_tag(s, "needs-control") {
            assert_eq!(reason, LACKS_CONTROL, "{}", label(s));
        } else {
            assert!(
                has_tag(s, "needs-virtual-time"),
                "{} skipped: {reason}",
                label(s)
            );
            assert_eq!(reason, NOT_VIRTUAL, "{}", label(s));
        }
    }
    let skipped = scenarios
        .iter()
        .filter(|s| s["status"] == "skipped")
        .count();
    assert_eq!(summary["scenarios"]["skipped"], skipped, "{summary:#}");
    // junit.xml: one `<skipped message="target lacks control API"/>` per control-needing one.
    let in_junit = junit
        .matches(&format!("<skipped message=\"{LACKS_CONTROL}\""))
        .count();
    assert_eq!(in_junit, needs_control.len(), "{junit}");
    // Skipped scenarios cover nothing; nothing is counted as failed for them.
    for row in summary["coverage"].as_array().unwrap() {
        let refs = row["scenarios"].as_array().unwrap();
        if !refs.is_empty() && refs.iter().all(|r| r["status"] == "skipped") {
            assert_eq!(row["verdict"], "not_run", "{row:#}");
        }
    }

    // What could run, ran: at least one scenario per protocol passed, and none failed.
    let ran: BTreeSet<&str> = scenarios
        .iter()
        .filter(|s| s["status"] == "passed")
        .map(|s| s["protocol"].as_str().unwrap())
        .collect();
    assert_eq!(ran, BTreeSet::from(["ationet", "tecs"]), "{summary:#}");
    assert!(
        summary["scenarios"]["passed"].as_u64().unwrap() >= 1,
        "{summary:#}"
    );
    let failed = failures(&results);
    assert!(
        failed.is_empty(),
        "{} scenario(s) failed against a server without control (expected none):\n{}\n{}",
        failed.len(),
        failed.join("\n"),
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(summary["scenarios"]["failed"], 0, "{summary:#}");
    assert_eq!(summary["requirements"]["failed"], 0, "{summary:#}");
    assert!(!junit.contains("<failure"), "{junit}");
    // Index > score is allowed here only through skips: with nothing failed, every covered
    // requirement passed.
    assert_eq!(summary["index"], summary["score"], "{summary:#}");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    drop(server);
}
