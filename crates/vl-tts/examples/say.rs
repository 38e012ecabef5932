//! Speaks a text to a WAV file and prints the timing events.
//!
//! `cargo run -p vl-tts --features piper --example say -- [--espeak] OUT.wav "Text to say."`
//! Piper needs `ORT_DYLIB_PATH` and the voice in `VL_TTS_MODELS` (default `models/piper`).

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let espeak = args.first().is_some_and(|a| a == "--espeak");
    if espeak {
        args.remove(0);
    }
    let (Some(out), Some(text)) = (args.first(), args.get(1)) else {
        eprintln!("usage: say [--espeak] OUT.wav TEXT");
        std::process::exit(2);
    };
    let t = Instant::now();
    let mut voice: Box<dyn vl_tts::Synthesizer> = if espeak {
        Box::new(vl_tts::EspeakTts::new("en-us+m3", 175)?)
    } else {
        load_piper()?
    };
    eprintln!("load {:.3} s", t.elapsed().as_secs_f64());
    let mut stream = vl_tts::TtsStream::new(&mut voice, false);
    let t = Instant::now();
    let mut chunks = stream.push_text(text)?;
    chunks.extend(stream.finish()?);
    let secs = t.elapsed().as_secs_f64();
    let mut audio = Vec::new();
    let mut rate = 22_050;
    for c in &chunks {
        println!(
            "chunk @{} ms ({:?}): {}",
            c.audio_offset_ms, c.timing, c.text
        );
        for w in &c.words {
            println!(
                "  word {:>6} +{:>4} ms  {}",
                w.audio_offset_ms, w.audio_duration_ms, w.text
            );
        }
        let v: Vec<String> = c
            .visemes
            .iter()
            .map(|v| format!("{}@{}", v.viseme_id, v.audio_offset_ms))
            .collect();
        println!("  visemes {}", v.join(" "));
        audio.extend_from_slice(&c.audio);
        rate = c.sample_rate;
    }
    let dur = audio.len() as f64 / f64::from(rate);
    eprintln!(
        "synth {secs:.3} s for {dur:.2} s of audio: RTF {:.3}",
        secs / dur.max(1e-9)
    );
    std::fs::write(out, vl_tts::wav::encode_pcm16_mono(rate, &audio))?;
    Ok(())
}

#[cfg(feature = "piper")]
fn load_piper() -> Result<Box<dyn vl_tts::Synthesizer>, Box<dyn std::error::Error>> {
    let dir = std::env::var("VL_TTS_MODELS").unwrap_or_else(|_| "models/piper".into());
    Ok(Box::new(vl_tts::PiperVoice::load_dir(
        std::path::Path::new(&dir),
        vl_tts::voice::PIPER_VOICE,
        None,
        2,
    )?))
}

#[cfg(not(feature = "piper"))]
fn load_piper() -> Result<Box<dyn vl_tts::Synthesizer>, Box<dyn std::error::Error>> {
    Err("built without the `piper` feature; use --espeak".into())
}
