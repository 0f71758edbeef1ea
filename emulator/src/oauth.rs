//! The hosted UI's OAuth endpoints: `/oauth2/authorize` (code flow with PKCE; the emulator has no
//! login page, so the test passes `username` and `password` as extra query parameters and gets
//! the redirect at once), `/oauth2/token` (authorization code with the PKCE verifier, refresh
//! token), `/oauth2/revoke`, `/oauth2/userInfo`.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::jwt::Signer;
use crate::srp;
use crate::state::Inner;

/// A code waiting for its exchange.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub redirect_uri: String,
    pub challenge: Option<String>,
    pub expires: u64,
}

/// An HTTP answer: status, headers, body.
pub(crate) type Reply = (u16, Vec<(&'static str, String)>, String);

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    (
        status,
        vec![("Content-Type", "application/json".into())],
        json!({"error": error, "error_description": description}).to_string(),
    )
}

fn params(query: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

impl Inner {
    pub(crate) fn authorize(&mut self, query: &str) -> Reply {
        let p = params(query);
        let get = |k: &str| p.get(k).cloned().unwrap_or_default();
        let (client_id, redirect_uri) = (get("client_id"), get("redirect_uri"));
        let Some(pool_id) = self
            .pools
            .values()
            .find(|pool| pool.clients.contains_key(&client_id))
            .map(|pool| pool.id.clone())
        else {
            return oauth_error(400, "invalid_request", "unknown client");
        };
        if get("response_type") != "code" {
            return oauth_error(400, "unsupported_response_type", "only code");
        }
        let challenge = p.get("code_challenge").cloned();
        if challenge.is_some() && get("code_challenge_method") != "S256" {
            return oauth_error(400, "invalid_request", "only S256");
        }
        let separator = if redirect_uri.contains('?') { '&' } else { '?' };
        let state = p
            .get("state")
            .map(|s| {
                format!(
                    "&state={}",
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                )
            })
            .unwrap_or_default();
        let realm = self
            .pools
            .get(&pool_id)
            .map(|pool| pool.name().to_owned())
            .unwrap_or_default();
        let user = self
            .pools
            .get(&pool_id)
            .and_then(|pool| pool.find(&get("username")))
            .cloned();
        let authenticated = user.as_ref().is_some_and(|u| {
            srp::verifier(&realm, &u.username, &get("password"), &u.salt) == u.verifier
        });
        let Some(user) = user.filter(|_| authenticated) else {
            let location = format!(
                "{redirect_uri}{separator}error=access_denied&error_description=Bad+credentials{state}"
            );
            return (302, vec![("Location", location)], String::new());
        };
        let code = self.token();
        let expires = self.unix() + 300;
        self.grants.insert(
            code.clone(),
            Grant {
                pool_id,
                client_id,
                username: user.username,
                redirect_uri: redirect_uri.clone(),
                challenge,
                expires,
            },
        );
        (
            302,
            vec![(
                "Location",
                format!("{redirect_uri}{separator}code={code}{state}"),
            )],
            String::new(),
        )
    }

    fn basic_client(
        &self,
        authorization: Option<&str>,
        form: &BTreeMap<String, String>,
    ) -> Result<(String, String), Reply> {
        let client_id = form.get("client_id").cloned().unwrap_or_default();
        let (pool_id, secret) = self
            .pools
            .values()
            .find_map(|p| {
                p.clients
                    .get(&client_id)
                    .map(|c| (p.id.clone(), c.secret.clone()))
            })
            .ok_or_else(|| oauth_error(400, "invalid_client", "unknown client"))?;
        if let Some(secret) = secret {
            let expected = format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}")));
            if authorization != Some(expected.as_str()) {
                return Err(oauth_error(
                    400,
                    "invalid_client",
                    "client authentication failed",
                ));
            }
        }
        Ok((pool_id, client_id))
    }

    pub(crate) fn token_endpoint(
        &mut self,
        signer: &Signer,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let form: BTreeMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let (pool_id, client_id) = match self.basic_client(authorization, &form) {
            Ok(c) => c,
            Err(reply) => return reply,
        };
        let (username, refresh) = match form.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let code = form.get("code").cloned().unwrap_or_default();
                let Some(grant) = self.grants.remove(&code) else {
                    return oauth_error(400, "invalid_grant", "unknown or used code");
                };
                if grant.client_id != client_id
                    || grant.pool_id != pool_id
                    || grant.expires < self.unix()
                {
                    return oauth_error(400, "invalid_grant", "code not valid for this client");
                }
                if form.get("redirect_uri") != Some(&grant.redirect_uri) {
                    return oauth_error(400, "invalid_grant", "redirect_uri mismatch");
                }
                if let Some(challenge) = &grant.challenge {
                    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
                    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != *challenge {
                        return oauth_error(400, "invalid_grant", "PKCE verification failed");
                    }
                }
                (grant.username, None)
            }
            Some("refresh_token") => {
                let token = form.get("refresh_token").cloned().unwrap_or_default();
                match self.refresh_tokens.get(&token) {
                    Some(r) if !r.revoked && r.client_id == client_id => {
                        (r.username.clone(), Some(token))
                    }
                    _ => return oauth_error(400, "invalid_grant", "invalid refresh token"),
                }
            }
            _ => {
                return oauth_error(
                    400,
                    "unsupported_grant_type",
                    "authorization_code or refresh_token",
                );
            }
        };
        match self.issue_public(signer, &pool_id, &client_id, &username, refresh) {
            Ok(result) => {
                let mut out = json!({"access_token": result["AccessToken"], "id_token": result["IdToken"], "expires_in": 3600, "token_type": "Bearer"});
                if let Some(r) = result.get("RefreshToken") {
                    out["refresh_token"] = r.clone();
                }
                (
                    200,
                    vec![("Content-Type", "application/json".into())],
                    out.to_string(),
                )
            }
            Err(e) => oauth_error(500, "server_error", &e.message),
        }
    }

    pub(crate) fn revoke_endpoint(&mut self, authorization: Option<&str>, body: &[u8]) -> Reply {
        let form: BTreeMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        if let Err(reply) = self.basic_client(authorization, &form) {
            return reply;
        }
        if let Some(r) = form
            .get("token")
            .and_then(|t| self.refresh_tokens.get_mut(t))
        {
            r.revoked = true;
        }
        (200, Vec::new(), String::new())
    }

    pub(crate) fn user_info(&self, authorization: Option<&str>) -> Reply {
        let token = authorization
            .and_then(|a| a.strip_prefix("Bearer "))
            .unwrap_or_default();
        match self.access_public(token) {
            Ok((pool_id, username, _)) => {
                let attrs = self
                    .pools
                    .get(&pool_id)
                    .and_then(|p| p.users.get(&username))
                    .map(|u| u.attributes.clone())
                    .unwrap_or_default();
                let mut out: serde_json::Map<String, Value> = attrs
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                out.insert("username".into(), Value::String(username));
                (
                    200,
                    vec![("Content-Type", "application/json".into())],
                    Value::Object(out).to_string(),
                )
            }
            Err(_) => oauth_error(401, "invalid_token", "Access token is invalid"),
        }
    }
}
