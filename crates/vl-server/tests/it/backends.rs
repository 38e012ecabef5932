//! The backend slots through the server: streaming partial transcripts with whisper (feature
//! `whisper`), and the OpenAI-compatible ASR, TTS and chat slots against an in-repo HTTP test
//! server that records what it was sent.

/// Standard base64 with padding (the tests need no dependency for it).
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(c.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(c.get(2).copied().unwrap_or(0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(char::from(A[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

// The scripted HTTP/1.1 test server of vl-openai's own tests, shared rather than copied.
mod openai_slots;
#[path = "../../../vl-openai/tests/support/mod.rs"]
mod openai_support;

#[cfg(feature = "whisper")]
mod whisper {
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use serde_json::{Value, json};
    use vl_server::backends::config::{AsrConfig, BackendsConfig};
    use vl_server::config::Config;

    use super::super::{TestServer, bounded, recv_until, send_json};

    fn models_dir() -> PathBuf {
        std::env::var_os("VL_MODELS").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
            PathBuf::from,
        )
    }

    /// A recorded asterisk prompt at 24 kHz PCM16 (8 kHz file → 16 kHz → linear 3:2).
    fn prompt_24k(name: &str) -> Vec<i16> {
        let path = PathBuf::from(format!("/usr/share/asterisk/sounds/en/{name}.wav"));
        assert!(
            path.is_file(),
            "{} missing: apt-get install asterisk-core-sounds-en-wav",
            path.display()
        );
        let a = vl_asr::audio::read_wav_16k(&path).unwrap();
        let n = a.len() * 3 / 2;
        (0..n)
            .map(|i| {
                let x = i as f64 * 2.0 / 3.0;
                let k = x.floor() as usize;
                let f = (x - k as f64) as f32;
                let s0 = a.get(k).copied().unwrap_or(0.0);
                let s1 = a.get(k + 1).copied().unwrap_or(s0);
                ((s0 + (s1 - s0) * f) * 32_767.0) as i16
            })
            .collect()
    }

    fn b64(samples: &[i16]) -> String {
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        super::base64(&bytes)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn whisper_streams_partial_transcripts_during_speech() {
        let model = models_dir().join("whisper/ggml-tiny.en.bin");
        assert!(
            model.is_file(),
            "{} missing: cargo xtask models --only asr-tiny",
            model.display()
        );
        let config = Config {
            backends: BackendsConfig {
                asr: AsrConfig::Whisper { model, threads: 1 },
                ..BackendsConfig::default()
            },
            ..Config::default()
        };
        // Loading the model takes a moment; the bounded part starts after it.
        let server = TestServer::start(config).await;
        let mut ws = server.open().await;
        bounded(async {
            send_json(
                &mut ws,
                json!({"type": "session.update", "session": {
                    "modalities": ["text"],
                    "input_audio_transcription": {"model": "whisper-1"},
                    "turn_detection": {"type": "server_vad", "silence_duration_ms": 500,
                                       "create_response": false}}}),
            )
            .await;
            recv_until(&mut ws, "session.updated").await;
            // "Please enter your password followed by the pound key.", in real time (100 ms
            // chunks), then a second of silence for the VAD to end the turn.
            let mut audio = prompt_24k("agent-pass");
            audio.extend(std::iter::repeat_n(0i16, 24_000));
            for chunk in audio.chunks(2_400) {
                send_json(
                    &mut ws,
                    json!({"type": "input_audio_buffer.append", "audio": b64(chunk)}),
                )
                .await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let events = recv_until(
                &mut ws,
                "conversation.item.input_audio_transcription.completed",
            )
            .await;
            let types: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
            let index = |t: &str| types.iter().position(|x| *x == t);
            let first_delta = index("conversation.item.input_audio_transcription.delta")
                .unwrap_or_else(|| panic!("no transcription delta in {types:?}"));
            let stopped = index("input_audio_buffer.speech_stopped").unwrap();
            assert!(
                first_delta < stopped,
                "a partial arrives during speech: {types:?}"
            );
            let completed = events.last().unwrap();
            let transcript = completed["transcript"].as_str().unwrap().to_lowercase();
            for w in ["password", "pound"] {
                assert!(transcript.contains(w), "{transcript:?}");
            }
            let deltas: String = events
                .iter()
                .filter(|e| e["type"] == "conversation.item.input_audio_transcription.delta")
                .map(|e: &Value| {
                    assert_eq!(e["item_id"], completed["item_id"], "{e}");
                    e["delta"].as_str().unwrap().to_owned()
                })
                .collect();
            assert!(!deltas.trim().is_empty());
            let word = deltas.split_whitespace().next().unwrap().to_lowercase();
            assert!(
                transcript.contains(&word),
                "delta {deltas:?} vs final {transcript:?}"
            );
        })
        .await;
        server.shutdown().await;
    }
}
