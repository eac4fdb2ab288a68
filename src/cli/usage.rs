//! `edgebss usage import FILE.csv`: usage records from a file, through the same use case as
//! `POST /v1/usage-records`, 1,000 records per write. A record sent before (same recordId)
//! counts once, so a file can be imported again safely.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::config::Settings;
use crate::domain::origin::Origin;
use crate::domain::usage::MAX_BATCH;
use crate::service::{usage, usage_import};

pub fn import(settings: &Settings, file: &Path) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {} (it must be UTF-8 text)", file.display()))?;
    let lines =
        usage_import::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let clock = settings.clock()?;
    let db = crate::startup::open_db(settings)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let mut refused: Vec<(usize, String)> = Vec::new();
    let mut records = Vec::new();
    for (n, line) in lines {
        match line {
            Ok(r) => records.push((n, r)),
            Err(e) => refused.push((n, format!("malformed: {e}"))),
        }
    }
    let (mut accepted, mut duplicates) = (0, 0);
    let origin = Origin::cli();
    let result = runtime.block_on(async {
        for batch in records.chunks(MAX_BATCH) {
            let numbers: Vec<usize> = batch.iter().map(|(n, _)| *n).collect();
            let inputs = batch.iter().map(|(_, r)| r.clone()).collect();
            let r = usage::record(&db, &clock, &origin, inputs)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            accepted += r.accepted;
            duplicates += r.duplicates;
            for x in r.rejected {
                let line = numbers.get(x.index).copied().unwrap_or_default();
                refused.push((line, format!("{}: {}", x.code, x.message)));
            }
        }
        Ok::<_, anyhow::Error>(())
    });
    db.close();
    result?;
    refused.sort_by_key(|(n, _)| *n);
    println!(
        "{}: {accepted} records taken, {duplicates} sent before (counted once), {} refused",
        file.display(),
        refused.len()
    );
    for (n, why) in &refused {
        println!("  line {n}: {why}");
    }
    Ok(if refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
