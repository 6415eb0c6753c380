//! Group commit: concurrent writers share one sled batch and one `Db::flush`.
//!
//! Each writer runs its logic under the store's write lock, adds its writes to the store's
//! *pending batch*, takes a *ticket* (a sequence number issued under that lock, after its writes
//! joined the batch) and waits here until a flush covering its ticket has completed. Whoever finds
//! no flush running becomes the leader: its `flush` callback takes the whole pending batch, applies
//! it to sled as one batch, calls `Db::flush` (which fsyncs sled's log) and reports the last
//! ticket it covered; the leader publishes that and wakes the others. Writers that arrive during a
//! flush are covered by the next one, so under load one batch and one `fsync` serve many
//! writers, and nobody returns before the flush covering its write has completed.
//!
//! (Applying each writer's writes separately does not batch with sled 0.34: `Db::flush` holds
//! sled's global concurrency-control read lock while it fsyncs, and every transaction or batch
//! needs the write lock, so they and flushes alternate one to one.)
//!
//! The payload log uses the same type for its own `fdatasync`s (`blob.rs`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::error::{Result, StoreError};

#[derive(Debug, Default)]
struct State {
    /// Last ticket issued.
    issued: u64,
    /// Every ticket ≤ this is durable.
    durable: u64,
    /// A leader is flushing right now.
    flushing: bool,
    /// Failed flushes, most recent last: tickets in `lo < t ≤ hi` get the error. Kept for the
    /// last [`MAX_FAILURES`] failures (a waiter is woken right after its flush, long before).
    failed: std::collections::VecDeque<(u64, u64, Failed)>,
    /// The highest ticket a flush has taken, successful or not.
    taken: u64,
}

/// What a failed flush tells its waiters: the database's word for it, or a flush failure.
#[derive(Debug, Clone)]
enum Failed {
    Database(String),
    Flush(String),
}

impl Failed {
    fn of(e: &StoreError) -> Failed {
        match e {
            StoreError::Database(m) => Failed::Database(m.clone()),
            other => Failed::Flush(other.to_string()),
        }
    }

    fn error(&self) -> StoreError {
        match self {
            Failed::Database(m) => StoreError::Database(m.clone()),
            Failed::Flush(m) => StoreError::Flush(m.clone()),
        }
    }
}

/// Failed flushes remembered for their waiters.
const MAX_FAILURES: usize = 256;

/// The shared flusher.
#[derive(Debug, Default)]
pub(crate) struct GroupCommit {
    state: Mutex<State>,
    cv: Condvar,
    flushes: AtomicU64,
}

impl GroupCommit {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a few counters updated atomically under the lock; it cannot be half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Issue a ticket. Call only after the write it covers has been applied.
    pub(crate) fn ticket(&self) -> u64 {
        let mut st = self.lock();
        st.issued += 1;
        st.issued
    }

    /// The last ticket issued.
    pub(crate) fn issued(&self) -> u64 {
        self.lock().issued
    }

    /// How many flushes have run (for statistics and tests).
    pub(crate) fn flush_count(&self) -> u64 {
        self.flushes.load(Ordering::Relaxed)
    }

    /// Block until `ticket` is durable, flushing with `flush` if nobody else is. `flush` makes
    /// durable everything up to some ticket issued before it was called, and returns that ticket.
    pub(crate) fn wait<F>(&self, ticket: u64, flush: F) -> Result<()>
    where
        F: Fn() -> Result<u64>,
    {
        self.wait_exact(ticket, || flush().map_err(|e| (None, e)))
    }

    /// [`GroupCommit::wait`] for a `flush` that knows which tickets a failure covers: on
    /// `Err((Some(t), e))` every ticket up to `t` fails (the writes it had taken are gone), and
    /// with `None` those issued before it began. So no writer whose writes a failed flush
    /// took can be reported durable by a later one.
    pub(crate) fn wait_exact<F>(&self, ticket: u64, flush: F) -> Result<()>
    where
        F: Fn() -> std::result::Result<u64, (Option<u64>, StoreError)>,
    {
        let mut st = self.lock();
        loop {
            if let Some((_, _, failed)) = st
                .failed
                .iter()
                .rev()
                .find(|(lo, hi, _)| *lo < ticket && ticket <= *hi)
            {
                return Err(failed.error());
            }
            if st.durable >= ticket {
                return Ok(());
            }
            if st.flushing {
                st = self.cv.wait(st).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            // Become the leader for everything issued so far.
            st.flushing = true;
            let target = st.issued;
            drop(st);
            let result = flush();
            self.flushes.fetch_add(1, Ordering::Relaxed);
            st = self.lock();
            st.flushing = false;
            match result {
                Ok(covered) => {
                    st.durable = st.durable.max(covered);
                    st.taken = st.taken.max(covered);
                }
                Err((taken, e)) => {
                    tracing::error!(error = %e, "group commit flush failed");
                    let upto = taken.map_or(target, |t| t.max(target));
                    let lo = st.taken;
                    if upto > lo {
                        if st.failed.len() == MAX_FAILURES {
                            st.failed.pop_front();
                        }
                        st.failed.push_back((lo, upto, Failed::of(&e)));
                    }
                    st.taken = upto.max(lo);
                }
            }
            self.cv.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn single_writer_flushes_once_per_wait() {
        let gc = GroupCommit::default();
        let n = AtomicU64::new(0);
        for _ in 0..3 {
            let t = gc.ticket();
            gc.wait(t, || {
                n.fetch_add(1, Ordering::SeqCst);
                Ok(gc.issued())
            })
            .unwrap();
        }
        assert_eq!(n.load(Ordering::SeqCst), 3);
        // An old ticket is already durable: no flush.
        gc.wait(1, || panic!("no flush needed")).unwrap();
    }

    #[test]
    fn failure_is_reported_to_covered_tickets_only() {
        let gc = GroupCommit::default();
        let t1 = gc.ticket();
        let e = gc
            .wait(t1, || Err(StoreError::Flush("disk on fire".into())))
            .unwrap_err();
        assert_eq!(e.code(), "store.flush");
        assert!(gc.wait(t1, || Ok(gc.issued())).is_err(), "t1 stays failed");
        let t2 = gc.ticket();
        gc.wait(t2, || Ok(gc.issued())).unwrap();
    }

    #[test]
    fn a_failed_batch_stays_failed_after_later_successes() {
        let gc = GroupCommit::default();
        let (t1, t2) = (gc.ticket(), gc.ticket());
        // The flush took both tickets' writes and lost them.
        let e = gc
            .wait_exact(t1, || {
                Err((Some(t2), StoreError::Flush("connection lost".into())))
            })
            .unwrap_err();
        assert_eq!(e.code(), "store.flush");
        let t3 = gc.ticket();
        gc.wait_exact(t3, || Ok(gc.issued())).unwrap();
        assert!(
            gc.wait_exact(t2, || Ok(gc.issued())).is_err(),
            "t2's writes were lost"
        );
        assert!(gc.wait_exact(t1, || Ok(gc.issued())).is_err());
        gc.wait_exact(t3, || panic!("t3 is durable")).unwrap();
    }

    #[test]
    fn concurrent_writers_share_flushes_and_never_return_early() {
        let gc = Arc::new(GroupCommit::default());
        // `applied` counts writes; the flush records how many were applied when it started, and
        // each writer checks that a flush covering its write has finished when it returns.
        let applied = Arc::new(AtomicU64::new(0));
        let durable = Arc::new(AtomicU64::new(0));
        let bad = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (gc, applied, durable, bad) =
                    (gc.clone(), applied.clone(), durable.clone(), bad.clone());
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        let my = applied.fetch_add(1, Ordering::SeqCst) + 1;
                        let t = gc.ticket();
                        gc.wait(t, || {
                            let covered = gc.issued();
                            let upto = applied.load(Ordering::SeqCst);
                            std::thread::yield_now();
                            durable.fetch_max(upto, Ordering::SeqCst);
                            Ok(covered)
                        })
                        .unwrap();
                        if durable.load(Ordering::SeqCst) < my {
                            bad.store(true, Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(!bad.load(Ordering::SeqCst));
        assert!(gc.flush_count() <= 3200);
    }
}
