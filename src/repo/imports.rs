//! Imports of published question-and-response documents: a question and its published
//! response, created together in one transaction or not at all, once per document.

use chrono::Utc;
use diesel_async::AsyncConnection as _;

use super::questions::{self, QuestionRecord, QuestionRow, Source};
use super::responses::{self, ResponseRecord};
use crate::db::DbConn;
use crate::domain::auth::Actor;
use crate::domain::question::{NewQuestion, NewResponse};
use crate::error::ApiError;

/// What an import did.
#[derive(Debug)]
pub enum Stored {
    /// The question and its published response, as created.
    Created {
        question: Box<QuestionRecord>,
        response: Box<ResponseRecord>,
    },
    /// A document with the same text was imported before: this question came from it,
    /// and nothing was created.
    AlreadyImported(Box<QuestionRow>),
}

/// Why the import's transaction ended without committing.
enum Abort {
    /// Another import of the same document committed first.
    Raced,
    Failed(ApiError),
}

impl From<diesel::result::Error> for Abort {
    fn from(error: diesel::result::Error) -> Self {
        Self::Failed(error.into())
    }
}

impl From<ApiError> for Abort {
    fn from(error: ApiError) -> Self {
        Self::Failed(error)
    }
}

/// Imports one document: unless a question from a document with the same hash exists,
/// creates `question` (answered, marked with `source`) and `response` (published), with
/// their audit records, in one transaction.
///
/// Importing the same document twice, even at the same moment, creates it once: the
/// second import finds the first's question, or (when both got past that check) loses
/// the race on the unique `source_hash`, rolls back and reports the winner's.
pub async fn store(
    conn: &mut DbConn,
    actor: &Actor,
    question: &NewQuestion,
    response: &NewResponse,
    source: Source<'_>,
) -> Result<Stored, ApiError> {
    let stored = conn
        .transaction(async |conn| {
            if let Some(existing) = questions::find_by_source_hash(conn, source.hash).await? {
                return Ok(Stored::AlreadyImported(Box::new(existing)));
            }
            let published_at = Utc::now();
            let question = questions::insert_imported(conn, actor, question, source, published_at)
                .await?
                .ok_or(Abort::Raced)?;
            let response = responses::insert_imported(conn, actor, question.row.id, response, published_at).await?;
            Ok::<_, Abort>(Stored::Created {
                question: Box::new(question),
                response: Box::new(response),
            })
        })
        .await;
    match stored {
        Ok(stored) => Ok(stored),
        Err(Abort::Failed(error)) => Err(error),
        Err(Abort::Raced) => questions::find_by_source_hash(conn, source.hash)
            .await?
            .map(|existing| Stored::AlreadyImported(Box::new(existing)))
            .ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "an import lost the race on source_hash but the winner's question is not there"
                ))
            }),
    }
}
