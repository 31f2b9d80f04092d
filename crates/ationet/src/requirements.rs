//! ATN requirement catalogue: section 6 of the spec, word for word.
//!
//! Every id, text and source tag is the spec's; a unit test reads `shared/protocols/ationet.md`
//! and fails on any drift. All are `Must`. The prompting extension's obligations (ATN-S-020,
//! ATN-C-009) are `optional`: they count only when prompting is on. ATN-S-019 is about prompting
//! being off, so it always counts.

use payrig_core::requirement::Level;
use payrig_core::{Requirement, Side};

const fn req(
    id: &'static str,
    side: Side,
    text: &'static str,
    source: &'static str,
    optional: bool,
) -> Requirement {
    Requirement {
        id,
        side,
        text,
        source,
        level: Level::Must,
        optional,
    }
}

/// Every ATN requirement, servers first, in id order.
pub const CATALOGUE: &[Requirement] = &[
    req(
        "ATN-S-001",
        Side::Server,
        r#"A valid create with a new key gets 200 `{"transactionId"}`."#,
        "[seed]",
        false,
    ),
    req(
        "ATN-S-002",
        Side::Server,
        "A PreAuthorizedPayments transaction never enters states 2, 3, 11 or 24-28.",
        "[EXT, DIA]",
        false,
    ),
    req(
        "ATN-S-003",
        Side::Server,
        "By default, `transactionId` equals `potencyKeyId`.",
        "[FI, D5]",
        false,
    ),
    req(
        "ATN-S-004",
        Side::Server,
        "An identical repeat returns the same id, with no new transaction and no second `Reserve`.",
        "[seed, D6]",
        false,
    ),
    req(
        "ATN-S-005",
        Side::Server,
        "N concurrent identical creates give one transaction, one `Reserve`, and N equal ids.",
        "[D6]",
        false,
    ),
    req(
        "ATN-S-006",
        Side::Server,
        "A key reused with another body gets 409 naming `potencyKeyId`, and changes nothing.",
        "[D6]",
        false,
    ),
    req(
        "ATN-S-007",
        Side::Server,
        "Input names are accepted in any casing, along with both spellings of `externalReferanceID`. Output keeps the exact casing of section 3.",
        "[seed, FI, D2, D3]",
        false,
    ),
    req(
        "ATN-S-008",
        Side::Server,
        "A bad field gets 400 with `errors` naming it, and creates nothing.",
        "[seed, D12]",
        false,
    ),
    req(
        "ATN-S-009",
        Side::Server,
        "A request without a valid Bearer token gets 401, whatever its body.",
        "[D1]",
        false,
    ),
    req(
        "ATN-S-010",
        Side::Server,
        "GetTransaction returns every seed field in order, plus `idDispatch`. An unknown id gets 404.",
        "[seed, FI, D11]",
        false,
    ),
    req(
        "ATN-S-011",
        Side::Server,
        "Only the transitions of 4.2 occur; other events leave the state unchanged.",
        "[DIA]",
        false,
    ),
    req(
        "ATN-S-012",
        Side::Server,
        "The MobilePayments happy path runs 1, 5, 2, 4, 7, 9, 10.",
        "[DIA]",
        false,
    ),
    req(
        "ATN-S-013",
        Side::Server,
        "State 7 with no `BeginFueling` reaches 14 at 180 s, or 19 at 300 s if T_site is off.",
        "[CMD, DIA]",
        false,
    ),
    req(
        "ATN-S-014",
        Side::Server,
        "A Cancel in a state marked `00000` returns true, then the transaction passes 12 and 15 to 13.",
        "[seed, DIA]",
        false,
    ),
    req(
        "ATN-S-015",
        Side::Server,
        "A Cancel in any other state, or for an unknown id, returns the 4.1 code with false, and changes nothing.",
        "[seed, D9]",
        false,
    ),
    req(
        "ATN-S-016",
        Side::Server,
        "What is dispensed never exceeds `authorizedAmount`, which never exceeds `requestedAmount`.",
        "[D4]",
        false,
    ),
    req(
        "ATN-S-017",
        Side::Server,
        "`dispatchedAmount` equals quantity x unit price, rounded half-up.",
        "[D4, D20]",
        false,
    ),
    req(
        "ATN-S-018",
        Side::Server,
        "An `amount` of 0 or less, above `max_preset`, or with too many decimals gets 400 naming `amount`.",
        "[D4]",
        false,
    ),
    req(
        "ATN-S-019",
        Side::Server,
        "With prompting off, no id of 20 or more appears, and the prompts endpoint gets 404.",
        "[D8]",
        false,
    ),
    req(
        "ATN-S-020",
        Side::Server,
        "With prompting on, an unanswered state 25 reaches 19 at 300 s; a valid answer gets `{}`, then state 27.",
        "[FI]",
        true,
    ),
    req(
        "ATN-S-021",
        Side::Server,
        "A busy, offline or unknown pump gives state 6 with the text from 4.3.",
        "[FI, CMD]",
        false,
    ),
    req(
        "ATN-S-022",
        Side::Server,
        "An unknown site, or one without a session, gives state 16 after a 200.",
        "[DIA, D14]",
        false,
    ),
    req(
        "ATN-C-001",
        Side::Client,
        "Sends `Authorization: Bearer` on every request.",
        "[D1]",
        false,
    ),
    req(
        "ATN-C-002",
        Side::Client,
        "Uses a fresh `potencyKeyId` for each purchase, and never reuses one with another body.",
        "[seed]",
        false,
    ),
    req(
        "ATN-C-003",
        Side::Client,
        "After a timeout, a lost connection or a 5xx on a create, resends the same body with the same key.",
        "[seed, D6]",
        false,
    ),
    req(
        "ATN-C-004",
        Side::Client,
        "Polls a transaction at most once per second, and stops at a terminal state.",
        "[D15]",
        false,
    ),
    req(
        "ATN-C-005",
        Side::Client,
        "Branches on `state_Id`, never on `state_Name`.",
        "[FI, D7]",
        false,
    ),
    req(
        "ATN-C-006",
        Side::Client,
        "Treats a Cancel as done only when `isSuccessCanceled` is true, and accepts `00000` or `0`.",
        "[seed, FI]",
        false,
    ),
    req(
        "ATN-C-007",
        Side::Client,
        "Cancels a purchase it abandons before state 9. If the create response was lost, it first repeats the create.",
        "[D10]",
        false,
    ),
    req(
        "ATN-C-008",
        Side::Client,
        "Sends the seed's names (`externalReferanceID` included) and JSON numbers within the unit's precision.",
        "[seed, D4, D13]",
        false,
    ),
    req(
        "ATN-C-009",
        Side::Client,
        "With prompting on, answers within 300 s with exactly the requested keys.",
        "[FI]",
        true,
    ),
];

/// The requirement with this id (`ATN-S-012`), if any.
pub fn requirement(id: &str) -> Option<&'static Requirement> {
    CATALOGUE.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/protocols/ationet.md"
    );

    /// Section 6's bullets as `(id, text, source)`, continuation lines joined, whitespace
    /// normalised.
    fn spec_requirements(spec: &str) -> Vec<(String, String, String)> {
        let bullets = payrig_core::requirement::spec_requirement_bullets(spec)
            .unwrap_or_else(|| panic!("{SPEC} has no `## 6. Requirements` section"));
        bullets
            .iter()
            .filter(|b| b.starts_with("ATN-"))
            .map(|b| {
                let b = normalise(b);
                let (id, rest) = b.split_once(": ").expect("`ID: text` bullet");
                let open = rest.rfind(" [").expect("bullet ends with a [source] tag");
                let (text, source) = rest.split_at(open);
                (id.to_owned(), text.to_owned(), source.trim().to_owned())
            })
            .collect()
    }

    fn normalise(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn catalogue_matches_section_6_of_the_spec() {
        let spec = match std::fs::read_to_string(SPEC) {
            Ok(s) => s,
            // CI lays shared/ beside the checkout; a vendor's clone may not have it, and then
            // requirements/ATN.toml (checked below, always present) guards the catalogue.
            Err(e) if std::env::var("PAYRIG_REQUIRE_SHARED").as_deref() != Ok("1") => {
                eprintln!("not compared with the spec: {SPEC}: {e}");
                return;
            }
            Err(e) => panic!("cannot read the ATIONet spec at {SPEC}: {e}"),
        };
        let from_spec = spec_requirements(&spec);
        let ours: Vec<(String, String, String)> = CATALOGUE
            .iter()
            .map(|r| (r.id.to_owned(), normalise(r.text), r.source.to_owned()))
            .collect();
        for (a, b) in from_spec.iter().zip(&ours) {
            assert_eq!(a, b, "catalogue differs from the spec");
        }
        assert_eq!(
            from_spec.len(),
            ours.len(),
            "number of requirements differs"
        );
    }

    /// The machine-readable catalogue of conformance.md section 1, kept in the repository.
    const TOML_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../requirements/ATN.toml");

    #[derive(serde::Serialize)]
    struct TomlCatalogue {
        requirement: Vec<TomlRequirement>,
    }

    #[derive(serde::Serialize)]
    struct TomlRequirement {
        id: &'static str,
        side: &'static str,
        text: &'static str,
        source: &'static str,
        level: &'static str,
        optional: bool,
    }

    fn render_toml() -> String {
        let requirement = CATALOGUE
            .iter()
            .map(|r| TomlRequirement {
                id: r.id,
                side: match r.side {
                    payrig_core::Side::Server => "server",
                    payrig_core::Side::Client => "client",
                },
                text: r.text,
                source: r.source,
                level: match r.level {
                    payrig_core::requirement::Level::Must => "must",
                    payrig_core::requirement::Level::Should => "should",
                },
                optional: r.optional,
            })
            .collect();
        let body = toml::to_string(&TomlCatalogue { requirement }).unwrap();
        format!(
            "# ATN requirement catalogue (conformance.md section 1). Generated from\n\
             # payrig_ationet::requirements::CATALOGUE; regenerate with\n\
             # PAYRIG_BLESS=1 cargo test -p payrig-ationet requirements_toml\n\n{body}"
        )
    }

    #[test]
    fn requirements_toml_matches_the_catalogue() {
        let want = render_toml();
        if std::env::var("PAYRIG_BLESS").as_deref() == Ok("1") {
            std::fs::write(TOML_FILE, &want).unwrap();
        }
        let have = std::fs::read_to_string(TOML_FILE).unwrap();
        assert_eq!(
            have, want,
            "requirements/ATN.toml is stale (PAYRIG_BLESS=1 regenerates)"
        );
    }

    #[test]
    fn ids_sides_and_flags() {
        assert_eq!(CATALOGUE.len(), 31);
        let mut ids: Vec<&str> = CATALOGUE.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len(), "duplicate id");
        for r in CATALOGUE {
            assert!(
                payrig_core::requirement::is_requirement_id(r.id),
                "{}",
                r.id
            );
            assert_eq!(r.prefix(), "ATN");
            let server = r.id.starts_with("ATN-S-");
            assert_eq!(r.side == Side::Server, server, "{}", r.id);
            assert_eq!(r.level, Level::Must);
            assert!(
                r.source.starts_with('[') && r.source.ends_with(']'),
                "{}",
                r.id
            );
            assert_eq!(r.text, r.text.trim(), "{}", r.id);
        }
        let optional: Vec<&str> = CATALOGUE
            .iter()
            .filter(|r| r.optional)
            .map(|r| r.id)
            .collect();
        assert_eq!(optional, ["ATN-S-020", "ATN-C-009"]);
        assert!(!requirement("ATN-S-019").unwrap().optional);
        assert_eq!(requirement("ATN-S-022").unwrap().source, "[DIA, D14]");
        assert_eq!(requirement("ATN-S-023"), None);
    }
}
