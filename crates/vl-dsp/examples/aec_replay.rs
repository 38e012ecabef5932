//! Replays the scenarios written by `cargo xtask eval aec --dump` through the echo canceller and
//! prints the same ERLE measures as the eval (0.5 s windows, far end active, double talk
//! excluded), plus a double-talk SNR proxy (near end vs output error). A quick loop for tuning;
//! the eval (with PESQ and the speex anchors) is the measurement.
//!
//! `cargo run --release -p vl-dsp --example aec_replay -- DIR/wav [SCENARIO...]`

#![allow(
    clippy::unwrap_used,
    reason = "dev tool: a bad file or frame is a panic"
)]

use std::path::Path;

use vl_dsp::{EchoCanceller, EchoCancellerConfig, FRAME_LEN};

const SR: usize = 16_000;

fn read_f32(p: &Path) -> Vec<f32> {
    let b = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn power(x: &[f32]) -> f64 {
    x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len().max(1) as f64
}

fn run(mic: &[f32], far: &[f32], suppressor: bool) -> (Vec<f32>, u64, u64, u64) {
    let mut aec = EchoCanceller::new(EchoCancellerConfig {
        suppressor,
        ..Default::default()
    });
    let mut out = vec![0.0; mic.len()];
    for ((m, f), o) in mic
        .chunks_exact(FRAME_LEN)
        .zip(far.chunks_exact(FRAME_LEN))
        .zip(out.chunks_exact_mut(FRAME_LEN))
    {
        aec.process(m, f, o).unwrap();
    }
    let lat = aec.latency_samples();
    let s = aec.stats();
    let out = out[lat..]
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0.0, lat))
        .collect();
    (out, s.restores, s.main_to_shadow, s.path_changes)
}

fn curve(mic: &[f32], echo: &[f32], out: &[f32]) -> Vec<f64> {
    let w = SR / 2;
    let pe_all = power(echo);
    (0..mic.len() / w)
        .map(|i| {
            let r = i * w..(i + 1) * w;
            let dt = (10 * SR..14 * SR).contains(&r.start);
            let active = power(&echo[r.clone()]) > 0.3 * pe_all;
            if dt || !active {
                f64::NAN
            } else {
                10.0 * ((power(&mic[r.clone()]) + 1e-20) / (power(&out[r]) + 1e-20)).log10()
            }
        })
        .collect()
}

fn at(c: &[f64], t: f64) -> f64 {
    let i = (t * 2.0).ceil() as usize;
    c.iter()
        .skip(i.saturating_sub(1))
        .find(|v| !v.is_nan())
        .copied()
        .unwrap_or(f64::NAN)
}

fn mean(v: &[f64]) -> f64 {
    let d: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    10.0 * (d.iter().map(|x| 10f64.powf(x / 10.0)).sum::<f64>() / d.len().max(1) as f64).log10()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(args.first().map_or("artifacts/aec/wav", String::as_str));
    let names: Vec<String> = if args.len() > 1 {
        args[1..].to_vec()
    } else {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let n = e.ok()?.file_name().into_string().ok()?;
                n.strip_suffix("_mic.f32").map(str::to_owned)
            })
            .collect();
        v.sort();
        v
    };
    for name in names {
        let far = read_f32(&dir.join(format!("{name}_far.f32")));
        let mic = read_f32(&dir.join(format!("{name}_mic.f32")));
        let echo = read_f32(&dir.join(format!("{name}_echo.f32")));
        let first = far.iter().position(|v| v.abs() > 1e-3).unwrap_or(0) as f64 / SR as f64;
        for sup in [true, false] {
            let (out, s2m, m2s, pc) = run(&mic, &far, sup);
            let c = curve(&mic, &echo, &out);
            let back = c[40..]
                .iter()
                .position(|&v| v >= 20.0)
                .map_or(f64::INFINITY, |i| i as f64 * 0.5 + 0.5);
            // Double talk 10–14 s: near end = mic − echo; error = output − near end.
            let (a, b) = (10 * SR + SR / 4, 14 * SR);
            let near: Vec<f32> = mic[a..b]
                .iter()
                .zip(&echo[a..b])
                .map(|(m, e)| m - e)
                .collect();
            let err: Vec<f32> = out[a..b].iter().zip(&near).map(|(o, n)| o - n).collect();
            let dt_snr = 10.0 * (power(&near) / power(&err)).log10();
            let att = 10.0 * (power(&near) / power(&out[a..b])).log10();
            let post: Vec<String> = c[40..50].iter().map(|v| format!("{v:5.1}")).collect();
            println!(
                "{name:24} {} @.5/1/2/5 {:5.1} {:5.1} {:5.1} {:5.1} st {:5.1} late {:5.1} back {:4.1} dtSNR {:5.1} att {:4.1} rest {s2m} m2s {m2s} pc {pc} | {}",
                if sup { "full" } else { "lin " },
                at(&c, first + 0.5),
                at(&c, first + 1.0),
                at(&c, first + 2.0),
                at(&c, first + 5.0),
                mean(&c[12..20]),
                mean(&c[44..60]),
                back,
                dt_snr,
                att,
                post.join(" ")
            );
        }
    }
}
