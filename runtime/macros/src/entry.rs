//! Code generation for `#[conductor::main]` and `#[conductor::test]`.
//!
//! ```text
//! #[conductor::main(worker_threads = 2)]       #(user attributes)*
//! async fn main() -> R { BODY }           =>   fn main() -> R {
//!                                                  let body = async { BODY };
//!                                                  return ::conductor::runtime::Builder::new_multi_thread()
//!                                                      .worker_threads(2)
//!                                                      .build()
//!                                                      .expect("...")
//!                                                      .block_on(body);
//!                                              }
//! ```
//!
//! The body is copied once, untouched, into one `async` block, so rust-analyzer and rustc see
//! the user's own tokens with their own spans. The `return` statement carries the span of the
//! body's last statement: a body whose value has the wrong type is reported there rather than at
//! the attribute (tokio-macros does the same).
//!
//! The item is never lost: when the attribute is invalid, it is still expanded (with
//! [`Config::fallback`]) and the attribute's error is appended, so errors inside the body keep
//! showing (tokio-macros' `token_stream_with_error`). The body is not parsed into statements
//! either, only split at top-level `;`, so a body that does not parse is left for rustc to
//! report with its usual messages.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{AttrStyle, Attribute, Meta, Signature, Token, Visibility, braced};

use crate::config::{self, Config, Flavor, Kind};

/// The panic message when `Builder::build` fails in generated code.
const BUILD_FAILED: &str = "failed to build the conductor runtime";

/// Expands `#[conductor::main(args)] item`.
pub(crate) fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Main, args, item)
}

/// Expands `#[conductor::test(args)] item`.
pub(crate) fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Test, args, item)
}

fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let input: ItemFn = match syn::parse2(item.clone()) {
        Ok(input) => input,
        Err(e) => return with_error(item, e),
    };
    match check(kind, args, &input) {
        Ok(config) => generate(kind, input, &config),
        Err(e) => with_error(generate(kind, input, &Config::fallback(kind)), e),
    }
}

/// Validates the signature and the arguments, reporting every error found.
fn check(kind: Kind, args: TokenStream, input: &ItemFn) -> syn::Result<Config> {
    let mut errors: Vec<syn::Error> = Vec::new();
    if input.sig.asyncness.is_none() {
        let fn_token = input.sig.fn_token;
        errors.push(syn::Error::new_spanned(fn_token, config::MISSING_ASYNC));
    }
    if kind == Kind::Main && input.sig.ident == "main" && !input.sig.inputs.is_empty() {
        let params = &input.sig.inputs;
        errors.push(syn::Error::new_spanned(
            params,
            config::MAIN_WITH_PARAMETERS,
        ));
    }
    if kind == Kind::Test {
        if let Some(attr) = input.attrs.iter().find(|a| is_test_attribute(a)) {
            errors.push(syn::Error::new_spanned(attr, config::SECOND_TEST_ATTRIBUTE));
        }
    }
    let config = Punctuated::<Meta, Token![,]>::parse_terminated
        .parse2(args)
        .and_then(|args| config::parse(kind, args));
    match (config, errors.into_iter().reduce(combine)) {
        (Ok(config), None) => Ok(config),
        (Ok(_), Some(e)) => Err(e),
        (Err(e), None) => Err(e),
        (Err(e), Some(first)) => Err(combine(first, e)),
    }
}

fn combine(mut a: syn::Error, b: syn::Error) -> syn::Error {
    a.combine(b);
    a
}

fn with_error(mut tokens: TokenStream, error: syn::Error) -> TokenStream {
    tokens.extend(error.into_compile_error());
    tokens
}

/// `#[test]`, `#[::core::prelude::v1::test]`, `#[std::prelude::rust_2024::test]` and the like.
fn is_test_attribute(attr: &Attribute) -> bool {
    let Meta::Path(path) = &attr.meta else {
        return false;
    };
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [test] => test == "test" && path.leading_colon.is_none(),
        [krate, prelude, _, test] => {
            (krate == "core" || krate == "std") && prelude == "prelude" && test == "test"
        }
        _ => false,
    }
}

fn generate(kind: Kind, input: ItemFn, config: &Config) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        body,
        last_stmt,
    } = input;
    sig.asyncness = None;

    // Spans of the body's last statement (first and last token: `Span::join` is nightly-only).
    let mut last = last_stmt.into_iter();
    let start = last.next().map_or_else(Span::call_site, |t| t.span());
    let end = last.last().map_or(start, |t| t.span());
    // Resolves at the call site (so `::conductor` is the user's), reported at the statement.
    let at_start = Span::call_site().located_at(start);

    let krate = match &config.crate_path {
        Some(path) => path.to_token_stream(),
        None => quote_spanned!(at_start=> ::conductor),
    };
    let mut builder = match config.flavor {
        Flavor::MultiThread => {
            quote_spanned!(at_start=> #krate::runtime::Builder::new_multi_thread())
        }
        Flavor::CurrentThread => {
            quote_spanned!(at_start=> #krate::runtime::Builder::new_current_thread())
        }
    };
    if let Some(n) = config.worker_threads {
        builder = quote_spanned!(at_start=> #builder.worker_threads(#n));
    }
    if let Some(name) = &config.thread_name {
        builder = quote_spanned!(at_start=> #builder.thread_name(#name));
    }
    if let Some(bytes) = config.thread_stack_size {
        builder = quote_spanned!(at_start=> #builder.thread_stack_size(#bytes));
    }
    if let Some(n) = config.max_blocking_threads {
        builder = quote_spanned!(at_start=> #builder.max_blocking_threads(#n));
    }
    if let Some(paused) = config.start_paused {
        builder = quote_spanned!(at_start=> #builder.start_paused(#paused));
    }
    if let Some(ms) = config.blocking_threshold_ms {
        builder = quote_spanned!(at_start=>
            #builder.blocking_threshold(::core::time::Duration::from_millis(#ms))
        );
    }

    // The explicit `return` keeps `-> !` and `-> impl Trait` bodies working (tokio#4636); the
    // allows keep the user's clippy settings from firing on tokens we placed at their span.
    let run = quote_spanned! {end=>
        #[allow(
            clippy::expect_used,
            clippy::needless_return,
            clippy::diverging_sub_expression,
            clippy::unwrap_in_result
        )]
        {
            return #builder.build().expect(#BUILD_FAILED).block_on(body);
        }
    };
    let test_attr = match kind {
        Kind::Test => quote!(#[::core::prelude::v1::test]),
        Kind::Main => TokenStream::new(),
    };
    // Inner attributes (`#![allow(..)]`) cannot stay inside the `async` block: lift them.
    let attrs = attrs.into_iter().map(|mut attr| {
        attr.style = AttrStyle::Outer;
        attr
    });
    quote! {
        #(#attrs)*
        #test_attr
        #vis #sig {
            let body = async #body;
            #run
        }
    }
}

/// An `fn` item whose body is kept as tokens: `syn::ItemFn` would parse every statement.
struct ItemFn {
    /// Outer attributes, then the body's inner ones (still marked inner).
    attrs: Vec<Attribute>,
    vis: Visibility,
    sig: Signature,
    /// The body without its inner attributes, braces included.
    body: TokenStream,
    /// The tokens after the body's last top-level `;` (or that statement, when the body ends
    /// with one).
    last_stmt: TokenStream,
}

impl Parse for ItemFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        let content;
        let brace = braced!(content in input);
        attrs.extend(content.call(Attribute::parse_inner)?);

        let mut stmts = TokenStream::new();
        let mut last_stmt = TokenStream::new();
        let mut current = TokenStream::new();
        while !content.is_empty() {
            let tt: TokenTree = content.parse()?;
            let is_semi = matches!(&tt, TokenTree::Punct(p) if p.as_char() == ';');
            current.extend([tt]);
            if is_semi {
                last_stmt = current.clone();
                stmts.extend(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            last_stmt = current.clone();
            stmts.extend(current);
        }
        let mut body = TokenStream::new();
        brace.surround(&mut body, |tokens| tokens.extend(stmts));
        Ok(ItemFn {
            attrs,
            vis,
            sig,
            body,
            last_stmt,
        })
    }
}

#[cfg(test)]
mod tests;
