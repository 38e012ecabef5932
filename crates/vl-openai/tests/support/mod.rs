//! A scripted HTTP/1.1 test server on a loopback port: each accepted connection plays the next
//! [`Reply`] (the last one repeats), writing every [`Step::Send`] as its own flushed chunk so
//! chunk boundaries land where the test puts them.

#![allow(dead_code, reason = "each test binary uses a subset")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: failures are test failures"
)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One thing the server does while answering.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// Write these bytes as one HTTP chunk (or raw, for a non-chunked reply) and flush.
    Send(Vec<u8>),
    /// Wait.
    Sleep(Duration),
    /// Reset the connection (RST) right now.
    Reset,
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// Status line tail, e.g. `200 OK`.
    pub(crate) status: String,
    /// Extra headers.
    pub(crate) headers: Vec<(String, String)>,
    /// `Transfer-Encoding: chunked` (else `Content-Length` of all sends).
    pub(crate) chunked: bool,
    /// What to do.
    pub(crate) steps: Vec<Step>,
}

impl Reply {
    /// A 200 `text/event-stream` reply sending each string as its own chunk.
    pub(crate) fn sse(chunks: &[&str]) -> Self {
        Self {
            status: "200 OK".into(),
            headers: vec![("Content-Type".into(), "text/event-stream".into())],
            chunked: true,
            steps: chunks
                .iter()
                .map(|c| Step::Send(c.as_bytes().to_vec()))
                .collect(),
        }
    }

    /// A reply with a status and a JSON body.
    pub(crate) fn json(status: &str, body: &str) -> Self {
        Self {
            status: status.into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            chunked: false,
            steps: vec![Step::Send(body.as_bytes().to_vec())],
        }
    }

    /// Resets the connection before any response byte.
    pub(crate) fn reset() -> Self {
        Self {
            status: String::new(),
            headers: vec![],
            chunked: false,
            steps: vec![Step::Reset],
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    /// `POST /v1/chat/completions?x HTTP/1.1`.
    pub(crate) request_line: String,
    /// Headers, names lowercased.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: Vec<u8>,
}

impl Captured {
    /// A header's value.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// The running server.
#[derive(Debug, Clone)]
pub(crate) struct TestServer {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// Requests seen, in order.
    pub(crate) requests: Arc<Mutex<Vec<Captured>>>,
    /// Write errors seen (the client went away), counted.
    pub(crate) write_errors: Arc<Mutex<u32>>,
}

impl TestServer {
    /// Starts a server answering with `replies` in order.
    pub(crate) async fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let write_errors = Arc::new(Mutex::new(0));
        let (reqs, errs) = (requests.clone(), write_errors.clone());
        tokio::spawn(async move {
            let mut n = 0usize;
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let reply = replies.get(n).or(replies.last()).cloned().unwrap();
                n += 1;
                let (reqs, errs) = (reqs.clone(), errs.clone());
                tokio::spawn(async move {
                    if serve(sock, reply, reqs).await.is_err() {
                        *errs.lock().unwrap() += 1;
                    }
                });
            }
        });
        Self {
            addr,
            requests,
            write_errors,
        }
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// How many requests arrived.
    pub(crate) fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// The `i`th request.
    pub(crate) fn request(&self, i: usize) -> Captured {
        self.requests.lock().unwrap()[i].clone()
    }
}

async fn read_request(sock: &mut TcpStream) -> std::io::Result<Captured> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    Ok(Captured {
        request_line,
        headers,
        body,
    })
}

async fn serve(
    mut sock: TcpStream,
    reply: Reply,
    reqs: Arc<Mutex<Vec<Captured>>>,
) -> std::io::Result<()> {
    sock.set_nodelay(true)?;
    let req = read_request(&mut sock).await?;
    reqs.lock().unwrap().push(req);
    if matches!(reply.steps.first(), Some(Step::Reset)) {
        sock.set_zero_linger()?;
        return Ok(());
    }
    let mut head = format!("HTTP/1.1 {}\r\nConnection: close\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if reply.chunked {
        head.push_str("Transfer-Encoding: chunked\r\n");
    } else {
        let len: usize = reply
            .steps
            .iter()
            .map(|s| if let Step::Send(b) = s { b.len() } else { 0 })
            .sum();
        head.push_str(&format!("Content-Length: {len}\r\n"));
    }
    head.push_str("\r\n");
    sock.write_all(head.as_bytes()).await?;
    sock.flush().await?;
    for step in reply.steps {
        match step {
            Step::Send(b) => {
                if reply.chunked {
                    if b.is_empty() {
                        continue;
                    }
                    sock.write_all(format!("{:x}\r\n", b.len()).as_bytes())
                        .await?;
                    sock.write_all(&b).await?;
                    sock.write_all(b"\r\n").await?;
                } else {
                    sock.write_all(&b).await?;
                }
                sock.flush().await?;
                // Let the client read this chunk on its own.
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
            Step::Sleep(d) => tokio::time::sleep(d).await,
            Step::Reset => {
                sock.set_zero_linger()?;
                return Ok(());
            }
        }
    }
    if reply.chunked {
        sock.write_all(b"0\r\n\r\n").await?;
    }
    sock.flush().await?;
    let _ = sock.shutdown().await;
    Ok(())
}
