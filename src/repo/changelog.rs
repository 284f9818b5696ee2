//! The change log: every change writes its audit record and, for a resource in the
//! change feed, its event, in the transaction that makes the change, so the change, its
//! record and its event commit or roll back together.
//!
//! How to use it: implement [`Logged`] next to the resource's row or record (what the
//! audit log keeps of it), and [`Publishable`] next to its representation when it is in
//! the feed. Then, inside the write's transaction, call [`publish`] (audit record and
//! event) or, for what the feed does not carry (accounts, clients, webhook
//! subscriptions, sign-ins), [`record`] (audit record only).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use uuid::Uuid;

use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::error::ApiError;

use crate::db::schema::events;
use crate::domain::auth::View;

use super::audit;

/// A resource whose changes the audit log records.
pub trait Logged {
    /// `question`, `organisation`, … as in the audit record's and the event's
    /// `resource_type`.
    const RESOURCE_TYPE: &'static str;
    /// Its id.
    fn resource_id(&self) -> Uuid;
    /// What the audit log keeps of it: its stored state, never a value derived from
    /// other rows or from the date.
    fn audit_snapshot(&self) -> impl Serialize + '_;
}

/// A resource in the change feed. Implemented next to each resource's representation
/// (in `routes`), so that the feed shows exactly what the API shows.
pub trait Publishable: Logged {
    /// Whether anonymous callers can see the resource in this state.
    fn is_public(&self) -> bool;
    /// The resource as a caller with `view` sees it, never with contact details.
    fn represent(&self, view: View) -> Result<serde_json::Value, ApiError>;
}

/// Records that `actor` did `action` (`user.updated`) to a resource that is not in the
/// change feed: `before` is none for a creation, `after` none for a deletion.
pub async fn record<T: Logged>(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), ApiError> {
    let id = after.or(before).map(Logged::resource_id);
    audit::record(
        conn,
        actor,
        action,
        T::RESOURCE_TYPE,
        id,
        before.map(Logged::audit_snapshot).as_ref(),
        after.map(Logged::audit_snapshot).as_ref(),
    )
    .await?;
    // A request with an Idempotency-Key: the change is its result, committed (or not)
    // with it, so a retry after the handling instance died finds it.
    if let (Some(claim), Some(id)) = (actor.idempotency_claim, id) {
        super::idempotency::mark_result(conn, claim, T::RESOURCE_TYPE, id).await?;
    }
    Ok(())
}

/// Records that `actor` did `action` where there is no resource state to keep: a
/// sign-in attempt (`detail` names the account tried, never the secret; `resource_id`
/// none when no such account exists), a redelivery (`detail` none).
pub async fn note(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    resource_type: &str,
    resource_id: Option<Uuid>,
    detail: Option<&serde_json::Value>,
) -> Result<(), ApiError> {
    audit::record(conn, actor, action, resource_type, resource_id, None, detail).await
}

/// Records that `actor` did `action` (`question.accepted`) to a resource in the change
/// feed, now `after` (`before` is none for a creation or an import): its audit record,
/// and its event of type `action`. The event is public when the resource is public now
/// or was before (so that mirrors remove what stops being public).
pub async fn publish<T: Publishable>(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    before: Option<&T>,
    after: &T,
) -> Result<(), ApiError> {
    record(conn, actor, action, before, Some(after)).await?;
    emit(conn, action, before.is_some_and(Publishable::is_public), after).await
}

#[derive(Insertable)]
#[diesel(table_name = events)]
struct NewEventRow<'a> {
    event_type: &'a str,
    resource_type: &'a str,
    resource_id: Uuid,
    public: bool,
    snapshot: serde_json::Value,
    public_snapshot: Option<serde_json::Value>,
}

/// Records that `after` changed (`question.accepted`, …). Call it inside the
/// transaction that made the change. `was_public`: whether the resource was public
/// before the change (false for a creation). A resource that stops being public gives
/// public callers an event with no snapshot, so that mirrors can remove it.
pub(crate) async fn emit<T: Publishable>(
    conn: &mut DbConn,
    event_type: &str,
    was_public: bool,
    after: &T,
) -> Result<(), ApiError> {
    let public_now = after.is_public();
    diesel::insert_into(events::table)
        .values(NewEventRow {
            event_type,
            resource_type: T::RESOURCE_TYPE,
            resource_id: after.resource_id(),
            public: public_now || was_public,
            snapshot: after.represent(View::Staff)?,
            public_snapshot: if public_now {
                Some(after.represent(View::Public)?)
            } else {
                None
            },
        })
        .execute(conn)
        .await?;
    Ok(())
}

/// Implements [`Logged`] for a row that the audit log keeps whole: the row type, its
/// resource type, and the expression of its id (`|row| row.id.0`).
#[macro_export]
macro_rules! logged_row {
    ($row:ty, $resource_type:literal, |$it:ident| $id:expr) => {
        impl $crate::repo::changelog::Logged for $row {
            const RESOURCE_TYPE: &'static str = $resource_type;

            fn resource_id(&self) -> uuid::Uuid {
                let $it = self;
                $id
            }

            fn audit_snapshot(&self) -> impl serde::Serialize + '_ {
                self
            }
        }
    };
}
