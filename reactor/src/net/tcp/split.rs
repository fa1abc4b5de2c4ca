//! The halves of a [`TcpStream`]: borrowed ([`TcpStream::split`]) and owned
//! ([`TcpStream::into_split`]), from `net::byte_stream::stream_halves!`, plus `peek` on the
//! owned read half.

use std::net::SocketAddr;

use super::TcpStream;

crate::net::byte_stream::stream_halves! {
    stream: TcpStream,
    addr: SocketAddr,
    setup: "# let l = conductor_reactor::net::TcpListener::bind(\"127.0.0.1:0\").await.unwrap();\n",
    make: "conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap()",
}

impl OwnedReadHalf {
    /// Reads without consuming; see [`TcpStream::peek`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peek`].
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// # let l = conductor_reactor::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let s = conductor_reactor::net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    /// let (peer, _) = l.accept().await.unwrap();
    /// peer.writable().await.unwrap();
    /// peer.try_write(b"z").unwrap();
    /// let (r, _w) = s.into_split();
    /// let mut b = [0u8; 1];
    /// assert_eq!(r.peek(&mut b).await.unwrap(), 1);
    /// # });
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf).await
    }
}
