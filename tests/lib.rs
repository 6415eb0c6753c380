//! # lienthong-tests
//!
//! Integration tests that cross crate boundaries live in `tests/tests/`. This library is
//! empty; it exists so the folder is a workspace member and `cargo test --workspace`
//! runs its tests.
