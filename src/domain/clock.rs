//! The one source of "now". Nothing else reads the wall clock, so demos and tests can run the
//! whole system at another date (`serve --now 2027-01-15`) and move time forward.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone)]
pub struct Clock {
    /// Milliseconds added to the system clock; shared by every clone.
    offset_ms: Arc<AtomicI64>,
    /// Shared by every clone too: the Settings page may change the time zone while running.
    tz: Arc<RwLock<Tz>>,
}

impl Clock {
    /// The system clock, with dates taken in `tz`.
    pub fn system(tz: Tz) -> Self {
        Self {
            offset_ms: Arc::new(AtomicI64::new(0)),
            tz: Arc::new(RwLock::new(tz)),
        }
    }

    /// A clock that reads `start` now and then moves on in real time.
    pub fn starting_at(tz: Tz, start: DateTime<Utc>) -> Self {
        let clock = Self::system(tz);
        clock.set(start);
        clock
    }

    /// Moves this clock (and every clone of it) so that it reads `now`.
    pub fn set(&self, now: DateTime<Utc>) {
        let offset = now.timestamp_millis() - Utc::now().timestamp_millis();
        self.offset_ms.store(offset, Ordering::Relaxed);
    }

    /// Moves the clock to the start of `date` in its time zone.
    pub fn set_date(&self, date: NaiveDate) {
        self.set(start_of_day(self.timezone(), date));
    }

    pub fn now(&self) -> DateTime<Utc> {
        let offset = self.offset_ms.load(Ordering::Relaxed);
        Utc::now() + chrono::Duration::milliseconds(offset)
    }

    /// Today's date in the operator's time zone.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.timezone()).date_naive()
    }

    pub fn timezone(&self) -> Tz {
        *self.tz.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes dates in `tz` from now on (this clock and every clone of it).
    pub fn set_timezone(&self, tz: Tz) {
        *self.tz.write().unwrap_or_else(|p| p.into_inner()) = tz;
    }

    /// `now()` as stored and shown: RFC 3339 UTC with milliseconds.
    pub fn timestamp(&self) -> String {
        super::date::format_timestamp(self.now())
    }
}

/// The instant `date` begins in `tz` (the first valid local time, across DST gaps).
pub fn start_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    match midnight.and_local_timezone(tz) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.to_utc(),
        chrono::LocalResult::None => (midnight + chrono::Duration::hours(1))
            .and_local_timezone(tz)
            .earliest()
            .map(|t| t.to_utc())
            .unwrap_or_else(|| midnight.and_utc()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_reads_the_date_it_was_set_to_in_its_time_zone() {
        let clock = Clock::system(chrono_tz::Pacific::Auckland);
        let d = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        clock.set_date(d);
        assert_eq!(clock.today(), d);
        let copy = clock.clone();
        copy.set_date(d.succ_opt().unwrap());
        assert_eq!(clock.today(), d.succ_opt().unwrap());
    }
}
