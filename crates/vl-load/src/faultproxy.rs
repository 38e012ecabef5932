//! A fault-injecting TCP proxy: every accepted connection is forwarded to `upstream`, and each
//! direction can be delayed, throttled, stalled, truncated or reset.
//!
//! Faults are counted in bytes of that direction's stream, so a cut lands wherever the byte
//! count says — usually in the middle of a WebSocket frame:
//! * `delay`: each chunk is written `delay` after it was read (latency, not a throughput cap);
//! * `throttle_bps`: at most this many bytes per second are written;
//! * `stall_after`: after this many bytes nothing more is read or written in that direction,
//!   while the connection stays open (a peer that stops reading; with a stall towards the
//!   client the proxy's upstream socket gets a 4 KiB receive buffer so the server feels it
//!   quickly);
//! * `truncate_after`: after this many bytes both sides are closed (FIN) at once;
//! * `reset_after`: after this many bytes both sides are reset (RST, `SO_LINGER` 0).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use vl_load::faultproxy::{Faults, ProxyConfig, start};
//! let upstream = "127.0.0.1:8080".parse().unwrap();
//! let cfg = ProxyConfig {
//!     upstream,
//!     to_server: Faults { reset_after: Some(10_000), ..Faults::default() },
//!     to_client: Faults::default(),
//! };
//! let proxy = start("127.0.0.1:0".parse().unwrap(), cfg).await?;
//! println!("connect to {}", proxy.addr());
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until, timeout};

/// Read chunk size, in bytes.
const CHUNK: usize = 16 * 1024;
/// Receive buffer of the upstream socket when the client direction stalls, in bytes.
const SMALL_BUFFER: u32 = 4 * 1024;
/// How long the second direction may go on after the first ended cleanly.
const HALF_CLOSE_LINGER: Duration = Duration::from_secs(5);

/// The faults of one direction; the default forwards untouched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Added latency per chunk.
    pub delay: Duration,
    /// Bandwidth cap, in bytes/s.
    pub throttle_bps: Option<u64>,
    /// Stop forwarding (and reading) after this many bytes; the connection stays open.
    pub stall_after: Option<u64>,
    /// Close both sides (FIN) after this many bytes.
    pub truncate_after: Option<u64>,
    /// Reset both sides (RST) after this many bytes.
    pub reset_after: Option<u64>,
}

impl Faults {
    /// The byte count at which this direction stops, and how.
    fn cut(&self) -> Option<(u64, Outcome)> {
        [
            self.stall_after.map(|n| (n, Outcome::Stall)),
            self.truncate_after.map(|n| (n, Outcome::Truncate)),
            self.reset_after.map(|n| (n, Outcome::Reset)),
        ]
        .into_iter()
        .flatten()
        .min_by_key(|(n, _)| *n)
    }
}

/// What the proxy does.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// Where connections are forwarded to.
    pub upstream: SocketAddr,
    /// Faults of the client → server direction.
    pub to_server: Faults,
    /// Faults of the server → client direction.
    pub to_client: Faults,
}

/// Counters of a running proxy.
#[derive(Debug, Default)]
pub struct ProxyStats {
    /// Connections accepted.
    pub accepted: AtomicU64,
    /// Connections currently open.
    pub open: AtomicU64,
    /// Connections ended by a truncation or reset fault.
    pub faulted: AtomicU64,
}

/// A running proxy; stops when dropped.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    stats: Arc<ProxyStats>,
    handle: JoinHandle<()>,
}

impl Proxy {
    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The proxy's counters.
    pub fn stats(&self) -> &ProxyStats {
        &self.stats
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Binds `listen` and starts forwarding.
///
/// # Errors
///
/// The address cannot be bound.
pub async fn start(listen: SocketAddr, cfg: ProxyConfig) -> std::io::Result<Proxy> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let stats = Arc::new(ProxyStats::default());
    let handle = tokio::spawn(accept_loop(listener, Arc::new(cfg), Arc::clone(&stats)));
    Ok(Proxy {
        addr,
        stats,
        handle,
    })
}

/// Runs the proxy on `listener` until the task is dropped (the binary's entry point).
pub async fn serve(listener: TcpListener, cfg: ProxyConfig) {
    accept_loop(listener, Arc::new(cfg), Arc::default()).await;
}

async fn accept_loop(listener: TcpListener, cfg: Arc<ProxyConfig>, stats: Arc<ProxyStats>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        stats.accepted.fetch_add(1, Ordering::Relaxed);
        let cfg = Arc::clone(&cfg);
        let stats = Arc::clone(&stats);
        tokio::spawn(async move {
            stats.open.fetch_add(1, Ordering::Relaxed);
            let faulted = connection(client, &cfg).await;
            if faulted {
                stats.faulted.fetch_add(1, Ordering::Relaxed);
            }
            stats.open.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

/// How one direction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The source closed (or failed); the destination's write side was shut down.
    Eof,
    /// Stalled at the limit (never returned by [`pump`]: it waits forever).
    Stall,
    /// Cut at the limit: close both sides.
    Truncate,
    /// Cut at the limit: reset both sides.
    Reset,
}

async fn upstream_socket(cfg: &ProxyConfig) -> std::io::Result<TcpStream> {
    let socket = if cfg.upstream.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if cfg.to_client.stall_after.is_some() {
        socket.set_recv_buffer_size(SMALL_BUFFER)?;
    }
    socket.connect(cfg.upstream).await
}

/// Forwards one connection; `true` if a truncation or reset fault ended it.
async fn connection(client: TcpStream, cfg: &ProxyConfig) -> bool {
    let Ok(server) = upstream_socket(cfg).await else {
        return false;
    };
    let resets = cfg.to_server.reset_after.is_some() || cfg.to_client.reset_after.is_some();
    if resets {
        for s in [&client, &server] {
            let _ = socket_linger_zero(s);
        }
    }
    if cfg.to_client.stall_after.is_some() {
        let _ = client_send_buffer_small(&client);
    }
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client, mut server) = (client, server);
    // Borrowed halves: dropping them does not shut the socket down, so a reset is a bare RST.
    let (cr, cw) = client.split();
    let (sr, sw) = server.split();
    let up = pump(cr, sw, cfg.to_server.clone());
    let down = pump(sr, cw, cfg.to_client.clone());
    tokio::pin!(up, down);
    let (first, rest) = tokio::select! {
        o = &mut up => (o, 0),
        o = &mut down => (o, 1),
    };
    match first {
        Outcome::Eof => {
            if rest == 0 {
                let _ = timeout(HALF_CLOSE_LINGER, &mut down).await;
            } else {
                let _ = timeout(HALF_CLOSE_LINGER, &mut up).await;
            }
            false
        }
        Outcome::Truncate | Outcome::Reset => true,
        Outcome::Stall => false,
    }
}

/// `SO_LINGER` 0, so that dropping the socket sends RST.
fn socket_linger_zero(s: &TcpStream) -> std::io::Result<()> {
    socket_ref(s).set_linger(Some(Duration::ZERO))
}

fn client_send_buffer_small(s: &TcpStream) -> std::io::Result<()> {
    socket_ref(s).set_send_buffer_size(SMALL_BUFFER as usize)
}

fn socket_ref(s: &TcpStream) -> socket2::SockRef<'_> {
    socket2::SockRef::from(s)
}

/// Forwards `src` to `dst` with `faults`.
async fn pump<R, W>(mut src: R, mut dst: W, faults: Faults) -> Outcome
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>, Option<Outcome>)>(256);
    let cut = faults.cut();
    let chunk = faults.throttle_bps.map_or(CHUNK, |bps| {
        usize::try_from(bps / 50).unwrap_or(CHUNK).clamp(1, CHUNK)
    });
    let read = async move {
        let mut total = 0u64;
        let mut buf = vec![0u8; chunk];
        loop {
            let n = match src.read(&mut buf).await {
                Ok(0) | Err(_) => {
                    let _ = tx
                        .send((Instant::now(), Vec::new(), Some(Outcome::Eof)))
                        .await;
                    return;
                }
                Ok(n) => n,
            };
            let mut data = buf.get(..n).unwrap_or_default().to_vec();
            let mut end = None;
            if let Some((limit, how)) = cut
                && total + n as u64 >= limit
            {
                data.truncate(usize::try_from(limit.saturating_sub(total)).unwrap_or(0));
                end = Some(how);
            }
            total += data.len() as u64;
            if tx.send((Instant::now(), data, end)).await.is_err() {
                return;
            }
            if end.is_some() {
                // Stalled or cut: read no more, keep the socket open.
                std::future::pending::<()>().await;
            }
        }
    };
    let write = async move {
        let mut next_free = Instant::now();
        while let Some((at, data, end)) = rx.recv().await {
            if !faults.delay.is_zero() {
                sleep_until(at + faults.delay).await;
            }
            if let Some(bps) = faults.throttle_bps.filter(|b| *b > 0) {
                let now = Instant::now();
                next_free =
                    next_free.max(now) + Duration::from_secs_f64(data.len() as f64 / bps as f64);
                sleep_until(next_free).await;
            }
            if !data.is_empty() && dst.write_all(&data).await.is_err() {
                return Outcome::Eof;
            }
            match end {
                None => {}
                Some(Outcome::Eof) => {
                    let _ = dst.shutdown().await;
                    return Outcome::Eof;
                }
                Some(Outcome::Stall) => std::future::pending::<()>().await,
                Some(how) => return how,
            }
        }
        Outcome::Eof
    };
    tokio::select! {
        () = read => Outcome::Eof,
        o = write => o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn echo_server() -> SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = s.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    async fn proxy(to_server: Faults) -> Proxy {
        let cfg = ProxyConfig {
            upstream: echo_server().await,
            to_server,
            to_client: Faults::default(),
        };
        start("127.0.0.1:0".parse().unwrap(), cfg).await.unwrap()
    }

    #[tokio::test]
    async fn clean_forwarding_echoes_everything() {
        let p = proxy(Faults::default()).await;
        let mut s = TcpStream::connect(p.addr()).await.unwrap();
        s.write_all(b"hello proxy").await.unwrap();
        let mut buf = [0u8; 11];
        timeout(Duration::from_secs(5), s.read_exact(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf, b"hello proxy");
    }

    #[tokio::test]
    async fn delay_adds_latency() {
        let p = proxy(Faults {
            delay: Duration::from_millis(150),
            ..Faults::default()
        })
        .await;
        let mut s = TcpStream::connect(p.addr()).await.unwrap();
        let t = Instant::now();
        s.write_all(b"x").await.unwrap();
        let mut buf = [0u8; 1];
        timeout(Duration::from_secs(5), s.read_exact(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(
            t.elapsed() >= Duration::from_millis(150),
            "{:?}",
            t.elapsed()
        );
    }

    #[tokio::test]
    async fn truncation_forwards_exactly_the_limit_then_closes() {
        // An upstream that reports everything it received until EOF.
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = l.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let mut got = Vec::new();
            let _ = s.read_to_end(&mut got).await;
            let _ = tx.send(got);
        });
        let cfg = ProxyConfig {
            upstream,
            to_server: Faults {
                truncate_after: Some(5),
                ..Faults::default()
            },
            to_client: Faults::default(),
        };
        let p = start("127.0.0.1:0".parse().unwrap(), cfg).await.unwrap();
        let mut s = TcpStream::connect(p.addr()).await.unwrap();
        s.write_all(b"0123456789").await.unwrap();
        let got = timeout(Duration::from_secs(5), rx).await.unwrap().unwrap();
        assert_eq!(got, b"01234");
        let mut rest = Vec::new();
        let r = timeout(Duration::from_secs(5), s.read_to_end(&mut rest))
            .await
            .unwrap();
        assert!(
            r.is_ok() && rest.is_empty(),
            "the client side is closed too: {r:?}"
        );
        assert_eq!(p.stats().faulted.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn reset_resets_the_client() {
        let p = proxy(Faults {
            reset_after: Some(3),
            ..Faults::default()
        })
        .await;
        let mut s = TcpStream::connect(p.addr()).await.unwrap();
        s.write_all(b"abcdef").await.unwrap();
        let mut got = Vec::new();
        let r = timeout(Duration::from_secs(5), s.read_to_end(&mut got))
            .await
            .unwrap();
        assert_eq!(
            r.map_err(|e| e.kind()),
            Err(std::io::ErrorKind::ConnectionReset),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn a_stall_forwards_the_limit_and_keeps_the_connection_open() {
        let p = proxy(Faults {
            stall_after: Some(4),
            ..Faults::default()
        })
        .await;
        let mut s = TcpStream::connect(p.addr()).await.unwrap();
        s.write_all(b"abcdefgh").await.unwrap();
        let mut buf = [0u8; 4];
        timeout(Duration::from_secs(5), s.read_exact(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf, b"abcd");
        let mut more = [0u8; 1];
        assert!(
            timeout(Duration::from_millis(300), s.read(&mut more))
                .await
                .is_err(),
            "data or EOF after the stall"
        );
    }

    #[tokio::test]
    async fn throttle_caps_the_rate() {
        let p = proxy(Faults {
            throttle_bps: Some(20_000),
            ..Faults::default()
        })
        .await;
        let mut s = TcpStream::connect(p.addr()).await.unwrap();
        let t = Instant::now();
        s.write_all(&[7u8; 10_000]).await.unwrap();
        let mut buf = vec![0u8; 10_000];
        timeout(Duration::from_secs(5), s.read_exact(&mut buf))
            .await
            .unwrap()
            .unwrap();
        // 10 kB at 20 kB/s: at least ~0.5 s.
        assert!(
            t.elapsed() >= Duration::from_millis(450),
            "{:?}",
            t.elapsed()
        );
    }
}
