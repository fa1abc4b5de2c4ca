//! Compile tests: every refused input gives its message at the offending token
//! (`ui/fail/*.rs` against the checked-in `.stderr`), and the accepted forms build and run
//! (`ui/pass/*.rs`). Regenerate the `.stderr` files with `TRYBUILD=overwrite` and review them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
