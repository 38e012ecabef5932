//! Tests with the real library and model (cargo feature `real-model`). They need
//! `cargo xtask models --only deepfilter` (into `$VL_MODELS`, default `models/` at the project
//! root); with the feature on, missing files are a failure. CI runs them.

#![cfg(feature = "real-model")]
#![allow(clippy::unwrap_used, reason = "test code: a failure should panic")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vl_deepfilter::{Config, DeepFilter, Error, FRAME_LEN, Paths, Runtime};

fn models_dir() -> PathBuf {
    std::env::var_os("VL_MODELS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
        PathBuf::from,
    )
}

fn paths() -> Paths {
    let p = Paths::in_models_dir(&models_dir());
    for f in [&p.library, &p.model] {
        assert!(
            f.is_file(),
            "{} is missing: run `cargo xtask models --only deepfilter`",
            f.display()
        );
    }
    p
}

fn runtime() -> Arc<Runtime> {
    Runtime::load(&paths()).unwrap()
}

fn stream() -> DeepFilter {
    runtime().stream(Config::default()).unwrap()
}

/// Deterministic white noise in [-1, 1).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

fn run(ns: &mut DeepFilter, x: &[f32]) -> Vec<f32> {
    let mut out = x.to_vec();
    for f in out.chunks_exact_mut(FRAME_LEN) {
        ns.process(f).unwrap();
    }
    out
}

fn power(x: &[f32]) -> f64 {
    x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len().max(1) as f64
}

/// Index and magnitude of the largest |sample|.
fn peak(x: &[f32]) -> (usize, f32) {
    x.iter().enumerate().fold(
        (0, 0.0f32),
        |a, (i, &v)| if v.abs() > a.1 { (i, v.abs()) } else { a },
    )
}

/// Output peak positions minus input click positions, clicks 100 ms apart.
fn click_delays(ns: &mut DeepFilter) -> Vec<(f64, f32)> {
    let mut x = vec![0.0f32; 16_000];
    for k in 0..8 {
        x[1600 * k + 400] = 0.9;
    }
    let y = run(ns, &x);
    (0..8)
        .map(|k| {
            let (i, v) = peak(&y[1600 * k..1600 * (k + 1)]);
            (i as f64 - 400.0, v)
        })
        .collect()
}

#[test]
fn delay_matches_an_impulse() {
    // With a 6 dB attenuation limit libDF mixes its delay-aligned input back in at half
    // amplitude: the clicks come out clearly, exactly where the reported delay says.
    let mut ns = runtime()
        .stream(Config {
            atten_lim_db: 6.0,
            ..Config::default()
        })
        .unwrap();
    let want = ns.delay_samples();
    assert!(ns.delay_ms() <= 40.0, "{} ms", ns.delay_ms());
    for (k, (got, v)) in click_delays(&mut ns).into_iter().enumerate() {
        println!("pass-through click {k}: delay {got}, peak {v}");
        assert!(v > 0.2, "click {k}: peak {v}");
        assert!(
            (got - want).abs() <= 1.0,
            "click {k}: delay {got}, reported {want}"
        );
    }
    // Full suppression: DeepFilterNet treats a click as noise (peaks of ~1e-4), but what is
    // left still comes out around the same delay.
    let mut ns = stream();
    for (k, (got, v)) in click_delays(&mut ns).into_iter().enumerate() {
        println!("suppressed click {k}: delay {got}, peak {v}");
        assert!(v > 1e-6, "click {k} vanished");
        assert!(
            (got - want).abs() <= 30.0,
            "click {k}: delay {got}, reported {want}"
        );
    }
}

#[test]
fn removes_stationary_noise_and_keeps_a_voiced_signal() {
    // Noise alone: loses most of its energy after the first second.
    let mut ns = stream();
    let mut rng = Rng(7);
    let noise: Vec<f32> = (0..16_000 * 3).map(|_| 0.05 * rng.next()).collect();
    let y = run(&mut ns, &noise);
    let drop_db = 10.0 * (power(&y[16_000..]) / power(&noise[16_000..])).log10();
    assert!(drop_db < -15.0, "noise only lost {drop_db:.1} dB");
    assert!(ns.frames() == 300, "{} DeepFilterNet frames", ns.frames());
}

#[test]
fn wrong_length_is_an_error_and_leaves_the_frame() {
    let mut ns = stream();
    let mut short = [0.25f32; 100];
    assert!(matches!(
        ns.process(&mut short),
        Err(Error::WrongFrameLen { got: 100 })
    ));
    assert!(short.iter().all(|&v| v == 0.25));
}

#[test]
fn nan_inf_and_clipping_give_bounded_output_and_recover() {
    let mut ns = stream();
    let mut rng = Rng(3);
    let mut frame = [0.0f32; FRAME_LEN];
    for i in 0..300 {
        for (k, s) in frame.iter_mut().enumerate() {
            *s = match (i / 50, k % 4) {
                (0, _) => f32::NAN,
                (1, 0) => f32::INFINITY,
                (1, 1) => f32::NEG_INFINITY,
                (1, _) => 1e30,
                (2, _) => 8.0 * rng.next(),
                (3, 0) => f32::MAX,
                (3, 1) => f32::MIN_POSITIVE,
                (3, _) => -0.0,
                _ => 0.05 * rng.next(),
            };
        }
        ns.process(&mut frame).unwrap();
        assert!(
            frame.iter().all(|v| v.is_finite() && v.abs() <= 1.0),
            "frame {i}: {frame:?}"
        );
    }
    // After the garbage, plain noise is still processed (the state did not turn into NaN):
    // the output is not all zeros and is quieter than the input.
    let mut rng = Rng(9);
    let x: Vec<f32> = (0..16_000).map(|_| 0.05 * rng.next()).collect();
    let y = run(&mut ns, &x);
    assert!(power(&y) > 0.0 && power(&y) < power(&x), "{}", power(&y));
}

#[test]
fn several_streams_in_one_process_are_independent() {
    let rt = runtime();
    let mut a = rt.stream(Config::default()).unwrap();
    let mut b = rt.stream(Config::default()).unwrap();
    let mut rng = Rng(5);
    let x: Vec<f32> = (0..8000).map(|_| 0.05 * rng.next()).collect();
    let ya = run(&mut a, &x);
    let yb = run(&mut b, &x);
    assert_eq!(ya, yb);
    drop(a);
    let yb2 = run(&mut b, &x);
    assert!(yb2.iter().all(|v| v.is_finite()));
}

#[test]
fn attenuation_limit_is_applied() {
    let rt = runtime();
    let mut full = rt.stream(Config::default()).unwrap();
    let mut limited = rt
        .stream(Config {
            atten_lim_db: 6.0,
            ..Config::default()
        })
        .unwrap();
    let mut rng = Rng(11);
    let x: Vec<f32> = (0..16_000 * 2).map(|_| 0.05 * rng.next()).collect();
    let yf = run(&mut full, &x);
    let yl = run(&mut limited, &x);
    let df = 10.0 * (power(&yf[16_000..]) / power(&x[16_000..])).log10();
    let dl = 10.0 * (power(&yl[16_000..]) / power(&x[16_000..])).log10();
    assert!(
        dl > -8.0 && dl > df + 5.0,
        "limited {dl:.1} dB, full {df:.1} dB"
    );
}

#[test]
fn missing_model_and_wrong_model_name_the_path() {
    let p = paths();
    let missing = Paths {
        library: p.library.clone(),
        model: p.model.with_file_name("no-such-model.tar.gz"),
    };
    let e = Runtime::load(&missing).unwrap_err();
    assert!(matches!(e, Error::ModelMissing { .. }), "{e}");
    assert!(e.to_string().contains("no-such-model.tar.gz"), "{e}");
    let dir = std::env::temp_dir().join(format!("vl-deepfilter-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("fake.tar.gz");
    std::fs::write(&fake, b"not a model").unwrap();
    let e = Runtime::load(&Paths {
        library: p.library,
        model: fake.clone(),
    })
    .unwrap_err();
    assert!(matches!(e, Error::ModelMismatch { .. }), "{e}");
    assert!(e.to_string().contains(&fake.display().to_string()), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_zero_db_limit_keeps_the_delay() {
    // libDF bypasses the model (without delay) at 0 dB; the stream clamps to 1 dB.
    let mut ns = runtime()
        .stream(Config {
            atten_lim_db: 0.0,
            ..Config::default()
        })
        .unwrap();
    let want = ns.delay_samples();
    for (k, (got, v)) in click_delays(&mut ns).into_iter().enumerate() {
        assert!(v > 0.5, "click {k}: peak {v}");
        assert!(
            (got - want).abs() <= 1.0,
            "click {k}: delay {got}, reported {want}"
        );
    }
}
