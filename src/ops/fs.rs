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

/// Creates a new, empty file readable and writable by its owner only, whatever the umask (SQLite
/// would use the umask's mode; given an empty file, it keeps the file's mode and gives its `-wal`
/// and `-shm` files the same); fails if it exists.
pub fn create_private_file(path: &Path) -> anyhow::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(path)
        .with_context(|| format!("failed to create {}", path.display()))?;
    // A umask can take bits from the mode asked for at creation, not from one set afterwards.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .with_context(|| format!("failed to make {} private", path.display()))?;
    drop(file);
    Ok(())
}

/// Opens a file for reading and writing, creating it (empty, readable by its owner only) when it
/// is missing; an existing file keeps its contents.
pub fn open_private(path: &Path) -> anyhow::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .with_context(|| format!("failed to open {}", path.display()))
}

/// A file or folder whose permissions [`tighten_private_tree`] changed (Unix modes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tightened {
    pub path: std::path::PathBuf,
    pub from: u32,
    pub to: u32,
}

/// Takes every group and other permission from the files and folders inside `dir` (not from
/// `dir` itself, whose mode the operator chose), so a data folder written before its files were
/// created private, or copied in with a loose umask, holds nothing another local user can read.
/// Symbolic links are left alone (their target may be anywhere). Returns what was changed.
pub fn tighten_private_tree(dir: &Path) -> anyhow::Result<Vec<Tightened>> {
    let mut changed = Vec::new();
    #[cfg(unix)]
    tighten_inside(dir, &mut changed)?;
    Ok(changed)
}

#[cfg(unix)]
fn tighten_inside(dir: &Path, changed: &mut Vec<Tightened>) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(e).with_context(|| format!("failed to read the folder {}", dir.display()));
        }
    };
    for entry in entries {
        let path = entry
            .with_context(|| format!("failed to read the folder {}", dir.display()))?
            .path();
        let meta = fs::symlink_metadata(&path)
            .with_context(|| format!("failed to read the permissions of {}", path.display()))?;
        if meta.file_type().is_symlink() {
            continue;
        }
        let from = meta.permissions().mode() & 0o7777;
        let to = from & 0o700;
        if to != from {
            fs::set_permissions(&path, fs::Permissions::from_mode(to))
                .with_context(|| format!("failed to make {} private", path.display()))?;
            changed.push(Tightened {
                path: path.clone(),
                from,
                to,
            });
        }
        if meta.is_dir() {
            tighten_inside(&path, changed)?;
        }
    }
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

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn loose_files_and_folders_inside_are_tightened_and_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(root.join("edgebss.db"), b"").unwrap();
        fs::set_permissions(root.join("edgebss.db"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::create_dir(root.join("keys")).unwrap();
        fs::set_permissions(root.join("keys"), fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(root.join("keys/k.pem"), b"k").unwrap();
        fs::set_permissions(root.join("keys/k.pem"), fs::Permissions::from_mode(0o666)).unwrap();
        create_private_file(&root.join("private")).unwrap();

        let changed = tighten_private_tree(root).unwrap();
        let mut paths: Vec<_> = changed
            .iter()
            .map(|t| (t.path.clone(), t.from, t.to))
            .collect();
        paths.sort();
        assert_eq!(
            paths,
            vec![
                (root.join("edgebss.db"), 0o644, 0o600),
                (root.join("keys"), 0o755, 0o700),
                (root.join("keys/k.pem"), 0o666, 0o600),
            ]
        );
        assert_eq!(
            mode(root),
            0o755,
            "the folder itself is the operator's choice"
        );
        assert_eq!(mode(&root.join("private")), 0o600);
        assert!(tighten_private_tree(root).unwrap().is_empty());
    }
}
