//! Shared mixing helpers of the evaluations: the real noise of a DPDFNet scene and speech plus
//! noise at a given SNR over the speech-active frames.

use std::path::Path;

use super::ns::common::read_wav;

/// The noise of one scene of `$VL_TEST_DATA/noise` (`<scene>_mixture.wav` − `<scene>_clean.wav`,
/// 16 kHz) together with the scene's clean speech, both cut to the shorter file's length.
pub(crate) fn scene_noise(dir: &Path, scene: &str) -> Result<(Vec<f32>, Vec<f32>), String> {
    let (rate_c, clean) = read_wav(&dir.join(format!("{scene}_clean.wav")))?;
    let (rate_m, mix) = read_wav(&dir.join(format!("{scene}_mixture.wav")))?;
    if rate_c != 16_000 || rate_m != 16_000 {
        return Err(format!("{}: scene `{scene}` is not 16 kHz", dir.display()));
    }
    let n = clean.len().min(mix.len());
    let noise = mix[..n]
        .iter()
        .zip(&clean[..n])
        .map(|(m, c)| m - c)
        .collect();
    Ok((clean[..n].to_vec(), noise))
}

/// `speech + g·noise`, clamped to ±1, with `g` set so the noise power is `snr_db` below the
/// power of the speech-active frames (`labels[t]` covers samples `t·hop..(t+1)·hop`). The noise
/// is looped, starting at sample `offset`.
pub(crate) fn add_noise_at_snr(
    speech: &[f32],
    labels: &[bool],
    hop: usize,
    noise: &[f32],
    offset: usize,
    snr_db: f64,
) -> Vec<f32> {
    if noise.is_empty() {
        return speech.to_vec();
    }
    let (mut ps, mut n) = (0.0_f64, 0usize);
    for (t, &active) in labels.iter().enumerate() {
        if active {
            let frame = speech.get(t * hop..(t + 1) * hop).unwrap_or(&[]);
            ps += frame
                .iter()
                .map(|&x| f64::from(x) * f64::from(x))
                .sum::<f64>();
            n += frame.len();
        }
    }
    let ps = ps / n.max(1) as f64;
    let pn = noise
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        / noise.len() as f64;
    let g = (ps / pn.max(1e-20) / 10f64.powf(snr_db / 10.0)).sqrt() as f32;
    speech
        .iter()
        .enumerate()
        .map(|(k, &x)| (x + g * noise[(offset + k) % noise.len()]).clamp(-1.0, 1.0))
        .collect()
}
