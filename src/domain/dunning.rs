//! Dunning: reminders after an invoice's due date, suspension for non-payment, and the rules
//! that pick what happens to an overdue invoice on a given day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::FieldError;

/// `[dunning]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DunningSettings {
    /// Days after the due date on which a reminder is e-mailed, ascending.
    pub reminder_days: Vec<u32>,
    /// Days after the due date on which the customer is suspended for non-payment; 0: never.
    pub suspend_after_days: u32,
}

impl Default for DunningSettings {
    fn default() -> Self {
        Self {
            reminder_days: vec![3, 10],
            suspend_after_days: 0,
        }
    }
}

impl DunningSettings {
    pub fn check(&self) -> Result<(), FieldError> {
        let days = &self.reminder_days;
        if days.len() > 10
            || days.iter().any(|d| !(1..=365).contains(d))
            || days.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(FieldError::new(
                "dunning.reminder_days",
                "must list at most 10 days from 1 to 365, ascending (e.g. [3, 10])",
            ));
        }
        if self.suspend_after_days > 365 {
            return Err(FieldError::new(
                "dunning.suspend_after_days",
                "must be from 0 (never) to 365",
            ));
        }
        if self.suspend_after_days > 0
            && let Some(last) = days.last()
            && *last >= self.suspend_after_days
        {
            return Err(FieldError::new(
                "dunning.reminder_days",
                format!(
                    "must all come before dunning.suspend_after_days ({}); {last} does not",
                    self.suspend_after_days
                ),
            ));
        }
        Ok(())
    }

    /// The reminder an invoice due on `due` should have had by `today`: the last reminder day
    /// reached, unless one as late (`sent`, the last step already sent) went out. Missed steps
    /// are not sent one after another: only the latest one.
    pub fn reminder_due(&self, due: NaiveDate, today: NaiveDate, sent: Option<u32>) -> Option<u32> {
        let past = days_past(due, today)?;
        let step = self
            .reminder_days
            .iter()
            .copied()
            .filter(|d| *d <= past)
            .max()?;
        match sent {
            Some(s) if s >= step => None,
            _ => Some(step),
        }
    }

    /// Whether an invoice due on `due` and still unpaid makes its customer suspended `today`.
    pub fn suspends(&self, due: NaiveDate, today: NaiveDate) -> bool {
        self.suspend_after_days > 0
            && days_past(due, today).is_some_and(|p| p >= self.suspend_after_days)
    }
}

/// Whole days from `due` to `today`, when `today` is after `due`.
pub fn days_past(due: NaiveDate, today: NaiveDate) -> Option<u32> {
    let d = (today - due).num_days();
    (d > 0).then(|| u32::try_from(d).unwrap_or(u32::MAX))
}

/// What dunning did (or, in the preview, would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DunningAction {
    Reminder,
    Suspended,
    Reactivated,
}

impl DunningAction {
    pub fn as_str(self) -> &'static str {
        match self {
            DunningAction::Reminder => "Reminder",
            DunningAction::Suspended => "Suspended",
            DunningAction::Reactivated => "Reactivated",
        }
    }
}

impl std::fmt::Display for DunningAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DunningAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "Reminder" => Ok(Self::Reminder),
            "Suspended" => Ok(Self::Suspended),
            "Reactivated" => Ok(Self::Reactivated),
            other => Err(format!("`{other}` is not a dunning action")),
        }
    }
}

/// Accounts-receivable aging: which bucket an amount due on `due` is in on `today`.
pub fn aging_bucket(due: NaiveDate, today: NaiveDate) -> usize {
    match days_past(due, today).unwrap_or(0) {
        0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

/// The aging buckets' names, in order.
pub const AGING_BUCKETS: [&str; 5] = ["Not yet due", "1–30", "31–60", "61–90", "90+"];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_reminder_is_due_on_its_day_and_only_the_latest_missed_one_is_sent() {
        let s = DunningSettings {
            reminder_days: vec![3, 10],
            suspend_after_days: 21,
        };
        let due = d("2027-01-15");
        assert_eq!(s.reminder_due(due, d("2027-01-17"), None), None);
        assert_eq!(s.reminder_due(due, d("2027-01-18"), None), Some(3));
        assert_eq!(s.reminder_due(due, d("2027-01-19"), Some(3)), None);
        assert_eq!(s.reminder_due(due, d("2027-01-25"), Some(3)), Some(10));
        assert_eq!(s.reminder_due(due, d("2027-01-30"), None), Some(10));
        assert!(!s.suspends(due, d("2027-02-04")));
        assert!(s.suspends(due, d("2027-02-05")));
    }

    #[test]
    fn reminders_after_the_suspension_day_are_refused() {
        let s = DunningSettings {
            reminder_days: vec![3, 30],
            suspend_after_days: 21,
        };
        assert_eq!(s.check().unwrap_err().field, "dunning.reminder_days");
        let never = DunningSettings {
            reminder_days: vec![3, 30],
            suspend_after_days: 0,
        };
        assert!(never.check().is_ok());
    }

    #[test]
    fn aging_buckets_follow_days_past_due() {
        let due = d("2027-01-01");
        assert_eq!(aging_bucket(due, d("2027-01-01")), 0);
        assert_eq!(aging_bucket(due, d("2027-01-31")), 1);
        assert_eq!(aging_bucket(due, d("2027-02-01")), 2);
        assert_eq!(aging_bucket(due, d("2027-04-01")), 3);
        assert_eq!(aging_bucket(due, d("2027-04-02")), 4);
    }
}
