//! The servers the branch tests run on loopback ports: Debian's `nats-server` (started from the
//! hub configuration we ship) and a private PostgreSQL cluster in a temporary folder.
//!
//! The binaries are found on their own; when one is missing the test says so and passes, except
//! under CI (`CI=true`), where it fails: `.ci/run` installs both.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `Some(found)`, or `None` (after saying why) when the test cannot run here.
fn required<T>(what: &str, found: Option<T>) -> Option<T> {
    if found.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(
            !ci,
            "{what} is missing: install it (apt-get install -y nats-server postgresql); CI must \
             run these tests"
        );
        eprintln!("skipped: {what} is missing (apt-get install -y nats-server postgresql)");
    }
    found
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// The `nats-server` binary: `$NATS_SERVER`, Debian's, or on the `PATH`.
pub fn nats_server() -> Option<PathBuf> {
    let found = std::env::var_os("NATS_SERVER")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("/usr/sbin/nats-server")])
        .find(|p| p.is_file())
        .or_else(|| on_path("nats-server"));
    required("nats-server", found)
}

/// The folder holding `initdb`, `pg_ctl` and `postgres`: `$PG_BIN`, Debian's newest, or the
/// `PATH`'s.
pub fn postgres_bin() -> Option<PathBuf> {
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .and_then(|dirs| {
            let mut versions: Vec<(u32, PathBuf)> = dirs
                .filter_map(Result::ok)
                .filter_map(|d| {
                    let v = d.file_name().to_str()?.parse().ok()?;
                    Some((v, d.path().join("bin")))
                })
                .filter(|(_, bin)| bin.join("initdb").is_file())
                .collect();
            versions.sort();
            versions.pop().map(|(_, bin)| bin)
        });
    let found = std::env::var_os("PG_BIN")
        .map(PathBuf::from)
        .filter(|p| p.join("initdb").is_file())
        .or(debian)
        .or_else(|| on_path("initdb").and_then(|p| p.parent().map(Path::to_path_buf)));
    required("PostgreSQL (initdb, pg_ctl)", found)
}

/// A port on loopback nobody listens on.
pub use crate::helpers::free_port;

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The hub: `nats-server` with `packaging/central/nats-hub.conf`, moved to loopback ports and a
/// store in the test's folder.
pub struct Hub {
    bin: PathBuf,
    conf: PathBuf,
    pub store: PathBuf,
    pub port: u16,
    child: Option<Child>,
}

/// The passwords of the shipped configuration.
pub fn password(user: &str) -> String {
    format!("{user}-demo-password")
}

impl Hub {
    pub fn start(bin: &Path, dir: &Path) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let shipped = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/central/nats-hub.conf"),
        )
        .unwrap();
        let (port, http, leaf) = (free_port(), free_port(), free_port());
        let store = dir.join("jetstream");
        let conf = shipped
            .replace("listen: 0.0.0.0:4222", &format!("listen: 127.0.0.1:{port}"))
            .replace("http: 127.0.0.1:8222", &format!("http: 127.0.0.1:{http}"))
            .replace("listen: 0.0.0.0:7422", &format!("listen: 127.0.0.1:{leaf}"))
            .replace("/var/lib/nats/jetstream", store.to_str().unwrap());
        assert!(
            conf.contains(&format!("127.0.0.1:{port}")),
            "the shipped listen line moved"
        );
        let path = dir.join("hub.conf");
        std::fs::write(&path, conf).unwrap();
        let mut hub = Self {
            bin: bin.to_path_buf(),
            conf: path,
            store,
            port,
            child: None,
        };
        hub.restart();
        hub
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Starts it (again), on the same port and store.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "the hub is running");
        let log = std::fs::File::create(self.conf.with_extension("log")).unwrap();
        let child = Command::new(&self.bin)
            .arg("-c")
            .arg(&self.conf)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
        wait_for_port(self.port, "nats-server");
    }

    /// `kill -9`: whatever JetStream had not written to disk is lost.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// A clean stop (SIGTERM): JetStream writes everything out first.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while c.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A connection to the hub as `user`, and its JetStream API.
pub async fn connect(hub: &Hub, user: &str) -> async_nats::jetstream::Context {
    let mut options =
        async_nats::ConnectOptions::with_user_and_password(user.into(), password(user));
    if user != "central" {
        // A branch may receive answers on its own inbox only.
        options = options.custom_inbox_prefix(format!("_INBOX_{user}"));
    }
    let client = options
        .connect(hub.url())
        .await
        .expect("connects to the hub");
    async_nats::jetstream::new(client)
}

fn user_id(name: &str) -> Option<u32> {
    let out = Command::new("id").args(["-u", name]).output().ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// A private PostgreSQL cluster on a loopback port, stopped when dropped. As root it runs as the
/// `postgres` user (PostgreSQL refuses to run as root).
pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    _dir: tempfile::TempDir,
    pub port: u16,
    as_user: Option<String>,
}

impl Postgres {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match &self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    pub fn start(bin: &Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let as_user = is_root().then(|| "postgres".to_owned());
        if let Some(user) = &as_user {
            let uid = user_id(user).expect("the postgres user exists (Debian's postgresql)");
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(uid)).unwrap();
        }
        let pg = Self {
            bin: bin.to_path_buf(),
            data: dir.path().join("data"),
            _dir: dir,
            port: free_port(),
            as_user,
        };
        let out = pg
            .command("initdb")
            .arg("-D")
            .arg(&pg.data)
            .args(["-U", "bss", "-A", "trust", "--no-sync", "-E", "UTF8"])
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
            pg.port,
            pg.data.display()
        );
        let out = pg
            .command("pg_ctl")
            .arg("-D")
            .arg(&pg.data)
            .args(["-o", &options, "-l"])
            .arg(pg.data.join("server.log"))
            .args(["-w", "start"])
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pg
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgresql://bss@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates `name` and returns a client connected to it.
    pub async fn database(&self, name: &str) -> tokio_postgres::Client {
        let admin = self.client("postgres").await;
        admin
            .execute(&format!("CREATE DATABASE {name}"), &[])
            .await
            .unwrap();
        self.client(name).await
    }

    pub async fn client(&self, database: &str) -> tokio_postgres::Client {
        let (client, connection) =
            tokio_postgres::connect(&self.url(database), tokio_postgres::NoTls)
                .await
                .expect("connects to PostgreSQL");
        tokio::spawn(connection);
        client
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .is_some_and(|s| s.trim() == "0")
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}
