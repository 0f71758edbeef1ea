//! The HTTP side: the server ([`server`]), the hosted UI's pages ([`login`]) and the OAuth
//! endpoints ([`oauth`]).

pub(crate) mod login;
pub(crate) mod oauth;
pub(crate) mod server;

/// An HTTP answer: status, headers, body.
pub(crate) type Reply = (u16, Vec<(&'static str, String)>, String);
