//! Server-side acoustic echo canceller; the pipeline is described on [`EchoCanceller`].

pub(crate) mod delay;
pub(crate) mod filter;
pub(crate) mod suppressor;

use realfft::num_complex::Complex32;

use crate::fft::Fft;
use crate::{DspError, FRAME_LEN};

use delay::DelayEstimator;
use filter::Filters;
use suppressor::Suppressor;

/// Frames of pre-echo margin kept before the estimated bulk delay.
const MARGIN_FRAMES: usize = 4;
/// Input samples are clamped to ±this (8× full scale) so absurd values cannot overflow.
const INPUT_LIMIT: f32 = 8.0;
/// Mean-square level (full scale = 1) above which a far-end frame counts as active (−80 dBFS).
const FAR_ACTIVE_MS: f32 = 1e-8;

/// Settings of an [`EchoCanceller`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EchoCancellerConfig {
    /// Length of the adaptive filter after the bulk delay, in ms (rounded up to 10 ms
    /// partitions). Default 300 ms.
    pub tail_ms: u32,
    /// Largest bulk delay between playback and its echo in the microphone, in ms. Default 1,600 ms.
    pub max_delay_ms: u32,
    /// Capacity of the far-end FIFO (audio pushed but not yet consumed by capture frames), in ms.
    /// When full, the oldest samples are dropped. Default 20,000 ms.
    pub far_fifo_ms: u32,
    /// Whether the residual echo suppressor runs (it adds 10 ms of delay). Default true.
    pub suppressor: bool,
}

impl Default for EchoCancellerConfig {
    fn default() -> Self {
        Self {
            tail_ms: 300,
            max_delay_ms: 1600,
            far_fifo_ms: 20_000,
            suppressor: true,
        }
    }
}

/// Counters and estimates of an [`EchoCanceller`], for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EchoCancellerStats {
    /// Accepted bulk delay estimate, in samples at 16 kHz (None before the first estimate).
    pub delay_samples: Option<usize>,
    /// Alignment the filters currently use, in samples (the estimate minus a 30 ms margin).
    pub alignment_samples: usize,
    /// Far-end samples dropped because the FIFO was full.
    pub far_dropped: u64,
    /// Far-end samples missing when a capture frame needed them (zeros were used).
    pub far_underrun: u64,
    /// Times the shadow filter was copied into the main filter.
    pub shadow_to_main: u64,
    /// Times the shadow filter was reset from the main filter.
    pub main_to_shadow: u64,
    /// Far-end samples discarded by [`EchoCanceller::clear_far_end`].
    pub far_cleared: u64,
    /// Echo-path changes (or delay jumps) detected, each followed by a fast re-convergence.
    pub path_changes: u64,
    /// Filter divergences (in undetected double talk) undone from the last good snapshot.
    pub restores: u64,
}

/// Echo canceller state for one 16 kHz mono stream.
///
/// Pipeline per 10 ms frame (160 samples at 16 kHz):
///
/// 1. **Far-end FIFO**: [`EchoCanceller::push_far_end`] appends what was played; each capture
///    frame consumes 160 samples of it (zeros when it runs dry), so the capture clock paces the
///    far end. A ring of far-end spectra covers the whole delay range.
/// 2. **Delay estimator**: normalised cross-correlation of band-energy modulation
///    envelopes over lags of whole frames up to `max_delay_ms`; a new delay must persist before
///    it is accepted. When the estimate moves by 2 frames or more, the filters are re-aligned by
///    shifting their partitions (a jump of whole frames costs no re-convergence).
/// 3. **Linear filters**: two partitioned-block frequency-domain filters of
///    160-sample partitions (320-point realfft, overlap-save): the *main* filter is a
///    frequency-domain Kalman filter (per-partition, per-bin state uncertainty gives a fast,
///    proportionate start and a step that shrinks in double talk); the *shadow* filter is a
///    fixed-step NLMS that re-converges fast after a path change. The better one is copied into
///    the other (shadow → main after a path change, main → shadow when the shadow diverges).
///    An echo-path change or delay jump (the error louder than the microphone while the echo
///    estimate is a sizeable part of it) re-inflates the Kalman uncertainty to its prior and
///    restarts the delay estimator, unless a snapshot of the last good filter still fits (then
///    it was a divergence in double talk and the snapshot is restored).
/// 4. **Residual echo suppressor**: per-bin gain from the echo estimate scaled
///    by a tracked leak factor, on a sqrt-Hann STFT (adds 160 samples = 10 ms of delay).
///
/// Nothing allocates after [`EchoCanceller::new`].
#[derive(Debug, Clone)]
pub struct EchoCanceller {
    cfg: EchoCancellerConfig,
    fft: Fft,
    ring: usize,
    lags: usize,
    far_spec: Vec<Complex32>,
    far_pow: Vec<f32>,
    far_active_hist: Vec<bool>,
    frame: usize,
    far_prev: Vec<f32>,
    far_cur: Vec<f32>,
    mic_prev: Vec<f32>,
    fifo: Vec<f32>,
    fifo_head: usize,
    fifo_len: usize,
    time: Vec<f32>,
    mic_spec: Vec<Complex32>,
    delay: DelayEstimator,
    alignment: usize,
    filters: Filters,
    suppressor: Suppressor,
    linear_out: Vec<f32>,
    echo_est: Vec<f32>,
    stats: EchoCancellerStats,
}

impl Default for EchoCanceller {
    fn default() -> Self {
        Self::new(EchoCancellerConfig::default())
    }
}

impl EchoCanceller {
    /// Frame length, in samples at 16 kHz (10 ms).
    pub const FRAME_LEN: usize = FRAME_LEN;
    /// Delay the canceller adds to the microphone signal, in samples at 16 kHz (10 ms with the
    /// suppressor on, 0 without).
    pub fn latency_samples(&self) -> usize {
        if self.cfg.suppressor { FRAME_LEN } else { 0 }
    }

    /// A canceller with the given settings. Every buffer is allocated here.
    pub fn new(cfg: EchoCancellerConfig) -> Self {
        let partitions = (cfg.tail_ms.max(10) as usize).div_ceil(10);
        let lags = (cfg.max_delay_ms as usize).div_ceil(10) + 1;
        let ring = lags + partitions + 1;
        let fft = Fft::new(2 * FRAME_LEN);
        let bins = fft.bins();
        let fifo_cap = (cfg.far_fifo_ms as usize * 16).max(FRAME_LEN);
        Self {
            cfg,
            fft,
            ring,
            lags,
            far_spec: vec![Complex32::new(0.0, 0.0); ring * bins],
            far_pow: vec![0.0; ring * bins],
            far_active_hist: vec![false; ring],
            frame: 0,
            far_prev: vec![0.0; FRAME_LEN],
            far_cur: vec![0.0; FRAME_LEN],
            mic_prev: vec![0.0; FRAME_LEN],
            fifo: vec![0.0; fifo_cap],
            fifo_head: 0,
            fifo_len: 0,
            time: vec![0.0; 2 * FRAME_LEN],
            mic_spec: vec![Complex32::new(0.0, 0.0); bins],
            delay: DelayEstimator::new(lags, bins),
            alignment: 0,
            filters: Filters::new(partitions, bins),
            suppressor: Suppressor::new(FRAME_LEN),
            linear_out: vec![0.0; FRAME_LEN],
            echo_est: vec![0.0; FRAME_LEN],
            stats: EchoCancellerStats::default(),
        }
    }

    /// The settings this canceller was built with.
    pub fn config(&self) -> EchoCancellerConfig {
        self.cfg
    }

    /// Counters and current estimates.
    pub fn stats(&self) -> EchoCancellerStats {
        EchoCancellerStats {
            delay_samples: self.delay.estimate().map(|d| d * FRAME_LEN),
            alignment_samples: self.alignment * FRAME_LEN,
            ..self.stats
        }
    }

    /// Back to the freshly constructed state (keeps the allocations' sizes, re-creates them).
    pub fn reset(&mut self) {
        *self = Self::new(self.cfg);
    }

    /// Appends far-end audio (what is played to the user, 16 kHz, full scale ±1), in playback
    /// order. Any length; non-finite samples are stored as 0, others clamped to ±8.
    pub fn push_far_end(&mut self, far_end: &[f32]) {
        let cap = self.fifo.len();
        for &s in far_end {
            let s = if s.is_finite() {
                s.clamp(-INPUT_LIMIT, INPUT_LIMIT)
            } else {
                0.0
            };
            if self.fifo_len == cap {
                self.fifo_head = (self.fifo_head + 1) % cap;
                self.fifo_len -= 1;
                self.stats.far_dropped += 1;
            }
            let tail = (self.fifo_head + self.fifo_len) % cap;
            self.fifo[tail] = s;
            self.fifo_len += 1;
        }
    }

    /// Discards the far-end audio pushed but not yet consumed by a capture frame (the client
    /// stopped playing it: barge-in, `response.cancel`, `output_audio_buffer.clear`, a
    /// truncation). Until new far-end audio is pushed, capture frames see a silent reference.
    ///
    /// Everything adapted is kept: the filters, the delay estimate, the residual-echo
    /// statistics and the far-end history already consumed (its echo may still be arriving, so
    /// it is still cancelled). Without this call the canceller would keep treating the unplayed
    /// audio as playing and subtract an echo that is not there, which puts the echo estimate
    /// itself into the output (a phantom signal that a VAD can take for a barge-in). No
    /// allocation.
    pub fn clear_far_end(&mut self) {
        self.stats.far_cleared += self.fifo_len as u64;
        self.fifo_head = 0;
        self.fifo_len = 0;
    }

    /// Far-end samples pushed but not yet consumed by a capture frame.
    pub fn far_end_pending(&self) -> usize {
        self.fifo_len
    }

    /// Lockstep API: pushes `far_end` (160 samples played during this frame) and cancels echo
    /// from `mic` (160 samples) into `out` (160 samples).
    ///
    /// # Errors
    ///
    /// [`DspError::FrameLength`] if any slice is not 160 samples long (nothing is processed).
    pub fn process(
        &mut self,
        mic: &[f32],
        far_end: &[f32],
        out: &mut [f32],
    ) -> Result<(), DspError> {
        for len in [mic.len(), far_end.len(), out.len()] {
            if len != FRAME_LEN {
                return Err(DspError::FrameLength {
                    expected: FRAME_LEN,
                    got: len,
                });
            }
        }
        self.push_far_end(far_end);
        out.copy_from_slice(mic);
        self.process_capture(out)
    }

    /// Cancels echo in one 160-sample microphone frame in place, consuming 160 samples of the
    /// far-end FIFO.
    ///
    /// # Errors
    ///
    /// [`DspError::FrameLength`] if `frame` is not 160 samples long (it is left unchanged).
    pub fn process_capture(&mut self, frame: &mut [f32]) -> Result<(), DspError> {
        if frame.len() != FRAME_LEN {
            return Err(DspError::FrameLength {
                expected: FRAME_LEN,
                got: frame.len(),
            });
        }
        for s in frame.iter_mut() {
            *s = if s.is_finite() {
                s.clamp(-INPUT_LIMIT, INPUT_LIMIT)
            } else {
                0.0
            };
        }
        self.next_far_block();
        let bins = self.fft.bins();
        let slot = self.frame % self.ring;
        let far_active = self.far_active_hist[slot];

        // Microphone spectrum for the delay estimator.
        self.time[..FRAME_LEN].copy_from_slice(&self.mic_prev);
        self.time[FRAME_LEN..].copy_from_slice(frame);
        self.mic_prev.copy_from_slice(frame);
        self.fft.forward(&self.time, &mut self.mic_spec);
        let far_now = &self.far_spec[slot * bins..(slot + 1) * bins];
        self.delay.update(far_now, &self.mic_spec, far_active);
        self.realign();

        let aligned_active = self.filters.process(
            &mut self.fft,
            &self.far_spec,
            &self.far_pow,
            &self.far_active_hist,
            self.ring,
            self.frame,
            self.alignment,
            frame,
            &mut self.linear_out,
            &mut self.echo_est,
        );
        self.stats.shadow_to_main = self.filters.shadow_to_main;
        self.stats.main_to_shadow = self.filters.main_to_shadow;
        self.stats.restores = self.filters.restores;
        if self.filters.path_changes != self.stats.path_changes {
            // The delay may have jumped too: re-lock the estimator from fresh statistics.
            self.stats.path_changes = self.filters.path_changes;
            self.delay.restart();
        }
        if self.cfg.suppressor {
            // The leak statistics learn from echo-only frames: not in double talk.
            let learn = aligned_active && !self.filters.double_talk();
            self.suppressor
                .process(&self.linear_out, &self.echo_est, learn, frame);
        } else {
            frame.copy_from_slice(&self.linear_out);
        }
        self.frame = self.frame.wrapping_add(1);
        Ok(())
    }

    /// Pops the next far-end block from the FIFO and stores its spectrum in the ring.
    fn next_far_block(&mut self) {
        std::mem::swap(&mut self.far_prev, &mut self.far_cur);
        let cap = self.fifo.len();
        let mut energy = 0.0;
        for n in 0..FRAME_LEN {
            let s = if self.fifo_len > 0 {
                let s = self.fifo[self.fifo_head];
                self.fifo_head = (self.fifo_head + 1) % cap;
                self.fifo_len -= 1;
                s
            } else {
                self.stats.far_underrun += 1;
                0.0
            };
            self.far_cur[n] = s;
            energy += s * s;
        }
        let bins = self.fft.bins();
        let slot = self.frame % self.ring;
        self.time[..FRAME_LEN].copy_from_slice(&self.far_prev);
        self.time[FRAME_LEN..].copy_from_slice(&self.far_cur);
        let spec = &mut self.far_spec[slot * bins..(slot + 1) * bins];
        self.fft.forward(&self.time, spec);
        for (p, c) in self.far_pow[slot * bins..(slot + 1) * bins]
            .iter_mut()
            .zip(spec.iter())
        {
            *p = c.norm_sqr();
        }
        self.far_active_hist[slot] = energy / FRAME_LEN as f32 > FAR_ACTIVE_MS;
    }

    /// Applies a changed delay estimate to the filters' alignment.
    fn realign(&mut self) {
        let Some(est) = self.delay.estimate() else {
            return;
        };
        let target = est
            .saturating_sub(MARGIN_FRAMES)
            .min(self.lags.saturating_sub(1));
        let moved = target.abs_diff(self.alignment);
        // A converged filter vouches for the current alignment: keep it while it works.
        if self.filters.converged() {
            return;
        }
        if moved >= 2 || (moved == 1 && !self.filters.converged()) {
            self.filters
                .shift(target as isize - self.alignment as isize);
            self.alignment = target;
        }
    }
}
