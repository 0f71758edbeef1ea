//! Builders for the user pools, clients and users that tests need.
//!
//! They panic with the moto error on failure: a fixture that cannot be set
//! up is a broken test, not a result.

use serde_json::{Value, json};

use crate::{Moto, MotoError, codes};

/// A user pool's MFA configuration (`MfaConfiguration`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MfaConfiguration {
    /// `OFF`: no MFA.
    #[default]
    Off,
    /// `ON`: every user must use MFA.
    On,
    /// `OPTIONAL`: users may enable MFA.
    Optional,
}

impl MfaConfiguration {
    /// The wire value: `OFF`, `ON` or `OPTIONAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            MfaConfiguration::Off => "OFF",
            MfaConfiguration::On => "ON",
            MfaConfiguration::Optional => "OPTIONAL",
        }
    }
}

/// A user pool's password policy (`Policies.PasswordPolicy`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// `MinimumLength`.
    pub minimum_length: u32,
    /// `RequireUppercase`.
    pub require_uppercase: bool,
    /// `RequireLowercase`.
    pub require_lowercase: bool,
    /// `RequireNumbers`.
    pub require_numbers: bool,
    /// `RequireSymbols`.
    pub require_symbols: bool,
}

impl Default for PasswordPolicy {
    /// Cognito's default: 8 characters, all four character classes.
    fn default() -> Self {
        PasswordPolicy {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
        }
    }
}

/// What [`Moto::create_pool`] creates. Use struct update syntax:
/// `PoolOptions { mfa: MfaConfiguration::On, ..PoolOptions::default() }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolOptions {
    /// `PoolName`.
    pub name: String,
    /// The MFA configuration. Anything but `Off` also calls
    /// `SetUserPoolMfaConfig` with the factors below: moto offers a factor
    /// in `MFAS_CAN_SETUP` only when it was enabled that way.
    pub mfa: MfaConfiguration,
    /// With MFA on or optional: enable SMS MFA (`SmsMfaConfiguration`).
    pub sms_mfa: bool,
    /// With MFA on or optional: enable TOTP MFA
    /// (`SoftwareTokenMfaConfiguration: {"Enabled": true}`).
    pub software_token_mfa: bool,
    /// `AutoVerifiedAttributes`, e.g. `["email"]`.
    pub auto_verified_attributes: Vec<String>,
    /// `UsernameAttributes`, e.g. `["email"]` to sign in with the email
    /// address (moto then names users by their `sub`).
    pub username_attributes: Vec<String>,
    /// `AliasAttributes`, e.g. `["email", "preferred_username"]`.
    pub alias_attributes: Vec<String>,
    /// The password policy; `None` leaves moto's default (Cognito's).
    pub password_policy: Option<PasswordPolicy>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            name: "cognito-flows-test".to_owned(),
            mfa: MfaConfiguration::Off,
            sms_mfa: true,
            software_token_mfa: true,
            auto_verified_attributes: Vec::new(),
            username_attributes: Vec::new(),
            alias_attributes: Vec::new(),
            password_policy: None,
        }
    }
}

/// A user pool created in moto.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool {
    /// The pool id, `us-east-1_<32 lowercase hex>` in moto (AWS: 9
    /// alphanumerics after the `_`).
    pub id: String,
    /// The part of the id after `_`: what SRP calls the pool name.
    pub name: String,
}

/// The flows a client allows unless told otherwise.
pub const DEFAULT_AUTH_FLOWS: &[&str] = &[
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_CUSTOM_AUTH",
];

/// What [`Moto::create_client`] creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOptions {
    /// `ClientName`.
    pub name: String,
    /// `GenerateSecret`: whether the client has a secret (and requests
    /// then need `SECRET_HASH`).
    pub generate_secret: bool,
    /// `ExplicitAuthFlows`; defaults to [`DEFAULT_AUTH_FLOWS`].
    pub explicit_auth_flows: Vec<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            name: "cognito-flows-test".to_owned(),
            generate_secret: false,
            explicit_auth_flows: DEFAULT_AUTH_FLOWS.iter().map(|f| (*f).to_owned()).collect(),
        }
    }
}

/// An app client created in moto.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    /// The client id (26 lowercase alphanumerics in moto).
    pub id: String,
    /// The client secret, if generated (a UUID string in moto).
    pub secret: Option<String>,
    /// The id of the pool the client belongs to.
    pub pool_id: String,
}

impl Client {
    /// The `SECRET_HASH` for `username`, if the client has a secret.
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.secret
            .as_deref()
            .map(|secret| codes::secret_hash(secret, username, &self.id))
    }
}

/// A user created in moto.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The name the user was created with (and signs in with).
    pub login: String,
    /// moto's `Username` for the user: the same as `login`, except in
    /// pools with `UsernameAttributes`, where it is the `sub`.
    pub username: String,
    /// The `sub` attribute (a UUID).
    pub sub: String,
}

fn attributes_json(attributes: &[(&str, &str)]) -> Value {
    Value::Array(
        attributes
            .iter()
            .map(|(name, value)| json!({"Name": name, "Value": value}))
            .collect(),
    )
}

fn str_at<'a>(value: &'a Value, pointer: &str, what: &str) -> &'a str {
    match value.pointer(pointer).and_then(Value::as_str) {
        Some(s) => s,
        None => panic!("moto's {what} answer has no string at {pointer}: {value}"),
    }
}

impl Moto {
    /// [`Moto::call`] for fixtures: panics with a clear message on error.
    pub fn call_ok(&self, operation: &str, body: Value) -> Value {
        match self.call(operation, body) {
            Ok(value) => value,
            Err(e) => panic!("fixture call failed: {e}"),
        }
    }

    /// Creates a user pool (and sets its MFA configuration unless off).
    pub fn create_pool(&self, options: PoolOptions) -> Pool {
        let mut body = json!({
            "PoolName": options.name,
            "MfaConfiguration": options.mfa.as_str(),
        });
        if !options.auto_verified_attributes.is_empty() {
            body["AutoVerifiedAttributes"] = json!(options.auto_verified_attributes);
        }
        if !options.username_attributes.is_empty() {
            body["UsernameAttributes"] = json!(options.username_attributes);
        }
        if !options.alias_attributes.is_empty() {
            body["AliasAttributes"] = json!(options.alias_attributes);
        }
        if let Some(policy) = &options.password_policy {
            body["Policies"] = json!({"PasswordPolicy": {
                "MinimumLength": policy.minimum_length,
                "RequireUppercase": policy.require_uppercase,
                "RequireLowercase": policy.require_lowercase,
                "RequireNumbers": policy.require_numbers,
                "RequireSymbols": policy.require_symbols,
            }});
        }
        let created = self.call_ok("CreateUserPool", body);
        let id = str_at(&created, "/UserPool/Id", "CreateUserPool").to_owned();
        let Some((_, name)) = id.split_once('_') else {
            panic!("moto's pool id {id:?} has no '_'");
        };
        let pool = Pool {
            name: name.to_owned(),
            id,
        };

        if options.mfa != MfaConfiguration::Off {
            let mut mfa = json!({
                "UserPoolId": pool.id,
                "MfaConfiguration": options.mfa.as_str(),
                "SoftwareTokenMfaConfiguration": {"Enabled": options.software_token_mfa},
            });
            if options.sms_mfa {
                mfa["SmsMfaConfiguration"] = json!({
                    "SmsAuthenticationMessage": "Your code is {####}",
                    "SmsConfiguration": {
                        "SnsCallerArn": "arn:aws:iam::123456789012:role/cognito-sms",
                        "ExternalId": "cognito-flows-test",
                    },
                });
            }
            self.call_ok("SetUserPoolMfaConfig", mfa);
        }
        pool
    }

    /// Creates an app client in a pool.
    pub fn create_client(&self, pool_id: &str, options: ClientOptions) -> Client {
        let created = self.call_ok(
            "CreateUserPoolClient",
            json!({
                "UserPoolId": pool_id,
                "ClientName": options.name,
                "GenerateSecret": options.generate_secret,
                "ExplicitAuthFlows": options.explicit_auth_flows,
            }),
        );
        let id = str_at(&created, "/UserPoolClient/ClientId", "CreateUserPoolClient").to_owned();
        let secret = created
            .pointer("/UserPoolClient/ClientSecret")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if options.generate_secret && secret.is_none() {
            panic!("moto created client {id} without the secret asked for: {created}");
        }
        Client {
            id,
            secret,
            pool_id: pool_id.to_owned(),
        }
    }

    /// Creates a `CONFIRMED` user with a permanent password
    /// (`AdminCreateUser` without a message, then `AdminSetUserPassword`
    /// with `Permanent: true`). `attributes` are `(name, value)` pairs.
    pub fn create_confirmed_user(
        &self,
        pool_id: &str,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> User {
        let user = self.admin_create_user(pool_id, username, None, attributes);
        self.call_ok(
            "AdminSetUserPassword",
            json!({
                "UserPoolId": pool_id,
                "Username": username,
                "Password": password,
                "Permanent": true,
            }),
        );
        user
    }

    /// Creates a `FORCE_CHANGE_PASSWORD` user with a temporary password
    /// (`AdminCreateUser` without a message): signing in gives
    /// `NEW_PASSWORD_REQUIRED`.
    pub fn create_force_change_password_user(
        &self,
        pool_id: &str,
        username: &str,
        temporary_password: &str,
        attributes: &[(&str, &str)],
    ) -> User {
        self.admin_create_user(pool_id, username, Some(temporary_password), attributes)
    }

    fn admin_create_user(
        &self,
        pool_id: &str,
        username: &str,
        temporary_password: Option<&str>,
        attributes: &[(&str, &str)],
    ) -> User {
        let mut body = json!({
            "UserPoolId": pool_id,
            "Username": username,
            "UserAttributes": attributes_json(attributes),
            "MessageAction": "SUPPRESS",
        });
        if let Some(password) = temporary_password {
            body["TemporaryPassword"] = json!(password);
        }
        let created = self.call_ok("AdminCreateUser", body);
        user_from(username, &created, "/User/Username", "/User/Attributes")
    }

    /// Creates an `UNCONFIRMED` user through `SignUp` (with `SecretHash`
    /// when the client has a secret), as an app would.
    pub fn create_unconfirmed_user(
        &self,
        client: &Client,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> User {
        let mut body = json!({
            "ClientId": client.id,
            "Username": username,
            "Password": password,
            "UserAttributes": attributes_json(attributes),
        });
        if let Some(hash) = client.secret_hash(username) {
            body["SecretHash"] = json!(hash);
        }
        self.call_ok("SignUp", body);
        let fetched = self.call_ok(
            "AdminGetUser",
            json!({"UserPoolId": client.pool_id, "Username": username}),
        );
        user_from(username, &fetched, "/Username", "/UserAttributes")
    }

    /// Enables SMS MFA for a user and makes it preferred
    /// (`AdminSetUserMFAPreference`). moto neither needs a phone number
    /// nor sends an SMS: any non-empty `SMS_MFA_CODE` passes.
    pub fn enable_sms_mfa(&self, pool_id: &str, username: &str) {
        self.call_ok(
            "AdminSetUserMFAPreference",
            json!({
                "UserPoolId": pool_id,
                "Username": username,
                "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true},
            }),
        );
    }

    /// Enables TOTP MFA for a user and makes it preferred, as an app would:
    /// sign in (`AdminInitiateAuth` `ADMIN_USER_PASSWORD_AUTH`), then
    /// `AssociateSoftwareToken` and `VerifySoftwareToken` with the access
    /// token, then `AdminSetUserMFAPreference` (moto refuses that before
    /// the token is verified). Returns the TOTP secret, always
    /// [`codes::MOTO_TOTP_SECRET`]. The user must sign in without a
    /// challenge.
    pub fn enable_totp_mfa(&self, client: &Client, username: &str, password: &str) -> String {
        let auth = self.call_ok(
            "AdminInitiateAuth",
            json!({
                "UserPoolId": client.pool_id,
                "ClientId": client.id,
                "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": username, "PASSWORD": password},
            }),
        );
        let access_token = str_at(
            &auth,
            "/AuthenticationResult/AccessToken",
            "AdminInitiateAuth (enable_totp_mfa needs a user without a challenge)",
        );
        let associated = self.call_ok(
            "AssociateSoftwareToken",
            json!({"AccessToken": access_token}),
        );
        let secret = str_at(&associated, "/SecretCode", "AssociateSoftwareToken").to_owned();
        self.call_ok(
            "VerifySoftwareToken",
            json!({
                "AccessToken": access_token,
                "UserCode": codes::totp_now(&secret),
                "FriendlyDeviceName": "testkit",
            }),
        );
        self.call_ok(
            "AdminSetUserMFAPreference",
            json!({
                "UserPoolId": client.pool_id,
                "Username": username,
                "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true},
            }),
        );
        secret
    }

    /// `InitiateAuth` with `USER_PASSWORD_AUTH` (adding `SECRET_HASH` when
    /// the client has a secret): tokens or a challenge.
    pub fn password_auth(
        &self,
        client: &Client,
        username: &str,
        password: &str,
    ) -> Result<Value, MotoError> {
        let mut parameters = json!({"USERNAME": username, "PASSWORD": password});
        if let Some(hash) = client.secret_hash(username) {
            parameters["SECRET_HASH"] = json!(hash);
        }
        self.call(
            "InitiateAuth",
            json!({
                "ClientId": client.id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": parameters,
            }),
        )
    }
}

fn user_from(login: &str, answer: &Value, username_at: &str, attributes_at: &str) -> User {
    let username = str_at(answer, username_at, "user").to_owned();
    let sub = answer
        .pointer(attributes_at)
        .and_then(Value::as_array)
        .and_then(|attributes| {
            attributes
                .iter()
                .find(|a| a.get("Name").and_then(Value::as_str) == Some("sub"))
        })
        .and_then(|a| a.get("Value"))
        .and_then(Value::as_str);
    let Some(sub) = sub else {
        panic!("moto's user answer has no sub attribute: {answer}");
    };
    User {
        login: login.to_owned(),
        username,
        sub: sub.to_owned(),
    }
}
