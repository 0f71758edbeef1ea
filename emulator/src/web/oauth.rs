//! The hosted UI's OAuth endpoints: `/oauth2/authorize`'s non-interactive path (code flow with
//! PKCE: a script without a browser passes `username` and `password` as extra query parameters and
//! gets the redirect at once; without them the login page in `login.rs` answers), `/oauth2/token` (authorization code with the PKCE verifier, refresh
//! token, client credentials), `/oauth2/revoke`, `/oauth2/userInfo`; and the GET paths beside them: the JWKS, the
//! OpenID configuration and the emulator's outbox.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;

use crate::auth::engine::{aws_issuer, realm, sign_tokens};
use crate::auth::risk::{Attempt, Step};
use crate::auth::shared::Shared;
use crate::auth::srp;
use crate::model::hosted_ui::Grant;
use crate::model::state::Inner;
use crate::web::Reply;
use crate::web::login::Next;

/// The callback URL with `params` and the request's `state` in its query.
fn with_params(authz: &crate::model::hosted_ui::Authz, params: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(params.iter().copied());
    if let Some(state) = &authz.state {
        query.append_pair("state", state);
    }
    let separator = if authz.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{separator}{}", authz.redirect_uri, query.finish())
}

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    json_reply(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

fn json_reply(status: u16, body: &Value) -> Reply {
    (
        status,
        vec![("Content-Type", "application/json".into())],
        body.to_string(),
    )
}

fn params(query: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// The GET paths: `/{pool}/.well-known/jwks.json`, `/{pool}/.well-known/openid-configuration`
/// and `/_emulator/outbox?username=...&pool_id=...` (every code sent, oldest first, as
/// `{"messages": [{"pool_id", "username", "medium", "destination", "purpose", "code"}]}`).
pub(crate) fn well_known(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
) -> Option<Reply> {
    if *method != Method::GET && *method != Method::HEAD {
        return None;
    }
    // The documents of a pool that exists (Cognito answers 404 for any other id).
    let pool_of = |suffix: &str| {
        path.strip_prefix('/')
            .and_then(|p| p.strip_suffix(suffix))
            .map(|pool| (pool, shared.lock().pools.contains_key(pool)))
    };
    if let Some((_, exists)) = pool_of("/.well-known/jwks.json") {
        if !exists {
            return Some(json_reply(
                404,
                &json!({"message": "User pool does not exist."}),
            ));
        }
        return Some(json_reply(200, shared.signer.jwks()));
    }
    if let Some((pool, exists)) = pool_of("/.well-known/openid-configuration") {
        if !exists {
            return Some(json_reply(
                404,
                &json!({"message": "User pool does not exist."}),
            ));
        }
        let local = |p: &str| format!("{}{p}", shared.endpoint);
        return Some(json_reply(
            200,
            &json!({
                "issuer": aws_issuer(pool),
                "jwks_uri": local(&format!("{pool}/.well-known/jwks.json")),
                "authorization_endpoint": local("oauth2/authorize"),
                "token_endpoint": local("oauth2/token"),
                "userinfo_endpoint": local("oauth2/userInfo"),
                "revocation_endpoint": local("oauth2/revoke"),
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
            }),
        ));
    }
    if path == "/_emulator/outbox" {
        let p = params(query);
        let messages: Vec<Value> = shared
            .lock()
            .outbox
            .iter()
            .filter(|m| p.get("username").is_none_or(|u| *u == m.username))
            .filter(|m| p.get("pool_id").is_none_or(|id| *id == m.pool_id))
            .map(|m| {
                let mut listed = json!({"pool_id": m.pool_id, "username": m.username, "medium": m.medium,
                       "destination": m.destination, "purpose": m.purpose, "code": m.code});
                // The text a CustomMessage webhook wrote, when there is one.
                if !m.message.is_empty() {
                    listed["message"] = json!(m.message);
                }
                if !m.subject.is_empty() {
                    listed["subject"] = json!(m.subject);
                }
                listed
            })
            .collect();
        return Some(json_reply(200, &json!({"messages": messages})));
    }
    None
}

/// `/oauth2/authorize`'s scripted sign-in under threat protection (`auth/risk.rs`): screened
/// first (a block is refused as a wrong password is, with Cognito's message), then recorded.
fn scripted_authorize(shared: &Shared, query: &str) -> Reply {
    let p = params(query);
    let get = |k: &str| p.get(k).map_or("", String::as_str);
    let (attempt, right) = {
        let state = shared.lock();
        match state.client(get("client_id")) {
            Ok((pool_id, _)) => {
                let right = state
                    .pools
                    .get(&pool_id)
                    .and_then(|pool| pool.find(get("username")))
                    .is_some_and(|u| {
                        srp::password_matches(realm(&pool_id), get("password"), &u.credential)
                    });
                let attempt = Attempt::hosted(
                    &state,
                    &pool_id,
                    get("client_id"),
                    get("username"),
                    get("password"),
                );
                (attempt, right)
            }
            Err(_) => (None, false),
        }
    };
    let blocked = attempt
        .as_ref()
        .and_then(|a| a.screen(shared).err())
        .map(|refusal| refusal.message);
    let reply = shared.lock().authorize(query, blocked.as_deref());
    // A request refused before any sign-in (an unknown client, an unregistered redirect URI)
    // answers 400: no event.
    if let Some(attempt) = attempt
        && blocked.is_none()
        && reply.0 == 302
    {
        let location = reply
            .1
            .iter()
            .find(|(k, _)| *k == "Location")
            .map_or("", |(_, v)| v.as_str());
        let signed_in =
            url::Url::parse(location).is_ok_and(|u| u.query_pairs().any(|(k, _)| k == "code"));
        attempt.record_hosted(
            shared,
            Step {
                response: if signed_in { "Pass" } else { "Fail" },
                challenge_right: Some(right),
                next_session: None,
            },
        );
    }
    reply
}

/// `/oauth2/*`.
pub(crate) async fn endpoint(
    shared: &Shared,
    path: &str,
    query: &str,
    authorization: Option<&str>,
    body: &[u8],
) -> Reply {
    match path {
        "/oauth2/authorize" => scripted_authorize(shared, query),
        "/oauth2/token"
            if url::form_urlencoded::parse(body)
                .any(|(k, v)| k == "grant_type" && v == "client_credentials") =>
        {
            client_credentials(shared, authorization, body).await
        }
        "/oauth2/token" => {
            let result = shared.lock().token_endpoint(authorization, body);
            let refresh = url::form_urlencoded::parse(body)
                .any(|(k, v)| k == "grant_type" && v == "refresh_token");
            let source = if refresh {
                "TokenGeneration_RefreshTokens"
            } else {
                "TokenGeneration_HostedAuth"
            };
            let result = match result {
                Ok(mut answer) => {
                    match crate::triggers::pre_token_generation(
                        shared,
                        &mut answer,
                        source,
                        json!({}),
                    )
                    .await
                    {
                        Ok(()) => Ok(answer),
                        Err(f) => Err(oauth_error(400, "invalid_request", &f.message)),
                    }
                }
                Err(reply) => Err(reply),
            };
            match result {
                Ok(mut answer) => match sign_tokens(&shared.signer, &mut answer) {
                    Ok(()) => {
                        let result = &answer["AuthenticationResult"];
                        let mut out = json!({"access_token": result["AccessToken"], "id_token": result["IdToken"], "expires_in": result["ExpiresIn"], "token_type": "Bearer"});
                        if let Some(r) = result.get("RefreshToken") {
                            out["refresh_token"] = r.clone();
                        }
                        json_reply(200, &out)
                    }
                    Err(e) => oauth_error(500, "server_error", &e.message),
                },
                Err(reply) => reply,
            }
        }
        "/oauth2/revoke" => shared.lock().revoke_endpoint(authorization, body),
        "/oauth2/userInfo" => {
            let token = authorization
                .and_then(|a| a.strip_prefix("Bearer "))
                .unwrap_or_default();
            if !shared.signer.verify(token) {
                return oauth_error(401, "invalid_token", "Access token is invalid");
            }
            shared.lock().user_info(token)
        }
        _ => (404, Vec::new(), String::new()),
    }
}

/// `/oauth2/token` with `grant_type=client_credentials`: an access token for the client itself,
/// through the PreTokenGeneration webhook (V3) when the pool has one.
async fn client_credentials(shared: &Shared, authorization: Option<&str>, body: &[u8]) -> Reply {
    let form: BTreeMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let grant = shared.lock().machine_grant(authorization, &form);
    let (pool_id, client_id, mut access) = match grant {
        Ok(grant) => grant,
        Err(reply) => return reply,
    };
    // Cognito's `aws_client_metadata`: a JSON object, handed to the webhook as `clientMetadata`.
    let metadata = match form.get("aws_client_metadata") {
        None => json!({}),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(object @ Value::Object(_)) => object,
            _ => {
                return oauth_error(
                    400,
                    "invalid_request",
                    "aws_client_metadata is not a JSON object",
                );
            }
        },
    };
    if let Err(f) = crate::triggers::pre_token_generation_m2m(
        shared,
        &pool_id,
        &client_id,
        &mut access,
        metadata,
    )
    .await
    {
        return oauth_error(400, "invalid_request", &f.message);
    }
    let expires_in =
        access["exp"].as_u64().unwrap_or_default() - access["iat"].as_u64().unwrap_or_default();
    match shared.signer.sign(&access) {
        Ok(token) => json_reply(
            200,
            &json!({"access_token": token, "expires_in": expires_in, "token_type": "Bearer"}),
        ),
        Err(e) => oauth_error(500, "server_error", &e.to_string()),
    }
}

impl Inner {
    /// The client of a `client_credentials` request, authenticated by HTTP Basic or by
    /// `client_id` and `client_secret` in the body, and the claims of its access token: the
    /// scopes asked for (each one the client allows and its resource server still has), or
    /// every scope the client allows when it asks for none.
    fn machine_grant(
        &mut self,
        authorization: Option<&str>,
        form: &BTreeMap<String, String>,
    ) -> Result<(String, String, Value), Reply> {
        let invalid_client = || oauth_error(400, "invalid_client", "Client authentication failed");
        let (client_id, secret) = match authorization.and_then(|a| a.strip_prefix("Basic ")) {
            Some(encoded) => {
                let decoded = STANDARD
                    .decode(encoded.trim())
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    .ok_or_else(invalid_client)?;
                let (id, secret) = decoded.split_once(':').ok_or_else(invalid_client)?;
                if form.get("client_id").is_some_and(|given| given != id) {
                    return Err(invalid_client());
                }
                (id.to_owned(), secret.to_owned())
            }
            None => match (form.get("client_id"), form.get("client_secret")) {
                (Some(id), Some(secret)) => (id.clone(), secret.clone()),
                _ => return Err(invalid_client()),
            },
        };
        let (pool_id, client) = self.client(&client_id).map_err(|_| invalid_client())?;
        // Any of the client's secrets (a client has two while one is rotated out).
        let authenticated =
            client.any_secret(|expected| bool::from(expected.as_bytes().ct_eq(secret.as_bytes())));
        if !authenticated {
            return Err(invalid_client());
        }
        let settings = &client.settings;
        if !settings.allowed_oauth_flows_user_pool_client
            || !settings
                .allowed_oauth_flows
                .iter()
                .any(|f| f == "client_credentials")
        {
            return Err(oauth_error(
                400,
                "unauthorized_client",
                "Client is not allowed the client_credentials flow",
            ));
        }
        let allowed = &settings.allowed_oauth_scopes;
        let mut scopes: Vec<String> = Vec::new();
        let asked = form.get("scope").map(String::as_str).unwrap_or_default();
        for scope in asked.split_whitespace().map(str::to_owned) {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            scopes.clone_from(allowed);
        }
        let servers = self
            .pools
            .get(&pool_id)
            .map(|p| &p.resources.resource_servers);
        let exists = |scope: &str| {
            scope.rsplit_once('/').is_some_and(|(identifier, name)| {
                servers
                    .and_then(|s| s.get(identifier))
                    .is_some_and(|server| server.scopes.iter().any(|s| s.name == name))
            })
        };
        if scopes.is_empty() || scopes.iter().any(|s| !allowed.contains(s) || !exists(s)) {
            return Err(oauth_error(400, "invalid_scope", "Invalid scope requested"));
        }
        let now = self.unix();
        let expires = now + settings.token_validity.access.as_secs();
        let access = json!({
            "sub": client_id, "token_use": "access", "scope": scopes.join(" "), "auth_time": now,
            "iss": aws_issuer(&pool_id), "exp": expires, "iat": now, "version": 2,
            "jti": self.uuid(), "client_id": client_id,
        });
        Ok((pool_id, client_id, access))
    }

    /// The scripted authorize; `blocked`: threat protection's refusal of the sign-in.
    pub(crate) fn authorize(&mut self, query: &str, blocked: Option<&str>) -> Reply {
        let p = params(query);
        if p.iter()
            .any(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
        {
            return oauth_error(400, "invalid_request", "control characters in the request");
        }
        let get = |k: &str| p.get(k).cloned().unwrap_or_default();
        let (client_id, redirect_uri) = (get("client_id"), get("redirect_uri"));
        // An app client, or a client identified by its metadata URL (its document's redirect
        // URIs).
        let (pool_id, registered) = match self.cimd_client(&client_id) {
            Some(cimd) => (cimd.pool_id, cimd.redirect_uris),
            None => match self.client(&client_id) {
                Ok((pool_id, client)) => (pool_id, client.callback_urls),
                Err(_) => return oauth_error(400, "invalid_request", "unknown client"),
            },
        };
        // Only a registered callback URL, matched exactly: never redirect anywhere else.
        if !registered.contains(&redirect_uri) {
            return oauth_error(400, "redirect_mismatch", "redirect_uri is not registered");
        }
        if get("response_type") != "code" {
            return oauth_error(400, "unsupported_response_type", "only code");
        }
        let challenge = p.get("code_challenge").cloned();
        if challenge.is_some() && get("code_challenge_method") != "S256" {
            return oauth_error(400, "invalid_request", "only S256");
        }
        // The client's OAuth flows and scopes, as the login page checks them.
        if let Err(why) = self.authz(&p) {
            let (error, description) = why.split_once(": ").unwrap_or(("invalid_request", &why));
            return oauth_error(400, error, description);
        }
        let authz = crate::model::hosted_ui::Authz {
            client_id,
            redirect_uri,
            state: p.get("state").cloned(),
            code_challenge: challenge,
            nonce: p.get("nonce").cloned(),
            scope: p.get("scope").cloned(),
        };
        let user = self
            .pools
            .get(&pool_id)
            .and_then(|pool| pool.find(&get("username")))
            .cloned();
        let authenticated = blocked.is_none()
            && user.as_ref().is_some_and(|u| {
                let right = srp::password_matches(realm(&pool_id), &get("password"), &u.credential);
                self.password_outcome(&pool_id, &u.username, right).is_ok()
            });
        let refusal = match &user {
            _ if blocked.is_some() => blocked.map(str::to_owned),
            Some(u) if authenticated => match self.after_hosted_password(&pool_id, u) {
                Next::Done => None,
                Next::Unconfirmed => Some("User is not confirmed.".to_owned()),
                Next::Refused(why) => Some(why),
                Next::NewPassword => Some(
                    "This user must choose a new password (NEW_PASSWORD_REQUIRED), which the scripted authorize does not ask: use the login page.".to_owned(),
                ),
                Next::Totp | Next::Sms | Next::Email | Next::Select(_) => Some(
                    "This user signs in with MFA, which the scripted authorize does not ask: use the login page.".to_owned(),
                ),
            },
            _ => Some("Bad credentials".to_owned()),
        };
        let (Some(user), None) = (user, &refusal) else {
            let location = with_params(
                &authz,
                &[
                    ("error", "access_denied"),
                    ("error_description", refusal.as_deref().unwrap_or_default()),
                ],
            );
            return (302, vec![("Location", location)], String::new());
        };
        let location = self.grant_redirect(&pool_id, &authz, &user.username, &user.sub, None);
        (302, vec![("Location", location)], String::new())
    }

    /// A code for `username`, kept for its exchange: the callback URL that carries it (and the
    /// request's `state`); `sso`: the SSO session (signed-in browser) it comes through.
    pub(crate) fn grant_redirect(
        &mut self,
        pool_id: &str,
        authz: &crate::model::hosted_ui::Authz,
        username: &str,
        sub: &str,
        sso: Option<String>,
    ) -> String {
        let code = self.token();
        let expires = self.unix() + 300;
        let scope = match &authz.scope {
            Some(scope) => scope.split_whitespace().collect::<Vec<_>>().join(" "),
            None => self
                .pools
                .get(pool_id)
                .and_then(|p| p.issuing_client(&authz.client_id))
                .map(|c| c.settings.allowed_oauth_scopes.join(" "))
                .unwrap_or_default(),
        };
        self.grants.insert(
            code.clone(),
            Grant {
                pool_id: pool_id.into(),
                client_id: authz.client_id.clone(),
                username: username.into(),
                sub: sub.into(),
                redirect_uri: authz.redirect_uri.clone(),
                challenge: authz.code_challenge.clone(),
                nonce: authz.nonce.clone(),
                scope,
                expires,
                sso,
            },
        );
        with_params(authz, &[("code", &code)])
    }

    fn basic_client(
        &self,
        authorization: Option<&str>,
        form: &BTreeMap<String, String>,
    ) -> Result<(String, String), Reply> {
        let client_id = form.get("client_id").cloned().unwrap_or_default();
        // A client identified by its metadata URL is public: no authentication.
        if let Some(cimd) = self.cimd_client(&client_id) {
            return Ok((cimd.pool_id, client_id));
        }
        let (pool_id, client) = self
            .client(&client_id)
            .map_err(|_| oauth_error(400, "invalid_client", "unknown client"))?;
        if client.info.secret.is_some() {
            // Basic authentication, or the secret in the body (`client_secret_post`), with any
            // of the client's secrets (two while one is rotated out).
            let right = match (authorization, form.get("client_secret")) {
                (Some(given), _) => client.any_secret(|secret| {
                    let expected =
                        format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}")));
                    bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
                }),
                (None, Some(given)) => client
                    .any_secret(|secret| bool::from(given.as_bytes().ct_eq(secret.as_bytes()))),
                (None, None) => false,
            };
            if !right {
                return Err(oauth_error(
                    400,
                    "invalid_client",
                    "client authentication failed",
                ));
            }
        }
        Ok((pool_id, client_id))
    }

    /// `/oauth2/token`: the tokens as claims (signed by the caller once the lock is released).
    fn token_endpoint(&mut self, authorization: Option<&str>, body: &[u8]) -> Result<Value, Reply> {
        let form: BTreeMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let (pool_id, client_id) = self.basic_client(authorization, &form)?;
        // The SSO session (signed-in browser) a code came through.
        let mut sso = None;
        let (username, refresh, nonce, scope) = match form.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let code = form.get("code").cloned().unwrap_or_default();
                let Some(grant) = self.grants.remove(&code) else {
                    return Err(oauth_error(400, "invalid_grant", "unknown or used code"));
                };
                if grant.client_id != client_id
                    || grant.pool_id != pool_id
                    || grant.expires < self.unix()
                {
                    return Err(oauth_error(
                        400,
                        "invalid_grant",
                        "code not valid for this client",
                    ));
                }
                // The user may have been disabled, or deleted and another made with the name,
                // since the code was issued.
                if !self.still_signed_in(&pool_id, &grant.username, &grant.sub) {
                    return Err(oauth_error(
                        400,
                        "invalid_grant",
                        "The user of this code can no longer sign in.",
                    ));
                }
                if form.get("redirect_uri") != Some(&grant.redirect_uri) {
                    return Err(oauth_error(400, "invalid_grant", "redirect_uri mismatch"));
                }
                if let Some(challenge) = &grant.challenge {
                    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
                    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                    if !bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
                        return Err(oauth_error(
                            400,
                            "invalid_grant",
                            "PKCE verification failed",
                        ));
                    }
                }
                sso = grant.sso;
                (grant.username, None, grant.nonce, Some(grant.scope))
            }
            Some("refresh_token") => {
                let token = form.get("refresh_token").cloned().unwrap_or_default();
                match self.refresh_record(&token, &client_id) {
                    Ok((_, username)) => (username, Some(token), None, None),
                    Err(_) => {
                        return Err(oauth_error(400, "invalid_grant", "invalid refresh token"));
                    }
                }
            }
            _ => {
                return Err(oauth_error(
                    400,
                    "unsupported_grant_type",
                    "authorization_code or refresh_token",
                ));
            }
        };
        // A refresh rotates the refresh token on a rotating client, as GetTokensFromRefreshToken.
        let issued = match refresh {
            Some(token) => self.refresh_issue(&pool_id, &client_id, &username, token, None),
            None => self.issue(&pool_id, &client_id, &username, None, None),
        };
        match issued {
            Ok(mut result) => {
                // The sign-in's token session came through the browser's SSO session.
                if let Some(sso) = sso
                    && let Some(key) = result
                        .get("RefreshToken")
                        .and_then(Value::as_str)
                        .map(crate::model::state::refresh_hash)
                    && let Some(record) = self.refresh_tokens.get_mut(&key)
                {
                    record.sso = Some(sso);
                }
                if let Some(nonce) = nonce {
                    result["IdToken"]["nonce"] = json!(nonce);
                }
                // The access token carries the scopes granted, not the API's own scope, and so
                // does every token refreshed from this sign-in.
                if let Some(scope) = scope {
                    result["AccessToken"]["scope"] = json!(scope);
                    let new = result.get("RefreshToken").and_then(Value::as_str);
                    if let Some(key) = new.map(crate::model::state::refresh_hash)
                        && let Some(record) = self.refresh_tokens.get_mut(&key)
                    {
                        record.scope = Some(scope);
                    }
                }
                Ok(json!({"AuthenticationResult": result}))
            }
            Err(e) => Err(oauth_error(500, "server_error", &e.message)),
        }
    }

    /// `/oauth2/revoke`: the refresh token and every access token issued from it.
    fn revoke_endpoint(&mut self, authorization: Option<&str>, body: &[u8]) -> Reply {
        let form: BTreeMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let client_id = match self.basic_client(authorization, &form) {
            Ok((_, client_id)) => client_id,
            Err(reply) => return reply,
        };
        if let Some(token) = form.get("token")
            && self
                .refresh_tokens
                .get(&self.refresh_key(token))
                .is_some_and(|r| r.client_id == client_id)
        {
            self.revoke_refresh(token);
        }
        (200, Vec::new(), String::new())
    }

    /// `/oauth2/userInfo`, for a bearer whose signature the caller checked.
    fn user_info(&self, token: &str) -> Reply {
        match self.access(token) {
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
                json_reply(200, &Value::Object(out))
            }
            Err(_) => oauth_error(401, "invalid_token", "Access token is invalid"),
        }
    }
}
