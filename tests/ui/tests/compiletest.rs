//! Compile-time checks: every rule has a case in `tests/ui/` with the exact message users see.
//! Regenerate the `.stderr` files of one folder with, for example,
//! `TRYBUILD=overwrite cargo test -p bounded-async-ui ui_join`, and read the diff before
//! committing.

#[test]
fn ui_join() {
    trybuild::TestCases::new().compile_fail("join/*.rs");
}

#[test]
fn ui_bounded() {
    trybuild::TestCases::new().compile_fail("bounded/*.rs");
}

#[test]
fn ui_pool() {
    trybuild::TestCases::new().compile_fail("pool/*.rs");
}

#[test]
fn ui_pass() {
    trybuild::TestCases::new().pass("pass/*.rs");
}

#[test]
fn ui_stream() {
    trybuild::TestCases::new().compile_fail("stream/*.rs");
}
