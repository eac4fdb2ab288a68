//! Settings changed while running: the next bill run uses them; a pinned one cannot change; a
//! value that breaks the file's rules is refused naming the setting.

use edgebss::domain::origin::Origin;
use edgebss::error::ServiceError;
use serde_json::{Value, json};

use crate::billing::{catalog, d, id, invoices_of, run_jobs, subscribe};
use crate::helpers::{TestApp, spawn_app_with};

async fn set(app: &TestApp, key: &str, value: Value) -> Result<(), ServiceError> {
    edgebss::service::settings::update(
        &app.state.db,
        &app.state.live,
        &app.clock,
        &Origin::cli(),
        vec![(key.to_owned(), Some(value))],
    )
    .await
    .map(|_| ())
}

#[tokio::test]
async fn a_tax_rate_saved_while_running_is_used_by_the_next_bill_run() {
    let mut app = spawn_app_with(|s| s.billing.tax_rate_percent = 20.into()).await;
    set(&app, "billing.tax_rate_percent", json!("10"))
        .await
        .unwrap();
    set(&app, "billing.payment_terms_days", json!(30))
        .await
        .unwrap();
    let cat = catalog(&app);
    let c = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &c, &cat.fiber, "2026-12-01", &[]).await;
    app.move_clock(d("2026-12-01")).await;
    run_jobs(&app).await;
    let inv = &invoices_of(&app, &c).await[0];
    assert_eq!(inv["taxRatePercent"], json!(10));
    assert_eq!(inv["dueDate"], "2026-12-31");
    // The change is in the audit trail.
    let n: i64 = app
        .sql()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'settings.updated'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test]
async fn a_pinned_setting_cannot_change_and_a_bad_value_is_refused_by_name() {
    let app = spawn_app_with(|s| {
        s.billing.tax_rate_percent = 20.into();
        s.settings.pinned = vec!["billing.tax_rate_percent".into()];
    })
    .await;
    let e = set(&app, "billing.tax_rate_percent", json!("5"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Conflict(ref m) if m.contains("pinned")),
        "{e}"
    );
    let e = set(&app, "dunning.reminder_days", json!([10, 3]))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid(ref f) if f.field == "dunning.reminder_days"),
        "{e}"
    );
    let e = set(&app, "billing.colour", json!("red")).await.unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid(ref f) if f.field == "billing.colour"),
        "{e}"
    );
    assert_eq!(app.state.live.get().billing.tax_rate_percent, 20.into());
    assert_eq!(app.state.live.get().dunning.reminder_days, [3, 10]);
}
