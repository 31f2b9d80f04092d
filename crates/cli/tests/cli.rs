//! End-to-end tests of the `payrig` binary: help, exit codes, a full embedded certify run and
//! `serve` answering its health probe on a real socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_payrig");

fn payrig(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run payrig")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn help_lists_the_commands() {
    let o = payrig(&["--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("serve"), "{out}");
    assert!(out.contains("certify"), "{out}");
    let o = payrig(&["certify", "server", "--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--min-score"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--bogus"][..],
        &["certify", "server"],
        &["certify", "server", "--protocol", "nope"],
        &[
            "certify",
            "server",
            "--protocol",
            "ationet",
            "--min-index",
            "2",
        ],
        &[
            "certify",
            "server",
            "--protocol",
            "ationet",
            "--target",
            "ftp://x",
        ],
        &[
            "certify",
            "server",
            "--protocol",
            "ationet",
            "--format",
            "pdf",
        ],
        &["certify", "server", "--protocol", "mobitef"],
        &[
            "certify",
            "client",
            "--protocol",
            "ationet",
            "--plan",
            "full",
        ],
        &["serve", "--listen", "not-an-address"],
        &["serve", "--listen", "0.0.0.0:0", "--control"],
        &["serve", "--scenario", "/nonexistent/scenario.toml"],
    ] {
        let o = payrig(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}\n{}", text(&o));
    }
    let o = payrig(&[
        "certify",
        "client",
        "--protocol",
        "ationet",
        "--plan",
        "full",
    ]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not implemented yet"),
        "{}",
        text(&o)
    );
}

#[test]
fn an_unreachable_target_exits_3() {
    let out = tempfile::tempdir().unwrap();
    let o = payrig(&[
        "certify",
        "server",
        "--protocol",
        "ationet",
        "--target",
        "http://127.0.0.1:1",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
}

#[test]
fn certify_embedded_passes_everything() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("report");
    let o = payrig(&[
        "certify",
        "server",
        "--protocol",
        "ationet",
        "--out",
        dir.to_str().unwrap(),
        "--min-index",
        "100%",
        "--min-score",
        "100%",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("pre-certification harness"), "{stdout}");
    assert!(stdout.contains(dir.to_str().unwrap()), "{stdout}");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let prompting = summary["extensions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x.as_str().is_some_and(|x| x.ends_with("prompting")));
    let n = payrig_ationet::requirements::CATALOGUE
        .iter()
        .filter(|r| r.side == payrig_core::Side::Server && (!r.optional || prompting))
        .count();
    let all = format!("{n}/{n}");
    assert_eq!(summary["index"], all.as_str(), "{summary:#}");
    assert_eq!(summary["score"], all.as_str(), "{summary:#}");
    assert_eq!(summary["direction"], "server");
    assert_eq!(summary["seed"], 42);
    assert_eq!(summary["scenarios"]["failed"], 0);

    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(junit.contains("<testsuite name=\"ationet."), "{junit}");
    assert!(junit.contains("payrig.caveat"));
}

#[test]
fn certify_tecs_and_both_protocols_pass_everything() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("report");
    let o = payrig(&[
        "certify",
        "server",
        "--protocol",
        "ationet",
        "--protocol",
        "tecs",
        "--out",
        dir.to_str().unwrap(),
        "--min-score",
        "100%",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let tecs = &summary["by_protocol"]["tecs"];
    let n = payrig_tecs::requirements::CATALOGUE
        .iter()
        .filter(|r| r.side == payrig_core::Side::Server && !r.optional)
        .count();
    let all = format!("{n}/{n}");
    assert_eq!(tecs["index"], all.as_str(), "{summary:#}");
    assert_eq!(tecs["score"], all.as_str(), "{summary:#}");
    assert_eq!(summary["scenarios"]["failed"], 0);
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(junit.contains("<testsuite name=\"tecs."), "{junit}");
    assert!(junit.contains("<testsuite name=\"ationet."), "{junit}");
}

/// Kills the child when dropped, so a failed assertion does not leak a server.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    Some(buf)
}

#[test]
fn serve_answers_health() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(BIN)
        .args([
            "serve", "--listen", &listen, "--clock", "virtual", "--seed", "7",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = Killed(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let reply = loop {
        if let Some(r) = http_get(port, "/_payrig/v1/health") {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not answer on {listen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"clock\":\"virtual\""), "{reply}");
    assert!(reply.contains("\"seed\":7"), "{reply}");
}
