//! Where one request's outputs go: the session's output queue, unless the request was cancelled.

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use vl_engine::backend::BackendError;
use vl_engine::{BackendOutput, RequestId};

/// The request was cancelled or the session ended: stop working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stopped;

/// The output side of one request.
#[derive(Debug, Clone)]
pub(crate) struct Out {
    tx: mpsc::Sender<BackendOutput>,
    id: RequestId,
    cancel: CancellationToken,
}

impl Out {
    /// Outputs of request `id` into `tx` until `cancel` fires.
    pub(crate) fn new(
        tx: mpsc::Sender<BackendOutput>,
        id: RequestId,
        cancel: CancellationToken,
    ) -> Self {
        Self { tx, id, cancel }
    }

    /// The request's id.
    pub(crate) fn id(&self) -> RequestId {
        self.id
    }

    /// Whether the work should stop.
    pub(crate) fn stopped(&self) -> bool {
        self.cancel.is_cancelled() || self.tx.is_closed()
    }

    /// Sends one output (async side).
    pub(crate) async fn send(&self, output: BackendOutput) -> Result<(), Stopped> {
        if self.stopped() {
            return Err(Stopped);
        }
        tokio::select! {
            () = self.cancel.cancelled() => Err(Stopped),
            sent = self.tx.send(output) => sent.map_err(|_| Stopped),
        }
    }

    /// Sends one output from a blocking thread.
    pub(crate) fn send_blocking(&self, output: BackendOutput) -> Result<(), Stopped> {
        if self.stopped() {
            return Err(Stopped);
        }
        self.tx.blocking_send(output).map_err(|_| Stopped)
    }

    /// The `Failed` output of this request.
    pub(crate) fn failure(&self, code: &str, message: impl Into<String>) -> BackendOutput {
        BackendOutput::Failed {
            request: self.id,
            error: BackendError {
                code: code.to_owned(),
                message: message.into(),
            },
        }
    }

    /// Sends `Failed` (async side); the request ends.
    pub(crate) async fn fail(&self, code: &str, message: impl Into<String>) {
        let _ = self.send(self.failure(code, message)).await;
    }
}
