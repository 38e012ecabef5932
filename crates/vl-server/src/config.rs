//! Command-line flags, the TOML config file and `VL_*` environment variables, resolved into one
//! [`Config`].
//!
//! Precedence, highest first: a flag on the command line, its `VL_*` environment variable, the key
//! of the same name (with `_` for `-`) in the `--config` file, the built-in default. The defaults of
//! the limits are those of reliability.md §2.1, except where decisions.md chose otherwise (the
//! inbound message limit is 21 MiB).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use serde::Deserialize;

use crate::auth::{ApiKey, KeyQuota};
use crate::backends::config::{
    AsrKind, BackendArgs, BackendsConfig, FileBackends, LlmKind, TtsKind,
};
use crate::jwt::JwtConfig;
use crate::tls::TlsConfig;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * 1024;

/// The command line of `vl-server`.
///
/// Sizes accept a plain byte count or a unit (`4KiB`, `21MiB`, `1GiB`); durations accept a plain
/// number of seconds or a unit (`500ms`, `3s`, `60m`, `1h`). Every flag can also be set through the
/// environment variable shown, or as a key in the `--config` TOML file.
#[derive(Debug, Parser)]
#[command(
    name = "vl-server",
    version,
    about = "Self-hosted Azure Voice Live realtime server",
    long_about = "Self-hosted Azure Voice Live realtime server.\n\n\
        Routes: GET /healthz (200 when ready, 503 while draining); GET / the browser console \
        (off with --no-console); WebSocket on any path ending in \
        /voice-live/realtime or /voice-agent/realtime (Voice Live dialect) and on /v1/realtime \
        (OpenAI GA dialect).\n\n\
        Sizes accept a byte count or a unit (4KiB, 21MiB); durations accept seconds or a unit \
        (500ms, 3s, 60m). Precedence: flag, then environment variable, then --config file, then \
        the default."
)]
pub struct Cli {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "VL_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Backend that answers the sessions [default: scripted]
    #[arg(long, env = "VL_BACKEND", value_enum, value_name = "NAME")]
    pub backend: Option<BackendKind>,

    /// Require this key: each request must carry it as the `api-key` header, the `api-key` query
    /// parameter or `Authorization: Bearer <key>`, else HTTP 401. Prefer VL_API_KEY or the config
    /// file over the command line, where other users can see it [default: no authentication]
    #[arg(long, env = "VL_API_KEY", value_name = "KEY", hide_env_values = true)]
    pub api_key: Option<String>,

    /// TOML file with any of these settings (keys as the long flags, `_` or `-`)
    #[arg(long, env = "VL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log output format; the level is set by RUST_LOG (default `info`) [default: text]
    #[arg(long, env = "VL_LOG_FORMAT", value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,

    /// The limits.
    #[command(flatten)]
    pub limits: LimitArgs,

    /// The backend slots (ASR, LLM, TTS).
    #[command(flatten)]
    pub backends: BackendArgs,

    /// The avatar flags (feature `avatar`).
    #[cfg(feature = "avatar")]
    #[command(flatten)]
    pub avatar: crate::avatar::AvatarArgs,

    /// The deep noise suppression flags (feature `deepfilter`).
    #[cfg(feature = "deepfilter")]
    #[command(flatten)]
    pub deep_ns: crate::deep_ns::DeepNsArgs,
}

/// The limit flags, each optional so the config file can supply it.
#[derive(Debug, Default, clap::Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitArgs {
    /// Largest inbound WebSocket message or frame; larger ones close the connection with 1009
    /// [default: 21MiB]
    #[arg(long, env = "VL_MAX_MESSAGE_SIZE", value_name = "SIZE", value_parser = parse_size)]
    #[serde(default, deserialize_with = "de_size")]
    pub max_message_size: Option<u64>,

    /// Bytes of inbound messages that all connections together may hold at once; a message larger
    /// than the whole budget closes its connection with 1009, otherwise readers wait for room
    /// [default: 256MiB]
    #[arg(long, env = "VL_INBOUND_MEMORY_BUDGET", value_name = "SIZE", value_parser = parse_size)]
    #[serde(default, deserialize_with = "de_size")]
    pub inbound_memory_budget: Option<u64>,

    /// Most decoded audio accepted in one `input_audio_buffer.append`; more is an `error` event
    /// with code `invalid_value` [default: 15MiB]
    #[arg(long, env = "VL_MAX_AUDIO_PER_APPEND", value_name = "SIZE", value_parser = parse_size)]
    #[serde(default, deserialize_with = "de_size")]
    pub max_audio_per_append: Option<u64>,

    /// Most uncommitted input audio per session; an append beyond it is refused with an `error`
    /// event, code `input_audio_buffer_full` [default: 120s]
    #[arg(long, env = "VL_MAX_UNCOMMITTED_AUDIO", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub max_uncommitted_audio: Option<Duration>,

    /// Sustained client events per second per connection; events over the rate are dropped with
    /// a `rate_limit_exceeded` error (at most one a second), and 10 s over it closes with 1008
    /// [default: 200]
    #[arg(long, env = "VL_EVENT_RATE", value_name = "N")]
    #[serde(default)]
    pub event_rate: Option<u32>,

    /// Burst of client events allowed above the sustained rate [default: 400]
    #[arg(long, env = "VL_EVENT_BURST", value_name = "N")]
    #[serde(default)]
    pub event_burst: Option<u32>,

    /// Longest session; a `warning` is sent --session-expiry-warning before, then an `error`
    /// `session_expired` and close 1001 `session_expired`; 0 disables the cap [default: 60m]
    #[arg(long, env = "VL_MAX_SESSION_DURATION", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub max_session_duration: Option<Duration>,

    /// How long before the session cap the `warning` event is sent [default: 60s]
    #[arg(long, env = "VL_SESSION_EXPIRY_WARNING", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub session_expiry_warning: Option<Duration>,

    /// Capacity, in events, of each connection's outbound queue [default: 256]
    #[arg(long, env = "VL_OUTBOUND_QUEUE", value_name = "N")]
    #[serde(default)]
    pub outbound_queue: Option<usize>,

    /// Capacity, in messages, of each connection's inbound queue [default: 64]
    #[arg(long, env = "VL_INBOUND_QUEUE", value_name = "N")]
    #[serde(default)]
    pub inbound_queue: Option<usize>,

    /// How long a client may leave the outbound queue full (or a write pending) before the
    /// connection is closed with 1008 `slow_consumer` [default: 10s]
    #[arg(long, env = "VL_WRITE_DEADLINE", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub write_deadline: Option<Duration>,

    /// Server ping interval; 0 disables server pings [default: 20s]
    #[arg(long, env = "VL_PING_INTERVAL", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub ping_interval: Option<Duration>,

    /// Close a connection from which no frame of any kind arrived for this long; 0 disables
    /// [default: 60s]
    #[arg(long, env = "VL_LIVENESS_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub liveness_timeout: Option<Duration>,

    /// Most concurrent sessions in the process; above it upgrades get HTTP 503; 0 means no cap
    /// [default: 0]
    #[arg(long, env = "VL_MAX_SESSIONS", value_name = "N")]
    #[serde(default)]
    pub max_sessions: Option<usize>,

    /// After SIGTERM/SIGINT, how long live sessions may go on before they get close 1001
    /// [default: 0s]
    #[arg(long, env = "VL_DRAIN_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub drain_timeout: Option<Duration>,

    /// After the close frames are sent, how long to wait for sessions to finish before exiting
    /// anyway [default: 5s]
    #[arg(long, env = "VL_SHUTDOWN_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub shutdown_timeout: Option<Duration>,

    /// Longest wait for a backend's first output (transcript, text, audio) after a request before
    /// the response fails with `backend_timeout`; raise it for slow CPUs or large models
    /// [default: 15s]
    #[arg(long, env = "VL_BACKEND_FIRST_OUTPUT_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub backend_first_output_timeout: Option<Duration>,

    /// Longest gap between two outputs of a running backend request before it fails with
    /// `backend_timeout` [default: 10s]
    #[arg(long, env = "VL_BACKEND_STALL_TIMEOUT", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub backend_stall_timeout: Option<Duration>,

    /// New connections per minute per API key; more get HTTP 429 with Retry-After; 0 disables.
    /// Only applies when keys are configured [default: 30]
    #[arg(long, env = "VL_KEY_CONNECTION_RATE", value_name = "N")]
    #[serde(default)]
    pub key_connection_rate: Option<u32>,

    /// Concurrent sessions per API key; more get HTTP 429 with Retry-After; 0 means no cap
    /// [default: 0]
    #[arg(long, env = "VL_MAX_SESSIONS_PER_KEY", value_name = "N")]
    #[serde(default)]
    pub max_sessions_per_key: Option<usize>,

    /// Failed authentications per client IP per minute; past them every attempt from that IP
    /// gets HTTP 429 with Retry-After until the rate allows again; 0 disables [default: 20]
    #[arg(long, env = "VL_AUTH_FAILURES_PER_MINUTE", value_name = "N")]
    #[serde(default)]
    pub auth_failures_per_minute: Option<u32>,

    /// Browser origins allowed to connect, comma-separated (e.g. `https://app.example.com`); a
    /// request whose Origin header is not listed gets HTTP 403; requests without Origin are
    /// not affected [default: any origin]
    #[arg(
        long,
        env = "VL_ALLOWED_ORIGINS",
        value_name = "ORIGINS",
        value_delimiter = ','
    )]
    #[serde(default)]
    pub allowed_origins: Option<Vec<String>>,

    /// Named API keys, `NAME=KEY` comma-separated; prefer the environment variable. In the
    /// config file, `[[keys]]` tables with `name`, `key` or `sha256` (hex digest), and the
    /// optional quotas `connections_per_minute` and `max_sessions` [default: none]
    #[arg(
        long,
        env = "VL_API_KEYS",
        value_name = "NAME=KEY,...",
        hide_env_values = true
    )]
    #[serde(skip)]
    pub api_keys: Option<SecretString>,

    /// HMAC secret that Bearer JWTs are signed with (HS256/384/512); prefer the environment
    /// variable or the config file. Give one of --jwt-secret, --jwt-public-key and --jwt-jwks to
    /// accept JWTs in `Authorization: Bearer` (header or query) [default: no JWT validation]
    #[arg(
        long,
        env = "VL_JWT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    #[serde(default)]
    pub jwt_secret: Option<SecretString>,

    /// PEM file with the RSA, EC or Ed25519 public key that Bearer JWTs are signed with
    /// [default: none]
    #[arg(long, env = "VL_JWT_PUBLIC_KEY", value_name = "FILE")]
    #[serde(default)]
    pub jwt_public_key: Option<PathBuf>,

    /// JWKS file (`{"keys":[...]}`, e.g. a copy of Entra ID's `discovery/v2.0/keys`); the token's
    /// `kid` picks the key, and an unknown `kid` re-reads the file at most once a minute
    /// [default: none]
    #[arg(long, env = "VL_JWT_JWKS", value_name = "FILE")]
    #[serde(default)]
    pub jwt_jwks: Option<PathBuf>,

    /// Accepted JWT algorithms, comma-separated (`RS256,ES256`); never taken from the token
    /// [default: HS256 with --jwt-secret, RS256 otherwise]
    #[arg(
        long,
        env = "VL_JWT_ALGORITHMS",
        value_name = "ALGS",
        value_delimiter = ','
    )]
    #[serde(default)]
    pub jwt_algorithms: Option<Vec<String>>,

    /// Accepted JWT `aud` values, comma-separated; the claim is then required (Entra:
    /// `https://ai.azure.com`, `https://cognitiveservices.azure.com`) [default: not checked]
    #[arg(
        long,
        env = "VL_JWT_AUDIENCE",
        value_name = "AUDS",
        value_delimiter = ','
    )]
    #[serde(default)]
    pub jwt_audience: Option<Vec<String>>,

    /// Accepted JWT `iss` values, comma-separated; the claim is then required (Entra:
    /// `https://login.microsoftonline.com/<tenant>/v2.0`) [default: not checked]
    #[arg(
        long,
        env = "VL_JWT_ISSUER",
        value_name = "ISSS",
        value_delimiter = ','
    )]
    #[serde(default)]
    pub jwt_issuer: Option<Vec<String>>,

    /// Clock-skew leeway for the JWT `exp` and `nbf` checks, at most 60s [default: 60s]
    #[arg(long, env = "VL_JWT_LEEWAY", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub jwt_leeway: Option<Duration>,

    /// PEM certificate chain: serve TLS (wss://, https://) with rustls, TLS 1.2 and 1.3, ALPN
    /// http/1.1; needs --tls-key [default: plain TCP]
    #[arg(long, env = "VL_TLS_CERT", value_name = "FILE", requires = "tls_key")]
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key (PKCS#8, PKCS#1 or SEC1) of --tls-cert
    #[arg(long, env = "VL_TLS_KEY", value_name = "FILE", requires = "tls_cert")]
    #[serde(default)]
    pub tls_key: Option<PathBuf>,

    /// The `[[keys]]` of the config file.
    #[arg(skip)]
    #[serde(default)]
    pub keys: Vec<KeyEntry>,

    /// Turn unknown fields in client events into `error` events instead of `warning` events
    /// [default: false]
    #[arg(long, env = "VL_STRICT_FIELDS", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    #[serde(default)]
    pub strict_fields: Option<bool>,

    /// Do not serve the browser console at `/` (console/README.md) [default: false, the console
    /// is served]
    #[arg(long, env = "VL_NO_CONSOLE", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    #[serde(default)]
    pub no_console: Option<bool>,

    /// Serve a WebSocket echo endpoint at this path (e.g. `/echo`) for conformance tests such
    /// as Autobahn (tests/autobahn): every text or binary message comes back unchanged, behind
    /// the sessions' WebSocket settings (--max-message-size, read and write buffers). It has
    /// no authentication and no session, so never enable it in production [default: off]
    #[arg(long, env = "VL_WEBSOCKET_ECHO_PATH", value_name = "PATH")]
    #[serde(default)]
    pub websocket_echo_path: Option<String>,

    /// Redis for global per-key quotas shared by all servers using it (`redis://host:6379/0`;
    /// build with `--features redis`): the new-connection rate is a fixed window per key per
    /// minute, concurrent sessions are leases with a heartbeat, released on close; prefer the
    /// environment variable when the URL holds a password [default: local limits only]
    #[arg(long, env = "VL_REDIS_URL", value_name = "URL", hide_env_values = true)]
    #[serde(default)]
    pub redis_url: Option<SecretString>,

    /// When Redis does not answer (500 ms), refuse new sessions with HTTP 503 instead of
    /// falling back to this server's local limits [default: false, fail-open]
    #[arg(long, env = "VL_REDIS_FAIL_CLOSED", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    #[serde(default)]
    pub redis_fail_closed: Option<bool>,

    /// How long a session's Redis concurrency lease lives without a heartbeat (one every third
    /// of it); the leases of a server that dies expire after it [default: 30s]
    #[arg(long, env = "VL_REDIS_LEASE_TTL", value_name = "DURATION", value_parser = parse_duration)]
    #[serde(default, deserialize_with = "de_duration")]
    pub redis_lease_ttl: Option<Duration>,
}

/// A secret given as a flag, environment variable or config key; `Debug` never shows it.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretString(pub String);

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for SecretString {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// One `[[keys]]` table of the config file.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// The key's name (in logs and quotas).
    pub name: String,
    /// The key itself.
    #[serde(default)]
    pub key: Option<String>,
    /// Or the hex SHA-256 digest of the key.
    #[serde(default)]
    pub sha256: Option<String>,
    /// New connections per minute (overrides --key-connection-rate).
    #[serde(default)]
    pub connections_per_minute: Option<u32>,
    /// Concurrent sessions (overrides --max-sessions-per-key).
    #[serde(default)]
    pub max_sessions: Option<usize>,
}

impl fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyEntry")
            .field("name", &self.name)
            .field("connections_per_minute", &self.connections_per_minute)
            .field("max_sessions", &self.max_sessions)
            .finish_non_exhaustive()
    }
}

impl KeyEntry {
    fn to_key(&self) -> anyhow::Result<ApiKey> {
        let quota = KeyQuota {
            connections_per_minute: self.connections_per_minute,
            max_sessions: self.max_sessions,
        };
        match (&self.key, &self.sha256) {
            (Some(k), None) if !k.is_empty() => Ok(ApiKey::named(&self.name, k, quota)),
            (None, Some(h)) => {
                ApiKey::from_sha256_hex(&self.name, h, quota).map_err(anyhow::Error::msg)
            }
            _ => anyhow::bail!(
                "key `{}`: give exactly one of `key` and `sha256`",
                self.name
            ),
        }
    }
}

/// Parses `NAME=KEY,NAME=KEY`.
fn parse_api_keys(text: &str) -> anyhow::Result<Vec<ApiKey>> {
    text.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (name, key) = pair
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--api-keys: expected NAME=KEY pairs"))?;
            if name.trim().is_empty() || key.is_empty() {
                anyhow::bail!("--api-keys: empty name or key");
            }
            Ok(ApiKey::named(name.trim(), key, KeyQuota::default()))
        })
        .collect()
}

/// The config file: the same keys as the flags (`-` and `_` both accepted).
#[derive(Debug, Default)]
struct FileConfig {
    listen: Option<SocketAddr>,
    backend: Option<BackendKind>,
    api_key: Option<String>,
    log_format: Option<LogFormat>,
    limits: LimitArgs,
    backends: FileBackends,
}

/// The keys of the config file that are not limits.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTop {
    #[serde(default)]
    listen: Option<SocketAddr>,
    #[serde(default)]
    backend: Option<BackendKind>,
    #[serde(default)]
    api_key: Option<String>,
    #[serde(default)]
    log_format: Option<LogFormat>,
}

/// Which backend answers the sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// The deterministic scripted backend of vl-engine (replies `You said: ...`).
    #[default]
    Scripted,
    /// The offline stack: `--asr whisper --llm embedded --tts piper` (build with
    /// `--features embedded`; models from `scripts/run-embedded.sh`).
    Embedded,
}

impl BackendKind {
    /// The slot kinds this shortcut stands for.
    fn slots(self) -> (AsrKind, LlmKind, TtsKind) {
        match self {
            Self::Scripted => (AsrKind::Scripted, LlmKind::Scripted, TtsKind::Scripted),
            Self::Embedded => (AsrKind::Whisper, LlmKind::Embedded, TtsKind::Piper),
        }
    }
}

/// The log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The server's limits, resolved (reliability.md §2.1 defaults unless noted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest inbound message (and frame), in bytes.
    pub max_message_size: usize,
    /// Process-wide budget of bytes held by inbound messages.
    pub inbound_memory_budget: usize,
    /// Most decoded audio bytes per `input_audio_buffer.append`.
    pub max_audio_per_append: usize,
    /// Most uncommitted input audio per session.
    pub max_uncommitted_audio: Duration,
    /// Sustained client events per second per connection.
    pub event_rate: u32,
    /// Burst of client events above the sustained rate.
    pub event_burst: u32,
    /// Session duration cap; `None` means no cap.
    pub max_session_duration: Option<Duration>,
    /// How long before the cap the warning is sent.
    pub session_expiry_warning: Duration,
    /// Outbound queue capacity, in events.
    pub outbound_queue: usize,
    /// Inbound queue capacity, in messages.
    pub inbound_queue: usize,
    /// Write deadline for slow consumers.
    pub write_deadline: Duration,
    /// Server ping interval; `None` disables pings.
    pub ping_interval: Option<Duration>,
    /// Liveness timeout; `None` disables it.
    pub liveness_timeout: Option<Duration>,
    /// Most concurrent sessions; `None` means no cap.
    pub max_sessions: Option<usize>,
    /// How long sessions may go on after a shutdown signal.
    pub drain_timeout: Duration,
    /// How long to wait for sessions to finish after their close frames.
    pub shutdown_timeout: Duration,
    /// Longest wait for a backend's first output after a request.
    pub backend_first_output_timeout: Duration,
    /// Longest gap between two outputs of a running backend request.
    pub backend_stall_timeout: Duration,
    /// New connections per minute per key; `None`: off.
    pub key_connection_rate: Option<u32>,
    /// Concurrent sessions per key; `None`: no cap.
    pub max_sessions_per_key: Option<usize>,
    /// Failed authentications per IP per minute before 429; `None`: off.
    pub auth_failures_per_minute: Option<u32>,
    /// Allowed `Origin` values; empty: any.
    pub allowed_origins: Vec<String>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_size: (21 * MIB) as usize,
            inbound_memory_budget: (256 * MIB) as usize,
            max_audio_per_append: (15 * MIB) as usize,
            max_uncommitted_audio: Duration::from_secs(120),
            event_rate: 200,
            event_burst: 400,
            max_session_duration: Some(Duration::from_secs(60 * 60)),
            session_expiry_warning: Duration::from_secs(60),
            outbound_queue: 256,
            inbound_queue: 64,
            write_deadline: Duration::from_secs(10),
            ping_interval: Some(Duration::from_secs(20)),
            liveness_timeout: Some(Duration::from_secs(60)),
            max_sessions: None,
            drain_timeout: Duration::ZERO,
            shutdown_timeout: Duration::from_secs(5),
            backend_first_output_timeout: Duration::from_secs(15),
            backend_stall_timeout: Duration::from_secs(10),
            key_connection_rate: Some(30),
            max_sessions_per_key: None,
            auth_failures_per_minute: Some(20),
            allowed_origins: Vec::new(),
        }
    }
}

/// The resolved configuration of the server.
#[derive(Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The backend shortcut given (the slots below are what counts).
    pub backend: BackendKind,
    /// The backend slots.
    pub backends: BackendsConfig,
    /// The required API key, if any.
    pub api_key: Option<ApiKey>,
    /// Log output format.
    pub log_format: LogFormat,
    /// Limits.
    pub limits: Limits,
    /// Unknown fields are errors instead of warnings.
    pub strict_fields: bool,
    /// Serve the browser console at `/` (off with `--no-console`).
    pub console: bool,
    /// Named keys (from `--api-keys` and `[[keys]]`), besides `api_key`.
    pub keys: Vec<ApiKey>,
    /// Bearer JWT validation, if configured.
    pub jwt: Option<JwtConfig>,
    /// TLS termination, if configured.
    pub tls: Option<TlsConfig>,
    /// Path of the WebSocket echo endpoint for conformance tests (`--websocket-echo-path`);
    /// `None` (the default) serves none.
    pub websocket_echo_path: Option<String>,
    /// Global per-key quotas in Redis (`--redis-url`), if configured.
    pub redis: Option<crate::quota::RedisConfig>,
    /// Avatar WebRTC settings (feature `avatar`).
    #[cfg(feature = "avatar")]
    pub avatar: crate::avatar::AvatarSettings,
    /// Deep noise suppression paths (feature `deepfilter`).
    #[cfg(feature = "deepfilter")]
    pub deep_ns: crate::deep_ns::DeepNsArgs,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("backend", &self.backend)
            .field("backends", &self.backends)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("log_format", &self.log_format)
            .field("limits", &self.limits)
            .field("strict_fields", &self.strict_fields)
            .field("console", &self.console)
            .field("keys", &self.keys)
            .field("jwt", &self.jwt)
            .field("tls", &self.tls)
            .field("websocket_echo_path", &self.websocket_echo_path)
            .field("redis", &self.redis)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            backend: BackendKind::Scripted,
            backends: BackendsConfig::default(),
            api_key: None,
            log_format: LogFormat::Text,
            limits: Limits::default(),
            strict_fields: false,
            console: true,
            keys: Vec::new(),
            jwt: None,
            tls: None,
            websocket_echo_path: None,
            redis: None,
            #[cfg(feature = "avatar")]
            avatar: crate::avatar::AvatarSettings::default(),
            #[cfg(feature = "deepfilter")]
            deep_ns: crate::deep_ns::DeepNsArgs::default(),
        }
    }
}

impl Config {
    /// Resolves the command line (with its environment variables) and the config file it names.
    ///
    /// # Errors
    ///
    /// The config file cannot be read or parsed, or a value is out of range.
    pub fn from_cli(cli: Cli) -> anyhow::Result<Self> {
        let file = match &cli.config {
            Some(path) => load_file(path)?,
            None => FileConfig::default(),
        };
        let defaults = Limits::default();
        let (l, f) = (cli.limits, file.limits);
        let nonzero = |d: Duration| (!d.is_zero()).then_some(d);
        let limits = Limits {
            max_message_size: size(
                "max_message_size",
                l.max_message_size.or(f.max_message_size),
                defaults.max_message_size,
            )?,
            inbound_memory_budget: size(
                "inbound_memory_budget",
                l.inbound_memory_budget.or(f.inbound_memory_budget),
                defaults.inbound_memory_budget,
            )?,
            max_audio_per_append: size(
                "max_audio_per_append",
                l.max_audio_per_append.or(f.max_audio_per_append),
                defaults.max_audio_per_append,
            )?,
            max_uncommitted_audio: l
                .max_uncommitted_audio
                .or(f.max_uncommitted_audio)
                .unwrap_or(defaults.max_uncommitted_audio),
            event_rate: l.event_rate.or(f.event_rate).unwrap_or(defaults.event_rate),
            event_burst: l
                .event_burst
                .or(f.event_burst)
                .unwrap_or(defaults.event_burst),
            max_session_duration: match l.max_session_duration.or(f.max_session_duration) {
                Some(d) => nonzero(d),
                None => defaults.max_session_duration,
            },
            session_expiry_warning: l
                .session_expiry_warning
                .or(f.session_expiry_warning)
                .unwrap_or(defaults.session_expiry_warning),
            outbound_queue: l
                .outbound_queue
                .or(f.outbound_queue)
                .unwrap_or(defaults.outbound_queue),
            inbound_queue: l
                .inbound_queue
                .or(f.inbound_queue)
                .unwrap_or(defaults.inbound_queue),
            write_deadline: l
                .write_deadline
                .or(f.write_deadline)
                .unwrap_or(defaults.write_deadline),
            ping_interval: match l.ping_interval.or(f.ping_interval) {
                Some(d) => nonzero(d),
                None => defaults.ping_interval,
            },
            liveness_timeout: match l.liveness_timeout.or(f.liveness_timeout) {
                Some(d) => nonzero(d),
                None => defaults.liveness_timeout,
            },
            max_sessions: match l.max_sessions.or(f.max_sessions) {
                Some(0) => None,
                Some(n) => Some(n),
                None => defaults.max_sessions,
            },
            drain_timeout: l
                .drain_timeout
                .or(f.drain_timeout)
                .unwrap_or(defaults.drain_timeout),
            shutdown_timeout: l
                .shutdown_timeout
                .or(f.shutdown_timeout)
                .unwrap_or(defaults.shutdown_timeout),
            backend_first_output_timeout: l
                .backend_first_output_timeout
                .or(f.backend_first_output_timeout)
                .unwrap_or(defaults.backend_first_output_timeout),
            backend_stall_timeout: l
                .backend_stall_timeout
                .or(f.backend_stall_timeout)
                .unwrap_or(defaults.backend_stall_timeout),
            key_connection_rate: match l.key_connection_rate.or(f.key_connection_rate) {
                Some(0) => None,
                Some(n) => Some(n),
                None => defaults.key_connection_rate,
            },
            max_sessions_per_key: l
                .max_sessions_per_key
                .or(f.max_sessions_per_key)
                .filter(|n| *n > 0),
            auth_failures_per_minute: match l
                .auth_failures_per_minute
                .or(f.auth_failures_per_minute)
            {
                Some(0) => None,
                Some(n) => Some(n),
                None => defaults.auth_failures_per_minute,
            },
            allowed_origins: l
                .allowed_origins
                .clone()
                .or_else(|| f.allowed_origins.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
        };
        let mut keys = match &l.api_keys {
            Some(text) => parse_api_keys(&text.0)?,
            None => Vec::new(),
        };
        for entry in f.keys.iter().chain(l.keys.iter()) {
            keys.push(entry.to_key()?);
        }
        limits.validate()?;
        let jwt = jwt_config(&l, &f)?;
        let tls = match (
            l.tls_cert.clone().or_else(|| f.tls_cert.clone()),
            l.tls_key.clone().or_else(|| f.tls_key.clone()),
        ) {
            (Some(cert), Some(key)) => Some(TlsConfig { cert, key }),
            (None, None) => None,
            _ => anyhow::bail!("TLS needs both tls_cert and tls_key"),
        };
        let websocket_echo_path = l
            .websocket_echo_path
            .clone()
            .or_else(|| f.websocket_echo_path.clone())
            .filter(|p| !p.is_empty());
        if let Some(path) = &websocket_echo_path
            && (!path.starts_with('/')
                || path.len() < 2
                || !path
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b)))
        {
            anyhow::bail!(
                "websocket_echo_path must be `/` and letters, digits, `/`, `-`, `_` or `.` \
                 (got `{path}`)"
            );
        }
        let redis = redis_config(&l, &f)?;
        let api_key = cli.api_key.or(file.api_key);
        if api_key.as_deref() == Some("") {
            anyhow::bail!("--api-key must not be empty");
        }
        let backend = cli.backend.or(file.backend).unwrap_or_default();
        let backends =
            crate::backends::config::resolve(cli.backends, file.backends, backend.slots())?;
        Ok(Self {
            listen: cli
                .listen
                .or(file.listen)
                .unwrap_or_else(|| Self::default().listen),
            backend,
            backends,
            api_key: api_key.as_deref().map(ApiKey::new),
            log_format: cli.log_format.or(file.log_format).unwrap_or_default(),
            limits,
            strict_fields: l.strict_fields.or(f.strict_fields).unwrap_or(false),
            console: !l.no_console.or(f.no_console).unwrap_or(false),
            keys,
            jwt,
            tls,
            websocket_echo_path,
            redis,
            #[cfg(feature = "avatar")]
            avatar: crate::avatar::AvatarSettings::from_args(cli.avatar)?,
            #[cfg(feature = "deepfilter")]
            deep_ns: cli.deep_ns,
        })
    }
}

impl Limits {
    /// Checks that the limits are usable.
    ///
    /// # Errors
    ///
    /// A queue has capacity 0, the event rate is 0, or the message limit is 0.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.max_message_size == 0 {
            anyhow::bail!("max_message_size must be > 0");
        }
        if self.inbound_memory_budget == 0 {
            anyhow::bail!("inbound_memory_budget must be > 0");
        }
        if self.outbound_queue == 0 || self.inbound_queue == 0 {
            anyhow::bail!("queue capacities must be > 0");
        }
        if self.event_rate == 0 {
            anyhow::bail!("event_rate must be > 0");
        }
        if self.write_deadline.is_zero() {
            anyhow::bail!("write_deadline must be > 0");
        }
        if self.backend_first_output_timeout.is_zero() || self.backend_stall_timeout.is_zero() {
            anyhow::bail!("backend_first_output_timeout and backend_stall_timeout must be > 0");
        }
        Ok(())
    }
}

/// The Redis settings of the flags `l` over the file `f`.
fn redis_config(l: &LimitArgs, f: &LimitArgs) -> anyhow::Result<Option<crate::quota::RedisConfig>> {
    let Some(url) = l
        .redis_url
        .clone()
        .or_else(|| f.redis_url.clone())
        .map(|s| s.0)
        .filter(|u| !u.is_empty())
    else {
        return Ok(None);
    };
    if !cfg!(feature = "redis") {
        anyhow::bail!("--redis-url needs a vl-server built with `--features redis`");
    }
    let lease_ttl = l
        .redis_lease_ttl
        .or(f.redis_lease_ttl)
        .unwrap_or(crate::quota::DEFAULT_LEASE_TTL);
    if lease_ttl < Duration::from_millis(100) {
        anyhow::bail!("redis_lease_ttl must be at least 100ms");
    }
    let config = crate::quota::RedisConfig {
        url,
        fail_closed: l.redis_fail_closed.or(f.redis_fail_closed).unwrap_or(false),
        lease_ttl,
    };
    #[cfg(feature = "redis")]
    crate::quota::check_url(&config.url)?;
    Ok(Some(config))
}

/// The JWT settings of the flags `l` over the file `f`, checked by building a validator.
fn jwt_config(l: &LimitArgs, f: &LimitArgs) -> anyhow::Result<Option<JwtConfig>> {
    let secret = l
        .jwt_secret
        .clone()
        .or_else(|| f.jwt_secret.clone())
        .map(|s| s.0);
    let public_key = l
        .jwt_public_key
        .clone()
        .or_else(|| f.jwt_public_key.clone());
    let jwks = l.jwt_jwks.clone().or_else(|| f.jwt_jwks.clone());
    if secret.is_none() && public_key.is_none() && jwks.is_none() {
        return Ok(None);
    }
    let list = |a: &Option<Vec<String>>, b: &Option<Vec<String>>| {
        a.clone()
            .or_else(|| b.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
    };
    let algorithms = list(&l.jwt_algorithms, &f.jwt_algorithms)
        .iter()
        .map(|a| crate::jwt::parse_algorithm(a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    let cfg = JwtConfig {
        secret,
        public_key,
        jwks,
        algorithms,
        audiences: list(&l.jwt_audience, &f.jwt_audience),
        issuers: list(&l.jwt_issuer, &f.jwt_issuer),
        leeway: l
            .jwt_leeway
            .or(f.jwt_leeway)
            .unwrap_or(crate::jwt::DEFAULT_LEEWAY),
        ..JwtConfig::default()
    };
    crate::jwt::JwtValidator::new(&cfg)?;
    Ok(Some(cfg))
}

fn load_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    parse_file(&text).with_context(|| format!("parsing config file {}", path.display()))
}

fn parse_file(text: &str) -> anyhow::Result<FileConfig> {
    let table: toml::Table = toml::from_str(text)?;
    let mut top = toml::Table::new();
    let mut limits = toml::Table::new();
    let mut backends = FileBackends::default();
    for (key, value) in table {
        let key = key.replace('-', "_");
        if key == "backends" {
            backends = FileBackends::from_toml(value)?;
        } else if matches!(
            key.as_str(),
            "listen" | "backend" | "api_key" | "log_format"
        ) {
            top.insert(key, value);
        } else {
            limits.insert(key, value);
        }
    }
    let top: FileTop = top.try_into()?;
    let limits: LimitArgs = limits.try_into()?;
    Ok(FileConfig {
        listen: top.listen,
        backend: top.backend,
        api_key: top.api_key,
        log_format: top.log_format,
        limits,
        backends,
    })
}

fn size(name: &str, value: Option<u64>, default: usize) -> anyhow::Result<usize> {
    match value {
        None => Ok(default),
        Some(v) => usize::try_from(v).with_context(|| format!("{name} is too large")),
    }
}

/// Parses a size: a byte count, or a number with `B`, `KiB`, `MiB`, `GiB` (or `K`, `M`, `G`).
///
/// # Errors
///
/// The text is not such a size, or it overflows.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid size `{text}`: expected e.g. 4096, 64KiB or 21MiB"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => KIB,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => 1024 * MIB,
        _ => {
            return Err(format!(
                "invalid size unit in `{text}`: use B, KiB, MiB or GiB"
            ));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size `{text}` is too large"))
}

/// Parses a duration: seconds, or a number with `ms`, `s`, `m`, `h`.
///
/// # Errors
///
/// The text is not such a duration, or it overflows.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid duration `{text}`: expected e.g. 30, 500ms, 3s or 60m"))?;
    let ms = match unit.trim() {
        "ms" => Some(n),
        "" | "s" => n.checked_mul(1000),
        "m" | "min" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        _ => {
            return Err(format!(
                "invalid duration unit in `{text}`: use ms, s, m or h"
            ));
        }
    };
    ms.map(Duration::from_millis)
        .ok_or_else(|| format!("duration `{text}` is too large"))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrText {
    Num(u64),
    Text(String),
}

fn de_size<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<NumOrText>::deserialize(d)? {
        None => Ok(None),
        Some(NumOrText::Num(n)) => Ok(Some(n)),
        Some(NumOrText::Text(t)) => parse_size(&t).map(Some).map_err(serde::de::Error::custom),
    }
}

fn de_duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    match Option::<NumOrText>::deserialize(d)? {
        None => Ok(None),
        Some(NumOrText::Num(n)) => Ok(Some(Duration::from_secs(n))),
        Some(NumOrText::Text(t)) => parse_duration(&t)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_parse() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64KiB"), Ok(64 * 1024));
        assert_eq!(parse_size("21MiB"), Ok(21 * 1024 * 1024));
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("").is_err());
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("60m"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("3 fortnights").is_err());
    }

    #[test]
    fn help_documents_every_flag() {
        use clap::CommandFactory as _;
        let cmd = Cli::command();
        cmd.clone().debug_assert();
        for arg in cmd.get_arguments() {
            assert!(
                arg.get_help().is_some(),
                "--{} has no help text",
                arg.get_id()
            );
        }
        let help = cmd.clone().render_long_help().to_string();
        for flag in [
            "--listen",
            "--backend",
            "--api-key",
            "--config",
            "--log-format",
            "--max-message-size",
            "--inbound-memory-budget",
            "--max-audio-per-append",
            "--max-uncommitted-audio",
            "--event-rate",
            "--max-session-duration",
            "--drain-timeout",
            "--websocket-echo-path",
            "--redis-url",
            "--redis-fail-closed",
            "--redis-lease-ttl",
        ] {
            assert!(help.contains(flag), "{flag} missing from --help");
        }
    }

    #[test]
    fn backend_timeouts_come_from_the_file_and_flags() {
        let dir = std::env::temp_dir().join(format!("vl-server-bto-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.toml");
        std::fs::write(&path, "backend_first_output_timeout = \"40s\"\n").unwrap();
        let file = path.to_str().unwrap();
        let c = Config::from_cli(Cli::parse_from(["vl-server", "--config", file])).unwrap();
        assert_eq!(
            c.limits.backend_first_output_timeout,
            Duration::from_secs(40)
        );
        assert_eq!(c.limits.backend_stall_timeout, Duration::from_secs(10));
        let c = Config::from_cli(Cli::parse_from([
            "vl-server",
            "--config",
            file,
            "--backend-first-output-timeout",
            "2m",
            "--backend-stall-timeout",
            "30s",
        ]))
        .unwrap();
        assert_eq!(
            c.limits.backend_first_output_timeout,
            Duration::from_secs(120)
        );
        assert_eq!(c.limits.backend_stall_timeout, Duration::from_secs(30));
        let zero = Config::from_cli(Cli::parse_from([
            "vl-server",
            "--backend-stall-timeout",
            "0s",
        ]));
        assert!(zero.is_err(), "a zero stall timeout is refused");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn defaults_follow_the_decisions() {
        let c = Config::from_cli(Cli::parse_from(["vl-server"])).unwrap();
        assert_eq!(c.limits, Limits::default());
        assert_eq!(c.limits.max_message_size, 21 * 1024 * 1024);
        assert_eq!(
            c.limits.max_session_duration,
            Some(Duration::from_secs(3600))
        );
        assert!(c.api_key.is_none());
    }

    #[test]
    fn the_echo_path_and_redis_settings_resolve_and_are_checked() {
        let parse = |args: &[&str]| {
            let mut all = vec!["vl-server"];
            all.extend_from_slice(args);
            Config::from_cli(Cli::parse_from(all))
        };
        let c = parse(&[]).unwrap();
        assert_eq!(c.websocket_echo_path, None);
        assert_eq!(c.redis, None);
        let c = parse(&["--websocket-echo-path", "/echo"]).unwrap();
        assert_eq!(c.websocket_echo_path.as_deref(), Some("/echo"));
        for bad in ["echo", "/", "/{x}", "/a b"] {
            assert!(parse(&["--websocket-echo-path", bad]).is_err(), "{bad}");
        }
        let redis = parse(&[
            "--redis-url",
            "redis://127.0.0.1:6379/0",
            "--redis-fail-closed",
            "--redis-lease-ttl",
            "9s",
        ]);
        if cfg!(feature = "redis") {
            let r = redis.unwrap().redis.unwrap();
            assert!(r.fail_closed);
            assert_eq!(r.lease_ttl, Duration::from_secs(9));
            assert!(
                !format!("{r:?}").contains("6379"),
                "the URL may hold a password"
            );
            let d = parse(&["--redis-url", "redis://h/"])
                .unwrap()
                .redis
                .unwrap();
            assert!(!d.fail_closed);
            assert_eq!(d.lease_ttl, crate::quota::DEFAULT_LEASE_TTL);
            assert!(parse(&["--redis-url", "nonsense://x"]).is_err());
            assert!(parse(&["--redis-url", "redis://h/", "--redis-lease-ttl", "10ms"]).is_err());
        } else {
            assert!(
                redis.is_err(),
                "a build without the feature refuses --redis-url"
            );
        }
    }

    #[test]
    fn flags_override_the_file_and_the_file_overrides_defaults() {
        let dir = std::env::temp_dir().join(format!("vl-server-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9999\"\nmax_message_size = \"1MiB\"\nevent-rate = 7\n\
             max_session_duration = 0\napi_key = \"from-file\"\n",
        )
        .unwrap();
        let c = Config::from_cli(Cli::parse_from([
            "vl-server",
            "--config",
            path.to_str().unwrap(),
            "--event-rate",
            "9",
        ]))
        .unwrap();
        assert_eq!(c.listen.port(), 9999);
        assert_eq!(c.limits.max_message_size, 1024 * 1024);
        assert_eq!(c.limits.event_rate, 9);
        assert_eq!(c.limits.max_session_duration, None);
        assert!(c.api_key.as_ref().unwrap().matches("from-file"));
        std::fs::write(
            &path,
            "key_connection_rate = 5\n[[keys]]\nname = \"a\"\nkey = \"ka\"\nmax_sessions = 2\n\
             [[keys]]\nname = \"b\"\nsha256 = \"74fec0c33e96ab90ac88666979207a50a6ea7b9b3eea6ec0e8b916d64c0a0706\"\n",
        )
        .unwrap();
        let c = Config::from_cli(Cli::parse_from([
            "vl-server",
            "--config",
            path.to_str().unwrap(),
        ]))
        .unwrap();
        assert_eq!(c.limits.key_connection_rate, Some(5));
        assert_eq!(c.keys.len(), 2);
        assert!(c.keys[0].matches("ka") && !c.keys[0].matches("kb"));
        assert_eq!(c.keys[0].quota().max_sessions, Some(2));
        assert_eq!(&**c.keys[1].name(), "b");
        assert!(c.keys[1].matches("kb"));
        std::fs::write(&path, "no_such_key = 1\n").unwrap();
        let err = Config::from_cli(Cli::parse_from([
            "vl-server",
            "--config",
            path.to_str().unwrap(),
        ]));
        assert!(err.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
