//! `--journal FILE`: killing the server with SIGKILL during traffic loses no exchange that a
//! client got a response for. The test re-runs its own binary as the server process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use payrig_server::{start_with_journal, ClockMode, ServerConfig};

const CHILD: &str = "PAYRIG_JOURNAL_CHILD";

/// The server process the parent test starts (ignored on its own).
#[test]
#[ignore = "the server process of sigkill_loses_no_answered_exchange"]
fn journal_child_server() {
    let Ok(path) = std::env::var(CHILD) else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let cfg = ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            clock: ClockMode::Virtual,
            ..ServerConfig::default()
        };
        let s = start_with_journal(cfg, Some(std::path::Path::new(&path)))
            .await
            .unwrap();
        println!("PORT {}", s.local_addr().port());
        s.wait().await;
    });
}

#[tokio::test]
async fn sigkill_loses_no_answered_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "journal_child_server",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, &db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().expect("child printed its port").unwrap();
        if let Some((_, p)) = line.split_once("PORT ") {
            break p.trim().parse().unwrap();
        }
    };
    let base = format!("http://127.0.0.1:{port}");
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for t in 0..4 {
        let base = base.clone();
        let answered = answered.clone();
        tasks.push(tokio::spawn(async move {
            let c = reqwest::Client::new();
            for i in 0..10_000 {
                let key = format!("k-{t}-{i}");
                let body = format!(
                    r#"{{"siteCode":"1524","pumpNumber":1,"fuelCode":"3","amount":9,"primaryTrack":"0000000000001","terminalCode":"T1","mobilePaymentMode":1,"potencyKeyId":"{key}"}}"#
                );
                let r = c
                    .post(format!("{base}/api/MobilePayments"))
                    .header("authorization", "Bearer atn-test-7f3c9a1e")
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 200 => {
                        if r.text().await.is_ok() {
                            answered.lock().unwrap().push(key);
                        }
                    }
                    _ => break,
                }
            }
        }));
    }
    // Let traffic flow, then kill -9 mid-stream.
    tokio::time::sleep(Duration::from_millis(400)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    for t in tasks {
        let _ = t.await;
    }
    let answered = answered.lock().unwrap().clone();
    assert!(
        answered.len() > 10,
        "too little traffic: {}",
        answered.len()
    );
    let entries = payrig_server::journal::read_sqlite(&db.to_string_lossy()).unwrap();
    let responded: std::collections::HashSet<String> = entries
        .iter()
        .filter(|e| e.kind == payrig_core::journal::EntryKind::HttpResponse)
        .filter_map(|e| {
            e.corr.as_ref()?["potency_key_id"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    let missing: Vec<&String> = answered
        .iter()
        .filter(|k| !responded.contains(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "{} answered exchanges missing: {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    // Every response entry follows its request entry.
    for e in entries
        .iter()
        .filter(|e| e.kind == payrig_core::journal::EntryKind::HttpResponse)
    {
        let req = e.reply_to.unwrap();
        assert!(entries.iter().any(|r| r.seq == req));
    }
}
