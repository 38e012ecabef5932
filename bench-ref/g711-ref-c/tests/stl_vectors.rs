//! The C reference reproduces the ITU-T G.191 STL vectors in `VL_TEST_DATA/g711` (default
//! `../shared/data` beside the workspace root), so the bench compares like with like.

use std::path::PathBuf;

fn words(name: &str) -> Vec<u16> {
    let dir = std::env::var_os("VL_TEST_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    let path = dir.join("g711").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "test data missing: cannot read {} ({e}); set VL_TEST_DATA to the shared data folder",
            path.display()
        )
    });
    assert_eq!(bytes.len(), 131_072, "{}: wrong size", path.display());
    bytes
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect()
}

fn pcm(name: &str) -> Vec<i16> {
    words(name).into_iter().map(|w| w as i16).collect()
}

fn codes(name: &str) -> Vec<u8> {
    words(name)
        .into_iter()
        .map(|w| u8::try_from(w).expect("coded words have a zero high byte"))
        .collect()
}

#[test]
fn c_reference_encoders_reproduce_sweep_r_u_and_sweep_r_a() {
    let src = pcm("sweep.src");
    assert!(src.iter().copied().eq(i16::MIN..=i16::MAX));
    let mut u = vec![0_u8; src.len()];
    let mut a = vec![0_u8; src.len()];
    assert_eq!(g711_ref_c::ulaw_encode(&src, &mut u), src.len());
    assert_eq!(g711_ref_c::alaw_encode(&src, &mut a), src.len());
    assert!(
        u == codes("sweep-r.u"),
        "C μ-law encode differs from sweep-r.u"
    );
    assert!(
        a == codes("sweep-r.a"),
        "C A-law encode differs from sweep-r.a"
    );
}

#[test]
fn c_reference_decoders_reproduce_sweep_r_u_u_and_sweep_r_a_a() {
    let mut u = vec![0_i16; 65_536];
    let mut a = vec![0_i16; 65_536];
    g711_ref_c::ulaw_decode(&codes("sweep-r.u"), &mut u);
    g711_ref_c::alaw_decode(&codes("sweep-r.a"), &mut a);
    assert!(
        u == pcm("sweep-r.u-u"),
        "C μ-law decode differs from sweep-r.u-u"
    );
    assert!(
        a == pcm("sweep-r.a-a"),
        "C A-law decode differs from sweep-r.a-a"
    );
}
