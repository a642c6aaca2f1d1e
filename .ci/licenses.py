#!/usr/bin/env python3
"""Fails when any dependency can only be used under a GPL-family licence (GPL, LGPL, AGPL).

Reads `cargo metadata`; a package whose SPDX expression offers a non-GPL alternative
("MIT OR GPL-2.0") passes. Packages without a licence field are reported too.
"""
import json
import re
import subprocess
import sys

meta = json.loads(subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--locked"]))
workspace = set(meta["workspace_members"])
bad, unknown = [], []
for pkg in meta["packages"]:
    if pkg["id"] in workspace:
        continue
    lic = pkg.get("license")
    if not lic:
        unknown.append(f'{pkg["name"]} {pkg["version"]} (license file: {pkg.get("license_file")})')
        continue
    alternatives = re.split(r"\s+OR\s+|/", lic.replace("(", " ").replace(")", " "))
    if all(re.search(r"\b(A|L)?GPL", alt) for alt in alternatives if alt.strip()):
        bad.append(f'{pkg["name"]} {pkg["version"]}: {lic}')
# The console's npm packages, from the lock file (npm records each package's licence there).
lock = json.load(open("console/package-lock.json", encoding="utf-8"))
for path, pkg in lock.get("packages", {}).items():
    if not path:
        continue
    lic = pkg.get("license")
    name = path.split("node_modules/")[-1]
    if not lic:
        unknown.append(f'npm {name} {pkg.get("version")}')
        continue
    alternatives = re.split(r"\s+OR\s+|/", str(lic).replace("(", " ").replace(")", " "))
    if all(re.search(r"\b(A|L)?GPL", alt) for alt in alternatives if alt.strip()):
        bad.append(f'npm {name} {pkg.get("version")}: {lic}')
for line in unknown:
    print(f"licence not declared: {line}")
for line in bad:
    print(f"GPL-only dependency: {line}")
if bad:
    sys.exit(1)
print(f"licences: {len(meta['packages']) - len(workspace)} dependencies checked, none GPL-only")
