//! The accountability trail of a question: which recommendations and actions it leads
//! to, through what it concerns and what its published responses cite.

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::schema::{action_recommendations, question_recommendations, response_actions, response_recommendations};
use crate::db::DbConn;
use crate::domain::action::ActionId;
use crate::domain::question::{QuestionId, ResponseId};
use crate::domain::report::RecommendationId;
use crate::error::ApiError;

/// The links of one question's trail.
#[derive(Debug, Default)]
pub struct Links {
    /// The recommendations the question concerns or its published responses cite, in
    /// the order they were made.
    pub recommendation_ids: Vec<RecommendationId>,
    /// Each recommendation's actions, as (recommendation, action) pairs.
    pub actions_by_recommendation: Vec<(RecommendationId, ActionId)>,
    /// Actions the published responses cite directly.
    pub cited_action_ids: Vec<ActionId>,
}

/// The links of question `id`, following only the `published` responses given.
pub async fn links(conn: &mut DbConn, id: QuestionId, published: &[ResponseId]) -> Result<Links, ApiError> {
    let mut recommendations: BTreeSet<RecommendationId> = question_recommendations::table
        .filter(question_recommendations::question_id.eq(id))
        .select(question_recommendations::recommendation_id)
        .load::<RecommendationId>(conn)
        .await?
        .into_iter()
        .collect();
    recommendations.extend(
        response_recommendations::table
            .filter(response_recommendations::response_id.eq_any(published))
            .select(response_recommendations::recommendation_id)
            .load::<RecommendationId>(conn)
            .await?,
    );
    let cited: BTreeSet<ActionId> = response_actions::table
        .filter(response_actions::response_id.eq_any(published))
        .select(response_actions::action_id)
        .load::<ActionId>(conn)
        .await?
        .into_iter()
        .collect();
    // Ids are UUIDv7, so their order is the order the recommendations were recorded.
    let recommendation_ids: Vec<RecommendationId> = recommendations.into_iter().collect();
    let actions_by_recommendation = action_recommendations::table
        .filter(action_recommendations::recommendation_id.eq_any(&recommendation_ids))
        .select((
            action_recommendations::recommendation_id,
            action_recommendations::action_id,
        ))
        .order((
            action_recommendations::recommendation_id,
            action_recommendations::action_id,
        ))
        .load::<(RecommendationId, ActionId)>(conn)
        .await?;
    Ok(Links {
        recommendation_ids,
        actions_by_recommendation,
        cited_action_ids: cited.into_iter().collect(),
    })
}
