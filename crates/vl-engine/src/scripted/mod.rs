//! The deterministic scripted backend used by all tests: LLM, TTS and ASR in one, synchronous.
//!
//! * LLM ([`llm`]): the reply to a user message is exactly `You said: <user text>`; with tools,
//!   a user text containing a tool's name calls that tool with arguments `{}`; after a
//!   `function_call_output` the reply is `The tool returned: <output>`.
//! * TTS ([`tts`]): audible synthetic speech-like audio whose length grows with the text, exact
//!   word timings and letter-derived visemes.
//! * ASR ([`asr`]): a transcript derived from the energy bursts of the audio.
//!
//! ```
//! use vl_engine::scripted::ScriptedBackend;
//! let mut backend = ScriptedBackend::new();
//! # let _ = &mut backend;
//! ```

pub mod asr;
pub mod llm;
pub mod tts;

use crate::backend::{BackendOutput, BackendRequest};

/// The scripted backend: answers every request at once, deterministically.
#[derive(Debug, Default, Clone)]
pub struct ScriptedBackend {
    handled: u64,
}

impl ScriptedBackend {
    /// A new backend.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers `request` with all its outputs, in order. [`BackendRequest::Cancel`] answers
    /// nothing.
    pub fn handle(&mut self, request: BackendRequest) -> Vec<BackendOutput> {
        self.handled += 1;
        match request {
            BackendRequest::Transcribe(r) => asr::transcribe(&r),
            BackendRequest::Generate(r) => llm::generate(&r),
            BackendRequest::Synthesize(r) => tts::synthesize(&r),
            BackendRequest::Cancel { .. } => Vec::new(),
        }
    }

    /// How many requests [`handle`](Self::handle) has seen.
    pub fn handled(&self) -> u64 {
        self.handled
    }
}
