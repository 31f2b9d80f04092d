//! Requirement catalogue types: the denominator of conformance index and score.

use serde::Serialize;

/// Which side of the protocol an obligation binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// `<P>-S-nnn`: what a server must do (graded by `certify server`).
    Server,
    /// `<P>-C-nnn`: what an integrator's client must do (graded by `certify client`).
    Client,
}

/// How binding a requirement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Mandatory.
    Must,
    /// Recommended.
    Should,
}

/// One numbered obligation from a protocol spec.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Requirement {
    /// Stable id, e.g. `ATN-S-012`.
    pub id: &'static str,
    /// Server or client.
    pub side: Side,
    /// The text as the spec words it.
    pub text: &'static str,
    /// Source tags as the spec cites them (`[seed, D6]`).
    pub source: &'static str,
    /// Must or should.
    pub level: Level,
    /// Counted only when its extension is switched on (e.g. ATIONet prompting).
    pub optional: bool,
}

impl Requirement {
    /// The protocol prefix (`ATN`).
    pub fn prefix(&self) -> &'static str {
        self.id.split('-').next().unwrap_or(self.id)
    }
}

/// Checks that an id has the `PPP-S-nnn` / `PPP-C-nnn` shape.
pub fn is_requirement_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 9
        && b[..3].iter().all(u8::is_ascii_uppercase)
        && b[3] == b'-'
        && (b[4] == b'S' || b[4] == b'C')
        && b[5] == b'-'
        && b[6..].iter().all(u8::is_ascii_digit)
}

/// The bullets of a protocol spec's `## 6. Requirements` section (markdown), continuation
/// lines joined with a space; `None` when the section is absent. Catalogue tests compare their
/// constants with these.
pub fn spec_requirement_bullets(spec: &str) -> Option<Vec<String>> {
    let section = spec
        .split("\n## ")
        .find(|s| s.starts_with("6. Requirements"))?;
    let mut bullets: Vec<String> = Vec::new();
    for line in section.lines().skip(1) {
        if let Some(rest) = line.strip_prefix("- ") {
            bullets.push(rest.to_owned());
        } else if line.starts_with(char::is_whitespace) && !line.trim().is_empty() {
            if let Some(last) = bullets.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
            }
        }
    }
    Some(bullets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_section_6_bullets() {
        let md = "# X\n## 5. Other\n- no\n## 6. Requirements\nIntro.\n- A-S-001: one\n  two\n- A-S-002: three\n## 7. Next\n- no\n";
        assert_eq!(
            spec_requirement_bullets(md).unwrap(),
            vec!["A-S-001: one two".to_owned(), "A-S-002: three".to_owned()]
        );
        assert!(spec_requirement_bullets("# nothing").is_none());
    }

    #[test]
    fn recognises_ids() {
        assert!(is_requirement_id("ATN-S-012"));
        assert!(is_requirement_id("TEC-C-004"));
        assert!(!is_requirement_id("ATN-X-012"));
        assert!(!is_requirement_id("ATN-S-12"));
        assert!(!is_requirement_id("SIM-P-01"));
    }
}
