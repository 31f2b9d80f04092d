//! payrig-conformance: payrig conformance: cucumber worlds and steps, targets, reports.
