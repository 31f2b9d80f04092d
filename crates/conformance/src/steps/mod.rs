//! Step definitions, registered with cucumber through its `given`/`when`/`then` attributes.
//!
//! - [`ationet`]: configuration (`Given`), requests, pump and clock actions (`When`).
//! - [`ationet_checks`]: assertions on answers, states, the journal (`Then`).

pub mod ationet;
pub mod ationet_checks;
pub(crate) mod support;
