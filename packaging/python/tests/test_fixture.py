"""The cognito_emulator fixture of the installed wheel, with boto3 only: admin calls (signed with
dummy credentials, which the emulator ignores), the public calls unsigned, codes from the outbox,
a reset between tests, and a marked test with a process of its own. The tests run in order."""

import urllib.error
import urllib.request

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

import cognito_flows_emulator

seen = {}


def admin(emulator):
    return boto3.client("cognito-idp", **emulator.boto3_kwargs())


def public(emulator):
    """A client that signs nothing: SignUp, ConfirmSignUp and InitiateAuth need no credentials."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=emulator.endpoint,
        region_name=emulator.region,
        config=Config(signature_version=UNSIGNED),
    )


def error_code(raised):
    return raised.value.response["Error"]["Code"]


def test_admin_calls_see_the_default_user(cognito_emulator):
    user = admin(cognito_emulator).admin_get_user(UserPoolId=cognito_emulator.pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == "alice@example.com"
    assert cognito_emulator.users == ("alice",)
    assert cognito_emulator.passwords == {"alice": cognito_flows_emulator.DEFAULT_PASSWORD}
    assert cognito_emulator.endpoint.startswith("http://127.0.0.1:")
    seen["endpoint"] = cognito_emulator.endpoint
    seen["pool_id"] = cognito_emulator.pool_id


def test_sign_up_then_confirm_with_the_code_from_the_outbox(cognito_emulator):
    client = public(cognito_emulator)
    client.sign_up(
        ClientId=cognito_emulator.client_id,
        Username="erin",
        Password="Erin-Passw0rd",
        UserAttributes=[{"Name": "email", "Value": "erin@example.com"}],
    )
    [message] = cognito_emulator.outbox("erin")
    assert message["purpose"] == "SignUp" and message["pool_id"] == cognito_emulator.pool_id
    code = cognito_emulator.last_code("erin")
    assert code == message["code"] and len(code) == 6
    client.confirm_sign_up(ClientId=cognito_emulator.client_id, Username="erin", ConfirmationCode=code)
    user = admin(cognito_emulator).admin_get_user(UserPoolId=cognito_emulator.pool_id, Username="erin")
    assert user["UserStatus"] == "CONFIRMED"


def test_what_the_last_test_did_is_gone_and_the_ids_stay(cognito_emulator):
    assert (cognito_emulator.endpoint, cognito_emulator.pool_id) == (seen["endpoint"], seen["pool_id"])
    with pytest.raises(ClientError) as raised:
        admin(cognito_emulator).admin_get_user(UserPoolId=cognito_emulator.pool_id, Username="erin")
    assert error_code(raised) == "UserNotFoundException"
    assert cognito_emulator.last_code("erin") is None
    assert cognito_emulator.outbox() == []
    # The fixture restarts the process only when the binary does not answer POST /_emulator/reset.
    request = urllib.request.Request(cognito_emulator.endpoint + "_emulator/reset", data=b"{}", method="POST")
    try:
        answered = urllib.request.urlopen(request, timeout=10).status < 300
    except urllib.error.HTTPError:
        answered = False
    assert cognito_emulator.last_reset == ("reset" if answered else "restart")


def test_password_sign_in_and_a_wrong_password_refused(cognito_emulator):
    client = public(cognito_emulator)
    tokens = client.initiate_auth(
        ClientId=cognito_emulator.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
    )["AuthenticationResult"]
    assert client.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    with pytest.raises(ClientError) as raised:
        client.initiate_auth(
            ClientId=cognito_emulator.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "Wr0ng-Passw0rd"},
        )
    assert error_code(raised) == "NotAuthorizedException"


@pytest.mark.cognito_emulator(mfa="optional", client_secret=True, users=["bob", {"username": "carol", "temporary": True}])
def test_a_marked_test_gets_a_process_of_its_own(cognito_emulator, cognito_emulator_session):
    assert cognito_emulator.endpoint != cognito_emulator_session.endpoint
    cognito = admin(cognito_emulator)
    assert cognito.describe_user_pool(UserPoolId=cognito_emulator.pool_id)["UserPool"]["MfaConfiguration"] == "OPTIONAL"
    assert cognito_emulator.client_secret
    assert cognito_emulator.users == ("bob", "carol")
    carol = cognito.admin_get_user(UserPoolId=cognito_emulator.pool_id, Username="carol")
    assert carol["UserStatus"] == "FORCE_CHANGE_PASSWORD"
