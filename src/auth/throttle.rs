//! Throttling of failed client authentications: a sliding window of failure times per key (a
//! client id, a source address).
//!
//! An attempt is counted before its secret is checked, not after: each key has a budget of
//! `max_failures` attempts that are either in flight or failed within the window, and an attempt
//! beyond it is not checked at all. So the limit holds however many guesses arrive at once (they
//! used to be checked first and counted after, and 200 concurrent guesses got 153 checks against a
//! limit of 10). An attempt that succeeds gives its place back, so a client that authenticates
//! correctly is never throttled; while the budget is taken by attempts still in flight, another
//! waits for one of them rather than being refused.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys tracked at once; past that the stalest is forgotten, so a flood of distinct source
/// addresses cannot grow memory without bound.
const MAX_KEYS: usize = 10_000;

#[derive(Debug)]
pub struct FailureLimiter {
    max_failures: usize,
    window: Duration,
    keys: Mutex<HashMap<String, Attempts>>,
}

#[derive(Debug, Default)]
struct Attempts {
    /// When the failures still in the window happened, oldest first.
    failures: VecDeque<Instant>,
    /// Attempts admitted and not yet settled.
    in_flight: usize,
}

/// Whether an attempt for a key may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Counted as in flight: settle it with [`FailureLimiter::settle`].
    Admitted,
    /// The budget is taken by attempts still in flight; one of them may give its place back.
    Full,
    /// The budget is used up by failures; free again after this long.
    Throttled(Duration),
}

impl FailureLimiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: usize::try_from(max_failures).unwrap_or(usize::MAX).max(1),
            window,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// How long `key` must wait, when it has used up its failures in the current window.
    pub fn retry_after(&self, key: &str) -> Option<Duration> {
        self.retry_after_at(key, Instant::now())
    }

    /// Admits an attempt for `key` when its budget allows, counting it as in flight.
    pub fn admit(&self, key: &str) -> Admission {
        self.admit_at(key, Instant::now())
    }

    /// Ends an admitted attempt: a failure stays counted for the window, anything else gives
    /// its place back.
    pub fn settle(&self, key: &str, failed: bool) {
        self.settle_at(key, failed, Instant::now());
    }

    fn retry_after_at(&self, key: &str, now: Instant) -> Option<Duration> {
        let mut map = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let attempts = map.get_mut(key)?;
        self.forget_old(attempts, now);
        self.throttled_for(attempts, now)
    }

    fn throttled_for(&self, attempts: &Attempts, now: Instant) -> Option<Duration> {
        if attempts.failures.len() < self.max_failures {
            return None;
        }
        // Free again when the oldest failure leaves the window.
        let oldest = *attempts.failures.front()?;
        Some((oldest + self.window).saturating_duration_since(now))
    }

    fn admit_at(&self, key: &str, now: Instant) -> Admission {
        let mut map = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if !map.contains_key(key) && map.len() >= MAX_KEYS {
            self.make_room(&mut map, now);
        }
        let attempts = map.entry(key.to_owned()).or_default();
        self.forget_old(attempts, now);
        if let Some(wait) = self.throttled_for(attempts, now) {
            return Admission::Throttled(wait);
        }
        if attempts.failures.len() + attempts.in_flight >= self.max_failures {
            return Admission::Full;
        }
        attempts.in_flight += 1;
        Admission::Admitted
    }

    fn settle_at(&self, key: &str, failed: bool, now: Instant) {
        let mut map = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let Some(attempts) = map.get_mut(key) else {
            return;
        };
        attempts.in_flight = attempts.in_flight.saturating_sub(1);
        self.forget_old(attempts, now);
        if failed {
            attempts.failures.push_back(now);
            // Only the newest `max_failures` matter for the decision.
            while attempts.failures.len() > self.max_failures {
                attempts.failures.pop_front();
            }
        }
        if attempts.failures.is_empty() && attempts.in_flight == 0 {
            map.remove(key);
        }
    }

    /// Forgets keys with nothing left in the window, then the stalest idle one if need be. Keys
    /// with attempts in flight are kept: their attempts will be settled.
    fn make_room(&self, map: &mut HashMap<String, Attempts>, now: Instant) {
        map.retain(|_, a| {
            a.in_flight > 0
                || a.failures
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
        });
        if map.len() >= MAX_KEYS
            && let Some(stalest) = map
                .iter()
                .filter(|(_, a)| a.in_flight == 0)
                .min_by_key(|(_, a)| a.failures.back().copied())
                .map(|(k, _)| k.clone())
        {
            map.remove(&stalest);
        }
    }

    fn forget_old(&self, attempts: &mut Attempts, now: Instant) {
        while attempts
            .failures
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            attempts.failures.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(limiter: &FailureLimiter, key: &str, at: Instant) {
        assert_eq!(limiter.admit_at(key, at), Admission::Admitted);
        limiter.settle_at(key, true, at);
    }

    #[test]
    fn a_key_is_throttled_after_its_failures_until_the_window_moves_on() {
        let limiter = FailureLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(limiter.retry_after_at("a", t0), None, "failure {i}");
            fail(&limiter, "a", t0 + Duration::from_secs(i));
        }
        let t10 = t0 + Duration::from_secs(10);
        assert_eq!(
            limiter.retry_after_at("a", t10),
            Some(Duration::from_secs(50))
        );
        assert_eq!(
            limiter.admit_at("a", t10),
            Admission::Throttled(Duration::from_secs(50))
        );
        assert_eq!(limiter.retry_after_at("b", t0), None, "other keys are free");
        assert_eq!(
            limiter.retry_after_at("a", t0 + Duration::from_secs(60)),
            None
        );
    }

    #[test]
    fn attempts_in_flight_count_against_the_budget_and_successes_give_it_back() {
        let limiter = FailureLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(limiter.admit_at("a", t0), Admission::Admitted);
        assert_eq!(limiter.admit_at("a", t0), Admission::Admitted);
        assert_eq!(limiter.admit_at("a", t0), Admission::Full, "two in flight");
        limiter.settle_at("a", false, t0);
        assert_eq!(
            limiter.admit_at("a", t0),
            Admission::Admitted,
            "a success freed one"
        );
        limiter.settle_at("a", true, t0);
        limiter.settle_at("a", true, t0);
        assert!(matches!(limiter.admit_at("a", t0), Admission::Throttled(_)));
    }

    #[test]
    fn memory_stays_bounded_under_many_keys() {
        let limiter = FailureLimiter::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..(MAX_KEYS + 5) {
            fail(&limiter, &format!("10.0.{i}"), t0);
        }
        let len = limiter.keys.lock().unwrap().len();
        assert_eq!(len, MAX_KEYS);
    }
}
