//! patch tests.
