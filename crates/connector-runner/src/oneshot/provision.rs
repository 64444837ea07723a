//! `--grant-entitlement` / `--grant-principal[-type]` and `--revoke-grant` (baton-sdk's
//! `pkg/provisioner` grant and revoke): the entitlement, principal or grant is looked up in the
//! `.c1z` of `--file` (default `sync.c1z`), then granted or revoked through the SDK's
//! `ProvisioningRunner` (the provisioner of the entitlement's resource type, baton's 3 attempts).
//! The outcome is one line on standard error; an id that is malformed is exit 2, one not in the
//! file exit 4.

use c1_connector_sdk::model::{GrantAlreadyExists, GrantAlreadyRevoked};
use c1_connector_sdk::ops::ProvisioningRunner;

use super::interrupt::Interrupt;
use super::io::Io;
use crate::cli::{Cli, OutputFormat};
use crate::exit::{Failure, Outcome};
use crate::files;
use crate::program::{Connected, ConnectorProgram, Purpose};

/// A grant, from the flags.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grant {
    pub(crate) entitlement: String,
    pub(crate) principal: Option<String>,
    pub(crate) principal_type: Option<String>,
}

/// The provisioning runner over the `.c1z` of `--file`, once the file is known to be readable
/// and the connector is built, with what the program keeps alive while it runs
/// ([`Connected::guard`], for example the embedded demo server): the caller holds both until
/// the command ends.
async fn runner<P: ConnectorProgram>(
    program: &P,
    cli: &Cli<P::Args>,
    interrupt: &Interrupt,
) -> Result<(ProvisioningRunner, Connected), Outcome> {
    let file = files::target(cli.baton.file.as_deref(), OutputFormat::C1z);
    files::check_input(&file)?;
    let connected = program.connect(&cli.connector, Purpose::Provision).await?;
    interrupt.listen();
    let runner = ProvisioningRunner::new(connected.connector.clone(), &file)
        .with_cancel(interrupt.token().clone());
    Ok((runner, connected))
}

/// Grants the entitlement to the principal and says whether anything changed.
pub(super) async fn grant<P: ConnectorProgram>(
    program: &P,
    cli: &Cli<P::Args>,
    grant: &Grant,
    io: &mut Io<'_>,
    interrupt: &Interrupt,
) -> Result<(), Outcome> {
    let (runner, _connected) = runner(program, cli, interrupt).await?;
    let entitlement = &grant.entitlement;
    let (Some(principal), Some(principal_type)) = (&grant.principal, &grant.principal_type) else {
        return Err(Failure::usage(
            "--grant-entitlement needs --grant-principal and --grant-principal-type",
        )
        .into());
    };
    let annotations = runner.grant(entitlement, principal_type, principal).await?;
    io.note(&if annotations.contains::<GrantAlreadyExists>() {
        format!("{principal_type} '{principal}' already has '{entitlement}': nothing changed")
    } else {
        format!("granted '{entitlement}' to {principal_type} '{principal}'")
    });
    Ok(())
}

/// Revokes the grant and says whether anything changed.
pub(super) async fn revoke<P: ConnectorProgram>(
    program: &P,
    cli: &Cli<P::Args>,
    grant: &str,
    io: &mut Io<'_>,
    interrupt: &Interrupt,
) -> Result<(), Outcome> {
    let (runner, _connected) = runner(program, cli, interrupt).await?;
    let annotations = runner.revoke(grant).await?;
    io.note(&if annotations.contains::<GrantAlreadyRevoked>() {
        format!("grant '{grant}' was already revoked: nothing changed")
    } else {
        format!("revoked '{grant}'")
    });
    Ok(())
}
