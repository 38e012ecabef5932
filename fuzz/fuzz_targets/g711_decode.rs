//! Arbitrary bytes as G.711 codes: decode with both laws (i16 and f32), re-encode, decode again;
//! the second decode must equal the first, and nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vl_codec::g711::Law;

fuzz_target!(|codes: &[u8]| {
    for law in [Law::Ulaw, Law::Alaw] {
        let mut pcm = vec![0_i16; codes.len()];
        assert_eq!(law.decode_into(codes, &mut pcm), Ok(codes.len()));
        let mut again = vec![0_u8; codes.len()];
        assert_eq!(law.encode_into(&pcm, &mut again), Ok(codes.len()));
        let mut pcm2 = vec![0_i16; codes.len()];
        law.decode_into(&again, &mut pcm2).unwrap();
        assert_eq!(pcm, pcm2, "{law:?}: decode(encode(decode(c))) != decode(c)");

        let mut f = vec![0.0_f32; codes.len()];
        law.decode_f32_into(codes, &mut f).unwrap();
        for (&x, &s) in f.iter().zip(&pcm) {
            assert_eq!(x, f32::from(s) / 32_768.0);
        }
        let mut again_f = vec![0_u8; codes.len()];
        law.encode_f32_into(&f, &mut again_f).unwrap();
        assert_eq!(
            again_f, again,
            "{law:?}: f32 encode differs from i16 encode"
        );

        // A too-short output is an error, never a panic or a partial write past the end.
        if let Some(short) = codes.len().checked_sub(1) {
            let mut out = vec![0_i16; short];
            assert!(law.decode_into(codes, &mut out).is_err());
        }
    }
});
