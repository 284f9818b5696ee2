//! The loop the service's background tasks (the change-feed sequencer, the webhook
//! worker) run in: one round after another, waiting (for a wake-up, see
//! [`crate::wakeups`]) when there was nothing to do, and riding out a database outage
//! with one log line rather than one per round.

use std::future::Future;
use std::time::Duration;

use tokio::sync::Notify;

/// What a round found, and so when the next one starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// There may be more to do: at once.
    Now,
    /// Work is there but waits on something else (an older transaction still open):
    /// after this long, or when woken.
    After(Duration),
    /// Nothing to do: when woken, or after the fallback interval.
    WhenWoken,
}

/// Runs `round` for ever, passing it the round's number; between rounds, waits as the
/// round said ([`Next`]), a wait for work ending as soon as `wake` is notified (a wake
/// that comes while a round runs is kept, and ends the next wait at once) or after
/// `fallback`. An error is logged when it starts, not on every round while it lasts,
/// and the next round waits the whole `fallback` (a wake must not turn an outage into
/// a busy loop); nothing is lost meanwhile, since every task's work waits in the
/// database.
pub async fn repeat_when_woken<F, Fut>(name: &'static str, fallback: Duration, wake: &Notify, mut round: F)
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = anyhow::Result<Next>>,
{
    let mut failing = false;
    let mut rounds: u32 = 0;
    loop {
        let next = match round(rounds).await {
            Ok(next) => {
                if failing {
                    log::info!("{name}: working again");
                }
                failing = false;
                next
            }
            Err(error) => {
                if !failing {
                    log::warn!("{name}: {error}; retrying");
                }
                failing = true;
                Next::WhenWoken
            }
        };
        rounds = rounds.wrapping_add(1);
        match next {
            Next::Now => {}
            _ if failing => actix_web::rt::time::sleep(fallback).await,
            Next::After(pause) => {
                let _ = actix_web::rt::time::timeout(pause.min(fallback), wake.notified()).await;
            }
            Next::WhenWoken => {
                let _ = actix_web::rt::time::timeout(fallback, wake.notified()).await;
            }
        }
    }
}
