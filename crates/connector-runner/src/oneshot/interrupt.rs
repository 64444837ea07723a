//! Ctrl-C and SIGTERM during a one-shot command, and what an interrupted call reports (exit 130).

use c1_connector_sdk::error::{Code, Error};
use c1_connector_sdk::ops::Operations;
use tokio_util::sync::CancellationToken;

use crate::cli::Cli;
use crate::exit::{Exit, Failure, Outcome};
use crate::program::{Connected, ConnectorProgram, Purpose};

/// Ctrl-C and SIGTERM during a one-shot command: the token they cancel (the operations stop
/// waiting for the connector and answer `Cancelled`), and whether this run installs the signal
/// handler (tests cancel the token themselves).
pub(crate) struct Interrupt {
    cancel: CancellationToken,
    on_signals: bool,
}

impl Interrupt {
    /// Interrupted by Ctrl-C or SIGTERM, once [`Interrupt::listen`] installed the handler.
    pub(crate) fn on_signals() -> Self {
        Interrupt {
            cancel: CancellationToken::new(),
            on_signals: true,
        }
    }

    /// The token an interruption cancels.
    pub(super) fn token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Interrupted when `cancel` is cancelled, and by nothing else.
    #[cfg(test)]
    pub(crate) fn by_token(cancel: CancellationToken) -> Self {
        Interrupt {
            cancel,
            on_signals: false,
        }
    }

    /// From here on, Ctrl-C and SIGTERM interrupt the command instead of ending the process.
    pub(super) fn listen(&self) {
        if self.on_signals {
            crate::signals::spawn_handler(self.cancel.clone());
        }
    }

    /// Listens, then builds the connector for `purpose`: its operations, stopped by this
    /// interruption.
    pub(super) async fn connect<P: ConnectorProgram>(
        &self,
        program: &P,
        cli: &Cli<P::Args>,
        purpose: Purpose,
    ) -> Result<Connection, Outcome> {
        self.listen();
        let connected = program.connect(&cli.connector, purpose).await?;
        let ops = Operations::new(connected.connector.clone()).with_cancel(self.cancel.clone());
        Ok(Connection {
            ops,
            _connected: connected,
        })
    }
}

/// A connector's operations, with what the program keeps alive while they run
/// ([`Connected::guard`], for example the embedded demo server): dropping the connection before
/// the command ends would leave the connector talking to nothing.
pub(super) struct Connection {
    ops: Operations,
    _connected: Connected,
}

impl std::ops::Deref for Connection {
    type Target = Operations;

    fn deref(&self) -> &Operations {
        &self.ops
    }
}

/// A connector call's result. A call the user interrupted (Ctrl-C / SIGTERM: the operations
/// answer `Cancelled`) ends with exit 130 and `interrupted`'s message, which says what state
/// that leaves.
pub(super) fn unless_interrupted<T>(
    cancel: &CancellationToken,
    interrupted: impl FnOnce() -> String,
    result: Result<T, Error>,
) -> Result<T, Outcome> {
    match result {
        Err(e) if e.code() == Code::Cancelled && cancel.is_cancelled() => {
            Err(Failure::new(Exit::Interrupted, interrupted()).into())
        }
        result => result.map_err(Outcome::from),
    }
}
