//! ITU-T G.711 μ-law and A-law, bit-exact with the ITU-T G.191 Software Tool Library (STL).
//!
//! G.711 maps each 16-bit linear PCM sample to one 8-bit code and back. Encoders take 16-bit
//! left-justified PCM and use its 14 (μ-law) or 13 (A-law) most significant bits; negative inputs
//! are quantised through their one's complement, as the G.191 STL reference `g711.c` does. That
//! choice, not the textbook "magnitude of the sample", decides the code for negative inputs that
//! lie exactly on a decision boundary, and it is the one the STL test vectors fix: every function
//! here reproduces them for all 65,536 inputs and all 256 codes (tests/it/g711_vectors.rs).
//!
//! The codes are the transmitted octets: μ-law with all bits inverted (Table 2/G.711) and A-law
//! with the even bits inverted (Table 1/G.711); G.711 §4 transmits bit 1 (polarity) first.
//!
//! Each law has scalar functions ([`ulaw::encode`], [`ulaw::decode`]) and slice functions that
//! write into a caller's buffer and allocate nothing ([`ulaw::encode_into`], …), in `i16` and in
//! `f32` with the crate's PCM16 convention ([`crate::pcm16`]). [`Law`] picks a law at run time.
//!
//! All functions are table look-ups: 256-entry decode tables and 16,384-entry (μ-law) or
//! 4,096-entry (A-law) encode tables indexed by the significant bits of the sample, built at
//! compile time from the G.711 segment rules.

pub mod alaw;
pub mod ulaw;

use crate::CodecError;

/// A G.711 companding law, for choosing the codec at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Law {
    /// μ-law (North America, Japan): 14-bit linear range, codes inverted on the wire.
    Ulaw,
    /// A-law (Europe, rest of the world): 13-bit linear range, even bits inverted on the wire.
    Alaw,
}

impl Law {
    /// Encodes one PCM16 sample to its G.711 code.
    #[inline]
    #[must_use]
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            Self::Ulaw => ulaw::encode(sample),
            Self::Alaw => alaw::encode(sample),
        }
    }

    /// Decodes one G.711 code to a PCM16 sample.
    #[inline]
    #[must_use]
    pub fn decode(self, code: u8) -> i16 {
        match self {
            Self::Ulaw => ulaw::decode(code),
            Self::Alaw => alaw::decode(code),
        }
    }

    /// Encodes PCM16 samples into `out` (one code per sample); returns the number of codes
    /// written, `pcm.len()`.
    ///
    /// # Errors
    ///
    /// [`CodecError::OutputTooSmall`] if `out` is shorter than `pcm`.
    #[inline]
    pub fn encode_into(self, pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
        match self {
            Self::Ulaw => ulaw::encode_into(pcm, out),
            Self::Alaw => alaw::encode_into(pcm, out),
        }
    }

    /// Decodes G.711 codes into PCM16 samples in `out`; returns the number of samples written,
    /// `codes.len()`.
    ///
    /// # Errors
    ///
    /// [`CodecError::OutputTooSmall`] if `out` is shorter than `codes`.
    #[inline]
    pub fn decode_into(self, codes: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
        match self {
            Self::Ulaw => ulaw::decode_into(codes, out),
            Self::Alaw => alaw::decode_into(codes, out),
        }
    }

    /// Encodes `f32` samples (full scale ±1.0, see [`crate::pcm16`]) into `out`; returns the
    /// number of codes written, `pcm.len()`.
    ///
    /// # Errors
    ///
    /// [`CodecError::OutputTooSmall`] if `out` is shorter than `pcm`.
    #[inline]
    pub fn encode_f32_into(self, pcm: &[f32], out: &mut [u8]) -> Result<usize, CodecError> {
        match self {
            Self::Ulaw => ulaw::encode_f32_into(pcm, out),
            Self::Alaw => alaw::encode_f32_into(pcm, out),
        }
    }

    /// Decodes G.711 codes into `f32` samples (full scale ±1.0) in `out`; returns the number of
    /// samples written, `codes.len()`.
    ///
    /// # Errors
    ///
    /// [`CodecError::OutputTooSmall`] if `out` is shorter than `codes`.
    #[inline]
    pub fn decode_f32_into(self, codes: &[u8], out: &mut [f32]) -> Result<usize, CodecError> {
        match self {
            Self::Ulaw => ulaw::decode_f32_into(codes, out),
            Self::Alaw => alaw::decode_f32_into(codes, out),
        }
    }
}

/// The slice entry points of one law (`encode_into`, `decode_into`, `encode_f32_into`,
/// `decode_f32_into`), written once for both: the invoking module provides `encode`, `decode`
/// and a `DECODE_F32` table; `$law` names the law in the docs. The functions are `#[inline]`
/// loops over the module's own table look-ups, so each law still compiles to its own loop.
macro_rules! slice_api {
    ($law:literal) => {
        #[doc = concat!("Encodes PCM16 samples into ", $law, " codes in `out[..pcm.len()]`; returns `pcm.len()`.")]
        #[doc = ""]
        #[doc = "# Errors"]
        #[doc = ""]
        #[doc = "[`CodecError::OutputTooSmall`] if `out` is shorter than `pcm`; nothing is written then."]
        #[inline]
        pub fn encode_into(pcm: &[i16], out: &mut [u8]) -> Result<usize, CodecError> {
            check_output(pcm.len(), out.len())?;
            for (o, &s) in out.iter_mut().zip(pcm) {
                *o = encode(s);
            }
            Ok(pcm.len())
        }

        #[doc = concat!("Decodes ", $law, " codes into PCM16 samples in `out[..codes.len()]`; returns `codes.len()`.")]
        #[doc = ""]
        #[doc = "# Errors"]
        #[doc = ""]
        #[doc = "[`CodecError::OutputTooSmall`] if `out` is shorter than `codes`; nothing is written then."]
        #[inline]
        pub fn decode_into(codes: &[u8], out: &mut [i16]) -> Result<usize, CodecError> {
            check_output(codes.len(), out.len())?;
            for (o, &c) in out.iter_mut().zip(codes) {
                *o = decode(c);
            }
            Ok(codes.len())
        }

        #[doc = concat!("Encodes `f32` samples (full scale ±1.0) into ", $law, " codes in `out[..pcm.len()]`; returns")]
        #[doc = "`pcm.len()`."]
        #[doc = ""]
        #[doc = "Each sample is first converted to PCM16 with [`pcm16::from_f32`] (×32,768, round half to even,"]
        #[doc = "saturate; NaN → 0), so the result equals [`encode_into`] of the converted samples."]
        #[doc = ""]
        #[doc = "# Errors"]
        #[doc = ""]
        #[doc = "[`CodecError::OutputTooSmall`] if `out` is shorter than `pcm`; nothing is written then."]
        #[inline]
        pub fn encode_f32_into(pcm: &[f32], out: &mut [u8]) -> Result<usize, CodecError> {
            check_output(pcm.len(), out.len())?;
            // Convert in blocks on the stack first: the f32 → i16 loop then vectorises, which it does
            // not when fused with the scalar table look-up.
            let mut block = [0_i16; 256];
            for (input, output) in pcm.chunks(block.len()).zip(out.chunks_mut(block.len())) {
                for (b, &s) in block.iter_mut().zip(input) {
                    *b = pcm16::from_f32(s);
                }
                // Only the converted part: the last output chunk may be longer than the input chunk.
                for (o, &s) in output.iter_mut().zip(block.iter().take(input.len())) {
                    *o = encode(s);
                }
            }
            Ok(pcm.len())
        }

        #[doc = concat!("Decodes ", $law, " codes into `f32` samples (PCM16 value ÷ 32,768) in `out[..codes.len()]`;")]
        #[doc = "returns `codes.len()`."]
        #[doc = ""]
        #[doc = "# Errors"]
        #[doc = ""]
        #[doc = "[`CodecError::OutputTooSmall`] if `out` is shorter than `codes`; nothing is written then."]
        #[inline]
        pub fn decode_f32_into(codes: &[u8], out: &mut [f32]) -> Result<usize, CodecError> {
            check_output(codes.len(), out.len())?;
            for (o, &c) in out.iter_mut().zip(codes) {
                *o = DECODE_F32[usize::from(c)];
            }
            Ok(codes.len())
        }
    };
}
pub(crate) use slice_api;

/// Checks that an output of `got` elements can hold `needed`.
#[inline]
pub(crate) fn check_output(needed: usize, got: usize) -> Result<(), CodecError> {
    if got < needed {
        Err(CodecError::OutputTooSmall { needed, got })
    } else {
        Ok(())
    }
}

/// Builds a 256-entry `f32` decode table from an `i16` one (÷32768, exact).
pub(crate) const fn f32_table(table: &[i16; 256]) -> [f32; 256] {
    let mut out = [0.0_f32; 256];
    let mut i = 0;
    while i < 256 {
        out[i] = table[i] as f32 / 32768.0;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn law_dispatches_to_the_matching_module() {
        for code in 0..=255_u8 {
            assert_eq!(Law::Ulaw.decode(code), ulaw::decode(code));
            assert_eq!(Law::Alaw.decode(code), alaw::decode(code));
        }
        for s in [i16::MIN, -1000, -1, 0, 1, 1000, i16::MAX] {
            assert_eq!(Law::Ulaw.encode(s), ulaw::encode(s));
            assert_eq!(Law::Alaw.encode(s), alaw::encode(s));
        }
        let pcm = [0_i16, -5, 12_345];
        let mut a = [0_u8; 3];
        let mut b = [0_u8; 3];
        Law::Alaw.encode_into(&pcm, &mut a).unwrap();
        alaw::encode_into(&pcm, &mut b).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, [0; 3]);
    }

    #[test]
    fn short_output_is_an_error_not_a_panic() {
        let mut out = [0_u8; 2];
        assert_eq!(
            Law::Ulaw.encode_into(&[1, 2, 3], &mut out),
            Err(CodecError::OutputTooSmall { needed: 3, got: 2 })
        );
        let mut pcm = [0_i16; 1];
        assert_eq!(
            Law::Alaw.decode_into(&[1, 2], &mut pcm),
            Err(CodecError::OutputTooSmall { needed: 2, got: 1 })
        );
    }
}
