//! `conductor::fs`: the free functions and `File` (read, write, seek, read-ahead, errors),
//! in a unique temporary directory per test that is removed afterwards.

#[macro_use]
mod support;

use std::io::{ErrorKind, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use conductor::fs::{self, File, OpenOptions};
use conductor::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use support::{Flavor, run};

/// A fresh directory under the system temp dir, removed on drop (even when the test fails).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("conductor-fs-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the test body on both flavors.
fn both<F, Fut>(make: F)
where
    F: Fn() -> Fut + Send + Copy + 'static,
    Fut: std::future::Future<Output = ()>,
{
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        run(flavor, make);
    }
}

#[test]
fn free_functions_round_trip() {
    both(|| {
        Box::pin(async {
            let tmp = TempDir::new("free");
            let nested = tmp.path("a/b/c");
            fs::create_dir_all(&nested).await.unwrap();
            assert!(fs::metadata(&nested).await.unwrap().is_dir());

            let file = nested.join("data.bin");
            let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
            fs::write(&file, &bytes).await.unwrap();
            assert_eq!(fs::read(&file).await.unwrap(), bytes);
            assert_eq!(fs::metadata(&file).await.unwrap().len(), 100_000);

            let copy = tmp.path("copy.bin");
            assert_eq!(fs::copy(&file, &copy).await.unwrap(), 100_000);
            assert_eq!(fs::read(&copy).await.unwrap(), bytes);

            let moved = tmp.path("moved.txt");
            fs::write(&copy, "text now").await.unwrap();
            fs::rename(&copy, &moved).await.unwrap();
            assert!(!fs::try_exists(&copy).await.unwrap());
            assert_eq!(fs::read_to_string(&moved).await.unwrap(), "text now");

            fs::remove_file(&moved).await.unwrap();
            assert!(!fs::try_exists(&moved).await.unwrap());
            fs::remove_dir_all(tmp.path("a")).await.unwrap();
            assert!(!fs::try_exists(tmp.path("a")).await.unwrap());
        })
    });
}

#[test]
fn errors_are_the_os_errors() {
    both(|| {
        Box::pin(async {
            let tmp = TempDir::new("errors");
            let missing = tmp.path("missing");
            assert_eq!(
                fs::read(&missing).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
            assert_eq!(
                fs::remove_file(&missing).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
            assert_eq!(
                fs::metadata(&missing).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
            assert_eq!(
                File::open(&missing).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );

            fs::write(tmp.path("bad.txt"), [0xff, 0xfe]).await.unwrap();
            let err = fs::read_to_string(tmp.path("bad.txt")).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidData);

            let exists = tmp.path("exists");
            fs::write(&exists, "x").await.unwrap();
            let err = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&exists)
                .await;
            assert_eq!(err.unwrap_err().kind(), ErrorKind::AlreadyExists);

            // Writing to a file opened read-only fails at the write or, since writes are
            // accepted before they run, at the flush after it.
            let mut ro = File::open(&exists).await.unwrap();
            let res = match ro.write(b"nope").await {
                Ok(_) => ro.flush().await,
                Err(e) => Err(e),
            };
            assert!(res.is_err(), "writing a read-only file must fail");
        })
    });
}

/// The whole contents of `path`, by std (the reference).
fn std_read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn file_write_then_read_in_pieces() {
    both(|| {
        Box::pin(async {
            let tmp = TempDir::new("pieces");
            let path = tmp.path("f");
            let mut f = File::create(&path).await.unwrap();
            let mut expected = Vec::new();
            for i in 0..200u32 {
                let line = format!("line {i}\n");
                f.write_all(line.as_bytes()).await.unwrap();
                expected.extend_from_slice(line.as_bytes());
            }
            f.flush().await.unwrap();
            assert_eq!(std_read(&path), expected);
            drop(f);

            // Read back with a small buffer: many reads served from one read-ahead.
            let mut f = File::open(&path).await.unwrap();
            let mut got = Vec::new();
            let mut chunk = [0u8; 7];
            loop {
                let n = f.read(&mut chunk).await.unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&chunk[..n]);
            }
            assert_eq!(got, expected);
            // At the end, reads keep returning 0.
            assert_eq!(f.read(&mut chunk).await.unwrap(), 0);
        })
    });
}

#[test]
fn large_writes_and_reads_cross_the_buffer_limit() {
    both(|| {
        Box::pin(async {
            let tmp = TempDir::new("large");
            let path = tmp.path("big");
            let data: Vec<u8> = (0..5 * 1024 * 1024u32).map(|i| (i % 241) as u8).collect();
            let mut f = File::create(&path).await.unwrap();
            f.write_all(&data).await.unwrap(); // more than one 2 MiB job
            f.sync_all().await.unwrap();
            assert_eq!(f.metadata().await.unwrap().len(), data.len() as u64);
            drop(f);

            let mut f = File::open(&path).await.unwrap();
            let mut back = Vec::new();
            f.read_to_end(&mut back).await.unwrap();
            assert!(back == data, "5 MiB read back differs");
        })
    });
}

#[test]
fn seek_accounts_for_bytes_read_ahead() {
    both(|| {
        Box::pin(async {
            let tmp = TempDir::new("seek");
            let path = tmp.path("f");
            fs::write(&path, b"0123456789abcdef").await.unwrap();
            let mut f = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .await
                .unwrap();

            // A 4-byte read reads ahead; the logical position is 4.
            let mut four = [0u8; 4];
            f.read_exact(&mut four).await.unwrap();
            assert_eq!(&four, b"0123");
            assert_eq!(f.seek(SeekFrom::Current(0)).await.unwrap(), 4);

            // Relative seeks are relative to what the caller has read.
            f.read_exact(&mut four).await.unwrap();
            assert_eq!(f.seek(SeekFrom::Current(2)).await.unwrap(), 10);
            f.read_exact(&mut four).await.unwrap();
            assert_eq!(&four, b"abcd");

            // A write after a partial read lands at the logical position, not past the
            // read-ahead.
            f.seek(SeekFrom::Start(0)).await.unwrap();
            f.read_exact(&mut four).await.unwrap();
            f.write_all(b"WXYZ").await.unwrap();
            f.flush().await.unwrap();
            assert_eq!(std_read(&path), b"0123WXYZ89abcdef");

            assert_eq!(f.seek(SeekFrom::End(-2)).await.unwrap(), 14);
            let mut rest = Vec::new();
            f.read_to_end(&mut rest).await.unwrap();
            assert_eq!(rest, b"ef");
        })
    });
}

#[test]
fn set_len_and_sync_wait_for_writes_in_flight() {
    both(|| {
        Box::pin(async {
            let tmp = TempDir::new("setlen");
            let path = tmp.path("f");
            let mut f = File::create(&path).await.unwrap();
            f.write_all(b"hello world").await.unwrap();
            // No flush: set_len must first finish the write, then truncate.
            f.set_len(5).await.unwrap();
            f.sync_data().await.unwrap();
            assert_eq!(std_read(&path), b"hello");
            f.set_len(8).await.unwrap();
            assert_eq!(std_read(&path), b"hello\0\0\0");

            // into_std returns the file at the caller's position.
            let mut f = File::open(&path).await.unwrap();
            let mut two = [0u8; 2];
            f.read_exact(&mut two).await.unwrap();
            let mut std = f.into_std().await.unwrap();
            let mut rest = Vec::new();
            std::io::Read::read_to_end(&mut std, &mut rest).unwrap();
            assert_eq!(rest, b"llo\0\0\0");
        })
    });
}

#[test]
fn append_mode_appends() {
    both(|| {
        Box::pin(async {
            let tmp = TempDir::new("append");
            let path = tmp.path("log");
            for i in 0..3 {
                let mut f = OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(&path)
                    .await
                    .unwrap();
                f.write_all(format!("{i};").as_bytes()).await.unwrap();
                f.close().await.unwrap();
            }
            assert_eq!(fs::read_to_string(&path).await.unwrap(), "0;1;2;");
        })
    });
}

#[test]
fn dropped_file_finishes_its_write() {
    both(|| {
        Box::pin(async {
            let tmp = TempDir::new("drop");
            let path = tmp.path("f");
            let mut f = File::create(&path).await.unwrap();
            f.write_all(b"still written").await.unwrap();
            drop(f); // the write may still be on the blocking pool
            assert!(
                support::eventually_async(
                    || std::fs::read(&path).is_ok_and(|d| d == b"still written")
                )
                .await,
                "the in-flight write was lost"
            );
        })
    });
}

#[test]
fn many_files_concurrently_on_the_multi_thread_runtime() {
    run(Flavor::MultiThread, || async {
        let tmp = std::sync::Arc::new(TempDir::new("many"));
        let mut set = conductor::task::JoinSet::new();
        for i in 0..32u32 {
            let tmp = tmp.clone();
            set.spawn(async move {
                let path = tmp.path(&format!("{i}.txt"));
                let text = format!("file number {i}");
                let mut f = File::create(&path).await.unwrap();
                f.write_all(text.as_bytes()).await.unwrap();
                f.flush().await.unwrap();
                drop(f);
                assert_eq!(fs::read_to_string(&path).await.unwrap(), text);
            });
        }
        while let Some(res) = set.join_next().await {
            res.unwrap();
        }
    });
}
