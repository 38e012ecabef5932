//! The audio a load session speaks: recorded prompts read from WAV files, resampled to the wire
//! rate (24 kHz mono PCM16), separated by silence, and cut into 20 ms `input_audio_buffer.append`
//! events that are encoded once and shared by every session.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// The wire sample rate, in Hz.
pub const WIRE_HZ: u32 = 24_000;
/// Length of one append chunk, in ms.
pub const CHUNK_MS: u64 = 20;
/// Samples in one append chunk at [`WIRE_HZ`].
pub const CHUNK_SAMPLES: usize = (WIRE_HZ as usize) * (CHUNK_MS as usize) / 1000;

/// The looped audio script: pre-encoded append events.
#[derive(Debug, Clone)]
pub struct Script {
    /// One `input_audio_buffer.append` event per 20 ms chunk, ready to send.
    pub appends: Vec<Utf8Bytes>,
    /// Number of utterances (prompts) in the loop.
    pub utterances: usize,
    /// Seconds of speech (prompt audio) in the loop, in s.
    pub speech_seconds: f64,
}

impl Script {
    /// Loop length, in s.
    pub fn seconds(&self) -> f64 {
        self.appends.len() as f64 * CHUNK_MS as f64 / 1000.0
    }
}

/// Lists the `.wav` files of `dir`, sorted by name.
///
/// # Errors
///
/// The directory cannot be read.
pub fn wav_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("wav")))
        .collect();
    files.sort();
    Ok(files)
}

/// Reads a mono (or first-channel) 16-bit WAV file as f32 samples and its rate in Hz.
///
/// # Errors
///
/// The file is not a readable 16-bit PCM WAV.
pub fn read_wav(path: &Path) -> anyhow::Result<(Vec<f32>, u32)> {
    let mut reader =
        hound::WavReader::open(path).with_context(|| format!("opening {}", path.display()))?;
    let spec = reader.spec();
    if spec.bits_per_sample != 16 || spec.sample_format != hound::SampleFormat::Int {
        anyhow::bail!("{}: not 16-bit PCM", path.display());
    }
    let channels = usize::from(spec.channels.max(1));
    let samples: Vec<f32> = reader
        .samples::<i16>()
        .step_by(channels)
        .map(|s| s.map(vl_codec::pcm16::to_f32))
        .collect::<Result<_, _>>()
        .with_context(|| format!("decoding {}", path.display()))?;
    Ok((samples, spec.sample_rate))
}

/// Resamples `samples` from `in_hz` to [`WIRE_HZ`] (vl-codec's resampler, flushed).
///
/// # Errors
///
/// The rate is not supported by the resampler.
pub fn to_wire_rate(samples: &[f32], in_hz: u32) -> anyhow::Result<Vec<f32>> {
    if in_hz == WIRE_HZ {
        return Ok(samples.to_vec());
    }
    let mut rs = vl_codec::resample::Resampler::new(in_hz, WIRE_HZ)
        .map_err(|e| anyhow::anyhow!("resampler {in_hz} Hz -> {WIRE_HZ} Hz: {e}"))?;
    let mut out = Vec::with_capacity(rs.max_output_len(samples.len()) + rs.flush_len());
    rs.process_into(samples, &mut out);
    let mut tail = vec![0.0; rs.flush_len()];
    let n = rs
        .flush(&mut tail)
        .map_err(|e| anyhow::anyhow!("resampler flush: {e}"))?;
    out.extend(tail.iter().take(n));
    // Drop the resampler's group delay so the prompt starts where it starts.
    let delay = rs.delay_samples().min(out.len());
    out.drain(..delay);
    Ok(out)
}

/// Builds the script: up to `max_files` prompts of 0.8–6 s from `files`, each followed by
/// `gap_ms` of silence, as 20 ms append events.
///
/// # Errors
///
/// No usable file, or a file cannot be read.
pub fn build_script(files: &[PathBuf], max_files: usize, gap_ms: u64) -> anyhow::Result<Script> {
    let mut pcm: Vec<i16> = Vec::new();
    let mut utterances = 0;
    let mut speech_samples = 0usize;
    let gap = (WIRE_HZ as usize) * usize::try_from(gap_ms)? / 1000;
    for path in files {
        if utterances >= max_files {
            break;
        }
        let (samples, hz) = read_wav(path)?;
        let secs = samples.len() as f64 / f64::from(hz);
        if !(0.8..=6.0).contains(&secs) {
            continue;
        }
        let wire = to_wire_rate(&samples, hz)?;
        speech_samples += wire.len();
        pcm.extend(wire.iter().map(|&s| vl_codec::pcm16::from_f32(s)));
        pcm.extend(std::iter::repeat_n(0i16, gap));
        utterances += 1;
    }
    if utterances == 0 {
        anyhow::bail!("no WAV prompt of 0.8-6 s among {} files", files.len());
    }
    let whole = pcm.len() / CHUNK_SAMPLES * CHUNK_SAMPLES;
    pcm.truncate(whole);
    let mut appends = Vec::with_capacity(pcm.len() / CHUNK_SAMPLES);
    let mut b64 = String::new();
    for chunk in pcm.chunks_exact(CHUNK_SAMPLES) {
        b64.clear();
        vl_codec::base64::encode_pcm16_base64(chunk, &mut b64);
        let text = format!(r#"{{"type":"input_audio_buffer.append","audio":"{b64}"}}"#);
        appends.push(Utf8Bytes::from(text));
    }
    Ok(Script {
        appends,
        utterances,
        speech_seconds: speech_samples as f64 / f64::from(WIRE_HZ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tone_is_resampled_to_three_times_its_length() {
        let tone: Vec<f32> = (0..8000).map(|i| (i as f32 * 0.1).sin() * 0.5).collect();
        let wire = to_wire_rate(&tone, 8000).unwrap();
        assert!((wire.len() as i64 - 24_000).abs() <= 3, "{}", wire.len());
    }

    #[test]
    fn the_script_is_whole_chunks_of_valid_json() {
        let dir = std::env::temp_dir().join(format!("vl-load-audio-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..8000 {
            w.write_sample(((i as f32 * 0.2).sin() * 8000.0) as i16)
                .unwrap();
        }
        w.finalize().unwrap();
        let script = build_script(&wav_files(&dir).unwrap(), 4, 500).unwrap();
        assert_eq!(script.utterances, 1);
        // 1 s of speech + 0.5 s gap = 75 chunks (the last partial chunk is dropped).
        assert!(
            (74..=75).contains(&script.appends.len()),
            "{}",
            script.appends.len()
        );
        let v: serde_json::Value = serde_json::from_str(script.appends[0].as_str()).unwrap();
        assert_eq!(v["type"], "input_audio_buffer.append");
        assert_eq!(v["audio"].as_str().unwrap().len(), 1280);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
