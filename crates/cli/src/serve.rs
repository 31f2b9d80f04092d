//! `payrig serve`: the reference servers with their simulated sites, until Ctrl-C.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{anyhow, Context as _};
use payrig_server::{ClockMode, ServerConfig, ServerError};
use payrig_world::ationet::AtionetConfig;

use crate::args::{resolve_protocols, ClockArg, Output, ServeArgs};
use crate::exit::{CliError, Exit};

/// The built-in default scenario (spec section 7, every key spelled out).
pub(crate) const DEFAULT_SCENARIO: &str =
    include_str!("../../../fixtures/ationet/scenarios/default.toml");

/// Reads the scenario (or the default) into an ATIONet configuration; errors exit 2.
pub(crate) fn load_scenario(args: &ServeArgs) -> Result<AtionetConfig, CliError> {
    let (text, name) = scenario_text(args)?;
    AtionetConfig::from_toml(&text).map_err(|e| CliError::usage(anyhow!("scenario {name}: {e}")))
}

/// The `[tecs]` table of the same scenario file (terminals, customers, credentials), with
/// `cards_file` and `acquirer_profile_file` read relative to the scenario file.
pub(crate) fn load_tecs(args: &ServeArgs) -> Result<payrig_world::tecs::TecsConfig, CliError> {
    let (text, name) = scenario_text(args)?;
    let base = args
        .scenario
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let text = inline_tecs_files(&text, &base)
        .map_err(|e| CliError::usage(anyhow!("scenario {name}: {e:#}")))?;
    payrig_world::tecs::TecsConfig::from_toml(&text)
        .map_err(|e| CliError::usage(anyhow!("scenario {name}: {e}")))
}

/// The `[tecs]` keys naming files, and the keys that carry their text (the world reads no
/// files).
const TECS_FILE_KEYS: [(&str, &str); 2] = [
    ("cards_file", "cards_toml"),
    ("acquirer_profile_file", "acquirer_profile_toml"),
];

/// Rewrites `[tecs] cards_file = "…"` and `acquirer_profile_file = "…"` into `cards_toml` and
/// `acquirer_profile_toml` holding the files' text, read relative to `base_dir`. Text
/// without those keys comes back unchanged.
pub(crate) fn inline_tecs_files(text: &str, base_dir: &Path) -> anyhow::Result<String> {
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| anyhow!("{}", e.message()))?;
    let Some(tecs) = doc.get_mut("tecs").and_then(toml::Value::as_table_mut) else {
        return Ok(text.to_owned());
    };
    let mut changed = false;
    for (file_key, text_key) in TECS_FILE_KEYS {
        let Some(v) = tecs.remove(file_key) else {
            continue;
        };
        let rel = v
            .as_str()
            .ok_or_else(|| anyhow!("tecs.{file_key} must be a string (a path)"))?;
        if tecs.contains_key(text_key) {
            return Err(anyhow!("give tecs.{file_key} or tecs.{text_key}, not both"));
        }
        let path = base_dir.join(rel);
        let content = std::fs::read_to_string(&path)
            .with_context(|| format!("tecs.{file_key}: cannot read {}", path.display()))?;
        tecs.insert(text_key.to_owned(), toml::Value::String(content));
        changed = true;
    }
    if !changed {
        return Ok(text.to_owned());
    }
    toml::to_string(&doc).context("cannot re-encode the scenario")
}

fn scenario_text(args: &ServeArgs) -> Result<(String, String), CliError> {
    Ok(match &args.scenario {
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("--scenario {}", path.display()))
                .map_err(CliError::usage)?,
            path.display().to_string(),
        ),
        None => (DEFAULT_SCENARIO.to_owned(), "built-in default".to_owned()),
    })
}

/// Whether to serve the control API, and whether that is allowed on `listen`.
pub(crate) fn control_enabled(args: &ServeArgs) -> Result<bool, CliError> {
    let loopback = args.listen.ip().is_loopback();
    if args.no_control {
        if args.control_token.is_some() {
            return Err(CliError::usage(anyhow!(
                "--no-control and --control-token contradict each other"
            )));
        }
        return Ok(false);
    }
    let wanted = args.control || args.control_token.is_some() || loopback;
    if wanted && !loopback && args.control_token.is_none() {
        return Err(CliError::usage(anyhow!(
            "the control API on non-loopback address {} requires --control-token T \
             (or pass --no-control)",
            args.listen
        )));
    }
    Ok(wanted)
}

/// The server configuration for `args`.
pub(crate) fn server_config(args: &ServeArgs) -> Result<ServerConfig, CliError> {
    let _protocols = resolve_protocols(&args.protocols);
    Ok(ServerConfig {
        listen: args.listen,
        clock: match args.clock {
            ClockArg::Real => ClockMode::Wall,
            ClockArg::Virtual => ClockMode::Virtual,
        },
        seed: args.seed,
        ationet: load_scenario(args)?,
        tecs: load_tecs(args)?,
        control: control_enabled(args)?,
        control_token: args.control_token.clone(),
        journal_capacity: args.journal_capacity,
    })
}

/// What `serve` prints once it listens: base URL, tokens and a curl line to start with.
pub(crate) fn banner(cfg: &ServerConfig, addr: SocketAddr, base: &str) -> String {
    let token = cfg
        .ationet
        .tokens
        .first()
        .map(String::as_str)
        .unwrap_or("<token>");
    let (site, pump, grade) = cfg
        .ationet
        .sites
        .values()
        .next()
        .map(|s| {
            (
                s.code.as_str(),
                s.pumps.keys().next().copied().unwrap_or(1),
                s.grades.keys().next().map(String::as_str).unwrap_or("1"),
            )
        })
        .unwrap_or(("1524", 1, "1"));
    let clock = match cfg.clock {
        ClockMode::Virtual => "virtual (moves only with POST /_payrig/v1/clock/advance)",
        _ => "real",
    };
    let mut b = String::new();
    b.push_str(&format!(
        "payrig {} serving ationet and tecs on {addr}\n",
        env!("CARGO_PKG_VERSION")
    ));
    b.push_str(&format!("  base URL      {base}\n"));
    b.push_str("  endpoints     POST /api/MobilePayments, POST /api/PreAuthorizedPayments,\n");
    b.push_str("                GET /api/MobilePayments/GetTransaction/{id}, POST /api/MobilePayments/Cancel\n");
    b.push_str(&format!("  bearer token  {token}\n"));
    b.push_str(&tecs_banner(cfg, base));
    b.push_str(&format!("  seed, clock   {}, {clock}\n", cfg.seed));
    let control_header = match &cfg.control_token {
        Some(t) => format!(" -H 'X-Payrig-Control-Token: {t}'"),
        None => String::new(),
    };
    if cfg.control {
        b.push_str(&format!(
            "  control API   {base}/_payrig/v1 (health, reset, clock, pumps, sites, journal)\n"
        ));
    } else {
        b.push_str("  control API   off\n");
    }
    b.push_str("\nTry:\n");
    b.push_str(&format!(
        "  curl -s {base}/api/MobilePayments -H 'Authorization: Bearer {token}' \
         -H 'Content-Type: application/json' \\\n    -d '{{\"siteCode\":\"{site}\",\"pumpNumber\":{pump},\
         \"fuelCode\":\"{grade}\",\"amount\":9,\"primaryTrack\":\"0000000000001\",\
         \"terminalCode\":\"S2G321\",\"mobilePaymentMode\":1,\"potencyKeyId\":\"demo-0001\"}}'\n"
    ));
    b.push_str(&format!(
        "  curl -s {base}/api/MobilePayments/GetTransaction/demo-0001 -H 'Authorization: Bearer {token}'\n"
    ));
    let tecs_auth = tecs_auth_key(cfg);
    b.push_str(&format!(
        "  curl -s {base}/tecsclientrest/makeTransaction -H 'Authorization: {tecs_auth}' \
         -H 'Content-Type: application/json' \\\n    -d '{{\"amount\":\"1255\",\"card_number\":\"\",\
         \"currency\":\"EUR\",\"message_type\":\"0001\",\"terminal_number\":\"{terminal}\",\
         \"transaction_date_time\":\"20240521190912\",\"transaction_id\":\"demo-0001\",\
         \"transaction_origin_identifier\":\"1\",\"transaction_origin_indicator\":\"0\"}}'\n",
        terminal = cfg
            .tecs
            .terminals
            .keys()
            .next()
            .map(String::as_str)
            .unwrap_or("88091105"),
    ));
    if cfg.control {
        if cfg.clock == ClockMode::Virtual {
            b.push_str(&format!(
                "    (blocks until the card and the acquirer are done: in another shell\n     \
                 curl -s{control_header} -X POST {base}/_payrig/v1/clock/advance -d '{{\"until_idle\":true}}')\n"
            ));
        }
        b.push_str(&format!(
            "  curl -s{control_header} {base}/_payrig/v1/journal\n"
        ));
    }
    b.push_str("\nCtrl-C stops the server.");
    b
}

/// The first TECS credential, as an `Authorization` value.
fn tecs_auth_key(cfg: &ServerConfig) -> String {
    let c = &cfg.tecs.credentials;
    c.auth_keys
        .first()
        .cloned()
        .or_else(|| c.bearer_tokens.first().map(|t| format!("Bearer {t}")))
        .unwrap_or_else(|| "<authKey>".to_owned())
}

/// The TECS lines of the banner: base URLs, credentials, terminals.
fn tecs_banner(cfg: &ServerConfig, base: &str) -> String {
    let c = &cfg.tecs.credentials;
    let mut b = String::new();
    b.push_str(&format!(
        "  TECS base     {base}/tecsclientrest and {base}/tecsclientrest-auth\n"
    ));
    b.push_str("  TECS ops      POST {base}/makeTransaction (blocks until the terminal is done), GET {base}/version\n");
    let mut creds = Vec::new();
    if let Some(k) = c.auth_keys.first() {
        creds.push(format!("authKey {k}"));
    }
    if let Some(t) = c.bearer_tokens.first() {
        creds.push(format!("Bearer {t}"));
    }
    if let Some(u) = c.basic.first() {
        creds.push(format!("Basic {}:{}", u.user, u.password));
    }
    b.push_str(&format!("  TECS auth     {}\n", creds.join(" | ")));
    let terminals: Vec<&str> = cfg.tecs.terminals.keys().map(String::as_str).collect();
    b.push_str(&format!("  terminals     {}\n", terminals.join(", ")));
    b
}

/// Runs `payrig serve`.
pub(crate) async fn run(args: ServeArgs, out: Output) -> Result<Exit, CliError> {
    let cfg = server_config(&args)?;
    let server = match payrig_server::start_with_journal(cfg.clone(), args.journal.as_deref()).await
    {
        Ok(s) => s,
        Err(e @ ServerError::ControlWithoutToken(_)) => return Err(CliError::usage(e)),
        Err(e) => return Err(CliError::setup(e)),
    };
    let (text, name) = scenario_text(&args)?;
    match server.add_wire_faults_toml(&text) {
        Ok(0) => {}
        Ok(n) => out.say(format!("{n} wire fault rule(s) from scenario {name}")),
        Err(e) => {
            server.shutdown().await;
            return Err(CliError::usage(anyhow!("scenario {name}: {e}")));
        }
    }
    out.say(banner(&cfg, server.local_addr(), &server.base_url()));
    tokio::signal::ctrl_c()
        .await
        .context("cannot listen for Ctrl-C")
        .map_err(CliError::internal)?;
    out.say("\nstopping");
    server.shutdown().await;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use clap::Parser;

    use super::*;
    use crate::args::{Cli, Command};

    fn serve_args(argv: &[&str]) -> ServeArgs {
        let mut v = vec!["payrig", "serve"];
        v.extend_from_slice(argv);
        match Cli::try_parse_from(v).unwrap().command {
            Command::Serve(a) => a,
            _ => panic!("not serve"),
        }
    }

    #[test]
    fn workers_is_a_positive_count_before_or_after_the_command() {
        let w = |argv: &[&str]| Cli::try_parse_from(argv).map(|c| c.workers);
        assert_eq!(w(&["payrig", "serve"]).unwrap(), None);
        assert_eq!(w(&["payrig", "--workers", "1", "serve"]).unwrap(), Some(1));
        assert_eq!(w(&["payrig", "serve", "--workers", "4"]).unwrap(), Some(4));
        let e = w(&["payrig", "--workers", "0", "serve"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--workers"), "{e}");
    }

    #[test]
    fn the_default_scenario_is_the_spec_default() {
        let cfg = load_scenario(&serve_args(&[])).unwrap();
        assert_eq!(cfg, AtionetConfig::default());
    }

    #[test]
    fn example_scenarios_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/ationet/scenarios");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                AtionetConfig::from_toml(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                n += 1;
            }
        }
        assert!(n >= 3);
    }

    #[test]
    fn control_is_on_for_loopback_and_needs_a_token_elsewhere() {
        assert!(control_enabled(&serve_args(&[])).unwrap());
        assert!(!control_enabled(&serve_args(&["--no-control"])).unwrap());
        let public = ["--listen", "0.0.0.0:8080"];
        assert!(!control_enabled(&serve_args(&public)).unwrap());
        let e = control_enabled(&serve_args(&["--listen", "0.0.0.0:8080", "--control"]));
        assert_eq!(e.unwrap_err().exit, Exit::Usage);
        assert!(control_enabled(&serve_args(&[
            "--listen",
            "0.0.0.0:8080",
            "--control-token",
            "s3cret"
        ]))
        .unwrap());
    }

    #[test]
    fn the_banner_names_url_token_and_a_curl_line() {
        let cfg = server_config(&serve_args(&["--control-token", "ct"])).unwrap();
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let b = banner(&cfg, addr, "http://127.0.0.1:8080");
        assert!(b.contains("base URL      http://127.0.0.1:8080"));
        assert!(b.contains("Bearer atn-test-7f3c9a1e"));
        assert!(b.contains("curl -s http://127.0.0.1:8080/api/MobilePayments"));
        assert!(b.contains("X-Payrig-Control-Token: ct"));
        assert!(b.contains("http://127.0.0.1:8080/tecsclientrest-auth"));
        assert!(b.contains("authKey tecs-authkey-1"));
        assert!(b.contains("Bearer tecs-test-token"));
        assert!(b.contains("Basic ecr88091105:Tecs-Test-Pass1"));
        assert!(b.contains("88091105, 88091234"));
    }

    #[test]
    fn tecs_file_keys_are_read_relative_to_the_scenario() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(
            dir.path().join("sub/cards.toml"),
            "[[cards]]\nid = \"my_card\"\nbrand = \"visa\"\npan = \"4111111111111111\"\nexpiry = \"3012\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("profile.toml"),
            "name = \"mine\"\n[[rule]]\namount_last = \"77\"\noutcome = { code = \"05\" }\n",
        )
        .unwrap();
        let scenario = dir.path().join("scenario.toml");
        std::fs::write(
            &scenario,
            "[tecs]\ncards_file = \"sub/cards.toml\"\nacquirer_profile_file = \"profile.toml\"\nhost_timeout = \"5s\"\n",
        )
        .unwrap();
        let cfg = load_tecs(&serve_args(&["--scenario", scenario.to_str().unwrap()])).unwrap();
        assert!(cfg.cards.get("my_card").is_some());
        assert!(cfg.cards.get("tecs_visa").is_some());
        assert_eq!(cfg.acquirer_profile, "mine");
        assert_eq!(cfg.host_timeout, payrig_core::Duration::from_secs(5));
        std::fs::write(&scenario, "[tecs]\ncards_file = \"missing.toml\"\n").unwrap();
        let e = load_tecs(&serve_args(&["--scenario", scenario.to_str().unwrap()])).unwrap_err();
        assert_eq!(e.exit, Exit::Usage);
        assert_eq!(
            inline_tecs_files("[ationet]\nx = 1\n", Path::new(".")).unwrap(),
            "[ationet]\nx = 1\n"
        );
    }
}
