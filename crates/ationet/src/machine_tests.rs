use super::*;
use crate::state::ALL_STATES;
use proptest::prelude::*;

const T0: Timestamp = Timestamp(1_700_000_000_000);

fn request(kind: CreateKind, amount: &str) -> CreateRequest {
    CreateRequest {
        kind,
        site_code: "1524".into(),
        pump_number: 1,
        fuel_code: "3".into(),
        amount: Decimal::parse(amount).unwrap(),
        primary_track: match kind {
            CreateKind::MobilePayments => Some("0000000000001".into()),
            _ => None,
        },
        terminal_code: match kind {
            CreateKind::MobilePayments => Some("S2G321".into()),
            _ => None,
        },
        mobile_payment_mode: 1,
        potency_key_id: "k1".into(),
        external_reference_id: match kind {
            CreateKind::PreAuthorizedPayments => Some("854712".into()),
            _ => None,
        },
        numeric_strings: vec![],
    }
}

fn site() -> SiteFacts {
    SiteFacts {
        session_up: true,
        preset_unit: PresetUnit::Volume,
        currency: Currency::USD,
    }
}

fn product() -> ProductInfo {
    ProductInfo {
        terminal_identification: "ST01".into(),
        product_code: "3".into(),
        product_description: "Diesel".into(),
        unit_price: Decimal::parse("1.459").unwrap(),
    }
}

struct Run {
    t: Transaction,
    now: Timestamp,
    states: Vec<u8>,
    out: Vec<Output>,
}

impl Run {
    fn new(kind: CreateKind, timers: Timers) -> Run {
        let t = Transaction::create(
            T0,
            "id-1".into(),
            1,
            request(kind, "9"),
            site(),
            timers,
            false,
        );
        let mut r = Run {
            t,
            now: T0,
            states: vec![1],
            out: vec![],
        };
        r.drain();
        r
    }

    fn drain(&mut self) {
        while let Some(o) = self.t.poll_output() {
            if let Output::StateChanged { to, .. } = &o {
                self.states.push(to.id());
            }
            self.out.push(o);
        }
    }

    fn fire(&mut self) {
        let at = self.t.poll_timeout().expect("a deadline");
        self.now = at;
        self.t.handle_input(at, Input::Timeout).unwrap();
        self.drain();
    }

    fn site(&mut self, e: SiteEvent) {
        self.t.handle_input(self.now, Input::Site(e)).unwrap();
        self.drain();
    }

    fn pfep(&mut self, e: PfepEvent) {
        self.t.handle_input(self.now, Input::Pfep(e)).unwrap();
        self.drain();
    }

    fn sent_to_site(&self) -> Vec<&SiteCommand> {
        self.out
            .iter()
            .filter_map(|o| match o {
                Output::ToSite(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    fn reserve_ok(&mut self) {
        self.fire(); // step -> Reserve
        self.site(SiteEvent::ReserveResult(Ok(product())));
    }

    fn approve(&mut self, grant: &str) {
        self.fire(); // step -> PFEP
        self.pfep(PfepEvent::Approved {
            grant: Decimal::parse(grant).unwrap(),
            reference: "A00001".into(),
            message: "Approved".into(),
        });
    }

    fn authorized_at_pump(&mut self) {
        self.fire(); // step -> Authorize
        self.site(SiteEvent::AuthorizeResult {
            overall_ok: true,
            response_ok: true,
            message: None,
        });
    }
}

#[test]
fn mobile_payments_happy_path_runs_1_5_2_4_7_9_10() {
    // ATN-S-012
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("9");
    r.authorized_at_pump();
    r.site(SiteEvent::NozzleLifted);
    r.site(SiteEvent::BeginFueling);
    r.site(SiteEvent::Progress {
        volume: Volume(4000),
        amount_minor: 584,
    });
    r.site(SiteEvent::Finalize {
        volume: Volume(9000),
        amount_minor: 1313,
        id_dispatch: "1524-000001".into(),
    });
    assert_eq!(r.t.state(), StateId::Fueling);
    r.pfep(PfepEvent::CompletionApproved);
    assert_eq!(r.states, vec![1, 5, 2, 4, 7, 9, 10]);
    let s = r.t.snapshot();
    assert_eq!(s.dispatched_amount.to_string(), "13.13");
    assert_eq!(s.dispatched_quantity.to_string(), "9");
    assert_eq!(s.id_dispatch.as_deref(), Some("1524-000001"));
    assert!(matches!(
        r.sent_to_site()[1],
        SiteCommand::Authorize {
            preset: Preset::Volume(Volume(9000)),
            ..
        }
    ));
}

#[test]
fn preauthorized_payments_skip_the_pfep() {
    // ATN-S-002
    let mut r = Run::new(CreateKind::PreAuthorizedPayments, Timers::default());
    r.reserve_ok();
    r.authorized_at_pump();
    r.site(SiteEvent::BeginFueling);
    r.site(SiteEvent::Finalize {
        volume: Volume(9000),
        amount_minor: 1313,
        id_dispatch: "1524-000002".into(),
    });
    assert_eq!(r.states, vec![1, 5, 4, 7, 9, 10]);
    let s = r.t.snapshot();
    assert_eq!(s.payment_processor_reference_id.as_deref(), Some("854712"));
    assert_eq!(s.primary_track, None);
    assert_eq!(s.authorized_amount, s.requested_amount);
}

#[test]
fn partial_grant_caps_the_preset() {
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("20"); // more than requested: capped (ATN-S-016)
    assert_eq!(r.t.authorized().to_string(), "9");
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("5");
    r.fire();
    assert!(matches!(
        r.sent_to_site().last(),
        Some(SiteCommand::Authorize {
            preset: Preset::Volume(Volume(5000)),
            ..
        })
    ));
}

#[test]
fn no_session_gives_16_and_refused_reserve_gives_6() {
    let mut t = Transaction::create(
        T0,
        "x".into(),
        1,
        request(CreateKind::MobilePayments, "9"),
        SiteFacts {
            session_up: false,
            ..site()
        },
        Timers::default(),
        false,
    );
    let at = t.poll_timeout().unwrap();
    t.handle_input(at, Input::Timeout).unwrap();
    assert_eq!(t.state(), StateId::SessionError);

    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.fire();
    r.site(SiteEvent::ReserveResult(Err(
        "Fueling Position in use".into()
    )));
    assert_eq!(r.t.state(), StateId::PumpReserveRefused);
    assert_eq!(
        r.t.snapshot().site_system_message.as_deref(),
        Some("Fueling Position in use")
    );
}

#[test]
fn queue_fault_gives_17() {
    let t = Transaction::create(
        T0,
        "x".into(),
        1,
        request(CreateKind::MobilePayments, "9"),
        site(),
        Timers::default(),
        true,
    );
    assert_eq!(t.state(), StateId::UnknownError);
    assert_eq!(t.poll_timeout(), None);
}

#[test]
fn timeouts_reach_their_states() {
    // T7
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.fire();
    r.fire();
    assert_eq!(r.t.state(), StateId::SiteSystemError);
    // T10 by T_pfep
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.fire();
    r.fire();
    assert_eq!(r.t.state(), StateId::PreauthorizationRejected);
    // T15 by T_reply
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("9");
    r.fire();
    r.fire();
    assert_eq!(r.t.state(), StateId::SiteSystemError);
    // T19 at 300 s
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("9");
    r.authorized_at_pump();
    let entered = r.now;
    r.fire();
    assert_eq!(r.t.state(), StateId::CancelledByMppa);
    assert_eq!(r.now.since(entered), Duration::from_secs(300));
    // T24 by T_pfep after Finalize
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("9");
    r.authorized_at_pump();
    r.site(SiteEvent::BeginFueling);
    r.site(SiteEvent::Finalize {
        volume: Volume(1000),
        amount_minor: 146,
        id_dispatch: "d".into(),
    });
    r.fire();
    assert_eq!(r.t.state(), StateId::CompleteFailed);
    assert_eq!(r.t.snapshot().dispatched_quantity.to_string(), "1");
}

#[test]
fn site_preauth_timeout_gives_14_and_refusals_8_and_18() {
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("9");
    r.authorized_at_pump();
    r.site(SiteEvent::SitePreauthTimeout);
    assert_eq!(r.t.state(), StateId::CanceledBySiteSystem);

    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("9");
    r.fire();
    r.site(SiteEvent::AuthorizeResult {
        overall_ok: true,
        response_ok: false,
        message: Some("Product not available on fuel point".into()),
    });
    assert_eq!(r.t.state(), StateId::CanceledByFuelPoint);

    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("9");
    r.fire();
    r.site(SiteEvent::AuthorizeResult {
        overall_ok: false,
        response_ok: false,
        message: None,
    });
    assert_eq!(r.t.state(), StateId::SiteSystemError);
}

#[test]
fn cancel_in_state_7_runs_12_15_13_and_reverses() {
    // ATN-S-014
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("9");
    r.authorized_at_pump();
    r.t.handle_input(r.now, Input::Cancel).unwrap();
    r.drain();
    assert_eq!(r.t.state(), StateId::CancelationRequested);
    assert!(r.out.contains(&Output::ToPfep(PfepRequest::Reverse)));
    r.fire();
    assert_eq!(r.t.state(), StateId::FuelPointDeauthorizationRequested);
    r.site(SiteEvent::DeauthorizeResult {
        ok: true,
        flow_started: false,
    });
    assert_eq!(r.states, vec![1, 5, 2, 4, 7, 12, 15, 13]);
}

#[test]
fn cancel_with_nozzle_lifted_is_04009_and_changes_nothing() {
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("9");
    r.authorized_at_pump();
    r.site(SiteEvent::NozzleLifted);
    let before = r.t.snapshot();
    assert_eq!(
        r.t.handle_input(r.now, Input::Cancel),
        Err(Reject::Cancel(CancelCode::NozzleLifted))
    );
    assert_eq!(r.t.snapshot(), before);
    r.site(SiteEvent::NozzleReplaced);
    assert!(r.t.handle_input(r.now, Input::Cancel).is_ok());
}

#[test]
fn refused_deauthorize_goes_back_to_fueling() {
    // T28
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.approve("9");
    r.authorized_at_pump();
    r.t.handle_input(r.now, Input::Cancel).unwrap();
    r.drain();
    r.fire();
    r.site(SiteEvent::DeauthorizeResult {
        ok: false,
        flow_started: true,
    });
    assert_eq!(r.t.state(), StateId::Fueling);
    // T29 instead, on another run
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.t.handle_input(r.now, Input::Cancel).unwrap();
    r.drain();
    r.fire();
    r.fire();
    assert_eq!(r.t.state(), StateId::SiteSystemError);
}

#[test]
fn prompting_flow_reaches_27_28_then_4() {
    let timers = Timers {
        prompting: true,
        ..Timers::default()
    };
    let mut r = Run::new(CreateKind::MobilePayments, timers);
    r.reserve_ok();
    r.fire();
    r.pfep(PfepEvent::PromptsNeeded {
        flags: vec![
            ("PromptOdometer".into(), "true".into()),
            ("MinOdometer".into(), "150".into()),
            ("MaxOdometer".into(), "1000".into()),
        ],
    });
    assert_eq!(r.t.state(), StateId::PromptingNeeded);
    assert_eq!(
        r.t.snapshot().payment_processor_message.as_deref(),
        Some(r#"{"PromptOdometer":"true","MinOdometer":"150","MaxOdometer":"1000"}"#)
    );
    r.t.handle_input(
        r.now,
        Input::PromptAnswers(vec![("Odometer".into(), "152".into())]),
    )
    .unwrap();
    r.drain();
    assert_eq!(r.t.state(), StateId::PromptingSent);
    r.pfep(PfepEvent::Approved {
        grant: Decimal::from_int(9),
        reference: "A00002".into(),
        message: "Approved".into(),
    });
    r.fire();
    assert_eq!(r.states, vec![1, 5, 25, 27, 28, 4]);
}

#[test]
fn unanswered_prompts_reach_19_and_prompting_off_never_shows_25() {
    // ATN-S-020
    let timers = Timers {
        prompting: true,
        ..Timers::default()
    };
    let mut r = Run::new(CreateKind::MobilePayments, timers);
    r.reserve_ok();
    r.fire();
    r.pfep(PfepEvent::PromptsNeeded {
        flags: vec![("PromptOdometer".into(), "true".into())],
    });
    r.fire();
    assert_eq!(r.t.state(), StateId::CancelledByMppa);
    // ATN-S-019
    let mut r = Run::new(CreateKind::MobilePayments, Timers::default());
    r.reserve_ok();
    r.fire();
    r.pfep(PfepEvent::PromptsNeeded {
        flags: vec![("PromptOdometer".into(), "true".into())],
    });
    assert_eq!(r.t.state(), StateId::PreauthorizationRejected);
    assert_eq!(
        r.t.handle_input(r.now, Input::PromptAnswers(vec![])),
        Err(Reject::NotPrompting(StateId::PreauthorizationRejected))
    );
}

// ---- properties ----

fn arb_input() -> impl Strategy<Value = (u64, Input)> {
    let site = prop_oneof![
        Just(SiteEvent::ReserveResult(Ok(product()))),
        Just(SiteEvent::ReserveResult(Err(
            "Fueling Position in use".into()
        ))),
        (any::<bool>(), any::<bool>()).prop_map(|(o, r)| SiteEvent::AuthorizeResult {
            overall_ok: o,
            response_ok: r,
            message: None
        }),
        (any::<bool>(), any::<bool>()).prop_map(|(ok, f)| SiteEvent::DeauthorizeResult {
            ok,
            flow_started: f
        }),
        Just(SiteEvent::NozzleLifted),
        Just(SiteEvent::NozzleReplaced),
        Just(SiteEvent::BeginFueling),
        (0u64..20_000).prop_map(|ml| SiteEvent::Progress {
            volume: Volume(ml),
            amount_minor: (ml as i64) * 1459 / 10_000
        }),
        (0u64..20_000).prop_map(|ml| SiteEvent::Finalize {
            volume: Volume(ml),
            amount_minor: (ml as i64) * 1459 / 10_000,
            id_dispatch: "d".into()
        }),
        Just(SiteEvent::SitePreauthTimeout),
        Just(SiteEvent::SessionDown),
        Just(SiteEvent::SessionUp),
    ];
    let pfep = prop_oneof![
        (1i64..40).prop_map(|g| PfepEvent::Approved {
            grant: Decimal::from_int(g),
            reference: "A1".into(),
            message: "ok".into()
        }),
        Just(PfepEvent::Declined {
            reference: None,
            message: "no".into()
        }),
        Just(PfepEvent::PromptsNeeded {
            flags: vec![("PromptOdometer".into(), "true".into())]
        }),
        Just(PfepEvent::CompletionApproved),
        Just(PfepEvent::CompletionRejected {
            message: "no".into()
        }),
    ];
    let input = prop_oneof![
        3 => Just(Input::Timeout),
        4 => site.prop_map(Input::Site),
        2 => pfep.prop_map(Input::Pfep),
        1 => Just(Input::Cancel),
        1 => Just(Input::PromptAnswers(vec![("Odometer".into(), "200".into())])),
    ];
    (0u64..400_000, input)
}

fn run_inputs(
    kind: CreateKind,
    prompting: bool,
    inputs: &[(u64, Input)],
) -> (Vec<StateId>, Vec<String>, Transaction) {
    let timers = Timers {
        prompting,
        ..Timers::default()
    };
    let mut t = Transaction::create(T0, "p".into(), 1, request(kind, "9"), site(), timers, false);
    let mut now = T0;
    let mut states = vec![t.state()];
    let mut trace = vec![];
    for (dt, input) in inputs {
        now = now + Duration(*dt);
        let input = match (input, t.poll_timeout()) {
            (Input::Timeout, Some(at)) if at <= now => Input::Timeout,
            (Input::Timeout, Some(at)) => {
                now = at;
                Input::Timeout
            }
            (i, _) => i.clone(),
        };
        let r = t.handle_input(now, input);
        trace.push(format!("{r:?}"));
        while let Some(o) = t.poll_output() {
            trace.push(format!("{o:?}"));
        }
        states.push(t.state());
    }
    (states, trace, t)
}

proptest! {
    #[test]
    fn terminal_states_absorb(
        fi in any::<bool>(),
        prompting in any::<bool>(),
        inputs in proptest::collection::vec(arb_input(), 0..40),
    ) {
        let kind = if fi { CreateKind::MobilePayments } else { CreateKind::PreAuthorizedPayments };
        let (states, _, _) = run_inputs(kind, prompting, &inputs);
        if let Some(i) = states.iter().position(|s| s.is_terminal()) {
            prop_assert!(states[i..].iter().all(|s| *s == states[i]), "{states:?}");
        }
    }

    #[test]
    fn authorized_never_exceeds_requested_and_ex_skips_pfep_states(
        fi in any::<bool>(),
        prompting in any::<bool>(),
        inputs in proptest::collection::vec(arb_input(), 0..40),
    ) {
        let kind = if fi { CreateKind::MobilePayments } else { CreateKind::PreAuthorizedPayments };
        let (states, _, t) = run_inputs(kind, prompting, &inputs);
        prop_assert!(t.authorized() <= t.request().amount); // ATN-S-016
        if !fi {
            // ATN-S-002
            prop_assert!(!states.iter().any(|s| matches!(s.id(), 2 | 3 | 11 | 24..=28)));
        }
        if !prompting {
            // ATN-S-019
            prop_assert!(states.iter().all(|s| !s.is_prompting()));
        }
        prop_assert!(ALL_STATES.contains(&t.state()));
    }

    #[test]
    fn same_inputs_same_trace(inputs in proptest::collection::vec(arb_input(), 0..30)) {
        let a = run_inputs(CreateKind::MobilePayments, true, &inputs);
        let b = run_inputs(CreateKind::MobilePayments, true, &inputs);
        prop_assert_eq!(a.1, b.1);
    }

    #[test]
    fn refused_cancel_changes_nothing(inputs in proptest::collection::vec(arb_input(), 0..30)) {
        let (_, _, mut t) = run_inputs(CreateKind::MobilePayments, true, &inputs);
        let before = t.snapshot();
        let deadline = t.poll_timeout();
        if t.handle_input(before.update_date_time, Input::Cancel).is_err() {
            prop_assert_eq!(t.snapshot(), before);
            prop_assert_eq!(t.poll_timeout(), deadline);
            prop_assert!(t.poll_output().is_none());
        }
    }
}
