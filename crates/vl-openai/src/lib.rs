//! Tolerant OpenAI-compatible HTTP clients.
//!
//! - [`ChatClient`]: streaming Chat Completions (SSE) with tools, for OpenAI, Azure OpenAI (v1
//!   endpoint or deployment URLs), llama-server, vLLM, Ollama and LM Studio. Yields
//!   [`ChatEvent`]s: text deltas, complete tool calls, then `Done` with usage and finish reason.
//! - Sans-IO parts usable on their own: [`sse::SseParser`] and [`chat::ChatAccumulator`].
//! - [`http_client`] / [`http_client_builder`]: a `reqwest` client with the TLS provider (ring)
//!   installed once per process; every HTTP client of the project starts there.
//!
//! Robustness: connect timeout; retries with exponential backoff on connect errors, 429 and 5xx
//! before any response byte (never after a stream began); a first-token timeout that keep-alive
//! comments do not reset; a stall timeout; size caps on events, bodies and tool arguments;
//! errors ([`Error`]) written for people, carrying at most a short excerpt of a server's text.
//! No server bytes can make it panic.
//!
//! ```no_run
//! # async fn demo() -> Result<(), vl_openai::Error> {
//! use vl_openai::{ChatClient, ChatEvent, ChatRequest, ClientConfig, ContextItem, Role};
//!
//! let client = ChatClient::new(
//!     ClientConfig::new("http://127.0.0.1:8080/v1").with_model("gpt-4o-mini"),
//! )?;
//! let req = ChatRequest {
//!     instructions: "You are brief.".into(),
//!     context: vec![ContextItem::Message { role: Role::User, text: "Hi!".into() }],
//!     temperature: Some(0.8),
//!     max_output_tokens: Some(200),
//!     ..Default::default()
//! };
//! let mut stream = client.stream(&req).await?;
//! while let Some(ev) = stream.next().await {
//!     match ev? {
//!         ChatEvent::TextDelta(t) => print!("{t}"),
//!         ChatEvent::ToolCall(call) => println!("call {} {}({})", call.id, call.name, call.arguments),
//!         ChatEvent::Done { usage, finish_reason } => println!("\n{finish_reason:?} {usage:?}"),
//!     }
//! }
//! # Ok(()) }
//! ```
#![warn(clippy::indexing_slicing)]

mod audio;
pub mod chat;
mod client;
mod config;
mod error;
mod request;
pub mod sse;
mod transport;
mod types;

pub use audio::{
    SPEECH_SAMPLE_RATE_HZ, SpeechClient, SpeechRequest, SpeechStream, TranscriptionClient,
    TranscriptionRequest, wav_bytes,
};
pub use client::{ChatClient, ChatCompletion, ChatStream};
pub use config::{
    AuthStyle, ClientConfig, Limits, MaxTokensField, RetryPolicy, Timeouts, is_azure_host,
    resolve_url,
};
pub use error::{EXCERPT_CHARS, Error, error_message_from_body, excerpt};
pub use request::{MISSING_TOOL_OUTPUT, messages};
pub use transport::{http_client, http_client_builder, install_tls_provider};
pub use types::{
    ChatEvent, ChatRequest, ContextItem, FinishReason, Role, TokenUsage, ToolCall, ToolChoice,
    ToolSpec, WireFunction, WireMessage, WireToolCall,
};
