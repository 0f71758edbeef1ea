"""50 SRP sign-ins at once (ten users, five each) with pycognito's AWSSRP, each on its own
connection: every one succeeds, with tokens for the right user, within a bounded time."""

import base64
import json
import threading
import unittest
from concurrent.futures import ThreadPoolExecutor, wait

from support import INFO, app_client, cognito

from pycognito.aws_srp import AWSSRP

USERS = 10
EACH = 5
DEADLINE_S = 120


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class Concurrency(unittest.TestCase):
    def test_50_concurrent_srp_sign_ins_all_succeed(self):
        count = USERS * EACH
        client_id = app_client("web")["client_id"]
        # Clients made up front: building 50 boto3 clients is slow, and not what is measured.
        idps = [cognito() for _ in range(count)]
        start = threading.Barrier(count, timeout=DEADLINE_S)

        def sign_in(index):
            username = f"user{index % USERS}"
            srp = AWSSRP(
                username=username,
                password=f"Passw0rd!{index % USERS}",
                pool_id=INFO["pool_id"],
                client_id=client_id,
                client=idps[index],
            )
            start.wait()
            return username, srp.authenticate_user()["AuthenticationResult"]

        with ThreadPoolExecutor(max_workers=count) as pool:
            futures = [pool.submit(sign_in, i) for i in range(count)]
            done, not_done = wait(futures, timeout=DEADLINE_S)
            self.assertEqual(len(not_done), 0, f"{len(not_done)} sign-ins not done in {DEADLINE_S} s")
        failures = [repr(f.exception()) for f in done if f.exception()]
        self.assertEqual(failures, [])
        ids = set()
        for future in done:
            username, result = future.result()
            access = claims(result["AccessToken"])
            self.assertEqual(access["username"], username)
            self.assertEqual(claims(result["IdToken"])["cognito:username"], username)
            ids.add(access["jti"])
        self.assertEqual(len(ids), count, "two sign-ins got the same token")


if __name__ == "__main__":
    unittest.main(verbosity=2)
