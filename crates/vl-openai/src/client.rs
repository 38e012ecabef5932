//! The streaming Chat Completions client.

use std::collections::VecDeque;
use std::sync::Arc;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Response, Url};
use tokio::time::Instant;

use crate::chat::ChatAccumulator;
use crate::config::{ClientConfig, resolve_url};
use crate::error::Error;
use crate::request::{BodyOptions, body};
use crate::sse::SseParser;
use crate::transport::{Transport, describe, read_capped};
use crate::types::{ChatEvent, ChatRequest, FinishReason, TokenUsage, ToolCall};

/// A client for `POST {endpoint}/chat/completions`; cheap to clone, safe to share.
#[derive(Debug, Clone)]
pub struct ChatClient {
    transport: Arc<Transport>,
    url: Url,
}

/// A whole (collected) completion.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatCompletion {
    /// All text deltas joined.
    pub text: String,
    /// The tool calls, in order.
    pub tool_calls: Vec<ToolCall>,
    /// Token counts, when the server reported them.
    pub usage: Option<TokenUsage>,
    /// Why it ended.
    pub finish_reason: FinishReason,
}

impl ChatClient {
    /// A client for `cfg`.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for a bad endpoint, [`Error::Request`] for an API key or extra
    /// header that cannot be sent.
    pub fn new(cfg: ClientConfig) -> Result<Self, Error> {
        let url = resolve_url(&cfg.endpoint, "chat/completions")?;
        let transport = Arc::new(Transport::new(cfg, &url)?);
        Ok(Self { transport, url })
    }

    /// The resolved request URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.transport.cfg
    }

    /// Sends `req` with `stream: true` and returns once the response headers arrived (after
    /// retries). Read the events with [`ChatStream::next`]; drop the stream to cancel (the
    /// connection is closed, which stops generation on servers that notice).
    ///
    /// # Errors
    /// Connection, status and timeout errors of the request ([`Error::Connect`],
    /// [`Error::RateLimited`], [`Error::Status`], [`Error::ResponseTimeout`], ...).
    pub async fn stream(&self, req: &ChatRequest) -> Result<ChatStream, Error> {
        let cfg = &self.transport.cfg;
        let wire = body(
            req,
            BodyOptions {
                model: cfg.model.as_deref(),
                stream: true,
                include_usage: cfg.include_usage,
                max_tokens_field: cfg.max_tokens_field,
            },
        );
        let json = serde_json::to_vec(&wire).map_err(|e| Error::Request(e.to_string()))?;
        let json = bytes_of(json);
        let make = move |rb: reqwest::RequestBuilder| {
            rb.header(CONTENT_TYPE, "application/json")
                .header(
                    reqwest::header::ACCEPT,
                    "text/event-stream, application/json",
                )
                .body(json.clone())
        };
        let (resp, started) = self.transport.post(&self.url, &make).await?;
        Ok(ChatStream::new(resp, started, cfg))
    }

    /// Streams `req` and collects the whole completion.
    ///
    /// # Errors
    /// As [`stream`](Self::stream), plus the stream's errors.
    pub async fn complete(&self, req: &ChatRequest) -> Result<ChatCompletion, Error> {
        let mut s = self.stream(req).await?;
        let mut out = ChatCompletion::default();
        while let Some(ev) = s.next().await {
            match ev? {
                ChatEvent::TextDelta(t) => out.text.push_str(&t),
                ChatEvent::ToolCall(c) => out.tool_calls.push(c),
                ChatEvent::Done {
                    usage,
                    finish_reason,
                } => {
                    out.usage = usage;
                    out.finish_reason = finish_reason;
                }
            }
        }
        Ok(out)
    }
}

fn bytes_of(v: Vec<u8>) -> bytes::Bytes {
    bytes::Bytes::from(v)
}

/// The events of one streamed completion: text deltas and tool calls, then one
/// [`ChatEvent::Done`], then `None`. An error ends the stream (the next call returns `None`).
#[derive(Debug)]
pub struct ChatStream {
    resp: Option<Response>,
    json_body: bool,
    parser: SseParser,
    acc: ChatAccumulator,
    pending: VecDeque<ChatEvent>,
    first_token_deadline: Instant,
    timeouts: crate::config::Timeouts,
    max_response_bytes: usize,
    received: usize,
}

impl ChatStream {
    fn new(resp: Response, started: Instant, cfg: &ClientConfig) -> Self {
        let json_body = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.to_ascii_lowercase().contains("application/json"));
        Self {
            resp: Some(resp),
            json_body,
            parser: SseParser::new(cfg.limits.max_event_bytes),
            acc: ChatAccumulator::new(cfg.limits.max_tool_arguments_bytes),
            pending: VecDeque::new(),
            first_token_deadline: started + cfg.timeouts.first_token,
            timeouts: cfg.timeouts,
            max_response_bytes: cfg.limits.max_response_bytes,
            received: 0,
        }
    }

    /// The next event; `None` after [`ChatEvent::Done`] or an error.
    pub async fn next(&mut self) -> Option<Result<ChatEvent, Error>> {
        loop {
            if let Some(ev) = self.pending.pop_front() {
                return Some(Ok(ev));
            }
            let resp = self.resp.take()?;
            match self.advance(resp).await {
                Ok(Some(resp)) => self.resp = Some(resp),
                Ok(None) => {}
                Err(e) => {
                    self.pending.clear();
                    return Some(Err(e));
                }
            }
        }
    }

    /// Reads once; returns the response back while more is to come.
    async fn advance(&mut self, mut resp: Response) -> Result<Option<Response>, Error> {
        let mut out = Vec::new();
        if self.json_body {
            // A server that ignored `stream: true`: one whole completion.
            let body =
                read_capped(resp, self.max_response_bytes, self.timeouts.stall, false).await?;
            let text = String::from_utf8_lossy(&body);
            if text.trim().is_empty() {
                return Err(Error::EmptyResponse);
            }
            self.acc.push_data(&text, &mut out)?;
            self.acc.finish(&mut out);
            self.pending.extend(out);
            return Ok(None);
        }
        let now = Instant::now();
        let (wait, first_token) = if self.acc.got_output() {
            (self.timeouts.stall, false)
        } else {
            let left = self.first_token_deadline.saturating_duration_since(now);
            if left <= self.timeouts.stall {
                (left, true)
            } else {
                (self.timeouts.stall, false)
            }
        };
        let chunk = match tokio::time::timeout(wait, resp.chunk()).await {
            Err(_) if first_token => {
                return Err(Error::FirstTokenTimeout(self.timeouts.first_token));
            }
            Err(_) => return Err(Error::Stalled(self.timeouts.stall)),
            Ok(Err(e)) => return Err(Error::Interrupted(describe(&e))),
            Ok(Ok(c)) => c,
        };
        let Some(chunk) = chunk else {
            if let Some(ev) = self.parser.finish() {
                self.push_event(&ev.data, &mut out)?;
            }
            self.acc.finish_eof(&mut out)?;
            self.pending.extend(out);
            return Ok(None);
        };
        self.received += chunk.len();
        if self.received > self.max_response_bytes {
            return Err(Error::TooLarge {
                what: "response",
                limit: self.max_response_bytes,
            });
        }
        let mut events = Vec::new();
        self.parser
            .push(&chunk, &mut events)
            .map_err(|e| Error::TooLarge {
                what: "event",
                limit: e.limit,
            })?;
        for ev in events {
            if ev.event.as_deref() == Some("error") {
                return Err(Error::Service(crate::error::error_message_from_body(
                    ev.data.as_bytes(),
                )));
            }
            self.push_event(&ev.data, &mut out)?;
            if self.acc.is_done() {
                self.pending.extend(out);
                // `[DONE]`: stop reading; dropping the response closes or frees the connection.
                return Ok(None);
            }
        }
        self.pending.extend(out);
        Ok(Some(resp))
    }

    fn push_event(&mut self, data: &str, out: &mut Vec<ChatEvent>) -> Result<(), Error> {
        if data.trim() == "[DONE]" {
            self.acc.finish(out);
            Ok(())
        } else {
            self.acc.push_data(data, out)
        }
    }
}
