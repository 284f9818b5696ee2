//! The panel's meetings from its council's ModernGov: the sync `scrutiny sync-meetings`
//! runs once and the scheduled worker runs every interval (one code for both), and the
//! worker itself.
//!
//! A sync fetches `GetMeetings` for one committee ([`crate::moderngov`]) and creates or
//! updates the panel's meetings by ModernGov's meeting id in one transaction
//! ([`crate::repo::meetings::sync_moderngov`]). A ModernGov that times out, or answers
//! anything but the web service's XML (an HTML error page, say), fails the sync and
//! nothing is written.
//!
//! With agendas on (`--agendas`, `SCRUTINY_MODERNGOV_AGENDAS=true`), it then fetches
//! `GetMeeting` for each synced meeting that has been held (today or before, London
//! time) and is not cancelled, finds its public questions items
//! ([`crate::moderngov::is_public_questions_title`]), and runs each item's text (its
//! minutes, or the agenda's text before minutes are published) through the minutes
//! importer in a dry run, attached to that meeting. The dry run is stored
//! ([`crate::repo::pending_imports`]) for the secretariat to confirm
//! (`POST /api/v1/imports/pending/{id}/confirm`) or dismiss; the same text for the same
//! meeting is stored once. An item that only links a document (a PDF) is reported as
//! such: documents are not fetched. Each agenda stands alone: one that cannot be fetched
//! or read is reported and the others go on.
//!
//! The worker ([`run`]) runs the sync over the window from 12 months before today to
//! 12 months after, every `SCRUTINY_MODERNGOV_SYNC_INTERVAL` seconds. Instances sharing
//! the database take turns through a lease ([`crate::repo::moderngov_schedule`]): one
//! sync at a time, one per interval between them. A run is abandoned after ten times
//! the request timeout (its transaction rolled back). Every run is logged with its
//! counts, and counted in the metrics (`scrutiny_moderngov_sync_runs_total{outcome}`,
//! `scrutiny_moderngov_meetings_total{outcome}`, `scrutiny_moderngov_agenda_items_total{outcome}`,
//! `scrutiny_moderngov_last_success_timestamp_seconds`); a failed run is retried after
//! the interval.

use std::sync::Arc;
use std::time::Duration;

use chrono::{Months, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::{ModernGovConfig, ModernGovSchedule};
use crate::db::{DbConn, DbPool};
use crate::domain::auth::Actor;
use crate::domain::meeting::MeetingId;
use crate::domain::organisation::{OrganisationId, OrganisationKind};
use crate::error::ApiError;
use crate::metrics::{Metrics, OutcomeLabels};
use crate::moderngov::{self, MgAgendaItem, MgError};
use crate::repo::meetings::{ListedMeeting, SyncLine, SyncOutcome};
use crate::repo::pending_imports::{self, NewPendingImport};

/// How far back and ahead of today a sync looks when not told: 12 months each way.
pub const WINDOW_MONTHS: u32 = 12;

/// The window a sync takes when not told: from [`WINDOW_MONTHS`] before `today` to as
/// many after it.
pub fn default_window(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (today - Months::new(WINDOW_MONTHS), today + Months::new(WINDOW_MONTHS))
}

/// What to sync.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    /// The ModernGov site ([`moderngov::site_address`]).
    pub site: String,
    /// The committee (`lCommitteeId`).
    pub committee_id: u64,
    /// The first and last days to take meetings from.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The panel that holds the meetings; `None`: the only panel there is.
    pub panel: Option<OrganisationId>,
    /// Work the meetings out and report, writing nothing (agendas are then not fetched).
    pub dry_run: bool,
    /// How long ModernGov has to answer each request.
    pub timeout: Duration,
    /// Whether to fetch the agendas of meetings held and store dry runs of their
    /// public questions items.
    pub agendas: bool,
}

/// What became of one public questions item (or of a meeting's agenda as a whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgendaOutcome {
    /// Its dry run was stored, waiting for the secretariat.
    Queued,
    /// A dry run of the same text for the same meeting was stored before.
    AlreadyQueued,
    /// Every question it records was imported before (by hand, say): nothing stored.
    AlreadyImported,
    /// The item has no text, only linked documents, which are not fetched.
    DocumentOnly,
    /// The item has no text and no document.
    NoText,
    /// Its text could not be read as minutes, or not imported into the meeting (why is
    /// in `detail`): nothing stored.
    Unread,
    /// The agenda could not be fetched or read, or storing failed: nothing stored.
    Failed,
    /// The agenda has no public questions item.
    NoItem,
}

impl AgendaOutcome {
    /// The metric label, for the outcomes that are counted (`NoItem` is not).
    pub fn label(self) -> Option<&'static str> {
        match self {
            Self::Queued => Some("queued"),
            Self::AlreadyQueued => Some("already_queued"),
            Self::AlreadyImported => Some("already_imported"),
            Self::DocumentOnly => Some("document_only"),
            Self::NoText => Some("no_text"),
            Self::Unread => Some("unread"),
            Self::Failed => Some("failed"),
            Self::NoItem => None,
        }
    }
}

/// One line of the agenda step's report.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaLine {
    pub moderngov_meeting_id: i64,
    pub meeting_id: MeetingId,
    pub held_on: Option<NaiveDate>,
    pub outcome: AgendaOutcome,
    /// The item's title (none for `failed` and `no_item` about the whole agenda).
    pub item_title: Option<String>,
    /// The stored dry run (`queued`).
    pub pending_import_id: Option<Uuid>,
    /// Why, or what was found.
    pub detail: String,
}

/// What a sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// A line per meeting ModernGov listed.
    pub lines: Vec<SyncLine>,
    /// A line per public questions item (or agenda without one) of the meetings held.
    pub agendas: Vec<AgendaLine>,
}

impl SyncReport {
    /// How many meeting lines have `outcome`.
    pub fn count(&self, outcome: SyncOutcome) -> usize {
        self.lines.iter().filter(|line| line.outcome == outcome).count()
    }

    /// How many agenda lines have `outcome`.
    pub fn count_agendas(&self, outcome: AgendaOutcome) -> usize {
        self.agendas.iter().filter(|line| line.outcome == outcome).count()
    }

    /// The counts in one line: `1 created, 0 updated, … skipped`, and the agendas'.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "{} created, {} updated, {} unchanged, {} cancelled, {} skipped",
            self.count(SyncOutcome::Created),
            self.count(SyncOutcome::Updated),
            self.count(SyncOutcome::Unchanged),
            self.count(SyncOutcome::Cancelled),
            self.count(SyncOutcome::Skipped),
        );
        if !self.agendas.is_empty() {
            text.push_str(&format!(
                "; agendas: {} queued, {} already queued, {} already imported, {} document only, {} without text, {} unread, {} failed, {} without public questions",
                self.count_agendas(AgendaOutcome::Queued),
                self.count_agendas(AgendaOutcome::AlreadyQueued),
                self.count_agendas(AgendaOutcome::AlreadyImported),
                self.count_agendas(AgendaOutcome::DocumentOnly),
                self.count_agendas(AgendaOutcome::NoText),
                self.count_agendas(AgendaOutcome::Unread),
                self.count_agendas(AgendaOutcome::Failed),
                self.count_agendas(AgendaOutcome::NoItem),
            ));
        }
        text
    }
}

/// Why a sync failed. Nothing of the meetings was written.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("fetching committee {committee}'s meetings from {site}: {source}; nothing was written")]
    Fetch {
        site: String,
        committee: u64,
        source: MgError,
    },
    #[error("{0}")]
    Panel(String),
    #[error("storing the meetings: {0}; nothing was written")]
    Store(String),
}

impl SyncError {
    fn store(error: ApiError) -> Self {
        Self::Store(match error {
            ApiError::Validation(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            other => format!("{other:#}"),
        })
    }
}

/// The panel: the one given, or the only panel there is.
async fn the_panel(conn: &mut DbConn, given: Option<OrganisationId>) -> Result<OrganisationId, SyncError> {
    if let Some(panel) = given {
        return Ok(panel);
    }
    let panels = crate::repo::organisations::ids_of_kind(conn, OrganisationKind::Panel, 2)
        .await
        .map_err(SyncError::store)?;
    match panels.as_slice() {
        [one] => Ok(*one),
        [] => Err(SyncError::Panel(
            "there is no panel organisation to hold the meetings: create one first".into(),
        )),
        _ => Err(SyncError::Panel(
            "there are several panels: say which (--panel ORG_ID, or SCRUTINY_MODERNGOV_PANEL_ID)".into(),
        )),
    }
}

/// Syncs the meetings `request` names, as `actor` (see the module's documentation):
/// the report of every meeting listed (those without a usable id or date are
/// `skipped`, with the reason), and of the agendas when asked for.
pub async fn sync(conn: &mut DbConn, actor: &Actor, request: &SyncRequest) -> Result<SyncReport, SyncError> {
    let panel = the_panel(conn, request.panel).await?;
    let fetched = moderngov::fetch_meetings(
        &request.site,
        request.committee_id,
        request.from,
        request.to,
        request.timeout,
    )
    .await
    .map_err(|source| SyncError::Fetch {
        site: request.site.clone(),
        committee: request.committee_id,
        source,
    })?;
    let mut skipped = Vec::new();
    let mut listed = Vec::new();
    for meeting in fetched {
        let reason = match (meeting.id, &meeting.date) {
            (None, _) if meeting.raw_id.is_empty() => Some("it has no meeting id".to_string()),
            (None, _) => Some(format!("its meeting id {:?} is not a number", meeting.raw_id)),
            (_, Err(reason)) => Some(reason.clone()),
            _ => None,
        };
        match (reason, meeting.id, meeting.date) {
            (None, Some(id), Ok(held_on)) => listed.push(ListedMeeting {
                moderngov_meeting_id: id,
                title: meeting.title,
                held_on,
                cancelled: meeting.cancelled,
            }),
            (reason, _, date) => skipped.push(SyncLine {
                moderngov_meeting_id: meeting.raw_id,
                outcome: SyncOutcome::Skipped,
                meeting_id: None,
                held_on: date.ok(),
                title: meeting.title,
                detail: reason.into_iter().collect(),
            }),
        }
    }
    let mut lines = crate::repo::meetings::sync_moderngov(conn, actor, panel, &request.site, &listed, request.dry_run)
        .await
        .map_err(SyncError::store)?;
    let mut agendas = Vec::new();
    if request.agendas && !request.dry_run {
        let today = crate::domain::calendar::london_today();
        for line in &lines {
            let (Some(meeting_id), Some(held_on), Ok(mg_id)) =
                (line.meeting_id, line.held_on, line.moderngov_meeting_id.parse::<i64>())
            else {
                continue;
            };
            let cancelled = listed
                .iter()
                .find(|m| m.moderngov_meeting_id == mg_id)
                .is_none_or(|m| m.cancelled);
            if cancelled || line.outcome == SyncOutcome::Skipped || held_on > today {
                continue;
            }
            agendas.extend(agenda_of(conn, actor, request, mg_id, meeting_id, held_on).await);
        }
    }
    lines.extend(skipped);
    Ok(SyncReport { lines, agendas })
}

/// The lines for one held meeting's agenda: fetched, its public questions items found,
/// and each one's dry run stored (or why not).
async fn agenda_of(
    conn: &mut DbConn,
    actor: &Actor,
    request: &SyncRequest,
    mg_id: i64,
    meeting_id: MeetingId,
    held_on: NaiveDate,
) -> Vec<AgendaLine> {
    let line = |outcome, item_title: Option<String>, detail: String| AgendaLine {
        moderngov_meeting_id: mg_id,
        meeting_id,
        held_on: Some(held_on),
        outcome,
        item_title,
        pending_import_id: None,
        detail,
    };
    let agenda = match moderngov::fetch_agenda(&request.site, mg_id, request.timeout).await {
        Ok(agenda) => agenda,
        Err(error) => {
            return vec![line(
                AgendaOutcome::Failed,
                None,
                format!("fetching its agenda (GetMeeting): {error}"),
            )]
        }
    };
    let items: Vec<&MgAgendaItem> = agenda
        .items
        .iter()
        .filter(|item| !item.restricted && moderngov::is_public_questions_title(&item.title))
        .collect();
    if items.is_empty() {
        return vec![line(
            AgendaOutcome::NoItem,
            None,
            format!(
                "none of its {} agenda items is a public questions item",
                agenda.items.len()
            ),
        )];
    }
    let mut lines = Vec::new();
    for item in items {
        let mut one = line(AgendaOutcome::Failed, Some(item.title.clone()), String::new());
        match queue_item(conn, actor, request, mg_id, meeting_id, item).await {
            Ok((outcome, id, detail)) => {
                one.outcome = outcome;
                one.pending_import_id = id;
                one.detail = detail;
            }
            Err(error) => one.detail = format!("storing its dry run: {error:#}"),
        }
        lines.push(one);
    }
    lines
}

/// Reads one public questions item and stores its dry run: the outcome, the stored dry
/// run's id, and what to say about it. Only a database failure is an error.
async fn queue_item(
    conn: &mut DbConn,
    actor: &Actor,
    request: &SyncRequest,
    mg_id: i64,
    meeting_id: MeetingId,
    item: &MgAgendaItem,
) -> Result<(AgendaOutcome, Option<Uuid>, String), ApiError> {
    let (text, which) = if !item.minutes_text.is_empty() {
        (&item.minutes_text, "minutes")
    } else {
        (&item.agenda_text, "agenda text")
    };
    if text.is_empty() {
        if item.documents.is_empty() {
            return Ok((
                AgendaOutcome::NoText,
                None,
                "the item has no text and no document".into(),
            ));
        }
        let documents: Vec<String> = item
            .documents
            .iter()
            .map(|d| format!("{:?} <{}>", d.title, d.url))
            .collect();
        return Ok((
            AgendaOutcome::DocumentOnly,
            None,
            format!(
                "the item has only linked documents, which are not read: {}; import them by hand (POST /api/v1/imports)",
                documents.join(", ")
            ),
        ));
    }
    let hash = format!("{:x}", Sha256::digest(text.as_bytes()));
    if pending_imports::exists(conn, meeting_id, &hash).await? {
        return Ok((
            AgendaOutcome::AlreadyQueued,
            None,
            format!("its {which} were stored for confirmation before"),
        ));
    }
    let Some(minutes) = crate::import::minutes::parse_minutes(text) else {
        return Ok((
            AgendaOutcome::Unread,
            None,
            format!("its {which} record no question the minutes importer can read"),
        ));
    };
    let number = if item.number.is_empty() {
        String::new()
    } else {
        format!(" item {}", item.number)
    };
    let source_name = crate::import::source_name(&format!("ModernGov meeting {mg_id}{number}: {}", item.title));
    let query = crate::routes::imports::ImportQuery {
        dry_run: Some(true),
        meeting_id: Some(meeting_id),
        meeting_date: None,
    };
    let result = match crate::routes::imports::import_minutes(conn, actor, &minutes, &source_name, &query, true).await {
        Ok(result) => result,
        Err(ApiError::Validation(errors)) => {
            let reasons: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            return Ok((AgendaOutcome::Unread, None, reasons.join("; ")));
        }
        Err(other) => return Err(other),
    };
    let summary = result.summary.unwrap_or_default();
    if summary.parsed == 0 && summary.already_imported > 0 {
        return Ok((
            AgendaOutcome::AlreadyImported,
            None,
            format!(
                "every question its {which} record ({}) was imported into the meeting before",
                summary.already_imported
            ),
        ));
    }
    let report = serde_json::to_value(&result).map_err(|e| ApiError::Internal(e.into()))?;
    let questions = summary.questions;
    let stored = pending_imports::insert(
        conn,
        actor,
        &NewPendingImport {
            meeting_id,
            source_name: &source_name,
            moderngov_url: Some(&request.site),
            moderngov_meeting_id: Some(mg_id),
            agenda_item_id: item.id,
            agenda_item_title: &item.title,
            document: text,
            document_hash: &hash,
            report: &report,
        },
    )
    .await?;
    Ok(match stored {
        Some(row) => (
            AgendaOutcome::Queued,
            Some(row.id),
            format!(
                "its {which} read in a dry run ({questions} question(s)), stored for confirmation as pending import {}",
                row.id
            ),
        ),
        None => (
            AgendaOutcome::AlreadyQueued,
            None,
            format!("its {which} were stored for confirmation before"),
        ),
    })
}

/// Says once, at start, whether meetings are synced on a schedule.
pub fn announce(config: &ModernGovConfig) {
    match &config.schedule {
        Some(schedule) => log::info!(
            "ModernGov sync is on: committee {} of {} every {}s, from {} months back to {} ahead{}",
            schedule.committee_id,
            schedule.site,
            schedule.interval.as_secs(),
            WINDOW_MONTHS,
            WINDOW_MONTHS,
            if schedule.agendas {
                ", with the public questions of agendas stored as dry runs for confirmation"
            } else {
                ""
            }
        ),
        None => log::info!(
            "ModernGov sync is off (SCRUTINY_MODERNGOV_URL and SCRUTINY_MODERNGOV_COMMITTEE_ID are unset): meetings \
             come from the API or `scrutiny sync-meetings`"
        ),
    }
}

/// The longest a run may take, for a request timeout of `timeout`: ten times it.
pub fn run_limit(timeout: Duration) -> Duration {
    timeout.saturating_mul(10)
}

/// Runs the scheduled sync for ever; returns at once when it is off. Each round takes
/// the lease if the sync is due and nobody holds it, runs the sync (within
/// [`run_limit`]), counts and logs what came of it, and gives the lease back with the
/// next run an interval away. Rounds come every interval (at most every minute, so an
/// instance notices soon when another has stopped). A database outage is logged once
/// and retried.
pub async fn run(pool: DbPool, metrics: Arc<Metrics>, config: ModernGovConfig) {
    let Some(schedule) = config.schedule else {
        return;
    };
    let worker = Worker {
        holder: Uuid::now_v7().to_string(),
        key: crate::repo::moderngov_schedule::key(&schedule.site, schedule.committee_id),
        pool,
        metrics,
        schedule,
    };
    let pause = worker.schedule.interval.min(Duration::from_secs(60));
    let mut failing = false;
    loop {
        match worker.round().await {
            Ok(()) => {
                if failing {
                    log::info!("ModernGov sync: the database answers again");
                }
                failing = false;
            }
            Err(error) => {
                if !failing {
                    log::warn!("ModernGov sync: {error}; retrying");
                }
                failing = true;
            }
        }
        actix_web::rt::time::sleep(pause).await;
    }
}

struct Worker {
    /// This instance's token in the lease.
    holder: String,
    key: String,
    pool: DbPool,
    metrics: Arc<Metrics>,
    schedule: ModernGovSchedule,
}

impl Worker {
    /// One round: an `Err` only when the database could not be used for the lease.
    async fn round(&self) -> anyhow::Result<()> {
        let limit = run_limit(self.schedule.timeout);
        let lease = limit + Duration::from_secs(60);
        let mut conn = self.pool.get().await?;
        if !crate::repo::moderngov_schedule::claim(&mut conn, &self.key, &self.holder, lease).await? {
            return Ok(());
        }
        let (from, to) = default_window(crate::domain::calendar::london_today());
        let request = SyncRequest {
            site: self.schedule.site.clone(),
            committee_id: self.schedule.committee_id,
            from,
            to,
            panel: self.schedule.panel,
            dry_run: false,
            timeout: self.schedule.timeout,
            agendas: self.schedule.agendas,
        };
        let actor = Actor::system("moderngov-sync");
        let outcome = actix_web::rt::time::timeout(limit, sync(&mut conn, &actor, &request)).await;
        let error = match outcome {
            Ok(Ok(report)) => {
                self.count(&report);
                log::info!(
                    "ModernGov sync of committee {} ({from} to {to}): {}",
                    request.committee_id,
                    report.summary()
                );
                None
            }
            Ok(Err(error)) => Some(error.to_string()),
            Err(_) => {
                // The run was stopped halfway, perhaps inside its transaction: the
                // connection is closed (rolling that back), never reused.
                drop(deadpool::managed::Object::take(conn));
                conn = self.pool.get().await?;
                Some(format!(
                    "the sync took longer than {}s and was abandoned; nothing more was written",
                    limit.as_secs()
                ))
            }
        };
        if let Some(error) = &error {
            self.metrics
                .moderngov_sync_runs
                .get_or_create(&OutcomeLabels { outcome: "failed" })
                .inc();
            log::warn!(
                "ModernGov sync of committee {} failed: {error}; retrying in {}s",
                request.committee_id,
                self.schedule.interval.as_secs()
            );
        }
        crate::repo::moderngov_schedule::release(
            &mut conn,
            &self.key,
            &self.holder,
            error.as_deref(),
            self.schedule.interval,
        )
        .await?;
        Ok(())
    }

    fn count(&self, report: &SyncReport) {
        let metrics = &self.metrics;
        metrics
            .moderngov_sync_runs
            .get_or_create(&OutcomeLabels { outcome: "succeeded" })
            .inc();
        metrics.moderngov_last_success.set(chrono::Utc::now().timestamp());
        for line in &report.lines {
            let outcome = match line.outcome {
                SyncOutcome::Created => "created",
                SyncOutcome::Updated => "updated",
                SyncOutcome::Unchanged => "unchanged",
                SyncOutcome::Cancelled => "cancelled",
                SyncOutcome::Skipped => "skipped",
            };
            metrics
                .moderngov_meetings
                .get_or_create(&OutcomeLabels { outcome })
                .inc();
        }
        for line in &report.agendas {
            if let Some(outcome) = line.outcome.label() {
                metrics
                    .moderngov_agenda_items
                    .get_or_create(&OutcomeLabels { outcome })
                    .inc();
            }
            if line.outcome == AgendaOutcome::Failed || line.outcome == AgendaOutcome::Unread {
                log::warn!(
                    "ModernGov sync: meeting {} (ModernGov {}){}: {}",
                    line.meeting_id,
                    line.moderngov_meeting_id,
                    line.item_title
                        .as_ref()
                        .map_or(String::new(), |t| format!(", item {t:?}")),
                    line.detail
                );
            }
        }
    }
}
