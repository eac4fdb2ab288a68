//! Property tests (placeholder replaced below).
