"""The Python package checked against the core's own lists: every account call of
``src/flows/account.rs``, every exception of ``error_kinds!`` (``src/error.rs``) and every prompt
of the core's ``Prompt`` (``src/flows/mod.rs``) has its Python counterpart, in the module and in
the type stubs. A call, an exception or a challenge added to the core fails here until the
binding has it."""

import re
from pathlib import Path

import cognito_flows as cf

REPO = Path(__file__).resolve().parents[3]
PACKAGE = Path(__file__).resolve().parents[1]
STUBS = (PACKAGE / "python" / "cognito_flows" / "_native.pyi").read_text()


def core_account_calls():
    """The free functions of ``cognito_flows::flows::account``: one per call."""
    text = (REPO / "src" / "flows" / "account.rs").read_text()
    return re.findall(r"^pub fn (\w+)\s*[<(]", text, re.MULTILINE)


def core_error_kinds():
    """The exception names of the ``error_kinds!`` table."""
    text = (REPO / "src" / "error.rs").read_text()
    table = text[text.index("error_kinds! {") :]
    table = table[: table.index("\n}")]
    return re.findall(r'^\s*\w+ = "(\w+)",', table, re.MULTILINE)


def core_prompts():
    """The variants of the core's ``Prompt``."""
    text = (REPO / "src" / "flows" / "mod.rs").read_text()
    body = text[text.index("pub enum Prompt {") :]
    body = body[: body.index("\n}")]
    return re.findall(r"^    (\w+)\s*[{(,]", body, re.MULTILINE)


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_the_lists_are_read():
    # A parser that reads nothing would pass everything below.
    assert len(core_account_calls()) >= 28
    assert "web_authn_credentials" not in core_account_calls()
    assert len(core_error_kinds()) >= 40
    assert {"TotpCode", "WebAuthn", "RememberDevice"} <= set(core_prompts())


def test_every_account_call_has_a_python_function():
    missing = [name for name in core_account_calls() if not callable(getattr(cf.account, name, None))]
    assert missing == [], f"account calls without a Python counterpart: {missing}"
    unstubbed = [name for name in core_account_calls() if f"\ndef {name}(" not in STUBS]
    assert unstubbed == [], f"account calls missing from _native.pyi: {unstubbed}"


def test_every_exception_has_a_python_class():
    kinds = core_error_kinds()
    assert sorted(cf.SERVICE_EXCEPTIONS) == sorted(kinds)
    for name in kinds:
        cls = getattr(cf, name, None)
        assert isinstance(cls, type) and issubclass(cls, cf.ServiceError), name
        assert f"\nclass {name}(ServiceError)" in STUBS, f"{name} missing from _native.pyi"


def test_every_prompt_has_a_python_kind():
    kinds = {snake(variant) for variant in core_prompts()}
    assert sorted(cf.PROMPT_KINDS) == sorted(kinds)
    native = (PACKAGE / "src" / "values.rs").read_text()
    for variant in core_prompts():
        # Mapped field by field, not through the catch-all that keeps only the kind.
        assert f"CorePrompt::{variant} " in native or f"CorePrompt::{variant} {{" in native, variant
        assert f'"{snake(variant)}"' in STUBS, f"{snake(variant)} missing from _native.pyi"
