//! Load-independent speed comparison: runs `CHUNKS` 10 ms chunks of white noise through one
//! engine so that `valgrind --tool=callgrind` can count instructions per chunk.
//!
//! ```text
//! cargo build --release -p vl-codec --example resample_icount
//! for n in 100 1100; do
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/resample_icount ours 48000 16000 $n 2>&1 | grep refs
//! done
//! # instructions per chunk = (Ir(1100) − Ir(100)) / 1000
//! ```
//!
//! Engines: `ours` (`vl_codec::Resampler`), `soxr` (Debian libsoxr HQ via `soxr-ffi`, LGPL,
//! bench-only), `rubato_fft` and `rubato_sinc` (rubato 5, configured as in `benches/resample.rs`).

use std::hint::black_box;
use std::process::ExitCode;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, Fft, FixedAsync, FixedSync, Resampler as _, SincInterpolationParameters, WindowFunction,
};

fn noise(len: usize) -> Vec<f32> {
    let mut s = 0x1234_5678_u32;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s as f32 / u32::MAX as f32) - 0.5
        })
        .collect()
}

fn run(engine: &str, fi: u32, fo: u32, chunks: usize) -> Result<f32, String> {
    let chunk = fi as usize / 100;
    let input = noise(chunk);
    let mut check = 0.0_f32;
    match engine {
        "ours" => {
            let mut r = vl_codec::Resampler::new(fi, fo).map_err(|e| e.to_string())?;
            let mut out = vec![0.0_f32; r.max_output_len(chunk)];
            for _ in 0..chunks {
                let n = r
                    .process(black_box(&input), &mut out)
                    .map_err(|e| e.to_string())?;
                check += out.get(n / 2).copied().unwrap_or(0.0);
            }
        }
        "soxr" => {
            let mut r = soxr_ffi::Soxr::new_hq(f64::from(fi), f64::from(fo))?;
            let mut out = vec![0.0_f32; 2 * chunk * fo as usize / fi as usize + 64];
            for _ in 0..chunks {
                let (_, n) = r.process(black_box(&input), &mut out)?;
                check += out.get(n / 2).copied().unwrap_or(0.0);
            }
        }
        "rubato_fft" => {
            let mut r = Fft::<f32>::new(fi as usize, fo as usize, chunk, 1, FixedSync::Input)
                .map_err(|e| e.to_string())?;
            let mut out = vec![0.0_f32; r.output_frames_max()];
            for _ in 0..chunks {
                let inp = InterleavedSlice::new(black_box(&input), 1, chunk)
                    .map_err(|e| e.to_string())?;
                let cap = out.len();
                let mut outp =
                    InterleavedSlice::new_mut(&mut out, 1, cap).map_err(|e| e.to_string())?;
                r.process_into_buffer(&inp, &mut outp, None)
                    .map_err(|e| e.to_string())?;
                check += out.first().copied().unwrap_or(0.0);
            }
        }
        "rubato_sinc" => {
            let params = SincInterpolationParameters::new(256, WindowFunction::BlackmanHarris2);
            let mut r = Async::<f32>::new_sinc(
                f64::from(fo) / f64::from(fi),
                1.0,
                &params,
                chunk,
                1,
                FixedAsync::Input,
            )
            .map_err(|e| e.to_string())?;
            let mut out = vec![0.0_f32; r.output_frames_max()];
            for _ in 0..chunks {
                let inp = InterleavedSlice::new(black_box(&input), 1, chunk)
                    .map_err(|e| e.to_string())?;
                let cap = out.len();
                let mut outp =
                    InterleavedSlice::new_mut(&mut out, 1, cap).map_err(|e| e.to_string())?;
                r.process_into_buffer(&inp, &mut outp, None)
                    .map_err(|e| e.to_string())?;
                check += out.first().copied().unwrap_or(0.0);
            }
        }
        other => return Err(format!("unknown engine {other}")),
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
        eprintln!("usage: resample_icount ours|soxr|rubato_fft|rubato_sinc IN_HZ OUT_HZ CHUNKS");
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
