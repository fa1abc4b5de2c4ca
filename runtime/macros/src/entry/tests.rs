//! Expansion tests: the generated tokens for each argument, as strings.

use proc_macro2::TokenStream;

use super::{main, test};

fn expand(f: fn(TokenStream, TokenStream) -> TokenStream, args: &str, item: &str) -> String {
    let args: TokenStream = args.parse().expect("args tokenize");
    let item: TokenStream = item.parse().expect("item tokenizes");
    f(args, item)
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The expansion with spaces removed, so assertions need not guess `quote`'s spacing.
fn compact(f: fn(TokenStream, TokenStream) -> TokenStream, args: &str, item: &str) -> String {
    expand(f, args, item).replace(' ', "")
}

#[test]
fn main_default_is_multi_thread_block_on() {
    let out = compact(main, "", "async fn main() { run().await; }");
    assert!(
        out.starts_with("fnmain(){letbody=async{run().await;};"),
        "{out}"
    );
    assert!(
        out.contains(
            "return::conductor::runtime::Builder::new_multi_thread().build()\
             .expect(\"failedtobuildtheconductorruntime\").block_on(body);"
        ),
        "{out}"
    );
    assert!(
        !out.contains("async fn") && !out.contains("compile_error"),
        "{out}"
    );
}

#[test]
fn test_default_is_current_thread_with_test_attribute() {
    let out = compact(
        test,
        "",
        "#[should_panic(expected = \"x\")] #[ignore] async fn t() {}",
    );
    assert!(
        out.starts_with(
            "#[should_panic(expected=\"x\")]#[ignore]#[::core::prelude::v1::test]fnt()"
        ),
        "{out}"
    );
    assert!(
        out.contains("Builder::new_current_thread().build()"),
        "{out}"
    );
}

#[test]
fn each_argument_becomes_a_builder_call() {
    let item = "async fn main() {}";
    let cases = [
        (
            "flavor = \"current_thread\"",
            "Builder::new_current_thread().build()",
        ),
        ("worker_threads = 3", ".worker_threads(3usize)"),
        ("thread_name = \"app\"", ".thread_name(\"app\")"),
        (
            "thread_stack_size = 65536",
            ".thread_stack_size(65536usize)",
        ),
        ("max_blocking_threads = 8", ".max_blocking_threads(8usize)"),
        (
            "crate = \"my::rt\"",
            "returnmy::rt::runtime::Builder::new_multi_thread()",
        ),
    ];
    for (args, expected) in cases {
        let out = compact(main, args, item);
        assert!(out.contains(expected), "{args}: {out}");
        assert!(!out.contains("compile_error"), "{args}: {out}");
    }
    let all = compact(
        main,
        "worker_threads = 2, thread_name = \"a\", max_blocking_threads = 4",
        item,
    );
    assert!(
        all.contains("new_multi_thread().worker_threads(2usize).thread_name(\"a\").max_blocking_threads(4usize).build()"),
        "{all}"
    );
}

/// `start_paused` and `blocking_threshold_ms` generate their builder calls, in order.
#[test]
fn pending_options_generate_their_calls() {
    let mut config = crate::config::Config::fallback(crate::config::Kind::Test);
    config.start_paused = Some(true);
    config.blocking_threshold_ms = Some(50);
    let input = syn::parse_str("async fn t() {}").expect("item parses");
    let out = super::generate(crate::config::Kind::Test, input, &config)
        .to_string()
        .replace(' ', "");
    assert!(
        out.contains(
            ".start_paused(true).blocking_threshold(::core::time::Duration::from_millis(50u64))"
        ),
        "{out}"
    );
}

#[test]
fn signature_passes_through() {
    let out = expand(
        main,
        "",
        "pub(crate) async fn start<T: Send>(n: T) -> Result<T, String> where T: Clone { Ok(n) }",
    );
    assert!(
        out.starts_with(
            "pub (crate) fn start < T : Send > (n : T) -> Result < T , String > where T : Clone"
        ),
        "{out}"
    );
    assert!(out.contains("let body = async { Ok (n) } ;"), "{out}");
}

#[test]
fn inner_attributes_are_lifted() {
    let out = compact(main, "", "async fn main() { #![allow(unused)] let x = 1; }");
    assert!(
        out.starts_with("#[allow(unused)]fnmain(){letbody=async{letx=1;};"),
        "{out}"
    );
}

#[test]
fn errors_keep_the_item() {
    // Bad argument: the error is appended and the function still expands (current-thread
    // fallback), so errors inside the body still show.
    let out = compact(
        main,
        "worker_threads = 0",
        "async fn main() { let x: u8 = 1; }",
    );
    assert!(out.contains("fnmain(){letbody=async{letx:u8=1;};"), "{out}");
    assert!(out.contains("compile_error!"), "{out}");
    assert!(out.contains("`worker_threads`mustbeatleast1"), "{out}");
    // Not async.
    let out = compact(main, "", "fn main() {}");
    assert!(out.contains("the`async`keywordismissing"), "{out}");
    assert!(out.contains("fnmain(){letbody=async{};"), "{out}");
    // Parameters on main, not on other functions.
    let out = compact(main, "", "async fn main(x: u8) {}");
    assert!(
        out.contains("the`main`functioncannottakeparameters"),
        "{out}"
    );
    assert!(!compact(main, "", "async fn run(x: u8) {}").contains("compile_error"));
    // Not a function at all: the item is returned untouched, with the parse error.
    let out = compact(main, "", "struct S;");
    assert!(out.starts_with("structS;::core::compile_error!"), "{out}");
}

#[test]
fn signature_and_argument_errors_are_all_reported() {
    let out = compact(main, "bogus = 1", "fn main(x: u8) {}");
    assert_eq!(out.matches("compile_error!").count(), 3, "{out}");
}

#[test]
fn second_test_attribute_is_refused() {
    for attr in [
        "#[test]",
        "#[::core::prelude::v1::test]",
        "#[std::prelude::rust_2024::test]",
    ] {
        let out = compact(test, "", &format!("{attr} async fn t() {{}}"));
        assert!(out.contains("alreadyadds`#[test]`"), "{attr}: {out}");
    }
    assert!(!compact(test, "", "#[tested] async fn t() {}").contains("compile_error"));
}
