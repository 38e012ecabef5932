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
    /// An OpenAI-compatible `/audio/speech` service, timed by a local phonemizer.
    OpenAi(Arc<super::tts_remote::RemoteTts>),
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
            TtsConfig::OpenAi(service) => Ok(Self::OpenAi(Arc::new(
                super::tts_remote::RemoteTts::start(service).await?,
            ))),
        }
    }

    /// A short name for logs.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Scripted => "scripted",
            #[cfg(feature = "piper")]
            Self::Piper(_) => "piper",
            Self::Espeak(_) => "espeak",
            Self::OpenAi(_) => "openai",
        }
    }

    /// Synthesizes one text segment, sentence by sentence, streaming each sentence's audio and
    /// timing as soon as it is made.
    pub(crate) async fn synthesize(&self, request: SynthesizeRequest, out: Out) {
        let voice = match resolve_voice(&request.voice, &request.voice_type) {
            Ok(v) => v,
            Err(e) => return out.fail(INVALID_VOICE_CODE, voice_message(&e)).await,
        };
        let result = match self {
            Self::Scripted => return,
            Self::OpenAi(remote) => {
                let name = remote_voice(&voice, &request.voice_type);
                return remote.synthesize(request, &name, out).await;
            }
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

/// The error code of a voice the slot cannot serve: the protocol's `invalid_value` (an
/// `invalid_request_error`: the client picked the voice), with a message saying whether the
/// voice is unknown or of an unsupported type.
pub(crate) const INVALID_VOICE_CODE: &str = "invalid_value";

/// The local voice of a protocol voice as the engine passes it: its name (`alloy`,
/// `en-US-AvaNeural`, `ava`) and its `type` (`openai` for a bare name). A bare name with a dash
/// is read as an Azure standard voice, a bare name of the realtime-native table as that voice.
/// Voice types that need a trained Azure voice (`azure-custom`, `azure-personal`,
/// `avatar-voice-sync`) are [`VoiceError::Unsupported`](vl_tts::VoiceError::Unsupported).
pub(crate) fn resolve_voice(
    name: &str,
    voice_type: &str,
) -> Result<LocalVoice, vl_tts::VoiceError> {
    use vl_tts::VoiceError::Unsupported;
    use vl_tts::voice;
    match voice_type {
        "azure-standard" => voice::azure_standard(name),
        "azure-realtime-native" => voice::realtime_native(name),
        "azure-custom" => Err(Unsupported("azure-custom")),
        "azure-personal" => Err(Unsupported("azure-personal")),
        "avatar-voice-sync" => Err(Unsupported("avatar-voice-sync")),
        "openai" | "" if name.contains('-') => voice::azure_standard(name),
        "openai" | "" => {
            voice::openai(name).or_else(|e| voice::realtime_native(name).map_err(|_| e))
        }
        _ => Err(Unsupported("unknown voice type")),
    }
}

/// What the client is told about a voice the slot cannot serve.
pub(crate) fn voice_message(e: &vl_tts::VoiceError) -> String {
    match e {
        vl_tts::VoiceError::Unsupported(kind) => format!(
            "Unsupported voice: {e}. This server speaks openai, azure-standard (English) and \
             azure-realtime-native voices (`{kind}` is not one of them)."
        ),
        vl_tts::VoiceError::Unknown { .. } => format!("Unknown voice: {e}."),
    }
}

/// The voice sent to an OpenAI-compatible speech service: an OpenAI voice name as is; any
/// other voice of the table by gender (female → `alloy`, male → `echo`, both OpenAI voices).
pub(crate) fn remote_voice(voice: &LocalVoice, voice_type: &str) -> String {
    let openai_name =
        matches!(voice_type, "openai" | "") && vl_tts::voice::openai(&voice.requested).is_ok();
    if openai_name {
        return voice.requested.clone();
    }
    match voice.gender {
        vl_tts::voice::Gender::Female => "alloy".to_owned(),
        vl_tts::voice::Gender::Male => "echo".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_voice_family_resolves_and_unknown_names_are_errors() {
        assert_eq!(
            resolve_voice("alloy", "openai").unwrap().espeak_voice,
            "en-us+f3"
        );
        assert_eq!(
            resolve_voice("echo", "openai").unwrap().espeak_voice,
            "en-us+m3"
        );
        assert!(resolve_voice("en-US-AvaNeural", "azure-standard").is_ok());
        assert!(resolve_voice("en-US-AvaNeural", "openai").is_ok());
        assert!(resolve_voice("en-US-Andrew:DragonHDLatestNeural", "azure-standard").is_ok());
        assert!(resolve_voice("florian", "azure-realtime-native").is_ok());
        assert!(resolve_voice("florian", "openai").is_ok());
        let err = resolve_voice("nosuchvoice", "openai").unwrap_err();
        let msg = voice_message(&err);
        assert!(
            msg.starts_with("Unknown voice: unknown voice `nosuchvoice`"),
            "{msg}"
        );
        assert!(resolve_voice("de-DE-KatjaNeural", "azure-standard").is_err());
        assert!(resolve_voice("alloy", "azure-realtime-native").is_err());
    }

    #[test]
    fn trained_azure_voice_types_are_unsupported_not_unknown() {
        for kind in ["azure-custom", "azure-personal", "avatar-voice-sync"] {
            // Even a name that exists in another family.
            let err = resolve_voice("en-US-AvaNeural", kind).unwrap_err();
            assert_eq!(err, vl_tts::VoiceError::Unsupported(kind));
            let msg = voice_message(&err);
            assert!(msg.starts_with("Unsupported voice:"), "{msg}");
            assert!(msg.contains(kind) && !msg.contains("unknown"), "{msg}");
        }
    }

    #[test]
    fn remote_voices_pass_openai_names_and_map_the_rest_by_gender() {
        let v = |n: &str, t: &str| remote_voice(&resolve_voice(n, t).unwrap(), t);
        assert_eq!(v("shimmer", "openai"), "shimmer");
        assert_eq!(v("cedar", "openai"), "cedar");
        assert_eq!(v("en-US-AvaNeural", "azure-standard"), "alloy");
        assert_eq!(v("en-GB-RyanNeural", "azure-standard"), "echo");
        assert_eq!(v("andrew", "azure-realtime-native"), "echo");
        assert_eq!(v("andrew", "openai"), "echo");
    }

    #[test]
    fn pcm16_conversion_clamps() {
        assert_eq!(
            to_pcm16(&[0.0, 1.0, -1.0, 2.0, -0.5]),
            vec![0, 32_767, -32_767, 32_767, -16_384]
        );
    }
}
