//! The memory budget for document bodies held at once: bodies being received (submissions,
//! relays), sent to a next hop, or served from an inbox. A gateway on small hardware must not
//! be killed for memory because a few communes upload 90 MB scans at once, or because a
//! backlog of big documents drains to a peer all together.
//!
//! The budget is `[limits] max_buffered_body_bytes`, counted in KiB permits of one semaphore.
//! A body of known length takes its whole share before its first byte is read, waiting a
//! short while if need be and otherwise answering 503 `server.busy`; a body without a length
//! takes its share frame by frame and is refused at once when the budget is spent, so two
//! half-read bodies can never wait for each other. Config validation keeps the budget at least
//! `max_body_bytes`, so that any single body fits.
//!
//! No one client can hoard it: what one identity (a DMS, a gateway, an operator) holds at
//! once is capped at `max_buffered_body_bytes_per_identity`; past it that client's next body
//! is refused at once (503 `server.busy`), whatever is free for the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The shared budget.
#[derive(Debug)]
pub struct BodyBudget {
    sem: Arc<Semaphore>,
    total_kib: u64,
    /// The most one holder may have at once, KiB.
    per_holder_kib: u64,
    /// KiB held per holder now.
    holders: Arc<Mutex<HashMap<String, u64>>>,
}

/// A share of the budget; given back when dropped.
#[derive(Debug, Default)]
pub struct BodyPermit {
    sem: Option<OwnedSemaphorePermit>,
    holder: Option<HolderShare>,
}

/// What one holder's permit counts against its cap; given back when dropped.
#[derive(Debug)]
struct HolderShare {
    holders: Arc<Mutex<HashMap<String, u64>>>,
    key: String,
    kib: u64,
}

impl Drop for HolderShare {
    fn drop(&mut self) {
        let mut h = self.holders.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = h.get_mut(&self.key) {
            *n = n.saturating_sub(self.kib);
            if *n == 0 {
                h.remove(&self.key);
            }
        }
    }
}

/// Why a share was not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// This holder already holds its cap.
    Holder,
    /// The whole budget is spent (after the wait).
    Budget,
}

fn kib(bytes: u64) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}

impl BodyBudget {
    /// A budget of `bytes`, of which one holder may have `per_holder_bytes` at once.
    pub fn new(bytes: u64, per_holder_bytes: u64) -> BodyBudget {
        let total_kib = bytes
            .div_ceil(1024)
            .min(Semaphore::MAX_PERMITS as u64)
            .min(u64::from(u32::MAX));
        BodyBudget {
            sem: Arc::new(Semaphore::new(total_kib as usize)),
            total_kib,
            per_holder_kib: per_holder_bytes.div_ceil(1024).min(total_kib),
            holders: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Count `kib` more against `holder`'s cap into `permit`, if it stays within it. A cap
    /// of the whole budget is no cap of its own: nothing is counted.
    fn take_holder(&self, permit: &mut BodyPermit, holder: &str, kib: u64) -> bool {
        if self.per_holder_kib >= self.total_kib {
            return true;
        }
        let mut h = self.holders.lock().unwrap_or_else(PoisonError::into_inner);
        let held = h.get(holder).copied().unwrap_or(0);
        if held.saturating_add(kib) > self.per_holder_kib {
            return false;
        }
        h.insert(holder.to_owned(), held + kib);
        drop(h);
        match &mut permit.holder {
            Some(share) => share.kib += kib,
            None => {
                permit.holder = Some(HolderShare {
                    holders: Arc::clone(&self.holders),
                    key: holder.to_owned(),
                    kib,
                });
            }
        }
        true
    }

    /// `holder`'s share of `bytes`: refused at once past its cap, otherwise waiting at most
    /// `wait` for the budget.
    pub async fn acquire_for(
        &self,
        holder: &str,
        bytes: u64,
        wait: Duration,
    ) -> Result<BodyPermit, Busy> {
        let mut permit = BodyPermit::default();
        // A body larger than a holder's share (stored before the share was lowered) takes
        // all of it rather than never fitting.
        let kib = u64::from(self.permits(bytes)).min(self.per_holder_kib);
        if !self.take_holder(&mut permit, holder, kib) {
            return Err(Busy::Holder);
        }
        match self.acquire(bytes, wait).await {
            Some(p) => {
                permit.sem = p.sem;
                Ok(permit)
            }
            None => Err(Busy::Budget),
        }
    }

    /// Grow `holder`'s `permit` by `bytes` if its cap and the budget allow it now.
    pub fn try_grow_for(
        &self,
        holder: &str,
        permit: &mut BodyPermit,
        bytes: u64,
    ) -> Result<(), Busy> {
        let n = kib(bytes);
        if n == 0 {
            return Ok(());
        }
        let mut extra = BodyPermit::default();
        if !self.take_holder(&mut extra, holder, u64::from(n)) {
            return Err(Busy::Holder);
        }
        if !self.try_grow(permit, bytes) {
            return Err(Busy::Budget);
        }
        match (&mut permit.holder, extra.holder.take()) {
            (Some(mine), Some(mut more)) => {
                // Moved into `mine`: `more` gives back nothing when dropped.
                mine.kib += more.kib;
                more.kib = 0;
            }
            (mine @ None, more) => *mine = more,
            (Some(_), None) => {}
        }
        Ok(())
    }

    /// Bytes held now (in whole KiB).
    pub fn held_bytes(&self) -> u64 {
        self.total_kib
            .saturating_sub(self.sem.available_permits() as u64)
            .saturating_mul(1024)
    }

    /// The permits for `bytes`, at most the whole budget: a body stored before the budget was
    /// lowered below its size takes all of it rather than waiting for ever.
    fn permits(&self, bytes: u64) -> u32 {
        kib(bytes).min(u32::try_from(self.total_kib).unwrap_or(u32::MAX))
    }

    /// A share of `bytes`, waiting at most `wait` for it (`None`: still not free).
    pub async fn acquire(&self, bytes: u64, wait: Duration) -> Option<BodyPermit> {
        let n = self.permits(bytes);
        if n == 0 {
            return Some(BodyPermit::default());
        }
        match tokio::time::timeout(wait, self.sem.clone().acquire_many_owned(n)).await {
            Ok(Ok(p)) => Some(BodyPermit {
                sem: Some(p),
                holder: None,
            }),
            _ => None,
        }
    }

    /// A share of `bytes`, waiting as long as it takes (forwarders: a relay holds nothing
    /// else of the budget while it waits).
    pub async fn acquire_patiently(&self, bytes: u64) -> BodyPermit {
        let n = self.permits(bytes);
        if n == 0 {
            return BodyPermit::default();
        }
        match self.sem.clone().acquire_many_owned(n).await {
            Ok(p) => BodyPermit {
                sem: Some(p),
                holder: None,
            },
            // The semaphore is never closed.
            Err(_) => BodyPermit::default(),
        }
    }

    /// Grow `permit` by `bytes` if the budget has them now; `false` (and no change) if not.
    pub fn try_grow(&self, permit: &mut BodyPermit, bytes: u64) -> bool {
        let n = kib(bytes);
        if n == 0 {
            return true;
        }
        match self.sem.clone().try_acquire_many_owned(n) {
            Ok(p) => {
                match &mut permit.sem {
                    Some(held) => held.merge(p),
                    None => permit.sem = Some(p),
                }
                true
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[tokio::test]
    async fn shares_are_bounded_and_given_back() {
        let b = BodyBudget::new(100 * 1024, 100 * 1024);
        let a = b.acquire(60 * 1024, Duration::ZERO).await.unwrap();
        assert_eq!(b.held_bytes(), 60 * 1024);
        // 50 KiB more does not fit: refused after the wait.
        assert!(
            b.acquire(50 * 1024, Duration::from_millis(1))
                .await
                .is_none()
        );
        let mut grown = BodyPermit::default();
        assert!(b.try_grow(&mut grown, 30 * 1024));
        assert!(!b.try_grow(&mut grown, 20 * 1024), "only 10 KiB left");
        assert_eq!(b.held_bytes(), 90 * 1024);
        drop(a);
        drop(grown);
        assert_eq!(b.held_bytes(), 0);
        // A byte counts as a KiB; nothing counts as nothing.
        let one = b.acquire(1, Duration::ZERO).await.unwrap();
        assert_eq!(b.held_bytes(), 1024);
        drop(one);
        assert!(b.acquire(0, Duration::ZERO).await.is_some());
    }

    #[tokio::test]
    async fn a_waiter_gets_its_share_when_it_is_given_back() {
        let b = Arc::new(BodyBudget::new(64 * 1024, 64 * 1024));
        let first = b.acquire(64 * 1024, Duration::ZERO).await.unwrap();
        let b2 = b.clone();
        let waiter = tokio::spawn(async move { b2.acquire_patiently(32 * 1024).await });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(first);
        let p = waiter.await.unwrap();
        assert_eq!(b.held_bytes(), 32 * 1024);
        drop(p);
        // More than the whole budget is capped to it rather than waiting forever.
        let all = b.acquire_patiently(10 * 1024 * 1024).await;
        assert_eq!(b.held_bytes(), 64 * 1024);
        drop(all);
        let all = b.acquire(10 * 1024 * 1024, Duration::ZERO).await.unwrap();
        assert_eq!(b.held_bytes(), 64 * 1024);
        drop(all);
    }

    #[tokio::test]
    async fn one_holder_cannot_take_the_budget() {
        let b = BodyBudget::new(100 * 1024, 40 * 1024);
        let a1 = b
            .acquire_for("agency:A", 30 * 1024, Duration::ZERO)
            .await
            .unwrap();
        // A's next 20 KiB would pass its 40 KiB: refused at once, with the budget free.
        assert_eq!(
            b.acquire_for("agency:A", 20 * 1024, Duration::from_secs(60))
                .await
                .err(),
            Some(Busy::Holder)
        );
        // B is served.
        let b1 = b
            .acquire_for("agency:B", 40 * 1024, Duration::ZERO)
            .await
            .unwrap();
        // Growing counts too.
        let mut grown = BodyPermit::default();
        assert_eq!(b.try_grow_for("agency:A", &mut grown, 10 * 1024), Ok(()));
        assert_eq!(
            b.try_grow_for("agency:A", &mut grown, 1024),
            Err(Busy::Holder)
        );
        assert_eq!(b.held_bytes(), 80 * 1024);
        drop(a1);
        drop(grown);
        // A's share is back: it may hold 40 KiB again (with B's 40 KiB, 80 of 100).
        let a2 = b
            .acquire_for("agency:A", 40 * 1024, Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(b.held_bytes(), 80 * 1024);
        drop(a2);
        drop(b1);
        assert_eq!(b.held_bytes(), 0);
        assert!(b.holders.lock().unwrap().is_empty());
    }
}
