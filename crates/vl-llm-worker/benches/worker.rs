//! Speed of the embedded SmolLM2 model (feature `llama`): time to first token for a short
//! voice-assistant prompt, and decode throughput (tokens/s) over 64 greedy tokens.
//! `cargo bench -p vl-llm-worker --features llama` (model: `$VL_LLM_MODEL` or
//! `models/llm/SmolLM2-135M-Instruct.Q4_1.gguf`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vl_llm_worker::llama::LlamaChat;
use vl_llm_worker::model::{ChatModel, GenParams, Message};

fn model_path() -> PathBuf {
    std::env::var_os("VL_LLM_MODEL").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../models/llm/SmolLM2-135M-Instruct.Q4_1.gguf")
        },
        PathBuf::from,
    )
}

fn params(user: &str, max_tokens: u32) -> GenParams {
    GenParams {
        messages: vec![
            Message {
                role: "system".into(),
                content: "You are a helpful voice assistant. Answer briefly.".into(),
            },
            Message {
                role: "user".into(),
                content: user.into(),
            },
        ],
        max_tokens,
        temperature: 0.0,
        seed: 1,
    }
}

fn bench(c: &mut Criterion) {
    let t = Instant::now();
    let mut model = LlamaChat::load(&model_path(), "smollm2".into(), 2048, 1).expect("model loads");
    eprintln!("model load: {:.3} s", t.elapsed().as_secs_f64());

    let mut g = c.benchmark_group("smollm2");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    let ttft = params("What is the capital of France?", 1);
    g.bench_function("ttft_short_prompt", |b| {
        b.iter(|| model.generate(&ttft, &mut |_| true).expect("generates"))
    });

    // Count the tokens a 64-token greedy run really produces (it may stop early) for throughput.
    let long = params(
        "Tell me a long story about a dragon who learns to cook.",
        64,
    );
    let n = model
        .generate(&long, &mut |_| true)
        .expect("generates")
        .completion_tokens;
    g.throughput(Throughput::Elements(u64::from(n)));
    g.bench_function(format!("generate_{n}_tokens"), |b| {
        b.iter(|| model.generate(&long, &mut |_| true).expect("generates"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
