//! What [`TcpStream`](crate::net::TcpStream) and [`UnixStream`](crate::net::UnixStream) share,
//! written once:
//!
//! - [`byte_stream_io!`]: their `AsyncRead`/`AsyncWrite` impls (on the stream and on a shared
//!   reference to it). Reads and writes go through `PollEvented::poll_read_stream` /
//!   `poll_write_stream`, so a short transfer clears the readiness
//!   (`Registration::poll_stream_io`); `poll_close` shuts the write direction down.
//! - [`stream_halves!`]: their borrowed and owned halves (`split`, `into_split`, `reunite`),
//!   which read and write through the `&Stream` impls above.
//!
//! Each macro is expanded in the stream's own module, so the items keep their per-protocol
//! paths (`net::tcp::OwnedReadHalf`, `net::unix::OwnedReadHalf`) and doc examples.

use std::io;
use std::task::Poll;

/// `poll_close` of a stream: `shutdown(Write)`'s result, with `NotConnected` (the peer is gone
/// already) counted as closed.
pub(crate) fn close_result(res: io::Result<()>) -> Poll<io::Result<()>> {
    match res {
        Err(e) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
        res => Poll::Ready(res),
    }
}

/// `AsyncRead` and `AsyncWrite` for `$t` (a stream type with an `io: PollEvented<_>` field
/// over a `Read + Write` source and a `shutdown(Shutdown)` method, or a shared reference to
/// one).
macro_rules! byte_stream_io {
    ($t:ty) => {
        impl futures_io::AsyncRead for $t {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let len = buf.len();
                self.io
                    .poll_read_stream(cx, len, |mut s| std::io::Read::read(&mut s, buf))
            }

            fn poll_read_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &mut [std::io::IoSliceMut<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let len =
                    crate::registration::vectored_len(bufs.iter().map(|b| b.len()), bufs.len());
                self.io
                    .poll_read_stream(cx, len, |mut s| std::io::Read::read_vectored(&mut s, bufs))
            }
        }

        impl futures_io::AsyncWrite for $t {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io
                    .poll_write_stream(cx, buf.len(), |mut s| std::io::Write::write(&mut s, buf))
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let len =
                    crate::registration::vectored_len(bufs.iter().map(|b| b.len()), bufs.len());
                self.io.poll_write_stream(cx, len, |mut s| {
                    std::io::Write::write_vectored(&mut s, bufs)
                })
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                crate::net::byte_stream::close_result(self.shutdown(std::net::Shutdown::Write))
            }
        }
    };
}

pub(crate) use byte_stream_io;

/// The halves of stream type `$stream` (whose addresses are `$addr`), expanded in its
/// `split` module: `ReadHalf`, `WriteHalf`, `OwnedReadHalf`, `OwnedWriteHalf`,
/// `ReuniteError`, and the `split`/`into_split` functions the stream's methods call.
///
/// The doc examples are built from `$setup` (lines that bring what `$make` needs into scope,
/// hidden) and `$make` (an expression for a connected stream).
macro_rules! stream_halves {
    (stream: $stream:ident, addr: $addr:ty, setup: $setup:literal, make: $make:literal $(,)?) => {
        use std::fmt;
        use std::io::{self, IoSlice, IoSliceMut};
        use std::net::Shutdown;
        use std::pin::Pin;
        use std::sync::Arc;
        use std::task::{Context, Poll};

        use futures_io::{AsyncRead, AsyncWrite};

        #[doc = concat!("The read half of a borrowed [`", stringify!($stream), "`]; see [`",
            stringify!($stream), "::split`].")]
        ///
        #[doc = concat!("```\n# conductor::runtime::Runtime::new().unwrap().block_on(async {\n",
            $setup, "let mut s = ", $make, ";\nlet (r, _w) = conductor_reactor::net::",
            stringify!($stream), "::split(&mut s);\nassert!(r.peer_addr().is_ok());\n# });\n```")]
        #[derive(Debug)]
        pub struct ReadHalf<'a>(&'a $stream);

        #[doc = concat!("The write half of a borrowed [`", stringify!($stream), "`]; see [`",
            stringify!($stream), "::split`].")]
        ///
        #[doc = concat!("```\n# conductor::runtime::Runtime::new().unwrap().block_on(async {\n",
            $setup, "let mut s = ", $make, ";\nlet (_r, w) = conductor_reactor::net::",
            stringify!($stream), "::split(&mut s);\nassert!(w.local_addr().is_ok());\n# });\n```")]
        #[derive(Debug)]
        pub struct WriteHalf<'a>(&'a $stream);

        #[doc = concat!("The owned read half of a [`", stringify!($stream), "`]; see [`",
            stringify!($stream), "::into_split`].")]
        ///
        #[doc = concat!("```\n# conductor::runtime::Runtime::new().unwrap().block_on(async {\n",
            $setup, "let s = ", $make, ";\nlet (r, _w) = s.into_split();\n",
            "let reader = conductor::spawn(async move { r.peer_addr() });\n",
            "assert!(reader.await.unwrap().is_ok());\n# });\n```")]
        #[derive(Debug)]
        pub struct OwnedReadHalf {
            inner: Arc<$stream>,
        }

        #[doc = concat!("The owned write half of a [`", stringify!($stream), "`]; see [`",
            stringify!($stream), "::into_split`]. Dropping it shuts the write direction down ",
            "(the peer reads end-of-stream), unless it was reunited.")]
        ///
        #[doc = concat!("```\n# conductor::runtime::Runtime::new().unwrap().block_on(async {\n",
            $setup, "let s = ", $make, ";\nlet (_r, w) = s.into_split();\n",
            "drop(w); // the peer now reads EOF\n# });\n```")]
        #[derive(Debug)]
        pub struct OwnedWriteHalf {
            inner: Arc<$stream>,
            shutdown_on_drop: bool,
        }

        /// The halves given to [`OwnedReadHalf::reunite`] came from different streams; they
        /// are handed back.
        ///
        #[doc = concat!("```\n# conductor::runtime::Runtime::new().unwrap().block_on(async {\n",
            $setup, "let a = ", $make, ";\nlet b = ", $make, ";\n",
            "let (ra, _wa) = a.into_split();\nlet (_rb, wb) = b.into_split();\n",
            "let err = ra.reunite(wb).unwrap_err();\nlet (_ra, _wb) = (err.0, err.1);\n",
            "# });\n```")]
        #[derive(Debug)]
        pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

        impl fmt::Display for ReuniteError {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("tried to reunite halves that are not from the same socket")
            }
        }

        impl std::error::Error for ReuniteError {}

        pub(super) fn split(stream: &mut $stream) -> (ReadHalf<'_>, WriteHalf<'_>) {
            (ReadHalf(stream), WriteHalf(stream))
        }

        pub(super) fn into_split(stream: $stream) -> (OwnedReadHalf, OwnedWriteHalf) {
            let inner = Arc::new(stream);
            (
                OwnedReadHalf {
                    inner: inner.clone(),
                },
                OwnedWriteHalf {
                    inner,
                    shutdown_on_drop: true,
                },
            )
        }

        impl OwnedReadHalf {
            /// Puts the halves back together into the stream.
            ///
            /// # Errors
            ///
            /// [`ReuniteError`] (with both halves) when they belong to different streams.
            ///
            /// # Examples
            ///
            #[doc = concat!("See [`", stringify!($stream), "::into_split`].")]
            pub fn reunite(self, other: OwnedWriteHalf) -> Result<$stream, ReuniteError> {
                if !Arc::ptr_eq(&self.inner, &other.inner) {
                    return Err(ReuniteError(self, other));
                }
                let mut other = other;
                other.shutdown_on_drop = false;
                drop(other);
                Ok(Arc::try_unwrap(self.inner)
                    .expect("both halves were given, so no other owner is left"))
            }
        }

        impl OwnedWriteHalf {
            /// Puts the halves back together; see [`OwnedReadHalf::reunite`].
            ///
            /// # Errors
            ///
            /// As [`OwnedReadHalf::reunite`].
            ///
            /// # Examples
            ///
            #[doc = concat!("```\n# conductor::runtime::Runtime::new().unwrap().block_on(async {\n",
                $setup, "let s = ", $make, ";\nlet (r, w) = s.into_split();\n",
                "let _s = w.reunite(r).unwrap();\n# });\n```")]
            pub fn reunite(self, other: OwnedReadHalf) -> Result<$stream, ReuniteError> {
                other.reunite(self)
            }
        }

        impl Drop for OwnedWriteHalf {
            fn drop(&mut self) {
                if self.shutdown_on_drop {
                    let _ = self.inner.shutdown(Shutdown::Write);
                }
            }
        }

        macro_rules! addresses {
            ($t:ty, $inner:tt) => {
                impl $t {
                    /// The local address of the stream.
                    ///
                    /// # Errors
                    ///
                    #[doc = concat!("As [`", stringify!($stream), "::local_addr`].")]
                    ///
                    /// # Examples
                    ///
                    /// See the type's example.
                    pub fn local_addr(&self) -> io::Result<$addr> {
                        self.$inner.local_addr()
                    }

                    /// The peer's address.
                    ///
                    /// # Errors
                    ///
                    #[doc = concat!("As [`", stringify!($stream), "::peer_addr`].")]
                    ///
                    /// # Examples
                    ///
                    /// See the type's example.
                    pub fn peer_addr(&self) -> io::Result<$addr> {
                        self.$inner.peer_addr()
                    }
                }
            };
        }

        addresses!(ReadHalf<'_>, 0);
        addresses!(WriteHalf<'_>, 0);
        addresses!(OwnedReadHalf, inner);
        addresses!(OwnedWriteHalf, inner);

        // The halves read and write through `&Stream`'s impls (`byte_stream_io!`).
        macro_rules! read_impl {
            ($t:ty, $inner:tt) => {
                impl AsyncRead for $t {
                    fn poll_read(
                        self: Pin<&mut Self>,
                        cx: &mut Context<'_>,
                        buf: &mut [u8],
                    ) -> Poll<io::Result<usize>> {
                        let mut stream: &$stream = &self.$inner;
                        Pin::new(&mut stream).poll_read(cx, buf)
                    }

                    fn poll_read_vectored(
                        self: Pin<&mut Self>,
                        cx: &mut Context<'_>,
                        bufs: &mut [IoSliceMut<'_>],
                    ) -> Poll<io::Result<usize>> {
                        let mut stream: &$stream = &self.$inner;
                        Pin::new(&mut stream).poll_read_vectored(cx, bufs)
                    }
                }
            };
        }

        macro_rules! write_impl {
            ($t:ty, $inner:tt) => {
                impl AsyncWrite for $t {
                    fn poll_write(
                        self: Pin<&mut Self>,
                        cx: &mut Context<'_>,
                        buf: &[u8],
                    ) -> Poll<io::Result<usize>> {
                        let mut stream: &$stream = &self.$inner;
                        Pin::new(&mut stream).poll_write(cx, buf)
                    }

                    fn poll_write_vectored(
                        self: Pin<&mut Self>,
                        cx: &mut Context<'_>,
                        bufs: &[IoSlice<'_>],
                    ) -> Poll<io::Result<usize>> {
                        let mut stream: &$stream = &self.$inner;
                        Pin::new(&mut stream).poll_write_vectored(cx, bufs)
                    }

                    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                        let mut stream: &$stream = &self.$inner;
                        Pin::new(&mut stream).poll_flush(cx)
                    }

                    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                        let mut stream: &$stream = &self.$inner;
                        Pin::new(&mut stream).poll_close(cx)
                    }
                }
            };
        }

        read_impl!(ReadHalf<'_>, 0);
        read_impl!(OwnedReadHalf, inner);
        write_impl!(WriteHalf<'_>, 0);
        write_impl!(OwnedWriteHalf, inner);
    };
}

pub(crate) use stream_halves;
