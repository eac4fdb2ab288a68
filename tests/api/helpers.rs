//! Starting a real server for a test, and typed helpers to talk to it.

use chrono::NaiveDate;
use edgebss::config::Settings;
use edgebss::domain::clock::Clock;
use edgebss::domain::scope::ScopeSet;
use edgebss::routes::state::AppState;
use edgebss::startup::Application;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;

/// A server running for one test. Dropping it deletes its data folder.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Clock,
    pub state: actix_web::web::Data<AppState>,
    pub data_dir: TempDir,
    /// The test client (every scope) whose token `request()` sends.
    pub client_id: String,
    pub client_secret: String,
    pub token: String,
}

/// Which credentials a request carries.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// No `Authorization` header.
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(&'a str),
    /// An `Authorization` header exactly as given.
    Header(&'a str),
}

/// The date test servers start at, unless a test moves the clock.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server after `adjust` has changed its settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings {
        bind: "127.0.0.1:0".parse().expect("address"),
        data_dir: data_dir.path().to_path_buf(),
        ..Default::default()
    };
    settings.log.level = "warn".into();
    // Tests run the background jobs themselves (`edgebss::jobs::run_once`) after moving the
    // clock, so a round never races what a test arranges.
    settings.billing.jobs = false;
    adjust(&mut settings);
    let clock = Clock::system(settings.timezone().expect("timezone"));
    clock.set_date(today());
    let app = Application::build_with_clock(settings, clock.clone())
        .await
        .expect("application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    // The server starts when its task is first polled: wait until it answers, so a test may
    // block its thread (e.g. on a child process) right away.
    for _ in 0..200 {
        if client
            .get(format!("{address}/healthz"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mut app = TestApp {
        address,
        client,
        clock,
        state,
        data_dir,
        client_id: String::new(),
        client_secret: String::new(),
        token: String::new(),
    };
    let (id, secret) = app.create_client("test suite", "all").await;
    app.token = app.token_with_secret(&id, &secret, None).await;
    app.client_id = id;
    app.client_secret = secret;
    app
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Moves the server's clock to the start of `date` and takes a new token, since the one
    /// held may have expired on the new clock.
    pub async fn move_clock(&mut self, date: NaiveDate) {
        self.clock.set_date(date);
        self.token = self
            .token_with_secret(&self.client_id, &self.client_secret, None)
            .await;
    }

    /// Every API call of a test goes through here, so what all requests need (credentials)
    /// is added in one place.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.request_as(method, path, Auth::Bearer(&self.token))
    }

    /// A request with other credentials than the test client's token (or none).
    pub fn request_as(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: Auth<'_>,
    ) -> reqwest::RequestBuilder {
        let req = self.client.request(method, self.url(path));
        match auth {
            Auth::None => req,
            Auth::Bearer(token) => req.bearer_auth(token),
            Auth::Header(value) => req.header("authorization", value),
        }
    }

    /// Creates an API client in this process (its tokens work at once) with scopes given as
    /// `--scopes` takes them (`all`, or comma-separated); returns its id and secret.
    pub async fn create_client(&self, name: &str, scopes: &str) -> (String, String) {
        let scopes = if scopes == "all" {
            ScopeSet::all()
        } else {
            ScopeSet::parse("scopes", scopes).expect("known scopes")
        };
        let created = edgebss::service::clients::create(
            &self.state.db,
            &self.clock,
            &edgebss::domain::origin::Origin::cli(),
            Some(&self.state.auth),
            name,
            scopes,
        )
        .await
        .expect("client created");
        (created.client.client_id, created.client_secret)
    }

    /// `POST /oauth/token` with a form body and, when given, HTTP Basic credentials.
    pub async fn token_request(
        &self,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Response {
        let req = self.request_as(reqwest::Method::POST, "/oauth/token", Auth::None);
        send_token_request(req, form, basic).await
    }

    /// [`TestApp::token_request`] from another loopback source address (e.g. 127.0.0.2), as if
    /// from another machine.
    pub async fn token_request_from(
        &self,
        source: std::net::IpAddr,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Response {
        let client = reqwest::Client::builder()
            .local_address(source)
            .build()
            .expect("client");
        let req = client.post(self.url("/oauth/token"));
        send_token_request(req, form, basic).await
    }

    /// A token for a client, asking for `scope` (all the client's scopes when `None`).
    pub async fn token_with_secret(&self, id: &str, secret: &str, scope: Option<&str>) -> String {
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let res = self.token_request(&form, Some((id, secret))).await;
        assert_eq!(res.status(), StatusCode::OK, "token request refused");
        let body: Value = res.json().await.expect("token json");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// A token of a new client allowed exactly `scopes`.
    pub async fn token_for(&self, scopes: &str) -> String {
        let (id, secret) = self.create_client("scoped", scopes).await;
        self.token_with_secret(&id, &secret, None).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.request(reqwest::Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> Response {
        self.request(reqwest::Method::PATCH, path)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    /// Creates an Individual customer and returns its JSON.
    pub async fn create_individual(&self, first: &str, last: &str) -> Value {
        let res = self
            .post_json(
                "/v1/customers",
                &json!({
                    "customerType": "Individual",
                    "firstName": first,
                    "lastName": last,
                    "email": format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
                }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.expect("customer json")
    }

    /// A read-write connection to the test server's database, for arranging rows the API cannot
    /// create (yet) and for checking what is stored.
    pub fn sql(&self) -> rusqlite::Connection {
        let conn =
            rusqlite::Connection::open(self.data_dir.path().join("edgebss.db")).expect("open db");
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .expect("busy timeout");
        conn
    }

    /// Adds a product straight to the catalog and returns its id.
    pub fn insert_product(
        &self,
        name: &str,
        product_type: &str,
        cents: i64,
        status: &str,
    ) -> String {
        let id = format!("prd_{}", ulid_like(name));
        self.sql()
            .execute(
                "INSERT INTO products (id, name, product_type, monthly_price, currency, status, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, 'USD', ?5, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                rusqlite::params![id, name, product_type, cents, status],
            )
            .expect("insert product");
        id
    }
}

async fn send_token_request(
    mut req: reqwest::RequestBuilder,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> Response {
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    req.header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("request sent")
}

/// A valid, unique ULID string derived from nothing in particular (tests need many ids).
pub fn ulid_like(_seed: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut s = String::from("01J");
    let mut v = n;
    let mut tail = Vec::new();
    for _ in 0..23 {
        tail.push(ALPHABET[(v % 32) as usize] as char);
        v /= 32;
    }
    s.extend(tail.into_iter().rev());
    s
}

pub async fn assert_error(res: Response, status: StatusCode, code: &str, mentions: &str) -> Value {
    assert_eq!(res.status(), status, "unexpected status");
    let body: Value = res.json().await.expect("error body is JSON");
    assert_eq!(body["code"], code, "{body}");
    let message = body["message"].as_str().expect("message is a string");
    assert!(
        message.contains(mentions),
        "message `{message}` should mention `{mentions}`"
    );
    body
}

/// A port on 127.0.0.1 no one listens on, for a server a test starts as a separate process.
///
/// Asking the system for port 0 and closing it is not enough: tests run in parallel, and the
/// same port can be handed to two of them before either server binds it; the second server
/// then fails to start and its test talks to the other one. Ports here come from one counter,
/// so this process never hands out a port twice; they lie below the range the system uses for
/// outgoing connections.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 10_000;
    const SPAN: u32 = 22_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id() % SPAN;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        assert!(n < SPAN, "no free port left for the tests");
        let port = u16::try_from(FIRST + (start + n) % SPAN).expect("below 32000");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}
