//! Prints the end-of-utterance prosody of Debian asterisk prompts (8 kHz WAV, upsampled to
//! 16 kHz): `cargo run -p vl-vad --example prosody -- FILE.wav...`.

use vl_vad::{FRAME_SAMPLES, FrameClassifier, ProsodyTracker};

fn main() {
    for path in std::env::args().skip(1) {
        let Ok(mut r) = hound::WavReader::open(&path) else {
            eprintln!("{path}: cannot open");
            continue;
        };
        let rate = r.spec().sample_rate;
        let x: Vec<f32> = r
            .samples::<i16>()
            .filter_map(Result::ok)
            .map(|s| f32::from(s) / 32768.0)
            .collect();
        let audio: Vec<f32> = if rate == 8000 {
            (0..x.len() * 2)
                .map(|i| {
                    let a = x[i / 2];
                    let b = x.get(i / 2 + 1).copied().unwrap_or(a);
                    if i % 2 == 0 { a } else { 0.5 * (a + b) }
                })
                .collect()
        } else {
            x
        };
        let Ok(mut c) = FrameClassifier::new(16_000) else {
            return;
        };
        let mut t = ProsodyTracker::new();
        for f in audio.chunks_exact(FRAME_SAMPLES) {
            let p = c.process(f).unwrap_or(0.0);
            t.push(f, p >= 0.5);
        }
        let f = t.features();
        println!(
            "{path}\t{:?}\t{:?}\t{:?}\t{}",
            f.final_pitch_st, f.final_energy_db, f.mean_pitch_hz, f.speech_frames
        );
    }
}
