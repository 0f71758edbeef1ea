//! The hosted UI's pages: the sign-in form that `GET /oauth2/authorize` shows, its MFA step, the
//! sign-up and confirmation pages, and `/logout`.
//!
//! Plain HTML forms that work without JavaScript. Every form carries a CSRF token bound to an
//! `HttpOnly`, `SameSite=Lax` cookie (a fresh nonce and an HMAC of the cookie and the nonce under a
//! key of the emulator's; the cookie itself is signed with that key, so a value planted by another
//! app is never adopted); every value the page echoes is HTML-escaped; a `redirect_uri` or
//! `logout_uri` that the app client did not register gets an error page, never a redirect. A
//! successful sign-in sets the emulator's session cookie, so a later `/oauth2/authorize` of the
//! same pool redirects at once (as Cognito's hosted UI does) until `/logout` clears it, or until
//! the app client's SSO session (SetUserPoolClientSessionConfiguration: 60 minutes unless set)
//! has run out since the user signed in. The sign-up page links to the app client's terms of use
//! and privacy policy once it has both (CreateTerms).
//!
//! The pages check the password with the emulator's own credential check and its attempt limit,
//! ask for the TOTP or SMS code of a user with MFA (the SMS code goes to the outbox), and redirect
//! to the callback with `code` and `state`.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use http::{HeaderMap, Method};
use serde_json::{Value, json};
use subtle::ConstantTimeEq as _;

use crate::auth::engine::realm;
use crate::auth::risk::{Attempt, Step};
use crate::auth::shared::Shared;
use crate::auth::{srp, totp};
use crate::model::configuration::DEFAULT_SSO_MINUTES;
use crate::model::hosted_ui::{Authz, Factor, PendingMfa, SignedIn};
use crate::model::state::{Inner, Mfa, Status, User};
use crate::web::Reply;

/// The emulator's hosted-UI session cookie.
pub(crate) const SESSION_COOKIE: &str = "cognito_emulator_session";
/// The cookie the forms' CSRF tokens are bound to.
pub(crate) const CSRF_COOKIE: &str = "cognito_emulator_csrf";
/// How long the hosted-UI session lasts (Cognito's: one hour).
const SESSION_SECONDS: u64 = 3600;
/// How long the MFA step waits (Cognito's sign-in sessions: three minutes).
const MFA_SECONDS: u64 = 180;
/// Wrong MFA codes allowed before the sign-in starts over.
const MFA_ATTEMPTS: u32 = 3;

impl Authz {
    /// The hidden fields that carry the request through a form.
    fn hidden(&self) -> String {
        let mut out = String::new();
        let mut field = |name: &str, value: &str| {
            out.push_str(&format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                escape(value)
            ));
        };
        field("client_id", &self.client_id);
        field("redirect_uri", &self.redirect_uri);
        field("response_type", "code");
        if let Some(s) = &self.state {
            field("state", s);
        }
        if let Some(c) = &self.code_challenge {
            field("code_challenge", c);
            field("code_challenge_method", "S256");
        }
        if let Some(n) = &self.nonce {
            field("nonce", n);
        }
        if let Some(s) = &self.scope {
            field("scope", s);
        }
        out
    }

    /// The query string of the request (for the links between the pages).
    fn query(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("response_type", "code");
        for (k, v) in [
            ("state", &self.state),
            ("code_challenge", &self.code_challenge),
            ("nonce", &self.nonce),
            ("scope", &self.scope),
        ] {
            if let Some(v) = v {
                s.append_pair(k, v);
            }
        }
        if self.code_challenge.is_some() {
            s.append_pair("code_challenge_method", "S256");
        }
        s.finish()
    }
}

/// HTML-escapes text for an element's content or a quoted attribute.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn form_fields(bytes: &[u8]) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

/// The request's cookies.
pub(crate) fn cookies(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A cookie the emulator set: `HttpOnly`, `SameSite=Lax`, for the whole emulator.
fn set_cookie(name: &str, value: &str, max_age: u64) -> (&'static str, String) {
    (
        "Set-Cookie",
        format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"),
    )
}

fn html(status: u16, title: &str, body: &str, mut headers: Vec<(&'static str, String)>) -> Reply {
    headers.extend([
        ("Content-Type", "text/html; charset=utf-8".to_owned()),
        ("Cache-Control", "no-store".to_owned()),
        (
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
                .to_owned(),
        ),
        ("X-Frame-Options", "DENY".to_owned()),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("Referrer-Policy", "no-referrer".to_owned()),
    ]);
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} - Cognito emulator</title><style>{STYLE}</style></head>\
<body><main><p class=\"brand\">Cognito emulator</p><h1>{title}</h1>{body}</main></body></html>\n",
        title = escape(title)
    );
    (status, headers, page)
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f2f3f3;margin:0}\
main{max-width:22rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:6px;\
box-shadow:0 1px 4px rgba(0,0,0,.2)}.brand{color:#666;font-size:.8rem;margin:0}\
h1{font-size:1.3rem}label{display:block;margin:.8rem 0 .2rem;font-size:.9rem}\
input[type=text],input[type=password],input[type=email]{width:100%;box-sizing:border-box;\
padding:.5rem;border:1px solid #aaa;border-radius:4px}button{margin-top:1.2rem;width:100%;\
padding:.6rem;background:#ec7211;color:#fff;border:0;border-radius:4px;font-size:1rem}\
.error{color:#b00020;background:#fdecea;padding:.5rem;border-radius:4px}\
.notice{color:#1d5e20;background:#e8f5e9;padding:.5rem;border-radius:4px}p.small{font-size:.85rem}";

/// A page with a form: 400 when it shows an error, else 200.
fn form_page(
    title: &str,
    failed: bool,
    body: &str,
    set_cookie: Option<(&'static str, String)>,
) -> Reply {
    let status = if failed { 400 } else { 200 };
    html(status, title, body, set_cookie.into_iter().collect())
}

/// A page that shows only `message`, as an error.
pub(crate) fn error_page(status: u16, message: &str) -> Reply {
    html(
        status,
        "Something went wrong",
        &format!("<p class=\"error\" id=\"error\">{}</p>", escape(message)),
        Vec::new(),
    )
}

fn banner(class: &str, message: Option<&str>) -> String {
    message.map_or_else(String::new, |m| {
        format!("<p class=\"{class}\" id=\"{class}\">{}</p>", escape(m))
    })
}

/// The CSRF side of a form: the cookie (kept or new) and a token for the form.
pub(crate) struct Csrf {
    pub cookie: String,
    pub set: Option<(&'static str, String)>,
}

/// What a hosted-UI sign-in does once the password is right.
pub(crate) enum Next {
    /// Signed in: a code.
    Done,
    /// The sign-up is not confirmed yet (UNCONFIRMED).
    Unconfirmed,
    /// No code, for the reason shown.
    Refused(&'static str),
    /// The TOTP code is asked next.
    Totp,
    /// An SMS code is sent and asked next.
    Sms,
}

impl Inner {
    fn csrf_key(&mut self) -> [u8; 32] {
        if let Some(key) = self.login.key {
            return key;
        }
        let key = self.bytes::<32>();
        self.login.key = Some(key);
        key
    }

    /// Whether a CSRF cookie is one the emulator minted (`nonce.mac`, signed with its key): a
    /// value planted by another app on localhost is not adopted (login CSRF by cookie tossing).
    fn csrf_cookie_ok(&mut self, cookie: &str) -> bool {
        let Some((nonce, mac)) = cookie.split_once('.') else {
            return false;
        };
        let expected = self.csrf_mac(CSRF_COOKIE, nonce);
        bool::from(expected.as_bytes().ct_eq(mac.as_bytes()))
    }

    /// The browser's CSRF cookie when it is one of the emulator's, else a new one to set.
    pub(crate) fn csrf(&mut self, cookies: &BTreeMap<String, String>) -> Csrf {
        let ours = cookies
            .get(CSRF_COOKIE)
            .filter(|c| c.len() <= 128)
            .cloned()
            .filter(|c| self.csrf_cookie_ok(c));
        match ours {
            Some(cookie) => Csrf { cookie, set: None },
            None => {
                let nonce = self.token();
                let cookie = format!("{nonce}.{}", self.csrf_mac(CSRF_COOKIE, &nonce));
                let set = set_cookie(CSRF_COOKIE, &cookie, SESSION_SECONDS * 24);
                Csrf {
                    cookie,
                    set: Some(set),
                }
            }
        }
    }

    fn csrf_mac(&mut self, cookie: &str, nonce: &str) -> String {
        let key = self.csrf_key();
        let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(cookie.as_bytes());
        mac.update(b".");
        mac.update(nonce.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// A fresh token for one form, bound to the CSRF cookie (its hidden input), and the cookie
    /// to set when the browser had none.
    fn form_token(
        &mut self,
        cookies: &BTreeMap<String, String>,
    ) -> (String, Option<(&'static str, String)>) {
        let csrf = self.csrf(cookies);
        let nonce = self.token();
        let mac = self.csrf_mac(&csrf.cookie, &nonce);
        (
            format!("<input type=\"hidden\" name=\"_csrf\" value=\"{nonce}.{mac}\">"),
            csrf.set,
        )
    }

    /// Whether the form's token was made for this browser's CSRF cookie.
    fn csrf_ok(
        &mut self,
        cookies: &BTreeMap<String, String>,
        form: &BTreeMap<String, String>,
    ) -> bool {
        let (Some(cookie), Some((nonce, mac))) = (
            cookies.get(CSRF_COOKIE),
            form.get("_csrf").and_then(|t| t.split_once('.')),
        ) else {
            return false;
        };
        if !self.csrf_cookie_ok(cookie) {
            return false;
        }
        let expected = self.csrf_mac(cookie, nonce);
        bool::from(expected.as_bytes().ct_eq(mac.as_bytes()))
    }

    /// Checks an authorization request as `/oauth2/authorize` does: a known client (an app
    /// client, or one identified by its metadata URL), a `redirect_uri` it registered (matched
    /// exactly), `response_type=code`, PKCE with S256.
    pub(crate) fn authz(&self, p: &BTreeMap<String, String>) -> Result<(String, Authz), String> {
        if p.iter()
            .any(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
        {
            return Err("The request holds control characters.".into());
        }
        let get = |k: &str| p.get(k).cloned().unwrap_or_default();
        let client_id = get("client_id");
        // A client identified by its metadata URL (`web/cimd.rs`): its CIMD policy's app client,
        // with its document's redirect URIs.
        let cimd = self.cimd_client(&client_id);
        let app_client = cimd.as_ref().map_or(client_id.as_str(), |c| &c.app_client);
        let Ok((pool_id, client)) = self.client(app_client) else {
            return Err("Invalid request: unknown client_id.".into());
        };
        let redirect_uri = get("redirect_uri");
        let registered = cimd
            .as_ref()
            .map_or(&client.callback_urls, |c| &c.redirect_uris);
        if !registered.contains(&redirect_uri) {
            return Err(
                "redirect_mismatch: this redirect_uri is not registered for the app client.".into(),
            );
        }
        if get("response_type") != "code" {
            return Err(
                "unsupported_response_type: the emulator's hosted UI does the code flow.".into(),
            );
        }
        let code_challenge = p.get("code_challenge").cloned();
        if code_challenge.is_some() && get("code_challenge_method") != "S256" {
            return Err("invalid_request: code_challenge_method must be S256.".into());
        }
        if let Some(why) = cimd.and_then(|c| c.refusal(code_challenge.is_some())) {
            return Err(why);
        }
        let oauth = &client.settings;
        if !oauth.allowed_oauth_flows_user_pool_client
            || !oauth.allowed_oauth_flows.iter().any(|f| f == "code")
        {
            return Err("unauthorized_client: the app client does not allow the code flow (AllowedOAuthFlows).".into());
        }
        if let Some(scope) = p.get("scope")
            && let Some(bad) = scope
                .split_whitespace()
                .find(|s| !oauth.allowed_oauth_scopes.iter().any(|a| a == s))
        {
            return Err(format!(
                "invalid_scope: the app client does not allow the scope {bad}."
            ));
        }
        Ok((
            pool_id,
            Authz {
                client_id,
                redirect_uri,
                state: p.get("state").cloned(),
                code_challenge,
                nonce: p.get("nonce").cloned(),
                scope: p.get("scope").cloned(),
            },
        ))
    }

    fn login_page(
        &mut self,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        username: &str,
        error: Option<&str>,
        notice: Option<&str>,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let body = format!(
            "{notice}{error}<form method=\"post\" action=\"/login\">{token}{hidden}\
<label for=\"username\">Username</label>\
<input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" autocomplete=\"username\" required autofocus>\
<label for=\"password\">Password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
<button type=\"submit\" id=\"signin\">Sign in</button></form>{providers}\
<p class=\"small\">Need an account? <a id=\"signup-link\" href=\"/signup?{query}\">Sign up</a></p>",
            providers = self.provider_buttons(authz),
            notice = banner("notice", notice),
            error = banner("error", error),
            hidden = authz.hidden(),
            username = escape(username),
            query = escape(&authz.query()),
        );
        form_page("Sign in", error.is_some(), &body, set)
    }

    /// A link for each OIDC identity provider the app client offers (`SupportedIdentityProviders`),
    /// to `/oauth2/authorize` with its `identity_provider`; none without one.
    fn provider_buttons(&self, authz: &Authz) -> String {
        let Ok((pool_id, client)) = self.client(&authz.client_id) else {
            return String::new();
        };
        let Some(pool) = self.pools.get(&pool_id) else {
            return String::new();
        };
        let links: String = client
            .settings
            .supported_identity_providers
            .iter()
            .filter(|name| {
                pool.resources
                    .identity_providers
                    .get(name.as_str())
                    .is_some_and(|p| p.provider_type == "OIDC")
            })
            .map(|name| {
                let mut query = url::form_urlencoded::Serializer::new(authz.query());
                query.append_pair("identity_provider", name);
                format!(
                    "<p class=\"small\"><a class=\"provider\" href=\"/oauth2/authorize?{}\">Sign in with {}</a></p>",
                    escape(&query.finish()),
                    escape(name)
                )
            })
            .collect();
        links
    }

    fn mfa_page(
        &mut self,
        cookies: &BTreeMap<String, String>,
        session: &str,
        sms_to: Option<&str>,
        error: Option<&str>,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let prompt = match sms_to {
            Some(to) => format!("We texted a code to {}.", escape(to)),
            None => "Enter the code from your authenticator app.".to_owned(),
        };
        let body = format!(
            "{error}<p>{prompt}</p><form method=\"post\" action=\"/login/mfa\">{token}\
<input type=\"hidden\" name=\"session\" value=\"{session}\">\
<label for=\"code\">Code</label>\
<input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required autofocus>\
<button type=\"submit\" id=\"verify\">Sign in</button></form>",
            error = banner("error", error),
            session = escape(session),
        );
        form_page("Multi-factor authentication", error.is_some(), &body, set)
    }

    /// The links to the app client's terms of use and privacy policy, once it has both
    /// (CreateTerms; managed login shows them on its sign-up page) in the page's language,
    /// English (`cognito:english`), else `cognito:default`, as Cognito falls back. Only
    /// `https://` and `http://` links are shown.
    fn terms_links(&self, client_id: &str) -> String {
        let Some(pool) = self
            .pools
            .values()
            .find(|p| p.clients.contains_key(client_id))
        else {
            return String::new();
        };
        let link = |name: &str| {
            pool.resources
                .configuration
                .terms
                .values()
                .find(|t| t.client_id == client_id && t.name == name)
                .and_then(|t| {
                    t.links
                        .get("cognito:english")
                        .or_else(|| t.links.get("cognito:default"))
                })
                .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
        };
        match (link("terms-of-use"), link("privacy-policy")) {
            (Some(terms), Some(privacy)) => format!(
                "<p class=\"small\">By signing up you agree to the \
<a id=\"terms-of-use\" href=\"{}\">Terms of use</a> and the \
<a id=\"privacy-policy\" href=\"{}\">Privacy policy</a>.</p>",
                escape(terms),
                escape(privacy)
            ),
            _ => String::new(),
        }
    }

    fn signup_page(
        &mut self,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        form: &BTreeMap<String, String>,
        error: Option<&str>,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let value = |k: &str| escape(form.get(k).map_or("", String::as_str));
        let body = format!(
            "{error}<form method=\"post\" action=\"/signup\">{token}{hidden}\
<label for=\"username\">Username</label>\
<input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" autocomplete=\"username\" required autofocus>\
<label for=\"email\">Email</label>\
<input type=\"email\" id=\"email\" name=\"email\" value=\"{email}\" autocomplete=\"email\">\
<label for=\"password\">Password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"new-password\" required>\
<button type=\"submit\" id=\"signup\">Sign up</button></form>{terms}\
<p class=\"small\">Already have an account? <a href=\"/login?{query}\">Sign in</a></p>",
            error = banner("error", error),
            terms = self.terms_links(&authz.client_id),
            hidden = authz.hidden(),
            username = value("username"),
            email = value("email"),
            query = escape(&authz.query()),
        );
        form_page("Sign up", error.is_some(), &body, set)
    }

    fn confirm_page(
        &mut self,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        username: &str,
        notice: Option<&str>,
        error: Option<&str>,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let body = format!(
            "{notice}{error}<form method=\"post\" action=\"/confirm\">{token}{hidden}\
<input type=\"hidden\" name=\"username\" value=\"{username}\">\
<label for=\"code\">Confirmation code</label>\
<input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required autofocus>\
<button type=\"submit\" id=\"confirm\">Confirm account</button></form>",
            notice = banner("notice", notice),
            error = banner("error", error),
            hidden = authz.hidden(),
            username = escape(username),
        );
        form_page("Confirm your account", error.is_some(), &body, set)
    }

    /// The signed-in browser's session, when it is one of this pool's and still good: the user
    /// who signed in (the same `sub`) may still sign in.
    /// The session is reused for as long as the app client's SSO session lasts
    /// (SetUserPoolClientSessionConfiguration; 60 minutes until set, 0: never), counted from
    /// when the user signed in. Answers the user's name, `sub` and when they signed in.
    fn browser_session(
        &self,
        cookies: &BTreeMap<String, String>,
        pool_id: &str,
        client_id: &str,
    ) -> Option<(String, String, u64)> {
        let now = self.unix();
        let s = self.login.sessions.get(cookies.get(SESSION_COOKIE)?)?;
        let minutes = self.pools.get(pool_id).map_or(DEFAULT_SSO_MINUTES, |p| {
            p.resources.configuration.sso_minutes_of(client_id)
        });
        (s.pool_id == pool_id
            && s.expires > now
            && now < s.signed_in + u64::from(minutes) * 60
            && self.still_signed_in(pool_id, &s.username, &s.sub))
        .then(|| (s.username.clone(), s.sub.clone(), s.signed_in))
    }

    /// Whether the user `username` who signed in as `sub` may still get a code or tokens without
    /// signing in again: the same account (not a new user of the same name), enabled, and
    /// CONFIRMED (not one whose password must change or be reset) or federated.
    pub(crate) fn still_signed_in(&self, pool_id: &str, username: &str, sub: &str) -> bool {
        self.pools
            .get(pool_id)
            .and_then(|p| p.users.get(username))
            .is_some_and(|u| {
                u.sub == sub
                    && !u.disabled
                    && matches!(u.status, Status::Confirmed | Status::ExternalProvider)
            })
    }

    /// What a hosted-UI sign-in does once the password is right, decided as InitiateAuth decides
    /// it (the one decision of the login page and of the scripted `/oauth2/authorize`).
    pub(crate) fn after_hosted_password(&self, pool_id: &str, user: &User) -> Next {
        match user.status {
            Status::Unconfirmed => return Next::Unconfirmed,
            Status::ForceChangePassword => {
                return Next::Refused(
                    "This user must choose a new password (NEW_PASSWORD_REQUIRED), which the emulator's login page does not ask: sign in once through the API.",
                );
            }
            Status::ResetRequired => return Next::Refused("Password reset required for the user"),
            Status::ExternalProvider => {
                return Next::Refused(
                    "This user signs in through their identity provider, not with a password.",
                );
            }
            Status::Confirmed => {}
        }
        let mfa = self.pools.get(pool_id).map_or(Mfa::Off, |p| p.config.mfa);
        if mfa == Mfa::Off {
            Next::Done
        } else if user.totp_secret.is_some() && user.preferred_mfa.as_deref() != Some("SMS_MFA") {
            Next::Totp
        } else if user.sms_mfa {
            Next::Sms
        } else if mfa == Mfa::On {
            Next::Refused(
                "This pool requires MFA and the user has none set up (MFA_SETUP), which the emulator's login page does not do: set it up through the API.",
            )
        } else {
            Next::Done
        }
    }

    /// The end of a sign-in: a session cookie, a code, and the redirect to the callback. The
    /// session lasts from `since` (when the user signed in: now, or the reused session's time)
    /// as long as the longest SSO session of the pool's app clients.
    pub(crate) fn signed_in_redirect(
        &mut self,
        pool_id: &str,
        authz: &Authz,
        username: &str,
        sub: &str,
        since: u64,
    ) -> Reply {
        self.signed_in_redirect_in(pool_id, authz, username, sub, since, None)
    }

    /// [`Self::signed_in_redirect`] within an SSO session already open (its id), for a browser
    /// that was signed in.
    fn signed_in_redirect_in(
        &mut self,
        pool_id: &str,
        authz: &Authz,
        username: &str,
        sub: &str,
        since: u64,
        open: Option<String>,
    ) -> Reply {
        let cookie = self.token();
        let now = self.unix();
        let minutes = self.pools.get(pool_id).map_or(DEFAULT_SSO_MINUTES, |p| {
            p.resources
                .configuration
                .longest_sso_minutes(p.clients.keys())
        });
        let expires = since + u64::from(minutes) * 60;
        self.login.sessions.retain(|_, s| s.expires > now);
        let sso = open.unwrap_or_else(|| crate::model::hosted_ui::sso_session_id(&cookie));
        self.login.sessions.insert(
            cookie.clone(),
            SignedIn {
                pool_id: pool_id.into(),
                username: username.into(),
                sub: sub.into(),
                signed_in: since,
                expires,
                sso: sso.clone(),
            },
        );
        let location = self.grant_redirect(pool_id, authz, username, sub, Some(sso));
        (
            302,
            vec![
                ("Location", location),
                set_cookie(SESSION_COOKIE, &cookie, expires.saturating_sub(now)),
                ("Cache-Control", "no-store".to_owned()),
            ],
            String::new(),
        )
    }

    /// `POST /login`: the password, then the MFA step or the redirect.
    fn password_submitted(
        &mut self,
        pool_id: &str,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        form: &BTreeMap<String, String>,
    ) -> Reply {
        let name = form.get("username").map_or("", String::as_str).trim();
        let password = form.get("password").map_or("", String::as_str);
        let user = self
            .pools
            .get(pool_id)
            .and_then(|pool| pool.find(name))
            .cloned();
        let checked = user.as_ref().map(|u| {
            let right = srp::password_matches(realm(pool_id), password, &u.credential);
            self.password_outcome(pool_id, &u.username, right)
        });
        let Some(user) = user else {
            return self.login_page(
                authz,
                cookies,
                name,
                Some(crate::fault::BAD_CREDENTIALS),
                None,
            );
        };
        if let Some(Err(fault)) = checked {
            return self.login_page(authz, cookies, name, Some(&fault.message), None);
        }
        let method = match self.after_hosted_password(pool_id, &user) {
            Next::Unconfirmed => {
                return self.confirm_page(
                    authz,
                    cookies,
                    &user.username,
                    None,
                    Some("User is not confirmed: enter the code sent at sign-up."),
                );
            }
            Next::Refused(why) => return self.login_page(authz, cookies, name, Some(why), None),
            Next::Done => None,
            Next::Totp => Some(Factor::Totp),
            Next::Sms => {
                let (code, _) = self.send_code(pool_id, &user.username, "SMS_MFA", true);
                Some(Factor::Sms(code.value))
            }
        };
        let Some(method) = method else {
            let now = self.unix();
            return self.signed_in_redirect(pool_id, authz, &user.username, &user.sub, now);
        };
        let sms_to = matches!(method, Factor::Sms(_)).then(|| {
            crate::auth::engine::mask(
                user.attributes
                    .get("phone_number")
                    .map_or("", String::as_str),
            )
        });
        let session = self.token();
        let now = self.unix();
        self.login.pending.retain(|_, p| p.expires > now);
        self.login.pending.insert(
            session.clone(),
            PendingMfa {
                browser: cookies.get(CSRF_COOKIE).cloned().unwrap_or_default(),
                pool_id: pool_id.into(),
                sub: user.sub,
                username: user.username,
                authz: authz.clone(),
                method,
                expires: now + MFA_SECONDS,
                attempts: 0,
            },
        );
        self.mfa_page(cookies, &session, sms_to.as_deref(), None)
    }

    /// `POST /login/mfa`.
    fn code_submitted(
        &mut self,
        cookies: &BTreeMap<String, String>,
        form: &BTreeMap<String, String>,
    ) -> Reply {
        let session = form.get("session").cloned().unwrap_or_default();
        let now = self.unix();
        let browser = cookies.get(CSRF_COOKIE).map_or("", String::as_str);
        let ours = self
            .login
            .pending
            .get(&session)
            .is_some_and(|p| p.expires > now && p.browser == browser);
        if !ours {
            return error_page(
                400,
                "This sign-in has expired: start again from the application.",
            );
        }
        let Some(mut pending) = self.login.pending.remove(&session) else {
            return error_page(
                400,
                "This sign-in has expired: start again from the application.",
            );
        };
        let given = form.get("code").map_or("", String::as_str).trim();
        let right = match &pending.method {
            Factor::Totp => {
                let secret = self
                    .pools
                    .get(&pending.pool_id)
                    .and_then(|p| p.users.get(&pending.username))
                    .and_then(|u| u.totp_secret.clone());
                totp::check(secret.as_deref(), given, now)
            }
            Factor::Sms(code) => bool::from(given.as_bytes().ct_eq(code.as_bytes())),
        };
        if right && !self.still_signed_in(&pending.pool_id, &pending.username, &pending.sub) {
            return error_page(
                400,
                "This user can no longer sign in: start again from the application.",
            );
        }
        if right {
            return self.signed_in_redirect(
                &pending.pool_id,
                &pending.authz.clone(),
                &pending.username,
                &pending.sub,
                now,
            );
        }
        pending.attempts += 1;
        if pending.attempts >= MFA_ATTEMPTS {
            return error_page(
                400,
                "Too many wrong codes: start again from the application.",
            );
        }
        let sms_to = match pending.method {
            Factor::Sms(_) => Some(
                self.pools
                    .get(&pending.pool_id)
                    .and_then(|p| p.users.get(&pending.username))
                    .and_then(|u| u.attributes.get("phone_number"))
                    .map(|p| crate::auth::engine::mask(p))
                    .unwrap_or_default(),
            ),
            Factor::Totp => None,
        };
        self.login.pending.insert(session.clone(), pending);
        self.mfa_page(
            cookies,
            &session,
            sms_to.as_deref(),
            Some("Invalid code received for user"),
        )
    }

    /// `GET /logout`: clears the session cookie and goes to a registered sign-out URL, or (with
    /// `redirect_uri` and `response_type`, as Cognito's) back to the sign-in page.
    fn logout(
        &mut self,
        cookies: &BTreeMap<String, String>,
        p: &BTreeMap<String, String>,
    ) -> Reply {
        let client_id = p.get("client_id").cloned().unwrap_or_default();
        let Ok((_, client)) = self.client(&client_id) else {
            return error_page(400, "Invalid request: unknown client_id.");
        };
        let location = match p.get("logout_uri") {
            Some(uri)
                if client.settings.logout_urls.contains(uri)
                    && !uri.chars().any(char::is_control) =>
            {
                uri.clone()
            }
            Some(_) => {
                return error_page(400, "This logout_uri is not registered for the app client.");
            }
            None => match self.authz(p) {
                Ok((_, authz)) => format!("/login?{}", authz.query()),
                Err(why) => return error_page(400, &why),
            },
        };
        if let Some(cookie) = cookies.get(SESSION_COOKIE) {
            self.login.sessions.remove(cookie);
        }
        (
            302,
            vec![
                ("Location", location),
                set_cookie(SESSION_COOKIE, "", 0),
                ("Cache-Control", "no-store".to_owned()),
            ],
            String::new(),
        )
    }
}

fn params(query: &str) -> BTreeMap<String, String> {
    form_fields(query.as_bytes())
}

/// The hosted UI's pages; `None` for the paths they do not serve. A `GET /oauth2/authorize` that
/// names `username` and `password` is left to the non-interactive path in `oauth.rs`.
pub(crate) async fn route(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Reply> {
    let get = *method == Method::GET || *method == Method::HEAD;
    let post = *method == Method::POST;
    let cookies = cookies(headers);
    let reply = match path {
        "/oauth2/authorize" | "/login" if get => {
            let p = params(query);
            if path == "/oauth2/authorize" && p.contains_key("username") {
                return None;
            }
            let mut state = shared.lock();
            match state.authz(&p) {
                Ok((pool_id, authz)) => {
                    match state.browser_session(&cookies, &pool_id, &authz.client_id) {
                        Some((username, sub, since)) if path == "/oauth2/authorize" => {
                            // The browser's SSO session goes on with its new cookie.
                            let open = cookies
                                .get(SESSION_COOKIE)
                                .and_then(|c| state.login.sessions.get(c))
                                .map(|s| s.sso.clone());
                            state.signed_in_redirect_in(
                                &pool_id, &authz, &username, &sub, since, open,
                            )
                        }
                        _ => state.login_page(&authz, &cookies, "", None, None),
                    }
                }
                Err(why) => error_page(400, &why),
            }
        }
        "/login" | "/login/mfa" | "/signup" | "/confirm" if post => {
            let form = form_fields(body);
            let authz = {
                let mut state = shared.lock();
                if !state.csrf_ok(&cookies, &form) {
                    return Some(error_page(
                        403,
                        "The form is stale or was not sent from this page (CSRF check failed): reload it and try again.",
                    ));
                }
                if path == "/login/mfa" {
                    let session = form.get("session").map_or("", String::as_str);
                    let attempt = Attempt::hosted_mfa(&state, session);
                    let reply = state.code_submitted(&cookies, &form);
                    // A wrong code leaves the sign-in pending (until the attempts run out).
                    let pending = state.login.pending.contains_key(session);
                    drop(state);
                    if let Some(attempt) = attempt {
                        let signed_in = reply.0 == 302;
                        attempt.record_hosted(
                            shared,
                            Step {
                                response: match (signed_in, pending) {
                                    (true, _) => "Pass",
                                    (false, true) => "InProgress",
                                    (false, false) => "Fail",
                                },
                                challenge_right: Some(signed_in),
                                next_session: pending.then(|| session.to_owned()),
                            },
                        );
                    }
                    return Some(reply);
                }
                let (pool_id, authz) = match state.authz(&form) {
                    Ok(ok) => ok,
                    Err(why) => return Some(error_page(400, &why)),
                };
                if path == "/login" {
                    drop(state);
                    return Some(password_posted(shared, &pool_id, &authz, &cookies, &form));
                }
                authz
            };
            if path == "/signup" {
                sign_up(shared, &authz, &cookies, &form).await
            } else {
                confirm(shared, &authz, &cookies, &form).await
            }
        }
        "/signup" if get => {
            let mut state = shared.lock();
            match state.authz(&params(query)) {
                Ok((_, authz)) => state.signup_page(&authz, &cookies, &BTreeMap::new(), None),
                Err(why) => error_page(400, &why),
            }
        }
        "/logout" if get => shared.lock().logout(&cookies, &params(query)),
        "/login" | "/login/mfa" | "/signup" | "/confirm" | "/logout" => {
            error_page(405, "Method not allowed.")
        }
        _ => return None,
    };
    Some(reply)
}

/// `POST /login` under threat protection (`auth/risk.rs`): the sign-in is screened first (a
/// block shows the login page with Cognito's refusal), then recorded as an auth event.
fn password_posted(
    shared: &Shared,
    pool_id: &str,
    authz: &Authz,
    cookies: &BTreeMap<String, String>,
    form: &BTreeMap<String, String>,
) -> Reply {
    let name = form.get("username").map_or("", String::as_str).trim();
    let password = form.get("password").map_or("", String::as_str);
    let (attempt, right, pending_before) = {
        let state = shared.lock();
        let right = state
            .pools
            .get(pool_id)
            .and_then(|p| p.find(name))
            .is_some_and(|u| srp::password_matches(realm(pool_id), password, &u.credential));
        let pending: BTreeSet<String> = state.login.pending.keys().cloned().collect();
        (
            Attempt::hosted(&state, pool_id, &authz.client_id, name, password),
            right,
            pending,
        )
    };
    if let Some(attempt) = &attempt
        && let Err(refusal) = attempt.screen(shared)
    {
        return shared
            .lock()
            .login_page(authz, cookies, name, Some(&refusal.message), None);
    }
    let (reply, next_session) = {
        let mut state = shared.lock();
        let reply = state.password_submitted(pool_id, authz, cookies, form);
        let next = state
            .login
            .pending
            .keys()
            .find(|k| !pending_before.contains(*k))
            .cloned();
        (reply, next)
    };
    if let Some(attempt) = attempt {
        let response = if reply.0 == 302 {
            "Pass"
        } else if next_session.is_some() {
            "InProgress"
        } else {
            "Fail"
        };
        attempt.record_hosted(
            shared,
            Step {
                response,
                challenge_right: Some(right),
                next_session,
            },
        );
    }
    reply
}

/// The `SecretHash` a page's call needs when the client has a secret.
fn with_secret_hash(shared: &Shared, mut body: Value, authz: &Authz, username: &str) -> Value {
    let secret = shared
        .lock()
        .client(&authz.client_id)
        .ok()
        .and_then(|(_, c)| c.info.secret);
    if let Some(secret) = secret {
        body["SecretHash"] = json!(crate::auth::engine::secret_hash(
            &secret,
            username,
            &authz.client_id
        ));
    }
    body
}

/// `POST /signup`: Cognito's SignUp, then the confirmation page.
async fn sign_up(
    shared: &Shared,
    authz: &Authz,
    cookies: &BTreeMap<String, String>,
    form: &BTreeMap<String, String>,
) -> Reply {
    let username = form.get("username").map_or("", String::as_str).trim();
    let mut attributes = Vec::new();
    if let Some(email) = form.get("email").filter(|e| !e.is_empty()) {
        attributes.push(json!({"Name": "email", "Value": email}));
    }
    let body = with_secret_hash(
        shared,
        json!({"ClientId": authz.client_id, "Username": username,
               "Password": form.get("password").map_or("", String::as_str),
               "UserAttributes": attributes}),
        authz,
        username,
    );
    let answer = crate::api::dispatch(shared, "SignUp", &body).await;
    let mut state = shared.lock();
    match answer {
        Ok(a) if a["UserConfirmed"] == json!(true) => state.login_page(
            authz,
            cookies,
            username,
            None,
            Some("Your account is ready: sign in."),
        ),
        Ok(a) => {
            let to = a["CodeDeliveryDetails"]["Destination"]
                .as_str()
                .unwrap_or("you");
            let notice = format!("We sent a confirmation code to {to}.");
            state.confirm_page(authz, cookies, username, Some(&notice), None)
        }
        Err(fault) => state.signup_page(authz, cookies, form, Some(&fault.message)),
    }
}

/// `POST /confirm`: Cognito's ConfirmSignUp, then the sign-in page.
async fn confirm(
    shared: &Shared,
    authz: &Authz,
    cookies: &BTreeMap<String, String>,
    form: &BTreeMap<String, String>,
) -> Reply {
    let username = form.get("username").map_or("", String::as_str);
    let body = with_secret_hash(
        shared,
        json!({"ClientId": authz.client_id, "Username": username,
               "ConfirmationCode": form.get("code").map_or("", String::as_str).trim()}),
        authz,
        username,
    );
    let answer = crate::api::dispatch(shared, "ConfirmSignUp", &body).await;
    let mut state = shared.lock();
    match answer {
        Ok(_) => state.login_page(
            authz,
            cookies,
            username,
            None,
            Some("Your account is confirmed: sign in."),
        ),
        Err(fault) => state.confirm_page(authz, cookies, username, None, Some(&fault.message)),
    }
}
