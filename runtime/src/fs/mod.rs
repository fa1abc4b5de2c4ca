//! Files and directories, through the blocking pool.
//!
//! Operating systems offer no portable non-blocking file I/O, so each function here runs its
//! `std::fs` counterpart on the blocking pool ([`crate::task::spawn_blocking`]) and awaits it:
//! the workers stay free while the disk works. Errors are `std::fs`'s, unchanged. [`File`]
//! implements `futures-io`'s `AsyncRead`, `AsyncWrite` and `AsyncSeek` by moving a buffer to
//! the pool, one operation in flight at a time.
//!
//! Many small operations cost a trip to the pool each; batch them into one
//! `spawn_blocking` closure with `std::fs` when that matters.
//!
//! ```
//! # conductor::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("conductor-fs-doc-{}", std::process::id()));
//! conductor::fs::create_dir_all(&dir).await?;
//! let path = dir.join("hello.txt");
//! conductor::fs::write(&path, "hello").await?;
//! assert_eq!(conductor::fs::read_to_string(&path).await?, "hello");
//! conductor::fs::remove_dir_all(&dir).await?;
//! # Ok::<_, std::io::Error>(())
//! # }).unwrap();
//! ```

mod file;
mod open_options;
mod ops;

pub use file::File;
pub use open_options::OpenOptions;
pub use ops::{
    copy, create_dir, create_dir_all, metadata, read, read_to_string, remove_dir, remove_dir_all,
    remove_file, rename, try_exists, write,
};

use std::io;

/// Runs `f` on the blocking pool and returns its result. A panic in `f` resumes on the caller;
/// a cancelled job (the runtime shutting down) is an `io::Error`.
pub(crate) async fn asyncify<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match crate::task::spawn_blocking(f).await {
        Ok(res) => res,
        Err(e) => Err(join_error_to_io(e)),
    }
}

pub(crate) fn join_error_to_io(e: crate::task::JoinError) -> io::Error {
    if e.is_panic() {
        std::panic::resume_unwind(e.into_panic());
    }
    io::Error::other(format!("file operation did not run: {e}"))
}
