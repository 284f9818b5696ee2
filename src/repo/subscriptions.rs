//! Subscriptions: the public's requests to be e-mailed when a public question, action,
//! programme or report moves, with double opt-in and one-click unsubscribe.
//!
//! A request stores the subscription unconfirmed and queues its confirmation message in
//! the same transaction; the mail worker sends nothing else to it until the link in that
//! message is used ([`confirm`]). Tokens are stored only as SHA-256 hashes, so an
//! unsubscribe link cannot be read back: each message gets a new one
//! (`subscription_unsubscribe_tokens`), valid until the subscription is deleted.
//! Unsubscribing deletes the subscription, and with it the address, its links, its
//! waiting digest lines and its unsent messages.
//!
//! Nothing here writes to the audit log or the change feed: the address is personal
//! data, and who follows what is nobody else's business. Staff see counts
//! ([`count`]); only `admin` sees addresses ([`list_for`]).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Int4, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use uuid::Uuid;

use super::outbox::{Compose, NewMessage, Recipient};
use super::rate_limits::{self, CONFIRMATIONS_PER_EMAIL, SUBSCRIPTION_REQUESTS_PER_ADDRESS};
use crate::db::schema::{mail_outbox, questions, subscription_unsubscribe_tokens, subscriptions};
use crate::db::DbConn;
use crate::domain::question::QuestionId;
use crate::domain::subscription::{email_hash, Digest, FollowedKind, SubscriptionToken};
use crate::error::ApiError;

/// How long an unconfirmed subscription (its address) is kept: then its link stops
/// working and the sweep deletes it.
pub const UNCONFIRMED_DAYS: i32 = 7;

/// The one answer for a confirmation or unsubscribe link that leads nowhere, whatever
/// the reason (never issued, used already, expired, malformed).
pub fn no_such_link() -> ApiError {
    ApiError::not_found("No subscription waits for this link")
}

/// A request to follow something, checked.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    /// The address, as [`crate::domain::subscription::parse_email`] accepted it.
    pub email: String,
    pub kind: FollowedKind,
    pub resource_id: Uuid,
    pub digest: Digest,
}

#[derive(Insertable)]
#[diesel(table_name = subscriptions)]
struct NewRow<'a> {
    id: Uuid,
    email: &'a str,
    email_hash: &'a str,
    resource_type: &'a str,
    resource_id: Uuid,
    digest: &'a str,
    confirm_token_hash: Option<String>,
}

/// [`describe`] for the confirmation message, which goes to an address nobody has
/// shown to be the requester's: a question by its reference alone, because its title is
/// words a member of the public wrote, and anyone could otherwise have the panel mail
/// them (a link, a false warning) to any address. Everything else is staff's words.
pub async fn describe_to_the_unconfirmed(
    conn: &mut DbConn,
    kind: FollowedKind,
    id: Uuid,
) -> Result<Option<String>, ApiError> {
    if kind != FollowedKind::Question {
        return describe(conn, kind, id).await;
    }
    Ok(questions::table
        .find(QuestionId(id))
        .select(questions::reference)
        .first::<String>(conn)
        .await
        .optional()?
        .map(|reference| format!("question {reference}")))
}

/// The words a message uses for what is followed: `question PQ-2026-001, "…"`,
/// `the programme "…"`. `None` when it no longer exists.
pub async fn describe(conn: &mut DbConn, kind: FollowedKind, id: Uuid) -> Result<Option<String>, ApiError> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let sql = match kind {
        FollowedKind::Question => {
            "SELECT 'question ' || reference || ', \"' || title || '\"' AS name FROM questions WHERE id = $1"
        }
        FollowedKind::Action => {
            "SELECT 'action ' || reference || ', \"' || title || '\"' AS name FROM actions WHERE id = $1"
        }
        FollowedKind::Programme => "SELECT 'the programme \"' || name || '\"' AS name FROM programmes WHERE id = $1",
        FollowedKind::Report => "SELECT 'the report \"' || title || '\"' AS name FROM reports WHERE id = $1",
    };
    Ok(diesel::sql_query(sql)
        .bind::<SqlUuid, _>(id)
        .get_result::<Name>(conn)
        .await
        .optional()?
        .map(|name| name.name))
}

/// Issues a new unsubscribe link for subscription `id`, inside the caller's transaction.
pub async fn issue_unsubscribe_token(conn: &mut DbConn, id: Uuid) -> Result<SubscriptionToken, ApiError> {
    let token = SubscriptionToken::generate().map_err(ApiError::Internal)?;
    diesel::insert_into(subscription_unsubscribe_tokens::table)
        .values((
            subscription_unsubscribe_tokens::token_hash.eq(token.hash()),
            subscription_unsubscribe_tokens::subscription_id.eq(id),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// Stores a request to follow something (which the caller has checked is public) and
/// queues its confirmation,
/// counting the request against the client address's and the e-mail address's limits
/// (429 with `Retry-After` once either is used up; nothing stored then).
///
/// The answer is the same whatever was there before: an address already following it
/// (confirmed) gets nothing new; one waiting for confirmation gets a new confirmation
/// link (the old one stops working) and the digest asked for now.
pub async fn request(
    conn: &mut DbConn,
    new: &NewSubscription,
    client_address: &str,
    compose: &dyn Compose,
) -> Result<(), ApiError> {
    let hash = email_hash(&new.email);
    conn.transaction(async |conn| {
        rate_limits::acquire(conn, &SUBSCRIPTION_REQUESTS_PER_ADDRESS, client_address).await?;
        rate_limits::acquire(conn, &CONFIRMATIONS_PER_EMAIL, &hash).await?;
        let existing: Option<(Uuid, Option<DateTime<Utc>>)> = subscriptions::table
            .filter(subscriptions::email_hash.eq(&hash))
            .filter(subscriptions::resource_type.eq(new.kind.as_str()))
            .filter(subscriptions::resource_id.eq(new.resource_id))
            .select((subscriptions::id, subscriptions::confirmed_at))
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let confirm = SubscriptionToken::generate().map_err(ApiError::Internal)?;
        let id = match existing {
            Some((_, Some(_))) => return Ok(()),
            Some((id, None)) => {
                diesel::update(subscriptions::table.find(id))
                    .set((
                        subscriptions::confirm_token_hash.eq(confirm.hash()),
                        subscriptions::digest.eq(new.digest.as_str()),
                        subscriptions::created_at.eq(Utc::now()),
                    ))
                    .execute(conn)
                    .await?;
                id
            }
            None => {
                let id = Uuid::now_v7();
                diesel::insert_into(subscriptions::table)
                    .values(NewRow {
                        id,
                        email: &new.email,
                        email_hash: &hash,
                        resource_type: new.kind.as_str(),
                        resource_id: new.resource_id,
                        digest: new.digest.as_str(),
                        confirm_token_hash: Some(confirm.hash()),
                    })
                    .execute(conn)
                    .await?;
                id
            }
        };
        let followed = describe_to_the_unconfirmed(conn, new.kind, new.resource_id)
            .await?
            .ok_or_else(|| ApiError::not_found("Nothing to follow here"))?;
        let unsubscribe = issue_unsubscribe_token(conn, id).await?;
        let recipient = Recipient {
            subscription_id: id,
            email: new.email.clone(),
            followed,
            digest: new.digest,
        };
        let message = compose.confirmation(&recipient, &confirm, &unsubscribe);
        queue(conn, &[message]).await?;
        Ok(())
    })
    .await
}

/// Queues `messages` (a subscription's message once per event: a repeat is skipped) and
/// wakes every instance's mail worker when the transaction commits. Returns how many
/// were queued.
pub async fn queue(conn: &mut DbConn, messages: &[NewMessage]) -> Result<usize, ApiError> {
    if messages.is_empty() {
        return Ok(0);
    }
    let made = diesel::insert_into(mail_outbox::table)
        .values(messages)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    diesel::sql_query("SELECT pg_notify($1, '')")
        .bind::<Text, _>(super::events::FEED_CHANNEL)
        .execute(conn)
        .await?;
    Ok(made)
}

/// What a confirmed subscription follows.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub kind: FollowedKind,
    pub resource_id: Uuid,
    pub digest: Digest,
}

/// Confirms the subscription waiting for `token` (issued less than
/// [`UNCONFIRMED_DAYS`] ago); the link then stops working. [`no_such_link`] otherwise.
pub async fn confirm(conn: &mut DbConn, token: Option<&SubscriptionToken>) -> Result<Confirmed, ApiError> {
    let Some(token) = token else {
        return Err(no_such_link());
    };
    let row: Option<(String, Uuid, String)> = diesel::update(
        subscriptions::table
            .filter(subscriptions::confirm_token_hash.eq(token.hash()))
            .filter(subscriptions::confirmed_at.is_null())
            .filter(subscriptions::created_at.gt(Utc::now() - chrono::Duration::days(UNCONFIRMED_DAYS.into()))),
    )
    .set((
        subscriptions::confirmed_at.eq(Some(Utc::now())),
        subscriptions::confirm_token_hash.eq(None::<String>),
    ))
    .returning((
        subscriptions::resource_type,
        subscriptions::resource_id,
        subscriptions::digest,
    ))
    .get_result(conn)
    .await
    .optional()?;
    let (kind, resource_id, digest) = row.ok_or_else(no_such_link)?;
    Ok(Confirmed {
        kind: FollowedKind::parse(&kind).ok_or_else(no_such_link)?,
        resource_id,
        digest: if digest == "daily" {
            Digest::Daily
        } else {
            Digest::Immediate
        },
    })
}

/// What an unsubscribed subscription followed.
#[derive(Debug, Clone)]
pub struct Unsubscribed {
    pub kind: FollowedKind,
    pub resource_id: Uuid,
}

/// Deletes the subscription an unsubscribe link belongs to, with its address, every
/// link to it, its waiting digest lines and its unsent messages, and says what it
/// followed. [`no_such_link`] when the link leads nowhere (never issued, or the
/// subscription is gone already).
pub async fn unsubscribe(conn: &mut DbConn, token: Option<&SubscriptionToken>) -> Result<Unsubscribed, ApiError> {
    let Some(token) = token else {
        return Err(no_such_link());
    };
    conn.transaction(async |conn| {
        let (id, kind, resource_id): (Uuid, String, Uuid) = subscription_unsubscribe_tokens::table
            .find(token.hash())
            .inner_join(subscriptions::table)
            .select((
                subscriptions::id,
                subscriptions::resource_type,
                subscriptions::resource_id,
            ))
            .first(conn)
            .await
            .optional()?
            .ok_or_else(no_such_link)?;
        diesel::delete(
            mail_outbox::table
                .filter(mail_outbox::subscription_id.eq(id))
                .filter(mail_outbox::status.eq("pending")),
        )
        .execute(conn)
        .await?;
        diesel::delete(subscriptions::table.find(id)).execute(conn).await?;
        Ok(Unsubscribed {
            kind: FollowedKind::parse(&kind).ok_or_else(no_such_link)?,
            resource_id,
        })
    })
    .await
}

/// How many follow one resource.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct Counts {
    /// Confirmed subscriptions.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub confirmed: i64,
    /// Of which take the daily digest.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub daily: i64,
    /// Waiting for confirmation (at most [`UNCONFIRMED_DAYS`] old).
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub unconfirmed: i64,
}

/// How many follow `kind` `id`.
pub async fn count(conn: &mut DbConn, kind: FollowedKind, id: Uuid) -> Result<Counts, ApiError> {
    Ok(diesel::sql_query(
        "SELECT count(*) FILTER (WHERE confirmed_at IS NOT NULL) AS confirmed,
                count(*) FILTER (WHERE confirmed_at IS NOT NULL AND digest = 'daily') AS daily,
                count(*) FILTER (WHERE confirmed_at IS NULL AND created_at > now() - make_interval(days => $3)) AS unconfirmed
           FROM subscriptions WHERE resource_type = $1 AND resource_id = $2",
    )
    .bind::<Text, _>(kind.as_str())
    .bind::<SqlUuid, _>(id)
    .bind::<Int4, _>(UNCONFIRMED_DAYS)
    .get_result(conn)
    .await?)
}

/// A subscription as `admin` sees it.
#[derive(Debug, Clone, Queryable)]
pub struct SubscriptionRow {
    pub id: Uuid,
    pub email: String,
    pub digest: String,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_digest_on: Option<NaiveDate>,
}

/// The most subscriptions [`list_for`] returns.
pub const LIST_MAX: i64 = 1000;

/// Up to [`LIST_MAX`] subscriptions to `kind` `id`, oldest first.
pub async fn list_for(conn: &mut DbConn, kind: FollowedKind, id: Uuid) -> Result<Vec<SubscriptionRow>, ApiError> {
    Ok(subscriptions::table
        .filter(subscriptions::resource_type.eq(kind.as_str()))
        .filter(subscriptions::resource_id.eq(id))
        .order((subscriptions::created_at.asc(), subscriptions::id.asc()))
        .limit(LIST_MAX)
        .select((
            subscriptions::id,
            subscriptions::email,
            subscriptions::digest,
            subscriptions::confirmed_at,
            subscriptions::created_at,
            subscriptions::last_digest_on,
        ))
        .load(conn)
        .await?)
}

/// A confirmed subscription to be told of something.
#[derive(Debug, Clone, QueryableByName)]
pub struct Follower {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Text)]
    pub email_hash: String,
    #[diesel(sql_type = Text)]
    pub resource_type: String,
    #[diesel(sql_type = SqlUuid)]
    pub resource_id: Uuid,
    #[diesel(sql_type = Text)]
    pub digest: String,
}

/// The subscriptions to any of `targets` confirmed by `as_of` (when the change told of
/// was made), one per address: an address that follows several of them (an action and
/// its programme) is told once, under the first of `targets` it follows. Someone who
/// started following after the change is not told of it, however late the mail worker
/// gets to it.
pub async fn followers(
    conn: &mut DbConn,
    targets: &[(FollowedKind, Uuid)],
    as_of: DateTime<Utc>,
) -> Result<Vec<Follower>, ApiError> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (kind, id) in targets {
        let rows: Vec<Follower> = diesel::sql_query(
            "SELECT id, email, email_hash, resource_type, resource_id, digest FROM subscriptions
              WHERE resource_type = $1 AND resource_id = $2 AND confirmed_at <= $3
              ORDER BY created_at, id",
        )
        .bind::<Text, _>(kind.as_str())
        .bind::<SqlUuid, _>(*id)
        .bind::<diesel::sql_types::Timestamptz, _>(as_of)
        .load(conn)
        .await?;
        for row in rows {
            if seen.insert(row.email_hash.clone()) {
                out.push(row);
            }
        }
    }
    Ok(out)
}

/// Deletes subscriptions left unconfirmed for [`UNCONFIRMED_DAYS`]. Returns how many.
pub async fn sweep(conn: &mut DbConn) -> Result<usize, ApiError> {
    Ok(diesel::sql_query(
        "DELETE FROM subscriptions WHERE confirmed_at IS NULL AND created_at < now() - make_interval(days => $1)",
    )
    .bind::<Int4, _>(UNCONFIRMED_DAYS)
    .execute(conn)
    .await?)
}
