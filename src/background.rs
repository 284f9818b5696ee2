//! The loop the service's background tasks (the change-feed sequencer, the webhook
//! worker) run in: one round after another, pausing when there was nothing to do, and
//! riding out a database outage with one log line rather than one per round.

use std::future::Future;
use std::time::Duration;

/// Runs `round` for ever, passing it the round's number. A round returns whether it
/// was busy (then the next starts at once) or not (then the task sleeps `interval`).
/// An error is logged when it starts, not on every round while it lasts; nothing is
/// lost meanwhile, since every task's work waits in the database.
pub async fn repeat<F, Fut>(name: &'static str, interval: Duration, mut round: F)
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
            actix_web::rt::time::sleep(interval).await;
        }
    }
}
