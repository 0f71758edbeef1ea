"""A blocking client: the flows driven with the standard library's ``http.client``.

The client holds no flow logic of its own: it sends what the flow asks, gives it the answer,
asks ``on_prompt`` what the user says, and sleeps when the core says to wait. It keeps one
connection per host open; close it with ``close()`` or use it as a context manager::

    with Client(UserPool("us-east-1_AbC123", "1example23456789")) as client:
        signed_in = client.sign_in("alice", "correct horse")
        print(signed_in.tokens.access_claims["username"])
"""

from __future__ import annotations

import http.client
import os
import time
import urllib.parse
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from ._native import (
    ClientCredentials,
    CognitoError,
    DeviceCredentials,
    Done,
    Failed,
    ForgotPassword,
    Input,
    InvalidTokenError,
    MachineToken,
    MisuseError,
    Prompt,
    Request,
    Session,
    SignedIn,
    SignIn,
    Tokens,
    UserAgent,
    UserPool,
    JwksFetch,
    Verifier,
    Wait,
    global_sign_out,
    revoke_token,
)

# What ``on_prompt`` may return: an ``Input``, or for the prompts that take one string (a code,
# a custom challenge answer, an email address) that string, or a bool for ``remember_device``.
Answer = Union[Input, str, bool]
OnPrompt = Callable[[Prompt], Answer]

_TEXT_ANSWERS: Dict[str, Callable[[str], Input]] = {
    "sms_mfa_code": Input.code,
    "email_otp_code": Input.code,
    "sms_otp_code": Input.code,
    "totp_code": Input.code,
    "totp_setup": Input.totp_setup,
    "custom_challenge": Input.answer,
    "email_mfa_setup": Input.email,
    "select_mfa": Input.select_mfa,
    "select_mfa_setup": Input.select_mfa,
    "new_password": Input.new_password,
    "authorize": Input.callback,
}


class ChallengeRequired(CognitoError):
    """The flow asked something and no ``on_prompt`` was given to answer it.

    ``prompt`` is the question (e.g. ``prompt.kind == "totp_code"``).
    """

    def __init__(self, prompt: Prompt) -> None:
        super().__init__(f"the sign-in needs {prompt.kind}; pass on_prompt= to answer it")
        self.prompt = prompt


def _as_input(prompt: Prompt, answer: Answer) -> Input:
    if isinstance(answer, Input):
        return answer
    if isinstance(answer, bool) and prompt.kind == "remember_device":
        return Input.remember_device(answer)
    if isinstance(answer, str) and prompt.kind in _TEXT_ANSWERS:
        return _TEXT_ANSWERS[prompt.kind](answer)
    raise TypeError(f"on_prompt must answer {prompt.kind} with an Input, not {type(answer).__name__}")


def give_response(flow: Any, now: float, status: int, headers: Any, body: bytes) -> None:
    """``flow.handle_response``; the flow's own errors are left to the next ``poll_action``
    (``Failed``, or the prompt again with ``error``), a misuse is raised."""
    try:
        flow.handle_response(now, status, headers, body)
    except MisuseError:
        raise
    except CognitoError:
        pass


def answer(prompt: Prompt, on_prompt: Optional[OnPrompt]) -> Input:
    """What ``on_prompt`` says to ``prompt``, as an ``Input``."""
    if on_prompt is None:
        raise ChallengeRequired(prompt)
    return _as_input(prompt, on_prompt(prompt))


def outcome(action: Any) -> Any:
    """The outcome of ``Done``; raises the error of ``Failed``."""
    if isinstance(action, Done):
        return action.outcome
    if isinstance(action, Failed):
        raise action.error
    raise TypeError(f"unknown action {action!r}")


class Client:
    """Drives the flows over HTTPS (or HTTP, for a local emulator) with ``http.client``.

    ``entropy`` (default ``os.urandom``) gives each flow its 32 random bytes; ``clock``
    (default ``time.time``) the time each answer arrived; ``sleep`` waits when the core says
    so; ``user_agent`` is the ``x-amz-user-agent`` of every request of a flow (default
    ``cognito-flows/<version>``; ``UserAgent().append("my-app/2.1")`` adds yours). Redirects
    are never followed.
    """

    def __init__(
        self,
        pool: UserPool,
        *,
        timeout: float = 30.0,
        entropy: Callable[[int], bytes] = os.urandom,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        user_agent: Optional[UserAgent] = None,
    ) -> None:
        self.pool = pool
        self.timeout = timeout
        self.user_agent = user_agent or UserAgent()
        self._entropy = entropy
        self._clock = clock
        self._sleep = sleep
        self._connections: Dict[Tuple[str, str, int], http.client.HTTPConnection] = {}
        self._verifiers: Dict[str, Verifier] = {}

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.pool!r})"

    def close(self) -> None:
        """Closes the open connections."""
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    # --- I/O -----------------------------------------------------------------------------------

    def _connection(self, key: Tuple[str, str, int]) -> http.client.HTTPConnection:
        connection = self._connections.get(key)
        if connection is None:
            cls = http.client.HTTPSConnection if key[0] == "https" else http.client.HTTPConnection
            connection = cls(key[1], key[2], timeout=self.timeout)
            self._connections[key] = connection
        return connection

    def send(self, request: Request) -> Tuple[int, List[Tuple[str, str]], bytes]:
        """Sends one request; returns ``(status, headers, body)``."""
        url = urllib.parse.urlsplit(request.url)
        key = (url.scheme, url.hostname or "", url.port or (443 if url.scheme == "https" else 80))
        target = urllib.parse.urlunsplit(("", "", url.path or "/", url.query, ""))
        for attempt in (1, 2):
            connection = self._connection(key)
            try:
                connection.request(request.method, target, body=request.body, headers=dict(request.headers))
                response = connection.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server had closed: one more try on a new one.
                connection.close()
                del self._connections[key]
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def run(self, flow: Any, on_prompt: Optional[OnPrompt] = None) -> Any:
        """Drives any flow to its outcome; raises its error (a ``CognitoError``)."""
        while True:
            action = flow.poll_action()
            if isinstance(action, Request):
                give_response(flow, self._clock(), *self.send(action.with_user_agent(self.user_agent)))
            elif isinstance(action, Prompt):
                flow.handle_input(answer(action, on_prompt))
            elif isinstance(action, Wait):
                self._sleep(action.seconds)
            else:
                return outcome(action)

    # --- The use cases -------------------------------------------------------------------------

    def sign_in(
        self,
        username: str,
        password: str,
        *,
        on_prompt: Optional[OnPrompt] = None,
        device: Optional[DeviceCredentials] = None,
        srp: bool = True,
        **options: Any,
    ) -> SignedIn:
        """Signs in with SRP (``srp=False``: ``USER_PASSWORD_AUTH``). ``on_prompt`` answers the
        challenges (MFA codes, a new password, remembering the device); ``device`` signs in as
        a remembered device, so that Cognito may skip MFA. Raises e.g.
        ``NotAuthorizedException`` for a wrong password."""
        start = SignIn.user_srp if srp else SignIn.user_password
        flow = start(self.pool, username, password, self._entropy(32), device=device, **options)
        return self.run(flow, on_prompt)

    def refresh_flow(
        self,
        tokens: Union[SignedIn, Tokens],
        *,
        device: Optional[DeviceCredentials] = None,
    ) -> SignIn:
        """The ``REFRESH_TOKEN_AUTH`` flow for these tokens (with the device's key)."""
        if isinstance(tokens, SignedIn):
            device = device or tokens.device
            username = tokens.username
            tokens = tokens.tokens
        else:
            username = tokens.username or ""
        if tokens.refresh_token is None:
            raise MisuseError("these tokens have no refresh token")
        return SignIn.refresh(self.pool, username, tokens.refresh_token, self._entropy(32), device=device)

    def refresh(
        self,
        tokens: Union[SignedIn, Tokens],
        *,
        device: Optional[DeviceCredentials] = None,
    ) -> SignedIn:
        """New id and access tokens from the refresh token (``REFRESH_TOKEN_AUTH``)."""
        return self.run(self.refresh_flow(tokens, device=device))

    def get_session(self, session: Session) -> Session:
        """The JS SDK's ``getSession``: ``session`` itself while its tokens are valid, else the
        session its refresh token brings (new tokens, the rotated refresh token, the device
        kept): store it again. Raises ``SignedOutError`` when it expired without a refresh
        token."""
        flow = session.get_session(self.pool, self._clock())
        return session if flow is None else self.run(flow)

    def sign_out_flow(self, tokens: Union[Session, SignedIn, Tokens], *, everywhere: bool = False) -> Any:
        """The ``RevokeToken`` (or, ``everywhere``, ``GlobalSignOut``) call for these tokens."""
        if isinstance(tokens, Session):
            tokens = tokens.tokens
        if isinstance(tokens, SignedIn):
            tokens = tokens.tokens
        if everywhere:
            return global_sign_out(self.pool, tokens.access_token)
        if tokens.refresh_token is None:
            raise MisuseError("these tokens have no refresh token to revoke; use everywhere=True")
        return revoke_token(self.pool, tokens.refresh_token)

    def sign_out(self, tokens: Union[Session, SignedIn, Tokens], *, everywhere: bool = False) -> None:
        """Revokes the refresh token (and the tokens issued from it); with ``everywhere``,
        every token of the user (``GlobalSignOut``)."""
        self.run(self.sign_out_flow(tokens, everywhere=everywhere))

    def client_credentials(self, credentials: ClientCredentials) -> MachineToken:
        """A machine-to-machine access token of ``credentials``' app client (the
        client-credentials grant at its domain's ``/oauth2/token``), retried as every call is.
        Keep it while ``token.is_valid_for(time.time())`` and ask again after::

            credentials = ClientCredentials(domain, client_id, os.environ["CLIENT_SECRET"],
                                            scopes=["orders/read"])
            token = client.client_credentials(credentials)
            headers = {"Authorization": f"Bearer {token.access_token}"}
        """
        return self.run(credentials.token())

    def forgot_password(self, username: str, on_prompt: OnPrompt) -> None:
        """Sends a reset code, then asks ``on_prompt`` (a ``password_reset`` prompt) for it
        and the new password: answer with ``Input.password_reset(code, new_password)``."""
        self.run(ForgotPassword(self.pool, username), on_prompt)

    def call(self, flow: Any) -> Any:
        """Runs an account call (``cognito_flows.account.get_user(pool, token)``, ...)."""
        return self.run(flow)

    def verifier(self, token_use: str = "access", **options: Any) -> Verifier:
        """The verifier for these options, kept with the keys it fetched."""
        key = token_use + repr(sorted(options.items()))
        verifier = self._verifiers.get(key)
        if verifier is None:
            verifier = Verifier(self.pool, token_use=token_use, **options)
            self._verifiers[key] = verifier
        return verifier

    @staticmethod
    def verdict(verdict: Any) -> Dict[str, Any]:
        """The claims, from a second ``verify`` after the JWKS fetch."""
        if isinstance(verdict, JwksFetch):
            # Only with refetch_interval=0 and a key the JWKS still lacks.
            error = InvalidTokenError("the token's key is not in the pool's JWKS")
            error.reason = "unknown_key"
            raise error
        return verdict

    def fetch_jwks(self, verifier: Verifier, fetch: "JwksFetch") -> None:
        """Makes the fetch the verifier asked for and hands it the answer, or the failure."""
        try:
            status, headers, body = self.send(fetch.request)
        except OSError as failure:
            raise verifier.handle_jwks_failure(fetch, self._clock(), str(failure)) from failure
        verifier.handle_jwks_response(fetch, self._clock(), status, headers, body)

    def verify(self, token: str, *, token_use: str = "access", **options: Any) -> Dict[str, Any]:
        """Verifies a token (signature against the pool's JWKS, issuer, audience, expiry) and
        returns its claims; fetches the JWKS when the token names a key not seen yet. Raises
        ``InvalidTokenError``."""
        verifier = self.verifier(token_use, **options)
        verdict = verifier.verify(token, self._clock())
        if isinstance(verdict, JwksFetch):
            self.fetch_jwks(verifier, verdict)
            verdict = verifier.verify(token, self._clock())
        return self.verdict(verdict)
