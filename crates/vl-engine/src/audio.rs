//! Adapter over vl-codec: wire formats in and out, resampling.
//!
//! Every codec call of the engine goes through this module, so the engine does not depend on
//! vl-codec's exact signatures anywhere else.

use vl_codec::Resampler;
use vl_codec::g711::Law;
use vl_schema::audio_format::{InputAudioFormat, OutputAudioFormat};

/// Why an append's audio was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputAudioError {
    /// The text is not strict standard padded base64 (RFC 4648 §4).
    Base64,
    /// PCM16 audio with an odd number of bytes.
    OddLength,
}

/// Strict standard base64 (RFC 4648 §4, padding required, no whitespace) to bytes, appended to
/// `out` (vl-codec's strict decoder).
pub(crate) fn decode_base64_bytes(text: &str, out: &mut Vec<u8>) -> Result<(), InputAudioError> {
    vl_codec::base64::decode_base64_bytes(text, out)
        .map(|_| ())
        .map_err(|_| InputAudioError::Base64)
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard padded base64 (RFC 4648 §4) of `bytes`.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    let sym = |v: u32| {
        char::from(
            BASE64_ALPHABET
                .get((v & 63) as usize)
                .copied()
                .unwrap_or(b'A'),
        )
    };
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let v = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(v >> 18));
        out.push(sym(v >> 12));
        out.push(if chunk.len() > 1 { sym(v >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(v) } else { '=' });
    }
    out
}

/// Upper bound of the decoded size of a base64 text, in bytes.
pub(crate) fn decoded_len_bound(text_len: usize) -> usize {
    text_len.div_ceil(4).saturating_mul(3)
}

/// Decodes the base64 text of one append in `format` into PCM16 samples at the wire rate.
pub(crate) fn decode_input(
    format: InputAudioFormat,
    text: &str,
    scratch: &mut Vec<u8>,
    out: &mut Vec<i16>,
) -> Result<(), InputAudioError> {
    match format {
        InputAudioFormat::Pcm16 => match vl_codec::base64::decode_base64_pcm16(text, out) {
            Ok(_) => Ok(()),
            Err(vl_codec::CodecError::InvalidLength { .. }) => Err(InputAudioError::OddLength),
            Err(_) => Err(InputAudioError::Base64),
        },
        InputAudioFormat::G711Ulaw | InputAudioFormat::G711Alaw => {
            let law = if format == InputAudioFormat::G711Ulaw {
                Law::Ulaw
            } else {
                Law::Alaw
            };
            scratch.clear();
            decode_base64_bytes(text, scratch)?;
            let start = out.len();
            out.resize(start + scratch.len(), 0);
            let tail = out.get_mut(start..).unwrap_or_default();
            // The output is exactly as long as the input: this cannot fail.
            if law.decode_into(scratch, tail).is_err() {
                out.truncate(start);
            }
            Ok(())
        }
    }
}

/// Bytes per sample of an output format (2 for PCM16, 1 for G.711).
pub(crate) fn output_bytes_per_sample(format: OutputAudioFormat) -> usize {
    if format.is_g711() { 1 } else { 2 }
}

/// Encodes PCM16 samples in `format` (its rate is the caller's business), appending to `out`.
pub(crate) fn encode_output(format: OutputAudioFormat, pcm: &[i16], out: &mut Vec<u8>) {
    match format {
        OutputAudioFormat::G711Ulaw | OutputAudioFormat::G711Alaw => {
            let law = if format == OutputAudioFormat::G711Ulaw {
                Law::Ulaw
            } else {
                Law::Alaw
            };
            out.extend(pcm.iter().map(|&s| law.encode(s)));
        }
        _ => {
            out.reserve(pcm.len() * 2);
            for s in pcm {
                out.extend_from_slice(&s.to_le_bytes());
            }
        }
    }
}

/// A streaming PCM16 rate converter; identity when the rates match or are unsupported.
#[derive(Debug)]
pub(crate) struct RateConverter {
    resampler: Option<Resampler>,
    scratch_in: Vec<f32>,
    scratch_out: Vec<f32>,
}

impl RateConverter {
    pub(crate) fn new(in_hz: u32, out_hz: u32) -> Self {
        let resampler = if in_hz == out_hz {
            None
        } else {
            Resampler::new(in_hz, out_hz).ok()
        };
        Self {
            resampler,
            scratch_in: Vec::new(),
            scratch_out: Vec::new(),
        }
    }

    /// Converts `input` (PCM16 at the input rate) and appends f32 samples in `[-1, 1]` at the
    /// output rate to `out`.
    pub(crate) fn process_f32(&mut self, input: &[i16], out: &mut Vec<f32>) {
        match &mut self.resampler {
            None => out.extend(input.iter().map(|&s| vl_codec::pcm16::to_f32(s))),
            Some(r) => {
                self.scratch_in.clear();
                self.scratch_in
                    .extend(input.iter().map(|&s| vl_codec::pcm16::to_f32(s)));
                r.process_into(&self.scratch_in, out);
            }
        }
    }

    /// Converts `input` and appends PCM16 at the output rate to `out`.
    pub(crate) fn process_i16(&mut self, input: &[i16], out: &mut Vec<i16>) {
        if self.resampler.is_none() {
            out.extend_from_slice(input);
            return;
        }
        let mut tmp = std::mem::take(&mut self.scratch_out);
        tmp.clear();
        self.process_f32(input, &mut tmp);
        out.extend(tmp.iter().map(|&s| vl_codec::pcm16::from_f32(s)));
        self.scratch_out = tmp;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_through_the_strict_decoder() {
        assert_eq!(encode_base64(&[]), "");
        assert_eq!(encode_base64(&[0xFF, 0x00, 0x7F, 0x80]), "/wB/gA==");
        assert_eq!(encode_base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode_base64(b"fooba"), "Zm9vYmE=");
        let data: Vec<u8> = (0..300u32).map(|i| (i * 97 + 13) as u8).collect();
        for n in 0..data.len() {
            let mut back = Vec::new();
            decode_base64_bytes(&encode_base64(&data[..n]), &mut back).unwrap();
            assert_eq!(back, &data[..n]);
        }
    }
}
