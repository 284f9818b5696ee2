//! Descriptions of the problem types named in error responses' `type`.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, PROBLEM_TYPES};

/// What a problem type means and what to do about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemTypeDescription {
    #[serde(rename = "type")]
    #[schema(example = "/problems/precondition-failed")]
    pub type_: String,
    pub title: &'static str,
    pub status: u16,
    pub description: &'static str,
}

/// Describe a problem type.
///
/// Every error response's `type` is a path under `/problems/`; this explains it.
#[utoipa::path(
    tag = "operations",
    security(()),
    params(("slug" = String, Path, description = "The problem type's name, such as `validation-failed`.")),
    responses(
        (status = 200, description = "The problem type.", body = ProblemTypeDescription),
        (status = 404, description = "No such problem type.", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/problems/{slug}")]
pub async fn get_problem_type(slug: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let kind = PROBLEM_TYPES
        .iter()
        .find(|kind| kind.slug == slug.as_str())
        .ok_or_else(|| ApiError::not_found("No such problem type"))?;
    Ok(HttpResponse::Ok().json(ProblemTypeDescription {
        type_: format!("/problems/{}", kind.slug),
        title: kind.title,
        status: kind.status.as_u16(),
        description: kind.description,
    }))
}
