//! The sans-IO Voice Live session state machine.
//!
//! Client events and audio go in, server events and backend requests come out, and time is passed
//! in by the caller. No sockets, threads, clocks or async live here. The session lands with the
//! vl-engine issue; until then this crate only re-exports its dependencies' versions.
