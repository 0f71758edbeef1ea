//! User pool groups: CreateGroup, GetGroup, UpdateGroup, ListGroups, DeleteGroup,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup; and
//! the `cognito:groups` claim their members carry in id and access tokens.

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault, user_not_found};
use crate::input::field;
use crate::input::{listing, opt_int, opt_str};
use crate::model::settings::GroupConfig;
use crate::model::state::{Group, Inner};

fn no_group() -> Fault {
    fault("ResourceNotFoundException", "Group not found.")
}

fn group_json(pool_id: &str, g: &Group) -> Value {
    let c = &g.config;
    let mut answer = json!({"GroupName": c.name, "UserPoolId": pool_id,
                            "CreationDate": g.created, "LastModifiedDate": g.modified});
    if let Some(d) = &c.description {
        answer["Description"] = json!(d);
    }
    if let Some(p) = c.precedence {
        answer["Precedence"] = json!(p);
    }
    if let Some(r) = &c.role_arn {
        answer["RoleArn"] = json!(r);
    }
    answer
}

fn read_group(body: &Value, name: String) -> Result<GroupConfig, Fault> {
    Ok(GroupConfig {
        name,
        description: opt_str(body, "Description")?.map(str::to_owned),
        precedence: opt_int(body, "Precedence", 0, u64::from(u32::MAX))?
            .and_then(|p| u32::try_from(p).ok()),
        role_arn: opt_str(body, "RoleArn")?.map(str::to_owned),
    })
}

impl Inner {
    /// Adds a group to a pool.
    pub(crate) fn insert_group(
        &mut self,
        pool_id: &str,
        config: GroupConfig,
    ) -> Result<Value, Fault> {
        let now = self.unix();
        let pool = self.pool_by_id_mut(pool_id)?;
        if pool.groups.contains_key(&config.name) {
            return Err(fault(
                "GroupExistsException",
                format!("A group with the name {} already exists.", config.name),
            ));
        }
        let group = Group {
            config,
            created: now,
            modified: now,
        };
        let answer = group_json(pool_id, &group);
        pool.groups.insert(group.config.name.clone(), group);
        Ok(answer)
    }

    /// Makes a user a member of a group.
    pub(crate) fn join_group(
        &mut self,
        pool_id: &str,
        name: &str,
        group: &str,
    ) -> Result<(), Fault> {
        let pool = self.pool_by_id_mut(pool_id)?;
        if !pool.groups.contains_key(group) {
            return Err(no_group());
        }
        let username = pool
            .find(name)
            .map(|u| u.username.clone())
            .ok_or_else(user_not_found)?;
        if let Some(user) = pool.users.get_mut(&username) {
            user.groups.insert(group.to_owned());
        }
        Ok(())
    }
}

/// CreateGroup.
pub(crate) fn create_group(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let pool_id = state.pool(body)?.id.clone();
    let name = field(body, "GroupName")?;
    crate::rules::group_name(name).map_err(|r| crate::rules::refusal("GroupName", name, &r))?;
    let name = name.to_owned();
    let config = read_group(body, name)?;
    Ok(json!({"Group": state.insert_group(&pool_id, config)?}))
}

/// GetGroup.
pub(crate) fn get_group(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let pool = state.pool(body)?;
    let group = pool
        .groups
        .get(field(body, "GroupName")?)
        .ok_or_else(no_group)?;
    Ok(json!({"Group": group_json(&pool.id, group)}))
}

/// UpdateGroup.
pub(crate) fn update_group(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let name = field(body, "GroupName")?.to_owned();
    let config = read_group(body, name.clone())?;
    let now = state.unix();
    let pool = state.pool_mut(body)?;
    let pool_id = pool.id.clone();
    let group = pool.groups.get_mut(&name).ok_or_else(no_group)?;
    // UpdateGroup changes what it is given and keeps the rest.
    if config.description.is_some() {
        group.config.description = config.description;
    }
    if config.precedence.is_some() {
        group.config.precedence = config.precedence;
    }
    if config.role_arn.is_some() {
        group.config.role_arn = config.role_arn;
    }
    group.modified = now;
    Ok(json!({"Group": group_json(&pool_id, group)}))
}

/// DeleteGroup.
pub(crate) fn delete_group(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let name = field(body, "GroupName")?.to_owned();
    let pool = state.pool_mut(body)?;
    pool.groups.remove(&name).ok_or_else(no_group)?;
    for user in pool.users.values_mut() {
        user.groups.remove(&name);
    }
    Ok(json!({}))
}

/// ListGroups.
pub(crate) fn list_groups(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let limit = opt_int(body, "Limit", 1, 60)?.unwrap_or(60);
    let token = opt_str(body, "NextToken")?;
    let pool = state.pool(body)?;
    let items = pool
        .groups
        .iter()
        .map(|(name, g)| (name.clone(), group_json(&pool.id, g)));
    listing(items, limit, token, "Groups", "NextToken")
}

/// AdminAddUserToGroup.
pub(crate) fn admin_add_user_to_group(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let pool_id = state.pool(body)?.id.clone();
    let group = field(body, "GroupName")?.to_owned();
    let name = field(body, "Username")?.to_owned();
    state.join_group(&pool_id, &name, &group)?;
    Ok(json!({}))
}

/// AdminRemoveUserFromGroup.
pub(crate) fn admin_remove_user_from_group(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let group = field(body, "GroupName")?.to_owned();
    let name = field(body, "Username")?.to_owned();
    let pool = state.pool_mut(body)?;
    if !pool.groups.contains_key(&group) {
        return Err(no_group());
    }
    let username = pool
        .find(&name)
        .map(|u| u.username.clone())
        .ok_or_else(user_not_found)?;
    if let Some(user) = pool.users.get_mut(&username) {
        user.groups.remove(&group);
    }
    Ok(json!({}))
}

/// AdminListGroupsForUser.
pub(crate) fn admin_list_groups_for_user(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let limit = opt_int(body, "Limit", 1, 60)?.unwrap_or(60);
    let token = opt_str(body, "NextToken")?;
    let pool = state.pool(body)?;
    let user = pool
        .find(field(body, "Username")?)
        .ok_or_else(user_not_found)?;
    let items = user.groups.iter().filter_map(|name| {
        pool.groups
            .get(name)
            .map(|g| (name.clone(), group_json(&pool.id, g)))
    });
    listing(items, limit, token, "Groups", "NextToken")
}

/// ListUsersInGroup.
pub(crate) fn list_users_in_group(shared: &Shared, body: &Value) -> Answer {
    let state = &mut *shared.lock();
    let limit = opt_int(body, "Limit", 1, 60)?.unwrap_or(60);
    let token = opt_str(body, "NextToken")?;
    let pool = state.pool(body)?;
    let group = field(body, "GroupName")?;
    if !pool.groups.contains_key(group) {
        return Err(no_group());
    }
    let items = pool
        .users
        .values()
        .filter(|u| u.groups.contains(group))
        .map(|u| (u.username.clone(), crate::api::wire::user_json(u, None)));
    listing(items, limit, token, "Users", "NextToken")
}
