//! The HTTP side: routes, the checks before the upgrade, and the accept loop with graceful
//! shutdown (the mini-redis `run(listener, shutdown)` shape).
//!
//! Every check that can refuse a request runs before the upgrade, so no session exists for a peer
//! that is refused: path (404), header size (431), credentials (401), api-version (400), model or
//! agent (400), draining or at the session cap (503), then the upgrade itself (426 when it is not
//! one).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument as _, info, info_span, warn};

use crate::admission::{Admission, Lease, Refusal};
use crate::auth::{self, ApiKey, AuthError, CredentialSource};
use crate::config::Config;
use crate::connection::{self, ConnectionContext, Dialect};
use crate::jwt::JwtValidator;
use crate::metrics::Metrics;
use crate::params::ConnectParams;
#[cfg(feature = "redis")]
use crate::quota::{GlobalLease, RedisQuotas};
use crate::tls::{Peer, TlsListener};

/// Size of each connection's WebSocket read buffer (reliability.md §2.1: 4–8 KiB, not the 128 KiB
/// default that is allocated eagerly per connection).
const READ_BUFFER_SIZE: usize = 8 * 1024;
/// Most bytes tungstenite may hold unsent per connection (raised to the message size limit plus
/// [`WRITE_BUFFER_SLACK`] when that is larger).
const MAX_WRITE_BUFFER_SIZE: usize = 16 * 1024 * 1024;
/// Unsent bytes allowed beyond one largest message: frame headers and the events queued beside it.
const WRITE_BUFFER_SLACK: usize = 64 * 1024;
/// How long `run` waits for plain HTTP connections to finish after the listener stops.
const HTTP_DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// State shared by all requests.
#[derive(Debug)]
struct AppState {
    config: Config,
    backends: Arc<crate::backends::Backends>,
    budget: Arc<Semaphore>,
    sessions: TaskTracker,
    close_sessions: CancellationToken,
    draining: AtomicBool,
    next_id: AtomicU64,
    metrics: Arc<Metrics>,
    admission: Admission,
    keys: Vec<ApiKey>,
    jwt: Option<JwtValidator>,
    /// The global per-key quotas in Redis (feature `redis`; `None` without `--redis-url`).
    #[cfg(feature = "redis")]
    quotas: Option<RedisQuotas>,
    /// The avatar UDP socket and thread (feature `avatar`; `None` when disabled).
    #[cfg(feature = "avatar")]
    avatar: Option<Arc<crate::avatar::AvatarHub>>,
    /// DeepFilterNet3 for `azure_deep_noise_suppression` (feature `deepfilter`; `None`: the
    /// built-in suppressor).
    #[cfg(feature = "deepfilter")]
    deep_ns: Option<vl_engine::dsp::NoiseSuppressorFactory>,
}

/// Serves on `listener` until `shutdown` completes, then shuts down gracefully: stops accepting,
/// lets sessions run for `drain_timeout`, sends each a close 1001, and waits at most
/// `shutdown_timeout` for them to finish.
///
/// # Errors
///
/// The accept loop failed.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = config.limits.clone();
    let keys: Vec<ApiKey> = config
        .api_key
        .iter()
        .chain(config.keys.iter())
        .cloned()
        .collect();
    let jwt = match &config.jwt {
        Some(cfg) => Some(JwtValidator::new(cfg).map_err(std::io::Error::other)?),
        None => None,
    };
    let acceptor = match &config.tls {
        Some(tls) => Some(crate::tls::acceptor(tls)?),
        None => None,
    };
    #[cfg(feature = "redis")]
    let quotas = match &config.redis {
        Some(cfg) => Some(RedisQuotas::new(cfg).map_err(std::io::Error::other)?),
        None => None,
    };
    let budget = Semaphore::new(limits.inbound_memory_budget.min(Semaphore::MAX_PERMITS));
    // Models load and worker processes start before the first session can arrive.
    let backends = crate::backends::Backends::start(&config.backends)
        .await
        .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
    #[cfg(feature = "avatar")]
    let avatar = crate::avatar::AvatarHub::start(&config.avatar)?;
    #[cfg(feature = "deepfilter")]
    let deep_ns = crate::deep_ns::factory(&config.deep_ns);
    let state = Arc::new(AppState {
        config,
        backends: Arc::clone(&backends),
        budget: Arc::new(budget),
        sessions: TaskTracker::new(),
        close_sessions: CancellationToken::new(),
        draining: AtomicBool::new(false),
        next_id: AtomicU64::new(1),
        metrics: Arc::new(Metrics::new()),
        admission: Admission::new(limits.auth_failures_per_minute),
        keys,
        jwt,
        #[cfg(feature = "redis")]
        quotas,
        #[cfg(feature = "avatar")]
        avatar,
        #[cfg(feature = "deepfilter")]
        deep_ns,
    });
    let stop_accepting = CancellationToken::new();
    let app = router(Arc::clone(&state));
    let make = app.into_make_service_with_connect_info::<Peer>();
    let stop = stop_accepting.clone().cancelled_owned();
    let mut serve = match acceptor {
        None => tokio::spawn(
            axum::serve(crate::tls::NoDelayListener(listener), make)
                .with_graceful_shutdown(stop)
                .into_future(),
        ),
        Some(acceptor) => {
            let tls = TlsListener::new(listener, acceptor)?;
            tokio::spawn(
                axum::serve(tls, make)
                    .with_graceful_shutdown(stop)
                    .into_future(),
            )
        }
    };

    tokio::select! {
        res = &mut serve => {
            // The accept loop ended on its own: an error.
            return match res {
                Ok(r) => r,
                Err(e) => Err(std::io::Error::other(e)),
            };
        }
        () = shutdown => {}
    }

    info!(
        sessions = state.sessions.len(),
        "shutdown: no longer accepting; draining sessions"
    );
    state.draining.store(true, Ordering::SeqCst);
    stop_accepting.cancel();
    state.sessions.close();
    if !limits.drain_timeout.is_zero() {
        let _ = tokio::time::timeout(limits.drain_timeout, state.sessions.wait()).await;
    }
    state.close_sessions.cancel();
    if tokio::time::timeout(limits.shutdown_timeout, state.sessions.wait())
        .await
        .is_err()
    {
        warn!(
            sessions = state.sessions.len(),
            "shutdown: sessions still running at the shutdown timeout"
        );
    }
    if tokio::time::timeout(HTTP_DRAIN_TIMEOUT, &mut serve)
        .await
        .is_err()
    {
        serve.abort();
    }
    backends.shutdown().await;
    info!("shutdown complete");
    Ok(())
}

fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(crate::console::router(state.config.console));
    if let Some(path) = &state.config.websocket_echo_path {
        // The path was checked by `Config::from_cli` (no `{`, `*` or `:` that axum would parse).
        router = router.route(path, get(echo));
    }
    router.fallback(realtime).with_state(state)
}

/// The sessions' WebSocket settings (reliability.md §2.1), shared by the realtime and the echo
/// endpoints so the echo endpoint tests exactly what the sessions run behind.
fn websocket_settings(ws: WebSocketUpgrade, limits: &crate::config::Limits) -> WebSocketUpgrade {
    ws.max_message_size(limits.max_message_size)
        .max_frame_size(limits.max_message_size)
        .read_buffer_size(READ_BUFFER_SIZE)
        .write_buffer_size(0)
        // Room for one message as large as the peer may send (an echo of it), whatever the limit.
        .max_write_buffer_size(
            MAX_WRITE_BUFFER_SIZE.max(limits.max_message_size.saturating_add(WRITE_BUFFER_SLACK)),
        )
}

/// The WebSocket echo endpoint of `--websocket-echo-path` (conformance tests: Autobahn): every
/// text and binary message comes back unchanged; tungstenite answers pings and closes. No
/// authentication; the session cap, draining and shutdown apply as to sessions.
async fn echo(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let at_cap = state
        .config
        .limits
        .max_sessions
        .is_some_and(|cap| state.sessions.len() >= cap);
    if state.draining.load(Ordering::SeqCst) || at_cap {
        return http_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "server_busy",
            "The server is not accepting new sessions right now; retry later.",
        );
    }
    let ws = match upgrade {
        Ok(ws) => ws,
        Err(rejection) => return upgrade_refused(&headers, rejection),
    };
    let token = state.sessions.token();
    let shutdown = state.close_sessions.clone();
    websocket_settings(ws, &state.config.limits)
        .on_failed_upgrade(|e| warn!(error = %e, "echo: upgrade failed"))
        .on_upgrade(move |mut socket| async move {
            loop {
                let msg = tokio::select! {
                    msg = socket.recv() => msg,
                    () = shutdown.cancelled() => {
                        let _ = socket
                            .send(Message::Close(Some(CloseFrame {
                                code: 1001,
                                reason: "server shutting down".into(),
                            })))
                            .await;
                        break;
                    }
                };
                match msg {
                    Some(Ok(msg @ (Message::Text(_) | Message::Binary(_)))) => {
                        if socket.send(msg).await.is_err() {
                            break;
                        }
                    }
                    // Pings are answered and closes echoed by tungstenite on the next read.
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Close(_))) => {}
                    Some(Err(e)) => {
                        // The sessions' answer: 1009 over the size limit, 1007, 1002.
                        if let Some((code, reason)) = connection::close_for_read_error(e) {
                            let frame = CloseFrame {
                                code,
                                reason: reason.into(),
                            };
                            let _ = socket.send(Message::Close(Some(frame))).await;
                        }
                        break;
                    }
                    None => break,
                }
            }
            drop(token);
        })
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    if state.draining.load(Ordering::SeqCst) {
        (StatusCode::SERVICE_UNAVAILABLE, "draining\n").into_response()
    } else {
        (StatusCode::OK, "ok\n").into_response()
    }
}

/// `GET /metrics`: the Prometheus (OpenMetrics) text format.
async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let mut r = state.metrics.encode().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    r
}

/// Keeps `sessions_active` up while a session runs, also if its task panics.
#[derive(Debug)]
struct ActiveSession(Arc<Metrics>);

impl ActiveSession {
    fn new(metrics: &Arc<Metrics>) -> Self {
        metrics.sessions_active.inc();
        Self(Arc::clone(metrics))
    }
}

impl Drop for ActiveSession {
    fn drop(&mut self) {
        self.0.sessions_active.dec();
    }
}

/// Which realtime endpoint a path names, if any.
fn endpoint_for(path: &str) -> Option<Dialect> {
    let path = path.strip_suffix('/').unwrap_or(path);
    if path.ends_with("/voice-live/realtime") || path.ends_with("/voice-agent/realtime") {
        Some(Dialect::VoiceLive)
    } else if path.ends_with("/v1/realtime") {
        Some(Dialect::OpenAiGa)
    } else {
        None
    }
}

/// Largest total size of the upgrade request's headers, in bytes (reliability.md §2.2 A12).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Bytes the headers take on the wire (`name: value\r\n` each).
fn header_bytes(headers: &HeaderMap) -> usize {
    headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum()
}

async fn realtime(
    State(state): State<Arc<AppState>>,
    ConnectInfo(Peer(peer)): ConnectInfo<Peer>,
    uri: Uri,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let metrics = Arc::clone(&state.metrics);
    let response = admit(state, peer, uri, headers, upgrade).await;
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        metrics.rejected(response.status().as_u16());
    }
    response
}

/// The checks before the upgrade, then the upgrade.
async fn admit(
    state: Arc<AppState>,
    peer: SocketAddr,
    uri: Uri,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Some(mut dialect) = endpoint_for(uri.path()) else {
        return http_error(StatusCode::NOT_FOUND, "not_found", "No such endpoint.");
    };
    if header_bytes(&headers) > MAX_HEADER_BYTES {
        info!(%peer, "refused: request headers too large");
        return http_error(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request_header_fields_too_large",
            "The request headers exceed 16 KiB.",
        );
    }
    let limits = &state.config.limits;
    if let Some(origin) = headers.get(header::ORIGIN)
        && !limits.allowed_origins.is_empty()
    {
        let origin = origin.to_str().unwrap_or_default().trim_end_matches('/');
        if !limits
            .allowed_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin))
        {
            info!(%peer, "refused: origin not allowed");
            return http_error(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "This origin may not connect.",
            );
        }
    }
    if let Err(refusal) = state.admission.auth_allowed(peer.ip()) {
        info!(%peer, "refused: too many failed authentications");
        state.metrics.limited("auth_failures");
        return too_many(refusal);
    }
    let params = ConnectParams::parse(uri.query());
    let identity = match auth::authenticate(&state.keys, state.jwt.as_ref(), &headers, &params) {
        Ok(identity) => identity,
        Err(e) => {
            state.admission.auth_failed(peer.ip());
            let reason = match e {
                AuthError::Missing => "missing",
                AuthError::Invalid(_) => "invalid",
            };
            info!(%peer, path = uri.path(), reason, "refused: unauthorized");
            let mut r = http_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Access denied due to a missing or invalid API key or token.",
            );
            // RFC 6750 §3 for a refused Bearer credential.
            if matches!(
                e,
                AuthError::Invalid(CredentialSource::BearerHeader | CredentialSource::BearerQuery)
            ) {
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
            }
            return r;
        }
    };
    if dialect == Dialect::VoiceLive {
        if !params.api_version_supported() {
            info!(%peer, "refused: unsupported api-version");
            return http_error(
                StatusCode::BAD_REQUEST,
                "invalid_api_version",
                "Unsupported api-version. Supported values are: 2025-05-01-preview, \
                 2025-10-01, 2026-01-01-preview, 2026-04-10, 2026-06-01-preview, 2026-07-15, \
                 2026-07-31-preview, v1.",
            );
        }
        if !params.has_model_or_agent() {
            info!(%peer, "refused: neither model nor agent");
            return http_error(
                StatusCode::BAD_REQUEST,
                "missing_required_parameter",
                "Missing required parameter: 'model' (or 'agent-name' and \
                 'agent-project-name').",
            );
        }
        if params.api_version.as_deref() == Some("v1") {
            dialect = Dialect::OpenAiGa;
        }
    }
    let at_cap = limits
        .max_sessions
        .is_some_and(|cap| state.sessions.len() >= cap);
    if state.draining.load(Ordering::SeqCst) || at_cap {
        let mut r = http_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "server_busy",
            "The server is not accepting new sessions right now; retry later.",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return r;
    }
    let ws = match upgrade {
        Ok(ws) => ws,
        Err(rejection) => return upgrade_refused(&headers, rejection),
    };
    let lease = match &identity {
        Some(who) => {
            let per_minute = who
                .quota
                .connections_per_minute
                .or(limits.key_connection_rate);
            let max_sessions = who
                .quota
                .max_sessions
                .or(limits.max_sessions_per_key)
                .filter(|n| *n > 0);
            match admit_key(&state, peer, &who.name, per_minute, max_sessions).await {
                Ok(lease) => Some(lease),
                Err(response) => return response,
            }
        }
        None => None,
    };

    let id = state.next_id.fetch_add(1, Ordering::Relaxed);
    if params.api_version.is_none() && dialect == Dialect::VoiceLive {
        info!(
            conn = id,
            assumed = crate::params::DEFAULT_API_VERSION,
            "no api-version sent; assuming the newest"
        );
    }
    let span = info_span!("session", conn = id, %peer, ?dialect);
    span.in_scope(|| {
        info!(
            path = uri.path(),
            source = ?identity.as_ref().map(|i| i.source),
            key = identity.as_ref().map_or("-", |i| &*i.name),
            params = ?params,
            "accepted"
        );
    });
    let ctx = ConnectionContext {
        id,
        params,
        dialect,
        limits: limits.clone(),
        strict_fields: state.config.strict_fields,
        backends: Arc::clone(&state.backends),
        shutdown: state.close_sessions.clone(),
        budget: Arc::clone(&state.budget),
        metrics: Arc::clone(&state.metrics),
        #[cfg(feature = "avatar")]
        avatar: state.avatar.clone(),
        #[cfg(feature = "deepfilter")]
        deep_ns: state.deep_ns.clone(),
    };
    // Track the session from now, so a shutdown racing the upgrade still waits for it.
    let tracker = state.sessions.clone();
    let token = tracker.token();
    let active = ActiveSession::new(&state.metrics);
    websocket_settings(ws, limits)
        .protocols(["realtime"])
        .on_failed_upgrade(move |e| warn!(conn = id, error = %e, "upgrade failed"))
        .on_upgrade(move |socket| {
            async move {
                connection::run(socket, ctx).await;
                drop(active);
                drop(lease);
                drop(token);
            }
            .instrument(span)
        })
}

/// A key's share of its concurrent-session quota, held for the session's life (released when
/// dropped): local, or global in Redis when Redis decided.
#[derive(Debug)]
enum KeyLease {
    /// This server's own count.
    Local(#[allow(dead_code, reason = "held for its Drop")] Lease),
    /// The Redis lease (`None` when no concurrency quota applies).
    #[cfg(feature = "redis")]
    Global(#[allow(dead_code, reason = "held for its Drop")] Option<GlobalLease>),
}

/// Refuses or admits a new session of key `name`: the global quotas in Redis when configured
/// and answering; the local limits without Redis, or when Redis fails and the failure mode is
/// fail-open; HTTP 503 when it fails and the mode is fail-closed.
async fn admit_key(
    state: &AppState,
    peer: SocketAddr,
    name: &Arc<str>,
    per_minute: Option<u32>,
    max_sessions: Option<usize>,
) -> Result<KeyLease, Response> {
    let refuse = |refusal: Refusal| {
        info!(%peer, key = %name, ?refusal, "refused: key quota");
        state.metrics.limited(match refusal {
            Refusal::KeySessions => "key_sessions",
            Refusal::KeyRate(_) | Refusal::AuthFailures(_) => "key_connection_rate",
        });
        too_many(refusal)
    };
    #[cfg(feature = "redis")]
    if let Some(quotas) = &state.quotas {
        use crate::quota::Decision;
        match quotas.admit(name, per_minute, max_sessions).await {
            Ok(Decision::Admitted(lease)) => return Ok(KeyLease::Global(lease)),
            Ok(Decision::RateLimited(wait)) => return Err(refuse(Refusal::KeyRate(wait))),
            Ok(Decision::TooManySessions) => return Err(refuse(Refusal::KeySessions)),
            Err(e) if quotas.fail_closed() => {
                warn!(%peer, error = %e, "refused: global quota unavailable (fail-closed)");
                state.metrics.limited("quota_unavailable");
                let mut r = http_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "quota_unavailable",
                    "The quota service is not answering; retry later.",
                );
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                return Err(r);
            }
            Err(e) => {
                warn!(%peer, error = %e, "global quota unavailable; the local limits apply");
            }
        }
    }
    state
        .admission
        .admit(name, per_minute, max_sessions)
        .map(KeyLease::Local)
        .map_err(refuse)
}

/// The answer to a request on a WebSocket path that is not a valid upgrade: 426 when it is not
/// a WebSocket upgrade at all or asks for another WebSocket version (reliability.md A2, A3).
fn upgrade_refused(headers: &HeaderMap, rejection: WebSocketUpgradeRejection) -> Response {
    let is_websocket = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let version = headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .and_then(|v| v.to_str().ok());
    if !is_websocket || version.is_some_and(|v| v.trim() != "13") {
        let mut r = http_error(
            StatusCode::UPGRADE_REQUIRED,
            "upgrade_required",
            "This endpoint speaks WebSocket (version 13) only.",
        );
        let h = r.headers_mut();
        h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
        h.insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        return r;
    }
    rejection.into_response()
}

/// HTTP 429 with `Retry-After` for an admission refusal.
fn too_many(refusal: Refusal) -> Response {
    let (code, message) = match refusal {
        Refusal::KeyRate(_) => (
            "rate_limit_exceeded",
            "Too many new connections for this key; retry later.",
        ),
        Refusal::KeySessions => (
            "too_many_sessions",
            "This key has its maximum number of sessions open.",
        ),
        Refusal::AuthFailures(_) => (
            "too_many_failed_attempts",
            "Too many failed authentication attempts; retry later.",
        ),
    };
    let mut r = http_error(StatusCode::TOO_MANY_REQUESTS, code, message);
    if let Ok(v) = HeaderValue::from_str(&refusal.retry_after_secs().to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// A JSON error body in the swagger `ErrorResponse` shape.
fn http_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "error": {
            "type": "invalid_request_error",
            "code": code,
            "message": message,
            "param": null,
        }
    });
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            endpoint_for("/voice-live/realtime"),
            Some(Dialect::VoiceLive)
        );
        assert_eq!(
            endpoint_for("/base/voice-live/realtime"),
            Some(Dialect::VoiceLive)
        );
        assert_eq!(
            endpoint_for("/a/b/voice-agent/realtime/"),
            Some(Dialect::VoiceLive)
        );
        assert_eq!(endpoint_for("/v1/realtime"), Some(Dialect::OpenAiGa));
        assert_eq!(endpoint_for("/openai/v1/realtime"), Some(Dialect::OpenAiGa));
        assert_eq!(endpoint_for("/foo"), None);
        assert_eq!(endpoint_for("/voice-live/realtimex"), None);
        assert_eq!(endpoint_for("/xvoice-live/realtime"), None);
    }
}
