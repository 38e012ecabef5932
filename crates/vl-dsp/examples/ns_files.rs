//! Runs the noise suppressor over WAV files: `ns_files OUT_DIR IN.wav...` writes
//! `OUT_DIR/<name>` for each input (16 kHz mono), compensated for the suppressor's delay.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "developer tool")]

#[path = "../tests/common/mod.rs"]
mod common;

use vl_dsp::{FRAME_LEN, NoiseSuppressor};

fn main() {
    let mut args = std::env::args().skip(1);
    let out_dir = std::path::PathBuf::from(args.next().expect("OUT_DIR"));
    for p in args {
        let p = std::path::PathBuf::from(p);
        let (_, x) = common::read_wav(&p).unwrap();
        let mut ns = NoiseSuppressor::default();
        let mut y = x.clone();
        y.resize(x.len().div_ceil(FRAME_LEN) * FRAME_LEN + FRAME_LEN, 0.0);
        for f in y.chunks_exact_mut(FRAME_LEN) {
            ns.process(f).unwrap();
        }
        let lat = NoiseSuppressor::LATENCY_SAMPLES;
        let out: Vec<f32> = y[lat..lat + x.len()].to_vec();
        common::write_wav(&out_dir.join(p.file_name().unwrap()), 16_000, &out).unwrap();
    }
}
