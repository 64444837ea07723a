//! Users: their resource, their syncer (which fills the assignment index as pages go by), their
//! last sign-in, the roles and tenants only their records name, and their lifecycle (create,
//! delete, enable, disable). Their grants and revokes are dispatched in the crate's `provision` module.

pub(crate) mod found_on_users;
pub(crate) mod incident;
pub(crate) mod last_login;
pub(crate) mod lifecycle;
pub(crate) mod resource;
pub(crate) mod syncer;
