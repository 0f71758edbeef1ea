//! A pool's users looked up by something else than their name, without a scan: what reads the
//! index of their emails, phone numbers, subs and names (`state::UserIndex`, kept in step by
//! the users' table): `Pool::find` (a user by name or alias), `Pool::by_sub`, the alias uniqueness check, and
//! ListUsers' pages and filters ([`Pool::listed`]).
//!
//! Every lookup gives the answer the scan in name order gave: the index names the candidates
//! (plus the record the index may not describe yet), each is checked against its record, and
//! they are taken in name order.

use std::collections::BTreeSet;
use std::ops::Bound;

use crate::model::filter::{Filter, Match, Searchable};
use crate::model::state::{Field, Pool, User, Users};

/// The keys, in name order, of the users whose `fields` may match `value`: the index's answer
/// and the record it may not describe yet. `None`: the index describes no record now (every
/// user must be checked).
fn candidates<'a>(
    users: &'a Users,
    fields: &[Field],
    matching: Match,
    value: &'a str,
) -> Option<BTreeSet<&'a str>> {
    let (index, stale) = users.index()?;
    let mut keys: BTreeSet<&str> = stale.into_iter().collect();
    for field in fields {
        keys.extend(index.keys(*field, matching == Match::Prefix, value));
    }
    Some(keys)
}

/// The first user in name order for which `matches` is true, among `keys` (`None`: all users).
fn first<'a>(
    users: &'a Users,
    keys: Option<BTreeSet<&str>>,
    matches: impl Fn(&User) -> bool,
) -> Option<&'a User> {
    match keys {
        Some(keys) => keys
            .into_iter()
            .filter_map(|k| users.get(k))
            .find(|u| matches(u)),
        None => users.values().find(|u| matches(u)),
    }
}

impl Pool {
    /// A user by `sub`: what tokens are bound to.
    pub(crate) fn by_sub(&self, sub: &str) -> Option<&User> {
        let keys = candidates(&self.users, &[Field::Sub], Match::Exact, sub);
        first(&self.users, keys, |u| u.sub == sub)
    }

    /// A user by name or alias (email; the phone number too on a pool that signs in with it).
    pub(crate) fn find(&self, name: &str) -> Option<&User> {
        let s = &self.config.settings;
        let by_phone = [&s.username_attributes, &s.alias_attributes]
            .iter()
            .any(|list| list.iter().any(|a| a == "phone_number"));
        self.users.get(name).or_else(|| {
            let fields: &[Field] = if by_phone {
                &[Field::Email, Field::Sub, Field::PhoneNumber]
            } else {
                &[Field::Email, Field::Sub]
            };
            let keys = candidates(&self.users, fields, Match::Exact, name);
            first(&self.users, keys, |u| {
                u.attributes.get("email").is_some_and(|e| e == name)
                    || u.sub == name
                    || (by_phone && u.attributes.get("phone_number").is_some_and(|p| p == name))
            })
        })
    }

    /// Whether a user other than `username` has `value` as its `attribute`.
    pub(crate) fn attribute_taken(&self, attribute: &str, value: &str, username: &str) -> bool {
        let keys = Field::of_attribute(attribute)
            .and_then(|field| candidates(&self.users, &[field], Match::Exact, value));
        first(&self.users, keys, |u| {
            u.username != username && u.attributes.get(attribute).is_some_and(|v| v == value)
        })
        .is_some()
    }

    /// The users `filter` keeps (all without one), in name order, from the name `from` on.
    pub(crate) fn listed<'a>(
        &'a self,
        filter: Option<&'a Filter>,
        from: Option<&'a str>,
    ) -> Box<dyn Iterator<Item = &'a User> + 'a> {
        let start = from.map_or(Bound::Unbounded, Bound::Included);
        let after = move |k: &str| from.is_none_or(|f| k >= f);
        let Some(filter) = filter else {
            return Box::new(
                self.users
                    .range::<str, _>((start, Bound::Unbounded))
                    .map(|(_, u)| u),
            );
        };
        let value = filter.value.as_str();
        let keys = match filter.attribute {
            Searchable::Username => {
                // The names are the table's keys: the ones from `value` on that start with it.
                let names = self
                    .users
                    .range::<str, _>((Bound::Included(value), Bound::Unbounded))
                    .map(|(k, _)| k.as_str())
                    .take_while(move |k| k.starts_with(value));
                Some(match filter.matching {
                    Match::Exact => names.take(1).collect(),
                    Match::Prefix => {
                        return Box::new(
                            names
                                .filter(move |k| after(k))
                                .filter_map(|k| self.users.get(k))
                                .filter(|u| filter.matches(u)),
                        );
                    }
                })
            }
            Searchable::Email => candidates(&self.users, &[Field::Email], filter.matching, value),
            Searchable::PhoneNumber => {
                candidates(&self.users, &[Field::PhoneNumber], filter.matching, value)
            }
            Searchable::Sub => candidates(&self.users, &[Field::Sub], filter.matching, value),
            Searchable::Name => candidates(&self.users, &[Field::Name], filter.matching, value),
            Searchable::GivenName => {
                candidates(&self.users, &[Field::GivenName], filter.matching, value)
            }
            Searchable::FamilyName => {
                candidates(&self.users, &[Field::FamilyName], filter.matching, value)
            }
            Searchable::PreferredUsername => candidates(
                &self.users,
                &[Field::PreferredUsername],
                filter.matching,
                value,
            ),
            // The statuses have a few values each: a scan stops at the page's end.
            Searchable::UserStatus | Searchable::Status => None,
        };
        match keys {
            Some(keys) => Box::new(
                keys.into_iter()
                    .filter(move |k| after(k))
                    .filter_map(|k| self.users.get(k))
                    .filter(|u| filter.matches(u)),
            ),
            None => Box::new(
                self.users
                    .range::<str, _>((start, Bound::Unbounded))
                    .map(|(_, u)| u)
                    .filter(|u| filter.matches(u)),
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng as _, SeedableRng};

    /// What the lookups answered before the index: a scan in name order.
    fn scan_find<'a>(pool: &'a Pool, name: &str) -> Option<&'a User> {
        let s = &pool.config.settings;
        let by_phone = [&s.username_attributes, &s.alias_attributes]
            .iter()
            .any(|list| list.iter().any(|a| a == "phone_number"));
        pool.users.get(name).or_else(|| {
            pool.users.values().find(|u| {
                u.attributes.get("email").is_some_and(|e| e == name)
                    || u.sub == name
                    || (by_phone && u.attributes.get("phone_number").is_some_and(|p| p == name))
            })
        })
    }

    fn names(users: impl Iterator<Item = impl std::ops::Deref<Target = User>>) -> Vec<String> {
        users.map(|u| u.username.clone()).collect()
    }

    /// A small alphabet, so that values collide, prefix one another and change hands.
    fn value(rng: &mut ChaCha20Rng) -> String {
        let len = rng.next_u32() % 3;
        (0..len)
            .map(|_| ["a", "b", "ab", "+1"][rng.next_u32() as usize % 4])
            .collect()
    }

    fn user(rng: &mut ChaCha20Rng, name: &str) -> User {
        let mut user = User {
            username: name.to_owned(),
            sub: value(rng),
            ..User::default()
        };
        for attribute in ["email", "phone_number", "name", "given_name", "family_name"] {
            if !rng.next_u32().is_multiple_of(3) {
                user.attributes.insert(attribute.to_owned(), value(rng));
            }
        }
        user
    }

    /// Random inserts, in-place changes, removals, restores, `retain`, `values_mut` and copies;
    /// after each, every lookup answers what the scan answers.
    #[test]
    fn the_index_answers_what_a_scan_answers() {
        let mut rng = ChaCha20Rng::from_seed([11; 32]);
        for round in 0..40_usize {
            let mut pool = Pool::default();
            if round.is_multiple_of(2) {
                pool.config.settings.alias_attributes = vec!["phone_number".into()];
            }
            for _ in 0..60 {
                let name = value(&mut rng);
                match rng.next_u32() % 8 {
                    0 | 1 => {
                        pool.users.insert(name.clone(), user(&mut rng, &name));
                    }
                    2 => pool.users.restore(name.clone(), user(&mut rng, &name)),
                    3 | 4 => {
                        let (email, sub) = (value(&mut rng), value(&mut rng));
                        if let Some(u) = pool.users.get_mut(&name) {
                            u.attributes.insert("email".into(), email);
                            u.sub = sub;
                            u.attributes.remove("phone_number");
                        }
                    }
                    5 => {
                        pool.users.remove(&name);
                    }
                    6 => pool.users.retain(|k, _| k.len() % 2 == round % 2),
                    _ => {
                        let phone = value(&mut rng);
                        for u in pool.users.values_mut() {
                            u.attributes.insert("phone_number".into(), phone.clone());
                        }
                        if rng.next_u32().is_multiple_of(2) {
                            pool.users = pool.users.clone();
                        }
                    }
                }
                for _ in 0..6 {
                    let probe = value(&mut rng);
                    let from = value(&mut rng);
                    let from = (rng.next_u32().is_multiple_of(2)).then_some(from.as_str());
                    assert_eq!(
                        pool.find(&probe).map(|u| &u.username),
                        scan_find(&pool, &probe).map(|u| &u.username),
                        "find {probe:?}"
                    );
                    assert_eq!(
                        pool.by_sub(&probe).map(|u| &u.username),
                        pool.users
                            .values()
                            .find(|u| u.sub == probe)
                            .map(|u| &u.username),
                    );
                    for attribute in ["email", "phone_number", "name", "locale"] {
                        assert_eq!(
                            pool.attribute_taken(attribute, &probe, from.unwrap_or("")),
                            pool.users.values().any(|u| u.username != from.unwrap_or("")
                                && u.attributes.get(attribute) == Some(&probe)),
                        );
                    }
                    for attribute in [
                        "username",
                        "email",
                        "phone_number",
                        "sub",
                        "name",
                        "given_name",
                        "family_name",
                        "preferred_username",
                        "status",
                    ] {
                        for op in ["=", "^="] {
                            let filter = crate::model::filter::parse(&format!(
                                "{attribute} {op} \"{probe}\""
                            ))
                            .unwrap();
                            let listed = names(pool.listed(filter.as_ref(), from));
                            let scanned = names(pool.users.values().filter(|u| {
                                from.is_none_or(|f| u.username.as_str() >= f)
                                    && filter.as_ref().is_none_or(|f| f.matches(u))
                            }));
                            assert_eq!(listed, scanned, "{attribute} {op} {probe:?} from {from:?}");
                        }
                    }
                    let all = names(pool.listed(None, from));
                    let scanned = names(
                        pool.users
                            .values()
                            .filter(|u| from.is_none_or(|f| u.username.as_str() >= f)),
                    );
                    assert_eq!(all, scanned);
                }
            }
        }
    }
}
