//! The hosted UI's customization: SetUICustomization and GetUICustomization, for the pool
//! (`ClientId` absent or `ALL`) or one app client, whose own customization wins over the pool's.
//! Kept in the pool's record. The emulator's login page applies it (`web/login.rs`,
//! `Inner::brand`): the CSS after the page's own (its `<` escaped, so that it cannot leave the
//! `<style>` element; the classic hosted UI's classes such as `submitButton-customizable` and
//! `logo-customizable` are on the page), the logo inline as a `data:` image. No `ImageUrl` is
//! answered (the emulator serves no image file).

use base64::Engine as _;
use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, opt_str};
use crate::model::resources::UiCustomization;
use crate::model::state::Pool;

/// The largest logo Cognito takes: 100 KB.
const MAX_IMAGE: usize = 100 * 1024;
/// The longest CSS the model allows.
const MAX_CSS: usize = 131_072;
/// The key of the pool's own customization.
const ALL: &str = "ALL";

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

/// The client the request names (`ALL` when none), which must be the pool's.
fn client_of<'a>(pool: &Pool, body: &'a Value) -> Result<&'a str, Fault> {
    match opt_str(body, "ClientId")? {
        None | Some(ALL) => Ok(ALL),
        Some(id) if pool.clients.contains_key(id) => Ok(id),
        Some(id) => Err(fault(
            "ResourceNotFoundException",
            format!("User pool client {id} does not exist."),
        )),
    }
}

fn answer(pool_id: &str, client: &str, ui: Option<&UiCustomization>) -> Value {
    let mut out = json!({"UserPoolId": pool_id, "ClientId": client});
    if let Some(ui) = ui {
        out["CreationDate"] = json!(ui.created);
        out["LastModifiedDate"] = json!(ui.modified);
        if let Some(css) = &ui.css {
            out["CSS"] = json!(css);
            out["CSSVersion"] = json!(format!("{}", ui.modified));
        }
    }
    json!({"UICustomization": out})
}

/// SetUICustomization: the CSS (at most 128 KiB) and the logo (a PNG or JPEG of at most 100 KB,
/// base64) replace what was set; the pool must have a domain, as the hosted UI needs one.
pub(crate) fn set_ui_customization(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let css = opt_str(body, "CSS")?.map(str::to_owned);
    if css.as_ref().is_some_and(|c| c.len() > MAX_CSS) {
        return Err(invalid("The CSS is larger than 131072 characters."));
    }
    let image = opt_str(body, "ImageFile")?.map(str::to_owned);
    if let Some(image) = &image {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(image)
            .map_err(|_| fault("SerializationException", "ImageFile: expected base64"))?;
        let png = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
        let jpeg = bytes.starts_with(&[0xff, 0xd8, 0xff]);
        if !png && !jpeg {
            return Err(invalid("The image must be a PNG or JPEG file."));
        }
        if bytes.len() > MAX_IMAGE {
            return Err(invalid("The image file is larger than 100 KB."));
        }
    }
    let mut state = shared.lock();
    let now = state.unix();
    let pool = state.pool_by_id_mut(pool_id)?;
    let client = client_of(pool, body)?.to_owned();
    if pool.resources.domain.is_none() {
        return Err(invalid(
            "There has to be an existing domain associated with this user pool.",
        ));
    }
    let created = pool.resources.ui.get(&client).map_or(now, |ui| ui.created);
    let ui = UiCustomization {
        css,
        image,
        created,
        modified: now,
    };
    let out = answer(pool_id, &client, Some(&ui));
    pool.resources.ui.insert(client, ui);
    Ok(out)
}

/// GetUICustomization: the client's customization, else the pool's, else none (the ids only).
pub(crate) fn get_ui_customization(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let state = shared.lock();
    let pool = state.pool_by_id(pool_id)?;
    let client = client_of(pool, body)?;
    let ui = pool
        .resources
        .ui
        .get(client)
        .or_else(|| pool.resources.ui.get(ALL));
    Ok(answer(pool_id, client, ui))
}
