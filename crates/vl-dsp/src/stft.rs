//! Short-time Fourier transform with a sqrt-Hann window of two hops (50 % overlap) for analysis
//! and synthesis, so analysis → identity → synthesis reconstructs the input delayed by one hop.
//! Used by the noise suppressor and the echo canceller's residual suppressor.

use realfft::num_complex::Complex32;

use crate::fft::Fft;

/// STFT state: window, FFT, one analysis history per input channel and the synthesis
/// overlap-add buffer. Nothing allocates after [`Stft::new`].
#[derive(Debug, Clone)]
pub(crate) struct Stft {
    hop: usize,
    fft: Fft,
    window: Vec<f32>,
    /// Previous hop of each analysed channel, `channels * hop` samples.
    hist: Vec<f32>,
    time: Vec<f32>,
    ola: Vec<f32>,
}

impl Stft {
    /// An STFT of hops of `hop` samples (window and FFT of `2 * hop`) analysing `channels`
    /// independent input signals.
    pub(crate) fn new(hop: usize, channels: usize) -> Self {
        let len = 2 * hop;
        let window = (0..len)
            .map(|n| (std::f32::consts::PI * n as f32 / len as f32).sin())
            .collect();
        Self {
            hop,
            fft: Fft::new(len),
            window,
            hist: vec![0.0; hop * channels.max(1)],
            time: vec![0.0; len],
            ola: vec![0.0; hop],
        }
    }

    /// Number of frequency bins, `hop + 1`.
    pub(crate) fn bins(&self) -> usize {
        self.fft.bins()
    }

    /// Windowed spectrum of the previous and this hop of channel `ch`; `frame` is `hop`
    /// samples, `spec` is [`Self::bins`] values.
    pub(crate) fn analyse(&mut self, ch: usize, frame: &[f32], spec: &mut [Complex32]) {
        let hop = self.hop;
        let prev = &mut self.hist[ch * hop..(ch + 1) * hop];
        let (w0, w1) = self.window.split_at(hop);
        let (t0, t1) = self.time.split_at_mut(hop);
        for (((t, &p), &w), (u, (&x, &v))) in t0
            .iter_mut()
            .zip(prev.iter())
            .zip(w0)
            .zip(t1.iter_mut().zip(frame.iter().zip(w1)))
        {
            *t = p * w;
            *u = x * v;
        }
        prev.copy_from_slice(frame);
        self.fft.forward(&self.time, spec);
    }

    /// Inverse transform of `spec`, windowed and overlap-added: writes `hop` output samples
    /// (the input delayed by one hop when `spec` is an unmodified analysis).
    pub(crate) fn synthesise(&mut self, spec: &[Complex32], out: &mut [f32]) {
        let hop = self.hop;
        self.fft.inverse(spec, &mut self.time);
        let scale = 1.0 / (2 * hop) as f32;
        let (w0, w1) = self.window.split_at(hop);
        let (t0, t1) = self.time.split_at(hop);
        for ((o, ola), ((&a, &wa), (&b, &wb))) in out
            .iter_mut()
            .zip(self.ola.iter_mut())
            .zip(t0.iter().zip(w0).zip(t1.iter().zip(w1)))
        {
            *o = *ola + a * wa * scale;
            *ola = b * wb * scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_reconstructs_with_one_hop_delay() {
        let hop = 160;
        let mut stft = Stft::new(hop, 1);
        let mut spec = vec![Complex32::new(0.0, 0.0); stft.bins()];
        let x: Vec<f32> = (0..hop * 20)
            .map(|n| ((n * 7919) % 201) as f32 / 100.0 - 1.0)
            .collect();
        let mut y = vec![0.0; x.len()];
        for (i, o) in x.chunks(hop).zip(y.chunks_mut(hop)) {
            stft.analyse(0, i, &mut spec);
            stft.synthesise(&spec, o);
        }
        for n in hop..x.len() {
            assert!(
                (y[n] - x[n - hop]).abs() < 1e-4,
                "{n}: {} {}",
                y[n],
                x[n - hop]
            );
        }
    }
}
