//! The program's flow: parse, set up logging, hand over to a sync, a one-shot change, service
//! mode or a subcommand, and map the result to an exit code, in one place.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use c1_connector_sdk::engine::{SyncOptions, Syncer, resume_refusal};
use c1_connector_sdk::store::{C1zWriter, JsonlWriter, SyncStore, SyncType};
use clap::{CommandFactory, FromArgMatches};
use tokio_util::sync::CancellationToken;

use crate::cli::{Cli, Command, OutputFormat};
use crate::exit::{Exit, Failure, Outcome};
use crate::files;
use crate::program::{Connected, ConnectorProgram, Purpose};
use crate::report::{self, Progress};

/// Runs a connector program: parses the command line (flags and `BATON_*` variables), runs what
/// it asks for, prints failures on standard error and returns the documented exit code.
///
/// This is the whole `main` of a connector binary:
///
/// ```no_run
/// # use async_trait::async_trait;
/// # use c1_connector_runner::{Connected, ConnectorProgram, Failure, Purpose};
/// # #[derive(Debug, Clone, clap::Args)] struct MyArgs {}
/// # struct MyProgram;
/// # #[async_trait]
/// # impl ConnectorProgram for MyProgram {
/// #     type Args = MyArgs;
/// #     fn name(&self) -> &'static str { "baton-my-system" }
/// #     async fn connect(&self, _: &MyArgs, _: Purpose) -> Result<Connected, Failure> { Err(Failure::usage("not configured")) }
/// # }
/// fn main() -> std::process::ExitCode {
///     c1_connector_runner::main(MyProgram, env!("CARGO_PKG_VERSION"), "Syncs My System into ConductorOne")
/// }
/// ```
pub fn main<P: ConnectorProgram>(
    program: P,
    version: &'static str,
    about: &'static str,
) -> ExitCode {
    let cli = match parse::<P>(&program, version, about, std::env::args_os()) {
        Ok(cli) => cli,
        Err(exit) => return exit,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return Exit::Failed.into();
        }
    };
    runtime.block_on(run(program, cli, version))
}

/// Parses a command line into a [`Cli`], naming the program and its version. `--help`,
/// `--version` and flag errors are printed here; the `Err` is the exit code to return (0 for
/// help and version, 2 for a bad command line).
pub fn parse<P: ConnectorProgram>(
    program: &P,
    version: &'static str,
    about: &'static str,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
) -> Result<Cli<P::Args>, ExitCode> {
    let name = program.name();
    let command = Cli::<P::Args>::command()
        .name(name)
        .bin_name(name)
        .version(version)
        .about(about);
    let parsed = command
        .try_get_matches_from(args)
        .and_then(|m| Cli::<P::Args>::from_arg_matches(&m));
    match parsed {
        Ok(cli) => Ok(cli),
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            let _ = e.print();
            Err(code.into())
        }
    }
}

/// Runs a parsed command line (see [`main`]); `version` is the program's, sent to
/// ConductorOne in service mode.
pub async fn run<P: ConnectorProgram>(
    program: P,
    cli: Cli<P::Args>,
    version: &'static str,
) -> ExitCode {
    if let Err(f) = crate::logging::init(cli.baton.log_level, cli.baton.log_format) {
        eprintln!("error: {f}");
        return f.exit().into();
    }
    match dispatch(&program, cli, version).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Outcome::BrokenPipe) => ExitCode::SUCCESS,
        Err(Outcome::Failed(f)) => {
            let _ = writeln!(std::io::stderr(), "error: {f}");
            f.exit().into()
        }
    }
}

async fn dispatch<P: ConnectorProgram>(
    program: &P,
    cli: Cli<P::Args>,
    version: &'static str,
) -> Result<(), Outcome> {
    match &cli.command {
        Some(Command::Completion { shell }) => {
            let name = program.name();
            let mut command = Cli::<P::Args>::command().name(name);
            clap_complete::generate(*shell, &mut command, name, &mut std::io::stdout());
            return Ok(());
        }
        Some(Command::Config) => {
            let schema = crate::schema::config_schema::<P::Args>(program.display_name());
            return print_json(&schema);
        }
        Some(Command::Capabilities) => {
            let connected = program.connect(&cli.connector, Purpose::Describe).await?;
            let mut doc =
                crate::describe::capabilities_document(connected.connector.as_ref()).await?;
            doc.push('\n');
            return print_text(&doc);
        }
        None => {}
    }
    if cli.baton.service_mode() {
        #[cfg(feature = "service")]
        return crate::service_cli::run(program, &cli.baton, &cli.connector, version)
            .await
            .map_err(Outcome::from);
    }
    let _ = version;
    if let Some(command) = crate::oneshot::OneShot::from_args(&cli.baton)? {
        return crate::oneshot::run_std(program, &cli, command).await;
    }
    sync(program, &cli).await
}

fn print_json(value: &serde_json::Value) -> Result<(), Outcome> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::failed(format!("could not render JSON: {e}")))?;
    text.push('\n');
    print_text(&text)
}

fn print_text(text: &str) -> Result<(), Outcome> {
    match std::io::stdout().write_all(text.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Outcome::BrokenPipe),
        Err(e) => Err(Failure::failed(format!("could not write to standard output: {e}")).into()),
    }
}

async fn sync<P: ConnectorProgram>(program: &P, cli: &Cli<P::Args>) -> Result<(), Outcome> {
    let args = &cli.baton;
    let file = files::target(args.file.as_deref(), args.output);
    let stdout = file.as_os_str() == "-";
    // Everything about the output is checked before the connector is built or called.
    match args.output {
        OutputFormat::C1z if stdout => {
            return Err(Failure::usage(
                "--file - (standard output) is only for --output jsonl: a .c1z is a binary file; give a file path",
            )
            .into());
        }
        _ if !stdout => files::check_output(&file)?,
        _ => {}
    }
    if let Some(dir) = &args.c1z_temp_dir {
        files::check_temp_dir(dir)?;
    }
    if args.output == OutputFormat::C1z && !args.sync_resources.is_empty() {
        files::check_targeted_target(&file)?;
    }

    let previous = match &args.incremental_from {
        Some(path) => Some(crate::options::open_previous(path, args).await?),
        None => None,
    };
    let connected = program.connect(&cli.connector, Purpose::Sync).await?;
    let started = Instant::now();
    let cancel = CancellationToken::new();
    crate::signals::spawn_handler(cancel.clone());
    let progress = Progress::new(std::io::stderr().is_terminal(), connected.report.clone());
    let ticker = progress.spawn_waiting_ticker();
    let mut options = SyncOptions::default()
        .with_concurrency(usize::from(args.workers))
        .with_cancel(cancel.clone())
        .with_progress(progress.callback())
        .with_checkpoint_interval(Duration::from_millis(args.checkpoint_interval_ms.max(1)));
    options =
        crate::options::apply_phase_flags(options, args)?.with_source(connected.source.clone());
    if let Some(previous) = previous {
        options = options.with_previous(previous);
    }
    let syncer = Syncer::new(connected.connector.clone(), options);

    let result = match args.output {
        OutputFormat::C1z => {
            let scratch = args.c1z_temp_dir.clone().unwrap_or_else(std::env::temp_dir);
            let saves = SaveSettings {
                spacing: args.checkpoint_save_spacing,
                min_interval: Duration::from_millis(args.checkpoint_interval_ms.max(1)),
            };
            sync_c1z(&syncer, &file, &scratch, saves, &connected).await
        }
        OutputFormat::Jsonl if stdout => {
            let mut store = JsonlWriter::stdout();
            syncer
                .run(&mut store)
                .await
                .map(|stats| (stats, "standard output".to_owned()))
                .map_err(Outcome::from)
        }
        OutputFormat::Jsonl => sync_jsonl(&syncer, &file).await,
    };
    ticker.abort();
    progress.finish();
    let (stats, target) = result?;
    report::summary(
        &format!("{} sync complete", program.display_name()),
        &stats,
        connected.report.as_ref(),
        started.elapsed(),
        &target,
    );
    Ok(())
}

/// How often the partial file is saved.
#[derive(Debug, Clone, Copy)]
struct SaveSettings {
    spacing: Option<u32>,
    min_interval: Duration,
}

async fn sync_c1z(
    syncer: &Syncer,
    file: &Path,
    scratch: &Path,
    saves: SaveSettings,
    connected: &Connected,
) -> Result<(c1_connector_sdk::engine::SyncStats, String), Outcome> {
    // The sync is written to `<file>.partial`, a .c1z that holds the unfinished sync and its
    // checkpoints (saved at least every 10 s and on Ctrl-C / SIGTERM), and is renamed over the
    // target only once it is finished: the target always holds the previous complete file or the
    // new one, a killed run resumes from the partial file, and each run costs what a fresh file
    // costs.
    let partial = files::partial_path(file);
    files::promote_finished(&partial, file, &connected.source)?;
    let sync_type = if !syncer.options().targeted_resources.is_empty() {
        SyncType::Partial
    } else if syncer.options().skip_entitlements_and_grants {
        SyncType::ResourcesOnly
    } else {
        SyncType::Full
    };
    let mut set_aside_once = false;
    let (stats, store) = loop {
        let mut store = match C1zWriter::open_or_resume_in(&partial, scratch) {
            Ok(store) => store,
            Err(e) if partial.exists() => {
                files::set_aside(&partial, &format!("it could not be opened: {e}"))?;
                C1zWriter::open_or_resume_in(&partial, scratch).map_err(Outcome::from)?
            }
            Err(e) => return Err(e.into()),
        };
        store.set_sync_type(sync_type);
        // Saved at most once per checkpoint interval (10 s): a short sync is never saved
        // half-way, a long one at least every interval (and on Ctrl-C / SIGTERM).
        // (The hidden test knob `--checkpoint-save-spacing 0` saves at every checkpoint.)
        match saves.spacing {
            Some(0) => store = store.with_save_spacing(0),
            Some(spacing) => {
                store = store
                    .with_save_spacing(spacing)
                    .with_min_save_interval(saves.min_interval);
            }
            None => store = store.with_min_save_interval(saves.min_interval),
        }
        if let Some(id) = store.resumed_sync_id() {
            tracing::info!(source = %connected.source, "resuming sync {id} from {}", partial.display());
        }
        // The engine validates the credentials first, and finishes the store only when the
        // whole sync succeeded.
        match syncer.run(&mut store).await {
            Ok(stats) => break (stats, store),
            Err(e) => {
                drop(store);
                if let (Some(why), false) = (resume_refusal(&e), set_aside_once) {
                    // A partial file of another project or base URL, or one that cannot be
                    // continued into what this run would write (another option, another
                    // version, data changed under it), is never mixed into this sync: keep it
                    // aside and start over.
                    files::set_aside(&partial, &why)?;
                    set_aside_once = true;
                    continue;
                }
                if partial.exists() && e.code() == c1_connector_sdk::error::Code::Cancelled {
                    eprintln!(
                        "interrupted: the unfinished sync is saved in {}; run the same command again to resume it (or delete that file to start over)",
                        partial.display()
                    );
                }
                return Err(e.into());
            }
        }
    };
    drop(store);
    files::replace(&partial, file)?;
    Ok((stats, file.display().to_string()))
}

async fn sync_jsonl(
    syncer: &Syncer,
    file: &Path,
) -> Result<(c1_connector_sdk::engine::SyncStats, String), Outcome> {
    // Written beside the target and renamed over it when finished, so a failed sync never leaves
    // a partial file where the result goes; 0600 like a .c1z (the file lists identities).
    let partial = files::partial_path(file);
    let out = create_private(&partial)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", partial.display())))?;
    let mut store = JsonlWriter::new(Box::new(out) as Box<dyn Write + Send>);
    match syncer.run(&mut store).await {
        Ok(stats) => {
            drop(store);
            files::replace(&partial, file)?;
            Ok((stats, file.display().to_string()))
        }
        Err(e) => {
            drop(store);
            let _ = std::fs::remove_file(&partial);
            Err(e.into())
        }
    }
}

/// Creates (truncating) a file readable and writable by its owner only.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}
