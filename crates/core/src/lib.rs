//! payrig-core: the vocabulary every payrig crate shares.
//!
//! What it is: exact money ([`Money`], [`Currency`] with ISO 4217 exponents), volume in
//! millilitres ([`Volume`]), time as milliseconds ([`Timestamp`], [`Duration`]), exact decimals
//! for wire numbers ([`Decimal`]), the sans-IO [`Machine`] contract, seeded random streams
//! ([`rng`]), the requirement catalogue types ([`Requirement`]) and journal records
//! ([`journal::JournalEntry`]).
//!
//! What it is not: it does no IO, reads no clock and owns no global randomness. Nothing here
//! uses floating point for state.
//!
//! Driving loop of every machine built on this crate:
//!
//! ```text
//! loop {
//!     m.handle_input(now, input)?;            // or Input::Timeout when now >= poll_timeout()
//!     while let Some(out) = m.poll_output() { /* route out */ }
//!     next_wake = m.poll_timeout();
//! }
//! ```

pub mod chunked;
pub mod decimal;
pub mod grading;
pub mod journal;
pub mod machine;
pub mod money;
pub mod pan;
pub mod requirement;
pub mod rng;
pub mod time;
pub mod volume;

pub use decimal::{Decimal, DecimalError};
pub use machine::Machine;
pub use money::{Currency, Money, MoneyError};
pub use pan::MaskedPan;
pub use requirement::{Requirement, Side};
pub use time::{Duration, Timestamp};
pub use volume::{Volume, VolumeError};
