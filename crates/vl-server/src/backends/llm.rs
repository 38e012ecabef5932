//! The generation slot: scripted, an OpenAI-compatible service, or the embedded
//! `vl-llm-worker` child process (spoken to through the same OpenAI-compatible client).

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use vl_engine::BackendOutput;
use vl_engine::backend::{self as eb, GenerateRequest};
use vl_openai::{ChatClient, ChatEvent, ChatRequest};

use super::Out;
use super::config::{LlmConfig, ServiceConfig};

/// How long the worker may take to load its model and print its address.
const WORKER_START_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a request waits for a restarting worker.
const WORKER_WAIT: Duration = Duration::from_secs(15);
/// Restart backoff: first delay and cap.
const BACKOFF_FIRST: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// A worker that ran this long resets the backoff.
const HEALTHY_RUN: Duration = Duration::from_secs(60);

/// The started LLM slot.
#[derive(Debug)]
pub(crate) enum Llm {
    /// Answered by the session's scripted backend.
    Scripted,
    /// An OpenAI-compatible service.
    OpenAi {
        /// The client (shared connection pool).
        client: ChatClient,
    },
    /// The supervised worker process.
    Embedded(Worker),
}

impl Llm {
    /// Starts the slot `config` names (for `embedded`: the worker, waiting for its address).
    pub(crate) async fn start(config: &LlmConfig) -> anyhow::Result<Self> {
        match config {
            LlmConfig::Scripted => Ok(Self::Scripted),
            LlmConfig::OpenAi(service) => Ok(Self::OpenAi {
                client: client_for(service)?,
            }),
            LlmConfig::Embedded {
                worker,
                gguf,
                model,
            } => Ok(Self::Embedded(
                Worker::start(worker.clone(), gguf.clone(), model.clone()).await?,
            )),
        }
    }

    /// A short name for logs.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Scripted => "scripted",
            Self::OpenAi { .. } => "openai",
            Self::Embedded(_) => "embedded",
        }
    }

    /// Stops the worker process, if any.
    pub(crate) async fn shutdown(&self) {
        if let Self::Embedded(w) = self {
            w.shutdown().await;
        }
    }

    /// Generates one turn, streaming text deltas and tool calls.
    pub(crate) async fn generate(&self, request: GenerateRequest, out: Out) {
        match self {
            Self::Scripted => drop((request, out)),
            Self::OpenAi { client } => generate_with(client, request, out).await,
            Self::Embedded(w) => match w.client().await {
                Some(client) => generate_with(&client, request, out).await,
                None => {
                    out.fail(
                        "backend_unavailable",
                        "the embedded LLM worker is not running (restarting); try again",
                    )
                    .await;
                }
            },
        }
    }
}

fn client_for(service: &ServiceConfig) -> anyhow::Result<ChatClient> {
    ChatClient::new(super::client_config(service))
        .map_err(|e| anyhow::anyhow!("LLM service {}: {e}", service.url))
}

/// The engine's generation request in the client's terms.
fn chat_request(r: GenerateRequest) -> ChatRequest {
    let context = r
        .context
        .into_iter()
        .filter_map(|item| match item {
            eb::ContextItem::Message { role, text } => Some(vl_openai::ContextItem::Message {
                role: match role {
                    eb::Role::System => vl_openai::Role::System,
                    eb::Role::User => vl_openai::Role::User,
                    eb::Role::Assistant => vl_openai::Role::Assistant,
                },
                text,
            }),
            eb::ContextItem::FunctionCall {
                call_id,
                name,
                arguments,
            } => Some(vl_openai::ContextItem::FunctionCall {
                call_id,
                name,
                arguments,
            }),
            eb::ContextItem::FunctionCallOutput { call_id, output } => {
                Some(vl_openai::ContextItem::FunctionCallOutput { call_id, output })
            }
            _ => None,
        })
        .collect();
    ChatRequest {
        model: None,
        instructions: r.instructions,
        context,
        tools: r
            .tools
            .into_iter()
            .map(|t| vl_openai::ToolSpec {
                name: t.name,
                description: t.description,
                parameters: t.parameters,
            })
            .collect(),
        tool_choice: match r.tool_choice {
            eb::ToolChoice::Auto => vl_openai::ToolChoice::Auto,
            eb::ToolChoice::None => vl_openai::ToolChoice::None,
            eb::ToolChoice::Required => vl_openai::ToolChoice::Required,
            eb::ToolChoice::Function(f) => vl_openai::ToolChoice::Function(f),
        },
        temperature: Some(r.temperature),
        max_output_tokens: r.max_output_tokens,
    }
}

async fn generate_with(client: &ChatClient, request: GenerateRequest, out: Out) {
    let id = out.id();
    let req = chat_request(request);
    let mut stream = match client.stream(&req).await {
        Ok(s) => s,
        Err(e) => return out.fail(e.code(), e.to_string()).await,
    };
    while let Some(event) = stream.next().await {
        let output = match event {
            Ok(ChatEvent::TextDelta(delta)) => BackendOutput::TextDelta { request: id, delta },
            Ok(ChatEvent::ToolCall(call)) => BackendOutput::ToolCall {
                request: id,
                name: call.name,
                arguments: call.arguments,
            },
            Ok(ChatEvent::Done {
                usage,
                finish_reason,
            }) => {
                let usage = usage.unwrap_or_default();
                let _ = out
                    .send(BackendOutput::GenerateDone {
                        request: id,
                        usage: eb::TokenUsage {
                            input_text_tokens: usage.input_text_tokens,
                            cached_tokens: usage.cached_tokens,
                            output_text_tokens: usage.output_text_tokens,
                        },
                        finish: match finish_reason {
                            vl_openai::FinishReason::Length => eb::FinishReason::Length,
                            vl_openai::FinishReason::ContentFilter => {
                                eb::FinishReason::ContentFilter
                            }
                            _ => eb::FinishReason::Stop,
                        },
                    })
                    .await;
                return;
            }
            Err(e) => return out.fail(e.code(), e.to_string()).await,
        };
        if out.send(output).await.is_err() {
            return;
        }
    }
    let _ = out
        .send(BackendOutput::GenerateDone {
            request: id,
            usage: eb::TokenUsage::default(),
            finish: eb::FinishReason::Stop,
        })
        .await;
}

/// The supervised `vl-llm-worker` process: started with `--listen 127.0.0.1:0`, its address
/// read from its first stdout line, restarted with exponential backoff when it dies, killed on
/// shutdown (and when the server process goes away, through `kill_on_drop`).
#[derive(Debug)]
pub(crate) struct Worker {
    url: watch::Receiver<Option<String>>,
    client: Mutex<Option<(String, ChatClient)>>,
    model: Option<String>,
    stop: CancellationToken,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Worker {
    async fn start(program: PathBuf, gguf: PathBuf, model: Option<String>) -> anyhow::Result<Self> {
        let (url_tx, mut url) = watch::channel(None);
        let stop = CancellationToken::new();
        // The first start is checked here so that a broken worker is a startup error.
        let first = spawn_worker(&program, &gguf).await?;
        info!(addr = %first.1, program = %program.display(), "LLM worker started");
        let _ = url_tx.send(Some(format!("http://{}/v1", first.1)));
        let task = tokio::spawn(supervise(program, gguf, first.0, url_tx, stop.clone()));
        let _ = url.borrow_and_update();
        Ok(Self {
            url,
            client: Mutex::new(None),
            model,
            stop,
            task: Mutex::new(Some(task)),
        })
    }

    /// A client for the running worker, waiting a little for a restart.
    async fn client(&self) -> Option<ChatClient> {
        let mut url = self.url.clone();
        let current = tokio::time::timeout(WORKER_WAIT, url.wait_for(Option::is_some))
            .await
            .ok()?
            .ok()?
            .clone()?;
        let mut cached = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((u, c)) = cached.as_ref() {
            if *u == current {
                return Some(c.clone());
            }
        }
        let service = ServiceConfig {
            url: current.clone(),
            api_key: None,
            model: self.model.clone(),
            timeout: None,
        };
        let client = client_for(&service).ok()?;
        *cached = Some((current, client.clone()));
        Some(client)
    }

    async fn shutdown(&self) {
        self.stop.cancel();
        let task = self
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

/// Starts the worker and reads its address.
async fn spawn_worker(
    program: &PathBuf,
    gguf: &PathBuf,
) -> anyhow::Result<(tokio::process::Child, String)> {
    let mut child = tokio::process::Command::new(program)
        .arg("--model")
        .arg(gguf)
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| {
            format!(
                "cannot start the LLM worker `{}` (build it with `cargo build --release -p \
                 vl-llm-worker --features llama`, or pass --llm-worker)",
                program.display()
            )
        })?;
    let stdout = child.stdout.take().context("worker stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(WORKER_START_TIMEOUT, lines.next_line()).await;
    let addr = match line {
        Ok(Ok(Some(line))) if !line.trim().is_empty() => line.trim().to_owned(),
        Ok(_) => {
            let status = child.wait().await.ok();
            anyhow::bail!(
                "the LLM worker `{}` exited before printing its address ({status:?}); see its \
                 log above",
                program.display()
            );
        }
        Err(_) => anyhow::bail!(
            "the LLM worker did not print its address within {} s",
            WORKER_START_TIMEOUT.as_secs()
        ),
    };
    // Keep reading stdout so the worker never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, addr))
}

async fn supervise(
    program: PathBuf,
    gguf: PathBuf,
    mut child: tokio::process::Child,
    url: watch::Sender<Option<String>>,
    stop: CancellationToken,
) {
    let mut backoff = BACKOFF_FIRST;
    loop {
        let started = Instant::now();
        tokio::select! {
            () = stop.cancelled() => {
                let _ = child.kill().await;
                let _ = url.send(None);
                info!("LLM worker stopped");
                return;
            }
            status = child.wait() => {
                let _ = url.send(None);
                warn!(?status, "LLM worker exited; restarting");
            }
        }
        if started.elapsed() > HEALTHY_RUN {
            backoff = BACKOFF_FIRST;
        }
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
            match spawn_worker(&program, &gguf).await {
                Ok((c, addr)) => {
                    info!(%addr, "LLM worker restarted");
                    child = c;
                    let _ = url.send(Some(format!("http://{addr}/v1")));
                    break;
                }
                Err(e) => warn!(error = %format!("{e:#}"), "LLM worker restart failed"),
            }
        }
    }
}
