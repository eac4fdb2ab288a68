//! The connection to the consolidated database, and its schema (`migrations-central/`, applied
//! with refinery like the edge's, under an advisory lock so that two instances starting together
//! do not both apply them).

use std::sync::Arc;

use anyhow::Context;
use tokio_postgres::config::SslMode;

mod embedded {
    refinery::embed_migrations!("migrations-central");
}

/// Any number, the same in every instance: the lock held while migrating.
const MIGRATION_LOCK: i64 = 0x6564_6765_6273_7301;

/// Connects to `url`; over TLS (rustls, the system's certificate authorities) when the URL says
/// `sslmode=require`. The connection runs on its own task; the client fails once it ends.
pub async fn connect(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let config: tokio_postgres::Config = url.parse().map_err(|e| {
        anyhow::anyhow!("central.postgres_url is not a PostgreSQL connection string: {e}")
    })?;
    let client = match config.get_ssl_mode() {
        SslMode::Require => {
            let (client, connection) = config
                .connect(tls_connector()?)
                .await
                .context("could not connect to PostgreSQL over TLS")?;
            spawn_connection(connection);
            client
        }
        // `prefer` (the default) would try TLS and fail on a self-signed server certificate;
        // TLS is used when asked for.
        _ => {
            let (client, connection) = config
                .connect(tokio_postgres::NoTls)
                .await
                .context("could not connect to PostgreSQL")?;
            spawn_connection(connection);
            client
        }
    };
    Ok(client)
}

fn spawn_connection<F>(connection: F)
where
    F: std::future::Future<Output = Result<(), tokio_postgres::Error>> + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "central: the PostgreSQL connection ended");
        }
    });
}

fn tls_connector() -> anyhow::Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(found.certs);
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("TLS set-up failed")?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Where the applied migrations are recorded: named with its schema, since an unqualified name
/// follows the search path, which starts with a schema named after the user ("$user") once
/// there is one. A user named `bss` would otherwise find no history at its second start and
/// apply V1 again.
const HISTORY_TABLE: &str = "bss.refinery_schema_history";

/// Applies the schema's pending migrations.
pub async fn migrate(client: &mut tokio_postgres::Client) -> anyhow::Result<()> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .context("could not take the migration lock")?;
    let result = match client
        .batch_execute("CREATE SCHEMA IF NOT EXISTS bss")
        .await
        .context("could not create the schema bss")
    {
        Ok(()) => embedded::migrations::runner()
            .set_abort_divergent(true)
            .set_migration_table_name(HISTORY_TABLE)
            .run_async(client)
            .await
            .context("failed to apply the central schema's migrations"),
        Err(e) => Err(e),
    };
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await
        .context("could not release the migration lock")?;
    let report = result?;
    for m in report.applied_migrations() {
        tracing::info!(
            version = m.version(),
            name = m.name(),
            "central: applied a schema migration"
        );
    }
    Ok(())
}
