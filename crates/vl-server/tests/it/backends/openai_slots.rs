//! `--asr openai`, `--tts openai` and `--llm openai` through the server, against the scripted
//! HTTP test server: what the services are sent (recorded request bodies) and what the client
//! gets, failures included.

use std::time::Duration;

use serde_json::{Value, json};
use vl_server::backends::config::{AsrConfig, BackendsConfig, LlmConfig, ServiceConfig, TtsConfig};
use vl_server::config::Config;

use super::super::{TestServer, Ws, assert_alive, bounded, recv_until, send_json};
use super::base64;
use super::openai_support::{Reply, Step, TestServer as Http};

fn service(http: &Http, model: &str) -> ServiceConfig {
    ServiceConfig {
        url: http.base_url(),
        api_key: Some("sk-test".into()),
        model: Some(model.into()),
        timeout: Some(Duration::from_millis(400)),
    }
}

async fn server(backends: BackendsConfig) -> TestServer {
    TestServer::start(Config {
        backends,
        ..Config::default()
    })
    .await
}

/// 24 kHz PCM16 of a 440 Hz tone, `ms` long, base64.
fn tone_b64(ms: usize) -> String {
    let bytes: Vec<u8> = (0..ms * 24)
        .map(|i| ((i as f32 * 440.0 * std::f32::consts::TAU / 24_000.0).sin() * 8_000.0) as i16)
        .flat_map(i16::to_le_bytes)
        .collect();
    base64(&bytes)
}

/// Commits one manual (no turn detection) turn of audio; returns the events up to its
/// transcription's end (`completed` or `failed`).
async fn commit_turn(ws: &mut Ws) -> Vec<Value> {
    send_json(
        ws,
        json!({"type": "input_audio_buffer.append", "audio": tone_b64(600)}),
    )
    .await;
    send_json(ws, json!({"type": "input_audio_buffer.commit"})).await;
    let mut seen = Vec::new();
    loop {
        let ev = super::super::recv_json(ws).await;
        let t = ev["type"].as_str().unwrap_or_default().to_owned();
        seen.push(ev);
        if t.starts_with("conversation.item.input_audio_transcription.")
            && (t.ends_with(".completed") || t.ends_with(".failed"))
        {
            return seen;
        }
        assert!(seen.len() < 100, "no transcription end in {seen:?}");
    }
}

#[tokio::test]
async fn asr_openai_uploads_each_turn_and_reports_failures() {
    bounded(async {
        let http = Http::start(vec![
            Reply::json("200 OK", r#"{"text":" Turn on the lights. "}"#),
            Reply::json(
                "400 Bad Request",
                r#"{"error":{"message":"Audio file is too short."}}"#,
            ),
            Reply::json("200 OK", r#"{"text":"again"}"#),
        ])
        .await;
        let server = server(BackendsConfig {
            asr: AsrConfig::OpenAi(service(&http, "whisper-large-v3")),
            ..BackendsConfig::default()
        })
        .await;
        let mut ws = server.open().await;
        send_json(
            &mut ws,
            json!({"type": "session.update", "session": {"turn_detection": null,
                   "input_audio_transcription": {"model": "azure-speech", "language": "en-US"}}}),
        )
        .await;
        recv_until(&mut ws, "session.updated").await;

        let events = commit_turn(&mut ws).await;
        let done = events.last().unwrap();
        assert_eq!(
            done["type"], "conversation.item.input_audio_transcription.completed",
            "{done}"
        );
        assert_eq!(done["transcript"], "Turn on the lights.");
        let r = http.request(0);
        assert!(r.request_line.starts_with("POST /v1/audio/transcriptions "));
        assert_eq!(r.header("authorization"), Some("Bearer sk-test"));
        let body = String::from_utf8_lossy(&r.body);
        // The service's model, not the session's Azure model name; `en-US` → `en`.
        assert!(
            body.contains("name=\"model\"\r\n\r\nwhisper-large-v3"),
            "{body:.300}"
        );
        assert!(
            body.contains("name=\"language\"\r\n\r\nen\r\n"),
            "{body:.300}"
        );
        assert!(body.contains("RIFF") && body.contains("WAVE"));

        // A service error fails the transcription with its message; the session goes on.
        let events = commit_turn(&mut ws).await;
        let failed = events.last().unwrap();
        assert_eq!(
            failed["type"], "conversation.item.input_audio_transcription.failed",
            "{failed}"
        );
        let message = failed["error"]["message"].as_str().unwrap();
        assert!(message.contains("Audio file is too short."), "{message}");
        assert_alive(&mut ws).await;
        let events = commit_turn(&mut ws).await;
        assert_eq!(events.last().unwrap()["transcript"], "again");
        assert_eq!(http.count(), 3);
    })
    .await;
}

fn pcm_reply(samples: &[i16], stall_after: bool) -> Reply {
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut steps: Vec<Step> = bytes
        .chunks(4_801)
        .map(|c| Step::Send(c.to_vec()))
        .collect();
    if stall_after {
        steps.push(Step::Sleep(Duration::from_secs(5)));
    }
    Reply {
        status: "200 OK".into(),
        headers: vec![("Content-Type".into(), "audio/pcm".into())],
        chunked: true,
        steps,
    }
}

/// 0.1 s silence, `voiced_ms` of a buzz, 0.1 s silence at 24 kHz.
fn speech_like(voiced_ms: usize) -> Vec<i16> {
    let mut s = vec![0i16; 2_400];
    s.extend((0..voiced_ms * 24).map(|i| if (i / 40) % 2 == 0 { 6_000 } else { -6_000 }));
    s.extend(vec![0i16; 2_400]);
    s
}

/// Asks for a reply to `text` and returns the events up to `response.done`.
async fn reply_to(ws: &mut Ws, text: &str) -> Vec<Value> {
    send_json(
        ws,
        json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
               "content": [{"type": "input_text", "text": text}]}}),
    )
    .await;
    recv_until(ws, "conversation.item.created").await;
    send_json(ws, json!({"type": "response.create"})).await;
    recv_until(ws, "response.done").await
}

fn of_type<'a>(events: &'a [Value], t: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == t).collect()
}

#[tokio::test]
async fn tts_openai_streams_pcm_with_estimated_words_and_visemes() {
    bounded(async {
        let audio = speech_like(1_500);
        let http = Http::start(vec![
            pcm_reply(&audio, false),
            // The second reply stalls after its first audio: the response fails.
            pcm_reply(&audio[..9_600], true),
            pcm_reply(&audio, false),
        ])
        .await;
        let server = server(BackendsConfig {
            tts: TtsConfig::OpenAi(service(&http, "kokoro")),
            ..BackendsConfig::default()
        })
        .await;
        let mut ws = server.open().await;
        send_json(
            &mut ws,
            json!({"type": "session.update", "session": {"voice": "shimmer",
                   "turn_detection": null,
                   "output_audio_timestamp_types": ["word"],
                   "animation": {"outputs": ["viseme_id"]}}}),
        )
        .await;
        recv_until(&mut ws, "session.updated").await;

        let events = reply_to(&mut ws, "hello there").await;
        let done = events.last().unwrap();
        assert_eq!(done["response"]["status"], "completed", "{done}");
        let body = http.request(0).json();
        assert_eq!(body["response_format"], "pcm");
        assert_eq!(body["voice"], "shimmer");
        assert_eq!(body["model"], "kokoro");
        assert_eq!(body["input"], "You said: hello there");
        let audio_bytes: usize = of_type(&events, "response.audio.delta")
            .iter()
            .map(|e| {
                let b64 = e["delta"].as_str().unwrap();
                b64.len() / 4 * 3 - b64.bytes().filter(|&c| c == b'=').count()
            })
            .sum();
        // All 1.7 s at 24 kHz PCM16 (the engine's output format), nothing lost or added.
        assert_eq!(audio_bytes, audio.len() * 2);
        let words: Vec<(String, u64, u64)> = of_type(&events, "response.audio_timestamp.delta")
            .iter()
            .map(|e| {
                (
                    e["text"].as_str().unwrap().to_owned(),
                    e["audio_offset_ms"].as_u64().unwrap(),
                    e["audio_duration_ms"].as_u64().unwrap(),
                )
            })
            .collect();
        let texts: Vec<&str> = words.iter().map(|w| w.0.as_str()).collect();
        assert_eq!(texts, ["You", "said", "hello", "there"], "{words:?}");
        // Stretched to the voiced part: 100 ms .. 1600 ms.
        assert!(words[0].1.abs_diff(100) <= 2, "{words:?}");
        let end = words[3].1 + words[3].2;
        assert!(end.abs_diff(1_600) <= 2, "{words:?}");
        assert!(words.windows(2).all(|w| w[0].1 <= w[1].1), "{words:?}");
        let visemes = of_type(&events, "response.animation_viseme.delta");
        assert!(visemes.len() >= 10, "{} visemes", visemes.len());
        assert!(
            visemes
                .iter()
                .all(|v| v["viseme_id"].as_u64().unwrap() <= 21)
        );

        // A stall fails the response with a clear error; the next one works.
        let events = reply_to(&mut ws, "once more").await;
        let done = events.last().unwrap();
        assert_eq!(done["response"]["status"], "failed", "{done}");
        let errors = of_type(&events, "error");
        assert_eq!(errors.len(), 1, "{events:?}");
        assert_eq!(errors[0]["error"]["code"], "backend_timeout");
        assert_eq!(errors[0]["error"]["type"], "server_error");
        let message = errors[0]["error"]["message"].as_str().unwrap();
        assert!(message.contains("speech service"), "{message}");
        assert_eq!(
            done["response"]["status_details"]["error"]["code"],
            "backend_timeout"
        );
        let events = reply_to(&mut ws, "and again").await;
        assert_eq!(events.last().unwrap()["response"]["status"], "completed");
        assert_eq!(http.count(), 3);
    })
    .await;
}

#[tokio::test]
async fn unsupported_and_unknown_voices_are_invalid_value_errors_and_the_session_goes_on() {
    bounded(async {
        let http = Http::start(vec![pcm_reply(&speech_like(300), false)]).await;
        let server = server(BackendsConfig {
            tts: TtsConfig::OpenAi(service(&http, "tts-1")),
            ..BackendsConfig::default()
        })
        .await;
        let mut ws = server.open().await;
        let cases = [
            (
                json!({"type": "azure-custom", "name": "en-US-AvaNeural", "endpoint_id": "e1"}),
                "Unsupported voice",
                "azure-custom",
            ),
            (
                json!({"type": "azure-standard", "name": "de-DE-KatjaNeural"}),
                "Unknown voice",
                "de-DE-KatjaNeural",
            ),
        ];
        for (voice, kind, detail) in cases {
            send_json(
                &mut ws,
                json!({"type": "session.update", "session": {"voice": voice,
                       "turn_detection": null}}),
            )
            .await;
            recv_until(&mut ws, "session.updated").await;
            let events = reply_to(&mut ws, "hi").await;
            let done = events.last().unwrap();
            assert_eq!(done["response"]["status"], "failed", "{done}");
            let errors = of_type(&events, "error");
            assert_eq!(errors.len(), 1, "{events:?}");
            let e = &errors[0]["error"];
            assert_eq!(e["code"], "invalid_value", "{e}");
            assert_eq!(e["type"], "invalid_request_error", "{e}");
            let message = e["message"].as_str().unwrap();
            assert!(
                message.starts_with(kind) && message.contains(detail),
                "{message}"
            );
        }
        assert_eq!(
            http.count(),
            0,
            "nothing was sent for a voice that cannot be served"
        );
        // An Azure standard voice maps to an OpenAI one by gender.
        send_json(
            &mut ws,
            json!({"type": "session.update", "session": {"voice":
                   {"type": "azure-standard", "name": "en-US-AndrewNeural"}}}),
        )
        .await;
        recv_until(&mut ws, "session.updated").await;
        let events = reply_to(&mut ws, "hi").await;
        assert_eq!(events.last().unwrap()["response"]["status"], "completed");
        assert_eq!(http.request(0).json()["voice"], "echo");
    })
    .await;
}

fn sse_text(text: &str) -> Reply {
    let chunk = json!({"choices": [{"index": 0, "delta": {"content": text}}]});
    let done = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    Reply::sse(&[
        &format!("data: {chunk}\n\n"),
        &format!("data: {done}\n\ndata: [DONE]\n\n"),
    ])
}

#[tokio::test]
async fn session_and_response_settings_reach_the_chat_request() {
    bounded(async {
        let http = Http::start(vec![sse_text("Sure.")]).await;
        let server = server(BackendsConfig {
            llm: LlmConfig::OpenAi(service(&http, "llama")),
            ..BackendsConfig::default()
        })
        .await;
        let mut ws = server.open().await;
        let tool = json!({"type": "function", "name": "get_weather",
                          "description": "Weather of a city",
                          "parameters": {"type": "object",
                                         "properties": {"city": {"type": "string"}}}});
        send_json(
            &mut ws,
            json!({"type": "session.update", "session": {
                "modalities": ["text"], "turn_detection": null,
                "instructions": "Answer in one sentence.", "temperature": 0.7,
                "max_response_output_tokens": 42, "tools": [tool], "tool_choice": "required"}}),
        )
        .await;
        recv_until(&mut ws, "session.updated").await;
        let events = reply_to(&mut ws, "weather in Paris?").await;
        assert_eq!(events.last().unwrap()["response"]["status"], "completed");
        let body = http.request(0).json();
        assert_eq!(body["model"], "llama");
        assert_eq!(body["stream"], true);
        assert_eq!(body["temperature"], 0.7);
        assert_eq!(body["max_tokens"], 42);
        assert_eq!(body["tool_choice"], "required");
        assert_eq!(body["tools"][0]["function"]["name"], "get_weather");
        assert_eq!(
            body["tools"][0]["function"]["parameters"]["properties"]["city"]["type"],
            "string"
        );
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(messages[0]["role"], "system");
        assert_eq!(messages[0]["content"], "Answer in one sentence.");
        assert_eq!(messages.last().unwrap()["role"], "user");
        assert_eq!(messages.last().unwrap()["content"], "weather in Paris?");

        // Response-level overrides: `inf` sends no cap; a named function; `none`.
        for (choice, wire) in [
            (
                json!({"type": "function", "name": "get_weather"}),
                json!({"type": "function", "function": {"name": "get_weather"}}),
            ),
            (json!("none"), json!("none")),
            (json!("auto"), json!("auto")),
        ] {
            let before = http.count();
            send_json(
                &mut ws,
                json!({"type": "response.create", "response": {
                    "instructions": "Be terse.", "temperature": 0.9,
                    "max_output_tokens": "inf", "tool_choice": choice}}),
            )
            .await;
            let events = recv_until(&mut ws, "response.done").await;
            assert_eq!(events.last().unwrap()["response"]["status"], "completed");
            let body = http.request(before).json();
            assert_eq!(body["tool_choice"], wire, "{body}");
            assert_eq!(body["temperature"], 0.9);
            assert!(body.get("max_tokens").is_none(), "{body}");
            assert!(body.get("max_completion_tokens").is_none(), "{body}");
            assert_eq!(body["messages"][0]["content"], "Be terse.");
        }
    })
    .await;
}

#[tokio::test]
async fn a_stalled_chat_stream_fails_the_response_with_an_error_and_the_session_goes_on() {
    bounded(async {
        let chunk = json!({"choices": [{"index": 0, "delta": {"content": "Let me"}}]});
        let mut stalled = Reply::sse(&[&format!("data: {chunk}\n\n")]);
        stalled.steps.push(Step::Sleep(Duration::from_secs(5)));
        let http = Http::start(vec![
            // Refused twice (retried), then a stream that stalls after its first delta.
            Reply::json(
                "503 Service Unavailable",
                r#"{"error":{"message":"loading"}}"#,
            ),
            stalled,
            sse_text("Fine."),
        ])
        .await;
        let server = server(BackendsConfig {
            llm: LlmConfig::OpenAi(service(&http, "m")),
            ..BackendsConfig::default()
        })
        .await;
        let mut ws = server.open().await;
        send_json(
            &mut ws,
            json!({"type": "session.update", "session": {"modalities": ["text"],
                   "turn_detection": null}}),
        )
        .await;
        recv_until(&mut ws, "session.updated").await;
        let events = reply_to(&mut ws, "hi").await;
        assert_eq!(http.count(), 2, "the 503 was retried");
        let done = events.last().unwrap();
        assert_eq!(done["response"]["status"], "failed", "{done}");
        let errors = of_type(&events, "error");
        assert_eq!(errors.len(), 1, "{events:?}");
        assert_eq!(errors[0]["error"]["code"], "backend_timeout");
        let message = errors[0]["error"]["message"].as_str().unwrap();
        assert!(
            !message.is_empty() && !message.contains("data:"),
            "{message}"
        );
        let events = reply_to(&mut ws, "hi again").await;
        let done = events.last().unwrap();
        assert_eq!(done["response"]["status"], "completed", "{done}");
        assert_eq!(super::super::text_of_response_done(done), ["Fine."]);
    })
    .await;
}
