//! Maps a [`ChatRequest`] to the Chat Completions JSON body.

use serde_json::{Value, json};

use crate::config::MaxTokensField;
use crate::types::{
    ChatRequest, ContextItem, Role, ToolChoice, WireFunction, WireMessage, WireRequest,
    WireToolCall,
};

/// What a request body needs from the client configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyOptions<'a> {
    pub(crate) model: Option<&'a str>,
    pub(crate) stream: bool,
    pub(crate) include_usage: bool,
    pub(crate) max_tokens_field: MaxTokensField,
}

/// Content of a `tool` message for a call whose output never came (the API rejects a tool call
/// that is not answered before the next message).
pub const MISSING_TOOL_OUTPUT: &str = "(no result was provided for this call)";

/// The messages for `req`: instructions as a `system` message; consecutive tool calls merged
/// into one assistant message; every call answered by a `tool` message before the next
/// non-tool message (a missing output is filled with [`MISSING_TOOL_OUTPUT`]); an output with
/// no open call is sent as user text.
pub fn messages(req: &ChatRequest) -> Vec<WireMessage> {
    let mut out: Vec<WireMessage> = Vec::new();
    if !req.instructions.trim().is_empty() {
        out.push(text_message("system", &req.instructions));
    }
    // Calls of the last assistant tool-call message that have no output yet.
    let mut open: Vec<&str> = Vec::new();
    for item in &req.context {
        match item {
            ContextItem::Message { role, text } => {
                close_calls(&mut out, &mut open);
                out.push(text_message(role.as_str(), text));
            }
            ContextItem::FunctionCall {
                call_id,
                name,
                arguments,
            } => {
                let call = WireToolCall {
                    index: None,
                    id: Some(call_id.clone()),
                    kind: Some("function".to_owned()),
                    function: Some(WireFunction {
                        name: Some(name.clone()),
                        arguments: Some(Value::String(if arguments.trim().is_empty() {
                            "{}".to_owned()
                        } else {
                            arguments.clone()
                        })),
                    }),
                };
                if let Some(calls) = out
                    .last_mut()
                    .filter(|m| m.role == "assistant")
                    .and_then(|m| m.tool_calls.as_mut())
                {
                    calls.push(call);
                    open.push(call_id.as_str());
                } else {
                    close_calls(&mut out, &mut open);
                    open.push(call_id.as_str());
                    out.push(WireMessage {
                        role: "assistant".to_owned(),
                        content: None,
                        tool_calls: Some(vec![call]),
                        tool_call_id: None,
                    });
                }
            }
            ContextItem::FunctionCallOutput { call_id, output } => {
                if let Some(pos) = open.iter().position(|c| *c == call_id.as_str()) {
                    open.remove(pos);
                    out.push(WireMessage {
                        role: "tool".to_owned(),
                        content: Some(Value::String(output.clone())),
                        tool_calls: None,
                        tool_call_id: Some(call_id.clone()),
                    });
                } else {
                    close_calls(&mut out, &mut open);
                    out.push(text_message(
                        Role::User.as_str(),
                        &format!("Result of tool call {call_id}: {output}"),
                    ));
                }
            }
        }
    }
    close_calls(&mut out, &mut open);
    out
}

/// Answers every still-open call, so the next message is valid.
fn close_calls(out: &mut Vec<WireMessage>, open: &mut Vec<&str>) {
    for id in open.drain(..) {
        out.push(WireMessage {
            role: "tool".to_owned(),
            content: Some(Value::String(MISSING_TOOL_OUTPUT.to_owned())),
            tool_calls: None,
            tool_call_id: Some(id.to_owned()),
        });
    }
}

fn text_message(role: &str, text: &str) -> WireMessage {
    WireMessage {
        role: role.to_owned(),
        content: Some(Value::String(text.to_owned())),
        tool_calls: None,
        tool_call_id: None,
    }
}

/// The whole JSON body.
pub(crate) fn body(req: &ChatRequest, opts: BodyOptions<'_>) -> WireRequest {
    let tools = (!req.tools.is_empty()).then(|| {
        req.tools
            .iter()
            .map(|t| {
                let parameters = if t.parameters.is_null() {
                    json!({"type": "object", "properties": {}})
                } else {
                    t.parameters.clone()
                };
                let mut function = json!({"name": t.name, "parameters": parameters});
                if let (Some(d), Some(obj)) = (&t.description, function.as_object_mut()) {
                    obj.insert("description".to_owned(), Value::String(d.clone()));
                }
                json!({"type": "function", "function": function})
            })
            .collect::<Vec<_>>()
    });
    let tool_choice = tools.as_ref().map(|_| match &req.tool_choice {
        ToolChoice::Auto => json!("auto"),
        ToolChoice::None => json!("none"),
        ToolChoice::Required => json!("required"),
        ToolChoice::Function(name) => json!({"type": "function", "function": {"name": name}}),
    });
    let (max_tokens, max_completion_tokens) = match opts.max_tokens_field {
        MaxTokensField::MaxTokens => (req.max_output_tokens, None),
        MaxTokensField::MaxCompletionTokens => (None, req.max_output_tokens),
        MaxTokensField::Both => (req.max_output_tokens, req.max_output_tokens),
    };
    WireRequest {
        model: req.model.clone().or_else(|| opts.model.map(str::to_owned)),
        messages: messages(req),
        stream: opts.stream,
        stream_options: (opts.stream && opts.include_usage).then(|| json!({"include_usage": true})),
        tools,
        tool_choice,
        // f32 -> f64 with 6 decimals, so 0.7 goes out as 0.7, not 0.699999988.
        temperature: req
            .temperature
            .filter(|t| t.is_finite())
            .map(|t| (f64::from(t) * 1e6).round() / 1e6),
        max_tokens,
        max_completion_tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ToolSpec;

    fn opts(field: MaxTokensField) -> BodyOptions<'static> {
        BodyOptions {
            model: Some("m"),
            stream: true,
            include_usage: true,
            max_tokens_field: field,
        }
    }

    fn call(id: &str) -> ContextItem {
        ContextItem::FunctionCall {
            call_id: id.into(),
            name: "f".into(),
            arguments: "{}".into(),
        }
    }

    fn output(id: &str) -> ContextItem {
        ContextItem::FunctionCallOutput {
            call_id: id.into(),
            output: "ok".into(),
        }
    }

    #[test]
    fn full_body() {
        let req = ChatRequest {
            model: None,
            instructions: "Be brief.".into(),
            context: vec![
                ContextItem::Message {
                    role: Role::User,
                    text: "weather?".into(),
                },
                call("c1"),
                output("c1"),
                ContextItem::Message {
                    role: Role::Assistant,
                    text: "Sunny.".into(),
                },
            ],
            tools: vec![ToolSpec {
                name: "get_weather".into(),
                description: Some("Weather".into()),
                parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
            }],
            tool_choice: ToolChoice::Function("get_weather".into()),
            temperature: Some(0.7),
            max_output_tokens: Some(64),
        };
        let v = serde_json::to_value(body(&req, opts(MaxTokensField::MaxTokens))).unwrap();
        assert_eq!(
            v,
            json!({
                "model": "m",
                "stream": true,
                "stream_options": {"include_usage": true},
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "weather?"},
                    {"role": "assistant", "content": null, "tool_calls": [
                        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                    ]},
                    {"role": "tool", "content": "ok", "tool_call_id": "c1"},
                    {"role": "assistant", "content": "Sunny."}
                ],
                "tools": [{"type": "function", "function": {
                    "name": "get_weather", "description": "Weather",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}
                }}],
                "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
                "temperature": 0.7,
                "max_tokens": 64
            })
        );
    }

    #[test]
    fn max_tokens_fields_and_no_tools() {
        let req = ChatRequest {
            max_output_tokens: Some(9),
            ..Default::default()
        };
        let v = serde_json::to_value(body(&req, opts(MaxTokensField::Both))).unwrap();
        assert_eq!(v["max_tokens"], 9);
        assert_eq!(v["max_completion_tokens"], 9);
        assert!(v.get("tools").is_none() && v.get("tool_choice").is_none());
        assert!(v.get("temperature").is_none());
        let v =
            serde_json::to_value(body(&req, opts(MaxTokensField::MaxCompletionTokens))).unwrap();
        assert!(v.get("max_tokens").is_none());
        assert_eq!(v["max_completion_tokens"], 9);
        assert_eq!(v["messages"], json!([]));
    }

    #[test]
    fn parallel_calls_merge_and_missing_outputs_are_answered() {
        let req = ChatRequest {
            context: vec![
                call("a"),
                call("b"),
                output("b"),
                output("a"),
                call("c"),
                output("zz"),
            ],
            ..Default::default()
        };
        let m = messages(&req);
        let roles: Vec<&str> = m.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(
            roles,
            ["assistant", "tool", "tool", "assistant", "tool", "user"]
        );
        assert_eq!(m[0].tool_calls.as_ref().unwrap().len(), 2);
        assert_eq!(m[3].tool_calls.as_ref().unwrap().len(), 1);
        assert_eq!(m[4].tool_call_id.as_deref(), Some("c"));
        assert_eq!(m[4].content, Some(json!(MISSING_TOOL_OUTPUT)));
        assert!(
            m[5].content
                .as_ref()
                .unwrap()
                .as_str()
                .unwrap()
                .contains("zz")
        );
    }
}
