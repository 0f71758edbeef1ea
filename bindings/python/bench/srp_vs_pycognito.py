"""The same SRP sign-in through cognito_flows and through pycognito, in one process.

Two measures, each the median of N runs, taken alternately so both see the same machine:

* client: the client's own SRP work, no network: building A, then answering a canned
  PASSWORD_VERIFIER challenge (cognito_flows: SignIn.user_srp + handle_response + poll_action;
  pycognito: AWSSRP + get_auth_params + process_challenge).
* sign-in: a whole USER_SRP_AUTH sign-in against the cognito-emulator binary on 127.0.0.1
  (cognito_flows.Client vs pycognito's AWSSRP.authenticate_user over boto3), server included.

Usage: python bench/srp_vs_pycognito.py [N], with the cognito-flows-emulator wheel installed, or
from the repository root:
  cargo build -p cognito-flows-emulator --bin cognito-emulator
  PYTHONPATH=packaging/python/python COGNITO_EMULATOR_BINARY=target/debug/cognito-emulator \\
    python bindings/python/bench/srp_vs_pycognito.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from pycognito.aws_srp import AWSSRP

import cognito_flows as cf
from cognito_flows_emulator import start

CHALLENGE = {
    "SALT": "1a2b3c4d5e6f",
    "SRP_B": "5e2a1f" * 64,
    "SECRET_BLOCK": "c2VjcmV0LWJsb2Nr",
    "USER_ID_FOR_SRP": "alice",
    "USERNAME": "alice",
}


def median_ms(samples):
    return statistics.median(samples) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    pool = cf.UserPool("us-east-1_AbC123", "1example23456789")
    challenge_body = json.dumps({"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": CHALLENGE}).encode()

    def ours_client():
        flow = cf.SignIn.user_srp(pool, "alice", "Passw0rd!", os.urandom(32))
        flow.poll_action()
        flow.handle_response(time.time(), 200, {}, challenge_body)
        request = flow.poll_action()
        assert b"PASSWORD_CLAIM_SIGNATURE" in request.body

    def theirs_client():
        srp = AWSSRP("alice", "Passw0rd!", "us-east-1_AbC123", "1example23456789", client=object())
        params = srp.get_auth_params()
        answer = srp.process_challenge(dict(CHALLENGE), params)
        assert "PASSWORD_CLAIM_SIGNATURE" in answer

    with start() as emulator:
        username = emulator.users[0]
        password = emulator.passwords[username]
        live_pool = cf.UserPool(emulator.pool_id, emulator.client_id, endpoint=emulator.endpoint)
        client = cf.Client(live_pool)
        boto = boto3.client(
            "cognito-idp",
            region_name="us-east-1",
            endpoint_url=emulator.endpoint,
            config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
        )

        def ours_sign_in():
            assert client.sign_in(username, password).tokens.access_token

        class WithSession:
            """boto3's client, passing InitiateAuth's Session on to RespondToAuthChallenge:
            pycognito omits it (real Cognito accepts that for PASSWORD_VERIFIER; the emulator
            does not yet)."""

            session = None

            def initiate_auth(self, **kwargs):
                answer = boto.initiate_auth(**kwargs)
                self.session = answer.get("Session")
                return answer

            def respond_to_auth_challenge(self, **kwargs):
                if self.session:
                    kwargs.setdefault("Session", self.session)
                return boto.respond_to_auth_challenge(**kwargs)

        def theirs_sign_in():
            srp = AWSSRP(username, password, emulator.pool_id, emulator.client_id, client=WithSession())
            assert srp.authenticate_user()["AuthenticationResult"]["AccessToken"]

        for name, ours, theirs in [("client", ours_client, theirs_client), ("sign-in", ours_sign_in, theirs_sign_in)]:
            ours(), theirs()  # warm up
            a, b = [], []
            for _ in range(n):
                t = time.perf_counter(); ours(); a.append(time.perf_counter() - t)
                t = time.perf_counter(); theirs(); b.append(time.perf_counter() - t)
            print(
                f"{name:8} cognito_flows {median_ms(a):8.2f} ms   pycognito {median_ms(b):8.2f} ms   "
                f"ratio {median_ms(b) / median_ms(a):6.1f}x   (median of {n})"
            )
        client.close()


if __name__ == "__main__":
    main()
