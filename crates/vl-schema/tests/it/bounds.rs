//! bounds tests.
