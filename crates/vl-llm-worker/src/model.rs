//! The model interface the HTTP layer drives, and the deterministic echo test model.

use std::time::Duration;

/// One chat message after the request was normalised (tool traffic rendered as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The text.
    pub content: String,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GenParams {
    /// The conversation, oldest first.
    pub messages: Vec<Message>,
    /// Output token cap (already limited by the worker's `--max-tokens`).
    pub max_tokens: u32,
    /// Sampling temperature; `<= 0` means greedy.
    pub temperature: f32,
    /// Sampling seed.
    pub seed: u32,
}

/// Why a generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// End of turn.
    Stop,
    /// `max_tokens` or the context was reached.
    Length,
    /// The sink asked to stop (the client went away).
    Cancelled,
}

impl Finish {
    /// The wire `finish_reason`.
    pub fn as_wire(self) -> &'static str {
        match self {
            Self::Stop | Self::Cancelled => "stop",
            Self::Length => "length",
        }
    }
}

/// Counts of one generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenStats {
    /// Prompt tokens.
    pub prompt_tokens: u32,
    /// Generated tokens.
    pub completion_tokens: u32,
    /// Why it stopped.
    pub finish: Finish,
}

/// A generation failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The prompt does not fit the context even after dropping old messages.
    #[error("the conversation is too long for the model's context of {ctx} tokens")]
    ContextLength {
        /// The context size, in tokens.
        ctx: u32,
    },
    /// The model failed.
    #[error("the model failed: {0}")]
    Failed(String),
}

/// A chat model: blocking; called on a blocking thread, one generation at a time.
pub trait ChatModel: Send {
    /// The id reported in `/v1/models` and in responses.
    fn name(&self) -> &str;

    /// Generates a reply, passing each piece of text to `sink`; stops early when `sink`
    /// returns `false`.
    ///
    /// # Errors
    /// [`ModelError`] when the prompt does not fit or the model fails.
    fn generate(
        &mut self,
        params: &GenParams,
        sink: &mut dyn FnMut(&str) -> bool,
    ) -> Result<GenStats, ModelError>;
}

/// A deterministic **test** model (not a language model): replies `Echo: <last user message>`,
/// one word per token, so the HTTP/SSE layer can be tested without llama.cpp.
#[derive(Debug, Clone, Default)]
pub struct EchoTestModel {
    /// Pause after each token (to test cancellation); zero by default.
    pub token_delay: Duration,
}

/// The name [`EchoTestModel`] reports.
pub const ECHO_TEST_MODEL_NAME: &str = "echo-test";

impl ChatModel for EchoTestModel {
    fn name(&self) -> &str {
        ECHO_TEST_MODEL_NAME
    }

    fn generate(
        &mut self,
        params: &GenParams,
        sink: &mut dyn FnMut(&str) -> bool,
    ) -> Result<GenStats, ModelError> {
        let prompt_tokens: usize = params
            .messages
            .iter()
            .map(|m| m.content.split_whitespace().count() + 1)
            .sum();
        let last = params
            .messages
            .iter()
            .rev()
            .find(|m| m.role == "user")
            .map_or("", |m| m.content.as_str());
        let reply = format!("Echo: {last}");
        let words: Vec<&str> = reply.split_whitespace().collect();
        let mut stats = GenStats {
            prompt_tokens: u32::try_from(prompt_tokens).unwrap_or(u32::MAX),
            completion_tokens: 0,
            finish: Finish::Stop,
        };
        for (i, w) in words.iter().enumerate() {
            if stats.completion_tokens >= params.max_tokens {
                stats.finish = Finish::Length;
                break;
            }
            let piece = if i == 0 {
                (*w).to_owned()
            } else {
                format!(" {w}")
            };
            stats.completion_tokens += 1;
            if !sink(&piece) {
                stats.finish = Finish::Cancelled;
                break;
            }
            if !self.token_delay.is_zero() {
                std::thread::sleep(self.token_delay);
            }
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(max_tokens: u32) -> GenParams {
        GenParams {
            messages: vec![
                Message {
                    role: "system".into(),
                    content: "sys".into(),
                },
                Message {
                    role: "user".into(),
                    content: "one two three".into(),
                },
            ],
            max_tokens,
            temperature: 0.0,
            seed: 0,
        }
    }

    #[test]
    fn echo_and_caps() {
        let mut m = EchoTestModel::default();
        let mut out = String::new();
        let s = m.generate(&params(100), &mut |t| {
            out.push_str(t);
            true
        });
        assert_eq!(out, "Echo: one two three");
        assert_eq!(
            s.unwrap(),
            GenStats {
                prompt_tokens: 6,
                completion_tokens: 4,
                finish: Finish::Stop
            }
        );
        let mut out = String::new();
        let s = m.generate(&params(2), &mut |t| {
            out.push_str(t);
            true
        });
        assert_eq!(out, "Echo: one");
        assert_eq!(s.unwrap().finish, Finish::Length);
        let s = m.generate(&params(100), &mut |_| false).unwrap();
        assert_eq!((s.completion_tokens, s.finish), (1, Finish::Cancelled));
    }
}
