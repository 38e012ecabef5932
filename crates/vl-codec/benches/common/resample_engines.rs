//! The resampler engines compared by `benches/resample.rs` and `examples/resample_icount.rs`,
//! configured once so both measure the same thing: ours (`vl_codec::Resampler`), rubato 5
//! `Async` sinc (256 taps, Blackman-Harris², the configuration of audio-dsp.md §3.2), rubato 5
//! `Fft` (fixed input, default window) and Debian's libsoxr HQ through `soxr-ffi` (LGPL,
//! bench-only). Each keeps its state across calls, as in a live stream.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, Fft, FixedAsync, FixedSync, Resampler as _, SincInterpolationParameters, WindowFunction,
};

/// Engine names, in the order the bench reports them.
pub(crate) const ENGINES: [&str; 4] = ["vl_codec", "rubato_sinc256", "rubato_fft", "soxr_hq"];

/// Deterministic white noise in -0.5..0.5 (ours has a fast path for exact digital silence,
/// which a speed measurement must not hit).
pub(crate) fn noise(len: usize) -> Vec<f32> {
    let mut s = 0x1234_5678_u32;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s as f32 / u32::MAX as f32) - 0.5
        })
        .collect()
}

enum Kind {
    Ours(vl_codec::Resampler),
    Sinc(Async<f32>),
    Fft(Fft<f32>),
    Soxr(soxr_ffi::Soxr),
}

/// One engine converting `chunk`-sample blocks from one rate to another.
pub(crate) struct Engine {
    kind: Kind,
    chunk: usize,
    out: Vec<f32>,
}

impl Engine {
    /// The engine `name` (one of [`ENGINES`]) for `fi` → `fo` Hz in blocks of `chunk` samples.
    pub(crate) fn new(name: &str, fi: u32, fo: u32, chunk: usize) -> Result<Self, String> {
        let (kind, out_len) = match name {
            "vl_codec" => {
                let r = vl_codec::Resampler::new(fi, fo).map_err(|e| e.to_string())?;
                let n = r.max_output_len(chunk);
                (Kind::Ours(r), n)
            }
            "rubato_sinc256" => {
                let params = SincInterpolationParameters::new(256, WindowFunction::BlackmanHarris2);
                let r = Async::<f32>::new_sinc(
                    f64::from(fo) / f64::from(fi),
                    1.0,
                    &params,
                    chunk,
                    1,
                    FixedAsync::Input,
                )
                .map_err(|e| e.to_string())?;
                let n = r.output_frames_max();
                (Kind::Sinc(r), n)
            }
            "rubato_fft" => {
                let r = Fft::<f32>::new(fi as usize, fo as usize, chunk, 1, FixedSync::Input)
                    .map_err(|e| e.to_string())?;
                let n = r.output_frames_max();
                (Kind::Fft(r), n)
            }
            "soxr_hq" => {
                let r = soxr_ffi::Soxr::new_hq(f64::from(fi), f64::from(fo))?;
                (Kind::Soxr(r), 2 * chunk * fo as usize / fi as usize + 64)
            }
            other => return Err(format!("unknown engine {other}; engines: {ENGINES:?}")),
        };
        Ok(Self {
            kind,
            chunk,
            out: vec![0.0; out_len],
        })
    }

    /// Converts one block of `chunk` samples; returns the number of output samples.
    pub(crate) fn process(&mut self, input: &[f32]) -> Result<usize, String> {
        match &mut self.kind {
            Kind::Ours(r) => r.process(input, &mut self.out).map_err(|e| e.to_string()),
            Kind::Soxr(r) => Ok(r.process(input, &mut self.out)?.1),
            Kind::Sinc(r) => rubato_block(r, input, self.chunk, &mut self.out),
            Kind::Fft(r) => rubato_block(r, input, self.chunk, &mut self.out),
        }
    }

    /// The last output, for a checksum that keeps the work observable.
    #[allow(dead_code, reason = "the example reads it; the bench uses black_box")]
    pub(crate) fn output(&self) -> &[f32] {
        &self.out
    }
}

fn rubato_block<R: rubato::Resampler<f32>>(
    r: &mut R,
    input: &[f32],
    chunk: usize,
    out: &mut [f32],
) -> Result<usize, String> {
    let inp = InterleavedSlice::new(input, 1, chunk).map_err(|e| e.to_string())?;
    let cap = out.len();
    let mut outp = InterleavedSlice::new_mut(out, 1, cap).map_err(|e| e.to_string())?;
    let (_, written) = r
        .process_into_buffer(&inp, &mut outp, None)
        .map_err(|e| e.to_string())?;
    Ok(written)
}
