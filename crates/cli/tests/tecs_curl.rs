//! `scripts/tecs-curl.sh` against a real `payrig serve --clock virtual`: plain curl runs a sale,
//! a preauthorization, a capture, a referenced refund, a cancel and an abort and checks every
//! answer's shape. Skipped (with a printed reason) only when `curl` is not installed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_payrig");

/// Kills the server when dropped, so a failed assertion does not leak it.
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

#[test]
fn the_curl_script_passes_against_payrig_serve() {
    let has_curl = Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_curl {
        println!("skipped: `curl` is not installed (scripts/tecs-curl.sh needs it)");
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(BIN)
        .args(["serve", "--listen", &listen, "--clock", "virtual"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = Killed(child);
    let out = Command::new("bash")
        .arg(root.join("scripts/tecs-curl.sh"))
        .arg(port.to_string())
        .output()
        .unwrap();
    let text = format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("all TECS curl checks passed"), "{text}");
}

/// The published tables under fixtures/tecs/tables are the built-ins, byte for byte.
#[test]
fn published_tecs_tables_equal_the_built_ins() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (copy, source) in [
        (
            "fixtures/tecs/tables/test-cards.toml",
            "fixtures/cards/test-cards.toml",
        ),
        (
            "fixtures/tecs/tables/acquirer-tecs-default.toml",
            "simulators/acquirer/src/profiles/tecs-default.toml",
        ),
    ] {
        let a = std::fs::read_to_string(root.join(copy)).unwrap();
        let b = std::fs::read_to_string(root.join(source)).unwrap();
        assert_eq!(a, b, "{copy} differs from the built-in {source}");
    }
}
