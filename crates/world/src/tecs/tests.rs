use super::*;
use payrig_core::Duration;
use payrig_tecs::wire::decode_request;

const T0: Timestamp = Timestamp(1_768_467_600_000);

fn body(msg: &str, origin: &str, amount: &str, id: &str, card: &str) -> Vec<u8> {
    format!(
        r#"{{"amount":"{amount}","card_number":"{card}","currency":"EUR","message_type":"{msg}",
        "terminal_number":"88091105","transaction_date_time":"20240521190912",
        "transaction_id":"{id}","transaction_origin_identifier":"{origin}",
        "transaction_origin_indicator":"0","transaction_source_id":"1"}}"#
    )
    .into_bytes()
}

fn req(msg: &str, origin: &str, amount: &str, id: &str, card: &str) -> Request {
    decode_request(&body(msg, origin, amount, id, card)).unwrap()
}

fn world() -> TecsWorld {
    TecsWorld::new(TecsConfig::default(), 42, T0, true)
}

/// Runs until `req_id` is answered; reports it written.
fn run(w: &mut TecsWorld, s: Submitted) -> TecsResponse {
    let id = match s {
        Submitted::Pending(id) => id,
        Submitted::Now { status, body, code } => {
            return TecsResponse {
                req_id: 0,
                terminal: String::new(),
                status,
                body,
                code,
            }
        }
    };
    for _ in 0..10_000 {
        if let Some(r) = w.take_responses().into_iter().find(|r| r.req_id == id) {
            let now = w.now;
            w.response_written(now, id);
            return r;
        }
        let next = w.next_deadline().expect("something must be pending");
        w.advance(next);
    }
    panic!("no response");
}

#[test]
fn sale_is_approved_after_card_and_pin() {
    let mut w = world();
    let r = go(&mut w, req("0001", "1", "1255", "T1", ""));
    assert_eq!(r.status, 200);
    assert_eq!(r.code, "0000", "{}", String::from_utf8_lossy(&r.body));
    let text = String::from_utf8(r.body).unwrap();
    assert!(text.contains(r#""transaction_type":"01""#), "{text}");
    assert!(text.contains("411111******1111_2712"), "{text}");
    assert!(w.now.since(T0) >= Duration::from_secs(2));
}

fn go(w: &mut TecsWorld, r: Request) -> TecsResponse {
    let s = w_submit(w, r);
    run(w, s)
}

fn w_submit(w: &mut TecsWorld, r: Request) -> Submitted {
    let now = w.now;
    w.submit(now, r)
}

#[test]
fn decline_by_amount_and_cancel_then_capture() {
    let mut w = world();
    let r = go(&mut w, req("0001", "1", "1205", "D1", ""));
    assert_eq!(r.code, "1005");
    let r = go(&mut w, req("0001", "5", "5000", "P1", ""));
    assert_eq!(r.code, "0000");
    let r = go(
        &mut w,
        req("0013", "4", "4000", "C1", "TXID000000000000000000P1"),
    );
    assert_eq!(r.code, "0000", "{}", String::from_utf8_lossy(&r.body));
    let again = go(
        &mut w,
        req("0013", "4", "1000", "C2", "TXID000000000000000000P1"),
    );
    assert_eq!(again.code, "1202");
}

#[test]
fn busy_terminal_refuses_at_once() {
    let mut w = world();
    let first = w_submit(&mut w, req("0001", "1", "100", "B1", ""));
    assert!(matches!(first, Submitted::Pending(_)));
    match w_submit(&mut w, req("0001", "1", "100", "B2", "")) {
        Submitted::Now { status, code, .. } => {
            assert_eq!((status, code.as_str()), (400, "3003"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn undelivered_response_is_marked_and_the_approval_kept() {
    let mut w = world();
    let Submitted::Pending(id) = w_submit(&mut w, req("0001", "1", "1255", "U1", "")) else {
        panic!()
    };
    loop {
        if w.take_responses().iter().any(|r| r.req_id == id) {
            break;
        }
        let n = w.next_deadline().unwrap();
        w.advance(n);
    }
    let now = w.now;
    w.response_undelivered(now, id);
    let rec = w.find_record("U1").unwrap();
    assert_eq!(rec["response_undelivered"], true);
    assert_eq!(rec["status"], "approved");
    let acq = w.acquirer_records(Some("88091105"));
    assert_eq!(acq.as_array().unwrap().len(), 1);
}

#[test]
fn unknown_terminal_and_unreachable() {
    let mut w = world();
    let mut r = req("0001", "1", "100", "X1", "");
    r.terminal_number = "99999999".into();
    match w_submit(&mut w, r) {
        Submitted::Now { code, status, .. } => assert_eq!((status, code.as_str()), (400, "3004")),
        other => panic!("{other:?}"),
    }
    w.set_reachable(T0, "88091105", false).unwrap();
    match w_submit(&mut w, req("0001", "1", "100", "X2", "")) {
        Submitted::Now { code, status, .. } => assert_eq!((status, code.as_str()), (504, "9001")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_card_presented_ends_with_2002() {
    let toml = "[[tecs.terminal]]\nnumber = \"88091105\"\nno_customer = true\n";
    let mut w = TecsWorld::new(TecsConfig::from_toml(toml).unwrap(), 1, T0, true);
    let r = go(&mut w, req("0001", "1", "100", "N1", ""));
    assert_eq!(r.code, "2002");
}

#[test]
fn same_seed_same_trace() {
    let go = |seed| {
        let mut w = TecsWorld::new(TecsConfig::default(), seed, T0, false);
        for (i, amount) in ["1255", "1205", "1291", "4000"].iter().enumerate() {
            let s = w_submit(&mut w, req("0001", "1", amount, &format!("S{i}"), ""));
            run(&mut w, s);
        }
        w.trace_hash()
    };
    assert_eq!(go(5), go(5));
}

#[test]
fn a_zero_latency_acquirer_is_answered() {
    let toml = concat!(
        "[tecs]\nacquirer_profile_toml = \"\"\"\nname = \\\"instant\\\"\n",
        "[latency]\nauthorise = \\\"0ms\\\"\n\"\"\"\n"
    );
    let mut w = TecsWorld::new(TecsConfig::from_toml(toml).unwrap(), 1, T0, false);
    let r = go(&mut w, req("0001", "1", "1000", "Z1", ""));
    assert_eq!(r.code, "0000");
}

#[test]
fn reader_timings_are_configurable() {
    let toml = "[tecs]\nread_time = \"0ms\"\ncomplete_time = \"0ms\"\n[[tecs.terminal]]\nnumber = \"88091105\"\ncustomer = { card = \"tecs_visa\", present_after = \"0ms\", pin_after = \"0ms\" }\n";
    let mut w = TecsWorld::new(TecsConfig::from_toml(toml).unwrap(), 1, T0, false);
    let r = go(&mut w, req("0001", "1", "1000", "F1", ""));
    assert_eq!(r.code, "0000");
    // Only the acquirer's latency (1000 ms ± 300 ms) is left.
    assert!(
        w.now.since(T0) <= Duration::from_millis(1300),
        "{:?}",
        w.now.since(T0)
    );
}
