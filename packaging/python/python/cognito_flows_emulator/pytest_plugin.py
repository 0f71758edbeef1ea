"""pytest plugin (entry point `pytest11`, loaded on its own once the wheel is installed).

Fixtures:

- `cognito_emulator`: the emulator for one test, in the state right after its start. Tests share
  one process per session (per xdist worker), reset between tests: by `POST /_emulator/reset`
  when the binary answers it, else by a restart on the same port with the same ids. A test marked
  `@pytest.mark.cognito_emulator(**options)` gets a process of its own, started with those options
  of `cognito_flows_emulator.start()` over the session's, and stopped after it.
- `cognito_emulator_session`: the shared process itself (session scope; never reset by itself).
- `cognito_emulator_options`: the options of the shared process (session scope). By default the
  config file of `--cognito-emulator-config FILE` or of the ini option `cognito_emulator_config`,
  and the binary of `--cognito-emulator-binary` / `cognito_emulator_binary`; override the fixture
  in a conftest.py to set anything `start()` takes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest

from . import Emulator, start

_MARKER = "cognito_emulator"
#: The shared emulators a test has used since their last reset (by id).
_USED = pytest.StashKey[set]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cognito-emulator", "the cognito-emulator fixture")
    group.addoption(
        "--cognito-emulator-config",
        dest="cognito_emulator_config",
        metavar="FILE",
        default=None,
        help="config file (TOML, or JSON ending in .json) of the shared emulator",
    )
    group.addoption(
        "--cognito-emulator-binary",
        dest="cognito_emulator_binary",
        metavar="PATH",
        default=None,
        help="the cognito-emulator binary to run (default: the one the wheel installed)",
    )
    parser.addini("cognito_emulator_config", "config file of the shared emulator, relative to the ini file")
    parser.addini("cognito_emulator_binary", "the cognito-emulator binary, relative to the ini file")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(**options): a process of its own for this test, started with these options of "
        "cognito_flows_emulator.start() over the session's",
    )


def _path_option(config: pytest.Config, name: str) -> Optional[str]:
    """A path from the command line (relative to where pytest runs) or the ini file (relative to it)."""
    given = config.getoption(name)
    if given:
        return str(Path(config.invocation_params.dir, given))
    from_ini = config.getini(name)
    if from_ini:
        base = Path(config.inipath).parent if config.inipath else Path(config.rootpath)
        return str(base / from_ini)
    return None


@pytest.fixture(scope="session")
def cognito_emulator_options(pytestconfig: pytest.Config) -> Dict[str, Any]:
    """The keyword arguments of `start()` for the shared emulator."""
    options: Dict[str, Any] = {}
    config = _path_option(pytestconfig, "cognito_emulator_config")
    if config:
        options["config"] = config
    binary = _path_option(pytestconfig, "cognito_emulator_binary")
    if binary:
        options["binary_path"] = binary
    return options


@pytest.fixture(scope="session")
def cognito_emulator_session(cognito_emulator_options: Dict[str, Any]) -> Iterator[Emulator]:
    """The emulator process the tests of this session share."""
    emulator = start(**cognito_emulator_options)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def cognito_emulator(request: pytest.FixtureRequest, cognito_emulator_options: Dict[str, Any]) -> Iterator[Emulator]:
    """The emulator for this test, as it was right after its start."""
    marker = request.node.get_closest_marker(_MARKER)
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{_MARKER} takes keyword arguments only (those of start())")
        emulator = start(**{**cognito_emulator_options, **marker.kwargs})
        try:
            yield emulator
        finally:
            emulator.stop()
        return
    shared: Emulator = request.getfixturevalue("cognito_emulator_session")
    # Reset before each test but the first: the state a test leaves is gone before the next one
    # starts, and the session does not end with a reset no one needs.
    used = request.config.stash.setdefault(_USED, set())
    if id(shared) in used:
        shared.reset()
    used.add(id(shared))
    yield shared
