//! The blocking verify helpers: real emulator tokens, and a JWKS endpoint that is down, slow or
//! answers too much. Every fetch is counted: forged tokens must not each cost one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use cognito_flows::verify::{Verifier, VerifyError, VerifyOptions};
use cognito_flows_testkit::emulator::{Fixture, Options};

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Down";

#[derive(Clone, Copy)]
enum Mode {
    /// Accepts and closes at once.
    Down,
    /// Accepts and never answers (until the test ends).
    Silent,
    /// Answers 200 with 100 KB.
    TooLarge,
}

/// A JWKS endpoint on 127.0.0.1 that counts connections; stopped on drop.
struct Endpoint {
    url: String,
    hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Endpoint {
    fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let (hits, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let (h, s) = (Arc::clone(&hits), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            // At most 60 s, whatever happens.
            for _ in 0..6000 {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        h.fetch_add(1, Ordering::SeqCst);
                        match mode {
                            Mode::Down => drop(stream),
                            Mode::Silent => held.push(stream),
                            Mode::TooLarge => {
                                stream.set_nonblocking(false).unwrap();
                                let mut buf = [0u8; 2048];
                                let _ = stream.read(&mut buf);
                                let body =
                                    format!(r#"{{"keys":[],"x":"{}"}}"#, "x".repeat(100_000));
                                let _ = write!(
                                    stream,
                                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\ncontent-type: application/json\r\n\r\n{body}",
                                    body.len()
                                );
                            }
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Self {
            url,
            hits,
            stop,
            thread: Some(thread),
        }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A token naming `kid` (unsigned: it never gets that far).
fn forged(kid: &str) -> String {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        b64(&format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#)),
        b64(&format!(
            r#"{{"iss":"{ISSUER}","token_use":"access","client_id":"c","exp":9999999999}}"#
        )),
        b64("sig")
    )
}

fn verifier(url: &str) -> Verifier {
    Verifier::builder()
        .issuer(ISSUER, url, VerifyOptions::access_tokens(["c"]))
        .build()
}

#[test]
fn forged_tokens_cost_one_fetch_while_the_endpoint_is_down() {
    let endpoint = Endpoint::start(Mode::Down);
    let v = verifier(&endpoint.url);
    let agent = cognito_flows_ureq::agent();
    let first = cognito_flows_ureq::verify(&agent, &v, &forged("k0")).unwrap_err();
    assert!(matches!(first, VerifyError::JwksFetch(_)), "{first:?}");
    assert!(first.is_unavailable());
    for i in 1..20 {
        let e = cognito_flows_ureq::verify(&agent, &v, &forged(&format!("k{i}"))).unwrap_err();
        assert_eq!(e, VerifyError::UnknownKey(format!("k{i}")));
    }
    assert_eq!(endpoint.hits(), 1, "one fetch for 20 forged tokens");
    assert!(cognito_flows_ureq::hydrate(&agent, &v).is_err());
    assert_eq!(
        endpoint.hits(),
        2,
        "hydrate fetches, whatever the penalty box"
    );
}

#[test]
fn a_silent_endpoint_times_out_and_is_recorded() {
    let endpoint = Endpoint::start(Mode::Silent);
    let v = verifier(&endpoint.url);
    let agent = cognito_flows_ureq::agent();
    let e = cognito_flows_ureq::verify(&agent, &v, &forged("k0")).unwrap_err();
    assert!(matches!(e, VerifyError::JwksFetch(_)), "{e:?}");
    let e = cognito_flows_ureq::verify(&agent, &v, &forged("k1")).unwrap_err();
    assert_eq!(e, VerifyError::UnknownKey("k1".into()));
    assert_eq!(endpoint.hits(), 1);
}

#[test]
fn a_body_over_the_limit_is_not_read() {
    let endpoint = Endpoint::start(Mode::TooLarge);
    let v = verifier(&endpoint.url);
    let agent = cognito_flows_ureq::agent();
    let e = cognito_flows_ureq::hydrate(&agent, &v).unwrap_err();
    assert!(e.is_unavailable(), "{e:?}");
    assert_eq!(v.key_count(), 0);
}

#[test]
fn emulator_tokens_verify_through_the_helper() {
    let w = Fixture::start(Options::default().user("alice", "Passw0rd!", &[]));
    let agent = cognito_flows_ureq::agent();
    let pool = w.pool.clone();
    // The core's own password sign-in, through the adapter's Client.
    let signed_in = cognito_flows_ureq::Client::new(pool.clone())
        .sign_in_password("alice", "Passw0rd!", cognito_flows_ureq::no_prompt)
        .unwrap();
    let access = signed_in.tokens.access_token.expose();
    let v = Verifier::new(&pool, VerifyOptions::access_tokens([w.client_id.clone()]));
    // No hydrate: the first token triggers the fetch.
    let claims = cognito_flows_ureq::verify(&agent, &v, access).unwrap();
    assert_eq!(claims.username(), Some("alice"));
    assert_eq!(cognito_flows_ureq::hydrate(&agent, &v).unwrap(), 1);
    let id = signed_in.tokens.id_token.as_ref().unwrap().expose();
    assert!(matches!(
        cognito_flows_ureq::verify(&agent, &v, id),
        Err(VerifyError::WrongTokenUse { .. })
    ));
}
