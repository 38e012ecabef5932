//! The scripted voice: audible, speech-like synthetic audio with word timings and visemes.
//!
//! Each letter of a word becomes a 55–95 ms segment. Vowels and voiced consonants are a
//! glottal-pulse train (a Rosenberg-style pulse, differentiated for lip radiation) through three
//! cascaded formant resonators set per letter; unvoiced consonants are deterministic noise through
//! one resonator. Pitch falls across each word (130 → 105 Hz, plus a slow declination across the
//! text) and each letter has a raised-cosine amplitude envelope, so the signal has a syllabic
//! pitch and amplitude contour rather than a constant tone. Words are separated by 70 ms of
//! silence, clauses (`,;:`) by 150 ms, sentences (`.!?`) by 250 ms. The audio length therefore
//! grows with the text. Word timings are exact (the segment boundaries); visemes come from the
//! letters (backends.md §4.1 ids), with viseme 0 in every pause.

use std::f32::consts::PI;

use crate::backend::{BackendOutput, SynthesizeRequest};

/// Pause between words, in ms.
pub const WORD_GAP_MS: u64 = 70;
/// Pause after `,`, `;` or `:`, in ms.
pub const CLAUSE_GAP_MS: u64 = 150;
/// Pause after `.`, `!` or `?`, in ms.
pub const SENTENCE_GAP_MS: u64 = 250;

#[derive(Clone, Copy)]
enum Kind {
    Vowel,
    Voiced,
    Unvoiced,
}

#[derive(Clone, Copy)]
struct Phone {
    kind: Kind,
    /// Formants F1..F3, in Hz.
    formants: [f32; 3],
    duration_ms: u64,
    viseme: u32,
    gain: f32,
}

fn phone(letter: char) -> Option<Phone> {
    let v = |f1, f2, viseme| Phone {
        kind: Kind::Vowel,
        formants: [f1, f2, 2500.0],
        duration_ms: 95,
        viseme,
        gain: 1.0,
    };
    let voiced = |f1, f2, viseme| Phone {
        kind: Kind::Voiced,
        formants: [f1, f2, 2400.0],
        duration_ms: 60,
        viseme,
        gain: 0.45,
    };
    let noise = |f, viseme, gain| Phone {
        kind: Kind::Unvoiced,
        formants: [f, f, f],
        duration_ms: 55,
        viseme,
        gain,
    };
    Some(match letter.to_ascii_lowercase() {
        'a' => v(750.0, 1250.0, 2),
        'e' => v(550.0, 1800.0, 4),
        'i' => v(300.0, 2200.0, 6),
        'o' => v(500.0, 900.0, 8),
        'u' => v(350.0, 850.0, 7),
        'y' => v(320.0, 2100.0, 6),
        'm' => voiced(280.0, 1100.0, 21),
        'b' => voiced(300.0, 1000.0, 21),
        'n' => voiced(280.0, 1500.0, 19),
        'd' => voiced(300.0, 1600.0, 19),
        'l' => voiced(350.0, 1100.0, 14),
        'r' => voiced(400.0, 1200.0, 13),
        'w' => voiced(320.0, 800.0, 7),
        'v' => voiced(300.0, 1300.0, 18),
        'z' => voiced(300.0, 1700.0, 15),
        'g' => voiced(300.0, 1900.0, 20),
        'j' => voiced(300.0, 2000.0, 16),
        's' => noise(3400.0, 15, 0.30),
        'f' => noise(2600.0, 18, 0.20),
        'h' => noise(1500.0, 12, 0.18),
        't' => noise(3000.0, 19, 0.30),
        'p' => noise(1200.0, 21, 0.28),
        'k' | 'c' | 'q' => noise(1800.0, 20, 0.30),
        'x' => noise(2800.0, 20, 0.30),
        _ if letter.is_ascii_digit() => v(600.0, 1500.0, 1),
        _ if letter.is_alphabetic() => v(600.0, 1500.0, 1),
        _ => return None,
    })
}

/// One word of the text to speak, with the pause that follows it.
struct WordPlan<'a> {
    text: &'a str,
    phones: Vec<Phone>,
    gap_ms: u64,
}

fn plan(text: &str) -> Vec<WordPlan<'_>> {
    let mut words = Vec::new();
    for raw in text.split_whitespace() {
        let trimmed = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let gap_ms = match raw.chars().last() {
            Some('.' | '!' | '?') => SENTENCE_GAP_MS,
            Some(',' | ';' | ':') => CLAUSE_GAP_MS,
            _ => WORD_GAP_MS,
        };
        let phones: Vec<Phone> = trimmed.chars().filter_map(phone).collect();
        if phones.is_empty() {
            if let Some(last) = words.last_mut() {
                let last: &mut WordPlan<'_> = last;
                last.gap_ms = last.gap_ms.max(gap_ms);
            }
            continue;
        }
        words.push(WordPlan {
            text: trimmed,
            phones,
            gap_ms,
        });
    }
    words
}

/// A two-pole resonator (Klatt 1980), state kept across segments for smooth transitions.
#[derive(Clone, Copy, Default)]
struct Resonator {
    a: f32,
    b: f32,
    c: f32,
    y1: f32,
    y2: f32,
}

impl Resonator {
    fn set(&mut self, freq_hz: f32, bandwidth_hz: f32, rate: f32) {
        let nyquist = rate / 2.0;
        let f = freq_hz.min(nyquist * 0.9);
        self.c = -(-2.0 * PI * bandwidth_hz / rate).exp();
        self.b = 2.0 * (-PI * bandwidth_hz / rate).exp() * (2.0 * PI * f / rate).cos();
        self.a = 1.0 - self.b - self.c;
    }

    fn step(&mut self, x: f32) -> f32 {
        let y = self.a * x + self.b * self.y1 + self.c * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// The voice's running state.
struct Voice {
    rate: f32,
    phase: f32,
    last_glottal: f32,
    formants: [Resonator; 3],
    noise_filter: Resonator,
    noise_state: u32,
}

impl Voice {
    fn new(rate: u32) -> Self {
        Self {
            rate: rate as f32,
            phase: 0.0,
            last_glottal: 0.0,
            formants: [Resonator::default(); 3],
            noise_filter: Resonator::default(),
            noise_state: 0x1234_5678,
        }
    }

    fn noise(&mut self) -> f32 {
        // xorshift32: deterministic white noise in [-1, 1).
        let mut x = self.noise_state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.noise_state = x;
        (x as f32 / u32::MAX as f32) * 2.0 - 1.0
    }

    /// Renders one phone; `pitch` maps the position in the word (0..1) to f0 in Hz.
    fn render(
        &mut self,
        p: &Phone,
        word_pos: (f32, f32),
        pitch: &dyn Fn(f32) -> f32,
        out: &mut Vec<i16>,
    ) {
        let n = (p.duration_ms as f32 * self.rate / 1000.0).round() as usize;
        let bandwidths = [90.0, 110.0, 160.0];
        for (r, (f, bw)) in self
            .formants
            .iter_mut()
            .zip(p.formants.iter().zip(bandwidths))
        {
            r.set(*f, bw, self.rate);
        }
        self.noise_filter
            .set(p.formants[0], p.formants[0] * 0.35, self.rate);
        let ramp = (0.012 * self.rate) as usize;
        for i in 0..n {
            let env = if i < ramp {
                0.5 - 0.5 * (PI * i as f32 / ramp as f32).cos()
            } else if i + ramp > n {
                0.5 - 0.5 * (PI * (n - i) as f32 / ramp as f32).cos()
            } else {
                1.0
            };
            let pos = word_pos.0 + (word_pos.1 - word_pos.0) * i as f32 / n.max(1) as f32;
            let sample = match p.kind {
                Kind::Vowel | Kind::Voiced => {
                    let f0 = pitch(pos);
                    self.phase += f0 / self.rate;
                    if self.phase >= 1.0 {
                        self.phase -= 1.0;
                    }
                    // Rosenberg glottal pulse: opening 0..0.4, closing 0.4..0.6, closed after.
                    let g = if self.phase < 0.4 {
                        0.5 * (1.0 - (PI * self.phase / 0.4).cos())
                    } else if self.phase < 0.6 {
                        (PI * (self.phase - 0.4) / 0.4).cos()
                    } else {
                        0.0
                    };
                    let radiated = g - self.last_glottal;
                    self.last_glottal = g;
                    let mut y = radiated * 6.0;
                    for r in &mut self.formants {
                        y = r.step(y);
                    }
                    y
                }
                Kind::Unvoiced => {
                    let x = self.noise();
                    self.noise_filter.step(x) * 1.5
                }
            };
            let v = (sample * p.gain * env * 9000.0).clamp(-32000.0, 32000.0);
            out.push(v as i16);
        }
    }
}

fn silence(ms: u64, rate: u32, out: &mut Vec<i16>) {
    let n = (ms * u64::from(rate) / 1000) as usize;
    out.extend(std::iter::repeat_n(0, n));
}

/// Answers one [`SynthesizeRequest`]: for each word, a [`BackendOutput::Word`], its
/// [`BackendOutput::Viseme`]s and one [`BackendOutput::Audio`] chunk (the word and the pause after
/// it), then [`BackendOutput::SynthesizeDone`]. Audio is at the requested rate (24 kHz if the
/// request asks for less than 8 kHz).
/// Frame rate of the scripted blendshapes, in frames per second.
pub const BLENDSHAPE_FPS: u32 = 60;

/// Index of `jawOpen` in Azure's blendshape order (backends.md §4.3, 0-based).
pub const JAW_OPEN: usize = 17;

/// Blendshape frames of one word and the pause after it, starting at `offset_ms`: `jawOpen` is
/// 0.5 during voiced letters (viseme ≠ 0) and 0 otherwise; the other channels stay 0. Frames
/// cover `[offset_ms, offset_ms + word + gap)` on the global 60 fps grid, so consecutive words
/// continue each other's frame indices.
fn blendshapes(
    req: &SynthesizeRequest,
    phones: &[Phone],
    offset_ms: u64,
    gap_ms: u64,
) -> BackendOutput {
    let fps = u64::from(BLENDSHAPE_FPS);
    let word_ms: u64 = phones.iter().map(|p| p.duration_ms).sum();
    let first = (offset_ms * fps).div_ceil(1000);
    let end = ((offset_ms + word_ms + gap_ms) * fps).div_ceil(1000);
    let mut frames = Vec::new();
    for f in first..end {
        let t_ms = f * 1000 / fps;
        let mut at = offset_ms;
        let mut open = 0.0;
        for p in phones {
            if (at..at + p.duration_ms).contains(&t_ms) && p.viseme != 0 {
                open = 0.5;
            }
            at += p.duration_ms;
        }
        let mut row = [0.0f32; crate::backend::BLENDSHAPE_CHANNELS];
        if let Some(v) = row.get_mut(JAW_OPEN) {
            *v = open;
        }
        frames.push(row);
    }
    BackendOutput::Blendshapes {
        request: req.id,
        offset_ms: first * 1000 / fps,
        fps: BLENDSHAPE_FPS,
        frames,
    }
}

pub(crate) fn synthesize(req: &SynthesizeRequest) -> Vec<BackendOutput> {
    let rate = if req.sample_rate_hz >= 8000 {
        req.sample_rate_hz
    } else {
        24_000
    };
    let words = plan(&req.text);
    let mut voice = Voice::new(rate);
    let mut out = Vec::new();
    let mut offset_ms = 0u64;
    let n_words = words.len().max(1) as f32;
    for (wi, word) in words.iter().enumerate() {
        let declination = 1.0 - 0.12 * wi as f32 / n_words;
        let pitch = move |pos: f32| (130.0 - 25.0 * pos) * declination;
        let word_ms: u64 = word.phones.iter().map(|p| p.duration_ms).sum();
        out.push(BackendOutput::Word {
            request: req.id,
            text: word.text.to_string(),
            offset_ms,
            duration_ms: word_ms,
        });
        let mut samples = Vec::new();
        let mut letter_offset = 0u64;
        let mut last_viseme = None;
        for p in &word.phones {
            let from = letter_offset as f32 / word_ms as f32;
            let to = (letter_offset + p.duration_ms) as f32 / word_ms as f32;
            if last_viseme != Some(p.viseme) {
                out.push(BackendOutput::Viseme {
                    request: req.id,
                    viseme_id: p.viseme,
                    offset_ms: offset_ms + letter_offset,
                });
                last_viseme = Some(p.viseme);
            }
            voice.render(p, (from, to), &pitch, &mut samples);
            letter_offset += p.duration_ms;
        }
        out.push(BackendOutput::Viseme {
            request: req.id,
            viseme_id: 0,
            offset_ms: offset_ms + word_ms,
        });
        silence(word.gap_ms, rate, &mut samples);
        if req.blendshapes {
            out.push(blendshapes(req, &word.phones, offset_ms, word.gap_ms));
        }
        offset_ms += word_ms + word.gap_ms;
        out.push(BackendOutput::Audio {
            request: req.id,
            samples,
            sample_rate_hz: rate,
        });
    }
    out.push(BackendOutput::SynthesizeDone { request: req.id });
    out
}

/// The length of the audio the scripted TTS produces for `text`, in ms.
pub fn speech_duration_ms(text: &str) -> u64 {
    plan(text)
        .iter()
        .map(|w| w.phones.iter().map(|p| p.duration_ms).sum::<u64>() + w.gap_ms)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::RequestId;

    fn req(text: &str) -> SynthesizeRequest {
        SynthesizeRequest {
            id: RequestId(1),
            response_id: "resp_1".into(),
            text: text.into(),
            voice: "alloy".into(),
            voice_type: "openai".into(),
            sample_rate_hz: 24_000,
            blendshapes: false,
        }
    }

    fn audio(outs: &[BackendOutput]) -> Vec<i16> {
        outs.iter()
            .flat_map(|o| match o {
                BackendOutput::Audio { samples, .. } => samples.clone(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn audible_and_grows_with_text() {
        let short = audio(&synthesize(&req("hello")));
        let long = audio(&synthesize(&req("hello there, how are you today?")));
        assert!(long.len() > 2 * short.len());
        assert_eq!(
            long.len() as u64,
            speech_duration_ms("hello there, how are you today?") * 24
        );
        let rms =
            (long.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / long.len() as f64).sqrt();
        assert!(rms > 300.0, "rms {rms}");
        // Not a constant tone: the 20 ms frame energies vary a lot.
        let energies: Vec<f64> = long
            .chunks(480)
            .map(|c| c.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>())
            .collect();
        let max = energies.iter().copied().fold(0.0, f64::max);
        let quiet = energies.iter().filter(|&&e| e < max * 0.01).count();
        assert!(quiet > 3, "pauses expected");
    }

    #[test]
    fn words_and_visemes_in_order() {
        let outs = synthesize(&req("You said: hi"));
        let words: Vec<(String, u64)> = outs
            .iter()
            .filter_map(|o| match o {
                BackendOutput::Word {
                    text, offset_ms, ..
                } => Some((text.clone(), *offset_ms)),
                _ => None,
            })
            .collect();
        assert_eq!(
            words.iter().map(|w| w.0.as_str()).collect::<Vec<_>>(),
            ["You", "said", "hi"]
        );
        assert_eq!(words[0].1, 0);
        assert_eq!(words[1].1, 3 * 95 + WORD_GAP_MS); // "You": three vowels.
        let visemes: Vec<u64> = outs
            .iter()
            .filter_map(|o| match o {
                BackendOutput::Viseme { offset_ms, .. } => Some(*offset_ms),
                _ => None,
            })
            .collect();
        assert!(visemes.windows(2).all(|w| w[0] <= w[1]));
    }
}
