//! [`Interest`] (what a source is registered for) and [`Ready`] (what an event reported).

use std::fmt;
use std::ops::BitOr;

/// What an I/O source is registered for: reading, writing, or both.
///
/// ```
/// use conductor_reactor::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Interest(u8);

impl Interest {
    /// Interest in reading (or accepting, or receiving).
    pub const READABLE: Interest = Interest(0b01);
    /// Interest in writing (or connecting, or sending).
    pub const WRITABLE: Interest = Interest(0b10);

    /// Whether reading is part of this interest.
    ///
    /// ```
    /// assert!(conductor_reactor::Interest::READABLE.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & Self::READABLE.0 != 0
    }

    /// Whether writing is part of this interest.
    ///
    /// ```
    /// assert!(!conductor_reactor::Interest::READABLE.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & Self::WRITABLE.0 != 0
    }

    /// Both interests together (a `const` form of `|`).
    ///
    /// ```
    /// use conductor_reactor::Interest;
    /// assert_eq!(Interest::READABLE.add(Interest::WRITABLE), Interest::READABLE | Interest::WRITABLE);
    /// ```
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    pub(crate) fn to_mio(self) -> mio::Interest {
        match (self.is_readable(), self.is_writable()) {
            (true, true) => mio::Interest::READABLE | mio::Interest::WRITABLE,
            (false, true) => mio::Interest::WRITABLE,
            _ => mio::Interest::READABLE,
        }
    }
}

impl BitOr for Interest {
    type Output = Interest;
    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.is_readable(), self.is_writable()) {
            (true, true) => f.write_str("READABLE | WRITABLE"),
            (true, false) => f.write_str("READABLE"),
            (false, true) => f.write_str("WRITABLE"),
            (false, false) => f.write_str("(none)"),
        }
    }
}

/// One direction of I/O: each has its own readiness bits and its own waiting task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

impl Direction {
    /// The readiness bits that let an operation in this direction make progress (or fail):
    /// the ready bit, the closed bit and the error bit.
    pub(crate) fn mask(self) -> Ready {
        match self {
            Direction::Read => Ready(Ready::READABLE.0 | Ready::READ_CLOSED.0 | Ready::ERROR.0),
            Direction::Write => Ready(Ready::WRITABLE.0 | Ready::WRITE_CLOSED.0 | Ready::ERROR.0),
        }
    }

    /// The bits a `WouldBlock` in this direction clears. The closed bits stay: a closed
    /// direction never blocks again, and no new edge would come to set them back.
    pub(crate) fn clearable(self) -> Ready {
        match self {
            Direction::Read => Ready(Ready::READABLE.0 | Ready::ERROR.0),
            Direction::Write => Ready(Ready::WRITABLE.0 | Ready::ERROR.0),
        }
    }
}

/// The readiness an event reported for a source.
///
/// ```
/// use conductor_reactor::Ready;
///
/// let r = Ready::READABLE | Ready::READ_CLOSED;
/// assert!(r.is_readable() && r.is_read_closed() && !r.is_writable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Ready(u8);

impl Ready {
    /// Nothing is ready.
    pub const EMPTY: Ready = Ready(0);
    /// Data (or a connection) can be read.
    pub const READABLE: Ready = Ready(0b1);
    /// Data can be written.
    pub const WRITABLE: Ready = Ready(0b10);
    /// The read side is closed (the peer shut down writing, or hung up).
    pub const READ_CLOSED: Ready = Ready(0b100);
    /// The write side is closed (the peer hung up, or an error).
    pub const WRITE_CLOSED: Ready = Ready(0b1000);
    /// An error is pending on the source.
    pub const ERROR: Ready = Ready(0b1_0000);

    /// Whether `READABLE` is set.
    ///
    /// ```
    /// assert!(conductor_reactor::Ready::READABLE.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & Self::READABLE.0 != 0
    }

    /// Whether `WRITABLE` is set.
    ///
    /// ```
    /// assert!(conductor_reactor::Ready::WRITABLE.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & Self::WRITABLE.0 != 0
    }

    /// Whether `READ_CLOSED` is set.
    ///
    /// ```
    /// assert!(!conductor_reactor::Ready::READABLE.is_read_closed());
    /// ```
    pub const fn is_read_closed(self) -> bool {
        self.0 & Self::READ_CLOSED.0 != 0
    }

    /// Whether `WRITE_CLOSED` is set.
    ///
    /// ```
    /// assert!(conductor_reactor::Ready::WRITE_CLOSED.is_write_closed());
    /// ```
    pub const fn is_write_closed(self) -> bool {
        self.0 & Self::WRITE_CLOSED.0 != 0
    }

    /// Whether `ERROR` is set.
    ///
    /// ```
    /// assert!(conductor_reactor::Ready::ERROR.is_error());
    /// ```
    pub const fn is_error(self) -> bool {
        self.0 & Self::ERROR.0 != 0
    }

    /// Whether nothing is set.
    ///
    /// ```
    /// assert!(conductor_reactor::Ready::EMPTY.is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The bits set in both.
    ///
    /// ```
    /// use conductor_reactor::Ready;
    /// assert_eq!((Ready::READABLE | Ready::WRITABLE).intersection(Ready::WRITABLE), Ready::WRITABLE);
    /// ```
    pub const fn intersection(self, other: Ready) -> Ready {
        Ready(self.0 & other.0)
    }

    pub(crate) const fn as_usize(self) -> usize {
        self.0 as usize
    }

    pub(crate) const fn from_usize(bits: usize) -> Ready {
        Ready((bits & 0b1_1111) as u8)
    }

    pub(crate) fn from_mio(event: &mio::event::Event) -> Ready {
        let mut bits = 0;
        if event.is_readable() {
            bits |= Self::READABLE.0;
        }
        if event.is_writable() {
            bits |= Self::WRITABLE.0;
        }
        if event.is_read_closed() {
            bits |= Self::READ_CLOSED.0;
        }
        if event.is_write_closed() {
            bits |= Self::WRITE_CLOSED.0;
        }
        if event.is_error() {
            bits |= Self::ERROR.0;
        }
        Ready(bits)
    }
}

impl BitOr for Ready {
    type Output = Ready;
    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready")
            .field("readable", &self.is_readable())
            .field("writable", &self.is_writable())
            .field("read_closed", &self.is_read_closed())
            .field("write_closed", &self.is_write_closed())
            .field("error", &self.is_error())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert!(
            !Direction::Read
                .mask()
                .intersection(Ready::READ_CLOSED)
                .is_empty()
        );
        assert!(
            Direction::Read
                .mask()
                .intersection(Ready::WRITABLE)
                .is_empty()
        );
        assert!(
            Direction::Write
                .clearable()
                .intersection(Ready::WRITE_CLOSED)
                .is_empty()
        );
        let r = Ready::READABLE | Ready::WRITABLE;
        assert_eq!(Ready::from_usize(r.as_usize()), r);
    }
}
