//! The background task that moves committed events into the change feed (see
//! [`crate::repo::events`] for why positions are given this way). Every instance runs
//! one; they take turns through an advisory lock, so running several is safe.

use std::sync::Arc;
use std::time::Duration;

use crate::db::DbPool;
use crate::metrics::Metrics;
use crate::repo::events;

/// How often committed events are given positions: the feed's usual delay.
pub const INTERVAL: Duration = Duration::from_millis(50);

/// Gives positions to committed events every [`INTERVAL`], for ever. A database outage
/// is logged once and retried; nothing is lost, since unsequenced events stay in the table.
pub async fn run(pool: DbPool, metrics: Arc<Metrics>) {
    let (pool, metrics) = (&pool, &metrics);
    crate::background::repeat("change feed sequencer", INTERVAL, move |round| async move {
        tick(pool, metrics, round.is_multiple_of(20)).await.map(|()| false)
    })
    .await
}

async fn tick(pool: &DbPool, metrics: &Metrics, measure: bool) -> anyhow::Result<()> {
    let mut conn = pool.get().await?;
    let given = events::sequence(&mut conn).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if given > 0 || measure {
        let (head, unsequenced) = events::head(&mut conn).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        metrics.feed_head.set(head);
        metrics.feed_unsequenced.set(unsequenced);
    }
    Ok(())
}
