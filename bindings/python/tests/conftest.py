"""Fixtures: the cognito-emulator binary (through the pytest plugin of packaging/python, which
scripts/test-python loads) and moto, each started on 127.0.0.1 and always stopped."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import socket
import struct
import subprocess
import time
from pathlib import Path
from typing import Iterator, Optional

import pytest

import cognito_flows as cf
from cognito_flows_emulator import Emulator

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = Path(os.environ.get("COGNITO_FLOWS_EXAMPLES", REPO / "target" / "debug" / "examples"))
MOTO_SERVER = Path(os.environ.get("COGNITO_FLOWS_MOTO_SERVER", REPO / ".tools" / "moto" / "bin" / "moto_server"))


def example(name: str) -> Path:
    path = EXAMPLES / name
    if not path.exists():
        pytest.fail(f"{path} is missing: cargo build -p cognito-flows-python --examples")
    return path


class EmulatorPool:
    """The emulator of the `cognito_emulator` fixture (the cognito-emulator binary, through the
    pytest plugin of packaging/python), with this package's pool for its first app client."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.endpoint: str = emulator.endpoint
        self.pool_id: str = emulator.pool_id
        self.client_id: str = emulator.client_id
        self.client_secret: Optional[str] = emulator.client_secret
        self.username: str = emulator.users[0]
        self.password: str = emulator.passwords[self.username]
        self.pool = cf.UserPool(
            self.pool_id, self.client_id, client_secret=self.client_secret, endpoint=self.endpoint
        )

    def code(self, username: str) -> Optional[str]:
        """The last code the emulator sent to `username`."""
        return self.emulator.last_code(username)

    def client(self, **kwargs) -> cf.Client:
        return cf.Client(self.pool, timeout=10, **kwargs)


@pytest.fixture
def emulator(cognito_emulator: Emulator) -> EmulatorPool:
    """The emulator as started (no MFA, no devices, the user alice), or with the options of
    `@pytest.mark.cognito_emulator(...)`."""
    return EmulatorPool(cognito_emulator)


def totp(secret: str, at: float, step: int = 30) -> str:
    """RFC 6238 with SHA-1, 6 digits: what an authenticator app shows."""
    import base64

    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    """A moto_server process, with the admin calls the tests need to set up a pool."""

    def __init__(self) -> None:
        if not MOTO_SERVER.exists():
            pytest.fail(f"moto is not installed at {MOTO_SERVER}: run scripts/setup-peers.sh")
        for _ in range(3):
            self.port = free_port()
            self.process = subprocess.Popen(
                [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        self.endpoint = f"http://127.0.0.1:{self.port}/"
                        return
                except OSError:
                    time.sleep(0.1)
            self.stop()
        pytest.fail("moto_server did not start")

    def admin(self, operation: str, body: dict) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                "POST",
                "/",
                body=json.dumps(body),
                headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
                    # moto wants a signed-looking request for admin calls.
                    "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0",
                },
            )
            response = connection.getresponse()
            answer = json.loads(response.read() or b"{}")
            assert response.status == 200, (operation, answer)
            return answer
        finally:
            connection.close()

    def pool_with_user(self, username: str, password: str, *, secret: bool = False) -> cf.UserPool:
        pool = self.admin("CreateUserPool", {"PoolName": f"py-{free_port()}"})["UserPool"]["Id"]
        client = self.admin(
            "CreateUserPoolClient",
            {
                "UserPoolId": pool,
                "ClientName": "py",
                "GenerateSecret": secret,
                "ExplicitAuthFlows": [
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ],
            },
        )["UserPoolClient"]
        self.admin(
            "AdminCreateUser",
            {"UserPoolId": pool, "Username": username, "MessageAction": "SUPPRESS"},
        )
        self.admin(
            "AdminSetUserPassword",
            {"UserPoolId": pool, "Username": username, "Password": password, "Permanent": True},
        )
        return cf.UserPool(
            pool, client["ClientId"], client_secret=client.get("ClientSecret"), endpoint=self.endpoint
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def moto() -> Iterator[Moto]:
    running = Moto()
    try:
        yield running
    finally:
        running.stop()
