//! Argument parsing and validation, one test per rule.

use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Meta, Token};

use super::{Config, Flavor, Kind, parse};

fn run(kind: Kind, args: &str) -> syn::Result<Config> {
    let args = Punctuated::<Meta, Token![,]>::parse_terminated
        .parse_str(args)
        .expect("test input parses as metas");
    parse(kind, args)
}

fn ok(kind: Kind, args: &str) -> Config {
    run(kind, args).unwrap_or_else(|e| panic!("`{args}` refused: {e}"))
}

/// Every message, joined, for an input that must be refused.
fn err(kind: Kind, args: &str) -> String {
    match run(kind, args) {
        Ok(config) => panic!("`{args}` accepted as {:?}", config.flavor),
        Err(e) => e
            .into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn defaults_per_kind() {
    let main = ok(Kind::Main, "");
    assert_eq!(main.flavor, Flavor::MultiThread);
    assert!(main.worker_threads.is_none() && main.crate_path.is_none());
    assert_eq!(ok(Kind::Test, "").flavor, Flavor::CurrentThread);
    assert_eq!(Config::fallback(Kind::Main).flavor, Flavor::MultiThread);
}

#[test]
fn every_argument_parses() {
    let c = ok(
        Kind::Main,
        r#"flavor = "multi_thread", worker_threads = 3, thread_name = "app",
           thread_stack_size = 65536, max_blocking_threads = 8, crate = "::my::rt""#,
    );
    assert_eq!(c.flavor, Flavor::MultiThread);
    assert_eq!(c.worker_threads, Some(3));
    assert_eq!(c.thread_name.as_deref(), Some("app"));
    assert_eq!(c.thread_stack_size, Some(65536));
    assert_eq!(c.max_blocking_threads, Some(8));
    let path = c.crate_path.expect("crate path");
    assert_eq!(
        quote::quote!(#path).to_string().replace(' ', ""),
        "::my::rt"
    );
    assert_eq!(
        ok(Kind::Main, r#"flavor = "current_thread""#).flavor,
        Flavor::CurrentThread
    );
    assert_eq!(
        ok(Kind::Test, r#"flavor = "multi_thread""#).flavor,
        Flavor::MultiThread
    );
}

#[test]
fn unknown_argument_lists_the_known_ones() {
    let msg = err(Kind::Main, "workers = 2");
    assert!(
        msg.starts_with("unknown argument `workers` (did you mean `worker_threads`?); the known"),
        "{msg}"
    );
    for name in [
        "flavor",
        "worker_threads",
        "thread_name",
        "start_paused",
        "crate",
    ] {
        assert!(msg.contains(&format!("`{name}`")), "{msg}");
    }
    assert!(err(Kind::Main, "a::b = 1").contains("unknown argument `a::b`"));
    assert!(err(Kind::Main, "foo(1)").contains("`name = value`"));
}

#[test]
fn bare_names() {
    assert!(
        err(Kind::Test, "multi_thread").contains("#[conductor::test(flavor = \"multi_thread\")]")
    );
    assert!(err(Kind::Main, "worker_threads").contains("`worker_threads` needs a value"));
    assert!(err(Kind::Main, "bogus").contains("unknown argument `bogus`"));
}

#[test]
fn unknown_flavor_lists_the_flavors() {
    let msg = err(Kind::Main, r#"flavor = "work_stealing""#);
    assert!(msg.contains("`multi_thread` and `current_thread`"), "{msg}");
    assert!(err(Kind::Main, r#"flavor = "single_thread""#).contains("`current_thread`"));
    assert!(err(Kind::Main, "flavor = 1").contains("expected a string literal"));
}

#[test]
fn integers_are_checked() {
    assert!(err(Kind::Main, "worker_threads = 0").contains("`worker_threads` must be at least 1"));
    assert!(err(Kind::Main, r#"worker_threads = "4""#).contains("expected a positive integer"));
    assert!(err(Kind::Main, "worker_threads = -1").contains("expected a positive integer"));
    assert!(err(Kind::Main, "worker_threads = 2.5").contains("expected a positive integer"));
    assert!(err(Kind::Main, "worker_threads = N").contains("expected a positive integer"));
    assert!(err(Kind::Main, "thread_stack_size = 0").contains("at least 1"));
    assert!(err(Kind::Main, "max_blocking_threads = 0").contains("at least 1"));
    assert!(err(Kind::Main, "blocking_threshold_ms = 0").contains("at least 1"));
    let huge = err(Kind::Main, "worker_threads = 99999999999999999999999");
    assert!(huge.contains("too large"), "{huge}");
    assert_eq!(
        ok(Kind::Main, "worker_threads = 4usize").worker_threads,
        Some(4)
    );
}

#[test]
fn strings_and_bools_are_checked() {
    assert!(err(Kind::Main, "thread_name = app").contains("expected a string literal"));
    assert!(err(Kind::Test, r#"start_paused = "yes""#).contains("`true` or `false`"));
    assert!(err(Kind::Main, r#"crate = "not a path""#).contains("`crate` must be a path"));
}

#[test]
fn duplicates_are_refused() {
    let msg = err(Kind::Main, "worker_threads = 2, worker_threads = 3");
    assert!(
        msg.contains("`worker_threads` is set more than once"),
        "{msg}"
    );
}

#[test]
fn worker_threads_needs_multi_thread() {
    let msg = err(Kind::Test, "worker_threads = 2");
    assert!(
        msg.starts_with("`worker_threads` needs the multi-thread flavor"),
        "{msg}"
    );
    assert!(
        msg.contains("#[conductor::test(flavor = \"multi_thread\""),
        "{msg}"
    );
    let msg = err(
        Kind::Main,
        r#"flavor = "current_thread", worker_threads = 2"#,
    );
    assert!(
        msg.contains("#[conductor::main(flavor = \"multi_thread\""),
        "{msg}"
    );
}

#[test]
fn start_paused_needs_current_thread() {
    let msg = err(Kind::Main, "start_paused = true");
    assert!(msg.contains("needs the current-thread flavor"), "{msg}");
    assert!(
        msg.contains("the default for `#[conductor::main]`"),
        "{msg}"
    );
    let msg = err(
        Kind::Test,
        r#"flavor = "multi_thread", start_paused = true"#,
    );
    assert!(msg.contains("needs the current-thread flavor"), "{msg}");
    assert!(!msg.contains("the default"), "{msg}");
}

#[test]
fn features_this_version_lacks() {
    if !super::HAS_TIME_DRIVER {
        let msg = err(Kind::Test, "start_paused = true");
        assert_eq!(msg, super::START_PAUSED_UNAVAILABLE);
        assert_eq!(
            err(Kind::Test, "start_paused = false"),
            super::START_PAUSED_UNAVAILABLE
        );
    }
    if !super::HAS_BLOCKING_DETECTION {
        let msg = err(Kind::Main, "blocking_threshold_ms = 50");
        assert_eq!(msg, super::BLOCKING_THRESHOLD_UNAVAILABLE);
    }
}

#[test]
fn every_error_is_reported() {
    let msg = err(Kind::Test, "worker_threads = 0, bogus = 1, flavor = \"x\"");
    assert_eq!(msg.lines().count(), 3, "{msg}");
}
