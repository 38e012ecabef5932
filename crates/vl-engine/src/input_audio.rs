//! The input audio pipeline and buffer accounting.
//!
//! `input_audio_buffer.append` → strict base64 → wire format (PCM16 at the session rate, G.711 at
//! 8 kHz) → PCM16 → resampled to [`PROCESSING_RATE_HZ`] → 10 ms frames → echo cancellation →
//! noise suppression → VAD / turn detection → the uncommitted buffer (16 kHz PCM16).
//!
//! Audio time is counted in processed samples since the session started, so `audio_start_ms` /
//! `audio_end_ms` are "ms from the start of all audio written this session" (protocol.md §3).

use vl_schema::audio_format::InputAudioFormat;
use vl_schema::turn_detection::{Eagerness, TurnDetection};
use vl_schema::turn_detection::{EndOfUtteranceDetection, EouThresholdLevel};
use vl_vad::{
    FRAME_SAMPLES, Language, SemanticConfig, ServerVadConfig, ThresholdLevel, TurnEvent, Vad,
};

use crate::PROCESSING_RATE_HZ;
use crate::audio::{self, InputAudioError, RateConverter};
use crate::dsp::{EchoCanceller, NoiseSuppressor};

/// Turn detection parameters the engine acts on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TurnParams {
    pub(crate) vad: ServerVadConfig,
    /// Semantic end of turn (`azure_semantic_vad*`, `semantic_vad`); `None` = plain server_vad.
    pub(crate) semantic: Option<SemanticConfig>,
    pub(crate) create_response: bool,
    pub(crate) interrupt_response: bool,
    pub(crate) auto_truncate: bool,
    /// `remove_filler_words` (Azure semantic VADs): fillers and backchannels neither start a
    /// turn nor interrupt a response (see the crate docs for the events).
    pub(crate) remove_filler_words: bool,
    /// The session's `languages` that vl-vad knows (empty = all of them).
    pub(crate) languages: Vec<Language>,
}

/// The engine's view of a session's `turn_detection`; `None` = no turn detection. The Azure
/// semantic VADs and OpenAI `semantic_vad` behave like `server_vad` for now (semantic
/// `eagerness` maps to the silence duration: low 1000 ms, auto/medium 500 ms, high 300 ms).
pub(crate) fn turn_params(td: Option<&TurnDetection>) -> Option<TurnParams> {
    let td = td?;
    let base = ServerVadConfig::default();
    let vad = |threshold: Option<f64>,
               prefix: Option<u32>,
               silence: Option<u32>,
               speech: Option<u32>,
               default_prefix: u32,
               default_speech: u32| {
        base.with_threshold(threshold.unwrap_or(0.5) as f32)
            .with_prefix_padding_ms(prefix.unwrap_or(default_prefix))
            .with_silence_duration_ms(silence.unwrap_or(500))
            .with_speech_duration_ms(speech.unwrap_or(default_speech))
    };
    let params =
        |vad, create: Option<bool>, interrupt: Option<bool>, truncate: Option<bool>| TurnParams {
            vad,
            semantic: None,
            create_response: create.unwrap_or(true),
            interrupt_response: interrupt.unwrap_or(true),
            auto_truncate: truncate.unwrap_or(false),
            remove_filler_words: false,
            languages: Vec::new(),
        };
    Some(match td {
        TurnDetection::None(_) => return None,
        TurnDetection::ServerVad(v) => params(
            vad(
                v.threshold,
                v.prefix_padding_ms,
                v.silence_duration_ms,
                v.speech_duration_ms,
                300,
                base.speech_duration_ms,
            ),
            v.create_response,
            v.interrupt_response,
            v.auto_truncate,
        ),
        TurnDetection::AzureSemanticVad(v)
        | TurnDetection::AzureSemanticVadEn(v)
        | TurnDetection::AzureSemanticVadMultilingual(v) => {
            let mut p = params(
                vad(
                    v.threshold,
                    v.prefix_padding_ms,
                    v.silence_duration_ms,
                    v.speech_duration_ms,
                    420,
                    80,
                )
                .with_speech_duration_assistant_speaking_ms(
                    v.speech_duration_assistant_speaking_ms,
                ),
                v.create_response,
                v.interrupt_response,
                v.auto_truncate,
            );
            p.languages = v
                .languages
                .iter()
                .flatten()
                .filter_map(|tag| Language::from_bcp47(tag))
                .collect();
            p.remove_filler_words = v.remove_filler_words.unwrap_or(false);
            p.semantic = Some(
                azure_semantic(
                    v.silence_duration_ms.unwrap_or(500),
                    v.end_of_utterance_detection.as_ref(),
                )
                .with_languages(p.languages.clone()),
            );
            p
        }
        TurnDetection::SemanticVad(v) => {
            let silence = match v.eagerness {
                Some(Eagerness::Low) => 1000,
                Some(Eagerness::High) => 300,
                _ => 500,
            };
            let mut p = params(
                vad(
                    None,
                    None,
                    Some(silence),
                    None,
                    300,
                    base.speech_duration_ms,
                ),
                v.create_response,
                v.interrupt_response,
                v.auto_truncate,
            );
            p.semantic = Some(SemanticConfig::openai(match v.eagerness {
                Some(Eagerness::Low) => vl_vad::Eagerness::Low,
                Some(Eagerness::High) => vl_vad::Eagerness::High,
                Some(Eagerness::Medium) => vl_vad::Eagerness::Medium,
                _ => vl_vad::Eagerness::Auto,
            }));
            p
        }
    })
}

/// The semantic end-of-turn settings of an Azure semantic VAD (EOU `threshold_level`, default
/// medium; `timeout_ms`, default 1000).
fn azure_semantic(silence_ms: u32, eou: Option<&EndOfUtteranceDetection>) -> SemanticConfig {
    let level = match eou.and_then(|e| e.threshold_level.as_ref()) {
        Some(EouThresholdLevel::Low) => ThresholdLevel::Low,
        Some(EouThresholdLevel::High) => ThresholdLevel::High,
        Some(EouThresholdLevel::Medium) => ThresholdLevel::Medium,
        _ => ThresholdLevel::Default,
    };
    let timeout = eou.and_then(|e| e.timeout_ms).unwrap_or(1000);
    SemanticConfig::azure(silence_ms, level, timeout)
}

/// Why an append was refused (the buffer is unchanged then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AppendError {
    /// `audio: ""`.
    Empty,
    /// Decoded audio over `max_append_audio_bytes`.
    TooLarge,
    /// Not strict base64.
    Base64,
    /// PCM16 with an odd byte count.
    OddLength,
    /// The uncommitted buffer would exceed `max_buffer_ms`.
    BufferFull,
}

/// A turn-detection decision, in session audio time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum InputEvent {
    SpeechStarted {
        audio_start_ms: u64,
    },
    /// More audio of the turn in progress (streaming recognition, 16 kHz): the samples since
    /// the previous chunk, starting with the prefix padding.
    TurnAudio(Vec<i16>),
    /// The turn ended; `audio` is the committed turn (the whole uncommitted buffer, 16 kHz).
    /// With streaming on, the last [`TurnAudio`](Self::TurnAudio) chunk precedes it.
    SpeechStopped {
        audio_end_ms: u64,
        audio: Vec<i16>,
        /// Speech and voiced speech of the turn, in ms ([`InputAudio::turn_speech`] at its
        /// last frame; the counters restart with the next silent frame).
        speech_ms: (u32, u32),
    },
}

/// The pipeline state of one session.
#[derive(Debug)]
pub(crate) struct InputAudio {
    format: InputAudioFormat,
    rate_hz: u32,
    converter: RateConverter,
    scratch_bytes: Vec<u8>,
    scratch_pcm: Vec<i16>,
    scratch_f32: Vec<f32>,
    /// Samples of an incomplete 10 ms frame.
    frame: Vec<f32>,
    pub(crate) echo_canceller: Option<Box<dyn EchoCanceller>>,
    pub(crate) noise_suppressor: Option<Box<dyn NoiseSuppressor>>,
    /// Whether `noise_suppressor` came from the deep factory.
    pub(crate) noise_suppressor_deep: bool,
    vad: Option<Vad>,
    /// Session audio time at which `vad` was created, in ms.
    vad_origin_ms: u64,
    buffer: Vec<i16>,
    /// Processed samples (16 kHz) since the session started.
    processed: u64,
    /// Whether any audio was appended yet (format and rate are fixed after that).
    pub(crate) received_audio: bool,
    /// Converts our output audio to the processing rate for the echo canceller's far end.
    render_converter: Option<(u32, RateConverter)>,
    render_scratch: Vec<f32>,
    /// Whether VAD turns are streamed ([`InputEvent::TurnAudio`]).
    pub(crate) stream_turns: bool,
    /// Samples of `buffer` already streamed, while a streamed turn is in progress.
    streamed: Option<usize>,
}

/// Streaming chunk size, in samples at the processing rate.
const STREAM_CHUNK_SAMPLES: usize =
    (crate::backend::STREAM_CHUNK_MS * PROCESSING_RATE_HZ / 1000) as usize;

impl InputAudio {
    pub(crate) fn new(format: InputAudioFormat, rate_hz: u32) -> Self {
        Self {
            format,
            rate_hz,
            converter: RateConverter::new(rate_hz, PROCESSING_RATE_HZ),
            scratch_bytes: Vec::new(),
            scratch_pcm: Vec::new(),
            scratch_f32: Vec::new(),
            frame: Vec::with_capacity(FRAME_SAMPLES),
            echo_canceller: None,
            noise_suppressor: None,
            noise_suppressor_deep: false,
            vad: None,
            vad_origin_ms: 0,
            buffer: Vec::new(),
            processed: 0,
            received_audio: false,
            render_converter: None,
            render_scratch: Vec::new(),
            stream_turns: false,
            streamed: None,
        }
    }

    /// Changes the wire format and rate (only before the first append).
    pub(crate) fn set_format(&mut self, format: InputAudioFormat, rate_hz: u32) {
        if format != self.format || rate_hz != self.rate_hz {
            self.format = format;
            self.rate_hz = rate_hz;
            self.converter = RateConverter::new(rate_hz, PROCESSING_RATE_HZ);
        }
    }

    /// Applies turn detection parameters (`None` = off).
    pub(crate) fn set_turn(&mut self, params: Option<&TurnParams>) -> Result<(), vl_vad::VadError> {
        match (params, &mut self.vad) {
            (None, _) => {
                self.vad = None;
                self.streamed = None;
            }
            (Some(p), Some(vad)) => {
                vad.detector_mut().set_config(p.vad)?;
                vad.set_semantic(p.semantic.clone());
            }
            (Some(p), None) => {
                let mut vad = Vad::new(p.vad, PROCESSING_RATE_HZ)?;
                vad.set_semantic(p.semantic.clone());
                self.vad = Some(vad);
                self.vad_origin_ms = self.position_ms();
            }
        }
        Ok(())
    }

    /// The partial transcript of the turn in progress (whole text so far), for semantic end of
    /// turn; ignored without semantic detection.
    pub(crate) fn set_transcript(&mut self, text: &str) {
        if let Some(vad) = &mut self.vad {
            vad.set_transcript(text);
        }
    }

    /// Session audio time: processed audio since the start, in ms.
    pub(crate) fn position_ms(&self) -> u64 {
        self.processed * 1000 / u64::from(PROCESSING_RATE_HZ)
    }

    /// Uncommitted audio, in ms.
    pub(crate) fn buffered_ms(&self) -> u64 {
        (self.buffer.len() + self.frame.len()) as u64 * 1000 / u64::from(PROCESSING_RATE_HZ)
    }

    /// Audio a manual commit would take (complete 10 ms frames), in ms.
    pub(crate) fn committable_ms(&self) -> u64 {
        self.buffer.len() as u64 * 1000 / u64::from(PROCESSING_RATE_HZ)
    }

    /// Decodes and processes one append; returns the turn decisions it completed, in order.
    pub(crate) fn append(
        &mut self,
        text: &str,
        max_bytes: usize,
        max_buffer_ms: u64,
    ) -> Result<Vec<InputEvent>, AppendError> {
        if text.is_empty() {
            return Err(AppendError::Empty);
        }
        let padding = text.bytes().rev().take_while(|&b| b == b'=').count().min(2);
        if audio::decoded_len_bound(text.len()).saturating_sub(padding) > max_bytes {
            return Err(AppendError::TooLarge);
        }
        let mut pcm = std::mem::take(&mut self.scratch_pcm);
        pcm.clear();
        let decoded = audio::decode_input(self.format, text, &mut self.scratch_bytes, &mut pcm);
        let result = match decoded {
            Err(InputAudioError::Base64) => Err(AppendError::Base64),
            Err(InputAudioError::OddLength) => Err(AppendError::OddLength),
            Ok(()) if pcm.is_empty() => Err(AppendError::Empty),
            Ok(()) => {
                let new_ms = pcm.len() as u64 * 1000 / u64::from(self.rate_hz.max(1));
                if self.buffered_ms() + new_ms > max_buffer_ms {
                    Err(AppendError::BufferFull)
                } else {
                    self.received_audio = true;
                    Ok(self.process(&pcm))
                }
            }
        };
        self.scratch_pcm = pcm;
        result
    }

    fn process(&mut self, pcm: &[i16]) -> Vec<InputEvent> {
        let mut samples = std::mem::take(&mut self.scratch_f32);
        samples.clear();
        self.converter.process_f32(pcm, &mut samples);
        let mut events = Vec::new();
        let mut rest: &[f32] = &samples;
        while !rest.is_empty() {
            let take = (FRAME_SAMPLES - self.frame.len()).min(rest.len());
            let (head, tail) = rest.split_at(take);
            self.frame.extend_from_slice(head);
            rest = tail;
            if self.frame.len() == FRAME_SAMPLES {
                self.process_frame(&mut events);
            }
        }
        self.scratch_f32 = samples;
        events
    }

    fn process_frame(&mut self, events: &mut Vec<InputEvent>) {
        let mut frame = std::mem::take(&mut self.frame);
        if let Some(ec) = &mut self.echo_canceller {
            ec.process_capture(&mut frame);
        }
        if let Some(ns) = &mut self.noise_suppressor {
            ns.process(&mut frame);
        }
        let decision = match &mut self.vad {
            Some(vad) => vad.process_frame(&frame).ok().flatten(),
            None => None,
        };
        self.buffer
            .extend(frame.iter().map(|&s| vl_codec::pcm16::from_f32(s)));
        self.processed += FRAME_SAMPLES as u64;
        frame.clear();
        self.frame = frame;
        match decision {
            Some(TurnEvent::SpeechStarted { audio_start_ms }) => {
                let start = self.vad_origin_ms + audio_start_ms;
                // Keep the buffer from the turn start (prefix padding included).
                let start_sample = start * u64::from(PROCESSING_RATE_HZ) / 1000;
                let buffer_start = self.processed - self.buffer.len() as u64;
                let drop = start_sample.saturating_sub(buffer_start) as usize;
                self.buffer.drain(..drop.min(self.buffer.len()));
                events.push(InputEvent::SpeechStarted {
                    audio_start_ms: start,
                });
                if self.stream_turns {
                    self.streamed = Some(0);
                }
            }
            Some(TurnEvent::SpeechStopped { audio_end_ms }) => {
                if let Some(rest) = self.stream_remainder() {
                    events.push(InputEvent::TurnAudio(rest));
                }
                events.push(InputEvent::SpeechStopped {
                    audio_end_ms: self.vad_origin_ms + audio_end_ms,
                    audio: std::mem::take(&mut self.buffer),
                    speech_ms: self.turn_speech(),
                });
            }
            _ => {
                if let Some(sent) = self.streamed {
                    if self.buffer.len().saturating_sub(sent) >= STREAM_CHUNK_SAMPLES {
                        let chunk = self.buffer.get(sent..).unwrap_or_default().to_vec();
                        self.streamed = Some(self.buffer.len());
                        events.push(InputEvent::TurnAudio(chunk));
                    }
                }
            }
        }
        // While idle under VAD keep only what a coming turn's prefix padding can reach.
        if let Some(vad) = &self.vad {
            if !vad.detector().in_turn() {
                let cfg = vad.detector().config();
                let keep_ms = u64::from(cfg.prefix_padding_ms + cfg.speech_duration_ms) + 100;
                let keep = (keep_ms * u64::from(PROCESSING_RATE_HZ) / 1000) as usize;
                if self.buffer.len() > keep {
                    let drop = self.buffer.len() - keep;
                    self.buffer.drain(..drop);
                }
            }
        }
    }

    /// Takes the uncommitted buffer (manual commit); a VAD turn in progress is dropped without
    /// `speech_stopped`. An incomplete 10 ms frame (< 10 ms) stays pending for the next turn, so
    /// that audio time keeps counting whole frames.
    pub(crate) fn commit(&mut self) -> Vec<i16> {
        if let Some(vad) = &mut self.vad {
            vad.detector_mut().abort_turn();
        }
        self.streamed = None;
        std::mem::take(&mut self.buffer)
    }

    /// Ends the streamed turn in progress, if any, and returns its audio not streamed yet
    /// (`None` when nothing is streamed or nothing is left).
    pub(crate) fn stream_remainder(&mut self) -> Option<Vec<i16>> {
        let sent = self.streamed.take()?;
        let rest = self.buffer.get(sent..).unwrap_or_default();
        (!rest.is_empty()).then(|| rest.to_vec())
    }

    /// Drops the uncommitted audio and any turn in progress.
    pub(crate) fn clear(&mut self) {
        self.streamed = None;
        self.frame.clear();
        self.buffer.clear();
        if let Some(vad) = &mut self.vad {
            vad.detector_mut().abort_turn();
        }
    }

    /// Feeds our own output audio (PCM16 at `rate_hz`) to the echo canceller as its far end.
    pub(crate) fn render(&mut self, pcm: &[i16], rate_hz: u32) {
        let Some(ec) = &mut self.echo_canceller else {
            return;
        };
        if self
            .render_converter
            .as_ref()
            .is_none_or(|(hz, _)| *hz != rate_hz)
        {
            self.render_converter =
                Some((rate_hz, RateConverter::new(rate_hz, PROCESSING_RATE_HZ)));
        }
        self.render_scratch.clear();
        if let Some((_, c)) = &mut self.render_converter {
            c.process_f32(pcm, &mut self.render_scratch);
        }
        ec.process_render(&self.render_scratch);
    }

    /// The client stopped playing our audio: the echo canceller drops the far end it has not
    /// heard yet.
    pub(crate) fn clear_render(&mut self) {
        if let Some(ec) = &mut self.echo_canceller {
            ec.clear_far_end();
        }
    }

    /// Speech and voiced speech in the VAD turn in progress, in ms: the `speech_ms` /
    /// `voiced_ms` of [`vl_vad::barge_in`]; (0, 0) without VAD.
    pub(crate) fn turn_speech(&self) -> (u32, u32) {
        self.vad
            .as_ref()
            .map_or((0, 0), |vad| (vad.turn_speech_ms(), vad.turn_voiced_ms()))
    }

    /// The speech needed to barge in while the assistant speaks, in ms
    /// (`speech_duration_assistant_speaking_ms`, else `speech_duration_ms`; 0 without VAD).
    pub(crate) fn barge_in_speech_ms(&self) -> u32 {
        self.vad.as_ref().map_or(0, |vad| {
            let cfg = vad.detector().config();
            cfg.speech_duration_assistant_speaking_ms
                .unwrap_or(cfg.speech_duration_ms)
        })
    }

    /// Tells the turn detector whether the assistant is speaking.
    pub(crate) fn set_assistant_speaking(&mut self, speaking: bool) {
        if let Some(vad) = &mut self.vad {
            vad.detector_mut().set_assistant_speaking(speaking);
        }
    }
}
