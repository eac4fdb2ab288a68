//! A webhook receiver for the tests: an HTTP server on a loopback port that records every
//! delivery and answers as the test tells it to (a status, or no answer at all), and can be
//! stopped and started again on the same port to play a receiver that is down for a while.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// How the receiver answers.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    Status(u16),
    /// Holds the request without answering (for `hold` seconds).
    Hang(u64),
}

#[derive(Clone)]
struct Shared {
    got: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<Answer>>,
}

pub struct Receiver {
    pub port: u16,
    shared: Shared,
    server: Option<actix_web::dev::ServerHandle>,
}

async fn receive(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let answer = *shared.answer.lock().unwrap();
    if let Answer::Hang(secs) = answer {
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
    shared.got.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: body.to_vec(),
    });
    match answer {
        Answer::Status(s) => HttpResponse::build(actix_web::http::StatusCode::from_u16(s).unwrap())
            .insert_header(("location", "http://127.0.0.1:9/elsewhere"))
            .finish(),
        Answer::Hang(_) => HttpResponse::Ok().finish(),
    }
}

impl Receiver {
    pub async fn start(answer: Answer) -> Receiver {
        let mut r = Receiver::stopped(0, answer);
        r.up().await;
        r
    }

    /// A receiver that will listen on `port` once [`Receiver::up`] is called (connections to it
    /// are refused until then).
    pub fn stopped(port: u16, answer: Answer) -> Receiver {
        Receiver {
            port,
            shared: Shared {
                got: Arc::default(),
                answer: Arc::new(Mutex::new(answer)),
            },
            server: None,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks", self.port)
    }

    /// Starts serving (again, on the same port once it has one).
    pub async fn up(&mut self) {
        let shared = self.shared.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", self.port))
        .expect("receiver binds")
        .shutdown_timeout(0);
        self.port = server.addrs()[0].port();
        let server = server.run();
        self.server = Some(server.handle());
        tokio::spawn(server);
    }

    /// Stops answering at all: connections are refused until [`Receiver::up`].
    pub async fn down(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop(false).await;
        }
    }

    pub fn answer(&self, answer: Answer) {
        *self.shared.answer.lock().unwrap() = answer;
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.got.lock().unwrap().clone()
    }

    /// Waits (at most `secs`) until `done` holds for what was received; returns what was.
    pub async fn wait_for(&self, secs: u64, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.received();
            if done(&got) || std::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Checks a delivery's signature as the Standard Webhooks specification defines it.
pub fn signature_is_valid(secret: &str, r: &Received) -> bool {
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 secret");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", r.id, r.timestamp).as_bytes());
    mac.update(&r.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    r.signature
        .split(' ')
        .any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}
