//! aliases tests.
