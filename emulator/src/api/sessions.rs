//! A user's sessions: AdminListUserSessions, ListUserSessions, AdminRevokeUserSession,
//! RevokeUserSession. A token session is one sign-in: the refresh token it issued, every refresh
//! token rotated from it and every access token issued from those, all carrying the sign-in's
//! `origin_jti`. Its id is `tkn` and 25 lowercase hex digits derived from the pool and the
//! `origin_jti` (so nothing new is stored for it); `CreateDate` is the sign-in's time,
//! `LastActiveDate` its last refresh. A session is listed while one of its refresh tokens is
//! live (not revoked, not rotated out past the grace period, not signed out globally, not past
//! the client's refresh token validity). Revoking it revokes every refresh and access token of
//! the family, which the one revocation check of each path (`Inner::access`,
//! `Inner::refresh_record`) then refuses.
//!
//! An SSO session is a browser signed in to the hosted UI (kept in memory, as the emulator keeps
//! its login sessions): its id is `sso` and 25 hex digits of the SHA-256 of the cookie it signed
//! in with, kept while later authorizations hand the browser new cookies. The token
//! sessions of the codes it handed out name it as their `OriginSessionId`. Revoking it signs the
//! browser out. `RevokeAssociatedSessions: LINKED` also revokes the directly linked sessions:
//! for a token session, the SSO session it came through; for an SSO session, every token session
//! that came through it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault, user_not_found};
use crate::input::{field, opt_str, page};
use crate::model::state::{Inner, User};

/// The most sessions one page holds (the model's `SessionsListType`).
const PAGE: usize = 125;
/// How long a browser stays signed in to the hosted UI (`web/login.rs`): a login session's
/// `expires` less this is when it was opened.
const LOGIN_SECONDS: u64 = 3600;

/// One session of a user: a token session, or an SSO session (a signed-in browser).
struct TokenSession {
    id: String,
    /// The app client of a token session (`None` for an SSO session).
    client_id: Option<String>,
    created: u64,
    last_active: u64,
    /// The keys of its refresh tokens in `Inner::refresh_tokens`, live or not (none for an SSO
    /// session).
    refresh_keys: BTreeSet<String>,
    /// A token session's SSO session (`OriginSessionId`), if it came through one.
    origin: Option<String>,
    /// Whether it is an SSO session (a signed-in browser).
    sso: bool,
}

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

fn no_session(id: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("Session {id} does not exist."),
    )
}

/// `tkn` and 25 lowercase hex digits of the SHA-256 of the pool and the family's key.
fn session_id(pool_id: &str, family: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("{pool_id}\n{family}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("tkn{}", hex.get(..25).unwrap_or_default())
}

/// The `SessionId` of a request: the model's `^(tkn|sso)[a-z0-9]{25}$`.
fn session_id_field(body: &Value) -> Result<&str, Fault> {
    let id = field(body, "SessionId")?;
    let rest = id.strip_prefix("tkn").or_else(|| id.strip_prefix("sso"));
    match rest {
        Some(rest)
            if rest.len() == 25
                && rest
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) =>
        {
            Ok(id)
        }
        _ => Err(invalid(format!(
            "1 validation error detected: Value '{id}' at 'sessionId' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: ^(tkn|sso)[a-z0-9]{{25}}$"
        ))),
    }
}

/// `RevokeAssociatedSessions`: `NONE` (the default) or `LINKED` (`true`).
fn linked(body: &Value) -> Result<bool, Fault> {
    match opt_str(body, "RevokeAssociatedSessions")? {
        None | Some("NONE") => Ok(false),
        Some("LINKED") => Ok(true),
        Some(other) => Err(invalid(format!(
            "1 validation error detected: Value '{other}' at 'revokeAssociatedSessions' failed \
             to satisfy constraint: Member must satisfy enum value set: [NONE, LINKED]"
        ))),
    }
}

/// The user's live token sessions in the pool, by id.
fn sessions_of(state: &Inner, pool_id: &str, user: &User) -> BTreeMap<String, TokenSession> {
    let now = state.unix();
    let mut sessions: BTreeMap<String, TokenSession> = BTreeMap::new();
    let mut live = BTreeSet::new();
    for (key, record) in state.refresh_tokens.iter() {
        if record.pool_id != pool_id || record.sub != user.sub {
            continue;
        }
        // Tokens stored before `origin_jti` existed are each a session of their own.
        let family = if record.origin_jti.is_empty() {
            key.as_str()
        } else {
            record.origin_jti.as_str()
        };
        let id = session_id(pool_id, family);
        let validity = state
            .pools
            .get(pool_id)
            .and_then(|p| p.clients.get(&record.client_id))
            .map(|c| c.settings.token_validity.refresh.as_secs());
        let expired =
            record.created != 0 && validity.is_none_or(|v| record.created.saturating_add(v) <= now);
        if !record.revoked
            && record.seq > user.signed_out_seq
            && !expired
            && crate::auth::refresh::check_grace(state, record).is_ok()
        {
            live.insert(id.clone());
        }
        let session = sessions.entry(id.clone()).or_insert_with(|| TokenSession {
            id,
            client_id: Some(record.client_id.clone()),
            created: record.created,
            last_active: record.last_active,
            refresh_keys: BTreeSet::new(),
            origin: None,
            sso: false,
        });
        session.created = session.created.min(record.created);
        session.last_active = session.last_active.max(record.last_active);
        session.refresh_keys.insert(key.clone());
        if session.origin.is_none() {
            session.origin.clone_from(&record.sso);
        }
    }
    sessions.retain(|id, _| live.contains(id));
    // The browsers signed in to the hosted UI as this user.
    for browser in state.login.sessions.values() {
        if browser.pool_id == pool_id && browser.sub == user.sub && browser.expires > now {
            let id = browser.sso.clone();
            let session = sessions.entry(id.clone()).or_insert_with(|| TokenSession {
                id,
                client_id: None,
                created: browser.signed_in,
                last_active: browser.signed_in,
                refresh_keys: BTreeSet::new(),
                origin: None,
                sso: true,
            });
            // Each authorization of the browser hands it a new cookie within the session.
            session.last_active = session
                .last_active
                .max(browser.expires.saturating_sub(LOGIN_SECONDS));
        }
    }
    sessions
}

/// A session as the lists answer it.
fn describe(session: &TokenSession, current: bool) -> Value {
    let kind = if session.sso { "SSO" } else { "TOKEN" };
    let mut out = json!({
        "SessionId": session.id, "SessionType": kind, "CreateDate": session.created,
        "LastActiveDate": session.last_active, "IsCurrentSession": current,
    });
    if let Some(client_id) = &session.client_id {
        out["ClientId"] = json!(client_id);
    }
    if let Some(origin) = &session.origin {
        out["OriginSessionId"] = json!(origin);
    }
    out
}

/// The sessions a revocation of `target` ends: itself, and with `LINKED` the directly linked
/// ones (a token session's SSO session; an SSO session's token sessions).
fn ending(
    sessions: &mut BTreeMap<String, TokenSession>,
    target: &str,
    linked: bool,
) -> Result<Vec<TokenSession>, Fault> {
    let session = sessions.remove(target).ok_or_else(|| no_session(target))?;
    let mut out = Vec::new();
    if linked {
        let related: Vec<String> = sessions
            .values()
            .filter(|s| {
                if session.sso {
                    s.origin.as_deref() == Some(target)
                } else {
                    session.origin.as_deref() == Some(s.id.as_str())
                }
            })
            .map(|s| s.id.clone())
            .collect();
        out.extend(related.iter().filter_map(|id| sessions.remove(id)));
    }
    out.push(session);
    Ok(out)
}

/// Ends `session`: a browser signed out, or every refresh token of a token session and every
/// access token issued from them revoked.
fn revoke(state: &mut Inner, session: &TokenSession) {
    if session.sso {
        state.login.sessions.retain(|_, b| b.sso != session.id);
        return;
    }
    for key in &session.refresh_keys {
        if let Some(record) = state.refresh_tokens.get_mut(key) {
            record.revoked = true;
        }
    }
    let access: Vec<String> = state
        .access_tokens
        .iter()
        .filter(|(_, t)| {
            !t.revoked
                && t.refresh
                    .as_ref()
                    .is_some_and(|r| session.refresh_keys.contains(r))
        })
        .map(|(jti, _)| jti.clone())
        .collect();
    for jti in access {
        if let Some(token) = state.access_tokens.get_mut(&jti) {
            token.revoked = true;
        }
    }
}

/// The pool id and user of an admin request (`UserPoolId`, `Username`).
fn admin_user(state: &Inner, body: &Value) -> Result<(String, User), Fault> {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "Username")?;
    let user = state
        .pool_by_id(pool_id)?
        .find(name)
        .ok_or_else(user_not_found)?;
    Ok((pool_id.to_owned(), user.clone()))
}

/// The pool id, the user and the refresh key of the caller's access token.
fn token_user(state: &Inner, body: &Value) -> Result<(String, User, Option<String>), Fault> {
    let (pool_id, username, token) = state.access(field(body, "AccessToken")?)?;
    let user = state.user(&pool_id, &username)?.clone();
    Ok((pool_id, user, token.refresh))
}

fn listing(
    sessions: &BTreeMap<String, TokenSession>,
    current: Option<&str>,
    body: &Value,
) -> Answer {
    let items = sessions.values().map(|s| {
        let mine = current.is_some_and(|key| s.refresh_keys.contains(key));
        (s.id.clone(), describe(s, mine))
    });
    let (sessions, next) = page(items, PAGE, opt_str(body, "NextToken")?)?;
    let mut answer = json!({"Sessions": sessions});
    if let Some(next) = next {
        answer["NextToken"] = json!(next);
    }
    Ok(answer)
}

/// AdminListUserSessions: the user's active sessions (`IsCurrentSession` always false).
pub(crate) fn admin_list_user_sessions(shared: &Shared, body: &Value) -> Answer {
    let state = shared.lock();
    let (pool_id, user) = admin_user(&state, body)?;
    listing(&sessions_of(&state, &pool_id, &user), None, body)
}

/// ListUserSessions: the signed-in user's active sessions, the caller's own marked.
pub(crate) fn list_user_sessions(shared: &Shared, body: &Value) -> Answer {
    let state = shared.lock();
    let (pool_id, user, current) = token_user(&state, body)?;
    listing(
        &sessions_of(&state, &pool_id, &user),
        current.as_deref(),
        body,
    )
}

/// AdminRevokeUserSession: one of the user's sessions, its tokens refused from now on.
pub(crate) fn admin_revoke_user_session(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, user) = admin_user(state, body)?;
    let id = session_id_field(body)?;
    let linked = linked(body)?;
    let mut sessions = sessions_of(state, &pool_id, &user);
    for session in ending(&mut sessions, id, linked)? {
        revoke(state, &session);
    }
    Ok(json!({}))
}

/// RevokeUserSession: another session of the signed-in user (never the caller's own).
pub(crate) fn revoke_user_session(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let (pool_id, user, current) = token_user(state, body)?;
    let id = session_id_field(body)?;
    let linked = linked(body)?;
    let mut sessions = sessions_of(state, &pool_id, &user);
    let ended = ending(&mut sessions, id, linked)?;
    // Neither the caller's own session nor, through LINKED, its SSO session's revocation of it.
    if ended.iter().any(|s| {
        current
            .as_ref()
            .is_some_and(|key| s.refresh_keys.contains(key))
    }) {
        return Err(invalid(
            "The session of the access token in the request cannot be revoked.",
        ));
    }
    for session in ended {
        revoke(state, &session);
    }
    Ok(json!({}))
}
