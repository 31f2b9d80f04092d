//! Scenario tests: the spec's examples and each row of the simulators.md 3.1 table.

use payrig_core::rng::{stream_rng, DurationSpec};
use payrig_core::{Currency, Duration, Machine, Money, Timestamp, Volume};

use crate::customer::{CustomerScript, Target};
use crate::event::{
    AuthEnd, AuthoriseRefusal, AuthoriseRequest, DeauthoriseRefusal, Fault, FaultKind, Input,
    Output, Preset, Reject, ReservationEnd, ReserveRefusal,
};
use crate::{EndReason, FpState, FuelPoint, FuelPointConfig, Grade, GradeSpec, Owner, SaleStatus};

/// A driver in virtual time that records every timed output.
pub(crate) struct Harness {
    pub(crate) fp: FuelPoint,
    pub(crate) out: Vec<(u64, Output)>,
}

impl Harness {
    pub(crate) fn new(cfg: FuelPointConfig) -> Harness {
        let rng = stream_rng(42, "pump/1");
        Harness {
            fp: FuelPoint::new(cfg, rng).unwrap(),
            out: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Some((t, o)) = self.fp.poll_timed_output() {
            self.out.push((t.as_millis(), o));
        }
    }

    /// Fires deadlines up to `ms`, then gives `input` at `ms`.
    pub(crate) fn input(&mut self, ms: u64, input: Input) -> Result<(), Reject> {
        self.run_until(ms);
        let r = self.fp.handle_input(Timestamp(ms), input);
        self.drain();
        r
    }

    /// Fires every deadline up to and including `ms`, one Timeout per deadline.
    pub(crate) fn run_until(&mut self, ms: u64) {
        while let Some(t) = self.fp.poll_timeout() {
            if t.as_millis() > ms {
                break;
            }
            self.fp.handle_input(t, Input::Timeout).unwrap();
            self.drain();
        }
    }

    fn find(&self, f: impl Fn(&Output) -> bool) -> Option<(u64, Output)> {
        self.out.iter().find(|(_, o)| f(o)).cloned()
    }

    fn take(&mut self) -> Vec<(u64, Output)> {
        std::mem::take(&mut self.out)
    }
}

fn owner(s: &str) -> Owner {
    Owner::from(s)
}

fn eur_g95() -> FuelPointConfig {
    let spec = GradeSpec {
        name: "Unleaded 95".into(),
        price: "1.789".into(),
    };
    let g = Grade::from_spec("G95", &spec, Currency::EUR).unwrap();
    FuelPointConfig::default_for(1, vec![g])
}

fn ationet() -> FuelPointConfig {
    FuelPointConfig::default_for(1, Grade::ationet_defaults(Currency::USD).unwrap())
}

fn with_customer(mut cfg: FuelPointConfig, c: CustomerScript) -> FuelPointConfig {
    cfg.customer = Some(c);
    cfg
}

pub(crate) fn auth(who: &str, preset: Preset) -> Input {
    Input::Authorise(AuthoriseRequest {
        owner: owner(who),
        preset,
        grades: None,
        lock_sale: false,
    })
}

#[test]
fn ationet_happy_path_nine_litres_diesel() {
    // ationet.md 4.3/7: lift 5 s, motor 2 s, progress 1 s, flow stops on 9 L, Finalize 3 s later.
    let c = CustomerScript {
        nozzle: 3,
        ..CustomerScript::default()
    };
    let mut h = Harness::new(with_customer(ationet(), c));
    h.input(
        0,
        Input::Reserve {
            owner: owner("mppa"),
        },
    )
    .unwrap();
    h.input(
        100,
        Input::Authorise(AuthoriseRequest {
            owner: owner("mppa"),
            preset: Preset::volume(Volume(9_000)),
            grades: Some(vec!["3".into()]),
            lock_sale: true,
        }),
    )
    .unwrap();
    h.run_until(600_000);
    let (t, _) = h
        .find(|o| matches!(o, Output::NozzleLifted { nozzle: 3, .. }))
        .unwrap();
    assert_eq!(t, 5_100);
    let (t, o) = h
        .find(|o| matches!(o, Output::FuellingStarted { .. }))
        .unwrap();
    assert_eq!(t, 7_100);
    assert!(matches!(
        o,
        Output::FuellingStarted {
            limit: Volume(9_000),
            ..
        }
    ));
    let (t, o) = h.find(|o| matches!(o, Output::Progress { .. })).unwrap();
    assert_eq!(t, 8_100);
    assert!(matches!(
        o,
        Output::Progress {
            volume: Volume(145),
            ..
        }
    ));
    let (t_lim, o) = h
        .find(|o| matches!(o, Output::LimitReached { .. }))
        .unwrap();
    assert!(
        matches!(o, Output::LimitReached { volume: Volume(9_000), amount } if amount.minor == 1313)
    );
    let (t_end, o) = h.find(|o| matches!(o, Output::DeliveryEnd { .. })).unwrap();
    assert_eq!(t_end, t_lim + 3_000);
    let Output::DeliveryEnd {
        volume,
        amount,
        reason,
        sale,
        ..
    } = o
    else {
        unreachable!()
    };
    assert_eq!(
        (volume, amount.to_major_string(), reason),
        (Volume(9_000), "13.13".into(), EndReason::HangUp)
    );
    let sale = sale.unwrap();
    assert_eq!(sale.status, SaleStatus::Locked(owner("mppa")));
    assert_eq!(sale.started_at, Timestamp(5_100));
    assert_eq!(h.fp.state(), FpState::Idle);
    assert_eq!(h.fp.meters()["3"].volume, Volume(9_000));
    // Every progress sample is below L and increasing.
    let vols: Vec<u64> = h
        .out
        .iter()
        .filter_map(|(_, o)| match o {
            Output::Progress { volume, .. } => Some(volume.ml()),
            _ => None,
        })
        .collect();
    assert!(vols.windows(2).all(|w| w[0] <= w[1]));
    assert!(vols.iter().all(|v| *v <= 9_000));
}

#[test]
fn money_preset_spec_example_stops_at_27951_ml_at_56_631_s() {
    // simulators.md 3.2/3.3: 50.00 EUR at 1.789.
    let mut h = Harness::new(eur_g95());
    h.input(
        0,
        auth(
            "pos",
            Preset::money(Money::from_minor(5_000, Currency::EUR)),
        ),
    )
    .unwrap();
    h.input(1_000, Input::NozzleLift { nozzle: 1 }).unwrap();
    h.run_until(3_000 + 56_631 + 10_000);
    let (t0, _) = h
        .find(|o| matches!(o, Output::FuellingStarted { .. }))
        .unwrap();
    assert_eq!(t0, 3_000);
    let (t, o) = h
        .find(|o| matches!(o, Output::LimitReached { .. }))
        .unwrap();
    assert_eq!(t - t0, 56_631);
    assert!(
        matches!(o, Output::LimitReached { volume: Volume(27_951), amount } if amount.minor == 5_000)
    );
    assert_eq!(h.fp.dispensed(Timestamp(t + 10_000)), Some(Volume(27_951)));
    assert!(!h.fp.is_flowing());
    h.run_until(1_000_000);
    // No customer: nothing hangs up, so no_flow_timeout (60 s) ends the delivery.
    let (t_end, o) = h.find(|o| matches!(o, Output::DeliveryEnd { .. })).unwrap();
    assert_eq!(t_end, t + 60_000);
    assert!(matches!(
        o,
        Output::DeliveryEnd {
            reason: EndReason::NoFlowTimeout,
            ..
        }
    ));
    assert_eq!(h.fp.state(), FpState::Idle);
}

#[test]
fn reservation_busy_offline_closed_and_timeout() {
    let mut h = Harness::new(ationet());
    h.input(0, Input::Reserve { owner: owner("a") }).unwrap();
    h.input(10, Input::Reserve { owner: owner("b") }).unwrap();
    h.input(20, auth("b", Preset::default())).unwrap();
    let out = h.take();
    assert!(matches!(
        &out[0].1,
        Output::ReserveAccepted {
            expires_at: Timestamp(60_000),
            ..
        }
    ));
    assert!(matches!(
        &out[1].1,
        Output::ReserveRefused {
            reason: ReserveRefusal::Busy,
            ..
        }
    ));
    assert!(matches!(
        &out[2].1,
        Output::AuthoriseRefused {
            reason: AuthoriseRefusal::ReservedByOther,
            ..
        }
    ));
    assert_eq!(h.fp.state(), FpState::Idle);
    // Renewal by the holder restarts reserve_timeout.
    h.input(30_000, Input::Reserve { owner: owner("a") })
        .unwrap();
    h.run_until(89_999);
    assert!(h.fp.reservation().is_some());
    h.run_until(90_000);
    assert!(h.fp.reservation().is_none());
    assert!(h
        .find(|o| matches!(
            o,
            Output::ReservationEnded {
                reason: ReservationEnd::Timeout,
                ..
            }
        ))
        .is_some());
    h.take();
    // Busy while authorised; offline; closed.
    h.input(100_000, auth("a", Preset::default())).unwrap();
    h.input(100_001, Input::Reserve { owner: owner("b") })
        .unwrap();
    h.input(100_002, Input::Fault(Fault::Offline { duration: None }))
        .unwrap();
    h.input(100_003, Input::Reserve { owner: owner("b") })
        .unwrap();
    h.input(100_004, Input::Online).unwrap();
    h.input(100_005, Input::Close).unwrap();
    h.input(100_006, Input::Reserve { owner: owner("b") })
        .unwrap();
    let refusals: Vec<ReserveRefusal> = h
        .take()
        .into_iter()
        .filter_map(|(_, o)| match o {
            Output::ReserveRefused { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        refusals,
        [
            ReserveRefusal::Busy,
            ReserveRefusal::Offline,
            ReserveRefusal::Closed
        ]
    );
    // Faults: reserved_by makes others busy; reserve_refused refuses everyone.
    h.input(200_000, Input::Open).unwrap();
    h.input(
        200_001,
        Input::Fault(Fault::ReservedBy { owner: owner("x") }),
    )
    .unwrap();
    h.input(200_002, Input::Reserve { owner: owner("b") })
        .unwrap();
    h.input(200_003, Input::Reserve { owner: owner("x") })
        .unwrap();
    h.input(200_004, Input::ClearFault(FaultKind::ReservedBy))
        .unwrap();
    h.input(200_005, Input::Fault(Fault::ReserveRefused))
        .unwrap();
    h.input(200_006, Input::Reserve { owner: owner("x") })
        .unwrap();
    let r: Vec<_> = h
        .take()
        .into_iter()
        .filter_map(|(_, o)| match o {
            Output::ReserveRefused { reason, .. } => Some(Err(reason)),
            Output::ReserveAccepted { owner, .. } => Some(Ok(owner)),
            _ => None,
        })
        .collect();
    assert_eq!(
        r,
        [
            Err(ReserveRefusal::Busy),
            Ok(owner("x")),
            Err(ReserveRefusal::Refused)
        ]
    );
}

#[test]
fn never_lift_times_out_at_180_s() {
    let c = CustomerScript {
        never_lift: true,
        ..CustomerScript::default()
    };
    let mut h = Harness::new(with_customer(ationet(), c));
    h.input(0, auth("mppa", Preset::volume(Volume(9_000))))
        .unwrap();
    assert_eq!(h.fp.poll_timeout(), Some(Timestamp(180_000)));
    h.run_until(179_999);
    assert_eq!(h.fp.state(), FpState::Authorised);
    h.run_until(180_000);
    assert_eq!(h.fp.state(), FpState::Idle);
    let (t, o) = h.find(|o| matches!(o, Output::AuthEnded { .. })).unwrap();
    assert_eq!(t, 180_000);
    assert!(matches!(
        o,
        Output::AuthEnded {
            reason: AuthEnd::Timeout,
            ..
        }
    ));
    // auth_timeout off: it stays Authorised.
    let mut cfg = ationet();
    cfg.auth_timeout = None;
    let mut h = Harness::new(cfg);
    h.input(0, auth("mppa", Preset::default())).unwrap();
    assert_eq!(h.fp.poll_timeout(), None);
}

#[test]
fn deauthorise_before_and_after_lift() {
    let mut h = Harness::new(ationet());
    h.input(0, auth("mppa", Preset::volume(Volume(9_000))))
        .unwrap();
    h.input(
        1,
        Input::Deauthorise {
            owner: owner("other"),
        },
    )
    .unwrap();
    h.input(
        2,
        Input::Deauthorise {
            owner: owner("mppa"),
        },
    )
    .unwrap();
    assert_eq!(h.fp.state(), FpState::Idle);
    h.input(
        3,
        Input::Deauthorise {
            owner: owner("mppa"),
        },
    )
    .unwrap();
    let r: Vec<_> = h
        .take()
        .into_iter()
        .filter_map(|(_, o)| match o {
            Output::DeauthoriseRefused { reason, .. } => Some(Err(reason)),
            Output::AuthEnded { reason, .. } => Some(Ok(reason)),
            _ => None,
        })
        .collect();
    assert_eq!(
        r,
        [
            Err(DeauthoriseRefusal::NotOwner),
            Ok(AuthEnd::Deauthorised),
            Err(DeauthoriseRefusal::NotAuthorised)
        ]
    );
    // ationet.md T28: after the lift (Started, then Fuelling) it is refused, flow started.
    h.input(10, auth("mppa", Preset::volume(Volume(9_000))))
        .unwrap();
    h.input(20, Input::NozzleLift { nozzle: 1 }).unwrap();
    h.input(
        30,
        Input::Deauthorise {
            owner: owner("mppa"),
        },
    )
    .unwrap();
    assert_eq!(h.fp.state(), FpState::Started);
    h.input(
        5_000,
        Input::Deauthorise {
            owner: owner("mppa"),
        },
    )
    .unwrap();
    assert_eq!(h.fp.state(), FpState::Fuelling);
    let n = h
        .out
        .iter()
        .filter(|(_, o)| {
            matches!(
                o,
                Output::DeauthoriseRefused {
                    reason: DeauthoriseRefusal::FlowStarted,
                    ..
                }
            )
        })
        .count();
    assert_eq!(n, 2);
}

#[test]
fn early_hang_up_at_two_litres() {
    let c = CustomerScript {
        hang_up_at: Some(Volume(2_000)),
        ..CustomerScript::default()
    };
    let mut h = Harness::new(with_customer(eur_g95(), c));
    h.input(0, auth("pos", Preset::volume(Volume(20_000))))
        .unwrap();
    h.run_until(1_000_000);
    let (_, o) = h.find(|o| matches!(o, Output::DeliveryEnd { .. })).unwrap();
    let Output::DeliveryEnd {
        volume,
        amount,
        reason,
        sale,
        ..
    } = o
    else {
        unreachable!()
    };
    assert_eq!((volume, reason), (Volume(2_000), EndReason::HangUp));
    assert_eq!(amount.minor, 358); // 2 L x 1.789 = 3.578 -> 3.58
    assert_eq!(sale.unwrap().status, SaleStatus::Payable);
    assert!(h
        .find(|o| matches!(o, Output::LimitReached { .. }))
        .is_none());
    assert_eq!(h.fp.state(), FpState::Idle);
}

#[test]
fn fault_mid_delivery_finalises_what_was_metered() {
    let mut h = Harness::new(with_customer(eur_g95(), CustomerScript::default()));
    h.input(
        0,
        Input::Fault(Fault::OfflineAt {
            volume: Volume(3_000),
            duration: Some(Duration::from_secs(30)),
        }),
    )
    .unwrap();
    h.input(1, auth("pos", Preset::volume(Volume(20_000))))
        .unwrap();
    h.run_until(600_000);
    let (t, o) = h.find(|o| matches!(o, Output::DeliveryEnd { .. })).unwrap();
    let Output::DeliveryEnd {
        volume,
        reason,
        sale,
        ..
    } = o
    else {
        unreachable!()
    };
    assert_eq!((volume, reason), (Volume(3_000), EndReason::Fault));
    assert_eq!(sale.unwrap().end_reason, EndReason::Fault);
    assert!(h
        .find(|o| matches!(
            o,
            Output::StateChanged {
                to: FpState::Inoperative,
                ..
            }
        ))
        .is_some());
    // Back after 30 s; the nozzle is still out, so the point is Calling.
    let (t_back, _) = h
        .find(|o| {
            matches!(
                o,
                Output::StateChanged {
                    from: FpState::Inoperative,
                    ..
                }
            )
        })
        .unwrap();
    assert_eq!(t_back, t + 30_000);
    assert_eq!(h.fp.state(), FpState::Calling);
    h.input(700_000, Input::NozzleHang).unwrap();
    assert_eq!(h.fp.state(), FpState::Idle);

    // A plain offline while fuelling ends the delivery with the volume at that instant.
    let mut h = Harness::new(eur_g95());
    h.input(0, auth("pos", Preset::default())).unwrap();
    h.input(0, Input::NozzleLift { nozzle: 1 }).unwrap();
    h.input(4_000, Input::Fault(Fault::Offline { duration: None }))
        .unwrap();
    let (_, o) = h.find(|o| matches!(o, Output::DeliveryEnd { .. })).unwrap();
    assert!(matches!(
        o,
        Output::DeliveryEnd {
            volume: Volume(583),
            reason: EndReason::Fault,
            ..
        }
    ));
    assert_eq!(h.fp.state(), FpState::Inoperative);
    assert_eq!(h.fp.poll_timeout(), None);
}

fn deliver(h: &mut Harness, at: u64, who: &str) -> Result<(), Reject> {
    h.input(at, auth(who, Preset::volume(Volume(1_000))))?;
    h.input(at + 1, Input::NozzleLift { nozzle: 1 })?;
    h.run_until(at + 20_000);
    h.input(at + 20_000, Input::NozzleHang)
}

#[test]
fn unpaid_limit_refuses_the_third_authorisation() {
    let mut h = Harness::new(eur_g95());
    deliver(&mut h, 0, "pos").unwrap();
    deliver(&mut h, 30_000, "pos").unwrap();
    assert_eq!(h.fp.unpaid_sales(), 2);
    h.take();
    h.input(70_000, auth("pos", Preset::default())).unwrap();
    assert!(matches!(
        h.take()[0].1,
        Output::AuthoriseRefused {
            reason: AuthoriseRefusal::UnpaidLimitReached,
            ..
        }
    ));
    // Pay one: lock, then clear (by the locker only).
    h.input(
        70_001,
        Input::LockSale {
            seq: 1,
            owner: owner("pos"),
        },
    )
    .unwrap();
    assert_eq!(
        h.input(
            70_002,
            Input::ClearSale {
                seq: 1,
                owner: owner("thief")
            }
        ),
        Err(Reject::NotSaleOwner(1))
    );
    h.input(
        70_003,
        Input::ClearSale {
            seq: 1,
            owner: owner("pos"),
        },
    )
    .unwrap();
    assert_eq!(
        h.input(
            70_004,
            Input::UnlockSale {
                seq: 1,
                owner: owner("pos")
            }
        ),
        Err(Reject::SaleStatus(1))
    );
    assert_eq!(h.fp.unpaid_sales(), 1);
    assert_eq!(h.fp.meters()["G95"].volume, Volume(2_000));
    // The unpaid_limit fault treats the buffer as full.
    h.input(70_005, Input::Fault(Fault::UnpaidLimit)).unwrap();
    h.take();
    h.input(70_006, auth("pos", Preset::default())).unwrap();
    assert!(matches!(
        h.take()[0].1,
        Output::AuthoriseRefused {
            reason: AuthoriseRefusal::UnpaidLimitReached,
            ..
        }
    ));
    h.input(70_007, Input::ClearFault(FaultKind::UnpaidLimit))
        .unwrap();
    h.input(70_008, auth("pos", Preset::default())).unwrap();
    assert_eq!(h.fp.state(), FpState::Authorised);
}

#[test]
fn calling_then_authorise_goes_straight_to_started_and_grades_are_checked() {
    let mut h = Harness::new(ationet());
    h.input(0, Input::NozzleLift { nozzle: 2 }).unwrap();
    assert_eq!(h.fp.state(), FpState::Calling);
    let only = |g: &str| {
        Input::Authorise(AuthoriseRequest {
            owner: owner("pos"),
            preset: Preset::default(),
            grades: Some(vec![g.into()]),
            lock_sale: false,
        })
    };
    h.input(1, only("3")).unwrap();
    h.input(2, only("99")).unwrap();
    assert_eq!(h.fp.state(), FpState::Calling);
    h.input(3, only("2")).unwrap();
    assert_eq!(h.fp.state(), FpState::Started);
    let reasons: Vec<_> = h
        .out
        .iter()
        .filter_map(|(_, o)| match o {
            Output::AuthoriseRefused { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        [
            AuthoriseRefusal::LiftedGradeNotAllowed,
            AuthoriseRefusal::GradeNotAvailable
        ]
    );
    // Started + hang: delivery_end with volume 0 and no sale.
    h.input(4, Input::NozzleHang).unwrap();
    let (_, o) = h.find(|o| matches!(o, Output::DeliveryEnd { .. })).unwrap();
    assert!(matches!(
        o,
        Output::DeliveryEnd {
            volume: Volume(0),
            sale: None,
            ..
        }
    ));
    assert_eq!(h.fp.state(), FpState::Idle);
    // Authorised + a disallowed nozzle: grade_not_allowed, stays Authorised.
    h.take();
    h.input(10, only("3")).unwrap();
    h.input(11, Input::NozzleLift { nozzle: 1 }).unwrap();
    assert!(h
        .find(|o| matches!(o, Output::GradeNotAllowed { nozzle: 1, .. }))
        .is_some());
    assert_eq!(h.fp.state(), FpState::Authorised);
    h.input(12, Input::NozzleHang).unwrap();
    h.input(13, Input::NozzleLift { nozzle: 3 }).unwrap();
    assert_eq!(h.fp.state(), FpState::Started);
}

#[test]
fn stuck_nozzle_is_ended_by_no_flow_timeout() {
    let mut h = Harness::new(eur_g95());
    h.input(0, Input::Fault(Fault::StuckNozzle)).unwrap();
    h.input(0, auth("pos", Preset::volume(Volume(1_000))))
        .unwrap();
    h.input(0, Input::NozzleLift { nozzle: 1 }).unwrap();
    h.run_until(20_000);
    let (t_lim, _) = h
        .find(|o| matches!(o, Output::LimitReached { .. }))
        .unwrap();
    h.input(t_lim + 1_000, Input::NozzleHang).unwrap();
    assert_eq!(h.fp.state(), FpState::Fuelling);
    h.run_until(t_lim + 60_000);
    assert_eq!(h.fp.state(), FpState::Idle);
    let (t, o) = h.find(|o| matches!(o, Output::DeliveryEnd { .. })).unwrap();
    assert_eq!(t, t_lim + 60_000);
    assert!(matches!(
        o,
        Output::DeliveryEnd {
            volume: Volume(1_000),
            reason: EndReason::NoFlowTimeout,
            ..
        }
    ));
}

#[test]
fn suspend_freezes_and_resume_restarts_the_ramp() {
    let mut h = Harness::new(eur_g95());
    h.input(0, auth("pos", Preset::default())).unwrap();
    h.input(0, Input::NozzleLift { nozzle: 1 }).unwrap();
    h.input(1_000, Input::Suspend).unwrap();
    assert_eq!(h.fp.state(), FpState::SuspendedStarted);
    h.input(2_000, Input::Resume).unwrap();
    h.run_until(4_000); // motor ready again at 4 s
    assert_eq!(h.fp.state(), FpState::Fuelling);
    h.input(6_000, Input::Suspend).unwrap();
    assert_eq!(h.fp.dispensed(Timestamp(6_000)), Some(Volume(583)));
    assert_eq!(h.fp.dispensed(Timestamp(30_000)), Some(Volume(583)));
    assert!(!h.fp.is_flowing());
    h.input(30_000, Input::Resume).unwrap();
    assert!(h.fp.is_flowing());
    // The ramp restarts: +583 ml after 2 s more.
    assert_eq!(h.fp.dispensed(Timestamp(32_000)), Some(Volume(1_166)));
    // Flow stall: frozen for 5 s, then a new ramp.
    h.input(
        32_000,
        Input::Fault(Fault::FlowStall {
            duration: Duration::from_secs(5),
        }),
    )
    .unwrap();
    assert!(h
        .find(|o| matches!(
            o,
            Output::FlowStalled {
                volume: Volume(1_166),
                until: Timestamp(37_000)
            }
        ))
        .is_some());
    assert_eq!(h.fp.dispensed(Timestamp(36_999)), Some(Volume(1_166)));
    h.run_until(39_000);
    assert_eq!(h.fp.dispensed(Timestamp(39_000)), Some(Volume(1_749)));
    h.input(39_000, Input::NozzleHang).unwrap();
    let (_, o) = h.find(|o| matches!(o, Output::DeliveryEnd { .. })).unwrap();
    assert!(matches!(
        o,
        Output::DeliveryEnd {
            volume: Volume(1_749),
            ..
        }
    ));
}

#[test]
fn refused_inputs_change_nothing() {
    let mut h = Harness::new(eur_g95());
    h.input(10, Input::Open).unwrap_err();
    assert_eq!(
        h.fp.handle_input(Timestamp(5), Input::Timeout),
        Err(Reject::TimeWentBackwards {
            now: Timestamp(5),
            last: Timestamp(10)
        })
    );
    assert_eq!(
        h.input(20, Input::NozzleLift { nozzle: 9 }),
        Err(Reject::UnknownNozzle(9))
    );
    assert_eq!(h.input(20, Input::NozzleHang), Err(Reject::NoNozzleLifted));
    assert_eq!(
        h.input(20, Input::Suspend),
        Err(Reject::NotInState {
            input: "suspend",
            state: FpState::Idle
        })
    );
    assert!(matches!(
        h.input(20, auth("pos", Preset::volume(Volume(0)))),
        Err(Reject::BadPreset(_))
    ));
    assert!(matches!(
        h.input(
            20,
            auth("pos", Preset::money(Money::from_minor(100, Currency::USD)))
        ),
        Err(Reject::BadPreset(_))
    ));
    assert_eq!(
        h.input(20, Input::Release { owner: owner("x") }),
        Err(Reject::NotReserved(owner("x")))
    );
    assert_eq!(
        h.input(
            20,
            Input::LockSale {
                seq: 1,
                owner: owner("x")
            }
        ),
        Err(Reject::UnknownSale(1))
    );
    assert!(h.out.is_empty());
    assert_eq!(h.fp.state(), FpState::Idle);
    // Close cancels an authorisation; a closed point refuses authorise with a reason.
    h.input(30, auth("pos", Preset::default())).unwrap();
    h.input(31, Input::Close).unwrap();
    assert!(h
        .find(|o| matches!(
            o,
            Output::AuthEnded {
                reason: AuthEnd::Closed,
                ..
            }
        ))
        .is_some());
    h.input(32, auth("pos", Preset::default())).unwrap();
    assert!(h
        .find(|o| matches!(
            o,
            Output::AuthoriseRefused {
                reason: AuthoriseRefusal::Closed,
                ..
            }
        ))
        .is_some());
}

#[test]
fn customer_fill_target_and_hang_up_spread_are_seeded() {
    let c = CustomerScript {
        lift_after: DurationSpec::new(5_000, 2_000),
        target: Target::Fill {
            tank: Volume(40_000),
            tolerance: Volume(10_000),
        },
        hang_up_after: DurationSpec::new(3_000, 1_000),
        ..CustomerScript::default()
    };
    let run = || {
        let mut h = Harness::new(with_customer(eur_g95(), c.clone()));
        h.input(0, auth("pos", Preset::default())).unwrap();
        h.run_until(10_000_000);
        h.out
    };
    let a = run();
    assert_eq!(a, run());
    let end = a.iter().find_map(|(_, o)| match o {
        Output::DeliveryEnd { volume, .. } => Some(volume.ml()),
        _ => None,
    });
    assert!(end.is_some_and(|v| (30_000..=50_000).contains(&v)));
}
