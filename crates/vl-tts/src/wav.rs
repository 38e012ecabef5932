//! A lenient reader for the 16-bit PCM WAV that `espeak-ng --stdout` writes, and the matching
//! writer.
//!
//! Written to a pipe, espeak-ng cannot seek back to fill in the chunk sizes, so the RIFF and
//! `data` sizes may be placeholders (`0x7ffff…`); the data then runs to the end of the stream.

use crate::TtsError;

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?]))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *b.get(i)?,
        *b.get(i + 1)?,
        *b.get(i + 2)?,
        *b.get(i + 3)?,
    ]))
}

/// Decodes a mono 16-bit PCM WAV into `(sample_rate_hz, samples)` with samples in -1.0..1.0.
pub fn decode_pcm16_mono(bytes: &[u8]) -> Result<(u32, Vec<f32>), TtsError> {
    let bad = |m: &str| TtsError::Wav(m.to_string());
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err(bad("not a RIFF/WAVE stream"));
    }
    let mut pos = 12usize;
    let mut format: Option<(u16, u16, u32, u16)> = None;
    while let (Some(id), Some(size)) = (bytes.get(pos..pos + 4), u32_at(bytes, pos + 4)) {
        let body = pos + 8;
        if id == b"fmt " {
            let f = (|| {
                Some((
                    u16_at(bytes, body)?,
                    u16_at(bytes, body + 2)?,
                    u32_at(bytes, body + 4)?,
                    u16_at(bytes, body + 14)?,
                ))
            })()
            .ok_or_else(|| bad("short fmt chunk"))?;
            format = Some(f);
        } else if id == b"data" {
            let (tag, channels, rate, bits) = format.ok_or_else(|| bad("data before fmt"))?;
            if tag != 1 || channels != 1 || bits != 16 {
                return Err(bad(&format!(
                    "want PCM mono 16-bit, got format {tag}, {channels} channels, {bits} bits"
                )));
            }
            let end = body.saturating_add(size as usize).min(bytes.len());
            let data = bytes.get(body..end).unwrap_or_default();
            let samples = data
                .chunks_exact(2)
                .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32_768.0)
                .collect();
            return Ok((rate, samples));
        }
        pos = body.saturating_add(size as usize + (size as usize & 1));
    }
    Err(bad("no data chunk"))
}

/// Encodes mono samples (-1.0..1.0, clamped) as a 16-bit PCM WAV at `sample_rate_hz`.
pub fn encode_pcm16_mono(sample_rate_hz: u32, samples: &[f32]) -> Vec<u8> {
    let pcm: Vec<i16> = samples
        .iter()
        .map(|s| (s.clamp(-1.0, 1.0) * 32_767.0) as i16)
        .collect();
    let data_bytes = u32::try_from(pcm.len() * 2).unwrap_or(u32::MAX);
    wav_bytes(
        sample_rate_hz,
        &pcm,
        data_bytes.saturating_add(36),
        data_bytes,
    )
}

/// A mono 16-bit WAV with the given RIFF and `data` chunk sizes (a pipe writer's placeholders
/// are allowed, which is why they are parameters).
fn wav_bytes(sample_rate_hz: u32, pcm: &[i16], riff_size: u32, data_size: u32) -> Vec<u8> {
    let mut b = Vec::with_capacity(44 + pcm.len() * 2);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&riff_size.to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes()); // PCM
    b.extend_from_slice(&1u16.to_le_bytes()); // mono
    b.extend_from_slice(&sample_rate_hz.to_le_bytes());
    b.extend_from_slice(&sample_rate_hz.saturating_mul(2).to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_size.to_le_bytes());
    for s in pcm {
        b.extend_from_slice(&s.to_le_bytes());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(rate: u32, samples: &[i16], data_size: u32) -> Vec<u8> {
        wav_bytes(rate, samples, 0x7fff_ffff, data_size)
    }

    #[test]
    fn encoded_wav_reads_back() {
        let x = [0.0f32, 0.5, -1.0, 2.0];
        let bytes = encode_pcm16_mono(24_000, &x);
        assert_eq!(bytes.len(), 44 + 8);
        assert_eq!(u32_at(&bytes, 4), Some(36 + 8));
        let (rate, y) = decode_pcm16_mono(&bytes).unwrap();
        assert_eq!(rate, 24_000);
        assert_eq!(y.len(), 4);
        for (a, b) in [0.0f32, 0.5, -1.0, 1.0].iter().zip(&y) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
    }

    #[test]
    fn reads_placeholder_sizes_to_the_end() {
        let (rate, s) =
            decode_pcm16_mono(&wav(22_050, &[0, 16_384, -32_768], 0x7fff_ffff)).unwrap();
        assert_eq!(rate, 22_050);
        assert_eq!(s, vec![0.0, 0.5, -1.0]);
        let (_, s) = decode_pcm16_mono(&wav(8_000, &[1, 2, 3], 4)).unwrap();
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(decode_pcm16_mono(b"").is_err());
        assert!(decode_pcm16_mono(b"RIFF\0\0\0\0WAVEdata").is_err());
        let mut w = wav(16_000, &[1], 2);
        w[22] = 2; // two channels
        assert!(decode_pcm16_mono(&w).is_err());
        for cut in 0..w.len() {
            let _ = decode_pcm16_mono(&w[..cut]);
        }
    }
}
