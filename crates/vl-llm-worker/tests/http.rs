//! The worker's HTTP/SSE layer with the deterministic echo test model, driven through the
//! `vl-openai` client the server uses.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failure is a test failure"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use vl_llm_worker::model::{ChatModel, EchoTestModel, Finish, GenParams, GenStats, ModelError};
use vl_llm_worker::server::{AppState, Limits, Sampling, TOOLS_NOTICE, router};
use vl_openai::{
    ChatClient, ChatEvent, ChatRequest, ClientConfig, ContextItem, Error, FinishReason, Role,
    ToolSpec,
};

async fn start(model: Box<dyn ChatModel>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(AppState::new(model, Limits { max_tokens: 64 }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn ask(text: &str) -> ChatRequest {
    ChatRequest {
        instructions: "You are terse.".into(),
        context: vec![ContextItem::Message {
            role: Role::User,
            text: text.into(),
        }],
        temperature: Some(0.0),
        ..Default::default()
    }
}

async fn events(base: &str, req: &ChatRequest) -> Vec<ChatEvent> {
    let client = ChatClient::new(ClientConfig::new(format!("{base}/v1"))).unwrap();
    let mut s = client.stream(req).await.unwrap();
    let mut out = Vec::new();
    while let Some(ev) = s.next().await {
        out.push(ev.unwrap());
    }
    out
}

fn text(evs: &[ChatEvent]) -> String {
    evs.iter()
        .filter_map(|e| {
            if let ChatEvent::TextDelta(t) = e {
                Some(t.as_str())
            } else {
                None
            }
        })
        .collect()
}

#[tokio::test]
async fn streams_the_echo_with_usage() {
    let base = start(Box::new(EchoTestModel::default())).await;
    let evs = events(&base, &ask("hello there world")).await;
    assert_eq!(text(&evs), "Echo: hello there world");
    assert!(
        evs.iter()
            .filter(|e| matches!(e, ChatEvent::TextDelta(_)))
            .count()
            >= 4,
        "streamed in pieces"
    );
    let Some(ChatEvent::Done {
        usage: Some(u),
        finish_reason,
    }) = evs.last()
    else {
        panic!("{evs:?}")
    };
    assert_eq!(*finish_reason, FinishReason::Stop);
    assert_eq!(u.output_text_tokens, 4);
    assert_eq!(u.input_text_tokens, 3 + 1 + 3 + 1);
}

#[tokio::test]
async fn max_tokens_is_honoured() {
    let base = start(Box::new(EchoTestModel::default())).await;
    let mut req = ask("one two three four");
    req.max_output_tokens = Some(2);
    let evs = events(&base, &req).await;
    assert_eq!(text(&evs), "Echo: one");
    assert!(matches!(
        evs.last(),
        Some(ChatEvent::Done {
            finish_reason: FinishReason::Length,
            ..
        })
    ));
}

#[tokio::test]
async fn tools_get_a_prose_answer_with_the_notice_and_no_call() {
    let base = start(Box::new(EchoTestModel::default())).await;
    let mut req = ask("weather in Paris?");
    req.tools = vec![ToolSpec {
        name: "get_weather".into(),
        description: None,
        parameters: json!(null),
    }];
    let evs = events(&base, &req).await;
    assert!(!evs.iter().any(|e| matches!(e, ChatEvent::ToolCall(_))));
    assert_eq!(text(&evs), format!("{TOOLS_NOTICE}Echo: weather in Paris?"));
    assert!(TOOLS_NOTICE.contains("cannot call tools"));
    // tool_choice none: no notice.
    req.tool_choice = vl_openai::ToolChoice::None;
    let evs = events(&base, &req).await;
    assert_eq!(text(&evs), "Echo: weather in Paris?");
}

#[tokio::test]
async fn non_streaming_answer_models_and_health() {
    let base = start(Box::new(EchoTestModel::default())).await;
    let http = plain_client();
    let v: serde_json::Value = serde_json::from_slice(
        &http
            .post(format!("{base}/v1/chat/completions"))
            .body(r#"{"messages":[{"role":"user","content":"hi"}],"max_tokens":10}"#)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["choices"][0]["message"]["content"], "Echo: hi");
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(v["usage"]["completion_tokens"], 2);
    let models: serde_json::Value = serde_json::from_slice(
        &http
            .get(format!("{base}/v1/models"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(models["data"][0]["id"], "echo-test");
    let health = http.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

async fn post_json(base: &str, body: serde_json::Value) -> (u16, String) {
    let r = plain_client()
        .post(format!("{base}/v1/chat/completions"))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (
        status,
        String::from_utf8(r.bytes().await.unwrap().to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn stop_sequences_cut_the_answer() {
    let base = start(Box::new(EchoTestModel::default())).await;
    let msgs = json!([{"role": "user", "content": "one two three four"}]);
    // Whole answer: the text before the stop, `finish_reason: stop`, and fewer tokens.
    let (status, body) = post_json(&base, json!({"messages": msgs, "stop": ["thr", "zzz"]})).await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["choices"][0]["message"]["content"], "Echo: one two ");
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(v["usage"]["completion_tokens"], 4);
    // Streaming with a single string: the deltas never contain the stop sequence.
    let (_, body) = post_json(
        &base,
        json!({"messages": msgs, "stop": "two", "stream": true}),
    )
    .await;
    let mut text = String::new();
    for ev in body.split("\n\n").filter(|e| !e.is_empty()) {
        let data = ev.strip_prefix("data: ").unwrap();
        if data == "[DONE]" {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(data).unwrap();
        if let Some(t) = v["choices"][0]["delta"]["content"].as_str() {
            text.push_str(t);
        }
    }
    assert_eq!(text, "Echo: one ");
    assert!(body.ends_with("data: [DONE]\n\n"), "{body}");
    // A stop that never occurs changes nothing.
    let (_, body) = post_json(&base, json!({"messages": msgs, "stop": ["xyz"]})).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v["choices"][0]["message"]["content"],
        "Echo: one two three four"
    );
    // Bad `stop` values are 400s.
    for bad in [json!(["a", "b", "c", "d", "e"]), json!([1]), json!(3)] {
        let (status, body) = post_json(&base, json!({"messages": msgs, "stop": bad})).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("stop"), "{body}");
    }
}

#[tokio::test]
async fn bad_requests_are_400_with_a_message() {
    let base = start(Box::new(EchoTestModel::default())).await;
    let client = ChatClient::new(ClientConfig::new(format!("{base}/v1"))).unwrap();
    let err = client.stream(&ChatRequest::default()).await.unwrap_err();
    assert_eq!(
        err,
        Error::Status {
            status: 400,
            message: "`messages` must be a non-empty array".into()
        }
    );
    let r = plain_client()
        .post(format!("{base}/v1/chat/completions"))
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

/// Produces tokens forever (10 ms apart) until the sink refuses, counting them.
struct Endless(Arc<AtomicU32>);

impl ChatModel for Endless {
    fn name(&self) -> &str {
        "endless"
    }
    fn generate(
        &mut self,
        _: &GenParams,
        sink: &mut dyn FnMut(&str) -> bool,
    ) -> Result<GenStats, ModelError> {
        loop {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            if n > 2000 {
                return Ok(GenStats {
                    prompt_tokens: 0,
                    completion_tokens: n,
                    finish: Finish::Length,
                });
            }
            if !sink(" tok") {
                return Ok(GenStats {
                    prompt_tokens: 0,
                    completion_tokens: n,
                    finish: Finish::Cancelled,
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[tokio::test]
async fn client_disconnect_stops_generation() {
    let produced = Arc::new(AtomicU32::new(0));
    let base = start(Box::new(Endless(produced.clone()))).await;
    let client = ChatClient::new(ClientConfig::new(format!("{base}/v1"))).unwrap();
    let mut s = client.stream(&ask("go")).await.unwrap();
    assert!(matches!(s.next().await, Some(Ok(ChatEvent::TextDelta(_)))));
    drop(s);
    // The generation must stop soon after: the count settles well below the 2000 cap.
    let t = Instant::now();
    let mut last = produced.load(Ordering::SeqCst);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = produced.load(Ordering::SeqCst);
        if now == last {
            break;
        }
        last = now;
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "generation kept running after the client left"
        );
    }
    assert!(last < 500, "{last} tokens produced");
}

#[test]
fn binary_prints_its_address_first_and_serves() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vl-llm-worker"))
        .args(["--model-kind", "echo-test", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: std::net::SocketAddr = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("first line {line:?}"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let evs = rt.block_on(events(&format!("http://{addr}"), &ask("ping")));
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(text(&evs), "Echo: ping");
}

#[cfg(not(feature = "llama"))]
#[test]
fn real_model_without_the_feature_is_a_clear_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vl-llm-worker"))
        .args(["--model-kind", "llama"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("without the `llama` feature") && err.contains("--features llama"),
        "{err}"
    );
}

/// A bare reqwest client, from vl-openai's constructor (it installs the TLS provider reqwest is
/// built without).
fn plain_client() -> reqwest::Client {
    vl_openai::http_client().unwrap()
}

/// Records the sampling parameters of each generation.
struct Recorder(Arc<std::sync::Mutex<Vec<(f32, u32)>>>);

impl ChatModel for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }
    fn generate(
        &mut self,
        p: &GenParams,
        sink: &mut dyn FnMut(&str) -> bool,
    ) -> Result<GenStats, ModelError> {
        self.0.lock().unwrap().push((p.temperature, p.seed));
        sink("ok");
        Ok(GenStats {
            prompt_tokens: 1,
            completion_tokens: 1,
            finish: Finish::Stop,
        })
    }
}

async fn sampled_with(sampling: Sampling, bodies: &[serde_json::Value]) -> Vec<(f32, u32)> {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(Box::new(Recorder(seen.clone())), Limits { max_tokens: 8 })
        .with_sampling(sampling);
    tokio::spawn(async move { axum::serve(listener, router(state)).await.unwrap() });
    for body in bodies {
        let (status, text) = post_json(&format!("http://{addr}"), body.clone()).await;
        assert_eq!(status, 200, "{text}");
    }
    seen.lock().unwrap().clone()
}

#[tokio::test]
async fn worker_sampling_settings_override_and_fill_in() {
    let msg = json!([{"role": "user", "content": "hi"}]);
    let bodies = [
        json!({"messages": msg, "temperature": 0.8, "seed": 5}),
        json!({"messages": msg, "temperature": 1.1}),
    ];
    // Without settings: the request's temperature; its seed, else one from the clock.
    let plain = sampled_with(Sampling::default(), &bodies).await;
    assert_eq!(plain[0], (0.8, 5));
    assert!((plain[1].0 - 1.1).abs() < 1e-6);
    // --temperature 0 forces greedy; --seed fills in only where the request has none.
    let forced = sampled_with(
        Sampling {
            force_temperature: Some(0.0),
            default_seed: Some(42),
        },
        &bodies,
    )
    .await;
    assert_eq!(forced, vec![(0.0, 5), (0.0, 42)]);
}

#[test]
fn out_of_range_temperature_flag_is_a_clear_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vl-llm-worker"))
        .args(["--model-kind", "echo-test", "--temperature", "3"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("outside 0–2"), "{err}");
}
