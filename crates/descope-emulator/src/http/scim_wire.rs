//! SCIM 2.0 request bodies and filters (RFC 7643/7644), written from Descope's SCIM docs and
//! the RFCs. Like the management wire types they deny unknown attributes; optional ones
//! accept `null`. Read-only attributes a client may echo back (`id`, `meta`, `groups`) are
//! accepted and ignored, as RFC 7643 section 2.2 says a server does.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::ApiError;

pub(crate) const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub(crate) const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// `name` of a user.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct NameIn {
    pub(crate) given_name: Option<String>,
    pub(crate) middle_name: Option<String>,
    pub(crate) family_name: Option<String>,
    pub(crate) formatted: Option<String>,
}

/// An `emails[]` or `phoneNumbers[]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct MultiIn {
    pub(crate) value: Option<String>,
    pub(crate) primary: Option<bool>,
    #[serde(rename = "type")]
    #[allow(dead_code)] // accepted; Descope keeps one email and one phone
    pub(crate) kind: Option<String>,
    #[allow(dead_code)]
    pub(crate) display: Option<String>,
}

/// The value of the primary entry, else of the first.
pub(crate) fn primary(list: Option<Vec<MultiIn>>) -> String {
    let list = list.unwrap_or_default();
    let pick = list
        .iter()
        .find(|m| m.primary == Some(true))
        .or_else(|| list.first());
    pick.and_then(|m| m.value.clone()).unwrap_or_default()
}

/// `POST /scim/v2/Users` and `PUT /scim/v2/Users/{id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct UserIn {
    pub(crate) schemas: Option<Vec<String>>,
    #[allow(dead_code)] // read-only, ignored
    pub(crate) id: Option<Value>,
    #[allow(dead_code)]
    pub(crate) meta: Option<Value>,
    #[allow(dead_code)]
    pub(crate) groups: Option<Value>,
    pub(crate) external_id: Option<String>,
    pub(crate) user_name: Option<String>,
    pub(crate) display_name: Option<String>,
    pub(crate) name: Option<NameIn>,
    pub(crate) emails: Option<Vec<MultiIn>>,
    pub(crate) phone_numbers: Option<Vec<MultiIn>>,
    pub(crate) active: Option<bool>,
    /// Descope's custom attributes (its SCIM docs list `attributes` in the user body).
    pub(crate) attributes: Option<Map<String, Value>>,
}

/// A `members[]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct MemberIn {
    pub(crate) value: Option<String>,
    #[allow(dead_code)] // the emulator shows the user's own name
    pub(crate) display: Option<String>,
    #[serde(rename = "$ref")]
    #[allow(dead_code)]
    pub(crate) reference: Option<String>,
    #[serde(rename = "type")]
    #[allow(dead_code)]
    pub(crate) kind: Option<String>,
}

/// `POST /scim/v2/Groups` and `PUT /scim/v2/Groups/{id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct GroupIn {
    pub(crate) schemas: Option<Vec<String>>,
    #[allow(dead_code)]
    pub(crate) id: Option<Value>,
    #[allow(dead_code)]
    pub(crate) meta: Option<Value>,
    /// The id to give a new group (Descope's docs show it on create); ignored on replace.
    pub(crate) group_id: Option<String>,
    pub(crate) display_name: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) members: Option<Vec<MemberIn>>,
}

/// One PATCH operation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct OpIn {
    pub(crate) op: Option<String>,
    pub(crate) path: Option<String>,
    pub(crate) value: Option<Value>,
}

/// `PATCH /scim/v2/Groups/{id}`: the standard `Operations`, or the lower-case `operations` of
/// Descope's docs (not both).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct PatchIn {
    pub(crate) schemas: Option<Vec<String>>,
    #[serde(rename = "Operations")]
    pub(crate) operations: Option<Vec<OpIn>>,
    #[serde(rename = "operations")]
    pub(crate) operations_lower: Option<Vec<OpIn>>,
}

impl PatchIn {
    pub(crate) fn into_ops(self) -> Result<Vec<OpIn>, ApiError> {
        if let Some(s) = &self.schemas
            && !s.iter().any(|s| s == PATCH_SCHEMA)
        {
            return Err(ApiError::invalid_argument(format!(
                "schemas must contain {PATCH_SCHEMA}"
            )));
        }
        match (self.operations, self.operations_lower) {
            (Some(_), Some(_)) => Err(ApiError::invalid_request(
                "send `Operations` or `operations`, not both",
            )),
            (Some(ops), None) | (None, Some(ops)) if !ops.is_empty() => Ok(ops),
            _ => Err(ApiError::missing_argument("Operations is required")),
        }
    }
}

/// Checks that `schemas`, when sent, names `want`.
pub(crate) fn check_schemas(schemas: Option<&Vec<String>>, want: &str) -> Result<(), ApiError> {
    match schemas {
        Some(s) if !s.iter().any(|s| s == want) => Err(ApiError::invalid_argument(format!(
            "schemas must contain {want}"
        ))),
        _ => Ok(()),
    }
}

/// A comparison of a SCIM filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Pr,
}

/// `attr op value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    /// The attribute path as written (`userName`, `emails.value`, `name.familyName`).
    pub(crate) attr: String,
    pub(crate) op: Op,
    /// The compared value (`true`/`false`/`null` as their names); empty for `pr`.
    pub(crate) value: String,
}

/// A filter in disjunctive normal form: any of the `and`-groups matches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Filter(pub(crate) Vec<Vec<Term>>);

fn invalid_filter(why: impl std::fmt::Display) -> ApiError {
    ApiError::invalid_argument(format!("invalidFilter: {why}"))
}

fn tokens(s: &str) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut v = String::from("\"");
            loop {
                match chars.next() {
                    Some('\\') => match chars.next() {
                        Some(e) => v.push(e),
                        None => return Err(invalid_filter("unterminated string")),
                    },
                    Some('"') => break,
                    Some(c) => v.push(c),
                    None => return Err(invalid_filter("unterminated string")),
                }
            }
            out.push(v);
        } else if c == '(' || c == ')' {
            return Err(invalid_filter("grouping with parentheses is not supported"));
        } else {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                w.push(c);
                chars.next();
            }
            out.push(w);
        }
    }
    Ok(out)
}

/// Parses `attr op "value" [and|or ...]` (no parentheses, no `not`); `and` binds tighter than
/// `or`, as in RFC 7644 section 3.4.2.2.
pub(crate) fn parse_filter(s: &str) -> Result<Filter, ApiError> {
    let toks = tokens(s)?;
    let mut groups: Vec<Vec<Term>> = vec![Vec::new()];
    let mut i = 0;
    loop {
        let attr = toks
            .get(i)
            .filter(|a| !a.starts_with('"'))
            .ok_or_else(|| invalid_filter(format!("expected an attribute in {s:?}")))?;
        let op = match toks.get(i + 1).map(|o| o.to_ascii_lowercase()).as_deref() {
            Some("eq") => Op::Eq,
            Some("ne") => Op::Ne,
            Some("co") => Op::Co,
            Some("sw") => Op::Sw,
            Some("ew") => Op::Ew,
            Some("pr") => Op::Pr,
            other => {
                return Err(invalid_filter(format!(
                    "unsupported operator {other:?} in {s:?}"
                )));
            }
        };
        let value = if op == Op::Pr {
            i += 2;
            String::new()
        } else {
            let v = toks
                .get(i + 2)
                .ok_or_else(|| invalid_filter(format!("missing value in {s:?}")))?;
            i += 3;
            match v.strip_prefix('"') {
                Some(quoted) => quoted.to_owned(),
                None if matches!(v.as_str(), "true" | "false" | "null") => v.clone(),
                None if v.parse::<f64>().is_ok() => v.clone(),
                None => return Err(invalid_filter(format!("invalid value {v:?} in {s:?}"))),
            }
        };
        if let Some(g) = groups.last_mut() {
            g.push(Term {
                attr: attr.clone(),
                op,
                value,
            });
        }
        match toks.get(i).map(|t| t.to_ascii_lowercase()).as_deref() {
            None => break,
            Some("and") => {}
            Some("or") => groups.push(Vec::new()),
            Some(other) => {
                return Err(invalid_filter(format!(
                    "expected `and` or `or`, found {other:?} in {s:?}"
                )));
            }
        }
        i += 1;
    }
    Ok(Filter(groups))
}

impl Term {
    /// Whether the term holds for an attribute whose values are `have` (`None`: the resource
    /// has no such attribute). `case_exact` compares strings exactly, else case-insensitively.
    pub(crate) fn holds(&self, have: &[String], case_exact: bool) -> bool {
        let norm = |s: &str| {
            if case_exact {
                s.to_owned()
            } else {
                s.to_lowercase()
            }
        };
        let want = norm(&self.value);
        let present = have.iter().filter(|v| !v.is_empty());
        match self.op {
            Op::Pr => present.count() > 0,
            Op::Ne => !have.iter().any(|v| norm(v) == want),
            op => present.map(|v| norm(v)).any(|v| match op {
                Op::Eq => v == want,
                Op::Co => v.contains(&want),
                Op::Sw => v.starts_with(&want),
                _ => v.ends_with(&want),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse() {
        let f = parse_filter(r#"userName eq "jane@acme.io""#).unwrap();
        assert_eq!(
            f.0,
            [[Term {
                attr: "userName".into(),
                op: Op::Eq,
                value: "jane@acme.io".into()
            }]]
        );
        let f = parse_filter(r#"displayName EQ "a \"b\"" and externalId pr or active eq true"#)
            .unwrap();
        assert_eq!(f.0.len(), 2);
        assert_eq!(f.0[0].len(), 2);
        assert_eq!(f.0[0][0].value, "a \"b\"");
        assert_eq!(f.0[1][0].value, "true");
        for bad in [
            "",
            "userName",
            "userName eq",
            "userName gt \"a\"",
            "userName eq jane",
            "(userName eq \"a\")",
            "userName eq \"a\" xor id eq \"b\"",
            "userName eq \"a",
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn terms_compare() {
        let t = |op, v: &str| Term {
            attr: "x".into(),
            op,
            value: v.into(),
        };
        let have = ["Jane@Acme.io".to_owned()];
        assert!(t(Op::Eq, "jane@acme.io").holds(&have, false));
        assert!(!t(Op::Eq, "jane@acme.io").holds(&have, true));
        assert!(t(Op::Sw, "jane").holds(&have, false));
        assert!(t(Op::Ew, ".io").holds(&have, false));
        assert!(t(Op::Co, "acme").holds(&have, false));
        assert!(t(Op::Ne, "bob").holds(&have, false));
        assert!(t(Op::Pr, "").holds(&have, false));
        assert!(!t(Op::Pr, "").holds(&[String::new()], false));
    }

    #[test]
    fn patch_takes_either_spelling() {
        let p: PatchIn = crate::http::wire::parse(
            br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"U1"}]}]}"#,
        )
        .unwrap();
        assert_eq!(p.into_ops().unwrap().len(), 1);
        let p: PatchIn = crate::http::wire::parse(
            br#"{"operations":[{"op":"replace","value":{"displayName":"x"}}]}"#,
        )
        .unwrap();
        assert_eq!(p.into_ops().unwrap().len(), 1);
        let p: PatchIn =
            crate::http::wire::parse(br#"{"operations":[],"Operations":[{"op":"add"}]}"#).unwrap();
        assert!(p.into_ops().is_err());
        assert!(
            crate::http::wire::parse::<PatchIn>(br#"{"Operations":[{"op":"add","bogus":1}]}"#)
                .is_err()
        );
    }
}
