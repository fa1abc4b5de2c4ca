//! [`UdpSocket`].

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll};

use crate::net::addr::{ToSocketAddrs, each_addr};
use crate::{Interest, PollEvented};

/// A UDP socket.
///
/// # Examples
///
/// ```
/// use conductor_reactor::net::UdpSocket;
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let a = UdpSocket::bind("127.0.0.1:0").await?;
/// let b = UdpSocket::bind("127.0.0.1:0").await?;
/// a.send_to(b"ping", b.local_addr()?).await?;
/// let mut buf = [0u8; 16];
/// let (n, from) = b.recv_from(&mut buf).await?;
/// assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct UdpSocket {
    io: PollEvented<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds a socket to `addr` (the first of its addresses that works).
    ///
    /// # Errors
    ///
    /// The OS's error for the last address tried (`AddrInUse`, say).
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        each_addr(&addr, |a| async move {
            UdpSocket::from_mio(mio::net::UdpSocket::bind(a)?)
        })
        .await
    }

    fn from_mio(s: mio::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: PollEvented::new(s)?,
        })
    }

    /// Wraps a std socket (made non-blocking here).
    ///
    /// # Errors
    ///
    /// The OS's error from `fcntl` or registration.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let std = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// let s = conductor_reactor::net::UdpSocket::from_std(std).unwrap();
    /// # drop(s);
    /// # });
    /// ```
    #[track_caller]
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        UdpSocket::from_mio(mio::net::UdpSocket::from_std(socket))
    }

    /// Deregisters the socket and returns it as a std socket (still non-blocking).
    ///
    /// # Errors
    ///
    /// The OS's error from deregistration.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let s = conductor_reactor::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let _std = s.into_std().unwrap();
    /// # });
    /// ```
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        Ok(self.io.into_inner()?.into())
    }

    /// The local address.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockname`.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The address this socket is connected to.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](Self::connect).
    ///
    /// # Examples
    ///
    /// See [`connect`](Self::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Sets the default destination of [`send`](Self::send) and the only source
    /// [`recv`](Self::recv) accepts (the first of `addr`'s addresses that works).
    ///
    /// # Errors
    ///
    /// The OS's error from `connect(2)`, or a resolution error.
    ///
    /// # Examples
    ///
    /// ```
    /// use conductor_reactor::net::UdpSocket;
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(b.local_addr()?).await?;
    /// b.connect(a.local_addr()?).await?;
    /// assert_eq!(a.peer_addr()?, b.local_addr()?);
    /// a.send(b"hi").await?;
    /// let mut buf = [0u8; 8];
    /// assert_eq!(b.recv(&mut buf).await?, 2);
    /// # Ok::<_, std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        each_addr(&addr, |a| async move { self.io.get_ref().connect(a) }).await
    }

    /// Sends a datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged (`ConnectionRefused` after an ICMP unreachable, say).
    ///
    /// # Examples
    ///
    /// See [`connect`](Self::connect).
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.write_with(|s| s.send(buf)).await
    }

    /// Polls a [`send`](Self::send).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = conductor_reactor::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.connect(a.local_addr().unwrap()).await.unwrap();
    /// std::future::poll_fn(|cx| a.poll_send(cx, b"x")).await.unwrap();
    /// # });
    /// ```
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io.poll_write_io(cx, |s| s.send(buf))
    }

    /// Receives a datagram from the connected peer.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`connect`](Self::connect).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.recv(buf)).await
    }

    /// Polls a [`recv`](Self::recv).
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = conductor_reactor::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let w = std::task::Waker::noop();
    /// assert!(a.poll_recv(&mut std::task::Context::from_waker(&w), &mut [0; 8]).is_pending());
    /// # });
    /// ```
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_read_io(cx, |s| s.recv(buf))
    }

    /// Sends a datagram to `target` (resolved first if it is a name).
    ///
    /// # Errors
    ///
    /// The OS's error unchanged, or a resolution error.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let addr = crate::net::addr::resolve(&target).await?;
        let addr = addr.first().copied().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "no addresses to send data to")
        })?;
        self.io.write_with(|s| s.send_to(buf, addr)).await
    }

    /// Receives a datagram and the address it came from.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| s.recv_from(buf)).await
    }

    /// Receives a datagram without removing it from the queue.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = conductor_reactor::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.send_to(b"x", a.local_addr().unwrap()).await.unwrap();
    /// let mut buf = [0u8; 4];
    /// let (n, _) = a.peek_from(&mut buf).await.unwrap();
    /// assert_eq!(a.recv_from(&mut buf).await.unwrap().0, n);
    /// # });
    /// ```
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| s.peek_from(buf)).await
    }

    /// Receives a datagram from the connected peer without removing it from the queue: the
    /// next [`recv`](Self::recv) returns it again.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = conductor_reactor::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.connect(a.local_addr().unwrap()).await.unwrap();
    /// a.send(b"again").await.unwrap();
    /// let mut buf = [0u8; 8];
    /// assert_eq!(a.peek(&mut buf).await.unwrap(), 5);
    /// assert_eq!(a.recv(&mut buf).await.unwrap(), 5);
    /// # });
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.peek(buf)).await
    }

    /// The sender of the next datagram, which stays queued; waits for one.
    ///
    /// # Errors
    ///
    /// The OS's error unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = conductor_reactor::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// let b = conductor_reactor::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.send_to(b"who", b.local_addr().unwrap()).await.unwrap();
    /// assert_eq!(b.peek_sender().await.unwrap(), a.local_addr().unwrap());
    /// let mut buf = [0u8; 4];
    /// assert_eq!(b.recv_from(&mut buf).await.unwrap(), (3, a.local_addr().unwrap()));
    /// # });
    /// ```
    pub async fn peek_sender(&self) -> io::Result<SocketAddr> {
        self.io
            .read_with(|s| {
                socket2::SockRef::from(s)
                    .peek_sender()?
                    .as_socket()
                    .ok_or_else(|| io::Error::other("the sender's address is not an IP address"))
            })
            .await
    }

    /// Waits until the socket may be readable.
    ///
    /// # Errors
    ///
    /// The shutdown error once the runtime is shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = conductor_reactor::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.writable().await.unwrap();
    /// a.try_send_to(b"x", a.local_addr().unwrap()).unwrap();
    /// let mut buf = [0u8; 4];
    /// let n = loop {
    ///     // Readiness can be stale: try, and wait again on WouldBlock.
    ///     a.readable().await.unwrap();
    ///     match a.try_recv_from(&mut buf) {
    ///         Ok((n, _)) => break n,
    ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///         Err(e) => panic!("{e}"),
    ///     }
    /// };
    /// assert_eq!(n, 1);
    /// # });
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        self.io.readable().await
    }

    /// Waits until the socket may be writable.
    ///
    /// # Errors
    ///
    /// The shutdown error once the runtime is shut down.
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    pub async fn writable(&self) -> io::Result<()> {
        self.io.writable().await
    }

    /// Sends to the connected peer now, or `WouldBlock`.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or the OS's error unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = conductor_reactor::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    /// a.connect(a.local_addr().unwrap()).await.unwrap();
    /// a.writable().await.unwrap();
    /// a.try_send(b"x").unwrap();
    /// let n = loop {
    ///     // Readiness can be stale: try, and wait again on WouldBlock.
    ///     a.readable().await.unwrap();
    ///     match a.try_recv(&mut [0; 4]) {
    ///         Ok(n) => break n,
    ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///         Err(e) => panic!("{e}"),
    ///     }
    /// };
    /// assert_eq!(n, 1);
    /// # });
    /// ```
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.send(buf))
    }

    /// Receives from the connected peer now, or `WouldBlock`.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or the OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`try_send`](Self::try_send).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// Sends to `target` now, or `WouldBlock`.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or the OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Receives a datagram now, or `WouldBlock`.
    ///
    /// # Errors
    ///
    /// `WouldBlock`, or the OS's error unchanged.
    ///
    /// # Examples
    ///
    /// See [`readable`](Self::readable).
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.recv_from(buf))
    }
}

macro_rules! sockopt {
    ($(#[$doc:meta] $set:ident / $get:ident : $ty:ty = $val:expr;)*) => {
        impl UdpSocket {$(
            #[$doc]
            ///
            /// # Errors
            ///
            /// The OS's error from `setsockopt`.
            ///
            /// # Examples
            ///
            /// ```
            /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
            /// let s = conductor_reactor::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
            #[doc = concat!("s.", stringify!($set), "(", stringify!($val), ").unwrap();")]
            #[doc = concat!("assert_eq!(s.", stringify!($get), "().unwrap(), ", stringify!($val), ");")]
            /// # });
            /// ```
            pub fn $set(&self, value: $ty) -> io::Result<()> {
                self.io.get_ref().$set(value)
            }

            #[doc = concat!("The value set by [`", stringify!($set), "`](Self::", stringify!($set), ").")]
            ///
            /// # Errors
            ///
            /// The OS's error from `getsockopt`.
            ///
            /// # Examples
            ///
            #[doc = concat!("See [`", stringify!($set), "`](Self::", stringify!($set), ").")]
            pub fn $get(&self) -> io::Result<$ty> {
                self.io.get_ref().$get()
            }
        )*}
    };
}

sockopt! {
    /// Sets `SO_BROADCAST` (allows sending to broadcast addresses).
    set_broadcast / broadcast: bool = true;
    /// Sets `IP_MULTICAST_LOOP` (whether multicast sent here loops back to this host).
    set_multicast_loop_v4 / multicast_loop_v4: bool = false;
    /// Sets `IP_MULTICAST_TTL`.
    set_multicast_ttl_v4 / multicast_ttl_v4: u32 = 4;
    /// Sets `IP_TTL`.
    set_ttl / ttl: u32 = 33;
}

impl UdpSocket {
    /// Sets `IPV6_MULTICAST_LOOP` (on an IPv6 socket).
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt` (on an IPv4 socket, say).
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// if let Ok(s) = conductor_reactor::net::UdpSocket::bind("[::1]:0").await {
    ///     s.set_multicast_loop_v6(false).unwrap();
    ///     assert!(!s.multicast_loop_v6().unwrap());
    /// }
    /// # });
    /// ```
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v6(on)
    }

    /// The `IPV6_MULTICAST_LOOP` setting.
    ///
    /// # Errors
    ///
    /// The OS's error from `getsockopt`.
    ///
    /// # Examples
    ///
    /// See [`set_multicast_loop_v6`](Self::set_multicast_loop_v6).
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v6()
    }

    /// Joins an IPv4 multicast group on the interface with address `interface`
    /// (`UNSPECIFIED`: the OS's choice).
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt` (no multicast route, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let s = conductor_reactor::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    /// let group = Ipv4Addr::new(239, 255, 0, 1);
    /// if s.join_multicast_v4(group, Ipv4Addr::LOCALHOST).is_ok() {
    ///     s.leave_multicast_v4(group, Ipv4Addr::LOCALHOST).unwrap();
    /// }
    /// # });
    /// ```
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().join_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves an IPv4 multicast group.
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// See [`join_multicast_v4`](Self::join_multicast_v4).
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v4(&multiaddr, &interface)
    }

    /// Joins an IPv6 multicast group on interface index `interface` (0: the OS's choice).
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// if let Ok(s) = conductor_reactor::net::UdpSocket::bind("[::]:0").await {
    ///     let group = "ff02::1:3".parse().unwrap();
    ///     if s.join_multicast_v6(&group, 0).is_ok() {
    ///         s.leave_multicast_v6(&group, 0).unwrap();
    ///     }
    /// }
    /// # });
    /// ```
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().join_multicast_v6(multiaddr, interface)
    }

    /// Leaves an IPv6 multicast group.
    ///
    /// # Errors
    ///
    /// The OS's error from `setsockopt`.
    ///
    /// # Examples
    ///
    /// See [`join_multicast_v6`](Self::join_multicast_v6).
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v6(multiaddr, interface)
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
