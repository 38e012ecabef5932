//! The speech-synthesis slot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use vl_engine::BackendOutput;
use vl_engine::backend::SynthesizeRequest;
use vl_tts::sentence::SentenceSplitter;
use vl_tts::{EspeakTts, LocalVoice, Synthesizer, TtsChunk, TtsError, TtsStream, Utterance};

use super::Out;
use super::config::TtsConfig;

/// The loaded TTS slot.
#[derive(Debug)]
pub(crate) enum Tts {
    /// Answered by the session's scripted backend.
    Scripted,
    /// Piper, one voice shared by every session.
    #[cfg(feature = "piper")]
    Piper(Arc<Shared<vl_tts::PiperVoice>>),
    /// espeak-ng processes, one per espeak voice, created on first use.
    Espeak(EspeakVoices),
}

/// espeak-ng synthesizers by espeak voice name, created on first use.
type EspeakVoices = Arc<Mutex<HashMap<&'static str, Arc<Shared<EspeakTts>>>>>;

/// A synthesizer shared by sessions: each sentence locks it.
#[derive(Debug)]
pub(crate) struct Shared<S> {
    inner: Mutex<S>,
    sample_rate: u32,
}

impl<S: Synthesizer> Shared<S> {
    fn new(synth: S) -> Self {
        Self {
            sample_rate: synth.sample_rate(),
            inner: Mutex::new(synth),
        }
    }

    fn lock(&self) -> MutexGuard<'_, S> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Borrow of a [`Shared`] synthesizer that locks it per sentence, so sessions take turns sentence
/// by sentence instead of response by response.
struct PerSentence<'a, S>(&'a Shared<S>);

impl<S: Synthesizer> Synthesizer for PerSentence<'_, S> {
    fn sample_rate(&self) -> u32 {
        self.0.sample_rate
    }
    fn synthesize(&mut self, sentence: &str) -> Result<Utterance, TtsError> {
        self.0.lock().synthesize(sentence)
    }
}

impl Tts {
    /// Loads the slot `config` names.
    pub(crate) async fn start(config: &TtsConfig) -> anyhow::Result<Self> {
        match config {
            TtsConfig::Scripted => Ok(Self::Scripted),
            #[cfg(feature = "piper")]
            TtsConfig::Piper {
                model_dir,
                ort_dylib,
            } => {
                let (dir, lib) = (model_dir.clone(), ort_dylib.clone());
                let voice = tokio::task::spawn_blocking(move || {
                    vl_tts::PiperVoice::load_dir(&dir, vl_tts::voice::PIPER_VOICE, Some(&lib), 2)
                })
                .await??;
                Ok(Self::Piper(Arc::new(Shared::new(voice))))
            }
            #[cfg(not(feature = "piper"))]
            TtsConfig::Piper { .. } => {
                anyhow::bail!("--tts piper needs a vl-server built with `--features piper`")
            }
            TtsConfig::Espeak => {
                // Fail at startup, not at the first reply, when espeak-ng is not installed.
                let probe = tokio::task::spawn_blocking(|| EspeakTts::new("en-us", 175)).await?;
                probe.map_err(|e| {
                    anyhow::anyhow!(
                        "--tts espeak: {e} (install it with `apt-get install espeak-ng`)"
                    )
                })?;
                Ok(Self::Espeak(Arc::default()))
            }
            TtsConfig::OpenAi(_) => {
                anyhow::bail!("--tts openai is not available in this build yet")
            }
        }
    }

    /// A short name for logs.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Scripted => "scripted",
            #[cfg(feature = "piper")]
            Self::Piper(_) => "piper",
            Self::Espeak(_) => "espeak",
        }
    }

    /// Synthesizes one text segment, sentence by sentence, streaming each sentence's audio and
    /// timing as soon as it is made.
    pub(crate) async fn synthesize(&self, request: SynthesizeRequest, out: Out) {
        let voice = match resolve_voice(&request.voice) {
            Ok(v) => v,
            Err(e) => return out.fail("invalid_voice", e.to_string()).await,
        };
        let result = match self {
            Self::Scripted => return,
            #[cfg(feature = "piper")]
            Self::Piper(shared) => {
                let shared = Arc::clone(shared);
                let job = out.clone();
                tokio::task::spawn_blocking(move || {
                    speak(
                        PerSentence(&shared),
                        &request.text,
                        request.blendshapes,
                        &job,
                    )
                })
                .await
            }
            Self::Espeak(voices) => {
                let voices = Arc::clone(voices);
                let job = out.clone();
                tokio::task::spawn_blocking(move || {
                    let shared = espeak_voice(&voices, &voice)?;
                    speak(
                        PerSentence(&shared),
                        &request.text,
                        request.blendshapes,
                        &job,
                    )
                })
                .await
            }
        };
        match result {
            Ok(Ok(())) => {
                let _ = out
                    .send(BackendOutput::SynthesizeDone { request: out.id() })
                    .await;
            }
            Ok(Err(Speak::Stopped)) => {}
            Ok(Err(Speak::Failed(message))) => out.fail("tts_error", message).await,
            Err(e) => out.fail("tts_error", e.to_string()).await,
        }
    }
}

/// Why [`speak`] ended early.
#[derive(Debug)]
pub(crate) enum Speak {
    /// Cancelled.
    Stopped,
    /// The synthesizer failed.
    Failed(String),
}

impl From<TtsError> for Speak {
    fn from(e: TtsError) -> Self {
        Self::Failed(e.to_string())
    }
}

impl From<super::out::Stopped> for Speak {
    fn from(_: super::out::Stopped) -> Self {
        Self::Stopped
    }
}

/// The espeak process of `voice`'s espeak variant, started on first use.
fn espeak_voice(
    voices: &Mutex<HashMap<&'static str, Arc<Shared<EspeakTts>>>>,
    voice: &LocalVoice,
) -> Result<Arc<Shared<EspeakTts>>, Speak> {
    let mut map = voices.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(v) = map.get(voice.espeak_voice) {
        return Ok(Arc::clone(v));
    }
    let v = Arc::new(Shared::new(EspeakTts::new(voice.espeak_voice, 175)?));
    map.insert(voice.espeak_voice, Arc::clone(&v));
    Ok(v)
}

/// Speaks `text` sentence by sentence (blocking), sending each sentence's outputs before the next
/// sentence is synthesized; stops between sentences when cancelled.
fn speak<S: Synthesizer>(synth: S, text: &str, blendshapes: bool, out: &Out) -> Result<(), Speak> {
    let mut splitter = SentenceSplitter::default();
    let mut sentences = splitter.push(text);
    sentences.extend(splitter.finish());
    let mut stream = TtsStream::new(synth, blendshapes);
    for sentence in sentences {
        if out.stopped() {
            return Err(Speak::Stopped);
        }
        let mut chunks = stream.push_text(&sentence)?;
        chunks.extend(stream.finish()?);
        for chunk in chunks {
            for output in chunk_outputs(out, chunk) {
                out.send_blocking(output)?;
            }
        }
    }
    Ok(())
}

/// The engine outputs of one synthesized sentence: its audio, then its words, visemes and
/// blendshape frames (offsets from the start of the request's audio).
pub(crate) fn chunk_outputs(out: &Out, chunk: TtsChunk) -> Vec<BackendOutput> {
    let request = out.id();
    let mut outputs = Vec::with_capacity(1 + chunk.words.len() + chunk.visemes.len());
    outputs.push(BackendOutput::Audio {
        request,
        samples: to_pcm16(&chunk.audio),
        sample_rate_hz: chunk.sample_rate,
    });
    outputs.extend(chunk.words.into_iter().map(|w| BackendOutput::Word {
        request,
        text: w.text,
        offset_ms: w.audio_offset_ms,
        duration_ms: w.audio_duration_ms,
    }));
    outputs.extend(chunk.visemes.into_iter().map(|v| BackendOutput::Viseme {
        request,
        viseme_id: u32::from(v.viseme_id),
        offset_ms: v.audio_offset_ms,
    }));
    if let Some(b) = chunk.blendshapes {
        let fps = u64::from(vl_tts::blendshape::FPS);
        outputs.push(BackendOutput::Blendshapes {
            request,
            offset_ms: (b.frame_index * 1000 + fps / 2) / fps,
            fps: vl_tts::blendshape::FPS,
            frames: b.frames,
        });
    }
    outputs
}

/// `f32` in -1..=1 → PCM16 (clamped).
pub(crate) fn to_pcm16(audio: &[f32]) -> Vec<i16> {
    audio
        .iter()
        .map(|&s| (s.clamp(-1.0, 1.0) * 32_767.0).round() as i16)
        .collect()
}

/// The local voice of a protocol voice name as the engine passes it (`alloy`,
/// `en-US-AvaNeural`, `ava`).
pub(crate) fn resolve_voice(name: &str) -> Result<LocalVoice, vl_tts::VoiceError> {
    if name.contains('-') {
        return vl_tts::voice::azure_standard(name);
    }
    vl_tts::voice::openai(name).or_else(|e| vl_tts::voice::realtime_native(name).map_err(|_| e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_voice_family_resolves_and_unknown_names_are_errors() {
        assert_eq!(resolve_voice("alloy").unwrap().espeak_voice, "en-us+f3");
        assert_eq!(resolve_voice("echo").unwrap().espeak_voice, "en-us+m3");
        assert!(resolve_voice("en-US-AvaNeural").is_ok());
        assert!(resolve_voice("en-US-Andrew:DragonHDLatestNeural").is_ok());
        assert!(resolve_voice("florian").is_ok());
        let err = resolve_voice("nosuchvoice").unwrap_err().to_string();
        assert!(err.contains("unknown voice `nosuchvoice`"), "{err}");
        assert!(resolve_voice("de-DE-KatjaNeural").is_err());
    }

    #[test]
    fn pcm16_conversion_clamps() {
        assert_eq!(
            to_pcm16(&[0.0, 1.0, -1.0, 2.0, -0.5]),
            vec![0, 32_767, -32_767, 32_767, -16_384]
        );
    }
}
