//! The bodies of `POST /api/v1/questions` and `PATCH /api/v1/questions/{id}`, and how
//! they become a new question and a question's changes.

use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::calendar::uk_offset_at;
use crate::domain::meeting::MeetingId;
use crate::domain::question::{
    parse_asked_on, parse_citations, parse_topics, Address, AskerContact, AskerKind, ContactPatch, Email, NewQuestion,
    Phone, QuestionChanges, QuestionId,
};
use crate::domain::question_rules::Addressee;
use crate::domain::report::RecommendationId;
use crate::domain::text::{Body, Name, Title};
use crate::domain::{CollectFields, FieldResult};
use crate::error::ApiError;
use crate::http::patch_field;

/// Who asks, in a new question.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskerRequest {
    /// Without a token, `member_of_public` (the default); a `panel_member` asks
    /// `panel_member` questions (the default for them); `secretariat` and `admin`
    /// record either on someone's behalf (default `member_of_public`).
    pub kind: Option<AskerKind>,
    /// The name to publish the question under, 1 to 200 characters.
    pub display_name: String,
}

/// How to reach the questioner. Seen only by `secretariat` and `admin`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskerContactRequest {
    /// An e-mail address; required.
    #[schema(format = Email)]
    pub email: String,
    /// At most 50 characters.
    pub phone: Option<String>,
    /// At most 500 characters.
    pub address: Option<String>,
}

/// A new question.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "asker": {"display_name": "A member of the public"},
    "asker_contact": {"email": "resident@example.org"},
    "title": "Safeguarding children after the HMIC inspection",
    "body": "What exactly is the PFCC doing about this to bring the force to account?",
    "topics": ["child-protection"]
}))]
pub struct CreateQuestionRequest {
    pub asker: AskerRequest,
    /// Required without a token (so the secretariat can reply); optional otherwise.
    pub asker_contact: Option<AskerContactRequest>,
    /// 1 to 300 characters.
    pub title: String,
    /// 1 to 20,000 characters.
    pub body: String,
    /// At most 10, each a lowercase slug such as `child-protection`.
    #[serde(default)]
    pub topics: Vec<String>,
    /// Default today (UTC); not in the future.
    pub asked_on: Option<NaiveDate>,
    /// A panel meeting whose question deadline has not passed. The question must also
    /// keep the rules of the meeting's panel (`GET /api/v1/organisations/{id}/question-rules`):
    /// whom it may be put to, how many words, how many questions per questioner per
    /// meeting, whether supplementaries are taken; a 422 quotes the rule broken.
    pub meeting_id: Option<MeetingId>,
    /// The question this one is supplementary to (where the panel takes supplementaries).
    pub parent_question_id: Option<QuestionId>,
    /// Whom the question is put to: the Commissioner (the default) or the Panel; the
    /// meeting's panel must take questions to them.
    pub addressed_to: Option<Addressee>,
    /// Recommendations the question concerns; each must exist; an id given twice counts once.
    #[serde(default)]
    pub recommendation_ids: Vec<RecommendationId>,
}

/// Changes to contact details (JSON merge patch).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskerContactPatch {
    /// Cannot be removed (remove the whole `asker_contact` instead).
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false, format = Email)]
    pub email: Option<Option<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<String>, nullable)]
    pub address: Option<Option<String>>,
}

/// Changes to a question (JSON merge patch): absent fields stay as they are. `status`
/// changes through the transitions (`accept`, `reject`, `withdraw`); `reference` never
/// changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"meeting_id": "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5d", "topics": ["child-protection", "policing"]}))]
pub struct UpdateQuestionRequest {
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = String, required = false)]
    pub body: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Vec<String>, required = false)]
    pub topics: Option<Option<Vec<String>>>,
    /// A panel meeting (its question deadline is not applied: the secretariat may
    /// schedule a question that arrived in time later); `null` takes it off the agenda.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<MeetingId>, nullable)]
    pub meeting_id: Option<Option<MeetingId>>,
    /// Replaces the list.
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Vec<RecommendationId>, required = false)]
    pub recommendation_ids: Option<Option<Vec<RecommendationId>>>,
    /// Merged into the contact details held; `null` removes them all (once they are no
    /// longer needed, say).
    #[serde(default, deserialize_with = "crate::http::present")]
    #[schema(value_type = Option<AskerContactPatch>, nullable)]
    pub asker_contact: Option<Option<AskerContactPatch>>,
}

/// The question as the body gives it, asked as the body's kind (by nobody's account):
/// the handler sets who asks, which is the caller's to decide.
impl TryFrom<CreateQuestionRequest> for NewQuestion {
    type Error = ApiError;

    fn try_from(body: CreateQuestionRequest) -> Result<Self, ApiError> {
        let now = Utc::now();
        let london_today = now.with_timezone(&uk_offset_at(now)).date_naive();
        let (asker_display_name, asker_contact, title, text, topics, asked_on, recommendation_ids) = (
            Name::parse("asker.display_name", &body.asker.display_name),
            body.asker_contact.as_ref().map(parse_contact).transpose(),
            Title::parse("title", &body.title),
            Body::parse("body", &body.body),
            parse_topics("topics", &body.topics),
            parse_asked_on("asked_on", body.asked_on.unwrap_or(now.date_naive()), london_today),
            parse_citations("recommendation_ids", &body.recommendation_ids),
        )
            .collect_fields()?;
        Ok(Self {
            asker_kind: body.asker.kind.unwrap_or(AskerKind::MemberOfPublic),
            asker_display_name,
            asker_contact,
            asker_user_id: None,
            title,
            body: text,
            topics,
            asked_on,
            meeting_id: body.meeting_id,
            parent_question_id: body.parent_question_id,
            recommendation_ids,
            addressed_to: body.addressed_to.unwrap_or(Addressee::Commissioner),
        })
    }
}

impl TryFrom<UpdateQuestionRequest> for QuestionChanges {
    type Error = ApiError;

    fn try_from(body: UpdateQuestionRequest) -> Result<Self, ApiError> {
        let (title, text, topics, recommendation_ids, asker_contact) = (
            patch_field("title", body.title).and_then(|t| t.map(|t| Title::parse("title", t)).transpose()),
            patch_field("body", body.body).and_then(|b| b.map(|b| Body::parse("body", b)).transpose()),
            patch_field("topics", body.topics).and_then(|t| t.map(|t| parse_topics("topics", &t)).transpose()),
            patch_field("recommendation_ids", body.recommendation_ids)
                .and_then(|r| r.map(|r| parse_citations("recommendation_ids", &r)).transpose()),
            parse_contact_patch(body.asker_contact),
        )
            .collect_fields()?;
        Ok(Self {
            title,
            body: text,
            topics,
            meeting_id: body.meeting_id,
            recommendation_ids,
            asker_contact,
        })
    }
}

fn parse_contact(request: &AskerContactRequest) -> FieldResult<AskerContact> {
    let email = Email::parse("asker_contact.email", &request.email)?;
    let phone = request
        .phone
        .as_deref()
        .map(|p| Phone::parse("asker_contact.phone", p))
        .transpose()?;
    let address = request
        .address
        .as_deref()
        .map(|a| Address::parse("asker_contact.address", a))
        .transpose()?;
    Ok(AskerContact::new(email, phone, address))
}

fn parse_contact_patch(patch: Option<Option<AskerContactPatch>>) -> FieldResult<Option<ContactPatch>> {
    let Some(patch) = patch else { return Ok(None) };
    let Some(patch) = patch else {
        return Ok(Some(ContactPatch::Remove));
    };
    let email = patch_field("asker_contact.email", patch.email)?
        .map(|e| Email::parse("asker_contact.email", &e))
        .transpose()?;
    let phone = patch
        .phone
        .map(|p| p.map(|p| Phone::parse("asker_contact.phone", p)).transpose())
        .transpose()?;
    let address = patch
        .address
        .map(|a| a.map(|a| Address::parse("asker_contact.address", a)).transpose())
        .transpose()?;
    Ok(Some(ContactPatch::Merge { email, phone, address }))
}
