"""The asyncio client against the emulator: the same flows, awaited."""

from __future__ import annotations

import asyncio
import time

import pytest

import cognito_flows as cf


def test_async_sign_in_verify_refresh_and_sign_out(emulator):
    async def main():
        async with cf.AsyncClient(emulator.pool) as client:
            signed_in = await client.sign_in(emulator.username, emulator.password)
            claims = await client.verify(signed_in.tokens.access_token)
            assert claims["username"] == emulator.username
            refreshed = await client.refresh(signed_in)
            assert refreshed.tokens.is_valid(time.time())
            await client.sign_out(signed_in)
            with pytest.raises(cf.NotAuthorizedException):
                await client.refresh(signed_in)
            with pytest.raises(cf.NotAuthorizedException):
                await client.sign_in(emulator.username, "Wr0ng-Passw0rd!")

    asyncio.run(main())


def test_async_forgot_password_with_a_coroutine_on_prompt_and_a_custom_transport(emulator):
    sent = []
    blocking = cf.Client(emulator.pool)

    async def transport(request: cf.Request):
        sent.append(request.header("x-amz-target"))
        return await asyncio.to_thread(blocking.send, request)

    async def on_prompt(prompt: cf.Prompt):
        await asyncio.sleep(0)
        assert prompt.kind == "password_reset"
        return cf.Input.password_reset(emulator.code(emulator.username), "N3w-Passw0rd!")

    async def main():
        async with cf.AsyncClient(emulator.pool, transport=transport) as client:
            await client.forgot_password(emulator.username, on_prompt)
            assert (await client.sign_in(emulator.username, "N3w-Passw0rd!")).username == emulator.username

    try:
        asyncio.run(main())
    finally:
        blocking.close()
    assert sent[:2] == [
        "AWSCognitoIdentityProviderService.ForgotPassword",
        "AWSCognitoIdentityProviderService.ConfirmForgotPassword",
    ]
