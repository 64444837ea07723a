//! Per-attempt timeout as a tower layer (optional, so paused-clock tests can run without timers).
//! A probe (the licence handshake) gets the shorter of its own timeout and the configured one.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tower::{Layer, Service};

use super::{HttpRequest, HttpResponse};
use crate::error::Error;

#[derive(Debug, Clone)]
pub(crate) struct TimeoutLayer {
    after: Option<Duration>,
}

impl TimeoutLayer {
    pub(crate) fn new(after: Option<Duration>) -> Self {
        TimeoutLayer { after }
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;
    fn layer(&self, inner: S) -> Timeout<S> {
        Timeout {
            inner,
            after: self.after,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Timeout<S> {
    inner: S,
    after: Option<Duration>,
}

impl<S> Service<HttpRequest> for Timeout<S>
where
    S: Service<HttpRequest, Response = HttpResponse, Error = Error>,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let after = match (self.after, req.probe) {
            (Some(after), Some(probe)) => Some(after.min(probe)),
            (after, _) => after,
        };
        let fut = self.inner.call(req);
        Box::pin(async move {
            match after {
                Some(after) => tokio::time::timeout(after, fut)
                    .await
                    .unwrap_or(Err(Error::Timeout { after, attempts: 1 })),
                None => fut.await,
            }
        })
    }
}
