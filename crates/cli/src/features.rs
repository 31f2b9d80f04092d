//! Where the feature files come from: `--features DIR`, else `features/` in the current
//! directory or an ancestor, else the copies built into the binary (extracted to a temp dir).

use std::path::{Path, PathBuf};

use anyhow::Context as _;

include!(concat!(env!("OUT_DIR"), "/embedded_features.rs"));

/// A features root, and the temp dir that holds it when it was extracted.
#[derive(Debug)]
pub(crate) struct FeaturesRoot {
    /// The directory holding `<protocol>/*.feature`.
    pub(crate) path: PathBuf,
    /// Where it came from, for the summary line.
    pub(crate) origin: &'static str,
    /// Keeps an extracted copy alive for the run.
    _temp: Option<tempfile::TempDir>,
}

fn has_features(dir: &Path, protocols: &[String]) -> bool {
    protocols.iter().all(|p| dir.join(p).is_dir())
}

/// Finds `features/` holding every protocol's folder, from `start` up to the filesystem root.
pub(crate) fn find_upwards(start: &Path, protocols: &[String]) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join("features"))
        .find(|f| has_features(f, protocols))
}

/// Writes the embedded feature files of `protocols` under a fresh temp dir.
fn extract(protocols: &[String]) -> anyhow::Result<FeaturesRoot> {
    let wanted: Vec<_> = EMBEDDED_FEATURES
        .iter()
        .filter(|(rel, _)| protocols.iter().any(|p| rel.starts_with(&format!("{p}/"))))
        .collect();
    anyhow::ensure!(
        !wanted.is_empty(),
        "no features/ directory found from the current directory upwards, and this binary \
         embeds no feature files for {}; pass --features DIR",
        protocols.join(", ")
    );
    let temp = tempfile::Builder::new()
        .prefix("payrig-features-")
        .tempdir()
        .context("cannot create a temp dir for the embedded feature files")?;
    for (rel, text) in wanted {
        let path = temp.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(FeaturesRoot {
        path: temp.path().to_path_buf(),
        origin: "embedded in the payrig binary",
        _temp: Some(temp),
    })
}

/// Resolves the features root for a run. Errors are usage errors (exit 2).
pub(crate) fn resolve(given: Option<&Path>, protocols: &[String]) -> anyhow::Result<FeaturesRoot> {
    if let Some(dir) = given {
        anyhow::ensure!(
            dir.is_dir(),
            "--features {}: not a directory",
            dir.display()
        );
        if let Some(p) = protocols.iter().find(|p| !dir.join(p).is_dir()) {
            anyhow::bail!(
                "--features {}: no `{p}/` folder with feature files inside",
                dir.display()
            );
        }
        return Ok(FeaturesRoot {
            path: dir.to_path_buf(),
            origin: "--features",
            _temp: None,
        });
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    if let Some(found) = find_upwards(&cwd, protocols) {
        return Ok(FeaturesRoot {
            path: found,
            origin: "found from the current directory",
            _temp: None,
        });
    }
    extract(protocols)
}

/// The feature sources of `protocols` under `root`, as `(uri, text)` pairs with uris
/// `<protocol>/<file>.feature` (what the Cucumber Messages writer expects).
pub(crate) fn sources(root: &Path, protocols: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in protocols {
        let Ok(dir) = std::fs::read_dir(root.join(p)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = dir
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|f| f.extension().is_some_and(|x| x == "feature"))
            .collect();
        files.sort();
        for f in files {
            if let (Some(name), Ok(text)) = (f.file_name(), std::fs::read_to_string(&f)) {
                out.push((format!("{p}/{}", name.to_string_lossy()), text));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn ationet() -> Vec<String> {
        vec!["ationet".to_owned()]
    }

    #[test]
    fn finds_features_in_an_ancestor() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("features/ationet")).unwrap();
        let deep = t.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(
            find_upwards(&deep, &ationet()),
            Some(t.path().join("features"))
        );
        assert_eq!(find_upwards(&deep, &["tecs".to_owned()]), None);
    }

    #[test]
    fn embedded_copies_extract_when_present() {
        let embedded = EMBEDDED_FEATURES
            .iter()
            .filter(|(r, _)| r.starts_with("ationet/"))
            .count();
        match extract(&ationet()) {
            Ok(root) => {
                let n = std::fs::read_dir(root.path.join("ationet"))
                    .unwrap()
                    .count();
                assert_eq!(n, embedded);
                assert!(n > 0);
            }
            Err(e) => {
                assert_eq!(embedded, 0, "{e}");
            }
        }
    }

    #[test]
    fn a_given_dir_must_hold_the_protocol() {
        let t = tempfile::tempdir().unwrap();
        assert!(resolve(Some(t.path()), &ationet()).is_err());
        std::fs::create_dir_all(t.path().join("ationet")).unwrap();
        let r = resolve(Some(t.path()), &ationet()).unwrap();
        assert_eq!(r.path, t.path());
    }
}
