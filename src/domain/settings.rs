//! Settings the operator changes while edgebss runs (admins, on the Settings page): who issues the
//! invoices, the billing terms, e-mail, dunning and the message templates. They are stored in the
//! database; the configuration file gives their first values and may pin a setting, which the
//! UI then shows read-only. Precedence, per setting: pinned file value > value saved in the UI >
//! file value > built-in default.
//!
//! Each setting has a key, the dotted path of a leaf of [`BusinessSettings`] as JSON
//! (`billing.tax_rate_percent`, `email.smtp_host`, `templates.invoice.subject`), the same name
//! the configuration file uses (`[billing] tax_rate_percent`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::FieldError;
use super::dunning::DunningSettings;
use super::email_settings::EmailSettings;
use super::operator::OperatorDetails;
use super::templates::Templates;

/// The `[billing]` values that may change while running.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingTerms {
    /// IANA time zone in which days and billing periods begin.
    pub timezone: String,
    /// Day of the month (1 to 28) on which each month's invoices are issued.
    pub bill_day: u32,
    /// Tax on each invoice's net total, in percent.
    pub tax_rate_percent: Decimal,
    /// Days from the invoice date to its due date.
    pub payment_terms_days: u32,
}

impl Default for BillingTerms {
    fn default() -> Self {
        Self {
            timezone: "UTC".to_owned(),
            bill_day: 1,
            tax_rate_percent: Decimal::ZERO,
            payment_terms_days: 14,
        }
    }
}

impl BillingTerms {
    pub fn check(&self) -> Result<(), FieldError> {
        self.timezone
            .parse::<chrono_tz::Tz>()
            .map_err(|_| {
                FieldError::new(
                    "billing.timezone",
                    format!(
                        "`{}` is not an IANA time zone such as UTC or Europe/Berlin",
                        self.timezone
                    ),
                )
            })
            .map(|_| ())?;
        if !(1..=28).contains(&self.bill_day) {
            return Err(FieldError::new(
                "billing.bill_day",
                "must be from 1 to 28 (every month has it)",
            ));
        }
        let rate = self.tax_rate_percent;
        if rate.is_sign_negative() || rate > Decimal::ONE_HUNDRED || rate.scale() > 6 {
            return Err(FieldError::new(
                "billing.tax_rate_percent",
                "must be from 0 to 100 (20 means 20 %), with at most 6 decimals",
            ));
        }
        if self.payment_terms_days > 365 {
            return Err(FieldError::new(
                "billing.payment_terms_days",
                "must be from 0 to 365",
            ));
        }
        Ok(())
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }
}

/// Everything on the Settings page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusinessSettings {
    pub operator: OperatorDetails,
    pub billing: BillingTerms,
    pub email: EmailSettings,
    pub dunning: DunningSettings,
    pub templates: Templates,
    /// The logo printed at the head of documents: a `data:image/png;base64,…` (or jpeg) URL.
    pub logo: Option<String>,
}

/// Largest logo accepted, in bytes of the data URL.
pub const LOGO_MAX: usize = 400_000;

impl BusinessSettings {
    /// The rules the configuration file and the Settings page share; the error names the key.
    pub fn check(&self) -> Result<(), FieldError> {
        let op = &self.operator;
        if op.name.chars().count() > 200 {
            return Err(FieldError::new(
                "operator.name",
                "must be at most 200 characters",
            ));
        }
        for (key, lines) in [
            ("operator.address", &op.address),
            ("operator.payment_details", &op.payment_details),
        ] {
            if lines.len() > 8 || lines.iter().any(|l| l.chars().count() > 200) {
                return Err(FieldError::new(
                    key,
                    "must be at most 8 lines of at most 200 characters",
                ));
            }
        }
        self.billing.check()?;
        self.email.check()?;
        self.dunning.check()?;
        self.templates.check()?;
        if let Some(logo) = &self.logo {
            let ok = (logo.starts_with("data:image/png;base64,")
                || logo.starts_with("data:image/jpeg;base64,"))
                && logo.len() <= LOGO_MAX;
            if !ok {
                return Err(FieldError::new(
                    "logo",
                    "must be a PNG or JPEG image of at most 300 KB",
                ));
            }
        }
        Ok(())
    }

    /// The logo's image bytes, when there is one.
    pub fn logo_bytes(&self) -> Option<Vec<u8>> {
        use base64::Engine;
        let logo = self.logo.as_deref()?;
        let data = logo.split_once(";base64,")?.1;
        base64::engine::general_purpose::STANDARD.decode(data).ok()
    }
}

/// Who changed a setting in the UI, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub at: String,
    pub by: String,
}

/// The file's layer: its values as JSON and the keys it pins.
#[derive(Debug, Clone)]
pub struct FileLayer {
    values: Value,
    pinned: BTreeSet<String>,
    keys: BTreeSet<String>,
}

impl FileLayer {
    /// The file's values; `pinned` must name known keys (or whole sections, such as `email`).
    pub fn new(values: &BusinessSettings, pinned: &[String]) -> Result<Self, FieldError> {
        let values =
            serde_json::to_value(values).map_err(|e| FieldError::new("settings", e.to_string()))?;
        let mut keys = BTreeSet::new();
        leaves(&values, "", &mut keys);
        let mut pins = BTreeSet::new();
        for p in pinned {
            let section = format!("{p}.");
            let matched: Vec<&String> = keys
                .iter()
                .filter(|k| *k == p || k.starts_with(&section))
                .collect();
            if matched.is_empty() {
                return Err(FieldError::new(
                    "settings.pinned",
                    format!("`{p}` is not a setting (e.g. billing.tax_rate_percent, email)"),
                ));
            }
            pins.extend(matched.into_iter().cloned());
        }
        Ok(Self {
            values,
            pinned: pins,
            keys,
        })
    }

    pub fn is_pinned(&self, key: &str) -> bool {
        self.pinned.contains(key)
    }

    pub fn is_key(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    /// The effective settings: the file's values with `saved` (the UI's) laid over every key
    /// that is not pinned. Saved keys that are no longer settings are left out.
    pub fn merge(&self, saved: &BTreeMap<String, Value>) -> Result<BusinessSettings, FieldError> {
        let mut merged = self.values.clone();
        for (key, value) in saved {
            if self.is_key(key) && !self.is_pinned(key) {
                set_path(&mut merged, key, value.clone());
            }
        }
        let settings: BusinessSettings = serde_json::from_value(merged).map_err(|e| {
            FieldError::new("settings", format!("a saved setting is unreadable: {e}"))
        })?;
        settings.check()?;
        Ok(settings)
    }
}

/// The keys of the leaves of `v` (arrays and scalars), prefixed with `prefix`.
fn leaves(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(child, &key, out);
            }
        }
        _ => {
            out.insert(prefix.to_owned());
        }
    }
}

fn set_path(root: &mut Value, key: &str, value: Value) {
    let mut node = root;
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(map) = node else { return };
        if parts.peek().is_none() {
            map.insert(part.to_owned(), value);
            return;
        }
        node = map.entry(part.to_owned()).or_insert(Value::Null);
    }
}

/// The value of `key` in `settings`, as JSON.
pub fn value_at(settings: &BusinessSettings, key: &str) -> Value {
    let mut v = serde_json::to_value(settings).unwrap_or(Value::Null);
    for part in key.split('.') {
        v = match v {
            Value::Object(mut map) => map.remove(part).unwrap_or(Value::Null),
            _ => Value::Null,
        };
    }
    v
}

/// The settings in force, with what the UI changed.
#[derive(Debug, Clone)]
pub struct Current {
    pub values: BusinessSettings,
    pub saved: BTreeMap<String, Value>,
    pub changed: BTreeMap<String, Changed>,
}

/// The settings in force, shared by the server's parts: the Settings page replaces them, and
/// the bill run, the jobs, the documents and the e-mail task read them at each use.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    file: Arc<FileLayer>,
    current: Arc<RwLock<Arc<Current>>>,
}

impl LiveSettings {
    /// The file's values, before anything saved in the database is read.
    pub fn new(file: FileLayer) -> Result<Self, FieldError> {
        let values = file.merge(&BTreeMap::new())?;
        Ok(Self {
            file: Arc::new(file),
            current: Arc::new(RwLock::new(Arc::new(Current {
                values,
                saved: BTreeMap::new(),
                changed: BTreeMap::new(),
            }))),
        })
    }

    pub fn file(&self) -> &FileLayer {
        &self.file
    }

    pub fn current(&self) -> Arc<Current> {
        Arc::clone(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The settings in force now.
    pub fn get(&self) -> BusinessSettings {
        self.current().values.clone()
    }

    pub fn replace(&self, next: Current) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(pinned: &[&str]) -> FileLayer {
        let mut s = BusinessSettings::default();
        s.operator.name = "File Net".into();
        s.billing.tax_rate_percent = Decimal::from(20);
        let pinned: Vec<String> = pinned.iter().map(|p| (*p).to_owned()).collect();
        FileLayer::new(&s, &pinned).unwrap()
    }

    #[test]
    fn a_saved_value_wins_over_the_file_unless_the_file_pins_it() {
        let saved = BTreeMap::from([
            ("operator.name".to_owned(), Value::from("UI Net")),
            ("billing.tax_rate_percent".to_owned(), Value::from("7.5")),
        ]);
        let free = file(&[]).merge(&saved).unwrap();
        assert_eq!(free.operator.name, "UI Net");
        assert_eq!(free.billing.tax_rate_percent, Decimal::new(75, 1));
        let pinned = file(&["billing.tax_rate_percent"]).merge(&saved).unwrap();
        assert_eq!(pinned.operator.name, "UI Net");
        assert_eq!(pinned.billing.tax_rate_percent, Decimal::from(20));
    }

    #[test]
    fn pinning_a_section_pins_its_keys_and_unknown_keys_are_refused() {
        let f = file(&["email"]);
        assert!(f.is_pinned("email.smtp_host"));
        assert!(!f.is_pinned("billing.bill_day"));
        let e =
            FileLayer::new(&BusinessSettings::default(), &["billing.colour".into()]).unwrap_err();
        assert!(e.message.contains("billing.colour"), "{e}");
    }

    #[test]
    fn a_saved_value_that_breaks_a_rule_is_named() {
        let saved = BTreeMap::from([("billing.bill_day".to_owned(), Value::from(31))]);
        let e = file(&[]).merge(&saved).unwrap_err();
        assert_eq!(e.field, "billing.bill_day");
    }
}
