//! ga tests.
