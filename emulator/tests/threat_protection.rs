//! Threat protection over HTTP: SetRiskConfiguration and DescribeRiskConfiguration for a pool
//! and an app client, the IP lists and compromised-credentials blocking applied to sign-ins, the
//! sign-ins recorded and listed by AdminListUserAuthEvents, and the feedback calls. Each
//! operation answers and refuses as Cognito does; the configuration survives a restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use cognito_flows_emulator::ClientConfig;
use cognito_flows_testkit::emulator::{self, Fixture, Options};
use common::{ok, refused};
use serde_json::{Value, json};

const BLOCKED: &str = "Unable to login because of security reasons.";
const COMPROMISED: &str = "Compromised-Passw0rd!";
const SOURCE: &str = "arn:aws:ses:us-east-1:000000000000:identity/security@example.com";

/// A USER_PASSWORD_AUTH sign-in, from `ip` when given (`UserContextData.IpAddress`).
fn sign_in(f: &Fixture, user: &str, password: &str, ip: Option<&str>) -> (u16, Value) {
    let mut body = json!({"ClientId": f.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                          "AuthParameters": {"USERNAME": user, "PASSWORD": password}});
    if let Some(ip) = ip {
        body["UserContextData"] = json!({"IpAddress": ip});
    }
    f.call("InitiateAuth", &body)
}

fn set(f: &Fixture, config: Value) -> Value {
    let mut body = config;
    body["UserPoolId"] = json!(f.pool_id);
    ok(&f.emulator, "SetRiskConfiguration", body)["RiskConfiguration"].clone()
}

fn events(f: &Fixture, user: &str) -> Vec<Value> {
    ok(
        &f.emulator,
        "AdminListUserAuthEvents",
        json!({"UserPoolId": f.pool_id, "Username": user}),
    )["AuthEvents"]
        .as_array()
        .unwrap()
        .clone()
}

fn alice() -> Fixture {
    Fixture::start(
        Options::default()
            .user("alice", "Passw0rd!", &[("email", "alice@example.com")])
            .user("mallory", COMPROMISED, &[("email", "mallory@example.com")]),
    )
}

#[test]
fn risk_configuration_is_set_and_described_for_the_pool_and_a_client() {
    let f = alice();
    let e = &f.emulator;
    let pool_level = json!({
        "CompromisedCredentialsRiskConfiguration": {
            "EventFilter": ["SIGN_IN", "SIGN_UP"], "Actions": {"EventAction": "BLOCK"}},
        "AccountTakeoverRiskConfiguration": {
            "NotifyConfiguration": {"SourceArn": SOURCE, "From": "security@example.com",
                                    "BlockEmail": {"Subject": "Blocked", "TextBody": "We blocked a sign-in."}},
            "Actions": {"HighAction": {"Notify": true, "EventAction": "BLOCK"}}},
        "RiskExceptionConfiguration": {"BlockedIPRangeList": ["192.0.2.0/24"],
                                       "SkippedIPRangeList": ["10.0.0.0/8"]},
    });
    let set_answer = set(&f, pool_level.clone());
    let described = ok(
        e,
        "DescribeRiskConfiguration",
        json!({"UserPoolId": f.pool_id}),
    )["RiskConfiguration"]
        .clone();
    assert_eq!(described, set_answer);
    for key in [
        "CompromisedCredentialsRiskConfiguration",
        "AccountTakeoverRiskConfiguration",
        "RiskExceptionConfiguration",
    ] {
        assert_eq!(described[key], pool_level[key], "{key}");
    }
    assert!(described["LastModifiedDate"].is_number());
    assert!(described.get("ClientId").is_none());
    // A client without its own configuration has the pool's.
    let by_client = json!({"UserPoolId": f.pool_id, "ClientId": f.client_id});
    let inherited =
        ok(e, "DescribeRiskConfiguration", by_client.clone())["RiskConfiguration"].clone();
    assert_eq!(inherited["ClientId"], "ALL");
    assert_eq!(
        inherited["RiskExceptionConfiguration"],
        pool_level["RiskExceptionConfiguration"]
    );
    // Its own replaces it, and setting only the ids gives the pool's back.
    let own = json!({"ClientId": f.client_id,
                     "RiskExceptionConfiguration": {"BlockedIPRangeList": ["198.51.100.0/24"]}});
    set(&f, own);
    let client_level =
        ok(e, "DescribeRiskConfiguration", by_client.clone())["RiskConfiguration"].clone();
    assert_eq!(client_level["ClientId"], json!(f.client_id));
    assert_eq!(
        client_level["RiskExceptionConfiguration"],
        json!({"BlockedIPRangeList": ["198.51.100.0/24"]})
    );
    assert!(
        client_level
            .get("CompromisedCredentialsRiskConfiguration")
            .is_none()
    );
    set(&f, json!({"ClientId": f.client_id}));
    let back = ok(e, "DescribeRiskConfiguration", by_client)["RiskConfiguration"].clone();
    assert_eq!(back["ClientId"], "ALL");
    // Only the pool id: the pool's goes back to the defaults.
    let defaults = set(&f, json!({}));
    assert_eq!(defaults["UserPoolId"], json!(f.pool_id));
    assert!(defaults.get("RiskExceptionConfiguration").is_none());
    assert!(
        defaults
            .get("CompromisedCredentialsRiskConfiguration")
            .is_none()
    );
}

#[test]
fn set_and_describe_risk_configuration_refuse_bad_input_and_unknown_resources() {
    let f = alice();
    let e = &f.emulator;
    let pool = &f.pool_id;
    for (body, expected) in [
        (
            json!({"UserPoolId": "us-east-1_nowhere"}),
            "ResourceNotFoundException",
        ),
        (
            json!({"UserPoolId": pool, "ClientId": "nope"}),
            "ResourceNotFoundException",
        ),
        (
            json!({"UserPoolId": pool, "RiskExceptionConfiguration": {"BlockedIPRangeList": ["300.1.2.3/8"]}}),
            "InvalidParameterException",
        ),
        (
            json!({"UserPoolId": pool, "RiskExceptionConfiguration": {"SkippedIPRangeList": ["10.0.0.0/33"]}}),
            "InvalidParameterException",
        ),
        (
            json!({"UserPoolId": pool, "CompromisedCredentialsRiskConfiguration": {"Actions": {"EventAction": "ALLOW"}}}),
            "InvalidParameterException",
        ),
        (
            json!({"UserPoolId": pool, "CompromisedCredentialsRiskConfiguration": {}}),
            "InvalidParameterException",
        ),
        (
            json!({"UserPoolId": pool, "AccountTakeoverRiskConfiguration": {"Actions": {"LowAction": {"EventAction": "BLOCK"}}}}),
            "InvalidParameterException",
        ),
    ] {
        assert_eq!(
            refused(e, "SetRiskConfiguration", body.clone()),
            expected,
            "{body}"
        );
    }
    assert_eq!(
        refused(
            e,
            "DescribeRiskConfiguration",
            json!({"UserPoolId": "us-east-1_nowhere"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            e,
            "DescribeRiskConfiguration",
            json!({"UserPoolId": pool, "ClientId": "nope"})
        ),
        "ResourceNotFoundException"
    );
}

#[test]
fn a_blocked_ip_range_blocks_sign_in_and_a_skipped_one_is_not_checked() {
    let f = alice();
    set(
        &f,
        json!({"RiskExceptionConfiguration": {"BlockedIPRangeList": ["203.0.113.0/24", "2001:db8::/32"],
                                              "SkippedIPRangeList": ["198.51.100.0/24"]},
               "CompromisedCredentialsRiskConfiguration": {"Actions": {"EventAction": "BLOCK"}}}),
    );
    for ip in ["203.0.113.9", "2001:db8::1"] {
        let (status, answer) = sign_in(&f, "alice", "Passw0rd!", Some(ip));
        assert_eq!(status, 400, "{ip}");
        assert_eq!(answer["__type"], "NotAuthorizedException");
        assert_eq!(answer["message"], BLOCKED);
    }
    // A blocked address learns nothing of which users exist.
    let (status, answer) = sign_in(&f, "nobody", "Passw0rd!", Some("203.0.113.9"));
    assert_eq!((status, answer["message"].as_str()), (400, Some(BLOCKED)));
    assert_eq!(
        sign_in(&f, "alice", "Passw0rd!", Some("203.0.114.1")).0,
        200
    );
    assert_eq!(sign_in(&f, "alice", "Passw0rd!", None).0, 200);
    // The admin API gives the address in ContextData.
    let (status, answer) = f.call(
        "AdminInitiateAuth",
        &json!({"UserPoolId": f.pool_id, "ClientId": f.client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
                "ContextData": {"IpAddress": "203.0.113.200", "ServerName": "app", "ServerPath": "/login",
                                "HttpHeaders": []}}),
    );
    assert_eq!((status, answer["message"].as_str()), (400, Some(BLOCKED)));
    // A skipped address is not checked for compromised credentials either.
    assert_eq!(
        sign_in(&f, "mallory", COMPROMISED, Some("198.51.100.4")).0,
        200
    );
    let listed = events(&f, "alice");
    assert_eq!(listed.len(), 5);
    // Newest first: the admin sign-in from 203.0.113.200.
    assert_eq!(listed[0]["EventResponse"], "Fail");
    assert_eq!(listed[0]["EventRisk"]["RiskDecision"], "Block");
    assert_eq!(listed[0]["EventContextData"]["IpAddress"], "203.0.113.200");
    assert_eq!(listed[1]["EventResponse"], "Pass");
    assert_eq!(listed[1]["EventContextData"]["IpAddress"], "127.0.0.1");
    assert_eq!(listed[1]["EventRisk"]["RiskDecision"], "NoRisk");
    assert_eq!(listed[4]["EventContextData"]["IpAddress"], "203.0.113.9");
    // Loopback itself can be blocked: what a sign-in without context data comes from.
    set(
        &f,
        json!({"RiskExceptionConfiguration": {"BlockedIPRangeList": ["127.0.0.1/32"]}}),
    );
    assert_eq!(
        sign_in(&f, "alice", "Passw0rd!", None).1["message"],
        BLOCKED
    );
}

#[test]
fn compromised_credentials_block_the_sign_in_and_require_a_reset() {
    let f = alice();
    let e = &f.emulator;
    set(
        &f,
        json!({"CompromisedCredentialsRiskConfiguration": {"EventFilter": ["SIGN_IN"],
                                                           "Actions": {"EventAction": "BLOCK"}}}),
    );
    // A wrong password is just wrong, compromised or not.
    let (status, answer) = sign_in(&f, "alice", COMPROMISED, None);
    assert_eq!(
        (status, answer["message"].as_str()),
        (400, Some("Incorrect username or password."))
    );
    let (status, answer) = sign_in(&f, "mallory", COMPROMISED, None);
    assert_eq!(status, 400);
    assert_eq!(answer["__type"], "NotAuthorizedException");
    assert_eq!(answer["message"], BLOCKED);
    let mallory = ok(
        e,
        "AdminGetUser",
        json!({"UserPoolId": f.pool_id, "Username": "mallory"}),
    );
    assert_eq!(mallory["UserStatus"], "RESET_REQUIRED");
    let listed = events(&f, "mallory");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["EventType"], "SignIn");
    assert_eq!(listed[0]["EventResponse"], "Fail");
    assert_eq!(
        listed[0]["EventRisk"],
        json!({"RiskDecision": "Block", "CompromisedCredentialsDetected": true})
    );
    let failed = &events(&f, "alice")[0];
    assert_eq!(failed["EventRisk"]["CompromisedCredentialsDetected"], false);
    assert_eq!(
        failed["ChallengeResponses"],
        json!([{"ChallengeName": "Password", "ChallengeResponse": "Failure"}])
    );
}

#[test]
fn compromised_credentials_with_no_action_or_another_event_filter_are_only_recorded() {
    let f = alice();
    set(
        &f,
        json!({"CompromisedCredentialsRiskConfiguration": {"Actions": {"EventAction": "NO_ACTION"}}}),
    );
    assert_eq!(sign_in(&f, "mallory", COMPROMISED, None).0, 200);
    let event = &events(&f, "mallory")[0];
    assert_eq!(event["EventResponse"], "Pass");
    assert_eq!(
        event["EventRisk"],
        json!({"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": true})
    );
    set(
        &f,
        json!({"CompromisedCredentialsRiskConfiguration": {"EventFilter": ["SIGN_UP"],
                                                           "Actions": {"EventAction": "BLOCK"}}}),
    );
    assert_eq!(sign_in(&f, "mallory", COMPROMISED, None).0, 200);
}

#[test]
fn every_sign_in_is_recorded_with_its_challenges_and_listed_in_pages() {
    let f = alice();
    let e = &f.emulator;
    // Recorded before threat protection is configured; listed once it is.
    assert_eq!(sign_in(&f, "alice", "Passw0rd!", None).0, 200);
    assert_eq!(
        refused(
            e,
            "AdminListUserAuthEvents",
            json!({"UserPoolId": f.pool_id, "Username": "alice"})
        ),
        "UserPoolAddOnNotEnabledException"
    );
    set(&f, json!({}));
    assert_eq!(sign_in(&f, "alice", "wrong", None).0, 400);
    // An SRP sign-in through the library: InitiateAuth, then the PASSWORD_VERIFIER answer.
    let signed_in = f.drive(
        cognito_flows::SignIn::user_srp(
            &f.pool,
            "alice",
            "Passw0rd!",
            cognito_flows::Entropy::from([9; 32]),
        ),
        |_| panic!("no prompt expected"),
    );
    assert!(signed_in.is_ok(), "{signed_in:?}");
    let listed = events(&f, "alice");
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["EventResponse"], "Pass");
    assert_eq!(
        listed[0]["ChallengeResponses"],
        json!([{"ChallengeName": "Password", "ChallengeResponse": "Success"}])
    );
    assert_eq!(listed[1]["EventResponse"], "Fail");
    assert_eq!(listed[2]["EventResponse"], "Pass");
    assert!(
        listed
            .iter()
            .all(|e| e["CreationDate"].is_number() && e["EventId"].is_string())
    );
    let first = ok(
        e,
        "AdminListUserAuthEvents",
        json!({"UserPoolId": f.pool_id, "Username": "alice@example.com", "MaxResults": 2}),
    );
    assert_eq!(first["AuthEvents"].as_array().unwrap().len(), 2);
    let rest = ok(
        e,
        "AdminListUserAuthEvents",
        json!({"UserPoolId": f.pool_id, "Username": "alice", "MaxResults": 2,
               "NextToken": first["NextToken"]}),
    );
    assert_eq!(rest["AuthEvents"][0]["EventId"], listed[2]["EventId"]);
    assert!(rest.get("NextToken").is_none());
    assert_eq!(
        refused(
            e,
            "AdminListUserAuthEvents",
            json!({"UserPoolId": f.pool_id, "Username": "nobody"})
        ),
        "UserNotFoundException"
    );
    assert_eq!(
        refused(
            e,
            "AdminListUserAuthEvents",
            json!({"UserPoolId": "us-east-1_nowhere", "Username": "alice"})
        ),
        "ResourceNotFoundException"
    );
}

#[test]
fn admin_feedback_is_kept_on_the_event() {
    let f = alice();
    let e = &f.emulator;
    let body = |event: &str| json!({"UserPoolId": f.pool_id, "Username": "alice", "EventId": event, "FeedbackValue": "Invalid"});
    assert_eq!(
        refused(e, "AdminUpdateAuthEventFeedback", body("event-1")),
        "UserPoolAddOnNotEnabledException"
    );
    set(&f, json!({}));
    sign_in(&f, "alice", "Passw0rd!", None);
    let id = events(&f, "alice")[0]["EventId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        refused(e, "AdminUpdateAuthEventFeedback", body("event-1")),
        "ResourceNotFoundException"
    );
    let mut bad = body(&id);
    bad["FeedbackValue"] = json!("invalid");
    assert_eq!(
        refused(e, "AdminUpdateAuthEventFeedback", bad),
        "InvalidParameterException"
    );
    ok(e, "AdminUpdateAuthEventFeedback", body(&id));
    let feedback = &events(&f, "alice")[0]["EventFeedback"];
    assert_eq!(feedback["FeedbackValue"], "Invalid");
    assert_eq!(feedback["Provider"], "Admin");
    assert!(feedback["FeedbackDate"].is_number());
}

#[test]
fn a_blocked_sign_in_notifies_the_user_whose_feedback_token_updates_the_event() {
    let f = alice();
    let e = &f.emulator;
    set(
        &f,
        json!({"AccountTakeoverRiskConfiguration": {"NotifyConfiguration": {"SourceArn": SOURCE},
                                                    "Actions": {}},
               "RiskExceptionConfiguration": {"BlockedIPRangeList": ["192.0.2.1"]}}),
    );
    assert_eq!(
        sign_in(&f, "alice", "Passw0rd!", Some("192.0.2.1")).1["message"],
        BLOCKED
    );
    let token = f.code("alice");
    let id = events(&f, "alice")[0]["EventId"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = |token: &str| {
        json!({"UserPoolId": f.pool_id, "Username": "alice", "EventId": id,
               "FeedbackToken": token, "FeedbackValue": "Valid"})
    };
    assert_eq!(
        refused(e, "UpdateAuthEventFeedback", body("forged.token")),
        "NotAuthorizedException"
    );
    ok(e, "UpdateAuthEventFeedback", body(&token));
    let feedback = &events(&f, "alice")[0]["EventFeedback"];
    assert_eq!(feedback["FeedbackValue"], "Valid");
    assert_eq!(feedback["Provider"], "User");
}

#[test]
fn risk_configurations_survive_a_restart() {
    let dir = emulator::TempDir::new("emulator-threat-protection");
    let f = Fixture::start(Options::default().emulator(dir.config()));
    let other = f.another_client(ClientConfig::default());
    set(
        &f,
        json!({"RiskExceptionConfiguration": {"BlockedIPRangeList": ["127.0.0.1/32"]},
               "CompromisedCredentialsRiskConfiguration": {"Actions": {"EventAction": "BLOCK"}}}),
    );
    set(
        &f,
        json!({"ClientId": other.client_id(), "RiskExceptionConfiguration": {"SkippedIPRangeList": ["10.0.0.0/8"]}}),
    );
    let describe = |f: &Fixture, client: Option<&str>| {
        let mut body = json!({"UserPoolId": f.pool_id});
        if let Some(c) = client {
            body["ClientId"] = json!(c);
        }
        ok(&f.emulator, "DescribeRiskConfiguration", body)["RiskConfiguration"].clone()
    };
    let before = (describe(&f, None), describe(&f, Some(other.client_id())));
    let f = f.restart();
    assert_eq!(
        (describe(&f, None), describe(&f, Some(other.client_id()))),
        before
    );
    f.add_user("erin", "Passw0rd!", &[]);
    assert_eq!(sign_in(&f, "erin", "Passw0rd!", None).1["message"], BLOCKED);
}

/// The hosted UI's login page by hand: GET the page (its CSRF cookie and hidden fields), POST
/// the form. The answer: status and body.
fn hosted_sign_in(f: &Fixture, user: &str, password: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let base = f.endpoint().trim_end_matches('/');
    let query = format!(
        "/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&state=s\
         &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        f.client_id, "http%3A%2F%2Flocalhost%3A3000%2Fcallback"
    );
    let mut page = agent.get(format!("{base}{query}")).call().unwrap();
    let cookies: Vec<String> = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let body = page.body_mut().read_to_string().unwrap();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut rest = body.as_str();
    while let Some(at) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[at + 27..];
        let name = &rest[..rest.find('"').unwrap()];
        let value_at = rest.find("value=\"").unwrap() + 7;
        let value = &rest[value_at..value_at + rest[value_at..].find('"').unwrap()];
        let value = value.replace("&quot;", "\"").replace("&amp;", "&");
        fields.push((name.to_owned(), value));
    }
    fields.push(("username".into(), user.into()));
    fields.push(("password".into(), password.into()));
    let form: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut answer = agent
        .post(format!("{base}/login"))
        .header("Cookie", cookies.join("; "))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form)
        .unwrap();
    let status = answer.status().as_u16();
    (
        status,
        answer.body_mut().read_to_string().unwrap_or_default(),
    )
}

#[test]
fn hosted_ui_sign_ins_are_recorded_and_blocked_too() {
    let f = Fixture::start(
        Options::default()
            .user("alice", "Passw0rd!", &[("email", "alice@example.com")])
            .user("mallory", COMPROMISED, &[])
            .client(ClientConfig {
                callback_urls: vec!["http://localhost:3000/callback".into()],
                ..ClientConfig::default()
            }),
    );
    set(
        &f,
        json!({"CompromisedCredentialsRiskConfiguration": {"Actions": {"EventAction": "BLOCK"}}}),
    );
    assert_eq!(hosted_sign_in(&f, "alice", "Passw0rd!").0, 302);
    let (status, page) = hosted_sign_in(&f, "alice", "wrong");
    assert_ne!(status, 302);
    assert!(page.contains("Incorrect username or password."));
    let (_, page) = hosted_sign_in(&f, "mallory", COMPROMISED);
    assert!(page.contains(BLOCKED), "{page}");
    // The scripted authorize (username and password in the query) is screened too.
    let scripted = |user: &str, password: &str| {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let url = format!(
            "{}oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&username={user}&password={}",
            f.endpoint(),
            f.client_id,
            "http%3A%2F%2Flocalhost%3A3000%2Fcallback",
            url::form_urlencoded::byte_serialize(password.as_bytes()).collect::<String>()
        );
        let response = agent.get(url).call().unwrap();
        response
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert!(scripted("alice", "Passw0rd!").contains("code="));
    set(
        &f,
        json!({"RiskExceptionConfiguration": {"BlockedIPRangeList": ["127.0.0.0/8"]}}),
    );
    let refused_there = scripted("alice", "Passw0rd!");
    assert!(
        refused_there.contains("error=access_denied"),
        "{refused_there}"
    );
    assert!(
        refused_there.contains("security+reasons"),
        "{refused_there}"
    );
    let listed = events(&f, "alice");
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0]["EventRisk"]["RiskDecision"], "Block");
    assert_eq!(listed[1]["EventResponse"], "Pass");
    let listed = &listed[2..];
    assert_eq!(listed[0]["EventResponse"], "Fail");
    assert_eq!(
        listed[0]["ChallengeResponses"],
        json!([{"ChallengeName": "Password", "ChallengeResponse": "Failure"}])
    );
    assert_eq!(listed[1]["EventResponse"], "Pass");
    assert_eq!(listed[1]["EventContextData"]["IpAddress"], "127.0.0.1");
    let blocked = &events(&f, "mallory")[0];
    assert_eq!(blocked["EventRisk"]["RiskDecision"], "Block");
    let mallory = ok(
        &f.emulator,
        "AdminGetUser",
        json!({"UserPoolId": f.pool_id, "Username": "mallory"}),
    );
    assert_eq!(mallory["UserStatus"], "RESET_REQUIRED");
}
