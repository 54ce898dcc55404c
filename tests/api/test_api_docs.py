"""The curl walkthrough in docs/service.md runs against a real server and prints what the
document says it prints."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.api.conftest import PASSWORD, ROOT, ServerProcess

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
MARK = "@@@ end of block @@@"


def walkthrough() -> list[tuple[str, str | None]]:
    """Each curl block of docs/service.md with the output block that follows it, if any."""
    blocks = FENCE.findall((ROOT / "docs" / "service.md").read_text(encoding="utf-8"))
    found: list[tuple[str, str | None]] = []
    for n, (language, body) in enumerate(blocks):
        if language == "sh" and "$BASE" in body:
            following = blocks[n + 1] if n + 1 < len(blocks) else ("sh", "")
            found.append((body, following[1] if following[0] == "" else None))
    return found


def test_the_curl_walkthrough_in_service_md_works_as_written(
        tmp_path: Path, servers: Callable[..., ServerProcess]) -> None:
    steps = walkthrough()
    assert len(steps) >= 5
    server = servers(tmp_path / "home")
    script = "set -euo pipefail\n" + "".join(f"{body}echo '{MARK}'\n" for body, _ in steps)
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120,
                         env={"BASE": server.url, "PASSWORD": PASSWORD, "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    outputs = run.stdout.split(MARK + "\n")
    for (body, expected), printed in zip(steps, outputs, strict=False):
        if expected is not None:
            assert printed == expected, f"the block\n{body}\nprinted\n{printed}"
