//! PCM16 conventions: byte order, scaling, rounding, saturation, identities.

use proptest::prelude::*;
use vl_codec::{CodecError, pcm16};

#[test]
fn i16_to_f32_to_i16_is_the_identity_for_all_65536_values() {
    let all: Vec<i16> = (i16::MIN..=i16::MAX).collect();
    let mut f = vec![0.0_f32; all.len()];
    let mut back = vec![0_i16; all.len()];
    pcm16::to_f32_into(&all, &mut f).unwrap();
    pcm16::from_f32_into(&f, &mut back).unwrap();
    assert_eq!(back, all);
    for (&s, &x) in all.iter().zip(&f) {
        assert_eq!(x, f32::from(s) / 32_768.0, "÷32768 for {s}");
        assert_eq!(pcm16::from_f32(pcm16::to_f32(s)), s);
    }
    assert_eq!(f[0], -1.0);
    assert!(f.iter().all(|x| (-1.0..1.0).contains(x)));
}

#[test]
fn bytes_to_i16_to_bytes_is_the_identity_for_all_65536_values() {
    let bytes: Vec<u8> = (i16::MIN..=i16::MAX).flat_map(i16::to_le_bytes).collect();
    let mut samples = vec![0_i16; 65_536];
    assert_eq!(
        pcm16::le_bytes_to_i16_into(&bytes, &mut samples),
        Ok(65_536)
    );
    assert!(samples.iter().copied().eq(i16::MIN..=i16::MAX));
    let mut back = vec![0_u8; bytes.len()];
    assert_eq!(
        pcm16::i16_to_le_bytes_into(&samples, &mut back),
        Ok(bytes.len())
    );
    assert_eq!(back, bytes);
}

#[test]
fn bytes_to_f32_to_bytes_is_the_identity_for_all_65536_values() {
    let bytes: Vec<u8> = (i16::MIN..=i16::MAX).flat_map(i16::to_le_bytes).collect();
    let mut f = vec![0.0_f32; 65_536];
    pcm16::le_bytes_to_f32_into(&bytes, &mut f).unwrap();
    let mut back = vec![0_u8; bytes.len()];
    pcm16::f32_to_le_bytes_into(&f, &mut back).unwrap();
    assert_eq!(back, bytes);
}

#[test]
fn half_steps_round_to_even_and_out_of_range_saturates() {
    for k in -40_000_i32..40_000 {
        // k + 0.5 steps: the even neighbour wins; beyond the range the extremes.
        let x = (k as f32 + 0.5) / 32_768.0;
        let lo = k;
        let even = if lo % 2 == 0 { lo } else { lo + 1 };
        let want = even.clamp(-32_768, 32_767) as i16;
        assert_eq!(pcm16::from_f32(x), want, "{k} + 0.5 steps");
    }
}

#[test]
fn length_errors_are_reported_with_units() {
    assert_eq!(
        pcm16::le_bytes_to_i16_into(&[0; 7], &mut [0; 8]),
        Err(CodecError::InvalidLength {
            len: 7,
            multiple_of: 2
        })
    );
    assert_eq!(
        pcm16::from_f32_into(&[0.0; 3], &mut [0; 2]),
        Err(CodecError::OutputTooSmall { needed: 3, got: 2 })
    );
    assert_eq!(
        pcm16::f32_to_le_bytes_into(&[0.0; 3], &mut [0; 5]),
        Err(CodecError::OutputTooSmall { needed: 6, got: 5 })
    );
}

proptest! {
    #[test]
    fn from_f32_matches_round_ties_even_for_any_f32(bits in any::<u32>()) {
        let x = f32::from_bits(bits);
        prop_assert_eq!(pcm16::from_f32(x), (x * 32_768.0).round_ties_even() as i16);
    }

    #[test]
    fn from_f32_matches_round_ties_even_in_range(x in -1.1_f32..1.1) {
        prop_assert_eq!(pcm16::from_f32(x), (x * 32_768.0).round_ties_even() as i16);
    }
}
