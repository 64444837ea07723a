//! Ctrl-C and SIGTERM stop gracefully: the handler cancels a token that the sync engine, the
//! one-shot commands and service mode watch.

use tokio_util::sync::CancellationToken;

/// Cancels `cancel` at the first Ctrl-C or SIGTERM (from then on they no longer kill the
/// process): the engine stops and the unfinished sync is saved for the next run to resume, a
/// one-shot command stops waiting for the connector, service mode shuts down within its bound.
pub(crate) fn spawn_handler(cancel: CancellationToken) {
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(term) => term,
                    Err(_) => return,
                };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::warn!("interrupted: stopping");
        cancel.cancel();
    });
}
