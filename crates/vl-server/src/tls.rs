//! TLS termination with rustls (reliability.md §3): TLS 1.2 and 1.3 only, ALPN `http/1.1`, the
//! certificate chain and key read from PEM files at startup, the `ring` provider (the one
//! vl-openai's client already uses).
//!
//! Handshakes run in their own tasks, each bounded by [`HANDSHAKE_TIMEOUT`] and at most
//! [`MAX_PENDING_HANDSHAKES`] at once, so a slow or silent client never holds up the accept
//! loop; finished streams are handed to axum through [`TlsListener`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tracing::debug;

/// Longest TLS handshake accepted.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most TLS handshakes in progress at once; further connections wait in the kernel backlog.
pub const MAX_PENDING_HANDSHAKES: usize = 1024;
/// Finished handshakes waiting for axum.
const READY_QUEUE: usize = 256;

/// Where the certificate chain and key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key of the leaf.
    pub key: PathBuf,
}

/// Reads the PEM chain and key of `cfg` into an acceptor.
///
/// # Errors
///
/// A file cannot be read or parsed, or the key does not fit the certificate.
pub fn acceptor(cfg: &TlsConfig) -> std::io::Result<TlsAcceptor> {
    let (cert, key) = (&cfg.cert, &cfg.key);
    let bad = |what: &str, p: &Path, e: &dyn std::fmt::Display| {
        std::io::Error::other(format!("{what} {}: {e}", p.display()))
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad("TLS certificate", cert, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad("TLS certificate", cert, &e))?;
    if certs.is_empty() {
        return Err(bad("TLS certificate", cert, &"no certificate in the file"));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| bad("TLS key", key, &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| std::io::Error::other(format!("TLS versions: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| bad("TLS key", key, &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A listener that yields TLS streams whose handshake finished.
#[derive(Debug)]
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    accept_task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    /// Accepts on `tcp` and runs each handshake in its own task.
    ///
    /// # Errors
    ///
    /// The listener has no local address.
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(READY_QUEUE);
        let pending = Arc::new(Semaphore::new(MAX_PENDING_HANDSHAKES));
        let accept_task = tokio::spawn(async move {
            loop {
                let Ok(permit) = Arc::clone(&pending).acquire_owned().await else {
                    return;
                };
                let (stream, peer) = match tcp.accept().await {
                    Ok(pair) => pair,
                    Err(e) => {
                        debug!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let done =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await;
                    drop(permit);
                    match done {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self {
            ready,
            local,
            accept_task,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(pair) => pair,
            // The accept task never ends while the listener lives.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// The peer address of a connection, plain or TLS (axum's `ConnectInfo`).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

/// A plain TCP listener that turns Nagle's algorithm off on every accepted connection:
/// realtime events are small writes, and with Nagle on a second write waits for the ACK of the
/// first, which the peer's delayed ACK can hold back ~40 ms.
#[derive(Debug)]
pub struct NoDelayListener(pub TcpListener);

impl Listener for NoDelayListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, peer) = Listener::accept(&mut self.0).await;
        if let Err(e) = stream.set_nodelay(true) {
            debug!(error = %e, "could not set TCP_NODELAY");
        }
        (stream, peer)
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

impl Connected<IncomingStream<'_, NoDelayListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, NoDelayListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        Self(*stream.remote_addr())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every connection the plain listener hands to axum has Nagle's algorithm off.
    #[tokio::test]
    async fn plain_connections_have_nodelay_set() {
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        let mut listener = NoDelayListener(tcp);
        let client = tokio::spawn(async move { TcpStream::connect(addr).await.unwrap() });
        let (stream, _) = Listener::accept(&mut listener).await;
        assert!(
            stream.nodelay().unwrap(),
            "accepted stream still has Nagle on"
        );
        drop(client.await.unwrap());
    }
}
