//! Misuse: using the runtime from outside it, blocking on it from async code, dropping it from
//! async code. Each panics with a message that names the problem, at the caller's location.

#[macro_use]
mod support;

use std::cell::RefCell;
use std::sync::{Arc, Once};

use conductor::runtime::Handle;
use conductor::task;
use support::{Flavor, panic_message, with_timeout};

const OUTSIDE: &str = "outside of a conductor runtime";
const BLOCK_ON_IN_ASYNC: &str = "cannot be blocked on from inside async code";
const DROP_IN_ASYNC: &str = "cannot be dropped from inside async code";

// ---- outside a runtime ----

#[test]
#[should_panic(expected = "outside of a conductor runtime")]
fn spawn_outside_a_runtime() {
    drop(conductor::spawn(async {}));
}

#[test]
#[should_panic(expected = "outside of a conductor runtime")]
fn task_spawn_outside_a_runtime() {
    drop(task::spawn(async {}));
}

#[test]
#[should_panic(expected = "outside of a conductor runtime")]
fn spawn_blocking_outside_a_runtime() {
    drop(task::spawn_blocking(|| ()));
}

#[test]
#[should_panic(expected = "outside of a conductor runtime")]
fn handle_current_outside_a_runtime() {
    let _ = Handle::current();
}

#[test]
#[should_panic]
fn task_id_outside_a_task() {
    let _ = task::id();
}

#[test]
fn try_current_and_try_id_outside_a_runtime() {
    let err = Handle::try_current().expect_err("no runtime here");
    assert!(!err.to_string().is_empty());
    assert!(task::try_id().is_none());
}

#[test]
#[should_panic(expected = "outside of a conductor runtime")]
fn spawn_after_leaving_block_on() {
    with_timeout(|| {
        let rt = support::current_thread();
        rt.block_on(async {});
        drop(conductor::spawn(async {}));
    });
}

#[test]
#[should_panic(expected = "outside of a conductor runtime")]
fn spawn_after_the_enter_guard_is_dropped() {
    with_timeout(|| {
        let rt = support::current_thread();
        drop(rt.handle().enter());
        drop(conductor::spawn(async {}));
    });
}

// ---- the panic location is the caller's (#[track_caller]) ----

thread_local! {
    static LAST_PANIC_LOCATION: RefCell<Option<(String, u32)>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that records, per thread, where the last panic happened, then
/// calls the default hook.
fn record_panic_locations() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some(loc) = info.location() {
                let loc = (loc.file().to_owned(), loc.line());
                let _ = LAST_PANIC_LOCATION.try_with(|l| *l.borrow_mut() = Some(loc));
            }
            default(info);
        }));
    });
}

/// Runs `f`, which must panic, and returns the panic message and location.
fn panic_site(f: impl FnOnce()) -> (String, String, u32) {
    record_panic_locations();
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    let (file, line) = LAST_PANIC_LOCATION
        .with(|l| l.borrow_mut().take())
        .expect("the hook saw the panic");
    (panic_message(&*payload).unwrap_or_default(), file, line)
}

#[test]
fn spawn_panics_at_the_callers_location() {
    let (msg, file, line) = panic_site(|| drop(conductor::spawn(async {})));
    assert!(msg.contains(OUTSIDE), "{msg}");
    assert_eq!((file.as_str(), line), (file!(), line!() - 2), "{msg}");
}

#[test]
fn spawn_blocking_panics_at_the_callers_location() {
    let (msg, file, line) = panic_site(|| drop(task::spawn_blocking(|| ())));
    assert!(msg.contains(OUTSIDE), "{msg}");
    assert_eq!((file.as_str(), line), (file!(), line!() - 2), "{msg}");
}

#[test]
fn handle_current_panics_at_the_callers_location() {
    let (msg, file, line) = panic_site(|| drop(Handle::current()));
    assert!(msg.contains(OUTSIDE), "{msg}");
    assert_eq!((file.as_str(), line), (file!(), line!() - 2), "{msg}");
}

// ---- blocking on a runtime from async code ----

#[test]
#[should_panic(expected = "cannot be blocked on from inside async code")]
fn block_on_inside_block_on_same_runtime() {
    with_timeout(|| {
        let rt = support::current_thread();
        rt.block_on(async {
            rt.block_on(async {});
        });
    });
}

#[test]
#[should_panic(expected = "cannot be blocked on from inside async code")]
fn block_on_inside_block_on_other_runtime() {
    with_timeout(|| {
        let rt1 = support::multi_thread(1);
        let rt2 = support::current_thread();
        rt1.block_on(async {
            rt2.block_on(async {});
        });
    });
}

#[test]
#[should_panic(expected = "cannot be blocked on from inside async code")]
fn handle_block_on_inside_block_on() {
    with_timeout(|| {
        let rt = support::multi_thread(1);
        rt.block_on(async {
            Handle::current().block_on(async {});
        });
    });
}

/// Spawns `body` on a runtime of `flavor`, expects it to panic, and returns the message.
fn panic_message_of_task<F>(flavor: Flavor, body: F) -> String
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    with_timeout(move || {
        let rt = support::runtime(flavor);
        let err = rt.block_on(async { conductor::spawn(body).await.unwrap_err() });
        assert!(err.is_panic(), "{err:?}");
        panic_message(&*err.into_panic()).unwrap_or_default()
    })
}

#[test]
fn block_on_inside_a_task_panics_the_task() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        let other = Arc::new(support::current_thread());
        let in_task = other.clone();
        let msg = panic_message_of_task(flavor, async move {
            in_task.block_on(async {});
        });
        assert!(msg.contains(BLOCK_ON_IN_ASYNC), "{msg}");
        // The other runtime is unharmed.
        assert_eq!(other.block_on(async { 3 }), 3);
    }
}

#[test]
fn handle_block_on_inside_a_task_panics_the_task() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        let msg = panic_message_of_task(flavor, async {
            Handle::current().block_on(async {});
        });
        assert!(msg.contains(BLOCK_ON_IN_ASYNC), "{msg}");
    }
}

#[test]
fn handle_block_on_of_another_runtime_inside_a_task_panics_the_task() {
    let other = support::multi_thread(1);
    let handle = other.handle().clone();
    let msg = panic_message_of_task(Flavor::MultiThread, async move {
        handle.block_on(async {});
    });
    assert!(msg.contains(BLOCK_ON_IN_ASYNC), "{msg}");
}

// ---- dropping a runtime from async code ----

#[test]
fn dropping_a_runtime_inside_a_task_panics_the_task() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        let doomed = support::multi_thread(1);
        let msg = panic_message_of_task(flavor, async move {
            drop(doomed);
        });
        assert!(msg.contains(DROP_IN_ASYNC), "{msg}");
    }
}

#[test]
#[should_panic(expected = "cannot be dropped from inside async code")]
fn dropping_a_runtime_inside_block_on() {
    with_timeout(|| {
        let rt = support::current_thread();
        let doomed = support::current_thread();
        rt.block_on(async move {
            drop(doomed);
        });
    });
}

#[test]
fn shutdown_timeout_and_background_are_allowed_from_async_code() {
    // The non-blocking ways to get rid of a runtime work where Drop may not.
    with_timeout(|| {
        let rt = support::multi_thread(1);
        let doomed = support::multi_thread(1);
        rt.block_on(async move {
            conductor::spawn(async move { doomed.shutdown_background() })
                .await
                .unwrap();
        });
    });
}

// ---- wakers that outlive their runtime ----

#[test]
fn waker_after_runtime_drop_is_a_no_op() {
    for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
        with_timeout(move || {
            let rt = support::runtime(flavor);
            let slot = support::WakerSlot::new();
            let s = slot.clone();
            let handle = rt.spawn(futures::future::poll_fn(move |cx| {
                s.store(cx.waker());
                std::task::Poll::<()>::Pending
            }));
            rt.block_on(async {
                assert!(support::eventually_async(|| slot.get().is_some()).await);
            });
            drop(rt);
            let waker = slot.take().unwrap();
            waker.wake_by_ref();
            waker.wake();
            assert!(
                futures::executor::block_on(handle)
                    .unwrap_err()
                    .is_cancelled()
            );
        });
    }
}
