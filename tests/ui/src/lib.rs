//! The UI tests of bounded-async's compile-time rules: `tests/compiletest.rs` compiles each case
//! under `bounded/`, `join/`, `pool/`, `stream/` (which must fail, with the message in the `.stderr`
//! beside it) and `pass/` (which must build and run).
//!
//! This library holds nothing: it is here so that the cases are built with this package's
//! features, which are the facade's.
