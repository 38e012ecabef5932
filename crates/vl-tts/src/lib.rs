//! Text to speech for the voice server (work in progress; see the crate README).
