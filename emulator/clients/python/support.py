"""Shared by the Python client checks: what scripts/test-clients started, the emulator's outbox,
SECRET_HASH, and boto3 clients that can only reach the emulator."""

import base64
import hashlib
import hmac
import json
import os
import urllib.parse
import urllib.request

INFO = json.loads(os.environ.get("COGNITO_EMULATOR_INFO") or "null")
if not INFO or "endpoint" not in INFO:
    raise SystemExit("run me through scripts/test-clients (COGNITO_EMULATOR_INFO is not set)")

# botocore looks for credentials and a region even for the unsigned Cognito calls: give it dummy
# ones, so it never asks an instance metadata service; and send every Cognito call to the
# emulator (the AWS SDKs' documented per-service endpoint variable), so that the clients keep the
# AWS-form issuer and their own defaults.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": INFO["region"],
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": INFO["endpoint"],
    }
)
os.environ.pop("AWS_PROFILE", None)

import boto3  # noqa: E402  (after the environment above)


def app_client(name):
    """The app client named `name` in the emulator's config: {"client_id", "client_secret"}."""
    for found in INFO["clients"]:
        if found["name"] == name:
            return found
    raise AssertionError(f"no client named {name} in {[c['name'] for c in INFO['clients']]}")


def cognito():
    """A boto3 cognito-idp client for the emulator."""
    return boto3.client("cognito-idp", region_name=INFO["region"], endpoint_url=INFO["endpoint"])


def secret_hash(client, username):
    """SECRET_HASH = base64(HMAC-SHA256(secret, username + client id))."""
    digest = hmac.new(
        client["client_secret"].encode(),
        (username + client["client_id"]).encode(),
        hashlib.sha256,
    ).digest()
    return base64.b64encode(digest).decode()


def get(url):
    """GET a local address of the emulator; returns (status, content type, body)."""
    assert url.startswith(INFO["endpoint"]), url
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def jwks():
    """The emulator's JWKS, fetched from its JWKS address."""
    status, _, body = get(INFO["jwks_uri"])
    assert status == 200, status
    return json.loads(body)


def last_code(username, purpose=None):
    """The last code sent to `username` (for `purpose`, e.g. SignUp, if given)."""
    query = urllib.parse.urlencode({"username": username})
    status, _, body = get(f"{INFO['endpoint']}_emulator/outbox?{query}")
    assert status == 200, status
    listed = json.loads(body)
    messages = listed if isinstance(listed, list) else listed["messages"]
    messages = [m for m in messages if purpose is None or m["purpose"] == purpose]
    assert messages, f"no {purpose or ''} message for {username} in the outbox"
    return messages[-1]["code"]
