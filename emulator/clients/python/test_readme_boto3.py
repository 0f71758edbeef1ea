"""The README's boto3 block, as written, against the emulator of the example config: run in a
clean environment (no AWS keys, no AWS config files, no profile), where boto3 without the
block's dummy keys stops with NoCredentialsError. Only the endpoint and the pool id, which the
README says to take from the emulator's JSON line, are put in."""

import ast
import json
import os
import re
import subprocess
import sys
import tempfile

INFO = json.loads(os.environ.get("COGNITO_EMULATOR_INFO") or "null")
if not INFO or "endpoint" not in INFO:
    raise SystemExit("run me through scripts/test-clients (COGNITO_EMULATOR_INFO is not set)")

README = os.path.join(os.path.dirname(__file__), "..", "..", "..", "README.md")
with open(README, encoding="utf-8") as f:
    readme = f.read()
section = readme[readme.index("## Use it from any language") :]
# The block that makes a boto3 client by hand (the section's other Python blocks use the plugin).
blocks = re.findall(r"```python\n(.*?)```", section, re.S)
block = next(b for b in blocks if "POOL_ID = " in b)
assert 'aws_access_key_id="local"' in block, block
program = block.replace("http://127.0.0.1:9229/", INFO["endpoint"]).replace(
    '"us-east-1_..."', json.dumps(INFO["pool_id"])
)
assert program != block, "the block names the endpoint and the pool id the README says to replace"


def run(source):
    """Runs `source` with no AWS configuration at all; returns (exit status, stdout, stderr)."""
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"HOME": home, "AWS_EC2_METADATA_DISABLED": "true"})
        done = subprocess.run(
            [sys.executable, "-c", source], env=env, capture_output=True, text=True, timeout=60
        )
        return done.returncode, done.stdout, done.stderr


status, out, err = run(program)
assert status == 0, err
users = ast.literal_eval(out.strip())  # the block prints a list of user names
assert "alice" in users and "carol" in users, users

# Without the dummy keys, boto3 refuses: the reason the README gives them.
without = "\n".join(line for line in program.splitlines() if "aws_access_key_id" not in line
                    and "aws_secret_access_key" not in line)
status, _, err = run(without)
assert status != 0 and "NoCredentialsError" in err, err
print("README boto3 block: ok (and NoCredentialsError without its dummy keys)")
