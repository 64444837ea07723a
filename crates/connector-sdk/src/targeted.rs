//! What a targeted sync asks for (baton's `--sync-resources` and `targeted_sync_resources`):
//! [`TargetedResource`], and the two ways a command line names one. Re-exported by `engine`;
//! it stands on the floor of `model`, so the session can name it too.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::ids;
use crate::model::{Resource, ResourceId};

/// One resource a targeted sync fetches (with the connector's
/// the connector's `ResourceGetter`), then lists the entitlements and grants
/// of, and the child resources under.
///
/// It parses from baton's resource id (`bid:r:<type>/<id>` or
/// `bid:r:<parent-type>/<parent-id>/<type>/<id>`, with `\` escaping `:`, `/` and `\` in values:
/// what baton's `--sync-resources` takes) or from the short form `<type>:<id>` (split at the
/// first `:`, so the id may hold more).
///
/// ```
/// use c1_connector_sdk::engine::TargetedResource;
///
/// let user: TargetedResource = "user:U2abc".parse()?;
/// assert_eq!((user.id.resource_type.as_str(), user.id.resource.as_str()), ("user", "U2abc"));
///
/// let role: TargetedResource = r"bid:r:tenant/T1/role/T1\:admin".parse()?;
/// assert_eq!(role.id.resource, "T1:admin");
/// assert_eq!(role.parent.unwrap().resource, "T1");
///
/// assert!("user".parse::<TargetedResource>().is_err());
/// # Ok::<(), c1_connector_sdk::error::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct TargetedResource {
    /// The resource.
    pub id: ResourceId,
    /// Its parent, when the resource is known under one (handed to the getter).
    pub parent: Option<ResourceId>,
}

impl TargetedResource {
    /// The resource `id`, with no parent.
    pub fn new(id: ResourceId) -> Self {
        Self { id, parent: None }
    }

    /// The resource `id` under `parent`.
    #[must_use]
    pub fn with_parent(mut self, parent: ResourceId) -> Self {
        self.parent = Some(parent);
        self
    }

    /// What a service-mode task carries (`SyncFullTask.targeted_sync_resources`: resources with
    /// an id and maybe a parent id). A resource without a type or an id is an `InvalidArgument`.
    pub fn from_resource(resource: &Resource) -> Result<Self, Error> {
        let id = resource
            .id
            .clone()
            .filter(|id| !id.resource_type.is_empty() && !id.resource.is_empty())
            .ok_or_else(|| {
                Error::invalid_argument(
                    "a targeted sync resource has no resource type or no id: ConductorOne's task is malformed",
                )
            })?;
        let parent = resource
            .parent_resource_id
            .clone()
            .filter(|p| !p.resource_type.is_empty() && !p.resource.is_empty());
        Ok(Self { id, parent })
    }

    /// Parses a comma-separated list (the value of `--sync-resources`), skipping empty items.
    ///
    /// ```
    /// use c1_connector_sdk::engine::TargetedResource;
    /// let list = TargetedResource::parse_list("user:U1, bid:r:tenant/T1")?;
    /// assert_eq!(list.len(), 2);
    /// # Ok::<(), c1_connector_sdk::error::Error>(())
    /// ```
    pub fn parse_list(list: &str) -> Result<Vec<Self>, Error> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect()
    }
}

impl fmt::Display for TargetedResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.parent {
            Some(p) => write!(
                f,
                "{} under {}",
                ids::resource_key(&self.id),
                ids::resource_key(p)
            ),
            None => f.write_str(&ids::resource_key(&self.id)),
        }
    }
}

const SHAPES: &str = "<type>:<id> or baton's bid:r:<type>/<id> (bid:r:<parent-type>/<parent-id>/<type>/<id> under a parent)";

impl FromStr for TargetedResource {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        let bad = |why: &str| {
            Error::invalid_argument(format!(
                "'{s}' does not name a resource for a targeted sync ({why}): write {SHAPES}"
            ))
        };
        if let Some(rest) = s.strip_prefix("bid:") {
            let Some(path) = rest.strip_prefix("r:") else {
                return Err(bad("a baton id for a targeted sync starts with bid:r:"));
            };
            let parts = split_bid_path(path).map_err(&bad)?;
            let nonempty = parts.iter().all(|p| !p.is_empty());
            return match (parts.as_slice(), nonempty) {
                ([t, id], true) => Ok(Self::new(ResourceId::new(t, id))),
                ([pt, pid, t, id], true) => {
                    Ok(Self::new(ResourceId::new(t, id)).with_parent(ResourceId::new(pt, pid)))
                }
                (_, false) => Err(bad("an empty type or id")),
                _ => Err(bad("a baton resource id has two or four parts")),
            };
        }
        match s.split_once(':') {
            Some((t, id)) if !t.trim().is_empty() && !id.is_empty() => {
                Ok(Self::new(ResourceId::new(t.trim(), id)))
            }
            _ => Err(bad("no type or no id")),
        }
    }
}

/// Splits the path of a baton resource id at unescaped `/`, unescaping `\:`, `\/` and `\\`.
fn split_bid_path(path: &str) -> Result<Vec<String>, &'static str> {
    let mut parts = vec![String::new()];
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ (':' | '/' | '\\')) => parts.last_mut().map_or((), |p| p.push(e)),
                _ => return Err("a backslash escapes only ':', '/' or '\\'"),
            },
            '/' => parts.push(String::new()),
            ':' => return Err("an unescaped ':' in a value"),
            c => parts.last_mut().map_or((), |p| p.push(c)),
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms_and_refuses_the_rest() {
        let t: TargetedResource = "role:tenant:T1:admin".parse().unwrap();
        assert_eq!(t.id, ResourceId::new("role", "tenant:T1:admin"));
        let t: TargetedResource = r"bid:r:a\/b/c\\d".parse().unwrap();
        assert_eq!(t.id, ResourceId::new("a/b", r"c\d"));
        for bad in [
            "",
            "user",
            ":U1",
            "user:",
            "bid:e:team/1:member",
            "bid:r:user",
            "bid:r:a/b/c",
            "bid:r:user/",
            r"bid:r:user/a\x",
            "bid:r:user/a:b",
        ] {
            let err = bad.parse::<TargetedResource>().unwrap_err();
            assert!(err.message().contains("targeted sync"), "{bad}: {err}");
        }
    }

    #[test]
    fn from_a_task_resource() {
        let mut r = Resource::new("role", "R1", "R1");
        r.parent_resource_id = Some(ResourceId::new("tenant", "T1"));
        let t = TargetedResource::from_resource(&r).unwrap();
        assert_eq!(t.to_string(), "role:R1 under tenant:T1");
        assert!(TargetedResource::from_resource(&Resource::default()).is_err());
    }
}
