//! Sliding-window rate limits kept in PostgreSQL, so that every instance behind a load
//! balancer counts the same events.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};

use crate::db::schema::rate_limit_events;
use crate::db::DbConn;
use crate::error::ApiError;

/// At most `max` events per `window` for one key of a bucket.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: i64,
    pub window: Duration,
}

impl Limit {
    /// A limit on failed sign-ins: every one counts over the same quarter of an hour,
    /// so the throttle and its backstops clear together.
    const fn login_failures(bucket: &'static str, max: i64) -> Self {
        Self {
            bucket,
            max,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Failed sign-ins for one account from one client address: the throttle. Someone
/// guessing from elsewhere uses up their own allowance, never the owner's (OWASP's
/// authentication guidance: throttle, don't lock accounts out).
pub const LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: Limit = Limit::login_failures("login_failure:account_address", 5);

/// Failed sign-ins for one account from anywhere: a backstop against guessing from
/// many addresses, high enough that a few addresses cannot lock the owner out.
pub const LOGIN_FAILURES_PER_ACCOUNT: Limit = Limit::login_failures("login_failure:account", 100);

/// Failed logins per client address: slows guessing across many accounts.
pub const LOGIN_FAILURES_PER_ADDRESS: Limit = Limit::login_failures("login_failure:address", 30);

/// Questions submitted by anonymous callers, per client address: the public may ask,
/// but one address cannot flood the secretariat's queue.
pub const ANONYMOUS_QUESTIONS_PER_ADDRESS: Limit = Limit {
    bucket: "anonymous_question:address",
    max: 5,
    window: Duration::from_secs(60 * 60),
};

/// Requests by private follow link (reading or withdrawing), per client address: a
/// questioner looks at their question now and then; an address trying link after link
/// is refused long before it could matter (a link carries 256 random bits).
pub const FOLLOW_LINK_REQUESTS_PER_ADDRESS: Limit = Limit {
    bucket: "follow_link:address",
    max: 60,
    window: Duration::from_secs(10 * 60),
};

/// Requests to follow something by e-mail, per client address: a person follows a few
/// things; one address cannot sign up a list of other people's addresses.
pub const SUBSCRIPTION_REQUESTS_PER_ADDRESS: Limit = Limit {
    bucket: "subscription:address",
    max: 20,
    window: Duration::from_secs(60 * 60),
};

/// Confirmation messages to one e-mail address (counted by its hash), from anywhere:
/// the service cannot be used to mail-bomb someone, however many client addresses ask.
pub const CONFIRMATIONS_PER_EMAIL: Limit = Limit {
    bucket: "subscription:email",
    max: 3,
    window: Duration::from_secs(24 * 60 * 60),
};

/// Requests by confirmation or unsubscribe link, per client address (a link carries
/// 256 random bits: this stops guessing long before it could matter).
pub const SUBSCRIPTION_LINK_REQUESTS_PER_ADDRESS: Limit = Limit {
    bucket: "subscription_link:address",
    max: 60,
    window: Duration::from_secs(10 * 60),
};

fn window_start(limit: &Limit) -> DateTime<Utc> {
    Utc::now() - chrono::Duration::from_std(limit.window).unwrap_or_default()
}

/// 429 with `Retry-After` when `key` has used up its events in the window.
pub async fn check(conn: &mut DbConn, limit: &Limit, key: &str) -> Result<(), ApiError> {
    let (count, oldest): (i64, Option<DateTime<Utc>>) = rate_limit_events::table
        .filter(rate_limit_events::bucket.eq(limit.bucket))
        .filter(rate_limit_events::key.eq(key))
        .filter(rate_limit_events::occurred_at.gt(window_start(limit)))
        .select((count_star(), min(rate_limit_events::occurred_at)))
        .get_result(conn)
        .await?;
    if count < limit.max {
        return Ok(());
    }
    let frees_at = oldest.unwrap_or_else(Utc::now) + chrono::Duration::from_std(limit.window).unwrap_or_default();
    let retry_after_secs = (frees_at - Utc::now()).num_seconds().max(1) as u64;
    Err(ApiError::TooManyRequests { retry_after_secs })
}

/// Counts one event for `key`, and forgets events older than a day.
pub async fn record(conn: &mut DbConn, limit: &Limit, key: &str) -> Result<(), ApiError> {
    diesel::insert_into(rate_limit_events::table)
        .values((
            rate_limit_events::bucket.eq(limit.bucket),
            rate_limit_events::key.eq(key),
        ))
        .execute(conn)
        .await?;
    diesel::delete(rate_limit_events::table)
        .filter(rate_limit_events::occurred_at.lt(Utc::now() - chrono::Duration::days(1)))
        .execute(conn)
        .await?;
    Ok(())
}

/// [`acquire`] in a transaction of its own: the event counts whatever the request then
/// does (a link that leads nowhere is counted too, so guessing links is limited).
pub async fn count(conn: &mut DbConn, limit: &Limit, key: &str) -> Result<(), ApiError> {
    conn.transaction(async |conn| acquire(conn, limit, key).await).await
}

/// Counts one event for `key` unless its limit is used up (429 with `Retry-After`).
///
/// Unlike [`check`] then [`record`], this cannot be raced: the check and the count run
/// under a transaction-scoped advisory lock on the bucket and key, so concurrent
/// requests from one key queue up rather than all slipping under the limit. Call it
/// inside the transaction that makes the change being limited, so that a change that
/// fails (and rolls back) is not counted.
pub async fn acquire(conn: &mut DbConn, limit: &Limit, key: &str) -> Result<(), ApiError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<diesel::sql_types::Text, _>(format!("{}\n{key}", limit.bucket))
        .execute(conn)
        .await?;
    check(conn, limit, key).await?;
    record(conn, limit, key).await
}

/// A sign-in attempt, counted as a failure against every limit before the secret is
/// checked: see [`reserve_sign_in`].
#[derive(Debug)]
pub struct SignInAttempt {
    account: String,
    address: String,
}

impl SignInAttempt {
    fn account_and_address(&self) -> String {
        format!("{}\n{}", self.account, self.address)
    }
}

/// Counts a sign-in attempt for `account` (a lower-cased username or a client id) from
/// `address` as a failure, unless a limit is used up (429 with `Retry-After`, nothing
/// counted). Counting before checking, under the advisory locks of [`acquire`] in one
/// transaction, is what makes the limit exact: 60 parallel guesses get 5 checks, where
/// checking and then recording let 19 through. A success takes it back
/// ([`sign_in_succeeded`]).
pub async fn reserve_sign_in(conn: &mut DbConn, account: &str, address: &str) -> Result<SignInAttempt, ApiError> {
    let attempt = SignInAttempt {
        account: account.to_string(),
        address: address.to_string(),
    };
    let pair = attempt.account_and_address();
    conn.transaction(async |conn| {
        acquire(conn, &LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS, &pair).await?;
        acquire(conn, &LOGIN_FAILURES_PER_ACCOUNT, &attempt.account).await?;
        acquire(conn, &LOGIN_FAILURES_PER_ADDRESS, &attempt.address).await
    })
    .await?;
    Ok(attempt)
}

/// After a successful sign-in: the account's failures are forgotten (from this address
/// and overall), and the attempt no longer counts against the address.
pub async fn sign_in_succeeded(conn: &mut DbConn, attempt: &SignInAttempt) -> Result<(), ApiError> {
    clear(
        conn,
        &LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
        &attempt.account_and_address(),
    )
    .await?;
    clear(conn, &LOGIN_FAILURES_PER_ACCOUNT, &attempt.account).await?;
    diesel::sql_query(
        "DELETE FROM rate_limit_events WHERE ctid = (SELECT ctid FROM rate_limit_events \
         WHERE bucket = $1 AND key = $2 ORDER BY occurred_at DESC LIMIT 1)",
    )
    .bind::<diesel::sql_types::Text, _>(LOGIN_FAILURES_PER_ADDRESS.bucket)
    .bind::<diesel::sql_types::Text, _>(&attempt.address)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets `key`'s events (after a successful login).
pub async fn clear(conn: &mut DbConn, limit: &Limit, key: &str) -> Result<(), ApiError> {
    diesel::delete(rate_limit_events::table)
        .filter(rate_limit_events::bucket.eq(limit.bucket))
        .filter(rate_limit_events::key.eq(key))
        .execute(conn)
        .await?;
    Ok(())
}
