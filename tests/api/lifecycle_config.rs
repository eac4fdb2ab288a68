//! The configuration files the packages install load as shipped, every example in them is
//! valid, and every setting edgebss has is documented in them.

use std::path::Path;

use edgebss::config::{FlagOverrides, Settings};
use serde_json::Value;

/// `section.key` for every leaf of the default settings.
fn setting_names(value: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Value::Object(map) = value {
        for (k, v) in map {
            let name = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if v.is_object() {
                setting_names(v, &name, out);
            } else {
                out.push(name);
            }
        }
    }
}

/// `key` when `line` is `key = value` (a setting, not prose).
fn setting_on(line: &str) -> Option<&str> {
    let (key, _) = line.split_once(" = ")?;
    let is_key = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    (!key.is_empty() && key.chars().all(is_key)).then_some(key)
}

/// The text of `[section]` (top level: before the first section).
fn section<'a>(text: &'a str, name: &str) -> &'a str {
    if name.is_empty() {
        return text.split("\n[").next().unwrap_or("");
    }
    let header = format!("\n[{name}]\n");
    let start = text
        .find(&header)
        .unwrap_or_else(|| panic!("no [{name}] section"));
    let rest = &text[start + header.len()..];
    &rest[..rest.find("\n[").unwrap_or(rest.len())]
}

fn load(path: &Path) -> anyhow::Result<Settings> {
    Settings::load(Some(path), &FlagOverrides::default())
}

#[test]
fn the_packaged_configuration_files_load_and_document_every_setting() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names = Vec::new();
    setting_names(
        &serde_json::to_value(Settings::default()).unwrap(),
        "",
        &mut names,
    );
    names.push("metrics.token".to_owned());

    // The Windows installer gives the data folder on the service's command line instead.
    for (file, given_elsewhere) in [
        ("packaging/deb/edgebss.toml", None),
        ("packaging/windows/edgebss.toml", Some("data_dir")),
    ] {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        load(&path).unwrap_or_else(|e| panic!("{file} as shipped: {e:#}"));

        for name in &names {
            if Some(name.as_str()) == given_elsewhere {
                continue;
            }
            let (sect, key) = name.rsplit_once('.').unwrap_or(("", name));
            let documented = section(&text, sect)
                .lines()
                .filter_map(|l| setting_on(l.trim_start_matches('#')))
                .any(|k| k == key);
            assert!(documented, "{file} does not document `{name}`");
        }

        // Every commented example, uncommented, is accepted (the token needs access = "token",
        // which its own example does not set).
        let examples: String = text
            .lines()
            .map(|l| match l.strip_prefix('#') {
                Some(rest) if setting_on(rest).is_some_and(|k| k != "token") => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let dir = tempfile::tempdir().unwrap();
        let uncommented = dir.path().join("edgebss.toml");
        std::fs::write(&uncommented, examples).unwrap();
        load(&uncommented).unwrap_or_else(|e| panic!("{file} with its examples: {e:#}"));
    }
}
