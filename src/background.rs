//! The loop the service's background tasks (the change-feed sequencer, the webhook
//! worker) run in: one round after another, pausing when there was nothing to do, and
//! riding out a database outage with one log line rather than one per round.

use std::future::Future;
use std::time::Duration;

use tokio::sync::Notify;

/// Runs `round` for ever, passing it the round's number. A round returns whether it
/// was busy (then the next starts at once) or not (then the task sleeps `interval`).
/// An error is logged when it starts, not on every round while it lasts; nothing is
/// lost meanwhile, since every task's work waits in the database.
pub async fn repeat<F, Fut>(name: &'static str, interval: Duration, round: F)
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    repeat_or_when_woken(name, interval, &Notify::new(), round).await
}

/// [`repeat`], but a pause also ends as soon as `wake` is notified (a wake that comes
/// while a round runs is kept, and ends the next pause at once): for a task whose work
/// can be freed by something finishing elsewhere, sooner than `interval`.
pub async fn repeat_or_when_woken<F, Fut>(name: &'static str, interval: Duration, wake: &Notify, mut round: F)
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    let mut failing = false;
    let mut rounds: u32 = 0;
    loop {
        let busy = match round(rounds).await {
            Ok(busy) => {
                failing = false;
                busy
            }
            Err(error) => {
                if !failing {
                    log::warn!("{name}: {error}; retrying");
                }
                failing = true;
                false
            }
        };
        rounds = rounds.wrapping_add(1);
        if !busy {
            // While failing, wait the whole interval: a wake must not turn an outage
            // into a busy loop.
            if failing {
                actix_web::rt::time::sleep(interval).await;
            } else {
                let _ = actix_web::rt::time::timeout(interval, wake.notified()).await;
            }
        }
    }
}
