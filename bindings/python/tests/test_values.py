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


def test_reprs_read_as_python_not_rust():
    out = signed_in()
    shown = " ".join(repr(x) for x in [POOL, out, out.tokens, out.device, cf.UserAgent()])
    assert "Some(" not in shown and '"alice"' not in shown, shown
    assert "username='alice'" in repr(out.tokens) and "username='alice'" in repr(out)
    assert repr(POOL).startswith("UserPool(id='us-east-1_AbC123', client_id='1example23456789'")


def test_a_confirmation_hides_its_code_and_session():
    signed_up = {"UserConfirmed": False, "UserSub": "s", "Session": cf.Secret("sign-up-s3ssion")}
    confirmation = cf.Confirmation.after(signed_up, "alice", "123456")
    assert confirmation.has_session and confirmation.username == "alice"
    shown = repr(confirmation)
    assert "123456" not in shown and "s3ssion" not in shown, shown
    request = cf.account.confirm_registration(POOL, confirmation).poll_action()
    body = json.loads(request.body)
    assert body["Session"] == "sign-up-s3ssion" and body["ConfirmationCode"] == "123456"
    assert "ForceAliasCreation" not in body  # sent only when true
    plain = cf.Confirmation("alice", "123456", force_alias_creation=True)
    assert not plain.has_session
    assert json.loads(cf.account.confirm_registration(POOL, plain).poll_action().body)["ForceAliasCreation"] is True


def test_the_sign_in_after_confirmation_needs_a_session():
    assert cf.account.sign_in_after_confirmation(POOL, "alice", {}, bytes(32)) is None
    flow = cf.account.sign_in_after_confirmation(POOL, "alice", {"Session": cf.Secret("confirm-s")}, bytes(32))
    body = json.loads(flow.poll_action().body)
    assert body["AuthFlow"] == "USER_AUTH" and body["Session"] == "confirm-s"


def test_feedback_and_passkey_calls_name_their_operations():
    calls = {
        "UpdateAuthEventFeedback": cf.account.update_auth_event_feedback(POOL, "alice", "event-1", "fb-token", True),
        "GetUserAuthFactors": cf.account.get_user_auth_factors(POOL, ACCESS),
        "StartWebAuthnRegistration": cf.account.start_web_authn_registration(POOL, ACCESS),
        "CompleteWebAuthnRegistration": cf.account.complete_web_authn_registration(POOL, ACCESS, '{"id": "c"}'),
        "ListWebAuthnCredentials": cf.account.list_web_authn_credentials(POOL, ACCESS, 20, "page-2"),
        "DeleteWebAuthnCredential": cf.account.delete_web_authn_credential(POOL, ACCESS, "c"),
    }
    for operation, call in calls.items():
        request = call.poll_action()
        assert request.header("X-Amz-Target") == f"AWSCognitoIdentityProviderService.{operation}"
    feedback = json.loads(calls["UpdateAuthEventFeedback"].poll_action().body)
    assert feedback["FeedbackValue"] == "Valid" and feedback["EventId"] == "event-1"
    assert json.loads(calls["ListWebAuthnCredentials"].poll_action().body)["NextToken"] == "page-2"
    with pytest.raises(cf.InvalidArgumentError):
        cf.account.complete_web_authn_registration(POOL, ACCESS, "not json")


def test_the_user_agent_goes_on_every_request():
    request = cf.account.get_user(POOL, ACCESS).poll_action()
    assert request.header("x-amz-user-agent") is None  # the flows do not set it; the clients do
    plain = request.with_user_agent(cf.UserAgent())
    assert re.fullmatch(r"cognito-flows/\d+\.\d+\.\d+", plain.header("x-amz-user-agent"))
    mine = request.with_user_agent(cf.UserAgent().append("my-app/2.1"))
    assert mine.header("x-amz-user-agent").endswith(" my-app/2.1")
    assert [name for name, _ in mine.headers].count("x-amz-user-agent") == 1
    assert mine.body == request.body
    with pytest.raises(cf.InvalidArgumentError):
        cf.UserAgent().append("x\r\nAuthorization: forged")


def test_the_client_sends_the_user_agent():
    seen = []

    class Recording(cf.Client):
        def send(self, request):
            seen.append(request.header("x-amz-user-agent"))
            return 200, [("content-type", "application/x-amz-json-1.1")], b"{}"

    Recording(POOL, user_agent=cf.UserAgent().append("my-app/2.1")).call(cf.account.get_user(POOL, ACCESS))
    assert len(seen) == 1 and seen[0].endswith(" my-app/2.1"), seen


def test_totp_codes_match_rfc_6238():
    # RFC 6238's SHA-1 vector: the secret "12345678901234567890", in base32.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert cf.totp.code(secret, 59) == "287082"
    assert cf.totp.code(cf.Secret(secret), 1111111109) == "081804"
    uri = cf.totp.otpauth_uri(secret, "Example", "alice")
    assert repr(uri) == "Secret([redacted])"
    assert uri.expose().startswith("otpauth://totp/Example:alice?secret=")
    with pytest.raises(cf.InvalidArgumentError):
        cf.totp.code("not base32 !", 59)


def test_a_context_goes_into_the_fields_each_operation_takes():
    context = cf.Context(client_metadata={"k": "v"}, analytics_endpoint_id="e-1", ip_address="192.0.2.1")
    assert repr(context) == "Context(client_metadata, analytics_endpoint_id, ip_address)"
    sign_up = json.loads(cf.account.sign_up(POOL, "alice", "pw").with_context(context).poll_action().body)
    assert sign_up["ClientMetadata"] == {"k": "v"} and sign_up["AnalyticsMetadata"] == {"AnalyticsEndpointId": "e-1"}
    assert sign_up["UserContextData"] == {"IpAddress": "192.0.2.1"}
    # GetUser takes none of them.
    assert json.loads(cf.account.get_user(POOL, ACCESS).with_context(context).poll_action().body) == {"AccessToken": ACCESS}
    sign_in = json.loads(cf.SignIn.user_srp(POOL, "alice", "pw", bytes(32), context=context).poll_action().body)
    assert sign_in["UserContextData"] == {"IpAddress": "192.0.2.1"} and sign_in["ClientMetadata"] == {"k": "v"}
    reset = json.loads(cf.ForgotPassword(POOL, "alice", context=context).poll_action().body)
    assert reset["UserContextData"] == {"IpAddress": "192.0.2.1"}


def test_a_session_is_checked_refreshed_and_signed_out_by_the_core():
    session = cf.Session.from_signed_in(signed_in())
    assert session.username == "alice" and session.device is not None
    shown = repr(session)
    assert "refresh-s3cret" not in shown and ACCESS not in shown and "username='alice'" in shown
    again = cf.Session.from_json(session.to_json())
    assert again.tokens.refresh_token == "refresh-s3cret"
    # Issued at NOW for an hour: valid now, refreshed near the end.
    assert session.get_session(POOL, NOW + 60) is None
    refresh = session.get_session(POOL, NOW + 3590)
    assert isinstance(refresh, cf.Refresh)
    request = refresh.poll_action()
    assert request.header("X-Amz-Target") == "AWSCognitoIdentityProviderService.GetTokensFromRefreshToken"
    assert json.loads(request.body)["RefreshToken"] == "refresh-s3cret"
    revoke = session.sign_out(POOL).poll_action()
    assert revoke.header("X-Amz-Target") == "AWSCognitoIdentityProviderService.RevokeToken"
    without = cf.Session.from_json(json.dumps({**json.loads(session.to_json()), "tokens": {
        **json.loads(session.to_json())["tokens"], "refresh_token": None}}))
    assert without.sign_out(POOL) is None and without.refresh(POOL) is None
    with pytest.raises(cf.SignedOutError):
        without.get_session(POOL, NOW + 7200)
