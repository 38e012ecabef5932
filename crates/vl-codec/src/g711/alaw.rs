//! G.711 A-law (ITU-T G.711 Table 1/G.711 and §3.6, conversion to and from uniform PCM),
//! bit-exact with the G.191 STL.
//!
//! ```
//! use vl_codec::g711::alaw;
//!
//! let pcm = [0_i16, 1_000, -1_000, i16::MAX, i16::MIN];
//! let mut codes = [0_u8; 5];
//! alaw::encode_into(&pcm, &mut codes)?;
//! assert_eq!(codes, [0xD5, 0xFA, 0x7A, 0xAA, 0x2A]);
//!
//! let mut back = [0_i16; 5];
//! alaw::decode_into(&codes, &mut back)?;
//! assert_eq!(back, [8, 1_008, -1_008, 32_256, -32_256]);
//! # Ok::<(), vl_codec::CodecError>(())
//! ```

use super::{check_output, f32_table};
use crate::CodecError;
use crate::pcm16;

/// The even-bit inversion applied to every transmitted A-law octet (Table 1/G.711, character
/// signals after inversion of the even bits).
const EVEN_BITS: u8 = 0x55;

/// One sample, encoded with the G.711 segment rules as the G.191 STL does it: the 12 MSBs of the
/// sample as a sign and an 11-bit magnitude (one's complement for negative inputs), segment 0
/// for magnitudes below 16, otherwise the segment found by shifting until the magnitude is below
/// 32 (the leading one is implied), then the sign bit and the even-bit inversion.
const fn reference_encode(sample: i16) -> u8 {
    let x = sample as i32;
    let mut magnitude = if x < 0 { (!x) >> 4 } else { x >> 4 };
    if magnitude > 15 {
        let mut segment = 1;
        while magnitude > 16 + 15 {
            magnitude >>= 1;
            segment += 1;
        }
        magnitude -= 16;
        magnitude += segment << 4;
    }
    if x >= 0 {
        magnitude |= 0x80;
    }
    (magnitude as u8) ^ EVEN_BITS
}

/// One code, decoded to the middle of its quantisation interval (Table 1/G.711), left-justified
/// in 16 bits as the G.191 STL decoder leaves it.
const fn reference_decode(code: u8) -> i16 {
    let index = ((code ^ EVEN_BITS) & 0x7F) as i32;
    let segment = index >> 4;
    let mut mantissa = index & 0x0F;
    if segment > 0 {
        mantissa += 16;
    }
    mantissa = (mantissa << 4) + 8;
    if segment > 1 {
        mantissa <<= segment - 1;
    }
    if code > 0x7F {
        mantissa as i16
    } else {
        -mantissa as i16
    }
}

/// Encode table indexed by the 12 MSBs of the sample (`sample as u16 >> 4`): the A-law code
/// depends only on them, because `!x >> 4 == !(x >> 4)` for an arithmetic shift.
static ENCODE: [u8; 1 << 12] = {
    let mut table = [0_u8; 1 << 12];
    let mut i = 0;
    while i < table.len() {
        table[i] = reference_encode((i << 4) as u16 as i16);
        i += 1;
    }
    table
};

/// Decode table, one PCM16 value per code (Table 1/G.711, "quantized value (value at
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

/// Encodes one PCM16 sample to its A-law code (the transmitted octet, even bits inverted).
#[inline]
#[must_use]
pub fn encode(sample: i16) -> u8 {
    // The index is a u16 shifted right by 4, so it is < 1 << 12 = the table length.
    ENCODE[usize::from(sample as u16 >> 4)]
}

/// Decodes one A-law code to a PCM16 sample (range ±32,256).
#[inline]
#[must_use]
pub fn decode(code: u8) -> i16 {
    DECODE[usize::from(code)]
}

super::slice_api!("A-law");

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
    fn known_codes_from_g711_table_1() {
        // The smallest positive and negative outputs are ±8 (half of the first 16-bit step of 16).
        assert_eq!(decode(0xD5), 8);
        assert_eq!(decode(0x55), -8);
        assert_eq!(decode(0xAA), 32_256);
        assert_eq!(decode(0x2A), -32_256);
        assert_eq!(encode(0), 0xD5);
        assert_eq!(encode(-1), 0x55);
        assert_eq!(encode(i16::MIN), 0x2A);
        assert_eq!(encode(i16::MAX), 0xAA);
    }

    #[test]
    fn decode_is_odd_symmetric() {
        for c in 0..0x80_u8 {
            assert_eq!(decode(c), -decode(c | 0x80), "code {c:#04x}");
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
}
