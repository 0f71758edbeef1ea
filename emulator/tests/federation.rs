//! Sign-in through an OpenID Connect identity provider, as Cognito's hosted UI runs it: the
//! provider is a second pool of the same emulator (its hosted UI is a real OIDC provider:
//! `/oauth2/authorize`, `/oauth2/token`, its JWKS and OpenID configuration), so the whole flow
//! stays on 127.0.0.1. The browser is played by hand: each redirect is followed by the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;

use base64::Engine as _;
use cognito_flows_emulator::{Emulator, EmulatorConfig};
use serde_json::{Value, json};

use common::{agent, ok, send};

const PASSWORD: &str = "Passw0rd!";
const CALLBACK: &str = "http://localhost:3000/callback";

/// The emulator with two pools: `upstream` (the identity provider, with the user `bob`) and
/// `app` (whose app client `web` signs in through it).
struct World {
    e: Emulator,
    base: String,
    upstream: String,
    bob_sub: String,
    pool: String,
    web: String,
}

fn client(
    e: &Emulator,
    pool: &str,
    name: &str,
    callback: &str,
    providers: &[&str],
    secret: bool,
) -> Value {
    ok(
        e,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": name, "GenerateSecret": secret,
               "CallbackURLs": [callback], "AllowedOAuthFlows": ["code"],
               "AllowedOAuthScopes": ["openid", "email", "profile"],
               "AllowedOAuthFlowsUserPoolClient": true,
               "SupportedIdentityProviders": providers}),
    )["UserPoolClient"]
        .clone()
}

fn user(e: &Emulator, pool: &str, name: &str, attributes: Value) -> String {
    let created = ok(
        e,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": name, "UserAttributes": attributes,
               "MessageAction": "SUPPRESS"}),
    );
    ok(
        e,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": name, "Password": PASSWORD, "Permanent": true}),
    );
    created["User"]["Attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "sub")
        .unwrap()["Value"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn issuer(pool: &str) -> String {
    let region = pool.split('_').next().unwrap();
    format!("https://cognito-idp.{region}.amazonaws.com/{pool}")
}

fn world() -> World {
    let e = Emulator::start(EmulatorConfig::default()).unwrap();
    let base = e.endpoint().trim_end_matches('/').to_owned();
    let upstream = ok(&e, "CreateUserPool", json!({"PoolName": "upstream"}))["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let idp_client = client(
        &e,
        &upstream,
        "idp",
        &format!("{base}/oauth2/idpresponse"),
        &["COGNITO"],
        true,
    );
    let bob_sub = user(
        &e,
        &upstream,
        "bob",
        json!([{"Name": "email", "Value": "bob@example.com"},
               {"Name": "email_verified", "Value": "true"},
               {"Name": "name", "Value": "Bob"}]),
    );
    let pool = ok(&e, "CreateUserPool", json!({"PoolName": "app"}))["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let details = json!({
        "client_id": idp_client["ClientId"], "client_secret": idp_client["ClientSecret"],
        "authorize_scopes": "openid email profile", "attributes_request_method": "GET",
        "oidc_issuer": issuer(&upstream),
        "authorize_url": format!("{base}/oauth2/authorize"),
        "token_url": format!("{base}/oauth2/token"),
        "attributes_url": format!("{base}/oauth2/userInfo"),
        "jwks_uri": format!("{base}/{upstream}/.well-known/jwks.json"),
    });
    let mapping = json!({"email": "email", "email_verified": "email_verified", "name": "name"});
    ok(
        &e,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Upstream", "ProviderType": "OIDC",
               "ProviderDetails": details, "AttributeMapping": mapping,
               "IdpIdentifiers": ["upstream.example"]}),
    );
    // The same provider, but its endpoints found from its issuer's OpenID configuration, on
    // 127.0.0.1: the issuer the tokens name is the AWS one, so its tokens fail the check.
    ok(
        &e,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Discovered", "ProviderType": "OIDC",
               "ProviderDetails": {"client_id": idp_client["ClientId"],
                                   "client_secret": idp_client["ClientSecret"],
                                   "authorize_scopes": "openid email",
                                   "attributes_request_method": "GET",
                                   "oidc_issuer": format!("{base}/{upstream}")},
               "AttributeMapping": {"email": "email"}}),
    );
    // A provider elsewhere than on this machine: the emulator does not call it.
    ok(
        &e,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Remote", "ProviderType": "OIDC",
               "ProviderDetails": {"client_id": "c", "authorize_scopes": "openid",
                                   "attributes_request_method": "GET",
                                   "oidc_issuer": "http://idp.example.invalid"}}),
    );
    // A provider the app client does not offer.
    ok(
        &e,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Other", "ProviderType": "OIDC",
               "ProviderDetails": details}),
    );
    let web = client(
        &e,
        &pool,
        "web",
        CALLBACK,
        &["COGNITO", "Upstream", "Discovered", "Remote"],
        false,
    )["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        e,
        base,
        upstream,
        bob_sub,
        pool,
        web,
    }
}

/// One answer: status, `Location`, body; the browser's cookies are kept in `jar`.
struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

fn get(jar: &mut BTreeMap<String, String>, url: &str) -> Page {
    let cookie: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let request = http::Request::get(url)
        .header("Cookie", cookie.join("; "))
        .body(Vec::new())
        .unwrap();
    let response = send(&agent(), request);
    for c in response.headers().get_all("set-cookie") {
        let (pair, _) = c.to_str().unwrap().split_once(';').unwrap();
        let (k, v) = pair.split_once('=').unwrap();
        if v.is_empty() {
            jar.remove(k);
        } else {
            jar.insert(k.into(), v.into());
        }
    }
    Page {
        status: response.status().as_u16(),
        location: response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned()),
        body: String::from_utf8(response.body().clone()).unwrap(),
    }
}

fn query_of(location: &str) -> BTreeMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl World {
    fn authorize(&self, provider: (&str, &str)) -> String {
        format!(
            "{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope={}&state=app-state&{}={}",
            self.base,
            self.web,
            enc(CALLBACK),
            enc("openid email"),
            provider.0,
            enc(provider.1)
        )
    }

    /// The browser from the app's `/oauth2/authorize` to the provider's sign-in, signed in there
    /// as `bob` (the provider's scripted sign-in), back at `/oauth2/idpresponse`: its answer.
    /// `tamper` changes the request to the provider as a hostile browser would.
    fn through_provider(
        &self,
        jar: &mut BTreeMap<String, String>,
        provider: &str,
        tamper: impl Fn(&mut BTreeMap<String, String>),
    ) -> Page {
        let start = get(jar, &self.authorize(("identity_provider", provider)));
        assert_eq!(start.status, 302, "{}", start.body);
        let to_provider = start.location.unwrap();
        let mut q = query_of(&to_provider);
        tamper(&mut q);
        q.insert("username".into(), "bob".into());
        q.insert("password".into(), PASSWORD.into());
        let mut url = url::Url::parse(&to_provider).unwrap();
        url.query_pairs_mut().clear().extend_pairs(&q);
        let back = get(jar, url.as_str());
        assert_eq!(back.status, 302, "{}", back.body);
        let back = back.location.unwrap();
        assert!(
            back.starts_with(&format!("{}/oauth2/idpresponse?", self.base)),
            "{back}"
        );
        get(jar, &back)
    }

    /// A whole federated sign-in: the app's code exchanged for tokens; the id token's claims.
    fn sign_in(&self) -> Value {
        claims(self.tokens()["id_token"].as_str().unwrap())
    }

    /// `/oauth2/token` with `form`: the JSON answer, which must be 200.
    fn token_endpoint(&self, form: String) -> Value {
        let request = http::Request::post(format!("{}/oauth2/token", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.into_bytes())
            .unwrap();
        let response = send(&agent(), request);
        assert_eq!(response.status(), 200);
        serde_json::from_slice(response.body()).unwrap()
    }

    /// A whole federated sign-in: the tokens of `/oauth2/token`.
    fn tokens(&self) -> Value {
        let mut jar = BTreeMap::new();
        let done = self.through_provider(&mut jar, "Upstream", |_| {});
        assert_eq!(done.status, 302, "{}", done.body);
        let location = done.location.unwrap();
        assert!(location.starts_with(CALLBACK), "{location}");
        let q = query_of(&location);
        assert_eq!(q["state"], "app-state");
        let form = format!(
            "grant_type=authorization_code&client_id={}&code={}&redirect_uri={}",
            self.web,
            enc(&q["code"]),
            enc(CALLBACK)
        );
        self.token_endpoint(form)
    }

    fn users(&self) -> Vec<Value> {
        ok(&self.e, "ListUsers", json!({"UserPoolId": self.pool}))["Users"]
            .as_array()
            .unwrap()
            .clone()
    }
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn attribute(user: &Value, name: &str) -> Option<String> {
    user["UserAttributes"]
        .as_array()
        .or_else(|| user["Attributes"].as_array())
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .map(|a| a["Value"].as_str().unwrap().to_owned())
}

/// `identity_provider=` skips the login page: the browser goes to the provider's authorization
/// endpoint with the provider's client, the emulator's `/oauth2/idpresponse`, a state and a
/// nonce; `idp_identifier=` finds the same provider by its identifier.
#[test]
fn authorize_with_a_provider_redirects_to_the_provider() {
    let w = world();
    for provider in [
        ("identity_provider", "Upstream"),
        ("idp_identifier", "upstream.example"),
    ] {
        let page = get(&mut BTreeMap::new(), &w.authorize(provider));
        assert_eq!(page.status, 302, "{provider:?}: {}", page.body);
        let location = page.location.unwrap();
        assert!(
            location.starts_with(&format!("{}/oauth2/authorize?", w.base)),
            "{location}"
        );
        let q = query_of(&location);
        assert_ne!(q["client_id"], w.web);
        assert_eq!(q["redirect_uri"], format!("{}/oauth2/idpresponse", w.base));
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["scope"], "openid email profile");
        assert!(q["state"].len() >= 16 && q["state"] != "app-state");
        assert!(q["nonce"].len() >= 16);
    }
}

/// The login page offers the app client's OIDC providers, as links to `/oauth2/authorize` with
/// `identity_provider`.
#[test]
fn the_login_page_offers_the_providers() {
    let w = world();
    let url = format!(
        "{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&state=s",
        w.base,
        w.web,
        enc(CALLBACK)
    );
    let page = get(&mut BTreeMap::new(), &url);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(">Sign in with Upstream</a>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("identity_provider=Upstream"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Sign in with Discovered</a>"));
    assert!(!page.body.contains("Sign in with Other"));
}

/// The first federated sign-in creates `Upstream_<sub>` (EXTERNAL_PROVIDER, mapped attributes,
/// `identities`); its tokens say so. The second finds the same user and updates what the
/// provider changed.
#[test]
fn a_federated_sign_in_creates_the_user_then_finds_it() {
    let w = world();
    let id = w.sign_in();
    let username = format!("Upstream_{}", w.bob_sub);
    assert_eq!(id["cognito:username"], username.as_str());
    assert_eq!(id["email"], "bob@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Bob");
    assert_eq!(id["aud"], w.web.as_str());
    assert_ne!(id["sub"], w.bob_sub.as_str(), "the pool's own sub");
    let identities = id["identities"].as_array().expect("identities: an array");
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0]["userId"], w.bob_sub.as_str());
    assert_eq!(identities[0]["providerName"], "Upstream");
    assert_eq!(identities[0]["providerType"], "OIDC");
    assert_eq!(identities[0]["primary"], "true");
    let group = format!("{}_Upstream", w.pool);
    assert_eq!(id["cognito:groups"], json!([group]));

    let user = ok(
        &w.e,
        "AdminGetUser",
        json!({"UserPoolId": w.pool, "Username": username}),
    );
    assert_eq!(user["UserStatus"], "EXTERNAL_PROVIDER");
    assert_eq!(
        attribute(&user, "email").as_deref(),
        Some("bob@example.com")
    );
    let shown: Value = serde_json::from_str(&attribute(&user, "identities").unwrap()).unwrap();
    assert_eq!(shown[0]["providerName"], "Upstream");
    let groups = ok(
        &w.e,
        "AdminListGroupsForUser",
        json!({"UserPoolId": w.pool, "Username": username}),
    );
    assert_eq!(groups["Groups"][0]["GroupName"], group.as_str());
    // No password signs the federated user in.
    let (status, answer) = common::call(
        w.e.endpoint(),
        "AdminInitiateAuth",
        &json!({"UserPoolId": w.pool, "ClientId": w.web, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": username, "PASSWORD": ""}}),
    );
    assert_eq!(status, 400, "{answer}");

    ok(
        &w.e,
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": w.upstream, "Username": "bob",
               "UserAttributes": [{"Name": "name", "Value": "Robert"}]}),
    );
    let tokens = w.tokens();
    let again = claims(tokens["id_token"].as_str().unwrap());
    let access = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(access["username"], username.as_str());
    assert_eq!(access["cognito:groups"], json!([group]));
    // The refresh keeps who signed in.
    let refreshed = w.token_endpoint(format!(
        "grant_type=refresh_token&client_id={}&refresh_token={}",
        w.web,
        enc(tokens["refresh_token"].as_str().unwrap())
    ));
    let refreshed = claims(refreshed["id_token"].as_str().unwrap());
    assert_eq!(refreshed["cognito:username"], username.as_str());
    assert_eq!(refreshed["identities"][0]["providerName"], "Upstream");
    assert_eq!(again["cognito:username"], username.as_str());
    assert_eq!(again["sub"], id["sub"]);
    assert_eq!(again["name"], "Robert");
    assert_eq!(w.users().len(), 1);
}

/// An identity linked to a native user (AdminLinkProviderForUser) signs that user in: no
/// federated user is made, until the link is removed.
#[test]
fn a_linked_identity_signs_the_native_user_in() {
    let w = world();
    let alice_sub = user(
        &w.e,
        &w.pool,
        "alice",
        json!([{"Name": "email", "Value": "alice@example.com"}]),
    );
    ok(
        &w.e,
        "AdminLinkProviderForUser",
        json!({"UserPoolId": w.pool,
               "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "alice"},
               "SourceUser": {"ProviderName": "Upstream",
                              "ProviderAttributeName": "Cognito_Subject",
                              "ProviderAttributeValue": w.bob_sub}}),
    );
    let id = w.sign_in();
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["sub"], alice_sub.as_str());
    // The provider's mapped attributes are written to the linked user too.
    let alice = ok(
        &w.e,
        "AdminGetUser",
        json!({"UserPoolId": w.pool, "Username": "alice"}),
    );
    assert_eq!(attribute(&alice, "name").as_deref(), Some("Bob"));
    assert_eq!(alice["UserStatus"], "CONFIRMED");
    assert_eq!(id["identities"][0]["userId"], w.bob_sub.as_str());
    assert_eq!(w.users().len(), 1, "{:?}", w.users());
    // Unlinked (AdminDisableProviderForUser), the identity signs in as a federated user of its
    // own.
    ok(
        &w.e,
        "AdminDisableProviderForUser",
        json!({"UserPoolId": w.pool,
               "User": {"ProviderName": "Upstream", "ProviderAttributeName": "Cognito_Subject",
                        "ProviderAttributeValue": w.bob_sub}}),
    );
    let id = w.sign_in();
    assert_eq!(
        id["cognito:username"],
        format!("Upstream_{}", w.bob_sub).as_str()
    );
    assert_eq!(w.users().len(), 2);
}

/// What Cognito's hosted UI refuses: an unknown provider, one the app client does not offer, a
/// state it did not issue (or one used already), an id token whose nonce or issuer is wrong.
/// None of them gives a code.
#[test]
fn refusals_give_an_error_page_and_never_a_code() {
    let w = world();
    for provider in ["Nope", "Other"] {
        let page = get(
            &mut BTreeMap::new(),
            &w.authorize(("identity_provider", provider)),
        );
        assert_eq!(page.status, 400, "{provider}: {}", page.body);
        assert!(page.location.is_none());
        assert!(
            page.body.contains("Login option is not available"),
            "{}",
            page.body
        );
    }
    // Only 127.0.0.1, localhost and the allowed hosts are called.
    let page = get(
        &mut BTreeMap::new(),
        &w.authorize(("identity_provider", "Remote")),
    );
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.location.is_none());
    assert!(
        page.body.contains("allowed hosts, not idp.example.invalid"),
        "{}",
        page.body
    );
    let page = get(
        &mut BTreeMap::new(),
        &format!("{}/oauth2/idpresponse?code=abc&state=made-up", w.base),
    );
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.location.is_none());

    // A nonce changed on the way to the provider: its id token names another.
    let mut jar = BTreeMap::new();
    let page = w.through_provider(&mut jar, "Upstream", |q| {
        q.insert("nonce".into(), "forged".into());
    });
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.location.is_none());
    assert!(page.body.contains("nonce"), "{}", page.body);

    // A native user who has the federated user's name is not signed in by the provider.
    user(&w.e, &w.pool, &format!("Upstream_{}", w.bob_sub), json!([]));
    let page = w.through_provider(&mut BTreeMap::new(), "Upstream", |_| {});
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.location.is_none());
    ok(
        &w.e,
        "AdminDeleteUser",
        json!({"UserPoolId": w.pool, "Username": format!("Upstream_{}", w.bob_sub)}),
    );

    // Endpoints from the issuer's OpenID configuration; the token's issuer is not that issuer.
    let page = w.through_provider(&mut BTreeMap::new(), "Discovered", |_| {});
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.location.is_none());
    assert!(page.body.contains("issuer"), "{}", page.body);
    assert!(w.users().is_empty(), "{:?}", w.users());

    // The state of a sign-in that went through is used: the answer replayed is refused.
    let mut jar = BTreeMap::new();
    let start = get(&mut jar, &w.authorize(("identity_provider", "Upstream")));
    let mut url = url::Url::parse(&start.location.unwrap()).unwrap();
    url.query_pairs_mut()
        .append_pair("username", "bob")
        .append_pair("password", PASSWORD);
    let back = get(&mut jar, url.as_str()).location.unwrap();
    assert_eq!(get(&mut jar, &back).status, 302);
    let replayed = get(&mut jar, &back);
    assert_eq!(replayed.status, 400, "{}", replayed.body);
    assert!(replayed.location.is_none());
    // The state is bound to the browser that started the sign-in.
    let start = get(&mut jar, &w.authorize(("identity_provider", "Upstream")));
    let mut url = url::Url::parse(&start.location.unwrap()).unwrap();
    url.query_pairs_mut()
        .append_pair("username", "bob")
        .append_pair("password", PASSWORD);
    let back = get(&mut jar, url.as_str()).location.unwrap();
    let elsewhere = get(&mut BTreeMap::new(), &back);
    assert_eq!(elsewhere.status, 400, "{}", elsewhere.body);
    assert!(elsewhere.location.is_none());
}
