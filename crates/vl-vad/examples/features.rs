//! Prints the classifier's internal per-frame features (tuning aid): for a 16 kHz mono PCM16
//! WAV file, or `noise:<dBFS>` for white noise.
//!
//! ```text
//! cargo run -p vl-vad --example features -- file.wav
//! ```

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = std::env::args()
        .nth(1)
        .ok_or("usage: features <file.wav | noise:DBFS>")?;
    let audio: Vec<f32> = if let Some(db) = arg.strip_prefix("noise:") {
        let db: f32 = db.parse()?;
        let amp = 10f32.powf(db / 20.0) * 3f32.sqrt();
        let mut s = 7_u64;
        (0..16_000 * 5)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ((s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * amp
            })
            .collect()
    } else {
        let mut r = hound::WavReader::open(&arg)?;
        r.samples::<i16>()
            .map(|s| s.map(|v| f32::from(v) / 32768.0))
            .collect::<Result<_, _>>()?
    };
    let mut c = vl_vad::FrameClassifier::new(16_000)?;
    println!("frame\tt_ms\tprob\tscore\tsnr_db\tperiod\tlevel_db");
    for (i, f) in audio.chunks_exact(vl_vad::FRAME_SAMPLES).enumerate() {
        let (p, ft) = c.process_features(f)?;
        println!(
            "{i}\t{}\t{p:.3}\t{:.3}\t{:.2}\t{:.3}\t{:.1}",
            i * 10,
            ft.score,
            ft.snr_db,
            ft.periodicity,
            ft.level_db
        );
    }
    Ok(())
}
