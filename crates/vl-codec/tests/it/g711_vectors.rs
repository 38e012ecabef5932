//! G.711 against the ITU-T G.191 STL reference vectors: every PCM16 input and every code.

use proptest::prelude::*;
use vl_codec::g711::{Law, alaw, ulaw};

use crate::data::{codes, pcm};

/// Compares two sequences, reporting the number of differences and the first few.
fn assert_same<T: PartialEq + std::fmt::Debug>(what: &str, got: &[T], want: &[T]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let diffs: Vec<usize> = (0..got.len()).filter(|&i| got[i] != want[i]).collect();
    let first: Vec<String> = diffs
        .iter()
        .take(5)
        .map(|&i| format!("#{i}: got {:?}, want {:?}", got[i], want[i]))
        .collect();
    assert!(
        diffs.is_empty(),
        "{what}: {} of {} differ; first: {}",
        diffs.len(),
        got.len(),
        first.join("; ")
    );
}

fn encode_sweep(law: Law) -> Vec<u8> {
    let src = pcm("sweep.src");
    let mut out = vec![0_u8; src.len()];
    assert_eq!(law.encode_into(&src, &mut out), Ok(src.len()));
    out
}

#[test]
fn ulaw_encode_reproduces_sweep_r_u_for_all_65536_inputs() {
    assert_same(
        "μ-law encode",
        &encode_sweep(Law::Ulaw),
        &codes("sweep-r.u"),
    );
}

#[test]
fn alaw_encode_reproduces_sweep_r_a_for_all_65536_inputs() {
    assert_same(
        "A-law encode",
        &encode_sweep(Law::Alaw),
        &codes("sweep-r.a"),
    );
}

#[test]
fn scalar_encoders_agree_with_the_vectors() {
    let src = pcm("sweep.src");
    let u: Vec<u8> = src.iter().map(|&s| ulaw::encode(s)).collect();
    let a: Vec<u8> = src.iter().map(|&s| alaw::encode(s)).collect();
    assert_same("μ-law scalar encode", &u, &codes("sweep-r.u"));
    assert_same("A-law scalar encode", &a, &codes("sweep-r.a"));
}

/// Decodes a coded vector file and compares it with its decoded file; also checks that the
/// coded file holds all 256 codes, so every code's decoding is verified.
fn check_decode(law: Law, coded: &str, decoded: &str) {
    let c = codes(coded);
    let mut seen = [false; 256];
    for &code in &c {
        seen[usize::from(code)] = true;
    }
    assert!(
        seen.iter().all(|&s| s),
        "{coded} does not hold all 256 codes"
    );
    let mut out = vec![0_i16; c.len()];
    assert_eq!(law.decode_into(&c, &mut out), Ok(c.len()));
    assert_same(&format!("{law:?} decode"), &out, &pcm(decoded));
    for code in 0..=255_u8 {
        let i = c.iter().position(|&x| x == code).unwrap();
        assert_eq!(
            law.decode(code),
            pcm(decoded)[i],
            "{law:?} code {code:#04x}"
        );
    }
}

#[test]
fn ulaw_decode_reproduces_sweep_r_u_u_for_all_256_codes() {
    check_decode(Law::Ulaw, "sweep-r.u", "sweep-r.u-u");
}

#[test]
fn alaw_decode_reproduces_sweep_r_a_a_for_all_256_codes() {
    check_decode(Law::Alaw, "sweep-r.a", "sweep-r.a-a");
}

fn encode_decode_sweep(law: Law) -> Vec<i16> {
    let codes = encode_sweep(law);
    let mut out = vec![0_i16; codes.len()];
    law.decode_into(&codes, &mut out).unwrap();
    out
}

#[test]
fn ulaw_encode_decode_reproduces_sweep_r_reu() {
    assert_same(
        "μ-law lin→lin",
        &encode_decode_sweep(Law::Ulaw),
        &pcm("sweep-r.reu"),
    );
}

#[test]
fn alaw_encode_decode_reproduces_sweep_r_rea() {
    assert_same(
        "A-law lin→lin",
        &encode_decode_sweep(Law::Alaw),
        &pcm("sweep-r.rea"),
    );
}

#[test]
fn f32_entry_points_reproduce_the_vectors() {
    let src: Vec<f32> = pcm("sweep.src")
        .iter()
        .map(|&s| f32::from(s) / 32_768.0)
        .collect();
    for (law, coded, decoded) in [
        (Law::Ulaw, "sweep-r.u", "sweep-r.u-u"),
        (Law::Alaw, "sweep-r.a", "sweep-r.a-a"),
    ] {
        let mut c = vec![0_u8; src.len()];
        law.encode_f32_into(&src, &mut c).unwrap();
        assert_same(&format!("{law:?} f32 encode"), &c, &codes(coded));
        let mut f = vec![0.0_f32; c.len()];
        law.decode_f32_into(&c, &mut f).unwrap();
        let want: Vec<f32> = pcm(decoded)
            .iter()
            .map(|&s| f32::from(s) / 32_768.0)
            .collect();
        assert_same(&format!("{law:?} f32 decode"), &f, &want);
    }
}

#[test]
fn the_c_reference_reproduces_the_vectors_too() {
    // The bench compares against this C code; it must be the same codec.
    let src = pcm("sweep.src");
    let mut u = vec![0_u8; src.len()];
    let mut a = vec![0_u8; src.len()];
    g711_ref_c::ulaw_encode(&src, &mut u);
    g711_ref_c::alaw_encode(&src, &mut a);
    assert_same("C μ-law encode", &u, &codes("sweep-r.u"));
    assert_same("C A-law encode", &a, &codes("sweep-r.a"));
    let mut du = vec![0_i16; src.len()];
    let mut da = vec![0_i16; src.len()];
    g711_ref_c::ulaw_decode(&u, &mut du);
    g711_ref_c::alaw_decode(&a, &mut da);
    assert_same("C μ-law decode", &du, &pcm("sweep-r.reu"));
    assert_same("C A-law decode", &da, &pcm("sweep-r.rea"));
}

#[test]
fn decode_encode_decode_is_idempotent_for_every_code() {
    for law in [Law::Ulaw, Law::Alaw] {
        for c in 0..=255_u8 {
            let d = law.decode(c);
            assert_eq!(law.decode(law.encode(d)), d, "{law:?} code {c:#04x}");
        }
    }
}

#[test]
fn every_code_except_mulaw_negative_zero_survives_decode_encode() {
    // μ-law 0x7F (−0) decodes to 0, which encodes as 0xFF (+0); every other code round-trips.
    for c in 0..=255_u8 {
        assert_eq!(alaw::encode(alaw::decode(c)), c, "A-law {c:#04x}");
        let want = if c == 0x7F { 0xFF } else { c };
        assert_eq!(ulaw::encode(ulaw::decode(c)), want, "μ-law {c:#04x}");
    }
}

proptest! {
    #[test]
    fn slice_decode_encode_decode_is_idempotent(codes in proptest::collection::vec(any::<u8>(), 0..400), ulaw_law in any::<bool>()) {
        let law = if ulaw_law { Law::Ulaw } else { Law::Alaw };
        let mut d1 = vec![0_i16; codes.len()];
        let mut c2 = vec![0_u8; codes.len()];
        let mut d2 = vec![0_i16; codes.len()];
        law.decode_into(&codes, &mut d1).unwrap();
        law.encode_into(&d1, &mut c2).unwrap();
        law.decode_into(&c2, &mut d2).unwrap();
        prop_assert_eq!(d1, d2);
    }

    #[test]
    fn encode_is_idempotent_through_decode(pcm in proptest::collection::vec(any::<i16>(), 0..400), ulaw_law in any::<bool>()) {
        let law = if ulaw_law { Law::Ulaw } else { Law::Alaw };
        let mut c1 = vec![0_u8; pcm.len()];
        let mut d = vec![0_i16; pcm.len()];
        let mut c2 = vec![0_u8; pcm.len()];
        law.encode_into(&pcm, &mut c1).unwrap();
        law.decode_into(&c1, &mut d).unwrap();
        law.encode_into(&d, &mut c2).unwrap();
        let mut d2 = vec![0_i16; pcm.len()];
        law.decode_into(&c2, &mut d2).unwrap();
        prop_assert_eq!(d, d2);
    }

    #[test]
    fn f32_encode_equals_i16_encode_of_the_converted_samples(
        pcm in proptest::collection::vec(-1.2_f32..1.2, 0..1_000),
        ulaw_law in any::<bool>(),
    ) {
        // Lengths across the encoder's 256-sample conversion blocks, partial last block included.
        let law = if ulaw_law { Law::Ulaw } else { Law::Alaw };
        let converted: Vec<i16> = pcm.iter().map(|&x| vl_codec::pcm16::from_f32(x)).collect();
        let mut want = vec![0_u8; pcm.len()];
        law.encode_into(&converted, &mut want).unwrap();
        let mut got = vec![0xAA_u8; pcm.len() + 3];
        prop_assert_eq!(law.encode_f32_into(&pcm, &mut got), Ok(pcm.len()));
        prop_assert_eq!(&got[..pcm.len()], &want[..]);
        prop_assert_eq!(&got[pcm.len()..], &[0xAA_u8; 3][..]);
    }
}
