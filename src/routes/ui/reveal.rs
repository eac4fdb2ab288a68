//! Secrets shown once after a form: the POST stores the secret here for its session and
//! redirects (POST/redirect/GET); the page it redirects to takes it out and shows it. A reload of
//! that page finds nothing and says so, instead of creating or rotating again.
//!
//! Bounded: at most [`MAX_KEPT`] secrets wait at a time, each for at most [`KEEP_FOR`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Most secrets waiting to be shown at once; the oldest make room.
pub const MAX_KEPT: usize = 256;
/// How long a secret waits for its page.
pub const KEEP_FOR: Duration = Duration::from_secs(300);

struct Kept {
    session: String,
    secret: String,
    at: Instant,
}

#[derive(Clone, Default)]
pub struct Reveals(Arc<Mutex<HashMap<String, Kept>>>);

impl Reveals {
    /// Keeps `secret` for the session whose token hash is `session`; returns the ticket that
    /// the next page's URL carries.
    pub fn keep(&self, session: &str, secret: String) -> String {
        let ticket = crate::auth::session::new_token();
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|_, k| k.at.elapsed() < KEEP_FOR);
        while kept.len() >= MAX_KEPT {
            let Some(oldest) = kept
                .iter()
                .min_by_key(|(_, k)| k.at)
                .map(|(t, _)| t.clone())
            else {
                break;
            };
            kept.remove(&oldest);
        }
        kept.insert(
            ticket.clone(),
            Kept {
                session: session.to_owned(),
                secret,
                at: Instant::now(),
            },
        );
        ticket
    }

    /// The secret kept under `ticket` for this session, once.
    pub fn take(&self, session: &str, ticket: &str) -> Option<String> {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = kept
            .get(ticket)
            .is_some_and(|k| k.session == session && k.at.elapsed() < KEEP_FOR);
        if !fresh {
            return None;
        }
        kept.remove(ticket).map(|k| k.secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_shown_once_and_only_to_its_session() {
        let r = Reveals::default();
        let t = r.keep("session-a", "whsec_x".into());
        assert_eq!(r.take("session-b", &t), None);
        assert_eq!(r.take("session-a", &t).as_deref(), Some("whsec_x"));
        assert_eq!(r.take("session-a", &t), None);
    }

    #[test]
    fn the_store_stays_bounded() {
        let r = Reveals::default();
        for i in 0..(MAX_KEPT + 10) {
            r.keep("s", format!("secret {i}"));
        }
        assert!(r.0.lock().unwrap().len() <= MAX_KEPT);
    }
}
