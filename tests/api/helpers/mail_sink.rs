//! A real SMTP server for the mail tests: `tests/support/smtp_sink.py` (Python's
//! aiosmtpd), started by the test, writing each message it accepts to a directory of
//! its own as JSON.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Settings;

/// The sender every test app's messages come from.
pub const MAIL_FROM: &str = "\"Staffordshire Police, Fire & Crime Panel\" <panel@example.gov.uk>";

/// A running SMTP server and the messages it received.
pub struct MailSink {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
}

impl MailSink {
    /// Starts a server on a free port.
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("scrutiny-mail-{}", uuid::Uuid::now_v7().simple()));
        let mut sink = MailSink {
            child: None,
            port: 0,
            dir,
        };
        sink.restart();
        sink
    }

    /// Starts the server again (on its old port, keeping what it received).
    pub fn restart(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = Command::new(python_with_aiosmtpd())
            .arg(script)
            .arg(self.port.to_string())
            .arg(&self.dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 is needed for the mail tests");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if let Some(missing) = line.strip_prefix("MISSING ") {
            panic!("the mail tests need a real SMTP server: {missing} (CI installs it in .ci/run)");
        }
        self.port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP sink did not start: {line:?}"));
        self.child = Some(child);
    }

    /// Stops the server: connections to its port are refused until [`Self::restart`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The settings that send an app's mail here.
    pub fn settings(&self) -> Settings {
        Settings::default()
            .with("SCRUTINY_SMTP_URL", format!("smtp://127.0.0.1:{}", self.port))
            .with("SCRUTINY_MAIL_FROM", MAIL_FROM)
    }

    /// Every message received so far, oldest first: `mail_from`, `rcpt_tos`,
    /// `headers` (lower-case names), `text`, `html` and `raw`.
    pub fn messages(&self) -> Vec<Value> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    /// Waits (up to 60 s, for a loaded machine) until at least `n` messages have arrived, and returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "expected {n} messages, received {}: {messages:#?}",
                messages.len()
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The aiosmtpd release the tests are written against (as `.ci/run` installs it).
const AIOSMTPD: &str = "aiosmtpd>=1.4,<2";

/// A Python that can import aiosmtpd: the machine's `python3` when it can, else a
/// virtual environment under `target/tmp/mail-test-venv` with aiosmtpd installed from
/// PyPI, made once and kept between runs, so that `cargo test` works on a fresh machine
/// with Python alone (Debian: `python3-venv`). Panics saying what is missing otherwise.
fn python_with_aiosmtpd() -> &'static str {
    static PYTHON: OnceLock<String> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let imports = |python: &str| {
            Command::new(python)
                .args(["-c", "import aiosmtpd"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if imports("python3") {
            return "python3".into();
        }
        let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mail-test-venv");
        let python = venv.join("bin/python3").to_string_lossy().into_owned();
        if imports(&python) {
            return python;
        }
        let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "the mail tests need Python's aiosmtpd: `python3 -m venv` failed (Debian: apt-get install python3-venv), \
             or install it for python3 yourself: pip install '{AIOSMTPD}'"
        );
        let installed = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                AIOSMTPD,
            ])
            .status();
        assert!(
            installed.is_ok_and(|s| s.success()) && imports(&python),
            "the mail tests need Python's aiosmtpd; installing it into {} failed",
            venv.display()
        );
        python
    })
}

impl Drop for MailSink {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
