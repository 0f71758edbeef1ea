//! What a pool configures for AWS's infrastructure and its managed login, as boto3 or Terraform
//! set it up over HTTP: log delivery, provisioned API rates, session configuration, replicas,
//! point-in-time recoveries, CIMD policies, terms documents, managed login branding. Each
//! operation answers and refuses as Cognito does, and what a pool keeps survives a restart on a
//! data directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use cognito_flows_testkit::emulator::{self, Fixture, Options};
use common::{alice, ok, refused};
use serde_json::{Value, json};

const LOG_GROUP: &str = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/cognito";
const BUCKET: &str = "arn:aws:s3:::my-cognito-logs";

fn log_configurations() -> Value {
    json!([
        {"EventSource": "userNotification", "LogLevel": "ERROR",
         "CloudWatchLogsConfiguration": {"LogGroupArn": LOG_GROUP}},
        {"EventSource": "userAuthEvents", "LogLevel": "INFO",
         "S3Configuration": {"BucketArn": BUCKET}},
    ])
}

#[test]
fn log_delivery_is_set_and_read_back() {
    let w = alice();
    let e = &w.emulator;
    let pool = &w.pool_id;
    let empty = ok(
        e,
        "GetLogDeliveryConfiguration",
        json!({"UserPoolId": pool}),
    );
    assert_eq!(
        empty["LogDeliveryConfiguration"],
        json!({"UserPoolId": pool, "LogConfigurations": []})
    );
    let set = ok(
        e,
        "SetLogDeliveryConfiguration",
        json!({"UserPoolId": pool, "LogConfigurations": log_configurations()}),
    );
    assert_eq!(
        set["LogDeliveryConfiguration"]["LogConfigurations"],
        log_configurations()
    );
    let read = ok(
        e,
        "GetLogDeliveryConfiguration",
        json!({"UserPoolId": pool}),
    );
    assert_eq!(read, set);
    ok(
        e,
        "SetLogDeliveryConfiguration",
        json!({"UserPoolId": pool, "LogConfigurations": []}),
    );
    let off = ok(
        e,
        "GetLogDeliveryConfiguration",
        json!({"UserPoolId": pool}),
    );
    assert_eq!(
        off["LogDeliveryConfiguration"]["LogConfigurations"],
        json!([])
    );
}

#[test]
fn log_delivery_refuses_what_cognito_refuses() {
    let w = alice();
    let e = &w.emulator;
    let pool = &w.pool_id;
    let cloudwatch = json!({"LogGroupArn": LOG_GROUP});
    for configs in [
        // A notification log at the INFO level, or to S3.
        json!([{"EventSource": "userNotification", "LogLevel": "INFO", "CloudWatchLogsConfiguration": cloudwatch}]),
        json!([{"EventSource": "userNotification", "LogLevel": "ERROR", "S3Configuration": {"BucketArn": BUCKET}}]),
        // No destination, two destinations, a bad ARN, an unknown source.
        json!([{"EventSource": "userAuthEvents", "LogLevel": "INFO"}]),
        json!([{"EventSource": "userAuthEvents", "LogLevel": "INFO", "CloudWatchLogsConfiguration": cloudwatch,
                "S3Configuration": {"BucketArn": BUCKET}}]),
        json!([{"EventSource": "userAuthEvents", "LogLevel": "INFO", "CloudWatchLogsConfiguration": {"LogGroupArn": "not-an-arn"}}]),
        json!([{"EventSource": "everything", "LogLevel": "INFO", "CloudWatchLogsConfiguration": cloudwatch}]),
        // The same source twice, three configurations.
        json!([{"EventSource": "userAuthEvents", "LogLevel": "INFO", "CloudWatchLogsConfiguration": cloudwatch},
               {"EventSource": "userAuthEvents", "LogLevel": "INFO", "CloudWatchLogsConfiguration": cloudwatch}]),
        json!([1, 2, 3]),
    ] {
        assert_eq!(
            refused(
                e,
                "SetLogDeliveryConfiguration",
                json!({"UserPoolId": pool, "LogConfigurations": configs})
            ),
            "InvalidParameterException",
            "{configs}"
        );
    }
    assert_eq!(
        refused(
            e,
            "SetLogDeliveryConfiguration",
            json!({"UserPoolId": pool})
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            e,
            "GetLogDeliveryConfiguration",
            json!({"UserPoolId": "us-east-1_nowhere"})
        ),
        "ResourceNotFoundException"
    );
    let read = ok(
        e,
        "GetLogDeliveryConfiguration",
        json!({"UserPoolId": pool}),
    );
    assert_eq!(
        read["LogDeliveryConfiguration"]["LogConfigurations"],
        json!([]),
        "a refused call stores nothing"
    );
}

fn limit(category: &str) -> Value {
    json!({"LimitClass": "API_CATEGORY", "Attributes": {"Category": category}})
}

#[test]
fn provisioned_limits_start_free_and_are_raised() {
    let w = alice();
    let e = &w.emulator;
    let read = ok(
        e,
        "GetProvisionedLimit",
        json!({"LimitDefinition": limit("UserAuthentication")}),
    );
    assert_eq!(
        read["Limit"],
        json!({"LimitDefinition": limit("UserAuthentication"),
               "ProvisionedLimitValue": 120, "FreeLimitValue": 120})
    );
    let raised = ok(
        e,
        "UpdateProvisionedLimit",
        json!({"LimitDefinition": limit("UserAuthentication"), "RequestedLimitValue": 300}),
    );
    assert_eq!(raised["Limit"]["ProvisionedLimitValue"], 300);
    let read = ok(
        e,
        "GetProvisionedLimit",
        json!({"LimitDefinition": limit("UserAuthentication")}),
    );
    assert_eq!(read["Limit"]["ProvisionedLimitValue"], 300);
    assert_eq!(read["Limit"]["FreeLimitValue"], 120);
    let other = ok(
        e,
        "GetProvisionedLimit",
        json!({"LimitDefinition": limit("UserCreation")}),
    );
    assert_eq!(other["Limit"]["ProvisionedLimitValue"], 50);
    let token = ok(
        e,
        "GetProvisionedLimit",
        json!({"LimitDefinition": limit("UserToken")}),
    );
    assert_eq!(token["Limit"]["FreeLimitValue"], 120);
}

#[test]
fn provisioned_limits_refuse_unknown_categories_and_rates_out_of_range() {
    let w = alice();
    let e = &w.emulator;
    for definition in [
        limit("Everything"),
        json!({"LimitClass": "POOL_SIZE", "Attributes": {"Category": "UserCreation"}}),
        json!({"LimitClass": "API_CATEGORY", "Attributes": {}}),
        json!({"LimitClass": "API_CATEGORY", "Attributes": {"Category": "UserCreation", "Region": "x"}}),
        json!({"LimitClass": "API_CATEGORY"}),
    ] {
        assert_eq!(
            refused(
                e,
                "GetProvisionedLimit",
                json!({"LimitDefinition": definition})
            ),
            "InvalidParameterException",
            "{definition}"
        );
    }
    let update = |value: u64| json!({"LimitDefinition": limit("UserCreation"), "RequestedLimitValue": value});
    assert_eq!(
        refused(e, "UpdateProvisionedLimit", update(10)),
        "InvalidParameterException",
        "below the free rate"
    );
    assert_eq!(
        refused(e, "UpdateProvisionedLimit", update(100_000)),
        "ServiceQuotaExceededException"
    );
    assert_eq!(
        refused(
            e,
            "UpdateProvisionedLimit",
            json!({"LimitDefinition": limit("UserList"), "RequestedLimitValue": 60})
        ),
        "InvalidParameterException",
        "UserList is not adjustable"
    );
    assert_eq!(
        refused(
            e,
            "UpdateProvisionedLimit",
            json!({"LimitDefinition": limit("UserCreation")})
        ),
        "InvalidParameterException"
    );
}

#[test]
fn session_configuration_defaults_then_set_for_the_pool_and_a_client() {
    let w = alice();
    let e = &w.emulator;
    let (pool, client) = (&w.pool_id, &w.client_id);
    let defaults = ok(
        e,
        "GetUserPoolSessionConfiguration",
        json!({"UserPoolId": pool}),
    );
    assert_eq!(
        defaults,
        json!({"UserPoolId": pool, "UserSessionTracking": "DISABLED", "TokenSession": {"MaxPerUser": 20}})
    );
    let set = ok(
        e,
        "SetUserPoolSessionConfiguration",
        json!({"UserPoolId": pool, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 5}}),
    );
    assert_eq!(set["UserSessionTracking"], "ENABLED");
    assert_eq!(
        ok(
            e,
            "GetUserPoolSessionConfiguration",
            json!({"UserPoolId": pool})
        ),
        set
    );
    let client_default = ok(
        e,
        "GetUserPoolClientSessionConfiguration",
        json!({"UserPoolId": pool, "ClientId": client}),
    );
    assert_eq!(
        client_default,
        json!({"UserPoolId": pool, "ClientId": client, "SSOSession": {"MaxValidityMinutes": 60}})
    );
    let set = ok(
        e,
        "SetUserPoolClientSessionConfiguration",
        json!({"UserPoolId": pool, "ClientId": client, "SSOSession": {"MaxValidityMinutes": 0}}),
    );
    assert_eq!(set["SSOSession"]["MaxValidityMinutes"], 0);
    assert_eq!(
        ok(
            e,
            "GetUserPoolClientSessionConfiguration",
            json!({"UserPoolId": pool, "ClientId": client})
        ),
        set
    );
}

#[test]
fn session_configuration_refuses_what_cognito_refuses() {
    let w = alice();
    let e = &w.emulator;
    let (pool, client) = (&w.pool_id, &w.client_id);
    let sso = |minutes: u64| json!({"UserPoolId": pool, "ClientId": client, "SSOSession": {"MaxValidityMinutes": minutes}});
    assert_eq!(
        refused(e, "SetUserPoolClientSessionConfiguration", sso(30)),
        "InvalidParameterException",
        "the pool does not track sessions"
    );
    for body in [
        json!({"UserPoolId": pool, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 101}}),
        json!({"UserPoolId": pool, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 0}}),
        json!({"UserPoolId": pool, "UserSessionTracking": "MAYBE", "TokenSession": {"MaxPerUser": 5}}),
        json!({"UserPoolId": pool, "UserSessionTracking": "ENABLED"}),
    ] {
        assert_eq!(
            refused(e, "SetUserPoolSessionConfiguration", body.clone()),
            "InvalidParameterException",
            "{body}"
        );
    }
    ok(
        e,
        "SetUserPoolSessionConfiguration",
        json!({"UserPoolId": pool, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 5}}),
    );
    assert_eq!(
        refused(e, "SetUserPoolClientSessionConfiguration", sso(129_601)),
        "InvalidParameterException"
    );
    for operation in [
        "GetUserPoolClientSessionConfiguration",
        "SetUserPoolClientSessionConfiguration",
    ] {
        assert_eq!(
            refused(
                e,
                operation,
                json!({"UserPoolId": pool, "ClientId": "nosuchclient", "SSOSession": {"MaxValidityMinutes": 5}})
            ),
            "ResourceNotFoundException",
            "{operation}"
        );
    }
    assert_eq!(
        refused(
            e,
            "GetUserPoolSessionConfiguration",
            json!({"UserPoolId": "us-east-1_nowhere"})
        ),
        "ResourceNotFoundException"
    );
}

#[test]
fn replicas_are_created_listed_deactivated_and_deleted() {
    let w = alice();
    let e = &w.emulator;
    let pool = &w.pool_id;
    let created = ok(
        e,
        "CreateUserPoolReplica",
        json!({"UserPoolId": pool, "RegionName": "eu-west-1", "UserPoolTags": {"team": "auth"}}),
    );
    assert_eq!(
        created["UserPoolReplica"],
        json!({"RegionName": "eu-west-1", "Status": "CREATING", "Role": "SECONDARY",
               "UserPoolArn": format!("arn:aws:cognito-idp:eu-west-1:000000000000:userpool/{pool}")})
    );
    let listed = ok(e, "ListUserPoolReplicas", json!({"UserPoolId": pool}));
    let replicas = listed["UserPoolReplicas"].as_array().unwrap();
    assert_eq!(replicas.len(), 2);
    assert_eq!(replicas[0]["Role"], "PRIMARY");
    assert_eq!(replicas[0]["RegionName"], "us-east-1");
    assert_eq!(replicas[1]["Status"], "ACTIVE", "replicated at once");
    let updated = ok(
        e,
        "UpdateUserPoolReplica",
        json!({"UserPoolId": pool, "RegionName": "eu-west-1", "Status": "INACTIVE"}),
    );
    assert_eq!(updated["UserPoolReplica"]["Status"], "INACTIVE");
    let deleted = ok(
        e,
        "DeleteUserPoolReplica",
        json!({"UserPoolId": pool, "RegionName": "eu-west-1"}),
    );
    assert_eq!(deleted["UserPoolReplica"]["Status"], "DELETING");
    let listed = ok(e, "ListUserPoolReplicas", json!({"UserPoolId": pool}));
    assert_eq!(listed["UserPoolReplicas"].as_array().unwrap().len(), 1);
}

#[test]
fn replicas_refuse_what_cognito_refuses() {
    let w = alice();
    let e = &w.emulator;
    let pool = &w.pool_id;
    for region in [
        "us-east-1",
        "eu",
        "Europe-west-1",
        "eu-west-x",
        "eu-west-1-and-a-very-long-name-1",
    ] {
        assert_eq!(
            refused(
                e,
                "CreateUserPoolReplica",
                json!({"UserPoolId": pool, "RegionName": region})
            ),
            "InvalidParameterException",
            "{region}"
        );
    }
    assert_eq!(
        refused(
            e,
            "CreateUserPoolReplica",
            json!({"UserPoolId": pool, "RegionName": "eu-west-1", "UserPoolTags": {"aws:x": "y"}})
        ),
        "InvalidParameterException"
    );
    let replica = json!({"UserPoolId": pool, "RegionName": "eu-west-1"});
    ok(e, "CreateUserPoolReplica", replica.clone());
    assert_eq!(
        refused(e, "CreateUserPoolReplica", replica.clone()),
        "InvalidParameterException",
        "twice"
    );
    assert_eq!(
        refused(e, "DeleteUserPoolReplica", replica.clone()),
        "InvalidParameterException",
        "still ACTIVE"
    );
    assert_eq!(
        refused(
            e,
            "UpdateUserPoolReplica",
            json!({"UserPoolId": pool, "RegionName": "eu-west-1", "Status": "CREATING"})
        ),
        "InvalidParameterException"
    );
    let elsewhere = json!({"UserPoolId": pool, "RegionName": "ap-south-1", "Status": "INACTIVE"});
    assert_eq!(
        refused(e, "UpdateUserPoolReplica", elsewhere.clone()),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(e, "DeleteUserPoolReplica", elsewhere),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            e,
            "ListUserPoolReplicas",
            json!({"UserPoolId": "us-east-1_nowhere"})
        ),
        "ResourceNotFoundException"
    );
}

/// A fixture whose pool is two hours old on the emulator's clock, and its creation time.
fn aged_pool() -> (Fixture, u64) {
    let w = alice();
    let created = ok(
        &w.emulator,
        "DescribeUserPool",
        json!({"UserPoolId": w.pool_id}),
    )["UserPool"]["CreationDate"]
        .as_u64()
        .unwrap();
    w.emulator.advance(Duration::from_secs(2 * 3600));
    (w, created)
}

#[test]
fn a_recovery_is_initiated_described_listed_and_started_or_cancelled() {
    let (w, created) = aged_pool();
    let e = &w.emulator;
    let pool = &w.pool_id;
    let initiated = ok(
        e,
        "InitiatePointInTimeRecovery",
        json!({"UserPoolId": pool, "RestoreTimestamp": created + 600}),
    );
    let first = initiated["Restoration"]["RestoreId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        initiated["Restoration"]["RestoreStatus"],
        "PREVIEW_GENERATING"
    );
    assert_eq!(initiated["Restoration"]["RestoreTimestamp"], created + 600);
    let described = ok(
        e,
        "DescribePointInTimeRecovery",
        json!({"UserPoolId": pool, "RestoreId": first}),
    );
    assert_eq!(
        described["Restoration"]["RestoreStatus"],
        "PREVIEW_GENERATED"
    );
    assert_eq!(described["Restoration"]["RestorePreview"], json!([]));
    let cancelled = ok(
        e,
        "CancelPointInTimeRecovery",
        json!({"UserPoolId": pool, "RestoreId": first}),
    );
    assert_eq!(
        cancelled["Restoration"]["RestoreStatus"],
        "PREVIEW_CANCELLED"
    );
    e.advance(Duration::from_secs(60));
    let second = ok(
        e,
        "InitiatePointInTimeRecovery",
        json!({"UserPoolId": pool, "RestoreTimestamp": created + 900}),
    )["Restoration"]["RestoreId"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = ok(
        e,
        "StartPointInTimeRecovery",
        json!({"UserPoolId": pool, "RestoreId": second}),
    );
    assert_eq!(started["Restoration"]["RestoreStatus"], "RESTORING");
    let listed = ok(e, "ListPointInTimeRecoveries", json!({"UserPoolId": pool}));
    let ids: Vec<&str> = listed["Restorations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["RestoreId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second.as_str(), first.as_str()], "newest first");
    assert_eq!(
        listed["Restorations"][0]["RestoreStatus"],
        "RESTORE_COMPLETED"
    );
    let page = ok(
        e,
        "ListPointInTimeRecoveries",
        json!({"UserPoolId": pool, "MaxResults": 1}),
    );
    assert_eq!(page["Restorations"].as_array().unwrap().len(), 1);
    let rest = ok(
        e,
        "ListPointInTimeRecoveries",
        json!({"UserPoolId": pool, "MaxResults": 1, "NextToken": page["NextToken"]}),
    );
    assert_eq!(rest["Restorations"][0]["RestoreId"], json!(first));
}

#[test]
fn recoveries_refuse_what_cognito_refuses_and_previews_expire() {
    let (w, created) = aged_pool();
    let e = &w.emulator;
    let pool = &w.pool_id;
    let now = created + 2 * 3600;
    for point in [now - 60, created - 60, now + 3600] {
        assert_eq!(
            refused(
                e,
                "InitiatePointInTimeRecovery",
                json!({"UserPoolId": pool, "RestoreTimestamp": point})
            ),
            "InvalidParameterException",
            "{point}"
        );
    }
    let id = ok(
        e,
        "InitiatePointInTimeRecovery",
        json!({"UserPoolId": pool, "RestoreTimestamp": created + 60}),
    )["Restoration"]["RestoreId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        refused(
            e,
            "InitiatePointInTimeRecovery",
            json!({"UserPoolId": pool, "RestoreTimestamp": created + 60})
        ),
        "LimitExceededException",
        "one active recovery a pool"
    );
    e.advance(Duration::from_secs(24 * 3600));
    let expired = ok(
        e,
        "DescribePointInTimeRecovery",
        json!({"UserPoolId": pool, "RestoreId": id}),
    );
    assert_eq!(expired["Restoration"]["RestoreStatus"], "PREVIEW_EXPIRED");
    for operation in ["StartPointInTimeRecovery", "CancelPointInTimeRecovery"] {
        assert_eq!(
            refused(e, operation, json!({"UserPoolId": pool, "RestoreId": id})),
            "InvalidParameterException",
            "{operation} of an expired preview"
        );
    }
    let unknown = "00000000-0000-4000-8000-000000000000";
    for operation in [
        "DescribePointInTimeRecovery",
        "StartPointInTimeRecovery",
        "CancelPointInTimeRecovery",
    ] {
        assert_eq!(
            refused(
                e,
                operation,
                json!({"UserPoolId": pool, "RestoreId": unknown})
            ),
            "ResourceNotFoundException",
            "{operation}"
        );
        assert_eq!(
            refused(
                e,
                operation,
                json!({"UserPoolId": pool, "RestoreId": "nope"})
            ),
            "InvalidParameterException",
            "{operation}"
        );
    }
    assert_eq!(
        refused(
            e,
            "ListPointInTimeRecoveries",
            json!({"UserPoolId": pool, "MaxResults": 61})
        ),
        "InvalidParameterException"
    );
}

fn cimd(pool: &str, client: &str) -> Value {
    json!({"UserPoolId": pool, "ClientId": client, "PolicyName": "Partner apps",
           "CacheDuration": 86_400, "URLPatterns": ["https://apps.example.com/*"]})
}

#[test]
fn cimd_policies_are_created_described_listed_updated_and_deleted() {
    let w = alice();
    let e = &w.emulator;
    let (pool, client) = (&w.pool_id, &w.client_id);
    let created = ok(e, "CreateCIMDPolicy", cimd(pool, client))["CIMDPolicy"].clone();
    let id = created["CIMDPolicyId"].as_str().unwrap().to_owned();
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    assert_eq!(
        created["URLPatterns"],
        json!(["https://apps.example.com/*"])
    );
    assert_eq!(created["ClientId"], json!(client));
    let described = ok(
        e,
        "DescribeCIMDPolicy",
        json!({"UserPoolId": pool, "CIMDPolicyId": id}),
    );
    assert_eq!(described["CIMDPolicy"], created);
    let updated = ok(
        e,
        "UpdateCIMDPolicy",
        json!({"UserPoolId": pool, "CIMDPolicyId": id, "ClientId": client,
               "URLPatterns": ["https://a.example.com/client.json", "https://b.example.com/*"]}),
    );
    assert_eq!(updated["CIMDPolicy"]["PolicyName"], "Partner apps", "kept");
    assert_eq!(
        updated["CIMDPolicy"]["URLPatterns"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let listed = ok(e, "ListCIMDPolicies", json!({"UserPoolId": pool}));
    assert_eq!(listed["CIMDPolicies"][0]["CIMDPolicyId"], json!(id));
    assert!(
        listed["CIMDPolicies"][0].get("URLPatterns").is_none(),
        "a summary"
    );
    let urls = ok(
        e,
        "ListClientMetadataURLs",
        json!({"UserPoolId": pool, "CIMDPolicyId": id}),
    );
    assert_eq!(urls["ClientMetadataURLs"], json!([]), "nothing retrieved");
    ok(
        e,
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    );
    let orphan = ok(
        e,
        "DescribeCIMDPolicy",
        json!({"UserPoolId": pool, "CIMDPolicyId": id}),
    );
    assert!(
        orphan["CIMDPolicy"].get("ClientId").is_none(),
        "left out once the app client is gone: {orphan}"
    );
    ok(
        e,
        "DeleteCIMDPolicy",
        json!({"UserPoolId": pool, "CIMDPolicyId": id}),
    );
    let listed = ok(e, "ListCIMDPolicies", json!({"UserPoolId": pool}));
    assert_eq!(listed["CIMDPolicies"], json!([]));
}

#[test]
fn cimd_policies_refuse_what_cognito_refuses() {
    let w = alice();
    let e = &w.emulator;
    let (pool, client) = (&w.pool_id, &w.client_id);
    let with = |key: &str, value: Value| {
        let mut body = cimd(pool, client);
        body[key] = value;
        body
    };
    for (body, why) in [
        (
            with("URLPatterns", json!(["http://apps.example.com/x"])),
            "not https",
        ),
        (with("URLPatterns", json!(["https://A B"])), "space"),
        (with("URLPatterns", json!([])), "none"),
        (
            with(
                "URLPatterns",
                json!([
                    "https://a.example.com/1",
                    "https://a.example.com/2",
                    "https://a.example.com/3",
                    "https://a.example.com/4",
                    "https://a.example.com/5",
                    "https://a.example.com/6"
                ]),
            ),
            "six",
        ),
        (with("CacheDuration", json!(3600)), "under a day"),
        (with("PolicyName", json!("x".repeat(33))), "long name"),
        (with("PolicyName", json!("")), "empty name"),
    ] {
        assert_eq!(
            refused(e, "CreateCIMDPolicy", body),
            "InvalidParameterException",
            "{why}"
        );
    }
    assert_eq!(
        refused(
            e,
            "CreateCIMDPolicy",
            with("ClientId", json!("nosuchclient"))
        ),
        "ResourceNotFoundException"
    );
    let unknown = json!({"UserPoolId": pool, "CIMDPolicyId": "abc123", "ClientId": client,
                         "URLPatterns": ["https://apps.example.com/*"]});
    for operation in [
        "DescribeCIMDPolicy",
        "UpdateCIMDPolicy",
        "DeleteCIMDPolicy",
        "ListClientMetadataURLs",
    ] {
        assert_eq!(
            refused(e, operation, unknown.clone()),
            "ResourceNotFoundException",
            "{operation}"
        );
    }
    assert_eq!(
        refused(
            e,
            "DescribeCIMDPolicy",
            json!({"UserPoolId": pool, "CIMDPolicyId": "Not-Lower"})
        ),
        "InvalidParameterException"
    );
    let id = ok(e, "CreateCIMDPolicy", cimd(pool, client))["CIMDPolicy"]["CIMDPolicyId"].clone();
    let state = |url: &str, action: &str| json!({"UserPoolId": pool, "CIMDPolicyId": id, "URL": url, "Action": action});
    assert_eq!(
        refused(
            e,
            "UpdateClientMetadataURLState",
            state("https://apps.example.com/client.json", "REFRESH")
        ),
        "CachedCIMDURLDoesNotExistException"
    );
    assert_eq!(
        refused(
            e,
            "UpdateClientMetadataURLState",
            state("https://apps.example.com/client.json", "DROP")
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        refused(
            e,
            "UpdateClientMetadataURLState",
            state("ftp://apps.example.com/x", "REFRESH")
        ),
        "InvalidParameterException"
    );
}

/// A client's metadata document server on 127.0.0.1 (plain HTTP, as the emulator fetches a
/// loopback `https://` client id): answers `GET /client.json` with `document(port, version)` and
/// `Cache-Control: max-age=172800`, and counts the requests. Stopped (and joined) on drop.
struct MetadataServer {
    port: u16,
    fetches: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    version: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MetadataServer {
    fn start() -> Self {
        use std::io::{BufRead as _, BufReader, Write as _};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let fetches = Arc::new(AtomicUsize::new(0));
        let version = Arc::new(AtomicUsize::new(1));
        let stop = Arc::new(AtomicBool::new(false));
        let (f, v, s) = (fetches.clone(), version.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let mut request = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let _ = reader.read_line(&mut request);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
                f.fetch_add(1, Ordering::SeqCst);
                let url = format!("https://127.0.0.1:{port}{path}");
                // /client.json names itself; /impostor.json names another client.
                let client_id = if path == "/impostor.json" {
                    format!("https://127.0.0.1:{port}/client.json")
                } else {
                    url
                };
                let body = json!({
                    "client_id": client_id,
                    "client_name": format!("Partner app v{}", v.load(Ordering::SeqCst)),
                    "redirect_uris": ["http://localhost:3000/callback"],
                    "grant_types": ["authorization_code"],
                    "token_endpoint_auth_method": "none",
                })
                .to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Cache-Control: max-age=172800\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Self {
            port,
            fetches,
            version,
            stop,
            thread: Some(thread),
        }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for MetadataServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `GET /oauth2/authorize` of a CIMD client (its client id is its metadata document's URL): the
/// status.
fn authorize_cimd(e: &cognito_flows_emulator::Emulator, client_id: &str) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", "http://localhost:3000/callback")
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .finish();
    agent
        .get(format!("{}oauth2/authorize?{query}", e.endpoint()))
        .call()
        .unwrap()
        .status()
        .as_u16()
}

/// A CIMD client's first `/oauth2/authorize` makes the emulator retrieve its metadata document
/// and cache it (listed by ListClientMetadataURLs, for the `Cache-Control` max-age); REFRESH
/// makes the next authorize retrieve it again, INVALIDATE removes it (then REFRESH finds
/// nothing), and a document that names another client id is not cached.
#[test]
fn a_cached_client_metadata_url_is_refreshed_and_invalidated() {
    let w = alice();
    let e = &w.emulator;
    // The dates below are compared exactly: the clock moves only when the test moves it.
    e.set_clock(e.now());
    let (pool, client) = (&w.pool_id, &w.client_id);
    let server = MetadataServer::start();
    let mut policy = cimd(pool, client);
    policy["URLPatterns"] = json!([server.url("/*")]);
    let id = ok(e, "CreateCIMDPolicy", policy)["CIMDPolicy"]["CIMDPolicyId"].clone();
    let url = server.url("/client.json");
    let list = || {
        ok(
            e,
            "ListClientMetadataURLs",
            json!({"UserPoolId": pool, "CIMDPolicyId": id}),
        )["ClientMetadataURLs"]
            .clone()
    };
    let state = |action: &str| json!({"UserPoolId": pool, "CIMDPolicyId": id, "URL": url, "Action": action});

    // The first authorize retrieves the document; the next ones use the cache.
    authorize_cimd(e, &url);
    assert_eq!(server.fetches(), 1);
    let cached = list();
    assert_eq!(cached.as_array().unwrap().len(), 1, "{cached}");
    assert_eq!(cached[0]["URL"], json!(url));
    let date = cached[0]["CachedDate"].as_f64().unwrap();
    let expires = cached[0]["ExpirationDate"].as_f64().unwrap();
    assert_eq!(expires - date, 172_800.0, "the document's max-age");
    authorize_cimd(e, &url);
    assert_eq!(server.fetches(), 1, "from the cache");

    // REFRESH: the next authorize retrieves it again (and caches it anew).
    e.advance(Duration::from_secs(60));
    assert_eq!(
        ok(e, "UpdateClientMetadataURLState", state("REFRESH")),
        json!({})
    );
    server.version.store(2, std::sync::atomic::Ordering::SeqCst);
    authorize_cimd(e, &url);
    assert_eq!(server.fetches(), 2, "retrieved again after REFRESH");
    let refreshed = list();
    assert_eq!(refreshed[0]["CachedDate"].as_f64().unwrap(), date + 60.0);

    // Expired: retrieved again too.
    e.advance(Duration::from_secs(172_801));
    authorize_cimd(e, &url);
    assert_eq!(server.fetches(), 3, "retrieved again after its expiry");

    // INVALIDATE: gone from the list, and nothing left to refresh.
    assert_eq!(
        ok(e, "UpdateClientMetadataURLState", state("INVALIDATE")),
        json!({})
    );
    assert_eq!(list(), json!([]));
    assert_eq!(
        refused(e, "UpdateClientMetadataURLState", state("REFRESH")),
        "CachedCIMDURLDoesNotExistException"
    );

    // A document naming another client id, and a URL no policy matches: nothing cached.
    authorize_cimd(e, &server.url("/impostor.json"));
    assert_eq!(server.fetches(), 4);
    assert_eq!(list(), json!([]));
    let status = authorize_cimd(e, "https://elsewhere.example/client.json");
    assert_eq!(status, 400);
    assert_eq!(server.fetches(), 4, "not fetched");
    assert_eq!(list(), json!([]));
}

/// One HTTP exchange with the emulator without following redirects: the status, the
/// `Location`, the cookies set (`name=value`) and the body.
fn exchange(
    e: &cognito_flows_emulator::Emulator,
    request: http::request::Builder,
    body: &str,
) -> (u16, Option<String>, Vec<String>, String) {
    let path = request.uri_ref().unwrap().to_string();
    let request = request
        .uri(format!("{}{path}", e.endpoint().trim_end_matches('/')))
        .body(body.as_bytes().to_vec())
        .unwrap();
    let response = common::send(&common::agent(), request);
    let header = |name: &str| {
        response
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let cookies = header("set-cookie")
        .iter()
        .map(|c| c.split(';').next().unwrap().to_owned())
        .collect();
    (
        response.status().as_u16(),
        header("location").first().cloned(),
        cookies,
        String::from_utf8(response.body().clone()).unwrap(),
    )
}

/// Every hidden input of a page, unescaped as a browser submits them.
fn hidden_inputs(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[at + 27..];
        let name = &rest[..rest.find('"').unwrap()];
        let value_at = rest.find("value=\"").unwrap() + 7;
        let value = &rest[value_at..value_at + rest[value_at..].find('"').unwrap()];
        let value = value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        out.push((name.to_owned(), value));
    }
    out
}

fn jwt_claims(token: &Value) -> Value {
    use base64::Engine as _;
    let payload = token.as_str().unwrap().split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// A client identified by its metadata URL signs a user in through the login page with the
/// authorization-code flow: the authorize request (PKCE required: the client is public) shows
/// the login page for the redirect URI of its document, the password leads to the code at that
/// redirect URI, and `/oauth2/token` exchanges the code for tokens with `client_id` = the URL
/// and no secret. The tokens name the URL as their client (`client_id`, `aud`) and carry the
/// scopes asked, within those of the policy's app client.
#[test]
fn a_client_identified_by_its_metadata_url_signs_a_user_in() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let w = alice();
    let e = &w.emulator;
    let pool = &w.pool_id;
    let server = MetadataServer::start();
    // The policy's app client: the code flow and the scopes a CIMD client may be granted.
    let app = ok(
        e,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "partners", "AllowedOAuthFlows": ["code"],
               "AllowedOAuthFlowsUserPoolClient": true, "CallbackURLs": ["https://partners.example.com/cb"],
               "AllowedOAuthScopes": ["openid", "email", "profile"]}),
    )["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut policy = cimd(pool, &app);
    policy["URLPatterns"] = json!([server.url("/*")]);
    ok(e, "CreateCIMDPolicy", policy);
    let url = server.url("/client.json");
    let redirect = "http://localhost:3000/callback";
    let verifier = "a-verifier-of-the-partner-app-that-is-long-enough-for-pkce";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let authorize = |extra: &[(&str, &str)]| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("client_id", &url)
            .append_pair("redirect_uri", redirect)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid email")
            .append_pair("state", "s-1");
        for (k, v) in extra {
            query.append_pair(k, v);
        }
        exchange(
            e,
            http::Request::get(format!("/oauth2/authorize?{}", query.finish())),
            "",
        )
    };

    // A public client without PKCE: refused.
    let (status, _, _, page) = authorize(&[]);
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("code_challenge"), "{page}");
    let pkce = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    // The login page, for the client of the document.
    let (status, _, cookies, page) = authorize(&pkce);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"signin\""), "{page}");
    let mut form = hidden_inputs(&page);
    assert!(
        form.contains(&("client_id".to_owned(), url.clone())),
        "{form:?}"
    );
    form.push(("username".into(), "alice".into()));
    form.push(("password".into(), "Passw0rd!".into()));
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form)
        .finish();
    let (status, location, _, page) = exchange(
        e,
        http::Request::post("/login")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Cookie", cookies.join("; ")),
        &body,
    );
    assert_eq!(status, 302, "{page}");
    let location = url::Url::parse(&location.unwrap()).unwrap();
    assert_eq!(&location.as_str()[..redirect.len()], redirect, "{location}");
    let params: std::collections::BTreeMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(params.get("state").map(String::as_str), Some("s-1"));
    let code = params["code"].clone();

    let token = |client_id: &str, code: &str| {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("client_id", client_id)
            .append_pair("code", code)
            .append_pair("redirect_uri", redirect)
            .append_pair("code_verifier", verifier)
            .finish();
        let (status, _, _, answer) = exchange(
            e,
            http::Request::post("/oauth2/token")
                .header("Content-Type", "application/x-www-form-urlencoded"),
            &body,
        );
        (status, serde_json::from_str::<Value>(&answer).unwrap())
    };
    // The code is the CIMD client's: not the app client's to exchange.
    let (status, answer) = token(&app, &code);
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"], "invalid_grant");
    // That refusal used the code up, as any exchange does: a new sign-in for the next one.
    let (_, _, cookies, page) = authorize(&pkce);
    let mut form = hidden_inputs(&page);
    form.push(("username".into(), "alice".into()));
    form.push(("password".into(), "Passw0rd!".into()));
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&form)
        .finish();
    let (_, location, _, _) = exchange(
        e,
        http::Request::post("/login")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Cookie", cookies.join("; ")),
        &body,
    );
    let location = url::Url::parse(&location.unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let (status, answer) = token(&url, &code);
    assert_eq!(status, 200, "{answer}");
    let access = jwt_claims(&answer["access_token"]);
    assert_eq!(access["client_id"], json!(url), "{access}");
    assert_eq!(access["username"], "alice");
    assert_eq!(access["scope"], "openid email");
    let id = jwt_claims(&answer["id_token"]);
    assert_eq!(id["aud"], json!(url), "{id}");
    assert_eq!(id["cognito:username"], "alice");
    // The refresh token refreshes for the same client, without a secret.
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "refresh_token")
        .append_pair("client_id", &url)
        .append_pair("refresh_token", answer["refresh_token"].as_str().unwrap())
        .finish();
    let (status, _, _, refreshed) = exchange(
        e,
        http::Request::post("/oauth2/token")
            .header("Content-Type", "application/x-www-form-urlencoded"),
        &body,
    );
    assert_eq!(status, 200, "{refreshed}");
    let refreshed: Value = serde_json::from_str(&refreshed).unwrap();
    assert_eq!(
        jwt_claims(&refreshed["access_token"])["client_id"],
        json!(url)
    );
    // Used once.
    let (status, answer) = token(&url, &code);
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"], "invalid_grant");
    // The scripted authorize (the user's name and password in the query) gives a code too.
    let (status, location, _, page) = authorize(&[
        pkce[0],
        pkce[1],
        ("username", "alice"),
        ("password", "Passw0rd!"),
    ]);
    assert_eq!(status, 302, "{page}");
    let location = url::Url::parse(&location.unwrap()).unwrap();
    assert!(
        location.as_str().starts_with(redirect) && location.query_pairs().any(|(k, _)| k == "code"),
        "{location}"
    );
    // A scope the policy's app client does not allow is refused at the authorize request.
    let (status, _, _, page) = exchange(
        e,
        http::Request::get(format!(
            "/oauth2/authorize?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("client_id", &url)
                .append_pair("redirect_uri", redirect)
                .append_pair("response_type", "code")
                .append_pair("scope", "phone")
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256")
                .finish()
        )),
        "",
    );
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("invalid_scope"), "{page}");
    drop(server);
}

fn terms(pool: &str, client: &str, name: &str) -> Value {
    json!({"UserPoolId": pool, "ClientId": client, "TermsName": name, "TermsSource": "LINK",
           "Enforcement": "NONE",
           "Links": {"cognito:default": format!("https://example.com/{name}"),
                     "cognito:spanish": format!("https://example.com/es/{name}")}})
}

#[test]
fn terms_are_created_described_by_id_and_client_listed_updated_and_deleted() {
    let w = alice();
    let e = &w.emulator;
    let (pool, client) = (&w.pool_id, &w.client_id);
    let created = ok(e, "CreateTerms", terms(pool, client, "terms-of-use"))["Terms"].clone();
    let id = created["TermsId"].as_str().unwrap().to_owned();
    assert_eq!(
        created["Links"]["cognito:spanish"],
        "https://example.com/es/terms-of-use"
    );
    assert_eq!(
        ok(
            e,
            "DescribeTerms",
            json!({"UserPoolId": pool, "TermsId": id})
        )["Terms"],
        created
    );
    let by_client = ok(
        e,
        "DescribeTermsByClient",
        json!({"UserPoolId": pool, "ClientId": client, "TermsName": "terms-of-use"}),
    );
    assert_eq!(by_client["Terms"], created);
    ok(e, "CreateTerms", terms(pool, client, "privacy-policy"));
    let listed = ok(e, "ListTerms", json!({"UserPoolId": pool}));
    assert_eq!(listed["Terms"].as_array().unwrap().len(), 2);
    let updated = ok(
        e,
        "UpdateTerms",
        json!({"UserPoolId": pool, "TermsId": id, "Links": {"cognito:default": "https://example.com/v2"}}),
    );
    assert_eq!(
        updated["Terms"]["Links"],
        json!({"cognito:default": "https://example.com/v2"})
    );
    assert_eq!(updated["Terms"]["TermsName"], "terms-of-use", "kept");
    ok(e, "DeleteTerms", json!({"UserPoolId": pool, "TermsId": id}));
    let listed = ok(
        e,
        "ListTerms",
        json!({"UserPoolId": pool, "MaxResults": 60}),
    );
    assert_eq!(listed["Terms"].as_array().unwrap().len(), 1);
}

#[test]
fn terms_refuse_what_cognito_refuses() {
    let w = alice();
    let e = &w.emulator;
    let (pool, client) = (&w.pool_id, &w.client_id);
    let with = |key: &str, value: Value| {
        let mut body = terms(pool, client, "terms-of-use");
        body[key] = value;
        body
    };
    for body in [
        with("TermsName", json!("cookie-policy")),
        with("TermsSource", json!("FILE")),
        with("Enforcement", json!("STRICT")),
        with("Links", json!({})),
        with("Links", json!({"cognito:klingon": "https://example.com"})),
        with("Links", json!({"default": "https://example.com"})),
        with(
            "Links",
            json!({"cognito:default": "https://example.com/a b"}),
        ),
        with("Links", Value::Null),
    ] {
        assert_eq!(
            refused(e, "CreateTerms", body.clone()),
            "InvalidParameterException",
            "{body}"
        );
    }
    assert_eq!(
        refused(e, "CreateTerms", with("ClientId", json!("nosuchclient"))),
        "ResourceNotFoundException"
    );
    let id = ok(e, "CreateTerms", terms(pool, client, "terms-of-use"))["Terms"]["TermsId"].clone();
    assert_eq!(
        refused(e, "CreateTerms", terms(pool, client, "terms-of-use")),
        "TermsExistsException"
    );
    let privacy =
        ok(e, "CreateTerms", terms(pool, client, "privacy-policy"))["Terms"]["TermsId"].clone();
    assert_eq!(
        refused(
            e,
            "UpdateTerms",
            json!({"UserPoolId": pool, "TermsId": privacy, "TermsName": "terms-of-use"})
        ),
        "TermsExistsException"
    );
    let unknown = "00000000-0000-4000-8000-000000000000";
    for operation in ["DescribeTerms", "UpdateTerms", "DeleteTerms"] {
        assert_eq!(
            refused(
                e,
                operation,
                json!({"UserPoolId": pool, "TermsId": unknown})
            ),
            "ResourceNotFoundException",
            "{operation}"
        );
        assert_eq!(
            refused(
                e,
                operation,
                json!({"UserPoolId": pool, "TermsId": "not-a-uuid"})
            ),
            "InvalidParameterException",
            "{operation}"
        );
    }
    ok(e, "DeleteTerms", json!({"UserPoolId": pool, "TermsId": id}));
    assert_eq!(
        refused(
            e,
            "DescribeTermsByClient",
            json!({"UserPoolId": pool, "ClientId": client, "TermsName": "terms-of-use"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(e, "ListTerms", json!({"UserPoolId": "us-east-1_nowhere"})),
        "ResourceNotFoundException"
    );
}

/// A PNG's first bytes, base64.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUg==";

#[test]
fn branding_is_created_described_updated_by_merging_and_deleted() {
    let w = alice();
    let e = &w.emulator;
    let (pool, client) = (&w.pool_id, &w.client_id);
    let created = ok(
        e,
        "CreateManagedLoginBranding",
        json!({"UserPoolId": pool, "ClientId": client,
               "Settings": {"components": {"primaryButton": {"lightMode": {"defaults": {"backgroundColor": "0972d3ff"}}}}},
               "Assets": [{"Category": "PAGE_HEADER_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": PNG}]}),
    )["ManagedLoginBranding"]
        .clone();
    let id = created["ManagedLoginBrandingId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created["UseCognitoProvidedValues"], false);
    assert_eq!(created["Assets"][0]["Bytes"], PNG);
    let described = ok(
        e,
        "DescribeManagedLoginBranding",
        json!({"UserPoolId": pool, "ManagedLoginBrandingId": id}),
    );
    assert_eq!(described["ManagedLoginBranding"], created);
    let by_client = ok(
        e,
        "DescribeManagedLoginBrandingByClient",
        json!({"UserPoolId": pool, "ClientId": client, "ReturnMergedResources": true}),
    );
    assert_eq!(by_client["ManagedLoginBranding"], created);
    let updated = ok(
        e,
        "UpdateManagedLoginBranding",
        json!({"UserPoolId": pool, "ManagedLoginBrandingId": id,
               "Settings": {"components": {"pageBackground": {"image": {"enabled": true}}}},
               "Assets": [{"Category": "PAGE_HEADER_LOGO", "ColorMode": "LIGHT", "Extension": "SVG", "Bytes": "PHN2Zz48L3N2Zz4="}]}),
    )["ManagedLoginBranding"]
        .clone();
    let components = &updated["Settings"]["components"];
    assert!(components.get("primaryButton").is_some(), "kept");
    assert!(components.get("pageBackground").is_some(), "merged in");
    assert_eq!(updated["Assets"].as_array().unwrap().len(), 1, "replaced");
    assert_eq!(updated["Assets"][0]["Extension"], "SVG");
    let reset = ok(
        e,
        "UpdateManagedLoginBranding",
        json!({"UserPoolId": pool, "ManagedLoginBrandingId": id, "UseCognitoProvidedValues": true}),
    );
    assert_eq!(
        reset["ManagedLoginBranding"]["UseCognitoProvidedValues"],
        true
    );
    assert_eq!(reset["ManagedLoginBranding"]["Assets"], json!([]));
    ok(
        e,
        "DeleteManagedLoginBranding",
        json!({"UserPoolId": pool, "ManagedLoginBrandingId": id}),
    );
    let defaults = ok(
        e,
        "CreateManagedLoginBranding",
        json!({"UserPoolId": pool, "ClientId": client, "UseCognitoProvidedValues": true}),
    );
    assert_eq!(
        defaults["ManagedLoginBranding"]["UseCognitoProvidedValues"], true,
        "a client has a style again once its style is deleted"
    );
}

#[test]
fn branding_refuses_what_cognito_refuses() {
    let w = alice();
    let e = &w.emulator;
    let (pool, client) = (&w.pool_id, &w.client_id);
    let asset = |category: &str, extension: &str| json!({"Category": category, "ColorMode": "LIGHT", "Extension": extension, "Bytes": PNG});
    let style = |extra: Value| {
        let mut body = json!({"UserPoolId": pool, "ClientId": client});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, why) in [
        (
            style(json!({"UseCognitoProvidedValues": true, "Settings": {}})),
            "defaults and settings",
        ),
        (
            style(json!({"Assets": [asset("WALLPAPER", "PNG")]})),
            "category",
        ),
        (
            style(json!({"Assets": [asset("FORM_LOGO", "GIF")]})),
            "extension",
        ),
        (
            style(json!({"Assets": [asset("FAVICON_ICO", "PNG")]})),
            "favicon not an ICO",
        ),
        (
            style(json!({"Assets": [asset("FORM_LOGO", "PNG"), asset("FORM_LOGO", "SVG")]})),
            "twice",
        ),
        (style(json!({"Settings": "blue"})), "settings not an object"),
    ] {
        assert_eq!(
            refused(e, "CreateManagedLoginBranding", body),
            "InvalidParameterException",
            "{why}"
        );
    }
    assert_eq!(
        refused(
            e,
            "CreateManagedLoginBranding",
            json!({"UserPoolId": pool, "ClientId": "nosuchclient"})
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        refused(
            e,
            "DescribeManagedLoginBrandingByClient",
            json!({"UserPoolId": pool, "ClientId": client})
        ),
        "ResourceNotFoundException",
        "no style yet"
    );
    ok(e, "CreateManagedLoginBranding", style(json!({})));
    assert_eq!(
        refused(e, "CreateManagedLoginBranding", style(json!({}))),
        "ManagedLoginBrandingExistsException"
    );
    let unknown = "00000000-0000-4000-8000-000000000000";
    for operation in [
        "DescribeManagedLoginBranding",
        "UpdateManagedLoginBranding",
        "DeleteManagedLoginBranding",
    ] {
        assert_eq!(
            refused(
                e,
                operation,
                json!({"UserPoolId": pool, "ManagedLoginBrandingId": unknown})
            ),
            "ResourceNotFoundException",
            "{operation}"
        );
        assert_eq!(
            refused(
                e,
                operation,
                json!({"UserPoolId": pool, "ManagedLoginBrandingId": "x"})
            ),
            "InvalidParameterException",
            "{operation}"
        );
    }
}

#[test]
fn what_a_pool_configures_for_aws_survives_a_restart() {
    let dir = emulator::TempDir::new("emulator-pool-configuration");
    let w = Fixture::start(
        Options::default()
            .data(dir.path())
            .user("alice", "Passw0rd!", &[]),
    );
    let (pool, client) = (w.pool_id.clone(), w.client_id.clone());
    let e = &w.emulator;
    let created =
        ok(e, "DescribeUserPool", json!({"UserPoolId": pool}))["UserPool"]["CreationDate"]
            .as_u64()
            .unwrap();
    e.advance(Duration::from_secs(3600));
    ok(
        e,
        "SetLogDeliveryConfiguration",
        json!({"UserPoolId": pool, "LogConfigurations": log_configurations()}),
    );
    ok(
        e,
        "SetUserPoolSessionConfiguration",
        json!({"UserPoolId": pool, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 7}}),
    );
    ok(
        e,
        "SetUserPoolClientSessionConfiguration",
        json!({"UserPoolId": pool, "ClientId": client, "SSOSession": {"MaxValidityMinutes": 480}}),
    );
    ok(
        e,
        "CreateUserPoolReplica",
        json!({"UserPoolId": pool, "RegionName": "eu-west-1"}),
    );
    let restore = ok(
        e,
        "InitiatePointInTimeRecovery",
        json!({"UserPoolId": pool, "RestoreTimestamp": created + 60}),
    )["Restoration"]["RestoreId"]
        .clone();
    let policy =
        ok(e, "CreateCIMDPolicy", cimd(&pool, &client))["CIMDPolicy"]["CIMDPolicyId"].clone();
    let terms_id =
        ok(e, "CreateTerms", terms(&pool, &client, "privacy-policy"))["Terms"]["TermsId"].clone();
    let branding = ok(
        e,
        "CreateManagedLoginBranding",
        json!({"UserPoolId": pool, "ClientId": client, "Settings": {"a": 1}}),
    )["ManagedLoginBranding"]["ManagedLoginBrandingId"]
        .clone();

    let w = w.restart();
    let e = &w.emulator;
    assert_eq!(
        ok(
            e,
            "GetLogDeliveryConfiguration",
            json!({"UserPoolId": pool})
        )["LogDeliveryConfiguration"]["LogConfigurations"],
        log_configurations()
    );
    assert_eq!(
        ok(
            e,
            "GetUserPoolSessionConfiguration",
            json!({"UserPoolId": pool})
        )["TokenSession"]["MaxPerUser"],
        7
    );
    assert_eq!(
        ok(
            e,
            "GetUserPoolClientSessionConfiguration",
            json!({"UserPoolId": pool, "ClientId": client})
        )["SSOSession"]["MaxValidityMinutes"],
        480
    );
    assert_eq!(
        ok(e, "ListUserPoolReplicas", json!({"UserPoolId": pool}))["UserPoolReplicas"][1]["RegionName"],
        "eu-west-1"
    );
    assert_eq!(
        ok(
            e,
            "DescribePointInTimeRecovery",
            json!({"UserPoolId": pool, "RestoreId": restore})
        )["Restoration"]["RestoreTimestamp"],
        created + 60
    );
    assert_eq!(
        ok(
            e,
            "DescribeCIMDPolicy",
            json!({"UserPoolId": pool, "CIMDPolicyId": policy})
        )["CIMDPolicy"]["PolicyName"],
        "Partner apps"
    );
    assert_eq!(
        ok(
            e,
            "DescribeTerms",
            json!({"UserPoolId": pool, "TermsId": terms_id})
        )["Terms"]["TermsName"],
        "privacy-policy"
    );
    assert_eq!(
        ok(
            e,
            "DescribeManagedLoginBranding",
            json!({"UserPoolId": pool, "ManagedLoginBrandingId": branding})
        )["ManagedLoginBranding"]["Settings"],
        json!({"a": 1})
    );
}
