//! Talking to the admin UI as a browser would, without one: a cookie-keeping client that does
//! not follow redirects, and helpers to sign in and submit forms with their CSRF token.

use edgebss::domain::user::Role;
use edgebss::service::users;
use reqwest::{Response, StatusCode, header};

use crate::helpers::TestApp;

/// The password every test user ends up with.
pub const PASSWORD: &str = "correct horse battery staple";

pub struct UiClient<'a> {
    pub app: &'a TestApp,
    pub http: reqwest::Client,
}

/// The value of the first `name="_csrf"` field in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    let end = html[start..].find('"').expect("closing quote");
    html[start..start + end].to_owned()
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

impl<'a> UiClient<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self { app, http }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.app.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_html(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.text().await.expect("body")
    }

    /// Posts `fields` as a form, exactly as given (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.http
            .post(self.app.url(path))
            .form(fields)
            .send()
            .await
            .expect("request sent")
    }

    /// Posts `fields` with the CSRF token of the page at `form_page`.
    pub async fn post(&self, form_page: &str, path: &str, fields: &[(&str, &str)]) -> Response {
        let html = self.get(form_page).await.text().await.expect("body");
        let token = csrf_in(&html);
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Submits the sign-in form; returns the answer (303 on success).
    pub async fn sign_in(&self, username: &str, password: &str) -> Response {
        self.post(
            "/admin/login",
            "/admin/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/admin/"),
            ],
        )
        .await
    }

    /// Signs in with a generated password and replaces it with [`PASSWORD`].
    pub async fn first_sign_in(&self, username: &str, generated: &str) {
        let res = self.sign_in(username, generated).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/admin/password");
        let res = self
            .post(
                "/admin/password",
                "/admin/password",
                &[
                    ("current", generated),
                    ("new", PASSWORD),
                    ("confirm", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "password change accepted"
        );
    }
}

/// The first admin's generated password, as written to the data folder.
pub fn initial_admin_password(app: &TestApp) -> String {
    std::fs::read_to_string(app.data_dir.path().join(users::INITIAL_PASSWORD_FILE))
        .expect("initial password file")
        .trim()
        .to_owned()
}

/// A client signed in as the first admin (password already changed).
pub async fn admin(app: &TestApp) -> UiClient<'_> {
    let ui = UiClient::new(app);
    ui.first_sign_in("admin", &initial_admin_password(app))
        .await;
    ui
}

/// A client signed in as a new user with `role`.
pub async fn user_with_role<'a>(app: &'a TestApp, name: &str, role: Role) -> UiClient<'a> {
    let created = users::create(
        &app.state.db,
        &app.clock,
        &edgebss::domain::origin::Origin::cli(),
        name,
        role,
    )
    .await
    .expect("user created");
    let ui = UiClient::new(app);
    ui.first_sign_in(name, &created.password).await;
    ui
}
