//! [`Credentials`]: where a client's project id, management key and base URL come from, read by
//! one set of rules for every caller (the library, the CLI, the connector).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;

/// A project id, its management key, and optionally a base URL with where it was set.
///
/// The rules are those of the official SDKs' environment variables, in one place:
/// `DESCOPE_PROJECT_ID` and `DESCOPE_MANAGEMENT_KEY`, or the combined
/// `ProjectID:ManagementKey` (in `DESCOPE_MANAGEMENT_KEY`, or given to [`Credentials::parse`]);
/// `DESCOPE_BASE_URL` or `DESCOPE_BASE_URI` for the base URL. A project id starts with `P` and
/// is alphanumeric; a key is visible ASCII without `:`. Errors name what to fix and never
/// repeat a key; `Debug` shows no key.
///
/// ```
/// use descope_mgmt::Credentials;
///
/// let c = Credentials::parse("P2abc:K2secret")?;
/// assert_eq!(c.project_id(), "P2abc");
/// assert!(!format!("{c:?}").contains("K2secret"));
///
/// // The same rules, read from any source of variables (a CLI maps its flags onto them).
/// let c = Credentials::from_lookup(|name| match name {
///     "DESCOPE_MANAGEMENT_KEY" => Some("P2abc:K2secret".to_owned()),
///     "DESCOPE_BASE_URL" => Some("http://127.0.0.1:8080".to_owned()),
///     _ => None,
/// })?;
/// assert_eq!(c.base_url(), Some("http://127.0.0.1:8080"));
/// assert_eq!(c.base_url_source(), Some("DESCOPE_BASE_URL"));
/// assert!(Credentials::parse("not-a-project:K2").is_err());
/// # Ok::<(), descope_mgmt::Error>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    project_id: String,
    management_key: SecretString,
    base_url: Option<(String, String)>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("project_id", &self.project_id)
            .field("management_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Credentials {
    /// A project id and its management key, checked: the one place a project id and a key are
    /// validated (the builder's [`project_id`](crate::ClientBuilder::project_id) and
    /// [`management_key`](crate::ClientBuilder::management_key) come here too).
    pub fn new(project_id: impl Into<String>, management_key: SecretString) -> Result<Self, Error> {
        let project_id = project_id.into().trim().to_owned();
        check_project_id(&project_id)?;
        check_key(management_key.expose_secret())?;
        Ok(Credentials {
            project_id,
            management_key,
            base_url: None,
        })
    }

    /// The combined `ProjectID:ManagementKey` that ConductorOne and the Descope console show.
    pub fn parse(combined: &str) -> Result<Self, Error> {
        let malformed = || {
            Error::config(
                "malformed credentials: expected `ProjectID:ManagementKey` (two non-empty parts separated by one colon)",
            )
        };
        let (project, key) = combined.trim().split_once(':').ok_or_else(malformed)?;
        if project.is_empty() || key.is_empty() || key.contains(':') {
            return Err(malformed());
        }
        Self::new(project, SecretString::from(key.to_owned()))
    }

    /// From the process environment (see [`Credentials::from_lookup`]).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From variables read through `get`: `DESCOPE_PROJECT_ID` and `DESCOPE_MANAGEMENT_KEY`
    /// (which may hold the combined `ProjectID:ManagementKey`, then `DESCOPE_PROJECT_ID` may be
    /// left out but must agree if set), and `DESCOPE_BASE_URL` or else `DESCOPE_BASE_URI`.
    /// Empty values count as unset. The key is a [`SecretString`] from the moment `get`
    /// returns it.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let non_empty = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let key = get("DESCOPE_MANAGEMENT_KEY").map(SecretString::from);
        let mut credentials = Self::from_values(non_empty("DESCOPE_PROJECT_ID"), key)?;
        if let Some(url) = non_empty("DESCOPE_BASE_URL") {
            credentials = credentials.with_base_url(url, "DESCOPE_BASE_URL");
        } else if let Some(url) = non_empty("DESCOPE_BASE_URI") {
            credentials = credentials.with_base_url(url, "DESCOPE_BASE_URI");
        }
        Ok(credentials)
    }

    /// [`Credentials::from_lookup`]'s rules for values already read (by a command line, say):
    /// `management_key` may hold the combined `ProjectID:ManagementKey`, then `project_id` may
    /// be `None` but must agree if given. Empty or blank values count as unset; errors name the
    /// variables `DESCOPE_PROJECT_ID` and `DESCOPE_MANAGEMENT_KEY`.
    ///
    /// ```
    /// use descope_mgmt::{Credentials, SecretString};
    ///
    /// let key = SecretString::from("P2abc:K2secret");
    /// let c = Credentials::from_values(None, Some(key))?;
    /// assert_eq!(c.project_id(), "P2abc");
    /// let c = Credentials::from_values(Some("P2abc".into()), Some(SecretString::from("K2secret")))?;
    /// assert_eq!(c.project_id(), "P2abc");
    /// assert!(Credentials::from_values(Some("P2abc".into()), None).is_err());
    /// # Ok::<(), descope_mgmt::Error>(())
    /// ```
    pub fn from_values(
        project_id: Option<String>,
        management_key: Option<SecretString>,
    ) -> Result<Self, Error> {
        let project = project_id
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        let key = management_key.filter(|k| !k.expose_secret().trim().is_empty());
        match (project, key) {
            (project, Some(k)) if k.expose_secret().contains(':') => {
                let c = Self::parse(k.expose_secret())?;
                if project.is_some_and(|p| p != c.project_id) {
                    return Err(Error::config(
                        "DESCOPE_PROJECT_ID differs from the project id in the combined DESCOPE_MANAGEMENT_KEY",
                    ));
                }
                Ok(c)
            }
            (Some(p), Some(k)) => {
                let trimmed = k.expose_secret().trim();
                let k = if trimmed.len() == k.expose_secret().len() {
                    k
                } else {
                    SecretString::from(trimmed.to_owned())
                };
                Self::new(p, k)
            }
            (None, _) => Err(Error::config(
                "DESCOPE_PROJECT_ID is not set (Descope console → Project → Settings)",
            )),
            (Some(_), None) => Err(Error::config(
                "DESCOPE_MANAGEMENT_KEY is not set (Descope console → Company → Management Keys)",
            )),
        }
    }

    /// Sets the base URL, saying where it was set (a variable or flag name) so errors can name
    /// it. Validated when the client is built.
    #[must_use]
    pub fn with_base_url(mut self, url: impl Into<String>, source: impl Into<String>) -> Self {
        self.base_url = Some((url.into(), source.into()));
        self
    }

    /// The project id.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The management key.
    pub fn management_key(&self) -> &SecretString {
        &self.management_key
    }

    /// The explicit base URL, if one was set.
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_ref().map(|(u, _)| u.as_str())
    }

    /// Where the base URL was set (`DESCOPE_BASE_URL`, a flag name, ...), if it was.
    pub fn base_url_source(&self) -> Option<&str> {
        self.base_url.as_ref().map(|(_, s)| s.as_str())
    }
}

/// Descope project ids start with `P` and are alphanumeric.
fn check_project_id(id: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::config(
            "the project id is empty: set DESCOPE_PROJECT_ID (Descope console → Project → Settings)",
        ));
    }
    if !id.starts_with('P') || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::config(format!(
            "'{}' is not a Descope project id: project ids start with 'P' and are alphanumeric \
             (Descope console → Project → Settings)",
            crate::excerpt::truncate(id, 64)
        )));
    }
    Ok(())
}

/// Visible ASCII without `:` (a key goes into `Bearer <ProjectID>:<Key>`).
fn check_key(key: &str) -> Result<(), Error> {
    if key.is_empty() {
        return Err(Error::config(
            "the management key is empty: set DESCOPE_MANAGEMENT_KEY (Descope console → Company → Management Keys)",
        ));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::config(
            "the management key contains spaces or characters that are not allowed; copy it again",
        ));
    }
    if key.contains(':') {
        return Err(Error::config(
            "the management key contains `:`; give the combined `ProjectID:ManagementKey` as such \
             (`Credentials::parse`, `ClientBuilder::credentials()`, or alone in \
             DESCOPE_MANAGEMENT_KEY), not as the key",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> Result<Credentials, Error> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Credentials::from_lookup(|name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn every_form_and_every_mistake() {
        let c = lookup(&[
            ("DESCOPE_PROJECT_ID", "P2a"),
            ("DESCOPE_MANAGEMENT_KEY", "K2b"),
        ])
        .unwrap();
        assert_eq!(c.project_id(), "P2a");
        let c = lookup(&[("DESCOPE_MANAGEMENT_KEY", " P2a:K2b \n")]).unwrap();
        assert_eq!(c.project_id(), "P2a");
        let c = lookup(&[
            ("DESCOPE_MANAGEMENT_KEY", "P2a:K2b"),
            ("DESCOPE_BASE_URI", "https://x.example"),
        ])
        .unwrap();
        assert_eq!(c.base_url_source(), Some("DESCOPE_BASE_URI"));
        for bad in [
            &[("DESCOPE_PROJECT_ID", "P2a")][..],
            &[("DESCOPE_MANAGEMENT_KEY", "K2b")],
            &[
                ("DESCOPE_PROJECT_ID", "P2x"),
                ("DESCOPE_MANAGEMENT_KEY", "P2a:K2b"),
            ],
            &[
                ("DESCOPE_PROJECT_ID", "not/a-project"),
                ("DESCOPE_MANAGEMENT_KEY", "K2b"),
            ],
            &[("DESCOPE_MANAGEMENT_KEY", "P2a:K2b:c")],
            &[("DESCOPE_MANAGEMENT_KEY", ":K2b")],
            &[
                ("DESCOPE_PROJECT_ID", "P2a"),
                ("DESCOPE_MANAGEMENT_KEY", "K2 b"),
            ],
        ] {
            let err = lookup(bad).unwrap_err().to_string();
            assert!(!err.contains("K2b"), "{err}");
        }
    }
}
