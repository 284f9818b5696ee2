//! Keeps the status of recommendations that follow their actions up to date: every
//! write to an action calls [`follow_actions`] in its transaction, for the
//! recommendations the action addressed before and after, so the stored status (which
//! lists, `status=` filters, CSV, the scorecard and the trail all read) always agrees
//! with the actions, and each change is versioned and logged like any other.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::changelog;
use super::recommendations::{action_states, progress_of, RecommendationRecord, RecommendationRow};
use super::versioned::Versioned as _;
use crate::db::schema::recommendations;
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::derived_status::following;
use crate::domain::report::{RecommendationId, RecommendationStatus};
use crate::error::ApiError;

/// Moves each of `ids` whose status follows its actions to the status they now give it
/// (see [`following`]): locked in id order (so two action writes sharing
/// recommendations cannot deadlock), written with its next version and no reason, and
/// logged as `recommendation.updated` by `actor`, whose action write caused it. A
/// recommendation whose status is a decision, or already right, is left alone. Call it
/// inside the action write's transaction, after the action and its links are written.
/// `today` dates the progress in the logged representation.
pub async fn follow_actions(
    conn: &mut DbConn,
    actor: &Actor,
    ids: impl IntoIterator<Item = RecommendationId>,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let ids: Vec<RecommendationId> = ids.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
    if ids.is_empty() {
        return Ok(());
    }
    let rows: Vec<RecommendationRow> = recommendations::table
        .filter(recommendations::id.eq_any(&ids))
        .order(recommendations::id.asc())
        .select(RecommendationRow::as_select())
        .for_update()
        .load(conn)
        .await?;
    let mut actions = action_states(conn, &ids).await?;
    let moving: Vec<(RecommendationRow, RecommendationStatus)> = rows
        .into_iter()
        .filter_map(|row| {
            let next = following(row.status, actions.remove(&row.id).unwrap_or_default());
            (next != row.status).then_some((row, next))
        })
        .collect();
    if moving.is_empty() {
        return Ok(());
    }
    let moving_ids: Vec<RecommendationId> = moving.iter().map(|(row, _)| row.id).collect();
    let mut progress = progress_of(conn, &moving_ids, today).await?;
    for (before, status) in moving {
        let after: RecommendationRow = diesel::update(recommendations::table.find(before.id))
            .set((
                recommendations::status.eq(status),
                recommendations::status_reason.eq(None::<String>),
                recommendations::updated_at.eq(Utc::now()),
                recommendations::version.eq(before.next_version()),
            ))
            .returning(RecommendationRow::as_returning())
            .get_result(conn)
            .await?;
        // The progress is the actions' as they are now: the change logged is the status.
        let progress = progress.remove(&before.id).unwrap_or_default();
        let before = RecommendationRecord { row: before, progress };
        let after = RecommendationRecord { row: after, progress };
        changelog::publish(conn, actor, "recommendation.updated", Some(&before), &after).await?;
    }
    Ok(())
}
