//! Compile-time checks: every rule has a case in `tests/ui/` with the exact message users see.
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test --test compiletest` and
//! read the diff before committing.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/join/*.rs");
    t.compile_fail("tests/ui/bounded/*.rs");
    t.compile_fail("tests/ui/pool/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
