//! Building the application: open the data folder and the database (migrating it), load demo
//! data when asked, bind the port and assemble the routes. Production and the tests start the
//! application exactly this way. Start-up is the one place that sees every layer: it builds each
//! part from the settings and hands the HTTP layer its [`AppState`].

mod demo_client;
mod first_admin;
pub mod site;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context;

use crate::auth::state::AuthState;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::clock::Clock;
use crate::routes;
use crate::routes::state::AppState;

pub use demo_client::DemoClient;

/// Blocking threads per HTTP worker (see where the server is built).
const BLOCKING_THREADS_PER_WORKER: usize = 4;

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    jobs: Option<tokio::task::JoinHandle<()>>,
    /// Held while the server runs: tells `edgebss restore` the data folder is in use.
    _lock: crate::ops::lock::DataDirLock,
    backup_task: Option<tokio::task::JoinHandle<()>>,
    auth_refresher: tokio::task::JoinHandle<()>,
    deliveries: tokio::task::JoinHandle<()>,
    forwarder: Option<tokio::task::JoinHandle<()>>,
    mail: tokio::task::JoinHandle<()>,
    demo_client: Option<DemoClient>,
}

impl Application {
    /// Opens everything `settings` describes and binds the port (port 0 picks a free one).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let clock = settings.clock()?;
        Self::build_with_clock(settings, clock).await
    }

    /// As [`Application::build`], on a given clock (tests move it).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        crate::ops::fs::create_data_dir(&settings.data_dir)?;
        let lock = crate::ops::lock::DataDirLock::acquire(&settings.data_dir, "start the server")?;
        let db_settings = settings.clone();
        let db = tokio::task::spawn_blocking(move || open_db(&db_settings))
            .await
            .context("database start-up was interrupted")??;
        site::adopt(&db, clock.timestamp(), settings.sync.site_id.clone()).await?;
        let (s, d, c) = (settings.clone(), db.clone(), clock.clone());
        let live = tokio::task::spawn_blocking(move || live_settings(&s, &d, &c))
            .await
            .context("loading the settings was interrupted")??;
        if settings.demo {
            crate::service::demo::load(&db, &clock).await?;
        }
        first_admin::ensure(&db, &clock, &settings.data_dir).await?;
        crate::billing::run::mark_interrupted(&db, &clock).await?;
        let backups = Arc::new(crate::ops::schedule::BackupStatus::default());
        let backup_task = if settings.backup.enabled {
            Some(crate::ops::schedule::spawn(
                settings.backup.clone(),
                db.path().to_path_buf(),
                clock.clone(),
                Arc::clone(&backups),
            )?)
        } else {
            None
        };
        let tls = settings.tls.server_config()?;
        let auth = AuthState::load(&settings.auth, &settings.data_dir, &db, clock.clone()).await?;
        let demo_client = if settings.demo {
            Some(demo_client::ensure(&db, &clock, &auth, &settings.data_dir).await?)
        } else {
            None
        };
        let state = web::Data::new(AppState {
            db,
            clock,
            settings: Arc::new(settings),
            billing: crate::billing::BillingControl::default(),
            metrics: crate::metrics::Metrics::new(),
            backups,
            auth,
            idempotency: Default::default(),
            reveals: Default::default(),
            dashboard: Default::default(),
            collections: Default::default(),
            live,
        });
        let listener = TcpListener::bind(state.settings.bind)
            .with_context(|| format!("failed to listen on {}", state.settings.bind))?;
        let port = listener.local_addr()?.port();
        let auth_refresher = state.auth.spawn_refresher(state.db.clone());
        let deliveries = crate::delivery::webhooks::spawn(
            state.db.clone(),
            state.clock.clone(),
            state.settings.webhooks.delivery(),
        )?;
        let forwarder = forwarder_settings(&state.settings).map(|settings| {
            crate::delivery::forwarder::spawn(state.db.clone(), state.clock.clone(), settings)
        });
        let mail = crate::delivery::email::spawn(
            state.db.clone(),
            state.clock.clone(),
            state.live.clone(),
        );
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .wrap(middleware::from_fn(routes::body_deadline::enforce))
                .wrap(middleware::Compress::default())
                .wrap(middleware::from_fn(routes::requests::observe))
                .configure(operations_routes)
                .configure(routes::oauth::configure)
                .configure(routes::api::configure)
                .configure(routes::ui::configure)
                .default_service(web::to(routes::api::error::not_found))
        })
        // Stop signals are handled in `ops::lifecycle` (actix would stop on Ctrl-C without
        // waiting for requests in flight).
        .disable_signals()
        // Threads for reads too long to run on a worker (pages of the admin UI, reports) and
        // password checks; more would only wait for a read connection, and each costs memory.
        .worker_max_blocking_threads(BLOCKING_THREADS_PER_WORKER)
        .shutdown_timeout(30);
        let server = match tls {
            Some(config) => server.listen_rustls_0_23(listener, config)?,
            None => server.listen(listener)?,
        }
        .run();
        let jobs = state
            .settings
            .billing
            .jobs
            .then(|| crate::jobs::spawn(state.clone()));
        Ok(Self {
            port,
            server,
            state,
            jobs,
            _lock: lock,
            backup_task,
            auth_refresher,
            deliveries,
            forwarder,
            mail,
            demo_client,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// The demo API client's credentials, when started with `demo`.
    pub fn demo_client(&self) -> Option<&DemoClient> {
        self.demo_client.as_ref()
    }

    /// A handle that can stop the server gracefully.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until a stop signal (SIGTERM, Ctrl-C) or [`Application::handle`] stops it; requests
    /// in flight finish, then the writer drains its queue and checkpoints the WAL.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let result = self.server.await;
        if let Some(jobs) = &self.jobs {
            jobs.abort();
        }
        if let Some(task) = &self.backup_task {
            task.abort();
        }
        self.auth_refresher.abort();
        self.deliveries.abort();
        if let Some(task) = &self.forwarder {
            task.abort();
        }
        self.mail.abort();
        let db = self.state.db.clone();
        let billing = self.state.billing.clone();
        tokio::task::spawn_blocking(move || {
            // A bill run in flight finishes its chunk, then stops; only then may the writer go.
            billing
                .stop
                .store(true, std::sync::atomic::Ordering::Relaxed);
            drop(billing.run_lock.lock());
            db.close()
        })
        .await?;
        tracing::info!("edgebss stopped");
        result.context("the HTTP server failed")
    }
}

/// What the forwarder runs with, when `sync.nats_url` is set.
fn forwarder_settings(
    settings: &Settings,
) -> Option<crate::delivery::forwarder::ForwarderSettings> {
    let sync = &settings.sync;
    Some(crate::delivery::forwarder::ForwarderSettings {
        site: sync.site_id.clone()?,
        link: sync.link()?,
        stream: sync.stream.clone(),
        applied_bucket: sync.applied_bucket.clone(),
    })
}

/// Health probes and metrics, outside `/v1`. Other methods get the API's JSON 405.
fn operations_routes(cfg: &mut web::ServiceConfig) {
    let get = |path: &str, route: actix_web::Route| {
        web::resource(path.to_owned()).route(route).wrap(
            middleware::ErrorHandlers::new().default_handler(routes::api::error::json_error_bodies),
        )
    };
    cfg.service(get("/healthz", web::get().to(routes::health::healthz)))
        .service(get("/readyz", web::get().to(routes::health::readyz)))
        .service(get("/metrics", web::get().to(routes::metrics::scrape)));
}

/// Opens the database the settings name, creating the data folder (owner-only) if needed. When
/// an existing database has migrations pending it is backed up first, so a migration that goes
/// wrong has a way back. The server and every command that touches the database open it here.
pub fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    crate::ops::fs::create_data_dir(&settings.data_dir)?;
    make_data_private(settings)?;
    Db::open_with_hook(&settings.db_options(), |path, applied| {
        crate::ops::backup::before_migration(path, applied).map(|_| ())
    })
}

/// The settings in force for a command working on the data folder: the file's, then those
/// saved on the Settings page. Moves `clock` to their time zone.
pub fn live_settings(
    settings: &Settings,
    db: &Db,
    clock: &Clock,
) -> anyhow::Result<crate::domain::settings::LiveSettings> {
    let live = crate::domain::settings::LiveSettings::new(settings.business_layer()?)
        .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
    crate::service::settings::load_blocking(db, &live, clock)?;
    Ok(live)
}

/// The data folder holds customer data, password hashes, sessions and keys: files another local
/// user could read (left by an older version, or copied in with a loose umask) are made private
/// to the owner, each change logged; a new database file is created private, and SQLite gives
/// its `-wal` and `-shm` files the database file's mode.
fn make_data_private(settings: &Settings) -> anyhow::Result<()> {
    for t in crate::ops::fs::tighten_private_tree(&settings.data_dir)? {
        tracing::warn!(
            path = %t.path.display(),
            from = format!("{:o}", t.from),
            to = format!("{:o}", t.to),
            "made a file or folder in the data folder private to its owner"
        );
    }
    let db = settings.db_path();
    if !db.exists() {
        crate::ops::fs::create_private_file(&db)?;
    }
    Ok(())
}
