//! Piper VITS voices through ONNX Runtime (feature `piper`).
//!
//! ONNX Runtime is loaded at run time (`ort` with `load-dynamic`) from the path given to
//! [`PiperVoice::load`] or `ORT_DYLIB_PATH`; the project uses `libonnxruntime.so.1.32.0` from
//! the PyPI `onnxruntime==1.32.0` wheel. The model is patched in memory to output its duration
//! tensor ([`crate::onnx_patch`]), so every input ID's length in samples is known; that gives the
//! word timestamps and visemes. Phonemes come from [`EspeakPhonemizer`] (a separate process).

use std::path::Path;
use std::sync::OnceLock;

use ort::environment::Environment;
use ort::session::Session;
use ort::value::Tensor;

use crate::TtsError;
use crate::espeak::EspeakPhonemizer;
use crate::onnx_patch;
use crate::piper_ids::{InferenceParams, PiperConfig};
use crate::synth::{Synthesizer, TimingSource, Utterance, voiced_region};
use crate::timing::{stretch_to, viseme_events, word_timestamps};

/// Samples per spectrogram frame of Piper voices (checked against every output).
pub const HOP_SAMPLES: u64 = 256;

static ENV: OnceLock<Result<Environment, String>> = OnceLock::new();

fn environment(lib: Option<&Path>) -> Result<&'static Environment, TtsError> {
    let env = ENV.get_or_init(|| {
        let path = match lib {
            Some(p) => p.to_path_buf(),
            None => std::env::var_os("ORT_DYLIB_PATH")
                .map(Into::into)
                .ok_or_else(|| "set ORT_DYLIB_PATH to libonnxruntime.so".to_string())?,
        };
        ort::init_from(&path)
            .map_err(|e| format!("loading {}: {e}", path.display()))?
            .with_name("vl-tts")
            .build()
            .map_err(|e| e.to_string())
    });
    env.as_ref().map_err(|e| TtsError::Runtime(e.clone()))
}

/// A loaded Piper voice with its phonemizer.
#[derive(Debug)]
pub struct PiperVoice {
    session: Session,
    config: PiperConfig,
    params: InferenceParams,
    durations_output: Option<String>,
    phonemizer: EspeakPhonemizer,
}

impl PiperVoice {
    /// Loads `model` (`.onnx`) with its config (`.onnx.json`), using `threads` intra-op threads.
    /// `ort_lib` is the ONNX Runtime shared library (else `ORT_DYLIB_PATH`); only the first load
    /// in a process picks the library.
    pub fn load(
        model: &Path,
        config: &Path,
        ort_lib: Option<&Path>,
        threads: usize,
    ) -> Result<Self, TtsError> {
        let config = PiperConfig::load(config)?;
        let bytes = std::fs::read(model).map_err(|e| TtsError::Model {
            path: model.display().to_string(),
            message: e.to_string(),
        })?;
        let (bytes, durations_output) = match onnx_patch::expose_durations(&bytes) {
            Ok(p) => (p.model, Some(p.output)),
            Err(_) => (bytes, None),
        };
        let env = environment(ort_lib)?;
        let rt = |e: ort::Error| TtsError::Runtime(e.to_string());
        let session = Session::builder(env)
            .map_err(rt)?
            .with_intra_threads(threads.max(1))
            .map_err(|e| TtsError::Runtime(e.to_string()))?
            // Spinning worker threads steal the CPU from everything else on a small machine.
            .with_config_entry("session.intra_op.allow_spinning", "0")
            .map_err(|e| TtsError::Runtime(e.to_string()))?
            .commit_from_memory(&bytes)
            .map_err(rt)?;
        let phonemizer = EspeakPhonemizer::new(&config.espeak_voice)?;
        Ok(Self {
            session,
            params: config.inference,
            config,
            durations_output,
            phonemizer,
        })
    }

    /// Loads `<dir>/<voice>.onnx` and `<dir>/<voice>.onnx.json`.
    pub fn load_dir(
        dir: &Path,
        voice: &str,
        ort_lib: Option<&Path>,
        threads: usize,
    ) -> Result<Self, TtsError> {
        let model = dir.join(format!("{voice}.onnx"));
        let config = dir.join(format!("{voice}.onnx.json"));
        Self::load(&model, &config, ort_lib, threads)
    }

    /// The voice configuration.
    pub fn config(&self) -> &PiperConfig {
        &self.config
    }

    /// Whether the model gives phoneme durations (else timing is estimated).
    pub fn has_durations(&self) -> bool {
        self.durations_output.is_some()
    }

    /// Sets the speaking rate: 1.0 = natural, 1.2 = 20 % faster (clamped to 0.5–2.0).
    pub fn set_rate(&mut self, rate: f32) {
        let rate = if rate.is_finite() {
            rate.clamp(0.5, 2.0)
        } else {
            1.0
        };
        self.params.length_scale = self.config.inference.length_scale / rate;
    }

    /// Runs the model on input IDs: returns the audio and, if available, frames per ID.
    pub fn infer(&mut self, ids: &[i64]) -> Result<(Vec<f32>, Option<Vec<f32>>), TtsError> {
        let rt = |e: ort::Error| TtsError::Runtime(e.to_string());
        let n = ids.len();
        let input = Tensor::from_array(([1usize, n], ids.to_vec())).map_err(rt)?;
        let lengths = Tensor::from_array(([1usize], vec![n as i64])).map_err(rt)?;
        let p = self.params;
        let scales = Tensor::from_array(([3usize], vec![p.noise_scale, p.length_scale, p.noise_w]))
            .map_err(rt)?;
        let mut inputs = ort::inputs![
            "input" => input,
            "input_lengths" => lengths,
            "scales" => scales,
        ];
        if self.config.num_speakers > 1 {
            let sid = Tensor::from_array(([1usize], vec![0i64])).map_err(rt)?;
            inputs.push(("sid".into(), sid.into()));
        }
        let outputs = self.session.run(inputs).map_err(rt)?;
        let audio = outputs
            .get("output")
            .ok_or_else(|| TtsError::Runtime("no `output` tensor".into()))?
            .try_extract_tensor::<f32>()
            .map_err(rt)?
            .1
            .to_vec();
        let frames = match &self.durations_output {
            Some(name) => match outputs.get(name.as_str()) {
                Some(v) => Some(v.try_extract_tensor::<f32>().map_err(rt)?.1.to_vec()),
                None => None,
            },
            None => None,
        };
        Ok((audio, frames))
    }
}

impl Synthesizer for PiperVoice {
    fn sample_rate(&self) -> u32 {
        self.config.sample_rate
    }

    fn synthesize(&mut self, sentence: &str) -> Result<Utterance, TtsError> {
        let rate = self.config.sample_rate;
        let phonemized = self.phonemizer.phonemize_sentence(sentence)?;
        if phonemized.clauses.is_empty() {
            return Ok(Utterance {
                text: sentence.to_string(),
                sample_rate: rate,
                audio: Vec::new(),
                words: Vec::new(),
                visemes: Vec::new(),
                timing: TimingSource::Model,
            });
        }
        let input = self.config.input(&phonemized);
        let (mut audio, frames) = self.infer(&input.ids)?;
        let peak = audio.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        if peak > 1.0 {
            for s in &mut audio {
                *s /= peak;
            }
        }
        // Model timing only if the durations explain the audio length exactly.
        let per_id: Option<Vec<u64>> = frames.and_then(|f| {
            let samples: Vec<u64> = f.iter().map(|x| x.max(0.0) as u64 * HOP_SAMPLES).collect();
            (f.len() == input.ids.len() && samples.iter().sum::<u64>() == audio.len() as u64)
                .then_some(samples)
        });
        let (durations, timing) = match per_id {
            Some(per_id) => (input.unit_durations(&per_id), TimingSource::Model),
            None => {
                let (s, e) = voiced_region(&audio, 0.01);
                (
                    stretch_to(&input.units, audio.len() as u64, s as u64, e as u64),
                    TimingSource::Estimated,
                )
            }
        };
        Ok(Utterance {
            text: sentence.to_string(),
            sample_rate: rate,
            words: word_timestamps(&input.units, &durations, &phonemized.words, rate),
            visemes: viseme_events(&input.units, &durations, rate),
            audio,
            timing,
        })
    }
}
