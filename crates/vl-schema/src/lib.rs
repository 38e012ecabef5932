//! Typed serde models of the Voice Live realtime API (version 2026-07-15).
//!
//! This crate is the only one in the workspace that knows JSON: every client and server event,
//! the session object in its request (patch) and response (effective) forms, validation of values
//! with the protocol's error codes, and the mapping between the Voice Live and OpenAI GA dialects.
