"""The wire format against moto: moto parses what the package sends as boto3's would be."""

from __future__ import annotations

import time

import pytest

import cognito_flows as cf


@pytest.mark.parametrize("secret", [False, True], ids=["no-secret", "client-secret"])
def test_srp_and_password_sign_in_refresh_and_get_user(moto, secret):
    pool = moto.pool_with_user("carol", "Passw0rd!", secret=secret)
    with cf.Client(pool, timeout=30) as client:
        srp = client.sign_in("carol", "Passw0rd!")
        assert srp.tokens.access_claims["username"] == "carol"
        password = client.sign_in("carol", "Passw0rd!", srp=False)
        assert password.tokens.is_valid(time.time())
        refreshed = client.refresh(srp)
        assert refreshed.tokens.access_claims["username"] == "carol"
        user = client.call(cf.account.get_user(pool, srp.tokens.access_token))
        assert user["Username"] == "carol"
        # moto checks the password of USER_PASSWORD_AUTH (not the SRP proof: the emulator
        # tests cover that).
        with pytest.raises(cf.NotAuthorizedException):
            client.sign_in("carol", "Wr0ng-Passw0rd!", srp=False)
