//! A real SMTP server on loopback for the e-mail tests: Python's aiosmtpd (from PyPI, in a
//! virtual environment under `target/`, made on first use) writing every message it accepts to
//! a folder, and pypdf reading the PDFs attached to them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

const PACKAGES: &[&str] = &["aiosmtpd==1.4.6", "pypdf==7.1.1"];

/// The virtual environment's python, made once per build folder.
pub fn python() -> PathBuf {
    static MADE: Mutex<()> = Mutex::new(());
    let _turn = MADE.lock().unwrap_or_else(|p| p.into_inner());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target/venv-email");
    let python = venv.join("bin/python");
    let ready = Command::new(&python)
        .args(["-c", "import aiosmtpd, pypdf"])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs (the e-mail tests need python3 with venv)");
        assert!(made.success(), "python3 -m venv failed");
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(PACKAGES)
            .status()
            .expect("pip runs");
        assert!(installed.success(), "installing {PACKAGES:?} failed");
    }
    python
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/email")
        .join(name)
}

/// An SMTP server that accepts everything, on `port`, writing to its own folder.
pub struct SmtpSink {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
}

impl SmtpSink {
    /// A sink that is not running yet (the "server down" case).
    pub fn stopped(port: u16) -> Self {
        Self {
            port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
        }
    }

    pub fn start(port: u16) -> Self {
        let mut sink = Self::stopped(port);
        sink.up();
        sink
    }

    /// Starts the server (again) on its port and waits until it listens.
    pub fn up(&mut self) {
        let ready = self.dir.path().join("ready");
        let _ = std::fs::remove_file(&ready);
        let mut child = Command::new(python())
            .arg(script("smtp_sink.py"))
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.dir.path().join("sink.log")).unwrap())
            .spawn()
            .expect("the SMTP sink starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !ready.exists() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "the SMTP sink stopped ({status}): {}",
                    std::fs::read_to_string(self.dir.path().join("sink.log")).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "the SMTP sink did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child = Some(child);
    }

    /// Stops the server (this process started it, so it ends it by its id).
    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The messages received so far, read by `read_mail.py`.
    pub fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Vec::new();
        }
        let out = Command::new(python())
            .arg(script("read_mail.py"))
            .args(&files)
            .output()
            .expect("read_mail.py runs");
        assert!(
            out.status.success(),
            "read_mail.py: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
    }

    /// How many messages arrived (without parsing them).
    pub fn count(&self) -> usize {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .count()
    }

    /// Waits until at least `n` messages arrived (or `secs` passed), then returns them all.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while self.count() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.messages()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.down();
    }
}

/// The `[email]` settings of a test server sending to `port` on loopback, retrying every second.
pub fn email_to(settings: &mut edgebss::config::Settings, port: u16) {
    settings.email.smtp_host = "127.0.0.1".into();
    settings.email.smtp_port = port;
    settings.email.tls = edgebss::domain::email_settings::SmtpTls::Off;
    settings.email.from = "Harbour Billing <billing@harbour.example>".into();
    settings.email.timeout_seconds = 5;
    settings.email.retry_seconds = vec![1; 20];
    settings.operator.name = "Harbour Telecom".into();
}
