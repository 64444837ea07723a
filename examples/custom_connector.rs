//! A second connector on the same runner: baton's whole command line (sync, `.c1z` lifecycle,
//! resume, signals, exit codes, `capabilities`, `config`, service mode) for a dozen lines of
//! program code. The "system" here is a fixed list of people and teams.
//!
//! ```sh
//! cargo run --example custom_connector -- --team-size 3 -f teams.c1z
//! cargo run --example custom_connector -- --help
//! ```

use std::sync::Arc;

use async_trait::async_trait;
use c1_connector_runner::{Connected, ConnectorProgram, Failure, Purpose};
use c1_connector_sdk::prelude::*;

/// The program: its flags and how to build the connector. This is all a connector adds to the
/// runner.
struct Teams;

/// The connector's own flags (also `BATON_TEAM_SIZE`).
#[derive(Debug, Clone, clap::Args)]
struct TeamArgs {
    /// People per team.
    #[arg(long, env = "BATON_TEAM_SIZE", default_value_t = 2)]
    team_size: usize,
}

#[async_trait]
impl ConnectorProgram for Teams {
    type Args = TeamArgs;
    fn name(&self) -> &'static str {
        "baton-teams"
    }
    async fn connect(&self, args: &TeamArgs, _: Purpose) -> Result<Connected, Failure> {
        let connector = TeamConnector {
            team_size: args.team_size.max(1),
        };
        Ok(Connected::new(Arc::new(connector), "the fixed team list"))
    }
}

fn main() -> std::process::ExitCode {
    c1_connector_runner::main(
        Teams,
        "0.1.0",
        "Syncs a fixed list of teams (an example connector)",
    )
}

// The connector itself: two resource types, `person` and `team`, and a `member` entitlement.

const PEOPLE: [&str; 6] = ["ada", "grace", "alan", "edsger", "barbara", "donald"];

struct TeamConnector {
    team_size: usize,
}

#[async_trait]
impl Connector for TeamConnector {
    async fn metadata(&self) -> Result<ConnectorMetadata, Error> {
        Ok(ConnectorMetadata::new("Teams", "An example connector"))
    }
    async fn validate(&self) -> Result<Annotations, Error> {
        Ok(Annotations::new())
    }
    fn syncers(&self) -> Vec<Arc<dyn ResourceSyncer>> {
        vec![
            Arc::new(People),
            Arc::new(TeamSyncer {
                size: self.team_size,
            }),
        ]
    }
}

fn person_type() -> ResourceType {
    ResourceType::new("person", "Person")
        .with_trait(Trait::User)
        .with_annotation(&SkipEntitlementsAndGrants {})
}

struct People;

#[async_trait]
impl ResourceSyncer for People {
    fn resource_type(&self) -> ResourceType {
        person_type()
    }
    async fn list(
        &self,
        parent: Option<&ResourceId>,
        _: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        if parent.is_some() {
            return Ok(Page::empty());
        }
        Ok(Page::last(
            PEOPLE
                .iter()
                .map(|p| Resource::new("person", *p, *p).with_user_trait(UserTrait::new()))
                .collect(),
        ))
    }
    async fn entitlements(
        &self,
        _: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::empty())
    }
    async fn grants(&self, _: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        Ok(Page::empty())
    }
}

struct TeamSyncer {
    size: usize,
}

impl TeamSyncer {
    fn member(team: &Resource) -> Entitlement {
        Entitlement::assignment(team, "member").with_grantable_to(&[person_type()])
    }
}

#[async_trait]
impl ResourceSyncer for TeamSyncer {
    fn resource_type(&self) -> ResourceType {
        ResourceType::new("team", "Team").with_trait(Trait::Group)
    }
    async fn list(
        &self,
        parent: Option<&ResourceId>,
        _: Option<&str>,
    ) -> Result<Page<Resource>, Error> {
        if parent.is_some() {
            return Ok(Page::empty());
        }
        let teams = PEOPLE.chunks(self.size).enumerate();
        Ok(Page::last(
            teams
                .map(|(i, _)| {
                    Resource::new("team", format!("team-{i}"), format!("Team {i}"))
                        .with_group_trait(GroupTrait::default())
                })
                .collect(),
        ))
    }
    async fn entitlements(
        &self,
        team: &Resource,
        _: Option<&str>,
    ) -> Result<Page<Entitlement>, Error> {
        Ok(Page::last(vec![Self::member(team)]))
    }
    async fn grants(&self, team: &Resource, _: Option<&str>) -> Result<Page<Grant>, Error> {
        let index: usize = team
            .resource_id()
            .resource
            .trim_start_matches("team-")
            .parse()
            .map_err(|_| Error::invalid_argument("not a team id"))?;
        let members = PEOPLE.chunks(self.size).nth(index).unwrap_or(&[]);
        let entitlement = Self::member(team);
        Ok(Page::last(
            members
                .iter()
                .map(|p| Grant::new(&entitlement, Resource::new("person", *p, *p)))
                .collect(),
        ))
    }
}
