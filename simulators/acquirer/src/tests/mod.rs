//! Scenario tests of the machine; the harness lives here, the cases in the submodules.

mod fleet;
mod records;
use payrig_core::rng::stream_rng;
use payrig_core::{Currency, Machine, Money, Timestamp};

use crate::*;

pub(crate) const T0: u64 = 1_768_467_600_000; // 2026-01-15T09:00:00Z

pub(crate) struct H {
    pub(crate) acq: Acquirer,
    pub(crate) now: Timestamp,
    next: u64,
    pub(crate) out: Vec<(Timestamp, Output)>,
}

impl H {
    pub(crate) fn new(config: AcquirerConfig, seed: u64) -> H {
        H {
            acq: Acquirer::new(config, stream_rng(seed, "acquirer/main")),
            now: Timestamp(T0),
            next: 0,
            out: Vec::new(),
        }
    }

    pub(crate) fn builtin(name: &str) -> H {
        H::new(AcquirerConfig::builtin(name).unwrap(), 1)
    }

    fn drain(&mut self) {
        while let Some(o) = self.acq.poll_output() {
            self.out.push((self.now, o));
        }
    }

    pub(crate) fn send(&mut self, op: Operation) -> RequestId {
        self.next += 1;
        let id = RequestId(self.next);
        self.acq
            .handle_input(self.now, Input::Request(Request { id, op }))
            .unwrap();
        self.drain();
        id
    }

    /// Fires every deadline up to `now + ms`, then sets the clock there.
    pub(crate) fn advance(&mut self, ms: u64) {
        let end = Timestamp(self.now.0 + ms);
        while let Some(t) = self.acq.poll_timeout().filter(|t| *t <= end) {
            self.now = t.max(self.now);
            self.acq.handle_input(self.now, Input::Timeout).unwrap();
            self.drain();
        }
        self.now = end;
    }

    pub(crate) fn response(&self, id: RequestId) -> Option<(Timestamp, &Reply)> {
        self.out.iter().find_map(|(t, o)| match o {
            Output::Response(r) if r.id == id => Some((*t, &r.result)),
            _ => None,
        })
    }

    /// Sends and waits up to a minute for the answer.
    pub(crate) fn ask(&mut self, op: Operation) -> Reply {
        let id = self.send(op);
        self.advance(60_000);
        self.response(id).map(|(_, r)| r.clone()).unwrap()
    }
}

pub(crate) fn usd(minor: i64) -> Amount {
    Amount::money(Money::from_minor(minor, Currency::USD))
}

pub(crate) fn litres(ml: i64) -> Amount {
    Amount::units(ml, 3)
}

pub(crate) fn auth(kind: AuthKind, amount: Amount, card: Card, partial: bool) -> Operation {
    Operation::Authorise(Authorise {
        kind,
        terminal: "T1".into(),
        amount,
        card,
        pin_block: None,
        entry: Entry::Insert,
        allow_partial: partial,
    })
}

pub(crate) fn visa() -> Card {
    Card::Pan {
        pan: "4761730000000011".into(),
        expiry: Some("3112".into()),
    }
}

pub(crate) fn fleet(track: &str) -> Card {
    Card::Fleet(track.into())
}

pub(crate) fn auth_reply(r: &Reply) -> &AuthReply {
    match r {
        Reply::Authorisation(a) => a,
        other => panic!("not an authorisation: {other:?}"),
    }
}

pub(crate) fn record_reply(r: &Reply) -> &RecordReply {
    match r {
        Reply::Record(a) => a,
        other => panic!("not a record reply: {other:?}"),
    }
}

pub(crate) fn rrn_of(r: &Reply) -> Ref {
    Ref::Rrn(auth_reply(r).rrn.clone())
}
