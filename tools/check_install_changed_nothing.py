"""Fail if installing the package changed the version of anything already installed (`make test-colab`).

Usage: ``python tools/check_install_changed_nothing.py before.txt after.txt`` with two ``pip freeze`` outputs.
Colab users must not have to restart their runtime, so the package may only *add* packages to Colab's stack.
"""

from __future__ import annotations

import sys
from pathlib import Path


def versions(path: str) -> dict[str, str]:
    pins = {}
    for line in Path(path).read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def main() -> int:
    before, after = versions(sys.argv[1]), versions(sys.argv[2])
    changed = {
        name: (version, after.get(name, "removed")) for name, version in before.items() if after.get(name) != version
    }
    for name, (old, new) in sorted(changed.items()):
        print(f"changed by the install: {name} {old} -> {new}")
    added = sorted(set(after) - set(before))
    print(f"installing edsr-helpers added {len(added)} packages and changed {len(changed)}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
