//! SmolLM2 (or any chat GGUF) through llama.cpp (`llama-cpp-2`), feature `llama`.

use std::num::NonZeroU32;
use std::path::Path;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;

use crate::model::{ChatModel, Finish, GenParams, GenStats, Message, ModelError};

/// A GGUF chat model loaded with llama.cpp; the GGUF's own chat template (ChatML for
/// SmolLM2, the fallback when the file has none) formats prompts.
pub struct LlamaChat {
    // Field order matters: the model must drop before the backend.
    model: LlamaModel,
    backend: LlamaBackend,
    template: LlamaChatTemplate,
    name: String,
    ctx: u32,
    threads: i32,
}

impl std::fmt::Debug for LlamaChat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlamaChat")
            .field("name", &self.name)
            .field("ctx", &self.ctx)
            .finish()
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> ModelError {
    ModelError::Failed(format!("{what}: {e}"))
}

impl LlamaChat {
    /// Loads `path` with a context of `ctx` tokens and `threads` threads.
    ///
    /// # Errors
    /// When the file is missing or cannot be loaded.
    pub fn load(path: &Path, name: String, ctx: u32, threads: u32) -> Result<Self, ModelError> {
        // llama-cpp-2 only debug-asserts that the file exists; check it here.
        if !path.is_file() {
            return Err(ModelError::Failed(format!(
                "model file {} not found",
                path.display()
            )));
        }
        let backend = LlamaBackend::init().map_err(|e| failed("llama.cpp init", e))?;
        llama_cpp_2::send_logs_to_tracing(
            llama_cpp_2::LogOptions::default().with_logs_enabled(false),
        );
        let model = LlamaModel::load_from_file(&backend, path, &LlamaModelParams::default())
            .map_err(|e| failed(&format!("loading {}", path.display()), e))?;
        // SmolLM2's GGUF carries its ChatML template; llama.cpp recognises it by
        // `<|im_start|>`. A GGUF without one gets plain ChatML.
        let template = match model.chat_template(None) {
            Ok(t) => t,
            Err(_) => LlamaChatTemplate::new("chatml").map_err(|e| failed("chat template", e))?,
        };
        Ok(Self {
            model,
            backend,
            template,
            name,
            ctx: ctx.max(256),
            threads: i32::try_from(threads.max(1)).unwrap_or(2),
        })
    }

    fn prompt(&self, messages: &[Message]) -> Result<String, ModelError> {
        let chat = messages
            .iter()
            .map(|m| LlamaChatMessage::new(m.role.clone(), m.content.replace('\0', " ")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| failed("chat message", e))?;
        self.model
            .apply_chat_template(&self.template, &chat, true)
            .map_err(|e| failed("chat template", e))
    }
}

impl ChatModel for LlamaChat {
    fn name(&self) -> &str {
        &self.name
    }

    fn generate(
        &mut self,
        params: &GenParams,
        sink: &mut dyn FnMut(&str) -> bool,
    ) -> Result<GenStats, ModelError> {
        // Keep the system message and drop the oldest turns until prompt + output fit.
        let mut messages = params.messages.clone();
        let budget = usize::try_from(self.ctx.saturating_sub(params.max_tokens.min(self.ctx / 2)))
            .unwrap_or(0);
        let tokens = loop {
            let prompt = self.prompt(&messages)?;
            // The template writes the special tokens as text: parse them, add nothing.
            let tokens = self.model.vocab().tokenize(prompt.as_bytes(), false, true);
            if tokens.len() < budget {
                break tokens;
            }
            let first_turn = messages.iter().position(|m| m.role != "system");
            match first_turn {
                Some(i) if messages.len() - i > 1 => {
                    messages.remove(i);
                }
                _ => return Err(ModelError::ContextLength { ctx: self.ctx }),
            }
        };
        let ctx_params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(self.ctx))
            .with_n_batch(self.ctx)
            .with_n_threads(self.threads)
            .with_n_threads_batch(self.threads);
        let mut ctx = self
            .model
            .new_context(&self.backend, ctx_params)
            .map_err(|e| failed("context", e))?;
        let mut batch = LlamaBatch::new(tokens.len().max(1), 1);
        let last = i32::try_from(tokens.len()).unwrap_or(i32::MAX) - 1;
        for (i, t) in (0_i32..).zip(tokens.iter()) {
            batch
                .add(*t, i, &[0], i == last)
                .map_err(|e| failed("batch", e))?;
        }
        ctx.decode(&mut batch)
            .map_err(|e| failed("prompt decode", e))?;
        let n_vocab = self.model.n_vocab();
        let mut sampler = if params.temperature <= 0.0 {
            LlamaSampler::chain_simple([
                LlamaSampler::penalties(n_vocab, 64, 1.1, 0.0, 0.0),
                LlamaSampler::greedy(),
            ])
        } else {
            LlamaSampler::chain_simple([
                LlamaSampler::penalties(n_vocab, 64, 1.1, 0.0, 0.0),
                LlamaSampler::top_k(40),
                LlamaSampler::top_p(0.95, 1),
                LlamaSampler::temp(params.temperature),
                LlamaSampler::dist(params.seed),
            ])
        };
        // Bytes of a UTF-8 character split across tokens, held until it is complete.
        let mut pending: Vec<u8> = Vec::new();
        let mut stats = GenStats {
            prompt_tokens: u32::try_from(tokens.len()).unwrap_or(u32::MAX),
            completion_tokens: 0,
            finish: Finish::Stop,
        };
        let mut pos = last + 1;
        let ctx_len = i32::try_from(self.ctx).unwrap_or(i32::MAX);
        let mut batch = LlamaBatch::new(1, 1);
        loop {
            if stats.completion_tokens >= params.max_tokens || pos >= ctx_len {
                stats.finish = Finish::Length;
                break;
            }
            // `sample` also accepts the token into the chain (penalty history).
            let token = sampler.sample(&ctx, -1);
            let vocab = self.model.vocab();
            if vocab.is_eog(token) {
                break;
            }
            stats.completion_tokens += 1;
            pending.extend(vocab.token_to_piece(token, false, None));
            let piece = take_utf8(&mut pending);
            if !piece.is_empty() && !sink(&piece) {
                stats.finish = Finish::Cancelled;
                break;
            }
            batch.clear();
            batch
                .add(token, pos, &[0], true)
                .map_err(|e| failed("batch", e))?;
            ctx.decode(&mut batch).map_err(|e| failed("decode", e))?;
            pos += 1;
        }
        Ok(stats)
    }
}

/// The complete UTF-8 text at the start of `pending` (invalid bytes become U+FFFD); an
/// incomplete character at the end stays in `pending`.
fn take_utf8(pending: &mut Vec<u8>) -> String {
    match std::str::from_utf8(pending) {
        Ok(s) => {
            let out = s.to_owned();
            pending.clear();
            out
        }
        Err(e) if e.error_len().is_none() => {
            let valid = e.valid_up_to();
            let out =
                String::from_utf8_lossy(pending.get(..valid).unwrap_or_default()).into_owned();
            pending.drain(..valid);
            out
        }
        Err(_) => {
            let out = String::from_utf8_lossy(pending).into_owned();
            pending.clear();
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::take_utf8;

    #[test]
    fn utf8_split_across_tokens() {
        let mut p = "a\u{20ac}".as_bytes()[..3].to_vec();
        assert_eq!(take_utf8(&mut p), "a");
        p.push(0xAC);
        assert_eq!(take_utf8(&mut p), "\u{20ac}");
        assert!(p.is_empty());
        let mut p = vec![b'x', 0xFF, b'y'];
        assert_eq!(take_utf8(&mut p), "x\u{fffd}y");
    }
}
