//! Step definitions, registered with cucumber through its `given`/`when`/`then` attributes.
//!
//! - [`ationet`]: configuration (`Given`), requests, pump and clock actions (`When`).
//! - [`ationet_checks`]: assertions on answers, states, the journal (`Then`).
//! - [`tecs`]: TECS configuration, customers, faults (`Given`), requests and the clock (`When`).
//! - [`tecs_checks`]: TECS assertions on answers, records, the acquirer (`Then`).

pub mod ationet;
pub mod ationet_checks;
pub(crate) mod support;
pub mod tecs;
pub mod tecs_checks;
