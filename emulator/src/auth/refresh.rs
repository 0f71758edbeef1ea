//! `GetTokensFromRefreshToken` and refresh token rotation, as Cognito does them: on a rotating
//! app client each refresh answers a new refresh token, the one given is still accepted for the
//! client's retry grace period and refused after it (`RefreshTokenReuseException`), and
//! `REFRESH_TOKEN_AUTH` is refused (a rotating client cannot allow that flow). On other clients
//! `GetTokensFromRefreshToken` refreshes as `REFRESH_TOKEN_AUTH` does, with no new refresh token.

use serde_json::{Value, json};
use subtle::ConstantTimeEq as _;

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, NOT_AUTHORIZED, fault, no_device};
use crate::input::field;
use crate::model::state::{Client, Inner, RefreshToken};

/// `REFRESH_TOKEN_AUTH` on a rotating client: refused as Cognito refuses a flow the client does
/// not allow.
pub(crate) fn refuse_rotating(client: &Client, flow: &str) -> Result<(), Fault> {
    match client.refresh_rotation {
        Some(_) => Err(fault(
            "InvalidParameterException",
            format!("{flow} flow not enabled for this client"),
        )),
        None => Ok(()),
    }
}

/// A rotated-out refresh token once its client's grace period has passed (at once with no
/// grace): refused.
pub(crate) fn check_grace(inner: &Inner, record: &RefreshToken) -> Result<(), Fault> {
    let Some(rotated_at) = record.rotated_at else {
        return Ok(());
    };
    let grace = inner
        .pools
        .get(&record.pool_id)
        .and_then(|p| p.clients.get(&record.client_id))
        .and_then(|c| c.refresh_rotation)
        .map_or(0, |r| u64::from(r.retry_grace_seconds.min(60)));
    if inner.unix() >= rotated_at.saturating_add(grace) {
        return Err(fault(
            "RefreshTokenReuseException",
            "Refresh token has been used after its grace period.",
        ));
    }
    Ok(())
}

/// Whether `body`'s `ClientSecret` is one of the client's secrets (compared in constant time);
/// a client without a secret needs none.
pub(crate) fn client_secret_matches(client: &Client, body: &Value) -> bool {
    if client.info.secret.is_none() {
        return true;
    }
    let given = body.get("ClientSecret").and_then(Value::as_str);
    given.is_some_and(|g| {
        client.any_secret(|secret| bool::from(g.as_bytes().ct_eq(secret.as_bytes())))
    })
}

impl Inner {
    /// A refresh's device key, if any, must be one of the user's devices: otherwise
    /// `ResourceNotFoundException`, as Cognito answers for a forgotten device.
    pub(crate) fn check_refresh_device(
        &self,
        pool_id: &str,
        username: &str,
        device_key: Option<&str>,
    ) -> Result<(), Fault> {
        let known = device_key.is_none_or(|key| {
            self.pools
                .get(pool_id)
                .and_then(|p| p.devices.get(key))
                .is_some_and(|d| d.username == username)
        });
        if known { Ok(()) } else { Err(no_device()) }
    }

    /// The tokens of a refresh with `token` (already checked): on a rotating client a new
    /// refresh token too, the one given then valid for the grace period from its first rotation
    /// (GetTokensFromRefreshToken and the hosted UI's refresh grant).
    pub(crate) fn refresh_issue(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        token: String,
        device_key: Option<&str>,
    ) -> Answer {
        let rotating = self
            .pools
            .get(pool_id)
            .and_then(|p| p.issuing_client(client_id))
            .is_some_and(|c| c.refresh_rotation.is_some());
        let keep = (!rotating).then(|| token.clone());
        let mut result = self.issue(pool_id, client_id, username, keep, device_key)?;
        if rotating {
            let now = self.unix();
            let (mut origin, mut scope, mut created, mut sso) = (String::new(), None, now, None);
            let old_key = self.refresh_key(&token);
            if let Some(old) = self.refresh_tokens.get_mut(&old_key) {
                old.rotated_at.get_or_insert(now);
                origin = old.origin_jti.clone();
                scope = old.scope.clone();
                sso = old.sso.clone();
                if old.created != 0 {
                    created = old.created;
                }
            }
            // The new refresh token and these tokens keep the sign-in's `origin_jti` and scopes.
            let new = result.get("RefreshToken").and_then(Value::as_str);
            if let Some(new) = new.map(str::to_owned)
                && let Some(record) = self
                    .refresh_tokens
                    .get_mut(&crate::model::state::refresh_hash(&new))
            {
                // The sign-in's session goes on: its creation date stays.
                record.created = created;
                record.sso = sso;
                if !origin.is_empty() {
                    record.origin_jti = origin.clone();
                    result["AccessToken"]["origin_jti"] = json!(origin);
                    result["IdToken"]["origin_jti"] = json!(origin);
                }
                if let Some(scope) = scope {
                    record.scope = Some(scope.clone());
                    result["AccessToken"]["scope"] = json!(scope);
                }
            }
        }
        Ok(result)
    }
}

/// GetTokensFromRefreshToken: new tokens for a refresh token of the client (on a rotating client
/// a new refresh token too).
pub(crate) fn get_tokens_from_refresh_token(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let token = field(body, "RefreshToken")?.to_owned();
    let client_id = field(body, "ClientId")?.to_owned();
    let (pool_id, client) = state.client(&client_id)?;
    if !client_secret_matches(&client, body) {
        return Err(fault(
            NOT_AUTHORIZED,
            format!("Unable to verify secret for client {client_id}"),
        ));
    }
    let (record, username) = state.refresh_record(&token, &client_id)?;
    if record.pool_id != pool_id {
        return Err(fault(NOT_AUTHORIZED, "Invalid Refresh Token"));
    }
    let device_key = body.get("DeviceKey").and_then(Value::as_str);
    state.check_refresh_device(&pool_id, &username, device_key)?;
    let device_key = device_key.map(str::to_owned);
    let result = state.refresh_issue(
        &pool_id,
        &client_id,
        &username,
        token,
        device_key.as_deref(),
    )?;
    Ok(json!({"AuthenticationResult": result}))
}
