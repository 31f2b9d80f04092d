//! Build script of the `payrig` binary: records the git commit it is built from and embeds the
//! feature files, so the binary can run `certify server` outside a checkout.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../..");
    commit(&root);
    embed_features(&root.join("features"));
}

/// `PAYRIG_COMMIT`: `git rev-parse --short HEAD`, or `unknown` (no git, no checkout). Local only.
fn commit(root: &Path) {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--short", "HEAD"])
        .output();
    let commit = match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => String::new(),
    };
    let commit = if commit.is_empty() {
        "unknown".to_owned()
    } else {
        commit
    };
    println!("cargo:rustc-env=PAYRIG_COMMIT={commit}");
    // Rebuild when HEAD moves (a commit, a checkout).
    let git_dir = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--absolute-git-dir"])
        .output();
    if let Ok(o) = git_dir {
        if o.status.success() {
            let dir = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
            for f in ["HEAD", "packed-refs"] {
                let p = dir.join(f);
                if p.exists() {
                    println!("cargo:rerun-if-changed={}", p.display());
                }
            }
            if let Ok(head) = std::fs::read_to_string(dir.join("HEAD")) {
                if let Some(r) = head.trim().strip_prefix("ref: ") {
                    let p = dir.join(r);
                    if p.exists() {
                        println!("cargo:rerun-if-changed={}", p.display());
                    }
                }
            }
        }
    }
}

/// Writes `OUT_DIR/embedded_features.rs`: `(relative path, contents)` of every
/// `features/<protocol>/*.feature`, sorted by path.
fn embed_features(features: &Path) {
    println!("cargo:rerun-if-changed={}", features.display());
    let mut files = Vec::new();
    if let Ok(protocols) = std::fs::read_dir(features) {
        for p in protocols.flatten() {
            let dir = p.path();
            if !dir.is_dir() {
                continue;
            }
            println!("cargo:rerun-if-changed={}", dir.display());
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for e in entries.flatten() {
                    let path = e.path();
                    if path.extension().is_some_and(|x| x == "feature") {
                        let rel = format!(
                            "{}/{}",
                            p.file_name().to_string_lossy(),
                            e.file_name().to_string_lossy()
                        );
                        files.push((rel, path));
                    }
                }
            }
        }
    }
    files.sort();
    let mut code = String::from(
        "/// Feature files embedded at build time: (path under `features/`, contents).\n\
         pub(crate) static EMBEDDED_FEATURES: &[(&str, &str)] = &[\n",
    );
    for (rel, path) in &files {
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        let _ = writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            abs.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(out.join("embedded_features.rs"), code) {
        println!("cargo:warning=cannot write embedded_features.rs: {e}");
    }
}
