#!/usr/bin/env python3
"""Writes emulator/src/fuzz/model.json: for every operation the emulator answers (its OPERATIONS),
the input shape and the errors that Cognito's service model (botocore's cognito-idp
service-2.json) declares, with the shapes they reach, stripped of documentation. The emulator's
dispatch fuzz target builds its request bodies from these shapes and checks each error against
the declared ones.

    fuzz/cognito_model.py [path/to/service-2.json(.gz)]
"""
import gzip
import json
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# By default the model vendored for emulator/tests/service_model.rs.
source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    root, "emulator/tests/fixtures/botocore/cognito-idp-2016-04-18-service-2.json")
model = json.load(gzip.open(source) if source.endswith(".gz") else open(source))
# The operations of the table in emulator/src/api/mod.rs (`Name => handler...;`).
api = open(os.path.join(root, "emulator/src/api/mod.rs")).read()
table = api[api.index("operations! {\n"):]
operations = re.findall(r"^    ([A-Za-z]+) =>", table[:table.index("\n}\n")], re.M)

shapes = {}


def keep(name):
    if name in shapes:
        return
    shape = model["shapes"][name]
    out = {"type": shape["type"]}
    for field in ("enum", "min", "max", "required"):
        if field in shape:
            out[field] = shape[field]
    shapes[name] = out
    if shape["type"] == "structure":
        out["members"] = {m: s["shape"] for m, s in shape["members"].items()}
        for s in out["members"].values():
            keep(s)
    elif shape["type"] == "list":
        out["member"] = shape["member"]["shape"]
        keep(out["member"])
    elif shape["type"] == "map":
        out["key"], out["value"] = shape["key"]["shape"], shape["value"]["shape"]
        keep(out["key"])
        keep(out["value"])


ops = {}
for name in operations:
    op = model["operations"][name]
    keep(op["input"]["shape"])
    ops[name] = {"input": op["input"]["shape"], "errors": sorted(e["shape"] for e in op.get("errors", []))}
out = os.path.join(root, "emulator/src/fuzz/model.json")
with open(out, "w") as f:
    json.dump({"source": "botocore cognito-idp " + model["metadata"]["apiVersion"],
               "operations": ops, "shapes": dict(sorted(shapes.items()))}, f, separators=(",", ":"), sort_keys=True)
    f.write("\n")
print(f"{out}: {len(ops)} operations, {len(shapes)} shapes")
