//! [`ToSocketAddrs`]: addresses that may need name resolution, resolved off the workers.

use std::future::{Future, poll_fn};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

use crate::handle::Handle;

/// Anything that names one or more socket addresses: a `SocketAddr`, an `(ip, port)` pair,
/// a `"host:port"` string or a `(host, port)` pair.
///
/// Literal addresses are used as they are. Host names are resolved with the system resolver
/// (`getaddrinfo`, which blocks) on the runtime's blocking pool, never on a worker thread.
///
/// This trait is sealed; it is implemented for the same types as `std::net::ToSocketAddrs`.
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// use conductor_reactor::net::TcpListener;
/// let a = TcpListener::bind("127.0.0.1:0").await.unwrap();
/// let b = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
/// let c = TcpListener::bind(a.local_addr().unwrap().ip().to_string() + ":0").await.unwrap();
/// # drop((b, c));
/// # });
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

#[allow(unreachable_pub)] // the sealed-trait pattern: public items nobody outside can name
mod sealed {
    use super::*;

    /// Either the addresses themselves, or a name to resolve.
    #[derive(Debug)]
    pub enum MaybeReady {
        Ready(Vec<SocketAddr>),
        Resolve(String, u16),
        ResolveHostPort(String),
    }

    /// The hidden method of [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait Sealed {
        #[doc(hidden)]
        fn to_addrs(&self) -> MaybeReady;
    }
}

use sealed::{MaybeReady, Sealed};

macro_rules! ready_impl {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl ToSocketAddrs for $t {}
        impl Sealed for $t {
            fn to_addrs(&self) -> MaybeReady {
                let $v = self;
                MaybeReady::Ready(vec![$e])
            }
        }
    )*};
}

ready_impl! {
    SocketAddr => |a| *a,
    SocketAddrV4 => |a| SocketAddr::V4(*a),
    SocketAddrV6 => |a| SocketAddr::V6(*a),
    (IpAddr, u16) => |a| SocketAddr::new(a.0, a.1),
    (Ipv4Addr, u16) => |a| SocketAddr::new(IpAddr::V4(a.0), a.1),
    (Ipv6Addr, u16) => |a| SocketAddr::new(IpAddr::V6(a.0), a.1),
}

impl ToSocketAddrs for [SocketAddr] {}
impl Sealed for [SocketAddr] {
    fn to_addrs(&self) -> MaybeReady {
        MaybeReady::Ready(self.to_vec())
    }
}

impl ToSocketAddrs for str {}
impl Sealed for str {
    fn to_addrs(&self) -> MaybeReady {
        match self.parse::<SocketAddr>() {
            Ok(addr) => MaybeReady::Ready(vec![addr]),
            Err(_) => MaybeReady::ResolveHostPort(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}
impl Sealed for String {
    fn to_addrs(&self) -> MaybeReady {
        self.as_str().to_addrs()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl Sealed for (&str, u16) {
    fn to_addrs(&self) -> MaybeReady {
        match self.0.parse::<IpAddr>() {
            Ok(ip) => MaybeReady::Ready(vec![SocketAddr::new(ip, self.1)]),
            Err(_) => MaybeReady::Resolve(self.0.to_owned(), self.1),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl Sealed for (String, u16) {
    fn to_addrs(&self) -> MaybeReady {
        (self.0.as_str(), self.1).to_addrs()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: Sealed + ?Sized> Sealed for &T {
    fn to_addrs(&self) -> MaybeReady {
        (**self).to_addrs()
    }
}

/// The addresses `addr` names; names are resolved through the reactor's blocking spawner.
pub(crate) async fn resolve(addr: &(impl ToSocketAddrs + ?Sized)) -> io::Result<Vec<SocketAddr>> {
    match addr.to_addrs() {
        MaybeReady::Ready(addrs) => Ok(addrs),
        MaybeReady::Resolve(host, port) => {
            run_blocking(move || std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)))
                .await
        }
        MaybeReady::ResolveHostPort(s) => {
            run_blocking(move || std::net::ToSocketAddrs::to_socket_addrs(s.as_str())).await
        }
    }
}

type Slot = Arc<Mutex<(Option<io::Result<Vec<SocketAddr>>>, Option<Waker>)>>;

fn run_blocking<I: Iterator<Item = SocketAddr>>(
    f: impl FnOnce() -> io::Result<I> + Send + 'static,
) -> impl Future<Output = io::Result<Vec<SocketAddr>>> {
    let slot: Slot = Arc::new(Mutex::new((None, None)));
    let theirs = slot.clone();
    let job: Box<dyn FnOnce() + Send> = Box::new(move || {
        let res = f().map(|it| it.collect());
        let waker = {
            let mut s = theirs.lock().unwrap_or_else(|e| e.into_inner());
            s.0 = Some(res);
            s.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    });
    match Handle::try_current().and_then(|h| h.inner.blocking) {
        Some(spawn) => spawn(job),
        None => {
            std::thread::spawn(job);
        }
    }
    poll_fn(move |cx| {
        let mut s = slot.lock().unwrap_or_else(|e| e.into_inner());
        match s.0.take() {
            Some(res) => Poll::Ready(res),
            None => {
                s.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    })
}

/// Tries `f` on each address in turn; returns the first success or the last error.
pub(crate) async fn each_addr<T, F, Fut>(
    addr: &(impl ToSocketAddrs + ?Sized),
    mut f: F,
) -> io::Result<T>
where
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last = None;
    for a in resolve(addr).await? {
        match f(a).await {
            Ok(v) => return Ok(v),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    }))
}
