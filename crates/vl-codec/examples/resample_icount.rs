//! Load-independent speed comparison: runs `CHUNKS` 10 ms chunks of white noise through one
//! engine so that `valgrind --tool=callgrind` can count instructions per chunk.
//!
//! ```text
//! cargo build --release -p vl-codec --example resample_icount
//! for n in 100 1100; do
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/resample_icount vl_codec 48000 16000 $n 2>&1 | grep refs
//! done
//! # instructions per chunk = (Ir(1100) − Ir(100)) / 1000
//! ```
//!
//! Engines: those of `benches/common/resample_engines.rs` (`vl_codec`, `rubato_sinc256`,
//! `rubato_fft`, `soxr_hq`), configured exactly as the criterion bench configures them.

use std::hint::black_box;
use std::process::ExitCode;

#[path = "../benches/common/resample_engines.rs"]
mod engines;
use engines::{Engine, noise};

fn run(engine: &str, fi: u32, fo: u32, chunks: usize) -> Result<f32, String> {
    let chunk = fi as usize / 100;
    let input = noise(chunk);
    let mut e = Engine::new(engine, fi, fo, chunk)?;
    let mut check = 0.0_f32;
    for _ in 0..chunks {
        let n = e.process(black_box(&input))?;
        check += e.output().get(n / 2).copied().unwrap_or(0.0);
    }
    Ok(check)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.as_slice() {
        [engine, fi, fo, n] => match (fi.parse(), fo.parse(), n.parse()) {
            (Ok(fi), Ok(fo), Ok(n)) => Some((engine.as_str(), fi, fo, n)),
            _ => None,
        },
        _ => None,
    };
    let Some((engine, fi, fo, n)) = parsed else {
        eprintln!(
            "usage: resample_icount vl_codec|rubato_sinc256|rubato_fft|soxr_hq IN_HZ OUT_HZ CHUNKS"
        );
        return ExitCode::FAILURE;
    };
    match run(engine, fi, fo, n) {
        Ok(check) => {
            println!("{engine} {fi}->{fo} x{n}: checksum {check}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
