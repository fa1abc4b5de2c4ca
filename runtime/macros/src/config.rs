//! Attribute arguments: parsing and validation into a [`Config`].
//!
//! Every argument is a `name = literal` pair. Parsing checks each value on its own (the right
//! literal kind, in range, not given twice); [`Args::finish`] then checks the arguments against
//! each other and the flavor, and against what this version of conductor can build. Errors are
//! spanned at the offending token and all of them are reported at once (`syn::Error::combine`).
//!
//! Every message is a constant or a `format!` in this file, and says how to fix the problem.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, Meta, MetaNameValue, Path, Token};

/// Whether `conductor::runtime::Builder::start_paused(bool)` exists (the timer issue adds it).
///
/// While it is `false`, `start_paused` is parsed and validated in full and then refused with
/// [`START_PAUSED_UNAVAILABLE`]; flipping it is the only change the macro needs.
const HAS_TIME_DRIVER: bool = true;
/// Whether `Builder::blocking_threshold(Duration)` exists (the diagnostics issue adds it).
const HAS_BLOCKING_DETECTION: bool = true;

/// The message for `start_paused` while [`HAS_TIME_DRIVER`] is `false`.
pub(crate) const START_PAUSED_UNAVAILABLE: &str =
    "`start_paused` requires conductor's time driver, which this version does not have yet";
/// The message for `blocking_threshold_ms` while [`HAS_BLOCKING_DETECTION`] is `false`.
pub(crate) const BLOCKING_THRESHOLD_UNAVAILABLE: &str = "`blocking_threshold_ms` requires \
     conductor's blocking detection, which this version does not have yet";
/// The message for an attribute on a fn without `async`.
pub(crate) const MISSING_ASYNC: &str =
    "the `async` keyword is missing from the function declaration";
/// The message for `#[conductor::main] async fn main(x: T)`.
pub(crate) const MAIN_WITH_PARAMETERS: &str =
    "the `main` function cannot take parameters; read them from `std::env::args()` instead";
/// The message for a `#[test]` next to `#[conductor::test]`.
pub(crate) const SECOND_TEST_ATTRIBUTE: &str =
    "`#[conductor::test]` already adds `#[test]`; remove this attribute";

/// Every argument name, in the order the error messages list them.
const KNOWN_ARGUMENTS: &str = "`flavor`, `worker_threads`, `thread_name`, `thread_stack_size`, \
     `max_blocking_threads`, `start_paused`, `blocking_threshold_ms`, `crate`";

/// Which attribute is being expanded: it picks the default flavor and names itself in messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// `#[conductor::main]`: multi-thread by default.
    Main,
    /// `#[conductor::test]`: current-thread by default, as tokio's.
    Test,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Main => "conductor::main",
            Kind::Test => "conductor::test",
        }
    }

    fn default_flavor(self) -> Flavor {
        match self {
            Kind::Main => Flavor::MultiThread,
            Kind::Test => Flavor::CurrentThread,
        }
    }
}

/// The runtime flavor: `Builder::new_multi_thread()` or `Builder::new_current_thread()`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Flavor {
    /// `flavor = "multi_thread"`.
    MultiThread,
    /// `flavor = "current_thread"`.
    CurrentThread,
}

impl Flavor {
    fn from_lit(s: &str) -> Result<Flavor, String> {
        match s {
            "multi_thread" => Ok(Flavor::MultiThread),
            "current_thread" => Ok(Flavor::CurrentThread),
            "multi_threaded" | "threaded" | "threaded_scheduler" => Err(format!(
                "no runtime flavor `{s}`; the work-stealing flavor is `multi_thread`"
            )),
            "single_thread" | "single_threaded" | "basic_scheduler" | "local" => Err(format!(
                "no runtime flavor `{s}`; the one-thread flavor is `current_thread`"
            )),
            _ => Err(format!(
                "no runtime flavor `{s}`; the flavors are `multi_thread` and `current_thread`"
            )),
        }
    }
}

/// A validated attribute: what the generated `Builder` chain sets.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) flavor: Flavor,
    pub(crate) worker_threads: Option<usize>,
    pub(crate) thread_name: Option<String>,
    pub(crate) thread_stack_size: Option<usize>,
    pub(crate) max_blocking_threads: Option<usize>,
    pub(crate) start_paused: Option<bool>,
    pub(crate) blocking_threshold_ms: Option<u64>,
    /// `crate = "path"`; `None` means `::conductor`.
    pub(crate) crate_path: Option<Path>,
}

impl Config {
    /// The config used when the attribute is invalid: the item is still expanded with it, so
    /// errors in the body keep showing next to the attribute's own error.
    pub(crate) fn fallback(kind: Kind) -> Config {
        Config {
            flavor: kind.default_flavor(),
            worker_threads: None,
            thread_name: None,
            thread_stack_size: None,
            max_blocking_threads: None,
            start_paused: None,
            blocking_threshold_ms: None,
            crate_path: None,
        }
    }
}

/// An argument value with its `name = value` tokens, which errors about it are spanned at.
type Spanned<T> = Option<(T, TokenStream)>;

/// The arguments as parsed, before they are checked against each other.
struct Args {
    kind: Kind,
    flavor: Spanned<Flavor>,
    worker_threads: Spanned<usize>,
    thread_name: Spanned<String>,
    thread_stack_size: Spanned<usize>,
    max_blocking_threads: Spanned<usize>,
    start_paused: Spanned<bool>,
    blocking_threshold_ms: Spanned<u64>,
    crate_path: Spanned<Path>,
}

/// Parses and validates the attribute's arguments.
pub(crate) fn parse(kind: Kind, args: Punctuated<Meta, Token![,]>) -> syn::Result<Config> {
    let mut parsed = Args {
        kind,
        flavor: None,
        worker_threads: None,
        thread_name: None,
        thread_stack_size: None,
        max_blocking_threads: None,
        start_paused: None,
        blocking_threshold_ms: None,
        crate_path: None,
    };
    let mut errors = Errors::default();
    for arg in args {
        errors.push(parsed.arg(arg));
    }
    errors.into_result()?;
    parsed.finish()
}

impl Args {
    fn arg(&mut self, arg: Meta) -> syn::Result<()> {
        let nv = match arg {
            Meta::NameValue(nv) => nv,
            Meta::Path(path) => return Err(self.bare_path(&path)),
            Meta::List(list) => {
                let msg = format!(
                    "arguments are written `name = value`; the known arguments are {KNOWN_ARGUMENTS}"
                );
                return Err(syn::Error::new_spanned(list, msg));
            }
        };
        let Some(name) = nv.path.get_ident().map(ToString::to_string) else {
            return Err(unknown(&nv.path));
        };
        match name.as_str() {
            "flavor" => {
                let (s, lit) = string(&nv, "flavor = \"current_thread\"")?;
                let flavor = Flavor::from_lit(&s).map_err(|msg| syn::Error::new(lit, msg))?;
                set(&mut self.flavor, flavor, &nv)
            }
            "worker_threads" => {
                let n = positive(
                    &nv,
                    "worker_threads = 4",
                    "a runtime needs at least one worker",
                )?;
                set(&mut self.worker_threads, n, &nv)
            }
            "thread_name" => {
                let (s, _) = string(&nv, "thread_name = \"my-app\"")?;
                set(&mut self.thread_name, s, &nv)
            }
            "thread_stack_size" => {
                let n = positive(&nv, "thread_stack_size = 4194304", "a thread needs a stack")?;
                set(&mut self.thread_stack_size, n, &nv)
            }
            "max_blocking_threads" => {
                let n = positive(
                    &nv,
                    "max_blocking_threads = 16",
                    "`spawn_blocking` needs at least one thread",
                )?;
                set(&mut self.max_blocking_threads, n, &nv)
            }
            "start_paused" => {
                let b = boolean(&nv, "start_paused = true")?;
                set(&mut self.start_paused, b, &nv)
            }
            "blocking_threshold_ms" => {
                let n = positive(
                    &nv,
                    "blocking_threshold_ms = 100",
                    "every poll would count as blocking",
                )?;
                set(&mut self.blocking_threshold_ms, n, &nv)
            }
            "crate" => {
                let (s, lit) = string(&nv, "crate = \"my_crate::conductor\"")?;
                let path = syn::parse_str::<Path>(&s).map_err(|_| {
                    let msg = format!(
                        "`crate` must be a path such as `my_crate::conductor`, not \"{s}\""
                    );
                    syn::Error::new(lit, msg)
                })?;
                set(&mut self.crate_path, path, &nv)
            }
            _ => Err(unknown(&nv.path)),
        }
    }

    /// An argument given without `= value`: a flavor name or a known argument missing its value.
    fn bare_path(&self, path: &Path) -> syn::Error {
        let name = path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let msg = match name.as_str() {
            "multi_thread" | "current_thread" => format!(
                "set the flavor with `#[{}(flavor = \"{name}\")]`",
                self.kind.name()
            ),
            "flavor"
            | "worker_threads"
            | "thread_name"
            | "thread_stack_size"
            | "max_blocking_threads"
            | "start_paused"
            | "blocking_threshold_ms"
            | "crate" => {
                format!("`{name}` needs a value: `{name} = ...`")
            }
            _ => return unknown(path),
        };
        syn::Error::new_spanned(path, msg)
    }

    /// Checks the arguments against the flavor and against what this version can build.
    fn finish(self) -> syn::Result<Config> {
        let flavor = self
            .flavor
            .as_ref()
            .map_or(self.kind.default_flavor(), |f| f.0);
        let macro_name = self.kind.name();
        let mut errors = Errors::default();
        if let (Flavor::CurrentThread, Some((_, span))) = (flavor, &self.worker_threads) {
            let msg = format!(
                "`worker_threads` needs the multi-thread flavor: a current-thread runtime runs \
                 every task on the calling thread; use `#[{macro_name}(flavor = \"multi_thread\", \
                 worker_threads = ...)]` or remove `worker_threads`"
            );
            errors.push(Err(syn::Error::new_spanned(span, msg)));
        }
        if let Some((_, span)) = &self.start_paused {
            if flavor == Flavor::MultiThread {
                let default = if self.flavor.is_none() {
                    format!(" (the default for `#[{macro_name}]`)")
                } else {
                    String::new()
                };
                let msg = format!(
                    "`start_paused` needs the current-thread flavor, not multi-thread{default}: \
                     paused time advances only when the one runtime thread is idle; use \
                     `#[{macro_name}(flavor = \"current_thread\", start_paused = true)]`"
                );
                errors.push(Err(syn::Error::new_spanned(span, msg)));
            } else if !HAS_TIME_DRIVER {
                errors.push(Err(syn::Error::new_spanned(span, START_PAUSED_UNAVAILABLE)));
            }
        }
        if let (false, Some((_, span))) = (HAS_BLOCKING_DETECTION, &self.blocking_threshold_ms) {
            errors.push(Err(syn::Error::new_spanned(
                span,
                BLOCKING_THRESHOLD_UNAVAILABLE,
            )));
        }
        errors.into_result()?;
        Ok(Config {
            flavor,
            worker_threads: self.worker_threads.map(|v| v.0),
            thread_name: self.thread_name.map(|v| v.0),
            thread_stack_size: self.thread_stack_size.map(|v| v.0),
            max_blocking_threads: self.max_blocking_threads.map(|v| v.0),
            start_paused: self.start_paused.map(|v| v.0),
            blocking_threshold_ms: self.blocking_threshold_ms.map(|v| v.0),
            crate_path: self.crate_path.map(|v| v.0),
        })
    }
}

/// Stores a value, refusing a second one for the same argument.
fn set<T>(slot: &mut Spanned<T>, value: T, nv: &MetaNameValue) -> syn::Result<()> {
    if slot.is_some() {
        let name = nv
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let msg = format!("`{name}` is set more than once; keep one");
        return Err(syn::Error::new_spanned(&nv.path, msg));
    }
    *slot = Some((value, nv.to_token_stream()));
    Ok(())
}

fn unknown(path: &Path) -> syn::Error {
    let name = path.to_token_stream().to_string().replace(' ', "");
    let hint = match name.as_str() {
        "core_threads" | "workers" | "threads" => " (did you mean `worker_threads`?)",
        "name" => " (did you mean `thread_name`?)",
        "flavour" => " (did you mean `flavor`?)",
        _ => "",
    };
    let msg = format!("unknown argument `{name}`{hint}; the known arguments are {KNOWN_ARGUMENTS}");
    syn::Error::new_spanned(path, msg)
}

/// The literal on the right of `name = value`, or an error spanned at the value.
fn literal<'a>(nv: &'a MetaNameValue, what: &str, example: &str) -> syn::Result<&'a Lit> {
    match &nv.value {
        Expr::Lit(ExprLit { lit, attrs }) if attrs.is_empty() => Ok(lit),
        other => Err(expected(other, what, example)),
    }
}

fn expected(value: &impl ToTokens, what: &str, example: &str) -> syn::Error {
    let msg = format!("expected {what}, as in `{example}`");
    syn::Error::new_spanned(value, msg)
}

fn string(nv: &MetaNameValue, example: &str) -> syn::Result<(String, Span)> {
    match literal(nv, "a string literal", example)? {
        Lit::Str(s) => Ok((s.value(), s.span())),
        other => Err(expected(other, "a string literal", example)),
    }
}

fn boolean(nv: &MetaNameValue, example: &str) -> syn::Result<bool> {
    match literal(nv, "`true` or `false`", example)? {
        Lit::Bool(b) => Ok(b.value),
        other => Err(expected(other, "`true` or `false`", example)),
    }
}

/// A positive integer literal; `zero_reason` says why 0 is refused.
fn positive<T>(nv: &MetaNameValue, example: &str, zero_reason: &str) -> syn::Result<T>
where
    T: std::str::FromStr + PartialEq + From<u8>,
    T::Err: std::fmt::Display,
{
    let what = "a positive integer literal";
    let int = match literal(nv, what, example)? {
        Lit::Int(int) if !int.base10_digits().starts_with('-') => int,
        _ => return Err(expected(&nv.value, what, example)),
    };
    let name = nv
        .path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let n = int
        .base10_parse::<T>()
        .map_err(|e| syn::Error::new(int.span(), format!("`{name}` = {int}: {e}")))?;
    if n == T::from(0) {
        let msg = format!("`{name}` must be at least 1: {zero_reason}");
        return Err(syn::Error::new(int.span(), msg));
    }
    Ok(n)
}

/// Collects errors so that every bad argument is reported, not only the first.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, result: syn::Result<()>) {
        if let Err(e) = result {
            match &mut self.0 {
                Some(all) => all.combine(e),
                None => self.0 = Some(e),
            }
        }
    }

    fn into_result(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests;
