//! Files and folders that hold secrets or customer data: created readable by their owner only,
//! whatever the umask, and written so that a reader never sees half a file. Every part of
//! edgebss that writes such a file goes through here.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Creates `dir` (and its parents) readable by its owner only; an existing folder is left as
/// it is.
pub fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("failed to create the folder {}", dir.display()))
}

/// Creates the data folder, readable by its owner only: it holds secrets.
pub fn create_data_dir(dir: &Path) -> anyhow::Result<()> {
    create_private_dir(dir)
        .with_context(|| format!("failed to create the data folder {}", dir.display()))
}

/// Creates a new, empty file readable by its owner only (SQLite would use the umask's mode);
/// fails if it exists.
pub fn create_private_file(path: &Path) -> anyhow::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("failed to create {}", path.display()))?;
    Ok(())
}

/// Writes a file that holds a secret: mode 0600 from its creation, written to a temporary name,
/// synced, then renamed into place, so a reader never sees half a file.
pub fn write_private_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("failed to create {}", tmp.display()))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("failed to write {}", tmp.display()))?;
    drop(file);
    fs::rename(&tmp, path).with_context(|| format!("failed to create {}", path.display()))?;
    sync_parent_dir(path);
    Ok(())
}

/// Makes a rename durable (the directory entry itself). Best effort: not every platform can
/// open a directory.
pub fn sync_parent_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(dir) = fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = path;
}
