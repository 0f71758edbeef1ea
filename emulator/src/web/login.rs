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
//! then take the sign-in engine's decisions ([`after_hosted_password`](Inner::after_hosted_password):
//! the temporary password's expiry and [`mfa_step`]): a user with a temporary password chooses a
//! new one (`/login/new-password`, the pool's password policy with Cognito's messages), then the
//! TOTP, SMS or email MFA code is asked (the codes go to the outbox), or the user picks the method
//! (SELECT_MFA_TYPE); then the redirect to the callback with `code` and `state`. "Forgot your
//! password?" runs ForgotPassword and ConfirmForgotPassword (`/forgot-password`,
//! `/reset-password`); a user whose password an administrator reset (RESET_REQUIRED) is sent
//! there from the sign-in form, with a fresh code. Where the app client allows `ALLOW_USER_AUTH` and the pool's
//! `AllowedFirstAuthFactors` name `EMAIL_OTP`, `SMS_OTP` or `WEB_AUTHN`, the sign-in form also
//! offers a code by email or text message, or a passkey (`/login/otp`; no MFA after them): the
//! passkey page's one script (allowed by its hash in the page's policy) calls
//! `navigator.credentials.get` with the WEB_AUTHN challenge's options and posts the credential,
//! which the API's verifier checks (one try). The pages wear the pool's branding (`Inner::brand`). Sign-up needs the client's terms
//! accepted once it has them. Each step waiting for an answer (`PendingMfa`) is bound to the
//! browser that started it, lasts three minutes and takes three wrong answers.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use http::{HeaderMap, Method};
use serde_json::{Value, json};
use subtle::ConstantTimeEq as _;

use crate::auth::engine::{MfaStep, mfa_step, realm};
use crate::auth::risk::{Attempt, Step};
use crate::auth::shared::Shared;
use crate::auth::{srp, totp};
use crate::fault::Answer;
use crate::model::configuration::DEFAULT_SSO_MINUTES;
use crate::model::hosted_ui::{Authz, Factor, PendingMfa, SignedIn};
use crate::model::state::{Inner, Stage, Status, User};
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
/// The notice of the reset page a RESET_REQUIRED user is sent to (Cognito's message).
const RESET_REQUIRED: &str = "Password reset required for the user";
/// The page of a sign-in step gone stale (expired, answered, or another browser's).
const EXPIRED: &str = "This sign-in has expired: start again from the application.";

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

fn html(status: u16, title: &str, body: &str, headers: Vec<(&'static str, String)>) -> Reply {
    branded_html(status, title, body, headers, &Brand::default())
}

/// A page in the pool's branding ([`Inner::brand`]): its CSS after the page's own, its logo above
/// the title (the page's policy then allows `data:` images).
fn branded_html(
    status: u16,
    title: &str,
    body: &str,
    mut headers: Vec<(&'static str, String)>,
    brand: &Brand,
) -> Reply {
    let images = if brand.logo.is_some() {
        " img-src data:;"
    } else {
        ""
    };
    let (scripts, script) = brand.script.map_or_else(
        || (String::new(), String::new()),
        |script| {
            (
                format!(" script-src {};", script_hash(script)),
                format!("<script>{script}</script>"),
            )
        },
    );
    headers.extend([
        ("Content-Type", "text/html; charset=utf-8".to_owned()),
        ("Cache-Control", "no-store".to_owned()),
        (
            "Content-Security-Policy",
            format!(
                "default-src 'none'; style-src 'unsafe-inline';{images}{scripts} frame-ancestors 'none'; base-uri 'none'"
            ),
        ),
        ("X-Frame-Options", "DENY".to_owned()),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("Referrer-Policy", "no-referrer".to_owned()),
    ]);
    let logo = brand.logo.as_ref().map_or_else(String::new, |src| {
        format!(
            "<img class=\"logo-customizable\" alt=\"\" src=\"{}\">",
            escape(src)
        )
    });
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} - Cognito emulator</title><style>{STYLE}{css}</style></head>\
<body><main>{logo}<p class=\"brand\">Cognito emulator</p><h1>{title}</h1>{body}</main>{script}</body></html>\n",
        title = escape(title),
        css = brand.css,
    );
    (status, headers, page)
}

/// What a pool's branding puts on its pages.
#[derive(Default)]
pub(crate) struct Brand {
    /// CSS for the page's style sheet: it cannot close the `<style>` element (no `<`).
    css: String,
    /// The logo, a `data:` URL of a PNG or JPEG.
    logo: Option<String>,
    /// The page's one script, allowed by its hash (the passkey page's).
    script: Option<&'static str>,
}

/// The passkey page's script: `navigator.credentials.get` with the form's `data-options`, the
/// credential posted as `PublicKeyCredential` JSON (base64url fields).
const PASSKEY_SCRIPT: &str = "(function(){var f=document.getElementById('passkey-form');\
function enc(b){var a=new Uint8Array(b),s='';for(var i=0;i<a.length;i++)s+=String.fromCharCode(a[i]);\
return btoa(s).replace(/\\+/g,'-').replace(/\\//g,'_').replace(/=+$/,'');}\
function dec(t){t=t.replace(/-/g,'+').replace(/_/g,'/');while(t.length%4)t+='=';var s=atob(t),\
a=new Uint8Array(s.length);for(var i=0;i<s.length;i++)a[i]=s.charCodeAt(i);return a.buffer;}\
document.getElementById('passkey-go').addEventListener('click',function(){\
var o=JSON.parse(f.dataset.options);o.challenge=dec(o.challenge);\
(o.allowCredentials||[]).forEach(function(c){c.id=dec(c.id);});\
navigator.credentials.get({publicKey:o}).then(function(c){var r=c.response;\
f.elements.credential.value=JSON.stringify({id:c.id,rawId:enc(c.rawId),type:c.type,\
response:{clientDataJSON:enc(r.clientDataJSON),authenticatorData:enc(r.authenticatorData),\
signature:enc(r.signature),userHandle:r.userHandle?enc(r.userHandle):null},\
clientExtensionResults:c.getClientExtensionResults(),authenticatorAttachment:c.authenticatorAttachment});\
f.submit();}).catch(function(e){var p=document.getElementById('passkey-error');\
p.textContent='The passkey sign-in did not complete ('+e.name+'): try again.';p.hidden=false;});});})();";

/// The CSP source of a script: `'sha256-…'`.
fn script_hash(script: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// A colour of a managed login branding's settings (`RRGGBB` or `RRGGBBAA` hex, as Cognito
/// writes them) as CSS; anything else is ignored.
fn branding_colour(settings: Option<&Value>, path: &[&str]) -> Option<String> {
    let mut value = settings?;
    for key in path {
        value = value.get(key)?;
    }
    let hex = value.as_str()?;
    (matches!(hex.len(), 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| format!("#{hex}"))
}

/// An image sent as base64 (a branding asset, a UI customization's `ImageFile`) as a `data:` URL,
/// when it is a PNG or a JPEG.
fn logo_url(base64: &str) -> Option<String> {
    if !base64
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
    {
        return None;
    }
    let kind = if base64.starts_with("iVBORw0KGgo") {
        "png"
    } else if base64.starts_with("/9j/") {
        "jpeg"
    } else {
        return None;
    };
    Some(format!("data:image/{kind};base64,{base64}"))
}

impl Inner {
    /// The branding of `client_id`'s pages: its managed login branding (CreateManagedLoginBranding:
    /// the primary button's, page's and form's colours, the text colours (`pageText`: headings,
    /// body, descriptions), and its form or header logo), then the
    /// classic hosted UI's customization (SetUICustomization, the client's else the pool's: its
    /// CSS, with `<` escaped so that it stays CSS, and its logo).
    pub(crate) fn brand(&self, client_id: &str) -> Brand {
        let mut brand = Brand::default();
        let Some(pool) = self.pool_of_client(client_id) else {
            return brand;
        };
        if let Some(style) = pool
            .resources
            .configuration
            .brandings
            .values()
            .find(|b| b.client_id == client_id && !b.use_cognito_provided_values)
        {
            let settings = style.settings.as_ref();
            let rules = [
                (
                    "button.submitButton-customizable{background:",
                    &["primaryButton", "lightMode", "defaults", "backgroundColor"][..],
                ),
                (
                    "button.submitButton-customizable{color:",
                    &["primaryButton", "lightMode", "defaults", "textColor"][..],
                ),
                (
                    "body{background:",
                    &["pageBackground", "lightMode", "color"][..],
                ),
                (
                    "main{background:",
                    &["form", "lightMode", "backgroundColor"][..],
                ),
                ("h1{color:", &["pageText", "lightMode", "headingColor"][..]),
                ("main{color:", &["pageText", "lightMode", "bodyColor"][..]),
                (
                    ".brand,p.small{color:",
                    &["pageText", "lightMode", "descriptionColor"][..],
                ),
            ];
            for (rule, path) in rules {
                let path: Vec<&str> = std::iter::once("components")
                    .chain(path.iter().copied())
                    .collect();
                if let Some(colour) = branding_colour(settings, &path) {
                    brand.css.push_str(&format!("{rule}{colour}}}"));
                }
            }
            brand.logo = style
                .assets
                .iter()
                .filter(|a| matches!(a.category.as_str(), "FORM_LOGO" | "PAGE_HEADER_LOGO"))
                .filter(|a| a.color_mode != "DARK")
                .find_map(|a| a.bytes.as_deref().and_then(logo_url));
        }
        if let Some(ui) = pool
            .resources
            .ui
            .get(client_id)
            .or_else(|| pool.resources.ui.get("ALL"))
        {
            if let Some(css) = &ui.css {
                brand.css.push_str(&css.replace('<', "\\3c "));
            }
            if let Some(logo) = ui.image.as_deref().and_then(logo_url) {
                brand.logo = Some(logo);
            }
        }
        brand
    }

    /// A page with a form of `client_id`'s, in its branding: 400 when it shows an error, else 200.
    fn page(
        &self,
        client_id: &str,
        title: &str,
        failed: bool,
        body: &str,
        set_cookie: Option<(&'static str, String)>,
    ) -> Reply {
        let status = if failed { 400 } else { 200 };
        let headers = set_cookie.into_iter().collect();
        branded_html(status, title, body, headers, &self.brand(client_id))
    }

    /// The app client of the pending sign-in `session`.
    fn client_of_pending(&self, session: &str) -> String {
        self.login
            .pending
            .get(session)
            .map(|p| p.authz.client_id.clone())
            .unwrap_or_default()
    }
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
/// The look of a secondary button (inline: the shared style sheet stays as it was).
const SECONDARY: &str = "background:#fff;color:#0972d3;border:1px solid #0972d3";

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
    Refused(String),
    /// The user must choose a new password first (NEW_PASSWORD_REQUIRED).
    NewPassword,
    /// The TOTP code is asked next.
    Totp,
    /// An SMS code is sent and asked next.
    Sms,
    /// An email code is sent and asked next (email MFA).
    Email,
    /// The user picks one of these MFA methods (SELECT_MFA_TYPE).
    Select(Vec<String>),
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
<button class=\"submitButton-customizable\" type=\"submit\" id=\"signin\">Sign in</button>{passwordless}</form>\
<p class=\"small\"><a id=\"forgot-password\" href=\"/forgot-password?{query}\">Forgot your password?</a></p>{providers}\
<p class=\"small\">Need an account? <a id=\"signup-link\" href=\"/signup?{query}\">Sign up</a></p>",
            passwordless = self.passwordless_buttons(&authz.client_id),
            providers = self.provider_buttons(authz),
            notice = banner("notice", notice),
            error = banner("error", error),
            hidden = authz.hidden(),
            username = escape(username),
            query = escape(&authz.query()),
        );
        self.page(&authz.client_id, "Sign in", error.is_some(), &body, set)
    }

    /// The sign-in form's buttons for the passwordless factors offered
    /// ([`Inner::passwordless_factors`]): they post the same form, user name included, to
    /// `/login/otp` without the password.
    fn passwordless_buttons(&self, client_id: &str) -> String {
        self.passwordless_factors(client_id)
            .into_iter()
            .map(|factor| {
                let (id, label) = match factor {
                    "SMS_OTP" => ("sms-otp", "Sign in with a code by text message"),
                    "WEB_AUTHN" => ("passkey", "Sign in with passkey"),
                    _ => ("email-otp", "Sign in with a code by email"),
                };
                format!(
                    "<button type=\"submit\" style=\"{SECONDARY}\" formaction=\"/login/otp\" formnovalidate \
name=\"factor\" value=\"{factor}\" id=\"{id}\">{label}</button>"
                )
            })
            .collect()
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

    /// The page asking a code: `prompt` says where it went (or the authenticator app).
    fn mfa_page(
        &mut self,
        cookies: &BTreeMap<String, String>,
        title: &str,
        session: &str,
        prompt: &str,
        error: Option<&str>,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let body = format!(
            "{error}<p>{prompt}</p><form method=\"post\" action=\"/login/mfa\">{token}\
<input type=\"hidden\" name=\"session\" value=\"{session}\">\
<label for=\"code\">Code</label>\
<input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required autofocus>\
<button class=\"submitButton-customizable\" type=\"submit\" id=\"verify\">Sign in</button></form>",
            error = banner("error", error),
            prompt = escape(prompt),
            session = escape(session),
        );
        self.page(
            &self.client_of_pending(session),
            title,
            error.is_some(),
            &body,
            set,
        )
    }

    /// The links to the app client's terms of use and privacy policy, once it has both
    /// (CreateTerms; managed login shows them on its sign-up page) in the page's language,
    /// English (`cognito:english`), else `cognito:default`, as Cognito falls back. Only
    /// `https://` and `http://` links are shown.
    fn terms_links(&self, client_id: &str) -> String {
        let Some(pool) = self.pool_of_client(client_id) else {
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

    /// The sign-up form's terms: the links ([`Inner::terms_links`]) and, once the client has
    /// both, the checkbox that accepts them, which sign-up requires.
    fn terms_acceptance(&self, client_id: &str) -> String {
        let links = self.terms_links(client_id);
        if links.is_empty() {
            return links;
        }
        format!(
            "{links}<label for=\"accept-terms\">\
<input type=\"checkbox\" id=\"accept-terms\" name=\"accept_terms\" value=\"yes\" required>\
I accept the terms of use and the privacy policy.</label>"
        )
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
{terms}<button class=\"submitButton-customizable\" type=\"submit\" id=\"signup\">Sign up</button></form>\
<p class=\"small\">Already have an account? <a href=\"/login?{query}\">Sign in</a></p>",
            error = banner("error", error),
            terms = self.terms_acceptance(&authz.client_id),
            hidden = authz.hidden(),
            username = value("username"),
            email = value("email"),
            query = escape(&authz.query()),
        );
        self.page(&authz.client_id, "Sign up", error.is_some(), &body, set)
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
<button class=\"submitButton-customizable\" type=\"submit\" id=\"confirm\">Confirm account</button></form>",
            notice = banner("notice", notice),
            error = banner("error", error),
            hidden = authz.hidden(),
            username = escape(username),
        );
        self.page(
            &authz.client_id,
            "Confirm your account",
            error.is_some(),
            &body,
            set,
        )
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
    /// it (the one decision of the login page and of the scripted `/oauth2/authorize`): the
    /// temporary password's expiry and the MFA step are the engine's own
    /// ([`Inner::check_temporary_password`], [`mfa_step`]).
    pub(crate) fn after_hosted_password(&self, pool_id: &str, user: &User) -> Next {
        let Some(pool) = self.pools.get(pool_id) else {
            return Next::Refused(crate::fault::BAD_CREDENTIALS.to_owned());
        };
        match user.status {
            Status::Unconfirmed => return Next::Unconfirmed,
            Status::ForceChangePassword => {
                return match self.check_temporary_password(&pool.config, user) {
                    Ok(()) => Next::NewPassword,
                    Err(fault) => Next::Refused(fault.message),
                };
            }
            Status::ResetRequired => {
                return Next::Refused("Password reset required for the user".to_owned());
            }
            Status::ExternalProvider => {
                return Next::Refused(
                    "This user signs in through their identity provider, not with a password."
                        .to_owned(),
                );
            }
            Status::Confirmed => {}
        }
        match mfa_step(&pool.config, user) {
            MfaStep::None => Next::Done,
            MfaStep::Method(method) => match method.as_str() {
                "SOFTWARE_TOKEN_MFA" => Next::Totp,
                "SMS_MFA" => Next::Sms,
                _ => Next::Email,
            },
            MfaStep::Select(methods) => Next::Select(methods),
            MfaStep::Setup => Next::Refused(
                "This pool requires MFA and the user has none set up (MFA_SETUP), which the emulator's login page does not do: set it up through the API.".to_owned(),
            ),
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
        let next = self.after_hosted_password(pool_id, &user);
        self.next_step(pool_id, authz, cookies, &user, next, name)
    }

    /// The step after a proven password (or a new one): the redirect with a code, or the page of
    /// the step the sign-in waits for (a code sent first when the step is an SMS or email code).
    /// `typed`: the name the user typed, for the sign-in page again.
    fn next_step(
        &mut self,
        pool_id: &str,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        user: &User,
        next: Next,
        typed: &str,
    ) -> Reply {
        let method = match next {
            Next::Unconfirmed => {
                return self.confirm_page(
                    authz,
                    cookies,
                    &user.username,
                    None,
                    Some("User is not confirmed: enter the code sent at sign-up."),
                );
            }
            Next::Refused(why) => return self.login_page(authz, cookies, typed, Some(&why), None),
            Next::Done => {
                let now = self.unix();
                return self.signed_in_redirect(pool_id, authz, &user.username, &user.sub, now);
            }
            Next::NewPassword => Factor::NewPassword,
            Next::Select(methods) => Factor::Select(methods),
            Next::Totp => self.mfa_factor(pool_id, &user.username, "SOFTWARE_TOKEN_MFA"),
            Next::Sms => self.mfa_factor(pool_id, &user.username, "SMS_MFA"),
            Next::Email => self.mfa_factor(pool_id, &user.username, "EMAIL_OTP"),
        };
        let session = self.pend(pool_id, authz, cookies, user, method);
        self.step_page(cookies, &session, None)
    }

    /// The factor of the MFA `method` (`SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`), its code
    /// sent through the outbox as the engine's MFA challenge sends it.
    fn mfa_factor(&mut self, pool_id: &str, username: &str, method: &str) -> Factor {
        match method {
            "SOFTWARE_TOKEN_MFA" => Factor::Totp,
            "SMS_MFA" => Factor::Sms(self.send_code(pool_id, username, method, true).0.value),
            _ => Factor::Email(
                self.send_code(pool_id, username, "EMAIL_OTP", false)
                    .0
                    .value,
            ),
        }
    }

    /// Keeps a sign-in waiting for `method`, bound to this browser: its session id.
    fn pend(
        &mut self,
        pool_id: &str,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        user: &User,
        method: Factor,
    ) -> String {
        let session = self.token();
        let now = self.unix();
        self.login.pending.retain(|_, p| p.expires > now);
        self.login.pending.insert(
            session.clone(),
            PendingMfa {
                browser: cookies.get(CSRF_COOKIE).cloned().unwrap_or_default(),
                pool_id: pool_id.into(),
                sub: user.sub.clone(),
                username: user.username.clone(),
                authz: authz.clone(),
                method,
                expires: now + MFA_SECONDS,
                attempts: 0,
            },
        );
        session
    }

    /// The page of the step the sign-in `session` waits for.
    fn step_page(
        &mut self,
        cookies: &BTreeMap<String, String>,
        session: &str,
        error: Option<&str>,
    ) -> Reply {
        let Some(pending) = self.login.pending.get(session) else {
            return error_page(400, EXPIRED);
        };
        let attribute = |name: &str| {
            self.pools
                .get(&pending.pool_id)
                .and_then(|p| p.users.get(&pending.username))
                .and_then(|u| u.attributes.get(name))
                .map_or_else(
                    || crate::auth::engine::mask(""),
                    |v| crate::auth::engine::mask(v),
                )
        };
        let (title, prompt) = match &pending.method {
            Factor::NewPassword => return self.new_password_page(cookies, session, error),
            Factor::Passkey { options, .. } => {
                let options = options.clone();
                return self.passkey_page(cookies, session, &options, error);
            }
            Factor::Select(methods) => {
                let methods = methods.clone();
                return self.select_mfa_page(cookies, session, &methods, error);
            }
            Factor::Totp => (
                "Multi-factor authentication",
                "Enter the code from your authenticator app.".to_owned(),
            ),
            Factor::Sms(_) => (
                "Multi-factor authentication",
                format!("We texted a code to {}.", attribute("phone_number")),
            ),
            Factor::Email(_) => (
                "Multi-factor authentication",
                format!("We emailed a code to {}.", attribute("email")),
            ),
            Factor::Otp { sms: true, .. } => (
                "Sign in with a code",
                format!("We texted a code to {}.", attribute("phone_number")),
            ),
            Factor::Otp { sms: false, .. } => (
                "Sign in with a code",
                format!("We emailed a code to {}.", attribute("email")),
            ),
        };
        self.mfa_page(cookies, title, session, &prompt, error)
    }

    /// The sign-in `session` if it is still waiting, and for this browser: taken out of the
    /// pending sign-ins (put it back to keep it waiting).
    fn take_pending(
        &mut self,
        cookies: &BTreeMap<String, String>,
        session: &str,
    ) -> Option<PendingMfa> {
        let now = self.unix();
        let browser = cookies.get(CSRF_COOKIE).map_or("", String::as_str);
        let ours = self
            .login
            .pending
            .get(session)
            .is_some_and(|p| p.expires > now && p.browser == browser);
        if ours {
            self.login.pending.remove(session)
        } else {
            None
        }
    }

    /// A wrong answer to the sign-in `session`: it waits again, or ends at the third.
    fn wrong_answer(
        &mut self,
        cookies: &BTreeMap<String, String>,
        session: &str,
        mut pending: PendingMfa,
        error: &str,
    ) -> Reply {
        pending.attempts += 1;
        if pending.attempts >= MFA_ATTEMPTS {
            let why = match pending.method {
                Factor::NewPassword | Factor::Select(_) => {
                    "Too many failed attempts: start again from the application."
                }
                _ => "Too many wrong codes: start again from the application.",
            };
            return error_page(400, why);
        }
        self.login.pending.insert(session.to_owned(), pending);
        self.step_page(cookies, session, Some(error))
    }

    /// `POST /login/mfa`: a code (MFA, or a passwordless first factor's), or the choice of an
    /// MFA method.
    fn code_submitted(
        &mut self,
        cookies: &BTreeMap<String, String>,
        form: &BTreeMap<String, String>,
    ) -> Reply {
        let session = form.get("session").cloned().unwrap_or_default();
        let now = self.unix();
        let Some(mut pending) = self.take_pending(cookies, &session) else {
            return error_page(400, EXPIRED);
        };
        let given = form.get("code").map_or("", String::as_str).trim();
        let same = |code: &str| bool::from(given.as_bytes().ct_eq(code.as_bytes()));
        let right = match &pending.method {
            Factor::Totp => {
                let secret = self
                    .pools
                    .get(&pending.pool_id)
                    .and_then(|p| p.users.get(&pending.username))
                    .and_then(|u| u.totp_secret.clone());
                totp::check(secret.as_deref(), given, now)
            }
            Factor::Sms(code) | Factor::Email(code) | Factor::Otp { code, .. } => same(code),
            Factor::Select(methods) => {
                let chosen = form.get("method").map_or("", String::as_str);
                if !methods.iter().any(|m| m == chosen) {
                    let why = format!("{chosen} is not an MFA method of this user.");
                    return self.wrong_answer(cookies, &session, pending, &why);
                }
                pending.method = self.mfa_factor(&pending.pool_id, &pending.username, chosen);
                pending.expires = now + MFA_SECONDS;
                self.login.pending.insert(session.clone(), pending);
                return self.step_page(cookies, &session, None);
            }
            Factor::NewPassword => {
                self.login.pending.insert(session.clone(), pending);
                return self.step_page(cookies, &session, None);
            }
            // One try, as the API's WEB_AUTHN session: the assertion checked by its verifier.
            Factor::Passkey { challenge, .. } => {
                let responses =
                    json!({"CREDENTIAL": form.get("credential").map_or("", String::as_str)});
                if let Err(fault) = self.verify_assertion(
                    &pending.pool_id,
                    &pending.username,
                    challenge,
                    &responses,
                ) {
                    return self.login_page(
                        &pending.authz,
                        cookies,
                        &pending.username,
                        Some(&fault.message),
                        None,
                    );
                }
                true
            }
        };
        if !right {
            return self.wrong_answer(cookies, &session, pending, "Invalid code received for user");
        }
        if !self.still_signed_in(&pending.pool_id, &pending.username, &pending.sub) {
            return error_page(
                400,
                "This user can no longer sign in: start again from the application.",
            );
        }
        self.signed_in_redirect(
            &pending.pool_id,
            &pending.authz.clone(),
            &pending.username,
            &pending.sub,
            now,
        )
    }

    /// The MFA methods' names on the choice page.
    fn select_mfa_page(
        &mut self,
        cookies: &BTreeMap<String, String>,
        session: &str,
        methods: &[String],
        error: Option<&str>,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let buttons: String = methods
            .iter()
            .map(|m| {
                let label = match m.as_str() {
                    "SMS_MFA" => "Text message",
                    "SOFTWARE_TOKEN_MFA" => "Authenticator app",
                    "EMAIL_OTP" => "Email",
                    other => other,
                };
                format!(
                    "<button class=\"submitButton-customizable\" type=\"submit\" name=\"method\" value=\"{m}\" id=\"mfa-{m}\">{label}</button>",
                    m = escape(m),
                    label = escape(label)
                )
            })
            .collect();
        let body = format!(
            "{error}<p>Choose how to get your sign-in code.</p>\
<form method=\"post\" action=\"/login/mfa\">{token}\
<input type=\"hidden\" name=\"session\" value=\"{session}\">{buttons}</form>",
            error = banner("error", error),
            session = escape(session),
        );
        self.page(
            &self.client_of_pending(session),
            "Multi-factor authentication",
            error.is_some(),
            &body,
            set,
        )
    }

    fn new_password_page(
        &mut self,
        cookies: &BTreeMap<String, String>,
        session: &str,
        error: Option<&str>,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let body = format!(
            "{error}<p>Your password is temporary: choose a new one to sign in.</p>\
<form method=\"post\" action=\"/login/new-password\">{token}\
<input type=\"hidden\" name=\"session\" value=\"{session}\">\
<label for=\"password\">New password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"new-password\" required autofocus>\
<label for=\"confirm_password\">Confirm the new password</label>\
<input type=\"password\" id=\"confirm_password\" name=\"confirm_password\" autocomplete=\"new-password\" required>\
<button class=\"submitButton-customizable\" type=\"submit\" id=\"change-password\">Change password</button></form>",
            error = banner("error", error),
            session = escape(session),
        );
        self.page(
            &self.client_of_pending(session),
            "Choose a new password",
            error.is_some(),
            &body,
            set,
        )
    }

    /// The passkey step: a button whose script (the page's only one, allowed by its hash) calls
    /// `navigator.credentials.get` with the WEB_AUTHN challenge's `options` and posts the
    /// credential as JSON in the form.
    fn passkey_page(
        &mut self,
        cookies: &BTreeMap<String, String>,
        session: &str,
        options: &str,
        error: Option<&str>,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let body = format!(
            "{error}<p>Use the passkey of this account on this device.</p>\
<p class=\"error\" id=\"passkey-error\" hidden></p>\
<form method=\"post\" action=\"/login/mfa\" id=\"passkey-form\" data-options=\"{options}\">{token}\
<input type=\"hidden\" name=\"session\" value=\"{session}\">\
<input type=\"hidden\" name=\"credential\" value=\"\">\
<button class=\"submitButton-customizable\" type=\"button\" id=\"passkey-go\">Sign in with passkey</button></form>",
            error = banner("error", error),
            options = escape(options),
            session = escape(session),
        );
        let mut brand = self.brand(&self.client_of_pending(session));
        brand.script = Some(PASSKEY_SCRIPT);
        let status = if error.is_some() { 400 } else { 200 };
        branded_html(
            status,
            "Sign in with passkey",
            &body,
            set.into_iter().collect(),
            &brand,
        )
    }

    /// `POST /login/new-password`, under the lock: the new password checked as
    /// RespondToAuthChallenge checks it (the pool's policy, Cognito's message; three tries), and
    /// the sign-in taken out of the pending ones with a salt for its credential.
    fn new_password_checked(
        &mut self,
        cookies: &BTreeMap<String, String>,
        form: &BTreeMap<String, String>,
    ) -> Result<(PendingMfa, [u8; 16]), Reply> {
        let session = form.get("session").cloned().unwrap_or_default();
        let password = form.get("password").map_or("", String::as_str);
        let Some(pending) = self
            .take_pending(cookies, &session)
            .filter(|p| matches!(p.method, Factor::NewPassword))
        else {
            return Err(error_page(400, EXPIRED));
        };
        if form.get("confirm_password").map(String::as_str) != Some(password) {
            self.login.pending.insert(session.clone(), pending);
            return Err(self.step_page(cookies, &session, Some("The passwords do not match.")));
        }
        let policy = self
            .pools
            .get(&pending.pool_id)
            .map(|p| p.config.password_policy)
            .unwrap_or_default();
        if let Err(why) = policy.check(password) {
            return Err(self.wrong_answer(cookies, &session, pending, &why));
        }
        Ok((pending, self.bytes::<16>()))
    }

    /// The new password's credential set (the user CONFIRMED, as RespondToAuthChallenge sets it),
    /// then the sign-in goes on: MFA, or the redirect.
    fn hosted_new_password_set(
        &mut self,
        cookies: &BTreeMap<String, String>,
        pending: &PendingMfa,
        credential: crate::model::state::Credential,
    ) -> Reply {
        let still = self
            .pools
            .get(&pending.pool_id)
            .and_then(|p| p.users.get(&pending.username))
            .is_some_and(|u| {
                u.sub == pending.sub && !u.disabled && u.status == Status::ForceChangePassword
            });
        if !still {
            return error_page(
                400,
                "This user can no longer sign in: start again from the application.",
            );
        }
        let Some(user) = self
            .pools
            .get_mut(&pending.pool_id)
            .and_then(|p| p.users.get_mut(&pending.username))
        else {
            return error_page(400, EXPIRED);
        };
        user.credential = credential;
        user.status = Status::Confirmed;
        let user = user.clone();
        let next = self.after_hosted_password(&pending.pool_id, &user);
        self.next_step(
            &pending.pool_id,
            &pending.authz,
            cookies,
            &user,
            next,
            &user.username,
        )
    }

    /// Whether the sign-in form names a user whose password an administrator reset
    /// (RESET_REQUIRED): InitiateAuth refuses them before any password check
    /// (PasswordResetRequiredException), and the page sends them to the reset page instead.
    fn reset_required(&self, pool_id: &str, form: &BTreeMap<String, String>) -> bool {
        let name = form.get("username").map_or("", String::as_str).trim();
        self.pools
            .get(pool_id)
            .and_then(|p| p.find(name))
            .is_some_and(|u| crate::rules::check_not_reset(u).is_err() && !u.disabled)
    }

    /// The passwordless first factors the sign-in page offers for `client_id`: `EMAIL_OTP`,
    /// `SMS_OTP` and `WEB_AUTHN` (passkeys) where the app client allows `ALLOW_USER_AUTH` and the pool's
    /// `SignInPolicy.AllowedFirstAuthFactors` names them (a pool that never set its sign-in
    /// policy offers passwords only, as Cognito's default policy does).
    fn passwordless_factors(&self, client_id: &str) -> Vec<&'static str> {
        let Ok((pool_id, client)) = self.client(client_id) else {
            return Vec::new();
        };
        if crate::rules::check_auth_flow(&client, "USER_AUTH", false).is_err() {
            return Vec::new();
        }
        let Some(allowed) = self
            .pools
            .get(&pool_id)
            .and_then(|p| p.config.settings.allowed_first_auth_factors.as_ref())
        else {
            return Vec::new();
        };
        ["EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
            .into_iter()
            .filter(|f| allowed.iter().any(|a| a == f))
            .collect()
    }

    /// `POST /login/otp`: a passwordless sign-in with a code by email or SMS, or a passkey, for a
    /// user who has that factor (the engine's [`Inner::auth_factors`]: a verified email or phone
    /// number, a passkey): the code through the outbox as USER_AUTH sends it, then the code page;
    /// or the passkey page with the WEB_AUTHN challenge's options. No MFA follows.
    fn otp_requested(
        &mut self,
        pool_id: &str,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        form: &BTreeMap<String, String>,
    ) -> Reply {
        let name = form.get("username").map_or("", String::as_str).trim();
        let factor = form.get("factor").map_or("", String::as_str);
        let Some(factor) = self
            .passwordless_factors(&authz.client_id)
            .into_iter()
            .find(|f| *f == factor)
        else {
            return self.login_page(
                authz,
                cookies,
                name,
                Some("This sign-in method is not available."),
                None,
            );
        };
        let sms = factor == "SMS_OTP";
        let user = self
            .pools
            .get(pool_id)
            .and_then(|p| p.find(name))
            .cloned()
            .filter(|u| {
                u.status != Status::Unconfirmed
                    && crate::rules::check_enabled(u).is_ok()
                    && self.auth_factors(pool_id, u).iter().any(|f| f == factor)
            });
        let Some(user) = user else {
            let why = match factor {
                "SMS_OTP" => {
                    "This user cannot sign in with a code by text message: sign in with the password."
                }
                "WEB_AUTHN" => "This user has no passkey: sign in with the password.",
                _ => "This user cannot sign in with a code by email: sign in with the password.",
            };
            return self.login_page(authz, cookies, name, Some(why), None);
        };
        let method = if factor == "WEB_AUTHN" {
            let (challenge, options) = self.assertion_options(pool_id, &user);
            Factor::Passkey {
                challenge,
                options: options.to_string(),
            }
        } else {
            let (code, _) = self.send_code(pool_id, &user.username, factor, sms);
            Factor::Otp {
                code: code.value,
                sms,
            }
        };
        let session = self.pend(pool_id, authz, cookies, &user, method);
        self.step_page(cookies, &session, None)
    }

    fn forgot_page(
        &mut self,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        username: &str,
        error: Option<&str>,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let body = format!(
            "{error}<p>Enter your user name: we will send you a code to reset your password.</p>\
<form method=\"post\" action=\"/forgot-password\">{token}{hidden}\
<label for=\"username\">Username</label>\
<input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" autocomplete=\"username\" required autofocus>\
<button class=\"submitButton-customizable\" type=\"submit\" id=\"send-code\">Reset my password</button></form>\
<p class=\"small\"><a href=\"/login?{query}\">Back to sign in</a></p>",
            error = banner("error", error),
            hidden = authz.hidden(),
            username = escape(username),
            query = escape(&authz.query()),
        );
        self.page(
            &authz.client_id,
            "Forgot your password?",
            error.is_some(),
            &body,
            set,
        )
    }

    fn reset_page(
        &mut self,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        username: &str,
        notice: Option<&str>,
        error: Option<&str>,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let body = format!(
            "{notice}{error}<form method=\"post\" action=\"/reset-password\">{token}{hidden}\
<input type=\"hidden\" name=\"username\" value=\"{username}\">\
<label for=\"code\">Code</label>\
<input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required autofocus>\
<label for=\"password\">New password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"new-password\" required>\
<label for=\"confirm_password\">Confirm the new password</label>\
<input type=\"password\" id=\"confirm_password\" name=\"confirm_password\" autocomplete=\"new-password\" required>\
<button class=\"submitButton-customizable\" type=\"submit\" id=\"reset-password\">Reset password</button></form>",
            notice = banner("notice", notice),
            error = banner("error", error),
            hidden = authz.hidden(),
            username = escape(username),
        );
        self.page(
            &authz.client_id,
            "Reset your password",
            error.is_some(),
            &body,
            set,
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
        "/login/custom" if post => custom_answer_posted(shared, &cookies, body).await,
        "/login/new-password" if post => {
            let form = form_fields(body);
            if !shared.lock().csrf_ok(&cookies, &form) {
                return Some(csrf_refused());
            }
            new_password_posted(shared, &cookies, &form)
        }
        "/login" | "/login/mfa" | "/login/otp" | "/signup" | "/confirm" | "/forgot-password"
        | "/reset-password"
            if post =>
        {
            let form = form_fields(body);
            if path == "/login"
                && let Some(refused) = hosted_pre_authentication(shared, &cookies, &form).await
            {
                return Some(refused);
            }
            if path == "/login"
                && let Some(custom) = hosted_custom_auth(shared, &cookies, &form).await
            {
                return Some(custom);
            }
            let (authz, reset) = {
                let mut state = shared.lock();
                if !state.csrf_ok(&cookies, &form) {
                    return Some(csrf_refused());
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
                let reset = path == "/login" && state.reset_required(&pool_id, &form);
                if path == "/login" && !reset {
                    drop(state);
                    return Some(password_posted(shared, &pool_id, &authz, &cookies, &form));
                }
                if path == "/login/otp" {
                    return Some(state.otp_requested(&pool_id, &authz, &cookies, &form));
                }
                (authz, reset)
            };
            match path {
                // A user whose password an administrator reset goes to the reset page.
                "/login" if reset => {
                    forgot_password(shared, &authz, &cookies, &form, Some(RESET_REQUIRED)).await
                }
                "/signup" => sign_up(shared, &authz, &cookies, &form).await,
                "/forgot-password" => forgot_password(shared, &authz, &cookies, &form, None).await,
                "/reset-password" => reset_password(shared, &authz, &cookies, &form).await,
                _ => confirm(shared, &authz, &cookies, &form).await,
            }
        }
        "/forgot-password" if get => {
            let mut state = shared.lock();
            match state.authz(&params(query)) {
                Ok((_, authz)) => state.forgot_page(&authz, &cookies, "", None),
                Err(why) => error_page(400, &why),
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
        "/login"
        | "/login/custom"
        | "/login/mfa"
        | "/login/new-password"
        | "/login/otp"
        | "/signup"
        | "/confirm"
        | "/forgot-password"
        | "/reset-password"
        | "/logout" => error_page(405, "Method not allowed."),
        _ => return None,
    };
    Some(reply)
}

/// The page of a form whose CSRF token is missing or not this browser's.
fn csrf_refused() -> Reply {
    error_page(
        403,
        "The form is stale or was not sent from this page (CSRF check failed): reload it and try again.",
    )
}

/// `POST /login/new-password`: checked under the lock, the credential derived without it (as
/// RespondToAuthChallenge derives it), then set.
fn new_password_posted(
    shared: &Shared,
    cookies: &BTreeMap<String, String>,
    form: &BTreeMap<String, String>,
) -> Reply {
    let (pending, salt) = match shared.lock().new_password_checked(cookies, form) {
        Ok(checked) => checked,
        Err(reply) => return reply,
    };
    let password = form.get("password").map_or("", String::as_str);
    let credential = srp::credential(realm(&pending.pool_id), &pending.username, password, salt);
    shared
        .lock()
        .hosted_new_password_set(cookies, &pending, credential)
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

/// PreAuthentication before `POST /login` checks the password: its refusal shown on the login
/// page, in Cognito's words; `None` when the sign-in goes on.
/// A form that fails the CSRF check or names no valid authorization request runs no trigger.
async fn hosted_pre_authentication(
    shared: &Shared,
    cookies: &BTreeMap<String, String>,
    form: &BTreeMap<String, String>,
) -> Option<Reply> {
    let (pool_id, authz) = {
        let mut state = shared.lock();
        if !state.csrf_ok(cookies, form) {
            return None;
        }
        state.authz(form).ok()?
    };
    let name = form.get("username").map_or("", String::as_str).trim();
    let refused =
        crate::triggers::pre_authentication_hosted(shared, &pool_id, &authz.client_id, name)
            .await
            .err()?;
    Some(
        shared
            .lock()
            .login_page(&authz, cookies, name, Some(&refused.message), None),
    )
}

/// Cognito's `operation` called as the page's app client calls it: `fields` with the client's
/// id, the user name and, when the client has a secret, its `SecretHash`.
async fn call_as_app(
    shared: &Shared,
    authz: &Authz,
    username: &str,
    operation: &str,
    mut fields: Value,
) -> Answer {
    fields["ClientId"] = json!(authz.client_id);
    fields["Username"] = json!(username);
    let secret = shared
        .lock()
        .client(&authz.client_id)
        .ok()
        .and_then(|(_, c)| c.info.secret);
    if let Some(secret) = secret {
        fields["SecretHash"] = json!(crate::auth::engine::secret_hash(
            &secret,
            username,
            &authz.client_id
        ));
    }
    crate::api::dispatch(shared, operation, &fields).await
}

/// `POST /signup`: Cognito's SignUp, then the confirmation page.
async fn sign_up(
    shared: &Shared,
    authz: &Authz,
    cookies: &BTreeMap<String, String>,
    form: &BTreeMap<String, String>,
) -> Reply {
    let username = form.get("username").map_or("", String::as_str).trim();
    {
        let mut state = shared.lock();
        let has_terms = !state.terms_links(&authz.client_id).is_empty();
        if has_terms && form.get("accept_terms").map(String::as_str) != Some("yes") {
            return state.signup_page(
                authz,
                cookies,
                form,
                Some("To sign up, accept the terms of use and the privacy policy."),
            );
        }
    }
    let mut attributes = Vec::new();
    if let Some(email) = form.get("email").filter(|e| !e.is_empty()) {
        attributes.push(json!({"Name": "email", "Value": email}));
    }
    let fields = json!({"Password": form.get("password").map_or("", String::as_str),
                        "UserAttributes": attributes});
    let answer = call_as_app(shared, authz, username, "SignUp", fields).await;
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
    let fields = json!({"ConfirmationCode": form.get("code").map_or("", String::as_str).trim()});
    let answer = call_as_app(shared, authz, username, "ConfirmSignUp", fields).await;
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

/// `POST /forgot-password`: Cognito's ForgotPassword (the code through the outbox, where the
/// pool's recovery setting sends it), then the page that takes the code and the new password.
/// `why`: what the notice says first (a sign-in of a user whose password must be reset).
async fn forgot_password(
    shared: &Shared,
    authz: &Authz,
    cookies: &BTreeMap<String, String>,
    form: &BTreeMap<String, String>,
    why: Option<&str>,
) -> Reply {
    let username = form.get("username").map_or("", String::as_str).trim();
    let answer = call_as_app(shared, authz, username, "ForgotPassword", json!({})).await;
    let mut state = shared.lock();
    match answer {
        Ok(a) => {
            let to = a["CodeDeliveryDetails"]["Destination"]
                .as_str()
                .unwrap_or("you");
            let notice = match why {
                Some(why) => format!("{why}: we sent a code to {to}."),
                None => format!("We sent a code to {to}."),
            };
            state.reset_page(authz, cookies, username, Some(&notice), None)
        }
        Err(fault) => state.forgot_page(authz, cookies, username, Some(&fault.message)),
    }
}

/// `POST /reset-password`: Cognito's ConfirmForgotPassword (its code check, attempt limit,
/// expiry and password policy), then the sign-in page with a banner.
async fn reset_password(
    shared: &Shared,
    authz: &Authz,
    cookies: &BTreeMap<String, String>,
    form: &BTreeMap<String, String>,
) -> Reply {
    let username = form.get("username").map_or("", String::as_str);
    let password = form.get("password").map_or("", String::as_str);
    if form.get("confirm_password").map(String::as_str) != Some(password) {
        return shared.lock().reset_page(
            authz,
            cookies,
            username,
            None,
            Some("The passwords do not match."),
        );
    }
    let fields = json!({"Password": password,
                        "ConfirmationCode": form.get("code").map_or("", String::as_str).trim()});
    let answer = call_as_app(shared, authz, username, "ConfirmForgotPassword", fields).await;
    let mut state = shared.lock();
    match answer {
        Ok(_) => state.login_page(
            authz,
            cookies,
            username,
            None,
            Some("Your password has been reset: sign in with the new one."),
        ),
        Err(fault) => state.reset_page(authz, cookies, username, None, Some(&fault.message)),
    }
}

/// `POST /login` for a pool whose custom authentication runs through webhooks, once the password
/// is right: DefineAuthChallenge, told `[SRP_A, PASSWORD_VERIFIER]` as an SRP sign-in would tell
/// it, signs the user in, fails the sign-in, or asks a custom challenge (its page). `None`: the
/// usual sign-in answers (another pool, a wrong password, a user who cannot sign in, a bad form).
async fn hosted_custom_auth(
    shared: &Shared,
    cookies: &BTreeMap<String, String>,
    form: &BTreeMap<String, String>,
) -> Option<Reply> {
    let (pool_id, authz, username) = {
        let mut state = shared.lock();
        if !state.csrf_ok(cookies, form) {
            return None;
        }
        let (pool_id, authz) = state.authz(form).ok()?;
        if !state.webhook_custom_auth(&pool_id) {
            return None;
        }
        let name = form.get("username").map_or("", String::as_str).trim();
        let password = form.get("password").map_or("", String::as_str);
        let user = state.pools.get(&pool_id)?.find(name)?.clone();
        let right = srp::password_matches(realm(&pool_id), password, &user.credential);
        if !right || user.status != Status::Confirmed {
            return None;
        }
        // A locked-out or disabled user is refused by the usual path, in its words.
        state
            .password_outcome(&pool_id, &user.username, true)
            .ok()?;
        (pool_id, authz, user.username)
    };
    let results = ["SRP_A", "PASSWORD_VERIFIER"]
        .into_iter()
        .map(|name| crate::model::state::ChallengeResult {
            name: name.into(),
            correct: true,
        })
        .collect();
    let round = crate::triggers::hosted_custom_round(
        shared,
        &pool_id,
        &authz.client_id,
        &username,
        results,
        String::new(),
        None,
    )
    .await;
    Some(
        shared
            .lock()
            .custom_outcome(&pool_id, &authz, cookies, &username, round),
    )
}

/// `POST /login/custom`: the answer to a custom challenge, verified by the webhooks, then the
/// next round.
async fn custom_answer_posted(
    shared: &Shared,
    cookies: &BTreeMap<String, String>,
    body: &[u8],
) -> Reply {
    let form = form_fields(body);
    let expired = || {
        error_page(
            400,
            "This sign-in has expired: start again from the application.",
        )
    };
    let (pool_id, authz, username, results, private) = {
        let mut state = shared.lock();
        if !state.csrf_ok(cookies, &form) {
            return error_page(
                403,
                "The form is stale or was not sent from this page (CSRF check failed): reload it and try again.",
            );
        }
        let (pool_id, authz) = match state.authz(&form) {
            Ok(ok) => ok,
            Err(why) => return error_page(400, &why),
        };
        let id = form.get("session").map_or("", String::as_str);
        let waiting = state
            .live_session(id, &authz.client_id)
            .is_ok_and(|s| s.pool_id == pool_id && matches!(s.stage, Stage::Custom { .. }));
        if !waiting {
            return expired();
        }
        let Some(session) = state.sessions.remove(id) else {
            return expired();
        };
        let Stage::Custom { results, answer } = session.stage else {
            return expired();
        };
        (pool_id, authz, session.username, results, answer)
    };
    let given = form.get("answer").cloned().unwrap_or_default();
    let round = crate::triggers::hosted_custom_round(
        shared,
        &pool_id,
        &authz.client_id,
        &username,
        results,
        private,
        Some(given),
    )
    .await;
    shared
        .lock()
        .custom_outcome(&pool_id, &authz, cookies, &username, round)
}

impl Inner {
    /// The page a custom-auth round of the hosted UI leads to: the redirect with a code, the
    /// sign-in page with the refusal, or the next challenge.
    fn custom_outcome(
        &mut self,
        pool_id: &str,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        username: &str,
        round: Result<crate::triggers::HostedRound, crate::fault::Fault>,
    ) -> Reply {
        use crate::triggers::HostedRound;
        match round {
            Ok(HostedRound::SignIn) => {
                let sub = self
                    .pools
                    .get(pool_id)
                    .and_then(|p| p.users.get(username))
                    .map(|u| u.sub.clone());
                let Some(sub) = sub else {
                    return self.login_page(
                        authz,
                        cookies,
                        username,
                        Some(crate::fault::BAD_CREDENTIALS),
                        None,
                    );
                };
                let now = self.unix();
                self.signed_in_redirect(pool_id, authz, username, &sub, now)
            }
            Ok(HostedRound::Fail) => self.login_page(
                authz,
                cookies,
                username,
                Some(crate::fault::BAD_CREDENTIALS),
                None,
            ),
            Ok(HostedRound::Challenge { public, session }) => {
                self.custom_challenge_page(authz, cookies, &public, &session)
            }
            Err(fault) => self.login_page(authz, cookies, username, Some(&fault.message), None),
        }
    }

    /// A custom challenge: its public parameters (escaped), and a form for the answer that
    /// carries the authorization request, the session and a CSRF token, as the other forms do.
    fn custom_challenge_page(
        &mut self,
        authz: &Authz,
        cookies: &BTreeMap<String, String>,
        public: &BTreeMap<String, String>,
        session: &str,
    ) -> Reply {
        let (token, set) = self.form_token(cookies);
        let parameters: String = public
            .iter()
            .map(|(name, value)| {
                format!(
                    "<dt>{name}</dt><dd class=\"challenge-parameter\">{value}</dd>",
                    name = escape(name),
                    value = escape(value),
                )
            })
            .collect();
        let body = format!(
            "<dl id=\"challenge\">{parameters}</dl><form method=\"post\" action=\"/login/custom\">{token}{hidden}\
<input type=\"hidden\" name=\"session\" value=\"{session}\">\
<label for=\"answer\">Answer</label>\
<input type=\"text\" id=\"answer\" name=\"answer\" autocomplete=\"off\" required autofocus>\
<button type=\"submit\" id=\"answer-challenge\">Continue</button></form>",
            hidden = authz.hidden(),
            session = escape(session),
        );
        self.page(&authz.client_id, "Sign-in challenge", false, &body, set)
    }
}

/// PostAuthentication on a hosted-UI sign-in: once a form (`POST /login`, `/login/mfa`,
/// `/login/custom`) signed the user in (`reply` redirects with a code), the pool's webhook runs
/// before the code goes to the app. A refusal shows Cognito's message instead, and takes back
/// the code and the browser's new session.
pub(crate) async fn after_sign_in(
    shared: &Shared,
    method: &Method,
    path: &str,
    reply: Reply,
) -> Reply {
    let form = matches!(path, "/login" | "/login/mfa" | "/login/custom");
    if *method != Method::POST || !form || reply.0 != 302 {
        return reply;
    }
    let header = |name: &str, prefix: &str| {
        reply
            .1
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .find_map(|(_, v)| v.strip_prefix(prefix).map(str::to_owned))
    };
    let code = header("Location", "").and_then(|location| {
        url::Url::parse(&location).ok().and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
        })
    });
    let Some(code) = code else { return reply };
    let grant = shared.lock().grants.get(&code).cloned();
    let Some(grant) = grant else { return reply };
    let refused = crate::triggers::post_authentication_hosted(
        shared,
        &grant.pool_id,
        &grant.client_id,
        &grant.username,
    )
    .await;
    let Err(refused) = refused else { return reply };
    let session = header("Set-Cookie", &format!("{SESSION_COOKIE}="))
        .and_then(|v| v.split(';').next().map(str::to_owned));
    let mut state = shared.lock();
    state.grants.remove(&code);
    if let Some(session) = session {
        state.login.sessions.remove(&session);
    }
    error_page(400, &refused.message)
}
