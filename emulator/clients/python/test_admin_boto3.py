"""The whole job over HTTP with boto3, as on Cognito: create a pool, a client with a secret and a
user; sign in with pycognito's SRP; add TOTP MFA (AssociateSoftwareToken / VerifySoftwareToken,
codes computed here, RFC 6238); sign in with MFA; list users by email; groups in the tokens."""

import base64
import hashlib
import hmac
import json
import os
import struct
import time
import unittest

from support import INFO, cognito, get

from botocore.exceptions import ClientError  # noqa: E402
from pycognito import Cognito  # noqa: E402
from pycognito.exceptions import SoftwareTokenMFAChallengeException  # noqa: E402


def totp(secret, at=None):
    """RFC 6238: HMAC-SHA1 over the 30-second step, 6 digits."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[19] & 0x0F
    word = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{word % 1_000_000:06d}"


def error_of(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    raise AssertionError("the call succeeded")


class AdminOverHttp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        idp = cognito()
        cls.idp = idp
        pool = idp.create_user_pool(
            PoolName="made-with-boto3",
            Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireNumbers": True}},
            Schema=[{"Name": "tenant", "AttributeDataType": "String", "Mutable": True}],
            AutoVerifiedAttributes=["email"],
        )["UserPool"]
        cls.pool_id = pool["Id"]
        idp.set_user_pool_mfa_config(
            UserPoolId=cls.pool_id,
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration="OPTIONAL",
        )
        client = idp.create_user_pool_client(
            UserPoolId=cls.pool_id,
            ClientName="server",
            GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]
        cls.client_id, cls.client_secret = client["ClientId"], client["ClientSecret"]
        idp.admin_create_user(
            UserPoolId=cls.pool_id,
            Username="alice",
            TemporaryPassword="Temp-Passw0rd",
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": "alice@example.com"},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "custom:tenant", "Value": "acme"},
            ],
        )
        idp.admin_set_user_password(
            UserPoolId=cls.pool_id, Username="alice", Password="Alice-Passw0rd", Permanent=True
        )
        idp.create_group(UserPoolId=cls.pool_id, GroupName="admins", Precedence=1)
        idp.admin_add_user_to_group(UserPoolId=cls.pool_id, Username="alice", GroupName="admins")
        # pycognito checks the tokens with the pool's JWKS, fetched here from the emulator.
        _, _, body = get(f"{INFO['endpoint']}{cls.pool_id}/.well-known/jwks.json")
        os.environ["COGNITO_JWKS"] = body.decode()

    def user(self):
        return Cognito(
            self.pool_id, self.client_id, username="alice", client_secret=self.client_secret
        )

    def test_1_the_pool_and_client_read_back_as_created(self):
        pool = self.idp.describe_user_pool(UserPoolId=self.pool_id)["UserPool"]
        self.assertEqual(pool["Name"], "made-with-boto3")
        self.assertEqual(pool["Policies"]["PasswordPolicy"]["MinimumLength"], 10)
        self.assertIn("custom:tenant", [a["Name"] for a in pool["SchemaAttributes"]])
        mfa = self.idp.get_user_pool_mfa_config(UserPoolId=self.pool_id)
        self.assertEqual(mfa["MfaConfiguration"], "OPTIONAL")
        self.assertTrue(mfa["SoftwareTokenMfaConfiguration"]["Enabled"])
        client = self.idp.describe_user_pool_client(
            UserPoolId=self.pool_id, ClientId=self.client_id
        )["UserPoolClient"]
        self.assertEqual(client["ClientSecret"], self.client_secret)
        pools = self.idp.list_user_pools(MaxResults=60)["UserPools"]
        self.assertIn(self.pool_id, [p["Id"] for p in pools])

    def test_2_srp_then_totp_setup_then_sign_in_with_mfa(self):
        alice = self.user()
        alice.authenticate(password="Alice-Passw0rd")
        self.assertEqual(alice.id_claims["email"], "alice@example.com")
        self.assertEqual(alice.id_claims["custom:tenant"], "acme")
        self.assertEqual(alice.id_claims["cognito:groups"], ["admins"])
        self.assertEqual(alice.access_claims["cognito:groups"], ["admins"])
        with self.assertRaises(ClientError):
            self.user().authenticate(password="Wrong-Passw0rd1")

        secret = alice.associate_software_token()
        code, _ = error_of(lambda: alice.verify_software_token(totp(secret, time.time() - 3600)))
        self.assertEqual(code, "EnableSoftwareTokenMFAException")
        self.assertTrue(alice.verify_software_token(totp(secret), "phone"))
        alice.set_user_mfa_preference(False, True, "SOFTWARE_TOKEN")

        again = self.user()
        with self.assertRaises(SoftwareTokenMFAChallengeException):
            again.authenticate(password="Alice-Passw0rd")
        again.respond_to_software_token_mfa_challenge(totp(secret))
        self.assertEqual(again.access_claims["username"], "alice")
        again.verify_tokens()

    def test_3_list_users_by_email(self):
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username="bob",
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": "bob@example.com"}],
        )
        found = self.idp.list_users(UserPoolId=self.pool_id, Filter='email = "alice@example.com"')
        self.assertEqual([u["Username"] for u in found["Users"]], ["alice"])
        found = self.idp.list_users(UserPoolId=self.pool_id, Filter='email ^= "bob"')
        self.assertEqual([u["Username"] for u in found["Users"]], ["bob"])
        self.assertEqual(found["Users"][0]["UserStatus"], "FORCE_CHANGE_PASSWORD")
        paginator = self.idp.get_paginator("list_users")
        names = [
            u["Username"]
            for page in paginator.paginate(UserPoolId=self.pool_id, PaginationConfig={"PageSize": 1})
            for u in page["Users"]
        ]
        self.assertEqual(names, ["alice", "bob"])
        code, message = error_of(
            lambda: self.idp.list_users(UserPoolId=self.pool_id, Filter="email = alice")
        )
        self.assertEqual((code, message), ("InvalidParameterException", "Error while parsing filter."))

    def test_4_a_disabled_user_cannot_sign_in(self):
        self.idp.admin_create_user(
            UserPoolId=self.pool_id, Username="carl", MessageAction="SUPPRESS",
            TemporaryPassword="Carl-Passw0rd",
        )
        self.idp.admin_set_user_password(
            UserPoolId=self.pool_id, Username="carl", Password="Carl-Passw0rd", Permanent=True
        )
        self.idp.admin_disable_user(UserPoolId=self.pool_id, Username="carl")
        carl = Cognito(self.pool_id, self.client_id, username="carl", client_secret=self.client_secret)
        with self.assertRaises(ClientError) as refused:
            carl.authenticate(password="Carl-Passw0rd")
        self.assertEqual(refused.exception.response["Error"]["Message"], "User is disabled.")
        user = self.idp.admin_get_user(UserPoolId=self.pool_id, Username="carl")
        self.assertFalse(user["Enabled"])
        self.idp.admin_enable_user(UserPoolId=self.pool_id, Username="carl")
        carl.authenticate(password="Carl-Passw0rd")

    def test_5_the_clients_auth_flows_are_enforced(self):
        code, message = error_of(
            lambda: self.idp.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "alice", "PASSWORD": "Alice-Passw0rd"},
            )
        )
        self.assertEqual((code, message), ("InvalidParameterException", "Auth flow not enabled for this client"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
