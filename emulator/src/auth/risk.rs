//! Threat protection as the emulator can apply it, deterministically: every sign-in call
//! (InitiateAuth, AdminInitiateAuth and their RespondToAuthChallenge twins, and the hosted UI's
//! `POST /login` and `/login/mfa`, and `/oauth2/authorize`'s scripted sign-in; not the refresh) of a user of the pool is recorded as an auth event with its outcome, and the risk configuration
//! that applies to the app client (its own, else the pool's) is enforced:
//!
//! - `RiskExceptionConfiguration`: a sign-in from an address of `BlockedIPRangeList` is refused;
//!   one from `SkippedIPRangeList` is not checked further. The address is the one the request's
//!   `UserContextData.IpAddress` (user API) or `ContextData.IpAddress` (admin API) gives, and
//!   `127.0.0.1`, the emulator's only peer, otherwise.
//! - `CompromisedCredentialsRiskConfiguration`: a password of [`COMPROMISED_PASSWORDS`] sent in
//!   the clear (`USER_PASSWORD_AUTH`, `ADMIN_USER_PASSWORD_AUTH`, `ADMIN_NO_SRP_AUTH`, the
//!   hosted UI's login page: Cognito
//!   cannot check SRP sign-ins either) that is the user's right password is detected; with
//!   `EventAction: BLOCK` and `SIGN_IN` among the events (or no `EventFilter`) the sign-in is
//!   refused and the user set to `RESET_REQUIRED`, as Cognito does.
//!
//! A blocked sign-in answers `NotAuthorizedException` and is recorded with `EventResponse: Fail`
//! and `RiskDecision: Block`. When the configuration has `AccountTakeoverRiskConfiguration.
//! NotifyConfiguration`, the notification Cognito would email goes to the outbox (purpose
//! `RiskNotification`, the event's `FeedbackToken` as its code). Threat protection is active
//! for a pool once it has a risk configuration (SetRiskConfiguration): before that nothing is
//! enforced, and the event history and feedback calls answer `UserPoolAddOnNotEnabledException`
//! (the events are recorded either way). Events live in memory, not in the data directory.

use std::net::IpAddr;

use base64::Engine as _;
use serde_json::Value;

use crate::auth::engine::realm;
use crate::auth::shared::Shared;
use crate::auth::srp;
use crate::fault::{Answer, BAD_CREDENTIALS, Fault, NOT_AUTHORIZED, fault};
use crate::model::risk::{AuthEvent, AuthEvents, ChallengeOutcome, MAX_EVENTS, RiskConfig};
use crate::model::state::{Inner, Message, Status};

/// Passwords the emulator knows to be compromised (each passes Cognito's default policy, so a
/// test can give one to a user and sign in with it). `Passw0rd!`, the test suites' usual
/// password, is deliberately not among them.
pub(crate) const COMPROMISED_PASSWORDS: &[&str] = &[
    "Compromised-Passw0rd!",
    "Password123!",
    "P@ssw0rd123",
    "Qwerty123!",
    "Welcome123!",
    "Admin@123",
];

/// What Cognito answers a sign-in it blocks.
pub(crate) const BLOCKED: &str = "Unable to login because of security reasons.";

/// The most in-progress sign-ins followed by their session.
const MAX_SESSIONS: usize = 10_000;

/// The address of a sign-in without context data: the emulator's only peer.
const LOOPBACK: &str = "127.0.0.1";

/// A sign-in call as threat protection sees it.
pub(crate) struct Attempt {
    pool_id: String,
    client_id: String,
    /// The user's name in the pool; `None` for a name no user has (an address block still
    /// applies, so that a blocked address learns nothing of which users exist; nothing is
    /// recorded).
    username: Option<String>,
    ip: String,
    /// `Password` or `Mfa` when the call answers a challenge of that kind (or sends the
    /// password itself).
    challenge: Option<&'static str>,
    /// The session the call answers.
    session: Option<String>,
    /// A compromised password was sent and is the user's.
    compromised: bool,
}

/// What one call of a sign-in did, as its event records it.
pub(crate) struct Step {
    /// `Pass`, `Fail` or `InProgress`.
    pub response: &'static str,
    /// Whether the challenge the call answered was answered right (`None`: not evaluated).
    pub challenge_right: Option<bool>,
    /// The session the sign-in continues with.
    pub next_session: Option<String>,
}

/// The IP address a request's context data gives.
fn context_ip(body: &Value) -> Option<String> {
    ["UserContextData", "ContextData"].iter().find_map(|field| {
        body.get(*field)
            .and_then(|c| c.get("IpAddress"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

/// `address` is in `range` (CIDR, or a single address).
pub(crate) fn in_range(address: &str, range: &str) -> bool {
    let Some((net, bits)) = cidr(range) else {
        return false;
    };
    let Ok(address) = address.trim().parse::<IpAddr>() else {
        return false;
    };
    match (address, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// A CIDR range: the network and its prefix length; `None` when it is not one.
pub(crate) fn cidr(range: &str) -> Option<(IpAddr, u32)> {
    let (address, bits) = match range.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (range, None),
    };
    let address: IpAddr = address.parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let bits = match bits {
        None => max,
        Some(b) if !b.is_empty() && b.len() <= 3 && b.bytes().all(|c| c.is_ascii_digit()) => {
            b.parse().ok()?
        }
        Some(_) => return None,
    };
    (bits <= max).then_some((address, bits))
}

/// The challenge kind a `ChallengeName` answers, as auth events name it.
fn kind_of(challenge: &str) -> Option<&'static str> {
    match challenge {
        "PASSWORD_VERIFIER" | "PASSWORD" => Some("Password"),
        "SMS_MFA" | "SOFTWARE_TOKEN_MFA" | "EMAIL_OTP" | "SMS_OTP" => Some("Mfa"),
        _ => None,
    }
}

impl Attempt {
    /// The sign-in of `operation` with `body`, when it is one (through a client of a pool).
    pub(crate) fn of(shared: &Shared, operation: &str, body: &Value) -> Option<Self> {
        let respond = match operation {
            "InitiateAuth" | "AdminInitiateAuth" => false,
            "RespondToAuthChallenge" | "AdminRespondToAuthChallenge" => true,
            _ => return None,
        };
        let client_id = body.get("ClientId")?.as_str()?.to_owned();
        let state = shared.lock();
        let pool_id = state.client(&client_id).ok()?.0;
        let (name, challenge, password) = if respond {
            let responses = body.get("ChallengeResponses")?;
            let name = responses.get("USERNAME")?.as_str()?;
            let challenge = body.get("ChallengeName")?.as_str()?;
            let answer = responses.get("ANSWER").and_then(Value::as_str);
            let kind = match (challenge, answer) {
                ("SELECT_CHALLENGE", Some(picked)) => {
                    kind_of(picked).filter(|_| responses.get("PASSWORD").is_some())
                }
                _ => kind_of(challenge),
            };
            let password = responses.get("PASSWORD").and_then(Value::as_str);
            (name, kind, password)
        } else {
            let flow = body.get("AuthFlow")?.as_str()?;
            let params = body.get("AuthParameters")?;
            let name = params.get("USERNAME")?.as_str()?;
            let password = match flow {
                "USER_PASSWORD_AUTH" | "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
                    params.get("PASSWORD").and_then(Value::as_str)
                }
                "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => return None,
                _ => None,
            };
            (name, password.map(|_| "Password"), password)
        };
        let ip = context_ip(body).unwrap_or_else(|| LOOPBACK.to_owned());
        let session = body
            .get("Session")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Self::build(
            &state, pool_id, client_id, name, challenge, password, ip, session,
        )
    }

    /// A sign-in through `client_id` of the pool as `name` (with `password` when it is sent in
    /// the clear), from `ip`, answering `challenge` of `session`.
    #[allow(clippy::too_many_arguments)]
    fn build(
        inner: &Inner,
        pool_id: String,
        client_id: String,
        name: &str,
        challenge: Option<&'static str>,
        password: Option<&str>,
        ip: String,
        session: Option<String>,
    ) -> Option<Self> {
        let user = inner.pools.get(&pool_id)?.find(name);
        let compromised = user.is_some_and(|user| {
            password.is_some_and(|p| {
                COMPROMISED_PASSWORDS.contains(&p)
                    && srp::password_matches(realm(&pool_id), p, &user.credential)
            })
        });
        Some(Self {
            username: user.map(|u| u.username.clone()),
            pool_id,
            client_id,
            ip,
            challenge,
            session,
            compromised,
        })
    }

    /// The hosted UI's `POST /login` (the password, sent in the clear, from the emulator's
    /// only peer).
    pub(crate) fn hosted(
        inner: &Inner,
        pool_id: &str,
        client_id: &str,
        name: &str,
        password: &str,
    ) -> Option<Self> {
        Self::build(
            inner,
            pool_id.to_owned(),
            client_id.to_owned(),
            name,
            Some("Password"),
            Some(password),
            LOOPBACK.to_owned(),
            None,
        )
    }

    /// The hosted UI's `POST /login/mfa` for the pending sign-in `session`.
    pub(crate) fn hosted_mfa(inner: &Inner, session: &str) -> Option<Self> {
        let pending = inner.login.pending.get(session)?;
        Some(Self {
            pool_id: pending.pool_id.clone(),
            client_id: pending.authz.client_id.clone(),
            username: Some(pending.username.clone()),
            ip: LOOPBACK.to_owned(),
            challenge: Some("Mfa"),
            session: Some(session.to_owned()),
            compromised: false,
        })
    }

    /// What the configuration that applies says of this sign-in: `Err` when it is blocked (the
    /// event is recorded then, and a compromised password sets the user to `RESET_REQUIRED`).
    pub(crate) fn screen(&self, shared: &Shared) -> Result<(), Fault> {
        let config = {
            let state = shared.lock();
            let Some(pool) = state.pools.get(&self.pool_id) else {
                return Ok(());
            };
            match pool.risk.applying(&self.client_id) {
                Some(config) => config.clone(),
                None => return Ok(()),
            }
        };
        let blocked = config.blocked.iter().any(|r| in_range(&self.ip, r));
        let skipped = !blocked && config.skipped.iter().any(|r| in_range(&self.ip, r));
        let compromised_blocks = self.compromised && !skipped && blocks_compromised(&config);
        if !(blocked || compromised_blocks) {
            return Ok(());
        }
        let refusal = fault(NOT_AUTHORIZED, BLOCKED);
        if compromised_blocks {
            let mut state = shared.lock();
            if let Some(username) = &self.username
                && let Ok(user) = state.user_mut(&self.pool_id, username)
            {
                user.status = Status::ResetRequired;
            }
        }
        let step = Step {
            response: "Fail",
            // An address block refuses before any challenge is evaluated.
            challenge_right: compromised_blocks.then_some(true),
            next_session: None,
        };
        self.record_step(shared, step, true, &config);
        Err(refusal)
    }

    /// Records the call's outcome: a new event, or the one its session continues.
    pub(crate) fn record(&self, shared: &Shared, answer: &Answer) {
        let config = shared
            .lock()
            .pools
            .get(&self.pool_id)
            .and_then(|p| p.risk.applying(&self.client_id).cloned())
            .unwrap_or_default();
        // Refusals that are not a user's sign-in attempt (a malformed request, throttling, an
        // injected fault, the emulator's own failure) are not events.
        if let Err(f) = answer
            && !matches!(
                f.kind,
                "NotAuthorizedException"
                    | "UserNotConfirmedException"
                    | "PasswordResetRequiredException"
                    | "CodeMismatchException"
                    | "ExpiredCodeException"
                    | "UserNotFoundException"
            )
        {
            return;
        }
        let step = Step {
            response: match answer {
                Ok(a) if a.get("AuthenticationResult").is_some() => "Pass",
                Ok(_) => "InProgress",
                Err(_) => "Fail",
            },
            challenge_right: Some(match answer {
                Ok(_) => true,
                // A wrong code or password fails the challenge; a refusal for another reason
                // (a disabled user) comes after it was answered.
                Err(f) => !(f.kind == "CodeMismatchException" || f.message == BAD_CREDENTIALS),
            }),
            next_session: answer
                .as_ref()
                .ok()
                .and_then(|a| a.get("Session"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        };
        self.record_step(shared, step, false, &config);
    }

    /// Records a step of the hosted UI's sign-in (its pages are not API answers).
    pub(crate) fn record_hosted(&self, shared: &Shared, step: Step) {
        let config = shared
            .lock()
            .pools
            .get(&self.pool_id)
            .and_then(|p| p.risk.applying(&self.client_id).cloned())
            .unwrap_or_default();
        self.record_step(shared, step, false, &config);
    }

    fn record_step(&self, shared: &Shared, step: Step, blocked: bool, config: &RiskConfig) {
        let Some(username) = &self.username else {
            return;
        };
        let Step {
            response,
            challenge_right,
            next_session,
        } = step;
        let outcome = self
            .challenge
            .zip(challenge_right)
            .map(|(name, success)| ChallengeOutcome { name, success });
        let (now, key) = {
            let state = shared.lock();
            let key = state.pools.get(&self.pool_id).map(|p| p.phantom_key);
            (state.unix(), key)
        };
        let Some(key) = key else {
            return;
        };
        let mut events = shared.events();
        let continued = self
            .session
            .as_ref()
            .and_then(|s| events.sessions.remove(s))
            .filter(|(pool, _)| *pool == self.pool_id);
        let id = match continued {
            Some((_, id)) => id,
            None => new_event(&mut events, &self.pool_id, username, &self.ip, now, &key),
        };
        let Some(event) = events
            .by_pool
            .get_mut(&self.pool_id)
            .and_then(|list| list.iter_mut().find(|e| e.id == id))
        else {
            return;
        };
        event.response = response;
        if let Some(outcome) = outcome {
            event.challenges.push(outcome);
        }
        event.compromised |= self.compromised;
        if blocked {
            event.decision = "Block";
        }
        if let Some(session) = next_session
            && response == "InProgress"
        {
            if events.sessions.len() >= MAX_SESSIONS
                && let Some(oldest) = events.sessions.keys().next().cloned()
            {
                events.sessions.remove(&oldest);
            }
            events
                .sessions
                .insert(session, (self.pool_id.clone(), id.clone()));
        }
        let token = events
            .by_pool
            .get(&self.pool_id)
            .and_then(|list| list.iter().find(|e| e.id == id))
            .map(|e| e.feedback_token.clone());
        drop(events);
        if blocked
            && let Some(token) = token
            && config
                .takeover
                .as_ref()
                .is_some_and(|t| t.get("NotifyConfiguration").is_some())
        {
            notify(shared, &self.pool_id, username, &token);
        }
    }
}

/// Whether the configuration blocks a sign-in with compromised credentials.
fn blocks_compromised(config: &RiskConfig) -> bool {
    let Some(c) = &config.compromised else {
        return false;
    };
    let action = c
        .get("Actions")
        .and_then(|a| a.get("EventAction"))
        .and_then(Value::as_str);
    let on_sign_in = c
        .get("EventFilter")
        .and_then(Value::as_array)
        .is_none_or(|events| events.iter().any(|e| e == "SIGN_IN"));
    action == Some("BLOCK") && on_sign_in
}

/// A new event of `username`'s sign-in from `ip`: its id (deterministic: no random draw, so that recording changes
/// no other answer) and feedback token (keyed by the pool's secret key).
fn new_event(
    events: &mut AuthEvents,
    pool_id: &str,
    username: &str,
    ip: &str,
    now: u64,
    key: &[u8; 32],
) -> String {
    use hmac::{KeyInit, Mac as _};
    events.count += 1;
    let id = format!("{:016x}-{}", events.count, now);
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(b"feedback:");
    mac.update(pool_id.as_bytes());
    mac.update(b":");
    mac.update(id.as_bytes());
    let token =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    let list = events.by_pool.entry(pool_id.to_owned()).or_default();
    if list.len() >= MAX_EVENTS {
        list.remove(0);
    }
    list.push(AuthEvent {
        id: id.clone(),
        seq: events.count,
        username: username.to_owned(),
        kind: "SignIn",
        created: now,
        response: "InProgress",
        decision: "NoRisk",
        compromised: false,
        challenges: Vec::new(),
        ip: Some(ip.to_owned()),
        feedback_token: token,
        feedback: None,
    });
    id
}

/// The notification of a blocked sign-in, to the user's email (if any), in the outbox.
fn notify(shared: &Shared, pool_id: &str, username: &str, token: &str) {
    let mut state = shared.lock();
    let email = state
        .pools
        .get(pool_id)
        .and_then(|p| p.users.get(username))
        .and_then(|u| u.attributes.get("email").cloned());
    if let Some(email) = email {
        state.outbox.push(Message {
            pool_id: pool_id.to_owned(),
            username: username.to_owned(),
            medium: "EMAIL".into(),
            destination: email,
            purpose: "RiskNotification".into(),
            code: token.to_owned(),
            ..Message::default()
        });
    }
}

impl Inner {
    /// The pool's threat protection is active (it has a risk configuration), or Cognito's
    /// refusal for a pool without it.
    pub(crate) fn threat_protection(&self, pool_id: &str) -> Result<(), Fault> {
        if self.pool_by_id(pool_id)?.risk.is_empty() {
            return Err(fault(
                "UserPoolAddOnNotEnabledException",
                "Threat protection is not enabled for this user pool.",
            ));
        }
        Ok(())
    }
}

impl Shared {
    /// The recorded auth events.
    pub(crate) fn events(&self) -> std::sync::MutexGuard<'_, AuthEvents> {
        self.auth_events.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Feedback on an event of `username` (the user's name in the pool): `Err` when the pool
    /// has no such event for the user, or when `token` is given and is not the event's.
    pub(crate) fn event_feedback(
        &self,
        pool_id: &str,
        username: &str,
        event_id: &str,
        token: Option<&str>,
        value: &str,
    ) -> Result<(), Fault> {
        use subtle::ConstantTimeEq as _;
        let now = self.lock().unix();
        let mut events = self.events();
        let event = events
            .by_pool
            .get_mut(pool_id)
            .and_then(|list| {
                list.iter_mut()
                    .find(|e| e.id == event_id && e.username == username)
            })
            .ok_or_else(|| fault("ResourceNotFoundException", "Auth event does not exist."))?;
        if let Some(token) = token
            && !bool::from(event.feedback_token.as_bytes().ct_eq(token.as_bytes()))
        {
            return Err(fault(NOT_AUTHORIZED, "Invalid feedback token."));
        }
        let provider = if token.is_some() { "User" } else { "Admin" };
        event.feedback = Some((value.to_owned(), provider, now));
        Ok(())
    }
}

/// The fields of the feedback calls, checked as the model says: an event id of 1 to 50 word
/// characters, `+` or `-`; a feedback token of `[A-Za-z0-9-_=.]+`; `Valid` or `Invalid`.
pub(crate) fn check_feedback(
    event_id: &str,
    token: Option<&str>,
    value: &str,
) -> Result<(), Fault> {
    let invalid = |message: &str| fault("InvalidParameterException", message);
    let word = |s: &str, extra: &[u8]| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    };
    if event_id.len() > 50 || !word(event_id, b"_+-") {
        return Err(invalid(
            "1 validation error detected: Value at 'eventId' failed to satisfy constraint",
        ));
    }
    if let Some(token) = token
        && !word(token, b"-_=.")
    {
        return Err(invalid(
            "1 validation error detected: Value at 'feedbackToken' failed to satisfy constraint",
        ));
    }
    if !matches!(value, "Valid" | "Invalid") {
        return Err(invalid(
            "1 validation error detected: Value at 'feedbackValue' failed to satisfy enum value set: [Valid, Invalid]",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_cidr_and_matched_by_prefix() {
        assert!(in_range("203.0.113.9", "203.0.113.0/24"));
        assert!(!in_range("203.0.114.9", "203.0.113.0/24"));
        assert!(in_range("203.0.113.9", "203.0.113.9"));
        assert!(!in_range("203.0.113.10", "203.0.113.9/32"));
        assert!(in_range("8.8.8.8", "0.0.0.0/0"));
        assert!(in_range("2001:db8::1", "2001:db8::/32"));
        assert!(!in_range("2001:db9::1", "2001:db8::/32"));
        assert!(in_range("::1", "::/0"));
        // No family crosses over, and what is not an address matches nothing.
        assert!(!in_range("203.0.113.9", "::/0"));
        assert!(!in_range("not an address", "0.0.0.0/0"));
        for bad in [
            "300.1.2.3/8",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "2001:db8::/129",
            "",
            "10.0.0.0/8/8",
        ] {
            assert_eq!(cidr(bad), None, "{bad}");
            assert!(!in_range("10.0.0.1", bad), "{bad}");
        }
    }

    #[test]
    fn feedback_fields_are_checked_as_the_model_says() {
        assert!(check_feedback("0000000000000001-1795507507", Some("a.b-c_d="), "Valid").is_ok());
        assert!(check_feedback("event", None, "Invalid").is_ok());
        for (event, token, value) in [
            ("", None, "Valid"),
            ("spaces here", None, "Valid"),
            ("e", Some("not a token!"), "Valid"),
            ("e", None, "valid"),
        ] {
            let refused = check_feedback(event, token, value).err();
            assert_eq!(refused.map(|f| f.kind), Some("InvalidParameterException"));
        }
    }
}
