//! The `payrig` command.

fn main() {}
