"""pycognito's SRP sign-in (AWSSRP: PASSWORD_VERIFIER without a Session, as real Cognito
accepts) against the cognito-emulator binary. pycognito verifies the tokens it gets: with the
AWS-form issuer it derives from the pool id, and the JWKS fetched from the emulator."""

import json
import os
import unittest

from support import INFO, app_client, jwks

os.environ["COGNITO_JWKS"] = json.dumps(jwks())  # pycognito's documented way to give it the JWKS

from botocore.exceptions import ClientError  # noqa: E402
from pycognito import Cognito  # noqa: E402


def user(client_name="web", username="alice"):
    client = app_client(client_name)
    return Cognito(
        INFO["pool_id"],
        client["client_id"],
        username=username,
        client_secret=client["client_secret"],
    )


class PyCognito(unittest.TestCase):
    def test_authenticate_with_the_right_password(self):
        alice = user()
        alice.authenticate(password="Passw0rd!")
        self.assertEqual(alice.access_claims["username"], "alice")
        self.assertEqual(alice.access_claims["iss"], INFO["issuer"])
        self.assertEqual(alice.id_claims["email"], "alice@example.com")
        self.assertEqual(alice.token_type, "Bearer")
        self.assertEqual(alice.get_user().email, "alice@example.com")

    def test_a_wrong_password_is_refused(self):
        with self.assertRaises(ClientError) as refused:
            user().authenticate(password="Wrong-Passw0rd")
        error = refused.exception.response["Error"]
        self.assertEqual(error["Code"], "NotAuthorizedException")
        self.assertIn("Incorrect username or password", error["Message"])

    def test_authenticate_with_a_client_secret(self):
        alice = user("server")
        alice.authenticate(password="Passw0rd!")
        self.assertEqual(alice.access_claims["client_id"], app_client("server")["client_id"])

    def test_renew_the_access_token(self):
        alice = user()
        alice.authenticate(password="Passw0rd!")
        before = alice.access_token
        alice.renew_access_token()
        self.assertNotEqual(alice.access_token, before)
        self.assertEqual(alice.access_claims["username"], "alice")
        alice.verify_tokens()


if __name__ == "__main__":
    unittest.main(verbosity=2)
