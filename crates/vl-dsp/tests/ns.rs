//! Noise suppressor on the real-noise scenes of `$VL_TEST_DATA/noise` (speech at −26 dBFS,
//! noise remixed at 5 dB SNR), do-no-harm on the nine scenes' clean speech (level within 1 dB,
//! output within 35 dB SI-SDR of the delayed input), property checks.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use common::*;
use vl_dsp::{FRAME_LEN, NoiseSuppressor};

/// (clean at −26 dBFS, noise scaled to `snr_db` below it).
fn scene(name: &str, snr_db: f64) -> (Vec<f32>, Vec<f32>) {
    let dir = data_dir().join("noise");
    let (_, mut clean) = read_wav(&dir.join(format!("{name}_clean.wav"))).unwrap();
    let (_, mix) = read_wav(&dir.join(format!("{name}_mixture.wav"))).unwrap();
    let mut noise: Vec<f32> = mix.iter().zip(&clean).map(|(m, c)| m - c).collect();
    let n = frames_len(clean.len());
    clean.truncate(n);
    noise.truncate(n);
    let pc = power(&clean);
    let pn = power(&noise);
    let g = (pc / pn / 10f64.powf(snr_db / 10.0)).sqrt() as f32;
    noise.iter_mut().for_each(|v| *v *= g);
    let level = (10f64.powf(-26.0 / 10.0) / pc).sqrt() as f32;
    clean.iter_mut().for_each(|v| *v *= level);
    noise.iter_mut().for_each(|v| *v *= level);
    (clean, noise)
}

fn run(x: &[f32]) -> Vec<f32> {
    let mut ns = NoiseSuppressor::default();
    let mut out = x.to_vec();
    for f in out.chunks_mut(FRAME_LEN) {
        ns.process(f).unwrap();
    }
    out
}

fn aligned_sdr(clean: &[f32], out: &[f32]) -> f64 {
    let lat = NoiseSuppressor::LATENCY_SAMPLES;
    si_sdr_db(&clean[..clean.len() - lat], &out[lat..])
}

#[test]
fn real_noise_si_sdr_gain() {
    for (scene_name, min_gain) in [("car", 5.0), ("street", 5.0)] {
        let (clean, noise) = scene(scene_name, 5.0);
        let noisy: Vec<f32> = clean.iter().zip(&noise).map(|(c, n)| c + n).collect();
        let out = run(&noisy);
        let before = si_sdr_db(&clean, &noisy);
        let after = aligned_sdr(&clean, &out);
        eprintln!("{scene_name}: SI-SDR {before:.1} -> {after:.1} dB");
        assert!(
            after - before > min_gain,
            "{scene_name}: {before:.1} -> {after:.1} dB"
        );
    }
}

#[test]
fn clean_speech_do_no_harm() {
    for scene_name in [
        "airport",
        "car",
        "office",
        "pub",
        "rain",
        "restaurant",
        "street",
        "subway",
        "train",
    ] {
        let (clean, _) = scene(scene_name, 5.0);
        let out = run(&clean);
        let lat = NoiseSuppressor::LATENCY_SAMPLES;
        let level = 10.0 * (power(&out[lat..]) / power(&clean[..clean.len() - lat])).log10();
        let sdr = aligned_sdr(&clean, &out);
        eprintln!("{scene_name} clean: level {level:.2} dB, SI-SDR {sdr:.1} dB");
        assert!(level.abs() <= 1.0, "level change {level:.2} dB");
        assert!(sdr > 35.0, "{scene_name}: SI-SDR on clean {sdr:.1} dB");
    }
}

#[test]
fn properties_and_reset() {
    let mut rng = Rng::new(5);
    let mut ns = NoiseSuppressor::default();
    for kind in 0..5 {
        for f in 0..300 {
            let mut frame = [0.0f32; FRAME_LEN];
            for (n, v) in frame.iter_mut().enumerate() {
                *v = match kind {
                    0 => 0.0,
                    1 => rng.uniform() * 2.0 - 1.0,
                    2 => 1.0,
                    3 => {
                        if ((f * FRAME_LEN + n) / 37) % 2 == 0 {
                            1.0
                        } else {
                            -1.0
                        }
                    }
                    _ => {
                        if n % 3 == 0 {
                            f32::NAN
                        } else {
                            f32::NEG_INFINITY
                        }
                    }
                };
            }
            ns.process(&mut frame).unwrap();
            assert!(
                frame.iter().all(|v| v.is_finite() && v.abs() <= 2.0),
                "{frame:?}"
            );
        }
    }
    assert!(ns.process(&mut [0.0; 100]).is_err());
    let (clean, noise) = scene("car", 5.0);
    let noisy: Vec<f32> = clean.iter().zip(&noise).map(|(c, n)| c + n).collect();
    ns.reset();
    let mut a = noisy[..32_000].to_vec();
    for fr in a.chunks_mut(FRAME_LEN) {
        ns.process(fr).unwrap();
    }
    assert_eq!(a, run(&noisy[..32_000]));
}
