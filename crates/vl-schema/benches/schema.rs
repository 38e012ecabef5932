//! Criterion benches of vl-schema (filled in below).

fn main() {}
