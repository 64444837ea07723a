//! `baton-descope`: the ConductorOne connector for Descope, as an installable program.
//!
//! ```sh
//! cargo install --path crates/baton-descope
//! DESCOPE_PROJECT_ID=P2... DESCOPE_MANAGEMENT_KEY=K2... baton-descope -f sync.c1z
//! baton-descope --demo                 # the embedded demo project, no Descope account needed
//! baton-descope --help
//! ```
//!
//! Everything generic (baton's flags, the file lifecycle, signals, exit codes, service mode)
//! is `c1-connector-runner`'s; this crate adds the Descope settings and builds the connector.

mod args;
mod program;

fn main() -> std::process::ExitCode {
    c1_connector_runner::main(
        program::DescopeProgram,
        env!("CARGO_PKG_VERSION"),
        "Sync a Descope project into ConductorOne (.c1z files, or as a ConductorOne service), and grant and revoke access in it",
    )
}
