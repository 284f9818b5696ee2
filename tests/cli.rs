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

/// What `scrutiny` logs from its start, with `env` set, until a second after it said it
/// was ready (its background tasks have started by then).
fn log_of_a_start(database: &FreshDatabase, dir: &Path, env: &[(&str, &str)]) -> Vec<String> {
    let mut child = database
        .scrutiny(dir)
        .env("SCRUTINY_ADDR", "127.0.0.1:0")
        .envs(env.iter().copied())
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
    log
}

fn warnings(log: &[String]) -> Vec<&String> {
    log.iter()
        .filter(|line| line.contains(" WARN ") || line.contains(" ERROR "))
        .collect()
}

#[test]
fn a_healthy_first_start_logs_no_warnings_while_migrations_run() {
    let scratch = Scratch::new("first-start");
    let database = FreshDatabase::new("first_start");
    let log = log_of_a_start(&database, &scratch.0, &[]);
    assert!(warnings(&log).is_empty(), "{:#?}\nin\n{log:#?}", warnings(&log));
}

#[test]
fn mail_set_up_without_a_base_url_says_at_start_that_following_is_off() {
    let scratch = Scratch::new("mail-start");
    let database = FreshDatabase::new("mail_start");
    // Nothing listens on port 9; nothing is sent, as nobody has been told anything yet.
    let mail = [
        ("SCRUTINY_SMTP_URL", "smtp://127.0.0.1:9"),
        ("SCRUTINY_MAIL_FROM", "panel@example.gov.uk"),
    ];
    let log = log_of_a_start(&database, &scratch.0, &mail);
    let said = warnings(&log);
    assert!(
        said.len() == 1 && said[0].contains("following by e-mail is off") && said[0].contains("SCRUTINY_BASE_URL"),
        "{log:#?}"
    );

    let with_base = [mail[0], mail[1], ("SCRUTINY_BASE_URL", "https://api.example.gov.uk")];
    let log = log_of_a_start(&database, &scratch.0, &with_base);
    assert!(warnings(&log).is_empty(), "{log:#?}");
    assert!(
        log.iter().any(|line| line.contains("following by e-mail are on")),
        "{log:#?}"
    );
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

#[path = "support/moderngov_stub.rs"]
mod moderngov_stub;
use moderngov_stub::{meetings_xml, Meetings, StubModernGov};

/// A day of 2030, when the test's meetings are held.
fn in_2030(month: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2030, month, day).unwrap()
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct SyncedMeeting {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    moderngov_meeting_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    title: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    held_on: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    cancelled: bool,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    deadline: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    version: i32,
}

impl FreshDatabase {
    fn sql(&self, statement: &str) {
        block_on(async {
            let mut conn = scrutiny::db::connect(&self.url).await.unwrap();
            diesel::sql_query(statement).execute(&mut conn).await.unwrap();
        });
    }

    fn synced_meetings(&self) -> Vec<SyncedMeeting> {
        block_on(async {
            let mut conn = scrutiny::db::connect(&self.url).await.unwrap();
            diesel::sql_query(
                "SELECT moderngov_meeting_id, title, held_on::text AS held_on, cancelled, \
                 to_char(question_deadline AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') AS deadline, version \
                 FROM meetings WHERE moderngov_meeting_id IS NOT NULL ORDER BY moderngov_meeting_id",
            )
            .load(&mut conn)
            .await
            .unwrap()
        })
    }

    fn audited_meeting_changes(&self) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        block_on(async {
            let mut conn = scrutiny::db::connect(&self.url).await.unwrap();
            let count: Count =
                diesel::sql_query("SELECT count(*) AS n FROM audit_events WHERE resource_type = 'meeting'")
                    .get_result(&mut conn)
                    .await
                    .unwrap();
            count.n
        })
    }
}

#[test]
fn sync_meetings_creates_moves_and_cancels_meetings_from_moderngov_and_writes_nothing_on_a_bad_answer() {
    let scratch = Scratch::new("moderngov");
    let database = FreshDatabase::new("moderngov");
    let limit = Duration::from_secs(60);
    let migrate = run(database.scrutiny(&scratch.0).arg("migrate"), limit);
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));
    database.sql(
        "INSERT INTO organisations (id, name, kind, name_key) \
         VALUES ('01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4a5c', 'Test Police, Fire & Crime Panel', 'panel', 'test police, fire & crime panel')",
    );
    let stub = StubModernGov::start();
    let sync = |extra: &[&str]| {
        let mut command = database.scrutiny(&scratch.0);
        command.args([
            "sync-meetings",
            "--moderngov-url",
            &stub.url,
            "--committee-id",
            "153",
            "--from",
            "2030-01-01",
            "--to",
            "2030-12-31",
        ]);
        command.args(extra);
        run(&mut command, limit)
    };

    // A meeting, a cancelled one, and one without a usable id.
    stub.meetings(Meetings::Xml(meetings_xml(&[
        ("4567", in_2030(6, 13), "Confirmed"),
        ("4568", in_2030(9, 12), "Cancelled"),
        ("n/a", in_2030(10, 10), "Confirmed"),
    ])));
    let dry = sync(&["--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let out = text(&dry.stdout);
    assert!(
        out.contains("1 created, 0 updated, 0 unchanged, 1 cancelled, 1 skipped (dry run: nothing was written)"),
        "{out}"
    );
    assert!(out.contains("\"Police, Fire & Crime Panel\""), "{out}");
    assert!(out.contains("meeting id \"n/a\" is not a number"), "{out}");
    assert_eq!(database.synced_meetings(), vec![]);
    assert_eq!(database.audited_meeting_changes(), 0);
    let dry_agendas = sync(&["--dry-run", "--agendas"]);
    assert!(
        text(&dry_agendas.stdout).contains("(dry run: nothing was written, agendas not fetched)"),
        "{}",
        text(&dry_agendas.stdout)
    );
    assert!(
        stub.requests()[0]
            .contains("/mgWebService.asmx/GetMeetings?lCommitteeId=153&sFromDate=01/01/2030&sToDate=31/12/2030"),
        "{:?}",
        stub.requests()
    );

    // With agendas: the meetings are all still to come, so no agenda is fetched.
    let first = sync(&["--agendas"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        !stub.requests().iter().any(|r| r.contains("GetMeeting?")),
        "{:?}",
        stub.requests()
    );
    assert!(
        text(&first.stdout).contains("1 created, 0 updated, 0 unchanged, 1 cancelled, 1 skipped\n"),
        "{}",
        text(&first.stdout)
    );
    let created = database.synced_meetings();
    assert_eq!(
        created,
        vec![
            SyncedMeeting {
                moderngov_meeting_id: 4567,
                title: "Police, Fire & Crime Panel".into(),
                held_on: "2030-06-13".into(),
                cancelled: false,
                // Three clear working days before Thursday 13 June: by the end of Friday 7th.
                deadline: Some("2030-06-08 00:00".into()),
                version: 1,
            },
            SyncedMeeting {
                moderngov_meeting_id: 4568,
                title: "Police, Fire & Crime Panel".into(),
                held_on: "2030-09-12".into(),
                cancelled: true,
                deadline: None,
                version: 1,
            },
        ]
    );
    assert_eq!(database.audited_meeting_changes(), 2);

    // The meeting moves a week on; the same answer again changes nothing.
    stub.meetings(Meetings::Xml(meetings_xml(&[
        ("4567", in_2030(6, 20), "Confirmed"),
        ("4568", in_2030(9, 12), "Cancelled"),
    ])));
    let moved = sync(&[]);
    assert!(moved.status.success(), "{}", text(&moved.stderr));
    let out = text(&moved.stdout);
    assert!(
        out.contains("0 created, 1 updated, 1 unchanged, 0 cancelled, 0 skipped"),
        "{out}"
    );
    assert!(out.contains("held_on 2030-06-13 -> 2030-06-20"), "{out}");
    let after_move = database.synced_meetings();
    assert_eq!(after_move[0].held_on, "2030-06-20");
    assert_eq!(after_move[0].deadline.as_deref(), Some("2030-06-15 00:00"));
    assert_eq!(after_move[0].version, 2);
    assert_eq!(after_move[1], created[1]);
    let again = sync(&[]);
    assert!(
        text(&again.stdout).contains("0 created, 0 updated, 2 unchanged"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(database.audited_meeting_changes(), 3);

    // Now cancelled in ModernGov: kept, marked cancelled, no deadline.
    stub.meetings(Meetings::Xml(meetings_xml(&[("4567", in_2030(6, 20), "Cancelled")])));
    let cancelled = sync(&[]);
    assert!(
        text(&cancelled.stdout).contains("0 created, 0 updated, 0 unchanged, 1 cancelled, 0 skipped"),
        "{}",
        text(&cancelled.stdout)
    );
    let after_cancel = database.synced_meetings();
    assert!(after_cancel[0].cancelled);
    assert_eq!(after_cancel[0].deadline, None);
    assert_eq!(after_cancel.len(), 2);

    // Bad answers: an error naming the cause, a non-zero exit, nothing written.
    let before = database.synced_meetings();
    for (answer, expected, extra) in [
        (Meetings::Html, "HTML page", &[][..]),
        (
            Meetings::Xml("<getmeetings><committee><meetings><meeting>".into()),
            "not well-formed XML",
            &[][..],
        ),
        (
            Meetings::Hang,
            "did not answer within 1 seconds",
            &["--timeout", "1"][..],
        ),
    ] {
        stub.meetings(answer);
        let failed = sync(extra);
        assert!(!failed.status.success(), "{expected}: {}", text(&failed.stdout));
        assert!(
            text(&failed.stderr).contains(expected),
            "{expected}: {}",
            text(&failed.stderr)
        );
        assert!(
            text(&failed.stderr).contains("nothing was written"),
            "{}",
            text(&failed.stderr)
        );
        assert_eq!(database.synced_meetings(), before);
    }
}

impl FreshDatabase {
    fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        block_on(async {
            let mut conn = scrutiny::db::connect(&self.url).await.unwrap();
            let count: Count = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
            count.n
        })
    }
}

#[test]
fn import_plan_reports_a_dry_run_then_imports_once_and_exits_non_zero_on_a_failed_row() {
    let scratch = Scratch::new("plan");
    let database = FreshDatabase::new("plan");
    let limit = Duration::from_secs(60);
    let migrate = run(database.scrutiny(&scratch.0).arg("migrate"), limit);
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));
    let (force, report, programme) = (
        "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4b01",
        "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4b02",
        "01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4b03",
    );
    database.sql(&format!(
        "INSERT INTO organisations (id, name, kind, name_key) VALUES ('{force}', 'Test Police', 'force', 'test police')"
    ));
    database.sql(&format!(
        "INSERT INTO reports (id, title, kind, publisher_organisation_id, subject_organisation_id, published_on) \
         VALUES ('{report}', 'Inspection', 'inspection', '{force}', '{force}', '2022-04-07')"
    ));
    for (n, reference) in ["R1", "R2", "R3", "R4", "R5", "R9"].iter().enumerate() {
        database.sql(&format!(
            "INSERT INTO recommendations (id, report_id, reference, kind, text, addressed_to_organisation_id) \
             VALUES ('01937b4e-4f4a-7cc4-a0b5-6c1d2f3e4c0{n}', '{report}', '{reference}', 'recommendation', 'Do better.', '{force}')"
        ));
    }
    database.sql(&format!(
        "INSERT INTO programmes (id, name, owner_organisation_id, owner_post_title) \
         VALUES ('{programme}', 'Child Protection Improvement Programme', '{force}', 'Deputy Chief Constable')"
    ));
    database.sql(&format!(
        "INSERT INTO programme_reports (programme_id, report_id) VALUES ('{programme}', '{report}')"
    ));
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plans/improvement-plan-2022.xlsx");
    let import = |extra: &[&str]| {
        let mut command = database.scrutiny(&scratch.0);
        command
            .args(["import-plan", "--programme", programme])
            .args(extra)
            .arg(&plan);
        run(&mut command, limit)
    };
    let dry = import(&[]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert!(text(&dry.stdout).starts_with("dry run"), "{}", text(&dry.stdout));
    assert!(text(&dry.stdout).contains("7 rows: 7 created"), "{}", text(&dry.stdout));
    assert_eq!(database.count("SELECT count(*) AS n FROM actions"), 0);

    let real = import(&["--commit"]);
    assert!(real.status.success(), "{}", text(&real.stderr));
    assert!(
        text(&real.stdout).contains("row 8 2.2: created"),
        "{}",
        text(&real.stdout)
    );
    assert_eq!(database.count("SELECT count(*) AS n FROM actions"), 7);
    assert_eq!(database.count("SELECT count(*) AS n FROM action_updates"), 7);
    let again = import(&["--commit"]);
    assert!(
        text(&again.stdout).contains("7 rows: 0 created, 0 updated, 7 unchanged"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(database.count("SELECT count(*) AS n FROM action_updates"), 7);

    // A recommendation the programme does not have fails its row, and the command.
    database.sql("DELETE FROM programme_reports");
    let failing = import(&["--commit", "--format", "json"]);
    assert!(!failing.status.success());
    let report: serde_json::Value = serde_json::from_slice(&failing.stdout).unwrap();
    assert_eq!(report["counts"]["failed"], 7, "{report:#}");
    assert!(
        report["rows"][0]["errors"]
            .to_string()
            .contains("responds to no report"),
        "{report:#}"
    );
    assert_eq!(database.count("SELECT count(*) AS n FROM action_updates"), 7);
}
