//! Every request body must arrive within `http.body_timeout_seconds` of its request's head.
//!
//! actix-web limits the time to receive a request's head (`client_request_timeout`, 5 s) but not
//! its body: a client sending a form one byte a second held its connection, and the file it
//! uses, for ever, and about a thousand such clients stopped the server accepting connections.
//!
//! This middleware, wrapped around every route, hands the extractors a body that fails once the
//! time is up; the request is then answered `408 Request Timeout` whatever the handler made of
//! the failure. A body still arriving when the answer is sent (unread, or cut off) is held until
//! the answer has gone out, so the HTTP/1 dispatcher closes the connection rather than read the
//! rest of the body, which for a chunked body it would do without limit.

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::Stream;

use super::state::AppState;

/// How far a request's body has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    Arriving,
    Complete,
    TimedOut,
}

/// The body as it comes from the connection, shared by the stream the extractors read and the
/// middleware, which outlives them.
struct Body {
    payload: RefCell<Payload>,
    progress: Cell<Progress>,
}

/// What the extractors read: the body, until the deadline.
struct Deadline {
    body: Rc<Body>,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match this.body.progress.get() {
            Progress::Complete => return Poll::Ready(None),
            Progress::TimedOut => return Poll::Ready(Some(Err(timed_out_error()))),
            Progress::Arriving => {}
        }
        // The deadline first: a body trickling in steadily is always ready with another byte.
        if this.timer.as_mut().poll(cx).is_ready() {
            this.body.progress.set(Progress::TimedOut);
            return Poll::Ready(Some(Err(timed_out_error())));
        }
        let polled = Pin::new(&mut *this.body.payload.borrow_mut()).poll_next(cx);
        if let Poll::Ready(None) = polled {
            this.body.progress.set(Progress::Complete);
        }
        polled
    }
}

fn timed_out_error() -> PayloadError {
    PayloadError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "the request body did not arrive in time",
    ))
}

/// An answer's body that keeps the request's unfinished body alive until it has been sent.
pub struct HoldingBody {
    answer: BoxBody,
    _request_body: Rc<Body>,
}

impl MessageBody for HoldingBody {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.answer.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.answer).poll_next(cx)
    }
}

/// The middleware (see the module's documentation).
pub async fn enforce<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B, HoldingBody>>, actix_web::Error> {
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map(|s| Duration::from_secs(s.settings.http.body_timeout_seconds));
    let payload = req.take_payload();
    let (Some(limit), false) = (limit, matches!(payload, Payload::None)) else {
        // No body (an HTTP/1 request without Content-Length or chunked encoding): nothing to time.
        req.set_payload(payload);
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let body = Rc::new(Body {
        payload: RefCell::new(payload),
        progress: Cell::new(Progress::Arriving),
    });
    let deadline = Deadline {
        body: Rc::clone(&body),
        timer: Box::pin(tokio::time::sleep(limit)),
    };
    req.set_payload(Payload::Stream {
        payload: Box::pin(deadline),
    });
    let res = next.call(req).await?;
    match body.progress.get() {
        Progress::Complete => Ok(res.map_into_left_body()),
        Progress::Arriving => Ok(res
            .map_into_boxed_body()
            .map_body(|_, answer| HoldingBody {
                answer,
                _request_body: body,
            })
            .map_into_right_body()),
        Progress::TimedOut => {
            let (req, _) = res.into_parts();
            tracing::info!(
                limit_seconds = limit.as_secs(),
                "a request body did not arrive in time; answered 408 and closed the connection"
            );
            let answer = timed_out(&req, limit).map_into_boxed_body();
            Ok(ServiceResponse::new(req, answer)
                .map_body(|_, answer| HoldingBody {
                    answer,
                    _request_body: body,
                })
                .map_into_right_body())
        }
    }
}

/// `408`: JSON `{code, message}` for the API, a short page for the admin UI; the connection is
/// closed after it.
fn timed_out(req: &HttpRequest, limit: Duration) -> HttpResponse {
    let secs = limit.as_secs();
    let mut res = if req.path().starts_with("/admin") {
        HttpResponse::RequestTimeout()
            .content_type("text/html; charset=utf-8")
            .body(format!(
                "<!doctype html><html lang=\"en\"><title>Request timed out</title>\
                 <h1>Request timed out</h1><p>The form did not arrive within {secs} seconds. \
                 Go back and send it again.</p></html>"
            ))
    } else {
        HttpResponse::RequestTimeout().json(serde_json::json!({
            "code": "request_timeout",
            "message": format!("the request body did not arrive within {secs} seconds"),
        }))
    };
    res.head_mut().set_connection_type(ConnectionType::Close);
    res
}
