//! Each panel's rules for public questions ([`QuestionRules`]): one row per panel that
//! has changed the defaults, none for a panel that follows them.

use chrono::{DateTime, NaiveTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;

use super::changelog;
use super::versioned::{self, Versioned};
use crate::db::schema::{organisations, question_rules};
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::organisation::{OrganisationId, OrganisationKind};
use crate::domain::question_rules::{Addressee, QuestionRules};
use crate::domain::version::IfMatch;
use crate::error::ApiError;

/// A panel's rules as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = question_rules, check_for_backend(diesel::pg::Pg))]
struct QuestionRulesRow {
    organisation_id: OrganisationId,
    deadline_clear_working_days: i32,
    deadline_time: Option<NaiveTime>,
    max_words: Option<i32>,
    max_questions_per_questioner_per_meeting: Option<i32>,
    addressees: Vec<Addressee>,
    supplementary_questions: bool,
    updated_at: DateTime<Utc>,
    version: i32,
}

impl From<QuestionRulesRow> for QuestionRules {
    fn from(row: QuestionRulesRow) -> Self {
        Self {
            deadline_clear_working_days: row.deadline_clear_working_days,
            deadline_time: row.deadline_time,
            max_words: row.max_words,
            max_questions_per_questioner_per_meeting: row.max_questions_per_questioner_per_meeting,
            addressees: row.addressees,
            supplementary_questions: row.supplementary_questions,
        }
    }
}

/// A panel's rules with their version: version 1 and no `updated_at` while the panel
/// follows the defaults.
#[derive(Debug, Clone, Serialize)]
pub struct PanelRules {
    pub organisation_id: OrganisationId,
    #[serde(flatten)]
    pub rules: QuestionRules,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: i32,
}

crate::logged_row!(PanelRules, "question_rules", |rules| rules.organisation_id.0);

impl Versioned for PanelRules {
    const NOUN: &'static str = "panel";

    fn version(&self) -> i32 {
        self.version
    }
}

impl PanelRules {
    fn defaults(organisation_id: OrganisationId) -> Self {
        Self {
            organisation_id,
            rules: QuestionRules::default(),
            updated_at: None,
            version: 1,
        }
    }

    fn from_row(organisation_id: OrganisationId, row: Option<QuestionRulesRow>) -> Self {
        match row {
            None => Self::defaults(organisation_id),
            Some(row) => Self {
                organisation_id,
                updated_at: Some(row.updated_at),
                version: row.version,
                rules: row.into(),
            },
        }
    }
}

/// The panel `id`'s rules: 404 when there is no organisation `id`, or when it is not a
/// panel (only panels take public questions). `lock` locks the panel for a change.
async fn load(conn: &mut DbConn, id: OrganisationId, lock: bool) -> Result<PanelRules, ApiError> {
    let query = organisations::table.find(id).select(organisations::kind);
    let kind: Option<OrganisationKind> = if lock {
        query.for_no_key_update().first(conn).await.optional()?
    } else {
        query.first(conn).await.optional()?
    };
    match kind {
        None => return Err(ApiError::not_found(format!("No organisation has id {id}"))),
        Some(OrganisationKind::Panel) => {}
        Some(kind) => {
            return Err(ApiError::not_found(format!(
                "Organisation {id} is a {kind}, not a panel: only a panel has rules for public questions"
            )))
        }
    }
    let row = question_rules::table
        .find(id)
        .select(QuestionRulesRow::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(PanelRules::from_row(id, row))
}

/// The rules of panel `id` (see [`load`] for the 404s).
pub async fn find(conn: &mut DbConn, id: OrganisationId) -> Result<PanelRules, ApiError> {
    load(conn, id, false).await
}

/// The rules that govern questions to meetings of `organisation`: its own when it is a
/// panel that has set some, the defaults otherwise.
pub async fn governing(conn: &mut DbConn, organisation: OrganisationId) -> Result<QuestionRules, ApiError> {
    let row = question_rules::table
        .inner_join(organisations::table)
        .filter(question_rules::organisation_id.eq(organisation))
        .filter(organisations::kind.eq(OrganisationKind::Panel))
        .select(QuestionRulesRow::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(Into::into).unwrap_or_default())
}

/// Stores `rules` as panel `id`'s, inside the caller's transaction, if the caller's
/// `If-Match` (if any) names the current version (412 otherwise), with its audit
/// record. Returns the rules as they now stand, and whether they changed (rules that
/// change nothing change nothing). A panel's rules move its meetings' deadlines: use
/// [`super::meetings::apply_question_rules`], which calls this.
pub(super) async fn store(
    conn: &mut DbConn,
    actor: &Actor,
    id: OrganisationId,
    if_match: &IfMatch,
    rules: &QuestionRules,
) -> Result<(PanelRules, bool), ApiError> {
    let before = versioned::locked(Some(load(conn, id, true).await?), id, if_match)?;
    if before.rules == *rules {
        return Ok((before, false));
    }
    let row = QuestionRulesRow {
        organisation_id: id,
        deadline_clear_working_days: rules.deadline_clear_working_days,
        deadline_time: rules.deadline_time,
        max_words: rules.max_words,
        max_questions_per_questioner_per_meeting: rules.max_questions_per_questioner_per_meeting,
        addressees: rules.addressees.clone(),
        supplementary_questions: rules.supplementary_questions,
        updated_at: Utc::now(),
        version: before.next_version(),
    };
    let stored: QuestionRulesRow = diesel::insert_into(question_rules::table)
        .values(&row)
        .on_conflict(question_rules::organisation_id)
        .do_update()
        .set(&row)
        .returning(QuestionRulesRow::as_returning())
        .get_result(conn)
        .await?;
    let after = PanelRules::from_row(id, Some(stored));
    changelog::record(conn, actor, "question_rules.updated", Some(&before), Some(&after)).await?;
    Ok((after, true))
}
