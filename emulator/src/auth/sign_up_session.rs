//! Sign-in after sign-up, as Cognito does it: `SignUp` answers a `Session`; `ConfirmSignUp`
//! with that session answers another; `InitiateAuth` `USER_AUTH` with the second signs the user
//! in without the password (the confirmation code was the first factor). Each session serves
//! once, for its user and app client only, within a sign-in session's lifetime (three minutes).

use serde_json::Value;

use crate::fault::{Answer, Fault, INVALID_SESSION, NOT_AUTHORIZED, fault};
use crate::input::{field, param};
use crate::model::state::{Inner, Stage};

impl Inner {
    /// The session `SignUp` answers.
    pub(crate) fn signed_up_session(
        &mut self,
        pool_id: &str,
        client_id: &str,
        username: &str,
    ) -> String {
        self.new_session(pool_id, client_id, username, None, Stage::SignedUp)
    }

    /// The `Session` of a `ConfirmSignUp`, when it has one: `SignUp`'s, live, of this client,
    /// pool and user. It is checked before the code and spent only by a confirmation that
    /// succeeds ([`Inner::confirmed_session`]).
    pub(crate) fn check_signed_up_session(
        &mut self,
        body: &Value,
        pool_id: &str,
        client_id: &str,
        username: &str,
    ) -> Result<Option<String>, Fault> {
        let Some(id) = body.get("Session") else {
            return Ok(None);
        };
        let id = id
            .as_str()
            .ok_or_else(|| fault("SerializationException", "Session must be a string"))?;
        let session = self.live_session(id, client_id)?;
        let ours = matches!(session.stage, Stage::SignedUp)
            && session.pool_id == pool_id
            && session.username == username;
        if !ours {
            return Err(fault(NOT_AUTHORIZED, INVALID_SESSION));
        }
        Ok(Some(id.to_owned()))
    }

    /// Spends `SignUp`'s session and opens the one that signs the confirmed user in.
    pub(crate) fn confirmed_session(&mut self, signed_up: &str) -> Option<String> {
        let session = self.sessions.remove(signed_up)?;
        Some(self.new_session(
            &session.pool_id,
            &session.client_id,
            &session.username,
            None,
            Stage::SignUpConfirmed,
        ))
    }

    /// `InitiateAuth` `USER_AUTH` with `ConfirmSignUp`'s session: the next challenge (MFA) or
    /// tokens, once.
    pub(crate) fn sign_in_after_sign_up(
        &mut self,
        pool_id: &str,
        client_id: &str,
        params: &Value,
        body: &Value,
    ) -> Answer {
        let id = field(body, "Session")?.to_owned();
        let session = self.live_session(&id, client_id)?;
        if !matches!(session.stage, Stage::SignUpConfirmed) || session.pool_id != pool_id {
            return Err(fault(NOT_AUTHORIZED, INVALID_SESSION));
        }
        let owner = session.username.clone();
        let named = param(params, "USERNAME")?;
        let named = self.user(pool_id, named).map(|u| u.username.clone());
        // Another user's name leaves the session for its own user.
        if named.ok().as_deref() != Some(owner.as_str()) {
            return Err(fault(NOT_AUTHORIZED, INVALID_SESSION));
        }
        self.check_secret_hash(
            client_id,
            &owner,
            params.get("SECRET_HASH").and_then(Value::as_str),
        )?;
        self.sessions.remove(&id);
        let device_key = params
            .get("DEVICE_KEY")
            .and_then(Value::as_str)
            .map(str::to_owned);
        self.after_password(pool_id, client_id, &owner, device_key, false)
    }
}
