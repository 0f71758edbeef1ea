//! Resource servers and their custom scopes: CreateResourceServer, DescribeResourceServer,
//! UpdateResourceServer, DeleteResourceServer, ListResourceServers. Kept in the pool's record.
//! Checked as Cognito's model says: an identifier of 1 to 256 printable characters without `"`
//! or `\`, a name of 1 to 256 word characters, spaces and `+=,.@-`, at most 100 scopes whose
//! names have no `/`, `"` or `\`, each with a description of 1 to 256 characters; at most 25
//! resource servers a pool.

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, listing, opt_int, opt_str};
use crate::model::resources::{ResourceServer, Scope};
use crate::model::state::Inner;

/// Cognito's quota of resource servers a pool.
pub(crate) const MAX_SERVERS: usize = 25;
/// The most scopes a resource server has (the model's `ResourceServerScopeListType`).
const MAX_SCOPES: usize = 100;

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

fn pattern_error(name: &str, value: &str) -> Fault {
    invalid(format!(
        "1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: \
         Member must satisfy the constraints of {name}"
    ))
}

/// 1 to 256 characters, each accepted by `ok`.
fn checked<'a>(name: &str, value: &'a str, ok: impl Fn(char) -> bool) -> Result<&'a str, Fault> {
    let length = value.chars().count();
    if length == 0 || length > 256 || !value.chars().all(ok) {
        return Err(pattern_error(name, value));
    }
    Ok(value)
}

/// `[\x21\x23-\x5B\x5D-\x7E]`: printable ASCII but space, `"` and `\`.
fn identifier_char(c: char) -> bool {
    matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E')
}

/// `[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]`: as an identifier, without `/` either.
fn scope_char(c: char) -> bool {
    identifier_char(c) && c != '/'
}

/// `[\w\s+=,.@-]`.
fn name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c)
}

fn no_server(identifier: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("Resource server {identifier} does not exist."),
    )
}

/// The name and scopes of Create and UpdateResourceServer.
fn read_server(body: &Value) -> Result<ResourceServer, Fault> {
    let name = field(body, "Name")?.to_owned();
    let scopes = match body.get("Scopes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                if !item.is_object() {
                    return Err(fault("SerializationException", "Scopes: expected objects"));
                }
                Ok(Scope {
                    name: field(item, "ScopeName")?.to_owned(),
                    description: field(item, "ScopeDescription")?.to_owned(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(fault("SerializationException", "Scopes: expected a list")),
    };
    let server = ResourceServer { name, scopes };
    check_server(&server)?;
    Ok(server)
}

/// A resource server's name and scopes as Cognito's model constrains them (also the config
/// file's `[[resource_servers]]`).
pub(crate) fn check_server(server: &ResourceServer) -> Result<(), Fault> {
    checked("name", &server.name, name_char)?;
    for scope in &server.scopes {
        checked("scopeName", &scope.name, scope_char)?;
        checked("scopeDescription", &scope.description, |_| true)?;
    }
    let scopes = &server.scopes;
    if scopes.len() > MAX_SCOPES {
        return Err(invalid(format!(
            "1 validation error detected: Value at 'scopes' failed to satisfy constraint: \
             Member must have length less than or equal to {MAX_SCOPES}"
        )));
    }
    for (i, scope) in scopes.iter().enumerate() {
        if scopes[..i].iter().any(|s| s.name == scope.name) {
            return Err(invalid(format!("Duplicate scope name {}.", scope.name)));
        }
    }
    Ok(())
}

/// A resource server's identifier as Cognito's model constrains it.
pub(crate) fn check_identifier(identifier: &str) -> Result<&str, Fault> {
    checked("identifier", identifier, identifier_char)
}

fn server_json(pool_id: &str, identifier: &str, server: &ResourceServer) -> Value {
    let scopes: Vec<Value> = server
        .scopes
        .iter()
        .map(|s| json!({"ScopeName": s.name, "ScopeDescription": s.description}))
        .collect();
    let mut answer = json!({"UserPoolId": pool_id, "Identifier": identifier, "Name": server.name});
    // A server without scopes is described without the member.
    if !scopes.is_empty() {
        answer["Scopes"] = json!(scopes);
    }
    answer
}

/// CreateResourceServer.
pub(crate) fn create_resource_server(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let identifier = check_identifier(field(body, "Identifier")?)?;
    let server = read_server(body)?;
    let answer = shared
        .lock()
        .insert_resource_server(pool_id, identifier, server)?;
    Ok(json!({"ResourceServer": answer}))
}

impl Inner {
    /// Adds a resource server, already checked, to a pool (CreateResourceServer, and the
    /// config file's set-up): refused when the pool has one of that identifier or has
    /// [`MAX_SERVERS`]. Answers it as Cognito describes it.
    pub(crate) fn insert_resource_server(
        &mut self,
        pool_id: &str,
        identifier: &str,
        server: ResourceServer,
    ) -> Result<Value, Fault> {
        let pool = self.pool_by_id_mut(pool_id)?;
        let servers = &mut pool.resources.resource_servers;
        if servers.contains_key(identifier) {
            return Err(invalid(format!(
                "{identifier} already exists in user pool {pool_id}."
            )));
        }
        if servers.len() >= MAX_SERVERS {
            return Err(fault(
                "LimitExceededException",
                format!("A user pool can have at most {MAX_SERVERS} resource servers."),
            ));
        }
        let answer = server_json(pool_id, identifier, &server);
        servers.insert(identifier.to_owned(), server);
        Ok(answer)
    }
}

/// DescribeResourceServer.
pub(crate) fn describe_resource_server(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let identifier = field(body, "Identifier")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let server = pool
        .resources
        .resource_servers
        .get(identifier)
        .ok_or_else(|| no_server(identifier))?;
    Ok(json!({"ResourceServer": server_json(pool_id, identifier, server)}))
}

/// UpdateResourceServer: the name and the scopes are replaced (scopes not given: none).
pub(crate) fn update_resource_server(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let identifier = field(body, "Identifier")?;
    let server = read_server(body)?;
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    let slot = pool
        .resources
        .resource_servers
        .get_mut(identifier)
        .ok_or_else(|| no_server(identifier))?;
    *slot = server;
    Ok(json!({"ResourceServer": server_json(pool_id, identifier, slot)}))
}

/// DeleteResourceServer.
pub(crate) fn delete_resource_server(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let identifier = field(body, "Identifier")?;
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    pool.resources
        .resource_servers
        .remove(identifier)
        .ok_or_else(|| no_server(identifier))?;
    Ok(json!({}))
}

/// ListResourceServers: by identifier, `MaxResults` (1 to 50, default 50) a page.
pub(crate) fn list_resource_servers(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let limit = opt_int(body, "MaxResults", 1, 50)?.unwrap_or(50);
    let token = opt_str(body, "NextToken")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let items = pool
        .resources
        .resource_servers
        .iter()
        .map(|(id, server)| (id.clone(), server_json(pool_id, id, server)));
    listing(items, limit, token, "ResourceServers", "NextToken")
}
