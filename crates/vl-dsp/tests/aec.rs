//! Echo canceller on synthetic rooms with real recorded speech (DPDFNet clean references from
//! `$VL_TEST_DATA/noise`): far-end single-talk ERLE, double-talk preservation, delay jump,
//! property checks.

#![allow(
    clippy::unwrap_used,
    clippy::type_complexity,
    reason = "test code: a failed unwrap is a failed test"
)]

mod common;

use common::*;
use vl_dsp::{EchoCanceller, EchoCancellerConfig, FRAME_LEN};

fn speech(scene: &str, seconds: f32, dbfs: f64) -> Vec<f32> {
    let path = data_dir().join(format!("noise/{scene}_clean.wav"));
    let (rate, mut x) = read_wav(&path).unwrap();
    assert_eq!(rate, 16_000);
    x.truncate((seconds * 16_000.0) as usize);
    set_active_level(&mut x, dbfs);
    x
}

struct Scene {
    far: Vec<f32>,
    echo: Vec<f32>,
    near: Vec<f32>,
    mic: Vec<f32>,
}

fn scene(seconds: f32, delay: usize, rt60: f32, gain: f32, near_from: f32) -> Scene {
    let far = speech("train", seconds, -24.0);
    let h = synthetic_rir(rt60, (rt60 * 16_000.0) as usize + delay, delay, gain, 7);
    let echo = convolve(&far, &h);
    let from = ((near_from * 16_000.0) as usize).min(far.len());
    let talk = speech("airport", seconds, -24.0);
    let mut near = vec![0.0f32; far.len()];
    let n = (far.len() - from).min(talk.len());
    near[from..from + n].copy_from_slice(&talk[..n]);
    // Match the near end to the echo level during double talk (SER 0 dB).
    let pe = power(&echo[from.min(echo.len())..]);
    let pn = power(&near[from.min(near.len())..]);
    if pn > 0.0 {
        let g = (pe / pn).sqrt() as f32;
        near.iter_mut().for_each(|v| *v *= g);
    }
    let mut rng = Rng::new(3);
    let mic = echo
        .iter()
        .zip(&near)
        .map(|(e, n)| e + n + 3e-4 * rng.normal())
        .collect();
    Scene {
        far,
        echo,
        near,
        mic,
    }
}

fn run(aec: &mut EchoCanceller, s: &Scene) -> Vec<f32> {
    let n = frames_len(s.mic.len());
    let mut out = vec![0.0; n];
    for ((m, f), o) in s.mic[..n]
        .chunks(FRAME_LEN)
        .zip(s.far[..n].chunks(FRAME_LEN))
        .zip(out.chunks_mut(FRAME_LEN))
    {
        aec.process(m, f, o).unwrap();
    }
    out
}

fn run_lin(s: &Scene) -> Vec<f32> {
    let mut aec = EchoCanceller::new(EchoCancellerConfig {
        suppressor: false,
        ..Default::default()
    });
    run(&mut aec, s)
}

/// Far-end single talk, 100 ms bulk delay, RT60 0.3 s, ERL ≈ −4 dB (strong coupling). The far
/// end starts speaking at about 1 s.
#[test]
fn far_end_single_talk_erle() {
    let s = scene(5.0, 1600, 0.3, 1.0, 100.0);
    let mut aec = EchoCanceller::default();
    let out = run(&mut aec, &s);
    let lat = aec.latency_samples();
    let early = erle_db(&s.echo, &out, 16_000, 32_000, lat);
    let late = erle_db(&s.echo, &out, 48_000, 80_000, lat);
    let lin = run_lin(&s);
    let lin_late = erle_db(&s.echo, &lin, 48_000, 80_000, 0);
    eprintln!("ERLE 1-2 s {early:.1} dB, 3-5 s {late:.1} dB, linear only 3-5 s {lin_late:.1} dB");
    let delay = aec.stats().delay_samples.unwrap();
    assert!((1600..=2400).contains(&delay), "delay estimate {delay}");
    assert!(early > 18.0, "ERLE 1-2 s {early:.1} dB");
    assert!(late > 30.0, "ERLE 3-5 s {late:.1} dB");
    assert!(lin_late > 20.0, "linear ERLE 3-5 s {lin_late:.1} dB");
}

/// Double talk at SER 0 dB after 4 s of far-end single talk: the near end keeps its level
/// (≤ 3 dB attenuation) and the output is much closer to it than the microphone is.
#[test]
fn double_talk_preserves_near_end() {
    let s = scene(8.0, 1600, 0.3, 1.0, 4.0);
    let mut aec = EchoCanceller::default();
    let out = run(&mut aec, &s);
    let lat = aec.latency_samples();
    let (a, b) = (4 * 16000 + 4000, 7 * 16000);
    let att = 10.0 * (power(&s.near[a..b]) / power(&out[a + lat..b + lat])).log10();
    let sdr = si_sdr_db(&s.near[a..b], &out[a + lat..b + lat]);
    let mic_sdr = si_sdr_db(&s.near[a..b], &s.mic[a..b]);
    eprintln!("DT attenuation {att:.2} dB, SI-SDR out {sdr:.1} dB, mic {mic_sdr:.1} dB");
    assert!(att.abs() <= 3.0, "near-end attenuation {att:.2} dB");
    assert!(sdr > mic_sdr + 4.0, "SI-SDR {sdr:.1} vs mic {mic_sdr:.1}");
}

/// A delay jump of +60 ms at 4 s (jitter buffer): ERLE is back above 20 dB within a second.
#[test]
fn delay_jump_reconverges() {
    let base = scene(8.0, 1600, 0.3, 1.0, 100.0);
    let jump = scene(8.0, 1600 + 960, 0.3, 1.0, 100.0);
    let cut = 4 * 16000;
    let mut s = base;
    s.mic[cut..].copy_from_slice(&jump.mic[cut..]);
    s.echo[cut..].copy_from_slice(&jump.echo[cut..]);
    let mut aec = EchoCanceller::default();
    let out = run(&mut aec, &s);
    let lat = aec.latency_samples();
    let after = erle_db(&s.echo, &out, cut + 16000, cut + 48000, lat);
    eprintln!(
        "ERLE 1-3 s after the jump {after:.1} dB, stats {:?}",
        aec.stats()
    );
    assert!(after > 20.0, "ERLE after jump {after:.1} dB");
}

/// An echo-path change at 4 s (a new room response, same delay): the change is detected and
/// the filter re-converges from its prior. Measured 18 dB between 1 and 2 s after the change
/// (issue #8's target is 20 dB within 1 s; not met yet), so this guards > 15 dB.
#[test]
fn echo_path_change_reconverges() {
    let base = scene(8.0, 1600, 0.3, 1.0, 100.0);
    let h = synthetic_rir(0.3, 4800 + 1600, 1600, 1.0, 99);
    let other = convolve(&base.far, &h);
    let cut = 4 * 16000;
    let mut s = base;
    for (n, (m, e)) in s
        .mic
        .iter_mut()
        .zip(s.echo.iter_mut())
        .enumerate()
        .skip(cut)
    {
        *m += other[n] - *e;
        *e = other[n];
    }
    let mut aec = EchoCanceller::default();
    let out = run(&mut aec, &s);
    let lat = aec.latency_samples();
    let before = erle_db(&s.echo, &out, cut - 16000, cut, lat);
    let after = erle_db(&s.echo, &out, cut + 16000, cut + 32000, lat);
    eprintln!(
        "ERLE 1 s before the change {before:.1} dB, 1-2 s after {after:.1} dB, stats {:?}",
        aec.stats()
    );
    assert!(aec.stats().path_changes >= 1, "{:?}", aec.stats());
    assert!(after > 15.0, "ERLE 1-2 s after the change {after:.1} dB");
}

/// Property checks: silence, full-scale noise, DC, clipped square waves and non-finite input
/// give finite, bounded output; reset returns to the initial behaviour.
#[test]
fn properties_and_reset() {
    let mut rng = Rng::new(11);
    let mut aec = EchoCanceller::default();
    let mut out = vec![0.0; FRAME_LEN];
    let signals: Vec<Box<dyn Fn(usize, &mut Rng) -> (f32, f32)>> = vec![
        Box::new(|_, _| (0.0, 0.0)),
        Box::new(|_, r| (r.uniform() * 2.0 - 1.0, r.uniform() * 2.0 - 1.0)),
        Box::new(|_, _| (1.0, -1.0)),
        Box::new(|n, _| {
            (
                if (n / 40) % 2 == 0 { 1.0 } else { -1.0 },
                if (n / 23) % 2 == 0 { 1.0 } else { -1.0 },
            )
        }),
        Box::new(|n, _| {
            (
                if n % 7 == 0 { f32::NAN } else { 0.5 },
                if n % 5 == 0 { f32::INFINITY } else { 0.1 },
            )
        }),
    ];
    for sig in &signals {
        for f in 0..300 {
            let mut mic = [0.0f32; FRAME_LEN];
            let mut far = [0.0f32; FRAME_LEN];
            for n in 0..FRAME_LEN {
                let (m, x) = sig(f * FRAME_LEN + n, &mut rng);
                mic[n] = m;
                far[n] = x;
            }
            aec.process(&mic, &far, &mut out).unwrap();
            assert!(
                out.iter().all(|v| v.is_finite() && v.abs() <= 4.0),
                "{out:?}"
            );
        }
    }
    assert!(
        aec.process(&[0.0; 10], &[0.0; FRAME_LEN], &mut out)
            .is_err()
    );
    // Reset: identical output to a fresh canceller on the same input.
    let s = scene(2.0, 800, 0.2, 1.0, 100.0);
    aec.reset();
    let a = run(&mut aec, &s);
    let b = run(&mut EchoCanceller::default(), &s);
    assert_eq!(a, b);
}

/// Barge-in: the engine pushes the reply 1 s ahead of playback; at 3 s the user starts talking
/// and the client stops playing, so 1 s of pushed far end is never heard. With `clear_far_end`
/// the user's speech comes through intact; without it the canceller treats the unplayed audio as
/// playing, subtracts an echo that is not there and its suppressor attenuates the user.
#[test]
fn clear_far_end_drops_unplayed_audio() {
    let ahead = 16_000;
    let stop = 3 * 16_000;
    let total = 5 * 16_000;
    let mut far = speech("train", 5.0, -24.0);
    far.resize(total, 0.0);
    let mut played = far.clone();
    played[stop..].fill(0.0);
    let h = synthetic_rir(0.3, 4800 + 1600, 1600, 1.0, 7);
    let talk = speech("airport", 2.0, -24.0);
    let mut near = vec![0.0f32; total];
    let n = talk.len().min(total - stop);
    near[stop..stop + n].copy_from_slice(&talk[..n]);
    let mut rng = Rng::new(5);
    let mic: Vec<f32> = convolve(&played, &h)[..total]
        .iter()
        .zip(&near)
        .map(|(e, v)| e + v + 3e-4 * rng.normal())
        .collect();
    let run = |clear: bool, suppressor: bool| {
        let mut aec = EchoCanceller::new(EchoCancellerConfig {
            suppressor,
            ..Default::default()
        });
        aec.push_far_end(&far[..ahead]);
        let mut out = vec![0.0f32; total];
        for (k, (m, o)) in mic
            .chunks_exact(FRAME_LEN)
            .zip(out.chunks_exact_mut(FRAME_LEN))
            .enumerate()
        {
            let at = k * FRAME_LEN;
            if at == stop && clear {
                assert_eq!(aec.far_end_pending(), ahead);
                aec.clear_far_end();
                assert_eq!(aec.far_end_pending(), 0);
                assert_eq!(aec.stats().far_cleared, ahead as u64);
            }
            // The server keeps pushing the reply ahead until it learns of the stop.
            if at < stop {
                aec.push_far_end(&far[at + ahead..at + ahead + FRAME_LEN]);
            }
            o.copy_from_slice(m);
            aec.process_capture(o).unwrap();
        }
        let lat = aec.latency_samples();
        out.drain(..lat);
        out
    };
    let before = erle_db(&mic, &run(true, true), stop - 16_000, stop, 0);
    // The user's speech from 0.4 s after the stop (the played echo's tail is 35 dB down) for 1.5 s.
    let (a, b) = (stop + 6400, stop + 30_400);
    let mut results = Vec::new();
    for suppressor in [true, false] {
        for clear in [true, false] {
            let out = run(clear, suppressor);
            let att = 10.0 * (power(&near[a..b]) / power(&out[a..b])).log10();
            let sdr = si_sdr_db(&near[a..b], &out[a..b]);
            eprintln!(
                "suppressor {suppressor} clear {clear}: near-end attenuation {att:.1} dB, SI-SDR {sdr:.1} dB"
            );
            results.push((att, sdr));
        }
    }
    eprintln!("ERLE in the second before the stop {before:.1} dB");
    assert!(before > 20.0, "ERLE before the stop {before:.1} dB");
    for (i, pair) in results.chunks(2).enumerate() {
        let ((att_c, sdr_c), (att_k, sdr_k)) = (pair[0], pair[1]);
        assert!(
            att_c.abs() < 1.0,
            "case {i}: cleared, attenuation {att_c:.1} dB"
        );
        assert!(sdr_c > 20.0, "case {i}: cleared, SI-SDR {sdr_c:.1} dB");
        assert!(
            sdr_k < sdr_c - 10.0 || att_k > 3.0,
            "case {i}: without the clear the user should suffer: {att_k:.1} dB, {sdr_k:.1} dB"
        );
    }
    let mut aec = EchoCanceller::default();
    aec.clear_far_end();
    assert_eq!(aec.far_end_pending(), 0);
}
