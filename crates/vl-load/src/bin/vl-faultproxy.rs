//! `vl-faultproxy`: a TCP proxy that delays, throttles, stalls, truncates or resets connections
//! on their way to an upstream server. `vl-faultproxy --help` lists the flags.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use vl_load::faultproxy::{Faults, ProxyConfig};

/// Which directions the faults apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Direction {
    /// Client → server and server → client.
    Both,
    /// Client → server only.
    ToServer,
    /// Server → client only.
    ToClient,
}

/// Fault-injecting TCP proxy.
#[derive(Debug, Parser)]
#[command(name = "vl-faultproxy", version, about)]
struct Args {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:9090")]
    listen: SocketAddr,
    /// Address to forward to
    #[arg(long)]
    upstream: SocketAddr,
    /// Which directions get the faults
    #[arg(long, value_enum, default_value = "both")]
    direction: Direction,
    /// Added latency per chunk, in ms
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    /// Bandwidth cap, in bytes/s
    #[arg(long)]
    throttle_bps: Option<u64>,
    /// Stop forwarding after this many bytes (the connection stays open)
    #[arg(long)]
    stall_after: Option<u64>,
    /// Close both sides after this many bytes
    #[arg(long)]
    truncate_after: Option<u64>,
    /// Reset both sides after this many bytes
    #[arg(long)]
    reset_after: Option<u64>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let faults = Faults {
        delay: Duration::from_millis(a.delay_ms),
        throttle_bps: a.throttle_bps,
        stall_after: a.stall_after,
        truncate_after: a.truncate_after,
        reset_after: a.reset_after,
    };
    let pick = |on: bool| {
        if on {
            faults.clone()
        } else {
            Faults::default()
        }
    };
    let cfg = ProxyConfig {
        upstream: a.upstream,
        to_server: pick(a.direction != Direction::ToClient),
        to_client: pick(a.direction != Direction::ToServer),
    };
    let listener = tokio::net::TcpListener::bind(a.listen).await?;
    eprintln!(
        "vl-faultproxy: {} -> {} ({:?})",
        listener.local_addr()?,
        a.upstream,
        a.direction
    );
    vl_load::faultproxy::serve(listener, cfg).await;
    Ok(())
}
