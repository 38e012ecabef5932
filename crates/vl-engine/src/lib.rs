//! The sans-IO Voice Live session state machine.
//!
//! Client events and audio go in, server events and backend requests come out, and time is passed
//! in by the caller. No sockets, threads, clocks or async live here.
//!
//! # Driving a session
//!
//! One mutation, then drain (str0m's rule): after every `handle_*` call, drain
//! [`Session::poll_event`], [`Session::poll_backend_request`] and [`Session::poll_close`] (and
//! [`Session::poll_avatar_connect`] when the server runs avatars), and sleep until
//! [`Session::poll_timeout`]. A server's loop looks like this:
//!
//! ```text
//! loop {
//!     select! {
//!         msg = ws.next()            => session.handle_client_message(now, &msg),
//!         out = backends.recv()      => session.handle_backend_output(now, out),
//!         _ = sleep_until(deadline)  => session.handle_timeout(now),
//!     }
//!     while let Some(ev) = session.poll_event() { ws.send(encode_server_event(&ev)) }
//!     while let Some(req) = session.poll_backend_request() { backends.start(req) }
//!     if let Some(close) = session.poll_close() { ws.close(close.code, close.reason); break }
//!     deadline = session.poll_timeout();
//! }
//! ```
//!
//! The same loop with the [`scripted`] backend and a virtual clock, as the tests run it:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use vl_engine::{Session, SessionConfig, scripted::ScriptedBackend};
//!
//! let start = Instant::now();
//! let mut session = Session::new(SessionConfig::new("gpt-4o"), start);
//! let mut backend = ScriptedBackend::new();
//! let now = start + Duration::from_millis(10);
//! session.handle_client_message(now, r#"{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}}"#);
//! session.handle_client_message(now, r#"{"type":"response.create","response":{"modalities":["text"]}}"#);
//! let mut types = Vec::new();
//! loop {
//!     while let Some(ev) = session.poll_event() { types.push(ev.type_name()); }
//!     let Some(req) = session.poll_backend_request() else { break };
//!     for out in backend.handle(req) { session.handle_backend_output(now, out); }
//! }
//! assert_eq!(types.first(), Some(&"session.created"));
//! assert_eq!(types.last(), Some(&"response.done"));
//! ```
//!
//! # Behaviour choices
//!
//! Where protocol.md leaves room, the engine does this (each is pinned by a test):
//!
//! * User audio becomes an item at commit (manual or VAD), appended after the last item, so it
//!   always precedes its reply; its id is the one announced in `speech_started`.
//! * The order of a VAD turn is `speech_started`, `speech_stopped`, `committed`,
//!   `conversation.item.created` (transcript `null`), the transcription events, then the response.
//!   The service is cascaded, so speech recognition always runs and a response waits for
//!   pending transcripts before it asks the LLM. The transcription *events* are sent when the
//!   session sets `input_audio_transcription`, or by default for a cascaded model (protocol.md
//!   §4.1: Azure speech recognition is implicitly on); for a native audio model (a name with
//!   `realtime`) they are off by default, as in the service. A failure is always reported.
//! * With [`SessionConfig::streaming_transcription`] a VAD turn is streamed to the recogniser
//!   from `speech_started` on ([`backend`] module docs), and its partial
//!   `…transcription.delta`s are sent during speech, before `committed`, for the item id
//!   announced in `speech_started`; `…transcription.completed` still follows
//!   `conversation.item.created`.
//! * `output_item.added` carries the assistant message with status `in_progress`.
//! * Audio replies: transcript deltas are sent as the LLM streams; text is synthesized sentence by
//!   sentence (one synthesis in flight), audio deltas are at most 100 ms.
//! * `response.create` while a response is active is an error
//!   (`conversation_already_has_active_response`) unless it says `cancel_previous: true`.
//! * Truncation keeps exactly `audio_end_ms` of audio and the transcript up to the last word whose
//!   audio starts before `audio_end_ms`.
//! * Unknown fields give one `warning` (`unknown_parameter`) each; with
//!   [`SessionConfig::strict_fields`] the event is rejected with an `error` instead.
//! * `azure_semantic_vad*` and `semantic_vad` use vl-vad's semantic end of turn (EOU
//!   `threshold_level` / `timeout_ms`, `eagerness`), fed with the streaming partial transcript
//!   when [`SessionConfig::streaming_transcription`] is on; `speech_duration_assistant_speaking_ms`
//!   is the minimum speech that barges in while the assistant speaks.
//! * `remove_filler_words` (Azure semantic VADs; vl-vad's [`vl_vad::barge_in`] /
//!   [`vl_vad::ignore_turn`] rules and the session's `languages`): the acoustic events stay as
//!   they are — `speech_started` is sent at the onset (the client may duck its playback),
//!   `speech_stopped`, `committed`, `conversation.item.created` and the transcription events
//!   follow for the announced item id, and the item keeps its transcript (e.g. "mm-hm"). What
//!   the words decide is the *consequences*: while a response is active (or, with
//!   `auto_truncate`, its audio still playing) the cancellation and truncation that
//!   `interrupt_response` does at `speech_started` wait until the transcript is real speech
//!   of at least `speech_duration_assistant_speaking_ms` (with streaming recognition: the
//!   first partial that says so, often before `speech_stopped`; without it: the final
//!   transcript). A turn whose final transcript is only fillers ("um", "euh", "ähm", "嗯"), or
//!   only fillers / backchannels ("mm-hm", "uh-huh", "ajá") while a response was active or
//!   playing, creates no response and cancels none; an empty transcript (a failed
//!   recognition too) never barges in but is answered as before. With the flag off, speech
//!   barges in at `speech_started` as before.
//! * Echo cancellation and noise suppression run when the session enables them; the stages are
//!   built by [`SessionConfig::echo_canceller`] / [`SessionConfig::noise_suppressor`] (vl-dsp's
//!   by default, [`dsp`]). The echo canceller's far end is our own output audio.
//!
//! # Clocks
//!
//! Wall time is only ever an [`Instant`](std::time::Instant) passed in (timeouts, rate limit,
//! session cap, `auto_truncate`). Audio time (`audio_start_ms`, `audio_end_ms`) counts the
//! processed input samples since the session started.

mod audio;
pub mod backend;
mod conversation;
mod convert;
pub mod dsp;
pub mod errors;
mod ids;
mod input_audio;
pub mod limits;
mod output;
mod rate;
mod response;
pub mod scripted;
mod session;

pub use backend::{BackendOutput, BackendRequest, RequestId};
pub use limits::Limits;
pub use output::MAX_DELTA_MS;
pub use session::{AvatarConnect, Close, Session, SessionConfig};

/// The rate the input pipeline processes audio at (resampler output, DSP, VAD, ASR), in Hz.
pub const PROCESSING_RATE_HZ: u32 = 16_000;

#[cfg(test)]
mod tests {
    #[test]
    fn session_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<crate::Session>();
        assert_send::<crate::scripted::ScriptedBackend>();
    }
}
