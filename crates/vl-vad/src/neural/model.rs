//! The network: dense 40 → 32 (ReLU) → GRU 48 → dense 16 (ReLU) → logistic output.

use std::sync::OnceLock;

use super::features::MELS;

const D_IN: usize = 32;
const H: usize = 48;
const D_OUT: usize = 16;
const MAGIC: &[u8; 8] = b"VLVADNN1";
/// The trained weights (`train/train.py`'s output).
static WEIGHTS: &[u8] = include_bytes!("weights.bin");

/// The network's recurrent state.
#[derive(Debug, Clone)]
pub(crate) struct State {
    h: [f32; H],
    a: [f32; D_IN],
    gi: [f32; 3 * H],
    gh: [f32; 3 * H],
    o: [f32; D_OUT],
}

impl Default for State {
    fn default() -> Self {
        Self {
            h: [0.0; H],
            a: [0.0; D_IN],
            gi: [0.0; 3 * H],
            gh: [0.0; 3 * H],
            o: [0.0; D_OUT],
        }
    }
}

/// Weights, row-major (`out × in`), input normalisation folded into `w1`/`b1`.
#[derive(Debug)]
pub(crate) struct Model {
    w1: Vec<f32>,
    b1: Vec<f32>,
    w_ih: Vec<f32>,
    w_hh: Vec<f32>,
    b_ih: Vec<f32>,
    b_hh: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
    w3: Vec<f32>,
    b3: f32,
}

/// Reads `n` little-endian `f32`s from the front of `bytes`.
fn take(bytes: &mut &[u8], n: usize) -> Option<Vec<f32>> {
    let (head, rest) = bytes.split_at_checked(4 * n)?;
    *bytes = rest;
    Some(
        head.chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    )
}

fn take_u32(bytes: &mut &[u8]) -> Option<usize> {
    let (head, rest) = bytes.split_at_checked(4)?;
    *bytes = rest;
    Some(u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize)
}

impl Model {
    /// Parses a weights file; `None` if it is malformed or has other dimensions.
    pub(crate) fn parse(mut b: &[u8]) -> Option<Self> {
        let (magic, rest) = b.split_at_checked(MAGIC.len())?;
        if magic != MAGIC {
            return None;
        }
        b = rest;
        let dims = [
            take_u32(&mut b)?,
            take_u32(&mut b)?,
            take_u32(&mut b)?,
            take_u32(&mut b)?,
        ];
        if dims != [MELS, D_IN, H, D_OUT] {
            return None;
        }
        let mean = take(&mut b, MELS)?;
        let std = take(&mut b, MELS)?;
        let mut w1 = take(&mut b, D_IN * MELS)?;
        let mut b1 = take(&mut b, D_IN)?;
        // (f - mean) / std folded: w' = w / std, b' = b - sum(w * mean / std).
        for (row, bias) in w1.chunks_exact_mut(MELS).zip(b1.iter_mut()) {
            for ((w, m), s) in row.iter_mut().zip(&mean).zip(&std) {
                *w /= s;
                *bias -= *w * m;
            }
        }
        let model = Self {
            w1,
            b1,
            w_ih: take(&mut b, 3 * H * D_IN)?,
            w_hh: take(&mut b, 3 * H * H)?,
            b_ih: take(&mut b, 3 * H)?,
            b_hh: take(&mut b, 3 * H)?,
            w2: take(&mut b, D_OUT * H)?,
            b2: take(&mut b, D_OUT)?,
            w3: take(&mut b, D_OUT)?,
            b3: *take(&mut b, 1)?.first()?,
        };
        b.is_empty().then_some(model)
    }

    /// The compiled-in model, parsed once. A malformed compiled-in file is a build defect caught
    /// by the crate's tests; it yields an all-zero model (probability 0.5) rather than a panic.
    pub(crate) fn get() -> &'static Self {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| Self::parse(WEIGHTS).unwrap_or_else(Self::zero))
    }

    fn zero() -> Self {
        Self {
            w1: vec![0.0; D_IN * MELS],
            b1: vec![0.0; D_IN],
            w_ih: vec![0.0; 3 * H * D_IN],
            w_hh: vec![0.0; 3 * H * H],
            b_ih: vec![0.0; 3 * H],
            b_hh: vec![0.0; 3 * H],
            w2: vec![0.0; D_OUT * H],
            b2: vec![0.0; D_OUT],
            w3: vec![0.0; D_OUT],
            b3: 0.0,
        }
    }

    /// One time step: features of one frame in, speech probability out.
    pub(crate) fn step(&self, s: &mut State, x: &[f32; MELS]) -> f32 {
        matvec(&self.w1, &self.b1, x, &mut s.a);
        for v in &mut s.a {
            *v = v.max(0.0);
        }
        matvec(&self.w_ih, &self.b_ih, &s.a, &mut s.gi);
        matvec(&self.w_hh, &self.b_hh, &s.h, &mut s.gh);
        let (gi_r, gi_rest) = s.gi.split_at(H);
        let (gi_z, gi_n) = gi_rest.split_at(H);
        let (gh_r, gh_rest) = s.gh.split_at(H);
        let (gh_z, gh_n) = gh_rest.split_at(H);
        for (k, h) in s.h.iter_mut().enumerate() {
            let r = sigmoid(gi_r[k] + gh_r[k]);
            let z = sigmoid(gi_z[k] + gh_z[k]);
            let n = (gi_n[k] + r * gh_n[k]).tanh();
            *h = (1.0 - z) * n + z * *h;
        }
        matvec(&self.w2, &self.b2, &s.h, &mut s.o);
        let logit =
            s.o.iter()
                .zip(&self.w3)
                .map(|(o, w)| o.max(0.0) * w)
                .sum::<f32>()
                + self.b3;
        sigmoid(logit)
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// `out = w · x + b` for a row-major `w` of `out.len() × x.len()`.
fn matvec(w: &[f32], b: &[f32], x: &[f32], out: &mut [f32]) {
    for ((o, row), bias) in out.iter_mut().zip(w.chunks_exact(x.len())).zip(b) {
        *o = dot(row, x) + bias;
    }
}

/// Dot product with 8 independent accumulators (vectorises without `-ffast-math`).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0_f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_in_weights_parse() {
        assert!(Model::parse(WEIGHTS).is_some());
    }

    #[test]
    fn truncated_or_foreign_weights_are_rejected() {
        assert!(Model::parse(&WEIGHTS[..WEIGHTS.len() - 1]).is_none());
        assert!(Model::parse(b"not a model").is_none());
        let mut extra = WEIGHTS.to_vec();
        extra.push(0);
        assert!(Model::parse(&extra).is_none());
    }

    #[test]
    fn dot_matches_naive() {
        let a: Vec<f32> = (0..45).map(|i| i as f32 * 0.1).collect();
        let b: Vec<f32> = (0..45).map(|i| 1.0 - i as f32 * 0.01).collect();
        let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-3);
    }
}
