//! ListUsers' `Filter`: `AttributeName Filter-Type "AttributeValue"`, as Cognito's developer
//! guide has it: one attribute, `=` (exact) or `^=` (starts with), a value in double quotes
//! (`\"` and `\\` escaped), white space around each part optional. An empty filter lists everyone.
//!
//! The input is anyone's: every failure is a typed [`FilterError`], never a panic.

use std::fmt;

use crate::model::state::{Status, User};

/// The longest filter Cognito takes.
pub(crate) const MAX_LENGTH: usize = 256;

/// The attributes Cognito lets ListUsers filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Searchable {
    Username,
    Email,
    PhoneNumber,
    Name,
    GivenName,
    FamilyName,
    PreferredUsername,
    /// `cognito:user_status`: UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, ...
    UserStatus,
    /// `status`: `Enabled` or `Disabled`.
    Status,
    Sub,
}

impl Searchable {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "username" => Self::Username,
            "email" => Self::Email,
            "phone_number" => Self::PhoneNumber,
            "name" => Self::Name,
            "given_name" => Self::GivenName,
            "family_name" => Self::FamilyName,
            "preferred_username" => Self::PreferredUsername,
            "cognito:user_status" => Self::UserStatus,
            "status" => Self::Status,
            "sub" => Self::Sub,
            _ => return None,
        })
    }

    fn value(self, user: &User) -> Option<String> {
        let attribute = |name: &str| user.attributes.get(name).cloned();
        match self {
            Self::Username => Some(user.username.clone()),
            Self::Email => attribute("email"),
            Self::PhoneNumber => attribute("phone_number"),
            Self::Name => attribute("name"),
            Self::GivenName => attribute("given_name"),
            Self::FamilyName => attribute("family_name"),
            Self::PreferredUsername => attribute("preferred_username"),
            Self::UserStatus => Some(status_name(user.status).to_owned()),
            Self::Status => Some(if user.disabled { "Disabled" } else { "Enabled" }.to_owned()),
            Self::Sub => Some(user.sub.clone()),
        }
    }
}

/// Cognito's name of a user status.
pub(crate) fn status_name(status: Status) -> &'static str {
    match status {
        Status::Unconfirmed => "UNCONFIRMED",
        Status::Confirmed => "CONFIRMED",
        Status::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
        Status::ResetRequired => "RESET_REQUIRED",
        Status::ExternalProvider => "EXTERNAL_PROVIDER",
    }
}

/// `=` or `^=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    Exact,
    Prefix,
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    pub attribute: Searchable,
    pub matching: Match,
    pub value: String,
}

impl Filter {
    pub(crate) fn matches(&self, user: &User) -> bool {
        self.attribute
            .value(user)
            .is_some_and(|v| match self.matching {
                Match::Exact => v == self.value,
                Match::Prefix => v.starts_with(&self.value),
            })
    }
}

/// Why a filter was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FilterError {
    /// Longer than [`MAX_LENGTH`] characters.
    TooLong,
    /// Not `name op "value"`.
    Syntax,
    /// An attribute ListUsers cannot search.
    Attribute(String),
}

impl fmt::Display for FilterError {
    /// Cognito's messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong => write!(
                f,
                "1 validation error detected: Value at 'filter' failed to satisfy constraint: Member must have length less than or equal to {MAX_LENGTH}"
            ),
            Self::Syntax => f.write_str("Error while parsing filter."),
            Self::Attribute(name) => write!(f, "Invalid search attribute: {name}"),
        }
    }
}

/// Parses a filter; `Ok(None)` for an empty one (every user).
pub(crate) fn parse(text: &str) -> Result<Option<Filter>, FilterError> {
    if text.chars().count() > MAX_LENGTH {
        return Err(FilterError::TooLong);
    }
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let name_end = text
        .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .ok_or(FilterError::Syntax)?;
    let (name, rest) = text.split_at(name_end);
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    {
        return Err(FilterError::Syntax);
    }
    let rest = rest.trim_start();
    let (matching, rest) = if let Some(rest) = rest.strip_prefix("^=") {
        (Match::Prefix, rest)
    } else if let Some(rest) = rest.strip_prefix('=') {
        (Match::Exact, rest)
    } else {
        return Err(FilterError::Syntax);
    };
    let rest = rest.trim_start();
    let quoted = rest.strip_prefix('"').ok_or(FilterError::Syntax)?;
    let mut value = String::new();
    let mut chars = quoted.chars();
    loop {
        match chars.next() {
            None => return Err(FilterError::Syntax),
            Some('"') => break,
            Some('\\') => match chars.next() {
                Some(c @ ('"' | '\\')) => value.push(c),
                _ => return Err(FilterError::Syntax),
            },
            Some(c) => value.push(c),
        }
    }
    if !chars.as_str().trim().is_empty() {
        return Err(FilterError::Syntax);
    }
    let attribute =
        Searchable::from_name(name).ok_or_else(|| FilterError::Attribute(name.to_owned()))?;
    Ok(Some(Filter {
        attribute,
        matching,
        value,
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng as _, SeedableRng};

    fn filter(attribute: Searchable, matching: Match, value: &str) -> Option<Filter> {
        Some(Filter {
            attribute,
            matching,
            value: value.into(),
        })
    }

    #[test]
    fn the_forms_of_the_developer_guide_parse() {
        use Match::{Exact, Prefix};
        use Searchable::*;
        for (text, expected) in [
            (
                r#"email = "alice@example.com""#,
                filter(Email, Exact, "alice@example.com"),
            ),
            (r#"email^="ali""#, filter(Email, Prefix, "ali")),
            (
                r#"  family_name ^= "Ro"  "#,
                filter(FamilyName, Prefix, "Ro"),
            ),
            (
                r#"phone_number = "+15555550100""#,
                filter(PhoneNumber, Exact, "+15555550100"),
            ),
            (
                r#"cognito:user_status = "FORCE_CHANGE_PASSWORD""#,
                filter(UserStatus, Exact, "FORCE_CHANGE_PASSWORD"),
            ),
            (r#"status = "Disabled""#, filter(Status, Exact, "Disabled")),
            (
                r#"username = "a \"quoted\" \\ name""#,
                filter(Username, Exact, r#"a "quoted" \ name"#),
            ),
            (r#"name = """#, filter(Name, Exact, "")),
            (r#"sub = "x=y ^= z""#, filter(Sub, Exact, "x=y ^= z")),
            ("", None),
            ("   ", None),
        ] {
            assert_eq!(parse(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn malformed_filters_are_typed_errors() {
        for text in [
            "email",
            "email =",
            r#"email = alice"#,
            r#"email = "unterminated"#,
            r#"email == "x""#,
            r#"email ~ "x""#,
            r#"= "x""#,
            r#"email = "x" and name = "y""#,
            r#"email = "bad \escape""#,
            r#"em ail = "x""#,
            r#"email = "x"""#,
            "\"",
            "^=",
        ] {
            assert_eq!(parse(text), Err(FilterError::Syntax), "{text:?}");
        }
        assert_eq!(
            parse(r#"custom:tenant = "acme""#),
            Err(FilterError::Attribute("custom:tenant".into()))
        );
        assert_eq!(
            parse(&format!("email = \"{}\"", "a".repeat(300))),
            Err(FilterError::TooLong)
        );
        assert_eq!(
            FilterError::Syntax.to_string(),
            "Error while parsing filter."
        );
    }

    /// Garbage: random bytes, random mixes of the grammar's own characters, and mutations of good
    /// filters. Each parses or is refused with a typed error; what parses re-parses the same once
    /// written back in the canonical form.
    #[test]
    fn garbage_never_panics() {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        let alphabet: Vec<char> = "email=^\" \\\tusername:_\u{0}\u{feff}é😀".chars().collect();
        let seeds = [r#"email = "x""#, r#"username ^= "a\"b""#, r#"sub="""#];
        for round in 0..20_000 {
            let text: String = match round % 3 {
                0 => {
                    let len = rng.next_u32() % 40;
                    let bytes: Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
                    String::from_utf8_lossy(&bytes).into_owned()
                }
                1 => (0..rng.next_u32() % 30)
                    .map(|_| alphabet[rng.next_u32() as usize % alphabet.len()])
                    .collect(),
                _ => {
                    let mut chars: Vec<char> = seeds[rng.next_u32() as usize % seeds.len()]
                        .chars()
                        .collect();
                    let at = rng.next_u32() as usize % (chars.len() + 1);
                    let c = alphabet[rng.next_u32() as usize % alphabet.len()];
                    if rng.next_u32() % 2 == 0 && at < chars.len() {
                        chars.remove(at);
                    } else {
                        chars.insert(at, c);
                    }
                    chars.into_iter().collect()
                }
            };
            if let Ok(Some(parsed)) = parse(&text) {
                let name = match parsed.attribute {
                    Searchable::Username => "username",
                    Searchable::Email => "email",
                    Searchable::Sub => "sub",
                    Searchable::Status => "status",
                    Searchable::Name => "name",
                    _ => continue,
                };
                let op = if parsed.matching == Match::Prefix {
                    "^="
                } else {
                    "="
                };
                let escaped = parsed.value.replace('\\', "\\\\").replace('"', "\\\"");
                let canonical = format!("{name} {op} \"{escaped}\"");
                if canonical.chars().count() <= MAX_LENGTH {
                    assert_eq!(parse(&canonical), Ok(Some(parsed)), "{text:?}");
                }
            }
        }
    }
}
