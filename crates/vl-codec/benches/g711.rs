//! G.711, PCM16 and base64 benches (placeholder while being written).
#![allow(missing_docs, reason = "bench binary")]
fn main() {}
