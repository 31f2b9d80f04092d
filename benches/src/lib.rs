//! payrig-benches: shared helpers for the criterion benches and the load harness.
