//! `scrutiny sync-meetings`: a panel's meetings from its council's ModernGov.
//!
//! Fetches `GetMeetings` for one committee ([`crate::moderngov`]), then creates or
//! updates the panel's meetings by ModernGov's meeting id in one transaction
//! ([`crate::repo::meetings::sync_moderngov`]), and prints a line per meeting and a
//! count of each outcome. A server that times out or answers something other than the
//! web service's XML is an error (exit code 1) and nothing is written.

use std::time::Duration;

use anyhow::Context as _;
use chrono::{Months, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::migrations::admin_conn;
use super::output::outln;
use crate::config::Config;
use crate::db::Database;
use crate::domain::auth::Actor;
use crate::domain::organisation::{OrganisationId, OrganisationKind};
use crate::repo::meetings::{ListedMeeting, SyncLine, SyncOutcome};

/// What `scrutiny sync-meetings` was asked to do.
#[derive(Debug)]
pub(super) struct SyncMeetings {
    pub moderngov_url: String,
    pub committee_id: u64,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub panel: Option<OrganisationId>,
    pub dry_run: bool,
    pub timeout: u64,
}

/// The site's address as stored beside each meeting: checked, without a trailing `/`.
fn site_of(url: &str) -> anyhow::Result<String> {
    let parsed = url::Url::parse(url).with_context(|| format!("--moderngov-url {url:?} is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        anyhow::bail!("--moderngov-url must be an http or https address, such as https://democracy.example.gov.uk");
    }
    if parsed.query().is_some() || parsed.path().contains("mgWebService") {
        anyhow::bail!("--moderngov-url is the site's address (https://democracy.example.gov.uk), without mgWebService.asmx or a query");
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// The panel: the one given, or the only panel there is.
async fn the_panel(conn: &mut crate::db::DbConn, given: Option<OrganisationId>) -> anyhow::Result<OrganisationId> {
    use crate::db::schema::organisations;
    if let Some(panel) = given {
        return Ok(panel);
    }
    let panels: Vec<OrganisationId> = organisations::table
        .filter(organisations::kind.eq(OrganisationKind::Panel))
        .select(organisations::id)
        .limit(2)
        .load(conn)
        .await?;
    match panels.as_slice() {
        [one] => Ok(*one),
        [] => anyhow::bail!("there is no panel organisation to hold the meetings: create one first"),
        _ => anyhow::bail!("there are several panels: say which with --panel ORG_ID"),
    }
}

pub(super) async fn sync(config: &Config, database: &Database, args: SyncMeetings) -> anyhow::Result<()> {
    let site = site_of(&args.moderngov_url)?;
    let today = Utc::now().date_naive();
    let from = args.from.unwrap_or_else(|| today - Months::new(12));
    let to = args.to.unwrap_or_else(|| today + Months::new(12));
    if from > to {
        anyhow::bail!("--from {from} is after --to {to}");
    }
    if args.timeout == 0 {
        anyhow::bail!("--timeout must be at least 1 second");
    }
    let mut conn = admin_conn(config, database).await?;
    let panel = the_panel(&mut conn, args.panel).await?;
    let fetched =
        crate::moderngov::fetch_meetings(&site, args.committee_id, from, to, Duration::from_secs(args.timeout))
            .await
            .with_context(|| {
                format!(
                    "fetching committee {}'s meetings from {site}; nothing was written",
                    args.committee_id
                )
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
    let actor = Actor::system("cli");
    let mut lines = crate::repo::meetings::sync_moderngov(&mut conn, &actor, panel, &site, &listed, args.dry_run)
        .await
        .map_err(|error| anyhow::anyhow!("{error:#}"))
        .context("storing the meetings; nothing was written")?;
    lines.extend(skipped);
    report(&lines, args.dry_run)
}

fn report(lines: &[SyncLine], dry_run: bool) -> anyhow::Result<()> {
    let word = |outcome: &SyncOutcome| match outcome {
        SyncOutcome::Created => "created",
        SyncOutcome::Updated => "updated",
        SyncOutcome::Unchanged => "unchanged",
        SyncOutcome::Cancelled => "cancelled",
        SyncOutcome::Skipped => "skipped",
    };
    for line in lines {
        let held_on = line.held_on.map_or("-".to_string(), |d| d.to_string());
        let id = line.meeting_id.map_or("-".to_string(), |id| id.0.to_string());
        let mut text = format!(
            "{:<9} moderngov {} on {held_on}: {:?} (meeting {id})",
            word(&line.outcome),
            if line.moderngov_meeting_id.is_empty() {
                "?"
            } else {
                &line.moderngov_meeting_id
            },
            line.title
        );
        if !line.detail.is_empty() {
            text.push_str(": ");
            text.push_str(&line.detail.join("; "));
        }
        outln!("{text}");
    }
    let count = |outcome: SyncOutcome| lines.iter().filter(|line| line.outcome == outcome).count();
    outln!(
        "{} created, {} updated, {} unchanged, {} cancelled, {} skipped{}",
        count(SyncOutcome::Created),
        count(SyncOutcome::Updated),
        count(SyncOutcome::Unchanged),
        count(SyncOutcome::Cancelled),
        count(SyncOutcome::Skipped),
        if dry_run { " (dry run: nothing was written)" } else { "" }
    );
    Ok(())
}
