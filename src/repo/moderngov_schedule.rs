//! Whose turn it is to run the scheduled ModernGov sync, when several instances share
//! the database: a row per site and committee (`moderngov_sync_state`) with a lease and
//! the time the next sync is due.
//!
//! An instance takes the lease with one conditional `UPDATE` (the row is due, and no
//! lease is held or the one held has run out), so at most one instance syncs at a time;
//! when it finishes it gives the lease back and sets the next run an interval later, so
//! the instances between them sync once per interval. A lease outlives the longest run
//! (the caller abandons a run before its lease ends), so an instance that dies mid-run
//! holds the sync up until its lease runs out, no longer.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::schema::moderngov_sync_state as state;
use crate::db::DbConn;
use crate::error::ApiError;

/// The row's key for `site`'s committee `committee`.
pub fn key(site: &str, committee: u64) -> String {
    format!("{site}#{committee}")
}

fn interval(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// Takes the lease on `key` for `holder` (a token of the instance's own) for `lease`,
/// if the sync is due and nobody holds the lease: `true` when taken.
pub async fn claim(conn: &mut DbConn, key: &str, holder: &str, lease: Duration) -> Result<bool, ApiError> {
    diesel::insert_into(state::table)
        .values(state::sync_key.eq(key))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    let now = Utc::now();
    let taken = diesel::update(state::table.find(key))
        .filter(state::next_run_at.le(now))
        .filter(state::leased_until.is_null().or(state::leased_until.lt(now)))
        .set((
            state::leased_until.eq(now + interval(lease)),
            state::leased_by.eq(holder),
            state::last_started_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(taken == 1)
}

/// Gives back `holder`'s lease on `key`, recording how the run ended (`error`: none
/// when it succeeded) and setting the next run `next_in` from now. A lease that has
/// run out and been taken by another instance is left alone.
pub async fn release(
    conn: &mut DbConn,
    key: &str,
    holder: &str,
    error: Option<&str>,
    next_in: Duration,
) -> Result<(), ApiError> {
    let now = Utc::now();
    diesel::update(state::table.find(key))
        .filter(state::leased_by.eq(holder))
        .set((
            state::leased_until.eq(None::<DateTime<Utc>>),
            state::leased_by.eq(None::<String>),
            state::last_finished_at.eq(now),
            state::last_outcome.eq(if error.is_some() { "failed" } else { "succeeded" }),
            state::last_error.eq(error),
            state::next_run_at.eq(now + interval(next_in)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
