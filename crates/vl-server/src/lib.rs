//! The self-hosted Voice Live server: HTTP and WebSocket transport, authentication, limits and
//! graceful shutdown around the sans-IO [`vl_engine`] session.
//!
//! The binary (`src/main.rs`) parses [`config::Cli`] into a [`config::Config`] and calls
//! [`server::run`]; integration tests call the same function on a `127.0.0.1:0` listener:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let config = vl_server::config::Config::default();
//! vl_server::server::run(listener, config, vl_server::shutdown::signal()).await
//! # }
//! ```
// Unsafe code only in `malloc`, for two glibc calls.
#![deny(unsafe_code)]

pub mod admission;
pub mod auth;
#[cfg(feature = "avatar")]
pub mod avatar;
pub mod backends;
pub mod config;
mod connection;
pub mod console;
#[cfg(feature = "deepfilter")]
pub mod deep_ns;
mod engine;
pub mod jwt;
pub mod malloc;
pub mod metrics;
pub mod params;
pub mod quota;
pub mod server;
pub mod shutdown;
pub mod tls;
