//! Test-data helpers shared by the integration tests and `examples/auc.rs`: locating
//! `shared/data`, reading 16 kHz WAV clips and TEN `.scv` labels, ROC-AUC.

use std::path::{Path, PathBuf};

/// The TEN test set has 30 clips, `testset-audio-01` … `-30`.
pub(crate) const TEN_CLIPS: usize = 30;

/// Root of the shared test data: `$VL_TEST_DATA`, else `<workspace>/../shared/data`.
///
/// # Panics
///
/// When the folder does not exist: a missing data set must fail the test, not skip it.
pub(crate) fn data_dir() -> PathBuf {
    let dir = std::env::var_os("VL_TEST_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    assert!(
        dir.is_dir(),
        "test data folder {} not found: set VL_TEST_DATA to the shared data folder \
         (the one holding vad/ten-testset and noise/)",
        dir.display()
    );
    dir
}

/// Path of a TEN clip (`n` in 1..=30) without extension.
pub(crate) fn ten_clip(n: usize) -> PathBuf {
    data_dir()
        .join("vad/ten-testset")
        .join(format!("testset-audio-{n:02}"))
}

/// Reads a mono 16 kHz PCM16 WAV file as `f32` in -1..1.
///
/// # Panics
///
/// On a missing or malformed file, or another format.
pub(crate) fn read_wav(path: &Path) -> Vec<f32> {
    let mut reader = hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (1, 16_000, 16),
        "{}: expected mono 16 kHz PCM16",
        path.display()
    );
    reader
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap_or_else(|e| panic!("{}: {e}", path.display()))) / 32768.0)
        .collect()
}

/// Reads a TEN `.scv` label file: `name,start_s,end_s,label,start_s,end_s,label,…`.
///
/// # Panics
///
/// On a missing or malformed file.
pub(crate) fn read_segments(path: &Path) -> Vec<(f64, f64, bool)> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let fields: Vec<&str> = text.trim().split(',').skip(1).collect();
    assert!(
        !fields.is_empty() && fields.len() % 3 == 0,
        "{}: expected name then start,end,label triples",
        path.display()
    );
    fields
        .chunks_exact(3)
        .map(|t| {
            let num = |s: &str| -> f64 {
                s.trim()
                    .parse()
                    .unwrap_or_else(|e| panic!("{}: bad number {s:?}: {e}", path.display()))
            };
            (num(t[0]), num(t[1]), num(t[2]) > 0.5)
        })
        .collect()
}

/// Label of each 10 ms frame (judged at the frame centre) for `frames` frames.
pub(crate) fn frame_labels(segments: &[(f64, f64, bool)], frames: usize) -> Vec<bool> {
    (0..frames)
        .map(|i| {
            let t = (i as f64 + 0.5) * 0.01;
            segments
                .iter()
                .find(|(s, e, _)| t >= *s && t < *e)
                .is_some_and(|(_, _, l)| *l)
        })
        .collect()
}

/// A TEN clip with its per-frame labels (audio trimmed to whole frames).
pub(crate) fn ten_clip_with_labels(n: usize) -> (Vec<f32>, Vec<bool>) {
    let base = ten_clip(n);
    let mut audio = read_wav(&base.with_extension("wav"));
    let frames = audio.len() / vl_vad::FRAME_SAMPLES;
    audio.truncate(frames * vl_vad::FRAME_SAMPLES);
    let labels = frame_labels(&read_segments(&base.with_extension("scv")), frames);
    (audio, labels)
}

/// Runs a fresh classifier over `audio` (whole frames) and returns one probability per frame.
pub(crate) fn classify(audio: &[f32]) -> Vec<f32> {
    let mut c = vl_vad::FrameClassifier::new(16_000).expect("16 kHz is supported");
    audio
        .chunks_exact(vl_vad::FRAME_SAMPLES)
        .map(|f| c.process(f).expect("frames are FRAME_SAMPLES long"))
        .collect()
}

/// ROC-AUC of `scores` against `labels` (Mann–Whitney, ties counted half).
///
/// # Panics
///
/// When one class is empty.
pub(crate) fn roc_auc(scores: &[f32], labels: &[bool]) -> f64 {
    assert_eq!(scores.len(), labels.len());
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum_pos, mut n_pos) = (0.0_f64, 0_u64);
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if labels[k] {
                rank_sum_pos += avg_rank;
                n_pos += 1;
            }
        }
        i = j + 1;
    }
    let n_neg = labels.len() as u64 - n_pos;
    assert!(n_pos > 0 && n_neg > 0, "AUC needs both classes");
    (rank_sum_pos - (n_pos * (n_pos + 1)) as f64 / 2.0) / (n_pos as f64 * n_neg as f64)
}

/// True-positive rate at the threshold where the false-positive rate is at most `fpr`.
pub(crate) fn tpr_at_fpr(scores: &[f32], labels: &[bool], fpr: f64) -> f64 {
    let mut neg: Vec<f32> = scores
        .iter()
        .zip(labels)
        .filter(|(_, l)| !**l)
        .map(|(s, _)| *s)
        .collect();
    neg.sort_by(|a, b| b.total_cmp(a));
    let allowed = (fpr * neg.len() as f64).floor() as usize;
    // Threshold strictly above the (allowed+1)-th highest negative score.
    let thr = neg.get(allowed).copied().unwrap_or(f32::NEG_INFINITY);
    let pos: Vec<f32> = scores
        .iter()
        .zip(labels)
        .filter(|(_, l)| **l)
        .map(|(s, _)| *s)
        .collect();
    pos.iter().filter(|&&s| s > thr).count() as f64 / pos.len().max(1) as f64
}
