//! Tuning set for the classifier that is **not** the evaluation data: "conversations" built from
//! a folder of 16 kHz mono PCM16 speech prompts (e.g. the Debian `asterisk-core-sounds-en-wav`
//! prompts resampled with sox), labelled from the clean signal (10 ms frames above the prompt's
//! max − 40 dB, gaps < 100 ms bridged, audio-dsp.md §6.3 b), mixed with synthetic noises (white,
//! pink, brown, hum, babble from other prompts, clicks) at ∞ / 10 / 5 / 0 dB. Prints frame AUC
//! per condition.
//!
//! ```text
//! cargo run --release -p vl-vad --example tune -- /path/to/prompts16k
//! ```

#[path = "../tests/it/data.rs"]
#[allow(
    dead_code,
    reason = "shared with the tests; not every helper is used here"
)]
mod data;

use vl_vad::FRAME_SAMPLES;

/// Frames within this many dB of the prompt's loudest frame are speech.
const LABEL_RANGE_DB: f32 = 30.0;
/// Non-speech gaps up to this many frames inside speech are bridged (labelled speech).
const BRIDGE_FRAMES: usize = 20;

struct Lcg(u64);

impl Lcg {
    fn next_u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }
    fn uniform(&mut self) -> f32 {
        self.next_u32() as f32 / (1u64 << 31) as f32
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.next_u32() as usize % (hi - lo)
    }
}

fn frame_energies_db(x: &[f32]) -> Vec<f32> {
    x.chunks(FRAME_SAMPLES)
        .map(|f| {
            let e = f.iter().map(|v| v * v).sum::<f32>() / f.len().max(1) as f32;
            10.0 * (e + 1e-12).log10()
        })
        .collect()
}

fn build_conversation(prompts: &[Vec<f32>], rng: &mut Lcg, seconds: f32) -> (Vec<f32>, Vec<bool>) {
    let mut audio = vec![0.0_f32; rng.range(3, 15) * FRAME_SAMPLES * 10];
    let mut labels = vec![false; audio.len() / FRAME_SAMPLES];
    while (audio.len() as f32) < seconds * 16_000.0 {
        let p = &prompts[rng.range(0, prompts.len())];
        let gain = 10f32.powf((rng.uniform() * 20.0 - 10.0) / 20.0);
        let e = frame_energies_db(p);
        let max = e.iter().copied().fold(f32::MIN, f32::max);
        let mut lab: Vec<bool> = e.iter().map(|&v| v > max - LABEL_RANGE_DB).collect();
        // bridge gaps < 100 ms
        let mut last_true: Option<usize> = None;
        for i in 0..lab.len() {
            if lab[i] {
                if let Some(j) = last_true
                    && i - j <= BRIDGE_FRAMES
                {
                    for l in lab.iter_mut().take(i).skip(j + 1) {
                        *l = true;
                    }
                }
                last_true = Some(i);
            }
        }
        let whole = p.len() / FRAME_SAMPLES * FRAME_SAMPLES;
        audio.extend(p[..whole].iter().map(|v| v * gain));
        labels.extend_from_slice(&lab[..whole / FRAME_SAMPLES]);
        let gap = rng.range(15, 300) * FRAME_SAMPLES;
        audio.extend(std::iter::repeat_n(0.0, gap));
        labels.extend(std::iter::repeat_n(false, gap / FRAME_SAMPLES));
    }
    (audio, labels)
}

fn noise(kind: &str, n: usize, rng: &mut Lcg, prompts: &[Vec<f32>]) -> Vec<f32> {
    let mut w = || rng.uniform() * 2.0 - 1.0;
    match kind {
        "white" => (0..n).map(|_| w()).collect(),
        "pink" => {
            // Paul Kellet's economy pink filter
            let (mut b0, mut b1, mut b2) = (0.0_f32, 0.0_f32, 0.0_f32);
            (0..n)
                .map(|_| {
                    let x = w();
                    b0 = 0.99765 * b0 + x * 0.099_046;
                    b1 = 0.96300 * b1 + x * 0.296_516_4;
                    b2 = 0.57000 * b2 + x * 1.052_691_3;
                    b0 + b1 + b2 + x * 0.1848
                })
                .collect()
        }
        "brown" | "hum" => {
            let mut y = 0.0_f32;
            let mut lp = 0.0_f32;
            (0..n)
                .map(|i| {
                    y = 0.995 * y + 0.05 * w();
                    lp = 0.9 * lp + 0.1 * y;
                    if kind == "hum" {
                        let t = i as f32 / 16_000.0;
                        lp + 0.05 * (std::f32::consts::TAU * 50.0 * t).sin()
                            + 0.03 * (std::f32::consts::TAU * 100.0 * t).sin()
                    } else {
                        y
                    }
                })
                .collect()
        }
        "babble" => {
            let mut out = vec![0.0_f32; n];
            for _ in 0..6 {
                let mut pos = 0;
                while pos < n {
                    let p = &prompts[rng.range(0, prompts.len())];
                    for (o, v) in out.iter_mut().skip(pos).zip(p) {
                        *o += v;
                    }
                    pos += p.len();
                }
            }
            out
        }
        "clicks" => {
            let mut out: Vec<f32> = (0..n).map(|_| 0.01 * w()).collect();
            let mut pos = rng.range(0, 3000);
            while pos < n {
                let amp = 0.5 + rng.uniform();
                for k in 0..400.min(n - pos) {
                    out[pos + k] += amp * (rng.uniform() * 2.0 - 1.0) * (-(k as f32) / 60.0).exp();
                }
                pos += rng.range(1500, 6000);
            }
            out
        }
        _ => vec![0.0; n],
    }
}

fn mix(clean: &[f32], labels: &[bool], noise: &[f32], snr_db: f32) -> Vec<f32> {
    let (mut sp, mut n) = (0.0_f64, 0usize);
    for (f, &l) in clean.chunks_exact(FRAME_SAMPLES).zip(labels) {
        if l {
            sp += f.iter().map(|&v| f64::from(v * v)).sum::<f64>();
            n += FRAME_SAMPLES;
        }
    }
    let sp = sp / n.max(1) as f64;
    let np = noise.iter().map(|&v| f64::from(v * v)).sum::<f64>() / noise.len().max(1) as f64;
    let g = (sp / np.max(1e-20) / 10f64.powf(f64::from(snr_db) / 10.0)).sqrt() as f32;
    clean.iter().zip(noise).map(|(c, v)| c + g * v).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: tune <folder of 16 kHz prompts>")?;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wav"))
        .collect();
    paths.sort();
    let prompts: Vec<Vec<f32>> = paths.iter().map(|p| data::read_wav(p)).collect();
    let (speech_prompts, babble_prompts) = prompts.split_at(prompts.len() * 2 / 3);
    let mut rng = Lcg(42);
    let convs: Vec<(Vec<f32>, Vec<bool>)> = (0..12)
        .map(|_| build_conversation(speech_prompts, &mut rng, 20.0))
        .collect();
    let kinds = ["white", "pink", "brown", "hum", "babble", "clicks"];
    // `--model w0,w1,w2,w3,w4,w5,bias` evaluates other weights.
    let args: Vec<String> = std::env::args().collect();
    let model = args.windows(2).find(|w| w[0] == "--model").and_then(|w| {
        let v: Vec<f32> = w[1].split(',').filter_map(|t| t.parse().ok()).collect();
        let mut weights = [0.0_f32; vl_vad::NUM_FEATURES];
        (v.len() == vl_vad::NUM_FEATURES + 1).then(|| {
            weights.copy_from_slice(&v[..vl_vad::NUM_FEATURES]);
            (weights, v[vl_vad::NUM_FEATURES])
        })
    });
    let mut summary = Vec::new();
    let mut fit_x: Vec<[f32; vl_vad::NUM_FEATURES]> = Vec::new();
    let mut fit_y: Vec<bool> = Vec::new();
    let mut raw: Vec<f32> = Vec::new();
    for snr in [f32::INFINITY, 20.0, 10.0, 5.0, 0.0] {
        let mut all = (Vec::new(), Vec::new());
        for kind in kinds {
            if snr.is_infinite() && kind != "white" {
                continue;
            }
            let (mut s, mut l) = (Vec::new(), Vec::new());
            for (audio, labels) in &convs {
                let mixed = if snr.is_infinite() {
                    // "clean": a quiet room-noise floor (pink, 45 dB below speech), never
                    // digital silence.
                    let nz = noise("pink", audio.len(), &mut rng, babble_prompts);
                    mix(audio, labels, &nz, 45.0)
                } else {
                    let nz = noise(kind, audio.len(), &mut rng, babble_prompts);
                    mix(audio, labels, &nz, snr)
                };
                let mut c = vl_vad::FrameClassifier::new(16_000)?;
                if let Some((w, b)) = model {
                    c.set_model(w, b);
                }
                for (f, &lab) in mixed.chunks_exact(FRAME_SAMPLES).zip(labels) {
                    let (p, ft) = c.process_features(f)?;
                    s.push(p);
                    raw.push(ft.score);
                    fit_x.push(ft.x);
                    fit_y.push(lab);
                }
                l.extend_from_slice(labels);
            }
            let auc = data::roc_auc(&s, &l);
            let name = if snr.is_infinite() { "clean" } else { kind };
            println!("snr {snr:>4} {name:<7} AUC {auc:.3}");
            all.0.extend(s);
            all.1.extend(l);
        }
        let auc = data::roc_auc(&all.0, &all.1);
        summary.push(format!("{snr}:{auc:.3}"));
    }
    let raw_auc = data::roc_auc(&raw, &fit_y);
    println!("all conditions: raw score AUC {raw_auc:.3}");
    if std::env::args().any(|a| a == "--fit") {
        // `--drop K` leaves feature K out of the fit (weight 0).
        let args: Vec<String> = std::env::args().collect();
        for k in args
            .windows(2)
            .filter(|w| w[0] == "--drop")
            .filter_map(|w| w[1].parse::<usize>().ok())
        {
            for x in &mut fit_x {
                if let Some(v) = x.get_mut(k) {
                    *v = 0.0;
                }
            }
        }
        let (w, b) = fit_logistic(&fit_x, &fit_y);
        println!("fitted WEIGHTS {w:?} BIAS {b}");
    }
    let speech = convs.iter().flat_map(|c| &c.1).filter(|&&l| l).count() as f64;
    let total = convs.iter().map(|c| c.1.len()).sum::<usize>() as f64;
    println!(
        "speech frames {:.1} %; summary {}",
        100.0 * speech / total,
        summary.join("  ")
    );
    Ok(())
}

/// Logistic regression by Newton's method (IRLS) with a small L2 penalty.
#[allow(
    clippy::needless_range_loop,
    reason = "textbook Newton step and Gaussian elimination read clearer with indices"
)]
fn fit_logistic(
    x: &[[f32; vl_vad::NUM_FEATURES]],
    y: &[bool],
) -> ([f32; vl_vad::NUM_FEATURES], f32) {
    const N: usize = vl_vad::NUM_FEATURES + 1;
    let mut w = [0.0_f64; N];
    for _ in 0..25 {
        let mut g = [0.0_f64; N];
        let mut h = [[0.0_f64; N]; N];
        for (xi, &yi) in x.iter().zip(y) {
            let mut v = [1.0_f64; N];
            for k in 0..N - 1 {
                v[k] = f64::from(xi[k]);
            }
            let z: f64 = v.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let t = if yi { 1.0 } else { 0.0 };
            for a in 0..N {
                g[a] += (p - t) * v[a];
                for b in 0..N {
                    h[a][b] += p * (1.0 - p) * v[a] * v[b];
                }
            }
        }
        for a in 0..N {
            g[a] += 1e-3 * x.len() as f64 * w[a] * if a < N - 1 { 1.0 } else { 0.0 };
            h[a][a] += 1e-3 * x.len() as f64 + 1e-9;
        }
        // solve h * d = g (Gaussian elimination with partial pivoting)
        let mut m = h;
        let mut r = g;
        for c in 0..N {
            let piv = (c..N)
                .max_by(|&i, &j| m[i][c].abs().total_cmp(&m[j][c].abs()))
                .unwrap_or(c);
            m.swap(c, piv);
            r.swap(c, piv);
            for i in c + 1..N {
                let f = m[i][c] / m[c][c];
                for j in c..N {
                    m[i][j] -= f * m[c][j];
                }
                r[i] -= f * r[c];
            }
        }
        let mut d = [0.0_f64; N];
        for c in (0..N).rev() {
            let s: f64 = (c + 1..N).map(|j| m[c][j] * d[j]).sum();
            d[c] = (r[c] - s) / m[c][c];
        }
        for a in 0..N {
            w[a] -= d[a];
        }
    }
    let mut out = [0.0_f32; vl_vad::NUM_FEATURES];
    for k in 0..N - 1 {
        out[k] = w[k] as f32;
    }
    (out, w[N - 1] as f32)
}
