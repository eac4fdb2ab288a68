//! The billing pages without a browser: previewing and running a bill run, the invoice list,
//! detail and printable page, payments (with the amount field's message when too much is
//! entered), cancelling with a reason, and the customer's balance and payments.

use edgebss::domain::user::Role;
use reqwest::StatusCode;
use rust_decimal::Decimal;

use crate::billing::{catalog, id, subscribe};
use crate::helpers::{TestApp, spawn_app_with};
use crate::ui_helpers::{UiClient, location, user_with_role};

async fn app_with_operator_details() -> TestApp {
    spawn_app_with(|s| {
        s.billing.tax_rate_percent = Decimal::from(20);
        s.operator.name = "Northwind Fiber Ltd".to_owned();
        s.operator.address = vec!["12 Harbour Road".to_owned(), "4100 Portsmouth".to_owned()];
        s.operator.tax_id = Some("GB123456789".to_owned());
    })
    .await
}

/// Runs `period` from the UI and returns the run page's path.
async fn run_from_ui(op: &UiClient<'_>, period: &str) -> String {
    let preview = op
        .get_html(&format!("/admin/bill-runs/preview?period={period}"))
        .await;
    assert!(preview.contains("id=\"start-run\""), "{preview}");
    let res = op
        .post(
            &format!("/admin/bill-runs/preview?period={period}"),
            "/admin/bill-runs",
            &[("period", period)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(to.starts_with("/admin/bill-runs/brn_"), "{to}");
    to
}

fn invoice_id_of(app: &TestApp, customer: &str) -> String {
    app.sql()
        .query_row(
            "SELECT id FROM invoices WHERE customer_id = ?1",
            [customer],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test]
async fn a_period_is_previewed_run_and_its_invoice_paid_from_the_ui() {
    let app = app_with_operator_details().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[&cat.ip]).await;
    let op = user_with_role(&app, "otto", Role::Operator).await;

    // The preview lists the would-be invoice and stores nothing.
    let preview = op.get_html("/admin/bill-runs/preview?period=2026-11").await;
    assert!(preview.contains("Ada Lovelace"), "{preview}");
    assert!(
        preview.contains("USD 10.99"),
        "5 days of fiber and IP + 20 % tax: {preview}"
    );
    let count = |sql: &str| -> i64 { app.sql().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM invoices"), 0);
    assert_eq!(count("SELECT COUNT(*) FROM bill_runs"), 0);

    let run_page = run_from_ui(&op, "2026-11").await;
    let run = op.get_html(&run_page).await;
    assert_eq!(
        app.sql()
            .query_row("SELECT trigger FROM bill_runs", [], |r| r
                .get::<_, String>(0))
            .unwrap(),
        "Admin",
        "a run started from the UI is recorded as such"
    );
    assert!(run.contains("id=\"run-status\">Completed<"), "{run}");
    assert!(
        !run.contains("http-equiv=\"refresh\""),
        "a finished run does not reload"
    );
    let history = op.get_html("/admin/bill-runs").await;
    assert!(history.contains("2026-11") && history.contains("Completed"));

    // The invoice is listed, filtered by status and date, with its customer.
    let inv = invoice_id_of(&app, &ada);
    let list = op
        .get_html("/admin/invoices?status=Open&from=2026-11-01&to=2026-11-30")
        .await;
    assert!(
        list.contains(&inv) && list.contains("Ada Lovelace"),
        "{list}"
    );
    let none = op.get_html("/admin/invoices?status=Paid").await;
    assert!(!none.contains(&inv) && none.contains("No invoices match."));

    // Detail and printable page.
    let detail = op.get_html(&format!("/admin/invoices/{inv}")).await;
    assert!(
        detail.contains("Fiber 500") && detail.contains("Static IP"),
        "{detail}"
    );
    let print = op.get_html(&format!("/admin/invoices/{inv}/print")).await;
    for text in [
        "Northwind Fiber Ltd",
        "12 Harbour Road",
        "Tax ID GB123456789",
        "Ada Lovelace",
        "INV-2026-000001",
        "Tax 20 %",
        "USD 10.99",
        "2026-12-10",
    ] {
        assert!(
            print.contains(text),
            "printable invoice shows {text}: {print}"
        );
    }
    assert!(
        !print.contains("Main\""),
        "no navigation on the printed page"
    );

    // Too much: the form comes back with the input and a message beside the amount.
    let pay = format!("/admin/invoices/{inv}/payments");
    let res = op
        .post(
            &pay,
            &pay,
            &[("amount", "500"), ("method", "Card"), ("reference", "R-77")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"e-amount\""), "{html}");
    assert!(html.contains("is more than the amount due"), "{html}");
    assert!(html.contains("value=\"500\"") && html.contains("value=\"R-77\""));
    assert!(html.contains("<option value=\"Card\" selected>"));
    assert_eq!(count("SELECT COUNT(*) FROM payments"), 0);

    // The form offers today's date; a date in the future is refused beside the field.
    let form = op.get_html(&pay).await;
    assert!(
        form.contains("name=\"paidOn\" value=\"2026-11-26\""),
        "{form}"
    );
    let res = op
        .post(
            &pay,
            &pay,
            &[
                ("amount", "5"),
                ("method", "Cash"),
                ("paidOn", "2026-11-27"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"e-paidOn\"") && html.contains("is in the future"),
        "{html}"
    );
    assert_eq!(count("SELECT COUNT(*) FROM payments"), 0);

    // Part (entered a day late, dated the day it was paid), then the rest (today): the invoice
    // is Paid and the customer owes nothing.
    let res = op
        .post(
            &pay,
            &pay,
            &[
                ("amount", "5"),
                ("method", "Cash"),
                ("paidOn", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let paid_at: String = app
        .sql()
        .query_row("SELECT paid_at FROM payments", [], |r| r.get(0))
        .unwrap();
    assert!(paid_at.starts_with("2026-11-25T12:00:00"), "{paid_at}");
    let detail = op.get_html(&format!("/admin/invoices/{inv}")).await;
    assert!(detail.contains("id=\"invoice-status\">Open<"), "{detail}");
    assert!(detail.contains("Payment of USD 5.00 recorded"));
    let res = op
        .post(&pay, &pay, &[("amount", "5.99"), ("method", "Cash")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let detail = op.get_html(&format!("/admin/invoices/{inv}")).await;
    assert!(detail.contains("id=\"invoice-status\">Paid<"), "{detail}");
    assert!(!detail.contains("id=\"record-payment\""));
    let customer = op.get_html(&format!("/admin/customers/{ada}")).await;
    assert!(
        customer.contains("id=\"balance-due\">USD 0.00<"),
        "{customer}"
    );
    assert!(customer.contains("INV-2026-000001") && customer.contains("USD 5.99"));
    let dashboard = op.get_html("/admin/").await;
    assert!(
        dashboard.contains("id=\"stat-open\">USD 0.00<"),
        "{dashboard}"
    );
}

#[tokio::test]
async fn a_bad_period_or_one_before_its_bill_day_is_explained_beside_the_field() {
    let app = app_with_operator_details().await;
    let op = user_with_role(&app, "otto", Role::Operator).await;
    let res = op.get("/admin/bill-runs/preview?period=2026-13").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("id=\"e-period\""));
    // December can be previewed on 26 November, not run.
    let preview = op.get_html("/admin/bill-runs/preview?period=2026-12").await;
    assert!(!preview.contains("id=\"start-run\""));
    assert!(
        preview.contains("billed on its bill day, 2026-12-01"),
        "{preview}"
    );
    let res = op
        .post(
            "/admin/bill-runs",
            "/admin/bill-runs",
            &[("period", "2026-12")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"e-period\"") && html.contains("before its bill day"),
        "{html}"
    );
}

#[tokio::test]
async fn an_invoice_is_cancelled_with_a_reason_after_confirming() {
    let app = app_with_operator_details().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await;
    let op = user_with_role(&app, "otto", Role::Operator).await;
    run_from_ui(&op, "2026-11").await;
    let inv = invoice_id_of(&app, &ada);
    let cancel = format!("/admin/invoices/{inv}/cancel");
    let confirm = op.get_html(&cancel).await;
    assert!(confirm.contains("This cannot be undone"));
    let res = op.post(&cancel, &cancel, &[("reason", "  ")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"e-reason\"") && html.contains("must not be empty"),
        "{html}"
    );
    let res = op
        .post(&cancel, &cancel, &[("reason", "Signed up by mistake")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let detail = op.get_html(&format!("/admin/invoices/{inv}")).await;
    assert!(detail.contains("id=\"invoice-status\">Cancelled<"));
    assert!(
        detail.contains("Cancelled by otto on 2026-11-26 ")
            && detail.contains(": Signed up by mistake"),
        "{detail}"
    );
    // Nothing more to do with it: a stale link leads back to the invoice, which says why.
    let invoice_page = format!("/admin/invoices/{inv}");
    let res = op.get(&cancel).await;
    assert_eq!(location(&res), invoice_page);
    let pay = format!("/admin/invoices/{inv}/payments");
    let res = op.get(&pay).await;
    assert_eq!(location(&res), invoice_page);
    assert!(
        op.get_html(&invoice_page)
            .await
            .contains("is cancelled and takes no more payments")
    );
}

#[tokio::test]
async fn the_new_forms_refuse_a_post_without_the_csrf_token() {
    let app = app_with_operator_details().await;
    let cat = catalog(&app);
    let ada = id(
        &app.create_individual("Ada", "Lovelace").await,
        "customerId",
    );
    subscribe(&app, &ada, &cat.fiber, "2026-11-26", &[]).await;
    crate::billing::bill(&app, "2026-11").await;
    let inv = invoice_id_of(&app, &ada);
    let op = user_with_role(&app, "otto", Role::Operator).await;
    for (path, fields) in [
        ("/admin/bill-runs".to_owned(), vec![("period", "2026-11")]),
        (
            format!("/admin/invoices/{inv}/payments"),
            vec![("amount", "1"), ("method", "Cash")],
        ),
        (
            format!("/admin/invoices/{inv}/cancel"),
            vec![("reason", "x")],
        ),
    ] {
        let res = op.post_raw(&path, &fields).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path}");
        assert!(res.text().await.unwrap().contains("Form expired"));
    }
    let state: (String, i64, i64) = app
        .sql()
        .query_row(
            "SELECT status, (SELECT COUNT(*) FROM payments), (SELECT COUNT(*) FROM bill_runs) \
             FROM invoices",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(state, ("Open".to_owned(), 0, 1));
}

#[tokio::test]
async fn a_running_bill_run_page_reloads_itself_until_it_finishes() {
    let app = app_with_operator_details().await;
    let op = user_with_role(&app, "otto", Role::Operator).await;
    // A run cut off mid-way is on record as Running until start-up or a rerun marks it.
    let run_id = "brn_01JAAAAAAAAAAAAAAAAAAAAAAA";
    app.sql()
        .execute(
            "INSERT INTO bill_runs (id, period, status, trigger, invoice_date, started_at, \
             invoices_created) VALUES (?1, '2026-11', 'Running', 'Api', '2026-11-26', \
             '2026-11-26T10:00:00.000Z', 1200)",
            [run_id],
        )
        .unwrap();
    let html = op.get_html(&format!("/admin/bill-runs/{run_id}")).await;
    assert!(
        html.contains("<meta http-equiv=\"refresh\" content=\"2\">"),
        "{html}"
    );
    assert!(html.contains("1,200 invoices created"), "{html}");
    app.sql()
        .execute(
            "UPDATE bill_runs SET status = 'Completed', finished_at = started_at",
            [],
        )
        .unwrap();
    let html = op.get_html(&format!("/admin/bill-runs/{run_id}")).await;
    assert!(!html.contains("http-equiv=\"refresh\""));
    assert!(html.contains("id=\"run-status\">Completed<"));
}
