//! `Client::web_authn_credentials` reads every page of `ListWebAuthnCredentials`, sending each
//! `NextToken` back, and stops a server whose pages never end instead of looping forever.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::time::Duration;

use cognito_flows::{Error, ProtocolReason, UserPool};
use cognito_flows_async::{Client, DriveError, Driver};
use serde_json::{Value, json};

/// A client whose every answer is `answer(request body)`; the bodies sent are kept.
fn scripted(
    answer: impl Fn(&Value) -> Value,
) -> (
    Client<
        impl cognito_flows_async::Transport<Error = std::convert::Infallible>,
        impl cognito_flows_async::Sleep,
    >,
    std::rc::Rc<RefCell<Vec<Value>>>,
) {
    let sent = std::rc::Rc::new(RefCell::new(Vec::new()));
    let log = std::rc::Rc::clone(&sent);
    let transport = move |request: http::Request<Vec<u8>>| {
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        let reply = answer(&body);
        log.borrow_mut().push(body);
        std::future::ready(Ok::<_, std::convert::Infallible>(http::Response::new(
            reply.to_string().into_bytes(),
        )))
    };
    let pool = UserPool::new("us-east-1_AbC123", "client").unwrap();
    let driver = Driver::new(transport, |_: Duration| std::future::ready(()));
    (Client::with_driver(pool, driver), sent)
}

fn credential(id: &str) -> Value {
    json!({"CredentialId": id, "FriendlyCredentialName": id, "RelyingPartyId": "example.com",
           "AuthenticatorTransports": ["internal"], "CreatedAt": 1_795_507_507})
}

#[test]
fn every_page_is_read_in_order() {
    let (client, sent) = scripted(|body| match body.get("NextToken").and_then(Value::as_str) {
        None => json!({"Credentials": [credential("a"), credential("b")], "NextToken": "page-2"}),
        Some("page-2") => json!({"Credentials": [credential("c")], "NextToken": "page-3"}),
        Some("page-3") => json!({"Credentials": []}),
        Some(other) => panic!("unknown token {other}"),
    });
    let all = futures::executor::block_on(client.web_authn_credentials("access")).unwrap();
    let ids: Vec<_> = all.iter().map(|c| c.credential_id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let tokens: Vec<_> = sent
        .borrow()
        .iter()
        .map(|b| b.get("NextToken").cloned())
        .collect();
    assert_eq!(tokens, [None, Some(json!("page-2")), Some(json!("page-3"))]);
    assert!(
        sent.borrow()
            .iter()
            .all(|b| b["MaxResults"] == 20 && b["AccessToken"] == "access")
    );
}

#[test]
fn pages_that_loop_or_never_end_are_refused() {
    let looping = |_: &Value| json!({"Credentials": [credential("a")], "NextToken": "again"});
    let (client, sent) = scripted(looping);
    let err = futures::executor::block_on(client.web_authn_credentials("access")).unwrap_err();
    let DriveError::Auth(Error::Protocol(e)) = err else {
        panic!("{err}");
    };
    assert!(matches!(
        e.reason,
        ProtocolReason::InvalidField {
            field: "NextToken",
            ..
        }
    ));
    assert_eq!(sent.borrow().len(), 2);

    let endless = |body: &Value| {
        let n = body
            .get("NextToken")
            .and_then(Value::as_str)
            .map_or(0, |t| t.parse::<u32>().unwrap());
        json!({"Credentials": [], "NextToken": (n + 1).to_string()})
    };
    let (client, sent) = scripted(endless);
    let err = futures::executor::block_on(client.web_authn_credentials("access")).unwrap_err();
    assert!(matches!(err, DriveError::Auth(Error::Protocol(_))), "{err}");
    assert_eq!(
        sent.borrow().len(),
        cognito_flows::flows::account::Pages::MAX + 1
    );
}

#[test]
fn the_client_is_clone_like_the_blocking_one() {
    let empty = |_: http::Request<Vec<u8>>| {
        std::future::ready(Ok::<_, std::convert::Infallible>(http::Response::new(
            br#"{"Credentials": []}"#.to_vec(),
        )))
    };
    let pool = UserPool::new("us-east-1_AbC123", "client").unwrap();
    let client = Client::with_driver(
        pool,
        Driver::new(empty, |_: Duration| std::future::ready(())),
    );
    let clone = client
        .clone()
        .with_context(cognito_flows::wire::Context::default());
    let all = futures::executor::block_on(clone.web_authn_credentials("access")).unwrap();
    assert!(all.is_empty());
    assert_eq!(clone.pool().client_id(), client.pool().client_id());
}
