//! unknown tests.
