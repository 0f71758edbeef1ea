//! A user pool's domain: CreateUserPoolDomain, DescribeUserPoolDomain (by the domain's name),
//! UpdateUserPoolDomain, DeleteUserPoolDomain. A domain is a prefix
//! (`<prefix>.auth.<region>.amazoncognito.com`) or, with `CustomDomainConfig`, a custom domain
//! name (answered with a made-up CloudFront distribution). Kept in the pool's record. It only
//! configures: the emulator's hosted UI answers on the emulator's own endpoint whatever the
//! domain.

use serde_json::{Value, json};

use crate::auth::shared::Shared;
use crate::fault::{Answer, Fault, fault};
use crate::input::{field, opt_int, opt_object};
use crate::model::resources::Domain;
use crate::model::state::Inner;

fn invalid(message: impl Into<String>) -> Fault {
    fault("InvalidParameterException", message)
}

/// Words a domain prefix may not contain (Cognito reserves them).
const RESERVED: &[&str] = &["aws", "amazon", "cognito"];

/// One label: lowercase letters, digits and inner hyphens, 1 to 63 characters.
fn label(text: &str) -> bool {
    let bytes = text.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
}

/// The domain of the request, checked: a prefix, or a custom domain's full name.
fn read_domain(body: &Value) -> Result<Domain, Fault> {
    let name = field(body, "Domain")?;
    let certificate_arn = match opt_object(body, "CustomDomainConfig")? {
        Some(config) => Some(field(config, "CertificateArn")?.to_owned()),
        None => None,
    };
    if certificate_arn.is_some() {
        let labels: Vec<&str> = name.split('.').collect();
        if labels.len() < 2 || name.len() > 253 || !labels.iter().all(|l| label(l)) {
            return Err(invalid(format!(
                "{name} is not a valid domain name for a custom domain."
            )));
        }
    } else {
        if !label(name) {
            return Err(invalid(format!(
                "1 validation error detected: Value '{name}' at 'domain' failed to satisfy \
                 constraint: Member must satisfy regular expression pattern: \
                 ^[a-z0-9](?:[a-z0-9\\-]{{0,61}}[a-z0-9])?$"
            )));
        }
        if let Some(word) = RESERVED.iter().find(|w| name.contains(*w)) {
            return Err(invalid(format!(
                "Domain cannot contain reserved word: {word}"
            )));
        }
    }
    let managed_login_version =
        opt_int(body, "ManagedLoginVersion", 1, 2)?.map_or(1, |v| u8::try_from(v).unwrap_or(1));
    Ok(Domain {
        name: name.to_owned(),
        certificate_arn,
        managed_login_version,
    })
}

/// The id of the pool whose domain is `name`.
fn owner(state: &Inner, name: &str) -> Option<String> {
    state
        .pools
        .values()
        .find(|p| p.resources.domain.as_ref().is_some_and(|d| d.name == name))
        .map(|p| p.id.clone())
}

/// What Create and UpdateUserPoolDomain answer.
fn created(domain: &Domain) -> Value {
    let mut answer = json!({"ManagedLoginVersion": domain.managed_login_version});
    if domain.certificate_arn.is_some() {
        answer["CloudFrontDomain"] = json!(cloudfront(&domain.name));
    }
    answer
}

/// A CloudFront distribution's name for a custom domain (made up, stable).
fn cloudfront(name: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let id: String = digest.iter().take(7).map(|b| format!("{b:02x}")).collect();
    format!("d{id}.cloudfront.net")
}

/// CreateUserPoolDomain: a pool has one domain; a domain belongs to one pool.
pub(crate) fn create_user_pool_domain(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let domain = read_domain(body)?;
    let mut state = shared.lock();
    let has = state.pool_by_id(pool_id)?.resources.domain.is_some();
    if owner(&state, &domain.name).is_some() {
        return Err(invalid("Domain already associated with another user pool."));
    }
    if has {
        return Err(invalid(format!(
            "User pool {pool_id} already has a domain configured."
        )));
    }
    let answer = created(&domain);
    let pool = state.pool_by_id_mut(pool_id)?;
    pool.resources.domain = Some(domain);
    Ok(answer)
}

/// DescribeUserPoolDomain: by the domain's name, in any pool; an unknown domain is an empty
/// description, as Cognito answers it.
pub(crate) fn describe_user_pool_domain(shared: &Shared, body: &Value) -> Answer {
    let name = field(body, "Domain")?;
    let state = shared.lock();
    let Some(pool_id) = owner(&state, name) else {
        return Ok(json!({"DomainDescription": {}}));
    };
    let Some(domain) = state
        .pools
        .get(&pool_id)
        .and_then(|p| p.resources.domain.clone())
    else {
        return Ok(json!({"DomainDescription": {}}));
    };
    let mut description = json!({
        "UserPoolId": pool_id, "AWSAccountId": state.account_id, "Domain": domain.name,
        "S3Bucket": "aws-cognito-prod-emulator-assets", "CloudFrontDistribution": cloudfront(&domain.name),
        "Version": "20260101000000", "Status": "ACTIVE",
        "ManagedLoginVersion": domain.managed_login_version,
    });
    if let Some(arn) = &domain.certificate_arn {
        description["CustomDomainConfig"] = json!({"CertificateArn": arn});
    }
    Ok(json!({"DomainDescription": description}))
}

/// UpdateUserPoolDomain: the managed login version or the custom domain's certificate of the
/// pool's domain.
pub(crate) fn update_user_pool_domain(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "Domain")?;
    let given_version = opt_int(body, "ManagedLoginVersion", 1, 2)?;
    let certificate = match opt_object(body, "CustomDomainConfig")? {
        Some(config) => Some(field(config, "CertificateArn")?.to_owned()),
        None => None,
    };
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    let domain = pool
        .resources
        .domain
        .as_mut()
        .filter(|d| d.name == name)
        .ok_or_else(|| {
            fault(
                "ResourceNotFoundException",
                format!("Domain {name} does not exist in user pool {pool_id}."),
            )
        })?;
    if let Some(version) = given_version {
        domain.managed_login_version = u8::try_from(version).unwrap_or(1);
    }
    if let Some(arn) = certificate {
        if domain.certificate_arn.is_none() {
            return Err(invalid(
                "CustomDomainConfig applies to custom domains only.",
            ));
        }
        domain.certificate_arn = Some(arn);
    }
    Ok(created(domain))
}

/// DeleteUserPoolDomain: the pool's domain, named.
pub(crate) fn delete_user_pool_domain(shared: &Shared, body: &Value) -> Answer {
    let pool_id = field(body, "UserPoolId")?;
    let name = field(body, "Domain")?;
    let mut state = shared.lock();
    let pool = state.pool_by_id_mut(pool_id)?;
    if pool
        .resources
        .domain
        .as_ref()
        .is_none_or(|d| d.name != name)
    {
        return Err(invalid("No such domain or user pool exists."));
    }
    pool.resources.domain = None;
    Ok(json!({}))
}
