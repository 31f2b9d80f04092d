//! Properties over seeds, cards, amounts, customers, faults and arbitrary input timelines
//! (simulators.md 6: SIM-G-01..03, SIM-R-02, SIM-R-03).

use payrig_core::rng::{stream_rng, DurationSpec};
use payrig_core::{Currency, Decimal, Duration, Machine, Money, Timestamp};
use proptest::prelude::*;

use crate::customer::{AbortAt, Answers, Customer, PinAnswers, Presentation, RemovePolicy};
use crate::event::{Begin, Fault, FaultKind, Input, Output, TipMode, TxnKind};
use crate::trace::{output_line, Recorder};
use crate::{
    default_rules, select_cvm, CardTable, Cvm, Entry, Reader, ReaderConfig, SessionResult,
    SessionState, TipSpec,
};

#[derive(Debug, Clone)]
enum Op {
    Advance(u64),
    Give(Input),
}

const CARDS: &[&str] = &[
    "visa_ok",
    "visa_swipe_only",
    "visa_wallet",
    "mc_blocked",
    "mc_fallback",
    "amex_ok",
    "jcb_ok",
    "tecs_visa",
];

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        3 => Just(Entry::Tap),
        4 => Just(Entry::Insert),
        1 => Just(Entry::Swipe),
        1 => Just(Entry::Manual),
        1 => Just(Entry::FallbackSwipe),
    ]
}

fn spec() -> impl Strategy<Value = DurationSpec> {
    (0u64..4_000, 0u64..2_000).prop_map(|(b, t)| DurationSpec::new(b, t))
}

fn tip() -> impl Strategy<Value = TipSpec> {
    prop_oneof![
        Just(TipSpec::None),
        (0i128..100_000, 0u32..4).prop_map(|(m, s)| TipSpec::Major(Decimal::new(m, s))),
        (0i64..10_000).prop_map(TipSpec::Minor),
        (0i128..10_000, 0u32..3).prop_map(|(m, s)| TipSpec::Percent(Decimal::new(m, s))),
    ]
}

fn answers() -> impl Strategy<Value = Answers> {
    let pin = prop_oneof![
        Just(PinAnswers::Correct),
        Just(PinAnswers::Wrong),
        proptest::collection::vec(prop_oneof![Just("1234"), Just("9999")], 0..4)
            .prop_map(|v| PinAnswers::List(v.into_iter().map(String::from).collect())),
    ];
    let abort = prop_oneof![
        Just(AbortAt::None),
        Just(AbortAt::Present),
        Just(AbortAt::Tip),
        Just(AbortAt::Pin)
    ];
    let remove = prop_oneof![
        Just(RemovePolicy::AfterResult),
        Just(RemovePolicy::Early),
        Just(RemovePolicy::Never)
    ];
    (pin, spec(), tip(), spec(), abort, remove, spec()).prop_map(
        |(pin, pin_after, tip, tip_after, abort_at, remove, remove_after)| Answers {
            pin,
            pin_after,
            tip,
            tip_after,
            abort_at,
            remove,
            remove_after,
        },
    )
}

fn customer(card: &'static str) -> impl Strategy<Value = Customer> {
    (entry(), proptest::option::of(spec()), answers()).prop_map(move |(e, p, a)| Customer {
        card: card.into(),
        entry: if e == Entry::FallbackSwipe {
            Entry::Swipe
        } else {
            e
        },
        present_after: p,
        answers: a,
    })
}

fn input(card: &'static str) -> impl Strategy<Value = Input> {
    let kind = prop_oneof![
        Just(TxnKind::Sale),
        Just(TxnKind::Preauth),
        Just(TxnKind::Refund),
        Just(TxnKind::Void)
    ];
    let begin = (
        kind,
        -10i64..40_000,
        proptest::sample::subsequence(vec![Entry::Tap, Entry::Insert, Entry::Swipe], 0..=3),
        any::<bool>(),
    )
        .prop_map(|(kind, minor, modes, ask)| {
            Input::Begin(Begin {
                txn: "T".into(),
                kind,
                amount: Money::from_minor(minor, Currency::EUR),
                modes,
                tip: if ask { TipMode::Ask } else { TipMode::None },
            })
        });
    let present = (entry(), answers()).prop_map(move |(entry, answers)| {
        let mut p = Presentation::of(card, entry);
        p.answers = answers;
        Input::Present(Box::new(p))
    });
    let host = (
        prop_oneof![Just("00"), Just("05"), Just("55")],
        any::<bool>(),
    )
        .prop_map(|(c, approved)| Input::HostResult {
            code: c.into(),
            approved,
        });
    let fault = prop_oneof![
        (0u32..5).prop_map(|count| Fault::ReadFailure { count }),
        Just(Fault::ChipRefusesAfterApproval),
        proptest::option::of((0u64..20_000).prop_map(Duration))
            .prop_map(|duration| Fault::Disconnect { duration }),
        Just(Fault::Busy),
        (
            prop_oneof![
                Just(SessionState::Reading),
                Just(SessionState::Completing),
                Just(SessionState::Online)
            ],
            (0u64..5_000).prop_map(Duration)
        )
            .prop_map(|(state, delay)| Fault::Slow { state, delay }),
    ];
    let clear = prop_oneof![
        Just(FaultKind::ReadFailure),
        Just(FaultKind::ChipRefusesAfterApproval),
        Just(FaultKind::Disconnect),
        Just(FaultKind::Busy),
        Just(FaultKind::Slow)
    ];
    prop_oneof![
        6 => begin,
        4 => present,
        6 => host,
        1 => Just(Input::Cancel),
        1 => Just(Input::CustomerAbort),
        1 => Just(Input::RemoveCard),
        1 => Just(Input::Timeout),
        1 => proptest::option::of(customer(card).prop_map(Box::new)).prop_map(Input::SetCustomer),
        1 => prop_oneof![fault.prop_map(Input::Fault), clear.prop_map(Input::ClearFault)],
    ]
}

/// One card per case, so "that card" is well defined for SIM-R-03.
fn case() -> impl Strategy<Value = (u64, &'static str, Option<Customer>, Vec<Op>)> {
    proptest::sample::select(CARDS).prop_flat_map(|card| {
        let op = prop_oneof![
            2 => prop_oneof![0u64..3_000, 0u64..70_000].prop_map(Op::Advance),
            3 => input(card).prop_map(Op::Give),
        ];
        (
            0u64..1_000,
            Just(card),
            proptest::option::of(customer(card)),
            proptest::collection::vec(op, 0..60),
        )
    })
}

/// Per-output properties (SIM-R-02, SIM-R-03) for one case.
struct Checker {
    rules: Vec<crate::CvmRule>,
    kind: TxnKind,
    pin_blocked: bool,
}

impl Checker {
    fn see(&mut self, r: &Reader, outputs: &[Output]) {
        for o in outputs {
            match o {
                Output::CardData(d) => {
                    // SIM-R-02: tip >= 0, total = amount + tip, CVM = the pure function.
                    assert!(d.tip.minor >= 0);
                    assert_eq!(d.total.minor, d.amount.minor + d.tip.minor);
                    let card = r.config().cards.get(&d.card_id).unwrap();
                    let want = match self.kind.verifies_cardholder() {
                        true => select_cvm(&self.rules, card, d.entry, d.total),
                        false => Cvm::None,
                    };
                    assert_eq!(d.cvm, want);
                }
                Output::TipEntered { tip, total } => {
                    assert!(tip.minor >= 0 && total.minor >= tip.minor)
                }
                Output::PinBlocked => self.pin_blocked = true,
                Output::Done {
                    result: SessionResult::Approved,
                    ..
                } => assert!(
                    !self.pin_blocked,
                    "SIM-R-03: approved after the PIN blocked"
                ),
                _ => {}
            }
        }
    }
}

/// Runs a case, checking the per-step properties; returns the trace and the output lines.
fn run(seed: u64, c: Option<Customer>, ops: &[Op], fire_every_deadline: bool) -> (String, String) {
    let cfg = ReaderConfig::default().with_customer(c);
    let src = cfg.src();
    let mut chk = Checker {
        rules: cfg.effective_rules(),
        kind: TxnKind::Sale,
        pin_blocked: false,
    };
    let mut r = Reader::new(cfg, stream_rng(seed, &src)).unwrap();
    let mut rec = Recorder::new();
    let mut outs = String::new();
    let mut now = 0u64;
    for op in ops {
        let (t, i) = match op {
            Op::Advance(d) => {
                let target = now + d;
                // Another sampling step: fire each deadline on its own first.
                let due = |r: &Reader| {
                    r.poll_timeout()
                        .filter(|t| fire_every_deadline && t.as_millis() <= target)
                };
                while let Some(Timestamp(x)) = due(&r) {
                    let v = prop_drain(&mut r, x, Input::Timeout, &mut rec, &mut outs);
                    chk.see(&r, &v);
                }
                now = target;
                (now, Input::Timeout)
            }
            Op::Give(i) => (now, i.clone()),
        };
        if let Input::Begin(b) = &i {
            if r.state() == SessionState::Idle || r.state().is_terminal() {
                chk.kind = b.kind;
            }
        }
        let before = r.state();
        let is_begin = matches!(i, Input::Begin(_));
        let v = prop_drain(&mut r, t, i, &mut rec, &mut outs);
        // SIM-G-02: a terminal session only leaves by `begin`.
        if before.is_terminal() && !is_begin {
            assert_eq!(r.state(), before, "terminal session moved");
        }
        chk.see(&r, &v);
    }
    (rec.into_string(), outs)
}

fn prop_drain(
    r: &mut Reader,
    t: u64,
    i: Input,
    rec: &mut Recorder,
    outs: &mut String,
) -> Vec<Output> {
    rec.input(Timestamp(t), "reader/R1", &i);
    // SIM-G-03: refusals are typed errors, never panics.
    let _ = r.handle_input(Timestamp(t), i);
    let mut v = Vec::new();
    while let Some((at, o)) = r.poll_timed_output() {
        rec.output(at, "reader/R1", &o);
        outs.push_str(&output_line(at, "reader/R1", &o));
        outs.push('\n');
        v.push(o);
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// SIM-G-01..03, SIM-R-02, SIM-R-03 over arbitrary timelines; same seed and inputs give
    /// the same bytes, and firing every deadline on its own gives the same outputs.
    #[test]
    fn arbitrary_timelines((seed, _card, c, ops) in case()) {
        let (a, out_a) = run(seed, c.clone(), &ops, false);
        let (b, _) = run(seed, c.clone(), &ops, false);
        prop_assert_eq!(&a, &b);
        let (_, out_c) = run(seed, c, &ops, true);
        prop_assert_eq!(out_a, out_c);
    }

    /// SIM-R-02: CVM is a pure function of (card, entry, total, currency).
    #[test]
    fn cvm_is_pure(i in 0usize..17, e in entry(), minor in 0i64..100_000, jpy in any::<bool>()) {
        let t = CardTable::published();
        let card = t.iter().nth(i).unwrap();
        let cur = if jpy { Currency::JPY } else { Currency::EUR };
        let total = Money::from_minor(minor, cur);
        let a = select_cvm(&default_rules(Decimal::new(50, 0)), card, e, total);
        let b = select_cvm(&default_rules(Decimal::new(5_000, 2)), &card.clone(), e, total);
        prop_assert_eq!(a, b);
        prop_assert!(a.possible_with(e));
    }

    /// SIM-R-02: tip >= 0 and amount + tip fits, for every tip form.
    #[test]
    fn tips_are_never_negative(t in tip(), minor in 0i64..=crate::customer::MAX_AMOUNT_MINOR) {
        let amount = Money::from_minor(minor, Currency::EUR);
        let tip = t.tip_for(amount);
        prop_assert!(tip.minor >= 0);
        prop_assert!(amount.checked_add(tip).is_ok());
    }

    /// SIM-R-03: a customer who keeps typing wrong PINs never gets an approval, whatever the
    /// host answers and however many sessions follow.
    #[test]
    fn no_approval_after_pin_tries_wrong_pins(seed in 0u64..500, sessions in 1usize..6) {
        let c = Customer {
            card: "jcb_ok".into(), // offline PIN on contact at any amount
            entry: Entry::Insert,
            present_after: Some(DurationSpec::new(1_000, 500)),
            answers: Answers { pin: PinAnswers::Wrong, ..Answers::default() },
        };
        let mut ops = Vec::new();
        for _ in 0..sessions {
            ops.push(Op::Give(Input::Begin(Begin {
                txn: "T".into(),
                kind: TxnKind::Sale,
                amount: Money::from_minor(1_000, Currency::EUR),
                modes: vec![],
                tip: TipMode::None,
            })));
            ops.push(Op::Advance(20_000));
            ops.push(Op::Give(Input::HostResult { code: "00".into(), approved: true }));
            ops.push(Op::Advance(60_000));
        }
        let (_, outs) = run(seed, Some(c), &ops, false);
        prop_assert!(!outs.contains("\"result\":\"approved\""));
        prop_assert!(outs.contains("pin_blocked"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Well-behaved hosts with scripted customers: every session ends (one `done`, terminal
    /// state) within its timeouts, and the per-output properties hold on every card.
    #[test]
    fn every_session_ends(
        seed in 0u64..1_000,
        card in 0usize..17,
        c in customer("visa_ok"),
        sessions in proptest::collection::vec(
            (0i64..40_000, any::<bool>(), any::<bool>(), 0u64..40_000),
            1..5,
        ),
    ) {
        let id = CardTable::published().iter().nth(card).unwrap().id.clone();
        let c = Customer { card: id, ..c };
        let mut ops = Vec::new();
        for (minor, ask, approved, host_after) in &sessions {
            ops.push(Op::Give(Input::Begin(Begin {
                txn: "T".into(),
                kind: TxnKind::Sale,
                amount: Money::from_minor(*minor, Currency::EUR),
                modes: vec![],
                tip: if *ask { TipMode::Ask } else { TipMode::None },
            })));
            ops.push(Op::Advance(*host_after));
            ops.push(Op::Give(Input::HostResult { code: "00".into(), approved: *approved }));
            ops.push(Op::Advance(250_000));
        }
        let (_, outs) = run(seed, Some(c), &ops, false);
        prop_assert_eq!(outs.matches("\"kind\":\"done\"").count(), sessions.len());
    }
}
