//! The self-hosted Voice Live server binary: `vl-server --help` lists every flag.

use clap::Parser as _;
use tracing_subscriber::EnvFilter;
use vl_server::config::{Cli, Config, LogFormat};

fn main() -> anyhow::Result<()> {
    // Before the runtime starts any thread (see vl_server::malloc).
    let arenas = vl_server::malloc::cap_arenas(vl_server::malloc::DEFAULT_ARENAS);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(arenas))
}

async fn serve(malloc_arenas: Option<usize>) -> anyhow::Result<()> {
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
    tracing::info!(%addr, backend = ?config.backend, auth = config.api_key.is_some(), ?malloc_arenas, "listening");
    vl_server::server::run(listener, config, vl_server::shutdown::signal()).await?;
    Ok(())
}
