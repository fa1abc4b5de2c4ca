//! The lock family's futures and guards can cross threads (spawned tasks need `Send` futures)
//! exactly when their data allows.

use std::sync::Arc;

use conductor_sync::*;

fn send<T: Send>(_: &T) {}
fn send_ty<T: Send>() {}
fn sync_ty<T: Sync>() {}

#[test]
fn primitives_are_send_and_sync() {
    send_ty::<Semaphore>();
    sync_ty::<Semaphore>();
    sync_ty::<Mutex<std::cell::Cell<u8>>>(); // T: Send is enough for a mutex
    sync_ty::<RwLock<u8>>();
    sync_ty::<Notify>();
    sync_ty::<Barrier>();
    sync_ty::<OnceCell<u8>>();
    send_ty::<OwnedSemaphorePermit>();
    sync_ty::<SemaphorePermit<'static>>();
    send_ty::<MutexGuard<'static, u8>>();
    sync_ty::<MutexGuard<'static, u8>>();
    send_ty::<OwnedMutexGuard<u8>>();
    send_ty::<MappedMutexGuard<'static, u8>>();
    send_ty::<RwLockReadGuard<'static, u8>>();
    send_ty::<RwLockWriteGuard<'static, u8>>();
    send_ty::<OwnedRwLockReadGuard<u8>>();
    send_ty::<OwnedRwLockWriteGuard<u8>>();
    send_ty::<Notified<'static>>();
}

#[test]
fn waiting_futures_are_send() {
    let sem = Arc::new(Semaphore::new(1));
    send(&sem.acquire());
    send(&sem.acquire_many(2));
    send(&sem.clone().acquire_owned());
    let m = Arc::new(Mutex::new(1));
    send(&m.lock());
    send(&m.clone().lock_owned());
    let rw = Arc::new(RwLock::new(1));
    send(&rw.read());
    send(&rw.write());
    send(&rw.clone().read_owned());
    send(&rw.clone().write_owned());
    let n = Notify::new();
    send(&n.notified());
    let b = Barrier::new(1);
    send(&b.wait());
    let c = OnceCell::new();
    send(&c.get_or_init(|| async { 1 }));
}
