//! The JS SDK's `CookieStorage`: the same storage keys as `localStorage` ([`super::key`]), each
//! in a cookie encoded as `js-cookie` (3.x, what `amazon-cognito-identity-js` 6 ships) encodes
//! it, with the storage's `domain`, `path`, `expires` (days, 365 by default), `secure` (on by
//! default) and `sameSite`.
//!
//! A server reads what the front end stored from the request's `Cookie` header
//! ([`parse_cookie_header`], [`Saved::from_cookie_header`](super::Saved::from_cookie_header))
//! and writes what it will read as `Set-Cookie` headers ([`CookieStorage::set_cookie`]), the very
//! strings `js-cookie` assigns to `document.cookie`.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use cognito_flows::storage::cookie::{CookieStorage, SameSite, parse_cookie_header};
//!
//! let storage = CookieStorage::new().with_domain("app.example").with_same_site(SameSite::Strict)?;
//! let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//! let header = storage.set_cookie("CognitoIdentityServiceProvider.client.LastAuthUser", "alice@example.com", now);
//! assert_eq!(
//!     header.expose(),
//!     "CognitoIdentityServiceProvider.client.LastAuthUser=alice@example.com; path=/; \
//!      expires=Wed, 13 Nov 2024 22:13:20 GMT; domain=app.example; secure; sameSite=strict",
//! );
//! let jar = parse_cookie_header("CognitoIdentityServiceProvider.client.LastAuthUser=alice@example.com; other=1");
//! assert_eq!(jar.get("CognitoIdentityServiceProvider.client.LastAuthUser").map(|v| v.expose()), Some("alice@example.com"));
//! # Ok::<(), cognito_flows::storage::cookie::CookieError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::Saved;
use crate::secret::SecretString;

/// What `encodeURIComponent` leaves alone: letters, digits and `-_.!~*'()`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// A cookie value as `js-cookie` writes it: `encodeURIComponent`, then `#$&+/:<=>?@[]^`{|}`
/// decoded back.
const VALUE: &AsciiSet = &URI_COMPONENT
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'/')
    .remove(b':')
    .remove(b'<')
    .remove(b'=')
    .remove(b'>')
    .remove(b'?')
    .remove(b'@')
    .remove(b'[')
    .remove(b']')
    .remove(b'^')
    .remove(b'`')
    .remove(b'{')
    .remove(b'|')
    .remove(b'}');

/// A cookie name as `js-cookie` writes it: `encodeURIComponent`, `#$&+^`|` decoded back, and
/// `(` `)` escaped.
const NAME: &AsciiSet = &URI_COMPONENT
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'^')
    .remove(b'`')
    .remove(b'|')
    .add(b'(')
    .add(b')');

/// `sameSite`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `strict`.
    Strict,
    /// `lax`.
    Lax,
    /// `none` (needs `secure`).
    None,
}

impl SameSite {
    fn as_str(self) -> &'static str {
        match self {
            Self::Strict => "strict",
            Self::Lax => "lax",
            Self::None => "none",
        }
    }
}

/// A `CookieStorage` option the JS SDK refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieError {
    /// `sameSite = none` without `secure`: browsers drop such cookies.
    SameSiteNoneNeedsSecure,
}

impl fmt::Display for CookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sameSite = None requires the Secure attribute")
    }
}

impl std::error::Error for CookieError {}

/// The JS SDK's `CookieStorage` options: where its cookies live and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieStorage {
    domain: Option<String>,
    path: String,
    expires_days: Option<i64>,
    secure: bool,
    same_site: Option<SameSite>,
}

impl Default for CookieStorage {
    fn default() -> Self {
        Self::new()
    }
}

impl CookieStorage {
    /// The JS SDK's defaults: no domain (the page's), path `/`, 365 days, secure, no `sameSite`.
    pub fn new() -> Self {
        Self {
            domain: None,
            path: "/".into(),
            expires_days: Some(365),
            secure: true,
            same_site: None,
        }
    }

    /// `domain`.
    #[must_use]
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into()).filter(|d| !d.is_empty());
        self
    }

    /// `path` (an empty one is `/`, as in the JS SDK).
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.path = if path.is_empty() { "/".into() } else { path };
        self
    }

    /// `expires`, in days; `None` writes session cookies (no `expires`).
    #[must_use]
    pub fn with_expires_days(mut self, days: Option<i64>) -> Self {
        self.expires_days = days;
        self
    }

    /// `secure` (on by default). Turning it off drops a `sameSite = none`.
    #[must_use]
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        if !secure && self.same_site == Some(SameSite::None) {
            self.same_site = None;
        }
        self
    }

    /// `sameSite`; `none` needs `secure`, as the JS SDK says.
    pub fn with_same_site(mut self, same_site: SameSite) -> Result<Self, CookieError> {
        if same_site == SameSite::None && !self.secure {
            return Err(CookieError::SameSiteNoneNeedsSecure);
        }
        self.same_site = Some(same_site);
        Ok(self)
    }

    /// The cookie `setItem(name, value)` writes at `now`, exactly as `js-cookie` assigns it to
    /// `document.cookie`: a `Set-Cookie` header value. It holds the value (a token): secret.
    pub fn set_cookie(&self, name: &str, value: &str, now: SystemTime) -> SecretString {
        self.cookie(name, value, self.expires_days, now)
    }

    /// The cookie `removeItem(name)` writes at `now`: empty, expired a day ago.
    pub fn remove_cookie(&self, name: &str, now: SystemTime) -> String {
        self.cookie(name, "", Some(-1), now).expose().to_owned()
    }

    /// The cookies of every item (e.g. [`StoredSession::storage_items`](crate::StoredSession::storage_items)).
    pub fn set_cookies(
        &self,
        items: &[(String, SecretString)],
        now: SystemTime,
    ) -> Vec<SecretString> {
        items
            .iter()
            .map(|(name, value)| self.set_cookie(name, value.expose(), now))
            .collect()
    }

    fn cookie(&self, name: &str, value: &str, days: Option<i64>, now: SystemTime) -> SecretString {
        let mut out = format!("{}={}", encode_name(name), encode_value(value));
        out.push_str("; path=");
        out.push_str(attribute(&self.path));
        if let Some(expires) = days.and_then(|d| expires(now, d)) {
            out.push_str("; expires=");
            out.push_str(&expires);
        }
        if let Some(domain) = &self.domain {
            out.push_str("; domain=");
            out.push_str(attribute(domain));
        }
        if self.secure {
            out.push_str("; secure");
        }
        if let Some(same_site) = self.same_site {
            out.push_str("; sameSite=");
            out.push_str(same_site.as_str());
        }
        SecretString::new(out)
    }
}

/// An attribute value up to its first `;` (RFC 6265 5.2, as `js-cookie` cuts it).
fn attribute(value: &str) -> &str {
    value.split(';').next().unwrap_or_default()
}

/// `new Date(now + days * 864e5).toUTCString()`: `Fri, 13 Nov 2026 22:13:20 GMT`.
fn expires(now: SystemTime, days: i64) -> Option<String> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let shift = Duration::from_secs(days.unsigned_abs().checked_mul(86_400)?);
    let at = if days >= 0 {
        now.checked_add(shift)?
    } else {
        now.checked_sub(shift)?
    };
    let secs = i64::try_from(at.duration_since(UNIX_EPOCH).ok()?.as_secs()).ok()?;
    let t = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    let day = DAYS.get(usize::from(t.weekday().number_days_from_monday()))?;
    let month = MONTHS.get(usize::from(u8::from(t.month()).checked_sub(1)?))?;
    Some(format!(
        "{day}, {:02} {month} {} {:02}:{:02}:{:02} GMT",
        t.day(),
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// A cookie name as `js-cookie` writes it.
pub fn encode_name(name: &str) -> String {
    utf8_percent_encode(name, NAME).to_string()
}

/// A cookie value as `js-cookie` writes it.
pub fn encode_value(value: &str) -> String {
    utf8_percent_encode(value, VALUE).to_string()
}

/// The cookies of a `Cookie` header (`a=b; c=d`), read as `js-cookie`'s `get()` reads
/// `document.cookie`: split at `; `, the name and the value percent-decoded (a value in double
/// quotes loses them), the first of a name kept. A cookie whose name or value is not valid
/// percent-encoded UTF-8 is skipped, as `js-cookie` skips it. Values are secrets (tokens).
pub fn parse_cookie_header(header: &str) -> BTreeMap<String, SecretString> {
    let mut jar = BTreeMap::new();
    if header.is_empty() {
        return jar;
    }
    for cookie in header.split("; ") {
        let (raw_name, raw_value) = cookie.split_once('=').unwrap_or((cookie, ""));
        let Ok(name) = percent_decode_str(raw_name).decode_utf8() else {
            continue;
        };
        if jar.contains_key(name.as_ref()) {
            continue;
        }
        let unquoted = match raw_value.strip_prefix('"') {
            Some(rest) => {
                let mut chars = rest.chars();
                chars.next_back();
                chars.as_str()
            }
            None => raw_value,
        };
        let Ok(value) = percent_decode_str(unquoted).decode_utf8() else {
            continue;
        };
        jar.insert(name.into_owned(), SecretString::new(value.into_owned()));
    }
    jar
}

impl Saved {
    /// What the JS SDK's `CookieStorage` stored for the last user of `client_id`, from a request's
    /// `Cookie` header. `None` when no user is recorded.
    pub fn from_cookie_header(client_id: &str, header: &str) -> Option<Self> {
        let jar = parse_cookie_header(header);
        Self::read(client_id, |key| jar.get(key).map(|v| v.expose().to_owned()))
    }
}
