//! Long polling of inboxes: a DMS asks `GET /v1/inbox?wait=N` and is answered as soon as
//! something is delivered to its agency, instead of polling every few seconds (which costs
//! the gateway a request per agency per poll and the clerk up to a poll interval of delay).
//!
//! A waiting request holds one of at most `limits.max_inbox_waiters` waiter slots, not one of
//! the `max_concurrent_requests` slots, so that a thousand communes waiting for post cannot
//! starve the submissions. When every waiter slot is taken, a request is answered at once with
//! what the inbox holds, as without `wait`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The agencies someone is waiting for.
#[derive(Debug)]
pub struct InboxWaiters {
    by_agency: Mutex<HashMap<String, Arc<Notify>>>,
    slots: Arc<Semaphore>,
    max: usize,
}

impl InboxWaiters {
    /// At most `max` requests wait at once.
    pub fn new(max: usize) -> InboxWaiters {
        InboxWaiters {
            by_agency: Mutex::new(HashMap::new()),
            slots: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    /// Requests waiting now.
    pub fn waiting(&self) -> usize {
        self.max.saturating_sub(self.slots.available_permits())
    }

    /// Something was delivered (durably) to `agency`'s inbox: wake whoever waits for it.
    pub fn delivered(&self, agency: &str) {
        let map = self
            .by_agency
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = map.get(agency) {
            n.notify_waiters();
        }
    }

    /// Deliveries may have been missed (another node's notifications were lost): wake every
    /// waiter to look again.
    pub fn delivered_to_all(&self) {
        let map = self
            .by_agency
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for n in map.values() {
            n.notify_waiters();
        }
    }

    /// Wait for `agency`, if a slot is free. Create the [`tokio::sync::Notified`] future
    /// (and `enable` it) *before* looking at the inbox again, so that a delivery between that
    /// look and the wait is not missed.
    pub fn register(self: &Arc<Self>, agency: &str) -> Option<Waiter> {
        let permit = self.slots.clone().try_acquire_owned().ok()?;
        let notify = {
            let mut map = self
                .by_agency
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            Arc::clone(map.entry(agency.to_owned()).or_default())
        };
        Some(Waiter {
            set: Arc::clone(self),
            agency: agency.to_owned(),
            notify,
            _permit: permit,
        })
    }
}

/// One waiting request; dropping it (answered, timed out, or the connection gone) frees its
/// slot.
#[derive(Debug)]
pub struct Waiter {
    set: Arc<InboxWaiters>,
    agency: String,
    notify: Arc<Notify>,
    _permit: OwnedSemaphorePermit,
}

impl Waiter {
    /// Woken by the next [`InboxWaiters::delivered`] for this agency.
    pub fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.notify.notified()
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        let mut map = self
            .set
            .by_agency
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // The map's reference and ours: nobody else waits for this agency.
        if Arc::strong_count(&self.notify) == 2 {
            map.remove(&self.agency);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[tokio::test]
    async fn a_delivery_wakes_the_waiters_of_its_agency_only() {
        let w = Arc::new(InboxWaiters::new(4));
        let a = w.register("000.00.00.H50").unwrap();
        let b = w.register("000.00.00.G22").unwrap();
        let mut fa = std::pin::pin!(a.notified());
        let mut fb = std::pin::pin!(b.notified());
        fa.as_mut().enable();
        fb.as_mut().enable();
        w.delivered("000.00.00.H50");
        // Woken: completes at once.
        fa.await;
        // Not woken: still pending after the delivery to the other agency.
        assert!(futures_poll_once(fb.as_mut()).is_pending());
        assert_eq!(w.waiting(), 2);
    }

    #[tokio::test]
    async fn slots_are_bounded_and_given_back() {
        let w = Arc::new(InboxWaiters::new(2));
        let a = w.register("x").unwrap();
        let b = w.register("x").unwrap();
        assert!(w.register("y").is_none(), "third waiter refused");
        drop(a);
        assert_eq!(w.waiting(), 1);
        assert_eq!(w.by_agency.lock().unwrap().len(), 1, "x still awaited by b");
        drop(b);
        assert!(
            w.by_agency.lock().unwrap().is_empty(),
            "no entry left behind"
        );
        assert!(w.register("y").is_some());
    }

    #[tokio::test]
    async fn a_delivery_with_nobody_waiting_is_a_no_op() {
        let w = Arc::new(InboxWaiters::new(1));
        w.delivered("000.00.00.H50");
        assert_eq!(w.waiting(), 0);
        assert!(w.by_agency.lock().unwrap().is_empty());
    }

    fn futures_poll_once<F: std::future::Future>(f: std::pin::Pin<&mut F>) -> std::task::Poll<()> {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        f.poll(&mut cx).map(|_| ())
    }
}
