//! A test program over any connector, and a runner that captures what a command prints.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use c1_connector_sdk::connector::Connector;
use clap::{CommandFactory, FromArgMatches};
use tokio_util::sync::CancellationToken;

use crate::cli::Cli;
use crate::exit::Failure;
use crate::exit::Outcome;
use crate::oneshot::{Interrupt, Io, OneShot, run};
use crate::program::{Connected, ConnectorProgram, Purpose};

/// The test program has no flags of its own.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct NoArgs {}

/// A program whose connector is `connector`; it records every `connect`.
pub(super) struct Program {
    connector: Arc<dyn Connector>,
    pub(super) connects: Mutex<Vec<Purpose>>,
}

impl Program {
    pub(super) fn new(connector: impl Connector + 'static) -> Self {
        Program {
            connector: Arc::new(connector),
            connects: Mutex::new(Vec::new()),
        }
    }

    pub(super) fn connects(&self) -> Vec<Purpose> {
        self.connects.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl ConnectorProgram for Program {
    type Args = NoArgs;

    fn name(&self) -> &'static str {
        "baton-test"
    }

    async fn connect(&self, _: &NoArgs, purpose: Purpose) -> Result<Connected, Failure> {
        if let Ok(mut c) = self.connects.lock() {
            c.push(purpose);
        }
        Ok(Connected::new(self.connector.clone(), "test"))
    }
}

/// What a command did.
#[derive(Debug)]
pub(super) struct Ran {
    pub(super) code: u8,
    pub(super) out: String,
    pub(super) err: String,
}

impl Ran {
    /// The non-empty lines of standard output.
    pub(super) fn out_lines(&self) -> Vec<&str> {
        self.out.lines().filter(|l| !l.is_empty()).collect()
    }
}

/// Runs `args` (after the program name) as `run` would, capturing both streams.
pub(super) async fn exec(program: &Program, args: &[&str]) -> Ran {
    exec_with(program, args, &CancellationToken::new(), &mut Vec::new()).await
}

/// Like [`exec`], with a cancellation token and a writer standing for standard output.
pub(super) async fn exec_with(
    program: &Program,
    args: &[&str],
    cancel: &CancellationToken,
    out: &mut (dyn std::io::Write + Send),
) -> Ran {
    let mut err = Vec::new();
    let mut captured = Vec::new();
    let code = {
        let argv = std::iter::once("baton-test").chain(args.iter().copied());
        let parsed = Cli::<NoArgs>::command()
            .try_get_matches_from(argv)
            .and_then(|m| Cli::<NoArgs>::from_arg_matches(&m));
        match parsed {
            Err(e) => {
                err.extend_from_slice(e.to_string().as_bytes());
                if e.use_stderr() { 2 } else { 0 }
            }
            Ok(cli) => match OneShot::from_args(&cli.baton) {
                Err(f) => {
                    err.extend_from_slice(format!("error: {f}\n").as_bytes());
                    f.exit().code()
                }
                Ok(None) => panic!("{args:?} is not one of these one-shot commands"),
                Ok(Some(command)) => {
                    let mut tee = Tee {
                        inner: out,
                        copy: &mut captured,
                    };
                    let mut io = Io::new(&mut tee, &mut err);
                    let interrupt = Interrupt::by_token(cancel.clone());
                    let result = run(program, &cli, command, &mut io, &interrupt).await;
                    match result {
                        Ok(()) | Err(Outcome::BrokenPipe) => 0,
                        Err(Outcome::Failed(f)) => {
                            err.extend_from_slice(format!("error: {f}\n").as_bytes());
                            f.exit().code()
                        }
                    }
                }
            },
        }
    };
    Ran {
        code,
        out: String::from_utf8_lossy(&captured).into_owned(),
        err: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// Writes to `inner` and keeps a copy of what it accepted.
struct Tee<'a> {
    inner: &'a mut (dyn std::io::Write + Send),
    copy: &'a mut Vec<u8>,
}

impl std::io::Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.copy.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A standard output whose reader went away (`| head -1`) after `allow` bytes.
pub(super) struct ClosedPipe {
    pub(super) allow: usize,
}

impl std::io::Write for ClosedPipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.allow == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        }
        let n = buf.len().min(self.allow);
        self.allow -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
