//! `/api/v1/meetings`: panel meetings (where public questions are put), the
//! Commissioner's Strategic Governance Boards and Public Performance Meetings.

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::db::DbConn;
use crate::domain::auth::View;
use crate::domain::meeting::{parse_held_on, MeetingChanges, MeetingId, MeetingKind, NewMeeting};
use crate::domain::organisation::OrganisationId;
use crate::domain::text::Title;
use crate::domain::{storable_date, CollectFields};
use crate::error::{responses, ApiError};
use crate::http::caller::{Caller, ManageMeetings, Require};
use crate::http::conditional::{created, ok, ok_unless_current, IfMatch, IfNoneMatch};
use crate::http::listing::{converted, ExportParams, Listing, PageParams, Paged};
use crate::http::{patch_field, Json};
use crate::pagination::{Cursor, PageRequest};
use crate::repo::changelog::Publishable;
use crate::repo::events::to_json;
use crate::repo::meetings::{self as repo, MeetingFilter, MeetingRow};

/// A meeting.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5b",
    "organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5c",
    "kind": "panel_meeting",
    "title": "Police, Fire & Crime Panel, June 2022",
    "held_on": "2022-06-16",
    "is_public": true,
    "question_deadline": "2022-06-10T23:00:00Z",
    "cancelled": false,
    "created_at": "2022-05-01T09:00:00Z",
    "updated_at": "2022-05-01T09:00:00Z",
    "version": 1
}))]
pub struct Meeting {
    pub id: MeetingId,
    /// The organisation that holds it.
    pub organisation_id: OrganisationId,
    pub kind: MeetingKind,
    pub title: String,
    /// The day it is held.
    pub held_on: NaiveDate,
    /// Whether the public may know of it. A meeting that is not public does not exist
    /// for anonymous and `integration` callers.
    pub is_public: bool,
    /// For panel meetings only (null otherwise): the instant from which public
    /// questions for it are late, under the rules of the panel that holds it
    /// (`GET /api/v1/organisations/{id}/question-rules`): by default, by the end of the
    /// working day (London time) before the three clear working days before the
    /// meeting; weekends and England and Wales bank holidays are not working days. It
    /// moves when the meeting moves, and when the panel changes its rules before the
    /// meeting is held. A panel meeting must be held on a date whose deadline the bank holiday rules
    /// vouch for (1978 to 2099; 422 naming `held_on` otherwise); the deadline is null
    /// only for a panel meeting stored before that was required, which takes no
    /// questions.
    pub question_deadline: Option<DateTime<Utc>>,
    /// Whether the meeting was cancelled (as its council's ModernGov says, synced by
    /// `scrutiny sync-meetings`): a cancelled meeting is kept, takes no public
    /// questions and has no question deadline.
    pub cancelled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases by one on every change; the `ETag` carries it.
    pub version: i32,
}

impl From<MeetingRow> for Meeting {
    fn from(row: MeetingRow) -> Self {
        Self {
            question_deadline: row.question_deadline,
            id: row.id,
            organisation_id: row.organisation_id,
            kind: row.kind,
            title: row.title,
            held_on: row.held_on,
            is_public: row.is_public,
            cancelled: row.cancelled,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

crate::page_type!(MeetingPage, Meeting);

/// Filters for the meeting list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeetingQuery {
    /// Only meetings held by this organisation.
    pub organisation_id: Option<OrganisationId>,
    /// Only meetings of this kind.
    pub kind: Option<MeetingKind>,
    /// Only meetings held on or after this date.
    pub held_from: Option<NaiveDate>,
    /// Only meetings held on or before this date.
    pub held_to: Option<NaiveDate>,
    /// Only public (`true`) or non-public (`false`) meetings. Anonymous and
    /// `integration` callers only ever see public ones.
    pub is_public: Option<bool>,
}

/// The filters as given; which meetings the caller may see at all is added by the
/// handler (`include_private`).
impl TryFrom<MeetingQuery> for MeetingFilter {
    type Error = ApiError;

    fn try_from(query: MeetingQuery) -> Result<Self, ApiError> {
        let (held_from, held_to) = (
            query.held_from.map(|d| storable_date("held_from", d)).transpose(),
            query.held_to.map(|d| storable_date("held_to", d)).transpose(),
        )
            .collect_fields()?;
        Ok(Self {
            organisation_id: query.organisation_id,
            kind: query.kind,
            held_from,
            held_to,
            is_public: query.is_public,
            include_private: false,
        })
    }
}

/// A new meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "organisation_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5c",
    "kind": "panel_meeting",
    "title": "Police, Fire & Crime Panel, June 2022",
    "held_on": "2022-06-16"
}))]
pub struct CreateMeetingRequest {
    /// The organisation that holds it; it must exist.
    pub organisation_id: OrganisationId,
    pub kind: MeetingKind,
    /// 1 to 300 characters.
    pub title: String,
    /// In the years 2000 to 2100.
    pub held_on: NaiveDate,
    /// Default `true`.
    pub is_public: Option<bool>,
}

/// Changes to a meeting (JSON merge patch): absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2022-06-23"}))]
pub struct UpdateMeetingRequest {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = OrganisationId, required = false)]
    pub organisation_id: Option<Option<OrganisationId>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = MeetingKind, required = false)]
    pub kind: Option<Option<MeetingKind>>,
    /// 1 to 300 characters.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub title: Option<Option<String>>,
    /// Moving a meeting moves its question deadline with it; questions already on its
    /// agenda stay there.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = NaiveDate, required = false)]
    pub held_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = bool, required = false)]
    pub is_public: Option<Option<bool>>,
}

impl TryFrom<CreateMeetingRequest> for NewMeeting {
    type Error = ApiError;

    fn try_from(body: CreateMeetingRequest) -> Result<Self, ApiError> {
        let (title, held_on) = (
            Title::parse("title", &body.title),
            parse_held_on("held_on", body.held_on),
        )
            .collect_fields()?;
        Ok(Self {
            organisation_id: body.organisation_id,
            kind: body.kind,
            title,
            held_on,
            is_public: body.is_public.unwrap_or(true),
        })
    }
}

impl TryFrom<UpdateMeetingRequest> for MeetingChanges {
    type Error = ApiError;

    fn try_from(body: UpdateMeetingRequest) -> Result<Self, ApiError> {
        let (organisation_id, kind, title, held_on, is_public) = (
            patch_field("organisation_id", body.organisation_id),
            patch_field("kind", body.kind),
            patch_field("title", body.title).and_then(|t| t.map(|t| Title::parse("title", t)).transpose()),
            patch_field("held_on", body.held_on).and_then(|d| d.map(|d| parse_held_on("held_on", d)).transpose()),
            patch_field("is_public", body.is_public),
        )
            .collect_fields()?;
        Ok(Self {
            organisation_id,
            kind,
            title,
            held_on,
            is_public,
        })
    }
}

impl Publishable for MeetingRow {
    fn is_public(&self) -> bool {
        self.is_public
    }

    fn represent(&self, _view: View) -> Result<serde_json::Value, ApiError> {
        to_json(&Meeting::from(self.clone()))
    }
}

/// List meetings.
///
/// Earliest first (by `held_on`, then id), paged with `cursor`. Public: anonymous and
/// `integration` callers see public meetings only; staff see every meeting.
#[utoipa::path(
    tag = "meetings",
    params(MeetingQuery, PageParams, ExportParams),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "A page of meetings, or with `Accept: text/csv` all that match, as CSV.",
            content((MeetingPage = "application/json"), (String = "text/csv", example = json!(MEETINGS_CSV_EXAMPLE)))),
        responses::List,
    )
)]
#[get("/meetings")]
pub async fn list_meetings(caller: Caller, Paged(query, page): Paged<MeetingQuery>) -> Result<HttpResponse, ApiError> {
    let filter = MeetingFilter {
        include_private: caller.view().sees_unpublished(),
        ..query.try_into()?
    };
    page.respond(&caller, Meetings(filter)).await
}

/// Create a meeting.
///
/// For `admin` and `secretariat`. `held_on` is in 2000 to 2100; a `panel_meeting` must
/// also have a question deadline the England and Wales bank holiday rules vouch for
/// (1978 to 2099), so one in 2100 is a 422 naming `held_on`.
#[utoipa::path(
    tag = "meetings",
    request_body = CreateMeetingRequest,
    responses(
        (status = 201, description = "The meeting was created.", body = Meeting,
            headers(("Location" = String, description = "The new meeting's URL."), ("ETag" = String, description = "Its version."))),
        responses::Create,
    )
)]
#[post("/meetings")]
pub async fn create_meeting(
    auth: Require<ManageMeetings>,
    state: web::Data<AppState>,
    Json(body): Json<CreateMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = NewMeeting::try_from(body)?;
    let mut conn = state.conn().await?;
    let row = repo::insert(&mut conn, &auth.actor(), &new).await?;
    Ok(created(
        format!("/api/v1/meetings/{}", row.id),
        row.version,
        &Meeting::from(row),
    ))
}

/// Get a meeting.
///
/// A meeting that is not public is not found by anonymous and `integration` callers.
/// Sends an `ETag`; with `If-None-Match` naming it, answers 304.
#[utoipa::path(
    tag = "meetings",
    params(("id" = MeetingId, Path, description = "The meeting's id.")),
    security((), ("oauth2" = []), ("token" = [])),
    responses(
        (status = 200, description = "The meeting.", body = Meeting,
            headers(("ETag" = String, description = "Its version, for `If-Match` and `If-None-Match`."))),
        responses::Read,
    )
)]
#[get("/meetings/{id}")]
pub async fn get_meeting(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<MeetingId>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_conn(caller.is_signed_in()).await?;
    let row = repo::find(&mut conn, *id, caller.view().sees_unpublished()).await?;
    Ok(ok_unless_current(&if_none_match, row.version, &Meeting::from(row)))
}

/// Change a meeting.
///
/// JSON merge patch: only the fields given change. Send `If-Match` with the `ETag` you
/// read (412 if someone changed it since). For `admin` and `secretariat`. A change that
/// leaves a `panel_meeting` on a date whose question deadline the bank holiday rules
/// cannot vouch for (see `POST /api/v1/meetings`) is a 422 naming `held_on`.
#[utoipa::path(
    tag = "meetings",
    params(("id" = MeetingId, Path, description = "The meeting's id.")),
    request_body = UpdateMeetingRequest,
    responses(
        (status = 200, description = "The meeting as changed.", body = Meeting),
        (status = 409, response = responses::Conflict),
        responses::Update,
    )
)]
#[patch("/meetings/{id}")]
pub async fn update_meeting(
    auth: Require<ManageMeetings>,
    state: web::Data<AppState>,
    id: web::Path<MeetingId>,
    if_match: IfMatch,
    Json(body): Json<UpdateMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let changes = MeetingChanges::try_from(body)?;
    let mut conn = state.conn().await?;
    let row = repo::update(&mut conn, &auth.actor(), *id, &if_match, &changes).await?;
    Ok(ok(row.version, &Meeting::from(row)))
}

const MEETINGS_CSV_EXAMPLE: &str = concat!(
    "id,organisation_id,kind,title,held_on,is_public,question_deadline,cancelled,created_at,updated_at,version\r\n",
    "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5d,01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a51,panel_meeting,Panel meeting,2022-06-06,true,2022-06-01T12:00:00Z,false,2022-05-01T09:00:00Z,2022-05-01T09:00:00Z,1\r\n",
);

/// The meeting list, as JSON pages or CSV.
pub struct Meetings(MeetingFilter);

impl Listing for Meetings {
    type Item = Meeting;
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "organisation_id",
        "kind",
        "title",
        "held_on",
        "is_public",
        "question_deadline",
        "cancelled",
        "created_at",
        "updated_at",
        "version",
    ];
    const NAME: &'static str = "meetings";

    async fn page(&self, conn: &mut DbConn, page: PageRequest) -> Result<(Vec<Meeting>, Option<Cursor>), ApiError> {
        Ok(converted(repo::list(conn, &self.0, &page).await?))
    }
}
