//! The transition helpers behind `FuelPoint::step` and `FuelPoint::fire`:
//! reservation, authorisation, nozzles, faults and the start and end of a delivery.

use payrig_core::{Duration, Timestamp, Volume};

use super::{reject, FuelPoint, Reservation, State, Step};
use crate::buffer::{BufferError, EndReason, Sale, SaleStatus};
use crate::config::Grade;
use crate::delivery::{Auth, Authorised, Delivery};
use crate::event::{
    AuthEnd, AuthoriseRefusal, AuthoriseRequest, DeauthoriseRefusal, Fault, Output, Reject,
    ReservationEnd, ReserveRefusal,
};
use crate::Owner;

impl FuelPoint {
    pub(super) fn buffer_result(
        &mut self,
        t: Timestamp,
        s: State,
        seq: u32,
        r: Result<(), BufferError>,
        ok: Output,
    ) -> Step {
        match r {
            Ok(()) => {
                self.emit(t, ok);
                (s, Ok(()))
            }
            Err(BufferError::UnknownSale) => (s, Err(Reject::UnknownSale(seq))),
            Err(BufferError::WrongStatus) => (s, Err(Reject::SaleStatus(seq))),
            Err(BufferError::WrongOwner) => (s, Err(Reject::NotSaleOwner(seq))),
        }
    }

    pub(super) fn reserve(&mut self, t: Timestamp, owner: Owner) {
        let other = |o: &Owner| *o != owner;
        let refusal = if self.faults.reserve_refused {
            Some(ReserveRefusal::Refused)
        } else if self.faults.reserved_by.as_ref().is_some_and(other)
            || self.reservation.as_ref().is_some_and(|r| other(&r.owner))
        {
            Some(ReserveRefusal::Busy)
        } else {
            None
        };
        match refusal {
            Some(reason) => self.emit(t, Output::ReserveRefused { owner, reason }),
            None => {
                // Free or ours: (re)start reserve_timeout.
                let expires_at = t + self.cfg.reserve_timeout;
                self.reservation = Some(Reservation {
                    owner: owner.clone(),
                    expires_at,
                });
                self.emit(t, Output::ReserveAccepted { owner, expires_at });
            }
        }
    }

    pub(super) fn end_reservation(&mut self, t: Timestamp, reason: ReservationEnd) {
        if let Some(r) = self.reservation.take() {
            self.emit(
                t,
                Output::ReservationEnded {
                    owner: r.owner,
                    reason,
                },
            );
        }
    }

    pub(super) fn recovered(&self) -> State {
        if self.cfg.open_on_recover {
            self.idle_or_calling()
        } else {
            State::Closed
        }
    }

    pub(super) fn authorise(&mut self, t: Timestamp, s: State, req: AuthoriseRequest) -> Step {
        if req.preset.volume == Some(Volume::ZERO) {
            return (s, Err(Reject::BadPreset("volume preset is zero")));
        }
        if let Some(m) = req.preset.money {
            if m.minor <= 0 {
                return (s, Err(Reject::BadPreset("money preset is not above zero")));
            }
            if Some(m.currency) != self.cfg.currency() {
                return (
                    s,
                    Err(Reject::BadPreset("money preset in another currency")),
                );
            }
        }
        if req.grades.as_ref().is_some_and(Vec::is_empty) {
            return (s, Err(Reject::BadPreset("no grade allowed")));
        }
        let auth = Auth {
            owner: req.owner,
            preset: req.preset,
            grades: req.grades,
            lock_sale: req.lock_sale,
        };
        let lifted = self.nozzle.and_then(|n| self.cfg.nozzle_grade(n));
        let other = |o: &Owner| *o != auth.owner;
        let reason = match &s {
            State::Inoperative { .. } => Some(AuthoriseRefusal::Offline),
            State::Closed => Some(AuthoriseRefusal::Closed),
            State::Idle | State::Calling => None,
            _ => Some(AuthoriseRefusal::Busy),
        }
        .or_else(|| {
            self.faults
                .authorise_refused
                .then_some(AuthoriseRefusal::Refused)
        })
        .or_else(|| {
            let by_other = self.faults.reserved_by.as_ref().is_some_and(other)
                || self.reservation.as_ref().is_some_and(|r| other(&r.owner));
            by_other.then_some(AuthoriseRefusal::ReservedByOther)
        })
        .or_else(|| {
            // ationet.md 4.3: "Product not available on fuel point".
            let any = self.cfg.grades.iter().any(|g| {
                auth.allows(&g.code) && self.cfg.nozzles.iter().any(|n| n.grade == g.code)
            });
            (!any).then_some(AuthoriseRefusal::GradeNotAvailable)
        })
        .or_else(|| {
            // simulators.md 3.5, SIM-P-03: authorise at the limit gets unpaid_limit_reached.
            let full = self.faults.unpaid_limit
                || self.buffer.unpaid()
                    >= usize::try_from(self.cfg.unpaid_limit).unwrap_or(usize::MAX);
            full.then_some(AuthoriseRefusal::UnpaidLimitReached)
        })
        .or_else(|| {
            let refused =
                matches!(s, State::Calling) && lifted.is_some_and(|g| !auth.allows(&g.code));
            refused.then_some(AuthoriseRefusal::LiftedGradeNotAllowed)
        });
        if let Some(reason) = reason {
            self.emit(
                t,
                Output::AuthoriseRefused {
                    owner: auth.owner,
                    reason,
                },
            );
            return (s, Ok(()));
        }
        self.reservation = None;
        self.emit(
            t,
            Output::Authorised {
                owner: auth.owner.clone(),
                preset: auth.preset,
                grades: auth.grades.clone(),
            },
        );
        match (s, self.nozzle) {
            (State::Calling, Some(n)) => match self.cfg.nozzle_grade(n).cloned() {
                Some(grade) => (self.start_delivery(t, auth, n, grade), Ok(())),
                None => (State::Calling, Ok(())),
            },
            _ => {
                let lift_at = match &self.cfg.customer {
                    Some(c) if !c.never_lift => Some(t + c.draw_lift_delay(&mut self.rng)),
                    _ => None,
                };
                let a = Authorised {
                    auth,
                    expires_at: self.cfg.auth_timeout.map(|d| t + d),
                    lift_at,
                    hang_at: None,
                };
                (State::Authorised(Box::new(a)), Ok(()))
            }
        }
    }

    pub(super) fn deauthorise(&mut self, t: Timestamp, s: State, owner: Owner) -> Step {
        let refuse = |fp: &mut Self, s: State, owner: Owner, reason| {
            fp.emit(t, Output::DeauthoriseRefused { owner, reason });
            (s, Ok(()))
        };
        match s {
            State::Authorised(a) if a.auth.owner == owner => {
                self.emit(
                    t,
                    Output::AuthEnded {
                        owner,
                        reason: AuthEnd::Deauthorised,
                    },
                );
                (self.idle_or_calling(), Ok(()))
            }
            State::Authorised(_) => refuse(self, s, owner, DeauthoriseRefusal::NotOwner),
            s => match s.delivery() {
                Some(d) if d.auth.owner != owner => {
                    refuse(self, s, owner, DeauthoriseRefusal::NotOwner)
                }
                // ationet.md T28: a deauthorise after the lift is refused, flow started.
                Some(_) => refuse(self, s, owner, DeauthoriseRefusal::FlowStarted),
                None => refuse(self, s, owner, DeauthoriseRefusal::NotAuthorised),
            },
        }
    }

    pub(super) fn lift(&mut self, t: Timestamp, s: State, nozzle: u8) -> Step {
        let Some(grade) = self.cfg.nozzle_grade(nozzle).cloned() else {
            return (s, Err(Reject::UnknownNozzle(nozzle)));
        };
        if let Some(n) = self.nozzle {
            return (s, Err(Reject::NozzleAlreadyLifted(n)));
        }
        let next = match s {
            s @ (State::Inoperative { .. } | State::Closed) => s,
            State::Idle => State::Calling,
            State::Authorised(a) if a.auth.allows(&grade.code) => {
                self.nozzle = Some(nozzle);
                self.emit(
                    t,
                    Output::NozzleLifted {
                        nozzle,
                        grade: grade.code.clone(),
                    },
                );
                return (self.start_delivery(t, a.auth, nozzle, grade), Ok(()));
            }
            State::Authorised(a) => {
                self.nozzle = Some(nozzle);
                self.emit(
                    t,
                    Output::NozzleLifted {
                        nozzle,
                        grade: grade.code.clone(),
                    },
                );
                self.emit(
                    t,
                    Output::GradeNotAllowed {
                        nozzle,
                        grade: grade.code,
                    },
                );
                return (State::Authorised(a), Ok(()));
            }
            // Unreachable while a nozzle is lifted in every other state; kept total.
            s => return reject(s, "nozzle_lift"),
        };
        self.nozzle = Some(nozzle);
        self.emit(
            t,
            Output::NozzleLifted {
                nozzle,
                grade: grade.code,
            },
        );
        (next, Ok(()))
    }

    pub(super) fn hang(&mut self, t: Timestamp, s: State) -> Step {
        let Some(nozzle) = self.nozzle else {
            return (s, Err(Reject::NoNozzleLifted));
        };
        if self.faults.stuck_nozzle
            && matches!(s, State::Fuelling { .. } | State::SuspendedFuelling { .. })
        {
            // simulators.md 3.4 stuck_nozzle: the hang-up is not seen; no_flow_timeout ends it.
            return (s, Ok(()));
        }
        let next = match s {
            State::Idle => return reject(s, "nozzle_hang"),
            s @ (State::Inoperative { .. } | State::Closed | State::Authorised(_)) => s,
            State::Calling => State::Idle,
            State::Started { d, .. }
            | State::SuspendedStarted { d }
            | State::Fuelling { d }
            | State::SuspendedFuelling { d } => {
                self.nozzle = None;
                self.emit(t, Output::NozzleHung { nozzle });
                self.finish(t, d, EndReason::HangUp);
                return (State::Idle, Ok(()));
            }
        };
        self.nozzle = None;
        self.emit(t, Output::NozzleHung { nozzle });
        (next, Ok(()))
    }

    pub(super) fn fault(&mut self, t: Timestamp, s: State, f: Fault) -> State {
        self.emit(t, Output::FaultRaised(f.clone()));
        match f {
            Fault::Offline { duration } => return self.go_offline(t, s, duration),
            Fault::OfflineAt { volume, duration } => {
                self.faults.offline_at = Some((volume, duration))
            }
            Fault::ReservedBy { owner } => self.faults.reserved_by = Some(owner),
            Fault::ReserveRefused => self.faults.reserve_refused = true,
            Fault::AuthoriseRefused => self.faults.authorise_refused = true,
            Fault::StuckNozzle => self.faults.stuck_nozzle = true,
            Fault::UnpaidLimit => self.faults.unpaid_limit = true,
            Fault::FlowStall { duration } => {
                if let State::Fuelling { mut d } = s {
                    if d.flowing() {
                        d.stop_flow(t, self.cfg.no_flow_timeout);
                        let until = t + duration;
                        d.stall_until = Some(until);
                        let volume = d.metered(t);
                        self.emit(t, Output::FlowStalled { volume, until });
                    }
                    return State::Fuelling { d };
                }
            }
        }
        s
    }

    pub(super) fn go_offline(&mut self, t: Timestamp, s: State, outage: Option<Duration>) -> State {
        match s {
            State::Authorised(a) => {
                self.emit(
                    t,
                    Output::AuthEnded {
                        owner: a.auth.owner,
                        reason: AuthEnd::Fault,
                    },
                );
            }
            State::Started { d, .. }
            | State::SuspendedStarted { d }
            | State::Fuelling { d }
            | State::SuspendedFuelling { d } => {
                // ationet.md 7: after a fault the site finalises what was metered.
                self.finish(t, d, EndReason::Fault);
            }
            _ => self.end_reservation(t, ReservationEnd::Fault),
        }
        State::Inoperative {
            recover_at: outage.map(|d| t + d),
        }
    }

    /// Authorised nozzle lifted: L is fixed here, once (simulators.md 3.2).
    pub(super) fn start_delivery(
        &mut self,
        t: Timestamp,
        auth: Auth,
        nozzle: u8,
        grade: Grade,
    ) -> State {
        let price = grade.price;
        let target = match &self.cfg.customer {
            Some(c) => c.draw_target(&mut self.rng, &price),
            None => None,
        };
        let limit = [
            auth.preset.volume,
            auth.preset.money.map(|m| price.volume_for_minor(m.minor)),
            target,
            Some(self.cfg.max_delivery),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(self.cfg.max_delivery);
        State::Started {
            d: Box::new(Delivery::new(auth, nozzle, grade, limit, t)),
            motor_ready_at: t + self.cfg.motor_start,
        }
    }

    /// Motor ready: Started -> Fuelling, flow begins (ATIONet BeginFueling).
    pub(super) fn begin_flow(&mut self, t: Timestamp, mut d: Box<Delivery>) -> State {
        self.emit(
            t,
            Output::FuellingStarted {
                owner: d.auth.owner.clone(),
                nozzle: d.nozzle,
                grade: d.grade.code.clone(),
                price: d.grade.price,
                limit: d.limit,
            },
        );
        d.start_flow(t, &self.profile, self.cfg.progress_interval);
        State::Fuelling { d }
    }

    /// Ends a delivery at `t` and buffers its sale when volume > 0 (simulators.md 3.5).
    pub(super) fn finish(&mut self, t: Timestamp, d: Box<Delivery>, reason: EndReason) {
        let d = *d;
        let volume = d.metered(t);
        let amount = d.grade.price.amount(volume);
        let sale = (volume > Volume::ZERO).then(|| {
            let status = if d.auth.lock_sale {
                SaleStatus::Locked(d.auth.owner.clone())
            } else {
                SaleStatus::Payable
            };
            Box::new(self.buffer.push(Sale {
                seq: 0,
                fp: self.cfg.fp,
                nozzle: d.nozzle,
                grade: d.grade.code.clone(),
                volume,
                price: d.grade.price,
                amount,
                owner: d.auth.owner.clone(),
                started_at: d.started_at,
                ended_at: t,
                end_reason: reason,
                status,
            }))
        });
        self.emit(
            t,
            Output::DeliveryEnd {
                owner: d.auth.owner,
                nozzle: d.nozzle,
                grade: d.grade.code,
                volume,
                amount,
                reason,
                sale,
            },
        );
    }

    pub(super) fn draw_hang_up_delay(&mut self) -> Duration {
        match &self.cfg.customer {
            Some(c) => c.draw_hang_up_delay(&mut self.rng),
            None => Duration::ZERO,
        }
    }
}
