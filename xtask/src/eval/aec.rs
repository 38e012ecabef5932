//! `cargo xtask eval aec [--out DIR] [--dump] [--replay [SCENARIO...]]`: vl-dsp's echo canceller against speexdsp MDF (Debian
//! `libspeexdsp-dev`; tail 256 ms and tail = delay + 300 ms, linear filter only as in
//! audio-dsp.md §5.3, and with its preprocessor's residual echo + noise suppression) and
//! WebRTC AEC3 (alone and + NS high, through the `sonora` port; settings in `webrtc.rs`) on
//! scripted scenarios with fixed seeds: far end = Debian asterisk prompts
//! (`/usr/share/asterisk/sounds/en/*.wav`, 8 kHz → 16 kHz) at −24 dBFS; near end = the DPDFNet
//! clean speech of `$VL_TEST_DATA/noise`; synthetic RIRs (RT60 0.2–0.7 s); ERL +10/0/−6 dB;
//! loudspeaker hard clipping; noise at 20 dB below the echo; ±60 ms delay jumps; +100 ppm
//! drift. Timeline of each 30 s scenario: far-end single talk 0–10 s, double talk at SER 0 dB
//! 10–14 s, single talk 14–30 s with an echo-path change (or delay jump) at 20 s.
//!
//! Metrics: ERLE (mic / output power over 0.5 s windows with the far end active) at 0.5/1/2/5 s
//! after the first far-end activity and steady state (6–10 s), time back to ≥ 20 dB after the
//! event, near-end PESQ-WB in double talk (output vs clean near end, aligned) and near-end
//! attenuation. Writes `DIR/summary.md`, `DIR/<scenario>_erle.png` (ERLE over time, one line
//! per engine) and `DIR/<scenario>_erle.csv` (the same curves); default DIR `artifacts/aec`.
//! `--dump` also writes each scenario's far end, microphone and echo(+noise) signals as raw
//! little-endian f32 at 16 kHz (`DIR/wav/<scenario>_{far,mic,echo}.f32`); `--replay` reads
//! those back and runs only our canceller (with and without its residual suppressor) over them,
//! printing the ERLE measures, a double-talk SNR proxy and the canceller's internal counters: a
//! quick loop for tuning (the full run with PESQ and the speex anchors is the measurement).

use std::fmt::Write as _;
use std::path::PathBuf;

use super::ns::common::{
    self, Rng, convolve, power, read_wav, set_active_level, synthetic_rir, upsample2, write_wav,
};
use super::ns::{best_lag, py_metrics};
use crate::cmd;

const SR: usize = 16_000;
const LEN_S: usize = 30;
const F: usize = vl_dsp::FRAME_LEN;

struct Spec {
    name: &'static str,
    delay_ms: usize,
    rt60: f32,
    erl_db: f32,
    clip: bool,
    noise_snr: Option<f32>,
    drift_ppm: f64,
    /// Event at 20 s: Some(jump ms) = delay jump, None = echo-path change.
    jump_ms: Option<isize>,
}

const SPECS: [Spec; 5] = [
    Spec {
        name: "d40_rt035_erl0",
        delay_ms: 40,
        rt60: 0.35,
        erl_db: 0.0,
        clip: false,
        noise_snr: None,
        drift_ppm: 0.0,
        jump_ms: None,
    },
    Spec {
        name: "d250_rt02_erl10",
        delay_ms: 250,
        rt60: 0.2,
        erl_db: 10.0,
        clip: false,
        noise_snr: Some(20.0),
        drift_ppm: 0.0,
        jump_ms: Some(60),
    },
    Spec {
        name: "d600_rt07_erl-6_clip",
        delay_ms: 600,
        rt60: 0.7,
        erl_db: -6.0,
        clip: true,
        noise_snr: Some(20.0),
        drift_ppm: 0.0,
        jump_ms: None,
    },
    Spec {
        name: "d1500_rt04_erl0_drift",
        delay_ms: 1500,
        rt60: 0.4,
        erl_db: 0.0,
        clip: false,
        noise_snr: Some(20.0),
        drift_ppm: 100.0,
        jump_ms: Some(-60),
    },
    Spec {
        name: "d150_rt05_erl0_jump",
        delay_ms: 150,
        rt60: 0.5,
        erl_db: 0.0,
        clip: false,
        noise_snr: None,
        drift_ppm: 0.0,
        jump_ms: Some(60),
    },
];

fn far_end() -> Result<Vec<f32>, String> {
    let dir = PathBuf::from("/usr/share/asterisk/sounds/en");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| {
            format!(
                "{}: {e} (apt-get install asterisk-core-sounds-en-wav)",
                dir.display()
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wav"))
        .collect();
    files.sort();
    let mut rng = Rng::new(2024);
    let mut out = Vec::new();
    while out.len() < LEN_S * SR {
        let i = (rng.uniform() * files.len() as f32) as usize % files.len();
        let (rate, x) = read_wav(&files[i])?;
        if rate != 8000 {
            continue;
        }
        out.extend(upsample2(&x));
        out.extend(std::iter::repeat_n(0.0, SR / 4));
    }
    out.truncate(LEN_S * SR);
    set_active_level(&mut out, -24.0);
    Ok(out)
}

fn near_end() -> Result<Vec<f32>, String> {
    let (_, mut x) = read_wav(&common::data_dir().join("noise/airport_clean.wav"))?;
    x.truncate(4 * SR);
    set_active_level(&mut x, -24.0);
    Ok(x)
}

fn echo_path(far: &[f32], s: &Spec, delay_ms: f64, seed: u64) -> Vec<f32> {
    let x: Vec<f32> = if s.clip {
        far.iter().map(|v| v.clamp(-0.1, 0.1) * 2.0).collect()
    } else {
        far.to_vec()
    };
    let gain = 10f32.powf(-s.erl_db / 20.0);
    let h = synthetic_rir(s.rt60, (s.rt60 * 16_000.0) as usize, 0, gain, seed);
    let y = convolve(&x, &h);
    // Bulk delay (and drift) by linear interpolation of a time warp.
    let mut out = vec![0.0f32; y.len()];
    for (n, o) in out.iter_mut().enumerate() {
        let t = n as f64 * (1.0 + s.drift_ppm * 1e-6) - delay_ms * 16.0;
        if t >= 0.0 {
            let i = t as usize;
            let fr = (t - i as f64) as f32;
            if i + 1 < y.len() {
                *o = y[i] * (1.0 - fr) + y[i + 1] * fr;
            }
        }
    }
    out
}

struct Scenario {
    far: Vec<f32>,
    mic: Vec<f32>,
    echo_noise: Vec<f32>,
    near: Vec<f32>,
}

fn build(s: &Spec, far: &[f32], talk: &[f32]) -> Scenario {
    let n = far.len();
    let e1 = echo_path(far, s, s.delay_ms as f64, 1);
    let e2 = match s.jump_ms {
        Some(j) => echo_path(far, s, s.delay_ms as f64 + j as f64, 1),
        None => echo_path(far, s, s.delay_ms as f64, 99),
    };
    let cut = 20 * SR;
    let mut echo: Vec<f32> = e1[..cut].iter().chain(&e2[cut..]).copied().collect();
    if let Some(snr) = s.noise_snr {
        let pe = power(&echo);
        let g = (pe / 10f64.powf(f64::from(snr) / 10.0)).sqrt() as f32;
        let mut rng = Rng::new(77);
        let mut lp = 0.0f32;
        for v in echo.iter_mut() {
            lp = 0.9 * lp + 0.1 * rng.normal();
            *v += g * 2.3 * lp;
        }
    }
    let mut near = vec![0.0f32; n];
    let (a, b) = (10 * SR, 14 * SR);
    let pe = power(&echo[a..b]);
    let pn = power(&talk[..b - a]);
    let g = (pe / pn).sqrt() as f32;
    for (o, &t) in near[a..b].iter_mut().zip(talk) {
        *o = g * t;
    }
    let mic = echo.iter().zip(&near).map(|(e, v)| e + v).collect();
    Scenario {
        far: far.to_vec(),
        mic,
        echo_noise: echo,
        near,
    }
}

type Run = Box<dyn Fn(&Scenario) -> Result<Vec<f32>, String>>;

fn engines(s: &Spec) -> Vec<(String, Run)> {
    let tail = ((s.delay_ms + 300) * 16).next_power_of_two().min(32_768);
    let mut v: Vec<(String, Run)> = vec![
        ("vl-dsp".into(), Box::new(|sc: &Scenario| ours(sc, true))),
        (
            "vl-dsp linear".into(),
            Box::new(|sc: &Scenario| ours(sc, false)),
        ),
        (
            "speex MDF 256 ms".into(),
            Box::new(|sc: &Scenario| speex(sc, 4096, false)),
        ),
    ];
    v.push((
        format!("speex MDF {} ms", tail / 16),
        Box::new(move |sc: &Scenario| speex(sc, tail, false)),
    ));
    v.push((
        format!("speex MDF {} ms + pre", tail / 16),
        Box::new(move |sc: &Scenario| speex(sc, tail, true)),
    ));
    // WebRTC APM through sonora (settings in eval/webrtc.rs): AEC3 alone and AEC3 + NS high.
    v.push((
        "WebRTC AEC3".into(),
        Box::new(|sc: &Scenario| super::webrtc::aec3(&sc.mic, &sc.far, None)),
    ));
    v.push((
        "WebRTC AEC3 + NS high".into(),
        Box::new(|sc: &Scenario| {
            super::webrtc::aec3(
                &sc.mic,
                &sc.far,
                Some(sonora::config::NoiseSuppressionLevel::High),
            )
        }),
    ));
    v
}

fn ours(sc: &Scenario, suppressor: bool) -> Result<Vec<f32>, String> {
    Ok(ours_with_stats(&sc.mic, &sc.far, suppressor)?.0)
}

/// Our canceller over `mic` with reference `far` (16 kHz): the output aligned to the input (its
/// latency removed) and the canceller's counters at the end.
fn ours_with_stats(
    mic: &[f32],
    far: &[f32],
    suppressor: bool,
) -> Result<(Vec<f32>, vl_dsp::EchoCancellerStats), String> {
    let mut aec = vl_dsp::EchoCanceller::new(vl_dsp::EchoCancellerConfig {
        suppressor,
        ..Default::default()
    });
    let mut out = vec![0.0; mic.len()];
    for ((m, f), o) in mic
        .chunks_exact(F)
        .zip(far.chunks_exact(F))
        .zip(out.chunks_exact_mut(F))
    {
        aec.process(m, f, o).map_err(|e| e.to_string())?;
    }
    let lat = aec.latency_samples().min(out.len());
    let aligned = out[lat..]
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0.0, lat))
        .collect();
    Ok((aligned, aec.stats()))
}

fn speex(sc: &Scenario, tail: usize, pre: bool) -> Result<Vec<f32>, String> {
    let mut st = speexdsp_ffi::SpeexEcho::new(F, tail, pre).ok_or("speex init")?;
    let (mut m, mut f, mut o) = (vec![0i16; F], vec![0i16; F], vec![0i16; F]);
    let mut out = vec![0.0; sc.mic.len()];
    for ((mc, fc), oc) in sc
        .mic
        .chunks_exact(F)
        .zip(sc.far.chunks_exact(F))
        .zip(out.chunks_exact_mut(F))
    {
        speexdsp_ffi::to_i16(mc, &mut m);
        speexdsp_ffi::to_i16(fc, &mut f);
        st.process(&m, &f, &mut o);
        speexdsp_ffi::to_f32(&o, oc);
    }
    Ok(out)
}

/// ERLE per 0.5 s window (NaN where the far end is silent or during double talk).
fn erle_curve(sc: &Scenario, out: &[f32]) -> Vec<f64> {
    erle_windows(&sc.mic, &sc.echo_noise, out)
}

/// ERLE per 0.5 s window, in dB (mic / output power); NaN where the far end is quiet (the echo
/// window carries less than 30 % of its average power) or in the double talk of 10–14 s.
fn erle_windows(mic: &[f32], echo: &[f32], out: &[f32]) -> Vec<f64> {
    let w = SR / 2;
    let echo_all = power(echo);
    (0..mic.len() / w)
        .map(|i| {
            let r = i * w..(i + 1) * w;
            let dt = (10 * SR..14 * SR).contains(&r.start);
            let active = echo
                .get(r.clone())
                .is_some_and(|e| power(e) > 0.3 * echo_all);
            match (mic.get(r.clone()), out.get(r)) {
                (Some(m), Some(o)) if !dt && active => {
                    10.0 * ((power(m) + 1e-20) / (power(o) + 1e-20)).log10()
                }
                _ => f64::NAN,
            }
        })
        .collect()
}

fn at(curve: &[f64], t: f64) -> f64 {
    // The first defined window ending at or after t.
    let i = (t * 2.0).ceil() as usize;
    curve
        .iter()
        .skip(i.saturating_sub(1))
        .find(|v| !v.is_nan())
        .copied()
        .unwrap_or(f64::NAN)
}

fn mean(v: &[f64]) -> f64 {
    let d: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if d.is_empty() {
        f64::NAN
    } else {
        10.0 * (d.iter().map(|x| 10f64.powf(x / 10.0)).sum::<f64>() / d.len() as f64).log10()
    }
}

/// Runs the evaluation.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut out_dir = cmd::project_root().join("artifacts/aec");
    let mut dump = false;
    let mut replay: Option<Vec<String>> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), replay.as_mut()) {
            ("--out", _) => out_dir = PathBuf::from(it.next().ok_or("--out takes a directory")?),
            ("--dump", _) => dump = true,
            ("--replay", _) => replay = Some(Vec::new()),
            (name, Some(names)) if !name.starts_with('-') => names.push(name.to_owned()),
            (other, _) => {
                return Err(format!(
                    "unknown flag `{other}`; usage: eval aec [--out DIR] [--dump] [--replay [SCENARIO...]]"
                ));
            }
        }
    }
    let wav_dir = out_dir.join("wav");
    if let Some(names) = replay {
        return replay_dumped(&wav_dir, &names);
    }
    std::fs::create_dir_all(&wav_dir).map_err(|e| e.to_string())?;
    let far = far_end()?;
    let talk = near_end()?;
    let first = far.iter().position(|v| v.abs() > 1e-3).unwrap_or(0) as f64 / SR as f64;
    let mut rows = Vec::new();
    let mut pairs = Vec::new();
    for s in &SPECS {
        let sc = build(s, &far, &talk);
        if dump {
            for (what, x) in [("far", &sc.far), ("mic", &sc.mic), ("echo", &sc.echo_noise)] {
                let bytes: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
                let p = wav_dir.join(format!("{}_{what}.f32", s.name));
                std::fs::write(&p, bytes).map_err(|e| format!("{}: {e}", p.display()))?;
            }
        }
        let (a, b) = (10 * SR, 14 * SR);
        let ref_path = wav_dir.join(format!("{}_near.wav", s.name));
        write_wav(&ref_path, 16_000, &sc.near[a..b])?;
        let mic_path = wav_dir.join(format!("{}_mic.wav", s.name));
        write_wav(&mic_path, 16_000, &sc.mic[a..b])?;
        pairs.push((ref_path.clone(), mic_path));
        let mut curves = Vec::new();
        for (name, f) in engines(s) {
            let y = f(&sc)?;
            let lag = best_lag(&sc.near[a..b], &y[a..], 400);
            let dt = &y[a + lag..b + lag];
            let p = wav_dir.join(format!("{}_{}.wav", s.name, name.replace(' ', "_")));
            write_wav(&p, 16_000, dt)?;
            pairs.push((ref_path.clone(), p));
            let att = 10.0 * (power(&sc.near[a..b]) / power(dt)).log10();
            let c = erle_curve(&sc, &y);
            let back = c[40..]
                .iter()
                .position(|&v| v >= 20.0)
                .map_or(f64::INFINITY, |i| i as f64 * 0.5 + 0.5);
            let r = [
                at(&c, first + 0.5),
                at(&c, first + 1.0),
                at(&c, first + 2.0),
                at(&c, first + 5.0),
                mean(&c[12..20]),
                mean(&c[44..60]),
                back,
                att,
            ];
            eprintln!("{} {name}: {r:.1?}", s.name);
            rows.push((s.name, name.clone(), r));
            curves.push((name, c));
        }
        plot(&out_dir.join(format!("{}_erle.png", s.name)), &curves)?;
        write_csv(&out_dir.join(format!("{}_erle.csv", s.name)), &curves)?;
    }
    let m = py_metrics(&pairs, false, &out_dir)?;
    let mut table = String::from(
        "| scenario | engine | ERLE @0.5/1/2/5 s dB | steady 6–10 s | 22–30 s | back ≥ 20 dB after event (s) | DT near-end PESQ-WB (mic) | DT attenuation dB |\n|---|---|---|---|---|---|---|---|\n",
    );
    let per = engines(&SPECS[0]).len();
    for (i, (sn, en, r)) in rows.iter().enumerate() {
        let scen = i / per;
        let mic_pesq = m[scen * (per + 1)].pesq;
        let pesq = m[scen * (per + 1) + 1 + i % per].pesq;
        let _ = writeln!(
            table,
            "| {sn} | {en} | {:.1} / {:.1} / {:.1} / {:.1} | {:.1} | {:.1} | {:.1} | {:.2} ({:.2}) | {:.1} |",
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], pesq, mic_pesq, r[7]
        );
    }
    // Ours against speex (tail = delay + 300 ms, engine 3) and WebRTC AEC3 (engine 5).
    let _ = writeln!(
        table,
        "\n| scenario | steady ERLE ours − speex tail=delay+300 (dB) | DT PESQ ours / speex | steady ERLE ours − AEC3 (dB) | 22–30 s ERLE ours − AEC3 (dB) | DT PESQ ours / AEC3 |\n|---|---|---|---|---|---|"
    );
    for scen in 0..SPECS.len() {
        let ours_r = &rows[scen * per].2;
        let sp = &rows[scen * per + 3].2;
        let a3 = &rows[scen * per + 5].2;
        let pesq = |e: usize| m[scen * (per + 1) + 1 + e].pesq;
        let _ = writeln!(
            table,
            "| {} | {:+.1} | {:.2} | {:+.1} | {:+.1} | {:.2} |",
            SPECS[scen].name,
            ours_r[4] - sp[4],
            pesq(0) / pesq(3),
            ours_r[4] - a3[4],
            ours_r[5] - a3[5],
            pesq(0) / pesq(5)
        );
    }
    println!("{table}");
    std::fs::write(out_dir.join("summary.md"), &table).map_err(|e| e.to_string())?;
    Ok(())
}

/// `--replay`: the scenarios dumped in `wav_dir` (all, or those named) through our canceller,
/// full and linear only; one line each with ERLE at 0.5/1/2/5 s after the first far-end
/// activity, steady (6–10 s) and late (22–30 s) ERLE, the time back to ≥ 20 dB after the event at
/// 20 s, the double-talk SNR proxy (near end vs output error) and attenuation, the counters.
fn replay_dumped(wav_dir: &std::path::Path, names: &[String]) -> Result<(), String> {
    let read = |name: &str, what: &str| -> Result<Vec<f32>, String> {
        let p = wav_dir.join(format!("{name}_{what}.f32"));
        let bytes = std::fs::read(&p)
            .map_err(|e| format!("{}: {e} (write it with `eval aec --dump`)", p.display()))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    };
    let names: Vec<String> = if names.is_empty() {
        SPECS.iter().map(|s| s.name.to_owned()).collect()
    } else {
        names.to_vec()
    };
    let (a, b) = (10 * SR + SR / 4, 14 * SR);
    for name in &names {
        let far = read(name, "far")?;
        let mic = read(name, "mic")?;
        let echo = read(name, "echo")?;
        if mic.len() < b || echo.len() < b {
            return Err(format!("{name}: shorter than the 14 s the measures need"));
        }
        let first = far.iter().position(|v| v.abs() > 1e-3).unwrap_or(0) as f64 / SR as f64;
        for suppressor in [true, false] {
            let (out, stats) = ours_with_stats(&mic, &far, suppressor)?;
            let c = erle_windows(&mic, &echo, &out);
            let late = c.get(40..).unwrap_or_default();
            let back = late
                .iter()
                .position(|&v| v >= 20.0)
                .map_or(f64::INFINITY, |i| i as f64 * 0.5 + 0.5);
            // Double talk: near end = mic − echo; error = output − near end.
            let near: Vec<f32> = mic[a..b]
                .iter()
                .zip(&echo[a..b])
                .map(|(m, e)| m - e)
                .collect();
            let err: Vec<f32> = out[a..b].iter().zip(&near).map(|(o, n)| o - n).collect();
            let dt_snr = 10.0 * (power(&near) / power(&err)).log10();
            let att = 10.0 * (power(&near) / power(&out[a..b])).log10();
            println!(
                "{name:24} {} ERLE @0.5/1/2/5 s {:5.1} {:5.1} {:5.1} {:5.1} steady {:5.1} late {:5.1} back {back:4.1} s DT SNR {dt_snr:5.1} att {att:4.1} dB | restores {} main→shadow {} path changes {}",
                if suppressor { "full" } else { "lin " },
                at(&c, first + 0.5),
                at(&c, first + 1.0),
                at(&c, first + 2.0),
                at(&c, first + 5.0),
                mean(c.get(12..20).unwrap_or_default()),
                mean(c.get(44..60).unwrap_or_default()),
                stats.restores,
                stats.main_to_shadow,
                stats.path_changes,
            );
        }
    }
    Ok(())
}

/// ERLE curves as CSV: one row per 0.5 s window (start time in s), one column per engine.
fn write_csv(path: &std::path::Path, curves: &[(String, Vec<f64>)]) -> Result<(), String> {
    let mut s = String::from("t_s");
    for (n, _) in curves {
        let _ = write!(s, ",{n}");
    }
    s.push('\n');
    let len = curves.first().map_or(0, |(_, c)| c.len());
    for i in 0..len {
        let _ = write!(s, "{:.1}", i as f64 * 0.5);
        for (_, c) in curves {
            let _ = write!(s, ",{:.1}", c[i]);
        }
        s.push('\n');
    }
    std::fs::write(path, s).map_err(|e| e.to_string())
}

fn plot(path: &std::path::Path, curves: &[(String, Vec<f64>)]) -> Result<(), String> {
    let (w, h) = (900usize, 400usize);
    let mut img = vec![255u8; w * h * 3];
    let colours = [
        [200, 0, 0],
        [240, 140, 0],
        [0, 0, 200],
        [0, 150, 0],
        [120, 0, 160],
        [0, 170, 170],
        [90, 90, 90],
    ];
    // Grid every 10 dB (0..60 dB) and every 5 s.
    for db in (0..=60).step_by(10) {
        let y = h - 1 - db * (h - 1) / 60;
        for x in 0..w {
            img[(y * w + x) * 3..(y * w + x) * 3 + 3].copy_from_slice(&[220, 220, 220]);
        }
    }
    for (ci, (_, c)) in curves.iter().enumerate() {
        let col = colours[ci % colours.len()];
        for (i, &v) in c.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            let x0 = i * w / c.len();
            let y = h - 1 - ((v.clamp(0.0, 60.0) / 60.0) * (h - 1) as f64) as usize;
            for x in x0..(x0 + w / c.len()).min(w) {
                for dy in 0..2 {
                    let yy = (y + dy).min(h - 1);
                    img[(yy * w + x) * 3..(yy * w + x) * 3 + 3].copy_from_slice(&col);
                }
            }
        }
    }
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut wr = enc.write_header().map_err(|e| e.to_string())?;
    wr.write_image_data(&img).map_err(|e| e.to_string())?;
    let legend: Vec<String> = curves
        .iter()
        .enumerate()
        .map(|(i, (n, _))| format!("{n}: rgb{:?}", colours[i % colours.len()]))
        .collect();
    std::fs::write(
        path.with_extension("txt"),
        format!(
            "ERLE 0–60 dB (grid 10 dB), 0.5 s windows over 30 s\n{}\n",
            legend.join("\n")
        ),
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}
