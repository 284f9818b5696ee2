//! The `scrutiny` binary as a person runs it: each test starts the built binary, with a
//! time limit, in a directory of its own (so no `.env` of the developer's is read).
//! Tests that need a database get a fresh one on `DATABASE_URL` (or on the private test
//! cluster the API tests use), never the developer's own.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use diesel_async::RunQueryDsl;

#[path = "api/helpers/database_url.rs"]
mod database_url;
use database_url::with_database;

const BIN: &str = env!("CARGO_BIN_EXE_scrutiny");
const ROLES: [&str; 6] = [
    "admin",
    "secretariat",
    "panel_member",
    "commissioner_office",
    "force",
    "integration",
];

/// A directory of the test's own under the system temp directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("scrutiny-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary with a clean environment for configuration: no database, no settings of
/// the developer's, run in `dir`.
fn scrutiny(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir).stdin(Stdio::null());
    for (name, _) in std::env::vars() {
        if name.starts_with("SCRUTINY_") || name.starts_with("DATABASE_") || name == "RUST_LOG" {
            command.env_remove(&name);
        }
    }
    command
}

/// Runs `command` to its end, failing the test if that takes longer than `limit`.
fn run(command: &mut Command, limit: Duration) -> Output {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh, empty database for one test, dropped afterwards.
struct FreshDatabase {
    admin_url: String,
    name: String,
    url: String,
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

impl FreshDatabase {
    fn new(tag: &str) -> Self {
        let admin_url = match std::env::var("DATABASE_URL").ok().filter(|url| !url.is_empty()) {
            Some(url) => url,
            None => {
                let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-postgres");
                scrutiny::db::cluster::PrivateCluster::ensure_running(&dir)
                    .expect("starting the private test cluster")
                    .url("postgres")
            }
        };
        let name = format!("scrutiny_cli_{tag}_{}", uuid::Uuid::now_v7().simple());
        block_on(async {
            let mut conn = scrutiny::db::connect(&admin_url).await.unwrap();
            diesel::sql_query(format!(
                "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            ))
            .execute(&mut conn)
            .await
            .unwrap();
        });
        let url = with_database(&admin_url, &name);
        Self { admin_url, name, url }
    }

    /// The number of tables in the database's `public` schema.
    fn tables(&self) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        block_on(async {
            let mut conn = scrutiny::db::connect(&self.url).await.unwrap();
            let count: Count = diesel::sql_query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")
                .get_result(&mut conn)
                .await
                .unwrap();
            count.n
        })
    }

    /// The binary, configured for this database.
    fn scrutiny(&self, dir: &Path) -> Command {
        let mut command = scrutiny(dir);
        command
            .env("DATABASE_URL", &self.url)
            .env("SCRUTINY_JWT_SECRET", "a test secret of at least thirty-two bytes");
        command
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            block_on(async {
                if let Ok(mut conn) = scrutiny::db::connect(&admin_url).await {
                    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            })
        })
        .join();
    }
}

#[test]
fn openapi_into_a_pipe_closed_early_ends_quietly() {
    let scratch = Scratch::new("pipe");
    let mut child = scrutiny(&scratch.0)
        .arg("openapi")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // What `| head -c 100` does: read a little, then close the pipe.
    let mut start = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut start).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(text(&start).trim_start().starts_with('{'));
}

#[test]
fn every_role_option_lists_the_roles_in_its_help_and_its_error() {
    let scratch = Scratch::new("roles");
    for command in ["create-user", "create-client", "issue-token"] {
        let help = run(scrutiny(&scratch.0).args([command, "--help"]), Duration::from_secs(10));
        assert!(help.status.success());
        let help = text(&help.stdout);
        for role in ROLES {
            assert!(help.contains(role), "`{command} --help` does not list {role}:\n{help}");
        }
    }
    let wrong = run(
        scrutiny(&scratch.0).args(["issue-token", "--subject", "ops", "--role", "superuser"]),
        Duration::from_secs(10),
    );
    assert!(!wrong.status.success());
    let stderr = text(&wrong.stderr);
    assert!(stderr.contains("commissioner_office"), "{stderr}");
}

#[test]
fn a_taken_address_fails_at_once_suggesting_scrutiny_addr_and_leaves_nothing_behind() {
    let scratch = Scratch::new("addr");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let data_dir = scratch.0.join("data");
    let started = Instant::now();
    let output = run(
        scrutiny(&scratch.0)
            .env("SCRUTINY_ADDR", addr.to_string())
            .env("SCRUTINY_DATA_DIR", &data_dir),
        Duration::from_secs(20),
    );
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("SCRUTINY_ADDR="), "{stderr}");
    assert!(stderr.contains("in use"), "{stderr}");
    assert!(
        !stderr.contains("initialising") && !stderr.contains("starting the private"),
        "{stderr}"
    );
    assert!(!data_dir.exists(), "the data directory was created");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn a_dot_env_file_in_the_current_directory_is_read_and_the_environment_wins() {
    let scratch = Scratch::new("dotenv");
    std::fs::write(scratch.0.join(".env"), "SCRUTINY_BODY_LIMIT=not-a-number\n").unwrap();
    let output = run(scrutiny(&scratch.0).arg("migrate"), Duration::from_secs(10));
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("SCRUTINY_BODY_LIMIT"), "{stderr}");

    // Set in the environment, the variable is not taken from the file: with only the
    // file's bad value overridden, the next bad setting is the one reported.
    std::fs::write(
        scratch.0.join(".env"),
        "SCRUTINY_BODY_LIMIT=not-a-number\nSCRUTINY_CSV_MAX_ROWS=0\n",
    )
    .unwrap();
    let output = run(
        scrutiny(&scratch.0).arg("migrate").env("SCRUTINY_BODY_LIMIT", "65536"),
        Duration::from_secs(10),
    );
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("SCRUTINY_BODY_LIMIT"), "{stderr}");
    assert!(stderr.contains("SCRUTINY_CSV_MAX_ROWS"), "{stderr}");
}

#[test]
fn migrate_revert_all_deletes_nothing_without_yes() {
    let scratch = Scratch::new("revert");
    let database = FreshDatabase::new("revert");
    let limit = Duration::from_secs(60);
    assert!(run(database.scrutiny(&scratch.0).arg("migrate"), limit)
        .status
        .success());
    let tables = database.tables();
    assert!(tables > 5, "{tables}");

    let refused = run(database.scrutiny(&scratch.0).args(["migrate", "--revert-all"]), limit);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("--yes"), "{}", text(&refused.stderr));
    assert_eq!(database.tables(), tables, "nothing was reverted");

    let agreed = run(
        database.scrutiny(&scratch.0).args(["migrate", "--revert-all", "--yes"]),
        limit,
    );
    assert!(agreed.status.success(), "{}", text(&agreed.stderr));
    assert!(database.tables() <= 1, "only diesel's own table may remain");
}

#[test]
fn seed_demo_says_what_it_did_and_importing_the_demo_document_finds_the_demo_question() {
    let scratch = Scratch::new("seed");
    let database = FreshDatabase::new("seed");
    let limit = Duration::from_secs(60);
    let first = run(database.scrutiny(&scratch.0).arg("seed-demo"), limit);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("loaded the demo story"),
        "{}",
        text(&first.stdout)
    );

    let again = run(database.scrutiny(&scratch.0).arg("seed-demo"), limit);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("already holds") && text(&again.stdout).contains("not loaded"),
        "{}",
        text(&again.stdout)
    );

    // The README's example: the document the demo question was published as.
    let document = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/public-question-2022-05-31.txt");
    let import = run(database.scrutiny(&scratch.0).arg("import").arg(&document), limit);
    assert!(import.status.success(), "{}", text(&import.stderr));
    assert!(
        text(&import.stdout).starts_with("already imported PQ-2022-0001 "),
        "{}",
        text(&import.stdout)
    );
}

#[test]
fn a_healthy_first_start_logs_no_warnings_while_migrations_run() {
    let scratch = Scratch::new("first-start");
    let database = FreshDatabase::new("first_start");
    let mut child = database
        .scrutiny(&scratch.0)
        .env("SCRUTINY_ADDR", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            if lines_tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut ready_at = None;
    // Until a second after migrations finished: the background tasks run by then.
    while ready_at.is_none_or(|at: Instant| at.elapsed() < Duration::from_secs(1)) {
        assert!(Instant::now() < deadline, "not ready in time: {log:#?}");
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(100)) {
            if line.contains("ready (") {
                ready_at = Some(Instant::now());
            }
            log.push(line);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let warnings: Vec<&String> = log
        .iter()
        .filter(|line| line.contains(" WARN ") || line.contains(" ERROR "))
        .collect();
    assert!(warnings.is_empty(), "{warnings:#?}\nin\n{log:#?}");
}

#[test]
fn clusters_lists_a_left_over_cluster_and_removes_it() {
    let scratch = Scratch::new("clusters");
    let home = scratch.0.join("home");
    let root = scrutiny_root(&home);
    let id = format!("0000test{}", std::process::id());
    let location = root.join(&id);
    std::fs::create_dir_all(location.join("data")).unwrap();
    std::fs::write(
        location.join("DATA_DIR"),
        format!("{}\n", scratch.0.join("gone").display()),
    )
    .unwrap();
    let clusters = |args: &[&str]| {
        run(
            scrutiny(&scratch.0)
                .arg("clusters")
                .args(args)
                .env("XDG_DATA_HOME", &home)
                .env("HOME", &home),
            Duration::from_secs(20),
        )
    };

    let listed = clusters(&["list"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listed = text(&listed.stdout);
    let line = listed.lines().find(|line| line.starts_with(&id)).unwrap_or_default();
    assert!(line.contains("stopped") && line.contains("left over"), "{listed}");

    let missing = clusters(&["remove", "no-such-cluster"]);
    assert!(!missing.status.success());
    assert!(location.exists());

    let removed = clusters(&["remove", &id]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    assert!(text(&removed.stdout).contains(&format!("removed {id}")));
    assert!(!location.exists());
}

/// Where `scrutiny clusters` looks, with `home` as the data home: as root the shared
/// root, otherwise the user's.
fn scrutiny_root(home: &Path) -> PathBuf {
    let root = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0);
    if root.unwrap_or(false) {
        PathBuf::from("/var/lib/scrutiny/clusters")
    } else {
        home.join("scrutiny").join("clusters")
    }
}
