//! `Barrier`: `n` tasks wait until all have arrived; one of each group is the leader.
//!
//! State under a mutex: how many have arrived in the current generation, the generation
//! number, and the wakers of the waiting arrivals (indexed by arrival order). The `n`-th arrival
//! bumps the generation, resets the count and wakes the others; a waiter is done once the
//! generation differs from the one it arrived in.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker, ready};

use crate::loom_facade::Mutex;
use crate::wake_list::WakeList;

#[derive(Debug)]
struct State {
    arrived: usize,
    generation: u64,
    wakers: Vec<Option<Waker>>,
}

/// Lets `n` tasks wait for each other; reusable, one group of `n` after another.
///
/// ```
/// use std::sync::Arc;
/// use conductor_sync::Barrier;
///
/// # futures::executor::block_on(async {
/// let barrier = Arc::new(Barrier::new(2));
/// let b2 = barrier.clone();
/// let other = std::thread::spawn(move || futures::executor::block_on(b2.wait()).is_leader());
/// let mine = barrier.wait().await.is_leader();
/// assert!(mine ^ other.join().unwrap(), "exactly one leader");
/// # });
/// ```
#[derive(Debug)]
pub struct Barrier {
    n: usize,
    state: Mutex<State>,
}

impl Barrier {
    /// A barrier for groups of `n` tasks. `n == 0` behaves as `n == 1`: every `wait` returns
    /// at once as leader.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let barrier = conductor_sync::Barrier::new(1);
    /// assert!(barrier.wait().await.is_leader());
    /// # });
    /// ```
    pub fn new(n: usize) -> Self {
        Self {
            n: n.max(1),
            state: Mutex::new(State {
                arrived: 0,
                generation: 0,
                wakers: Vec::new(),
            }),
        }
    }

    /// Arrives and waits until `n` tasks have arrived in this generation. Exactly one of them
    /// (the last to arrive) gets a result whose [`is_leader`](BarrierWaitResult::is_leader) is
    /// `true`.
    ///
    /// # Cancel safety
    ///
    /// **Not cancel-safe**: once polled, the arrival counts even if the future is dropped, so
    /// the generation may complete with one task fewer actually waiting.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let barrier = conductor_sync::Barrier::new(1);
    /// assert!(barrier.wait().await.is_leader());
    /// assert!(barrier.wait().await.is_leader()); // a new generation
    /// # });
    /// ```
    pub async fn wait(&self) -> BarrierWaitResult {
        BarrierWait {
            barrier: self,
            arrival: None,
        }
        .await
    }
}

/// What [`Barrier::wait`] returns.
///
/// ```
/// # futures::executor::block_on(async {
/// let r = conductor_sync::Barrier::new(1).wait().await;
/// assert!(r.is_leader());
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this task was the leader of its generation: exactly one per generation is.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// assert!(conductor_sync::Barrier::new(0).wait().await.is_leader());
    /// # });
    /// ```
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

struct BarrierWait<'a> {
    barrier: &'a Barrier,
    /// `(generation, index into wakers)` once arrived.
    arrival: Option<(u64, usize)>,
}

impl Future for BarrierWait<'_> {
    type Output = BarrierWaitResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let this = self.get_mut();
        let coop = ready!(conductor_coop::poll_proceed(cx));
        let mut state = this.barrier.state.lock();
        match this.arrival {
            None => {
                state.arrived += 1;
                if state.arrived == this.barrier.n {
                    state.arrived = 0;
                    state.generation = state.generation.wrapping_add(1);
                    let mut wakers = WakeList::new();
                    for waker in state.wakers.drain(..).flatten() {
                        wakers.push(waker);
                    }
                    drop(state);
                    wakers.wake_all();
                    coop.made_progress();
                    return Poll::Ready(BarrierWaitResult(true));
                }
                let index = state.arrived - 1;
                if state.wakers.len() <= index {
                    state.wakers.resize_with(index + 1, || None);
                }
                state.wakers[index] = Some(cx.waker().clone());
                this.arrival = Some((state.generation, index));
                Poll::Pending
            }
            Some((generation, index)) => {
                if state.generation != generation {
                    this.arrival = None;
                    coop.made_progress();
                    return Poll::Ready(BarrierWaitResult(false));
                }
                let slot = &mut state.wakers[index];
                if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *slot = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        // The arrival stays counted (see `wait`); only drop our waker early.
        if let Some((generation, index)) = self.arrival {
            let mut state = self.barrier.state.lock();
            if state.generation == generation {
                state.wakers[index] = None;
            }
        }
    }
}
