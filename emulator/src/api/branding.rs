//! Managed login branding styles: CreateManagedLoginBranding, DescribeManagedLoginBranding,
//! DescribeManagedLoginBrandingByClient, UpdateManagedLoginBranding, DeleteManagedLoginBranding.
//! Kept in the pool's record.
//!
//! Checked as the model and the API reference say: one style an app client
//! (`ManagedLoginBrandingExistsException`); `UseCognitoProvidedValues` with neither `Settings`
//! nor `Assets`; `Settings` a JSON object; at most 40 assets, each of the model's categories,
//! color modes and file types (a `FAVICON_ICO` is an `ICO`, a `FAVICON_SVG` an `SVG`), of at most
//! 1,000,000 bytes, one a category, color mode and resource id. An update keeps what it does not
//! give: its `Settings` are merged into the style's, its assets replace those of the same
//! category, color mode and resource id; `UseCognitoProvidedValues` brings back the defaults.
//!
//! The emulator's login page (`web/login.rs`, `Inner::brand`) applies a style's primary button,
//! page background, form and text colours and its light-mode form or page-header logo (PNG or
//! JPEG);
//! the rest of the document is kept and answered, not applied. `ReturnMergedResources` answers
//! what was set (the emulator does not know Cognito's default style document).

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::api::constraints::{client, failed, invalid, one_of, opt_list, opt_text, uuid};
use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, opt_bool};
use crate::model::configuration::{Asset, Branding};
use crate::model::state::Pool;

const CATEGORIES: &[&str] = &[
    "FAVICON_ICO",
    "FAVICON_SVG",
    "EMAIL_GRAPHIC",
    "SMS_GRAPHIC",
    "AUTH_APP_GRAPHIC",
    "PASSWORD_GRAPHIC",
    "PASSKEY_GRAPHIC",
    "PAGE_HEADER_LOGO",
    "PAGE_HEADER_BACKGROUND",
    "PAGE_FOOTER_LOGO",
    "PAGE_FOOTER_BACKGROUND",
    "PAGE_BACKGROUND",
    "FORM_BACKGROUND",
    "FORM_LOGO",
    "IDP_BUTTON_ICON",
];
const COLOR_MODES: &[&str] = &["LIGHT", "DARK", "DYNAMIC"];
const EXTENSIONS: &[&str] = &["ICO", "JPEG", "PNG", "SVG", "WEBP"];
/// `AssetBytesType`'s largest file.
const MAX_BYTES: usize = 1_000_000;

/// `ResourceId`: `^[\w\- ]+$`.
fn resource_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == ' '
}

fn read_asset(item: &Value) -> Result<Asset, Fault> {
    if !item.is_object() {
        return Err(fault("SerializationException", "Assets: expected objects"));
    }
    let category = one_of(item, "Category", CATEGORIES)?;
    let extension = one_of(item, "Extension", EXTENSIONS)?;
    let color_mode = one_of(item, "ColorMode", COLOR_MODES)?;
    let expected = match category {
        "FAVICON_ICO" => Some("ICO"),
        "FAVICON_SVG" => Some("SVG"),
        _ => None,
    };
    if expected.is_some_and(|e| e != extension) {
        return Err(invalid(format!(
            "A {category} asset must have the extension {}.",
            expected.unwrap_or_default()
        )));
    }
    let bytes = opt_text(item, "Bytes", 0, usize::MAX, |_| true)?;
    if let Some(bytes) = bytes {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(bytes)
            .map_err(|_| fault("SerializationException", "Bytes: expected base64"))?;
        if decoded.len() > MAX_BYTES {
            return Err(failed(
                "bytes",
                category,
                "Member must have length less than or equal to 1000000",
            ));
        }
    }
    let resource_id = opt_text(item, "ResourceId", 1, 40, resource_char)?;
    Ok(Asset {
        category: category.into(),
        color_mode: color_mode.into(),
        extension: extension.into(),
        bytes: bytes.map(str::to_owned),
        resource_id: resource_id.map(str::to_owned),
    })
}

fn same_slot(a: &Asset, b: &Asset) -> bool {
    a.category == b.category && a.color_mode == b.color_mode && a.resource_id == b.resource_id
}

/// What Create and UpdateManagedLoginBranding give: `UseCognitoProvidedValues`, the settings,
/// the assets (`None`: not given).
type Given = (Option<bool>, Option<Value>, Option<Vec<Asset>>);

fn read_style(body: &Value) -> Result<Given, Fault> {
    let defaults = opt_bool(body, "UseCognitoProvidedValues")?;
    let settings = match body.get("Settings") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(other) => {
            return Err(failed(
                "settings",
                &other.to_string(),
                "Member must be a JSON object",
            ));
        }
    };
    let assets = match opt_list(body, "Assets", 0, 40)? {
        None => None,
        Some(items) => {
            let assets = items
                .iter()
                .map(read_asset)
                .collect::<Result<Vec<_>, _>>()?;
            for (i, asset) in assets.iter().enumerate() {
                if assets[..i].iter().any(|a| same_slot(a, asset)) {
                    return Err(invalid(format!(
                        "Duplicate asset: {} in {} mode.",
                        asset.category, asset.color_mode
                    )));
                }
            }
            Some(assets)
        }
    };
    if defaults == Some(true) && (settings.is_some() || assets.is_some()) {
        return Err(invalid(
            "When UseCognitoProvidedValues is true, Settings and Assets must be omitted.",
        ));
    }
    Ok((defaults, settings, assets))
}

/// `patch` merged into `base`: objects member by member, anything else replaced.
fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, patch) => *base = patch,
    }
}

fn branding_json(pool_id: &str, id: &str, b: &Branding) -> Value {
    let assets: Vec<Value> = b
        .assets
        .iter()
        .map(|a| {
            let mut out = json!({"Category": a.category, "ColorMode": a.color_mode, "Extension": a.extension});
            if let Some(bytes) = &a.bytes {
                out["Bytes"] = json!(bytes);
            }
            if let Some(id) = &a.resource_id {
                out["ResourceId"] = json!(id);
            }
            out
        })
        .collect();
    json!({"ManagedLoginBranding": {
        "ManagedLoginBrandingId": id, "UserPoolId": pool_id,
        "UseCognitoProvidedValues": b.use_cognito_provided_values,
        "Settings": b.settings.clone().unwrap_or_else(|| Value::Object(Map::new())),
        "Assets": assets, "CreationDate": b.created, "LastModifiedDate": b.modified,
    }})
}

fn no_branding(id: &str) -> Fault {
    fault(
        "ResourceNotFoundException",
        format!("Managed login branding {id} does not exist."),
    )
}

fn branding_id(body: &Value) -> Result<&str, Fault> {
    uuid(body, "ManagedLoginBrandingId", true, false)
}

fn by_client<'a>(pool: &'a Pool, client_id: &str) -> Option<(&'a String, &'a Branding)> {
    pool.resources
        .configuration
        .brandings
        .iter()
        .find(|(_, b)| b.client_id == client_id)
}

/// CreateManagedLoginBranding: the client's style (Cognito's defaults unless settings or
/// assets are given).
pub(crate) fn create_managed_login_branding(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let (defaults, settings, assets) = read_style(body)?;
    let mut state = shared.lock();
    let now = state.unix();
    let id = state.uuid();
    let pool = state.pool_by_id_mut(pool_id)?;
    let client_id = client(pool, body)?.to_owned();
    if by_client(pool, &client_id).is_some() {
        return Err(fault(
            "ManagedLoginBrandingExistsException",
            format!("App client {client_id} already has a managed login branding style."),
        ));
    }
    let branding = Branding {
        client_id,
        use_cognito_provided_values: defaults.unwrap_or(settings.is_none() && assets.is_none()),
        settings,
        assets: assets.unwrap_or_default(),
        created: now,
        modified: now,
    };
    let out = branding_json(pool_id, &id, &branding);
    pool.resources.configuration.brandings.insert(id, branding);
    Ok(out)
}

/// DescribeManagedLoginBranding.
pub(crate) fn describe_managed_login_branding(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = branding_id(body)?;
    opt_bool(body, "ReturnMergedResources")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let branding = pool
        .resources
        .configuration
        .brandings
        .get(id)
        .ok_or_else(|| no_branding(id))?;
    Ok(branding_json(pool_id, id, branding))
}

/// DescribeManagedLoginBrandingByClient: the style of the app client.
pub(crate) fn describe_managed_login_branding_by_client(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    opt_bool(body, "ReturnMergedResources")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let client_id = client(pool, body)?;
    let (id, branding) = by_client(pool, client_id).ok_or_else(|| {
        fault(
            "ResourceNotFoundException",
            format!("App client {client_id} has no managed login branding style."),
        )
    })?;
    Ok(branding_json(pool_id, id, branding))
}

/// UpdateManagedLoginBranding: settings merged, assets replaced by slot, or the defaults back.
pub(crate) fn update_managed_login_branding(shared: &Shared, body: &Value) -> Answer {
    // Optional in the model, needed to find the style.
    let pool_id = field(body, "UserPoolId")?;
    let id = branding_id(body)?;
    let (defaults, settings, assets) = read_style(body)?;
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let mut branding = pool
        .resources
        .configuration
        .brandings
        .get(id)
        .ok_or_else(|| no_branding(id))?
        .clone();
    if defaults == Some(true) {
        branding.use_cognito_provided_values = true;
        branding.settings = None;
        branding.assets.clear();
    } else {
        if settings.is_some() || assets.is_some() || defaults == Some(false) {
            branding.use_cognito_provided_values = false;
        }
        if let Some(settings) = settings {
            match &mut branding.settings {
                Some(base) => merge(base, settings),
                None => branding.settings = Some(settings),
            }
        }
        for asset in assets.into_iter().flatten() {
            branding.assets.retain(|a| !same_slot(a, &asset));
            branding.assets.push(asset);
        }
    }
    if branding.assets.len() > 40 {
        return Err(invalid(
            "A managed login branding style has at most 40 assets.",
        ));
    }
    branding.modified = now;
    let out = branding_json(pool_id, id, &branding);
    pool.resources
        .configuration
        .brandings
        .insert(id.to_owned(), branding);
    Ok(out)
}

/// DeleteManagedLoginBranding.
pub(crate) fn delete_managed_login_branding(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let id = branding_id(body)?;
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    pool.resources
        .configuration
        .brandings
        .remove(id)
        .ok_or_else(|| no_branding(id))?;
    Ok(json!({}))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// An asset over 1,000,000 bytes is refused (over HTTP the emulator's 256 KiB body limit
    /// refuses it first).
    #[test]
    fn assets_over_a_million_bytes_are_refused() {
        let bytes = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![0u8; n]);
        let asset = |n: usize| {
            json!({"Category": "PAGE_BACKGROUND", "ColorMode": "DARK", "Extension": "PNG",
                   "Bytes": bytes(n)})
        };
        assert!(read_asset(&asset(MAX_BYTES)).is_ok());
        let refused = read_asset(&asset(MAX_BYTES + 1)).unwrap_err();
        assert_eq!(refused.kind, "InvalidParameterException");
    }
}
