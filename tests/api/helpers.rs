//! Test helpers: a real app on port 0 against a fresh database per test.
//!
//! Each test database is cloned (`CREATE DATABASE … TEMPLATE`) from a template that is
//! migrated once per set of migrations, so a test pays ~100 ms, not a full migration.
//! The server is `DATABASE_URL` when set (CI), otherwise the same private cluster code
//! the service uses, under `target/`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use awc::http::header::HeaderMap;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use scrutiny::auth::Authenticator;
use scrutiny::config::Config;
use scrutiny::domain::auth::Role;
use scrutiny::domain::auth::Subject;
use scrutiny::startup::Application;
use serde_json::Value;
use sha2::{Digest, Sha256};

mod checks;
mod database_url;
mod mail_sink;
mod resources;
pub use checks::*;
pub use database_url::with_database;
pub use mail_sink::MailSink;
pub use resources::{merge, question_body, question_rules_body};

/// The PostgreSQL server the tests use, and the template every test database copies.
struct Server {
    /// A URL for administrative connections (creating and dropping databases).
    admin_url: String,
    template: String,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(prepare_server())
        })
        .join()
        .expect("preparing the test database server")
    })
}

async fn prepare_server() -> Server {
    let admin_url = match std::env::var("DATABASE_URL").ok().filter(|url| !url.is_empty()) {
        Some(url) => url,
        None => {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-postgres");
            let cluster =
                tokio::task::spawn_blocking(move || scrutiny::db::cluster::PrivateCluster::ensure_running(&dir))
                    .await
                    .unwrap()
                    .expect("starting the private test cluster");
            cluster.url("postgres")
        }
    };
    let template = format!("scrutiny_template_{}", migrations_hash());
    let mut conn = scrutiny::db::connect(&admin_url)
        .await
        .expect("connecting to the test server");
    // Test processes running at once agree on who builds the template.
    diesel::sql_query("SELECT pg_advisory_lock(7243001)")
        .execute(&mut conn)
        .await
        .unwrap();
    if !database_exists(&mut conn, &template).await {
        let building = format!("{template}_building");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .execute(&mut conn)
            .await
            .unwrap();
        // An explicit UTF-8 locale, whatever the server's default: full-text search
        // (stemming, highlighting "children’s") must behave the same on every server.
        diesel::sql_query(format!(
            "CREATE DATABASE {building} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE '{TEST_LOCALE}' LC_CTYPE '{TEST_LOCALE}'"
        ))
        .execute(&mut conn)
        .await
        .unwrap();
        scrutiny::db::migrate(&with_database(&admin_url, &building))
            .await
            .expect("migrating the template");
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {template}"))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    diesel::sql_query("SELECT pg_advisory_unlock(7243001)")
        .execute(&mut conn)
        .await
        .unwrap();
    Server { admin_url, template }
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result(conn)
        .await
        .unwrap();
    count.n > 0
}

/// The locale of every test database.
const TEST_LOCALE: &str = "C.UTF-8";

/// A hash of the migrations' contents (and the test locale): a changed migration gets a
/// new template.
fn migrations_hash() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hasher = Sha256::new();
    hasher.update(TEST_LOCALE.as_bytes());
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).unwrap());
    }
    format!("{:.12x}", hasher.finalize())
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn new() -> Self {
        let server = server();
        let name = format!("scrutiny_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = scrutiny::db::connect(&server.admin_url).await.unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {}", server.template))
            .execute(&mut conn)
            .await
            .expect("cloning the template database");
        Self {
            url: with_database(&server.admin_url, &name),
            name,
        }
    }

    /// The same database again (for a second app instance); dropping it drops nothing.
    pub fn reuse(db: &TestDb) -> TestDb {
        TestDb {
            name: String::new(),
            url: db.url.clone(),
        }
    }

    /// A connection of the test's own, to look behind the API.
    pub async fn conn(&self) -> AsyncPgConnection {
        scrutiny::db::connect(&self.url).await.unwrap()
    }

    /// Runs a query returning one bigint column named `n`.
    pub async fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.conn().await;
        let row: Count = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
        row.n
    }

    /// Runs a statement behind the API (to stage a fault), returning the rows it touched.
    pub async fn execute(&self, sql: &str) -> usize {
        let mut conn = self.conn().await;
        diesel::sql_query(sql).execute(&mut conn).await.unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.name.is_empty() {
            return;
        }
        let admin_url = server().admin_url.clone();
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
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

/// A running app and a client for it.
pub struct TestApp {
    pub address: String,
    pub readiness: std::sync::Arc<scrutiny::app::Readiness>,
    pub authenticator: Authenticator,
    /// A token with the admin role, sent by the `*_json` helpers.
    pub admin_token: String,
    pub db: TestDb,
    pub client: awc::Client,
    /// Stops the server (and its background tasks) as `scrutiny serve` does on SIGTERM.
    pub server: actix_web::dev::ServerHandle,
    /// The thread the app runs on, joined when the `TestApp` is dropped.
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts an RFC 9457 problem with `status`, and returns its document.
    #[track_caller]
    pub fn assert_problem(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "a {status} must be a problem document"
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert!(problem["type"].as_str().unwrap().starts_with("/problems/"));
        assert!(problem["title"].is_string() && problem["detail"].is_string());
        problem
    }
}

/// A password the service's policy accepts, for the accounts tests create.
pub const PASSWORD: &str = "correct horse battery staple";

/// The HS256 key every test app signs with.
pub const JWT_SECRET: &str = "test-only-secret-test-only-secret-0123456789";

/// Settings for one test app: environment variables on top of the test defaults.
#[derive(Default)]
pub struct Settings {
    pub env: Vec<(&'static str, String)>,
}

impl Settings {
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.env.push((name, value.into()));
        self
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Settings::default()).await
}

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    let db = TestDb::new().await;
    spawn_app_on(db, None, settings).await
}

/// Starts the app against `db`, reaching PostgreSQL at `via` instead of the database
/// URL's own address when given (a [`Proxy`], to cut the database off).
pub async fn spawn_app_on(db: TestDb, via: Option<SocketAddr>, settings: Settings) -> TestApp {
    let url = match via {
        Some(addr) => replace_host(&db.url, addr),
        None => db.url.clone(),
    };
    let mut env: Vec<(&str, String)> = vec![
        ("DATABASE_URL", url.clone()),
        ("SCRUTINY_ADDR", "127.0.0.1:0".into()),
        ("SCRUTINY_DB_POOL_SIZE", "4".into()),
        ("SCRUTINY_DB_TIMEOUT_MS", "1000".into()),
        ("SCRUTINY_WORKERS", "1".into()),
        ("SCRUTINY_JWT_SECRET", JWT_SECRET.into()),
        // Webhook tests deliver to receivers on loopback.
        ("SCRUTINY_WEBHOOK_ALLOW_PRIVATE", "true".into()),
    ];
    env.extend(settings.env);
    let config = Config::from_lookup(|name| env.iter().rev().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))
        .expect("test configuration");
    let authenticator = Authenticator::new(&config.auth, JWT_SECRET.as_bytes()).unwrap();
    // The app runs on a thread and runtime of its own, as `scrutiny serve` does, never on
    // the test's: the test's runtime stops being polled while `TestDb` drops the database
    // (a blocking call), and an app task frozen there halfway through signing in to
    // PostgreSQL (SCRAM) left a backend in `authentication` that absorbs no signal
    // barrier, so every `DROP DATABASE` in the cluster waited for `authentication_timeout`
    // (60 s). On its own runtime the app keeps running until `TestApp` is dropped, which
    // stops it and waits for its runtime to close every connection before the database goes.
    let (started, start) = tokio::sync::oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("test-app".into())
        .spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let pool = scrutiny::db::pool(&url, config.pool_size, config.db_timeout).unwrap();
                let app = Application::build(config, pool).unwrap();
                let _ = started.send((app.readiness(), app.handle(), app.port()));
                app.run_until_stopped().await
            })
        })
        .unwrap();
    let (readiness, server, port) = start.await.expect("the test app did not start");
    let admin_token = token(&authenticator, &[Role::Admin], None);
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        readiness,
        authenticator,
        admin_token,
        db,
        server,
        thread: Some(thread),
        client: awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .disable_redirects()
            .finish(),
    }
}

impl Drop for TestApp {
    /// Stops the app and waits for its runtime to end (closing its database connections),
    /// before `db` is dropped.
    fn drop(&mut self) {
        // `stop` sends the command at once; its future only waits for the answer.
        drop(self.server.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn replace_host(url: &str, addr: SocketAddr) -> String {
    let scheme_end = url.find("://").unwrap() + 3;
    let host_end = scheme_end + url[scheme_end..].find('/').unwrap();
    let host_start = url[scheme_end..host_end]
        .rfind('@')
        .map_or(scheme_end, |at| scheme_end + at + 1);
    format!("{}{addr}{}", &url[..host_start], &url[host_end..])
}

/// The host:port a database URL points at.
pub fn database_addr(url: &str) -> SocketAddr {
    use std::net::ToSocketAddrs;
    let scheme_end = url.find("://").unwrap() + 3;
    let host_end = scheme_end + url[scheme_end..].find('/').unwrap();
    let authority = &url[scheme_end..host_end];
    let host_port = authority.rsplit('@').next().unwrap();
    let host_port = if host_port.contains(':') {
        host_port.to_string()
    } else {
        format!("{host_port}:5432")
    };
    host_port.to_socket_addrs().unwrap().next().unwrap()
}

fn role_names(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("+")
}

/// A token for an operator-style subject (no account behind it) with `roles`, of
/// `organisation` when given; callers with different roles are different subjects.
pub fn token(authenticator: &Authenticator, roles: &[Role], organisation: Option<&Value>) -> String {
    let organisation = organisation
        .map(|o| scrutiny::domain::organisation::OrganisationId(o["id"].as_str().unwrap().parse().unwrap()));
    authenticator
        .issue(
            &Subject::Other(format!("test-operator:{}", role_names(roles))),
            roles,
            organisation,
            0,
            None,
        )
        .unwrap()
        .token
}

// Who sends a request. Every request a test sends starts by naming its caller:
//
//     app.anonymous().get("/api/v1/questions").await
//     app.as_admin().post("/api/v1/organisations").json(&body).await
//     app.as_role(Role::Force, Some(&force)).patch(&path).json(&change).if_match(&etag).await
//     app.with_token(&token).get("/api/v1/me").await

impl TestApp {
    /// A member of the public: no `Authorization` header.
    pub fn anonymous(&self) -> Caller<'_> {
        Caller { app: self, token: None }
    }

    /// An operator with the admin role (the token in [`TestApp::admin_token`]).
    pub fn as_admin(&self) -> Caller<'_> {
        self.with_token(&self.admin_token)
    }

    /// An operator with `role`, belonging to `organisation` (as the API returned it) when
    /// given: `app.as_role(Role::Force, Some(&force))`.
    pub fn as_role(&self, role: Role, organisation: Option<&Value>) -> Caller<'_> {
        self.with_token(&self.token(role, organisation))
    }

    /// Whoever `token` says: a signed-in user's token, an external one, a forged one.
    pub fn with_token(&self, token: &str) -> Caller<'_> {
        Caller {
            app: self,
            token: Some(token.to_string()),
        }
    }

    /// [`TestApp::with_token`], or [`TestApp::anonymous`] for `None`: for tables of callers.
    pub fn with_optional_token(&self, token: Option<&str>) -> Caller<'_> {
        Caller {
            app: self,
            token: token.map(str::to_string),
        }
    }

    /// A token with `role` (of `organisation` when given) and no account behind it, for tests that keep one caller's
    /// token (`app.with_token(&token)`), or tamper with it.
    pub fn token(&self, role: Role, organisation: Option<&Value>) -> String {
        token(&self.authenticator, &[role], organisation)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Sends a raw `awc` request (made with [`Caller::awc`]) and reads the response whole:
    /// for requests the builder cannot express (a streamed body).
    pub async fn send(&self, request: awc::ClientRequest, body: Option<Vec<u8>>) -> TestResponse {
        let mut response = match body {
            Some(body) => request.send_body(body).await,
            None => request.send().await,
        }
        .expect("sending the request");
        let body = response
            .body()
            .limit(16 * 1024 * 1024)
            .await
            .expect("reading the body")
            .to_vec();
        TestResponse {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body,
        }
    }
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A TCP proxy in front of PostgreSQL that a test can cut and restore, to take the
/// database away from a running app without touching the shared server. Like the app,
/// it runs on a thread of its own, so that it keeps passing (and closing) connections
/// while the test's runtime is blocked dropping the database.
pub struct Proxy {
    pub addr: SocketAddr,
    enabled: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let enabled = Arc::new(AtomicBool::new(true));
        let connections: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (enabled2, connections2) = (enabled.clone(), connections.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let accept = async {
                    while let Ok((mut inbound, _)) = listener.accept().await {
                        if !AtomicBool::load(&enabled2, Ordering::SeqCst) {
                            drop(inbound);
                            continue;
                        }
                        let task = tokio::spawn(async move {
                            if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                            }
                        });
                        connections2.lock().unwrap().push(task.abort_handle());
                    }
                };
                tokio::select! {
                    _ = accept => {}
                    _ = stopped => {}
                }
            });
            // Dropping the runtime drops every connection still open.
        });
        Self {
            addr,
            enabled,
            connections,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Drops every open connection and refuses new ones.
    pub fn cut(&self) {
        self.enabled.store(false, Ordering::SeqCst);
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    pub fn restore(&self) {
        self.enabled.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Someone sending requests to a [`TestApp`]; see [`TestApp::anonymous`],
/// [`TestApp::as_admin`], [`TestApp::as_role`] and [`TestApp::with_token`].
pub struct Caller<'a> {
    app: &'a TestApp,
    token: Option<String>,
}

impl<'a> Caller<'a> {
    pub fn get(&self, path: &str) -> Request<'a> {
        self.request("GET", path)
    }

    pub fn post(&self, path: &str) -> Request<'a> {
        self.request("POST", path)
    }

    pub fn patch(&self, path: &str) -> Request<'a> {
        self.request("PATCH", path)
    }

    pub fn delete(&self, path: &str) -> Request<'a> {
        self.request("DELETE", path)
    }

    /// POSTs `body` (JSON) to `path` twice under one `Idempotency-Key`, one after the
    /// other: the answer that made the resource, and the answer to its retry.
    pub async fn post_twice(&self, path: &str, key: &str, body: &Value) -> (TestResponse, TestResponse) {
        let send = || self.post(path).header("Idempotency-Key", key).json(body);
        (send().await, send().await)
    }

    /// A request with any method (`"HEAD"`, `"OPTIONS"`, `"PUT"`, one from a table).
    pub fn request(&self, method: &str, path: &str) -> Request<'a> {
        let mut headers = Vec::new();
        if let Some(token) = &self.token {
            headers.push(("authorization".to_string(), format!("Bearer {token}")));
        }
        Request {
            app: self.app,
            method: awc::http::Method::from_bytes(method.as_bytes()).unwrap(),
            path: path.to_string(),
            headers,
            body: None,
        }
    }

    /// The same request as a raw `awc` request, for what [`Request`] cannot express;
    /// send it with [`TestApp::send`].
    pub fn awc(&self, method: &str, path: &str) -> awc::ClientRequest {
        let request = self.request(method, path);
        let mut raw = self.app.client.request(request.method, self.app.url(path));
        for (name, value) in &request.headers {
            raw = raw.insert_header((name.as_str(), value.as_str()));
        }
        raw
    }
}

/// A request being built; `.await` sends it and reads the response whole. Headers are
/// sent in the order given; a later one replaces an earlier one of the same name.
#[must_use = "a request is sent only when awaited"]
pub struct Request<'a> {
    app: &'a TestApp,
    method: awc::http::Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Request<'_> {
    /// `body` as `application/json`.
    pub fn json(self, body: &Value) -> Self {
        self.body("application/json", serde_json::to_vec(body).unwrap())
    }

    /// [`Request::json`] when there is a body, for tables of requests.
    pub fn optional_json(self, body: Option<&Value>) -> Self {
        match body {
            Some(body) => self.json(body),
            None => self,
        }
    }

    /// `fields` as `application/x-www-form-urlencoded`.
    pub fn form(self, fields: &[(&str, &str)]) -> Self {
        let form = fields
            .iter()
            .map(|(name, value)| format!("{}={}", urlencode(name), urlencode(value)))
            .collect::<Vec<_>>()
            .join("&");
        self.body("application/x-www-form-urlencoded", form)
    }

    /// A body of any `content_type`.
    pub fn body(self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.untyped_body(body).header("content-type", content_type)
    }

    /// A body with no `Content-Type` header at all.
    pub fn untyped_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn headers(self, headers: &[(&str, &str)]) -> Self {
        headers
            .iter()
            .fold(self, |request, (name, value)| request.header(name, value))
    }

    /// `If-Match: etag`.
    pub fn if_match(self, etag: &str) -> Self {
        self.header("if-match", etag)
    }

    pub async fn send(self) -> TestResponse {
        let mut request = self.app.client.request(self.method, self.app.url(&self.path));
        for (name, value) in &self.headers {
            request = request.insert_header((name.as_str(), value.as_str()));
        }
        self.app.send(request, self.body).await
    }
}

impl<'a> std::future::IntoFuture for Request<'a> {
    type Output = TestResponse;
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = TestResponse> + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The `field` of each element of the array `list` (`&page["items"]`), in order.
pub fn field_of_each(list: &Value, field: &str) -> Vec<Value> {
    let items = list.as_array().unwrap_or_else(|| panic!("not an array: {list}"));
    items.iter().map(|item| item[field].clone()).collect()
}

/// The path of a resource the API returned (`/api/v1/actions/{id}`).
pub fn path_of(collection: &str, resource: &Value) -> String {
    format!("/api/v1/{collection}/{}", resource["id"].as_str().unwrap())
}
