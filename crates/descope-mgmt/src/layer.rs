//! Your own tower layers around every HTTP attempt ([`crate::ClientBuilder::with_layer`]).
//!
//! The client's stack, outermost first:
//!
//! ```text
//! concurrency limit → retry → rate limiter → per-attempt timeout
//!     → request building (URL, headers, key) → YOUR LAYERS → reqwest
//! ```
//!
//! Your layers sit **per attempt**, inside the retry layer and the rate limiter: they see every
//! HTTP attempt (a request retried twice passes through them three times), each one already
//! counted against Descope's rate-limit window, and within the per-attempt timeout. They work on
//! standard types from the `http` crate: an `http::Request<Bytes>` with the full URL and every
//! header (including `Authorization`, marked sensitive so its `Debug` shows nothing), and the
//! whole `http::Response<Bytes>` (the body already read, within the size cap). What a layer
//! does to the response is what the client then interprets: a status it changes is the status
//! the client sees.
//!
//! A layer's error type is [`BoxError`]. Errors from the client's own sending pass through as
//! boxed [`crate::Error`]s and keep their meaning; any other error a layer returns becomes an
//! [`crate::Error::Transport`] that names the layer as the cause (retried like a dropped
//! connection: only for requests that are harmless to repeat).
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use descope_mgmt::Client;
//! use descope_mgmt::layer::{bytes, http};
//!
//! let attempts = Arc::new(AtomicU64::new(0));
//! let counter = attempts.clone();
//! let client = Client::builder()
//!     .credentials("P2abc:K2secret")?
//!     // Adds a header to every attempt.
//!     .with_layer(tower::util::MapRequestLayer::new(|mut req: http::Request<bytes::Bytes>| {
//!         req.headers_mut().insert("x-request-source", http::HeaderValue::from_static("nightly-sync"));
//!         req
//!     }))
//!     // Counts attempts.
//!     .with_layer(tower::util::MapRequestLayer::new(move |req: http::Request<bytes::Bytes>| {
//!         counter.fetch_add(1, Ordering::Relaxed);
//!         req
//!     }))
//!     .build()?;
//! # Ok::<(), descope_mgmt::Error>(())
//! ```

use bytes::Bytes;
use tower::util::BoxCloneSyncService;

/// Re-exported so layers can name the request and response types in the versions this crate
/// uses.
pub use {bytes, http};

/// The error type of the per-attempt services.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The service a layer added with [`crate::ClientBuilder::with_layer`] wraps, and must itself
/// be turned into: one HTTP attempt, from a standard request to the whole response.
pub type LayerService = BoxCloneSyncService<http::Request<Bytes>, http::Response<Bytes>, BoxError>;

/// A layer waiting to be applied when the client is built.
pub(crate) type PendingLayer = Box<dyn FnOnce(LayerService) -> LayerService + Send + Sync>;

/// Wraps `inner` in `layers`, the first added outermost (as `tower::ServiceBuilder` does).
pub(crate) fn apply(inner: LayerService, layers: Vec<PendingLayer>) -> LayerService {
    layers
        .into_iter()
        .rev()
        .fold(inner, |svc, layer| layer(svc))
}
