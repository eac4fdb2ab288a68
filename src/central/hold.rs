//! The order in which events are applied: per site, strictly by sequence, each exactly once.
//!
//! The broker may deliver a site's events out of order (redeliveries after an outage come back
//! mixed with new messages) and more than once (a redelivery, or a branch sending again what the
//! broker lost). Against each site's watermark (the last sequence applied), an event is:
//! - a duplicate when its sequence is at or below the watermark: acknowledged, not applied;
//! - ready when it continues the watermark without a gap (with those after it that do too);
//! - held back otherwise, until its predecessor arrives; held too long, it is handed back to the
//!   broker (redelivered later), so memory stays bounded and nothing is lost.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::domain::site::SiteId;

/// An event waiting, with every delivery of it (each must be acknowledged once it is applied).
#[derive(Debug)]
struct Waiting<E, M> {
    event: E,
    deliveries: Vec<M>,
    since: Instant,
}

/// What is ready after checking the watermarks.
#[derive(Debug)]
pub struct Ready<E, M> {
    /// Per site, the events to apply now, in sequence order (the first continues the watermark).
    pub apply: Vec<(SiteId, Vec<(i64, E)>)>,
    /// Deliveries to acknowledge once the events are committed (the duplicates' too).
    pub deliveries: Vec<M>,
    /// Duplicates found, per site.
    pub duplicates: Vec<(SiteId, u64)>,
}

/// The events received and not yet applied, per site and sequence.
#[derive(Debug)]
pub struct Pending<E, M> {
    sites: BTreeMap<SiteId, BTreeMap<i64, Waiting<E, M>>>,
    /// The first sequence each site forwards (from its messages).
    first: HashMap<SiteId, i64>,
}

impl<E, M> Default for Pending<E, M> {
    fn default() -> Self {
        Self {
            sites: BTreeMap::new(),
            first: HashMap::new(),
        }
    }
}

impl<E, M> Pending<E, M> {
    /// Adds a delivery of `site`'s event `sequence`; `first` is the site's first forwarded event.
    pub fn add(
        &mut self,
        site: SiteId,
        sequence: i64,
        first: i64,
        event: E,
        delivery: M,
        now: Instant,
    ) {
        self.first.entry(site.clone()).or_insert(first);
        let waiting = self.sites.entry(site).or_default();
        match waiting.get_mut(&sequence) {
            Some(w) => w.deliveries.push(delivery),
            None => {
                waiting.insert(
                    sequence,
                    Waiting {
                        event,
                        deliveries: vec![delivery],
                        since: now,
                    },
                );
            }
        }
    }

    /// The sites with events waiting, in order (the order their rows are locked in).
    pub fn sites(&self) -> Vec<SiteId> {
        self.sites.keys().cloned().collect()
    }

    /// The first sequence `site` forwards, as its messages say.
    pub fn first_sequence(&self, site: &SiteId) -> i64 {
        self.first.get(site).copied().unwrap_or(1)
    }

    /// Events held back (waiting for a predecessor), per site.
    pub fn held(&self) -> Vec<(SiteId, usize)> {
        self.sites
            .iter()
            .map(|(s, w)| (s.clone(), w.len()))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.sites.values().map(BTreeMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes what `watermarks` (the last sequence applied per site; a site missing from it has
    /// none yet) make ready, at most `limit` events; leaves the rest waiting.
    pub fn take_ready(&mut self, watermarks: &HashMap<SiteId, i64>, limit: usize) -> Ready<E, M> {
        let mut ready = Ready {
            apply: Vec::new(),
            deliveries: Vec::new(),
            duplicates: Vec::new(),
        };
        let mut budget = limit;
        for (site, waiting) in &mut self.sites {
            let Some(&mark) = watermarks.get(site) else {
                continue;
            };
            let mut duplicates = 0;
            while let Some(entry) = waiting.first_entry() {
                if *entry.key() > mark {
                    break;
                }
                let w = entry.remove();
                duplicates += 1;
                ready.deliveries.extend(w.deliveries);
            }
            if duplicates > 0 {
                ready.duplicates.push((site.clone(), duplicates));
            }
            let mut run = Vec::new();
            let mut next = mark + 1;
            while budget > 0 {
                let Some(entry) = waiting.first_entry() else {
                    break;
                };
                if *entry.key() != next {
                    break;
                }
                let w = entry.remove();
                ready.deliveries.extend(w.deliveries);
                run.push((next, w.event));
                next += 1;
                budget -= 1;
            }
            if !run.is_empty() {
                ready.apply.push((site.clone(), run));
            }
        }
        self.sites.retain(|_, w| !w.is_empty());
        ready
    }

    /// Removes the events held back longer than `limit` and returns their deliveries, to be
    /// handed back to the broker.
    pub fn expire(&mut self, limit: Duration, now: Instant) -> Vec<M> {
        let mut out = Vec::new();
        for waiting in self.sites.values_mut() {
            waiting.retain(|_, w| {
                let keep = now.duration_since(w.since) < limit;
                if !keep {
                    out.append(&mut w.deliveries);
                }
                keep
            });
        }
        self.sites.retain(|_, w| !w.is_empty());
        out
    }

    /// Removes everything and returns every delivery (to hand back after a failure).
    pub fn drain(&mut self) -> Vec<M> {
        let out = self
            .sites
            .values_mut()
            .flat_map(|w| std::mem::take(w).into_values())
            .flat_map(|w| w.deliveries)
            .collect();
        self.sites.clear();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(s: &str) -> SiteId {
        SiteId::parse("site", s).unwrap()
    }

    fn marks(list: &[(&str, i64)]) -> HashMap<SiteId, i64> {
        list.iter().map(|(s, m)| (site(s), *m)).collect()
    }

    fn sequences(ready: &Ready<&'static str, u32>) -> Vec<(String, Vec<i64>)> {
        ready
            .apply
            .iter()
            .map(|(s, run)| (s.to_string(), run.iter().map(|(n, _)| *n).collect()))
            .collect()
    }

    #[test]
    fn events_that_continue_the_watermark_are_applied_in_order_and_a_gap_holds_the_rest() {
        let now = Instant::now();
        let mut p = Pending::default();
        for (n, d) in [(3, 30), (1, 10), (2, 20), (5, 50)] {
            p.add(site("PORTS"), n, 1, "e", d, now);
        }
        let ready = p.take_ready(&marks(&[("PORTS", 0)]), 100);
        assert_eq!(sequences(&ready), [("PORTS".to_owned(), vec![1, 2, 3])]);
        assert_eq!(ready.deliveries, [10, 20, 30]);
        assert_eq!(p.held(), [(site("PORTS"), 1)], "5 waits for 4");

        p.add(site("PORTS"), 4, 1, "e", 40, now);
        let ready = p.take_ready(&marks(&[("PORTS", 3)]), 100);
        assert_eq!(sequences(&ready), [("PORTS".to_owned(), vec![4, 5])]);
        assert!(p.is_empty());
    }

    #[test]
    fn an_event_at_or_below_the_watermark_is_acknowledged_and_not_applied() {
        let now = Instant::now();
        let mut p = Pending::default();
        p.add(site("DOCKS"), 7, 1, "e", 70, now);
        p.add(site("DOCKS"), 7, 1, "e", 71, now);
        p.add(site("DOCKS"), 8, 1, "e", 80, now);
        let ready = p.take_ready(&marks(&[("DOCKS", 7)]), 100);
        assert_eq!(ready.duplicates, [(site("DOCKS"), 1)]);
        assert_eq!(sequences(&ready), [("DOCKS".to_owned(), vec![8])]);
        assert_eq!(
            ready.deliveries,
            [70, 71, 80],
            "every delivery is acknowledged"
        );
    }

    #[test]
    fn sites_are_independent_and_the_limit_bounds_a_batch() {
        let now = Instant::now();
        let mut p = Pending::default();
        for n in 1..=3 {
            p.add(site("A"), n, 1, "e", n as u32, now);
            p.add(site("B"), n + 10, 11, "e", 100 + n as u32, now);
        }
        let ready = p.take_ready(&marks(&[("A", 0), ("B", 10)]), 4);
        assert_eq!(
            sequences(&ready),
            [("A".to_owned(), vec![1, 2, 3]), ("B".to_owned(), vec![11])]
        );
        assert_eq!(p.len(), 2);
        assert_eq!(p.first_sequence(&site("B")), 11);
    }

    #[test]
    fn a_site_without_a_watermark_yet_waits() {
        let now = Instant::now();
        let mut p = Pending::default();
        p.add(site("NEW"), 1, 1, "e", 1, now);
        let ready = p.take_ready(&HashMap::new(), 100);
        assert!(ready.apply.is_empty());
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn events_held_too_long_are_handed_back_and_a_drain_empties_everything() {
        let start = Instant::now();
        let mut p = Pending::default();
        p.add(site("A"), 5, 1, "e", 5, start);
        p.add(site("A"), 9, 1, "e", 9, start + Duration::from_secs(8));
        let later = start + Duration::from_secs(10);
        assert_eq!(p.expire(Duration::from_secs(5), later), [5]);
        assert_eq!(p.len(), 1);
        assert_eq!(p.drain(), [9]);
        assert!(p.is_empty());
    }
}
