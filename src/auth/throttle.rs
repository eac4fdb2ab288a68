//! Throttling of failed client authentications: a sliding window of failure times per key (a
//! client id, a source address).
//!
//! Only failures are counted, so a client that authenticates correctly is never slowed down, and
//! a throttled key is refused before its secret is checked: guessing costs the guesser time and
//! costs the server no argon2 work.

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
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl FailureLimiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures: usize::try_from(max_failures).unwrap_or(usize::MAX).max(1),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// How long `key` must wait, when it has used up its failures in the current window.
    pub fn retry_after(&self, key: &str) -> Option<Duration> {
        self.retry_after_at(key, Instant::now())
    }

    pub fn record_failure(&self, key: &str) {
        self.record_failure_at(key, Instant::now());
    }

    fn retry_after_at(&self, key: &str, now: Instant) -> Option<Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let times = map.get_mut(key)?;
        self.forget_old(times, now);
        if times.len() < self.max_failures {
            if times.is_empty() {
                map.remove(key);
            }
            return None;
        }
        // Free again when the oldest failure leaves the window.
        let oldest = *times.front()?;
        Some((oldest + self.window).saturating_duration_since(now))
    }

    fn record_failure_at(&self, key: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if !map.contains_key(key) && map.len() >= MAX_KEYS {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
            if map.len() >= MAX_KEYS
                && let Some(stalest) = map
                    .iter()
                    .min_by_key(|(_, times)| times.back().copied())
                    .map(|(k, _)| k.clone())
            {
                map.remove(&stalest);
            }
        }
        let times = map.entry(key.to_owned()).or_default();
        self.forget_old(times, now);
        times.push_back(now);
        // Only the newest `max_failures` matter for the decision.
        while times.len() > self.max_failures {
            times.pop_front();
        }
    }

    fn forget_old(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_throttled_after_its_failures_until_the_window_moves_on() {
        let limiter = FailureLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(limiter.retry_after_at("a", t0), None, "failure {i}");
            limiter.record_failure_at("a", t0 + Duration::from_secs(i));
        }
        let wait = limiter.retry_after_at("a", t0 + Duration::from_secs(10));
        assert_eq!(wait, Some(Duration::from_secs(50)));
        assert_eq!(limiter.retry_after_at("b", t0), None, "other keys are free");
        assert_eq!(
            limiter.retry_after_at("a", t0 + Duration::from_secs(60)),
            None
        );
    }

    #[test]
    fn memory_stays_bounded_under_many_keys() {
        let limiter = FailureLimiter::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..(MAX_KEYS + 5) {
            limiter.record_failure_at(&format!("10.0.{i}"), t0);
        }
        let len = limiter.failures.lock().unwrap().len();
        assert_eq!(len, MAX_KEYS);
    }
}
