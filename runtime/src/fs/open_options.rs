//! [`OpenOptions`]: how to open a [`File`].

use std::io;
use std::path::Path;

use super::{File, asyncify};

/// Options for opening a file, as [`std::fs::OpenOptions`] (whose documentation describes
/// each flag), with an async [`open`](OpenOptions::open).
///
/// # Examples
///
/// ```
/// use conductor::fs::OpenOptions;
/// use conductor::io::AsyncWriteExt;
/// # conductor::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("conductor-doc-oo-{}", std::process::id()));
/// conductor::fs::write(&path, "one ").await?;
/// let mut f = OpenOptions::new().append(true).open(&path).await?;
/// f.write_all(b"two").await?;
/// f.flush().await?;
/// assert_eq!(conductor::fs::read_to_string(&path).await?, "one two");
/// conductor::fs::remove_file(&path).await?;
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions {
    std: std::fs::OpenOptions,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions::new()
    }
}

impl OpenOptions {
    /// All flags off (set at least `read`, `write` or `append` before opening).
    ///
    /// ```
    /// let _opts = conductor::fs::OpenOptions::new();
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions {
            std: std::fs::OpenOptions::new(),
        }
    }

    /// Open for reading.
    ///
    /// ```
    /// let _opts = conductor::fs::OpenOptions::new().read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.std.read(read);
        self
    }

    /// Open for writing.
    ///
    /// ```
    /// let _opts = conductor::fs::OpenOptions::new().write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.std.write(write);
        self
    }

    /// Open for appending: every write goes to the end.
    ///
    /// ```
    /// let _opts = conductor::fs::OpenOptions::new().append(true);
    /// ```
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.std.append(append);
        self
    }

    /// Truncate the file to zero length when opening (needs `write`).
    ///
    /// ```
    /// let _opts = conductor::fs::OpenOptions::new().write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.std.truncate(truncate);
        self
    }

    /// Create the file if it is missing (needs `write` or `append`).
    ///
    /// ```
    /// let _opts = conductor::fs::OpenOptions::new().write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.std.create(create);
        self
    }

    /// Create the file, failing with `AlreadyExists` if it exists.
    ///
    /// ```
    /// let _opts = conductor::fs::OpenOptions::new().write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.std.create_new(create_new);
        self
    }

    /// Opens `path` with these options.
    ///
    /// # Errors
    ///
    /// As [`std::fs::OpenOptions::open`].
    ///
    /// # Examples
    ///
    /// ```
    /// # conductor::runtime::Runtime::new().unwrap().block_on(async {
    /// let missing = std::env::temp_dir().join("conductor-surely-missing/file");
    /// let err = conductor::fs::OpenOptions::new().read(true).open(missing).await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// # });
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let (opts, path) = (self.std.clone(), path.as_ref().to_owned());
        let std = asyncify(move || opts.open(path)).await?;
        Ok(File::from_std(std))
    }
}
