//! Integration tests of `vl-vad`: state-machine properties, synthetic signals and real labelled
//! clips (TEN VAD test set from `shared/data`; a missing folder fails the tests).

#[allow(
    dead_code,
    reason = "helpers shared with examples/auc.rs; not all are used here"
)]
mod data;

mod alloc;
mod neural;
mod properties;
mod real;
mod semantic;
mod synthetic;
