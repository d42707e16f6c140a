//! Compile-time checks: every rule has a case in `tests/ui/` with the exact message users see.
//! Regenerate the `.stderr` files of one folder with, for example,
//! `TRYBUILD=overwrite cargo test --test compiletest ui_join`, and read the diff before
//! committing.

#[test]
fn ui_join() {
    trybuild::TestCases::new().compile_fail("tests/ui/join/*.rs");
}

#[test]
fn ui_bounded() {
    trybuild::TestCases::new().compile_fail("tests/ui/bounded/*.rs");
}

#[test]
fn ui_pool() {
    trybuild::TestCases::new().compile_fail("tests/ui/pool/*.rs");
}

#[test]
fn ui_pass() {
    trybuild::TestCases::new().pass("tests/ui/pass/*.rs");
}

#[test]
fn ui_stream() {
    trybuild::TestCases::new().compile_fail("tests/ui/stream/*.rs");
}
