//! The free functions of [`crate::fs`]: `std::fs`'s, on the blocking pool.

use std::fs::Metadata;
use std::io;
use std::path::Path;

use super::asyncify;

/// Reads a whole file into a `Vec`; see [`std::fs::read`].
///
/// # Errors
///
/// As [`std::fs::read`] (`NotFound`, permissions, ...).
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("conductor-doc-read-{}", std::process::id()));
/// conductor::fs::write(&path, [1u8, 2, 3]).await?;
/// assert_eq!(conductor::fs::read(&path).await?, [1, 2, 3]);
/// conductor::fs::remove_file(&path).await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read(path)).await
}

/// Reads a whole UTF-8 file into a `String`; see [`std::fs::read_to_string`].
///
/// # Errors
///
/// As [`std::fs::read_to_string`]; `InvalidData` when the file is not UTF-8.
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("conductor-doc-rts-{}", std::process::id()));
/// conductor::fs::write(&path, "text").await?;
/// assert_eq!(conductor::fs::read_to_string(&path).await?, "text");
/// conductor::fs::remove_file(&path).await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_to_string(path)).await
}

/// Creates or truncates a file and writes `contents`; see [`std::fs::write`].
///
/// # Errors
///
/// As [`std::fs::write`].
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("conductor-doc-write-{}", std::process::id()));
/// conductor::fs::write(&path, b"bytes").await?;
/// assert_eq!(conductor::fs::read(&path).await?, b"bytes");
/// conductor::fs::remove_file(&path).await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    asyncify(move || std::fs::write(path, contents)).await
}

/// Creates a directory (its parent must exist); see [`std::fs::create_dir`].
///
/// # Errors
///
/// As [`std::fs::create_dir`] (`AlreadyExists`, `NotFound` for a missing parent, ...).
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("conductor-doc-mkdir-{}", std::process::id()));
/// conductor::fs::create_dir(&dir).await?;
/// conductor::fs::remove_dir(&dir).await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir(path)).await
}

/// Creates a directory and any missing parents; see [`std::fs::create_dir_all`].
///
/// # Errors
///
/// As [`std::fs::create_dir_all`].
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let root = std::env::temp_dir().join(format!("conductor-doc-mkdirs-{}", std::process::id()));
/// conductor::fs::create_dir_all(root.join("a/b/c")).await?;
/// assert!(conductor::fs::metadata(root.join("a/b/c")).await?.is_dir());
/// conductor::fs::remove_dir_all(&root).await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir_all(path)).await
}

/// Removes a file; see [`std::fs::remove_file`].
///
/// # Errors
///
/// As [`std::fs::remove_file`] (`NotFound`, ...).
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("conductor-doc-rm-{}", std::process::id()));
/// conductor::fs::write(&path, "x").await?;
/// conductor::fs::remove_file(&path).await?;
/// assert!(!conductor::fs::try_exists(&path).await?);
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_file(path)).await
}

/// Removes an empty directory; see [`std::fs::remove_dir`].
///
/// # Errors
///
/// As [`std::fs::remove_dir`] (the directory is not empty, ...).
///
/// # Examples
///
/// See [`create_dir`].
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir(path)).await
}

/// Removes a directory and everything in it; see [`std::fs::remove_dir_all`].
///
/// # Errors
///
/// As [`std::fs::remove_dir_all`].
///
/// # Examples
///
/// See [`create_dir_all`].
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir_all(path)).await
}

/// Metadata of a path, following symlinks; see [`std::fs::metadata`].
///
/// # Errors
///
/// As [`std::fs::metadata`].
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("conductor-doc-meta-{}", std::process::id()));
/// conductor::fs::write(&path, "four").await?;
/// let meta = conductor::fs::metadata(&path).await?;
/// assert!(meta.is_file());
/// assert_eq!(meta.len(), 4);
/// conductor::fs::remove_file(&path).await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::metadata(path)).await
}

/// Renames a file or directory, replacing `to` if it is a file; see [`std::fs::rename`].
///
/// # Errors
///
/// As [`std::fs::rename`].
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let tmp = std::env::temp_dir();
/// let (a, b) = (tmp.join(format!("conductor-doc-mv-a-{}", std::process::id())),
///               tmp.join(format!("conductor-doc-mv-b-{}", std::process::id())));
/// conductor::fs::write(&a, "moved").await?;
/// conductor::fs::rename(&a, &b).await?;
/// assert_eq!(conductor::fs::read_to_string(&b).await?, "moved");
/// conductor::fs::remove_file(&b).await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::rename(from, to)).await
}

/// Copies a file's contents and permissions, returning the bytes copied; see
/// [`std::fs::copy`].
///
/// # Errors
///
/// As [`std::fs::copy`].
///
/// # Examples
///
/// ```
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let tmp = std::env::temp_dir();
/// let (a, b) = (tmp.join(format!("conductor-doc-cp-a-{}", std::process::id())),
///               tmp.join(format!("conductor-doc-cp-b-{}", std::process::id())));
/// conductor::fs::write(&a, "copy me").await?;
/// assert_eq!(conductor::fs::copy(&a, &b).await?, 7);
/// assert_eq!(conductor::fs::read_to_string(&b).await?, "copy me");
/// conductor::fs::remove_file(&a).await?;
/// conductor::fs::remove_file(&b).await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::copy(from, to)).await
}

/// Whether a path exists (`Ok(false)` for a broken symlink); see [`std::fs::exists`].
///
/// # Errors
///
/// When existence cannot be determined (a permission error on a parent, ...).
///
/// # Examples
///
/// See [`remove_file`].
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::exists(path)).await
}
