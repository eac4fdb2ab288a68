//! What every request handler may reach, built once by start-up and shared by every worker.
//! This is the one place the HTTP layer names the stores and settings below it; handlers reach
//! them through these fields and pass them to the services.

use std::sync::Arc;

use crate::auth::session::SessionPolicy;
use crate::auth::state::AuthState;
use crate::billing::BillingControl;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::clock::Clock;
use crate::metrics::Metrics;
use crate::ops::schedule::BackupStatus;
use crate::service::bill_runs::BillRunner;

pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    /// One bill run at a time; asks a running one to stop at shutdown.
    pub billing: BillingControl,
    pub metrics: Metrics,
    pub backups: Arc<BackupStatus>,
    /// Keys and honoured API clients, for checking tokens without a database read.
    pub auth: AuthState,
    /// Idempotency keys of API requests being served right now.
    pub idempotency: crate::routes::api::idempotency::InFlight,
    /// Secrets waiting to be shown once on the page after the form that made them.
    pub reveals: crate::routes::ui::reveal::Reveals,
    /// The admin dashboard's figures, kept until something changes.
    pub dashboard: crate::service::dashboard_cache::DashboardCache,
    /// The Collections page's aging report and tomorrow's dunning, kept until something changes.
    pub collections: crate::service::collections_overview::OverviewCache,
    /// The settings in force (file, then what admins saved on the Settings page).
    pub live: crate::domain::settings::LiveSettings,
}

impl AppState {
    /// What a bill run started from here runs with.
    pub fn bill_runner(&self) -> BillRunner {
        BillRunner {
            db: self.db.clone(),
            clock: self.clock.clone(),
            control: self.billing.clone(),
            settings: self.settings.run_settings_with(&self.live),
        }
    }

    /// The billing rules (tax rate, payment terms, bill day) a final invoice is issued with:
    /// those in force, as a bill run started now would use them.
    pub fn billing_rules(&self) -> crate::billing::run::RunSettings {
        self.settings.run_settings_with(&self.live)
    }

    /// Which finished requests are logged.
    pub fn log_policy(&self) -> crate::routes::requests::LogPolicy {
        crate::routes::requests::LogPolicy {
            slow: std::time::Duration::from_millis(self.settings.log.slow_request_ms),
            access: self.settings.log.access,
        }
    }

    /// Session lifetimes, sign-in limits and cookie flags for the admin UI.
    pub fn session_policy(&self) -> SessionPolicy {
        self.settings.ui.session_policy(self.settings.tls_enabled())
    }
}
