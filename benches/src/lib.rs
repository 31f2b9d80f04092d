//! payrig-benches: shared builders for the criterion benches and the load harness.
//!
//! What it is: the inputs every bench agrees on, so the figures in `BENCHMARKS.md` describe the
//! same work: the spec's MobilePayments sample, a complete GetTransaction snapshot, a problem
//! body, the ATIONet happy and cancel paths driven through one [`Transaction`] with synthetic
//! site and PFEP events, a wide site configuration so many fuellings run side by side in one
//! [`AtionetWorld`], and a standalone [`FuelPoint`] delivering 9 L.
//!
//! What it is not: no timing and no criterion here. The builders are plain functions, checked by
//! the unit tests at the bottom (every flow really reaches state 10), so a bench can never
//! measure a path that silently stopped early.
//!
//! Driving loop of a world flow (virtual time: the loop jumps from deadline to deadline, so a
//! 40-second fuelling costs only the events it fires):
//!
//! ```text
//! let mut w = AtionetWorld::without_trace(wide_config(4, 64), SEED, T0);
//! for r in flow_requests(w.config(), 256) { w.create(T0, r)?; }
//! let fired = settle(&mut w);          // next_deadline / advance until nothing is scheduled
//! ```

use payrig_ationet::domain::{
    CreateKind, CreateRequest, PaymentMethod, ProblemCode, ProductInfo, TransactionSnapshot,
};
use payrig_ationet::machine::{Input, PfepEvent, SiteEvent, SiteFacts, Timers, Transaction};
use payrig_ationet::wire::decode_create;
use payrig_ationet::{PresetUnit, Problem, StateId};
use payrig_core::{Currency, Decimal, Machine, Timestamp, Volume};
use payrig_pump::{
    AuthoriseRequest, CustomerScript, FuelPoint, FuelPointConfig, Grade, Input as PumpInput, Owner,
    Preset as PumpPreset,
};
use payrig_world::ationet::{AtionetConfig, PumpCondition, PumpConfig, SiteConfig};

/// The spec's MobilePayments request (section 3.1), byte for byte as in `fixtures/`.
pub const MOBILE_PAYMENTS_SAMPLE: &[u8] =
    include_bytes!("../../fixtures/ationet/mobile_payments.request.json");

/// The seed's MobilePayments sample: the same fields, pretty-printed (more bytes to scan).
pub const SEED_MOBILE_PAYMENTS_SAMPLE: &[u8] =
    include_bytes!("../../fixtures/ationet/seed_mobile_payments.request.json");

/// Start of every bench run: 2026-01-15T09:00:00Z, as the world tests use.
pub const T0: Timestamp = Timestamp(1_768_467_600_000);

/// Seed of every bench world.
pub const SEED: u64 = 42;

/// A fleet track the `ationet-default` PFEP profile approves (suffix 01).
pub const APPROVED_TRACK: &str = "0000000000001";

/// The spec's MobilePayments sample, decoded.
///
/// # Panics
/// Only if the fixture no longer decodes, which the ationet crate's snapshot tests forbid.
#[allow(clippy::expect_used)]
pub fn sample_request() -> CreateRequest {
    decode_create(CreateKind::MobilePayments, MOBILE_PAYMENTS_SAMPLE)
        .expect("the spec's MobilePayments sample decodes")
}

/// A MobilePayments request for 9 L of grade `3` (Diesel) at `site`/`pump`, key `key`.
pub fn request(site: &str, pump: u8, key: String) -> CreateRequest {
    CreateRequest {
        site_code: site.to_owned(),
        pump_number: pump,
        potency_key_id: key,
        ..sample_request()
    }
}

/// Site facts of the default site `1524` (session up, volume presets, USD).
pub fn site_facts() -> SiteFacts {
    SiteFacts {
        session_up: true,
        preset_unit: PresetUnit::Volume,
        currency: Currency::USD,
    }
}

/// What the default site reports for grade `3` when it reserves the pump (T5).
pub fn diesel() -> ProductInfo {
    ProductInfo {
        terminal_identification: "ST01".to_owned(),
        product_code: "3".to_owned(),
        product_description: "Diesel".to_owned(),
        unit_price: Decimal::new(1459, 3),
    }
}

/// Feeds one input, drains the outputs (the drain rule) and returns how many it produced.
fn feed(t: &mut Transaction, now: Timestamp, input: Input) -> usize {
    let _ = t.handle_input(now, input);
    let mut n = 0;
    while let Some(o) = t.poll_output() {
        std::hint::black_box(o);
        n += 1;
    }
    n
}

/// Fires the transaction's pending deadline at its own instant; returns that instant.
fn fire(t: &mut Transaction, now: Timestamp) -> Timestamp {
    let at = t.poll_timeout().unwrap_or(now).max(now);
    feed(t, at, Input::Timeout);
    at
}

/// Inputs one happy path feeds to the machine ([`happy_path`]).
pub const HAPPY_PATH_INPUTS: u64 = 10;

/// Drives a new MobilePayments transaction through the full happy path
/// 1 → 5 → 2 → 4 → 7 → 9 → 10 with synthetic site and PFEP events, draining every output.
///
/// Ten inputs ([`HAPPY_PATH_INPUTS`]): step timer (Reserve), ReserveResult, step timer (PFEP
/// Authorize), Approved, step timer (site Authorize), AuthorizeResult, NozzleLifted,
/// BeginFueling, Finalize, CompletionApproved. Six of them change the state. The synthetic
/// events are built here (six short `String`s), as a site and a PFEP would build them.
pub fn happy_path(now: Timestamp, req: CreateRequest) -> Transaction {
    let mut t = Transaction::create(
        now,
        req.potency_key_id.clone(),
        1,
        req,
        site_facts(),
        Timers::default(),
        false,
    );
    let now = fire(&mut t, now); // T3: Reserve
    feed(
        &mut t,
        now,
        Input::Site(SiteEvent::ReserveResult(Ok(diesel()))),
    ); // T5 -> 5
    let now = fire(&mut t, now); // T8: PFEP Authorize
    feed(
        &mut t,
        now,
        Input::Pfep(PfepEvent::Approved {
            grant: Decimal::from_int(9),
            reference: "A00001".to_owned(),
            message: "Approved".to_owned(),
        }),
    ); // T9 -> 2
    let now = fire(&mut t, now); // T11: site Authorize -> 4
    feed(
        &mut t,
        now,
        Input::Site(SiteEvent::AuthorizeResult {
            overall_ok: true,
            response_ok: true,
            message: None,
        }),
    ); // T13 -> 7
    feed(&mut t, now, Input::Site(SiteEvent::NozzleLifted)); // T16
    feed(&mut t, now, Input::Site(SiteEvent::BeginFueling)); // T17 -> 9
    feed(
        &mut t,
        now,
        Input::Site(SiteEvent::Finalize {
            volume: Volume(9_000),
            amount_minor: 1313,
            id_dispatch: "1524-000001".to_owned(),
        }),
    ); // T22: PFEP Completion
    feed(&mut t, now, Input::Pfep(PfepEvent::CompletionApproved)); // T23 -> 10
    t
}

/// Inputs one cancel path feeds to the machine ([`cancel_path`]).
pub const CANCEL_PATH_INPUTS: u64 = 7;

/// A MobilePayments transaction cancelled after the PFEP approved it:
/// 1 → 5 → 2 → Cancel → 12 (Reverse to the PFEP) → 15 (Deauthorize) → 13.
///
/// Seven inputs ([`CANCEL_PATH_INPUTS`]): step timer, ReserveResult, step timer, Approved,
/// Cancel, step timer, DeauthorizeResult.
pub fn cancel_path(now: Timestamp, req: CreateRequest) -> Transaction {
    let mut t = Transaction::create(
        now,
        req.potency_key_id.clone(),
        1,
        req,
        site_facts(),
        Timers::default(),
        false,
    );
    let now = fire(&mut t, now);
    feed(
        &mut t,
        now,
        Input::Site(SiteEvent::ReserveResult(Ok(diesel()))),
    );
    let now = fire(&mut t, now);
    feed(
        &mut t,
        now,
        Input::Pfep(PfepEvent::Approved {
            grant: Decimal::from_int(9),
            reference: "A00001".to_owned(),
            message: "Approved".to_owned(),
        }),
    );
    feed(&mut t, now, Input::Cancel); // T25 -> 12, Reverse
    let now = fire(&mut t, now); // T26 -> 15, Deauthorize
    feed(
        &mut t,
        now,
        Input::Site(SiteEvent::DeauthorizeResult {
            ok: true,
            flow_started: false,
        }),
    ); // T27 -> 13
    t
}

/// A complete GetTransaction snapshot: the spec's section 3.3 sample (state 10, every field
/// set), as the world's `get` returns it.
pub fn complete_snapshot() -> TransactionSnapshot {
    TransactionSnapshot {
        id: "5734cbb9-f78f-4ad4-aa87-79ed95181c5a".to_owned(),
        site_code: "1524".to_owned(),
        primary_track: Some(APPROVED_TRACK.to_owned()),
        odometer: 0,
        terminal_identification: Some("ST01".to_owned()),
        transaction_sequence_number: 1,
        state: StateId::Complete,
        payment_processor_reference_id: Some("A00001".to_owned()),
        payment_processor_message: Some("Approved".to_owned()),
        site_system_message: None,
        fuel_point_number: 1,
        payment_method: PaymentMethod::AtionetPrepaid,
        requested_amount: Decimal::from_int(9),
        authorized_amount: Decimal::from_int(9),
        dispatched_amount: Decimal::new(1313, 2),
        dispatched_quantity: Decimal::new(9000, 3),
        product_code: Some("3".to_owned()),
        product_description: Some("Diesel".to_owned()),
        product_unit_price: Decimal::new(1459, 3),
        unit_measure: Some("L".to_owned()),
        create_date_time: Timestamp(1_630_676_596_615),
        update_date_time: Timestamp(1_630_676_642_000),
        id_dispatch: Some("1524-000001".to_owned()),
    }
}

/// The spec's section 5 problem: `amount` must be greater than 0 (one field, one message).
pub fn amount_problem() -> Problem {
    Problem::field(
        "amount",
        ProblemCode::InvalidValue,
        "must be greater than 0",
    )
}

/// The problem an empty object `{}` gets: every required field of MobilePayments is missing
/// (the largest 400 body a create can produce).
pub fn empty_body_problem() -> Problem {
    decode_create(CreateKind::MobilePayments, b"{}")
        .err()
        .unwrap_or_default()
}

/// Site code of the `i`-th bench site: `1524`, `1525`, ...
pub fn site_code(i: u16) -> String {
    (1524 + u32::from(i)).to_string()
}

/// A wide forecourt: `sites` copies of the spec's default site (`1524`, `1525`, ...), each
/// with `pumps` idle pumps (1..=`pumps`, at most 99, the pump number's range).
///
/// Everything else is the spec's default: step 100 ms, reply delay 200 ms, PFEP latency
/// 300 ms, lift 5 s, motor 2 s, 35 L/min with a 2 s ramp and a 500 ml slow zone at 10 %,
/// `Progress` every second, hang-up 3 s. Pumps are exclusive, so a site with `pumps` pumps
/// runs `pumps` fuellings at once; this config lets one world run hundreds side by side.
/// The same shape in a scenario file is `[[ationet.site]]` with many `[[ationet.site.pump]]`.
pub fn wide_config(sites: u16, pumps: u8) -> AtionetConfig {
    let pumps = pumps.clamp(1, 99);
    let mut cfg = AtionetConfig::default();
    cfg.sites.clear();
    for i in 0..sites.max(1) {
        let mut site = SiteConfig::default_site();
        site.code = site_code(i);
        site.pumps = (1..=pumps)
            .map(|n| {
                (
                    n,
                    PumpConfig {
                        condition: PumpCondition::Idle,
                        grades: Vec::new(),
                    },
                )
            })
            .collect();
        cfg.sites.insert(site.code.clone(), site);
    }
    cfg
}

/// `n` MobilePayments requests for 9 L of Diesel, one per pump of `cfg` (site by site, pump by
/// pump), with distinct keys. Fewer than `n` if the config has fewer pumps.
pub fn flow_requests(cfg: &AtionetConfig, n: usize) -> Vec<CreateRequest> {
    cfg.sites
        .values()
        .flat_map(|s| s.pumps.keys().map(move |&p| (s.code.clone(), p)))
        .take(n)
        .enumerate()
        .map(|(i, (site, pump))| request(&site, pump, format!("bench-{i:06}")))
        .collect()
}

/// `rounds` batches of [`flow_requests`]: one request per pump in each round, keys distinct
/// across rounds (`bench-<round>-<n>`). Pumps are exclusive, so a small site runs many flows
/// round after round ([`run_rounds`]).
pub fn flow_rounds(cfg: &AtionetConfig, rounds: usize) -> Vec<Vec<CreateRequest>> {
    (0..rounds)
        .map(|r| {
            let mut reqs = flow_requests(cfg, usize::MAX);
            for (i, q) in reqs.iter_mut().enumerate() {
                q.potency_key_id = format!("bench-{r:04}-{i:04}");
            }
            reqs
        })
        .collect()
}

/// Runs each round to completion ([`run_flows`] at the world's time after the previous round).
/// Returns the deadlines fired.
pub fn run_rounds(
    w: &mut payrig_world::ationet::AtionetWorld,
    rounds: Vec<Vec<CreateRequest>>,
) -> usize {
    let mut fired = 0;
    for round in rounds {
        let now = w.now();
        fired += run_flows(w, now, round);
    }
    fired
}

/// Runs a world until nothing is scheduled; returns the number of deadlines fired.
pub fn settle(w: &mut payrig_world::ationet::AtionetWorld) -> usize {
    let mut fired = 0;
    while let Some(t) = w.next_deadline() {
        fired += w.advance(t);
    }
    fired
}

/// Creates every request at `now` (each is one complete fuelling) and settles the world.
/// Returns the deadlines fired. Refused creates are skipped (the tests check there are none).
pub fn run_flows(
    w: &mut payrig_world::ationet::AtionetWorld,
    now: Timestamp,
    requests: Vec<CreateRequest>,
) -> usize {
    for r in requests {
        let _ = w.create(now, r);
    }
    settle(w)
}

/// A standalone fuelling point with the ATIONet default grades and a scripted customer on
/// nozzle 3 (Diesel): lift after 5 s, take the limit, hang up 3 s after the flow stops.
///
/// # Panics
/// Only if the default pump configuration stops validating (the pump crate's tests forbid it).
#[allow(clippy::expect_used)]
pub fn pump_template() -> FuelPoint {
    let grades = Grade::ationet_defaults(Currency::USD).expect("ATIONet default grades");
    let mut cfg = FuelPointConfig::default_for(1, grades);
    cfg.customer = Some(CustomerScript {
        nozzle: 3,
        ..CustomerScript::default()
    });
    FuelPoint::new(cfg, payrig_core::rng::stream_rng(SEED, "pump/1")).expect("valid pump")
}

/// One 9 L Diesel delivery on a fresh point: Reserve, Authorise (locked sale), then every
/// deadline until the point has none left. Returns the outputs produced.
pub fn pump_delivery(fp: &mut FuelPoint, now: Timestamp) -> usize {
    let owner = Owner::from("mppa/0");
    let mut outs = 0;
    let mut drain = |fp: &mut FuelPoint| {
        while let Some(o) = fp.poll_timed_output() {
            std::hint::black_box(o);
            outs += 1;
        }
    };
    let _ = fp.handle_input(
        now,
        PumpInput::Reserve {
            owner: owner.clone(),
        },
    );
    drain(fp);
    let _ = fp.handle_input(
        now,
        PumpInput::Authorise(AuthoriseRequest {
            owner,
            preset: PumpPreset::volume(Volume(9_000)),
            grades: Some(vec!["3".to_owned()]),
            lock_sale: true,
        }),
    );
    drain(fp);
    while let Some(at) = fp.poll_timeout() {
        let _ = fp.handle_input(at, PumpInput::Timeout);
        drain(fp);
    }
    outs
}

/// The flow segment of a 9 L delivery at the ATIONet defaults (35 L/min, 2 s ramp, 500 ml slow
/// zone at 10 %): what `FuelPoint` searches on every `poll_timeout` while fuelling.
pub fn nine_litre_segment() -> payrig_pump::Segment {
    pump_template()
        .config()
        .flow_profile()
        .segment(Volume::ZERO, Volume(9_000))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use payrig_ationet::wire::encode_transaction;
    use payrig_world::ationet::AtionetWorld;

    #[test]
    fn happy_path_completes() {
        let t = happy_path(T0, sample_request());
        assert_eq!(t.state(), StateId::Complete);
        assert_eq!(t.dispatched_volume(), Volume(9_000));
    }

    #[test]
    fn cancel_path_is_cancelled_by_user() {
        assert_eq!(
            cancel_path(T0, sample_request()).state(),
            StateId::CanceledByUser
        );
    }

    #[test]
    fn snapshot_encodes_like_the_spec_sample() {
        let body = String::from_utf8(encode_transaction(&complete_snapshot())).unwrap();
        assert!(body.starts_with(r#"{"id":"5734cbb9"#));
        assert!(body.contains(r#""dispatchedAmount":13.13,"dispatchedQuantity":9,"#));
        assert!(!empty_body_problem().is_empty());
    }

    #[test]
    fn every_world_flow_completes_with_and_without_trace() {
        for traced in [false, true] {
            let cfg = wide_config(2, 8);
            let reqs = flow_requests(&cfg, 16);
            assert_eq!(reqs.len(), 16);
            let keys: Vec<String> = reqs.iter().map(|r| r.potency_key_id.clone()).collect();
            let mut w = if traced {
                AtionetWorld::new(cfg, SEED, T0, false)
            } else {
                AtionetWorld::without_trace(cfg, SEED, T0)
            };
            let fired = run_flows(&mut w, T0, reqs);
            assert!(fired > 16 * 20, "fired {fired}");
            assert_eq!(w.len(), 16);
            for k in keys {
                let s = w.get(&k).unwrap();
                assert_eq!(s.state, StateId::Complete, "{k}");
                assert_eq!(s.dispatched_quantity.to_string(), "9");
            }
            assert_eq!(w.trace_lines() > 0, traced);
        }
    }

    #[test]
    fn flows_in_rounds_on_the_default_site_all_complete() {
        let cfg = wide_config(1, 4);
        let rounds = flow_rounds(&cfg, 3);
        let keys: Vec<String> = rounds
            .iter()
            .flatten()
            .map(|r| r.potency_key_id.clone())
            .collect();
        assert_eq!(keys.len(), 12);
        let mut w = AtionetWorld::without_trace(cfg, SEED, T0);
        let fired = run_rounds(&mut w, rounds);
        assert_eq!(w.len(), 12);
        assert!(fired > 12 * 20, "fired {fired}");
        for k in keys {
            assert_eq!(w.get(&k).unwrap().state, StateId::Complete, "{k}");
        }
    }

    #[test]
    fn pump_delivers_nine_litres() {
        let mut fp = pump_template();
        let outs = pump_delivery(&mut fp, T0);
        assert!(outs > 10, "outs {outs}");
        let sale = fp.sales().last().expect("a sale");
        assert_eq!(sale.volume, Volume(9_000));
        assert!(fp.poll_timeout().is_none());
        // 9 L: 2 s ramp, 8.5 L at 35 L/min, 500 ml at 3.5 L/min.
        let ms = nine_litre_segment().elapsed_to_limit().unwrap();
        assert!((20_000..30_000).contains(&ms), "{ms}");
    }
}

/// TECS builders: the spec's wire samples, a sale and a preauth + capture driven through one
/// [`payrig_tecs::Terminal`] with synthetic reader and acquirer events, a busy refusal, and
/// sales run back to back in a [`payrig_world::tecs::TecsWorld`] in virtual time.
///
/// Like the ATIONet builders above: no timing here, and the unit tests at the bottom check
/// that every measured flow really ends in a `0000` approval (or `3003` for the busy
/// refusal), so a bench can never silently measure refusals.
///
/// Driving loop of the world sales (the world jumps from deadline to deadline):
///
/// ```text
/// let mut w = TecsWorld::new(TecsConfig::default(), SEED, T0, false);
/// let tally = run_sales(&mut w, T0, sale_queues(&DEFAULT_TERMINALS, 32));
/// // submit the head of each terminal's queue; then take_responses / response_written /
/// // submit that terminal's next sale, next_deadline / advance, until every queue is empty
/// ```
pub mod tecs {
    use std::collections::VecDeque;

    use payrig_core::{Machine, Timestamp};
    use payrig_tecs::messages::{
        AcquirerAnswer, CardData, Cvm, Entry, Input, Output, ReaderEvent, TerminalConfig,
    };
    use payrig_tecs::wire::{decode_request, TransactionRequest, TransactionResponse};
    use payrig_tecs::{Reject, Request, Terminal};
    use payrig_world::tecs::{Submitted, TecsWorld};

    /// The spec's sale request (3.2), byte for byte as in `fixtures/tecs/` (388 B).
    pub const SALE_SAMPLE: &[u8] = include_bytes!("../../fixtures/tecs/sale.request.json");

    /// The preauthorisation `7000001` for 50.00 EUR (origin `5`).
    pub const PREAUTH_SAMPLE: &[u8] = include_bytes!("../../fixtures/tecs/preauth.request.json");

    /// The capture `7000002` of 40.00 EUR of `TXID00000000000007000001` (`0013`, origin `4`).
    pub const CAPTURE_SAMPLE: &[u8] = include_bytes!("../../fixtures/tecs/capture.request.json");

    /// A second sale sent while the sale runs (the spec's "Busy" example).
    pub const BUSY_SAMPLE: &[u8] = include_bytes!("../../fixtures/tecs/busy.request.json");

    /// The spec's sale response (3.2): what [`sale`] answers at [`ANSWER_AT`].
    pub const SALE_RESPONSE_SAMPLE: &[u8] =
        include_bytes!("../../fixtures/tecs/sale.response.json");

    /// The spec sample's terminal.
    pub const TERMINAL: &str = "88091105";

    /// 2024-05-21T19:09:12Z, the spec sample's `transaction_date_time`: start of the machine
    /// flows.
    pub const T0: Timestamp = Timestamp(1_716_318_552_000);

    /// 19:09:31Z, when the spec sample's approval arrives.
    pub const ANSWER_AT: Timestamp = Timestamp(1_716_318_571_000);

    /// A spec sample, decoded and validated.
    ///
    /// # Panics
    /// Only if a fixture no longer decodes, which the tecs crate's snapshot tests forbid.
    #[allow(clippy::expect_used)]
    pub fn request(sample: &[u8]) -> Request {
        decode_request(sample)
            .map_err(|(p, _)| p)
            .expect("a TECS spec sample decodes")
    }

    /// A fresh, idle terminal `88091105` with the default configuration (D15, D17).
    pub fn terminal() -> Terminal {
        Terminal::new(TerminalConfig::new(TERMINAL))
    }

    /// The card the default reader hands over: VISA 4111…1111 inserted, online PIN `1234`.
    pub fn visa() -> CardData {
        CardData {
            pan: "4111111111111111".to_owned(),
            expiry: "2712".to_owned(),
            brand: "VISA".to_owned(),
            svc: "201".to_owned(),
            entry: Entry::Insert,
            cvm: Cvm::OnlinePin,
            pin: Some("1234".to_owned()),
            aid: "A0000000031010".to_owned(),
            cryptogram: "8F3A1C2B".to_owned(),
            tip_minor: 0,
        }
    }

    /// The acquirer's approval (`00`) of request `id`, as requested: `K7Q2M9`, STAN `stan`.
    pub fn approval(id: u64, stan: &str) -> AcquirerAnswer {
        AcquirerAnswer {
            id,
            code: "00".to_owned(),
            approved_minor: None,
            auth_code: "K7Q2M9".to_owned(),
            stan: stan.to_owned(),
            rrn: format!("RRN{stan}"),
        }
    }

    /// What one input's drain brought out that the next input depends on.
    #[derive(Debug, Default)]
    pub struct Drained {
        /// Outputs drained.
        pub outputs: usize,
        /// The id of the last `ToAcquirer`, to echo in the answer.
        pub acquirer_id: Option<u64>,
        /// The last `Respond` body.
        pub response: Option<Box<TransactionResponse>>,
    }

    /// Feeds one input, drains the outputs (the drain rule) and keeps what a world would
    /// route onwards: the acquirer request id and the response. A reject is returned as is.
    ///
    /// # Errors
    /// The terminal's [`Reject`] (busy, duplicate, unknown terminal, unreachable).
    pub fn feed(t: &mut Terminal, now: Timestamp, input: Input) -> Result<Drained, Reject> {
        t.handle_input(now, input)?;
        let mut d = Drained::default();
        while let Some(o) = t.poll_output() {
            d.outputs += 1;
            match o {
                Output::ToAcquirer(a) => d.acquirer_id = Some(a.id()),
                Output::Respond { response, .. } => d.response = Some(response),
                o => {
                    std::hint::black_box(o);
                }
            }
        }
        Ok(d)
    }

    /// Inputs one [`sale`] feeds to the terminal.
    pub const SALE_INPUTS: u64 = 4;

    /// A reader sale on an idle terminal, T1 → T3 → T6 → T8 (idle → awaiting_card →
    /// authorizing → done → idle): the request, the card read, the acquirer's approval at
    /// [`ANSWER_AT`] (STAN `000042`), the response written. Four inputs ([`SALE_INPUTS`]).
    /// The synthetic card (eight short `String`s) and answer (four) are built here, as a
    /// reader and an acquirer would build them. Returns the response (`None` if the flow
    /// broke off; the tests forbid it).
    pub fn sale(
        t: &mut Terminal,
        req_id: u64,
        request: Request,
    ) -> Option<Box<TransactionResponse>> {
        let request = Box::new(request);
        feed(t, T0, Input::Request { req_id, request }).ok()?;
        let read = feed(t, T0, Input::Reader(ReaderEvent::CardRead(visa()))).ok()?;
        let answer = approval(read.acquirer_id?, "000042");
        let done = feed(t, ANSWER_AT, Input::Acquirer(answer)).ok()?;
        feed(t, ANSWER_AT, Input::ResponseWritten { req_id }).ok()?;
        done.response
    }

    /// Inputs one [`preauth_capture`] feeds to the terminal.
    pub const PREAUTH_CAPTURE_INPUTS: u64 = 7;

    /// A preauthorisation read from the card and approved (4 inputs, as [`sale`]), then its
    /// capture by `TXID` reference, which goes to the acquirer without a card (T2: request,
    /// approval, written; 3 inputs). Seven inputs ([`PREAUTH_CAPTURE_INPUTS`]). Returns both
    /// responses.
    pub fn preauth_capture(
        t: &mut Terminal,
        preauth: Request,
        capture: Request,
    ) -> (
        Option<Box<TransactionResponse>>,
        Option<Box<TransactionResponse>>,
    ) {
        let first = sale(t, 1, preauth);
        let second = (|| {
            let request = Box::new(capture);
            let sent = feed(t, ANSWER_AT, Input::Request { req_id: 2, request }).ok()?;
            let answer = approval(sent.acquirer_id?, "000043");
            let done = feed(t, ANSWER_AT, Input::Acquirer(answer)).ok()?;
            feed(t, ANSWER_AT, Input::ResponseWritten { req_id: 2 }).ok()?;
            done.response
        })();
        (first, second)
    }

    /// A terminal waiting for the card of the spec's sale (request 1): any other request is
    /// refused busy (T11).
    ///
    /// # Panics
    /// Only if the terminal refuses the sale (the tests forbid it).
    #[allow(clippy::expect_used)]
    pub fn awaiting_card() -> Terminal {
        let mut t = terminal();
        let request = Box::new(request(SALE_SAMPLE));
        feed(&mut t, T0, Input::Request { req_id: 1, request }).expect("the sale starts");
        t
    }

    /// The busy refusal (T11, 400 `3003`): one request to a terminal in `awaiting_card`.
    /// Nothing changes, so the same terminal serves every iteration.
    ///
    /// # Errors
    /// The refusal, which is the expected outcome.
    pub fn busy(t: &mut Terminal, req_id: u64, request: Request) -> Result<Drained, Reject> {
        let request = Box::new(request);
        feed(t, T0, Input::Request { req_id, request })
    }

    /// The response of a full approval: the spec's sale answered as in its 3.2 sample (all
    /// 26 fields, 19 of them set), as [`sale`] produces it.
    pub fn full_approval() -> TransactionResponse {
        sale(&mut terminal(), 1, request(SALE_SAMPLE))
            .map(|b| *b)
            .unwrap_or_default()
    }

    /// The spec's sale for terminal `terminal` with `transaction_id` `id` (at most 20).
    ///
    /// # Panics
    /// Only if the changed sample stops validating (a bad `terminal` or `id`).
    #[allow(clippy::expect_used)]
    pub fn sale_for(terminal: &str, id: String) -> Request {
        let mut wire = TransactionRequest::parse(SALE_SAMPLE).expect("the sale sample parses");
        wire.terminal_number = Some(terminal.to_owned());
        wire.transaction_id = Some(id);
        Request::from_wire(&wire).expect("the changed sale validates")
    }

    /// `per_terminal` sales for each of `terminals`, in one queue per terminal, with distinct
    /// ids (`B<terminal index><n>`).
    pub fn sale_queues(terminals: &[&str], per_terminal: usize) -> Vec<VecDeque<Request>> {
        terminals
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (0..per_terminal)
                    .map(|n| sale_for(t, format!("B{i}{n:010}")))
                    .collect()
            })
            .collect()
    }

    /// What [`run_sales`] saw.
    #[derive(Debug, Default, Clone, PartialEq, Eq)]
    pub struct Tally {
        /// Responses with `0000`.
        pub approved: usize,
        /// Other responses, including refusals at submit.
        pub other: usize,
        /// Deadlines fired.
        pub fired: usize,
        /// Virtual time of the last response (the settled tail is later).
        pub end: Timestamp,
    }

    /// Runs every queue back to back on its terminal, the terminals side by side: submit
    /// each queue's head at `now`; whenever a response comes out, report it written at once
    /// and submit that terminal's next sale; otherwise `advance` to `next_deadline`. When
    /// every queue is empty and every sale answered (or nothing is scheduled), settles the
    /// world: the reader's tail after the last response (card removal) fires too.
    pub fn run_sales(w: &mut TecsWorld, now: Timestamp, queues: Vec<VecDeque<Request>>) -> Tally {
        let mut queues = queues;
        let mut tally = Tally {
            end: now,
            ..Tally::default()
        };
        let mut now = now;
        // (req_id, queue) of the sale each terminal runs.
        let mut pending: Vec<(u64, usize)> = Vec::with_capacity(queues.len());
        let submit = |w: &mut TecsWorld,
                      now: Timestamp,
                      q: usize,
                      queues: &mut [VecDeque<Request>],
                      pending: &mut Vec<(u64, usize)>,
                      tally: &mut Tally| {
            while let Some(r) = queues[q].pop_front() {
                match w.submit(now, r) {
                    Submitted::Pending(id) => {
                        pending.push((id, q));
                        return;
                    }
                    _ => tally.other += 1,
                }
            }
        };
        for q in 0..queues.len() {
            submit(w, now, q, &mut queues, &mut pending, &mut tally);
        }
        while !pending.is_empty() {
            for r in w.take_responses() {
                if r.code == "0000" {
                    tally.approved += 1;
                } else {
                    tally.other += 1;
                }
                w.response_written(now, r.req_id);
                if let Some(p) = pending.iter().position(|&(id, _)| id == r.req_id) {
                    let (_, q) = pending.swap_remove(p);
                    submit(w, now, q, &mut queues, &mut pending, &mut tally);
                }
            }
            if pending.is_empty() {
                break;
            }
            let Some(t) = w.next_deadline() else {
                break;
            };
            tally.fired += w.advance(t);
            now = now.max(t);
        }
        tally.end = now;
        // The reader's tail after the last response (card removal, idle prompt).
        while let Some(t) = w.next_deadline() {
            tally.fired += w.advance(t);
        }
        tally
    }

    #[cfg(test)]
    mod tests {
        #![allow(clippy::unwrap_used, clippy::expect_used)]

        use super::*;
        use payrig_tecs::{RecordStatus, ResponseCode, TerminalState};
        use payrig_world::tecs::{TecsConfig, DEFAULT_TERMINALS};

        #[test]
        fn sale_is_a_0000_approval_byte_for_byte_the_spec_sample() {
            let mut t = terminal();
            let resp = sale(&mut t, 1, request(SALE_SAMPLE)).expect("a response");
            assert_eq!(resp.response_code, "0000");
            assert_eq!(resp.authorization_number, "K7Q2M9");
            assert_eq!(
                String::from_utf8(resp.encode()).unwrap(),
                String::from_utf8_lossy(SALE_RESPONSE_SAMPLE).trim_end()
            );
            assert_eq!(t.state(), TerminalState::Idle);
            let rec = t.record("20240521190912161").unwrap();
            assert_eq!(rec.status, RecordStatus::Approved);
            assert!(rec.card_read);
            assert_eq!(full_approval(), *resp);
            assert_eq!(full_approval().encode().len(), 691);
        }

        #[test]
        fn preauth_and_capture_are_both_approved() {
            let mut t = terminal();
            let (p, c) = preauth_capture(&mut t, request(PREAUTH_SAMPLE), request(CAPTURE_SAMPLE));
            assert_eq!(p.expect("preauth response").response_code, "0000");
            let c = c.expect("capture response");
            assert_eq!(c.response_code, "0000");
            assert_eq!(c.orig_tx_id, "7000001");
            assert_eq!(t.state(), TerminalState::Idle);
            let pre = t.record("7000001").unwrap();
            assert_eq!(pre.status, RecordStatus::Captured);
            assert_eq!(pre.captured_amount.minor, 4000);
            assert_eq!(t.record("7000002").unwrap().status, RecordStatus::Approved);
        }

        #[test]
        fn busy_is_refused_3003_and_changes_nothing() {
            let mut t = awaiting_card();
            for req_id in 2..5 {
                let r = busy(&mut t, req_id, request(BUSY_SAMPLE)).unwrap_err();
                assert_eq!(r.code, ResponseCode::TerminalBusy);
                assert_eq!(r.status(), 400);
                assert_eq!(r.response.transaction_id, "20240521190915001");
            }
            assert_eq!(t.state(), TerminalState::AwaitingCard);
            assert!(t.poll_output().is_none());
            assert_eq!(t.records().count(), 1);
        }

        #[test]
        fn wire_sample_decodes() {
            let r = request(SALE_SAMPLE);
            assert_eq!(r.transaction_id, "20240521190912161");
            assert_eq!(r.amount.minor, 1255);
            assert_eq!(SALE_SAMPLE.len(), 420);
        }

        #[test]
        fn world_sales_are_all_approved_back_to_back_and_side_by_side() {
            for (terminals, n) in [(&DEFAULT_TERMINALS[..1], 8), (&DEFAULT_TERMINALS[..], 4)] {
                let mut w = TecsWorld::new(TecsConfig::default(), crate::SEED, crate::T0, false);
                let tally = run_sales(&mut w, crate::T0, sale_queues(terminals, n));
                assert_eq!(tally.approved, terminals.len() * n, "{tally:?}");
                assert_eq!(tally.other, 0, "{tally:?}");
                assert!(tally.fired >= terminals.len() * n, "{tally:?}");
                assert!(w.next_deadline().is_none(), "{tally:?}");
                assert!(w.take_responses().is_empty());
                let per_sale = tally.end.since(crate::T0).as_millis() / n as u64;
                assert!(per_sale >= 1_000, "{tally:?}");
                eprintln!(
                    "{} terminal(s) x {n}: {} deadlines fired, {} ms virtual per terminal sale",
                    terminals.len(),
                    tally.fired,
                    per_sale
                );
            }
        }
    }
}
