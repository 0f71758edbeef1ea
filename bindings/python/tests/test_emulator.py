"""The use cases against the embedded emulator, which really checks SRP, TOTP and device SRP."""

from __future__ import annotations

import time

import pytest

import cognito_flows as cf
from conftest import totp


def test_srp_sign_in_gives_tokens_the_verifier_accepts(emulator):
    with emulator.client() as client:
        signed_in = client.sign_in(emulator.username, emulator.password)
        assert signed_in.username == emulator.username
        assert signed_in.tokens.username == emulator.username
        assert signed_in.tokens.is_valid(time.time())
        assert signed_in.tokens.refresh_token
        claims = client.verify(signed_in.tokens.access_token)
        assert claims["username"] == emulator.username
        assert claims["token_use"] == "access"
        assert claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{emulator.pool_id}"
        id_claims = client.verify(signed_in.tokens.id_token, token_use="id")
        assert id_claims["cognito:username"] == emulator.username


@pytest.mark.cognito_emulator(client_secret=True)
def test_password_sign_in_with_a_client_secret(emulator):
    assert emulator.client_secret
    with emulator.client() as client:
        signed_in = client.sign_in(emulator.username, emulator.password, srp=False)
        assert signed_in.tokens.access_claims["username"] == emulator.username


def test_a_wrong_password_is_refused_with_not_authorized(emulator):
    with emulator.client() as client:
        with pytest.raises(cf.NotAuthorizedException) as refused:
            client.sign_in(emulator.username, "Wr0ng-password!")
    error = refused.value
    assert isinstance(error, cf.ServiceError) and isinstance(error, cf.CognitoError)
    assert error.kind == "NotAuthorizedException"
    assert error.operation == "RespondToAuthChallenge"
    assert error.status == 400
    assert "Wr0ng" not in str(error) and "Wr0ng" not in repr(error)


def test_a_forged_token_is_refused(emulator):
    with emulator.client() as client:
        token = client.sign_in(emulator.username, emulator.password).tokens.access_token
        header, payload, signature = token.split(".")
        forged = ".".join([header, payload, signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")])
        with pytest.raises(cf.InvalidTokenError) as refused:
            client.verify(forged)
        assert refused.value.reason == "bad_signature"


def set_up_totp(client: cf.Client, emulator, signed_in: cf.SignedIn) -> str:
    access = signed_in.tokens.access_token
    associated = client.call(cf.account.associate_software_token(emulator.pool, access))
    secret = associated["SecretCode"]
    assert isinstance(secret, cf.Secret) and "[redacted]" in repr(associated)
    verified = client.call(
        cf.account.verify_software_token(emulator.pool, access, totp(secret.expose(), time.time()), "phone")
    )
    assert verified["Status"] == "SUCCESS"
    client.call(cf.account.set_user_mfa_preference(emulator.pool, access, totp=(True, True)))
    return secret.expose()


def totp_answers(secret: str, asked: list):
    """An authenticator: a wrong code first, then the current one."""

    def on_prompt(prompt: cf.Prompt):
        asked.append(prompt)
        assert prompt.kind == "totp_code"
        if len(asked) == 1:
            return "000000" if totp(secret, time.time()) != "000000" else "111111"
        return totp(secret, time.time())

    return on_prompt


@pytest.mark.cognito_emulator(mfa="optional")
def test_totp_mfa_asks_again_after_a_wrong_code(emulator):
    with emulator.client() as client:
        secret = set_up_totp(client, emulator, client.sign_in(emulator.username, emulator.password))
        with pytest.raises(cf.ChallengeRequired) as asked:
            client.sign_in(emulator.username, emulator.password)
        assert asked.value.prompt.kind == "totp_code"

        prompts: list = []
        signed_in = client.sign_in(emulator.username, emulator.password, on_prompt=totp_answers(secret, prompts))
        assert [p.kind for p in prompts] == ["totp_code", "totp_code"]
        assert prompts[0].error is None
        assert isinstance(prompts[1].error, cf.CodeMismatchException)
        assert signed_in.tokens.access_claims["username"] == emulator.username


@pytest.mark.cognito_emulator(mfa="optional", device_tracking="always")
def test_a_remembered_device_signs_in_without_mfa(emulator):
    with emulator.client() as client:
        first = client.sign_in(emulator.username, emulator.password)
        secret = set_up_totp(client, emulator, first)
        prompts: list = []
        with_mfa = client.sign_in(emulator.username, emulator.password, on_prompt=totp_answers(secret, prompts))
        device = with_mfa.device
        assert isinstance(device, cf.DeviceCredentials)
        assert device.device_key.startswith("us-east-1_")
        assert device.password not in repr(device) and "[redacted]" in repr(device)

        # As the remembered device: device SRP, and no TOTP prompt (on_prompt=None would raise).
        again = client.sign_in(emulator.username, emulator.password, device=device)
        assert again.tokens.access_claims["username"] == emulator.username
        assert again.tokens.access_claims.get("device_key") in (None, device.device_key)

        # A device password that is not the device's is refused by device SRP.
        wrong = cf.DeviceCredentials(device.device_key, device.device_group_key, "not-the-device-password")
        with pytest.raises(cf.NotAuthorizedException):
            client.sign_in(emulator.username, emulator.password, device=wrong)


def test_refresh_then_sign_out_revokes_the_refresh_token(emulator):
    with emulator.client() as client:
        signed_in = client.sign_in(emulator.username, emulator.password)
        refreshed = client.refresh(signed_in)
        assert refreshed.tokens.is_valid(time.time())
        assert refreshed.tokens.refresh_token == signed_in.tokens.refresh_token
        assert refreshed.tokens.access_claims["username"] == emulator.username

        stored = cf.Tokens.from_json(signed_in.tokens.to_json())
        assert client.refresh(stored).username == emulator.username

        client.sign_out(signed_in)
        with pytest.raises(cf.NotAuthorizedException):
            client.refresh(signed_in)


def test_forgot_password_with_a_wrong_code_then_the_right_one(emulator):
    new_password = "N3w-Passw0rd!"
    prompts: list = []

    def on_prompt(prompt: cf.Prompt):
        prompts.append(prompt)
        assert prompt.kind == "password_reset"
        code = emulator.code(emulator.username)
        assert code
        if len(prompts) == 1:
            wrong = "000000" if code != "000000" else "111111"
            return cf.Input.password_reset(wrong, new_password)
        return cf.Input.password_reset(code, new_password)

    with emulator.client() as client:
        client.forgot_password(emulator.username, on_prompt)
        assert len(prompts) == 2
        assert isinstance(prompts[1].error, cf.CodeMismatchException)
        assert prompts[0].delivery is not None

        assert client.sign_in(emulator.username, new_password).username == emulator.username
        with pytest.raises(cf.NotAuthorizedException):
            client.sign_in(emulator.username, emulator.password)


def test_account_calls_get_user_and_change_password(emulator):
    with emulator.client() as client:
        signed_in = client.sign_in(emulator.username, emulator.password)
        access = signed_in.tokens.access_token
        user = client.call(cf.account.get_user(emulator.pool, access))
        assert user["Username"] == emulator.username
        client.call(cf.account.change_password(emulator.pool, access, emulator.password, "Ch4nged-Passw0rd!"))
        assert client.sign_in(emulator.username, "Ch4nged-Passw0rd!").username == emulator.username
        with pytest.raises(cf.NotAuthorizedException):
            client.call(cf.account.change_password(emulator.pool, access, "Wr0ng-Passw0rd!", "X1-aaaaaaaa"))


@pytest.mark.cognito_emulator(users=[{"username": "alice", "temporary": True}])
def test_a_temporary_password_must_be_replaced_at_first_sign_in(emulator):
    prompts: list = []

    def on_prompt(prompt: cf.Prompt):
        prompts.append(prompt)
        assert prompt.kind == "new_password"
        if len(prompts) == 1:
            return cf.Input.new_password("short")  # refused by the policy: asked again
        return cf.Input.new_password("N3w-Passw0rd!")

    with emulator.client() as client:
        signed_in = client.sign_in(emulator.username, emulator.password, on_prompt=on_prompt)
        assert signed_in.username == emulator.username
        assert isinstance(prompts[1].error, cf.InvalidPasswordException)
        assert client.sign_in(emulator.username, "N3w-Passw0rd!").username == emulator.username


@pytest.mark.cognito_emulator(mfa="required")
def test_mfa_setup_during_sign_in_with_an_authenticator(emulator):
    secrets: list = []

    def on_prompt(prompt: cf.Prompt):
        if prompt.kind == "select_mfa_setup":
            assert "SOFTWARE_TOKEN_MFA" in prompt.options
            return cf.Input.select_mfa("SOFTWARE_TOKEN_MFA")
        if prompt.kind == "totp_setup":
            secrets.append(prompt.secret)
            assert prompt.uri.startswith("otpauth://totp/")
            return cf.Input.totp_setup(totp(prompt.secret, time.time()), "phone")
        assert prompt.kind == "totp_code", prompt
        return totp(secrets[0], time.time())

    with emulator.client() as client:
        first = client.sign_in(emulator.username, emulator.password, on_prompt=on_prompt)
        assert first.username == emulator.username and len(secrets) == 1
        # Now set up: the next sign-in asks for the authenticator's code.
        again = client.sign_in(emulator.username, emulator.password, on_prompt=on_prompt)
        assert again.username == emulator.username and len(secrets) == 1


def test_sign_up_confirm_with_the_code_sent_then_sign_in(emulator):
    with emulator.client() as client:
        answer = client.call(
            cf.account.sign_up(emulator.pool, "bob", "B0b-Passw0rd!", attributes={"email": "bob@example.com"})
        )
        assert answer["UserConfirmed"] is False and answer["UserSub"]
        with pytest.raises(cf.UserNotConfirmedException):
            client.sign_in("bob", "B0b-Passw0rd!")
        with pytest.raises(cf.CodeMismatchException):
            client.call(cf.account.confirm_sign_up(emulator.pool, "bob", "000000" if emulator.code("bob") != "000000" else "111111"))
        client.call(cf.account.confirm_sign_up(emulator.pool, "bob", emulator.code("bob")))
        assert client.sign_in("bob", "B0b-Passw0rd!").username == "bob"


def json11(emulator, operation: str, body: dict) -> dict:
    """A Cognito operation on the emulator, as JSON 1.1: its answer (200 expected)."""
    import http.client
    import json
    import urllib.parse

    url = urllib.parse.urlsplit(emulator.endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(
            "POST",
            "/",
            body=json.dumps(body),
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
            },
        )
        response = connection.getresponse()
        answer = json.loads(response.read() or b"{}")
        assert response.status == 200, (operation, answer)
        return answer
    finally:
        connection.close()


def test_a_service_gets_a_machine_token_with_its_scopes(emulator):
    json11(
        emulator,
        "CreateResourceServer",
        {"UserPoolId": emulator.pool_id, "Identifier": "orders", "Name": "Orders",
         "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"},
                    {"ScopeName": "write", "ScopeDescription": "Write"}]},
    )
    client = json11(
        emulator,
        "CreateUserPoolClient",
        {"UserPoolId": emulator.pool_id, "ClientName": "service", "GenerateSecret": True,
         "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": True,
         "AllowedOAuthScopes": ["orders/read", "orders/write"]},
    )["UserPoolClient"]
    secret = client["ClientSecret"]
    credentials = cf.ClientCredentials(
        emulator.endpoint, client["ClientId"], secret, scopes=["orders/read"]
    )
    assert secret not in repr(credentials)
    with emulator.client() as py:
        token = py.client_credentials(credentials)
        assert isinstance(token, cf.MachineToken)
        assert token.scopes == ["orders/read"]
        assert token.has_scope("orders/read") and not token.has_scope("orders/write")
        assert token.access_claims["client_id"] == client["ClientId"]
        assert "username" not in token.access_claims
        assert token.is_valid_for(time.time())
        assert not token.is_valid_for(token.expires_at - 30)
        assert token.access_token not in repr(token)
        # A verifier of that app client requiring the scope accepts it.
        claims = py.verify(
            token.access_token, client_ids=[client["ClientId"]], required_scopes=["orders/read"]
        )
        assert claims["scope"] == "orders/read"
        # One requiring a scope it lacks refuses it.
        with pytest.raises(cf.InvalidTokenError) as lacking:
            py.verify(token.access_token, client_ids=[client["ClientId"]], required_scopes=["orders/write"])
        assert lacking.value.reason == "missing_scope"

        # The secret in the body, every allowed scope.
        body = cf.ClientCredentials(emulator.endpoint, client["ClientId"], secret, auth="body")
        assert py.client_credentials(body).scopes == ["orders/read", "orders/write"]

        # A scope the app client is not allowed: an OAuth error.
        refused = cf.ClientCredentials(
            emulator.endpoint, client["ClientId"], secret, scopes=["orders/admin"]
        )
        with pytest.raises(cf.OAuthError) as error:
            py.client_credentials(refused)
        assert error.value.code == "invalid_scope"
