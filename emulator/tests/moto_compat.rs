//! What moto's own Cognito suite (run in moto's server mode by `scripts/test-clients
//! py-moto-suite`) found the emulator answering otherwise than Cognito, each pinned here: the
//! emulator started as a moto server (no pool, moto's account), the schema's constraints and
//! developer-only attributes as DescribeUserPool shows them, the older verification-message
//! members, AccountRecoverySetting, the pool's domain, unique sign-in addresses, and
//! SMS MFA that needs a phone number.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use cognito_flows_emulator::config::{self, Flags};
use cognito_flows_emulator::{EmulatorConfig, PoolConfig};
use cognito_flows_testkit::emulator;
use common::{call, ok, refused};
use serde_json::{Value, json};

/// A pool made over HTTP as boto3 makes it: its id.
fn pool(e: &cognito_flows_emulator::Emulator, body: Value) -> String {
    let mut body = body;
    body["PoolName"] = json!("moto");
    ok(e, "CreateUserPool", body)["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn schema_attribute(described: &Value, name: &str) -> Value {
    described["UserPool"]["SchemaAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no {name} in {described}"))
}

#[test]
fn started_empty_with_an_account_the_emulator_has_no_pool_and_names_that_account() {
    let flags = Flags {
        empty: true,
        account_id: Some("123456789012".into()),
        region: Some("us-west-2".into()),
        memory: true,
        ..Flags::default()
    };
    let running = config::start(config::plan(flags, None).unwrap()).unwrap();
    assert_eq!(running.line["pools"], json!([]));
    let e = &running.emulator;
    assert_eq!(
        ok(e, "ListUserPools", json!({"MaxResults": 60}))["UserPools"],
        json!([])
    );
    let id = pool(e, json!({}));
    let described = ok(e, "DescribeUserPool", json!({"UserPoolId": id}));
    assert_eq!(
        described["UserPool"]["Arn"],
        format!("arn:aws:cognito-idp:us-west-2:123456789012:userpool/{id}")
    );
    // moto's reset brings back the start: no pool.
    let reset = ureq::post(format!("{}moto-api/reset", e.endpoint()))
        .send("")
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(
        ok(e, "ListUserPools", json!({"MaxResults": 60}))["UserPools"],
        json!([])
    );
}

#[test]
fn empty_refuses_a_pool_from_the_flags_and_a_bad_account_id() {
    let with_user = Flags {
        empty: true,
        user: vec!["alice".into()],
        memory: true,
        ..Flags::default()
    };
    assert!(config::plan(with_user, None).is_err());
    let bad_account = Flags {
        account_id: Some("12345".into()),
        memory: true,
        ..Flags::default()
    };
    match config::plan(bad_account, None).err() {
        Some(config::Failure::Config(message)) => {
            assert!(message.contains("twelve digits"), "{message}");
        }
        _ => panic!("an account id of five digits is not a config error"),
    }
}

#[test]
fn the_schema_shows_cognitos_constraints_and_the_ones_given() {
    let e = emulator::start(EmulatorConfig::default());
    let id = pool(
        &e,
        json!({"Schema": [
            {"Name": "email", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "5"}},
            {"Name": "tier", "AttributeDataType": "Number",
             "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "3"},
             "StringAttributeConstraints": {"MinLength": "1"}},
            {"Name": "secret", "AttributeDataType": "String", "DeveloperOnlyAttribute": true},
        ]}),
    );
    let described = ok(&e, "DescribeUserPool", json!({"UserPoolId": id}));
    let sub = schema_attribute(&described, "sub");
    assert_eq!(
        sub["StringAttributeConstraints"],
        json!({"MinLength": "1", "MaxLength": "2048"})
    );
    let birthdate = schema_attribute(&described, "birthdate");
    assert_eq!(
        birthdate["StringAttributeConstraints"],
        json!({"MinLength": "10", "MaxLength": "10"})
    );
    let updated = schema_attribute(&described, "updated_at");
    assert_eq!(
        updated["NumberAttributeConstraints"],
        json!({"MinValue": "0"})
    );
    assert!(
        schema_attribute(&described, "email_verified")
            .get("StringAttributeConstraints")
            .is_none()
    );
    let email = schema_attribute(&described, "email");
    assert_eq!(
        email["StringAttributeConstraints"],
        json!({"MinLength": "5"})
    );
    let tier = schema_attribute(&described, "custom:tier");
    assert_eq!(
        tier["NumberAttributeConstraints"],
        json!({"MinValue": "1", "MaxValue": "3"})
    );
    assert!(tier.get("StringAttributeConstraints").is_none(), "{tier}");
    let secret = schema_attribute(&described, "dev:custom:secret");
    assert_eq!(secret["DeveloperOnlyAttribute"], true);
    // The same attribute again names the one that exists.
    let (status, answer) = call(
        e.endpoint(),
        "AddCustomAttributes",
        &json!({"UserPoolId": id, "CustomAttributes": [{"Name": "secret", "AttributeDataType": "String"}]}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        answer["message"],
        "custom:secret: Existing attribute already has name dev:custom:secret."
    );
}

#[test]
fn bad_schema_constraints_and_data_types_are_refused_in_cognitos_words() {
    let e = emulator::start(EmulatorConfig::default());
    let refusal = |schema: Value| {
        let (status, answer) = call(
            e.endpoint(),
            "CreateUserPool",
            &json!({"PoolName": "bad", "Schema": [schema]}),
        );
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["__type"], "InvalidParameterException");
        answer["message"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        refusal(json!({"Name": "email", "AttributeDataType": "String",
                       "StringAttributeConstraints": {"MinLength": "many"}})),
        "Invalid StringAttributeConstraints for schema attribute email"
    );
    assert_eq!(
        refusal(json!({"Name": "updated_at", "AttributeDataType": "Number",
                       "NumberAttributeConstraints": {"MaxValue": "x"}})),
        "Invalid NumberAttributeConstraints for schema attribute updated_at"
    );
    assert_eq!(
        refusal(json!({"Name": "email", "AttributeDataType": "String",
                       "StringAttributeConstraints": {"MaxLength": "2049"}})),
        "user.email: String attributes cannot have a length of more than 2048"
    );
    assert_eq!(
        refusal(json!({"Name": "size", "AttributeDataType": "Number",
                       "NumberAttributeConstraints": {"MinValue": "5", "MaxValue": "1"}})),
        "user.size: Max value cannot be less than min value."
    );
    assert_eq!(
        refusal(json!({"Name": "untyped"})),
        "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
    );
    assert!(
        refusal(json!({"Name": "fruit", "AttributeDataType": "Banana"}))
            .contains("Member must satisfy enum value set: [Boolean, Number, String, DateTime]")
    );
}

#[test]
fn older_members_recovery_and_the_domain_are_described() {
    let e = emulator::start(EmulatorConfig::default());
    let recovery = json!({"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]});
    let id = pool(
        &e,
        json!({"VerificationMessageTemplate": {"SmsMessage": "{####} is yours", "EmailSubject": "Code"},
               "AccountRecoverySetting": recovery}),
    );
    ok(
        &e,
        "CreateUserPoolDomain",
        json!({"UserPoolId": id, "Domain": "moto-compat"}),
    );
    let described = ok(&e, "DescribeUserPool", json!({"UserPoolId": id}))["UserPool"].clone();
    assert_eq!(described["SmsVerificationMessage"], "{####} is yours");
    assert_eq!(described["EmailVerificationSubject"], "Code");
    assert_eq!(described["AccountRecoverySetting"], recovery);
    assert_eq!(described["Domain"], "moto-compat");
}

#[test]
fn a_pool_with_admin_only_recovery_sends_no_reset_code() {
    let e = emulator::start(EmulatorConfig::default());
    let id = pool(
        &e,
        json!({"AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]}}),
    );
    let client = ok(
        &e,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "app"}),
    )["UserPoolClient"]["ClientId"]
        .clone();
    let (status, answer) = call(
        e.endpoint(),
        "ForgotPassword",
        &json!({"ClientId": client, "Username": "anyone"}),
    );
    assert_eq!(status, 400);
    assert_eq!(answer["__type"], "NotAuthorizedException");
    assert_eq!(
        answer["message"],
        "Contact administrator to reset password."
    );
    assert!(e.outbox().is_empty());
}

#[test]
fn an_address_users_sign_in_with_belongs_to_one_user() {
    let e = emulator::start(EmulatorConfig::default());
    let id = pool(&e, json!({"UsernameAttributes": ["email"]}));
    for address in ["one@example.com", "two@example.com"] {
        ok(
            &e,
            "AdminCreateUser",
            json!({"UserPoolId": id, "Username": address, "MessageAction": "SUPPRESS"}),
        );
    }
    let (status, answer) = call(
        e.endpoint(),
        "AdminUpdateUserAttributes",
        &json!({"UserPoolId": id, "Username": "one@example.com",
                "UserAttributes": [{"Name": "email", "Value": "two@example.com"}]}),
    );
    assert_eq!(status, 400);
    assert_eq!(answer["__type"], "AliasExistsException");
    assert_eq!(
        answer["message"],
        "An account with the given email already exists."
    );
    let user = ok(
        &e,
        "AdminGetUser",
        json!({"UserPoolId": id, "Username": "one@example.com"}),
    );
    let email = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "email")
        .unwrap()["Value"]
        .clone();
    assert_eq!(email, "one@example.com");
}

#[test]
fn sms_mfa_needs_a_phone_number_and_a_refused_preference_changes_nothing() {
    let e = emulator::start(EmulatorConfig::default());
    let id = e.create_user_pool(PoolConfig {
        mfa: cognito_flows_emulator::Mfa::Optional,
        ..PoolConfig::default()
    });
    ok(
        &e,
        "AdminCreateUser",
        json!({"UserPoolId": id, "Username": "nophone", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "n@example.com"}]}),
    );
    assert_eq!(
        refused(
            &e,
            "AdminSetUserMFAPreference",
            json!({"UserPoolId": id, "Username": "nophone",
                   "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
        ),
        "InvalidParameterException"
    );
    let user = ok(
        &e,
        "AdminGetUser",
        json!({"UserPoolId": id, "Username": "nophone"}),
    );
    assert!(user.get("PreferredMfaSetting").is_none(), "{user}");
    assert_eq!(
        user["UserMFASettingList"].as_array().map_or(0, Vec::len),
        0,
        "{user}"
    );
}

#[test]
fn deleting_attributes_the_schema_lacks_names_each_of_them() {
    let e = emulator::start(EmulatorConfig::default());
    let id = pool(&e, json!({}));
    ok(
        &e,
        "AdminCreateUser",
        json!({"UserPoolId": id, "Username": "joe", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "nickname", "Value": "Joe"}]}),
    );
    let (status, answer) = call(
        e.endpoint(),
        "AdminDeleteUserAttributes",
        &json!({"UserPoolId": id, "Username": "joe",
                "UserAttributeNames": ["nickname", "custom:foo", "custom:bar"]}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        answer["message"],
        "Invalid user attributes: user.custom:foo: Attribute does not exist in the schema.\nuser.custom:bar: Attribute does not exist in the schema.\n"
    );
}

/// A pool made over HTTP without AutoVerifiedAttributes sends no SignUp code and answers no
/// CodeDeliveryDetails (moto's `test_sign_up_with_unverified_email`, checked against AWS); one
/// with them does; a pool of the embedded API keeps sending codes and says so.
#[test]
fn sign_up_sends_a_code_only_to_an_auto_verified_attribute() {
    let e = emulator::start(EmulatorConfig::default());
    for (auto, sent) in [(json!(null), false), (json!(["email"]), true)] {
        let mut body = json!({});
        if !auto.is_null() {
            body["AutoVerifiedAttributes"] = auto.clone();
        }
        let id = pool(&e, body);
        let client = ok(
            &e,
            "CreateUserPoolClient",
            json!({"UserPoolId": id, "ClientName": "app"}),
        )["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned();
        let before = e.outbox().len();
        let answer = ok(
            &e,
            "SignUp",
            json!({"ClientId": client, "Username": "una", "Password": "Passw0rd!",
                   "UserAttributes": [{"Name": "email", "Value": "una@example.com"}]}),
        );
        assert_eq!(answer["UserConfirmed"], false);
        assert_eq!(
            answer.get("CodeDeliveryDetails").is_some(),
            sent,
            "{auto}: {answer}"
        );
        assert_eq!(e.outbox().len() > before, sent, "{auto}");
        // What the pool stores is what was given.
        let described = ok(&e, "DescribeUserPool", json!({"UserPoolId": id}));
        assert_eq!(
            described["UserPool"]["AutoVerifiedAttributes"],
            if auto.is_null() { json!([]) } else { auto },
        );
    }
    let embedded = e.create_user_pool(PoolConfig::default());
    let described = ok(&e, "DescribeUserPool", json!({"UserPoolId": embedded}));
    assert_eq!(
        described["UserPool"]["AutoVerifiedAttributes"],
        json!(["email", "phone_number"])
    );
}
