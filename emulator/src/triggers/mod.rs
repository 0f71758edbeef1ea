//! Lambda triggers as HTTP webhooks, for apps in any language (PreSignUp, PostConfirmation,
//! PreAuthentication, the custom-auth triggers, CustomMessage, PostAuthentication,
//! PreTokenGeneration; `emulator/README.md` says where each runs): the emulator POSTs the event JSON
//! that AWS documents for each trigger (`version`, `triggerSource`, `region`, `userPoolId`,
//! `userName`, `callerContext`, `request`, `response`) to the pool's URL and uses the `response`
//! of the answer (the whole event back, as a Lambda returns it, or the `response` object alone).
//!
//! The call is made on the server's runtime without the state lock: the operation runs to the
//! trigger under the lock, leaves its state in a session, and the answer is recorded under the
//! lock again. A webhook that does not answer within the pool's timeout (Cognito's: 5 s) or
//! cannot be reached gives `UnexpectedLambdaException` ("PreSignUp invocation failed due to
//! error Socket timeout while invoking Lambda function."); one that answers an error status gives
//! `UserLambdaValidationException` with its `errorMessage` or its body ("PreSignUp failed with
//! error ..."), as a Lambda that throws does; one whose answer is not the trigger's response gives
//! `InvalidLambdaResponseException` ("Unrecognizable lambda output").
//!
//! A trigger timeout armed by `POST /_emulator/faults` (`"trigger": "timeout"`) makes the next
//! trigger calls of its operation time out at once, without calling the webhook.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Map, Value, json};

use crate::auth::custom::{self, Created, Next, Parked, Round, Triggers};
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, NOT_AUTHORIZED, fault};
use crate::model::state::{ChallengeResult, Define, Inner, Message, Stage, Status};

/// Cognito waits this long for a trigger.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest answer read from a webhook.
const MAX_ANSWER: usize = 256 * 1024;

/// One trigger call: where, and what the event says.
struct Call {
    trigger: &'static str,
    url: String,
    timeout: Duration,
    event: Value,
}

/// The trigger failed: `UserLambdaValidationException`, in Cognito's words.
fn lambda_fault(trigger: &str, why: &str) -> Fault {
    fault(
        "UserLambdaValidationException",
        format!("{trigger} failed with error {why}."),
    )
}

/// The trigger could not be run: `UnexpectedLambdaException`, in Cognito's words.
fn unexpected(trigger: &str, why: &str) -> Fault {
    fault(
        "UnexpectedLambdaException",
        format!("{trigger} invocation failed due to error {why}."),
    )
}

/// The answer is not the trigger's response (Cognito's message names no trigger).
fn invalid_response(_trigger: &str) -> Fault {
    fault(
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    )
}

tokio::task_local! {
    /// The trigger timeouts armed for the operation this call runs (`POST /_emulator/faults`).
    static TIMEOUTS: Arc<AtomicU32>;
}

/// Runs `operation` (one call of an operation) with the trigger timeouts `left`: each trigger it
/// calls takes one and times out, until none is left.
pub(crate) async fn timing_out<F: Future>(left: Arc<AtomicU32>, operation: F) -> F::Output {
    TIMEOUTS.scope(left, operation).await
}

/// An armed timeout was taken for this trigger call.
fn times_out() -> bool {
    TIMEOUTS
        .try_with(|left| {
            left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        })
        .unwrap_or(false)
}

/// The timeout Cognito answers for a trigger that does not answer in time.
const TIMED_OUT: &str = "Socket timeout while invoking Lambda function";

/// Why an outgoing HTTP call gave no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failed {
    /// No connection, or no answer's head.
    Unreachable,
    /// The body could not be read, or is larger than allowed.
    Body,
    /// No whole answer within the time allowed.
    Timeout,
}

/// Sends `request` (plain HTTP, on the server's runtime) and reads the answer, at most `limit`
/// bytes of body, all within `timeout`: the one outgoing call of the emulator (the webhooks, the
/// identity providers of `web/federation.rs`).
pub(crate) async fn exchange(
    request: http::Request<Full<Bytes>>,
    timeout: Duration,
    limit: usize,
) -> Result<(http::StatusCode, Bytes), Failed> {
    exchange_with_headers(request, timeout, limit)
        .await
        .map(|(status, _, body)| (status, body))
}

/// [`exchange`], with the answer's headers (the client metadata documents' `Cache-Control`).
pub(crate) async fn exchange_with_headers(
    request: http::Request<Full<Bytes>>,
    timeout: Duration,
    limit: usize,
) -> Result<(http::StatusCode, http::HeaderMap, Bytes), Failed> {
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let call = async {
        let response = client
            .request(request)
            .await
            .map_err(|_| Failed::Unreachable)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = Limited::new(response.into_body(), limit)
            .collect()
            .await
            .map_err(|_| Failed::Body)?
            .to_bytes();
        Ok::<_, Failed>((status, headers, body))
    };
    tokio::time::timeout(timeout, call)
        .await
        .map_err(|_| Failed::Timeout)?
}

/// [`invoke`] where the pool has the trigger.
async fn invoke_if_set(call: Option<Call>) -> Result<(), Fault> {
    if let Some(call) = call {
        invoke(call).await?;
    }
    Ok(())
}

/// POSTs the event; the `response` object of the answer.
async fn invoke(call: Call) -> Result<Map<String, Value>, Fault> {
    let trigger = call.trigger;
    let unexpected = |why: &str| unexpected(trigger, why);
    if times_out() {
        return Err(unexpected(TIMED_OUT));
    }
    let uri: http::Uri = call
        .url
        .parse()
        .map_err(|_| unexpected("an invalid webhook URL"))?;
    let request = http::Request::post(uri)
        .header("Content-Type", "application/json")
        .header("User-Agent", "cognito-emulator")
        .body(Full::new(Bytes::from(call.event.to_string())))
        .map_err(|_| unexpected("an invalid webhook URL"))?;
    let (status, body) = exchange(request, call.timeout, MAX_ANSWER)
        .await
        .map_err(|failed| match failed {
            Failed::Unreachable => unexpected("Connection refused"),
            Failed::Body => invalid_response(trigger),
            Failed::Timeout => unexpected(TIMED_OUT),
        })?;
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    if !status.is_success() {
        let message = parsed
            .as_ref()
            .and_then(|v| v.get("errorMessage"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| {
                String::from_utf8_lossy(&body)
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(512)
                    .collect()
            });
        return Err(lambda_fault(trigger, &message));
    }
    match parsed {
        Some(Value::Object(mut answer)) => match answer.remove("response") {
            Some(Value::Object(response)) => Ok(response),
            Some(Value::Null) => Ok(Map::new()),
            Some(_) => Err(invalid_response(trigger)),
            None => Ok(answer),
        },
        _ => Err(invalid_response(trigger)),
    }
}

/// A boolean of the response; `null` and absent are `false`.
fn flag(response: &Map<String, Value>, name: &str, trigger: &str) -> Result<bool, Fault> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid_response(trigger)),
    }
}

/// A map of strings of the response (`publicChallengeParameters`, ...); `null` is empty.
fn strings(
    response: &Map<String, Value>,
    name: &str,
    trigger: &str,
) -> Result<BTreeMap<String, String>, Fault> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Number(_) | Value::Bool(_) => Ok((k.clone(), v.to_string())),
                _ => Err(invalid_response(trigger)),
            })
            .collect(),
        Some(_) => Err(invalid_response(trigger)),
    }
}

fn client_metadata(body: &Value) -> Value {
    match body.get("ClientMetadata") {
        Some(m @ Value::Object(_)) => m.clone(),
        _ => json!({}),
    }
}

fn attribute_list(body: &Value, field: &str) -> Map<String, Value> {
    body.get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| {
            Some((
                a.get("Name")?.as_str()?.to_owned(),
                Value::String(a.get("Value")?.as_str()?.to_owned()),
            ))
        })
        .collect()
}

impl Inner {
    fn hooks(&self, pool_id: &str) -> Option<&crate::model::settings::Webhooks> {
        self.pools.get(pool_id).map(|p| &p.config.webhooks)
    }

    /// Whether the pool's custom authentication runs through webhooks (and not Rust callbacks).
    pub(crate) fn webhook_custom_auth(&self, pool_id: &str) -> bool {
        self.pools.get(pool_id).is_some_and(|p| {
            p.config.custom_auth.is_none() && p.config.webhooks.define_auth_challenge.is_some()
        })
    }

    /// The event every trigger shares, for `username` of `pool_id`.
    fn event(
        &self,
        pool_id: &str,
        client_id: Option<&str>,
        username: &str,
        trigger_source: &str,
        request: Value,
        response: Value,
    ) -> Value {
        json!({
            "version": "1",
            "triggerSource": trigger_source,
            "region": self.region,
            "userPoolId": pool_id,
            "userName": username,
            "callerContext": {"awsSdkVersion": concat!("cognito-emulator-", env!("CARGO_PKG_VERSION")), "clientId": client_id},
            "request": request,
            "response": response,
        })
    }

    /// A user's attributes as triggers see them (`sub` and `cognito:user_status` included).
    fn user_attributes(&self, pool_id: &str, username: &str) -> Map<String, Value> {
        let Some(user) = self.pools.get(pool_id).and_then(|p| p.users.get(username)) else {
            return Map::new();
        };
        let mut out: Map<String, Value> = user
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        out.insert("sub".into(), json!(user.sub));
        let status = crate::model::filter::status_name(user.status);
        out.insert("cognito:user_status".into(), json!(status));
        out
    }

    fn call(
        &self,
        pool_id: &str,
        trigger: &'static str,
        url: Option<&String>,
        event: Value,
    ) -> Option<Call> {
        let timeout = self
            .hooks(pool_id)
            .and_then(|h| h.timeout)
            .unwrap_or(DEFAULT_TIMEOUT);
        Some(Call {
            trigger,
            url: url?.clone(),
            timeout,
            event,
        })
    }

    /// The pool an operation's body names (`ClientId`, else `UserPoolId`) and its client.
    fn pool_of(&self, body: &Value) -> Option<(String, Option<String>)> {
        if let Some(client_id) = body.get("ClientId").and_then(Value::as_str) {
            let (pool_id, _) = self.client(client_id).ok()?;
            return Some((pool_id, Some(client_id.to_owned())));
        }
        let pool_id = body.get("UserPoolId").and_then(Value::as_str)?;
        self.pools
            .contains_key(pool_id)
            .then(|| (pool_id.to_owned(), None))
    }
}

/// The Lambda triggers an operation may fire (the `operations!` table of `api` says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// PreSignUp, before the user is created; its `autoConfirmUser` after.
    PreSignUp,
    /// PostConfirmation, once the user is confirmed.
    PostConfirmation,
    /// The custom-auth triggers of a pool whose custom authentication runs through webhooks.
    CustomAuth,
    /// PreTokenGeneration, on the tokens an answer carries.
    PreTokenGeneration,
    /// PreAuthentication, before a sign-in (InitiateAuth, AdminInitiateAuth) checks anything.
    PreAuthentication,
    /// PostAuthentication, once a sign-in succeeded, before its tokens are returned.
    PostAuthentication,
    /// CustomMessage, on every code and invitation the operation sends.
    CustomMessage,
}

/// PreTokenGeneration on the tokens of an answer, with the trigger source the request implies.
pub(crate) async fn pre_token_generation_of(
    shared: &Shared,
    body: &Value,
    answer: &mut Value,
) -> Result<(), Fault> {
    let source = match body.get("AuthFlow").and_then(Value::as_str) {
        Some("REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN") => "TokenGeneration_RefreshTokens",
        _ if body.get("ChallengeName").and_then(Value::as_str) == Some("NEW_PASSWORD_REQUIRED") => {
            "TokenGeneration_NewPasswordChallenge"
        }
        _ => "TokenGeneration_Authentication",
    };
    pre_token_generation(shared, answer, source, client_metadata(body)).await
}

impl Inner {
    /// The PreAuthentication call of a sign-in's body, when the pool has the webhook and the
    /// sign-in would get as far as its password: a client that allows the flow, the right
    /// `SECRET_HASH`, a user (or an unknown one, `userNotFound`, when the client prevents user
    /// existence errors). Refreshes and the sign-in with SignUp's session run none.
    fn pre_authentication_call(&self, body: &Value, admin: bool) -> Option<Call> {
        let client_id = body.get("ClientId")?.as_str()?;
        let (pool_id, client) = self.client(client_id).ok()?;
        self.hooks(&pool_id)?.pre_authentication.as_ref()?;
        let flow = body.get("AuthFlow")?.as_str()?;
        let after_sign_up = flow == "USER_AUTH" && body.get("Session").is_some();
        if matches!(flow, "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN") || after_sign_up {
            return None;
        }
        crate::rules::check_auth_flow(&client, flow, admin).ok()?;
        let params = body.get("AuthParameters")?;
        let name = params.get("USERNAME")?.as_str()?;
        let hash = params.get("SECRET_HASH").and_then(Value::as_str);
        self.check_secret_hash(client_id, name, hash).ok()?;
        let prevent = client.prevent_user_existence_errors;
        self.pre_authentication_of(&pool_id, client_id, prevent, name, client_metadata(body))
    }

    /// The PreAuthentication call for `name` signing in to `client_id` of `pool_id`.
    fn pre_authentication_of(
        &self,
        pool_id: &str,
        client_id: &str,
        prevent_user_existence_errors: bool,
        name: &str,
        validation_data: Value,
    ) -> Option<Call> {
        let url = self.hooks(pool_id)?.pre_authentication.as_ref()?;
        let (username, attributes, not_found) = match self.pools.get(pool_id)?.find(name) {
            Some(user) => (
                user.username.clone(),
                self.user_attributes(pool_id, &user.username),
                false,
            ),
            None if prevent_user_existence_errors => (name.to_owned(), Map::new(), true),
            None => return None,
        };
        let request = json!({
            "userAttributes": attributes,
            "validationData": validation_data,
            "userNotFound": not_found,
        });
        let event = self.event(
            pool_id,
            Some(client_id),
            &username,
            "PreAuthentication_Authentication",
            request,
            json!({}),
        );
        self.call(pool_id, "PreAuthentication", Some(url), event)
    }
}

/// PreAuthentication for the hosted UI's sign-in form: `name` signing in to `client_id`.
pub(crate) async fn pre_authentication_hosted(
    shared: &Shared,
    pool_id: &str,
    client_id: &str,
    name: &str,
) -> Result<(), Fault> {
    let call = {
        let state = shared.lock();
        let prevent = state
            .client(client_id)
            .is_ok_and(|(_, c)| c.prevent_user_existence_errors);
        state.pre_authentication_of(pool_id, client_id, prevent, name, json!({}))
    };
    invoke_if_set(call).await
}

/// PreAuthentication, before a sign-in checks the password: an error refuses the sign-in
/// (UserLambdaValidationException, "PreAuthentication failed with error ...").
pub(crate) async fn pre_authentication(
    shared: &Shared,
    body: &Value,
    admin: bool,
) -> Result<(), Fault> {
    let call = shared.lock().pre_authentication_call(body, admin);
    invoke_if_set(call).await
}

impl Inner {
    /// The PostAuthentication call for `username` signed in to `client_id`, when the pool has
    /// the webhook.
    fn post_authentication_call(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        new_device: bool,
        metadata: Value,
    ) -> Option<Call> {
        let request = json!({
            "userAttributes": self.user_attributes(pool_id, username),
            "newDeviceUsed": new_device,
            "clientMetadata": metadata,
        });
        let event = self.event(
            pool_id,
            Some(client_id),
            username,
            "PostAuthentication_Authentication",
            request,
            json!({}),
        );
        let url = self
            .hooks(pool_id)
            .and_then(|h| h.post_authentication.as_ref());
        self.call(pool_id, "PostAuthentication", url, event)
    }
}

/// PostAuthentication for a sign-in on the hosted UI, before the code goes to the app.
pub(crate) async fn post_authentication_hosted(
    shared: &Shared,
    pool_id: &str,
    client_id: &str,
    username: &str,
) -> Result<(), Fault> {
    let call =
        shared
            .lock()
            .post_authentication_call(pool_id, client_id, username, false, json!({}));
    invoke_if_set(call).await
}

/// PostAuthentication, once a sign-in (`operation`, not a refresh) answered tokens, before they
/// are signed and returned: `newDeviceUsed` when the answer remembers a new device, and the
/// `ClientMetadata` of RespondToAuthChallenge (InitiateAuth's is not passed, as AWS documents).
/// An error fails the sign-in ("PostAuthentication failed with error ...") and revokes the
/// refresh token it made.
pub(crate) async fn post_authentication(
    shared: &Shared,
    operation: &str,
    body: &Value,
    answer: &Value,
) -> Result<(), Fault> {
    let Some(result) = answer.get("AuthenticationResult") else {
        return Ok(());
    };
    let flow = body.get("AuthFlow").and_then(Value::as_str);
    if matches!(flow, Some("REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN")) {
        return Ok(());
    }
    let Some(id) = result.get("IdToken").filter(|c| c.is_object()) else {
        return Ok(());
    };
    let pool_id = id["iss"]
        .as_str()
        .and_then(|i| i.rsplit('/').next())
        .unwrap_or_default();
    let client_id = id["aud"].as_str().unwrap_or_default();
    let username = id["cognito:username"].as_str().unwrap_or_default();
    let metadata = if operation.ends_with("RespondToAuthChallenge") {
        client_metadata(body)
    } else {
        json!({})
    };
    let new_device = result
        .get("NewDeviceMetadata")
        .is_some_and(Value::is_object);
    let call = shared
        .lock()
        .post_authentication_call(pool_id, client_id, username, new_device, metadata);
    let Some(call) = call else { return Ok(()) };
    if let Err(refused) = invoke(call).await {
        if let Some(token) = result.get("RefreshToken").and_then(Value::as_str) {
            shared.lock().revoke_refresh(token);
        }
        return Err(refused);
    }
    Ok(())
}

/// Cognito's refusal of a custom message without the code placeholder (`field`: `emailBody` or
/// `smsMessage`).
fn without_code(field: &str) -> Fault {
    fault(
        "InvalidParameterException",
        format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{{L}}\\p{{M}}\\p{{S}}\\p{{N}}\\p{{P}}\\s*]*\\{{####\\}}[\\p{{L}}\\p{{M}}\\p{{S}}\\p{{N}}\\p{{P}}\\s*]*"
        ),
    )
}

/// CustomMessage for a message `operation` sent (held by the dispatch, see
/// `model::state::hold_messages`): the trigger source of what sent it, `codeParameter`
/// (`{####}`) and for the invitation `usernameParameter` (`{username}`); the webhook's
/// `emailMessage` or `smsMessage` (which must hold the code placeholder) and `emailSubject`,
/// placeholders replaced, are recorded with the message in the outbox. An error sends nothing.
pub(crate) async fn custom_message(
    shared: &Shared,
    operation: &str,
    body: &Value,
    mut message: Message,
) -> Result<(), Fault> {
    let source = match (message.purpose.as_str(), operation) {
        ("SignUp", "ResendConfirmationCode") => "CustomMessage_ResendCode",
        ("SignUp", _) => "CustomMessage_SignUp",
        ("ForgotPassword", _) => "CustomMessage_ForgotPassword",
        ("AdminCreateUser", _) => "CustomMessage_AdminCreateUser",
        ("VerifyUserAttribute", "GetUserAttributeVerificationCode") => {
            "CustomMessage_VerifyUserAttribute"
        }
        ("VerifyUserAttribute", _) => "CustomMessage_UpdateUserAttribute",
        _ => "CustomMessage_Authentication",
    };
    let invitation = source == "CustomMessage_AdminCreateUser";
    let call = {
        let state = shared.lock();
        let mut request = json!({
            "userAttributes": state.user_attributes(&message.pool_id, &message.username),
            "codeParameter": "{####}",
            "clientMetadata": client_metadata(body),
        });
        if invitation {
            request["usernameParameter"] = json!("{username}");
        }
        let client_id = body.get("ClientId").and_then(Value::as_str);
        let event = state.event(
            &message.pool_id,
            client_id,
            &message.username,
            source,
            request,
            json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}),
        );
        let url = state
            .hooks(&message.pool_id)
            .and_then(|h| h.custom_message.as_ref());
        state.call(&message.pool_id, "CustomMessage", url, event)
    };
    if let Some(call) = call {
        let response = invoke(call).await?;
        let text = |name: &str| match response.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid_response("CustomMessage")),
        };
        let (field, name) = if message.medium == "SMS" {
            ("smsMessage", "smsMessage")
        } else {
            ("emailMessage", "emailBody")
        };
        if let Some(text) = text(field)? {
            if !text.contains("{####}") {
                return Err(without_code(name));
            }
            let mut text = text.replace("{####}", &message.code);
            if invitation {
                text = text.replace("{username}", &message.username);
            }
            message.message = text;
        }
        if message.medium != "SMS"
            && let Some(subject) = text("emailSubject")?
        {
            message.subject = subject;
        }
    }
    shared.lock().outbox.push(message);
    Ok(())
}

/// PreSignUp, before the user is created: its response, when the pool has the webhook.
pub(crate) async fn pre_sign_up(
    shared: &Shared,
    body: &Value,
) -> Result<Option<Map<String, Value>>, Fault> {
    let call = {
        let state = shared.lock();
        let Some((pool_id, client_id)) = state.pool_of(body) else {
            return Ok(None);
        };
        let username = body
            .get("Username")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let request = json!({
            "userAttributes": attribute_list(body, "UserAttributes"),
            "validationData": attribute_list(body, "ValidationData"),
            "clientMetadata": client_metadata(body),
        });
        let response =
            json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false});
        let event = state.event(
            &pool_id,
            client_id.as_deref(),
            username,
            "PreSignUp_SignUp",
            request,
            response,
        );
        let url = state.hooks(&pool_id).and_then(|h| h.pre_sign_up.as_ref());
        state.call(&pool_id, "PreSignUp", url, event)
    };
    match call {
        Some(call) => invoke(call).await.map(Some),
        None => Ok(None),
    }
}

/// PreSignUp's `autoConfirmUser` / `autoVerifyEmail` / `autoVerifyPhone`, once SignUp created the
/// user: confirmed, and the code SignUp wrote to the outbox (an append-only log) confirms
/// nothing any more.
pub(crate) fn auto_confirm(
    shared: &Shared,
    body: &Value,
    response: &Map<String, Value>,
    answer: &mut Value,
) -> Result<(), Fault> {
    let confirm = flag(response, "autoConfirmUser", "PreSignUp")?;
    let email = flag(response, "autoVerifyEmail", "PreSignUp")?;
    let phone = flag(response, "autoVerifyPhone", "PreSignUp")?;
    if !confirm {
        return Ok(());
    }
    let mut state = shared.lock();
    let Some((pool_id, _)) = state.pool_of(body) else {
        return Ok(());
    };
    let name = body
        .get("Username")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(username) = state
        .pools
        .get(&pool_id)
        .and_then(|p| p.find(name))
        .map(|u| u.username.clone())
    else {
        return Ok(());
    };
    let user = state.user_mut(&pool_id, &username)?;
    user.status = Status::Confirmed;
    user.signup_code = None;
    for (wanted, attribute, verified) in [
        (email, "email", "email_verified"),
        (phone, "phone_number", "phone_number_verified"),
    ] {
        if wanted && user.attributes.contains_key(attribute) {
            user.attributes.insert(verified.into(), "true".into());
        }
    }
    answer["UserConfirmed"] = json!(true);
    if let Some(map) = answer.as_object_mut() {
        map.remove("CodeDeliveryDetails");
    }
    Ok(())
}

/// PostConfirmation, after the user is confirmed (an error leaves the user confirmed, as
/// Cognito's does, and is the answer).
pub(crate) async fn post_confirmation(shared: &Shared, body: &Value) -> Result<(), Fault> {
    let call = {
        let state = shared.lock();
        let Some((pool_id, client_id)) = state.pool_of(body) else {
            return Ok(());
        };
        let name = body
            .get("Username")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let username = state
            .pools
            .get(&pool_id)
            .and_then(|p| p.find(name))
            .map_or_else(|| name.to_owned(), |u| u.username.clone());
        let request = json!({
            "userAttributes": state.user_attributes(&pool_id, &username),
            "clientMetadata": client_metadata(body),
        });
        let event = state.event(
            &pool_id,
            client_id.as_deref(),
            &username,
            "PostConfirmation_ConfirmSignUp",
            request,
            json!({}),
        );
        let url = state
            .hooks(&pool_id)
            .and_then(|h| h.post_confirmation.as_ref());
        state.call(&pool_id, "PostConfirmation", url, event)
    };
    invoke_if_set(call).await
}

fn session_json(results: &[ChallengeResult]) -> Value {
    Value::Array(
        results
            .iter()
            .map(|r| json!({"challengeName": r.name, "challengeResult": r.correct, "challengeMetadata": null}))
            .collect(),
    )
}

/// The custom-auth triggers as webhooks: what every event of one round shares.
struct Webhooks {
    hooks: crate::model::settings::Webhooks,
    /// The event without its trigger source, request and response.
    base: Value,
    attributes: Map<String, Value>,
    metadata: Value,
}

impl Webhooks {
    /// The call of one trigger; `InvalidParameterException` when the pool has no webhook for it.
    fn call(
        &self,
        trigger: &'static str,
        source: &str,
        url: &Option<String>,
        request: Value,
        response: Value,
    ) -> Result<Call, Fault> {
        let mut event = self.base.clone();
        event["triggerSource"] = json!(source);
        event["request"] = request;
        event["response"] = response;
        url.clone()
            .map(|url| Call {
                trigger,
                url,
                timeout: self.hooks.timeout.unwrap_or(DEFAULT_TIMEOUT),
                event,
            })
            .ok_or_else(|| {
                fault(
                    "InvalidParameterException",
                    "Custom auth lambda trigger is not configured for the user pool.",
                )
            })
    }
}

impl Triggers for Webhooks {
    async fn verify(&self, round: &Round, given: &str) -> Result<bool, Fault> {
        let private: Value = serde_json::from_str(&round.private).unwrap_or_else(|_| json!({}));
        let request = json!({"userAttributes": self.attributes, "privateChallengeParameters": private,
                             "challengeAnswer": given, "clientMetadata": self.metadata, "userNotFound": false});
        let response = invoke(self.call(
            "VerifyAuthChallengeResponse",
            "VerifyAuthChallengeResponse_Authentication",
            &self.hooks.verify_auth_challenge_response,
            request,
            json!({"answerCorrect": null}),
        )?)
        .await?;
        flag(&response, "answerCorrect", "VerifyAuthChallengeResponse")
    }

    async fn define(&self, _round: &Round, results: &[ChallengeResult]) -> Result<Next, Fault> {
        let request = json!({"userAttributes": self.attributes, "session": session_json(results),
                             "clientMetadata": self.metadata, "userNotFound": false});
        let decision = invoke(self.call(
            "DefineAuthChallenge",
            "DefineAuthChallenge_Authentication",
            &self.hooks.define_auth_challenge,
            request,
            json!({"challengeName": null, "issueTokens": null, "failAuthentication": null}),
        )?)
        .await?;
        if flag(&decision, "failAuthentication", "DefineAuthChallenge")? {
            return Ok(Next::Define(Define::Fail));
        }
        if flag(&decision, "issueTokens", "DefineAuthChallenge")? {
            return Ok(Next::Define(Define::IssueTokens));
        }
        match decision.get("challengeName").and_then(Value::as_str) {
            Some("CUSTOM_CHALLENGE") => Ok(Next::Define(Define::CustomChallenge)),
            Some("PASSWORD_VERIFIER") => Ok(Next::PasswordVerifier),
            _ => Err(invalid_response("DefineAuthChallenge")),
        }
    }

    async fn create(&self, _round: &Round, results: &[ChallengeResult]) -> Result<Created, Fault> {
        let request = json!({"userAttributes": self.attributes, "challengeName": "CUSTOM_CHALLENGE",
                             "session": session_json(results), "clientMetadata": self.metadata, "userNotFound": false});
        let created = invoke(self.call(
            "CreateAuthChallenge",
            "CreateAuthChallenge_Authentication",
            &self.hooks.create_auth_challenge,
            request,
            json!({"publicChallengeParameters": null, "privateChallengeParameters": null, "challengeMetadata": null}),
        )?)
        .await?;
        let public = strings(&created, "publicChallengeParameters", "CreateAuthChallenge")?;
        let private = strings(
            &created,
            "privateChallengeParameters",
            "CreateAuthChallenge",
        )?;
        Ok(Created {
            public,
            private: serde_json::to_string(&private).unwrap_or_default(),
        })
    }
}

/// Runs a round the sign-in parked for the pool's webhooks (the lock is released) and answers
/// what it answers.
pub(crate) async fn custom_auth(shared: &Shared, body: &Value, parked: Parked) -> Answer {
    if parked.verifier.is_some() {
        return srp_custom_auth(shared, body, parked).await;
    }
    let (session, webhooks) = {
        let mut state = shared.lock();
        let session = state
            .sessions
            .remove(&parked.session)
            .ok_or_else(|| fault(NOT_AUTHORIZED, "Invalid session for the user."))?;
        let webhooks = webhooks_of(
            &state,
            &session.pool_id,
            &session.client_id,
            &session.username,
            body,
        );
        (session, webhooks)
    };
    let Stage::Custom { results, answer } = session.stage else {
        return Err(fault(NOT_AUTHORIZED, "Invalid session for the user."));
    };
    let round = Round {
        pool_id: session.pool_id,
        client_id: session.client_id,
        username: session.username,
        results,
        private: answer,
        given: parked.given,
        verifier: None,
    };
    custom::round(&webhooks, &mut &*shared, round).await
}

/// The triggers' view of one sign-in: what every event of its rounds shares.
fn webhooks_of(
    state: &Inner,
    pool_id: &str,
    client_id: &str,
    username: &str,
    body: &Value,
) -> Webhooks {
    Webhooks {
        hooks: state.hooks(pool_id).cloned().unwrap_or_default(),
        base: state.event(pool_id, Some(client_id), username, "", json!({}), json!({})),
        attributes: state.user_attributes(pool_id, username),
        metadata: client_metadata(body),
    }
}

/// The first round of a `CUSTOM_AUTH` started with SRP: DefineAuthChallenge told `[SRP_A]`.
/// PASSWORD_VERIFIER keeps the parked session's challenge; any other decision ends that session.
async fn srp_custom_auth(shared: &Shared, body: &Value, parked: Parked) -> Answer {
    let (round, webhooks) = {
        let state = shared.lock();
        let session = state
            .sessions
            .get(&parked.session)
            .ok_or_else(|| fault(NOT_AUTHORIZED, "Invalid session for the user."))?;
        let webhooks = webhooks_of(
            &state,
            &session.pool_id,
            &session.client_id,
            &session.username,
            body,
        );
        let round = Round {
            pool_id: session.pool_id.clone(),
            client_id: session.client_id.clone(),
            username: session.username.clone(),
            results: vec![ChallengeResult {
                name: "SRP_A".into(),
                correct: true,
            }],
            private: String::new(),
            given: None,
            verifier: parked.verifier,
        };
        (round, webhooks)
    };
    let answer = custom::round(&webhooks, &mut &*shared, round).await;
    let verifier = answer
        .as_ref()
        .is_ok_and(|a| a["Session"].as_str() == Some(parked.session.as_str()));
    if !verifier {
        shared.lock().sessions.remove(&parked.session);
    }
    answer
}

/// What a custom-auth round decides on the hosted UI's login page.
#[derive(Debug)]
pub(crate) enum HostedRound {
    /// DefineAuthChallenge issues tokens: the sign-in is done.
    SignIn,
    /// DefineAuthChallenge fails the sign-in.
    Fail,
    /// A custom challenge to show: its public parameters, and the session that waits for the
    /// answer (the private parameters and the results so far, in `Stage::Custom`).
    Challenge {
        public: BTreeMap<String, String>,
        session: String,
    },
}

/// One round of the custom-auth webhooks for the hosted UI: the answer `given` to the last
/// challenge verified (when there is one), then DefineAuthChallenge on `results`, then
/// CreateAuthChallenge when it asks a custom challenge. The login page starts with
/// `[SRP_A, PASSWORD_VERIFIER]` once the password is right, as an SRP sign-in would.
pub(crate) async fn hosted_custom_round(
    shared: &Shared,
    pool_id: &str,
    client_id: &str,
    username: &str,
    results: Vec<ChallengeResult>,
    private: String,
    given: Option<String>,
) -> Result<HostedRound, Fault> {
    let webhooks = webhooks_of(&shared.lock(), pool_id, client_id, username, &json!({}));
    let round = Round {
        pool_id: pool_id.to_owned(),
        client_id: client_id.to_owned(),
        username: username.to_owned(),
        results,
        private,
        given,
        verifier: None,
    };
    let mut results = round.results.clone();
    if let Some(given) = &round.given {
        let correct = webhooks.verify(&round, given).await?;
        results.push(ChallengeResult {
            name: "CUSTOM_CHALLENGE".into(),
            correct,
        });
    }
    match webhooks.define(&round, &results).await? {
        Next::Define(Define::IssueTokens) => Ok(HostedRound::SignIn),
        Next::Define(Define::Fail) => Ok(HostedRound::Fail),
        Next::PasswordVerifier => Err(invalid_response("DefineAuthChallenge")),
        Next::Define(Define::CustomChallenge) => {
            let created = webhooks.create(&round, &results).await?;
            let stage = Stage::Custom {
                results,
                answer: created.private,
            };
            let session = shared
                .lock()
                .new_session(pool_id, client_id, username, None, stage);
            Ok(HostedRound::Challenge {
                public: created.public,
                session,
            })
        }
    }
}

/// Claims no PreTokenGeneration may add, override or suppress (Cognito's list).
const PROTECTED: &[&str] = &[
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "cognito:username",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
    "client_id",
    "event_id",
    "username",
    "scope",
];

/// PreTokenGeneration: the id token's claims as the webhook overrides them (and `cognito:groups`
/// in both tokens when it overrides the groups), before they are signed.
pub(crate) async fn pre_token_generation(
    shared: &Shared,
    answer: &mut Value,
    source: &str,
    metadata: Value,
) -> Result<(), Fault> {
    let Some(id) = answer
        .get("AuthenticationResult")
        .and_then(|r| r.get("IdToken"))
        .filter(|c| c.is_object())
    else {
        return Ok(());
    };
    let pool_id = id["iss"]
        .as_str()
        .and_then(|i| i.rsplit('/').next())
        .unwrap_or_default()
        .to_owned();
    let client_id = id["aud"].as_str().unwrap_or_default().to_owned();
    let username = id["cognito:username"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let groups = id.get("cognito:groups").cloned().unwrap_or(json!([]));
    let call = {
        let state = shared.lock();
        let request = json!({
            "userAttributes": state.user_attributes(&pool_id, &username),
            "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": null},
            "clientMetadata": metadata,
        });
        let event = state.event(
            &pool_id,
            Some(&client_id),
            &username,
            source,
            request,
            json!({"claimsOverrideDetails": null}),
        );
        let url = state
            .hooks(&pool_id)
            .and_then(|h| h.pre_token_generation.as_ref());
        state.call(&pool_id, "PreTokenGeneration", url, event)
    };
    let Some(call) = call else { return Ok(()) };
    let response = invoke(call).await?;
    let trigger = "PreTokenGeneration";
    let details = match response.get("claimsOverrideDetails") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(d)) => d,
        Some(_) => return Err(invalid_response(trigger)),
    };
    let result = &mut answer["AuthenticationResult"];
    match details.get("claimsToAddOrOverride") {
        None | Some(Value::Null) => {}
        Some(Value::Object(claims)) => {
            for (k, v) in claims {
                if PROTECTED.contains(&k.as_str()) || k == "cognito:groups" {
                    continue;
                }
                match v {
                    Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                        result["IdToken"][k.as_str()] = v.clone()
                    }
                    _ => return Err(invalid_response(trigger)),
                }
            }
        }
        Some(_) => return Err(invalid_response(trigger)),
    }
    match details.get("claimsToSuppress") {
        None | Some(Value::Null) => {}
        Some(Value::Array(names)) => {
            for name in names {
                let name = name.as_str().ok_or_else(|| invalid_response(trigger))?;
                if !PROTECTED.contains(&name)
                    && let Some(claims) = result["IdToken"].as_object_mut()
                {
                    claims.remove(name);
                }
            }
        }
        Some(_) => return Err(invalid_response(trigger)),
    }
    match details
        .get("groupOverrideDetails")
        .and_then(|g| g.get("groupsToOverride"))
    {
        None | Some(Value::Null) => {}
        Some(Value::Array(groups)) => {
            if groups.iter().any(|g| !g.is_string()) {
                return Err(invalid_response(trigger));
            }
            for token in ["IdToken", "AccessToken"] {
                if let Some(claims) = result[token].as_object_mut() {
                    if groups.is_empty() {
                        claims.remove("cognito:groups");
                    } else {
                        claims.insert("cognito:groups".into(), Value::Array(groups.clone()));
                    }
                }
            }
        }
        Some(_) => return Err(invalid_response(trigger)),
    }
    Ok(())
}

/// PreTokenGeneration for machine-to-machine: the V3 event (`TokenGeneration_ClientCredentials`,
/// no user, the scopes granted, the `aws_client_metadata` of the token request), and the
/// access token's claims and scopes as its `claimsAndScopeOverrideDetails.accessTokenGeneration`
/// changes them (`claimsToAddOrOverride`, `claimsToSuppress`, `scopesToAdd`, `scopesToSuppress`;
/// protected claims stay as they are), before the token is signed.
pub(crate) async fn pre_token_generation_m2m(
    shared: &Shared,
    pool_id: &str,
    client_id: &str,
    access: &mut Value,
    metadata: Value,
) -> Result<(), Fault> {
    let mut scopes: Vec<String> = access["scope"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let call = {
        let state = shared.lock();
        let request = json!({
            "userAttributes": {},
            "groupConfiguration": null,
            "scopes": scopes,
            "clientMetadata": metadata,
        });
        let mut event = state.event(
            pool_id,
            Some(client_id),
            "",
            "TokenGeneration_ClientCredentials",
            request,
            json!({"claimsAndScopeOverrideDetails": null}),
        );
        event["version"] = json!("3");
        event["userName"] = Value::Null;
        let url = state
            .hooks(pool_id)
            .and_then(|h| h.pre_token_generation.as_ref());
        state.call(pool_id, "PreTokenGeneration", url, event)
    };
    let Some(call) = call else { return Ok(()) };
    let response = invoke(call).await?;
    let bad = || invalid_response("PreTokenGeneration");
    let object = |value: Option<&Value>| match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(bad()),
    };
    let names = |value: Option<&Value>| match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(bad))
            .collect(),
        Some(_) => Err(bad()),
    };
    let Some(details) = object(response.get("claimsAndScopeOverrideDetails"))? else {
        return Ok(());
    };
    let Some(generation) = object(details.get("accessTokenGeneration"))? else {
        return Ok(());
    };
    let add = object(generation.get("claimsToAddOrOverride"))?.unwrap_or_default();
    let suppress = names(generation.get("claimsToSuppress"))?;
    let scopes_to_add = names(generation.get("scopesToAdd"))?;
    let scopes_to_suppress = names(generation.get("scopesToSuppress"))?;
    let Some(claims) = access.as_object_mut() else {
        return Ok(());
    };
    for (name, value) in add {
        if value.is_null() {
            return Err(bad());
        }
        if !PROTECTED.contains(&name.as_str()) {
            claims.insert(name, value);
        }
    }
    for name in suppress {
        if !PROTECTED.contains(&name.as_str()) {
            claims.remove(&name);
        }
    }
    scopes.retain(|s| !scopes_to_suppress.contains(s));
    for scope in scopes_to_add {
        if !scopes.contains(&scope) && !scope.chars().any(char::is_whitespace) {
            scopes.push(scope);
        }
    }
    claims.insert("scope".into(), json!(scopes.join(" ")));
    Ok(())
}
