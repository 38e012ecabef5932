//! The scripted recogniser: a deterministic transcript derived from the audio's energy bursts.
//!
//! The audio is cut into 20 ms frames. A frame is *voiced* when its RMS is at least 100 (about
//! −50 dBFS) and within 35 dB of the loudest frame. Voiced runs separated by less than 40 ms of
//! unvoiced frames are merged into one *burst*; bursts shorter than 60 ms are dropped. Each burst
//! becomes one word of [`VOCABULARY`]: burst `i` (0-based) lasting `d` ms gives
//! `VOCABULARY[(i + d / 100) % VOCABULARY.len()]`. The transcript is the words joined by single
//! spaces; audio without a burst gives an empty transcript. The same audio always gives the same
//! text, longer speech gives more words, and a partial transcript delta is sent per word.
//!
//! Streaming: every [`PARTIAL_EVERY_MS`] ms of new audio the words of the bursts
//! that have ended (followed by at least the bridge gap) are computed on the audio so far; when
//! the words already sent are a prefix of them, the new words are sent as deltas. At the commit
//! the transcript of the whole audio is final: the missing words follow as deltas if the sent
//! ones are its prefix, and `TranscriptDone` carries it (so the deltas concatenate to it
//! whenever earlier bursts did not change with later audio).

use crate::backend::{BackendOutput, RequestId, TranscribeRequest};

/// How much new audio a streaming recognition waits for before it recomputes partials, in ms.
pub const PARTIAL_EVERY_MS: u64 = 300;

/// The words the scripted recogniser can "hear".
pub const VOCABULARY: [&str; 16] = [
    "hello", "world", "please", "tell", "me", "about", "the", "weather", "today", "thank", "you",
    "very", "much", "what", "time", "is",
];

const FRAME_MS: u64 = 20;
const MIN_RMS: f64 = 100.0;
const RANGE_DB: f64 = 35.0;
const BRIDGE_MS: u64 = 40;
const MIN_BURST_MS: u64 = 60;

/// The transcript the scripted ASR gives for `audio` at `sample_rate_hz`.
pub fn transcript_for(audio: &[i16], sample_rate_hz: u32) -> String {
    words(&bursts(audio, sample_rate_hz)).join(" ")
}

/// The words of bursts `bursts` (in order).
fn words(bursts: &[(u64, u64)]) -> Vec<&'static str> {
    bursts
        .iter()
        .enumerate()
        .map(|(i, &(start, end))| {
            let d = end - start;
            VOCABULARY[(i + (d / 100) as usize) % VOCABULARY.len()]
        })
        .collect()
}

/// One streaming recognition of the scripted recogniser.
#[derive(Debug, Clone)]
pub(crate) struct Stream {
    sample_rate_hz: u32,
    audio: Vec<i16>,
    /// Audio length at the last partial computation, in samples.
    checked: usize,
    /// Words sent as deltas so far.
    sent: Vec<&'static str>,
}

impl Stream {
    pub(crate) fn new(sample_rate_hz: u32) -> Self {
        Self {
            sample_rate_hz: sample_rate_hz.max(1),
            audio: Vec::new(),
            checked: 0,
            sent: Vec::new(),
        }
    }

    /// Takes one audio chunk; answers the new stable words as deltas.
    pub(crate) fn push(&mut self, id: RequestId, samples: &[i16]) -> Vec<BackendOutput> {
        self.audio.extend_from_slice(samples);
        let every = (u64::from(self.sample_rate_hz) * PARTIAL_EVERY_MS / 1000) as usize;
        if self.audio.len() - self.checked < every {
            return Vec::new();
        }
        self.checked = self.audio.len();
        let total_ms = self.audio.len() as u64 * 1000 / u64::from(self.sample_rate_hz);
        let ended: Vec<(u64, u64)> = bursts(&self.audio, self.sample_rate_hz)
            .into_iter()
            .filter(|&(_, end)| end + BRIDGE_MS <= total_ms)
            .collect();
        self.extend(id, &words(&ended))
    }

    /// The commit: the remaining words as deltas, then the final transcript.
    pub(crate) fn finish(mut self, id: RequestId) -> Vec<BackendOutput> {
        let all = words(&bursts(&self.audio, self.sample_rate_hz));
        let transcript = all.join(" ");
        let mut out = self.extend(id, &all);
        out.push(BackendOutput::TranscriptDone {
            request: id,
            transcript,
        });
        out
    }

    /// Deltas for the words of `words` beyond those sent, if those sent are its prefix.
    fn extend(&mut self, id: RequestId, words: &[&'static str]) -> Vec<BackendOutput> {
        if words.len() <= self.sent.len() || !words.starts_with(&self.sent) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for &w in words.get(self.sent.len()..).unwrap_or_default() {
            let delta = if self.sent.is_empty() {
                w.to_owned()
            } else {
                format!(" {w}")
            };
            self.sent.push(w);
            out.push(BackendOutput::TranscriptDelta { request: id, delta });
        }
        out
    }
}

/// Voiced bursts as `(start_ms, end_ms)`.
fn bursts(audio: &[i16], sample_rate_hz: u32) -> Vec<(u64, u64)> {
    let frame = (u64::from(sample_rate_hz) * FRAME_MS / 1000).max(1) as usize;
    let rms: Vec<f64> = audio
        .chunks(frame)
        .map(|c| (c.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / c.len() as f64).sqrt())
        .collect();
    let peak = rms.iter().copied().fold(0.0, f64::max);
    let floor = (peak / 10f64.powf(RANGE_DB / 20.0)).max(MIN_RMS);
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for (i, &r) in rms.iter().enumerate() {
        if r < floor {
            continue;
        }
        let start = i as u64 * FRAME_MS;
        let end = start + FRAME_MS;
        match runs.last_mut() {
            Some(last) if start - last.1 < BRIDGE_MS => last.1 = end,
            _ => runs.push((start, end)),
        }
    }
    runs.retain(|&(s, e)| e - s >= MIN_BURST_MS);
    runs
}

/// Answers one [`TranscribeRequest`]: a [`BackendOutput::TranscriptDelta`] per word, then
/// [`BackendOutput::TranscriptDone`].
pub(crate) fn transcribe(req: &TranscribeRequest) -> Vec<BackendOutput> {
    let transcript = transcript_for(&req.audio, req.sample_rate_hz);
    let mut out: Vec<BackendOutput> = super::llm::split_words(&transcript)
        .into_iter()
        .map(|delta| BackendOutput::TranscriptDelta {
            request: req.id,
            delta: delta.to_string(),
        })
        .collect();
    out.push(BackendOutput::TranscriptDone {
        request: req.id,
        transcript,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_is_empty_and_bursts_count() {
        assert_eq!(transcript_for(&[0; 16_000], 16_000), "");
        let mut audio = vec![0i16; 16_000 * 2];
        for (i, s) in audio.iter_mut().enumerate() {
            let t = i % 16_000;
            if (1600..6400).contains(&t) {
                *s = if i % 40 < 20 { 5000 } else { -5000 };
            }
        }
        let text = transcript_for(&audio, 16_000);
        assert_eq!(text.split(' ').count(), 2, "{text}");
        assert_eq!(text, transcript_for(&audio, 16_000));
    }
}
