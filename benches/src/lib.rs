//! Cross-crate criterion benches live in `benches/benches/`; this library is empty.
