//! Integration tests of vl-engine, driven without I/O by the scripted backend and a virtual
//! clock.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a missing field is a test failure"
)]

mod avatar;
mod bad_input;
mod dsp;
mod fillers;
mod formats;
mod harness;
mod items;
mod limits;
mod sequences;
mod session_update;
mod streaming;
