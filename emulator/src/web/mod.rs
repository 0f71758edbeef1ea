//! The HTTP side: the server ([`server`]), the hosted UI's pages ([`login`]), the OAuth
//! endpoints ([`oauth`]) and the test controls under `/_emulator/` ([`controls`]).

pub(crate) mod controls;
pub(crate) mod login;
pub(crate) mod oauth;
pub(crate) mod server;

/// An HTTP answer: status, headers, body.
pub(crate) type Reply = (u16, Vec<(&'static str, String)>, String);
