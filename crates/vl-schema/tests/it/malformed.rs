//! malformed tests.
