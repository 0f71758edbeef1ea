//! The records and their storage: pools, clients, users, sessions, tokens, the outbox
//! ([`state`]), the change-tracking tables ([`table`]), Cognito's settings ([`settings`]), the
//! data directory ([`store`]), the ListUsers filter ([`filter`]), a pool's domain and resource servers
//! ([`resources`]), what it configures for AWS's infrastructure ([`configuration`]), its user
//! import jobs ([`imports`]) and risk configurations with the recorded sign-in events ([`risk`]),
//! what the test controls work on ([`controls`]), an app client's secrets ([`client_secrets`]),
//! a user's linked identities ([`provider_links`]) and the index of the users by email, phone
//! number, sub and names, with the lookups that read it ([`users`]). It imports nothing else of
//! the crate.

pub(crate) mod client_secrets;
pub(crate) mod configuration;
pub(crate) mod controls;
pub(crate) mod filter;
pub(crate) mod hosted_ui;
pub(crate) mod imports;
pub(crate) mod passkeys;
pub(crate) mod provider_links;
pub(crate) mod resources;
pub(crate) mod risk;
pub(crate) mod settings;
pub(crate) mod state;
pub(crate) mod store;
pub(crate) mod table;
pub(crate) mod users;
