//! `scrutiny clusters`: the private PostgreSQL clusters on this machine, one per data
//! directory, listed, and removed when they are no longer wanted.
//!
//! Tests and temporary runs (`SCRUTINY_DATA_DIR=$(mktemp -d)`) each leave a cluster
//! behind under the cluster root; this is how they are found and removed, without a
//! database or any other configuration.

use super::output::outln;
use super::ClustersAction;
use crate::db::cluster::{self, ClusterEntry};

/// Runs `scrutiny clusters list` or `scrutiny clusters remove`.
pub(super) fn run(action: ClustersAction) -> anyhow::Result<()> {
    let clusters = cluster::list_clusters()?;
    match action {
        ClustersAction::List => list(&clusters),
        ClustersAction::Remove { ids, left_over, stop } => {
            let mut chosen: Vec<&ClusterEntry> = Vec::new();
            for id in &ids {
                match clusters.iter().find(|c| &c.id == id) {
                    Some(entry) => chosen.push(entry),
                    None => anyhow::bail!("no cluster {id:?}: `scrutiny clusters list` shows their ids"),
                }
            }
            if left_over {
                chosen.extend(clusters.iter().filter(|c| c.is_left_over() && !ids.contains(&c.id)));
            }
            if chosen.is_empty() {
                outln!("no cluster is left over: nothing was removed");
            }
            for entry in chosen {
                cluster::remove_cluster(entry, stop)?;
                outln!("removed {} ({})", entry.id, megabytes(entry.bytes));
            }
            Ok(())
        }
    }
}

fn list(clusters: &[ClusterEntry]) -> anyhow::Result<()> {
    let root = cluster::cluster_root().map_or_else(|| "(no home directory)".to_string(), |r| r.display().to_string());
    if clusters.is_empty() {
        outln!("no private clusters under {root}");
        return Ok(());
    }
    outln!("private clusters under {root}:");
    for entry in clusters {
        let state = match entry.port {
            Some(port) => format!("running on 127.0.0.1:{port}"),
            None => "stopped".to_string(),
        };
        let data_dir = match (&entry.data_dir, entry.data_dir_exists) {
            (Some(dir), true) => format!("for {}", dir.display()),
            (Some(dir), false) => format!("for {} (gone: left over)", dir.display()),
            (None, _) => "for an unrecorded data directory".to_string(),
        };
        outln!("{}  {state}  {}  {data_dir}", entry.id, megabytes(entry.bytes));
    }
    if clusters.iter().any(ClusterEntry::is_left_over) {
        outln!("remove the left-over ones with `scrutiny clusters remove --left-over`");
    }
    Ok(())
}

fn megabytes(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / 1_000_000.0)
}
