//! The private PostgreSQL cluster that makes `scrutiny` run with no configuration.
//!
//! With no `DATABASE_URL`, the service runs its own cluster with the PostgreSQL server
//! binaries installed on the machine: initialised on first run, reused (data kept) on
//! later runs, listening on a free loopback port with a generated password, and stopped
//! when the service that started it stops. Another `scrutiny` command run while the
//! cluster is up connects to it instead of starting a second one.
//!
//! Every cluster lives under one root ([`cluster_root`]), at `<root>/<hash of the data
//! dir>`, so that `scrutiny clusters` can list them all and remove those left over by
//! tests and temporary runs; the data directory holds a note (`CLUSTER_LOCATION`)
//! saying where its cluster is. PostgreSQL refuses to run as root: run as root, the
//! cluster runs as the `postgres` system user under `/var/lib/scrutiny/clusters`,
//! because that user may not be able to enter the data directory (a checkout under
//! `/root` is mode 700).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use diesel::{sql_query, QueryableByName};
use diesel_async::RunQueryDsl;
use sha2::{Digest, Sha256};

const INSTALL_HINT: &str = "install the PostgreSQL server (Debian/Ubuntu: `apt-get install postgresql`; \
macOS: `brew install postgresql@15`) or set DATABASE_URL to an existing database";

/// A running private cluster.
#[derive(Debug)]
pub struct PrivateCluster {
    bin_dir: PathBuf,
    pgdata: PathBuf,
    base: PathBuf,
    owner: Option<(u32, u32)>,
    port: u16,
    password: String,
    started_here: bool,
}

impl PrivateCluster {
    /// Makes sure the cluster for `data_dir` exists and runs, and returns it.
    pub fn ensure_running(data_dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(data_dir).with_context(|| format!("creating SCRUTINY_DATA_DIR {}", data_dir.display()))?;
        let data_dir = data_dir.canonicalize()?;
        let bin_dir = find_bin_dir().with_context(|| format!("no PostgreSQL server binaries found: {INSTALL_HINT}"))?;

        // One process at a time initialises or starts the cluster.
        let lock = File::create(data_dir.join("cluster.lock"))?;
        lock.lock().context("locking the private cluster")?;

        let owner = if running_as_root() {
            Some(postgres_user()?)
        } else {
            None
        };
        let base = cluster_location(&data_dir, owner.is_some())?;
        fs::create_dir_all(&base)?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&base, Some(uid), Some(gid))?;
        }
        fs::set_permissions(&base, fs::Permissions::from_mode(0o700))?;

        let mut cluster = Self {
            pgdata: base.join("data"),
            password: String::new(),
            bin_dir,
            base,
            owner,
            port: 0,
            started_here: false,
        };
        if !cluster.pgdata.join("PG_VERSION").exists() {
            cluster.initdb()?;
        }
        cluster.password = fs::read_to_string(cluster.base.join("password"))
            .context("reading the private cluster's password")?
            .trim()
            .to_string();
        match cluster.running_port() {
            Some(port) => {
                cluster.port = port;
                // Left running by an instance that is gone (killed, crashed): this one
                // adopts it, and stops it when it stops, as if it had started it.
                if !cluster.owner_is_alive() {
                    log::info!("adopting the private PostgreSQL cluster left running by a process that is gone");
                    cluster.started_here = true;
                    cluster.write_owner()?;
                }
            }
            None => cluster.start()?,
        }
        drop(lock);
        Ok(cluster)
    }

    /// The URL of `database` in this cluster.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://scrutiny:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }

    /// Creates `database` if it does not exist yet.
    pub async fn ensure_database(&self, database: &str) -> anyhow::Result<()> {
        #[derive(QueryableByName)]
        struct Found {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            #[allow(dead_code)]
            one: i32,
        }
        let mut conn = super::connect(&self.url("postgres")).await?;
        let found: Vec<Found> = sql_query("SELECT 1 AS one FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(database)
            .load(&mut conn)
            .await?;
        if found.is_empty() {
            // The name is ours, never a client's: quoting it is enough.
            sql_query(format!("CREATE DATABASE \"{database}\""))
                .execute(&mut conn)
                .await?;
        }
        Ok(())
    }

    /// Stops the cluster, if this process started it (a cluster another instance
    /// started is left to that instance).
    pub fn stop_if_started_here(&self) {
        if !self.started_here {
            return;
        }
        log::info!("stopping the private PostgreSQL cluster");
        let result = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.pgdata)
            .args(["-m", "fast", "-w", "stop"])
            .output();
        let _ = fs::remove_file(self.base.join(OWNER_FILE));
        match result {
            Ok(output) if output.status.success() => {}
            Ok(output) => log::warn!("pg_ctl stop failed: {}", String::from_utf8_lossy(&output.stderr).trim()),
            Err(error) => log::warn!("pg_ctl stop failed: {error}"),
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin_dir.join(program));
        command
            .current_dir(&self.base)
            .env("HOME", &self.base)
            .env_remove("PGDATA");
        if let Some((uid, gid)) = self.owner {
            command.uid(uid).gid(gid);
        }
        command
    }

    fn run(&self, command: &mut Command, what: &str) -> anyhow::Result<()> {
        let output = command.output().with_context(|| format!("running {what}"))?;
        if !output.status.success() {
            bail!(
                "{what} failed: {}{}",
                String::from_utf8_lossy(&output.stderr).trim(),
                String::from_utf8_lossy(&output.stdout).trim()
            );
        }
        Ok(())
    }

    fn initdb(&self) -> anyhow::Result<()> {
        log::info!("initialising a private PostgreSQL cluster in {}", self.pgdata.display());
        let password: String = {
            use rand::Rng;
            rand::rng()
                .sample_iter(rand::distr::Alphanumeric)
                .take(32)
                .map(char::from)
                .collect()
        };
        let password_file = self.base.join("password");
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&password_file)?;
        file.write_all(password.as_bytes())?;
        drop(file);
        if let Some((uid, gid)) = self.owner {
            std::os::unix::fs::chown(&password_file, Some(uid), Some(gid))?;
        }
        // A UTF-8 locale, named explicitly rather than inherited from whoever runs the
        // service: under the C locale full-text search splits words at every non-ASCII
        // letter. C.UTF-8 (glibc, musl) sorts like C; en_US.UTF-8 is the usual name
        // elsewhere (macOS). Only when neither exists does the cluster fall back to C.
        let mut last_error = None;
        for locale in INITDB_LOCALES {
            let _ = fs::remove_dir_all(&self.pgdata);
            let mut initdb = self.command("initdb");
            initdb
                .arg("-D")
                .arg(&self.pgdata)
                .args(["-U", "scrutiny", "--auth=scram-sha-256", "-E", "UTF8"])
                .arg(format!("--pwfile={}", password_file.display()));
            match locale {
                Some(locale) => initdb.arg(format!("--locale={locale}")),
                None => {
                    log::warn!("no UTF-8 locale was accepted by initdb; the private cluster uses the C locale, so full-text search splits words at non-ASCII letters");
                    initdb.arg("--no-locale")
                }
            };
            match self.run(&mut initdb, "initdb") {
                Ok(()) => return Ok(()),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("initdb was not run")))
    }

    /// The port of a cluster that is already running from this data directory.
    fn running_port(&self) -> Option<u16> {
        let status = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.pgdata)
            .arg("status")
            .output()
            .ok()?;
        if !status.status.success() {
            return None;
        }
        // postmaster.pid: pid, data dir, start time, port, socket dir, address, …
        let pid_file = fs::read_to_string(self.pgdata.join("postmaster.pid")).ok()?;
        pid_file.lines().nth(3)?.trim().parse().ok()
    }

    fn start(&mut self) -> anyhow::Result<()> {
        let port = free_port()?;
        log::info!("starting the private PostgreSQL cluster on 127.0.0.1:{port}");
        self.run(
            self.command("pg_ctl")
                .arg("-D")
                .arg(&self.pgdata)
                .arg("-l")
                .arg(self.base.join("postgres.log"))
                .args(["-w", "-t", "60", "-o"])
                .arg(format!(
                    "-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories='' -c max_connections=200"
                ))
                .arg("start"),
            "pg_ctl start",
        )
        .with_context(|| format!("see {}", self.base.join("postgres.log").display()))?;
        self.port = port;
        self.started_here = true;
        self.write_owner()
    }

    /// Records this process as the one that stops the cluster.
    fn write_owner(&self) -> anyhow::Result<()> {
        fs::write(self.base.join(OWNER_FILE), std::process::id().to_string())
            .context("recording the private cluster's owner")
    }

    /// Whether the process recorded as the cluster's owner is still running. A cluster
    /// with no record (started by an older version) counts as owned by someone alive,
    /// so it is left as before.
    fn owner_is_alive(&self) -> bool {
        let Ok(pid) = fs::read_to_string(self.base.join(OWNER_FILE)) else {
            return true;
        };
        let pid = pid.trim();
        if pid == std::process::id().to_string() {
            return false;
        }
        Command::new("kill")
            .args(["-0", pid])
            .output()
            .map_or(true, |output| output.status.success())
    }
}

/// Where the cluster of `data_dir` lives: `<cluster root>/<hash of the data dir>`, with
/// a note in the data directory saying so and the data directory's path recorded
/// beside the cluster (for `scrutiny clusters`). A cluster made by an earlier version
/// inside the data directory (`<data dir>/postgres`, not run as root) stays there.
fn cluster_location(data_dir: &Path, as_root: bool) -> anyhow::Result<PathBuf> {
    let legacy = data_dir.join("postgres");
    if !as_root && legacy.join("data").join("PG_VERSION").exists() {
        return Ok(legacy);
    }
    let Some(root) = cluster_root() else {
        return Ok(legacy);
    };
    let digest = Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    let name = format!("{digest:.16x}");
    let base = root.join(name);
    fs::create_dir_all(&base).with_context(|| format!("creating {}", base.display()))?;
    fs::write(base.join(DATA_DIR_FILE), format!("{}\n", data_dir.display()))?;
    fs::write(
        data_dir.join("CLUSTER_LOCATION"),
        format!(
            "The private PostgreSQL cluster of this data directory lives in:\n{}\n\
             (`scrutiny clusters` lists every one; `scrutiny clusters remove` removes them)\n",
            base.display()
        ),
    )?;
    Ok(base)
}

/// The directory holding every private cluster of this user: run as root,
/// `/var/lib/scrutiny/clusters` (the clusters run as the `postgres` user, who may not
/// be able to enter a root's data directory); otherwise `scrutiny/clusters` in the
/// user's data directory (`~/.local/share` on Linux). `None` without a home directory.
pub fn cluster_root() -> Option<PathBuf> {
    if running_as_root() {
        Some(PathBuf::from("/var/lib/scrutiny/clusters"))
    } else {
        dirs::data_dir().map(|dir| dir.join("scrutiny").join("clusters"))
    }
}

/// One private cluster found under [`cluster_root`], as `scrutiny clusters` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClusterEntry {
    /// Its directory's name under the root (a hash of its data directory's path).
    pub id: String,
    /// Its directory.
    pub location: PathBuf,
    /// The data directory it belongs to, when recorded (clusters made before the record
    /// existed have none).
    pub data_dir: Option<PathBuf>,
    /// Whether that data directory still exists: a cluster whose data directory is
    /// gone (a test's or a temporary run's) is left over.
    pub data_dir_exists: bool,
    /// The port it listens on, when running.
    pub port: Option<u16>,
    /// Bytes on disk.
    pub bytes: u64,
}

impl ClusterEntry {
    /// Stopped, and its data directory is recorded and gone: nothing will use it again.
    pub fn is_left_over(&self) -> bool {
        self.port.is_none() && self.data_dir.is_some() && !self.data_dir_exists
    }
}

/// Every private cluster under [`cluster_root`], by id.
pub fn list_clusters() -> anyhow::Result<Vec<ClusterEntry>> {
    let Some(root) = cluster_root() else {
        return Ok(Vec::new());
    };
    let entries = match fs::read_dir(&root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error).with_context(|| format!("reading {}", root.display())),
    };
    let mut clusters = Vec::new();
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let location = entry.path();
        let data_dir = fs::read_to_string(location.join(DATA_DIR_FILE))
            .ok()
            .map(|text| PathBuf::from(text.trim_end_matches('\n')));
        clusters.push(ClusterEntry {
            id: entry.file_name().to_string_lossy().into_owned(),
            data_dir_exists: data_dir.as_ref().is_some_and(|dir| dir.exists()),
            data_dir,
            port: probe(&location).and_then(|cluster| cluster.running_port()),
            bytes: disk_usage(&location),
            location,
        });
    }
    clusters.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(clusters)
}

/// Removes the cluster `entry` (its data is lost). A running one is refused unless
/// `stop` is set, when it is stopped first.
pub fn remove_cluster(entry: &ClusterEntry, stop: bool) -> anyhow::Result<()> {
    if let Some(port) = entry.port {
        if !stop {
            bail!(
                "cluster {} is running (port {port}): stop the scrutiny using it, or pass --stop",
                entry.id
            );
        }
        if let Some(cluster) = probe(&entry.location) {
            cluster.run(
                cluster
                    .command("pg_ctl")
                    .arg("-D")
                    .arg(&cluster.pgdata)
                    .args(["-m", "fast", "-w", "stop"]),
                "pg_ctl stop",
            )?;
        }
    }
    fs::remove_dir_all(&entry.location).with_context(|| format!("removing {}", entry.location.display()))?;
    if let Some(data_dir) = &entry.data_dir {
        let _ = fs::remove_file(data_dir.join("CLUSTER_LOCATION"));
    }
    Ok(())
}

/// The cluster in `base`, enough to ask `pg_ctl` about it; `None` without server binaries.
fn probe(base: &Path) -> Option<PrivateCluster> {
    let owner = if running_as_root() {
        Some(postgres_user().ok()?)
    } else {
        None
    };
    Some(PrivateCluster {
        bin_dir: find_bin_dir()?,
        pgdata: base.join("data"),
        base: base.to_path_buf(),
        owner,
        port: 0,
        password: String::new(),
        started_here: false,
    })
}

/// The bytes in the files under `path`.
fn disk_usage(path: &Path) -> u64 {
    let Ok(metadata) = fs::symlink_metadata(path) else {
        return 0;
    };
    if !metadata.is_dir() {
        return metadata.len();
    }
    fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| disk_usage(&entry.path()))
        .sum()
}

/// The file, beside a cluster's data, recording the data directory it belongs to.
const DATA_DIR_FILE: &str = "DATA_DIR";

/// The file, beside the cluster's data, naming the process that stops it.
const OWNER_FILE: &str = "owner.pid";

fn running_as_root() -> bool {
    fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// The uid and gid of the `postgres` system user, from /etc/passwd.
fn postgres_user() -> anyhow::Result<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").context("reading /etc/passwd")?;
    passwd
        .lines()
        .find_map(|line| match line.split(':').collect::<Vec<_>>().as_slice() {
            ["postgres", _, uid, gid, ..] => Some((uid.parse().ok()?, gid.parse().ok()?)),
            _ => None,
        })
        .context(
            "running as root, but PostgreSQL refuses to run as root and there is no `postgres` \
             user to run it as: create one (`useradd --system postgres`), run as another user, \
             or set DATABASE_URL",
        )
}

/// The locales a private cluster is initialised with, in order of preference; `None`
/// is the C locale, the last resort.
const INITDB_LOCALES: &[Option<&str>] = &[Some("C.UTF-8"), Some("en_US.UTF-8"), None];

/// The directory holding `initdb`, `pg_ctl` and `postgres`: from `pg_config --bindir`,
/// the newest `/usr/lib/postgresql/*/bin`, or `PATH`.
fn find_bin_dir() -> Option<PathBuf> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if output.status.success() && has_server(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_server(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Some(dir);
    }
    std::env::split_paths(&std::env::var_os("PATH")?).find(|dir| has_server(dir))
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}
