//! The records and their storage: pools, clients, users, sessions, tokens, the outbox
//! ([`state`]), the change-tracking tables ([`table`]), Cognito's settings ([`settings`]), the
//! data directory ([`store`]) and the ListUsers filter ([`filter`]). It imports nothing else of
//! the crate.

pub(crate) mod filter;
pub(crate) mod hosted_ui;
pub(crate) mod passkeys;
pub(crate) mod settings;
pub(crate) mod state;
pub(crate) mod store;
pub(crate) mod table;
