"""An infrastructure tool's set-up, as Terraform or a CloudFormation custom resource drives it
with boto3, from an empty emulator and over HTTP only: a pool with tags and a domain, a resource
server with custom scopes, an OIDC identity provider with its attribute mapping, an app client
with two secrets (SECRET_HASH accepted with either), a user import job from a CSV uploaded to its
pre-signed URL; then every piece described and listed as the tool reads it back."""

import base64
import csv
import hashlib
import hmac
import io
import time
import unittest
import urllib.request

from support import INFO, cognito

import botocore.exceptions  # noqa: E402


def secret_hash(client_id, secret, username):
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class InfrastructureAsCode(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.idp = cognito()
        pool = cls.idp.create_user_pool(
            PoolName="iac",
            UserPoolTags={"team": "identity"},
            AutoVerifiedAttributes=["email"],
            Schema=[{"Name": "tenant", "AttributeDataType": "String", "Mutable": True}],
        )["UserPool"]
        cls.pool_id = pool["Id"]
        cls.arn = pool["Arn"]
        cls.idp.create_user_pool_domain(UserPoolId=cls.pool_id, Domain="iac-example")
        cls.idp.create_resource_server(
            UserPoolId=cls.pool_id,
            Identifier="https://api.example.com",
            Name="orders",
            Scopes=[
                {"ScopeName": "read", "ScopeDescription": "Read orders"},
                {"ScopeName": "write", "ScopeDescription": "Write orders"},
            ],
        )
        cls.idp.create_identity_provider(
            UserPoolId=cls.pool_id,
            ProviderName="Corporate",
            ProviderType="OIDC",
            ProviderDetails={
                "client_id": "corp-client",
                "client_secret": "corp-secret",
                "authorize_scopes": "openid email",
                "oidc_issuer": "https://idp.example.com",
                "attributes_request_method": "GET",
            },
            AttributeMapping={"email": "email", "custom:tenant": "tenant"},
            IdpIdentifiers=["corp"],
        )
        client = cls.idp.create_user_pool_client(
            UserPoolId=cls.pool_id,
            ClientName="backend",
            GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["https://api.example.com/read"],
            AllowedOAuthFlowsUserPoolClient=True,
        )["UserPoolClient"]
        cls.client_id = client["ClientId"]
        cls.first_secret = client["ClientSecret"]
        cls.second = cls.idp.add_user_pool_client_secret(
            UserPoolId=cls.pool_id, ClientId=cls.client_id
        )["ClientSecretDescriptor"]

    def test_1_the_pool_domain_and_tags_read_back(self):
        pool = self.idp.describe_user_pool(UserPoolId=self.pool_id)["UserPool"]
        self.assertEqual(pool["Name"], "iac")
        self.assertEqual(pool["Domain"], "iac-example")
        self.assertEqual(pool["UserPoolTags"], {"team": "identity"})
        described = self.idp.describe_user_pool_domain(Domain="iac-example")["DomainDescription"]
        self.assertEqual(described["UserPoolId"], self.pool_id)
        self.assertEqual(described["Status"], "ACTIVE")
        self.idp.tag_resource(ResourceArn=self.arn, Tags={"env": "test"})
        tags = self.idp.list_tags_for_resource(ResourceArn=self.arn)["Tags"]
        self.assertEqual(tags, {"team": "identity", "env": "test"})
        listed = self.idp.list_user_pools(MaxResults=10)["UserPools"]
        self.assertEqual([p["Id"] for p in listed], [self.pool_id])

    def test_2_the_resource_server_and_its_scopes_read_back(self):
        server = self.idp.describe_resource_server(
            UserPoolId=self.pool_id, Identifier="https://api.example.com"
        )["ResourceServer"]
        self.assertEqual(server["Name"], "orders")
        self.assertEqual(sorted(s["ScopeName"] for s in server["Scopes"]), ["read", "write"])
        listed = self.idp.list_resource_servers(UserPoolId=self.pool_id, MaxResults=10)
        self.assertEqual(
            [s["Identifier"] for s in listed["ResourceServers"]], ["https://api.example.com"]
        )

    def test_3_the_identity_provider_reads_back(self):
        provider = self.idp.describe_identity_provider(
            UserPoolId=self.pool_id, ProviderName="Corporate"
        )["IdentityProvider"]
        self.assertEqual(provider["ProviderType"], "OIDC")
        self.assertEqual(provider["AttributeMapping"]["custom:tenant"], "tenant")
        self.assertEqual(provider["ProviderDetails"]["oidc_issuer"], "https://idp.example.com")
        by_identifier = self.idp.get_identity_provider_by_identifier(
            UserPoolId=self.pool_id, IdpIdentifier="corp"
        )["IdentityProvider"]
        self.assertEqual(by_identifier["ProviderName"], "Corporate")
        listed = self.idp.list_identity_providers(UserPoolId=self.pool_id, MaxResults=10)
        self.assertEqual([p["ProviderName"] for p in listed["Providers"]], ["Corporate"])

    def test_4_the_client_has_two_secrets_and_either_signs_a_request(self):
        secrets = self.idp.list_user_pool_client_secrets(
            UserPoolId=self.pool_id, ClientId=self.client_id
        )["ClientSecrets"]
        self.assertEqual(len(secrets), 2)
        self.assertIn(self.second["ClientSecretId"], [s["ClientSecretId"] for s in secrets])
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username="svc",
            TemporaryPassword="Temp0rary!",
            MessageAction="SUPPRESS",
        )
        self.idp.admin_set_user_password(
            UserPoolId=self.pool_id, Username="svc", Password="Passw0rd!", Permanent=True
        )
        for secret in (self.first_secret, self.second["ClientSecretValue"]):
            result = self.idp.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={
                    "USERNAME": "svc",
                    "PASSWORD": "Passw0rd!",
                    "SECRET_HASH": secret_hash(self.client_id, secret, "svc"),
                },
            )
            self.assertIn("AccessToken", result["AuthenticationResult"])
        with self.assertRaises(botocore.exceptions.ClientError) as refused:
            self.idp.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={
                    "USERNAME": "svc",
                    "PASSWORD": "Passw0rd!",
                    "SECRET_HASH": secret_hash(self.client_id, "not-a-secret", "svc"),
                },
            )
        self.assertEqual(refused.exception.response["Error"]["Code"], "NotAuthorizedException")

    def test_5_users_imported_from_csv_must_reset_their_password(self):
        header = self.idp.get_csv_header(UserPoolId=self.pool_id)["CSVHeader"]
        self.assertIn("cognito:username", header)
        self.assertIn("email", header)
        row = {name: "" for name in header}
        row.update(
            {
                "cognito:username": "imported",
                "email": "imported@example.com",
                "email_verified": "true",
                "cognito:mfa_enabled": "false",
            }
        )
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerow([row[name] for name in header])
        job = self.idp.create_user_import_job(
            UserPoolId=self.pool_id,
            JobName="first",
            CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/CognitoImport",
        )["UserImportJob"]
        self.assertEqual(job["Status"], "Created")
        upload = urllib.request.Request(
            job["PreSignedUrl"],
            data=text.getvalue().encode(),
            method="PUT",
            headers={"x-amz-server-side-encryption": "aws:kms", "Content-Type": "text/csv"},
        )
        with urllib.request.urlopen(upload, timeout=10) as answer:
            self.assertEqual(answer.status, 200)
        self.idp.start_user_import_job(UserPoolId=self.pool_id, JobId=job["JobId"])
        for _ in range(100):
            described = self.idp.describe_user_import_job(
                UserPoolId=self.pool_id, JobId=job["JobId"]
            )["UserImportJob"]
            if described["Status"] not in ("Pending", "InProgress"):
                break
            time.sleep(0.1)
        self.assertEqual(described["Status"], "Succeeded", described)
        self.assertEqual(described["ImportedUsers"], 1)
        user = self.idp.admin_get_user(UserPoolId=self.pool_id, Username="imported")
        self.assertEqual(user["UserStatus"], "RESET_REQUIRED")
        listed = self.idp.list_user_import_jobs(UserPoolId=self.pool_id, MaxResults=10)
        self.assertEqual([j["JobId"] for j in listed["UserImportJobs"]], [job["JobId"]])


if __name__ == "__main__":
    unittest.main(verbosity=2)
