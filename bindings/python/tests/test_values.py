"""The binding's values and errors, without a server: secrets stay out of repr(), errors are
typed, misuse leaves the flow unchanged."""

from __future__ import annotations

import base64
import json
import re

import pytest

import cognito_flows as cf
from conftest import REPO

POOL = cf.UserPool("us-east-1_AbC123", "1example23456789", client_secret="client-s3cret")
NOW = 1_764_000_000.0
ACCESS = "eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6ImFsaWNlIiwiaWF0IjoxNzY0MDAwMDAwLCJleHAiOjE3NjQwMDM2MDB9."
ID = "eyJhbGciOiJub25lIn0.eyJpYXQiOjE3NjQwMDAwMDAsImV4cCI6MTc2NDAwMzYwMH0."
TOKENS = (
    '{"AuthenticationResult":{"AccessToken":"%s","IdToken":"%s","RefreshToken":"refresh-s3cret",'
    '"ExpiresIn":3600,"TokenType":"Bearer","NewDeviceMetadata":{"DeviceKey":"us-east-1_d","DeviceGroupKey":"g"}}}'
    % (ACCESS, ID)
).encode()
JSON = {"content-type": "application/x-amz-json-1.1"}


def signed_in() -> cf.SignedIn:
    flow = cf.SignIn.user_password(POOL, "alice", "Passw0rd-s3cret", bytes(32))
    flow.handle_response(NOW, 200, JSON, TOKENS)
    flow.handle_response(NOW, 200, JSON, b'{"UserConfirmationNecessary":false}')
    done = flow.poll_action()
    assert isinstance(done, cf.Done), done
    return done.outcome


def test_secrets_never_appear_in_repr():
    out = signed_in()
    shown = " ".join(
        repr(x) for x in [POOL, out, out.tokens, out.device, cf.Secret("s3cret"), cf.Input.code("123456")]
    )
    for secret in ["client-s3cret", "Passw0rd-s3cret", "refresh-s3cret", ACCESS, ID, out.device.password, "s3cret", "123456"]:
        assert secret not in shown
    assert str(cf.Secret("s3cret")) == "Secret([redacted])"
    assert cf.Secret("s3cret").expose() == "s3cret"
    # The values are still there for whoever asks for them.
    assert out.tokens.access_token == ACCESS and out.tokens.refresh_token == "refresh-s3cret"


def test_a_request_repr_shows_the_operation_not_the_body():
    request = cf.SignIn.user_password(POOL, "alice", "Passw0rd-s3cret", bytes(32)).poll_action()
    assert isinstance(request, cf.Request)
    assert "InitiateAuth" in repr(request) and "Passw0rd-s3cret" not in repr(request)
    assert b"Passw0rd-s3cret" in request.body
    assert request.method == "POST" and request.url == "https://cognito-idp.us-east-1.amazonaws.com/"
    assert request.header("X-Amz-Target") == "AWSCognitoIdentityProviderService.InitiateAuth"


def test_a_totp_setup_prompt_hides_its_secret():
    prompt_body = b'{"ChallengeName":"MFA_SETUP","Session":"sess","ChallengeParameters":{"MFAS_CAN_SETUP":"[\\"SOFTWARE_TOKEN_MFA\\"]"}}'
    flow = cf.SignIn.user_password(POOL, "alice", "pw", bytes(32))
    flow.handle_response(NOW, 200, JSON, prompt_body)
    request = flow.poll_action()
    assert request.header("x-amz-target").endswith("AssociateSoftwareToken")
    flow.handle_response(NOW, 200, JSON, b'{"SecretCode":"JBSWY3DPEHPK3PXP","Session":"sess2"}')
    prompt = flow.poll_action()
    assert isinstance(prompt, cf.Prompt) and prompt.kind == "totp_setup"
    assert prompt.secret == "JBSWY3DPEHPK3PXP" and "JBSWY3DPEHPK3PXP" in prompt.uri
    assert "JBSWY3DPEHPK3PXP" not in repr(prompt)


def test_service_errors_are_classes_named_after_cognito_exceptions():
    flow = cf.SignIn.user_srp(POOL, "alice", "pw", bytes(32))
    body = b'{"__type":"com.amazonaws#UserNotFoundException","message":"User does not exist."}'
    with pytest.raises(cf.UserNotFoundException) as raised:
        flow.handle_response(NOW, 400, [("Content-Type", "application/x-amz-json-1.1")], body)
    assert raised.value.kind == "UserNotFoundException"
    assert raised.value.message == "User does not exist."
    assert raised.value.retryable is False
    failed = flow.poll_action()
    assert isinstance(failed, cf.Failed) and isinstance(failed.error, cf.UserNotFoundException)
    # An exception this version does not know is a ServiceError, by name.
    flow = cf.SignIn.user_srp(POOL, "alice", "pw", bytes(32))
    with pytest.raises(cf.ServiceError) as unknown:
        flow.handle_response(NOW, 400, JSON, b'{"__type":"BrandNewException","message":"?"}')
    assert type(unknown.value) is cf.ServiceError and unknown.value.kind == "BrandNewException"


def test_an_unusable_answer_is_a_protocol_error():
    flow = cf.SignIn.user_srp(POOL, "alice", "pw", bytes(32))
    with pytest.raises(cf.ProtocolError) as raised:
        flow.handle_response(NOW, 200, JSON, b"<html>not json</html>")
    assert raised.value.operation == "InitiateAuth" and raised.value.status == 200


def test_misuse_leaves_the_flow_unchanged():
    flow = cf.SignIn.user_srp(POOL, "alice", "pw", bytes(32))
    before = flow.poll_action().body
    with pytest.raises(cf.MisuseError):
        flow.handle_input(cf.Input.code("123456"))
    assert flow.poll_action().body == before


def test_bad_arguments_are_refused():
    with pytest.raises(cf.InvalidArgumentError):
        cf.SignIn.user_srp(POOL, "alice", "pw", bytes(31))
    with pytest.raises(cf.InvalidArgumentError):
        cf.UserPool("not-a-pool-id", "client")
    with pytest.raises(cf.InvalidArgumentError):
        cf.UserPool("us-east-1_AbC123", "client", endpoint="ftp://x")
    flow = cf.SignIn.user_srp(POOL, "alice", "pw", bytes(32))
    with pytest.raises(cf.InvalidArgumentError):
        flow.handle_response(-1.0, 200, {}, b"{}")
    with pytest.raises(cf.InvalidArgumentError):
        flow.handle_response(NOW, 200, {"bad header\n": "x"}, b"{}")


def test_the_same_entropy_gives_the_same_request_and_other_entropy_another():
    def first(seed: bytes) -> bytes:
        return cf.SignIn.user_srp(POOL, "alice", "pw", seed).poll_action().body

    assert first(bytes(32)) == first(bytes(32))
    assert first(bytes(32)) != first(bytes([1] * 32))


def test_every_cognito_exception_of_the_core_has_a_class():
    core = set(re.findall(r'= "([A-Za-z]+Exception)"', (REPO / "src" / "error.rs").read_text()))
    assert core and core == set(cf.SERVICE_EXCEPTIONS)
    for name in core:
        cls = getattr(cf, name)
        assert issubclass(cls, cf.ServiceError) and cls.__name__ == name


def unsigned_token(kid: str) -> str:
    """A token of the pool's issuer naming key `kid`, with a signature no key makes."""
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    claims = {"iss": POOL.issuer, "token_use": "access", "client_id": POOL.client_id,
              "exp": int(NOW) + 3600, "iat": int(NOW), "sub": "s", "username": "alice"}
    signature = base64.urlsafe_b64encode(bytes(256)).rstrip(b"=").decode()
    return f"{part({'kid': kid, 'alg': 'RS256'})}.{part(claims)}.{signature}"


def test_the_verifier_asks_for_the_jwks_first():
    verifier = cf.Verifier(POOL)
    token = unsigned_token("k1")
    fetch = verifier.verify(token, NOW)
    assert isinstance(fetch, cf.JwksFetch) and fetch.uri == POOL.jwks_uri
    assert fetch.request.url == POOL.jwks_uri
    assert verifier.handle_jwks_response(fetch, NOW, 200, {}, b'{"keys":[]}') == 0
    with pytest.raises(cf.InvalidTokenError) as refused:
        verifier.verify(token, NOW)
    assert refused.value.reason == "unknown_key"


def test_forged_kids_cause_no_fetch_storm():
    verifier = cf.Verifier(POOL)
    fetch = verifier.verify(unsigned_token("k1"), NOW)
    assert isinstance(fetch, cf.JwksFetch)
    error = verifier.handle_jwks_failure(fetch, NOW, "connection refused")
    assert isinstance(error, cf.InvalidTokenError) and error.reason == "jwks_fetch"
    # Within the penalty box, another unknown kid is refused without a fetch.
    with pytest.raises(cf.InvalidTokenError) as refused:
        verifier.verify(unsigned_token("k2"), NOW + 1)
    assert refused.value.reason == "unknown_key"


def test_the_hosted_ui_refuses_a_forged_callback():
    ui = cf.HostedUi("https://auth.example.com", "client", "https://app.example.com/cb")
    flow = ui.authorize(bytes(32))
    prompt = flow.poll_action()
    assert prompt.kind == "authorize" and prompt.url == flow.url
    with pytest.raises(cf.CallbackError):
        flow.handle_input(cf.Input.callback("https://app.example.com/cb?code=c&state=forged"))
    assert flow.poll_action().kind == "authorize"
    state = dict(p.split("=", 1) for p in flow.url.split("?", 1)[1].split("&"))["state"]
    flow.handle_input(cf.Input.callback(f"https://app.example.com/cb?code=the-code&state={state}"))
    token_request = flow.poll_action()
    assert token_request.url == "https://auth.example.com/oauth2/token"
    assert b"code=the-code" in token_request.body and b"code_verifier=" in token_request.body


def test_the_type_stubs_name_everything_the_extension_exports():
    import ast
    from pathlib import Path

    stub = ast.parse((Path(cf.__file__).parent / "_native.pyi").read_text())
    declared = {n.name for n in stub.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    declared |= {t.id for n in stub.body if isinstance(n, (ast.Assign, ast.AnnAssign)) for t in ([n.target] if isinstance(n, ast.AnnAssign) else n.targets) if isinstance(t, ast.Name)}
    exported = {name for name in dir(cf._native) if not name.startswith("_")}
    assert exported - declared == set()
    assert (Path(cf.__file__).parent / "py.typed").exists()


def test_sign_in_options_are_applied_and_unknown_ones_refused():
    device = cf.DeviceCredentials("us-east-1_dev", "group", "device-pw")
    request = cf.SignIn.user_srp(POOL, "alice", "pw", bytes(32), device=device, client_metadata={"k": "v"}).poll_action()
    assert b'"DEVICE_KEY":"us-east-1_dev"' in request.body and b'"ClientMetadata":{"k":"v"}' in request.body
    refresh = cf.SignIn.refresh(POOL, "alice", "refresh-s3cret", bytes(32), device_key="us-east-1_dev").poll_action()
    assert b'"DEVICE_KEY":"us-east-1_dev"' in refresh.body
    with pytest.raises(cf.InvalidArgumentError):
        cf.SignIn.user_srp(POOL, "alice", "pw", bytes(32), devise=device)
