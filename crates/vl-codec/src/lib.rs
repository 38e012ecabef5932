//! Audio codecs for realtime speech: ITU-T G.711 μ-law and A-law, PCM16 little-endian
//! conversions, streaming base64 audio decoding and a streaming resampler.
//!
//! The crate knows nothing about the Voice Live protocol and allocates nothing on its hot paths.
//!
//! - [`g711`]: μ-law and A-law, bit-exact with the ITU-T G.191 STL reference for all 65,536
//!   inputs and all 256 codes.
//! - [`pcm16`]: little-endian bytes ⇄ `i16` ⇄ `f32` with one convention (÷32,768 in; ×32,768,
//!   round half to even, saturate out).
//! - [`base64`]: streaming base64 → PCM16 for `input_audio_buffer.append`, and PCM16 → base64 for
//!   audio deltas.
//! - [`resample`]: streaming polyphase resampler between 8, 11.025, 16, 22.05, 24, 32, 44.1 and
//!   48 kHz, bit-identical for any chunking.
//!
//! Slice functions write into the caller's buffer and return how many elements they wrote; a
//! buffer that is too short is a [`CodecError`], never a panic.
//!
//! # Telephony audio: G.711 μ-law in, `f32` for processing, μ-law out
//!
//! ```
//! use vl_codec::g711::Law;
//!
//! // 20 ms at 8 kHz.
//! let codes = [0xFF_u8; 160];
//! let mut samples = [0.0_f32; 160];
//! Law::Ulaw.decode_f32_into(&codes, &mut samples)?;
//! assert!(samples.iter().all(|&s| s == 0.0));
//!
//! let mut back = [0_u8; 160];
//! Law::Ulaw.encode_f32_into(&samples, &mut back)?;
//! assert_eq!(back, codes);
//! # Ok::<(), vl_codec::CodecError>(())
//! ```
//!
//! # PCM16 on the wire
//!
//! ```
//! use vl_codec::pcm16;
//!
//! let wire = 1_000_i16.to_le_bytes();
//! let mut samples = [0.0_f32; 1];
//! pcm16::le_bytes_to_f32_into(&wire, &mut samples)?;
//! assert_eq!(samples[0], 1_000.0 / 32_768.0);
//! assert_eq!(pcm16::from_f32(samples[0]), 1_000);
//! // An odd byte count is an error, not a lost byte.
//! assert!(pcm16::le_bytes_to_f32_into(&wire[..1], &mut samples).is_err());
//! # Ok::<(), vl_codec::CodecError>(())
//! ```
//!
//! # Base64 audio in `input_audio_buffer.append`
//!
//! ```
//! use vl_codec::base64::Base64AudioDecoder;
//!
//! // Two appends of 3 bytes each: the odd byte of the first carries into the second.
//! let mut decoder = Base64AudioDecoder::new();
//! let mut samples = Vec::with_capacity(4_800);
//! decoder.decode("AQAC", &mut samples)?; // bytes 01 00 02
//! decoder.decode("AAMA", &mut samples)?; // bytes 00 03 00
//! decoder.finish()?;
//! assert_eq!(samples, [1, 2, 3]);
//! # Ok::<(), vl_codec::CodecError>(())
//! ```
//!
//! # Resampling 48 kHz capture to 16 kHz in 10 ms chunks
//!
//! ```
//! use vl_codec::Resampler;
//!
//! let mut resampler = Resampler::new(48_000, 16_000)?;
//! let mut out = vec![0.0_f32; resampler.max_output_len(480)];
//! let chunk = [0.25_f32; 480]; // 10 ms at 48 kHz
//! let n = resampler.process(&chunk, &mut out)?;
//! assert_eq!(n, 160); // 10 ms at 16 kHz
//! assert_eq!(resampler.delay_samples(), 22); // 1.375 ms at 16 kHz
//! // At the end of an utterance, drain the last 1.375 ms still in the filter.
//! let mut tail = vec![0.0_f32; resampler.flush_len()];
//! resampler.flush(&mut tail)?;
//! # Ok::<(), vl_codec::CodecError>(())
//! ```

#![forbid(unsafe_code)]

pub mod base64;
mod error;
pub mod g711;
pub mod pcm16;
pub mod resample;

pub use error::CodecError;
pub use resample::Resampler;
