//! The settings the admin UI may change (`domain::settings`): the file gives their first values
//! and `[settings] pinned` lists those the UI may not change.

use serde::{Deserialize, Serialize};

use crate::domain::settings::{BillingTerms, BusinessSettings, FileLayer};

/// `[settings]`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SettingsFile {
    /// Settings (`billing.tax_rate_percent`) or whole sections (`email`) that keep the file's
    /// value: the Settings page shows them read-only.
    pub pinned: Vec<String>,
}

impl super::Settings {
    /// The file's values of the settings the UI may change, checked by the same rules as the
    /// Settings page.
    pub fn business_layer(&self) -> anyhow::Result<FileLayer> {
        let b = &self.billing;
        let values = BusinessSettings {
            operator: self.operator.clone(),
            billing: BillingTerms {
                timezone: b.timezone.clone(),
                bill_day: b.bill_day,
                tax_rate_percent: b.tax_rate_percent,
                payment_terms_days: b.payment_terms_days,
            },
            email: self.email.clone(),
            dunning: self.dunning.clone(),
            // The templates are edited on the Settings page only.
            templates: Default::default(),
            logo: None,
        };
        let invalid = |e: crate::domain::FieldError| {
            anyhow::anyhow!("invalid configuration: {}: {}", e.field, e.message)
        };
        values.check().map_err(invalid)?;
        FileLayer::new(&values, &self.settings.pinned).map_err(invalid)
    }
}

impl super::Settings {
    /// A bill run's settings: the billing terms in force (file or Settings page), the chunk
    /// size from the file.
    pub fn run_settings_with(
        &self,
        live: &crate::domain::settings::LiveSettings,
    ) -> crate::billing::run::RunSettings {
        let terms = live.get().billing;
        crate::billing::run::RunSettings {
            bill_day: terms.bill_day,
            tax_rate_percent: terms.tax_rate_percent,
            payment_terms_days: terms.payment_terms_days,
            chunk_customers: self.billing.run_chunk_customers.max(1),
        }
    }
}
