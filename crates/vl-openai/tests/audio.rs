//! The transcription and speech clients against the scripted test server.

mod support;

use std::time::Duration;

use support::{Reply, Step, TestServer};
use vl_openai::{
    ClientConfig, Error, SPEECH_SAMPLE_RATE_HZ, SpeechClient, SpeechRequest, TranscriptionClient,
    TranscriptionRequest, wav_bytes,
};

fn cfg(server: &TestServer) -> ClientConfig {
    let mut c = ClientConfig::new(server.base_url()).with_api_key("k");
    c.retry.initial_backoff = Duration::from_millis(10);
    c.timeouts.stall = Duration::from_millis(300);
    c.timeouts.first_token = Duration::from_secs(2);
    c
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn transcription_uploads_a_wav_and_reads_json() {
    let server = TestServer::start(vec![
        Reply::json("503 Service Unavailable", r#"{"error":"loading"}"#),
        Reply::json(
            "200 OK",
            r#"{"text":" Turn on the lights. ","language":"en"}"#,
        ),
    ])
    .await;
    let client = TranscriptionClient::new(cfg(&server).with_model("whisper-base")).unwrap();
    let audio: Vec<i16> = (0..1600).map(|i| ((i % 50) * 100) as i16).collect();
    let text = client
        .transcribe(&TranscriptionRequest {
            audio: audio.clone(),
            sample_rate_hz: 16_000,
            language: Some("en".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(text, "Turn on the lights.");
    assert_eq!(server.count(), 2, "the 503 was retried");
    let r = server.request(1);
    assert!(r.request_line.starts_with("POST /v1/audio/transcriptions "));
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert_eq!(r.header("authorization"), Some("Bearer k"));
    assert!(
        find(&r.body, &wav_bytes(&audio, 16_000)),
        "the WAV is in the body"
    );
    for field in [
        &b"name=\"model\"\r\n\r\nwhisper-base"[..],
        b"name=\"response_format\"\r\n\r\njson",
        b"name=\"language\"\r\n\r\nen",
        b"filename=\"audio.wav\"",
    ] {
        assert!(find(&r.body, field), "{}", String::from_utf8_lossy(field));
    }
}

#[tokio::test]
async fn transcription_errors_are_readable() {
    let server = TestServer::start(vec![Reply::json(
        "400 Bad Request",
        r#"{"error":{"message":"Invalid file format."}}"#,
    )])
    .await;
    let client = TranscriptionClient::new(cfg(&server)).unwrap();
    let err = client
        .transcribe(&TranscriptionRequest {
            sample_rate_hz: 16_000,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::Status {
            status: 400,
            message: "Invalid file format.".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "the service answered HTTP 400: Invalid file format."
    );
}

fn pcm_reply(bytes: &[u8], cuts: &[usize]) -> Reply {
    let mut steps = Vec::new();
    let mut prev = 0;
    for &c in cuts {
        steps.push(Step::Send(bytes[prev..c].to_vec()));
        prev = c;
    }
    steps.push(Step::Send(bytes[prev..].to_vec()));
    Reply {
        status: "200 OK".into(),
        headers: vec![("Content-Type".into(), "audio/pcm".into())],
        chunked: true,
        steps,
    }
}

#[tokio::test]
async fn speech_streams_pcm_across_odd_chunk_boundaries() {
    let samples: Vec<i16> = (0..1000).map(|i| (i * 37 - 12_000) as i16).collect();
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let server = TestServer::start(vec![pcm_reply(&bytes, &[1, 2, 3, 501, 1001, 1999])]).await;
    let client = SpeechClient::new(cfg(&server)).unwrap();
    let mut s = client
        .stream(&SpeechRequest {
            input: "Hello.".into(),
            voice: "alloy".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut chunks = 0;
    while let Some(c) = s.next().await {
        got.extend(c.unwrap());
        chunks += 1;
    }
    assert_eq!(got, samples);
    assert!(chunks >= 3);
    assert_eq!(s.sample_rate_hz(), SPEECH_SAMPLE_RATE_HZ);
    let body = server.request(0).json();
    assert_eq!(body["response_format"], "pcm");
    assert_eq!(body["voice"], "alloy");
    assert_eq!(body["model"], "tts-1");
    assert_eq!(body["input"], "Hello.");
}

#[tokio::test]
async fn speech_accepts_a_wav_body_and_reads_its_rate() {
    let samples: Vec<i16> = (0..300).map(|i| i as i16).collect();
    let wav = wav_bytes(&samples, 22_050);
    let server = TestServer::start(vec![pcm_reply(&wav, &[5, 30, 45])]).await;
    let client = SpeechClient::new(cfg(&server)).unwrap();
    let (got, rate) = client
        .synthesize(&SpeechRequest {
            input: "x".into(),
            voice: "v".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rate, 22_050);
    assert_eq!(got, samples);
}

#[tokio::test]
async fn speech_stall_and_json_errors() {
    let mut reply = pcm_reply(&[0, 1, 2, 3], &[]);
    reply.steps.push(Step::Sleep(Duration::from_secs(3)));
    let server = TestServer::start(vec![reply]).await;
    let client = SpeechClient::new(cfg(&server)).unwrap();
    let mut s = client
        .stream(&SpeechRequest {
            input: "x".into(),
            voice: "v".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(s.next().await.unwrap().unwrap(), vec![256, 770]);
    assert_eq!(
        s.next().await.unwrap(),
        Err(Error::Stalled(Duration::from_millis(300)))
    );
    assert!(s.next().await.is_none());

    let server = TestServer::start(vec![Reply::json(
        "200 OK",
        r#"{"error":{"message":"unknown voice"}}"#,
    )])
    .await;
    let client = SpeechClient::new(cfg(&server)).unwrap();
    let err = client
        .stream(&SpeechRequest {
            input: "x".into(),
            voice: "nope".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err, Error::Service("unknown voice".into()));
}

#[tokio::test]
async fn the_shared_http_client_builds_twice_and_talks_to_a_server() {
    let server = TestServer::start(vec![Reply::json("200 OK", r#"{"ok":true}"#)]).await;
    let _first = vl_openai::http_client().unwrap();
    let client = vl_openai::http_client().unwrap();
    let body = client
        .get(format!("{}/models", server.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, r#"{"ok":true}"#);
    // An https client can be built too: the TLS provider is installed.
    assert!(
        vl_openai::http_client_builder()
            .https_only(true)
            .build()
            .is_ok()
    );
}
