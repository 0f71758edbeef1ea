//! What a user's groups put in the tokens: `cognito:groups`, `cognito:roles`,
//! `cognito:preferred_role`.

use serde_json::{Value, json};

use crate::model::settings::GroupConfig;
use crate::model::state::{Pool, User};

/// The groups of a user in claim order: by precedence (groups without one last), then name.
pub(crate) fn ordered<'a>(pool: &'a Pool, user: &User) -> Vec<&'a GroupConfig> {
    let mut groups: Vec<&GroupConfig> = user
        .groups
        .iter()
        .filter_map(|name| pool.groups.get(name).map(|g| &g.config))
        .collect();
    groups.sort_by_key(|g| (g.precedence.unwrap_or(u32::MAX), g.name.clone()));
    groups
}

/// Adds `cognito:groups` to both tokens, and `cognito:roles` / `cognito:preferred_role` to the
/// id token when the groups have roles, as Cognito does.
pub(crate) fn add_claims(pool: Option<&Pool>, user: &User, access: &mut Value, id: &mut Value) {
    let Some(pool) = pool else {
        return;
    };
    let groups = ordered(pool, user);
    if groups.is_empty() {
        return;
    }
    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    access["cognito:groups"] = json!(names);
    id["cognito:groups"] = json!(names);
    let roles: Vec<&str> = groups
        .iter()
        .filter_map(|g| g.role_arn.as_deref())
        .collect();
    if let Some(first) = roles.first() {
        id["cognito:preferred_role"] = json!(first);
        id["cognito:roles"] = json!(roles);
    }
}
