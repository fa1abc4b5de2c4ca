//! The halves of a [`UnixStream`]: borrowed ([`UnixStream::split`]) and owned
//! ([`UnixStream::into_split`]), from `net::byte_stream::stream_halves!`.

use std::os::unix::net::SocketAddr;

use super::UnixStream;

crate::net::byte_stream::stream_halves! {
    stream: UnixStream,
    addr: SocketAddr,
    setup: "",
    make: "conductor_reactor::net::UnixStream::pair().unwrap().0",
}
