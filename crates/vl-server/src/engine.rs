//! The adapter between the connection task and the engine: the only file that knows the engine's
//! API and the dialect mapping.
//!
//! The engine speaks Voice Live; on an OpenAI GA connection, client JSON is mapped to Voice Live
//! before the engine sees it, and server events are mapped to GA names after it.

use std::collections::VecDeque;
use std::hash::{BuildHasher as _, Hasher as _};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use vl_engine::{Session, SessionConfig};

use crate::connection::{ConnectionContext, Dialect};

pub(crate) use vl_engine::{BackendOutput, BackendRequest};

/// The model a session reports when the URL names an agent instead of a model.
const AGENT_MODEL: &str = "agent";

/// One session, speaking the connection's dialect.
#[derive(Debug)]
pub(crate) struct Engine {
    session: Session,
    dialect: Dialect,
    /// Serialized events not yet taken (one engine event can be several GA events).
    outgoing: VecDeque<String>,
    /// The session's avatar peer handle (feature `avatar`).
    #[cfg(feature = "avatar")]
    avatar: Option<crate::avatar::SessionAvatar>,
    /// Its notices, until the connection loop takes them.
    #[cfg(feature = "avatar")]
    avatar_notices: AvatarNotices,
    /// Server events made here (for their ids).
    #[cfg(feature = "avatar")]
    avatar_events: u64,
}

/// The avatar thread's notices for one session (feature `avatar`).
#[cfg(feature = "avatar")]
pub(crate) type AvatarNotices = Option<tokio::sync::mpsc::UnboundedReceiver<AvatarNotice>>;
/// Without the feature there are none.
#[cfg(not(feature = "avatar"))]
pub(crate) type AvatarNotices = ();
/// A notice of the avatar thread.
#[cfg(feature = "avatar")]
pub(crate) type AvatarNotice = crate::avatar::Notice;
/// Without the feature there are none (the future never completes).
#[cfg(not(feature = "avatar"))]
pub(crate) type AvatarNotice = ();

/// The next avatar notice (pending forever when there is no avatar).
pub(crate) async fn avatar_notice(notices: &mut AvatarNotices) -> AvatarNotice {
    #[cfg(feature = "avatar")]
    if let Some(rx) = notices {
        if let Some(n) = rx.recv().await {
            return n;
        }
    }
    let _ = notices;
    std::future::pending().await
}

impl Engine {
    /// A new session; queues `session.created`.
    pub(crate) fn new(ctx: &ConnectionContext, now: Instant) -> Self {
        let limits = &ctx.limits;
        let mut engine_limits = vl_engine::Limits::default();
        engine_limits.max_append_audio_bytes = limits.max_audio_per_append;
        engine_limits.max_buffer_ms =
            u64::try_from(limits.max_uncommitted_audio.as_millis()).unwrap_or(u64::MAX);
        engine_limits.event_rate_per_s = limits.event_rate;
        engine_limits.event_burst = limits.event_burst;
        engine_limits.max_session_duration = limits.max_session_duration;
        engine_limits.session_expiry_warning = limits.session_expiry_warning;
        engine_limits.backend_first_output_timeout = limits.backend_first_output_timeout;
        engine_limits.backend_stall_timeout = limits.backend_stall_timeout;

        let model = ctx
            .params
            .model
            .clone()
            .unwrap_or_else(|| AGENT_MODEL.to_owned());
        let mut config = SessionConfig::new(model);
        config.limits = engine_limits;
        config.strict_fields = ctx.strict_fields;
        // Partial transcripts during speech when the recogniser can give them (whisper).
        config.streaming_transcription = ctx.backends.streams_transcription();
        config.id_seed = random_seed(ctx.id);
        #[cfg(feature = "deepfilter")]
        {
            config.deep_noise_suppressor = ctx.deep_ns.clone();
        }
        config.expires_at = limits.max_session_duration.and_then(|cap| {
            let end = SystemTime::now().checked_add(cap)?;
            let secs = end.duration_since(UNIX_EPOCH).ok()?.as_secs();
            i64::try_from(secs).ok()
        });
        #[cfg(feature = "avatar")]
        let (avatar, avatar_notices) = match &ctx.avatar {
            Some(hub) => {
                config.avatar_available = true;
                config.avatar_ice_servers = hub.ice_servers().to_vec();
                let (a, rx) = hub.session();
                (Some(a), Some(rx))
            }
            None => (None, None),
        };
        Self {
            session: Session::new(config, now),
            dialect: ctx.dialect,
            outgoing: VecDeque::new(),
            #[cfg(feature = "avatar")]
            avatar,
            #[cfg(feature = "avatar")]
            avatar_notices,
            #[cfg(feature = "avatar")]
            avatar_events: 0,
        }
    }

    /// A client message (text, or binary that is UTF-8).
    pub(crate) fn handle_client_text(&mut self, now: Instant, text: &str) {
        match self.dialect {
            Dialect::VoiceLive => self.session.handle_client_message(now, text),
            Dialect::OpenAiGa => {
                // Appends look the same in both dialects: skip the mapping on the hot path. Text
                // that is not JSON goes to the engine as is, which answers `invalid_json`.
                if vl_schema::parse_append_ref(text).is_ok() {
                    self.session.handle_client_message(now, text);
                    return;
                }
                match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(value) => {
                        let mapped = vl_schema::dialect::client_event_from_ga(value).to_string();
                        self.session.handle_client_message(now, &mapped);
                    }
                    Err(_) => self.session.handle_client_message(now, text),
                }
            }
        }
    }

    /// A binary client message that is not UTF-8: answered like malformed JSON.
    pub(crate) fn handle_not_utf8(&mut self, now: Instant) {
        // The engine answers any text that is not JSON with `invalid_json` (rate-limited like
        // every other client message); a lone U+FFFD stands for the undecodable bytes.
        self.session.handle_client_message(now, "\u{fffd}");
    }

    /// A backend output.
    pub(crate) fn handle_backend_output(&mut self, now: Instant, output: BackendOutput) {
        self.session.handle_backend_output(now, output);
    }

    /// The engine's deadline passed.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        self.session.handle_timeout(now);
    }

    /// When the engine next needs `handle_timeout`.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.session.poll_timeout()
    }

    /// Takes the avatar notices for the connection loop (see [`avatar_notice`]).
    #[cfg(feature = "avatar")]
    pub(crate) fn take_avatar_notices(&mut self) -> AvatarNotices {
        self.avatar_notices.take()
    }

    /// Without the feature there are no notices.
    #[cfg(not(feature = "avatar"))]
    pub(crate) fn take_avatar_notices(&mut self) -> AvatarNotices {}

    /// A notice of the avatar thread: queues the server event it stands for.
    pub(crate) fn handle_avatar_notice(&mut self, notice: AvatarNotice) {
        #[cfg(feature = "avatar")]
        if let Some(event) = self.avatar.as_mut().and_then(|a| a.on_notice(notice)) {
            self.queue_event(&event);
        }
        #[cfg(not(feature = "avatar"))]
        let _ = (&self, notice);
    }

    /// Serializes a server event made outside the engine in the connection's dialect.
    #[cfg(feature = "avatar")]
    fn queue_event(&mut self, event: &vl_schema::ServerEvent) {
        let mut event = event.clone();
        self.avatar_events += 1;
        event.set_event_id(Some(format!("event_avatar{}", self.avatar_events)));
        match self.dialect {
            Dialect::VoiceLive => self
                .outgoing
                .push_back(vl_schema::encode_server_event(&event)),
            Dialect::OpenAiGa => self
                .outgoing
                .extend(vl_schema::dialect::encode_server_event_in(
                    &event,
                    self.dialect,
                )),
        }
    }

    /// The next server event, serialized in the connection's dialect.
    pub(crate) fn poll_outgoing(&mut self) -> Option<String> {
        loop {
            if let Some(text) = self.outgoing.pop_front() {
                return Some(text);
            }
            #[cfg(feature = "avatar")]
            if let Some(avatar) = self.avatar.as_mut() {
                while let Some(connect) = self.session.poll_avatar_connect() {
                    avatar.connect(connect, self.session.effective_session());
                }
            }
            let event = self.session.poll_event()?;
            #[cfg(feature = "avatar")]
            if let Some(avatar) = self.avatar.as_mut() {
                if !avatar.observe(&event, self.session.client_visemes()) {
                    continue;
                }
            }
            match self.dialect {
                Dialect::VoiceLive => return Some(vl_schema::encode_server_event(&event)),
                Dialect::OpenAiGa => {
                    self.outgoing
                        .extend(vl_schema::dialect::encode_server_event_in(
                            &event,
                            self.dialect,
                        ))
                }
            }
        }
    }

    /// The next backend request.
    pub(crate) fn poll_backend_request(&mut self) -> Option<BackendRequest> {
        self.session.poll_backend_request()
    }

    /// The close the engine asks for.
    pub(crate) fn poll_close(&mut self) -> Option<(u16, String)> {
        self.session.poll_close().map(|c| (c.code, c.reason))
    }
}

/// A per-session random seed for the engine's id generator.
fn random_seed(conn: u64) -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(conn);
    if let Ok(d) = SystemTime::now().duration_since(UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    h.finish()
}
