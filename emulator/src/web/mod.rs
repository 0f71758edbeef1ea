//! The HTTP side: the server ([`server`]), the hosted UI's pages ([`login`]), the OAuth
//! endpoints ([`oauth`]), sign-in through an OIDC identity provider ([`federation`]), client ID metadata documents
//! at `/oauth2/authorize` ([`cimd`]), the test controls under `/_emulator/` ([`controls`]) and the
//! pre-signed upload URLs of user import jobs ([`upload`]).

pub(crate) mod cimd;
pub(crate) mod controls;
pub(crate) mod federation;
pub(crate) mod login;
pub(crate) mod oauth;
pub(crate) mod server;
pub(crate) mod upload;

/// An HTTP answer: status, headers, body.
pub(crate) type Reply = (u16, Vec<(&'static str, String)>, String);
