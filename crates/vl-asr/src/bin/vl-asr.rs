//! `vl-asr`: convert Whisper models and transcribe WAV files (for evaluations and by hand).
//!
//! ```text
//! vl-asr convert --model model.bin [--model model.bin.part2] --vocab vocabulary.txt --out ggml.bin
//! vl-asr transcribe --model ggml.bin [--final-ctx trimmed|full] [--partials MS] [--tsv] a.wav ...
//! ```
//!
//! `transcribe` needs the cargo feature `whisper`. With `--tsv` it prints one line per file:
//! `path, audio s, final decode s, partial count, partial decode s (sum), partial decode s (max),
//! text`, tab-separated.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  vl-asr convert --model model.bin [--model model.bin.part2] --vocab vocabulary.txt --out ggml.bin
  vl-asr inspect ggml.bin
  vl-asr transcribe --model ggml.bin [--final-ctx trimmed|full] [--partials MS] [--threads N] [--tsv] a.wav ...";

#[derive(Debug)]
enum Command {
    Convert {
        model: Vec<PathBuf>,
        vocab: PathBuf,
        out: PathBuf,
    },
    Inspect {
        file: PathBuf,
    },
    Transcribe {
        model: PathBuf,
        final_ctx: String,
        partials: Option<u32>,
        threads: usize,
        tsv: bool,
        files: Vec<PathBuf>,
    },
}

fn parse(args: &[String]) -> Result<Command, String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err("no command".into());
    };
    let mut models = Vec::new();
    let (mut vocab, mut out) = (None, None);
    let mut final_ctx = "trimmed".to_string();
    let (mut partials, mut threads, mut tsv) = (None, 2usize, false);
    let mut files = Vec::new();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--model" => models.push(PathBuf::from(value()?)),
            "--vocab" => vocab = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--final-ctx" => final_ctx = value()?,
            "--partials" => {
                partials = Some(value()?.parse().map_err(|_| "--partials takes ms")?);
            }
            "--threads" => threads = value()?.parse().map_err(|_| "--threads takes a count")?,
            "--tsv" => tsv = true,
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}")),
            file => files.push(PathBuf::from(file)),
        }
    }
    match cmd.as_str() {
        "convert" => Ok(Command::Convert {
            vocab: vocab.ok_or("convert needs --vocab")?,
            out: out.ok_or("convert needs --out")?,
            model: if models.is_empty() {
                return Err("convert needs --model".into());
            } else {
                models
            },
        }),
        "inspect" => Ok(Command::Inspect {
            file: files.into_iter().next().ok_or("inspect needs a file")?,
        }),
        "transcribe" => Ok(Command::Transcribe {
            model: models
                .into_iter()
                .next()
                .ok_or("transcribe needs --model")?,
            final_ctx,
            partials,
            threads,
            tsv,
            files: if files.is_empty() {
                return Err("transcribe needs WAV files".into());
            } else {
                files
            },
        }),
        other => Err(format!("unknown command {other}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(
        args.first().map(String::as_str),
        Some("--help" | "-h" | "help")
    ) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = parse(&args)
        .map_err(|e| format!("{e}\n{USAGE}"))
        .and_then(run);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vl-asr: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Convert { model, vocab, out } => {
            let parts: Vec<&std::path::Path> = model.iter().map(PathBuf::as_path).collect();
            let s =
                vl_asr::convert::convert_files(&parts, &vocab, &out).map_err(|e| e.to_string())?;
            println!(
                "{}: {} tensors, {} tokens, {} bytes, {:?}",
                out.display(),
                s.n_tensors,
                s.n_tokens,
                s.bytes,
                s.hparams
            );
            Ok(())
        }
        Command::Inspect { file } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let f = vl_asr::convert::ggml::File::parse(&bytes).map_err(|e| e.to_string())?;
            println!(
                "{:?}\nmel {}x{}, {} tokens, {} tensors",
                f.hparams,
                f.n_mel,
                f.n_freqs,
                f.tokens.len(),
                f.tensors.len()
            );
            Ok(())
        }
        Command::Transcribe {
            model,
            final_ctx,
            partials,
            threads,
            tsv,
            files,
        } => transcribe(&model, &final_ctx, partials, threads, tsv, &files),
    }
}

#[cfg(not(feature = "whisper"))]
fn transcribe(
    _model: &std::path::Path,
    _final_ctx: &str,
    _partials: Option<u32>,
    _threads: usize,
    _tsv: bool,
    _files: &[PathBuf],
) -> Result<(), String> {
    Err("built without the `whisper` feature: cargo run -p vl-asr --features whisper".into())
}

#[cfg(feature = "whisper")]
fn transcribe(
    model: &std::path::Path,
    final_ctx: &str,
    partials: Option<u32>,
    threads: usize,
    tsv: bool,
    files: &[PathBuf],
) -> Result<(), String> {
    use std::io::Write;
    use std::time::Instant;
    use vl_asr::whisper::{AudioContext, DecodeConfig, Model};

    let final_ctx = match final_ctx {
        "trimmed" => AudioContext::Trimmed { margin_frames: 64 },
        "full" => AudioContext::Full,
        other => return Err(format!("--final-ctx {other}: expected trimmed or full")),
    };
    let model = Model::load(model).map_err(|e| e.to_string())?;
    let mut config = DecodeConfig {
        threads,
        final_ctx,
        ..DecodeConfig::default()
    };
    if let Some(ms) = partials {
        config.partial_interval_ms = ms;
    }
    let mut tr = model.transcriber(config).map_err(|e| e.to_string())?;
    let mut stdout = std::io::stdout().lock();
    for file in files {
        let audio = vl_asr::audio::read_wav_16k(file).map_err(|e| e.to_string())?;
        let audio_s = audio.len() as f64 / 16_000.0;
        let (mut n_partials, mut partial_sum, mut partial_max) = (0usize, 0.0f64, 0.0f64);
        tr.reset();
        if partials.is_some() {
            for chunk in audio.chunks(320) {
                tr.push(chunk);
                let t = Instant::now();
                if let Some(p) = tr.partial().map_err(|e| e.to_string())? {
                    let dt = t.elapsed().as_secs_f64();
                    n_partials += 1;
                    partial_sum += dt;
                    partial_max = partial_max.max(dt);
                    if !tsv {
                        eprintln!(
                            "  partial @{:.2} s ({dt:.3} s): {p}",
                            tr.len_samples() as f64 / 16_000.0
                        );
                    }
                }
            }
        } else {
            tr.push(&audio);
        }
        let t = Instant::now();
        let text = tr.finish().map_err(|e| e.to_string())?;
        let final_s = t.elapsed().as_secs_f64();
        let line = if tsv {
            format!(
                "{}\t{audio_s:.3}\t{final_s:.4}\t{n_partials}\t{partial_sum:.4}\t{partial_max:.4}\t{}",
                file.display(),
                text.replace(['\t', '\n'], " ")
            )
        } else {
            format!("{}: {text}", file.display())
        };
        writeln!(stdout, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(())
}
