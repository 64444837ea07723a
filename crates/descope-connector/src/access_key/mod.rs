//! Access keys: Descope's non-human identities, with project roles and tenant roles of their own.
//!
//! A key is listed once per sync for the whole crate (see [`crate::key_list`]); here are its
//! resource, its syncer (delete, enable, disable) and the grants and revokes of its roles and
//! tenant memberships.

pub(crate) mod credentials;
pub(crate) mod provision;
pub(crate) mod resource;
pub(crate) mod syncer;
