//! Carrying out dispatch decisions ([`crate::core::dispatch`]) against the store, the inbox
//! waiters and the forwarders: the IO side of a plan.

use lienthong_routing::NextHops;
use lienthong_store::{Dispatch, MessageId, MessageState, Timestamp};

use crate::core::dispatch;
use crate::error::ApiError;
use crate::state::AppState;

/// What a planned dispatch did, for metrics and waking forwarders: the hops that got work.
pub(crate) fn planned(s: &AppState, plan: &Dispatch) -> Vec<String> {
    for agency in &plan.deliver {
        s.metrics.delivered();
        s.inbox_waiters.delivered(agency);
    }
    plan.enqueue.iter().map(|(hop, _)| hop.clone()).collect()
}

/// Deliver local recipients and queue the rest, idempotently: recipients already past
/// `accepted` are left alone. Returns the hops that got work. Used for a duplicate submission
/// or relay, whose original may predate dispatch-with-accept, and for recovery.
pub(crate) fn dispatch(
    s: &AppState,
    id: MessageId,
    next: &NextHops,
    now: Timestamp,
) -> Result<Vec<String>, ApiError> {
    let info = s.store.message(id)?;
    let todo = dispatch::still_pending(&info, next);
    for code in &todo.deliver {
        s.store.deliver(id, code, now)?;
    }
    for (hop, list) in &todo.enqueue {
        s.store.enqueue(id, hop, list, now, now)?;
    }
    Ok(planned(s, &todo))
}

/// Wake the forwarders of `hops`.
pub(crate) fn wake(s: &AppState, hops: &[String]) {
    for h in hops {
        if let Some(n) = s.notify.get(h) {
            n.notify_one();
        }
    }
}

/// Messages accepted but not yet routed (a crash between accepting and queueing): route
/// and queue them again. Run at start, with the time then.
pub fn recover_unrouted(s: &AppState, now: Timestamp) -> Result<usize, ApiError> {
    let snap = s.snapshot();
    let mut done = 0;
    let mut after = None;
    loop {
        let batch = s.store.list_messages(MessageState::Accepted, after, 500)?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for info in batch {
            if let Some(next) = dispatch::recovery(&snap, &info, now) {
                dispatch(s, info.id, &next, now)?;
                done += 1;
            }
        }
    }
    Ok(done)
}
