//! The scripted LLM: `You said: <user text>`, tool calls by name, tool results echoed.

use crate::backend::{
    BackendOutput, ContextItem, FinishReason, GenerateRequest, Role, TokenUsage, ToolChoice,
};

/// Prefix of every reply to a user message.
pub const REPLY_PREFIX: &str = "You said: ";
/// Prefix of the reply after a `function_call_output`; the output follows verbatim.
pub const TOOL_RESULT_PREFIX: &str = "The tool returned: ";
/// The reply when the conversation holds no user message at all.
pub const GREETING: &str = "Hello! How can I help you?";

/// A rough token count for usage: one token per 4 bytes of text, rounded up.
pub(crate) fn estimate_tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4)
}

/// Answers one [`GenerateRequest`] deterministically.
///
/// * If the last context item is a `function_call_output`, the reply is
///   `The tool returned: <output>`.
/// * Otherwise, with tools and a `tool_choice` that allows them, the first tool (in session order)
///   whose name occurs in the last user message (case-insensitive) is called with arguments `{}`;
///   `required` calls the first tool if none is named, `{type:function,name}` calls that tool.
/// * Otherwise the reply is exactly `You said: <text of the last user message>`, or
///   [`GREETING`] if there is none.
///
/// The reply is streamed word by word (each delta is a word with its leading space); with
/// `max_output_tokens` it stops after that many deltas with [`FinishReason::Length`].
pub(crate) fn generate(req: &GenerateRequest) -> Vec<BackendOutput> {
    let mut usage = TokenUsage {
        input_text_tokens: estimate_tokens(&req.instructions),
        ..TokenUsage::default()
    };
    for item in &req.context {
        usage.input_text_tokens += match item {
            ContextItem::Message { text, .. } => estimate_tokens(text),
            ContextItem::FunctionCall {
                name, arguments, ..
            } => estimate_tokens(name) + estimate_tokens(arguments),
            ContextItem::FunctionCallOutput { output, .. } => estimate_tokens(output),
        };
    }
    let last_user = req.context.iter().rev().find_map(|item| match item {
        ContextItem::Message {
            role: Role::User,
            text,
        } => Some(text.as_str()),
        _ => None,
    });
    let reply = match req.context.last() {
        Some(ContextItem::FunctionCallOutput { output, .. }) => {
            format!("{TOOL_RESULT_PREFIX}{output}")
        }
        _ => {
            if let Some(tool) = choose_tool(req, last_user.unwrap_or("")) {
                usage.output_text_tokens = estimate_tokens(&tool) + 1;
                return vec![
                    BackendOutput::ToolCall {
                        request: req.id,
                        name: tool,
                        arguments: "{}".to_string(),
                    },
                    BackendOutput::GenerateDone {
                        request: req.id,
                        usage,
                        finish: FinishReason::Stop,
                    },
                ];
            }
            match last_user {
                Some(text) => format!("{REPLY_PREFIX}{text}"),
                None => GREETING.to_string(),
            }
        }
    };
    let mut out = Vec::new();
    let mut finish = FinishReason::Stop;
    for (n, delta) in split_words(&reply).into_iter().enumerate() {
        if let Some(cap) = req.max_output_tokens {
            if n as u64 >= u64::from(cap) {
                finish = FinishReason::Length;
                break;
            }
        }
        usage.output_text_tokens += 1;
        out.push(BackendOutput::TextDelta {
            request: req.id,
            delta: delta.to_string(),
        });
    }
    out.push(BackendOutput::GenerateDone {
        request: req.id,
        usage,
        finish,
    });
    out
}

fn choose_tool(req: &GenerateRequest, user_text: &str) -> Option<String> {
    if req.tools.is_empty() {
        return None;
    }
    let lower = user_text.to_lowercase();
    let named = req
        .tools
        .iter()
        .find(|t| !t.name.is_empty() && lower.contains(&t.name.to_lowercase()))
        .map(|t| t.name.clone());
    match &req.tool_choice {
        ToolChoice::None => None,
        ToolChoice::Auto => named,
        ToolChoice::Required => named.or_else(|| req.tools.first().map(|t| t.name.clone())),
        ToolChoice::Function(name) => req
            .tools
            .iter()
            .find(|t| &t.name == name)
            .map(|t| t.name.clone()),
    }
}

/// Splits `text` into deltas that each start with the whitespace before a word; concatenated
/// they give `text` back exactly.
pub(crate) fn split_words(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if in_word {
                parts.push(&text[start..i]);
                start = i;
                in_word = false;
            }
        } else {
            in_word = true;
        }
    }
    if start < text.len() {
        parts.push(&text[start..]);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_words_round_trips() {
        for text in ["You said: hello  world", " a", "", "x ", "né été"] {
            assert_eq!(split_words(text).concat(), text);
        }
        assert_eq!(split_words("You said: hi"), ["You", " said:", " hi"]);
    }
}
