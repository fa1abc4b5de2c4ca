//! The I/O reactor of conductor, on `mio`: a [`Driver`] that waits for OS events and wakes
//! the tasks waiting on them, and the socket types in [`net`].
//!
//! The reactor knows nothing of the scheduler: a source's readiness is recorded in its slot
//! and the `Waker`s stored there are woken. The runtime (`conductor`) owns the [`Driver`],
//! calls [`Driver::turn`] from its park loop, and makes the [`Handle`] current on each of its
//! threads, where [`PollEvented`] and the `net` types find it. Users reach these types as
//! `conductor::net` and `conductor::io`.
//!
//! ```
//! use conductor_reactor::net::UdpSocket;
//! # conductor::runtime::Runtime::new().unwrap().block_on(async {
//! let socket = UdpSocket::bind("127.0.0.1:0").await?;
//! socket.send_to(b"echo", socket.local_addr()?).await?;
//! let mut buf = [0u8; 4];
//! let (n, _) = socket.recv_from(&mut buf).await?;
//! assert_eq!(&buf[..n], b"echo");
//! # Ok::<_, std::io::Error>(())
//! # }).unwrap();
//! ```
//!
//! Driving the reactor by hand, without a runtime:
//!
//! ```
//! use conductor_reactor::{Driver, Interest, PollEvented};
//! use std::io::Write;
//! use std::task::{Context, Poll};
//!
//! let mut driver = Driver::new().unwrap();
//! let (a, b) = mio::net::UnixStream::pair().unwrap();
//! let a = PollEvented::new_with_handle(a, Interest::READABLE, driver.handle()).unwrap();
//! let waker = std::task::Waker::noop();
//! let mut cx = Context::from_waker(&waker);
//! assert!(a.poll_read_ready(&mut cx).is_pending());
//! (&b).write_all(b"x").unwrap();
//! driver.turn(None).unwrap(); // delivers the event
//! assert!(matches!(a.poll_read_ready(&mut cx), Poll::Ready(Ok(()))));
//! ```

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![doc(test(attr(deny(warnings))))]

#[cfg(conductor_loom)]
#[doc(hidden)]
pub mod __loom;
mod driver;
pub mod error;
mod handle;
pub mod net;
mod poll_evented;
mod readiness;
mod registration;
mod scheduled_io;
pub mod signal;
mod sync;

pub use driver::Driver;
pub use handle::{BlockingSpawner, EnterGuard, Handle};
pub use poll_evented::PollEvented;
pub use readiness::{Interest, Ready};
