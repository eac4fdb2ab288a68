//! Which of an endpoint's deliveries must not be sent again yet.
//!
//! A delivery is in flight from the moment its attempt starts until the attempt's outcome is
//! committed. Reading the due deliveries races with those commits: a read whose snapshot began
//! before an outcome was committed still shows that delivery as due, even though its attempt
//! has already finished and left the in-flight set. So a finished delivery is remembered as
//! *settled* with the order in which it finished, and a read skips the deliveries settled after
//! it began; a settled entry is forgotten once a read has begun after it (that read's snapshot
//! sees the committed outcome).

use std::collections::HashSet;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct InFlight {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    flying: HashSet<i64>,
    /// Deliveries whose outcome was committed, with the count of settlements at that time.
    settled: Vec<(i64, u64)>,
    settlements: u64,
}

/// Taken just before a read of due deliveries begins.
#[derive(Debug, Clone, Copy)]
pub struct ReadMark(u64);

impl InFlight {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many deliveries a read may find that it will then skip.
    pub fn len(&self) -> usize {
        let s = self.state();
        s.flying.len() + s.settled.len()
    }

    /// Call right before reading the due deliveries.
    pub fn before_read(&self) -> ReadMark {
        ReadMark(self.state().settlements)
    }

    /// Of `due`, read after `mark`, the deliveries that may be sent now.
    pub fn sendable<T>(&self, mark: ReadMark, due: Vec<T>, id: impl Fn(&T) -> i64) -> Vec<T> {
        let mut s = self.state();
        let State {
            flying, settled, ..
        } = &mut *s;
        let out = due
            .into_iter()
            .filter(|d| {
                let id = id(d);
                !flying.contains(&id) && !settled.iter().any(|&(s, at)| s == id && at > mark.0)
            })
            .collect();
        // Whatever settled before this read began is visible to every read after it.
        settled.retain(|&(_, at)| at > mark.0);
        out
    }

    /// An attempt at `delivery` starts.
    pub fn start(&self, delivery: i64) {
        self.state().flying.insert(delivery);
    }

    /// The outcome of `delivery`'s attempt is committed (or could not be written).
    pub fn settle(&self, delivery: i64) {
        let mut s = self.state();
        s.flying.remove(&delivery);
        s.settlements += 1;
        let at = s.settlements;
        s.settled.push((delivery, at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_in_flight_is_not_sent_again() {
        let f = InFlight::default();
        f.start(7);
        let mark = f.before_read();
        assert_eq!(f.sendable(mark, vec![7, 8], |d| *d), vec![8]);
    }

    #[test]
    fn a_delivery_settled_while_a_read_ran_is_skipped_by_that_read() {
        let f = InFlight::default();
        f.start(7);
        let mark = f.before_read();
        // The outcome commits after the read's snapshot began: the read still shows it due.
        f.settle(7);
        assert_eq!(f.sendable(mark, vec![7, 8], |d| *d), vec![8]);
    }

    #[test]
    fn a_delivery_settled_before_a_read_began_may_be_sent_again_when_due() {
        let f = InFlight::default();
        f.start(7);
        f.settle(7);
        // A read begun after the commit sees the outcome; if 7 is still due (a retry), it is.
        let mark = f.before_read();
        assert_eq!(f.sendable(mark, vec![7], |d| *d), vec![7]);
        assert_eq!(f.len(), 0, "the settled entry is forgotten");
    }

    #[test]
    fn settled_entries_are_kept_only_until_a_later_read_began() {
        let f = InFlight::default();
        f.start(1);
        let first = f.before_read();
        f.settle(1);
        assert_eq!(f.len(), 1);
        assert!(f.sendable(first, vec![1], |d| *d).is_empty());
        assert_eq!(
            f.len(),
            1,
            "a read begun before it settled does not forget it"
        );
        let second = f.before_read();
        assert_eq!(
            f.sendable(second, Vec::<i64>::new(), |d| *d),
            Vec::<i64>::new()
        );
        assert_eq!(f.len(), 0);
    }
}
