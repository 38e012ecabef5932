//! Integration tests: the real espeak-ng process (always; CI installs `espeak-ng`) and, with the
//! `piper` feature, the real Piper voice (fetched into `models/piper` by the CI step).

mod common;
mod espeak;
#[cfg(feature = "piper")]
mod piper;
