//! Roles: every write route of the admin UI refuses a role that may not use it, and changes
//! nothing; allowed roles get through.

use edgebss::domain::user::Role;
use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::ui_helpers::{UiClient, admin, csrf_in, user_with_role};

/// Every POST route of the UI except sign-in/out and one's own password, with a form that would
/// succeed for an allowed role, and the role it needs.
/// A POST route, the form it is sent, and the least role allowed to use it.
type WriteRoute = (String, Vec<(&'static str, String)>, Role);

/// What the routes act on: a customer, its subscription, a product, a user, and two open
/// invoices (one to pay, one to cancel).
struct Targets {
    customer: String,
    sub: String,
    product: String,
    user: i64,
    invoices: [String; 2],
}

fn write_routes(t: &Targets) -> Vec<WriteRoute> {
    let (customer, sub, product, user) = (&t.customer, &t.sub, &t.product, t.user);
    let [to_pay, to_cancel] = &t.invoices;
    let s = |v: &str| v.to_owned();
    vec![
        (
            s("/admin/customers"),
            vec![
                ("customerType", s("Individual")),
                ("firstName", s("Ann")),
                ("lastName", s("Lee")),
                ("email", s("ann@example.com")),
            ],
            Role::Operator,
        ),
        (
            format!("/admin/customers/{customer}/edit"),
            vec![("email", s("new@example.com"))],
            Role::Operator,
        ),
        (
            format!("/admin/customers/{customer}/subscriptions"),
            vec![("productId", s(product)), ("startDate", s("2026-11-26"))],
            Role::Operator,
        ),
        (
            format!("/admin/subscriptions/{sub}/status"),
            vec![("action", s("suspend"))],
            Role::Operator,
        ),
        (
            format!("/admin/customers/{customer}/status"),
            vec![("action", s("suspend"))],
            Role::Operator,
        ),
        (
            s("/admin/catalog"),
            vec![
                ("productName", s("Fiber 2G")),
                ("productType", s("Broadband")),
                ("monthlyPrice", s("50")),
                ("currency", s("USD")),
            ],
            Role::Admin,
        ),
        (
            format!("/admin/catalog/{product}/edit"),
            vec![
                ("productName", s("Fiber X")),
                ("productType", s("Broadband")),
                ("monthlyPrice", s("60")),
                ("currency", s("USD")),
            ],
            Role::Admin,
        ),
        (
            format!("/admin/catalog/{product}/discontinue"),
            vec![],
            Role::Admin,
        ),
        (
            s("/admin/users"),
            vec![("username", s("newbie")), ("role", s("viewer"))],
            Role::Admin,
        ),
        (
            format!("/admin/users/{user}/role"),
            vec![("role", s("operator"))],
            Role::Admin,
        ),
        (format!("/admin/users/{user}/disable"), vec![], Role::Admin),
        (format!("/admin/users/{user}/enable"), vec![], Role::Admin),
        (
            format!("/admin/users/{user}/reset-password"),
            vec![],
            Role::Admin,
        ),
        (
            s("/admin/bill-runs"),
            vec![("period", s("2026-11"))],
            Role::Operator,
        ),
        (
            format!("/admin/invoices/{to_pay}/payments"),
            vec![("amount", s("1.00")), ("method", s("Cash"))],
            Role::Operator,
        ),
        (
            format!("/admin/invoices/{to_cancel}/cancel"),
            vec![("reason", s("Billed by mistake"))],
            Role::Operator,
        ),
    ]
}

/// The form pages behind those writes (GET), which a role without the right is refused too.
fn write_pages(t: &Targets) -> Vec<(String, Role)> {
    let (customer, sub, product, user) = (&t.customer, &t.sub, &t.product, t.user);
    let [to_pay, to_cancel] = &t.invoices;
    vec![
        (
            "/admin/bill-runs/preview?period=2026-11".to_owned(),
            Role::Operator,
        ),
        (format!("/admin/invoices/{to_pay}/payments"), Role::Operator),
        (
            format!("/admin/invoices/{to_cancel}/cancel"),
            Role::Operator,
        ),
        ("/admin/customers/new".to_owned(), Role::Operator),
        (format!("/admin/customers/{customer}/edit"), Role::Operator),
        (
            format!("/admin/customers/{customer}/status?to=terminate"),
            Role::Operator,
        ),
        (
            format!("/admin/customers/{customer}/subscriptions/new"),
            Role::Operator,
        ),
        (
            format!("/admin/subscriptions/{sub}/status?to=cancel"),
            Role::Operator,
        ),
        ("/admin/catalog/new".to_owned(), Role::Admin),
        (format!("/admin/catalog/{product}/edit"), Role::Admin),
        (format!("/admin/catalog/{product}/discontinue"), Role::Admin),
        ("/admin/users".to_owned(), Role::Admin),
        ("/admin/users/new".to_owned(), Role::Admin),
        (format!("/admin/users/{user}/reset-password"), Role::Admin),
    ]
}

/// Everything the routes touch, to prove a refused request changed nothing.
fn snapshot(app: &crate::helpers::TestApp) -> String {
    let conn = app.sql();
    let q = |sql: &str| -> String {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
            .join("|")
    };
    [
        q("SELECT id || status || email FROM customers ORDER BY seq"),
        q("SELECT id || status FROM subscriptions ORDER BY seq"),
        q("SELECT id || name || status || monthly_price FROM products ORDER BY seq"),
        q("SELECT username || role || disabled || password_hash FROM users ORDER BY id"),
        q("SELECT id || status || amount_paid FROM invoices ORDER BY seq"),
        q("SELECT id FROM payments ORDER BY seq"),
        q("SELECT id || status FROM bill_runs ORDER BY seq"),
    ]
    .join("\n")
}

async fn subscribe(app: &crate::helpers::TestApp, customer: &str, product: &str) -> String {
    let res = app
        .post_json(
            &format!("/v1/customers/{customer}/subscriptions"),
            &serde_json::json!({"productId": product, "startDate": "2026-11-26"}),
        )
        .await;
    res.json::<serde_json::Value>().await.unwrap()["subscriptionId"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn arrange(app: &crate::helpers::TestApp) -> Targets {
    let id = |v: serde_json::Value| v["customerId"].as_str().unwrap().to_owned();
    let customer = id(app.create_individual("Ada", "Lovelace").await);
    let other = id(app.create_individual("Bob", "Babbage").await);
    let product = app.insert_product("Fiber 1G", "Broadband", 4999, "Active");
    let sub = subscribe(app, &customer, &product).await;
    subscribe(app, &other, &product).await;
    let run = crate::billing::bill(app, "2026-11").await;
    assert_eq!(run["invoicesCreated"], 2);
    let invoice_of = |c: &str| -> String {
        app.sql()
            .query_row("SELECT id FROM invoices WHERE customer_id = ?1", [c], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let target = edgebss::service::users::create(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        "target",
        Role::Viewer,
    )
    .await
    .unwrap();
    Targets {
        invoices: [invoice_of(&customer), invoice_of(&other)],
        customer,
        sub,
        product,
        user: target.user.id,
    }
}

async fn check_refusals(ui: &UiClient<'_>, app: &crate::helpers::TestApp, role: Role) {
    let targets = arrange(app).await;
    // Any page gives this user's CSRF token: the refusal must come from the role, not the token.
    let token = csrf_in(&ui.get_html("/admin/").await);
    let before = snapshot(app);
    let mut refused = 0;
    for (path, fields, needs) in write_routes(&targets) {
        if role.allows(needs) {
            continue;
        }
        let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let res = ui.post_raw(&path, &form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role} POST {path}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!("Your role ({role}) cannot do this")),
            "{html}"
        );
        refused += 1;
    }
    for (path, needs) in write_pages(&targets) {
        if !role.allows(needs) {
            assert_eq!(
                ui.get(&path).await.status(),
                StatusCode::FORBIDDEN,
                "{role} GET {path}"
            );
        }
    }
    assert!(refused > 0);
    assert_eq!(snapshot(app), before, "a refused request changed nothing");
}

#[tokio::test]
async fn a_viewer_is_refused_every_write_route() {
    let app = spawn_app().await;
    let ui = user_with_role(&app, "vera", Role::Viewer).await;
    check_refusals(&ui, &app, Role::Viewer).await;
    // Reading is fine.
    assert_eq!(ui.get("/admin/customers").await.status(), StatusCode::OK);
    assert!(
        !ui.get_html("/admin/customers")
            .await
            .contains("New customer")
    );
}

#[tokio::test]
async fn an_operator_is_refused_the_admin_only_routes() {
    let app = spawn_app().await;
    let ui = user_with_role(&app, "otto", Role::Operator).await;
    check_refusals(&ui, &app, Role::Operator).await;
}

#[tokio::test]
async fn allowed_roles_get_through_every_write_route() {
    let app = spawn_app().await;
    let ui = admin(&app).await;
    let op = user_with_role(&app, "otto", Role::Operator).await;
    let targets = arrange(&app).await;
    for (path, fields, needs) in write_routes(&targets) {
        let client = if needs == Role::Operator { &op } else { &ui };
        let token = csrf_in(&client.get_html("/admin/").await);
        let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let res = client.post_raw(&path, &form).await;
        assert!(
            res.status().is_success() || res.status() == StatusCode::SEE_OTHER,
            "{needs} POST {path}: {}",
            res.status()
        );
    }
}
