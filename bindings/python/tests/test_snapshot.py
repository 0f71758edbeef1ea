"""The Python package emits byte for byte the requests the Rust core emits for the same inputs
and entropy: `core_requests` (a Rust example using the core directly) prints them, this test
prints the same scenarios driven through the package, and the two texts must be equal."""

from __future__ import annotations

import subprocess

import cognito_flows as cf
from conftest import example

NOW = 1_764_000_000.0
ENTROPY = bytes([7] * 32)
ACCESS = "eyJhbGciOiJub25lIn0.eyJ1c2VybmFtZSI6ImFsaWNlIiwiaWF0IjoxNzY0MDAwMDAwLCJleHAiOjE3NjQwMDM2MDB9."


def answers() -> dict:
    out = subprocess.run([str(example("core_requests")), "--answers"], check=True, capture_output=True, text=True)
    return dict(line.split("\t", 1) for line in out.stdout.splitlines())


def run(out: list, name: str, flow, replies: list, answer=None) -> None:
    canned = answers_cache
    out.append(f"=== {name}\n")
    replies = iter(replies)
    while True:
        action = flow.poll_action()
        if isinstance(action, cf.Request):
            out.append(f"--> {action.method} {action.url}\n")
            out.extend(f"{k}: {v}\n" for k, v in action.headers)
            out.append("\n" + action.body.decode() + "\n")
            reply = next(replies, None)
            if reply is None:
                break
            try:
                flow.handle_response(NOW, 200, {}, canned[reply].encode())
            except cf.CognitoError:
                pass
        elif isinstance(action, cf.Prompt):
            out.append("<<< prompt\n")
            flow.handle_input(answer(action))
        elif isinstance(action, cf.Done):
            out.append("=== done\n")
            break
        else:
            out.append(f"=== failed {action.error}\n")
            break


answers_cache: dict = {}


def test_the_package_sends_exactly_the_cores_bytes():
    answers_cache.update(answers())
    pool = cf.UserPool("us-east-1_AbC123", "1example23456789", client_secret="client-secret")
    out: list = []
    run(out, "user_srp", cf.SignIn.user_srp(pool, "alice", "Passw0rd!", ENTROPY),
        ["srp_challenge", "tokens_new_device", "confirm_device"])
    run(out, "user_password", cf.SignIn.user_password(pool, "alice", "Passw0rd!", ENTROPY), ["tokens"])
    device = cf.DeviceCredentials("us-east-1_dev1", "-group1", "device-password")
    run(out, "refresh_with_device", cf.SignIn.refresh(pool, "alice", "refresh-1", ENTROPY, device=device), ["tokens"])
    run(out, "forgot_password", cf.ForgotPassword(pool, "alice"), ["forgot", "empty"],
        lambda _: cf.Input.password_reset("123456", "N3w-Passw0rd!"))
    run(out, "get_user", cf.account.get_user(pool, ACCESS), [])
    run(out, "change_password", cf.account.change_password(pool, ACCESS, "Passw0rd!", "N3w-Passw0rd!"), [])
    ui = cf.HostedUi("https://auth.example.com", "1example23456789", "https://app.example.com/callback")
    out.append(f"=== hosted_ui_authorize\n{ui.authorize(ENTROPY).url}\n")

    core = subprocess.run([str(example("core_requests"))], check=True, capture_output=True).stdout
    python = "".join(out).encode()
    assert core.count(b"--> POST") == 9
    assert python == core
