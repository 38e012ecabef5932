//! The fallback voice: espeak-ng speaking through its command line (a separate process, so no
//! GPL code is linked). Needs no model download.
//!
//! Each sentence is one `espeak-ng -v <voice> --stdout --stdin` run (≈ 10–60 ms of process
//! start-up plus ≈ 0.004 × the audio length). The espeak-ng command line cannot report phoneme
//! events (they are library-only), so the timing is estimated: the phonemes from
//! [`EspeakPhonemizer`] get nominal durations stretched to the voiced part of the audio
//! ([`crate::timing::stretch_to`]).

use std::io::Write;
use std::process::{Command, Stdio};

use crate::espeak::{EspeakPhonemizer, espeak_program};
use crate::synth::{Synthesizer, TimingSource, Utterance, voiced_region};
use crate::timing::{stretch_to, viseme_events, word_timestamps};
use crate::{TtsError, wav};

/// espeak-ng's output sample rate, Hz.
pub const ESPEAK_SAMPLE_RATE: u32 = 22_050;

/// The espeak-ng process voice.
#[derive(Debug)]
pub struct EspeakTts {
    voice: String,
    speed_wpm: u32,
    phonemizer: EspeakPhonemizer,
}

impl EspeakTts {
    /// An espeak-ng voice such as `en-us+f3` (language `en-us`, variant `f3`) speaking at
    /// `speed_wpm` words per minute (espeak's default is 175).
    pub fn new(voice: &str, speed_wpm: u32) -> Result<Self, TtsError> {
        let language = voice.split('+').next().unwrap_or(voice);
        Ok(Self {
            voice: voice.to_string(),
            speed_wpm: speed_wpm.clamp(80, 450),
            phonemizer: EspeakPhonemizer::new(language)?,
        })
    }

    fn run(&self, text: &str) -> Result<Vec<u8>, TtsError> {
        let program = espeak_program();
        let mut child = Command::new(&program)
            .args([
                "-v",
                &self.voice,
                "-s",
                &self.speed_wpm.to_string(),
                "--stdout",
                "--stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| TtsError::Espeak(format!("cannot start `{program}`: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            let clean: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            stdin.write_all(clean.as_bytes())?;
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            return Err(TtsError::Espeak(format!("exit status {}", out.status)));
        }
        Ok(out.stdout)
    }
}

impl Synthesizer for EspeakTts {
    fn sample_rate(&self) -> u32 {
        ESPEAK_SAMPLE_RATE
    }

    fn synthesize(&mut self, sentence: &str) -> Result<Utterance, TtsError> {
        let phonemized = self.phonemizer.phonemize_sentence(sentence)?;
        let (rate, audio) = wav::decode_pcm16_mono(&self.run(sentence)?)?;
        let units = phonemized.units();
        let (start, end) = voiced_region(&audio, 0.01);
        let durations = stretch_to(&units, audio.len() as u64, start as u64, end as u64);
        Ok(Utterance {
            text: sentence.to_string(),
            sample_rate: rate,
            words: word_timestamps(&units, &durations, &phonemized.words, rate),
            visemes: viseme_events(&units, &durations, rate),
            audio,
            timing: TimingSource::Estimated,
        })
    }
}
