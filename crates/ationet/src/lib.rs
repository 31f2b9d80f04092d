//! payrig-ationet: the ATIONet Fleet Mobile Payment API, pure.
//!
//! What it is: the wire types with the document's exact spellings ([`wire`]), the clean domain
//! types they convert into ([`domain`]), the per-transaction state machine with all 23 states
//! and every transition of the spec's section 4.2 ([`machine`]), the Cancel answers
//! ([`state::CancelCode`]) and the ATN requirement catalogue ([`requirements`]).
//!
//! What it is not: no HTTP, no clock, no randomness. The site system, pumps and PFEP live in
//! payrig-world and the simulator crates; the server turns HTTP into calls on the world.
//!
//! Driving loop: the world creates a [`machine::Transaction`] per accepted create, then feeds it
//! site and PFEP events and fires its deadline (`Input::Timeout` when `now >= poll_timeout()`),
//! draining `poll_output()` after each input and routing `ToSite`/`ToPfep` to the devices.

pub mod domain;
pub mod machine;
pub mod requirements;
pub mod rules;
pub mod state;
pub mod wire;

pub use domain::{CreateKind, CreateRequest, PresetUnit, Problem, ProblemCode};
pub use state::{CancelCode, StateId};
