//! The data-folder lock: a running server holds an exclusive lock on `<data_dir>/edgebss.lock`
//! for its whole life. `edgebss restore` takes the same lock, so it refuses to run while a server
//! uses the folder, and a server cannot start in the middle of a restore. The lock is the
//! operating system's (released when the process ends, even by `kill -9`), so a stale file never
//! blocks anything; the PID written into it is only for people reading it.

use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

pub const LOCK_FILE: &str = "edgebss.lock";

/// Held while alive; dropping it releases the lock.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Takes the lock, or says who holds it. `purpose` completes "… while a server is using it"
    /// style messages, e.g. "start the server" or "restore".
    pub fn acquire(data_dir: &Path, purpose: &str) -> anyhow::Result<Self> {
        let path = data_dir.join(LOCK_FILE);
        let mut file = super::fs::open_private(&path)
            .with_context(|| format!("failed to open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                let holder = holder.trim();
                let pid = if holder.is_empty() {
                    String::new()
                } else {
                    format!(" (process {holder})")
                };
                anyhow::bail!(
                    "cannot {purpose}: an edgebss server is running on the data folder {}{pid}. \
                     Stop it first (e.g. `systemctl stop edgebss`, or stop the edgebss service \
                     on Windows).",
                    data_dir.display()
                );
            }
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("failed to lock {}", path.display()));
            }
        }
        file.set_len(0)?;
        write!(file, "{}", std::process::id())?;
        Ok(Self { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(dir.path(), "start the server").unwrap();
        let err = DataDirLock::acquire(dir.path(), "restore").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("cannot restore") && msg.contains("running"),
            "{msg}"
        );
        assert!(msg.contains(&std::process::id().to_string()), "{msg}");
        drop(first);
        DataDirLock::acquire(dir.path(), "restore").unwrap();
    }
}
