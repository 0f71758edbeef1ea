//! The emulator as a pool grows: AdminCreateUser, AdminGetUser by email, USER_PASSWORD_AUTH by
//! email, and ListUsers (the first page, a page in the middle, `username = "..."` and
//! `email = "..."`) at 1k, 10k and 100k users, each request answered in process by
//! `Emulator::answer` (feature `fuzzing`).
//!
//! The pools are seeded through the data directory: one user is created through the API, its
//! stored row copied under other names, and the emulator started on it (deriving 100k SRP
//! verifiers would take minutes).
//!
//! With `--bench`, after criterion's groups, each call runs at 100k and at 1k users side by side
//! in one process, and the min, median and max of the ratio (100k over 1k, within each round)
//! are printed.
//!
//! Wall-clock medians on a shared machine are noisy; instruction counts are not. With
//! `USERS_CALLS=<size>` the binary seeds one pool of that size, makes [`CALLS`] calls of each
//! kind (`USERS_CALLS_EACH`), each kind in its own `calls_*` function (a plain loop: no closure, whose name would match
//! the pattern too), and exits: run it under
//! `valgrind --tool=callgrind --collect-atstart=no '--toggle-collect=users::calls_*'` and read
//! each function's inclusive count (`callgrind_annotate --inclusive=yes`), divided by
//! the number of calls, as the cost of one call.
//!
//! Measured when the users were indexed (callgrind, instructions per call, dev profile: the
//! emulator unoptimised, its dependencies optimised; 20 calls each, 2 at 100k):
//!
//! ```text
//!                                  before: 1k        10k          100k   after: 1k     10k    100k
//! AdminCreateUser                       21.6M      28.9M        102.0M       20.8M   20.8M   20.9M
//! AdminGetUser by email                  0.71M      4.49M        42.3M        0.30M   0.31M   0.32M
//! USER_PASSWORD_AUTH by email (*)        3.00M     10.6M         86.3M        2.22M   2.25M   2.32M
//! ListUsers first page                  16.1M      16.1M         16.1M       16.1M   16.1M   16.1M
//! ListUsers middle page                 59.6M     451.5M       4365.4M       16.2M   16.2M   16.2M
//! ListUsers username = "..."             1.17M      8.45M        81.4M        0.37M   0.37M   0.43M
//! ListUsers email = "..."                1.55M     12.3M        119.7M        0.37M   0.37M   0.37M
//! (*) without the RS256 signing of the tokens (about 12.8M a sign-in, plus a one-time 423M).
//! ```
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use cognito_flows_emulator::{ClientConfig, Emulator, EmulatorConfig, PoolConfig};
use cognito_flows_testkit::race::{Contestant, race};
use criterion::Criterion;
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";
/// Calls of each kind in the instruction-count mode, unless `USERS_CALLS_EACH` says otherwise.
const CALLS: usize = 20;

fn calls() -> usize {
    std::env::var("USERS_CALLS_EACH")
        .map_or(CALLS, |n| n.parse().expect("USERS_CALLS_EACH: a number"))
}
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

struct Pool {
    emulator: Emulator,
    pool_id: String,
    client_id: String,
    size: usize,
    /// Names of the users created by the bench itself.
    next: AtomicUsize,
    _dir: Dir,
}

/// A data directory, removed when dropped.
struct Dir(std::path::PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn name(i: usize) -> String {
    format!("user{i:06}")
}

fn email(i: usize) -> String {
    format!("user{i:06}@example.com")
}

/// A pool of `size` users named `user000000`, ..., each with an email and the same password.
fn seed(size: usize) -> Pool {
    let dir = Dir(std::env::temp_dir().join(format!(
        "emulator-users-bench-{}-{size}",
        std::process::id()
    )));
    std::fs::create_dir_all(&dir.0).unwrap();
    let config = || EmulatorConfig {
        data: Some(dir.0.clone()),
        seed: Some([3; 32]),
        ..EmulatorConfig::default()
    };
    let (pool_id, client_id) = {
        let emulator = Emulator::start(config()).unwrap();
        let pool_id = emulator.create_user_pool(PoolConfig::default());
        let client = emulator
            .create_client(&pool_id, ClientConfig::default())
            .unwrap();
        emulator
            .admin_create_user(&pool_id, &name(0), PASSWORD, &[("email", &email(0))])
            .unwrap();
        (pool_id, client.id)
    };
    copy_user(&dir.0, &pool_id, size);
    let emulator = Emulator::start(config()).unwrap();
    assert!(emulator.restored());
    Pool {
        emulator,
        pool_id,
        client_id,
        size,
        next: AtomicUsize::new(size),
        _dir: dir,
    }
}

/// Copies user 0's row as users 1 to `size - 1`, in the data directory's one database.
fn copy_user(dir: &Path, pool_id: &str, size: usize) {
    let db = dir.join("emulator.sqlite3");
    let mut conn = rusqlite::Connection::open(db).unwrap();
    let row: String = conn
        .query_row(
            "SELECT value FROM records WHERE kind = 'user' AND scope = ?1 AND key = ?2",
            [pool_id, &name(0)],
            |r| r.get(0),
        )
        .unwrap();
    let template: Value = serde_json::from_str(&row).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut put = tx
            .prepare("INSERT INTO records (kind, scope, key, value) VALUES ('user', ?1, ?2, ?3)")
            .unwrap();
        for i in 1..size {
            let mut user = template.clone();
            user["username"] = json!(name(i));
            user["sub"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
            user["attributes"]["email"] = json!(email(i));
            user["attributes"]["sub"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
            put.execute(rusqlite::params![pool_id, name(i), user.to_string()])
                .unwrap();
        }
    }
    tx.commit().unwrap();
}

impl Pool {
    fn call(&self, operation: &str, body: &Value) -> Value {
        let request = http::Request::post("/")
            .header(
                "X-Amz-Target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .header("Content-Type", "application/x-amz-json-1.1")
            .body(body.to_string().into_bytes())
            .unwrap();
        let response = self.emulator.answer(request);
        let answer: Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(response.status(), 200, "{operation}: {answer}");
        answer
    }

    fn create(&self) {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        self.call(
            "AdminCreateUser",
            &json!({"UserPoolId": self.pool_id, "Username": name(i),
                    "UserAttributes": [{"Name": "email", "Value": email(i)}],
                    "MessageAction": "SUPPRESS"}),
        );
    }

    /// A user in the middle of the pool.
    fn middle(&self) -> usize {
        self.size / 2
    }

    fn get_by_email(&self) {
        let answer = self.call(
            "AdminGetUser",
            &json!({"UserPoolId": self.pool_id, "Username": email(self.middle())}),
        );
        assert_eq!(answer["Username"], name(self.middle()));
    }

    fn sign_in_by_email(&self) {
        let answer = self.call(
            "InitiateAuth",
            &json!({"ClientId": self.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": email(self.middle()), "PASSWORD": PASSWORD}}),
        );
        assert!(answer["AuthenticationResult"]["AccessToken"].is_string());
    }

    fn list_first(&self) {
        let answer = self.call("ListUsers", &json!({"UserPoolId": self.pool_id}));
        assert_eq!(answer["Users"].as_array().unwrap().len(), 60);
    }

    /// The page that starts in the middle of the pool (a token as ListUsers answers it).
    fn list_middle(&self, token: &str) {
        let answer = self.call(
            "ListUsers",
            &json!({"UserPoolId": self.pool_id, "PaginationToken": token}),
        );
        assert_eq!(answer["Users"][0]["Username"], name(self.middle()));
    }

    /// The token of the page that starts at the middle user, as ListUsers writes it.
    fn middle_token(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("next:{}", name(self.middle())))
    }

    fn list_username(&self) {
        let answer = self.call(
            "ListUsers",
            &json!({"UserPoolId": self.pool_id,
                    "Filter": format!("username = \"{}\"", name(self.middle()))}),
        );
        assert_eq!(answer["Users"].as_array().unwrap().len(), 1);
    }

    fn list_email(&self) {
        let answer = self.call(
            "ListUsers",
            &json!({"UserPoolId": self.pool_id,
                    "Filter": format!("email = \"{}\"", email(self.middle()))}),
        );
        assert_eq!(answer["Users"].as_array().unwrap().len(), 1);
    }
}

#[inline(never)]
fn calls_admin_create_user(p: &Pool) {
    for _ in 0..calls() {
        p.create();
    }
}

#[inline(never)]
fn calls_admin_get_user_by_email(p: &Pool) {
    for _ in 0..calls() {
        p.get_by_email();
    }
}

#[inline(never)]
fn calls_sign_in_by_email(p: &Pool) {
    for _ in 0..calls() {
        p.sign_in_by_email();
    }
}

#[inline(never)]
fn calls_list_users_first_page(p: &Pool) {
    for _ in 0..calls() {
        p.list_first();
    }
}

#[inline(never)]
fn calls_list_users_middle_page(p: &Pool, token: &str) {
    for _ in 0..calls() {
        p.list_middle(token);
    }
}

#[inline(never)]
fn calls_list_users_username(p: &Pool) {
    for _ in 0..calls() {
        p.list_username();
    }
}

#[inline(never)]
fn calls_list_users_email(p: &Pool) {
    for _ in 0..calls() {
        p.list_email();
    }
}

/// The instruction-count mode: [`CALLS`] calls of each kind on a pool of `size` users.
fn count(size: usize) {
    let p = seed(size);
    let token = p.middle_token();
    calls_admin_get_user_by_email(black_box(&p));
    calls_sign_in_by_email(black_box(&p));
    calls_list_users_first_page(black_box(&p));
    calls_list_users_middle_page(black_box(&p), &token);
    calls_list_users_username(black_box(&p));
    calls_list_users_email(black_box(&p));
    calls_admin_create_user(black_box(&p));
}

fn main() {
    if let Ok(size) = std::env::var("USERS_CALLS") {
        count(size.parse().expect("USERS_CALLS: a number of users"));
        return;
    }
    // `cargo test --all-targets` runs this without `--bench`: then the smallest pool only, a
    // check that every call still answers (a 100k pool takes half a minute and 450 MB to seed).
    let benching = std::env::args().any(|a| a == "--bench");
    let sizes = if benching { &SIZES[..] } else { &SIZES[..1] };
    let mut c = Criterion::default().configure_from_args();
    for &size in sizes {
        let p = seed(size);
        let token = p.middle_token();
        let mut group = c.benchmark_group(format!("users_{size}"));
        group.sample_size(20);
        group.bench_function("AdminCreateUser", |b| b.iter(|| p.create()));
        group.bench_function("AdminGetUser by email", |b| b.iter(|| p.get_by_email()));
        group.bench_function("USER_PASSWORD_AUTH by email", |b| {
            b.iter(|| p.sign_in_by_email());
        });
        group.bench_function("ListUsers first page", |b| b.iter(|| p.list_first()));
        group.bench_function("ListUsers middle page", |b| {
            b.iter(|| p.list_middle(&token));
        });
        group.bench_function("ListUsers username =", |b| b.iter(|| p.list_username()));
        group.bench_function("ListUsers email =", |b| b.iter(|| p.list_email()));
        group.finish();
    }
    c.final_summary();
    if benching {
        race_sizes();
    }
}

/// Each call at 100k users and at 1k users side by side in one process, in turn round after
/// round (`cognito_flows_testkit::race`): the min, median and max over the rounds of the
/// 100k pool's time over the 1k pool's.
fn race_sizes() {
    type Call = fn(&Pool, &str);
    let small = seed(SIZES[0]);
    let large = seed(SIZES[2]);
    let (small_token, large_token) = (small.middle_token(), large.middle_token());
    let kinds: [(&str, Call); 7] = [
        ("AdminCreateUser", |p, _| p.create()),
        ("AdminGetUser by email", |p, _| p.get_by_email()),
        ("USER_PASSWORD_AUTH by email", |p, _| p.sign_in_by_email()),
        ("ListUsers first page", |p, _| p.list_first()),
        ("ListUsers middle page", |p, token| p.list_middle(token)),
        ("ListUsers username =", |p, _| p.list_username()),
        ("ListUsers email =", |p, _| p.list_email()),
    ];
    for (name, call) in kinds {
        let mut at_large = || {
            call(black_box(&large), &large_token);
            true
        };
        let mut at_small = || {
            call(black_box(&small), &small_token);
            true
        };
        let mut contestants = [
            Contestant::new("at 100k users", &mut at_large),
            Contestant::new("at 1k users", &mut at_small),
        ];
        let report = race(&mut contestants, 1, 21, 5);
        println!("\n{name}, side by side:");
        print!("{}", report.table());
    }
}
