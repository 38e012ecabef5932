//! The `vl-openai` adapter against the real worker binary serving SmolLM2-135M-Instruct
//! (feature `llama`; the CI `llm` step fetches the model with `cargo xtask models --only llm`).
//! The model path is `$VL_LLM_MODEL`, default `models/llm/SmolLM2-135M-Instruct.Q4_1.gguf`
//! under the workspace root.
#![cfg(feature = "llama")]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::json;
use vl_llm_worker::server::TOOLS_NOTICE;
use vl_openai::{ChatClient, ChatEvent, ChatRequest, ClientConfig, ContextItem, Role, ToolSpec};

struct Worker {
    child: Child,
    base: String,
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
        "{} missing: run `cargo xtask models --only llm`",
        model.display()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_vl-llm-worker"))
        .arg("--model")
        .arg(&model)
        .args(["--threads", "2", "--max-tokens", "96"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("worker starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let base = format!("http://{}/v1", line.trim());
    Worker { child, base }
}

fn ask(text: &str) -> ChatRequest {
    ChatRequest {
        instructions: "You are a helpful assistant. Answer in one short sentence.".into(),
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
    let client = ChatClient::new(ClientConfig::new(&w.base)).expect("client");
    let mut s = client.stream(req).await.expect("stream");
    let mut evs = Vec::new();
    while let Some(ev) = s.next().await {
        evs.push(ev.expect("event"));
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

#[tokio::test]
async fn real_model_answers_questions_and_declines_tools_in_prose() {
    let w = worker();

    let (evs, text) = run(&w, &ask("Hello! How are you today?")).await;
    let deltas = evs
        .iter()
        .filter(|e| matches!(e, ChatEvent::TextDelta(_)))
        .count();
    assert!(deltas >= 2, "streamed in pieces: {evs:?}");
    assert!(!text.trim().is_empty());
    let Some(ChatEvent::Done { usage: Some(u), .. }) = evs.last() else {
        panic!("{evs:?}")
    };
    assert!(
        u.input_text_tokens > 10 && u.output_text_tokens > 0,
        "{u:?}"
    );

    let (_, text) = run(&w, &ask("What is the capital of France?")).await;
    assert!(text.contains("Paris"), "{text}");

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
    assert!(text.starts_with(TOOLS_NOTICE), "{text}");
    assert!(
        text.len() > TOOLS_NOTICE.len() + 3,
        "prose follows the notice: {text}"
    );
}
