//! The demo API client: made on the first `serve --demo`, with every scope, so someone trying
//! edgebss can call the API straight away. Its id and secret are kept in
//! `<data>/demo-client.txt` (mode 0600) and shown again at every demo start; a real installation
//! creates its clients with `edgebss client create` and keeps no secret on disk.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::auth::state::AuthState;
use crate::db::Db;
use crate::domain::clock::Clock;
use crate::domain::ids::ClientId;
use crate::domain::scope::ScopeSet;
use crate::ops::fs::write_private_file;
use crate::service::clients;

pub const FILE_NAME: &str = "demo-client.txt";

#[derive(Debug, Clone)]
pub struct DemoClient {
    pub client_id: String,
    pub client_secret: String,
    pub file: PathBuf,
}

impl DemoClient {
    /// What to print at start-up: the credentials and a curl line that gets a token.
    pub fn banner(&self, base_url: &str) -> String {
        format!(
            "Demo API client (every scope; credentials kept in {file}):\n  \
             client_id:     {id}\n  \
             client_secret: {secret}\n\
             Get an access token:\n  \
             curl -s -u '{id}:{secret}' -d grant_type=client_credentials {base_url}/oauth/token\n\
             then call the API with: -H 'Authorization: Bearer <access_token>'",
            file = self.file.display(),
            id = self.client_id,
            secret = self.client_secret,
        )
    }
}

/// Reuses the demo client recorded in the data folder while it is still enabled; otherwise
/// creates one and records it.
pub async fn ensure(
    db: &Db,
    clock: &Clock,
    auth: &AuthState,
    data_dir: &Path,
) -> anyhow::Result<DemoClient> {
    let file = data_dir.join(FILE_NAME);
    if let Some((client_id, client_secret)) = read_file(&file)? {
        let usable = match ClientId::parse(&client_id) {
            Some(id) => clients::get(db, &id).await.is_ok_and(|c| c.enabled),
            None => false,
        };
        if usable {
            return Ok(DemoClient {
                client_id,
                client_secret,
                file,
            });
        }
    }
    let created = clients::create(
        db,
        clock,
        &crate::domain::origin::Origin::system("start-up"),
        Some(auth),
        "Demo client",
        ScopeSet::all(),
    )
    .await
    .context("failed to create the demo API client")?;
    let contents = format!(
        "# edgebss demo API client: for trying the API only; revoke it before real use.\n\
         client_id={}\nclient_secret={}\n",
        created.client.client_id, created.client_secret
    );
    write_private_file(&file, contents.as_bytes())?;
    Ok(DemoClient {
        client_id: created.client.client_id,
        client_secret: created.client_secret,
        file,
    })
}

fn read_file(path: &Path) -> anyhow::Result<Option<(String, String)>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("failed to read {}", path.display())),
    };
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim().to_owned())
    };
    Ok(value("client_id").zip(value("client_secret")))
}
