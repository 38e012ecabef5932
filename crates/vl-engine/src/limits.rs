//! Per-session limits (reliability.md §2.1), all configurable; tests run with small overrides.

use std::time::Duration;

/// The limits one [`Session`](crate::Session) enforces on its client.
///
/// Every field has the default of reliability.md §2.1. A value of `0` for a count or a duration
/// never disables a limit unless the field's documentation says so.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest decoded audio payload of one `input_audio_buffer.append`, in bytes. Default
    /// 15 MiB (the documented cap). Above it: `error` `invalid_value` / `audio`.
    pub max_append_audio_bytes: usize,
    /// Most uncommitted input audio the buffer holds, in ms. Default 120 000 (120 s). An append
    /// that would exceed it is refused with `input_audio_buffer_full`.
    pub max_buffer_ms: u64,
    /// Least audio a manual `input_audio_buffer.commit` needs, in ms. Default 100. Less:
    /// `input_audio_buffer_commit_empty`.
    pub min_commit_ms: u64,
    /// Most conversation items a session holds. Default 4096. A client `conversation.item.create`
    /// beyond it is refused (`max_items_exceeded`); items the server creates itself evict the
    /// oldest items instead (each announced with `conversation.item.deleted`), so a long voice
    /// session never stalls and its history stays bounded.
    pub max_items: usize,
    /// Longest `instructions` (session, response or `additional_instructions`), in bytes. Default
    /// 256 KiB.
    pub max_instructions_bytes: usize,
    /// Longest client `event_id`, in characters. Default 512.
    pub max_event_id_chars: usize,
    /// Most tools in a session or response. Default 128.
    pub max_tools: usize,
    /// Sustained client event rate, in events per second. Default 200.
    pub event_rate_per_s: u32,
    /// Client event burst above the sustained rate, in events. Default 400.
    pub event_burst: u32,
    /// How long the client may stay over the rate before the connection is closed with 1008,
    /// in wall time. Default 10 s.
    pub rate_limit_close_after: Duration,
    /// Longest session, in wall time; `None` = no cap. Default 60 min. A `warning` comes
    /// [`session_expiry_warning`](Self::session_expiry_warning) before; at the cap an `error`
    /// `session_expired`, then close 1001.
    pub max_session_duration: Option<Duration>,
    /// How long before the session cap the `warning` comes, in wall time. Default 60 s.
    pub session_expiry_warning: Duration,
    /// Longest wait for a backend's first output after a request, in wall time. Default 15 s.
    /// Then the response fails with `backend_timeout`.
    pub backend_first_output_timeout: Duration,
    /// Longest gap between two outputs of a running backend request, in wall time. Default 10 s.
    pub backend_stall_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_append_audio_bytes: 15 * 1024 * 1024,
            max_buffer_ms: 120_000,
            min_commit_ms: 100,
            max_items: 4096,
            max_instructions_bytes: 256 * 1024,
            max_event_id_chars: 512,
            max_tools: 128,
            event_rate_per_s: 200,
            event_burst: 400,
            rate_limit_close_after: Duration::from_secs(10),
            max_session_duration: Some(Duration::from_secs(60 * 60)),
            session_expiry_warning: Duration::from_secs(60),
            backend_first_output_timeout: Duration::from_secs(15),
            backend_stall_timeout: Duration::from_secs(10),
        }
    }
}
