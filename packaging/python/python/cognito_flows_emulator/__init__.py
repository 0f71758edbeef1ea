"""The cognito-emulator binary for Python test suites: start it, read its codes, reset it, stop it.

The wheel carries the `cognito-emulator` binary (a local Amazon Cognito User Pools emulator on
127.0.0.1 that really verifies SRP). This module starts it on a free port and reads the JSON line
it prints; the pytest plugin (`cognito_flows_emulator.pytest_plugin`, loaded by pytest on its own)
gives it to tests as the `cognito_emulator` fixture.

    from cognito_flows_emulator import start

    with start(mfa="optional") as emulator:
        cognito = boto3.client("cognito-idp", **emulator.boto3_kwargs())
        cognito.admin_get_user(UserPoolId=emulator.pool_id, Username="alice")

Only the standard library is used. Passwords go to the emulator in a config file readable by the
owner only, never on its command line.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "Client",
    "Emulator",
    "EmulatorError",
    "Pool",
    "binary",
    "start",
]

#: The user set up when neither `users` nor `config` is given: confirmed, with a verified email.
DEFAULT_USERNAME = "alice"
#: Its password.
DEFAULT_PASSWORD = "Passw0rd!"

_BINARY_NAME = "cognito-emulator.exe" if os.name == "nt" else "cognito-emulator"
#: How long the binary may take to print its line.
_START_TIMEOUT = 30.0
#: How long it may take to stop after SIGTERM before it is killed.
_STOP_TIMEOUT = 10.0
#: Environment variables the binary reads: the fixture says everything on its command line.
_BINARY_ENV = ("COGNITO_EMULATOR_CONFIG", "COGNITO_EMULATOR_DATA", "COGNITO_EMULATOR_PASSWORD")

_MFA = ("off", "optional", "required")
_DEVICE_TRACKING = ("off", "always", "user-opt-in")
_USER_KEYS = {
    "username",
    "password",
    "temporary",
    "confirmed",
    "enabled",
    "sms_mfa",
    "totp_secret",
    "groups",
    "attributes",
}


class EmulatorError(RuntimeError):
    """The emulator could not be found, started, reset or asked something."""


@dataclass(frozen=True)
class Client:
    """An app client of a pool."""

    name: str
    client_id: str
    client_secret: Optional[str]


@dataclass(frozen=True)
class Pool:
    """A user pool the emulator set up, with its app clients and the names of its users."""

    name: str
    pool_id: str
    issuer: str
    jwks_uri: str
    clients: Tuple[Client, ...]
    users: Tuple[str, ...]


def binary() -> str:
    """The path of the `cognito-emulator` binary.

    `$COGNITO_EMULATOR_BINARY` when set; else the one this package's wheel installed beside the
    Python interpreter's scripts; else the first on `PATH`.
    """
    given = os.environ.get("COGNITO_EMULATOR_BINARY")
    if given:
        if not os.access(given, os.X_OK):
            raise EmulatorError(f"$COGNITO_EMULATOR_BINARY is {given!r}, which is not an executable")
        return given
    schemes = [None, f"{os.name}_user"]
    if sys.platform == "darwin":
        schemes.append("osx_framework_user")
    for scheme in schemes:
        try:
            scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        candidate = Path(scripts) / _BINARY_NAME
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(_BINARY_NAME)
    if found:
        return found
    raise EmulatorError(
        f"{_BINARY_NAME} is not installed: install the cognito-flows-emulator wheel for this "
        "platform, or set $COGNITO_EMULATOR_BINARY to a built binary"
    )


UserSpec = Union[str, Mapping[str, Any]]


def _user_entry(user: UserSpec) -> Dict[str, Any]:
    """A user of the `users` option as the config file spells it."""
    if isinstance(user, str):
        user = {"username": user}
    unknown = set(user) - _USER_KEYS
    if unknown:
        raise ValueError(f"unknown user keys {sorted(unknown)}: the keys are {sorted(_USER_KEYS)}")
    if not user.get("username"):
        raise ValueError(f"a user needs a username: {user!r}")
    entry = dict(user)
    entry.setdefault("password", DEFAULT_PASSWORD)
    entry.setdefault(
        "attributes", {"email": f"{entry['username']}@example.com", "email_verified": "true"}
    )
    return entry


def _choice(name: str, value: Optional[str], choices: Sequence[str]) -> Optional[str]:
    if value is not None and value not in choices:
        raise ValueError(f"{name}={value!r}: one of {', '.join(choices)}")
    return value


class Emulator:
    """One running `cognito-emulator` process on 127.0.0.1, and what it set up.

    Build it with `start()`. The attributes describe the first pool of the set-up (the binary's
    line); `pools` lists every pool. A reset or a restart keeps the endpoint and every id.
    """

    #: The base URL of Cognito's API, the OAuth endpoints and the test controls: `http://127.0.0.1:PORT/`.
    endpoint: str
    #: The region in pool ids and issuers.
    region: str
    #: The first pool's id.
    pool_id: str
    #: The first pool's first app client's id and secret (`None` without a secret).
    client_id: str
    client_secret: Optional[str]
    #: The first pool's app clients.
    clients: Tuple[Client, ...]
    #: The names of the first pool's users.
    users: Tuple[str, ...]
    #: The first pool's token issuer and JWKS address.
    issuer: str
    jwks_uri: str
    #: Every pool of the set-up.
    pools: Tuple[Pool, ...]
    #: The binary's JSON line, as printed.
    info: Dict[str, Any]
    #: The passwords of the users set up through `users` (not those of a config file).
    passwords: Dict[str, str]
    #: What the last `reset()` did: `"reset"`, `"restart"`, or `None` before the first.
    last_reset: Optional[str]

    def __init__(self, args: List[str], workdir: Path, passwords: Dict[str, str], binary_path: str) -> None:
        self._args = args
        self._workdir = workdir
        self._binary = binary_path
        self._process: Optional[subprocess.Popen] = None
        self._port: Optional[int] = None
        self._reset_answered: Optional[bool] = None
        self.last_reset = None
        self.passwords = passwords
        self.info = {}
        self._launch()
        _running.append(self)

    # -- the process -----------------------------------------------------------------------

    def _launch(self) -> None:
        """Starts the binary (on the port of the first start, if any) and reads its line."""
        # Port 0 picks a free port (over a config file's); a restart asks for the same one again.
        args = [*self._args, "--port", str(self._port or 0)]
        out_path = self._workdir / "stdout"
        log_path = self._workdir / "stderr"
        env = {k: v for k, v in os.environ.items() if k not in _BINARY_ENV}
        # stdout and stderr go to files: nothing can block on a full pipe, and the codes the
        # emulator logs stay readable in the log after a failure.
        with open(out_path, "wb") as out, open(log_path, "ab") as log:
            self._process = subprocess.Popen(
                [self._binary, *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=log,
                env=env,
                cwd=self._workdir,
            )
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            text = out_path.read_bytes()
            if b"\n" in text:
                break
            if self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise EmulatorError(
                    f"cognito-emulator exited with {code} before it printed its line:\n{self.log()}"
                )
            if time.monotonic() > deadline:
                self._terminate()
                raise EmulatorError(f"cognito-emulator printed nothing in {_START_TIMEOUT:.0f} s:\n{self.log()}")
            time.sleep(0.01)
        line = json.loads(text.split(b"\n", 1)[0])
        if self.info and _ids(line) != _ids(self.info):
            self._terminate()
            raise EmulatorError("cognito-emulator came back with other ids than at its first start")
        self.info = line
        self.endpoint = line["endpoint"]
        self._port = urllib.parse.urlsplit(self.endpoint).port
        self.region = line["region"]
        self.pool_id = line["pool_id"]
        self.client_id = line["client_id"]
        self.client_secret = line.get("client_secret")
        self.issuer = line["issuer"]
        self.jwks_uri = line["jwks_uri"]
        self.pools = tuple(_pool(p) for p in line.get("pools", []))
        self.clients = self.pools[0].clients if self.pools else ()
        self.users = tuple(line.get("users", []))

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=_STOP_TIMEOUT)

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._process is not None and self._process.poll() is None

    def log(self) -> str:
        """What the emulator wrote to stderr (its set-up, the codes it sent), for error messages."""
        try:
            return (self._workdir / "stderr").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stops the emulator (SIGTERM, then SIGKILL after 10 s) and removes its files."""
        self._terminate()
        if self in _running:
            _running.remove(self)
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- reset -----------------------------------------------------------------------------

    def restart(self) -> None:
        """Stops the process and starts it again with the same set-up, port and ids."""
        self._terminate()
        self._launch()

    def reset(self) -> str:
        """Brings the emulator back to the state right after its start.

        Asks `POST /_emulator/reset` when the binary answers it (and the first pool is still
        there afterwards); otherwise restarts the process, which starts in well under a second.
        The endpoint and every id stay the same. Returns `"reset"` or `"restart"`: what it did.
        """
        if self._reset_answered is not False and self.running:
            try:
                status, _ = self._request("POST", "_emulator/reset", b"{}")
            except EmulatorError:
                status = 0
            if 200 <= status < 300:
                self._reset_answered = True
                # A reset must bring back the pools of the set-up: the ids the tests hold.
                if self._request("GET", f"{self.pool_id}/.well-known/jwks.json")[0] == 200:
                    self.last_reset = "reset"
                    return self.last_reset
            else:
                self._reset_answered = False
        self.restart()
        self.last_reset = "restart"
        return self.last_reset

    # -- what the emulator sent ------------------------------------------------------------

    def outbox(self, username: Optional[str] = None, pool_id: Optional[str] = None) -> List[Dict[str, Any]]:
        """Every message the emulator sent (sign-up, password reset, attribute verification,
        SMS MFA codes), oldest first, for one user and pool when given: dicts with `pool_id`,
        `username`, `medium`, `destination`, `purpose` and `code`."""
        query = {k: v for k, v in (("username", username), ("pool_id", pool_id)) if v is not None}
        path = "_emulator/outbox" + ("?" + urllib.parse.urlencode(query) if query else "")
        status, body = self._request("GET", path)
        if status != 200:
            raise EmulatorError(f"the outbox answered {status}: {body[:200]!r}")
        return json.loads(body)["messages"]

    def last_code(self, username: str, pool_id: Optional[str] = None) -> Optional[str]:
        """The last code sent to `username` (in `pool_id`, else in any pool), or `None`."""
        messages = self.outbox(username, pool_id)
        return messages[-1]["code"] if messages else None

    # -- clients ---------------------------------------------------------------------------

    def boto3_kwargs(self) -> Dict[str, str]:
        """Keyword arguments for `boto3.client("cognito-idp", **kwargs)`: the endpoint, the
        region and dummy credentials (the emulator ignores signatures, but botocore refuses to
        send an admin call without credentials)."""
        return {
            "endpoint_url": self.endpoint,
            "region_name": self.region,
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        }

    def client(self, name: str) -> Client:
        """The first pool's app client called `name`."""
        for each in self.clients:
            if each.name == name:
                return each
        raise KeyError(f"no app client {name!r}: the clients are {[c.name for c in self.clients]}")

    def _request(self, method: str, path: str, body: Optional[bytes] = None) -> Tuple[int, bytes]:
        request = urllib.request.Request(
            self.endpoint + path,
            data=body,
            method=method,
            headers={"Content-Type": "application/json"} if body is not None else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError as error:
            raise EmulatorError(f"{method} {self.endpoint}{path}: {error}") from error

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Emulator {self.endpoint} pool {self.pool_id} {state}>"


def _pool(entry: Mapping[str, Any]) -> Pool:
    return Pool(
        name=entry.get("name", ""),
        pool_id=entry["pool_id"],
        issuer=entry["issuer"],
        jwks_uri=entry["jwks_uri"],
        clients=tuple(
            Client(c["name"], c["client_id"], c.get("client_secret")) for c in entry.get("clients", [])
        ),
        users=tuple(entry.get("users", [])),
    )


def _ids(line: Mapping[str, Any]) -> Any:
    """What must not change across a restart: every pool and client id and secret."""
    return [
        (p["pool_id"], [(c["client_id"], c.get("client_secret")) for c in p.get("clients", [])])
        for p in line.get("pools", [])
    ]


def start(
    config: Union[str, "os.PathLike[str]", None] = None,
    *,
    users: Optional[Sequence[UserSpec]] = None,
    mfa: Optional[str] = None,
    device_tracking: Optional[str] = None,
    client_secret: bool = False,
    prevent_user_existence_errors: Optional[bool] = None,
    callback_urls: Sequence[str] = (),
    fixed_code: Optional[str] = None,
    region: Optional[str] = None,
    seed: Optional[str] = None,
    binary_path: Optional[str] = None,
) -> Emulator:
    """Starts `cognito-emulator` on a free port of 127.0.0.1, in memory, and returns it running.

    - `config`: a config file (TOML, or JSON when its name ends in `.json`; see the binary's
      `--help` or `cognito-emulator.example.toml`). Without it, one pool with one app client
      (`default`) and the `users` given, or `alice` (password `Passw0rd!`, verified email).
    - `users`: names, or dicts with the keys of a config file's `[[users]]` (`username`,
      `password`, `temporary`, `confirmed`, `enabled`, `sms_mfa`, `totp_secret`, `groups`,
      `attributes`); the password defaults to `Passw0rd!`, the attributes to a verified
      `NAME@example.com`. Not together with `config`: put them in the file.
    - `mfa` (`off`, `optional`, `required`), `device_tracking` (`off`, `always`, `user-opt-in`),
      `client_secret`, `prevent_user_existence_errors`, `callback_urls`, `fixed_code`, `region`:
      the binary's flags, over the config file, for every pool and client.
    - `seed`: makes ids, codes and salts reproducible; a random one when not given (a restart
      uses the same, so the ids stay the same).
    - `binary_path`: the binary to run (default: `binary()`).
    """
    if config is not None and users is not None:
        raise ValueError("users go in the config file when there is one")
    _choice("mfa", mfa, _MFA)
    _choice("device_tracking", device_tracking, _DEVICE_TRACKING)
    # Absolute: the binary runs in a directory of its own.
    path = os.path.abspath(binary_path or binary())
    workdir = Path(tempfile.mkdtemp(prefix="cognito-emulator-"))
    try:
        passwords: Dict[str, str] = {}
        args = ["--memory", "--seed", seed if seed is not None else secrets.token_hex(16)]
        if config is not None:
            args += ["--config", str(Path(config).resolve())]
        else:
            entries = [_user_entry(u) for u in (users if users is not None else [DEFAULT_USERNAME])]
            passwords = {e["username"]: e["password"] for e in entries}
            generated = workdir / "config.json"
            # Owner-only: the file holds passwords.
            fd = os.open(generated, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"users": entries}, f)
            args += ["--config", str(generated)]
        if mfa is not None:
            args += ["--mfa", mfa]
        if device_tracking is not None:
            args += ["--device-tracking", device_tracking]
        if client_secret:
            args.append("--client-secret")
        if prevent_user_existence_errors is not None:
            args += ["--prevent-user-existence-errors", "true" if prevent_user_existence_errors else "false"]
        for url in callback_urls:
            args += ["--callback-url", url]
        if fixed_code is not None:
            args += ["--fixed-code", fixed_code]
        if region is not None:
            args += ["--region", region]
        return Emulator(args, workdir, passwords, path)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


_running: List[Emulator] = []


@atexit.register
def _stop_all() -> None:
    """Stops what is still running when Python exits (a test run interrupted mid-way)."""
    for emulator in list(_running):
        emulator.stop()
