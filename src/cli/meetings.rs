//! `scrutiny sync-meetings`: a panel's meetings from its council's ModernGov.
//!
//! Runs the sync the scheduled worker runs ([`crate::moderngov_sync::sync`]): fetches
//! `GetMeetings` for one committee, creates or updates the panel's meetings by
//! ModernGov's meeting id in one transaction, and, with `--agendas`, stores a dry run of
//! each held meeting's public questions item for the secretariat to confirm. It prints a
//! line per meeting (and per agenda) and a count of each outcome. A server that times out
//! or answers something other than the web service's XML is an error (exit code 1) and
//! nothing is written.

use std::time::Duration;

use chrono::NaiveDate;

use super::migrations::admin_conn;
use super::output::outln;
use crate::config::Config;
use crate::db::Database;
use crate::domain::auth::Actor;
use crate::domain::organisation::OrganisationId;
use crate::moderngov_sync::{SyncReport, SyncRequest};
use crate::repo::meetings::SyncOutcome;

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
    pub agendas: bool,
}

pub(super) async fn sync(config: &Config, database: &Database, args: SyncMeetings) -> anyhow::Result<()> {
    let site = crate::moderngov::site_address(&args.moderngov_url)
        .map_err(|reason| anyhow::anyhow!("--moderngov-url: {reason}"))?;
    let (default_from, default_to) = crate::moderngov_sync::default_window(crate::domain::calendar::london_today());
    let from = args.from.unwrap_or(default_from);
    let to = args.to.unwrap_or(default_to);
    if from > to {
        anyhow::bail!("--from {from} is after --to {to}");
    }
    if args.timeout == 0 {
        anyhow::bail!("--timeout must be at least 1 second");
    }
    let mut conn = admin_conn(config, database).await?;
    let request = SyncRequest {
        site,
        committee_id: args.committee_id,
        from,
        to,
        panel: args.panel,
        dry_run: args.dry_run,
        timeout: Duration::from_secs(args.timeout),
        agendas: args.agendas,
    };
    let report = crate::moderngov_sync::sync(&mut conn, &Actor::system("cli"), &request).await?;
    print_report(&report, args.dry_run, args.agendas)
}

fn print_report(report: &SyncReport, dry_run: bool, agendas: bool) -> anyhow::Result<()> {
    let word = |outcome: &SyncOutcome| match outcome {
        SyncOutcome::Created => "created",
        SyncOutcome::Updated => "updated",
        SyncOutcome::Unchanged => "unchanged",
        SyncOutcome::Cancelled => "cancelled",
        SyncOutcome::Skipped => "skipped",
    };
    for line in &report.lines {
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
    for line in &report.agendas {
        let held_on = line.held_on.map_or("-".to_string(), |d| d.to_string());
        let outcome = serde_json::to_value(line.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        outln!(
            "agenda    moderngov {} on {held_on}{}: {outcome}: {}",
            line.moderngov_meeting_id,
            line.item_title
                .as_ref()
                .map_or(String::new(), |title| format!(", item {title:?}")),
            line.detail
        );
    }
    let mut summary = report.summary();
    if dry_run {
        summary.push_str(" (dry run: nothing was written");
        if agendas {
            summary.push_str(", agendas not fetched");
        }
        summary.push(')');
    }
    outln!("{summary}");
    Ok(())
}
