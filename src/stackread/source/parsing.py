"""Parse Python source of any OpenStack release with the stdlib `ast`.

Two grammars meet here. Py2-era releases (Newton, Ocata) use `async` as an ordinary
name, on the create and live-migrate paths of Nova; Python >= 3.7 rejects those files,
and `feature_version=(3, 6)` stopped working in 3.13 and rejects `:=`. So a file that
fails is re-tokenized and every `async`/`await` used as a name is renamed to a name of
the same length, which keeps every line and column (and so every path:line) exact.
"""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from dataclasses import dataclass

# Same length as the keywords they stand for, so columns do not move.
RENAMED_KEYWORDS = {"async": "asyn_", "await": "awai_"}

# Generated files this big are data, not code worth reading (and slow to parse).
MAX_SOURCE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class ParseProblem(Exception):
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def decode_source(data: bytes, path: str) -> str:
    """Source text honouring a PEP 263 cookie and a UTF-8 BOM (real Cinder files start with one)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise ParseProblem(path, None, f"cannot tell the encoding: {exc.msg}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ParseProblem(path, None, f"not valid {encoding}: {exc}") from None
    return text[1:] if text.startswith("\ufeff") else text


def parse_source(data: bytes, path: str) -> tuple[ast.Module, str]:
    """The module's AST and its source text; raises ParseProblem with a one-line reason."""
    if len(data) > MAX_SOURCE_BYTES:
        raise ParseProblem(path, None, f"skipped: {len(data) // 1024} KiB is too large to be hand-written code")
    text = decode_source(data, path)
    try:
        return _parse(text, path), text
    except SyntaxError as first:
        # A line break inside brackets may split a real `async for` of a comprehension or sit between
        # an `async` name and the `for` of the next clause: both readings are tried, that one first.
        for across_lines in (True, False):
            renamed = rename_keyword_identifiers(text, async_keyword_across_lines=across_lines)
            if renamed is not None and renamed != text:
                try:
                    return _parse(renamed, path), text
                except SyntaxError:
                    pass
        detail = first.msg
        if _looks_like_python2(first):
            detail += " (Python 2 syntax)"
        raise ParseProblem(path, first.lineno, f"does not parse: {detail}") from None


def _parse(text: str, path: str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            # Invalid escapes and the like in the analysed code are its business, not the user's.
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            return ast.parse(text, filename=path)
    except (ValueError, RecursionError, MemoryError) as exc:
        # ValueError: NUL bytes; RecursionError/MemoryError: absurdly nested expressions.
        raise SyntaxError(f"{type(exc).__name__}: {exc}") from None


def _looks_like_python2(err: SyntaxError) -> bool:
    text = (err.text or "").strip()
    return "Missing parentheses in call to 'print'" in (err.msg or "") or (
        text.startswith("except ") and "," in text and " as " not in text
    ) or text.startswith("exec ")


def rename_keyword_identifiers(text: str, async_keyword_across_lines: bool = True) -> str | None:
    """`text` with `async`/`await` used as names renamed in place; None if it does not tokenize.

    `async` is the keyword only when `def`, `for` or `with` follows it on the same logical line:
    `def f(async):` then `return async` then, on the next line, `def g():` is a name at the end of a
    line. Within brackets a line break does not end the logical line; with
    `async_keyword_across_lines=False` it counts as an end all the same (`[x for x in async` then
    `for y in z]` on the next line, where `async` is a name).
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    skipped = (tokenize.COMMENT, tokenize.NL) if async_keyword_across_lines else (tokenize.COMMENT,)
    line_ends = (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    edits: list[tuple[int, int, str]] = []
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or tok.string not in RENAMED_KEYWORDS:
            continue
        nxt = _neighbour(tokens, i, 1, skipped, line_ends)
        prev = _neighbour(tokens, i, -1, (tokenize.COMMENT, tokenize.NL), line_ends)
        if tok.string == "async" and nxt in ("def", "for", "with"):
            continue  # the real keyword
        if tok.string == "await" and not (prev in (".", "def", "import", "as")
                                          or nxt in ("=", ",", ")", "]", ":", ".", "")):
            continue  # `await expr` is the keyword; only name-like uses are renamed
        edits.append((tok.start[0], tok.start[1], RENAMED_KEYWORDS[tok.string]))
    if not edits:
        return text
    lines = text.splitlines(keepends=True)
    for row, col, new in edits:
        line = lines[row - 1]
        lines[row - 1] = line[:col] + new + line[col + len(new):]
    return "".join(lines)


def _neighbour(tokens: list[tokenize.TokenInfo], i: int, step: int, skipped: tuple[int, ...],
               line_ends: tuple[int, ...]) -> str:
    """The next (step 1) or previous (-1) token's text on the same logical line; "" past its end."""
    j = i + step
    while 0 <= j < len(tokens) and tokens[j].type in skipped:
        j += step
    if not 0 <= j < len(tokens) or tokens[j].type in line_ends:
        return ""
    return tokens[j].string
