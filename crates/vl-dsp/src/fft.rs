//! Pre-planned real FFT of one size with its scratch buffers, so per-frame transforms allocate
//! nothing.

use std::fmt;
use std::sync::Arc;

use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

/// A forward and inverse real FFT of `len` samples (`len / 2 + 1` bins), unnormalised: a
/// forward then inverse transform scales by `len`.
pub(crate) struct Fft {
    len: usize,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
    scratch_fwd: Vec<Complex32>,
    scratch_inv: Vec<Complex32>,
    time: Vec<f32>,
    freq: Vec<Complex32>,
}

impl fmt::Debug for Fft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fft").field("len", &self.len).finish()
    }
}

impl Clone for Fft {
    fn clone(&self) -> Self {
        Self::new(self.len)
    }
}

impl Fft {
    /// Plans both directions for `len` samples (`len` even).
    pub(crate) fn new(len: usize) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(len);
        let inverse = planner.plan_fft_inverse(len);
        let scratch_fwd = forward.make_scratch_vec();
        let scratch_inv = inverse.make_scratch_vec();
        Self {
            len,
            forward,
            inverse,
            scratch_fwd,
            scratch_inv,
            time: vec![0.0; len],
            freq: vec![Complex32::new(0.0, 0.0); len / 2 + 1],
        }
    }

    /// Number of bins, `len / 2 + 1`.
    pub(crate) fn bins(&self) -> usize {
        self.len / 2 + 1
    }

    /// Forward transform of `input` (`len` samples) into `output` (`bins()` values).
    pub(crate) fn forward(&mut self, input: &[f32], output: &mut [Complex32]) {
        self.time.copy_from_slice(input);
        // Lengths are fixed at construction, so the transform cannot fail.
        let _ = self
            .forward
            .process_with_scratch(&mut self.time, output, &mut self.scratch_fwd);
    }

    /// Inverse transform of `input` (`bins()` values) into `output` (`len` samples), unnormalised.
    /// The imaginary parts of the DC and Nyquist bins are ignored.
    pub(crate) fn inverse(&mut self, input: &[Complex32], output: &mut [f32]) {
        self.freq.copy_from_slice(input);
        if let Some(first) = self.freq.first_mut() {
            first.im = 0.0;
        }
        if let Some(last) = self.freq.last_mut() {
            last.im = 0.0;
        }
        let _ = self
            .inverse
            .process_with_scratch(&mut self.freq, output, &mut self.scratch_inv);
    }
}
