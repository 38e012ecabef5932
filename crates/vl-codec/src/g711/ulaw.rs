//! G.711 μ-law (ITU-T G.711 Table 2/G.711 and §3.6, conversion to and from uniform PCM),
//! bit-exact with the G.191 STL.
//!
//! ```
//! use vl_codec::g711::ulaw;
//!
//! let pcm = [0_i16, 1_000, -1_000, i16::MAX, i16::MIN];
//! let mut codes = [0_u8; 5];
//! ulaw::encode_into(&pcm, &mut codes)?;
//! assert_eq!(codes, [0xFF, 0xCE, 0x4E, 0x80, 0x00]);
//!
//! let mut back = [0_i16; 5];
//! ulaw::decode_into(&codes, &mut back)?;
//! assert_eq!(back, [0, 988, -988, 32_124, -32_124]);
//! # Ok::<(), vl_codec::CodecError>(())
//! ```

use super::{check_output, f32_table};
use crate::CodecError;
use crate::pcm16;

/// μ-law bias added to the 14-bit magnitude before the segment search (Table 2/G.711: the μ-law
/// segment end points are 2^(n+5) − 33 in 14-bit units; adding 33 makes them powers of two).
const BIAS: i32 = 33;

/// Largest biased 14-bit magnitude; larger values clip into the last step of segment 8.
const CLIP: i32 = 0x1FFF;

/// One sample, encoded with the G.711 segment rules as the G.191 STL does it: the 14 MSBs of the
/// sample (one's complement for negative inputs), biased by 33, searched for their segment
/// (1..=8 by the position of the leading one above bit 5), 4 mantissa bits below it, and the
/// result inverted (Table 2/G.711 lists the character signals with all bits inverted).
const fn reference_encode(sample: i16) -> u8 {
    let x = sample as i32;
    let magnitude = if x < 0 { (!x) >> 2 } else { x >> 2 };
    let mut biased = magnitude + BIAS;
    if biased > CLIP {
        biased = CLIP;
    }
    let mut segment = 1;
    let mut rest = biased >> 6;
    while rest != 0 {
        segment += 1;
        rest >>= 1;
    }
    let high = 8 - segment;
    let low = 0x0F - ((biased >> segment) & 0x0F);
    let code = (high << 4) | low;
    if x >= 0 {
        (code | 0x80) as u8
    } else {
        code as u8
    }
}

/// One code, decoded to the middle of its quantisation interval (Table 2/G.711), left-justified
/// in 16 bits as the G.191 STL decoder leaves it.
const fn reference_decode(code: u8) -> i16 {
    let inverted = !code;
    let exponent = ((inverted >> 4) & 0x07) as i32;
    let mantissa = (inverted & 0x0F) as i32;
    let step = 4 << (exponent + 1);
    let magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * BIAS;
    if code < 0x80 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

/// Encode table indexed by the 14 MSBs of the sample (`sample as u16 >> 2`): the μ-law code
/// depends only on them, because `!x >> 2 == !(x >> 2)` for an arithmetic shift.
static ENCODE: [u8; 1 << 14] = {
    let mut table = [0_u8; 1 << 14];
    let mut i = 0;
    while i < table.len() {
        table[i] = reference_encode((i << 2) as u16 as i16);
        i += 1;
    }
    table
};

/// Decode table, one PCM16 value per code (Table 2/G.711, "quantized value (value at
/// decoder output)").
static DECODE: [i16; 256] = {
    let mut table = [0_i16; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = reference_decode(i as u8);
        i += 1;
    }
    table
};

/// [`DECODE`] divided by 32,768 (the crate's PCM16 ⇄ `f32` convention, exact in `f32`).
static DECODE_F32: [f32; 256] = f32_table(&DECODE);

/// Encodes one PCM16 sample to its μ-law code (the transmitted octet).
#[inline]
#[must_use]
pub fn encode(sample: i16) -> u8 {
    // The index is a u16 shifted right by 2, so it is < 1 << 14 = the table length.
    ENCODE[usize::from(sample as u16 >> 2)]
}

/// Decodes one μ-law code to a PCM16 sample (range ±32,124).
#[inline]
#[must_use]
pub fn decode(code: u8) -> i16 {
    DECODE[usize::from(code)]
}

super::slice_api!("μ-law");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_segment_rules_for_every_input() {
        for s in i16::MIN..=i16::MAX {
            assert_eq!(encode(s), reference_encode(s), "sample {s}");
        }
    }

    #[test]
    fn known_codes_from_g711_table_2() {
        // Zero, the positive and negative extremes, and segment end points in 14-bit units.
        assert_eq!(decode(0xFF), 0);
        assert_eq!(decode(0x7F), 0);
        assert_eq!(decode(0x80), 32_124);
        assert_eq!(decode(0x00), -32_124);
        // Segment 1 step is 2 in 14-bit units = 8 in 16-bit units.
        assert_eq!(decode(0xFE), 8);
        assert_eq!(encode(i16::MIN), 0x00);
        assert_eq!(encode(i16::MAX), 0x80);
        assert_eq!(encode(0), 0xFF);
        assert_eq!(encode(-1), 0x7F);
        // The STL's one's-complement boundary: −4 stays in the zero interval (spandsp gives 0x7E).
        assert_eq!(encode(-4), 0x7F);
    }

    #[test]
    fn decode_is_odd_symmetric_and_monotonic() {
        for c in 0..0x80_u8 {
            assert_eq!(decode(c), -decode(c | 0x80), "code {c:#04x}");
        }
        for c in 0x80..0xFF_u8 {
            assert!(decode(c) > decode(c + 1), "code {c:#04x}");
        }
    }

    #[test]
    fn f32_paths_match_the_i16_paths() {
        let codes: Vec<u8> = (0..=255).collect();
        let mut f = vec![0.0_f32; 256];
        let mut i = vec![0_i16; 256];
        decode_f32_into(&codes, &mut f).unwrap();
        decode_into(&codes, &mut i).unwrap();
        for (a, b) in f.iter().zip(&i) {
            assert_eq!(*a, f32::from(*b) / 32_768.0);
        }
        let mut c1 = vec![0_u8; 256];
        let mut c2 = vec![0_u8; 256];
        encode_f32_into(&f, &mut c1).unwrap();
        encode_into(&i, &mut c2).unwrap();
        assert_eq!(c1, c2);
    }

    #[test]
    fn longer_output_keeps_its_tail() {
        let mut out = [0xAA_u8; 4];
        assert_eq!(encode_into(&[0, 0], &mut out), Ok(2));
        assert_eq!(out, [0xFF, 0xFF, 0xAA, 0xAA]);
        assert_eq!(
            decode_f32_into(&[0; 3], &mut [0.0; 2]),
            Err(CodecError::OutputTooSmall { needed: 3, got: 2 })
        );
    }
}
