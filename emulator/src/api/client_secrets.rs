//! An app client's secrets, for rotating them without downtime: AddUserPoolClientSecret,
//! DeleteUserPoolClientSecret, ListUserPoolClientSecrets. A confidential client has at most two
//! at once (a third is `LimitExceededException`), its last one cannot be deleted, and a public
//! client has none to add to. Every check of a client's secret (SECRET_HASH, `ClientSecret`,
//! the OAuth endpoints) takes any of them (`Client::any_secret`); the oldest is the one
//! DescribeUserPoolClient shows. Kept in the client's record.

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, opt_str};
use crate::model::client_secrets::{ClientSecret, MAX_SECRETS};
use crate::model::state::{Client, Inner};

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

fn no_client(client_id: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("User pool client {client_id} does not exist."),
    )
}

/// The client of the request's `UserPoolId` and `ClientId`.
fn client<'a>(state: &'a Inner, body: &Value) -> Result<&'a Client, Fault> {
    let client_id = field(body, "ClientId")?;
    state
        .pool_by_id(field(body, "UserPoolId")?)?
        .clients
        .get(client_id)
        .ok_or_else(|| no_client(client_id))
}

/// The client of the request's `UserPoolId` and `ClientId`, to change.
fn client_mut<'a>(state: &'a mut Inner, body: &Value) -> Result<&'a mut Client, Fault> {
    client(state, body)?;
    let client_id = field(body, "ClientId")?;
    state
        .pool_by_id_mut(field(body, "UserPoolId")?)?
        .clients
        .get_mut(client_id)
        .ok_or_else(|| no_client(client_id))
}

/// A secret as the list and the add answer it (its value only when Cognito made it).
fn descriptor(secret: &ClientSecret, with_value: bool) -> Value {
    let mut out = json!({"ClientSecretId": secret.id, "ClientSecretCreateDate": secret.created});
    if with_value {
        out["ClientSecretValue"] = json!(secret.value);
    }
    out
}

/// A secret given by the caller: 24 to 64 characters of `[\w+]`.
pub(crate) fn given_secret(value: &str) -> Result<&str, Fault> {
    let length = value.chars().count();
    let allowed = |c: char| c.is_alphanumeric() || c == '_' || c == '+';
    if !(24..=64).contains(&length) || !value.chars().all(allowed) {
        return Err(invalid(
            "1 validation error detected: Value at 'clientSecret' failed to satisfy constraint: \
             Member must have length between 24 and 64 and satisfy regular expression pattern: \
             [\\w+]+",
        ));
    }
    Ok(value)
}

/// AddUserPoolClientSecret: a new secret, made up (51 letters and digits, as the first) or
/// given; its id is `<client-id>--<epoch milliseconds>`.
pub(crate) fn add_user_pool_client_secret(shared: &Shared, body: &Value) -> Answer {
    let given = opt_str(body, "ClientSecret")?
        .map(given_secret)
        .transpose()?;
    let state = &mut *shared.lock();
    let now = state.unix();
    let generated = given.is_none().then(|| state.alnum(51));
    let client = client_mut(state, body)?;
    if client.info.secret.is_none() {
        return Err(invalid(format!(
            "User pool client {} does not have a client secret.",
            client.info.id
        )));
    }
    let mut secrets = client.secrets();
    if secrets.len() >= MAX_SECRETS {
        return Err(fault(
            "LimitExceededException",
            format!("A user pool client can have at most {MAX_SECRETS} client secrets."),
        ));
    }
    // The id carries the creation time in milliseconds; two made in the same millisecond of
    // the emulator's clock (which counts seconds) take the next free one.
    let mut millis = now.saturating_mul(1000);
    while secrets
        .iter()
        .any(|s| s.id == format!("{}--{millis}", client.info.id))
    {
        millis += 1;
    }
    let secret = ClientSecret {
        id: format!("{}--{millis}", client.info.id),
        value: generated
            .clone()
            .or(given.map(str::to_owned))
            .unwrap_or_default(),
        created: now,
    };
    secrets.push(secret.clone());
    client.set_secrets(secrets);
    client.modified = now;
    Ok(json!({"ClientSecretDescriptor": descriptor(&secret, generated.is_some())}))
}

/// DeleteUserPoolClientSecret: the secret is refused from now on; the last one stays.
pub(crate) fn delete_user_pool_client_secret(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let now = state.unix();
    let id = field(body, "ClientSecretId")?.to_owned();
    let client = client_mut(state, body)?;
    let mut secrets = client.secrets();
    if !secrets.iter().any(|s| s.id == id) {
        return Err(fault(
            "ResourceNotFoundException",
            format!("Client secret {id} does not exist."),
        ));
    }
    if secrets.len() == 1 {
        return Err(invalid(
            "The last client secret of a user pool client cannot be deleted.",
        ));
    }
    secrets.retain(|s| s.id != id);
    client.set_secrets(secrets);
    client.modified = now;
    Ok(json!({}))
}

/// ListUserPoolClientSecrets: every secret's id and date, never its value; one page.
pub(crate) fn list_user_pool_client_secrets(shared: &Shared, body: &Value) -> Answer {
    let state = shared.lock();
    let secrets: Vec<Value> = client(&state, body)?
        .secrets()
        .iter()
        .map(|s| descriptor(s, false))
        .collect();
    Ok(json!({"ClientSecrets": secrets}))
}
