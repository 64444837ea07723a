//! The JSON document of baton's `capabilities` subcommand.
//!
//! baton (`pkg/cli/commands.go`, `MakeCapabilitiesCommand`) packs `ConnectorCapabilities` into
//! an `Any`, renders it with protojson (`Multiline`, two-space indent: lowerCamelCase names,
//! enum names, default values omitted, fields in field-number order, `@type` first) and
//! re-indents it with Go's `json.Indent` (`"key": value`, `{}` for an empty message), with no
//! trailing newline. serde_json's map sorts keys, so the document is written here by hand to
//! keep protojson's field order.

use prost::Message;
use prost_types::Any;

use crate::protojson::base64;

use crate::model::{Capability, CapabilityDetailCredentialOption};
use crate::model::{
    CapabilityPermissions, ChildResourceType, ConnectorCapabilities, CredentialDetails,
    CredentialDetailsAccountProvisioning, CredentialDetailsCredentialRotation, ExternalLink, RawId,
    ResourceType, ResourceTypeCapability, TYPE_URL_PREFIX, Trait, V1Identifier, any_type_name,
};

/// A JSON value whose objects keep their insertion order.
enum J {
    Str(String),
    Bool,
    Enum(String),
    Num(i32),
    Arr(Vec<J>),
    Obj(Vec<(&'static str, J)>),
}

/// Builds an object, leaving out default values as protojson does.
struct Obj(Vec<(&'static str, J)>);

impl Obj {
    fn new() -> Self {
        Self(Vec::new())
    }
    fn str(mut self, k: &'static str, v: &str) -> Self {
        if !v.is_empty() {
            self.0.push((k, J::Str(v.to_owned())));
        }
        self
    }
    fn bool(mut self, k: &'static str, v: bool) -> Self {
        if v {
            self.0.push((k, J::Bool));
        }
        self
    }
    fn val(mut self, k: &'static str, v: Option<J>) -> Self {
        if let Some(v) = v {
            self.0.push((k, v));
        }
        self
    }
    fn list(mut self, k: &'static str, v: Vec<J>) -> Self {
        if !v.is_empty() {
            self.0.push((k, J::Arr(v)));
        }
        self
    }
    fn done(self) -> J {
        J::Obj(self.0)
    }
}

/// An enum value: its name when known, else its number (as protojson does).
fn enum_value(n: i32, name: Option<&'static str>) -> J {
    match name {
        Some(s) => J::Enum(s.to_owned()),
        None => J::Num(n),
    }
}

fn capability(n: i32) -> J {
    enum_value(n, Capability::try_from(n).ok().map(Capability::proto_name))
}

fn credential_option(n: i32) -> J {
    enum_value(
        n,
        CapabilityDetailCredentialOption::try_from(n)
            .ok()
            .map(CapabilityDetailCredentialOption::proto_name),
    )
}

fn credential_choice(supported: &[i32], preferred: i32) -> J {
    Obj::new()
        .list(
            "supportedCredentialOptions",
            supported.iter().map(|o| credential_option(*o)).collect(),
        )
        .val(
            "preferredCredentialOption",
            (preferred != 0).then(|| credential_option(preferred)),
        )
        .done()
}

fn account_provisioning(d: &CredentialDetailsAccountProvisioning) -> J {
    credential_choice(
        &d.supported_credential_options,
        d.preferred_credential_option,
    )
}

fn credential_rotation(d: &CredentialDetailsCredentialRotation) -> J {
    credential_choice(
        &d.supported_credential_options,
        d.preferred_credential_option,
    )
}

fn credential_details(d: &CredentialDetails) -> J {
    Obj::new()
        .val(
            "capabilityAccountProvisioning",
            d.capability_account_provisioning
                .as_ref()
                .map(account_provisioning),
        )
        .val(
            "capabilityCredentialRotation",
            d.capability_credential_rotation
                .as_ref()
                .map(credential_rotation),
        )
        .done()
}

fn permissions(p: &CapabilityPermissions) -> J {
    Obj::new()
        .list(
            "permissions",
            p.permissions
                .iter()
                .map(|x| Obj::new().str("permission", &x.permission).done())
                .collect(),
        )
        .done()
}

/// The message of an annotation this crate knows, as an object, or `None`.
fn any_body(a: &Any) -> Option<J> {
    let bytes = a.value.as_slice();
    Some(match any_type_name(a) {
        "SkipEntitlementsAndGrants"
        | "SkipEntitlements"
        | "SkipGrants"
        | "OptInRequired"
        | "Deprecated"
        | "SkipSyncAnomalyDetection" => Obj::new().done(),
        "CapabilityPermissions" => permissions(&CapabilityPermissions::decode(bytes).ok()?),
        "ChildResourceType" => Obj::new()
            .str(
                "resourceTypeId",
                &ChildResourceType::decode(bytes).ok()?.resource_type_id,
            )
            .done(),
        "ExternalLink" => Obj::new()
            .str("url", &ExternalLink::decode(bytes).ok()?.url)
            .done(),
        "V1Identifier" => Obj::new()
            .str("id", &V1Identifier::decode(bytes).ok()?.id)
            .done(),
        "RawId" => Obj::new().str("id", &RawId::decode(bytes).ok()?.id).done(),
        _ => return None,
    })
}

/// An annotation as protojson renders an `Any`: `@type`, then the message's fields. A type this
/// crate does not model (or bytes that do not decode) is rendered as `@type` plus its bytes in
/// base64 under `value`, where Go would have expanded the fields.
fn any(a: &Any) -> J {
    let mut out = vec![("@type", J::Str(a.type_url.clone()))];
    match any_body(a) {
        Some(J::Obj(fields)) => out.extend(fields),
        _ => out.push(("value", J::Str(base64(&a.value)))),
    }
    J::Obj(out)
}

fn resource_type(rt: &ResourceType) -> J {
    let traits = rt
        .traits
        .iter()
        .map(|t| enum_value(*t, Trait::try_from(*t).ok().map(Trait::proto_name)))
        .collect();
    Obj::new()
        .str("id", &rt.id)
        .str("displayName", &rt.display_name)
        .list("traits", traits)
        .list("annotations", rt.annotations.iter().map(any).collect())
        .str("description", &rt.description)
        .bool("sourcedExternally", rt.sourced_externally)
        .done()
}

fn resource_type_capability(r: &ResourceTypeCapability) -> J {
    Obj::new()
        .val("resourceType", r.resource_type.as_ref().map(resource_type))
        .list(
            "capabilities",
            r.capabilities.iter().map(|c| capability(*c)).collect(),
        )
        .val("permissions", r.permissions.as_ref().map(permissions))
        .bool("optInRequired", r.opt_in_required)
        .bool("skipSyncAnomalyDetection", r.skip_sync_anomaly_detection)
        .bool("deprecated", r.deprecated)
        .done()
}

/// The document baton's `capabilities` subcommand prints for `caps` (what connectors' CI saves
/// as `baton_capabilities.json`): protojson of `Any(ConnectorCapabilities)`, two-space
/// indented, fields in protojson's order, no trailing newline.
///
/// Annotations on resource types render with their fields when this crate models the type
/// (skip annotations, `CapabilityPermissions`, `OptInRequired`, `Deprecated`,
/// `SkipSyncAnomalyDetection`, `ChildResourceType`, `ExternalLink`, `V1Identifier`, `RawId`);
/// any other type renders as `{"@type": ..., "value": "<base64>"}`.
///
/// ```
/// use c1_connector_sdk::ops::capabilities_json;
/// use c1_connector_sdk::model::{Capability, ConnectorCapabilities, CredentialDetails};
/// let caps = ConnectorCapabilities {
///     connector_capabilities: vec![Capability::Sync as i32],
///     credential_details: Some(CredentialDetails::default()),
///     ..Default::default()
/// };
/// assert_eq!(
///     capabilities_json(&caps),
///     "{\n  \"@type\": \"type.googleapis.com/c1.connector.v2.ConnectorCapabilities\",\n  \
///      \"connectorCapabilities\": [\n    \"CAPABILITY_SYNC\"\n  ],\n  \"credentialDetails\": {}\n}"
/// );
/// ```
pub fn capabilities_json(caps: &ConnectorCapabilities) -> String {
    let doc = Obj(vec![(
        "@type",
        J::Str(format!("{TYPE_URL_PREFIX}ConnectorCapabilities")),
    )])
    .list(
        "resourceTypeCapabilities",
        caps.resource_type_capabilities
            .iter()
            .map(resource_type_capability)
            .collect(),
    )
    .list(
        "connectorCapabilities",
        caps.connector_capabilities
            .iter()
            .map(|c| capability(*c))
            .collect(),
    )
    .val(
        "credentialDetails",
        caps.credential_details.as_ref().map(credential_details),
    )
    .done();
    let mut out = String::new();
    write(&mut out, &doc, 0);
    out
}

fn indent(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_str(out: &mut String, s: &str) {
    // serde_json escapes exactly what protojson escapes: `"`, `\`, and control characters
    // (short forms for \b \f \n \r \t, `\u00xx` for the rest); everything else is written as is.
    out.push_str(&serde_json::Value::String(s.to_owned()).to_string());
}

fn write(out: &mut String, v: &J, depth: usize) {
    match v {
        J::Str(s) | J::Enum(s) => write_str(out, s),
        J::Bool => out.push_str("true"),
        J::Num(n) => out.push_str(&n.to_string()),
        J::Arr(items) if items.is_empty() => out.push_str("[]"),
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                write(out, item, depth + 1);
            }
            indent(out, depth);
            out.push(']');
        }
        J::Obj(fields) if fields.is_empty() => out.push_str("{}"),
        J::Obj(fields) => {
            out.push('{');
            for (i, (k, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                write_str(out, k);
                out.push_str(": ");
                write(out, item, depth + 1);
            }
            indent(out, depth);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        CapabilityPermission, CredentialDetailsAccountProvisioning, SkipEntitlementsAndGrants, pack,
    };

    #[test]
    fn full_document_matches_baton_layout() {
        let user = ResourceType::new("user", "User")
            .with_trait(Trait::User)
            .with_annotation(&SkipEntitlementsAndGrants {})
            .with_annotation(&CapabilityPermissions {
                permissions: vec![CapabilityPermission {
                    permission: "users:read".into(),
                }],
            });
        let caps = ConnectorCapabilities {
            resource_type_capabilities: vec![ResourceTypeCapability {
                resource_type: Some(user),
                capabilities: vec![
                    Capability::Sync as i32,
                    Capability::AccountProvisioning as i32,
                    Capability::ResourceDelete as i32,
                ],
                permissions: Some(CapabilityPermissions {
                    permissions: vec![CapabilityPermission {
                        permission: "users:read".into(),
                    }],
                }),
                opt_in_required: false,
                skip_sync_anomaly_detection: true,
                deprecated: false,
            }],
            connector_capabilities: vec![
                Capability::Sync as i32,
                Capability::AccountProvisioning as i32,
                Capability::ResourceDelete as i32,
                Capability::Actions as i32,
                99,
            ],
            credential_details: Some(CredentialDetails {
                capability_account_provisioning: Some(CredentialDetailsAccountProvisioning::new(
                    [
                        CapabilityDetailCredentialOption::NoPassword,
                        CapabilityDetailCredentialOption::Sso,
                    ],
                    CapabilityDetailCredentialOption::NoPassword,
                )),
                capability_credential_rotation: None,
            }),
        };
        let want = r#"{
  "@type": "type.googleapis.com/c1.connector.v2.ConnectorCapabilities",
  "resourceTypeCapabilities": [
    {
      "resourceType": {
        "id": "user",
        "displayName": "User",
        "traits": [
          "TRAIT_USER"
        ],
        "annotations": [
          {
            "@type": "type.googleapis.com/c1.connector.v2.SkipEntitlementsAndGrants"
          },
          {
            "@type": "type.googleapis.com/c1.connector.v2.CapabilityPermissions",
            "permissions": [
              {
                "permission": "users:read"
              }
            ]
          }
        ]
      },
      "capabilities": [
        "CAPABILITY_SYNC",
        "CAPABILITY_ACCOUNT_PROVISIONING",
        "CAPABILITY_RESOURCE_DELETE"
      ],
      "permissions": {
        "permissions": [
          {
            "permission": "users:read"
          }
        ]
      },
      "skipSyncAnomalyDetection": true
    }
  ],
  "connectorCapabilities": [
    "CAPABILITY_SYNC",
    "CAPABILITY_ACCOUNT_PROVISIONING",
    "CAPABILITY_RESOURCE_DELETE",
    "CAPABILITY_ACTIONS",
    99
  ],
  "credentialDetails": {
    "capabilityAccountProvisioning": {
      "supportedCredentialOptions": [
        "CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD",
        "CAPABILITY_DETAIL_CREDENTIAL_OPTION_SSO"
      ],
      "preferredCredentialOption": "CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD"
    }
  }
}"#;
        let got = capabilities_json(&caps);
        assert_eq!(got, want);
        // And it is JSON.
        let v: serde_json::Value = serde_json::from_str(&got).unwrap();
        assert_eq!(v["connectorCapabilities"][4], 99);
    }

    #[test]
    fn unknown_annotation_and_escaping() {
        let a = Any {
            type_url: "type.googleapis.com/c1.connector.v2.SomethingNew".into(),
            value: vec![0x0a, 1, b'x'],
        };
        let mut out = String::new();
        write(&mut out, &any(&a), 0);
        assert_eq!(
            out,
            "{\n  \"@type\": \"type.googleapis.com/c1.connector.v2.SomethingNew\",\n  \"value\": \"CgF4\"\n}"
        );
        let rt = ResourceType::new("t", "Quote \" and\ttab <b>");
        let mut out = String::new();
        write(&mut out, &resource_type(&rt), 0);
        assert!(out.contains(r#""Quote \" and\ttab <b>""#), "{out}");
        // A known annotation type round-trips through pack.
        let p = pack(&ChildResourceType::new("role"));
        let mut out = String::new();
        write(&mut out, &any(&p), 0);
        assert!(out.contains("\"resourceTypeId\": \"role\""), "{out}");
    }
}
