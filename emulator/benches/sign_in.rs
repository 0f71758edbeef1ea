//! The emulator's cost per sign-in: RS256 signing (aws-lc-rs, ring and rsa 0.10 on the emulator's key),
//! USER_PASSWORD_AUTH and a whole USER_SRP_AUTH sign-in over one keep-alive connection, and the
//! process CPU time per USER_PASSWORD_AUTH (client included: an upper bound for the server).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Duration;

use cognito_flows::{Action, Entropy, Flow, SignIn, UserPool};
use cognito_flows_emulator::{ClientConfig, Emulator, EmulatorConfig, PoolConfig};
use criterion::Criterion;
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";
const KEY_PEM: &str = include_str!("../src/auth/emulator-key.pem");

/// The emulator's key in each crate, and a message to sign.
struct Keys {
    input: &'static [u8],
    rsa_key: rsa::PrivateKey,
    ring_key: ring::signature::RsaKeyPair,
    rng: ring::rand::SystemRandom,
    lc_key: aws_lc_rs::signature::RsaKeyPair,
    lc_rng: aws_lc_rs::rand::SystemRandom,
}

fn keys() -> Keys {
    use base64::Engine as _;
    use rsa::pkcs8::DecodePrivateKey as _;
    let input = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9";
    let rsa_key = rsa::PrivateKey::from_pkcs8_pem(KEY_PEM).unwrap();
    let der: String = KEY_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(der)
        .unwrap();
    let ring_key = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let rng = ring::rand::SystemRandom::new();
    let lc_key = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let lc_rng = aws_lc_rs::rand::SystemRandom::new();
    Keys {
        input,
        rsa_key,
        ring_key,
        rng,
        lc_key,
        lc_rng,
    }
}

fn rs256(c: &mut Criterion) {
    let Keys {
        input,
        rsa_key,
        ring_key,
        rng,
        lc_key,
        lc_rng,
    } = keys();
    let mut group = c.benchmark_group("rs256_sign");
    group.bench_function("aws-lc-rs", |b| {
        let mut signature = vec![0; lc_key.public_modulus_len()];
        b.iter(|| {
            lc_key
                .sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &lc_rng,
                    black_box(input),
                    &mut signature,
                )
                .unwrap();
        });
    });
    group.bench_function("rsa_0.10", |b| {
        b.iter(|| {
            rsa_key
                .pkcs1v15_sign::<rsa::sha2::Sha256>(black_box(input))
                .unwrap()
        });
    });
    group.bench_function("ring", |b| {
        let mut signature = vec![0; ring_key.public().modulus_len()];
        b.iter(|| {
            ring_key
                .sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &rng,
                    black_box(input),
                    &mut signature,
                )
                .unwrap();
        });
    });
    group.finish();
}

/// The median CPU time of one RS256 signature with each crate.
fn sign_cpu() {
    let Keys {
        input,
        rsa_key,
        ring_key,
        rng,
        lc_key,
        lc_rng,
    } = keys();
    let mut signature = vec![0; ring_key.public().modulus_len()];
    let lc_ms = median_cpu_ms(
        15,
        50,
        || {
            lc_key
                .sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &lc_rng,
                    input,
                    &mut signature,
                )
                .unwrap();
        },
        thread_cpu_ns,
    );
    let ring_ms = median_cpu_ms(
        15,
        50,
        || {
            ring_key
                .sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &rng,
                    input,
                    &mut signature,
                )
                .unwrap();
        },
        thread_cpu_ns,
    );
    let rsa_ms = median_cpu_ms(
        15,
        10,
        || {
            rsa_key.pkcs1v15_sign::<rsa::sha2::Sha256>(input).unwrap();
        },
        thread_cpu_ns,
    );
    println!(
        "RS256 signature: median CPU {lc_ms:.3} ms with aws-lc-rs, {ring_ms:.3} ms with ring, {rsa_ms:.3} ms with rsa 0.10 (rsa / aws-lc-rs {:.1}x)",
        rsa_ms / lc_ms
    );
}

struct Setup {
    emulator: Emulator,
    pool: UserPool,
    client_id: String,
    agent: ureq::Agent,
}

fn setup() -> Setup {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let pool_id = emulator.create_user_pool(PoolConfig::default());
    let client = emulator
        .create_client(&pool_id, ClientConfig::default())
        .unwrap();
    emulator
        .admin_create_user(&pool_id, "alice", PASSWORD, &[])
        .unwrap();
    let pool = UserPool::new(&pool_id, client.id.clone())
        .unwrap()
        .with_endpoint(emulator.endpoint())
        .unwrap();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    Setup {
        emulator,
        pool,
        client_id: client.id,
        agent,
    }
}

fn send(agent: &ureq::Agent, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let response = agent.run(request).unwrap();
    let (parts, mut body) = response.into_parts();
    http::Response::from_parts(parts, body.read_to_vec().unwrap())
}

fn password_auth(s: &Setup) {
    let body = json!({"ClientId": s.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                      "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}});
    let request = http::Request::post(s.emulator.endpoint())
        .header(
            "X-Amz-Target",
            "AWSCognitoIdentityProviderService.InitiateAuth",
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body.to_string().into_bytes())
        .unwrap();
    let response = send(&s.agent, request);
    let answer: Value = serde_json::from_slice(response.body()).unwrap();
    assert!(answer["AuthenticationResult"]["AccessToken"].is_string());
}

fn srp_sign_in(s: &Setup) {
    let mut flow = SignIn::user_srp(&s.pool, "alice", PASSWORD, Entropy::from([7; 32]));
    loop {
        match flow.poll_action() {
            Action::Send(request) => {
                let response = send(&s.agent, request);
                flow.handle_response(s.emulator.now(), response).unwrap();
            }
            Action::Done(_) => return,
            other => panic!("{other:?}"),
        }
    }
}

fn http(c: &mut Criterion) {
    let s = setup();
    let mut group = c.benchmark_group("emulator");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("USER_PASSWORD_AUTH", |b| b.iter(|| password_auth(&s)));
    group.bench_function("USER_SRP_AUTH sign-in", |b| b.iter(|| srp_sign_in(&s)));
    group.finish();
}

/// CPU time (ns) of this process's threads whose name starts with `prefix` (Linux schedstat;
/// robust on a shared machine, unlike wall time).
fn cpu_ns(prefix: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.starts_with(prefix))
        })
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// CPU time (ns) of the calling thread.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The medians of the CPU time per call, over `rounds` rounds of `per_round` calls each.
fn median_cpu_ms(
    rounds: usize,
    per_round: u32,
    mut f: impl FnMut(),
    measure: impl Fn() -> u64,
) -> f64 {
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let before = measure();
            for _ in 0..per_round {
                f();
            }
            (measure() - before) as f64 / 1e6 / f64::from(per_round)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn cpu_per_sign_in() {
    let s = setup();
    password_auth(&s);
    let server = median_cpu_ms(15, 100, || password_auth(&s), || cpu_ns("cognito-emul"));
    let client = median_cpu_ms(15, 100, || password_auth(&s), thread_cpu_ns);
    println!(
        "USER_PASSWORD_AUTH: median CPU per sign-in {server:.3} ms in the emulator's threads, {client:.3} ms in the client thread"
    );
    let srp = median_cpu_ms(9, 20, || srp_sign_in(&s), || cpu_ns("cognito-emul"));
    println!(
        "USER_SRP_AUTH sign-in (2 requests): median CPU {srp:.3} ms in the emulator's threads"
    );
}

fn main() {
    sign_cpu();
    cpu_per_sign_in();
    let mut c = Criterion::default().configure_from_args();
    rs256(&mut c);
    http(&mut c);
    c.final_summary();
}
