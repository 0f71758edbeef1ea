//! ListUsers' `Filter`, against one pool of users whose attributes hold quotes, backslashes,
//! prefixes of each other and non-ASCII text (set up once per process: ListUsers changes nothing).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};
use serde_json::{Value, json};

use super::world::World;
use crate::model::filter::{self, Filter, FilterError, Match, Searchable};
use crate::model::state::Status;

/// The attributes a filter may name, and names it may not.
const NAMES: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
    "custom:tenant",
    "address",
    "Email",
];

/// The attributes ListUsers searches, by name (the oracle's own table).
const SEARCHABLE: &[(&str, Searchable)] = &[
    ("username", Searchable::Username),
    ("email", Searchable::Email),
    ("phone_number", Searchable::PhoneNumber),
    ("name", Searchable::Name),
    ("given_name", Searchable::GivenName),
    ("family_name", Searchable::FamilyName),
    ("preferred_username", Searchable::PreferredUsername),
    ("cognito:user_status", Searchable::UserStatus),
    ("status", Searchable::Status),
    ("sub", Searchable::Sub),
];

/// A filter's text in the grammar's plainest form.
fn canonical(f: &Filter) -> String {
    let name = SEARCHABLE
        .iter()
        .find(|(_, s)| *s == f.attribute)
        .map_or("?", |(n, _)| n);
    let op = match f.matching {
        Match::Exact => "=",
        Match::Prefix => "^=",
    };
    let value = f.value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{name} {op} \"{value}\"")
}

/// White space a filter may have around its parts.
const SPACES: &[&str] = &["", " ", "  ", "\t", "\n", "\u{3000}", "\u{a0}"];

/// Values the users hold (and prefixes of them).
const VALUES: &[&str] = &[
    "erin",
    "erin@example.com",
    "quote\"d@example.com",
    "back\\slash",
    "Zoë",
    "+15555550100",
    "CONFIRMED",
    "UNCONFIRMED",
    "Enabled",
    "Disabled",
    "",
];

/// A user of the filter's pool: name, attributes, status.
type SetUp = (
    &'static str,
    &'static [(&'static str, &'static str)],
    Status,
);

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let world = World::new(0);
        let users: &[SetUp] = &[
            (
                "erin",
                &[("email", "erin@example.com"), ("name", "Zoë")],
                Status::Confirmed,
            ),
            (
                "erin2",
                &[
                    ("email", "quote\"d@example.com"),
                    ("given_name", "back\\slash"),
                ],
                Status::Unconfirmed,
            ),
            (
                "frank",
                &[("phone_number", "+15555550100"), ("family_name", "")],
                Status::Confirmed,
            ),
            (
                "Zoë",
                &[("preferred_username", "erin"), ("name", "erin")],
                Status::ForceChangePassword,
            ),
        ];
        let pool = world.pool.clone();
        let mut inner = world.emulator.lock();
        for &(name, attributes, status) in users {
            let attributes = attributes
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            inner
                .new_user(
                    &pool,
                    name,
                    crate::model::state::Credential::default(),
                    attributes,
                    status,
                )
                .unwrap_or_else(|f| panic!("set-up user {name}: {}", f.message));
        }
        drop(inner);
        world
    })
}

/// A filter made by the grammar (attribute, `=` or `^=`, a quoted value with `\"` and `\\`
/// escaped, white space around the parts), and what it must parse to.
fn grammatical(u: &mut Unstructured<'_>) -> Result<(String, Result<Option<Filter>, FilterError>)> {
    let name = *u.choose(NAMES)?;
    let prefix = u.arbitrary::<bool>()?;
    let value = if u.ratio(3, 4)? {
        let v = *u.choose(VALUES)?;
        let cut = u.int_in_range(0..=v.chars().count())?;
        v.chars().take(cut).collect()
    } else {
        u.arbitrary::<String>()?
    };
    let mut spaces = Vec::new();
    for _ in 0..4 {
        spaces.push(*u.choose(SPACES)?);
    }
    let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
    let expected = match SEARCHABLE.iter().find(|(n, _)| *n == name) {
        Some(&(_, attribute)) => Ok(Some(Filter {
            attribute,
            matching: if prefix { Match::Prefix } else { Match::Exact },
            value,
        })),
        None => Err(FilterError::Attribute(name.to_owned())),
    };
    let text = format!(
        "{}{name}{}{}{}\"{quoted}\"{}",
        spaces[0],
        spaces[1],
        if prefix { "^=" } else { "=" },
        spaces[2],
        spaces[3]
    );
    Ok((text, expected))
}

/// The filter text: arbitrary (first byte even) or made by the grammar (odd), in which case the
/// parse must give exactly what was written, or refuse an attribute ListUsers cannot search, or
/// refuse a filter longer than 256 characters. Either way: a parsed filter parses again from its
/// canonical text; ListUsers lists exactly the users it matches (all for an empty filter), and a
/// refused one is `InvalidParameterException` with the parser's message.
pub fn list_users_filter(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(mode) = u.arbitrary::<u8>() else {
        return;
    };
    let (text, expected) = if mode % 2 == 0 {
        (String::from_utf8_lossy(u.take_rest()).into_owned(), None)
    } else {
        let Ok((text, expected)) = grammatical(&mut u) else {
            return;
        };
        (text, Some(expected))
    };
    let parsed = filter::parse(&text);
    if let Some(expected) = expected {
        let expected = if text.chars().count() > filter::MAX_LENGTH {
            Err(FilterError::TooLong)
        } else {
            expected
        };
        assert_eq!(parsed, expected, "{text:?}");
    }
    if let Ok(Some(f)) = &parsed
        && canonical(f).chars().count() <= filter::MAX_LENGTH
    {
        let again = filter::parse(&canonical(f));
        assert_eq!(again.as_ref(), Ok(&Some(f.clone())), "{text:?} again");
    }
    let world = world();
    let (status, answer) = world.call(
        "ListUsers",
        &json!({"UserPoolId": world.pool, "Filter": text, "Limit": 60}),
    );
    match parsed {
        Ok(filter) => {
            assert_eq!(status, 200, "{text:?}: {answer}");
            let listed: BTreeSet<String> = answer["Users"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|u| u["Username"].as_str().map(str::to_owned))
                .collect();
            let inner = world.emulator.lock();
            let expected: BTreeSet<String> = inner.pools[&world.pool]
                .users
                .values()
                .filter(|user| filter.as_ref().is_none_or(|f| f.matches(user)))
                .map(|user| user.username.clone())
                .collect();
            assert_eq!(listed, expected, "{text:?}");
        }
        Err(e) => {
            assert_eq!(status, 400, "{text:?}: {answer}");
            assert_eq!(answer["__type"], "InvalidParameterException");
            assert_eq!(answer["message"], Value::String(e.to_string()));
        }
    }
}
