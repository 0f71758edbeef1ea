//! Sign-in through an OpenID Connect identity provider, as Cognito's hosted UI runs it.
//!
//! ```text
//! browser ── /oauth2/authorize?identity_provider=P (or idp_identifier=) ──> emulator
//!         <── 302 to P's authorization endpoint (P's client_id, scope, state, nonce,
//!                 redirect_uri = the emulator's /oauth2/idpresponse)
//! browser ── signs in at P ──> P <── 302 /oauth2/idpresponse?code&state
//! emulator ── code ──> P's token endpoint; P's JWKS; (P's userInfo)
//!          checks the id token (auth/federation.rs), makes or updates `P_<sub>`, or finds the
//!          native user the identity is linked to (AdminLinkProviderForUser)
//!         ──> 302 to the app's callback with its code, as any hosted-UI sign-in
//! ```
//!
//! The provider's endpoints are its `ProviderDetails` (`authorize_url`, `token_url`, `jwks_uri`,
//! `attributes_url`), or what its issuer's `/.well-known/openid-configuration` says. The
//! emulator calls them over plain HTTP, within five seconds, and only on 127.0.0.1, `localhost`,
//! `[::1]` or a host of [`EmulatorConfig::allowed_hosts`](crate::EmulatorConfig), so that a test
//! stays on the machine. The `state` is bound to the browser's CSRF cookie and used once.
//! Refusals are an error page, never a code.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::Full;
use serde_json::{Map, Value, json};

use crate::auth::federation::{Expected, check_id_token};
use crate::auth::shared::Shared;
use crate::model::hosted_ui::Federating;
use crate::model::provider_links::LinkedIdentity;
use crate::model::resources::IdentityProvider;
use crate::model::settings::GroupConfig;
use crate::model::state::{Credential, Group, Inner, Status};
use crate::triggers::{Failed, exchange};
use crate::web::Reply;
use crate::web::login::{cookies, error_page};

/// How long the emulator waits for a provider's answer.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer read from a provider.
const MAX_ANSWER: usize = 256 * 1024;
/// How long a sign-in may stay at the provider.
const FEDERATION_SECONDS: u64 = 600;
/// Cognito's hosted UI, for a provider it does not know or the app client does not offer.
const NOT_AVAILABLE: &str = "Login option is not available. Please try another one";
/// The state is not one the emulator issued to this browser, or it was used.
const BAD_STATE: &str = "Invalid state: this sign-in was not started in this browser, has expired or was already used. Start again from the application.";
/// The native users' provider.
const COGNITO: &str = "COGNITO";

/// `GET /oauth2/authorize` naming a provider, and `GET /oauth2/idpresponse`; `None` for the
/// rest.
pub(crate) async fn route(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
) -> Option<Reply> {
    if *method != Method::GET && *method != Method::HEAD {
        return None;
    }
    let p: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    match path {
        "/oauth2/authorize"
            if p.contains_key("idp_identifier")
                || p.get("identity_provider")
                    .is_some_and(|name| !name.eq_ignore_ascii_case(COGNITO)) =>
        {
            Some(start(shared, &p, &cookies(headers)).await)
        }
        // A HEAD does not use up the sign-in's state.
        "/oauth2/idpresponse" if *method == Method::GET => {
            Some(idp_response(shared, &p, &cookies(headers)).await)
        }
        "/oauth2/idpresponse" => Some(error_page(405, "Method not allowed.")),
        _ => None,
    }
}

/// The provider's endpoints.
struct Endpoints {
    authorize: String,
    token: String,
    jwks: String,
    user_info: Option<String>,
}

/// Whether the emulator may call `url`, and its URI: plain HTTP to a loopback host or an
/// allowed one.
fn callable(shared: &Shared, url: &str) -> Result<http::Uri, String> {
    let parsed = url::Url::parse(url).map_err(|_| format!("{} is not a URL", printable(url)))?;
    if parsed.scheme() != "http" {
        return Err(format!(
            "the emulator calls identity providers over http only, not {}",
            printable(url)
        ));
    }
    on_the_machine(shared, &parsed)?;
    parsed
        .as_str()
        .parse()
        .map_err(|_| format!("{} is not a URL", printable(url)))
}

/// Whether the emulator may call `url`'s host: 127.0.0.1, `localhost`, `[::1]` or a host of
/// [`EmulatorConfig::allowed_hosts`](crate::EmulatorConfig), so that a test stays on the machine.
pub(crate) fn on_the_machine(shared: &Shared, url: &url::Url) -> Result<(), String> {
    let host = url.host_str().unwrap_or_default();
    let with_port = url
        .port()
        .map_or_else(|| host.to_owned(), |port| format!("{host}:{port}"));
    let local = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    if !local
        && !shared
            .allowed_hosts
            .iter()
            .any(|a| a.eq_ignore_ascii_case(host) || a.eq_ignore_ascii_case(&with_port))
    {
        return Err(format!(
            "the emulator calls only 127.0.0.1, localhost and the allowed hosts, not {host}"
        ));
    }
    Ok(())
}

/// At most 200 printable characters of text from elsewhere, for an error page.
pub(crate) fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// One call to the provider: the status and the JSON body.
async fn call(
    shared: &Shared,
    request: http::request::Builder,
    url: &str,
    body: Option<String>,
) -> Result<(u16, Value), String> {
    let uri = callable(shared, url)?;
    let request = request
        .uri(uri)
        .header("User-Agent", "cognito-emulator")
        .header("Accept", "application/json")
        .body(Full::new(body.map(Bytes::from).unwrap_or_default()))
        .map_err(|_| format!("{} is not a URL", printable(url)))?;
    let (status, bytes) = exchange(request, TIMEOUT, MAX_ANSWER)
        .await
        .map_err(|failed| {
            let why = match failed {
                Failed::Unreachable => "could not be reached",
                Failed::Body => "sent an answer that could not be read",
                Failed::Timeout => "did not answer in time",
            };
            format!("the identity provider at {} {why}", printable(url))
        })?;
    let value = serde_json::from_slice(&bytes).map_err(|_| {
        format!(
            "the identity provider at {} did not answer JSON",
            printable(url)
        )
    })?;
    Ok((status.as_u16(), value))
}

async fn get_json(shared: &Shared, url: &str, bearer: Option<&str>) -> Result<Value, String> {
    let mut request = http::Request::get(url);
    if let Some(token) = bearer {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    match call(shared, request, url, None).await? {
        (200, value) => Ok(value),
        (status, _) => Err(format!(
            "the identity provider at {} answered {status}",
            printable(url)
        )),
    }
}

/// The provider's endpoints: its details, and for those it lacks, its issuer's OpenID
/// configuration.
async fn endpoints(shared: &Shared, provider: &IdentityProvider) -> Result<Endpoints, String> {
    let detail = |k: &str| provider.details.get(k).filter(|v| !v.is_empty()).cloned();
    let mut found = (
        detail("authorize_url"),
        detail("token_url"),
        detail("jwks_uri"),
        detail("attributes_url"),
    );
    if found.0.is_none() || found.1.is_none() || found.2.is_none() {
        let issuer = detail("oidc_issuer").unwrap_or_default();
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let configuration = get_json(shared, &url, None).await?;
        let named = |k: &str| {
            configuration
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        found.0 = found.0.or_else(|| named("authorization_endpoint"));
        found.1 = found.1.or_else(|| named("token_endpoint"));
        found.2 = found.2.or_else(|| named("jwks_uri"));
        found.3 = found.3.or_else(|| named("userinfo_endpoint"));
    }
    match found {
        (Some(authorize), Some(token), Some(jwks), user_info) => Ok(Endpoints {
            authorize,
            token,
            jwks,
            user_info,
        }),
        _ => Err("the identity provider's OpenID configuration lacks an endpoint".into()),
    }
}

/// The pool's provider a request names (`identity_provider`, else `idp_identifier`), offered
/// by the app client: its name and record.
fn offered(
    state: &Inner,
    pool_id: &str,
    client_id: &str,
    p: &BTreeMap<String, String>,
) -> Option<(String, IdentityProvider)> {
    let providers = &state.pools.get(pool_id)?.resources.identity_providers;
    let (name, provider) = match (p.get("identity_provider"), p.get("idp_identifier")) {
        (Some(name), _) => providers.get_key_value(name)?,
        (None, Some(id)) => providers
            .iter()
            .find(|(_, p)| p.idp_identifiers.iter().any(|i| i.eq_ignore_ascii_case(id)))?,
        (None, None) => return None,
    };
    let (_, client) = state.client(client_id).ok()?;
    client
        .settings
        .supported_identity_providers
        .contains(name)
        .then(|| (name.clone(), provider.clone()))
}

/// `GET /oauth2/authorize?identity_provider=...`: the redirect to the provider.
async fn start(
    shared: &Shared,
    p: &BTreeMap<String, String>,
    cookies: &BTreeMap<String, String>,
) -> Reply {
    let (pool_id, authz, name, provider) = {
        let state = shared.lock();
        let (pool_id, authz) = match state.authz(p) {
            Ok(ok) => ok,
            Err(why) => return error_page(400, &why),
        };
        let Some((name, provider)) = offered(&state, &pool_id, &authz.client_id, p) else {
            return error_page(400, NOT_AVAILABLE);
        };
        (pool_id, authz, name, provider)
    };
    if provider.provider_type != "OIDC" {
        return error_page(
            400,
            &format!(
                "The emulator signs in through OIDC providers only; {name} is a {} provider.",
                provider.provider_type
            ),
        );
    }
    let endpoints = match endpoints(shared, &provider).await {
        Ok(e) => e,
        Err(why) => return error_page(400, &format!("Sign-in through {name} failed: {why}.")),
    };
    let mut location = match url::Url::parse(&endpoints.authorize) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ => {
            return error_page(
                400,
                &format!("Sign-in through {name} failed: its authorize_url is not a URL."),
            );
        }
    };
    let detail = |k: &str| provider.details.get(k).cloned().unwrap_or_default();
    let mut state = shared.lock();
    let csrf = state.csrf(cookies);
    let key = state.token();
    let nonce = state.token();
    let now = state.unix();
    state.login.federating.retain(|_, f| f.expires > now);
    state.login.federating.insert(
        key.clone(),
        Federating {
            browser: csrf.cookie,
            pool_id,
            provider: name,
            authz,
            nonce: nonce.clone(),
            token_url: endpoints.token,
            jwks_uri: endpoints.jwks,
            user_info: endpoints.user_info,
            expires: now + FEDERATION_SECONDS,
        },
    );
    location
        .query_pairs_mut()
        .append_pair("client_id", &detail("client_id"))
        .append_pair("redirect_uri", &idp_response_url(shared))
        .append_pair("response_type", "code")
        .append_pair("scope", &detail("authorize_scopes"))
        .append_pair("state", &key)
        .append_pair("nonce", &nonce);
    let mut headers = vec![
        ("Location", location.to_string()),
        ("Cache-Control", "no-store".to_owned()),
    ];
    headers.extend(csrf.set);
    (302, headers, String::new())
}

/// The emulator's `/oauth2/idpresponse`, where providers send the browser back.
fn idp_response_url(shared: &Shared) -> String {
    format!("{}oauth2/idpresponse", shared.endpoint)
}

/// `GET /oauth2/idpresponse?code=...&state=...`: the code exchanged, the id token checked, the
/// user signed in, the app's code.
async fn idp_response(
    shared: &Shared,
    p: &BTreeMap<String, String>,
    cookies: &BTreeMap<String, String>,
) -> Reply {
    let (federating, provider, now) = {
        let mut state = shared.lock();
        let now = state.unix();
        let browser = cookies.get(crate::web::login::CSRF_COOKIE);
        let key = p.get("state").map_or("", String::as_str);
        let ours = state
            .login
            .federating
            .get(key)
            .is_some_and(|f| f.expires > now && Some(&f.browser) == browser);
        let Some(federating) = ours.then(|| state.login.federating.remove(key)).flatten() else {
            return error_page(400, BAD_STATE);
        };
        let provider = state
            .pools
            .get(&federating.pool_id)
            .and_then(|pool| pool.resources.identity_providers.get(&federating.provider))
            .cloned();
        let Some(provider) = provider else {
            return error_page(400, NOT_AVAILABLE);
        };
        (federating, provider, now)
    };
    let name = federating.provider.clone();
    let failed = |why: &str| error_page(400, &format!("Sign-in through {name} failed: {why}."));
    if let Some(error) = p.get("error") {
        return failed(&format!("the provider answered {}", printable(error)));
    }
    let Some(code) = p.get("code").filter(|c| !c.is_empty()) else {
        return failed("the provider sent no code");
    };
    let detail = |k: &str| provider.details.get(k).cloned().unwrap_or_default();
    let client_id = detail("client_id");
    let form = {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", &idp_response_url(shared))
            .append_pair("client_id", &client_id);
        // `client_secret_post`, as Cognito authenticates to OIDC providers.
        if let Some(secret) = provider.details.get("client_secret") {
            form.append_pair("client_secret", secret);
        }
        form.finish()
    };
    let request = http::Request::post(&federating.token_url)
        .header("Content-Type", "application/x-www-form-urlencoded");
    let tokens = match call(shared, request, &federating.token_url, Some(form)).await {
        Ok((200, tokens)) => tokens,
        Ok((status, answer)) => {
            let error = answer.get("error").and_then(Value::as_str).unwrap_or("");
            return failed(&format!(
                "its token endpoint answered {status} {}",
                printable(error)
            ));
        }
        Err(why) => return failed(&why),
    };
    let Some(id_token) = tokens.get("id_token").and_then(Value::as_str) else {
        return failed("its token endpoint sent no id token");
    };
    let jwks = match get_json(shared, &federating.jwks_uri, None).await {
        Ok(jwks) => jwks,
        Err(why) => return failed(&why),
    };
    let issuer = detail("oidc_issuer");
    let expected = Expected {
        issuer: &issuer,
        audience: &client_id,
        nonce: &federating.nonce,
        now,
    };
    let mut claims = match check_id_token(id_token, &jwks, &expected) {
        Ok(claims) => claims,
        Err(why) => return failed(why),
    };
    // What the provider's userInfo adds to the id token's claims (never its `sub`).
    if let (Some(url), Some(access)) = (
        &federating.user_info,
        tokens.get("access_token").and_then(Value::as_str),
    ) {
        match get_json(shared, url, Some(access)).await {
            Ok(Value::Object(info)) => {
                for (k, v) in info {
                    if k != "sub" && !claims.contains_key(&k) {
                        claims.insert(k, v);
                    }
                }
            }
            Ok(_) => return failed("its userInfo endpoint did not answer an object"),
            Err(why) => return failed(&why),
        }
    }
    let mut state = shared.lock();
    match state.federated_user(&federating.pool_id, &name, &provider, &claims) {
        Ok((username, sub)) => {
            let now = state.unix();
            state.signed_in_redirect(&federating.pool_id, &federating.authz, &username, &sub, now)
        }
        Err(why) => failed(why),
    }
}

/// A claim as an attribute's value: strings as they are, numbers and booleans as text.
fn claim_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) => Some(value.to_string()),
        _ => None,
    }
}

/// Whether `link` names the identity of `claims`: by its subject (`Cognito_Subject`), or by
/// the claim it was linked with.
fn links(link: &LinkedIdentity, provider: &str, claims: &Map<String, Value>) -> bool {
    let value = if link.attribute_name == "Cognito_Subject" {
        claims.get("sub")
    } else {
        claims.get(&link.attribute_name)
    };
    link.provider_name == provider && value.and_then(claim_text).as_deref() == Some(&link.user_id)
}

impl Inner {
    /// The user a provider's identity signs in as: the user it is linked to
    /// (AdminLinkProviderForUser), else the federated user `<provider>_<sub>`, made on the
    /// first sign-in (EXTERNAL_PROVIDER, in the group `<pool id>_<provider>`). Either is given
    /// the mapped attributes at each sign-in, as Cognito does. Its name and `sub`.
    fn federated_user(
        &mut self,
        pool_id: &str,
        name: &str,
        provider: &IdentityProvider,
        claims: &Map<String, Value>,
    ) -> Result<(String, String), &'static str> {
        let gone = "the user pool no longer exists";
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or("the id token names no subject")?;
        let pool = self.pools.get(pool_id).ok_or(gone)?;
        let linked = pool
            .users
            .values()
            .find(|u| u.linked.0.iter().any(|l| links(l, name, claims)))
            .map(|u| u.username.clone());
        let is_linked = linked.is_some();
        let username = linked.unwrap_or_else(|| format!("{name}_{subject}"));
        let mapped: BTreeMap<String, String> = provider
            .attribute_mapping
            .iter()
            .filter(|(attribute, _)| {
                !matches!(attribute.as_str(), "username" | "sub" | "identities")
            })
            .filter_map(|(attribute, claim)| {
                Some((attribute.clone(), claim_text(claims.get(claim)?)?))
            })
            .collect();
        let now = self.unix();
        let group = format!("{pool_id}_{name}");
        // A user who exists (linked, or federated before) gets the mapped attributes again.
        if let Some(user) = pool.users.get(&username) {
            if user.disabled {
                return Err("User is disabled");
            }
            // A linked user is confirmed or federated; `<provider>_<sub>` unlinked is the
            // federated user, never a native user who happens to have that name.
            match (is_linked, user.status) {
                (true, Status::Confirmed | Status::ExternalProvider)
                | (false, Status::ExternalProvider) => {}
                (true, _) => return Err("the user linked to this identity is not confirmed"),
                (false, _) => {
                    return Err("a user of the federated user's name exists and is not federated");
                }
            }
            let pool = self.pools.get_mut(pool_id).ok_or(gone)?;
            let user = pool.users.get_mut(&username).ok_or(gone)?;
            if mapped
                .iter()
                .any(|(k, v)| user.attributes.get(k) != Some(v))
            {
                user.attributes.extend(mapped);
                user.modified = now;
            }
            return Ok((username, user.sub.clone()));
        }
        let identities = json!([{
            "userId": subject, "providerName": name, "providerType": provider.provider_type,
            "issuer": null, "primary": true, "dateCreated": now.saturating_mul(1000),
        }]);
        let mut attributes = mapped;
        attributes.insert("identities".into(), identities.to_string());
        let sub = self
            .new_user(
                pool_id,
                &username,
                Credential::default(),
                attributes,
                Status::ExternalProvider,
            )
            .map_err(|_| "the federated user could not be made")?;
        let pool = self.pools.get_mut(pool_id).ok_or(gone)?;
        pool.groups.entry(group.clone()).or_insert_with(|| Group {
            config: GroupConfig {
                name: group.clone(),
                description: Some(format!(
                    "Autogenerated group for users who sign in using {name}"
                )),
                precedence: None,
                role_arn: None,
            },
            created: now,
            modified: now,
        });
        let user = pool.users.get_mut(&username).ok_or(gone)?;
        // No password signs a federated user in.
        user.password_disabled = true;
        user.groups.insert(group);
        Ok((username, sub))
    }
}
