"""Builds the wheel of this directory around a cognito-emulator binary already built, with neither
cargo nor maturin: what maturin's `bin` bindings make of pyproject.toml (the package of
python/, the binary in the wheel's scripts, the metadata and entry points of [project]), tagged
for this machine. For checks that reuse the binary the tests built (`scripts/test-packages
--binary`), which a maturin build would compile again with other features; releases use maturin.

    python3 assemble_wheel.py BINARY OUT_DIR      prints the path of the wheel it wrote

Python 3.11 or later (tomllib).
"""

from __future__ import annotations

import base64
import hashlib
import sys
import sysconfig
import zipfile
from pathlib import Path

try:
    import tomllib
except ImportError:  # pragma: no cover - Python < 3.11
    sys.exit("assemble_wheel.py needs Python 3.11 or later (tomllib)")

HERE = Path(__file__).resolve().parent


def metadata(project: dict, version: str) -> str:
    """METADATA (core metadata 2.1) from pyproject.toml's [project]."""
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {version}",
        f"Summary: {project['description']}",
        f"License: {project['license']['text']}",
        f"Requires-Python: {project['requires-python']}",
        f"Keywords: {','.join(project.get('keywords', []))}",
    ]
    lines += [f"Classifier: {c}" for c in project.get("classifiers", [])]
    lines += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f"Requires-Dist: {r} ; extra == '{extra}'" for r in requirements]
    lines.append("Description-Content-Type: text/markdown")
    readme = (HERE / project["readme"]).read_text()
    return "\n".join(lines) + "\n\n" + readme


def entry_points(project: dict) -> str:
    return "".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items()) + "\n"
        for group, points in project.get("entry-points", {}).items()
    )


def main(binary: Path, out: Path) -> Path:
    pyproject = tomllib.loads((HERE / "pyproject.toml").read_text())
    project, maturin = pyproject["project"], pyproject["tool"]["maturin"]
    manifest = tomllib.loads((HERE / maturin["manifest-path"]).read_text())
    version = manifest["package"]["version"]
    dist = project["name"].replace("-", "_")
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    tag = f"py3-none-{platform}"
    info = f"{dist}-{version}.dist-info"

    files: list[tuple[str, bytes, int]] = []
    source = HERE / maturin["python-source"]
    for path in sorted((source / maturin["module-name"]).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files.append((path.relative_to(source).as_posix(), path.read_bytes(), 0o644))
    files.append((f"{dist}-{version}.data/scripts/cognito-emulator", binary.read_bytes(), 0o755))
    files.append((f"{info}/METADATA", metadata(project, version).encode(), 0o644))
    wheel = f"Wheel-Version: 1.0\nGenerator: assemble_wheel.py\nRoot-Is-Purelib: false\nTag: {tag}\n"
    files.append((f"{info}/WHEEL", wheel.encode(), 0o644))
    files.append((f"{info}/entry_points.txt", entry_points(project).encode(), 0o644))

    record = []
    for name, data, _ in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode(), 0o644))

    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in files:
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = (0o100000 | mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(entry, data)
    return target


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: assemble_wheel.py BINARY OUT_DIR")
    print(main(Path(sys.argv[1]), Path(sys.argv[2])))
