//! The chat client against the scripted test server: quirky but valid streams, timeouts,
//! retries and broken connections.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{Reply, Step, TestServer};
use vl_openai::{
    ChatClient, ChatEvent, ChatRequest, ClientConfig, ContextItem, Error, FinishReason, Role,
    TokenUsage, ToolCall, ToolChoice, ToolSpec,
};

fn cfg(server: &TestServer) -> ClientConfig {
    let mut c = ClientConfig::new(server.base_url()).with_model("test-model");
    c.retry.initial_backoff = Duration::from_millis(10);
    c.retry.max_backoff = Duration::from_millis(50);
    c.timeouts.stall = Duration::from_millis(400);
    c.timeouts.first_token = Duration::from_millis(1500);
    c
}

fn hello() -> ChatRequest {
    ChatRequest {
        instructions: "Be brief.".into(),
        context: vec![ContextItem::Message {
            role: Role::User,
            text: "Hi".into(),
        }],
        temperature: Some(0.5),
        max_output_tokens: Some(32),
        ..Default::default()
    }
}

async fn collect(client: &ChatClient, req: &ChatRequest) -> (Vec<ChatEvent>, Option<Error>) {
    let mut s = match client.stream(req).await {
        Ok(s) => s,
        Err(e) => return (vec![], Some(e)),
    };
    let mut evs = Vec::new();
    while let Some(ev) = s.next().await {
        match ev {
            Ok(ev) => evs.push(ev),
            Err(e) => {
                assert!(s.next().await.is_none(), "an error ends the stream");
                return (evs, Some(e));
            }
        }
    }
    (evs, None)
}

fn text_of(evs: &[ChatEvent]) -> String {
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
async fn quirky_stream_with_split_utf8_pings_and_tool_calls() {
    // One logical stream, cut at awkward places: inside `data:`, inside a 3-byte UTF-8 char
    // (€ = E2 82 AC), inside CRLF, with keep-alive comments and missing fields.
    let whole = concat!(
        ": ping\r\n\r\n",
        "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\r\n\r\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"Price: 5 \u{20ac}\"}}]}\r\n\r\n",
        ": keep-alive\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_x\",\"function\":{\"name\":\"get_weather\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Köln\\\"}\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"finish_reason\":\"tool_calls\"}]}\n\n",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7}}\n\n",
        "data: [DONE]\n\n",
    )
    .as_bytes();
    let euro = whole.windows(3).position(|w| w == "€".as_bytes()).unwrap();
    let cuts = [
        3,
        20,
        euro + 1,
        euro + 2,
        200,
        201,
        333,
        420,
        421,
        whole.len() - 8,
        whole.len() - 1,
    ];
    let mut chunks = Vec::new();
    let mut prev = 0;
    for c in cuts {
        chunks.push(Step::Send(whole[prev..c].to_vec()));
        prev = c;
    }
    chunks.push(Step::Send(whole[prev..].to_vec()));
    let reply = Reply {
        steps: chunks,
        ..Reply::sse(&[])
    };
    let server = TestServer::start(vec![reply]).await;
    let client = ChatClient::new(cfg(&server).with_api_key("sk-test")).unwrap();
    let mut req = hello();
    req.tools = vec![ToolSpec {
        name: "get_weather".into(),
        description: None,
        parameters: json!(null),
    }];
    req.tool_choice = ToolChoice::Required;
    let (evs, err) = collect(&client, &req).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        evs,
        vec![
            ChatEvent::TextDelta("Price: 5 €".into()),
            ChatEvent::ToolCall(ToolCall {
                id: "call_x".into(),
                name: "get_weather".into(),
                arguments: r#"{"city":"Köln"}"#.into()
            }),
            ChatEvent::ToolCall(ToolCall {
                id: "call_2".into(),
                name: "get_time".into(),
                arguments: "{}".into()
            }),
            ChatEvent::Done {
                usage: Some(TokenUsage {
                    input_text_tokens: 12,
                    cached_tokens: 0,
                    output_text_tokens: 7
                }),
                finish_reason: FinishReason::ToolCalls
            },
        ]
    );
    let r = server.request(0);
    assert!(
        r.request_line.starts_with("POST /v1/chat/completions "),
        "{}",
        r.request_line
    );
    assert_eq!(r.header("authorization"), Some("Bearer sk-test"));
    let body = r.json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["tool_choice"], "required");
    assert_eq!(body["tools"][0]["function"]["parameters"]["type"], "object");
    assert_eq!(
        body["messages"][0],
        json!({"role": "system", "content": "Be brief."})
    );
    assert_eq!(body["max_tokens"], 32);
}

#[tokio::test]
async fn clean_end_without_done_and_without_blank_line() {
    let server = TestServer::start(vec![Reply::sse(&[
        "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}",
    ])])
    .await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let (evs, err) = collect(&client, &hello()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        evs,
        vec![
            ChatEvent::TextDelta("ok".into()),
            ChatEvent::Done {
                usage: None,
                finish_reason: FinishReason::Stop
            }
        ]
    );
}

#[tokio::test]
async fn empty_stream_is_an_error() {
    let server = TestServer::start(vec![Reply::sse(&[": ping\n\n"])]).await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let (_, err) = collect(&client, &hello()).await;
    assert_eq!(err, Some(Error::EmptyResponse));
}

#[tokio::test]
async fn stall_ends_the_stream_with_a_clear_error() {
    let mut reply = Reply::sse(&["data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"]);
    reply.steps.push(Step::Sleep(Duration::from_secs(5)));
    let server = TestServer::start(vec![reply]).await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let t = Instant::now();
    let (evs, err) = collect(&client, &hello()).await;
    assert_eq!(text_of(&evs), "Hel");
    let err = err.unwrap();
    assert_eq!(err, Error::Stalled(Duration::from_millis(400)));
    assert!(err.to_string().contains("stalled"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn keep_alives_do_not_reset_the_first_token_timeout() {
    let mut steps = Vec::new();
    for _ in 0..40 {
        steps.push(Step::Send(b": ping\n\n".to_vec()));
        steps.push(Step::Sleep(Duration::from_millis(100)));
    }
    let server = TestServer::start(vec![Reply {
        steps,
        ..Reply::sse(&[])
    }])
    .await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let t = Instant::now();
    let (evs, err) = collect(&client, &hello()).await;
    assert!(evs.is_empty());
    assert_eq!(
        err,
        Some(Error::FirstTokenTimeout(Duration::from_millis(1500)))
    );
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

#[tokio::test]
async fn rate_limit_then_success_is_retried() {
    let server = TestServer::start(vec![
        Reply::json(
            "429 Too Many Requests",
            r#"{"error":{"message":"slow down"}}"#,
        )
        .header("Retry-After", "0"),
        Reply::sse(&[
            "data: {\"choices\":[{\"delta\":{\"content\":\"fine\"}}]}\n\n",
            "data: [DONE]\n\n",
        ]),
    ])
    .await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let (evs, err) = collect(&client, &hello()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(text_of(&evs), "fine");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn persistent_500_gives_up_after_the_attempts() {
    let server = TestServer::start(vec![Reply::json(
        "500 Internal Server Error",
        r#"{"error":{"message":"boom"}}"#,
    )])
    .await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let (_, err) = collect(&client, &hello()).await;
    assert_eq!(
        err,
        Some(Error::Status {
            status: 500,
            message: "boom".into()
        })
    );
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn client_errors_are_not_retried_and_bodies_are_excerpted() {
    let long = format!(
        r#"{{"error":{{"message":"bad request: {}"}}}}"#,
        "x".repeat(10_000)
    );
    let server = TestServer::start(vec![Reply::json("400 Bad Request", &long)]).await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let (_, err) = collect(&client, &hello()).await;
    let Some(Error::Status {
        status: 400,
        message,
    }) = err
    else {
        panic!("{err:?}")
    };
    assert!(message.starts_with("bad request: xxx"));
    assert!(message.chars().count() <= vl_openai::EXCERPT_CHARS + 1);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn reset_before_the_response_is_retried() {
    let server = TestServer::start(vec![
        Reply::reset(),
        Reply::sse(&[
            "data: {\"choices\":[{\"delta\":{\"content\":\"again\"}}]}\n\ndata: [DONE]\n\n",
        ]),
    ])
    .await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let (evs, err) = collect(&client, &hello()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(text_of(&evs), "again");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn reset_during_the_stream_is_not_retried() {
    let mut reply = Reply::sse(&["data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n"]);
    reply.steps.push(Step::Sleep(Duration::from_millis(30)));
    reply.steps.push(Step::Reset);
    let server = TestServer::start(vec![reply]).await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let (evs, err) = collect(&client, &hello()).await;
    assert_eq!(text_of(&evs), "par");
    assert!(matches!(err, Some(Error::Interrupted(_))), "{err:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn connection_refused_reports_the_attempts() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut c = ClientConfig::new(format!("http://127.0.0.1:{port}/v1"));
    c.retry.initial_backoff = Duration::from_millis(5);
    let client = ChatClient::new(c).unwrap();
    let err = client.stream(&hello()).await.unwrap_err();
    let Error::Connect { attempts, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*attempts, 3);
    assert_eq!(err.code(), "backend_unavailable");
}

#[tokio::test]
async fn non_streaming_json_answer_is_accepted() {
    let server = TestServer::start(vec![Reply::json(
        "200 OK",
        r#"{"choices":[{"message":{"content":"whole","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{\"a\":1}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#,
    )])
    .await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let done = client.complete(&hello()).await.unwrap();
    assert_eq!(done.text, "whole");
    assert_eq!(
        done.tool_calls,
        vec![ToolCall {
            id: "c".into(),
            name: "f".into(),
            arguments: r#"{"a":1}"#.into()
        }]
    );
    assert_eq!(done.finish_reason, FinishReason::ToolCalls);
    assert_eq!(done.usage.unwrap().output_text_tokens, 2);
}

#[tokio::test]
async fn error_event_inside_the_stream() {
    let server = TestServer::start(vec![Reply::sse(&[
        "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n",
        "data: {\"error\":{\"message\":\"context length exceeded\",\"code\":400}}\n\n",
    ])])
    .await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let (_, err) = collect(&client, &hello()).await;
    assert_eq!(err, Some(Error::Service("context length exceeded".into())));
}

#[tokio::test]
async fn oversized_event_is_refused() {
    let big = format!(
        "data: {{\"choices\":[{{\"delta\":{{\"content\":\"{}\"}}}}]}}\n\n",
        "y".repeat(5000)
    );
    let server = TestServer::start(vec![Reply::sse(&[&big])]).await;
    let mut c = cfg(&server);
    c.limits.max_event_bytes = 1024;
    let client = ChatClient::new(c).unwrap();
    let (_, err) = collect(&client, &hello()).await;
    assert_eq!(
        err,
        Some(Error::TooLarge {
            what: "event",
            limit: 1024
        })
    );
}

#[tokio::test]
async fn azure_deployment_url_and_api_key_header() {
    let server = TestServer::start(vec![Reply::sse(&[
        "data: {\"choices\":[{\"delta\":{\"content\":\"az\"}}]}\n\ndata: [DONE]\n\n",
    ])])
    .await;
    let mut c = cfg(&server);
    c.endpoint = format!(
        "http://{}/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21",
        server.addr
    );
    c.model = None;
    c.api_key = Some("azkey".into());
    c.auth = vl_openai::AuthStyle::ApiKeyHeader;
    c.max_tokens_field = vl_openai::MaxTokensField::MaxCompletionTokens;
    let client = ChatClient::new(c).unwrap();
    let (evs, err) = collect(&client, &hello()).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(text_of(&evs), "az");
    let r = server.request(0);
    assert!(
        r.request_line
            .starts_with("POST /openai/deployments/gpt4o/chat/completions?api-version=2024-10-21 "),
        "{}",
        r.request_line
    );
    assert_eq!(r.header("api-key"), Some("azkey"));
    assert!(r.header("authorization").is_none());
    let body = r.json();
    assert!(body.get("model").is_none());
    assert_eq!(body["max_completion_tokens"], 32);
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let mut reply = Reply::sse(&["data: {\"choices\":[{\"delta\":{\"content\":\"tick\"}}]}\n\n"]);
    for _ in 0..200 {
        reply.steps.push(Step::Send(
            b"data: {\"choices\":[{\"delta\":{\"content\":\".\"}}]}\n\n".to_vec(),
        ));
        reply.steps.push(Step::Sleep(Duration::from_millis(20)));
    }
    let server = TestServer::start(vec![reply]).await;
    let client = ChatClient::new(cfg(&server)).unwrap();
    let mut s = client.stream(&hello()).await.unwrap();
    assert_eq!(
        s.next().await.unwrap().unwrap(),
        ChatEvent::TextDelta("tick".into())
    );
    drop(s);
    let t = Instant::now();
    while *server.write_errors.lock().unwrap() == 0 {
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "the server kept writing to a dropped stream"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
