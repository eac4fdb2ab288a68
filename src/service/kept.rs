//! Figures summed from the database, kept while nothing they read has changed. The admin UI's
//! dashboard and Collections page sum every open invoice: at 100,000 customers that is tens to
//! hundreds of milliseconds, too much for pages people open all day. Every change the server
//! makes writes an audit entry in its own transaction, so the newest entry's sequence number
//! (with whatever else a page depends on, such as the day) says whether the kept figures still
//! hold. The mark is read before summing, so a change made meanwhile makes the next request
//! sum again rather than be missed.

use std::sync::{Arc, Mutex};

/// Figures and the mark they were summed at.
type Marked<M, V> = Option<(M, Arc<V>)>;

/// The last figures and the mark they were summed at; cheap to clone (one per server).
#[derive(Debug)]
pub struct Kept<M, V>(Arc<Mutex<Marked<M, V>>>);

impl<M, V> Default for Kept<M, V> {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(None)))
    }
}

impl<M, V> Clone for Kept<M, V> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<M: PartialEq, V> Kept<M, V> {
    /// The figures kept at `mark`, if those are the ones kept.
    pub fn get(&self, mark: &M) -> Option<Arc<V>> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.as_ref()
            .filter(|(m, _)| m == mark)
            .map(|(_, v)| Arc::clone(v))
    }

    /// Keeps `figures`, summed at `mark`, in place of the last ones.
    pub fn put(&self, mark: M, figures: Arc<V>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((mark, figures));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_given_back_only_at_the_mark_they_were_summed_at() {
        let kept: Kept<(i64, u32), String> = Kept::default();
        assert!(kept.get(&(1, 7)).is_none());
        kept.put((1, 7), Arc::new("summed".to_owned()));
        assert_eq!(
            kept.get(&(1, 7)).as_deref().map(String::as_str),
            Some("summed")
        );
        assert!(kept.get(&(2, 7)).is_none(), "a change since");
        assert!(kept.clone().get(&(1, 8)).is_none(), "another day");
        kept.put((2, 7), Arc::new("again".to_owned()));
        assert!(
            kept.get(&(1, 7)).is_none(),
            "only the last figures are kept"
        );
    }
}
