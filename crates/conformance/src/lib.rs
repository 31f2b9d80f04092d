//! payrig-conformance: the certification layer.
//!
//! What it is: the cucumber worlds and steps that drive a protocol server through real sockets,
//! the targets (payrig's embedded reference server, or a remote URL), and the reports.
//!
//! What it is not: no protocol logic of its own; verdicts come from the feature files and from
//! the requirement catalogues of the protocol crates.

pub mod grading;
pub mod report;
pub mod results;
pub mod runner;
pub mod steps;
pub mod target;
pub mod tecs_world;
pub mod world;
