"""A problem found in a file, reported as ``file:LINE:COL: where: what is wrong``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong in a file, located as precisely as the file allows."""

    file: str
    line: int
    column: int
    where: str
    message: str
    check: str = "schema"
    severity: str = "error"
    """"warning": reported, but the files still load."""

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        level = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}:{self.column}: {level}{where}{self.message}"
