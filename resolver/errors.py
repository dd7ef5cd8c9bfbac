"""Errors raised for broken input files."""

from __future__ import annotations


class ResolverError(Exception):
    """Base class of the errors the resolver raises."""


class FileError(ResolverError):
    """A broken home, grammar or rules file: says ``path:line:col: message``."""

    def __init__(
        self,
        path: str,
        line: int | None,
        column: int | None,
        message: str,
        context: str = "",
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.context = context
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.context:
            text += "\n" + self.context.rstrip("\n")
        return text


class HomeFileError(FileError):
    """A home file that cannot be loaded."""


def caret_context(source: str, line: int, column: int) -> str:
    """The offending line of ``source`` with a caret under ``column`` (both 1-based)."""
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    return f"{text}\n{' ' * max(column - 1, 0)}^"
