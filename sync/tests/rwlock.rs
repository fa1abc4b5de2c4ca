//! `RwLock`: concurrent readers, exclusive writers, writer preference through FIFO, max readers,
//! owned guards, cancel safety.

mod support;

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering::SeqCst};

use conductor_sync::RwLock;
use support::{CountingWaker, multi_thread, poll};

#[test]
fn readers_share_and_a_writer_excludes() {
    // Counts readers (+1 each) and writers (-1000 each) inside the lock at any time.
    multi_thread(async {
        let lock = Arc::new(RwLock::new(0u64));
        let inside = Arc::new(AtomicIsize::new(0));
        let mut handles = Vec::new();
        for i in 0..16u64 {
            let (lock, inside) = (lock.clone(), inside.clone());
            handles.push(conductor::spawn(async move {
                for _ in 0..200 {
                    if i % 4 == 0 {
                        let mut w = lock.write().await;
                        assert_eq!(inside.fetch_sub(1000, SeqCst), 0, "writer not alone");
                        *w += 1;
                        conductor::task::yield_now().await;
                        inside.fetch_add(1000, SeqCst);
                    } else {
                        let r = lock.read().await;
                        assert!(
                            inside.fetch_add(1, SeqCst) >= 0,
                            "reader inside with a writer"
                        );
                        let _ = *r;
                        conductor::task::yield_now().await;
                        inside.fetch_sub(1, SeqCst);
                    }
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(*lock.read().await, 4 * 200);
        assert_eq!(inside.load(SeqCst), 0);
    });
}

#[test]
fn two_read_guards_coexist_and_a_queued_writer_blocks_new_readers() {
    let lock = RwLock::new(1);
    let (wakes, waker) = CountingWaker::new();
    let r1 = lock.try_read().unwrap();
    let mut r2 = pin!(lock.read());
    let r2 = match poll(r2.as_mut(), &waker) {
        std::task::Poll::Ready(g) => g,
        _ => panic!("a second reader must not wait"),
    };
    let mut w = pin!(lock.write());
    assert!(poll(w.as_mut(), &waker).is_pending());
    // Writer-preferring: a reader arriving after the queued writer waits behind it.
    assert!(lock.try_read().is_err());
    let mut r3 = pin!(lock.read());
    assert!(poll(r3.as_mut(), &waker).is_pending());
    drop(r1);
    assert!(
        poll(w.as_mut(), &waker).is_pending(),
        "one reader still inside"
    );
    drop(r2);
    assert_eq!(wakes.wakes(), 1);
    let std::task::Poll::Ready(mut wg) = poll(w.as_mut(), &waker) else {
        panic!("writer not granted")
    };
    *wg = 2;
    assert!(poll(r3.as_mut(), &waker).is_pending());
    drop(wg);
    let std::task::Poll::Ready(r3g) = poll(r3.as_mut(), &waker) else {
        panic!("reader not granted after the writer")
    };
    assert_eq!(*r3g, 2);
}

#[test]
fn cancelled_writer_passes_gathered_permits_on() {
    let lock = RwLock::with_max_readers((), 4);
    let (_w, waker) = CountingWaker::new();
    let r = lock.try_read().unwrap();
    let mut w = Box::pin(lock.write());
    assert!(poll(w.as_mut(), &waker).is_pending());
    let mut reader = Box::pin(lock.read());
    assert!(poll(reader.as_mut(), &waker).is_pending());
    drop(w); // it had 3 of 4 permits; they go on to the reader
    assert!(poll(reader.as_mut(), &waker).is_ready());
    drop(reader);
    drop(r);
    assert!(lock.try_write().is_ok(), "every permit came back");
}

#[test]
fn max_readers_limits_and_owned_guards() {
    let lock = Arc::new(RwLock::with_max_readers(5, 2));
    let a = lock.clone().try_read_owned().unwrap();
    let b = lock.clone().try_read_owned().unwrap();
    assert!(lock.try_read().is_err());
    std::thread::spawn(move || assert_eq!(*a + *b, 10))
        .join()
        .unwrap();
    let mut w = futures::executor::block_on(lock.clone().write_owned());
    *w = 6;
    assert!(lock.clone().try_read_owned().is_err());
    drop(w);
    assert_eq!(*futures::executor::block_on(lock.clone().read_owned()), 6);
    let mut lock = Arc::try_unwrap(lock).unwrap();
    *lock.get_mut() = 7;
    assert_eq!(format!("{lock:?}"), "RwLock { data: 7, max_readers: 2 }");
    assert_eq!(lock.into_inner(), 7);
}

#[test]
#[should_panic(expected = "max_readers must be between 1")]
fn zero_max_readers_panics_with_a_message() {
    let _ = RwLock::with_max_readers((), 0);
}
