//! Signing in and what it rests on: the sign-in engine and the lookups every operation shares
//! ([`engine`]), custom authentication's one trait and round ([`custom`]), SRP ([`srp`]), TOTP ([`totp`]), token signing ([`jwt`]), the checks of an OIDC provider's id token ([`federation`]), refresh tokens
//! ([`refresh`]), sign-up sessions ([`sign_up_session`]) and threat protection: the sign-ins it
//! records and blocks ([`risk`]).

pub(crate) mod claims;
pub(crate) mod crypto;
pub(crate) mod custom;
pub(crate) mod engine;
pub(crate) mod federation;
pub(crate) mod jwt;
pub(crate) mod refresh;
pub(crate) mod risk;
pub(crate) mod shared;
pub(crate) mod sign_up_session;
pub(crate) mod srp;
pub(crate) mod totp;
