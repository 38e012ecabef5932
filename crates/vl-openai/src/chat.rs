//! A sans-IO accumulator from Chat Completions chunks (the `data:` payloads of the SSE stream,
//! or one whole non-streamed completion) to [`ChatEvent`]s.
//!
//! Tolerated: missing `choices`, `delta`, `role` or `index`; `content` as an array of parts;
//! `usage` in its own chunk (with empty `choices`) or in any other; tool-call deltas split
//! across many chunks and interleaved by `index`, with the name only in the first and the id
//! missing; `arguments` sent as an object; several JSON objects in one event (one per `data:`
//! line); choices other than the first are ignored.

use crate::error::{Error, excerpt, json_error_message};
use crate::types::{
    ChatEvent, FinishReason, TokenUsage, ToolCall, WireChoice, WireChunk, WireMessage,
    arguments_text, content_text,
};

#[derive(Debug, Clone, Default)]
struct PartialCall {
    index: u64,
    id: Option<String>,
    name: String,
    arguments: String,
}

/// Turns chunks into events; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct ChatAccumulator {
    calls: Vec<PartialCall>,
    finish: Option<FinishReason>,
    usage: Option<TokenUsage>,
    got_output: bool,
    got_any: bool,
    done: bool,
    max_arguments_bytes: usize,
    calls_emitted: usize,
}

impl ChatAccumulator {
    /// An accumulator that rejects tool-call arguments longer than `max_arguments_bytes`.
    pub fn new(max_arguments_bytes: usize) -> Self {
        Self {
            calls: Vec::new(),
            finish: None,
            usage: None,
            got_output: false,
            got_any: false,
            done: false,
            max_arguments_bytes,
            calls_emitted: 0,
        }
    }

    /// Whether any generated output (text, a tool-call fragment or a finish reason) arrived.
    pub fn got_output(&self) -> bool {
        self.got_output
    }

    /// Whether [`Done`](ChatEvent::Done) was emitted.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Feeds one SSE `data` payload (not `[DONE]`) and appends the events it completes.
    ///
    /// # Errors
    /// [`Error::Protocol`] for a payload that is not JSON, [`Error::Service`] for an error
    /// object sent in the stream, [`Error::TooLarge`] for oversized tool arguments.
    pub fn push_data(&mut self, data: &str, out: &mut Vec<ChatEvent>) -> Result<(), Error> {
        let data = data.trim();
        if data.is_empty() || self.done {
            return Ok(());
        }
        match serde_json::from_str::<serde_json::Value>(data) {
            Ok(v) => self.push_value(v, out),
            Err(e) => {
                // Servers that forget the blank line between events: one object per line.
                if data.contains('\n') {
                    for line in data.lines() {
                        let line = line.trim();
                        let line = line.strip_prefix("data:").map_or(line, str::trim_start);
                        if line == "[DONE]" {
                            self.finish(out);
                        } else if !line.is_empty() {
                            self.push_data(line, out)?;
                        }
                    }
                    return Ok(());
                }
                Err(Error::Protocol(format!(
                    "a stream event is not JSON ({e}): {}",
                    excerpt(data)
                )))
            }
        }
    }

    /// Feeds one parsed JSON chunk.
    ///
    /// # Errors
    /// As [`push_data`](Self::push_data).
    pub fn push_value(
        &mut self,
        v: serde_json::Value,
        out: &mut Vec<ChatEvent>,
    ) -> Result<(), Error> {
        if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
            let msg = json_error_message(&serde_json::json!({ "error": err }))
                .unwrap_or_else(|| err.to_string());
            return Err(Error::Service(excerpt(&msg)));
        }
        let chunk: WireChunk = serde_json::from_value(v).map_err(|e| {
            Error::Protocol(format!(
                "a stream event has an unexpected shape: {}",
                excerpt(&e.to_string())
            ))
        })?;
        self.got_any = true;
        if let Some(u) = &chunk.usage {
            self.usage = Some(u.to_usage());
        }
        let first = chunk
            .choices
            .unwrap_or_default()
            .into_iter()
            .find(|c| c.index.unwrap_or(0) == 0);
        if let Some(choice) = first {
            self.push_choice(choice, out)?;
        }
        Ok(())
    }

    fn push_choice(&mut self, choice: WireChoice, out: &mut Vec<ChatEvent>) -> Result<(), Error> {
        let WireChoice {
            delta,
            message,
            finish_reason,
            ..
        } = choice;
        if let Some(m) = delta.or(message) {
            self.push_message(m, out)?;
        }
        if let Some(r) = finish_reason.filter(|r| !r.is_empty()) {
            self.got_output = true;
            self.finish = Some(FinishReason::from_wire(&r));
            self.emit_calls(out);
        }
        Ok(())
    }

    fn push_message(&mut self, m: WireMessage, out: &mut Vec<ChatEvent>) -> Result<(), Error> {
        if let Some(text) = m.content.as_ref().and_then(content_text) {
            if !text.is_empty() {
                self.got_output = true;
                out.push(ChatEvent::TextDelta(text));
            }
        }
        for (pos, tc) in m.tool_calls.unwrap_or_default().into_iter().enumerate() {
            self.got_output = true;
            let func = tc.function.unwrap_or_default();
            let slot = self.slot(tc.index, tc.id.as_deref(), func.name.as_deref(), pos);
            let Some(call) = self.calls.get_mut(slot) else {
                continue;
            };
            if call.id.is_none() {
                call.id = tc.id.filter(|s| !s.is_empty());
            }
            if let Some(name) = func.name.filter(|n| !n.is_empty()) {
                // The name normally comes whole in the first delta; some servers repeat it.
                if call.name.is_empty() {
                    call.name = name;
                } else if call.name != name && !call.name.ends_with(&name) {
                    call.name.push_str(&name);
                }
            }
            if let Some(args) = func.arguments.as_ref() {
                let args = arguments_text(args);
                if call.arguments.len() + args.len() > self.max_arguments_bytes {
                    return Err(Error::TooLarge {
                        what: "tool arguments",
                        limit: self.max_arguments_bytes,
                    });
                }
                call.arguments.push_str(&args);
            }
        }
        Ok(())
    }

    /// Which partial call a delta belongs to.
    fn slot(
        &mut self,
        index: Option<u64>,
        id: Option<&str>,
        name: Option<&str>,
        pos: usize,
    ) -> usize {
        let id = id.filter(|s| !s.is_empty());
        let found = match index {
            Some(i) => self.calls.iter().position(|c| c.index == i),
            None => match id {
                Some(id) => self.calls.iter().position(|c| c.id.as_deref() == Some(id)),
                // No index and no id: a new call if it names a tool, else the latest one.
                None if name.is_some_and(|n| !n.is_empty()) => None,
                None => self.calls.len().checked_sub(1),
            },
        };
        if let Some(f) = found {
            return f;
        }
        let index = index.unwrap_or_else(|| {
            let next = self.calls.iter().map(|c| c.index + 1).max().unwrap_or(0);
            next.max(pos as u64)
        });
        self.calls.push(PartialCall {
            index,
            ..Default::default()
        });
        self.calls.len() - 1
    }

    fn emit_calls(&mut self, out: &mut Vec<ChatEvent>) {
        let mut calls = std::mem::take(&mut self.calls);
        calls.sort_by_key(|c| c.index);
        for c in calls {
            self.calls_emitted += 1;
            let id =
                c.id.unwrap_or_else(|| format!("call_{}", self.calls_emitted));
            let arguments = if c.arguments.trim().is_empty() {
                "{}".to_owned()
            } else {
                c.arguments
            };
            out.push(ChatEvent::ToolCall(ToolCall {
                id,
                name: c.name,
                arguments,
            }));
        }
    }

    /// Ends the stream (`[DONE]`, or the end of the body): emits pending tool calls and
    /// [`Done`](ChatEvent::Done), once.
    pub fn finish(&mut self, out: &mut Vec<ChatEvent>) {
        if self.done {
            return;
        }
        let had_calls = !self.calls.is_empty() || self.calls_emitted > 0;
        self.emit_calls(out);
        let finish_reason = match self.finish {
            Some(r) => r,
            None if had_calls => FinishReason::ToolCalls,
            None => FinishReason::Stop,
        };
        self.done = true;
        out.push(ChatEvent::Done {
            usage: self.usage,
            finish_reason,
        });
    }

    /// Ends a body that closed without `[DONE]`: like [`finish`](Self::finish) when anything
    /// was received.
    ///
    /// # Errors
    /// [`Error::EmptyResponse`] when no chunk at all arrived.
    pub fn finish_eof(&mut self, out: &mut Vec<ChatEvent>) -> Result<(), Error> {
        if !self.got_any && !self.done {
            return Err(Error::EmptyResponse);
        }
        self.finish(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&str]) -> Vec<ChatEvent> {
        let mut acc = ChatAccumulator::new(1 << 20);
        let mut out = Vec::new();
        for c in chunks {
            acc.push_data(c, &mut out).unwrap();
        }
        acc.finish(&mut out);
        out
    }

    fn call(id: &str, name: &str, args: &str) -> ChatEvent {
        ChatEvent::ToolCall(ToolCall {
            id: id.into(),
            name: name.into(),
            arguments: args.into(),
        })
    }

    #[test]
    fn text_with_missing_fields_and_usage_chunk() {
        let ev = run(&[
            r#"{"choices":[{"delta":{"role":"assistant"}}]}"#,
            r#"{"choices":[{"delta":{"content":"Hel"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}"#,
            r#"{"id":"x","object":"chat.completion.chunk","choices":[{"delta":{},"finish_reason":"length"}]}"#,
            r#"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4}}}"#,
        ]);
        assert_eq!(
            ev,
            vec![
                ChatEvent::TextDelta("Hel".into()),
                ChatEvent::TextDelta("lo".into()),
                ChatEvent::Done {
                    usage: Some(TokenUsage {
                        input_text_tokens: 10,
                        cached_tokens: 4,
                        output_text_tokens: 2
                    }),
                    finish_reason: FinishReason::Length
                }
            ]
        );
    }

    #[test]
    fn interleaved_split_tool_calls() {
        let ev = run(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"name":"get_time"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\":"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"UTC\"}"}}]}}]}"#,
            r#"{"choices":[{"delta":{},"finish_reason":"tool_calls"}]}"#,
        ]);
        assert_eq!(
            ev,
            vec![
                call("call_a", "get_weather", r#"{"city":"Paris"}"#),
                call("call_2", "get_time", r#"{"tz":"UTC"}"#),
                ChatEvent::Done {
                    usage: None,
                    finish_reason: FinishReason::ToolCalls
                }
            ]
        );
    }

    #[test]
    fn whole_calls_without_index_and_object_arguments() {
        let ev = run(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"function":{"name":"a","arguments":{"x":1}}},{"function":{"name":"b","arguments":"{}"}}]}}]}"#,
        ]);
        assert_eq!(
            ev,
            vec![
                call("call_1", "a", r#"{"x":1}"#),
                call("call_2", "b", "{}"),
                ChatEvent::Done {
                    usage: None,
                    finish_reason: FinishReason::ToolCalls
                }
            ]
        );
    }

    #[test]
    fn non_streamed_message_and_content_parts() {
        let ev = run(&[
            r#"{"choices":[{"message":{"role":"assistant","content":[{"type":"text","text":"Hi"}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":3}}"#,
        ]);
        assert_eq!(ev[0], ChatEvent::TextDelta("Hi".into()));
        assert_eq!(
            ev[1],
            ChatEvent::Done {
                usage: Some(TokenUsage {
                    input_text_tokens: 3,
                    ..Default::default()
                }),
                finish_reason: FinishReason::Stop
            }
        );
    }

    #[test]
    fn several_objects_in_one_event_and_other_choices() {
        let ev = run(&[
            "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\ndata: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"x\"}},{\"index\":0,\"delta\":{\"content\":\"b\"}}]}",
        ]);
        assert_eq!(
            ev[..2],
            [
                ChatEvent::TextDelta("a".into()),
                ChatEvent::TextDelta("b".into())
            ]
        );
    }

    #[test]
    fn errors() {
        let mut acc = ChatAccumulator::new(8);
        let mut out = Vec::new();
        let e = acc
            .push_data(r#"{"error":{"message":"model overloaded"}}"#, &mut out)
            .unwrap_err();
        assert_eq!(e, Error::Service("model overloaded".into()));
        assert!(matches!(
            acc.push_data("not json", &mut out),
            Err(Error::Protocol(_))
        ));
        assert!(matches!(
            acc.push_data(r#"{"choices":"nope"}"#, &mut out),
            Err(Error::Protocol(_))
        ));
        let e = acc
            .push_data(r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":"0123456789"}}]}}]}"#, &mut out)
            .unwrap_err();
        assert!(matches!(e, Error::TooLarge { .. }));
        let mut acc = ChatAccumulator::new(8);
        assert_eq!(acc.finish_eof(&mut out), Err(Error::EmptyResponse));
    }
}
