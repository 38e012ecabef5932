//! `cargo xtask eval resampler [--out DIR]`: quality of `vl_codec::Resampler` on every ordered
//! pair of supported rates.
//!
//! Prints, per pair, the passband ripple, the worst alias/image, THD+N and the delay, measured
//! by the same code the crate's tests use (`crates/vl-codec/tests/resample_analysis`, included
//! here by path; its module docs define each measurement), writes the table to
//! `DIR/summary.md`, and draws the spectrogram of a resampled log sweep (20 Hz → 0.99 × input
//! Nyquist, 4 s, −6 dBFS) as `DIR/<in>_to_<out>.png` so a person can look: the sweep is the
//! bright diagonal, anything else (folded or mirrored lines, a raised floor) is aliasing,
//! imaging or noise. Colour: 0 dB (white) … −160 dB (black) relative to the sweep level; ticks on
//! both edges mark `0.875 ×` and `1.0 ×` the lower Nyquist.

#[path = "../../../crates/vl-codec/tests/resample_analysis/mod.rs"]
mod analysis;

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use realfft::RealFftPlanner;

use crate::cmd;

const SWEEP_SECONDS: f64 = 4.0;
const SWEEP_AMP: f64 = 0.5;
const WIDTH: usize = 800;
const HEIGHT: usize = 400;
const FLOOR_DB: f64 = -160.0;

/// Runs the evaluation.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut out = cmd::project_root().join("artifacts/resampler");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--out" => out = PathBuf::from(it.next().ok_or("--out takes a directory")?),
            other => {
                return Err(format!(
                    "unknown flag `{other}`; usage: eval resampler [--out DIR]"
                ));
            }
        }
    }
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    let mut table = String::new();
    table.push_str(
        "| pair (Hz) | taps/out | passband ripple dB | worst alias/image dB | THD+N dB | delay ms | delay error (samples) |\n\
         |---|---|---|---|---|---|---|\n",
    );
    let mut worst = (0.0_f64, f64::NEG_INFINITY, f64::NEG_INFINITY, 0.0_f64);
    println!(
        "{:>15} {:>8} {:>12} {:>14} {:>9} {:>9} {:>10}",
        "pair", "taps", "ripple dB", "alias/img dB", "THD+N dB", "delay ms", "delay err"
    );
    for (fi, fo) in analysis::all_pairs() {
        let q = analysis::Quality::measure(fi, fo);
        let taps = vl_codec::Resampler::new(fi, fo)
            .map_err(|e| e.to_string())?
            .taps_per_output();
        println!(
            "{:>15} {:>8} {:>12.5} {:>14.1} {:>9.1} {:>9.3} {:>10.5}",
            format!("{fi}->{fo}"),
            taps,
            q.ripple_db,
            q.alias_image_db(),
            q.thd_n_db,
            q.delay_ms,
            q.delay_error_samples
        );
        let _ = writeln!(
            table,
            "| {fi} → {fo} | {taps} | {:.5} | {:.1} | {:.1} | {:.3} | {:.5} |",
            q.ripple_db,
            q.alias_image_db(),
            q.thd_n_db,
            q.delay_ms,
            q.delay_error_samples
        );
        worst.0 = worst.0.max(q.ripple_db);
        worst.1 = worst.1.max(q.alias_image_db());
        worst.2 = worst.2.max(q.thd_n_db);
        worst.3 = worst.3.max(q.delay_ms);
        spectrogram(fi, fo, &out.join(format!("{fi}_to_{fo}.png")))?;
    }
    let summary = format!(
        "worst over 56 pairs: ripple {:.5} dB (target ≤ 0.05), alias/image {:.1} dB (≤ −110), \
         THD+N {:.1} dB (≤ −110), delay {:.3} ms (≤ 3)",
        worst.0, worst.1, worst.2, worst.3
    );
    println!("\n{summary}");
    let text = format!(
        "# vl-codec resampler quality\n\nMethod: `crates/vl-codec/tests/resample_analysis/mod.rs`.\n\n{table}\n{summary}\n"
    );
    let path = out.join("summary.md");
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {} and 56 spectrograms", path.display());
    Ok(())
}

/// Resamples a log sweep and writes its spectrogram as an RGB PNG.
fn spectrogram(fi: u32, fo: u32, path: &Path) -> Result<(), String> {
    let f0 = 20.0_f64;
    let f1 = 0.99 * f64::from(fi) / 2.0;
    let n_in = (SWEEP_SECONDS * f64::from(fi)) as usize;
    let k = (f1 / f0).ln();
    let x: Vec<f32> = (0..n_in)
        .map(|i| {
            let t = i as f64 / f64::from(fi);
            let phase = std::f64::consts::TAU * f0 * SWEEP_SECONDS / k
                * ((t / SWEEP_SECONDS * k).exp() - 1.0);
            (SWEEP_AMP * phase.sin()) as f32
        })
        .collect();
    let y = analysis::oneshot(fi, fo, &x);

    // STFT: bins of ~10-20 Hz, hop a quarter frame.
    let nfft = (fo as usize / 16).next_power_of_two();
    let hop = nfft / 4;
    let window = analysis::kaiser(nfft, analysis::WINDOW_BETA);
    let wsum: f64 = window.iter().sum();
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(nfft);
    let mut frame = fft.make_input_vec();
    let mut spec = fft.make_output_vec();
    let frames = (y.len().saturating_sub(nfft)) / hop + 1;
    let bins = nfft / 2 + 1;
    let mut db = vec![FLOOR_DB; frames * bins];
    for f in 0..frames {
        for (dst, (&s, &w)) in frame
            .iter_mut()
            .zip(y[f * hop..f * hop + nfft].iter().zip(&window))
        {
            *dst = f64::from(s) * w;
        }
        fft.process(&mut frame, &mut spec)
            .map_err(|e| e.to_string())?;
        for (b, c) in spec.iter().enumerate() {
            // A sine of amplitude A peaks at A·Σw/2; 0 dB = the sweep's level.
            let amp = c.norm() / (wsum / 2.0) / SWEEP_AMP;
            db[f * bins + b] = (20.0 * amp.max(1e-30).log10()).max(FLOOR_DB);
        }
    }

    let mut rgb = vec![0_u8; WIDTH * HEIGHT * 3];
    for px in 0..WIDTH {
        let f = px * frames / WIDTH;
        for py in 0..HEIGHT {
            // Row 0 at the top is the output Nyquist; take the max over the bins a row covers.
            let lo = (HEIGHT - 1 - py) * (bins - 1) / HEIGHT;
            let hi = ((HEIGHT - py) * (bins - 1) / HEIGHT).max(lo + 1);
            let v = db[f * bins + lo..f * bins + hi]
                .iter()
                .copied()
                .fold(FLOOR_DB, f64::max);
            let c = colour((v - FLOOR_DB) / -FLOOR_DB);
            rgb[(py * WIDTH + px) * 3..(py * WIDTH + px) * 3 + 3].copy_from_slice(&c);
        }
    }
    // Edge ticks at 0.875 and 1.0 × the lower Nyquist (green), 10 px long.
    let nyq_low = analysis::fs_low(fi, fo) / 2.0;
    for edge in [analysis::PASS_EDGE * 2.0 * nyq_low, nyq_low] {
        let row = HEIGHT - 1 - ((edge / (f64::from(fo) / 2.0)) * (HEIGHT - 1) as f64) as usize;
        for px in (0..10).chain(WIDTH - 10..WIDTH) {
            rgb[(row * WIDTH + px) * 3..(row * WIDTH + px) * 3 + 3].copy_from_slice(&[0, 255, 0]);
        }
    }

    let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), WIDTH as u32, HEIGHT as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())
}

/// A black → blue → magenta → orange → yellow → white colour map, `t` in `0..=1`.
fn colour(t: f64) -> [u8; 3] {
    const STOPS: [(f64, [f64; 3]); 6] = [
        (0.0, [0.0, 0.0, 0.0]),
        (0.25, [20.0, 10.0, 120.0]),
        (0.5, [150.0, 20.0, 130.0]),
        (0.7, [240.0, 90.0, 30.0]),
        (0.88, [250.0, 220.0, 40.0]),
        (1.0, [255.0, 255.0, 255.0]),
    ];
    let t = t.clamp(0.0, 1.0);
    for pair in STOPS.windows(2) {
        let ((t0, c0), (t1, c1)) = (pair[0], pair[1]);
        if t <= t1 {
            let u = (t - t0) / (t1 - t0);
            return [0, 1, 2].map(|i| (c0[i] + u * (c1[i] - c0[i])) as u8);
        }
    }
    [255, 255, 255]
}
