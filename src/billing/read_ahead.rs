//! The rule that lets a bill run read and rate a chunk on a read connection while the writer
//! stores the chunk before it, and still bill exactly what the writer itself would read.
//!
//! A plan read ahead is used only if nothing it read can have changed since its snapshot began:
//!
//! - every write job numbered after the writer's settled count, read just before the snapshot
//!   began ([`Snapshot::settled`]), may be missing from the snapshot; only the job using the plan
//!   and the run's own previous chunk job (which bills other customers) may be among them;
//! - no other process committed in between: the `PRAGMA data_version` the job's transaction sees
//!   must equal the one a chunk job of this run saw before the snapshot began
//!   ([`Snapshot::reference_job`]), since it changes only when another connection commits.
//!
//! Otherwise the job reads and rates the chunk again itself, inside its transaction. The writer
//! numbers its jobs and publishes how many have settled (`Db::jobs_started`,
//! `Db::jobs_settled`); this type holds the rest of the rule.

use std::sync::Mutex;

use crate::db::Db;

/// When a plan was read: what the writer had settled before its snapshot began, and a chunk job
/// of the same run that had already been answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// Write jobs settled before the snapshot began: all of them are in it.
    pub settled: u64,
    /// A chunk job of this run answered before the snapshot began; the `data_version` it saw
    /// must still hold when the plan is used.
    pub reference_job: u64,
}

impl Snapshot {
    /// Call right before beginning the read transaction of a plan.
    pub fn before_reading(db: &Db, reference_job: u64) -> Self {
        Self {
            settled: db.jobs_settled(),
            reference_job,
        }
    }
}

/// How many of a run's latest chunk jobs are remembered: a plan's reference job is at most a
/// couple of jobs back.
const REMEMBERED: usize = 4;

/// What a run's chunk jobs note, one after another on the writer thread: each job's number and
/// the `data_version` its transaction saw.
#[derive(Debug, Default)]
pub struct ReadAhead(Mutex<Vec<(u64, i64)>>);

impl ReadAhead {
    /// Notes chunk job `job`, whose transaction sees `data_version`, and says whether a plan read
    /// in `snapshot` (if there is one) still shows what the job would read itself.
    pub fn note_and_check(&self, job: u64, data_version: i64, snapshot: Option<Snapshot>) -> bool {
        let mut marks = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let previous = marks.last().map(|&(n, _)| n);
        let fresh = snapshot.is_some_and(|s| {
            (job == s.settled + 1 || (job == s.settled + 2 && previous == Some(s.settled + 1)))
                && marks
                    .iter()
                    .any(|&(n, v)| n == s.reference_job && v == data_version)
        });
        if marks.len() >= REMEMBERED {
            marks.remove(0);
        }
        marks.push((job, data_version));
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run whose chunk job 10 saw data_version 7 and has been answered.
    fn run_after_job_10() -> ReadAhead {
        let marks = ReadAhead::default();
        assert!(!marks.note_and_check(10, 7, None));
        marks
    }

    fn read_after(settled: u64) -> Option<Snapshot> {
        Some(Snapshot {
            settled,
            reference_job: 10,
        })
    }

    #[test]
    fn a_plan_is_fresh_when_no_other_job_ran_since_it_was_read() {
        let marks = run_after_job_10();
        assert!(marks.note_and_check(11, 7, read_after(10)));
    }

    #[test]
    fn a_plan_is_fresh_when_only_the_runs_previous_chunk_ran_after_it_was_read() {
        let marks = run_after_job_10();
        // Job 11 (the previous chunk) was queued before the plan's snapshot began but settled
        // after it; job 12 uses the plan.
        assert!(!marks.note_and_check(11, 7, None));
        assert!(marks.note_and_check(12, 7, read_after(10)));
    }

    #[test]
    fn a_plan_is_stale_when_another_write_job_ran_after_it_was_read() {
        let marks = run_after_job_10();
        // Job 11 was someone else's (an API write): the run's own last job is still 10.
        assert!(!marks.note_and_check(12, 7, read_after(10)));
        let marks = run_after_job_10();
        assert!(!marks.note_and_check(11, 7, None));
        assert!(!marks.note_and_check(13, 7, read_after(10)));
    }

    #[test]
    fn a_plan_is_stale_when_another_process_committed() {
        let marks = run_after_job_10();
        assert!(!marks.note_and_check(11, 8, read_after(10)));
    }

    #[test]
    fn a_plan_is_stale_when_its_reference_job_is_forgotten_or_unknown() {
        let marks = run_after_job_10();
        for job in 11..=14 {
            assert!(!marks.note_and_check(job, 7, None));
        }
        // Job 10 is no longer remembered, so its data_version cannot be compared.
        assert!(!marks.note_and_check(15, 7, read_after(14)));
        let marks = run_after_job_10();
        let unknown = Some(Snapshot {
            settled: 10,
            reference_job: 9,
        });
        assert!(!marks.note_and_check(11, 7, unknown));
    }

    #[test]
    fn without_a_plan_the_job_is_noted_and_plans_itself() {
        let marks = run_after_job_10();
        assert!(!marks.note_and_check(11, 7, None));
        // Noted: a plan read after job 10 is still fresh for job 12.
        assert!(marks.note_and_check(12, 7, read_after(10)));
    }
}
