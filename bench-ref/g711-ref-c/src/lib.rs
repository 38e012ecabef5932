//! Bench-only: safe wrappers over a plain C G.711 codec that follows the ITU-T G.191 STL
//! algorithm (per-sample segment search, no tables), so `vl-codec`'s benches can compare against
//! it side by side. Never a dependency of a library crate.
//!
//! Functions process `min(input.len(), output.len())` samples and return that count.
#![allow(
    unsafe_code,
    reason = "FFI calls into the C reference in csrc/g711_ref.c"
)]

unsafe extern "C" {
    fn ref_alaw_encode(input: *const i16, output: *mut u8, n: usize);
    fn ref_alaw_decode(input: *const u8, output: *mut i16, n: usize);
    fn ref_ulaw_encode(input: *const i16, output: *mut u8, n: usize);
    fn ref_ulaw_decode(input: *const u8, output: *mut i16, n: usize);
}

/// A-law encodes `min(pcm.len(), out.len())` samples with the C reference; returns that count.
pub fn alaw_encode(pcm: &[i16], out: &mut [u8]) -> usize {
    let n = pcm.len().min(out.len());
    // SAFETY: the C function reads `n` i16 from `pcm` and writes `n` u8 to `out`; both slices
    // hold at least `n` elements and do not overlap (one is shared, one exclusive).
    unsafe { ref_alaw_encode(pcm.as_ptr(), out.as_mut_ptr(), n) };
    n
}

/// A-law decodes `min(codes.len(), out.len())` codes with the C reference; returns that count.
pub fn alaw_decode(codes: &[u8], out: &mut [i16]) -> usize {
    let n = codes.len().min(out.len());
    // SAFETY: reads `n` u8 from `codes`, writes `n` i16 to `out`; both hold at least `n`.
    unsafe { ref_alaw_decode(codes.as_ptr(), out.as_mut_ptr(), n) };
    n
}

/// μ-law encodes `min(pcm.len(), out.len())` samples with the C reference; returns that count.
pub fn ulaw_encode(pcm: &[i16], out: &mut [u8]) -> usize {
    let n = pcm.len().min(out.len());
    // SAFETY: reads `n` i16 from `pcm`, writes `n` u8 to `out`; both hold at least `n`.
    unsafe { ref_ulaw_encode(pcm.as_ptr(), out.as_mut_ptr(), n) };
    n
}

/// μ-law decodes `min(codes.len(), out.len())` codes with the C reference; returns that count.
pub fn ulaw_decode(codes: &[u8], out: &mut [i16]) -> usize {
    let n = codes.len().min(out.len());
    // SAFETY: reads `n` u8 from `codes`, writes `n` i16 to `out`; both hold at least `n`.
    unsafe { ref_ulaw_decode(codes.as_ptr(), out.as_mut_ptr(), n) };
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_follow_the_shorter_slice() {
        let mut out = [0_u8; 2];
        assert_eq!(ulaw_encode(&[0, 0, 0], &mut out), 2);
        assert_eq!(out, [0xFF, 0xFF]);
        let mut pcm = [1_i16; 3];
        assert_eq!(alaw_decode(&[0xD5], &mut pcm), 1);
        assert_eq!(pcm, [8, 1, 1]);
    }
}
