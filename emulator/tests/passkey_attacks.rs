//! A hostile client of the emulator's passkey operations, speaking raw JSON: malformed base64,
//! JSON and CBOR, wrong lengths, unsupported keys, mismatched challenges, origins and relying
//! parties. Each gets Cognito's typed error (HTTP 400), never a panic, and the emulator keeps
//! serving. The end-to-end run with a real software authenticator is in
//! `adapters/ureq/tests/passkeys.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use ciborium::Value as Cbor;
use cognito_flows_testkit::emulator::{Fixture, Options};
use serde_json::{Value, json};
use sha2::Digest as _;

const ORIGIN: &str = "http://localhost:3000";

/// The generator of P-256: a point on the curve whose private key no one needs here.
const GX: &str = "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296";
const GY: &str = "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5";

fn call(w: &Fixture, operation: &str, body: &Value) -> (u16, Value) {
    w.call(operation, body)
}

/// alice signed in: the fixture and her access token.
fn world() -> (Fixture, String) {
    let w = Fixture::start(Options::default().user("alice", "Passw0rd!", &[]));
    let access = w.access_token("alice", "Passw0rd!");
    (w, access)
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).unwrap();
    out
}

fn int(i: i64) -> Cbor {
    Cbor::Integer(i.into())
}

fn es256_key(x: Vec<u8>, y: Vec<u8>, alg: i64) -> Vec<u8> {
    cbor(&Cbor::Map(vec![
        (int(1), int(2)),
        (int(3), int(alg)),
        (int(-1), int(1)),
        (int(-2), Cbor::Bytes(x)),
        (int(-3), Cbor::Bytes(y)),
    ]))
}

fn generator() -> Vec<u8> {
    let hex = |h: &str| data_encoding::HEXUPPER.decode(h.as_bytes()).unwrap();
    es256_key(hex(GX), hex(GY), -7)
}

fn auth_data(rp_id: &str, flags: u8, id: &[u8], key: &[u8]) -> Vec<u8> {
    let mut data = sha2::Sha256::digest(rp_id.as_bytes()).to_vec();
    data.push(flags);
    data.extend_from_slice(&0u32.to_be_bytes());
    data.extend_from_slice(&[0; 16]);
    data.extend_from_slice(&u16::try_from(id.len()).unwrap().to_be_bytes());
    data.extend_from_slice(id);
    data.extend_from_slice(key);
    data
}

fn attestation(fmt: &str, auth_data: Vec<u8>) -> Vec<u8> {
    cbor(&Cbor::Map(vec![
        (Cbor::Text("fmt".into()), Cbor::Text(fmt.into())),
        (Cbor::Text("attStmt".into()), Cbor::Map(vec![])),
        (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
    ]))
}

/// A registration as a conforming authenticator would make it, for `challenge`.
fn registration(challenge: &str, id: &[u8], object: &[u8]) -> Value {
    let client_data = json!({"type": "webauthn.create", "challenge": challenge, "origin": ORIGIN});
    json!({
        "id": B64URL.encode(id), "rawId": B64URL.encode(id), "type": "public-key",
        "response": {
            "clientDataJSON": B64URL.encode(client_data.to_string()),
            "attestationObject": B64URL.encode(object),
        },
    })
}

type Tamper = Box<dyn Fn(&str) -> Value>;

/// `base(challenge)` with the member at `path` set to `value(challenge)`.
fn edit(
    base: fn(&str) -> Value,
    path: &'static [&'static str],
    value: impl Fn(&str) -> Value + 'static,
) -> Tamper {
    Box::new(move |c| {
        let mut v = base(c);
        let mut at = &mut v;
        for key in path {
            at = &mut at[*key];
        }
        *at = value(c);
        v
    })
}

/// A registration of nothing: what the checks before the attestation see.
fn bare(c: &str) -> Value {
    registration(c, b"x", b"")
}

/// `clientDataJSON` of a ceremony of `kind` from `origin`, for the challenge.
fn client_data(kind: &'static str, origin: &'static str) -> impl Fn(&str) -> Value {
    move |c| {
        let data = json!({"type": kind, "challenge": c, "origin": origin});
        json!(B64URL.encode(data.to_string()))
    }
}

/// Starts a registration and completes it with `credential(challenge)`.
fn complete(w: &Fixture, access: &str, credential: impl FnOnce(&str) -> Value) -> (u16, Value) {
    let (status, started) = call(
        w,
        "StartWebAuthnRegistration",
        &json!({"AccessToken": access}),
    );
    assert_eq!(status, 200, "{started}");
    let challenge = started["CredentialCreationOptions"]["challenge"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"AccessToken": access, "Credential": credential(&challenge)});
    call(w, "CompleteWebAuthnRegistration", &body)
}

fn refused(answer: &(u16, Value), kind: &str, case: &str) {
    assert_eq!(answer.0, 400, "{case}: {}", answer.1);
    assert_eq!(answer.1["__type"], kind, "{case}: {}", answer.1);
}

const INVALID: &str = "InvalidParameterException";
const UNSUPPORTED: &str = "WebAuthnCredentialNotSupportedException";

#[test]
fn hostile_registrations_get_typed_errors() {
    let (w, access) = world();
    let id = b"credential-1".to_vec();
    let good_data = || auth_data("localhost", 0x45, &id, &generator());
    let object = |data: Vec<u8>| attestation("none", data);

    let with_object = |bytes: Vec<u8>| -> Tamper {
        let id = id.clone();
        Box::new(move |c| registration(c, &id, &bytes))
    };
    let with_data = |data: Vec<u8>| with_object(object(data));
    let mut bomb = vec![0x81u8; 100_000];
    bomb.push(0x00);
    let cases: Vec<(&str, &str, Tamper)> = vec![
        ("no credential", INVALID, Box::new(|_| Value::Null)),
        (
            "a credential that is not JSON",
            INVALID,
            Box::new(|_| json!("{not json")),
        ),
        (
            "a credential of another type",
            INVALID,
            edit(bare, &["type"], |_| json!("password")),
        ),
        (
            "rawId not base64url",
            INVALID,
            edit(bare, &["rawId"], |_| json!("***")),
        ),
        (
            "id and rawId differ",
            INVALID,
            edit(bare, &["id"], |_| json!("eQ")),
        ),
        (
            "an id of 2000 bytes",
            INVALID,
            Box::new(|c| registration(c, &[7; 2000], b"")),
        ),
        (
            "clientDataJSON not base64url",
            INVALID,
            edit(bare, &["response", "clientDataJSON"], |_| json!("%%%")),
        ),
        (
            "clientDataJSON not JSON",
            INVALID,
            edit(bare, &["response", "clientDataJSON"], |_| {
                json!(B64URL.encode("{{{"))
            }),
        ),
        (
            "client data of a sign-in",
            INVALID,
            edit(
                bare,
                &["response", "clientDataJSON"],
                client_data("webauthn.get", ORIGIN),
            ),
        ),
        (
            "another challenge",
            "WebAuthnChallengeNotFoundException",
            Box::new(|_| registration(&B64URL.encode([9; 32]), b"x", b"")),
        ),
        (
            "another origin",
            "WebAuthnOriginNotAllowedException",
            edit(
                bare,
                &["response", "clientDataJSON"],
                client_data("webauthn.create", "https://evil.test"),
            ),
        ),
        (
            "attestationObject not base64url",
            INVALID,
            edit(bare, &["response", "attestationObject"], |_| json!("!")),
        ),
        ("empty CBOR", INVALID, with_object(Vec::new())),
        (
            "truncated CBOR",
            INVALID,
            with_object(object(good_data())[..20].to_vec()),
        ),
        ("CBOR nested 100000 deep", INVALID, with_object(bomb)),
        (
            "a byte string of 2^64-1 bytes",
            INVALID,
            with_object(vec![0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        ),
        (
            "a map declaring 2^32 entries",
            INVALID,
            with_object(vec![0xba, 0xff, 0xff, 0xff, 0xff]),
        ),
        (
            "CBOR that is not a map",
            INVALID,
            with_object(cbor(&Cbor::Text("none".into()))),
        ),
        (
            "packed attestation",
            UNSUPPORTED,
            with_object(attestation("packed", good_data())),
        ),
        ("authData of 10 bytes", INVALID, with_data(vec![0; 10])),
        (
            "another relying party",
            "WebAuthnRelyingPartyMismatchException",
            with_data(auth_data("evil.test", 0x45, &id, &generator())),
        ),
        (
            "the user not present",
            UNSUPPORTED,
            with_data(auth_data("localhost", 0x44, &id, &generator())),
        ),
        (
            "no attested credential",
            INVALID,
            with_data(auth_data("localhost", 0x05, &id, &generator())),
        ),
        (
            "an id length past the end",
            INVALID,
            with_data({
                let mut d = good_data();
                d[53] = 0xff;
                d[54] = 0xff;
                d
            }),
        ),
        (
            "an attested id that is not the credential's",
            INVALID,
            with_data(auth_data("localhost", 0x45, b"other", &generator())),
        ),
        (
            "a COSE key that is not CBOR",
            INVALID,
            with_data(auth_data("localhost", 0x45, &id, &[0xff])),
        ),
        (
            "an RS256 key",
            UNSUPPORTED,
            with_data(auth_data(
                "localhost",
                0x45,
                &id,
                &es256_key(vec![1; 32], vec![1; 32], -257),
            )),
        ),
        (
            "a short coordinate",
            UNSUPPORTED,
            with_data(auth_data(
                "localhost",
                0x45,
                &id,
                &es256_key(vec![1; 31], vec![1; 32], -7),
            )),
        ),
        (
            "a point off the curve",
            INVALID,
            with_data(auth_data(
                "localhost",
                0x45,
                &id,
                &es256_key(vec![1; 32], vec![1; 32], -7),
            )),
        ),
        (
            "trailing bytes",
            INVALID,
            with_data({
                let mut d = good_data();
                d.push(0);
                d
            }),
        ),
    ];
    for (case, kind, tamper) in &cases {
        refused(&complete(&w, &access, tamper), kind, case);
    }

    // A well-formed registration of the generator point is accepted, once.
    let (status, body) = complete(&w, &access, |c| registration(c, &id, &object(good_data())));
    assert_eq!(status, 200, "{body}");
    let again = complete(&w, &access, |c| registration(c, &id, &object(good_data())));
    refused(&again, INVALID, "the same credential again");

    // No registration started, or one started too long ago.
    let body = json!({"AccessToken": access, "Credential": registration("x", &id, b"")});
    let answer = call(&w, "CompleteWebAuthnRegistration", &body);
    refused(
        &answer,
        "WebAuthnChallengeNotFoundException",
        "nothing started",
    );
    let late = complete(&w, &access, |c| {
        w.emulator.advance(Duration::from_secs(301));
        registration(
            c,
            b"late",
            &object(auth_data("localhost", 0x45, b"late", &generator())),
        )
    });
    refused(
        &late,
        "WebAuthnChallengeNotFoundException",
        "started 301 s ago",
    );

    // Lists and deletions with hostile parameters.
    for (case, body) in [
        (
            "MaxResults 0",
            json!({"AccessToken": access, "MaxResults": 0}),
        ),
        (
            "MaxResults 21",
            json!({"AccessToken": access, "MaxResults": 21}),
        ),
        (
            "MaxResults a string",
            json!({"AccessToken": access, "MaxResults": "5"}),
        ),
        (
            "a NextToken never given",
            json!({"AccessToken": access, "NextToken": "Zm9v"}),
        ),
    ] {
        refused(&call(&w, "ListWebAuthnCredentials", &body), INVALID, case);
    }
    // Two more passkeys, read a page of two at a time.
    for more in [b"credential-2", b"credential-3"] {
        let data = auth_data("localhost", 0x45, more, &generator());
        let (status, body) = complete(&w, &access, |c| registration(c, more, &object(data)));
        assert_eq!(status, 200, "{body}");
    }
    let page = |token: Option<&Value>| {
        let mut body = json!({"AccessToken": access, "MaxResults": 2});
        if let Some(token) = token {
            body["NextToken"] = token.clone();
        }
        let (status, page) = call(&w, "ListWebAuthnCredentials", &body);
        assert_eq!(status, 200, "{page}");
        page
    };
    let first = page(None);
    let second = page(Some(&first["NextToken"]));
    let ids: Vec<_> = [&first, &second]
        .iter()
        .flat_map(|p| p["Credentials"].as_array().unwrap().clone())
        .map(|c| c["CredentialId"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<_> = [&id[..], b"credential-2", b"credential-3"]
        .iter()
        .map(|i| B64URL.encode(i))
        .collect();
    assert_eq!(ids, expected);
    assert!(second.get("NextToken").is_none(), "{second}");
    let unknown = json!({"AccessToken": access, "CredentialId": "bm9uZQ"});
    refused(
        &call(&w, "DeleteWebAuthnCredential", &unknown),
        "ResourceNotFoundException",
        "unknown id",
    );
    refused(
        &call(
            &w,
            "DeleteWebAuthnCredential",
            &json!({"AccessToken": access}),
        ),
        INVALID,
        "no id",
    );
}

const ID: &[u8] = b"credential-1";

/// An assertion whose every part is well formed, with a signature no key made.
fn assertion(c: &str) -> Value {
    let client_data = json!({"type": "webauthn.get", "challenge": c, "origin": ORIGIN});
    let mut data = sha2::Sha256::digest(b"localhost").to_vec();
    data.extend_from_slice(&[0x05, 0, 0, 0, 1]);
    json!({
        "id": B64URL.encode(ID), "rawId": B64URL.encode(ID), "type": "public-key",
        "response": {
            "clientDataJSON": B64URL.encode(client_data.to_string()),
            "authenticatorData": B64URL.encode(&data),
            "signature": B64URL.encode([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]),
        },
    })
}

#[test]
fn hostile_assertions_get_typed_errors() {
    let (w, access) = world();
    let id = ID.to_vec();
    let object = attestation("none", auth_data("localhost", 0x45, &id, &generator()));
    let (status, body) = complete(&w, &access, |c| registration(c, &id, &object));
    assert_eq!(status, 200, "{body}");

    let challenge = || {
        let (status, body) = call(
            &w,
            "InitiateAuth",
            &json!({"ClientId": w.client_id, "AuthFlow": "USER_AUTH",
                    "AuthParameters": {"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"}}),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["ChallengeName"], "WEB_AUTHN");
        let options: Value = serde_json::from_str(
            body["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(options["allowCredentials"][0]["id"], B64URL.encode(&id));
        let session = body["Session"].as_str().unwrap().to_owned();
        (session, options["challenge"].as_str().unwrap().to_owned())
    };
    let cases: Vec<(&str, &str, Tamper)> = vec![
        ("no credential", INVALID, Box::new(|_| Value::Null)),
        (
            "a credential that is not JSON",
            INVALID,
            Box::new(|_| json!("[[[")),
        ),
        (
            "an unknown credential",
            "NotAuthorizedException",
            Box::new(|c| {
                let mut v = assertion(c);
                v["id"] = json!("b3RoZXI");
                v["rawId"] = json!("b3RoZXI");
                v
            }),
        ),
        (
            "authenticatorData not base64url",
            INVALID,
            edit(assertion, &["response", "authenticatorData"], |_| {
                json!("@@")
            }),
        ),
        (
            "authenticatorData of 3 bytes",
            INVALID,
            edit(assertion, &["response", "authenticatorData"], |_| {
                json!("AAAA")
            }),
        ),
        (
            "signature not base64url",
            INVALID,
            edit(assertion, &["response", "signature"], |_| json!("~")),
        ),
        (
            "a signature that is not DER",
            "NotAuthorizedException",
            edit(assertion, &["response", "signature"], |_| json!("AAAA")),
        ),
        (
            "a forged signature",
            "NotAuthorizedException",
            Box::new(assertion),
        ),
        (
            "userHandle not base64url",
            INVALID,
            edit(assertion, &["response", "userHandle"], |_| json!("()")),
        ),
    ];
    for (case, kind, tamper) in &cases {
        let (session, c) = challenge();
        let responses = json!({"USERNAME": "alice", "CREDENTIAL": tamper(&c).to_string()});
        let body = json!({"ClientId": w.client_id, "ChallengeName": "WEB_AUTHN", "Session": session,
                          "ChallengeResponses": responses});
        refused(&call(&w, "RespondToAuthChallenge", &body), kind, case);
    }
    // Still serving.
    let (status, _) = call(&w, "GetUser", &json!({"AccessToken": access}));
    assert_eq!(status, 200);
}
