//! PCM16 little-endian bytes ⇄ `i16` ⇄ `f32`, with one convention for the whole workspace.
//!
//! - **Wire format:** signed 16-bit samples, little-endian, mono (the Voice Live `pcm16` format at
//!   8–48 kHz).
//! - **`i16` → `f32`:** `x as f32 / 32768.0`, so full scale is [−1.0, 1.0) and every value is
//!   exact.
//! - **`f32` → `i16`:** `x × 32768`, rounded half to even, saturated to [−32,768, 32,767]; NaN
//!   becomes 0. Out-of-range input clips rather than wraps.
//!
//! With these rules `i16 → f32 → i16` is the identity for all 65,536 values.
//!
//! ```
//! use vl_codec::pcm16;
//!
//! let wire = [0x00, 0x80, 0xFF, 0xFF, 0x00, 0x40]; // −32768, −1, 16384
//! let mut samples = [0.0_f32; 3];
//! pcm16::le_bytes_to_f32_into(&wire, &mut samples)?;
//! assert_eq!(samples, [-1.0, -1.0 / 32_768.0, 0.5]);
//!
//! let mut back = [0_u8; 6];
//! pcm16::f32_to_le_bytes_into(&samples, &mut back)?;
//! assert_eq!(back, wire);
//! assert_eq!(pcm16::from_f32(1.5), i16::MAX); // saturates
//! # Ok::<(), vl_codec::CodecError>(())
//! ```

use crate::CodecError;
use crate::g711::check_output;

/// Full scale: the `f32` value 1.0 corresponds to this many PCM16 steps.
pub const FULL_SCALE: f32 = 32_768.0;

/// 1.5 × 2^23: adding it to an `f32` of magnitude below 2^22 rounds that value to an integer,
/// half to even (IEEE 754 round-to-nearest-even, the only rounding mode Rust uses), and leaves the
/// integer in the low mantissa bits of the sum.
const ROUND_MAGIC: f32 = 12_582_912.0;

/// The bit pattern of [`ROUND_MAGIC`].
const ROUND_MAGIC_BITS: i32 = 0x4B40_0000;

/// Converts one PCM16 sample to `f32` (÷32,768; exact).
#[inline]
#[must_use]
pub fn to_f32(sample: i16) -> f32 {
    f32::from(sample) * (1.0 / FULL_SCALE)
}

/// Converts one `f32` sample (full scale ±1.0) to PCM16: ×32,768, round half to even, saturate;
/// NaN → 0.
#[inline]
#[must_use]
pub fn from_f32(sample: f32) -> i16 {
    // Clamp first (NaN passes through the comparisons), then round with the magic add and read
    // the integer from the sum's bits. Clamped values are within ±2^15, so the rounding is exact
    // and the result fits i16. This form vectorises (SSE2 packs), unlike `round_ties_even`,
    // which needs SSE4.1 on x86-64; tests check it against `round_ties_even` on all inputs.
    let y = (sample * FULL_SCALE).clamp(-FULL_SCALE, FULL_SCALE - 1.0);
    let rounded = ((y + ROUND_MAGIC).to_bits() as i32).wrapping_sub(ROUND_MAGIC_BITS);
    if y.is_nan() { 0 } else { rounded as i16 }
}

/// Converts PCM16 samples to `f32` in `out[..pcm.len()]`; returns `pcm.len()`.
///
/// # Errors
///
/// [`CodecError::OutputTooSmall`] if `out` is shorter than `pcm`; nothing is written then.
#[inline]
pub fn to_f32_into(pcm: &[i16], out: &mut [f32]) -> Result<usize, CodecError> {
    check_output(pcm.len(), out.len())?;
    for (o, &s) in out.iter_mut().zip(pcm) {
        *o = to_f32(s);
    }
    Ok(pcm.len())
}

/// Converts `f32` samples to PCM16 in `out[..pcm.len()]` with [`from_f32`]; returns `pcm.len()`.
///
/// # Errors
///
/// [`CodecError::OutputTooSmall`] if `out` is shorter than `pcm`; nothing is written then.
#[inline]
pub fn from_f32_into(pcm: &[f32], out: &mut [i16]) -> Result<usize, CodecError> {
    check_output(pcm.len(), out.len())?;
    for (o, &s) in out.iter_mut().zip(pcm) {
        *o = from_f32(s);
    }
    Ok(pcm.len())
}

/// Checks that `bytes` holds whole samples and `out` can take them; returns the sample count.
#[inline]
fn check_bytes_in(bytes: usize, got: usize) -> Result<usize, CodecError> {
    if bytes % 2 != 0 {
        return Err(CodecError::InvalidLength {
            len: bytes,
            multiple_of: 2,
        });
    }
    check_output(bytes / 2, got)?;
    Ok(bytes / 2)
}

/// Reads little-endian PCM16 bytes into samples in `out[..bytes.len() / 2]`; returns the number
/// of samples.
///
/// # Errors
///
/// [`CodecError::InvalidLength`] if `bytes.len()` is odd (use
/// [`Base64AudioDecoder`](crate::base64::Base64AudioDecoder) to carry a split sample across
/// chunks); [`CodecError::OutputTooSmall`] if `out` has fewer than `bytes.len() / 2` elements.
/// Nothing is written on error.
#[inline]
pub fn le_bytes_to_i16_into(bytes: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
    let n = check_bytes_in(bytes.len(), out.len())?;
    for (o, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *o = i16::from_le_bytes([b[0], b[1]]);
    }
    Ok(n)
}

/// Reads little-endian PCM16 bytes into `f32` samples (÷32,768) in `out[..bytes.len() / 2]`;
/// returns the number of samples.
///
/// # Errors
///
/// As [`le_bytes_to_i16_into`].
#[inline]
pub fn le_bytes_to_f32_into(bytes: &[u8], out: &mut [f32]) -> Result<usize, CodecError> {
    let n = check_bytes_in(bytes.len(), out.len())?;
    for (o, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *o = to_f32(i16::from_le_bytes([b[0], b[1]]));
    }
    Ok(n)
}

/// Writes samples as little-endian PCM16 bytes into `out[..2 * pcm.len()]`; returns the number of
/// bytes written.
///
/// # Errors
///
/// [`CodecError::OutputTooSmall`] if `out` is shorter than `2 * pcm.len()` bytes; nothing is
/// written then.
#[inline]
pub fn i16_to_le_bytes_into(pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
    let needed = pcm.len().saturating_mul(2);
    check_output(needed, out.len())?;
    for (o, &s) in out.chunks_exact_mut(2).zip(pcm) {
        o.copy_from_slice(&s.to_le_bytes());
    }
    Ok(needed)
}

/// Writes `f32` samples (converted with [`from_f32`]) as little-endian PCM16 bytes into
/// `out[..2 * pcm.len()]`; returns the number of bytes written.
///
/// # Errors
///
/// As [`i16_to_le_bytes_into`].
#[inline]
pub fn f32_to_le_bytes_into(pcm: &[f32], out: &mut [u8]) -> Result<usize, CodecError> {
    let needed = pcm.len().saturating_mul(2);
    check_output(needed, out.len())?;
    for (o, &s) in out.chunks_exact_mut(2).zip(pcm) {
        o.copy_from_slice(&from_f32(s).to_le_bytes());
    }
    Ok(needed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_f32_is_round_half_even_with_saturation() {
        let cases: [(f32, i16); 14] = [
            (0.5 / FULL_SCALE, 0),
            (1.5 / FULL_SCALE, 2),
            (2.5 / FULL_SCALE, 2),
            (-0.5 / FULL_SCALE, 0),
            (-1.5 / FULL_SCALE, -2),
            (-2.5 / FULL_SCALE, -2),
            (32_766.5 / FULL_SCALE, 32_766),
            (32_767.5 / FULL_SCALE, i16::MAX),
            (1.0, i16::MAX),
            (-1.0, i16::MIN),
            (-1.5, i16::MIN),
            (f32::INFINITY, i16::MAX),
            (f32::NEG_INFINITY, i16::MIN),
            (f32::NAN, 0),
        ];
        for (x, want) in cases {
            assert_eq!(from_f32(x), want, "x = {x}");
        }
        for x in [1e9_f32, 3e38, f32::MAX, 4_194_304.0 / FULL_SCALE] {
            assert_eq!(from_f32(x), i16::MAX, "x = {x}");
            assert_eq!(from_f32(-x), i16::MIN, "x = {x}");
        }
    }

    #[test]
    fn from_f32_equals_round_ties_even_on_a_strided_sweep_of_all_bit_patterns() {
        // Every 4099th f32 bit pattern (about a million values, all exponents and signs).
        for bits in (0..=u32::MAX).step_by(4099) {
            let x = f32::from_bits(bits);
            let want = (x * FULL_SCALE).round_ties_even() as i16;
            assert_eq!(from_f32(x), want, "bits {bits:#010x}");
        }
    }

    #[test]
    fn odd_byte_counts_and_short_outputs_are_errors() {
        let mut out = [0_i16; 4];
        assert_eq!(
            le_bytes_to_i16_into(&[1, 2, 3], &mut out),
            Err(CodecError::InvalidLength {
                len: 3,
                multiple_of: 2
            })
        );
        assert_eq!(
            le_bytes_to_f32_into(&[0; 10], &mut [0.0; 4]),
            Err(CodecError::OutputTooSmall { needed: 5, got: 4 })
        );
        assert_eq!(
            i16_to_le_bytes_into(&[1, 2], &mut [0; 3]),
            Err(CodecError::OutputTooSmall { needed: 4, got: 3 })
        );
        assert_eq!(out, [0; 4]);
    }

    #[test]
    fn byte_order_is_little_endian() {
        let mut out = [0_u8; 4];
        i16_to_le_bytes_into(&[0x1234, -2], &mut out).unwrap();
        assert_eq!(out, [0x34, 0x12, 0xFE, 0xFF]);
        let mut back = [0_i16; 2];
        le_bytes_to_i16_into(&out, &mut back).unwrap();
        assert_eq!(back, [0x1234, -2]);
    }
}
