//! Integration tests of `vl-codec`: one binary, one module per part.

#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

mod base64;
mod data;
mod g711_vectors;
mod pcm16;
