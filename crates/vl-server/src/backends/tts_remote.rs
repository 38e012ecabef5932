//! The OpenAI-compatible speech slot (`--tts openai`): `POST /audio/speech` with
//! `response_format=pcm` (24 kHz mono PCM16, or a WAV body whose rate is read), streamed to the
//! engine as it arrives.
//!
//! Such services give no timing, so word timestamps (`response.audio_timestamp.delta`), visemes
//! (`response.animation_viseme.delta`) and blendshape frames are estimated once the request's
//! audio is complete: the text is phonemized locally — by espeak-ng run as a separate process
//! when it is installed, else by a letter-based fallback (digraphs `th sh ch ng ph`, one phoneme
//! per other letter) — each phoneme gets a nominal duration, and the durations are stretched to
//! the voiced part of the received audio ([`vl_tts::timing::stretch_to`]). Which phonemizer is
//! used is logged at startup.

use std::sync::{Arc, Mutex, PoisonError};

use tracing::info;
use vl_engine::BackendOutput;
use vl_engine::backend::SynthesizeRequest;
use vl_openai::{SpeechClient, SpeechRequest};
use vl_tts::blendshape::{BlendshapeAnimator, FPS};
use vl_tts::espeak::EspeakPhonemizer;
use vl_tts::synth::voiced_region;
use vl_tts::timing::{Unit, stretch_to, viseme_events, word_timestamps};

use super::Out;
use super::config::ServiceConfig;

/// Samples below this magnitude (of full scale) count as silence when finding the voiced part.
const VOICED_THRESHOLD: f32 = 0.01;

/// The remote speech service and the local phonemizer that times its audio.
#[derive(Debug)]
pub(crate) struct RemoteTts {
    client: SpeechClient,
    /// espeak-ng (`en-us`), when it could be started; else the letter fallback is used.
    espeak: Option<Arc<Mutex<EspeakPhonemizer>>>,
}

impl RemoteTts {
    /// A client for `service`, with espeak-ng as the phonemizer if it starts.
    pub(crate) async fn start(service: &ServiceConfig) -> anyhow::Result<Self> {
        let client = SpeechClient::new(super::client_config(service))
            .map_err(|e| anyhow::anyhow!("TTS service {}: {e}", service.url))?;
        let espeak = tokio::task::spawn_blocking(|| EspeakPhonemizer::new("en-us"))
            .await
            .ok()
            .and_then(Result::ok)
            .map(|p| Arc::new(Mutex::new(p)));
        info!(
            url = %client.url(),
            timing = if espeak.is_some() { "espeak-ng phonemes" } else { "letter fallback" },
            "remote TTS: word and viseme timing estimated locally"
        );
        Ok(Self { client, espeak })
    }

    /// Speaks `request.text` with the service's `voice`, streaming the audio, then the estimated
    /// words, visemes and (when asked for) blendshape frames, then `SynthesizeDone`. Service
    /// errors end the request with `Failed` carrying vl-openai's code (`backend_timeout`,
    /// `backend_unavailable`, `rate_limit_exceeded`, `backend_error`).
    pub(crate) async fn synthesize(&self, request: SynthesizeRequest, voice: &str, out: Out) {
        let req = SpeechRequest {
            input: request.text.clone(),
            voice: voice.to_owned(),
            ..SpeechRequest::default()
        };
        let fail = |e: vl_openai::Error| (e.code(), format!("The speech service failed: {e}"));
        let mut stream = match self.client.stream(&req).await {
            Ok(s) => s,
            Err(e) => {
                let (code, message) = fail(e);
                return out.fail(code, message).await;
            }
        };
        let mut audio: Vec<f32> = Vec::new();
        while let Some(chunk) = stream.next().await {
            let samples = match chunk {
                Ok(s) => s,
                Err(e) => {
                    let (code, message) = fail(e);
                    return out.fail(code, message).await;
                }
            };
            audio.extend(samples.iter().map(|&s| f32::from(s) / 32_768.0));
            let output = BackendOutput::Audio {
                request: out.id(),
                samples,
                sample_rate_hz: stream.sample_rate_hz(),
            };
            if out.send(output).await.is_err() {
                return;
            }
        }
        let rate = stream.sample_rate_hz();
        let (words, units) = self.phonemize(&request.text).await;
        for output in timing_outputs(&out, &audio, rate, &words, &units, request.blendshapes) {
            if out.send(output).await.is_err() {
                return;
            }
        }
        let _ = out
            .send(BackendOutput::SynthesizeDone { request: out.id() })
            .await;
    }

    /// The text's words and timing units: espeak-ng's phonemes, or the letter fallback when
    /// espeak-ng is missing or fails.
    async fn phonemize(&self, text: &str) -> (Vec<String>, Vec<Unit>) {
        if let Some(espeak) = &self.espeak {
            let (espeak, owned) = (Arc::clone(espeak), text.to_owned());
            let job = tokio::task::spawn_blocking(move || {
                let mut p = espeak.lock().unwrap_or_else(PoisonError::into_inner);
                p.phonemize_sentence(&owned)
            })
            .await;
            if let Ok(Ok(sentence)) = job {
                return (sentence.words.clone(), sentence.units());
            }
        }
        letter_units(text)
    }
}

/// Words, visemes and blendshape frames for `audio` (at `rate` Hz) spoken from `units`.
fn timing_outputs(
    out: &Out,
    audio: &[f32],
    rate: u32,
    words: &[String],
    units: &[Unit],
    blendshapes: bool,
) -> Vec<BackendOutput> {
    let request = out.id();
    let (start, end) = voiced_region(audio, VOICED_THRESHOLD);
    let durations = stretch_to(units, audio.len() as u64, start as u64, end as u64);
    let visemes = viseme_events(units, &durations, rate);
    let mut outputs: Vec<BackendOutput> = word_timestamps(units, &durations, words, rate)
        .into_iter()
        .map(|w| BackendOutput::Word {
            request,
            text: w.text,
            offset_ms: w.audio_offset_ms,
            duration_ms: w.audio_duration_ms,
        })
        .collect();
    outputs.extend(visemes.iter().map(|v| BackendOutput::Viseme {
        request,
        viseme_id: u32::from(v.viseme_id),
        offset_ms: v.audio_offset_ms,
    }));
    if blendshapes && rate > 0 {
        let end_ms = audio.len() as u64 * 1000 / u64::from(rate);
        let (frame_index, frames) = BlendshapeAnimator::new().frames_until(&visemes, end_ms);
        let fps = u64::from(FPS);
        outputs.push(BackendOutput::Blendshapes {
            request,
            offset_ms: (frame_index * 1000 + fps / 2) / fps,
            fps: FPS,
            frames,
        });
    }
    outputs
}

/// The letter-based fallback phonemizer: one phoneme per letter (IPA names the viseme table
/// knows), the digraphs `th sh ch ng ph` as one, doubled letters once, digits and other letters
/// as a neutral vowel; pauses at the start, at clause punctuation and at the end.
pub(crate) fn letter_units(text: &str) -> (Vec<String>, Vec<Unit>) {
    let mut words = Vec::new();
    let mut units = vec![Unit::Pause];
    for token in text.split_whitespace() {
        let word: String = token
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_owned();
        if word.is_empty() {
            continue;
        }
        let index = words.len();
        if index > 0 && !matches!(units.last(), Some(Unit::Pause)) {
            units.push(Unit::WordGap);
        }
        let lower: Vec<char> = word.to_lowercase().chars().collect();
        let mut i = 0;
        while let Some(&c) = lower.get(i) {
            let next = lower.get(i + 1).copied();
            let (name, used) = match (c, next) {
                ('t', Some('h')) => ("θ", 2),
                ('s', Some('h')) => ("ʃ", 2),
                ('c', Some('h')) => ("tʃ", 2),
                ('n', Some('g')) => ("ŋ", 2),
                ('p', Some('h')) => ("f", 2),
                (a, Some(b)) if a == b => (letter_phoneme(a), 2),
                (a, _) => (letter_phoneme(a), 1),
            };
            units.push(Unit::Phone {
                name: name.to_owned(),
                word: index,
            });
            i += used;
        }
        words.push(word);
        if token.ends_with([',', ';', ':', '.', '!', '?']) {
            units.push(Unit::Pause);
        }
    }
    if !matches!(units.last(), Some(Unit::Pause)) {
        units.push(Unit::Pause);
    }
    (words, units)
}

/// The phoneme a single letter most often stands for in English.
fn letter_phoneme(c: char) -> &'static str {
    match c {
        'a' => "æ",
        'b' => "b",
        'c' | 'k' | 'q' | 'x' => "k",
        'd' => "d",
        'e' => "ɛ",
        'f' => "f",
        'g' => "ɡ",
        'h' => "h",
        'i' => "ɪ",
        'j' => "dʒ",
        'l' => "l",
        'm' => "m",
        'n' => "n",
        'o' => "ɑ",
        'p' => "p",
        'r' => "ɹ",
        's' => "s",
        't' => "t",
        'u' => "ʌ",
        'v' => "v",
        'w' => "w",
        'y' => "j",
        'z' => "z",
        _ => "ə",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_fallback_gives_a_phoneme_per_sound_and_word_indices() {
        let (words, units) = letter_units("Hello, the fish!");
        assert_eq!(words, ["Hello", "the", "fish"]);
        let names: Vec<(&str, usize)> = units
            .iter()
            .filter_map(|u| match u {
                Unit::Phone { name, word } => Some((name.as_str(), *word)),
                _ => None,
            })
            .collect();
        assert_eq!(
            names,
            [
                ("h", 0),
                ("ɛ", 0),
                ("l", 0),
                ("ɑ", 0),
                ("θ", 1),
                ("ɛ", 1),
                ("f", 2),
                ("ɪ", 2),
                ("ʃ", 2)
            ]
        );
        // Pause, word, pause after the comma, word, gap, word, pause.
        assert!(matches!(units.first(), Some(Unit::Pause)));
        assert!(matches!(units.get(5), Some(Unit::Pause)));
        assert!(matches!(units.last(), Some(Unit::Pause)));
        assert_eq!(letter_units("  ... ").0.len(), 0);
    }

    #[test]
    fn timing_is_stretched_to_the_voiced_audio() {
        let (tx, _rx) = tokio::sync::mpsc::channel(1);
        let out = Out::new(
            tx,
            vl_engine::RequestId(7),
            tokio_util::sync::CancellationToken::new(),
        );
        // 0.2 s silence, 1 s "speech", 0.3 s silence at 24 kHz.
        let mut audio = vec![0.0f32; 4_800];
        audio.extend((0..24_000).map(|i| if i % 2 == 0 { 0.3 } else { -0.3 }));
        audio.extend(vec![0.0; 7_200]);
        let (words, units) = letter_units("big dog");
        let outputs = timing_outputs(&out, &audio, 24_000, &words, &units, true);
        let spans: Vec<(String, u64, u64)> = outputs
            .iter()
            .filter_map(|o| match o {
                BackendOutput::Word {
                    text,
                    offset_ms,
                    duration_ms,
                    ..
                } => Some((text.clone(), *offset_ms, *duration_ms)),
                _ => None,
            })
            .collect();
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].0, "big");
        assert_eq!(
            spans[0].1, 200,
            "the first word starts where the voice does"
        );
        let end = spans[1].1 + spans[1].2;
        assert_eq!(end, 1200, "the last word ends where the voice does");
        let visemes: Vec<u32> = outputs
            .iter()
            .filter_map(|o| match o {
                BackendOutput::Viseme { viseme_id, .. } => Some(*viseme_id),
                _ => None,
            })
            .collect();
        assert!(visemes.contains(&21), "b is a bilabial: {visemes:?}");
        assert!(
            outputs.iter().any(
                |o| matches!(o, BackendOutput::Blendshapes { frames, .. } if frames.len() >= 80)
            )
        );
    }
}
