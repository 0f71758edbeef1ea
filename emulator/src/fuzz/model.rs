//! Cognito's service model, as far as the fuzz targets need it: each operation's input shape and
//! declared errors (`model.json`, written by `fuzz/cognito_model.py` from botocore's model), and
//! request bodies built from those shapes out of fuzz input.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};
use serde::Deserialize;
use serde_json::{Map, Number, Value};

/// One operation of the model.
#[derive(Deserialize)]
pub(crate) struct Operation {
    /// The input shape's name.
    pub input: String,
    /// The errors Cognito declares for it.
    pub errors: Vec<String>,
}

/// One shape of the model.
#[derive(Deserialize)]
pub(crate) struct Shape {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    members: BTreeMap<String, String>,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    member: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default, rename = "enum")]
    values: Vec<String>,
}

/// The model.
#[derive(Deserialize)]
pub(crate) struct Model {
    pub operations: BTreeMap<String, Operation>,
    shapes: BTreeMap<String, Shape>,
}

/// The model, parsed once.
pub(crate) fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        serde_json::from_str(include_str!("model.json"))
            .unwrap_or_else(|e| panic!("fuzz/model.json: {e}"))
    })
}

/// Errors any operation may answer besides its declared ones: the JSON protocol's own (a body
/// that is not the operation's input).
pub(crate) const PROTOCOL_ERRORS: &[&str] = &["SerializationException", "ValidationException"];

/// The keys of the string maps (`AuthParameters`, `ChallengeResponses`, `ClientMetadata`).
const MAP_KEYS: &[&str] = &[
    "USERNAME",
    "PASSWORD",
    "SRP_A",
    "SECRET_HASH",
    "REFRESH_TOKEN",
    "DEVICE_KEY",
    "NEW_PASSWORD",
    "SMS_MFA_CODE",
    "SOFTWARE_TOKEN_MFA_CODE",
    "EMAIL_OTP_CODE",
    "PASSWORD_CLAIM_SIGNATURE",
    "PASSWORD_CLAIM_SECRET_BLOCK",
    "TIMESTAMP",
    "ANSWER",
    "PREFERRED_CHALLENGE",
    "CREDENTIAL",
    "userAttributes.email",
    "userAttributes.name",
    "userAttributes.custom:tenant",
];

/// Attribute names worth trying (standard, custom declared and not, read-only ones).
const ATTRIBUTE_NAMES: &[&str] = &[
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "custom:tenant",
    "custom:other",
    "tenant",
    "sub",
    "updated_at",
    "address",
];

/// What the calls so far revealed, by kind, for later calls to name.
#[derive(Default)]
pub(crate) struct Known {
    values: BTreeMap<&'static str, Vec<String>>,
}

impl Known {
    /// Remembers `value` as a `kind` (at most 8 of each kind, the newest last).
    pub(crate) fn add(&mut self, kind: &'static str, value: &str) {
        let list = self.values.entry(kind).or_default();
        if !list.iter().any(|v| v == value) {
            if list.len() == 8 {
                list.remove(0);
            }
            list.push(value.to_owned());
        }
    }

    /// Remembers what an answer names (pool and client ids, sessions, tokens, devices, ...).
    pub(crate) fn learn(&mut self, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    if let Value::String(s) = v
                        && let Some(kind) = kind_of(key)
                    {
                        self.add(kind, s);
                    }
                    self.learn(v);
                }
            }
            Value::Array(list) => list.iter().for_each(|v| self.learn(v)),
            _ => {}
        }
    }

    fn pick(&self, u: &mut Unstructured<'_>, kind: &str) -> Result<Option<String>> {
        match self.values.get(kind) {
            Some(list) if !list.is_empty() => Ok(Some(u.choose(list)?.clone())),
            _ => Ok(None),
        }
    }
}

/// The kind of value a member holds, by its name (`None`: nothing to reuse).
fn kind_of(member: &str) -> Option<&'static str> {
    Some(match member {
        "UserPoolId" | "Id" => "pool",
        "ClientId" => "client",
        "ClientSecret" => "secret",
        "Username" | "USERNAME" | "UserName" => "user",
        "Password" | "ProposedPassword" | "PreviousPassword" | "TemporaryPassword" | "PASSWORD"
        | "NEW_PASSWORD" => "password",
        "Session" => "session",
        "AccessToken" => "access",
        "RefreshToken" | "REFRESH_TOKEN" | "Token" => "refresh",
        "IdToken" => "id",
        "DeviceKey" | "DEVICE_KEY" => "device",
        "DeviceGroupKey" => "device_group",
        "ConfirmationCode"
        | "Code"
        | "UserCode"
        | "SMS_MFA_CODE"
        | "SOFTWARE_TOKEN_MFA_CODE"
        | "EMAIL_OTP_CODE"
        | "ANSWER" => "code",
        "GroupName" => "group",
        "SecretCode" => "totp",
        "CredentialId" => "credential",
        "SecretHash" | "SECRET_HASH" => "secret_hash",
        "Filter" => "filter",
        "Name" | "AttributeName" => "attribute",
        "Value" => "attribute_value",
        _ => return None,
    })
}

/// Builds JSON values of the model's shapes.
pub(crate) struct Builder<'k> {
    pub known: &'k Known,
    /// Bounds the nesting (lists of structures of maps ...).
    depth: u32,
}

/// A placeholder a secret hash is computed for once the body is complete.
pub(crate) const SECRET_HASH: &str = "\u{0}secret-hash";

impl<'k> Builder<'k> {
    pub(crate) fn new(known: &'k Known) -> Self {
        Self { known, depth: 0 }
    }

    /// A body for `operation`'s input.
    pub(crate) fn body(&mut self, u: &mut Unstructured<'_>, operation: &str) -> Result<Value> {
        let Some(op) = model().operations.get(operation) else {
            return Ok(Value::Object(Map::new()));
        };
        self.shape(u, &op.input, None)
    }

    fn shape(
        &mut self,
        u: &mut Unstructured<'_>,
        name: &str,
        member: Option<&str>,
    ) -> Result<Value> {
        // Now and then a value of any type, where the model wants another.
        if u.ratio(1, 24)? {
            return any_json(u, 2);
        }
        let Some(shape) = model().shapes.get(name) else {
            return any_json(u, 2);
        };
        self.depth += 1;
        let value = match shape.kind.as_str() {
            "structure" => {
                let mut map = Map::new();
                for (field, field_shape) in &shape.members {
                    let wanted = if shape.required.contains(field) {
                        !u.ratio(1, 16)?
                    } else {
                        self.depth < 4 && u.ratio(1, 3)?
                    };
                    if wanted {
                        map.insert(field.clone(), self.shape(u, field_shape, Some(field))?);
                    }
                }
                if u.ratio(1, 32)? {
                    map.insert(string(u)?, any_json(u, 1)?);
                }
                Value::Object(map)
            }
            "list" => {
                let member = shape.member.as_deref().unwrap_or_default();
                let n = if self.depth < 4 {
                    u.int_in_range(0..=3)?
                } else {
                    0
                };
                let mut list = Vec::new();
                for _ in 0..n {
                    list.push(self.shape(u, member, None)?);
                }
                Value::Array(list)
            }
            "map" => {
                let value = shape.value.as_deref().unwrap_or_default();
                let n = if self.depth < 4 {
                    u.int_in_range(0..=3)?
                } else {
                    0
                };
                let mut map = Map::new();
                for _ in 0..n {
                    let key = if u.ratio(5, 6)? {
                        (*u.choose(MAP_KEYS)?).to_owned()
                    } else {
                        string(u)?
                    };
                    let v = self.shape(u, value, Some(&key))?;
                    map.insert(key, v);
                }
                let _ = &shape.key;
                Value::Object(map)
            }
            "string" => Value::String(self.string(u, shape, member)?),
            "integer" | "long" => Value::Number(Number::from(match u.int_in_range(0..=3)? {
                0 => i64::from(u.int_in_range(0..=60)?),
                1 => i64::from(u.arbitrary::<i32>()?),
                2 => u.arbitrary::<i64>()?,
                _ => -1,
            })),
            "boolean" => Value::Bool(u.arbitrary()?),
            "timestamp" => Value::Number(Number::from(u.int_in_range(0..=4_000_000_000_u64)?)),
            _ => Value::String(string(u)?),
        };
        self.depth -= 1;
        Ok(value)
    }

    fn string(
        &mut self,
        u: &mut Unstructured<'_>,
        shape: &Shape,
        member: Option<&str>,
    ) -> Result<String> {
        if !shape.values.is_empty() && u.ratio(7, 8)? {
            return Ok(u.choose(&shape.values)?.clone());
        }
        let kind = member.and_then(kind_of);
        if kind == Some("secret_hash") && u.ratio(3, 4)? {
            return Ok(SECRET_HASH.to_owned());
        }
        if kind == Some("attribute") && u.ratio(3, 4)? {
            return Ok((*u.choose(ATTRIBUTE_NAMES)?).to_owned());
        }
        if let Some(kind) = kind
            && u.ratio(3, 4)?
            && let Some(v) = self.known.pick(u, kind)?
        {
            return Ok(v);
        }
        string(u)
    }
}

/// A short string, biased towards ASCII.
pub(crate) fn string(u: &mut Unstructured<'_>) -> Result<String> {
    let len = u.int_in_range(0..=40)?;
    let mut s = String::new();
    for _ in 0..len {
        if u.ratio(7, 8)? {
            s.push(char::from(u.int_in_range(0x20..=0x7e_u8)?));
        } else {
            s.push(u.arbitrary::<char>()?);
        }
    }
    Ok(s)
}

/// Any JSON value, nested up to `depth`.
pub(crate) fn any_json(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    Ok(match u.int_in_range(0..=if depth == 0 { 3 } else { 5 })? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => match u.int_in_range(0..=2)? {
            0 => Value::Number(Number::from(u.arbitrary::<i64>()?)),
            1 => Value::Number(Number::from(u.arbitrary::<u64>()?)),
            _ => Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        },
        3 => Value::String(string(u)?),
        4 => {
            let n = u.int_in_range(0..=3)?;
            let mut list = Vec::new();
            for _ in 0..n {
                list.push(any_json(u, depth - 1)?);
            }
            Value::Array(list)
        }
        _ => {
            let n = u.int_in_range(0..=3)?;
            let mut map = Map::new();
            for _ in 0..n {
                map.insert(string(u)?, any_json(u, depth - 1)?);
            }
            Value::Object(map)
        }
    })
}
