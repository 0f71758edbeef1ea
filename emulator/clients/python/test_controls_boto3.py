"""The emulator's test controls as a Python suite uses them between tests, with boto3 and the
standard library: POST /_emulator/reset (and moto's /moto-api/reset), the clock, and fault
injection that botocore's own retry logic meets."""

import json
import unittest
import urllib.request

from support import INFO, app_client, cognito

import boto3  # noqa: E402
import botocore.config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402


def control(method, path, body=None):
    """A request to the emulator's control path; returns (status, JSON)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(INFO["endpoint"] + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Controls(unittest.TestCase):
    def setUp(self):
        self.assertEqual(control("POST", "_emulator/reset")[0], 200)
        self.idp = cognito()
        self.client_id = app_client("app")["client_id"]
        self.pool_id = INFO["pool_id"]

    def sign_in(self, idp=None):
        return (idp or self.idp).initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
        )["AuthenticationResult"]

    def test_reset_undoes_what_a_test_did(self):
        for path in ("_emulator/reset", "moto-api/reset"):
            self.idp.admin_delete_user(UserPoolId=self.pool_id, Username="alice")
            self.idp.create_user_pool(PoolName="left-over")
            self.assertEqual(control("POST", path)[0], 200)
            pools = self.idp.list_user_pools(MaxResults=60)["UserPools"]
            self.assertEqual([p["Id"] for p in pools], [self.pool_id], path)
            self.assertIn("AccessToken", self.sign_in())

    def test_the_clock_expires_an_access_token(self):
        access = self.sign_in()["AccessToken"]
        self.assertEqual(self.idp.get_user(AccessToken=access)["Username"], "alice")
        status, before = control("GET", "_emulator/clock")
        self.assertEqual(status, 200)
        status, after = control("POST", "_emulator/clock", {"advance_seconds": 2 * 3600})
        self.assertEqual(status, 200)
        self.assertGreaterEqual(after["now"], before["now"] + 7200)
        with self.assertRaises(ClientError) as caught:
            self.idp.get_user(AccessToken=access)
        self.assertEqual(caught.exception.response["Error"]["Code"], "NotAuthorizedException")

    def test_the_clock_expires_refresh_tokens_and_temporary_passwords(self):
        refresh = self.sign_in()["RefreshToken"]
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username="tim",
            TemporaryPassword="Temp0rary!",
            MessageAction="SUPPRESS",
        )
        # The client's refresh token validity (30 days) and the pool's temporary password
        # validity (7 days) have both passed.
        self.assertEqual(control("POST", "_emulator/clock", {"advance_seconds": 31 * 86400})[0], 200)
        with self.assertRaises(ClientError) as caught:
            self.idp.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh},
            )
        error = caught.exception.response["Error"]
        self.assertEqual(
            (error["Code"], error["Message"]),
            ("NotAuthorizedException", "Refresh Token has expired"),
        )
        with self.assertRaises(ClientError) as caught:
            self.idp.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "tim", "PASSWORD": "Temp0rary!"},
            )
        error = caught.exception.response["Error"]
        self.assertEqual(
            (error["Code"], error["Message"]),
            (
                "NotAuthorizedException",
                "Temporary password has expired and must be reset by an administrator.",
            ),
        )
        # RESEND gives tim a new temporary password.
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username="tim",
            TemporaryPassword="Temp0rary2!",
            MessageAction="RESEND",
        )
        challenge = self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "tim", "PASSWORD": "Temp0rary2!"},
        )
        self.assertEqual(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED")

    def test_botocore_retries_through_injected_throttling(self):
        status, _ = control(
            "POST",
            "_emulator/faults",
            {"operation": "InitiateAuth", "error": "TooManyRequestsException", "count": 2},
        )
        self.assertEqual(status, 200)
        retrying = boto3.client(
            "cognito-idp",
            region_name=INFO["region"],
            endpoint_url=INFO["endpoint"],
            config=botocore.config.Config(retries={"total_max_attempts": 3, "mode": "standard"}),
        )
        result = self.sign_in(retrying)
        self.assertIn("AccessToken", result)
        # Without retries the caller sees the error.
        control("POST", "_emulator/faults", {"operation": "InitiateAuth", "count": 1})
        once = boto3.client(
            "cognito-idp",
            region_name=INFO["region"],
            endpoint_url=INFO["endpoint"],
            config=botocore.config.Config(retries={"total_max_attempts": 1}),
        )
        with self.assertRaises(ClientError) as caught:
            self.sign_in(once)
        self.assertEqual(caught.exception.response["Error"]["Code"], "TooManyRequestsException")

    def test_an_armed_trigger_timeout_answers_what_cognito_answers(self):
        status, armed = control(
            "POST",
            "_emulator/faults",
            {"operation": "SignUp", "trigger": "timeout", "count": 1},
        )
        self.assertEqual(status, 200, armed)
        self.assertEqual(
            control("GET", "_emulator/faults")[1]["faults"],
            [{"operation": "SignUp", "trigger": "timeout", "count": 1}],
        )
        with self.assertRaises(ClientError) as caught:
            self.idp.sign_up(ClientId=self.client_id, Username="zed", Password="Passw0rd!")
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], "UnexpectedLambdaException")
        self.assertEqual(
            error["Message"],
            "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.",
        )
        self.assertEqual(control("GET", "_emulator/faults")[1]["faults"], [])


if __name__ == "__main__":
    unittest.main()
