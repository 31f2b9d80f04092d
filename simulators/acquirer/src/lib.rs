//! payrig-acquirer: the acquirer / payment-processor simulator, pure and seeded.
//!
//! What it is: a sans-IO model of an acquirer host (simulators spec section 4). It takes
//! authorisations, captures (fleet "completions"), reversals, refunds, inquiries, batch closes
//! and fleet prompt answers; chooses each outcome by overrides, the card's behaviour, the
//! profile's rules, seeded random faults, else approval (spec 4.2); answers after a sampled
//! latency; and keeps records whose money is conserved (SIM-A-01, SIM-A-02). Profiles are data
//! (TOML): `payrig` (magic amounts), `off` (always approve) and `ationet-default` (the ATIONet
//! PFEP of ationet spec 7) are built in, and a user's file can replace any of them.
//!
//! What it is not: no sockets, threads, sleeps, clocks or ambient randomness; no ISO 8583 wire
//! format (protocol crates map [`ResponseCode`]s to their own codes); no DUKPT decryption or
//! test-card tables (the card-reader crate plugs in through [`CardBehaviour`]).
//!
//! Driving loop (the [`Machine`](payrig_core::Machine) contract):
//!
//! ```
//! use payrig_acquirer::*;
//! use payrig_core::{rng::stream_rng, Currency, Machine, Money, Timestamp};
//!
//! let config = AcquirerConfig::builtin("payrig").unwrap();
//! let mut acq = Acquirer::new(config, stream_rng(42, "acquirer/main"));
//! let auth = Authorise {
//!     kind: AuthKind::Sale,
//!     terminal: "T1".into(),
//!     amount: Amount::money(Money::from_minor(1000, Currency::EUR)),
//!     card: Card::Pan { pan: "4761730000000011".into(), expiry: None },
//!     pin_block: None,
//!     entry: Entry::Insert,
//!     allow_partial: false,
//! };
//! let mut now = Timestamp(0);
//! acq.handle_input(now, Input::Request(Request { id: RequestId(1), op: Operation::Authorise(auth) }))
//!     .unwrap();
//! let mut answered = None;
//! loop {
//!     while let Some(out) = acq.poll_output() {
//!         if let Output::Response(r) = out { answered = Some(r); }
//!     }
//!     if answered.is_some() { break; }
//!     now = acq.poll_timeout().unwrap();   // virtual time: jump to the deadline
//!     acq.handle_input(now, Input::Timeout).unwrap();
//! }
//! let Reply::Authorisation(a) = answered.unwrap().result else { panic!() };
//! assert_eq!(a.code, ResponseCode::APPROVED);
//! ```

mod acquirer;
mod amount;
mod code;
mod config;
mod handlers;
mod ids;
mod ops;
mod outcome;
mod profile;
mod record;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

pub use acquirer::Acquirer;
pub use amount::{Amount, Ratio, Unit, MAX_UNITS_SCALE};
pub use code::{ResponseCode, TextStyle};
pub use config::{AcquirerConfig, AcquirerToml, ConfigError};
pub use ops::{
    AuthKind, AuthReply, Authorise, BatchReply, BatchTotals, Card, Entry, Event, Input, Operation,
    Output, RecordReply, Ref, Reject, Reply, Request, RequestId, Response, ReversalReason,
};
pub use outcome::{
    Answer, CardBehaviour, Grant, OpKind, Outcome, Override, OverrideMatch, OverrideToml,
    PromptRange, PromptRule,
};
pub use profile::{
    AuthCodeStyle, Latencies, LatencyToml, Profile, Rule, RuleMatch, BUILTIN_PROFILES,
};
pub use record::{Ledger, RecordKind, RecordState, RecordView};
