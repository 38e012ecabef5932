//! The self-hosted Voice Live server binary: `vl-server --help` lists every flag.

use clap::Parser as _;
use tracing_subscriber::EnvFilter;
use vl_server::config::{Cli, Config, LogFormat};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_cli(cli)?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    match config.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = ?config.backend, auth = config.api_key.is_some(), "listening");
    vl_server::server::run(listener, config, vl_server::shutdown::signal()).await?;
    Ok(())
}
