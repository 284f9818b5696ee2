//! The background task that moves committed events into the change feed (see
//! [`crate::repo::events`] for why positions are given this way). Every instance runs
//! one; they take turns through an advisory lock, so running several is safe.

use std::sync::Arc;
use std::time::Duration;

use crate::background::Next;
use crate::db::DbPool;
use crate::metrics::Metrics;
use crate::repo::events;

/// How soon an event that waits on an older transaction is looked at again.
pub const WAITING: Duration = Duration::from_millis(50);
/// How often the sequencer looks on its own, notifications aside.
pub const FALLBACK: Duration = Duration::from_secs(5);

/// Gives positions to committed events for ever: when an event is written (woken by
/// `wake`, see [`crate::wakeups`]), every [`WAITING`] while events wait on an older
/// transaction, and every [`FALLBACK`] anyway. A database outage is logged once and
/// retried; nothing is lost, since unsequenced events stay in the table.
pub async fn run(pool: DbPool, metrics: Arc<Metrics>, wake: Arc<tokio::sync::Notify>) {
    let (pool, metrics) = (&pool, &metrics);
    crate::background::repeat_when_woken("change feed sequencer", FALLBACK, &wake, move |_| async move {
        tick(pool, metrics).await
    })
    .await
}

async fn tick(pool: &DbPool, metrics: &Metrics) -> anyhow::Result<Next> {
    let mut conn = pool.get().await?;
    events::sequence(&mut conn).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let (head, unsequenced) = events::head(&mut conn).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    metrics.feed_head.set(head);
    metrics.feed_unsequenced.set(unsequenced);
    Ok(if unsequenced > 0 {
        // Committed behind a transaction still open: look again soon.
        Next::After(WAITING)
    } else {
        // Every committed event has its position (`sequence` notified the webhook
        // workers if there were new ones).
        Next::WhenWoken
    })
}
