//! The deterministic scripted backend used by all tests: LLM, TTS and ASR in one, synchronous.
//!
//! * LLM ([`llm`]): the reply to a user message is exactly `You said: <user text>`; with tools,
//!   a user text containing a tool's name calls that tool with arguments `{}`; after a
//!   `function_call_output` the reply is `The tool returned: <output>`.
//! * TTS ([`tts`]): audible synthetic speech-like audio whose length grows with the text, exact
//!   word timings, letter-derived visemes and (when asked) 60 fps blendshapes moving `jawOpen`.
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

use std::collections::BTreeMap;

use crate::backend::{BackendOutput, BackendRequest, RequestId};

/// The scripted backend: answers every request at once, deterministically.
#[derive(Debug, Default, Clone)]
pub struct ScriptedBackend {
    handled: u64,
    /// Streaming recognitions in progress.
    streams: BTreeMap<RequestId, asr::Stream>,
}

impl ScriptedBackend {
    /// A new backend.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers `request` with all its outputs, in order. [`BackendRequest::Cancel`] answers
    /// nothing. Streaming recognition ([`BackendRequest::TranscribeStart`] …
    /// [`BackendRequest::TranscribeCommit`]) answers partial deltas as audio arrives and the
    /// final transcript at the commit ([`asr`]).
    pub fn handle(&mut self, request: BackendRequest) -> Vec<BackendOutput> {
        self.handled += 1;
        match request {
            BackendRequest::Transcribe(r) => asr::transcribe(&r),
            BackendRequest::TranscribeStart(r) => {
                self.streams
                    .insert(r.id, asr::Stream::new(r.sample_rate_hz));
                Vec::new()
            }
            BackendRequest::TranscribeAudio { id, samples } => match self.streams.get_mut(&id) {
                Some(stream) => stream.push(id, &samples),
                None => Vec::new(),
            },
            BackendRequest::TranscribeCommit { id } => match self.streams.remove(&id) {
                Some(stream) => stream.finish(id),
                None => Vec::new(),
            },
            BackendRequest::Generate(r) => llm::generate(&r),
            BackendRequest::Synthesize(r) => tts::synthesize(&r),
            BackendRequest::Cancel { id } => {
                self.streams.remove(&id);
                Vec::new()
            }
        }
    }

    /// Streaming recognitions started and neither committed nor cancelled yet.
    pub fn open_streams(&self) -> usize {
        self.streams.len()
    }

    /// How many requests [`handle`](Self::handle) has seen.
    pub fn handled(&self) -> u64 {
        self.handled
    }
}
