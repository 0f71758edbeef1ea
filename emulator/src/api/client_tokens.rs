//! Tokens an app client asks for without a user signing in: GetClientToken (an access token for
//! machine-to-machine calls, as the token endpoint's `client_credentials` grant issues it) and
//! GetDerivedToken (RFC 8693 token exchange). Both are signed by the emulator's key, like every
//! token of the pool, and neither is kept: they are for resource servers, which verify them
//! against the JWKS, not for the user API.
//!
//! GetClientToken needs a client with a secret (any of its secrets) and `ALLOW_CLIENT_TOKEN_AUTH`;
//! its scopes are the custom scopes (`<resource server>/<scope>`) asked for, each one of the
//! pool's and allowed for the client, or without any asked for, every custom scope the client
//! allows. GetDerivedToken takes an access or id token of the pool (signature, issuer, expiry,
//! `token_use`, and for an access token the revocation check of every user API call) and the
//! client's secret when it has one; an actor token (`ActorToken`, any access or id token of the
//! pool) needs `ALLOW_TOKEN_EXCHANGE_DELEGATION` and is named in the `act` claim, no actor needs
//! `ALLOW_TOKEN_EXCHANGE_IMPERSONATION`. The scopes are the subject's, narrowed to those asked
//! for and allowed for the client when some are asked for; the audience (`aud`) is the one
//! audience or resource server asked for. A SAML assertion or another provider's token cannot be
//! checked locally and is refused.

use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq as _;

use crate::auth::engine::aws_issuer;
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, NOT_AUTHORIZED, fault, internal};
use crate::input::{field, opt_str, str_list};
use crate::model::state::{Client, Inner, Pool};

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

/// Whether the client's `ExplicitAuthFlows` name `flow`, else Cognito's refusal.
fn allows(client: &Client, flow: &str) -> Result<(), Fault> {
    let flows = client
        .settings
        .explicit_auth_flows
        .as_deref()
        .unwrap_or_default();
    if flows.iter().any(|f| f == flow) {
        Ok(())
    } else {
        Err(invalid(format!("{flow} flow not enabled for this client")))
    }
}

/// Whether `given` is one of the client's secrets (compared in constant time).
fn secret_is(client: &Client, given: &str) -> bool {
    client.any_secret(|secret| bool::from(given.as_bytes().ct_eq(secret.as_bytes())))
}

/// Whether `scope` (`<identifier>/<name>`) is a custom scope of one of the pool's resource
/// servers.
fn custom_scope(pool: &Pool, scope: &str) -> bool {
    scope.rsplit_once('/').is_some_and(|(server, name)| {
        pool.resources
            .resource_servers
            .get(server)
            .is_some_and(|s| s.scopes.iter().any(|sc| sc.name == name))
    })
}

/// GetClientToken: claims signed once the lock is released.
pub(crate) fn get_client_token(shared: &Shared, body: &Value) -> Answer {
    let (claims, expires_in) = {
        let state = &mut *shared.lock();
        let client_id = field(body, "ClientId")?.to_owned();
        let secret = field(body, "Secret")?;
        let requested = str_list(body, "Scopes")?;
        let (pool_id, client) = state.client(&client_id)?;
        if client.info.secret.is_none() {
            return Err(invalid(format!(
                "Client {client_id} has no client secret: GetClientToken needs one."
            )));
        }
        if !secret_is(&client, secret) {
            return Err(fault(
                NOT_AUTHORIZED,
                format!("Unable to verify secret for client {client_id}"),
            ));
        }
        allows(&client, "ALLOW_CLIENT_TOKEN_AUTH")?;
        let pool = state.pool_by_id(&pool_id)?;
        let allowed = &client.settings.allowed_oauth_scopes;
        let scopes: Vec<String> = if requested.is_empty() {
            allowed
                .iter()
                .filter(|s| custom_scope(pool, s))
                .cloned()
                .collect()
        } else {
            if let Some(bad) = requested
                .iter()
                .find(|s| !custom_scope(pool, s) || !allowed.contains(s))
            {
                return Err(invalid(format!("Invalid scope requested: {bad}")));
            }
            requested
        };
        if scopes.is_empty() {
            return Err(invalid(
                "The client allows no custom scope of the pool's resource servers.",
            ));
        }
        let now = state.unix();
        let validity = client.settings.token_validity.access.as_secs();
        let claims = json!({
            "sub": client_id, "client_id": client_id, "token_use": "access",
            "scope": scopes.join(" "), "auth_time": now, "iat": now, "exp": now + validity,
            "iss": aws_issuer(&pool_id), "version": 2, "jti": state.uuid(),
        });
        (claims, validity)
    };
    let token = shared.signer.sign(&claims).map_err(internal)?;
    Ok(json!({"ClientAuthenticationResult": {
        "AccessToken": token, "ExpiresIn": expires_in, "TokenType": "Bearer",
    }}))
}

/// A `TokenTypeIdentifierType` field: `ACCESS_TOKEN`, `ID_TOKEN` or `SAML2`.
fn token_type<'a>(body: &'a Value, name: &str) -> Result<Option<&'a str>, Fault> {
    match opt_str(body, name)? {
        None => Ok(None),
        Some(t @ ("ACCESS_TOKEN" | "ID_TOKEN")) => Ok(Some(t)),
        Some("SAML2") => Err(invalid(format!(
            "{name} SAML2: the emulator verifies only the tokens of its own pools."
        ))),
        Some(other) => Err(invalid(format!(
            "1 validation error detected: Value '{other}' at '{name}' failed to satisfy \
             constraint: Member must satisfy enum value set: [ACCESS_TOKEN, ID_TOKEN, SAML2]"
        ))),
    }
}

/// The claims of `token`, a token of the pool `pool_id` of type `kind` (`ACCESS_TOKEN` or
/// `ID_TOKEN`): signed by the emulator's key, issued by the pool, unexpired, of that use.
fn pool_token(
    shared: &Shared,
    state: &Inner,
    pool_id: &str,
    token: &str,
    kind: &str,
) -> Result<Map<String, Value>, Fault> {
    let invalid_token = || fault(NOT_AUTHORIZED, "Invalid token");
    if !shared.signer.verify(token) {
        return Err(invalid_token());
    }
    let claims = crate::auth::jwt::claims(token)
        .and_then(|c| c.as_object().cloned())
        .ok_or_else(invalid_token)?;
    let want = if kind == "ACCESS_TOKEN" {
        "access"
    } else {
        "id"
    };
    let exp = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
    if claims.get("iss").and_then(Value::as_str) != Some(aws_issuer(pool_id).as_str())
        || claims.get("token_use").and_then(Value::as_str) != Some(want)
    {
        return Err(invalid_token());
    }
    if exp <= state.unix() {
        return Err(fault(NOT_AUTHORIZED, "Token has expired"));
    }
    Ok(claims)
}

/// The subject of an exchange: its claims, once it is checked like every token of a user
/// (an access token through the user API's revocation check; an id token's user must exist and
/// be enabled).
fn subject(
    shared: &Shared,
    state: &Inner,
    pool_id: &str,
    token: &str,
    kind: &str,
) -> Result<Map<String, Value>, Fault> {
    let claims = pool_token(shared, state, pool_id, token, kind)?;
    if kind == "ACCESS_TOKEN" {
        state.access(token)?;
    } else {
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let user = state
            .pools
            .get(pool_id)
            .and_then(|p| p.by_sub(sub))
            .ok_or_else(|| fault(NOT_AUTHORIZED, "Invalid token"))?;
        crate::rules::check_enabled(user)?;
    }
    Ok(claims)
}

/// One value of a list of at most one (`Audiences`, `Resources`).
fn one(body: &Value, name: &str) -> Result<Option<String>, Fault> {
    let mut list = str_list(body, name)?;
    if list.len() > 1 {
        return Err(invalid(format!(
            "1 validation error detected: Value at '{name}' failed to satisfy constraint: \
             Member must have length less than or equal to 1"
        )));
    }
    Ok(list.pop())
}

/// GetDerivedToken: claims signed once the lock is released.
pub(crate) fn get_derived_token(shared: &Shared, body: &Value) -> Answer {
    let (claims, issued_type, expires_in, scopes) = {
        let state = &mut *shared.lock();
        let client_id = field(body, "ClientId")?.to_owned();
        let token = field(body, "SubjectToken")?;
        let kind = token_type(body, "SubjectTokenType")?
            .ok_or_else(|| crate::input::missing("SubjectTokenType"))?;
        if opt_str(body, "SubjectTokenProviderName")?.is_some()
            || opt_str(body, "ActorTokenProviderName")?.is_some()
        {
            return Err(invalid(
                "The emulator verifies only the tokens of its own pools: no provider's tokens.",
            ));
        }
        let actor = opt_str(body, "ActorToken")?;
        let actor_kind = token_type(body, "ActorTokenType")?;
        let requested_type = match opt_str(body, "RequestedTokenType")? {
            None | Some("ACCESS_TOKEN") => "ACCESS_TOKEN",
            Some("ID_TOKEN") => "ID_TOKEN",
            Some(other) => {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{other}' at 'requestedTokenType' failed \
                     to satisfy constraint: Member must satisfy enum value set: [ACCESS_TOKEN, \
                     ID_TOKEN]"
                )));
            }
        };
        let audience = one(body, "Audiences")?;
        let resource = one(body, "Resources")?;
        if audience.is_some() && resource.is_some() {
            return Err(invalid(
                "Audiences and Resources cannot both be given in one request.",
            ));
        }
        let requested = str_list(body, "Scopes")?;
        let (pool_id, client) = state.client(&client_id)?;
        if client.info.secret.is_some() {
            let given = opt_str(body, "ClientSecret")?.unwrap_or_default();
            if !secret_is(&client, given) {
                return Err(fault(
                    NOT_AUTHORIZED,
                    format!("Unable to verify secret for client {client_id}"),
                ));
            }
        }
        let act = match (actor, actor_kind) {
            (Some(_), None) => {
                return Err(invalid("ActorTokenType is required with an ActorToken."));
            }
            (Some(actor), Some(actor_kind)) => {
                allows(&client, "ALLOW_TOKEN_EXCHANGE_DELEGATION")?;
                let claims = pool_token(shared, state, &pool_id, actor, actor_kind)?;
                Some(json!({"sub": claims.get("sub").cloned().unwrap_or(Value::Null)}))
            }
            (None, _) => {
                allows(&client, "ALLOW_TOKEN_EXCHANGE_IMPERSONATION")?;
                None
            }
        };
        if let Some(resource) = &resource
            && !state
                .pool_by_id(&pool_id)?
                .resources
                .resource_servers
                .contains_key(resource)
        {
            return Err(fault(
                "ResourceNotFoundException",
                format!("Resource server {resource} does not exist."),
            ));
        }
        let subject = subject(shared, state, &pool_id, token, kind)?;
        let held: Vec<String> = subject
            .get("scope")
            .and_then(Value::as_str)
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let scopes: Vec<String> = if requested.is_empty() {
            held
        } else {
            let allowed = &client.settings.allowed_oauth_scopes;
            requested
                .into_iter()
                .filter(|s| allowed.contains(s) && (kind == "ID_TOKEN" || held.contains(s)))
                .collect()
        };
        let now = state.unix();
        let validity = &client.settings.token_validity;
        let (jti, event) = (state.uuid(), state.uuid());
        let aud = audience.or(resource);
        let keep = |names: &[&str], claims: &mut Map<String, Value>| {
            for name in names {
                if let Some(v) = subject.get(*name) {
                    claims.insert((*name).to_owned(), v.clone());
                }
            }
        };
        let mut claims = Map::new();
        keep(&["sub", "iss", "auth_time", "origin_jti"], &mut claims);
        let username = subject
            .get("username")
            .or_else(|| subject.get("cognito:username"))
            .cloned()
            .unwrap_or(Value::Null);
        let expires_in = if requested_type == "ACCESS_TOKEN" {
            claims.insert("token_use".into(), json!("access"));
            claims.insert("client_id".into(), json!(client_id));
            claims.insert("username".into(), username);
            if !scopes.is_empty() {
                claims.insert("scope".into(), json!(scopes.join(" ")));
            }
            if let Some(aud) = &aud {
                claims.insert("aud".into(), json!(aud));
            }
            validity.access.as_secs()
        } else {
            // The user's identity claims, from the subject when it is an id token, else from
            // the user's attributes the client may read.
            if kind == "ID_TOKEN" {
                for (k, v) in &subject {
                    claims.entry(k.clone()).or_insert_with(|| v.clone());
                }
            } else if let Some(user) = state.pools.get(&pool_id).and_then(|p| {
                p.by_sub(
                    subject
                        .get("sub")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                )
            }) {
                for (k, v) in &user.attributes {
                    if client.settings.may_read(k) && !claims.contains_key(k) {
                        claims.insert(k.clone(), json!(v));
                    }
                }
            }
            claims.insert("cognito:username".into(), username);
            claims.insert("token_use".into(), json!("id"));
            claims.insert(
                "aud".into(),
                json!(aud.unwrap_or_else(|| client_id.clone())),
            );
            claims.remove("nonce");
            claims.remove("at_hash");
            validity.id.as_secs()
        };
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + expires_in));
        claims.insert("jti".into(), json!(jti));
        claims.insert("event_id".into(), json!(event));
        if let Some(act) = act {
            claims.insert("act".into(), act);
        }
        (Value::Object(claims), requested_type, expires_in, scopes)
    };
    let token = shared.signer.sign(&claims).map_err(internal)?;
    let mut answer = json!({
        "IssuedToken": token, "IssuedTokenType": issued_type, "ExpiresIn": expires_in,
        "TokenType": if issued_type == "ACCESS_TOKEN" { "Bearer" } else { "N_A" },
    });
    if issued_type == "ACCESS_TOKEN" {
        answer["Scopes"] = json!(scopes);
    }
    Ok(answer)
}
