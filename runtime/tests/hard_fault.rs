//! Hardening, faults: `EMFILE` on accept, peer resets, a full socket buffer with a slow
//! reader, a clock that jumps (paused time) and a blocking pool that cannot start a thread.
//! Each must give the caller an error or carry on; none may panic a worker or hang.

#[macro_use]
mod support;

use std::io;
use std::time::Duration;

use conductor::io::{AsyncReadExt, AsyncWriteExt};
use conductor::net::{TcpListener, TcpSocket, TcpStream};
use conductor::runtime::Builder;
use conductor::time::{self, Instant};
use support::{Flavor, run_child, size, with_timeout};

/// A stack no OS can map: every thread start fails with an `io::Error`, the way it does when
/// memory or `RLIMIT_NPROC` runs out (root ignores `RLIMIT_NPROC`, so that cannot be used).
const UNMAPPABLE_STACK: usize = 1 << 62;

#[test]
fn blocking_pool_that_cannot_start_a_thread_returns_an_error() {
    with_timeout(|| {
        // The current-thread flavor starts no thread of its own, so it builds; its blocking
        // pool then cannot start any.
        let rt = Builder::new_current_thread()
            .thread_stack_size(UNMAPPABLE_STACK)
            .build()
            .unwrap();
        let n = size(100, 10_000);
        rt.block_on(async {
            for i in 0..n {
                let err = conductor::task::spawn_blocking(move || i)
                    .await
                    .unwrap_err();
                assert!(err.is_cancelled(), "spawn {i}: {err}");
            }
            // The runtime itself is unharmed.
            assert_eq!(conductor::spawn(async { 9 }).await.unwrap(), 9);
        });
        assert_eq!(rt.metrics().num_blocking_threads(), 0);
        // Workers that cannot start make `build` fail, not panic.
        let err = Builder::new_multi_thread()
            .worker_threads(2)
            .thread_stack_size(UNMAPPABLE_STACK)
            .build()
            .unwrap_err();
        assert_ne!(err.kind(), io::ErrorKind::Other, "{err}");
    });
}

/// Child side of [`blocking_task_waits_for_a_running_thread_when_no_new_one_can_start`]:
/// with one pool thread busy, caps the address space (`RLIMIT_AS`) so that no further thread
/// stack can be mapped, and checks the next closure queues for the busy thread instead of
/// failing.
#[test]
fn child_blocking_spawn_fails_with_a_thread_running() {
    if std::env::var_os("CONDUCTOR_CHILD").is_none() {
        return;
    }
    const STACK: usize = 64 << 20;
    let rt = Builder::new_current_thread()
        .thread_stack_size(STACK)
        .build()
        .unwrap();
    let gate = support::Gate::new();
    let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (g, st) = (gate.clone(), started.clone());
    let first = rt.spawn_blocking(move || {
        st.store(true, std::sync::atomic::Ordering::Release);
        g.wait_for(Duration::from_secs(20));
        1
    });
    assert!(support::spin_until(&started));
    let vm_size_kib: u64 = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct we pass.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut old) }, 0);
    // Room for small allocations, not for another 64 MiB stack.
    let lim = libc::rlimit {
        rlim_cur: vm_size_kib * 1024 + (STACK as u64) / 4,
        rlim_max: old.rlim_max,
    };
    // SAFETY: setrlimit reads a valid, initialised struct.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) }, 0);
    let second = rt.spawn_blocking(|| 2);
    // The pool could not start a thread: the closure waits in the queue.
    assert_eq!(rt.metrics().num_blocking_threads(), 1);
    assert_eq!(rt.metrics().blocking_queue_depth(), 1);
    gate.open();
    let (a, b) = rt.block_on(async { (first.await.unwrap(), second.await.unwrap()) });
    assert_eq!((a, b), (1, 2));
    // SAFETY: as above; raising the soft limit back to its old value is always allowed.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &old) }, 0);
    println!("child_blocking_spawn_fails_with_a_thread_running: ok");
}

#[test]
fn blocking_task_waits_for_a_running_thread_when_no_new_one_can_start() {
    let out = run_child(
        "child_blocking_spawn_fails_with_a_thread_running",
        &[("CONDUCTOR_CHILD", "1")],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && stdout.contains("child_blocking_spawn_fails_with_a_thread_running: ok"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Child side of [`accept_survives_emfile`]: lowers `RLIMIT_NOFILE` so that accepting runs
/// out of descriptors, checks `accept` reports `EMFILE`, frees descriptors, and checks every
/// pending connection is still accepted.
#[test]
fn child_emfile() {
    if std::env::var_os("CONDUCTOR_CHILD").is_none() {
        return;
    }
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let n = 8;
        // Blocking connects complete through the backlog without an accept.
        let clients: Vec<_> = (0..n)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect();
        // New descriptors take the lowest free number: allow the lowest free one and the next.
        let open: std::collections::HashSet<u64> = std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
            .collect();
        let lowest_free = (0..).find(|fd| !open.contains(fd)).unwrap();
        let lim = libc::rlimit {
            rlim_cur: lowest_free + 2,
            rlim_max: lowest_free + 2,
        };
        // SAFETY: setrlimit reads a valid, initialised struct.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) }, 0);
        let mut accepted = Vec::new();
        let err = loop {
            match listener.accept().await {
                Ok((s, _)) => accepted.push(s),
                Err(e) => break e,
            }
            assert!(accepted.len() <= n, "accepted more than was connected");
        };
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");
        assert!(
            !accepted.is_empty() && accepted.len() < n,
            "{}",
            accepted.len()
        );
        let mut total = accepted.len();
        // Free descriptors: the listener keeps working and the rest come in.
        while total < n {
            accepted.clear();
            let (s, _) = listener.accept().await.unwrap();
            accepted.push(s);
            total += 1;
        }
        assert_eq!(total, n);
        drop(clients);
    });
    println!("child_emfile: ok");
}

#[test]
fn accept_survives_emfile() {
    let out = run_child("child_emfile", &[("CONDUCTOR_CHILD", "1")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("child_emfile: ok"),
        "child failed:\n{stdout}\n{stderr}"
    );
}

rt_test! {
    async fn peer_resets_give_errors_not_panics() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let n = size(100, 2_000);
        let server = conductor::spawn(async move {
            let mut resets = 0;
            for _ in 0..n {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 16];
                // The peer sent one byte then reset: we may read the byte, then the reset.
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) => break,
                        Ok(_) => continue,
                        Err(e) => {
                            assert_eq!(e.kind(), io::ErrorKind::ConnectionReset, "{e}");
                            resets += 1;
                            break;
                        }
                    }
                }
                // Writing to a reset connection is an error (no SIGPIPE kills the process).
                let mut write_failed = false;
                for _ in 0..4 {
                    if s.write_all(b"x").await.is_err() {
                        write_failed = true;
                        break;
                    }
                }
                assert!(write_failed);
            }
            resets
        });
        for _ in 0..n {
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.write_all(b"a").await.unwrap();
            c.set_linger(Some(Duration::ZERO)).unwrap();
            drop(c); // RST
        }
        let resets = server.await.unwrap();
        assert!(resets > 0, "at least some reads saw the reset");
    }
}

rt_test! {
    async fn a_full_socket_buffer_with_a_slow_reader_delivers_every_byte() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let total = size(2 << 20, 64 << 20);
        let writer = conductor::spawn(async move {
            let socket = TcpSocket::new_v4().unwrap();
            socket.set_send_buffer_size(4096).unwrap();
            let mut c = socket.connect(addr).await.unwrap();
            let chunk: Vec<u8> = (0..65_536u32).map(|i| (i % 251) as u8).collect();
            let mut sent = 0;
            while sent < total {
                let len = chunk.len().min(total - sent);
                // Offsets stay aligned to 251 only at chunk starts; the pattern is per chunk.
                c.write_all(&chunk[..len]).await.unwrap();
                sent += len;
            }
            c.shutdown(std::net::Shutdown::Write).unwrap();
            sent
        });
        let (mut s, _) = listener.accept().await.unwrap();
        let mut received = 0usize;
        let mut buf = vec![0u8; 1024];
        let mut reads = 0u64;
        loop {
            let n = s.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            for (k, b) in buf[..n].iter().enumerate() {
                let pos = (received + k) % 65_536;
                assert_eq!(*b, (pos % 251) as u8, "byte {} corrupted", received + k);
            }
            received += n;
            reads += 1;
            // Slow reader: the writer finds the buffers full over and over.
            if reads % 64 == 0 {
                time::sleep(Duration::from_millis(1)).await;
            }
        }
        assert_eq!(writer.await.unwrap(), total);
        assert_eq!(received, total);
    }
}

#[test]
fn a_jumping_paused_clock_fires_every_timer_once_and_never_early() {
    for flavor in [Flavor::CurrentThread, Flavor::MultiThread] {
        with_timeout(move || {
            let mut b = match flavor {
                Flavor::CurrentThread => Builder::new_current_thread(),
                Flavor::MultiThread => {
                    let mut b = Builder::new_multi_thread();
                    b.worker_threads(2);
                    b
                }
            };
            let rt = b.start_paused(true).build().unwrap();
            let n = size(1_000, 50_000);
            rt.block_on(async move {
                let start = Instant::now();
                let fired = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
                let handles: Vec<_> = (0..n)
                    .map(|i| {
                        let fired = fired.clone();
                        // Deadlines from 1 s to ~1 day, in a scrambled order.
                        let secs = 1 + (i as u64 * 7919) % 86_400;
                        conductor::spawn(async move {
                            time::sleep(Duration::from_secs(secs)).await;
                            fired.lock().unwrap().push((secs, Instant::now()));
                        })
                    })
                    .collect();
                conductor::task::yield_now().await;
                // One jump of two days: every timer is due at once.
                time::advance(Duration::from_secs(2 * 86_400)).await;
                for h in handles {
                    h.await.unwrap();
                }
                let fired = std::mem::take(&mut *fired.lock().unwrap());
                assert_eq!(fired.len(), n, "{flavor:?}: each timer fired once");
                for (secs, at) in fired.iter() {
                    assert!(
                        *at >= start + Duration::from_secs(*secs),
                        "{flavor:?}: early"
                    );
                }
                // The clock moved by at least the jump (a paused clock may also skip ahead to
                // the next timer when the runtime is idle).
                assert!(Instant::now() - start >= Duration::from_secs(2 * 86_400));
                // A timeout across a jump reports elapsed, a sleep after it still works.
                let t = time::timeout(Duration::from_secs(10), std::future::pending::<()>());
                let jump = conductor::spawn(time::advance(Duration::from_secs(60)));
                assert!(t.await.is_err());
                jump.await.unwrap();
                time::sleep(Duration::from_millis(1)).await;
            });
        });
    }
}
