"""asyncio: the same flows driven by a coroutine.

``AsyncClient`` runs the same loop as ``Client`` with ``await``: requests go through an async
``transport(request) -> (status, headers, body)``. By default that is the blocking
``Client.send`` run in a worker thread (``asyncio.to_thread``), so the standard library is still
all it needs; pass your own (aiohttp, httpx, ...) to stay on the event loop::

    async with AsyncClient(pool) as client:
        signed_in = await client.sign_in("alice", "correct horse")
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Union

from ._native import ClientCredentials, ForgotPassword, JwksFetch, MachineToken, Prompt, Request, SignedIn, SignIn, Tokens, UserAgent, UserPool, Wait
from .client import Answer, Client, answer, give_response, outcome

Response = Tuple[int, List[Tuple[str, str]], bytes]
Transport = Callable[[Request], Awaitable[Response]]
AsyncOnPrompt = Callable[[Prompt], Union[Answer, Awaitable[Answer]]]


class AsyncClient:
    """The asyncio twin of ``Client``: ``sign_in``, ``refresh``, ``sign_out``,
    ``forgot_password``, ``call``, ``verify``. ``on_prompt`` may be a coroutine function."""

    def __init__(
        self,
        pool: UserPool,
        *,
        transport: Optional[Transport] = None,
        timeout: float = 30.0,
        entropy: Callable[[int], bytes] = os.urandom,
        clock: Callable[[], float] = time.time,
        user_agent: Optional[UserAgent] = None,
    ) -> None:
        self.pool = pool
        self._blocking = Client(pool, timeout=timeout, entropy=entropy, clock=clock, user_agent=user_agent)
        self.user_agent = self._blocking.user_agent
        self._transport = transport
        self._entropy = entropy
        self._clock = clock

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the default transport's connections."""
        await asyncio.to_thread(self._blocking.close)

    async def send(self, request: Request) -> Response:
        """Sends one request with the transport."""
        if self._transport is not None:
            return await self._transport(request)
        return await asyncio.to_thread(self._blocking.send, request)

    async def run(self, flow: Any, on_prompt: Optional[AsyncOnPrompt] = None) -> Any:
        """Drives any flow to its outcome; raises its error."""
        while True:
            action = flow.poll_action()
            if isinstance(action, Request):
                give_response(flow, self._clock(), *(await self.send(action.with_user_agent(self.user_agent))))
            elif isinstance(action, Prompt):
                said: List[Any] = []
                if on_prompt is not None:
                    reply = on_prompt(action)
                    said.append(await reply if asyncio.iscoroutine(reply) else reply)
                flow.handle_input(answer(action, (lambda _: said[0]) if said else None))
            elif isinstance(action, Wait):
                await asyncio.sleep(action.seconds)
            else:
                return outcome(action)

    async def sign_in(
        self, username: str, password: str, *, on_prompt: Optional[AsyncOnPrompt] = None, srp: bool = True, **options: Any
    ) -> SignedIn:
        """See ``Client.sign_in``."""
        start = SignIn.user_srp if srp else SignIn.user_password
        return await self.run(start(self.pool, username, password, self._entropy(32), **options), on_prompt)

    async def refresh(self, tokens: Union[SignedIn, Tokens], **options: Any) -> SignedIn:
        """See ``Client.refresh``."""
        return await self.run(self._blocking.refresh_flow(tokens, **options))

    async def sign_out(self, tokens: Union[SignedIn, Tokens], *, everywhere: bool = False) -> None:
        """See ``Client.sign_out``."""
        await self.run(self._blocking.sign_out_flow(tokens, everywhere=everywhere))

    async def client_credentials(self, credentials: ClientCredentials) -> MachineToken:
        """A machine-to-machine access token (see ``Client.client_credentials``)."""
        return await self.run(credentials.token())

    async def forgot_password(self, username: str, on_prompt: AsyncOnPrompt) -> None:
        """See ``Client.forgot_password``."""
        await self.run(ForgotPassword(self.pool, username), on_prompt)

    async def call(self, flow: Any) -> Any:
        """Runs an account call."""
        return await self.run(flow)

    async def verify(self, token: str, *, token_use: str = "access", **options: Any) -> Dict[str, Any]:
        """See ``Client.verify`` (the JWKS fetch, when needed, goes through the transport)."""
        verifier = self._blocking.verifier(token_use, **options)
        verdict = verifier.verify(token, self._clock())
        if isinstance(verdict, JwksFetch):
            try:
                status, headers, body = await self.send(verdict.request)
            except OSError as failure:
                raise verifier.handle_jwks_failure(verdict, self._clock(), str(failure)) from failure
            verifier.handle_jwks_response(verdict, self._clock(), status, headers, body)
            verdict = verifier.verify(token, self._clock())
        return self._blocking.verdict(verdict)
