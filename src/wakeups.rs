//! Waking the background tasks when there is work, instead of polling for it.
//!
//! One connection per instance `LISTEN`s on three PostgreSQL channels, which the
//! database notifies when a transaction commits (triggers, see the migration
//! `notify_on_change`, and the sequencer itself):
//!
//! - `scrutiny_events`: an event was written; the change-feed sequencer gives it a
//!   position;
//! - `scrutiny_feed`: the feed grew; the webhook worker fans it out, and the mail
//!   worker turns it into messages;
//! - `scrutiny_deliveries`: a delivery was queued, retried or redelivered.
//!
//! The tasks still look on their own every so often (a slow fallback), and, while the
//! listening connection is down, they are woken at their old polling rate, so nothing
//! waits for a notification that cannot come. Every instance listens; the tasks take
//! turns as before (advisory locks, `SKIP LOCKED`), so notifying all is safe.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::Notify;

use crate::db::DbPool;

use crate::repo::events::{DELIVERIES_CHANNEL, EVENTS_CHANNEL, FEED_CHANNEL};

/// While not listening, how often the tasks are woken (their old polling interval).
const POLL_WHILE_DEAF: Duration = Duration::from_millis(100);
/// How long the listening connection may stay silent before it is checked.
const CHECK_AFTER: Duration = Duration::from_secs(60);

/// What wakes each background task.
#[derive(Debug, Clone, Default)]
pub struct Wakeups {
    /// Wakes the change-feed sequencer.
    pub sequencer: Arc<Notify>,
    /// Wakes the webhook worker.
    pub webhooks: Arc<Notify>,
    /// Wakes the mail worker.
    pub mail: Arc<Notify>,
}

impl Wakeups {
    fn wake_all(&self) {
        self.sequencer.notify_one();
        self.webhooks.notify_one();
        self.mail.notify_one();
    }

    fn wake_for(&self, channel: &str) {
        match channel {
            EVENTS_CHANNEL => self.sequencer.notify_one(),
            FEED_CHANNEL => {
                self.webhooks.notify_one();
                self.mail.notify_one();
            }
            DELIVERIES_CHANNEL => self.webhooks.notify_one(),
            _ => {}
        }
    }
}

/// Listens for ever on a connection taken out of `pool` (it no longer counts against
/// the pool's size), reconnecting after a loss; meanwhile the tasks are woken at their
/// polling rate. Logs once when listening stops and once when it starts again.
pub async fn listen(pool: DbPool, wakeups: Wakeups) {
    // Whether the last try ended without listening (then its failure was logged).
    let mut deaf = false;
    loop {
        let mut listened = false;
        let error = match listen_on(&pool, &wakeups, deaf, &mut listened).await {
            Ok(never) => match never {},
            Err(error) => error,
        };
        if listened || !deaf {
            log::warn!("not listening for database notifications ({error}); polling until it comes back");
        }
        deaf = true;
        // Deaf: wake the tasks at their polling rate for a while, then try again.
        for _ in 0..20 {
            wakeups.wake_all();
            actix_web::rt::time::sleep(POLL_WHILE_DEAF).await;
        }
    }
}

/// One listening connection's life, until it is lost. Sets `listened` once it listens.
async fn listen_on(
    pool: &DbPool,
    wakeups: &Wakeups,
    was_deaf: bool,
    listened: &mut bool,
) -> anyhow::Result<std::convert::Infallible> {
    let mut conn = deadpool::managed::Object::take(pool.get().await?);
    crate::repo::events::listen(&mut conn).await?;
    *listened = true;
    if was_deaf {
        log::info!("listening for database notifications again");
    }
    // Whatever was written while nobody listened.
    wakeups.wake_all();
    loop {
        {
            let notifications = conn.notifications_stream();
            tokio::pin!(notifications);
            loop {
                match actix_web::rt::time::timeout(CHECK_AFTER, notifications.next()).await {
                    Ok(Some(Ok(notification))) => wakeups.wake_for(&notification.channel),
                    Ok(Some(Err(error))) => return Err(error.into()),
                    Ok(None) => anyhow::bail!("the listening connection closed"),
                    // Silent for a while: make sure the connection is still there.
                    Err(_) => break,
                }
            }
        }
        if !crate::repo::ping(&mut conn).await {
            anyhow::bail!("the listening connection stopped answering");
        }
    }
}
