//! One WebSocket connection driving one engine session.
//!
//! The connection task owns the [`Engine`] and runs its loop; three helper tasks do the IO, each
//! aborted when the connection ends:
//!
//! ```text
//!  socket ─► reader ──(bounded inbound queue)──► engine loop ──(bounded outbound queue)──► writer ─► socket
//!                                                  │     ▲
//!                                  backend requests│     │backend outputs (bounded)
//!                                                  ▼     │
//!                                                 backend task
//! ```
//!
//! The reader enforces the message size limit (tungstenite refuses oversize frames and messages
//! without buffering them; the app sends the 1009 itself) and the process-wide inbound memory
//! budget, and the liveness timeout. The writer sends server pings and enforces the write
//! deadline. The engine loop sleeps until the engine's own deadline (`poll_timeout`), so the
//! engine's timers — rate limit, session duration cap, backend timeouts — fire on time.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt as _, StreamExt as _};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::backends::Backends;
use crate::config::Limits;
use crate::engine::{BackendOutput, BackendRequest, Engine};
use crate::params::ConnectParams;

/// Close code: going away (server shutdown, session expired, liveness timeout).
pub(crate) const CLOSE_GOING_AWAY: u16 = 1001;
/// Close code: protocol error.
pub(crate) const CLOSE_PROTOCOL: u16 = 1002;
/// Close code: invalid frame payload data (bad UTF-8 in a text frame).
pub(crate) const CLOSE_INVALID_PAYLOAD: u16 = 1007;
/// Close code: policy violation (slow consumer).
pub(crate) const CLOSE_POLICY: u16 = 1008;
/// Close code: message too big.
pub(crate) const CLOSE_TOO_BIG: u16 = 1009;
/// Close code: internal error.
pub(crate) const CLOSE_INTERNAL: u16 = 1011;

/// Capacity of the backend output queue (the backend waits for the engine).
const BACKEND_OUTPUT_QUEUE: usize = 64;
/// How long to wait for the peer's close reply after our close frame.
const CLOSE_LINGER: Duration = Duration::from_millis(500);

/// Which event names a connection speaks: Voice Live (dated, beta-style names) or OpenAI GA
/// (on `/v1/realtime` and `api-version=v1`).
pub(crate) use vl_schema::dialect::Dialect;

/// Everything one connection needs from the server.
#[derive(Debug)]
pub(crate) struct ConnectionContext {
    /// Connection number, for logs.
    pub(crate) id: u64,
    /// The recorded query parameters.
    pub(crate) params: ConnectParams,
    /// The connection's dialect.
    pub(crate) dialect: Dialect,
    /// Limits.
    pub(crate) limits: Limits,
    /// Unknown fields are errors.
    pub(crate) strict_fields: bool,
    /// The process's backends.
    pub(crate) backends: Arc<Backends>,
    /// Cancelled when the server wants every session closed.
    pub(crate) shutdown: CancellationToken,
    /// The process-wide inbound memory budget, in bytes.
    pub(crate) budget: Arc<Semaphore>,
    /// The server's metrics.
    pub(crate) metrics: Arc<crate::metrics::Metrics>,
    /// The avatar service (feature `avatar`).
    #[cfg(feature = "avatar")]
    pub(crate) avatar: Option<Arc<crate::avatar::AvatarHub>>,
    /// DeepFilterNet3 for `azure_deep_noise_suppression` (feature `deepfilter`).
    #[cfg(feature = "deepfilter")]
    pub(crate) deep_ns: Option<vl_engine::dsp::NoiseSuppressorFactory>,
}

/// What the reader hands the engine loop.
#[derive(Debug)]
enum Inbound {
    /// A text message, or a binary one that is UTF-8; holds its share of the memory budget.
    Text(
        Utf8Bytes,
        #[allow(dead_code, reason = "held for its drop")] OwnedSemaphorePermit,
    ),
    /// A binary message that is not UTF-8.
    NotUtf8,
    /// The peer sent a close frame (tungstenite has queued the reply).
    Closed,
    /// The transport ended or failed without a close handshake.
    Gone,
    /// A fatal frame-level fault: close with this code and reason.
    Fault(u16, &'static str),
}

/// What the engine loop hands the writer.
#[derive(Debug)]
enum Outbound {
    /// A serialized server event.
    Text(String),
    /// Send a close frame, flush, and stop writing.
    Close(u16, String),
}

/// How the engine loop ended.
#[derive(Debug)]
enum End {
    /// We close with this code and reason.
    Close(u16, String),
    /// The peer closed first.
    PeerClosed,
    /// The peer vanished.
    PeerGone,
}

/// Aborts a task when dropped.
#[derive(Debug)]
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Drives one session over `socket` until either side closes it.
pub(crate) async fn run(socket: WebSocket, ctx: ConnectionContext) {
    let started = Instant::now();
    let (sink, stream) = socket.split();
    let (in_tx, mut in_rx) = mpsc::channel(ctx.limits.inbound_queue);
    let (out_tx, out_rx) = mpsc::channel(ctx.limits.outbound_queue);
    let (req_tx, req_rx) = mpsc::unbounded_channel();
    let (res_tx, mut res_rx) = mpsc::channel(BACKEND_OUTPUT_QUEUE);

    let reader = AbortOnDrop(tokio::spawn(read_loop(
        stream,
        in_tx,
        Arc::clone(&ctx.budget),
        ctx.limits.inbound_memory_budget.min(Semaphore::MAX_PERMITS),
        ctx.limits.liveness_timeout,
    )));
    let writer = AbortOnDrop(tokio::spawn(write_loop(
        sink,
        out_rx,
        ctx.limits.ping_interval,
        ctx.limits.write_deadline,
    )));
    let _backend = AbortOnDrop(tokio::spawn(crate::backends::run_session(
        Arc::clone(&ctx.backends),
        req_rx,
        res_tx,
    )));

    let mut engine = Engine::new(&ctx, Instant::now().into_std());
    let end = engine_loop(&mut engine, &ctx, &mut in_rx, &mut res_rx, &out_tx, &req_tx).await;
    info!(
        ?end,
        secs = started.elapsed().as_secs_f64(),
        "session ended"
    );
    ctx.metrics.session_ended(match &end {
        End::Close(code, _) => *code,
        End::PeerClosed => 1000,
        End::PeerGone => 0,
    });

    match end {
        End::Close(code, reason) => {
            let sent = timeout(
                ctx.limits.write_deadline,
                out_tx.send(Outbound::Close(code, reason)),
            )
            .await;
            if matches!(sent, Ok(Ok(()))) {
                // Wait for the peer's close reply, so the close frame is not lost to a reset.
                let _ = timeout(CLOSE_LINGER, async {
                    while let Some(msg) = in_rx.recv().await {
                        if matches!(msg, Inbound::Closed | Inbound::Gone) {
                            break;
                        }
                    }
                })
                .await;
            }
        }
        End::PeerClosed => {
            // tungstenite answers the close by itself; the reader keeps reading so the reply is
            // flushed. Let the writer finish what it has and close the sink.
            drop(out_tx);
            let _ = timeout(CLOSE_LINGER, async {
                while let Some(msg) = in_rx.recv().await {
                    if matches!(msg, Inbound::Gone | Inbound::Fault(..)) {
                        break;
                    }
                }
            })
            .await;
            drop(writer);
            drop(reader);
            return;
        }
        End::PeerGone => {}
    }
    drop(writer);
    drop(reader);
}

/// Runs the engine until it, the peer, or the server ends the session.
async fn engine_loop(
    engine: &mut Engine,
    ctx: &ConnectionContext,
    in_rx: &mut mpsc::Receiver<Inbound>,
    res_rx: &mut mpsc::Receiver<BackendOutput>,
    out_tx: &mpsc::Sender<Outbound>,
    req_tx: &mpsc::UnboundedSender<Box<BackendRequest>>,
) -> End {
    let mut turns = crate::metrics::TurnTimer::default();
    #[cfg_attr(
        not(feature = "avatar"),
        allow(
            clippy::let_unit_value,
            reason = "without the avatar there are no notices"
        )
    )]
    let mut avatar_notices = engine.take_avatar_notices();
    loop {
        if let Some(end) = drain(engine, out_tx, req_tx, ctx, &mut turns).await {
            return end;
        }
        let deadline = engine.poll_timeout().map(Instant::from_std);
        let timer = deadline.unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400));
        tokio::select! {
            biased;
            () = ctx.shutdown.cancelled() => {
                return End::Close(CLOSE_GOING_AWAY, "server shutting down".to_owned());
            }
            () = sleep_until(timer), if deadline.is_some() => {
                engine.handle_timeout(Instant::now().into_std());
            }
            notice = crate::engine::avatar_notice(&mut avatar_notices) => {
                engine.handle_avatar_notice(notice);
            }
            res = res_rx.recv() => match res {
                Some(output) => engine.handle_backend_output(Instant::now().into_std(), output),
                None => {
                    warn!("backend task ended");
                    return End::Close(CLOSE_INTERNAL, "backend failed".to_owned());
                }
            },
            msg = in_rx.recv() => match msg {
                Some(Inbound::Text(text, _permit)) => {
                    let kind = crate::metrics::peek_type(text.as_str()).unwrap_or("other");
                    ctx.metrics.event_in(kind);
                    ctx.metrics.inbound_queue_depth.observe(in_rx.len() as f64);
                    turns.client_event(kind);
                    engine.handle_client_text(Instant::now().into_std(), text.as_str());
                }
                Some(Inbound::NotUtf8) => engine.handle_not_utf8(Instant::now().into_std()),
                Some(Inbound::Closed) => return End::PeerClosed,
                Some(Inbound::Fault(code, reason)) => return End::Close(code, reason.to_owned()),
                Some(Inbound::Gone) | None => return End::PeerGone,
            },
        }
    }
}

/// Hands everything the engine has queued to the writer and the backend; returns how the
/// session ends if the engine (or a slow client) ends it.
async fn drain(
    engine: &mut Engine,
    out_tx: &mpsc::Sender<Outbound>,
    req_tx: &mpsc::UnboundedSender<Box<BackendRequest>>,
    ctx: &ConnectionContext,
    turns: &mut crate::metrics::TurnTimer,
) -> Option<End> {
    let write_deadline = ctx.limits.write_deadline;
    while let Some(text) = engine.poll_outgoing() {
        let kind = crate::metrics::peek_type(&text).unwrap_or("other");
        let code = (kind == "error")
            .then(|| crate::metrics::peek_error_code(&text))
            .flatten();
        ctx.metrics.event_out(kind, code);
        turns.server_event(kind, &ctx.metrics);
        let depth = out_tx.max_capacity() - out_tx.capacity();
        ctx.metrics.outbound_queue_depth.observe(depth as f64);
        let item = Outbound::Text(text);
        let item = match out_tx.try_send(item) {
            Ok(()) => continue,
            Err(mpsc::error::TrySendError::Closed(_)) => return Some(End::PeerGone),
            Err(mpsc::error::TrySendError::Full(item)) => item,
        };
        match timeout(write_deadline, out_tx.send(item)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Some(End::PeerGone),
            Err(_) => {
                warn!("outbound queue full past the write deadline");
                ctx.metrics.slow_consumer_closes.inc();
                return Some(End::Close(CLOSE_POLICY, "slow_consumer".to_owned()));
            }
        }
    }
    while let Some(request) = engine.poll_backend_request() {
        // The backend task only ends with the connection; a send error is harmless.
        let _ = req_tx.send(Box::new(request));
    }
    engine
        .poll_close()
        .map(|(code, reason)| End::Close(code, reason))
}

/// Reads frames, applies the memory budget and the liveness timeout, and forwards messages.
async fn read_loop(
    mut stream: SplitStream<WebSocket>,
    tx: mpsc::Sender<Inbound>,
    budget: Arc<Semaphore>,
    total_budget: usize,
    liveness: Option<Duration>,
) {
    loop {
        let next = match liveness {
            Some(limit) => match timeout(limit, stream.next()).await {
                Ok(next) => next,
                Err(_) => {
                    info!("no frame within the liveness timeout");
                    let _ = tx
                        .send(Inbound::Fault(CLOSE_GOING_AWAY, "liveness_timeout"))
                        .await;
                    break;
                }
            },
            None => stream.next().await,
        };
        let item = match next {
            None => Inbound::Gone,
            Some(Ok(Message::Text(text))) => match reserve(&budget, total_budget, text.len()).await
            {
                Some(permit) => Inbound::Text(text, permit),
                None => Inbound::Fault(CLOSE_TOO_BIG, "inbound memory budget exceeded"),
            },
            Some(Ok(Message::Binary(bytes))) => match Utf8Bytes::try_from(bytes) {
                Ok(text) => match reserve(&budget, total_budget, text.len()).await {
                    Some(permit) => Inbound::Text(text, permit),
                    None => Inbound::Fault(CLOSE_TOO_BIG, "inbound memory budget exceeded"),
                },
                Err(_) => Inbound::NotUtf8,
            },
            // tungstenite answers pings by itself, with the same payload.
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(frame))) => {
                debug!(code = frame.as_ref().map(|f| f.code), "peer sent close");
                Inbound::Closed
            }
            Some(Err(e)) => classify(e),
        };
        let fatal = matches!(item, Inbound::Gone | Inbound::Fault(..));
        if tx.send(item).await.is_err() || fatal {
            break;
        }
    }
    // Keep the stream half alive until the connection task lets go, so the socket is not reset
    // under a close frame that is still being written.
    tx.closed().await;
}

/// Takes `len` bytes of the inbound memory budget, waiting for room; `None` when the message is
/// larger than the whole budget.
async fn reserve(
    budget: &Arc<Semaphore>,
    total: usize,
    len: usize,
) -> Option<OwnedSemaphorePermit> {
    if len > total {
        return None;
    }
    let n = u32::try_from(len).ok()?;
    Arc::clone(budget).acquire_many_owned(n).await.ok()
}

/// The close frame the server sends for a read error (code and reason), `None` when the peer is
/// gone and nothing can be sent. The echo endpoint of `--websocket-echo-path` answers as sessions.
pub(crate) fn close_for_read_error(error: axum::Error) -> Option<(u16, &'static str)> {
    match classify(error) {
        Inbound::Fault(code, reason) => Some((code, reason)),
        _ => None,
    }
}

/// Maps a read error to what the engine loop should do.
fn classify(error: axum::Error) -> Inbound {
    let inner = error.into_inner();
    match inner.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(e)) => {
            info!(error = %e, "message over the size limit");
            Inbound::Fault(CLOSE_TOO_BIG, "message too big")
        }
        Some(tungstenite::Error::Utf8(_)) => Inbound::Fault(CLOSE_INVALID_PAYLOAD, "invalid UTF-8"),
        Some(tungstenite::Error::Protocol(e)) => {
            info!(error = %e, "WebSocket protocol error");
            match e {
                tungstenite::error::ProtocolError::ResetWithoutClosingHandshake => Inbound::Gone,
                _ => Inbound::Fault(CLOSE_PROTOCOL, "protocol error"),
            }
        }
        Some(_) | None => {
            debug!(error = %inner, "read failed");
            Inbound::Gone
        }
    }
}

/// Writes events and close frames, sends server pings, and gives up on a write that does not
/// finish within the write deadline.
async fn write_loop(
    mut sink: SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Outbound>,
    ping_interval: Option<Duration>,
    write_deadline: Duration,
) {
    let period = ping_interval.unwrap_or(Duration::from_secs(86_400));
    let mut ping = tokio::time::interval_at(Instant::now() + period, period);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let result = tokio::select! {
            item = rx.recv() => match item {
                Some(Outbound::Text(text)) => {
                    timeout(write_deadline, sink.send(Message::Text(text.into()))).await
                }
                Some(Outbound::Close(code, reason)) => {
                    let frame = CloseFrame { code, reason: reason.into() };
                    let _ = timeout(write_deadline, sink.send(Message::Close(Some(frame)))).await;
                    break;
                }
                None => {
                    let _ = timeout(write_deadline, sink.close()).await;
                    break;
                }
            },
            _ = ping.tick(), if ping_interval.is_some() => {
                timeout(write_deadline, sink.send(Message::Ping(Default::default()))).await
            }
        };
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                debug!(error = %e, "write failed");
                break;
            }
            Err(_) => {
                warn!("write not finished within the write deadline: slow consumer");
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_are_distinct() {
        let codes = [
            CLOSE_GOING_AWAY,
            CLOSE_PROTOCOL,
            CLOSE_INVALID_PAYLOAD,
            CLOSE_POLICY,
            CLOSE_TOO_BIG,
            CLOSE_INTERNAL,
        ];
        let set: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(set.len(), codes.len());
    }
}
