//! Secrets from the configuration, kept out of logs.

use serde::{Deserialize, Serialize};

/// A configured secret: compared in constant time, shown as `***` in logs and errors.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// How many characters the secret has (a configured one must be long enough).
    pub fn len(&self) -> usize {
        self.0.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The secret itself, for handing to what authenticates with it (never to a log).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Equality that takes as long for a near miss as for a wild guess.
    pub fn matches(&self, candidate: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.0.as_bytes().ct_eq(candidate.as_bytes()))
    }
}
