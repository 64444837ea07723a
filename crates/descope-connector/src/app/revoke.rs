//! Revoking a user's access to one SSO application without ever widening it.
//!
//! Descope reads an empty `ssoAppIds` as access to **every** application, so a revoke that
//! leaves the list empty grants everything. The rules (see [`crate::app`]):
//! - the user's only explicit application is never removed: refused, naming the choices;
//! - a user with an empty list (every app) gets every *other* application listed explicitly
//!   (`ssoapp/set`), confirmed by a fresh read since the answer could echo the list sent;
//! - any other app is removed with `ssoapp/remove`, and reported revoked only when Descope then
//!   holds a non-empty list without it.
//!
//! The caller holds the user (see [`crate::principal_lock`]), so two revokes in this process
//! decide one after the other: when a user holds `[A, B]` and both are revoked at once, one
//! succeeds and the other is refused as the last app. Another process may still remove the other
//! app between this load and this write; if the write then leaves the list empty, the app is given
//! back at once (the user holds `[app]` again, the least access either change allows) and the
//! revoke fails saying so.

use c1_connector_sdk::error::Error;
use descope_mgmt::{Client, User};

use crate::error::from_descope;
use crate::provisioner::{changed_concurrently, load_user};

/// Removes access to `app` from `user` (loaded just before, holding it), never widening access.
pub(crate) async fn revoke_app(client: &Client, user: &User, app: &str) -> Result<(), Error> {
    let user_id = &user.user_id;
    if user.sso_app_ids.is_empty() {
        return narrow_every_app(client, user_id, app).await;
    }
    if user.sso_app_ids.iter().all(|a| a == app) {
        return Err(Error::failed_precondition(format!(
            "'{app}' is the only SSO application user '{user_id}' lists: removing it would leave \
             ssoAppIds empty, which Descope reads as access to EVERY application. Grant the user \
             the applications it should keep first, then revoke this one; or disable the user"
        ))
        .with_retryable(false));
    }
    let answer = client
        .users()
        .remove_sso_apps(user_id, &[app.to_owned()])
        .await;
    let (now, write_error) = match answer {
        // Descope's answer is the user after the change (checked to be this user).
        Ok(u) if !u.sso_app_ids.iter().any(|a| a == app) => (Ok(Some(u)), None),
        // Descope may answer before the change is visible: read again.
        Ok(_) => (load_user(client, user_id).await, None),
        Err(err) => (load_user(client, user_id).await, Some(err)),
    };
    match now {
        Ok(Some(u)) if u.sso_app_ids.is_empty() => give_back(client, user_id, app).await,
        Ok(Some(u)) if !u.sso_app_ids.iter().any(|a| a == app) => Ok(()),
        // A user deleted meanwhile holds nothing.
        Ok(None) => Ok(()),
        Ok(Some(u)) => Err(match write_error {
            Some(err) => from_descope(
                &format!(
                    "revoking access to SSO application '{app}' from user '{user_id}' (Descope \
                     still holds ssoAppIds {:?})",
                    u.sso_app_ids
                ),
                err,
            ),
            None => Error::unavailable(format!(
                "Descope accepted revoking access to SSO application '{app}' from user '{user_id}', \
                 but the user still lists it (ssoAppIds {:?}); retry",
                u.sso_app_ids
            )),
        }),
        Err(load_err) => Err(match write_error {
            Some(err) => from_descope(
                &format!("revoking access to SSO application '{app}' from user '{user_id}'"),
                err,
            ),
            None => load_err.context(format!(
                "access to SSO application '{app}' was removed from user '{user_id}', but the user \
                 could not be read back to confirm it"
            )),
        }),
    }
}

/// The user had every application (empty list): list every other one explicitly.
async fn narrow_every_app(client: &Client, user_id: &str, app: &str) -> Result<(), Error> {
    // Read now, not from a cache: the list written is the user's whole access from now on, and
    // an application missing from it would be taken away too.
    let apps = client
        .sso_apps()
        .all()
        .await
        .map_err(|e| from_descope("loading the SSO applications", e))?;
    let mut others: Vec<String> = apps
        .into_iter()
        .map(|a| a.id)
        .filter(|id| id != app && !id.is_empty())
        .collect();
    others.sort();
    others.dedup();
    if others.is_empty() {
        return Err(Error::failed_precondition(format!(
            "user '{user_id}' has access to every SSO application (its ssoAppIds is empty) and \
             '{app}' is the project's only one: Descope cannot remove access to it without \
             removing the user's SSO app access rule altogether. Disable the user, or add \
             another application first"
        ))
        .with_retryable(false));
    }
    tracing::warn!(
        user = %user_id,
        app = %app,
        others = others.len(),
        "the user had access to every SSO application (empty ssoAppIds); it now lists the \
         other applications explicitly, so applications added later are no longer included"
    );
    let answer = client.users().set_sso_apps(user_id, &others).await;
    let write_error = answer.err();
    // Always a fresh read: `set` replaces the whole list, and its answer could be an echo of it.
    match load_user(client, user_id).await {
        Ok(Some(u)) if same_apps(&u.sso_app_ids, &others) => Ok(()),
        Ok(None) => Ok(()),
        // Still every app: the write did not take effect.
        Ok(Some(u)) if u.sso_app_ids.is_empty() => Err(match write_error {
            Some(err) => from_descope(
                &format!("setting the SSO applications of user '{user_id}'"),
                err,
            ),
            None => Error::unavailable(format!(
                "Descope accepted setting the SSO applications of user '{user_id}' (to remove \
                 '{app}'), but the user still has every application (ssoAppIds []); retry"
            )),
        }),
        Ok(Some(u)) => Err(changed_concurrently(
            &format!(
                "revoking access to SSO application '{app}' from user '{user_id}' (which had every \
                 application) by listing the {} others",
                others.len()
            ),
            &format!("ssoAppIds {:?}", u.sso_app_ids),
        )),
        Err(load_err) => Err(match write_error {
            Some(err) => from_descope(
                &format!("setting the SSO applications of user '{user_id}'"),
                err,
            ),
            None => load_err.context(format!(
                "the SSO applications of user '{user_id}' were set, but could not be read back"
            )),
        }),
    }
}

/// The remove left the list empty (every application): another writer removed the user's other
/// applications between our load and our write. Give `app` back at once and fail.
async fn give_back(client: &Client, user_id: &str, app: &str) -> Result<(), Error> {
    tracing::error!(
        user = %user_id,
        app = %app,
        "revoking left the user with an empty ssoAppIds (EVERY application): another writer removed \
         its other applications at the same time; giving the application back"
    );
    let restored = client
        .users()
        .add_sso_apps(user_id, &[app.to_owned()])
        .await;
    match load_user(client, user_id).await {
        Ok(Some(u)) if !u.sso_app_ids.is_empty() => Err(Error::failed_precondition(format!(
            "revoking access to SSO application '{app}' from user '{user_id}' was refused: another \
             writer removed the user's other applications at the same time, so the revoke left \
             ssoAppIds empty, which Descope reads as access to EVERY application. '{app}' was \
             given back, and Descope now holds ssoAppIds {:?}. Grant the user the applications it \
             should keep first, then revoke this one; or disable the user",
            u.sso_app_ids
        ))
        .with_retryable(false)),
        other => {
            let why = match (restored.err(), other) {
                (Some(err), _) => err.to_string(),
                (None, Err(err)) => err.to_string(),
                (None, Ok(None)) => "the user no longer loads".to_owned(),
                (None, Ok(Some(_))) => "the user still lists no application".to_owned(),
            };
            Err(Error::internal(format!(
                "ACTION NEEDED: user '{user_id}' may now have access to EVERY SSO application \
                 (ssoAppIds empty): revoking '{app}' raced with another writer that removed the \
                 user's other applications, and giving '{app}' back failed ({why}). Set the \
                 user's applications in the Descope console, or disable the user"
            ))
            .with_retryable(false))
        }
    }
}

/// Whether two app lists name the same applications.
fn same_apps(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}
