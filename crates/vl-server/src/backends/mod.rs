//! The backend slots: speech recognition, generation and speech synthesis, each chosen on its
//! own ([`config`]), loaded once per process ([`Backends`]) and driven per session by
//! `run_session`.
//!
//! Per session, every request runs as its own task, so a transcription, a generation and a
//! synthesis proceed at the same time, and each streams its outputs to the engine as they are
//! made (a sentence's audio leaves before the next sentence is synthesized). A `Cancel` stops the
//! request's task at once and makes its blocking work stop at the next sentence or decode.
//! CPU-heavy work (whisper, Piper) runs on blocking threads; the models are shared by all
//! sessions behind a mutex or a permit. Requests of scripted slots run in order on one task per
//! session, exactly as the scripted backend always answered.

pub mod config;

mod asr;
mod llm;
mod out;
mod tts;
mod tts_remote;

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use vl_engine::scripted::ScriptedBackend;
use vl_engine::{BackendOutput, BackendRequest, RequestId};

use self::config::BackendsConfig;
pub(crate) use self::out::Out;

/// The loaded backends of the process, shared by every session.
#[derive(Debug)]
pub struct Backends {
    asr: asr::Asr,
    llm: llm::Llm,
    tts: tts::Tts,
}

impl Backends {
    /// All slots scripted (nothing to load).
    pub fn scripted() -> Arc<Self> {
        Arc::new(Self {
            asr: asr::Asr::Scripted,
            llm: llm::Llm::Scripted,
            tts: tts::Tts::Scripted,
        })
    }

    /// Loads the models and starts the worker processes `config` names.
    ///
    /// # Errors
    ///
    /// A model is missing or cannot be loaded, or the LLM worker does not start.
    pub async fn start(config: &BackendsConfig) -> anyhow::Result<Arc<Self>> {
        config::check_files(config)?;
        let asr = asr::Asr::start(&config.asr).await?;
        let tts = tts::Tts::start(&config.tts).await?;
        let llm = llm::Llm::start(&config.llm).await?;
        info!(
            asr = asr.name(),
            llm = llm.name(),
            tts = tts.name(),
            "backends ready"
        );
        Ok(Arc::new(Self { asr, llm, tts }))
    }

    /// Stops what [`start`](Self::start) started (the LLM worker process).
    pub async fn shutdown(&self) {
        self.llm.shutdown().await;
    }

    /// Whether the ASR slot recognises VAD turns while the user speaks (whisper: partial
    /// transcripts as `conversation.item.input_audio_transcription.delta` during speech). The
    /// engine's `streaming_transcription` is switched on for such a slot; the scripted and
    /// OpenAI-compatible slots answer each turn once at its commit.
    pub fn streams_transcription(&self) -> bool {
        self.asr.streams()
    }

    /// Whether `request` goes to a scripted slot.
    fn is_scripted(&self, request: &BackendRequest) -> bool {
        match request {
            BackendRequest::Transcribe(_) => matches!(self.asr, asr::Asr::Scripted),
            BackendRequest::Generate(_) => matches!(self.llm, llm::Llm::Scripted),
            BackendRequest::Synthesize(_) => matches!(self.tts, tts::Tts::Scripted),
            _ => true,
        }
    }

    /// Runs one non-scripted request to its end, streaming its outputs into `out`.
    async fn handle(self: Arc<Self>, request: BackendRequest, out: Out) {
        match request {
            BackendRequest::Transcribe(r) => self.asr.transcribe(r, out).await,
            BackendRequest::Generate(r) => self.llm.generate(r, out).await,
            BackendRequest::Synthesize(r) => self.tts.synthesize(r, out).await,
            _ => {}
        }
    }
}

/// The vl-openai client configuration of a service slot.
pub(crate) fn client_config(service: &config::ServiceConfig) -> vl_openai::ClientConfig {
    let mut cfg = vl_openai::ClientConfig::new(service.url.clone());
    cfg.api_key.clone_from(&service.api_key);
    cfg.model.clone_from(&service.model);
    if let Some(t) = service.timeout {
        cfg.timeouts.first_token = t;
        cfg.timeouts.stall = t;
    }
    cfg
}

/// Cancels every request still running when the session ends.
#[derive(Debug, Default)]
struct Running(HashMap<RequestId, CancellationToken>);

impl Drop for Running {
    fn drop(&mut self) {
        for token in self.0.values() {
            token.cancel();
        }
    }
}

/// Drives one session's backend requests until the engine side hangs up: each request on its own
/// task (scripted ones in order on one task), outputs streamed into `tx`, cancels honoured.
pub(crate) async fn run_session(
    backends: Arc<Backends>,
    mut rx: mpsc::UnboundedReceiver<Box<BackendRequest>>,
    tx: mpsc::Sender<BackendOutput>,
) {
    let mut running = Running::default();
    // Audio and commits of the streaming recognitions in progress (non-scripted ASR).
    let mut streams: HashMap<RequestId, mpsc::UnboundedSender<asr::StreamInput>> = HashMap::new();
    let mut tasks: JoinSet<RequestId> = JoinSet::new();
    let (scripted_tx, scripted_rx) = mpsc::unbounded_channel();
    tasks.spawn(async move {
        scripted_loop(scripted_rx).await;
        RequestId(u64::MAX)
    });
    let scripted_asr = matches!(backends.asr, asr::Asr::Scripted);
    loop {
        let request = tokio::select! {
            request = rx.recv() => match request {
                Some(request) => *request,
                None => break,
            },
            Some(done) = tasks.join_next() => {
                match done {
                    Ok(id) => {
                        running.0.remove(&id);
                        streams.remove(&id);
                    }
                    Err(e) if e.is_panic() => warn!(error = %e, "backend task panicked"),
                    Err(_) => {}
                }
                continue;
            }
        };
        let id = request.id();
        match request {
            BackendRequest::Cancel { .. } => {
                if let Some(token) = running.0.remove(&id) {
                    token.cancel();
                }
                streams.remove(&id);
                // The scripted recogniser forgets the stream.
                let out = Out::new(tx.clone(), id, CancellationToken::new());
                let _ = scripted_tx.send(Box::new((request, out, None)));
            }
            BackendRequest::TranscribeStart(_)
            | BackendRequest::TranscribeAudio { .. }
            | BackendRequest::TranscribeCommit { .. }
                if scripted_asr =>
            {
                // One token for the whole stream, kept until it is cancelled or the session ends.
                let token = running.0.entry(id).or_default().clone();
                let _ =
                    scripted_tx.send(Box::new((request, Out::new(tx.clone(), id, token), None)));
            }
            BackendRequest::TranscribeStart(start) => {
                let token = CancellationToken::new();
                running.0.insert(id, token.clone());
                let (audio_tx, audio_rx) = mpsc::unbounded_channel();
                streams.insert(id, audio_tx);
                let out = Out::new(tx.clone(), id, token.clone());
                let backends = Arc::clone(&backends);
                tasks.spawn(async move {
                    tokio::select! {
                        () = token.cancelled() => {}
                        () = backends.asr.stream(start, audio_rx, out) => {}
                    }
                    id
                });
            }
            BackendRequest::TranscribeAudio { samples, .. } => {
                if let Some(s) = streams.get(&id) {
                    let _ = s.send(asr::StreamInput::Audio(samples));
                }
            }
            BackendRequest::TranscribeCommit { .. } => {
                if let Some(s) = streams.get(&id) {
                    let _ = s.send(asr::StreamInput::Commit);
                }
            }
            request => {
                let token = CancellationToken::new();
                running.0.insert(id, token.clone());
                let out = Out::new(tx.clone(), id, token.clone());
                if backends.is_scripted(&request) {
                    let (done_tx, done_rx) = oneshot::channel();
                    let _ = scripted_tx.send(Box::new((request, out, Some(done_tx))));
                    tasks.spawn(async move {
                        tokio::select! {
                            () = token.cancelled() => {}
                            _ = done_rx => {}
                        }
                        id
                    });
                } else {
                    let backends = Arc::clone(&backends);
                    tasks.spawn(async move {
                        tokio::select! {
                            () = token.cancelled() => {}
                            () = backends.handle(request, out) => {}
                        }
                        id
                    });
                }
            }
        }
    }
}

/// A request for the scripted backend, where its outputs go, and whom to tell when it is done.
type ScriptedJob = (BackendRequest, Out, Option<oneshot::Sender<()>>);

/// The scripted slots of one session: requests answered in arrival order.
async fn scripted_loop(mut rx: mpsc::UnboundedReceiver<Box<ScriptedJob>>) {
    let mut backend = Some(ScriptedBackend::new());
    while let Some(job) = rx.recv().await {
        let (request, out, done) = *job;
        if out.stopped() {
            continue;
        }
        let Some(mut b) = backend.take() else { return };
        let Ok((b, outputs)) = tokio::task::spawn_blocking(move || {
            let outputs = b.handle(request);
            (b, outputs)
        })
        .await
        else {
            warn!("scripted backend panicked");
            return;
        };
        backend = Some(b);
        for output in outputs {
            if out.send(output).await.is_err() {
                break;
            }
        }
        if let Some(done) = done {
            let _ = done.send(());
        }
    }
}
