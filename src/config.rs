//! Settings, layered: built-in defaults, then the TOML file (`--config`), then `EDGEBSS_*`
//! environment variables (`__` separates sections: `EDGEBSS_BILLING__TAX_RATE_PERCENT=20`), then
//! command-line flags. Unknown keys and bad values stop start-up with a message naming them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub use crate::auth::settings::AuthSettings;
use crate::db::Synchronous;

mod business;
mod http;
mod integration;
mod sync;
mod ui;
pub use http::HttpSettings;
pub use integration::{EventsSettings, WebhookSettings};
pub use sync::{CentralSettings, SyncSettings};
pub use ui::UiSettings;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Address and port the server listens on.
    pub bind: SocketAddr,
    /// Folder holding the database, keys and backups; created if missing.
    pub data_dir: PathBuf,
    /// Load the demo catalog and customers (once) at start-up.
    pub demo: bool,
    /// Run on a clock that starts at this date (`YYYY-MM-DD`) or instant (RFC 3339), for demos
    /// and tests. Unset: the system clock.
    pub now: Option<String>,
    pub log: LogSettings,
    pub storage: StorageSettings,
    pub billing: BillingSettings,
    pub backup: crate::ops::BackupSettings,
    pub metrics: crate::metrics::MetricsSettings,
    pub tls: crate::tls::TlsSettings,
    pub auth: AuthSettings,
    pub ui: UiSettings,
    pub events: EventsSettings,
    pub webhooks: WebhookSettings,
    pub operator: crate::domain::operator::OperatorDetails,
    pub email: crate::domain::email_settings::EmailSettings,
    pub dunning: crate::domain::dunning::DunningSettings,
    pub settings: business::SettingsFile,
    pub http: HttpSettings,
    pub sync: SyncSettings,
    pub central: CentralSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A tracing filter such as `info` or `edgebss=debug,actix_web=info`.
    pub level: String,
    /// One line per request (target `edgebss::access`); off, only 5xx and slow requests are.
    pub access: bool,
    /// A request taking at least this long is logged as slow.
    pub slow_request_ms: u64,
    /// Write daily files in this folder instead of standard error (the Windows service always
    /// writes files, in `<data_dir>\logs`).
    pub directory: Option<PathBuf>,
    /// Daily log files kept; older ones are deleted.
    pub keep_days: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageSettings {
    pub synchronous: Synchronous,
    /// Commit concurrent writes together (one fsync per batch). Off: one commit per write.
    pub group_commit: bool,
    /// Most writes committed in one batch.
    pub max_batch: usize,
    /// Read-only connections serving queries in parallel.
    pub read_connections: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BillingSettings {
    /// IANA time zone in which days and billing periods begin.
    pub timezone: String,
    /// Day of the month (1 to 28) on which each month's invoices are issued.
    pub bill_day: u32,
    /// Tax on each invoice's net total, in percent (`20` is 20 %).
    pub tax_rate_percent: rust_decimal::Decimal,
    /// Days from the invoice date to its due date.
    pub payment_terms_days: u32,
    /// Run the background jobs (start and end subscriptions, mark invoices overdue, the bill run
    /// on the bill day) inside the server.
    pub jobs: bool,
    /// Seconds between two rounds of the background jobs.
    pub job_interval_seconds: u64,
    /// Customers billed per transaction in a bill run.
    pub run_chunk_customers: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("edgebss-data"),
            demo: false,
            now: None,
            log: LogSettings::default(),
            storage: StorageSettings::default(),
            billing: BillingSettings::default(),
            backup: Default::default(),
            metrics: Default::default(),
            tls: Default::default(),
            auth: AuthSettings::default(),
            ui: UiSettings::default(),
            events: EventsSettings::default(),
            webhooks: WebhookSettings::default(),
            operator: Default::default(),
            email: Default::default(),
            dunning: Default::default(),
            settings: Default::default(),
            http: HttpSettings::default(),
            sync: SyncSettings::default(),
            central: CentralSettings::default(),
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".to_owned(),
            access: false,
            slow_request_ms: 500,
            directory: None,
            keep_days: 14,
        }
    }
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            synchronous: Synchronous::Full,
            group_commit: true,
            max_batch: 512,
            read_connections: 8,
        }
    }
}

impl Default for BillingSettings {
    fn default() -> Self {
        Self {
            timezone: "UTC".to_owned(),
            bill_day: 1,
            tax_rate_percent: rust_decimal::Decimal::ZERO,
            payment_terms_days: 14,
            jobs: true,
            job_interval_seconds: 60,
            run_chunk_customers: 2000,
        }
    }
}

impl BillingSettings {
    /// What a bill run needs of these settings.
    pub fn run_settings(&self) -> crate::billing::run::RunSettings {
        crate::billing::run::RunSettings {
            bill_day: self.bill_day,
            tax_rate_percent: self.tax_rate_percent,
            payment_terms_days: self.payment_terms_days,
            chunk_customers: self.run_chunk_customers.max(1),
        }
    }

    fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=28).contains(&self.bill_day),
            "invalid configuration: billing.bill_day must be from 1 to 28 (every month has it)"
        );
        let rate = self.tax_rate_percent;
        anyhow::ensure!(
            !rate.is_sign_negative()
                && rate <= rust_decimal::Decimal::ONE_HUNDRED
                && rate.scale() <= 6,
            "invalid configuration: billing.tax_rate_percent must be from 0 to 100 (20 means \
             20 %), with at most 6 decimals"
        );
        anyhow::ensure!(
            self.payment_terms_days <= 365,
            "invalid configuration: billing.payment_terms_days must be from 0 to 365"
        );
        anyhow::ensure!(
            (1..=86_400).contains(&self.job_interval_seconds),
            "invalid configuration: billing.job_interval_seconds must be from 1 to 86400"
        );
        anyhow::ensure!(
            (1..=100_000).contains(&self.run_chunk_customers),
            "invalid configuration: billing.run_chunk_customers must be from 1 to 100000"
        );
        Ok(())
    }
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FlagOverrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
}

impl Settings {
    /// Loads the layers. `config_file`, when given, must exist.
    pub fn load(config_file: Option<&Path>, flags: &FlagOverrides) -> anyhow::Result<Self> {
        Self::load_from(config_file, flags, Env::prefixed("EDGEBSS_"))
    }

    fn load_from(
        config_file: Option<&Path>,
        flags: &FlagOverrides,
        env: Env,
    ) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = config_file {
            anyhow::ensure!(
                path.is_file(),
                "configuration file {} does not exist (given with --config or EDGEBSS_CONFIG)",
                path.display()
            );
            figment = figment.merge(Toml::file_exact(path));
        }
        let settings: Settings = figment
            .merge(env.ignore(&["config"]).split("__"))
            .merge(Serialized::defaults(flags))
            .extract()
            .map_err(|e| {
                anyhow::anyhow!(
                    "invalid configuration: {e}. Fix the value (see the configuration reference \
                     in the README) and start again."
                )
            })?;
        settings.check()?;
        Ok(settings)
    }

    /// Rules serde cannot express.
    fn check(&self) -> anyhow::Result<()> {
        self.timezone()?;
        self.clock_start()?;
        anyhow::ensure!(
            self.storage.max_batch >= 1,
            "invalid configuration: storage.max_batch must be at least 1"
        );
        anyhow::ensure!(
            (1..=64).contains(&self.storage.read_connections),
            "invalid configuration: storage.read_connections must be from 1 to 64"
        );
        self.billing.check()?;
        self.auth.check()?;
        anyhow::ensure!(
            self.ui.session_idle_minutes >= 1 && self.ui.session_absolute_hours >= 1,
            "invalid configuration: ui.session_idle_minutes and ui.session_absolute_hours must be \
             at least 1"
        );
        anyhow::ensure!(
            self.ui.max_failed_sign_ins >= 1 && self.ui.lockout_minutes >= 1,
            "invalid configuration: ui.max_failed_sign_ins and ui.lockout_minutes must be at least 1"
        );
        tracing_subscriber::EnvFilter::try_new(&self.log.level).with_context(|| {
            format!(
                "invalid configuration: log.level `{}` is not a valid filter",
                self.log.level
            )
        })?;
        anyhow::ensure!(
            (1..=3650).contains(&self.log.keep_days),
            "invalid configuration: log.keep_days must be from 1 to 3650"
        );
        self.backup.check()?;
        self.metrics.check()?;
        self.tls.check()?;
        self.events.check()?;
        self.webhooks.check()?;
        self.business_layer()?;
        self.http.check()?;
        self.sync.check()?;
        self.central.check()?;
        Ok(())
    }

    /// Whether the server speaks HTTPS; session cookies are then marked `Secure`.
    pub fn tls_enabled(&self) -> bool {
        self.tls.enabled()
    }

    pub fn timezone(&self) -> anyhow::Result<chrono_tz::Tz> {
        self.billing.timezone.parse().map_err(|_| {
            anyhow::anyhow!(
                "invalid configuration: billing.timezone `{}` is not an IANA time zone such as \
                 UTC or Europe/Berlin",
                self.billing.timezone
            )
        })
    }

    /// The instant the clock starts at when `now` is set.
    pub fn clock_start(&self) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
        let Some(now) = &self.now else {
            return Ok(None);
        };
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(now) {
            return Ok(Some(t.to_utc()));
        }
        let date = crate::domain::date::parse_date("now", now).map_err(|_| {
            anyhow::anyhow!(
                "invalid configuration: now `{now}` is neither a date (2027-01-15) nor an RFC 3339 \
                 instant (2027-01-15T09:00:00Z)"
            )
        })?;
        Ok(Some(crate::domain::clock::start_of_day(
            self.timezone()?,
            date,
        )))
    }

    pub fn clock(&self) -> anyhow::Result<crate::domain::clock::Clock> {
        let tz = self.timezone()?;
        Ok(match self.clock_start()? {
            Some(start) => crate::domain::clock::Clock::starting_at(tz, start),
            None => crate::domain::clock::Clock::system(tz),
        })
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("edgebss.db")
    }

    pub fn db_options(&self) -> crate::db::DbOptions {
        crate::db::DbOptions {
            path: self.db_path(),
            synchronous: self.storage.synchronous,
            max_batch: if self.storage.group_commit {
                self.storage.max_batch
            } else {
                1
            },
            read_connections: self.storage.read_connections,
        }
    }
}

#[cfg(test)]
#[expect(
    clippy::result_large_err,
    reason = "figment::Jail closures return figment::Error"
)]
mod tests;
