//! The speech-recognition slot.

use tokio::sync::mpsc;
use vl_engine::BackendOutput;
use vl_engine::backend::{TranscribeRequest, TranscribeStartRequest};
use vl_openai::TranscriptionClient;

use super::Out;
use super::config::AsrConfig;

/// What a streaming recognition receives after its start.
#[derive(Debug)]
pub(crate) enum StreamInput {
    /// More audio at the start request's rate.
    Audio(Vec<i16>),
    /// The turn was committed: answer the final transcript.
    Commit,
}

/// The loaded ASR slot.
#[derive(Debug)]
pub(crate) enum Asr {
    /// Answered by the session's scripted backend.
    Scripted,
    /// whisper.cpp in-process.
    #[cfg(feature = "whisper")]
    Whisper(whisper::Whisper),
    /// An OpenAI-compatible `/audio/transcriptions` service: one upload per committed turn.
    OpenAi(TranscriptionClient),
}

impl Asr {
    /// Loads the slot `config` names.
    pub(crate) async fn start(config: &AsrConfig) -> anyhow::Result<Self> {
        match config {
            AsrConfig::Scripted => Ok(Self::Scripted),
            #[cfg(feature = "whisper")]
            AsrConfig::Whisper { model, threads } => Ok(Self::Whisper(
                whisper::Whisper::load(model.clone(), *threads).await?,
            )),
            #[cfg(not(feature = "whisper"))]
            AsrConfig::Whisper { .. } => {
                anyhow::bail!("--asr whisper needs a vl-server built with `--features whisper`")
            }
            AsrConfig::OpenAi(service) => Ok(Self::OpenAi(
                TranscriptionClient::new(super::client_config(service))
                    .map_err(|e| anyhow::anyhow!("ASR service {}: {e}", service.url))?,
            )),
        }
    }

    /// A short name for logs.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Scripted => "scripted",
            #[cfg(feature = "whisper")]
            Self::Whisper(_) => "whisper",
            Self::OpenAi(_) => "openai",
        }
    }

    /// Whether the slot answers streaming recognitions (`TranscribeStart` ...) with partials.
    pub(crate) fn streams(&self) -> bool {
        match self {
            Self::Scripted | Self::OpenAi(_) => false,
            #[cfg(feature = "whisper")]
            Self::Whisper(_) => true,
        }
    }

    /// Runs one streaming recognition: partial transcripts while `input` brings audio, the
    /// final one at the commit.
    pub(crate) async fn stream(
        &self,
        start: TranscribeStartRequest,
        input: mpsc::UnboundedReceiver<StreamInput>,
        out: Out,
    ) {
        match self {
            Self::Scripted => drop((start, input, out)),
            #[cfg(feature = "whisper")]
            Self::Whisper(w) => w.stream(start, input, out).await,
            Self::OpenAi(client) => {
                // Not used for streaming (`streams` is false), but answered correctly anyway: the
                // turn's audio is collected and uploaded at the commit.
                let mut input = input;
                let mut audio = Vec::new();
                while let Some(msg) = input.recv().await {
                    match msg {
                        StreamInput::Audio(samples) => audio.extend(samples),
                        StreamInput::Commit => {
                            let r = upload(audio, start.sample_rate_hz, start.language);
                            return transcribe_remote(client, r, out).await;
                        }
                    }
                }
            }
        }
    }

    /// Transcribes one committed turn.
    pub(crate) async fn transcribe(&self, request: TranscribeRequest, out: Out) {
        match self {
            Self::Scripted => drop((request, out)),
            #[cfg(feature = "whisper")]
            Self::Whisper(w) => w.transcribe(request, out).await,
            Self::OpenAi(client) => {
                let r = upload(request.audio, request.sample_rate_hz, request.language);
                transcribe_remote(client, r, out).await;
            }
        }
    }
}

/// The upload of one turn. The service's configured model is sent (the session's
/// `input_audio_transcription.model` names an Azure or OpenAI model the service may not have);
/// a BCP-47 language (`en-US`) is cut to its ISO-639-1 part (`en`).
fn upload(audio: Vec<i16>, rate: u32, language: Option<String>) -> vl_openai::TranscriptionRequest {
    vl_openai::TranscriptionRequest {
        audio,
        sample_rate_hz: rate,
        model: None,
        language: language.and_then(|l| {
            let primary = l.split(['-', '_', ',']).next()?.trim().to_ascii_lowercase();
            (primary.len() == 2 || primary.len() == 3).then_some(primary)
        }),
        prompt: None,
    }
}

/// Transcribes one turn with the service: `TranscriptDone`, or `Failed` with the client's error
/// code (`backend_timeout`, `backend_unavailable`, `rate_limit_exceeded`, `backend_error`) and
/// message.
async fn transcribe_remote(
    client: &TranscriptionClient,
    request: vl_openai::TranscriptionRequest,
    out: Out,
) {
    match client.transcribe(&request).await {
        Ok(transcript) => {
            let done = BackendOutput::TranscriptDone {
                request: out.id(),
                transcript,
            };
            let _ = out.send(done).await;
        }
        Err(e) => {
            out.fail(e.code(), format!("The transcription service failed: {e}"))
                .await;
        }
    }
}

#[cfg(feature = "whisper")]
mod whisper {
    use std::path::PathBuf;
    use std::sync::Arc;

    use anyhow::Context as _;
    use tokio::sync::{Semaphore, mpsc};
    use vl_asr::whisper::{DecodeConfig, Model, Transcriber};
    use vl_engine::BackendOutput;
    use vl_engine::backend::{TranscribeRequest, TranscribeStartRequest};

    use super::{Out, Partials, StreamInput};

    /// The final transcript output.
    fn done(out: &Out, transcript: String) -> BackendOutput {
        BackendOutput::TranscriptDone {
            request: out.id(),
            transcript,
        }
    }

    /// PCM16 at `rate` Hz → 16 kHz `f32` (a rate the resampler refuses gives no audio, which
    /// whisper answers with an empty transcript).
    fn to_16k(samples: &[i16], rate: u32) -> Vec<f32> {
        let audio: Vec<f32> = samples.iter().map(|&s| f32::from(s) / 32_768.0).collect();
        vl_asr::audio::resample_to_16k(&audio, rate).unwrap_or_default()
    }

    /// One whisper model shared by every session; one decode at a time per process (each uses
    /// `threads` cores), with a fresh decoder state per utterance.
    #[derive(Debug)]
    pub(crate) struct Whisper {
        model: Arc<Model>,
        english_only: bool,
        threads: usize,
        permits: Arc<Semaphore>,
    }

    impl Whisper {
        pub(crate) async fn load(path: PathBuf, threads: usize) -> anyhow::Result<Self> {
            let english_only = path.to_string_lossy().contains(".en");
            let model = tokio::task::spawn_blocking(move || Model::load(&path))
                .await
                .context("loading the whisper model")??;
            Ok(Self {
                model: Arc::new(model),
                english_only,
                threads,
                permits: Arc::new(Semaphore::new(1)),
            })
        }

        fn decode_config(&self, language: Option<&str>) -> DecodeConfig {
            let language = match (language, self.english_only) {
                (Some(l), false) => l
                    .split([',', '-', '_'])
                    .next()
                    .unwrap_or("en")
                    .trim()
                    .to_ascii_lowercase(),
                _ => "en".to_owned(),
            };
            DecodeConfig {
                threads: self.threads,
                language,
                ..DecodeConfig::default()
            }
        }

        /// Streaming recognition: the growing utterance is re-decoded every
        /// `partial_interval_ms` of new audio when no other decode is running (partials never
        /// delay a final), and the words two successive partials agree on are sent as deltas.
        /// Before each partial the audio that queued up during the previous decode is taken in
        /// first, and a commit already waiting skips the partial, so on a slow machine the final
        /// transcript does not wait behind a backlog of partial decodes.
        pub(crate) async fn stream(
            &self,
            start: TranscribeStartRequest,
            mut input: mpsc::UnboundedReceiver<StreamInput>,
            out: Out,
        ) {
            let config = self.decode_config(start.language.as_deref());
            let interval = (config.partial_interval_ms as usize) * 16;
            let rate = start.sample_rate_hz;
            let model = Arc::clone(&self.model);
            let made = tokio::task::spawn_blocking(move || model.transcriber(config)).await;
            let mut tr = match made {
                Ok(Ok(tr)) => tr,
                Ok(Err(e)) => return out.fail("transcription_failed", e.to_string()).await,
                Err(e) => return out.fail("transcription_failed", e.to_string()).await,
            };
            let mut partials = Partials::default();
            let mut since_partial = 0usize;
            while let Some(msg) = input.recv().await {
                match msg {
                    StreamInput::Audio(samples) => {
                        let audio = to_16k(&samples, rate);
                        since_partial += audio.len();
                        tr.push(&audio);
                        let mut committed = false;
                        while let Ok(queued) = input.try_recv() {
                            match queued {
                                StreamInput::Audio(more) => {
                                    let audio = to_16k(&more, rate);
                                    since_partial += audio.len();
                                    tr.push(&audio);
                                }
                                StreamInput::Commit => {
                                    committed = true;
                                    break;
                                }
                            }
                        }
                        if committed {
                            return self.finish(tr, out).await;
                        }
                        if since_partial < interval {
                            continue;
                        }
                        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
                            continue;
                        };
                        since_partial = 0;
                        let job = tokio::task::spawn_blocking(move || {
                            let _permit = permit;
                            let text = tr.partial();
                            (tr, text)
                        })
                        .await;
                        let Ok((back, text)) = job else {
                            return out.fail("transcription_failed", "whisper panicked").await;
                        };
                        tr = back;
                        if let Ok(Some(text)) = text {
                            if let Some(delta) = partials.push(&text) {
                                let request = out.id();
                                let d = BackendOutput::TranscriptDelta { request, delta };
                                if out.send(d).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                    StreamInput::Commit => return self.finish(tr, out).await,
                }
            }
        }

        /// The final transcript of a streaming recognition, decoded when no other decode runs.
        async fn finish(&self, mut tr: Transcriber, out: Out) {
            let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
                return;
            };
            let job = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                tr.finish()
            })
            .await;
            match job {
                Ok(Ok(text)) => {
                    let _ = out.send(done(&out, text)).await;
                }
                Ok(Err(e)) => out.fail("transcription_failed", e.to_string()).await,
                Err(e) => out.fail("transcription_failed", e.to_string()).await,
            }
        }

        pub(crate) async fn transcribe(&self, request: TranscribeRequest, out: Out) {
            let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
                return;
            };
            let config = self.decode_config(request.language.as_deref());
            let model = Arc::clone(&self.model);
            let job_out = out.clone();
            let result = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                if job_out.stopped() {
                    return Ok(None);
                }
                let audio = to_16k(&request.audio, request.sample_rate_hz);
                let mut transcriber = model.transcriber(config).map_err(|e| e.to_string())?;
                transcriber
                    .transcribe(&audio)
                    .map(Some)
                    .map_err(|e| e.to_string())
            })
            .await;
            match result {
                Ok(Ok(Some(text))) => {
                    let _ = out.send(done(&out, text)).await;
                }
                Ok(Ok(None)) => {}
                Ok(Err(message)) => out.fail("transcription_failed", message).await,
                Err(e) => out.fail("transcription_failed", e.to_string()).await,
            }
        }
    }
}

/// Turns successive partial hypotheses into append-only deltas: a word is sent once two
/// successive hypotheses agree on it and on everything before it (whisper revises the tail of a
/// partial as more audio arrives).
#[derive(Debug, Default)]
#[cfg_attr(
    not(feature = "whisper"),
    allow(dead_code, reason = "used by the whisper slot")
)]
pub(crate) struct Partials {
    last: Vec<String>,
    sent: Vec<String>,
}

#[cfg_attr(
    not(feature = "whisper"),
    allow(dead_code, reason = "used by the whisper slot")
)]
impl Partials {
    /// Takes the next hypothesis (the whole utterance so far); returns the new stable text to
    /// append, with a leading space when something was sent before.
    pub(crate) fn push(&mut self, hypothesis: &str) -> Option<String> {
        let words: Vec<String> = hypothesis.split_whitespace().map(str::to_owned).collect();
        let stable = self
            .last
            .iter()
            .zip(&words)
            .take_while(|(a, b)| a == b)
            .count();
        self.last = words;
        let agreed = self.last.get(..stable)?;
        if stable <= self.sent.len() || !agreed.starts_with(&self.sent) {
            return None;
        }
        let new = agreed.get(self.sent.len()..)?.join(" ");
        let delta = if self.sent.is_empty() {
            new
        } else {
            format!(" {new}")
        };
        self.sent = agreed.to_vec();
        Some(delta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partials_send_only_words_two_hypotheses_agree_on() {
        let mut p = Partials::default();
        assert_eq!(p.push("What"), None);
        assert_eq!(p.push("What is the cap"), Some("What".into()));
        assert_eq!(p.push("What is the capital of"), Some(" is the".into()));
        // A revision of words already sent sends nothing more.
        assert_eq!(p.push("Which is the capital of France"), None);
        assert_eq!(p.push("Which is the capital of France?"), None);
        let mut q = Partials::default();
        assert_eq!(q.push(""), None);
        assert_eq!(q.push("Hello there"), None);
        assert_eq!(q.push("Hello there friend"), Some("Hello there".into()));
        assert_eq!(q.push("Hello there friend"), Some(" friend".into()));
    }
}
