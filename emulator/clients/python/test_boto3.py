"""boto3 against the cognito-emulator binary, with a client secret: sign-up, confirmation with
the code from the outbox, password sign-in, GetUser, and the modeled errors."""

import unittest

from support import INFO, app_client, cognito, last_code, secret_hash

USERNAME = "frank"
PASSWORD = "Frank-Passw0rd"
EMAIL = "frank@example.com"


class Boto3(unittest.TestCase):
    """The steps run in order (unittest sorts them by name) and share one account."""

    client = app_client("server")
    idp = cognito()
    tokens = None

    def auth(self, password, username=USERNAME):
        return self.idp.initiate_auth(
            ClientId=self.client["client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={
                "USERNAME": username,
                "PASSWORD": password,
                "SECRET_HASH": secret_hash(self.client, username),
            },
        )

    def test_1_sign_up(self):
        self.assertIsNotNone(self.client["client_secret"])
        with self.assertRaises(self.idp.exceptions.NotAuthorizedException) as refused:
            self.idp.sign_up(ClientId=self.client["client_id"], Username=USERNAME, Password=PASSWORD)
        self.assertIn("SECRET_HASH", str(refused.exception))
        answer = self.idp.sign_up(
            ClientId=self.client["client_id"],
            Username=USERNAME,
            Password=PASSWORD,
            SecretHash=secret_hash(self.client, USERNAME),
            UserAttributes=[{"Name": "email", "Value": EMAIL}],
        )
        self.assertFalse(answer["UserConfirmed"])
        self.assertEqual(answer["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL")
        self.assertRegex(answer["UserSub"], r"^[0-9a-f-]{36}$")
        self.assertTrue(answer["ResponseMetadata"]["RequestId"])

    def test_2_unconfirmed_cannot_sign_in(self):
        with self.assertRaises(self.idp.exceptions.UserNotConfirmedException):
            self.auth(PASSWORD)

    def test_3_confirm_with_the_code_from_the_outbox(self):
        code = last_code(USERNAME, "SignUp")
        with self.assertRaises(self.idp.exceptions.CodeMismatchException):
            self.idp.confirm_sign_up(
                ClientId=self.client["client_id"],
                Username=USERNAME,
                ConfirmationCode="000000" if code != "000000" else "111111",
                SecretHash=secret_hash(self.client, USERNAME),
            )
        self.idp.confirm_sign_up(
            ClientId=self.client["client_id"],
            Username=USERNAME,
            ConfirmationCode=code,
            SecretHash=secret_hash(self.client, USERNAME),
        )

    def test_4_initiate_auth(self):
        with self.assertRaises(self.idp.exceptions.NotAuthorizedException) as refused:
            self.auth("Wrong-Passw0rd")
        self.assertIn("Incorrect username or password", str(refused.exception))
        self.assertTrue(refused.exception.response["ResponseMetadata"]["RequestId"])
        result = self.auth(PASSWORD)["AuthenticationResult"]
        self.assertEqual(result["TokenType"], "Bearer")
        self.assertEqual(result["ExpiresIn"], 3600)
        Boto3.tokens = result

    def test_5_get_user(self):
        user = self.idp.get_user(AccessToken=self.tokens["AccessToken"])
        self.assertEqual(user["Username"], USERNAME)
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        self.assertEqual(attributes["email"], EMAIL)
        self.assertRegex(attributes["sub"], r"^[0-9a-f-]{36}$")
        with self.assertRaises(self.idp.exceptions.NotAuthorizedException):
            self.idp.get_user(AccessToken=self.tokens["IdToken"])

    def test_6_refresh(self):
        result = self.idp.initiate_auth(
            ClientId=self.client["client_id"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={
                "REFRESH_TOKEN": self.tokens["RefreshToken"],
                "SECRET_HASH": secret_hash(self.client, USERNAME),
            },
        )["AuthenticationResult"]
        self.assertNotIn("RefreshToken", result)
        user = self.idp.get_user(AccessToken=result["AccessToken"])
        self.assertEqual(user["Username"], USERNAME)

    def test_7_endpoint_is_the_emulator(self):
        self.assertEqual(self.idp.meta.endpoint_url.rstrip("/"), INFO["endpoint"].rstrip("/"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
