//! The transaction machine.
