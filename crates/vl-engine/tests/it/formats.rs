//! Input formats and rates, output formats, word timestamps and visemes.

use serde_json::json;
use vl_codec::Resampler;
use vl_codec::g711::Law;
use vl_engine::scripted::tts::speech_duration_ms;

use crate::harness::*;

fn resample(samples: &[i16], from: u32, to: u32) -> Vec<i16> {
    if from == to {
        return samples.to_vec();
    }
    let mut r = Resampler::new(from, to).unwrap();
    let input: Vec<f32> = samples.iter().map(|&s| f32::from(s) / 32768.0).collect();
    let mut out = Vec::new();
    r.process_into(&input, &mut out);
    out.iter()
        .map(|&s| (s * 32767.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// A VAD turn arrives at every accepted PCM16 input rate.
#[test]
fn vad_turn_at_each_pcm16_rate() {
    let base = speech("hello there, how are you?", 48_000, 400, 1400);
    for rate in [8000u32, 16000, 24000, 44100, 48000] {
        let mut h = Harness::new();
        h.send(json!({"type": "session.update", "session": {"input_audio_sampling_rate": rate}}));
        h.take();
        let audio = resample(&base, 48_000, rate);
        h.append_pcm(&audio, rate, 20);
        let e = h.take();
        let started = one(&e, "input_audio_buffer.speech_started");
        let stopped = one(&e, "input_audio_buffer.speech_stopped");
        let start = started["audio_start_ms"].as_u64().unwrap();
        let end = stopped["audio_end_ms"].as_u64().unwrap();
        // 400 ms lead-in minus 300 ms prefix padding; speech of ~1.9 s.
        assert!((50..=400).contains(&start), "rate {rate}: start {start}");
        assert!(end > 1500 && end < 3000, "rate {rate}: end {end}");
        assert_eq!(one(&e, "response.done")["response"]["status"], "completed");
    }
}

/// G.711 input (8 kHz): the transcript equals the one of the same audio as PCM16.
#[test]
fn g711_input() {
    let audio = speech("good morning to you", 8000, 200, 300);
    let pcm_transcript = {
        let mut h = Harness::manual();
        h.send(json!({"type": "session.update", "session": {"input_audio_sampling_rate": 8000}}));
        h.take();
        h.append_pcm(&audio, 8000, 20);
        h.send(json!({"type": "input_audio_buffer.commit"}));
        one(
            &h.take(),
            "conversation.item.input_audio_transcription.completed",
        )["transcript"]
            .clone()
    };
    assert!(!pcm_transcript.as_str().unwrap().is_empty());
    for (format, law) in [("g711_ulaw", Law::Ulaw), ("g711_alaw", Law::Alaw)] {
        let mut h = Harness::manual();
        h.send(json!({"type": "session.update", "session": {"input_audio_format": format}}));
        let s = one(&h.take(), "session.updated")["session"].clone();
        assert_eq!(s["input_audio_sampling_rate"], 8000);
        for chunk in audio.chunks(160) {
            let mut codes = vec![0u8; chunk.len()];
            law.encode_into(chunk, &mut codes).unwrap();
            h.append_bytes(&codes);
        }
        h.send(json!({"type": "input_audio_buffer.commit"}));
        let e = h.take();
        let committed = one(&e, "input_audio_buffer.committed");
        assert!(committed["item_id"].is_string());
        let t = &one(&e, "conversation.item.input_audio_transcription.completed")["transcript"];
        assert_eq!(
            t.as_str().unwrap().split(' ').count(),
            pcm_transcript.as_str().unwrap().split(' ').count(),
            "{format}"
        );
    }
}

/// Every output format: deltas ≤ 100 ms, total length exact, G.711 decodable.
#[test]
fn output_formats() {
    let text = "You said: testing formats";
    for (format, rate, bps) in [
        ("pcm16", 24000u64, 2u64),
        ("pcm16_8000hz", 8000, 2),
        ("pcm16_16000hz", 16000, 2),
        ("pcm16_22050hz", 22050, 2),
        ("pcm16_24000hz", 24000, 2),
        ("pcm16_44100hz", 44100, 2),
        ("pcm16_48000hz", 48000, 2),
        ("g711_ulaw", 8000, 1),
        ("g711_alaw", 8000, 1),
    ] {
        let mut h = Harness::new();
        h.send(json!({"type": "session.update", "session": {"output_audio_format": format}}));
        let s = one(&h.take(), "session.updated")["session"].clone();
        assert_eq!(s["output_audio_format"], format);
        h.user_text("testing formats");
        h.send(json!({"type": "response.create"}));
        let e = h.take();
        let max = (rate / 10 * bps) as usize;
        let mut total = 0usize;
        let mut bytes = Vec::new();
        for d in of_type(&e, "response.audio.delta") {
            let b = b64(&d["delta"]);
            assert!(
                !b.is_empty() && b.len() <= max,
                "{format}: delta of {} > {max}",
                b.len()
            );
            assert_eq!(b.len() as u64 % bps, 0);
            total += b.len();
            bytes.extend(b);
        }
        let samples = total as u64 / bps;
        // Exact up to the rounding of each 55–95 ms phone to whole samples (22.05 kHz, 44.1 kHz).
        let expected = speech_duration_ms(text) * rate / 1000;
        assert!(
            samples.abs_diff(expected) <= 25,
            "{format}: {samples} vs {expected}"
        );
        assert_eq!(
            one(&e, "response.done")["response"]["output_audio_format"],
            format
        );
        // Audible: the decoded signal has energy.
        let pcm: Vec<i16> = if bps == 1 {
            let law = if format == "g711_ulaw" {
                Law::Ulaw
            } else {
                Law::Alaw
            };
            let mut out = vec![0i16; bytes.len()];
            law.decode_into(&bytes, &mut out).unwrap();
            out
        } else {
            bytes
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]))
                .collect()
        };
        let rms =
            (pcm.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / pcm.len() as f64).sqrt();
        assert!(rms > 300.0, "{format}: rms {rms}");
    }
}

/// A per-response output format overrides the session's.
#[test]
fn per_response_output_format() {
    let mut h = Harness::new();
    h.take();
    h.user_text("hi");
    h.send(json!({"type": "response.create", "response": {"output_audio_format": "g711_ulaw"}}));
    let e = h.take();
    let biggest = of_type(&e, "response.audio.delta")
        .iter()
        .map(|d| b64(&d["delta"]).len())
        .max()
        .unwrap();
    assert!(biggest <= 800);
    assert_eq!(
        one(&e, "response.done")["response"]["output_audio_format"],
        "g711_ulaw"
    );
}

/// `output_audio_timestamp_types: ["word"]` and `animation.outputs: ["viseme_id"]`.
#[test]
fn word_timestamps_and_visemes() {
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {
        "output_audio_timestamp_types": ["word"],
        "animation": {"outputs": ["viseme_id"]}}}));
    let s = one(&h.take(), "session.updated")["session"].clone();
    assert_eq!(s["output_audio_timestamp_types"], json!(["word"]));
    assert_eq!(s["animation"]["outputs"], json!(["viseme_id"]));
    h.user_text("nice to meet you");
    h.send(json!({"type": "response.create"}));
    let e = h.take();
    let item_id = one(&e, "response.output_item.added")["item"]["id"].clone();
    let words: Vec<String> = of_type(&e, "response.audio_timestamp.delta")
        .iter()
        .map(|w| {
            assert_eq!(w["timestamp_type"], "word");
            assert_eq!(w["item_id"], item_id);
            assert_eq!(w["content_index"], 0);
            assert!(w["audio_duration_ms"].as_u64().unwrap() > 0);
            w["text"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(words, ["You", "said", "nice", "to", "meet", "you"]);
    let offsets: Vec<u64> = of_type(&e, "response.audio_timestamp.delta")
        .iter()
        .map(|w| w["audio_offset_ms"].as_u64().unwrap())
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] < w[1]));
    let total_ms = speech_duration_ms("You said: nice to meet you");
    assert!(*offsets.last().unwrap() < total_ms);
    let visemes = of_type(&e, "response.animation_viseme.delta");
    assert!(visemes.len() > words.len());
    let mut last = 0;
    for v in &visemes {
        let id = v["viseme_id"].as_u64().unwrap();
        assert!(id <= 21);
        let off = v["audio_offset_ms"].as_u64().unwrap();
        assert!(off >= last && off <= total_ms);
        last = off;
    }
    assert!(
        visemes.iter().any(|v| v["viseme_id"] == 21),
        "'m' of 'meet' is a bilabial"
    );
    let c = collapsed(&e);
    let tail: Vec<&str> = c[c.len() - 7..].iter().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "response.audio.done",
            "response.audio_transcript.done",
            "response.audio_timestamp.done",
            "response.animation_viseme.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.done",
        ]
    );
    // Without the options there are none.
    let mut h = Harness::new();
    h.take();
    h.user_text("nice to meet you");
    h.send(json!({"type": "response.create"}));
    let e = h.take();
    assert!(of_type(&e, "response.audio_timestamp.delta").is_empty());
    assert!(of_type(&e, "response.animation_viseme.delta").is_empty());
}

/// `animation.outputs: ["blendshapes"]`: 55-value frames at 60 fps covering the reply's audio,
/// frame indices continuing across sentences; no visemes unless asked; the `.done` without
/// `content_index`.
#[test]
fn blendshapes_only_when_asked() {
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {
        "animation": {"model_name": "default", "outputs": ["blendshapes"]}}}));
    h.take();
    h.user_text("nice to meet you. how are you");
    h.send(json!({"type": "response.create"}));
    let e = h.take();
    let synths: Vec<bool> = h
        .requests
        .iter()
        .filter_map(|r| match r {
            vl_engine::BackendRequest::Synthesize(s) => Some(s.blendshapes),
            _ => None,
        })
        .collect();
    assert!(synths.len() >= 2 && synths.iter().all(|&b| b), "{synths:?}");
    assert!(of_type(&e, "response.animation_viseme.delta").is_empty());
    let item_id = one(&e, "response.output_item.added")["item"]["id"].clone();
    let deltas = of_type(&e, "response.animation_blendshapes.delta");
    assert!(!deltas.is_empty());
    let mut next = 0u64;
    let mut frames = 0u64;
    let mut open = 0usize;
    for d in &deltas {
        assert_eq!(d["item_id"], item_id);
        assert_eq!(d["content_index"], 0);
        let index = d["frame_index"].as_u64().unwrap();
        // Contiguous up to one frame of rounding where a sentence starts.
        assert!(
            index + 1 >= next && index <= next + 1,
            "{index} after {next}"
        );
        let rows = d["frames"].as_array().unwrap();
        for row in rows {
            let row = row.as_array().unwrap();
            assert_eq!(row.len(), 55);
            if row[17].as_f64().unwrap() > 0.0 {
                open += 1;
            }
        }
        next = index + rows.len() as u64;
        frames += rows.len() as u64;
    }
    let audio_ms: u64 = of_type(&e, "response.audio.delta")
        .iter()
        .map(|d| crate::harness::b64(&d["delta"]).len() as u64 / 2 * 1000 / 24_000)
        .sum();
    let expected = audio_ms * 60 / 1000;
    assert!(
        frames.abs_diff(expected) <= 4,
        "{frames} frames for {audio_ms} ms"
    );
    assert!(
        open > 0 && (open as u64) < frames,
        "jawOpen moves: {open} of {frames}"
    );
    let done = one(&e, "response.animation_blendshapes.done");
    assert_eq!(done["item_id"], item_id);
    assert!(done.get("content_index").is_none(), "{done}");
    let c = collapsed(&e);
    let at = |t: &str| c.iter().position(|x| x == t).unwrap();
    assert!(at("response.animation_blendshapes.done") < at("response.content_part.done"));

    // viseme_id only: visemes, no blendshapes, and the TTS is not asked for them.
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {
        "animation": {"outputs": ["viseme_id"]}}}));
    h.take();
    h.user_text("nice to meet you");
    h.send(json!({"type": "response.create"}));
    let e = h.take();
    assert!(of_type(&e, "response.animation_blendshapes.delta").is_empty());
    assert!(of_type(&e, "response.animation_blendshapes.done").is_empty());
    assert!(!of_type(&e, "response.animation_viseme.delta").is_empty());
    assert!(h.requests.iter().all(|r| !matches!(r,
        vl_engine::BackendRequest::Synthesize(s) if s.blendshapes)));
}
