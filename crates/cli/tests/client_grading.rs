//! `payrig certify client` grades a real client over HTTP; `payrig report --journal` regrades
//! the saved journal to the same verdicts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_payrig");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn create(key: &str) -> String {
    format!(
        r#"{{"siteCode":"1524","pumpNumber":1,"fuelCode":"3","amount":9,"primaryTrack":"0000000000001","terminalCode":"T1","mobilePaymentMode":1,"potencyKeyId":"{key}"}}"#
    )
}

/// Runs `certify client` for a few seconds while `client` talks to it; returns the exit code
/// and summary.json.
fn graded(
    client: impl FnOnce(String),
    dir: &std::path::Path,
    journal: &std::path::Path,
) -> (i32, Value) {
    let port = free_port();
    let child = Command::new(BIN)
        .args([
            "certify",
            "client",
            "--protocol",
            "ationet",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--duration",
            "3s",
            "--clock",
            "virtual",
            "--journal",
            journal.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    client(base);
    let out = child.wait_with_output().unwrap();
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert!(
        dir.join("junit.xml").exists() && dir.join("report.html").exists(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    (out.status.code().unwrap(), summary)
}

fn verdict(summary: &Value, id: &str) -> String {
    summary["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .map(|r| r["verdict"].as_str().unwrap().to_owned())
        .unwrap()
}

fn http(method: &str, url: &str, body: Option<String>, auth: bool) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let mut rb = if method == "POST" {
            c.post(url)
        } else {
            c.get(url)
        };
        if auth {
            rb = rb.header("authorization", "Bearer atn-test-7f3c9a1e");
        }
        if let Some(b) = body {
            rb = rb.header("content-type", "application/json").body(b);
        }
        let _ = rb.send().await.unwrap().text().await;
    });
}

#[test]
fn a_polite_client_passes_and_a_hasty_one_fails_atn_c_004() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, s) = graded(
        |base| {
            http(
                "POST",
                &format!("{base}/api/MobilePayments"),
                Some(create("good-1")),
                true,
            );
            http(
                "GET",
                &format!("{base}/api/MobilePayments/GetTransaction/good-1"),
                None,
                true,
            );
        },
        &tmp.path().join("good"),
        &tmp.path().join("good.db"),
    );
    assert_eq!(code, 0, "{s}");
    assert_eq!(verdict(&s, "ATN-C-001"), "pass");
    assert_eq!(s["direction"], "client");

    let (code, s) = graded(
        |base| {
            http(
                "POST",
                &format!("{base}/api/MobilePayments"),
                Some(create("bad-1")),
                true,
            );
            for _ in 0..3 {
                http(
                    "GET",
                    &format!("{base}/api/MobilePayments/GetTransaction/bad-1"),
                    None,
                    true,
                );
            }
            // And one request without a token.
            http(
                "GET",
                &format!("{base}/api/MobilePayments/GetTransaction/bad-1"),
                None,
                false,
            );
        },
        &tmp.path().join("bad"),
        &tmp.path().join("bad.db"),
    );
    assert_eq!(code, 1, "{s}");
    assert_eq!(verdict(&s, "ATN-C-004"), "fail");
    assert_eq!(verdict(&s, "ATN-C-001"), "fail");
    let evidence = s["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ATN-C-004")
        .unwrap()["evidence"]
        .as_array()
        .unwrap()
        .len();
    assert!(evidence >= 2);

    // The saved journal regrades to the same verdicts.
    let out = Command::new(BIN)
        .args([
            "report",
            "--journal",
            tmp.path().join("bad.db").to_str().unwrap(),
            "--out",
            tmp.path().join("regraded").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again: Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("regraded/summary.json")).unwrap())
            .unwrap();
    assert_eq!(verdict(&again, "ATN-C-004"), "fail");
}
