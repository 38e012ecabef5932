//! A loopback OpenAI-compatible chat worker.
//!
//! The embedded LLM runs in its own process (llama.cpp and whisper.cpp cannot be linked into
//! one binary: duplicate ggml symbols), and the server talks to it through the same
//! `vl-openai` adapter it uses for real services. Endpoints: `POST /v1/chat/completions`
//! (SSE streaming with `stream: true`, else one JSON answer), `GET /v1/models`, `GET /health`.
//!
//! Models: `llama::LlamaChat` (feature `llama`; SmolLM2-135M-Instruct, an offline *demo*
//! model that cannot call tools — when a request offers tools it answers in prose, prefixed
//! with [`server::TOOLS_NOTICE`]) and [`model::EchoTestModel`], a deterministic test model.
#![warn(clippy::indexing_slicing)]

#[cfg(feature = "llama")]
pub mod llama;
pub mod model;
pub mod server;
pub mod stop;
