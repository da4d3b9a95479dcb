"""Tables and trees that keep names and paths whole at any terminal width.

A rich table narrower than its rows folds cells mid-word, so `add_fixed_ip_to_instance` and
`nova/compute/manager.py:6923` come out in pieces nobody can read or copy. `Fitted` draws the
table only when every column can be as wide as its longest word (cells then wrap between words,
never inside one), giving the room left to the columns that need least to fit on one line; and
otherwise the same rows stacked: the leading fields on one line, each other field on a labelled
line under it.
The choice is made when rich renders, so one answer serves a wide terminal, an 80-column
one and a file (which gets 160 columns, render/output.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fitted:
    """`columns` headers and `rows` of markup; `stack` says how a row is stacked when the table
    does not fit: groups of column indexes, the first group on the row's first line, each later
    group on a line of its own labelled by its first column's header."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    stack: tuple[tuple[int, ...], ...]
    title: str | None = None

    def table(self, widths: list[int] | None = None):
        from rich import box
        from rich.table import Table

        table = Table(title=self.title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                      pad_edge=False)
        for i, column in enumerate(self.columns):
            table.add_column(column, overflow="fold", width=widths[i] if widths else None)
        for row in self.rows:
            table.add_row(*row)
        return table

    def stacked(self, max_width: int):
        from rich.console import Group

        labels = [self.columns[group[0]] for group in self.stack[1:]]
        lead = self.stack[0]
        # The first line's fields aligned, as in a table, all but the last padded to their widest;
        # where that line is too long, the last field gets a labelled line of its own instead.
        pads = {i: max(_cell_len(_flat(row[i])) for row in self.rows) for i in lead[:-1]}
        label_width = max(map(len, labels + [self.columns[lead[-1]]]), default=0)
        lines = [WholeWords(self.title)] if self.title else []
        for row in self.rows:
            fields = [(i, _flat(row[i])) for i in lead if row[i]]
            first = "  ".join(f + " " * (pads.get(i, 0) - _cell_len(f)) for i, f in fields[:-1])
            line = f"{first}  {fields[-1][1]}" if first else fields[-1][1] if fields else ""
            below = []
            if _cell_len(line) > max_width and len(fields) > 1:
                line = "  ".join(f for _, f in fields[:-1])
                below.append((self.columns[fields[-1][0]], fields[-1][1]))
            lines.append(WholeWords(line.rstrip()))
            for group in self.stack[1:]:
                value = "  ".join(_flat(row[i]) for i in group if row[i])
                if value:
                    below.append((self.columns[group[0]], value))
            # A labelled line too long for the terminal goes on under its value, not at column 0,
            # so the labels stay a column of their own.
            for label, value in below:
                labelled = f"    [dim]{label:<{label_width}}[/]  {value}"
                hang = 4 + label_width + 2
                # A name too long for the indented room is kept whole at column 0 instead.
                indent = _cell_len(labelled) > max_width and _longest_word(value) <= max_width - hang
                lines.append(WholeWords(labelled, hang=hang if indent else 0))
        return Group(*lines)

    def __rich_console__(self, console, options):
        widths = self.widths(options.max_width)
        yield self.table(widths) if widths is not None else self.stacked(options.max_width)

    def widths(self, max_width: int) -> list[int] | None:
        """Each column's width in a table `max_width` wide in which no word is split, or None when
        there is none: every column gets its longest word, then the room left goes first to the
        columns that need least more to be on one line."""
        if not self.rows:
            return [len(c) for c in self.columns]
        cells = [[self.columns[i], *(row[i] for row in self.rows)] for i in range(len(self.columns))]
        longest_word = [max(_longest_word(c) for c in column) for column in cells]
        longest_line = [max(_longest_line(c) for c in column) for column in cells]
        # Between two columns: a space of padding either side of SIMPLE_HEAD's blank divider.
        room = max_width - 3 * (len(self.columns) - 1)
        if sum(longest_word) > room:
            return None
        widths = list(longest_word)
        spare = room - sum(widths)
        for i in sorted(range(len(widths)), key=lambda i: longest_line[i] - longest_word[i]):
            grow = min(spare, longest_line[i] - widths[i])
            widths[i] += grow
            spare -= grow
        return widths


def _plain(cell: str) -> str:
    from rich.text import Text

    return Text.from_markup(cell).plain


def _cell_len(cell: str) -> int:
    from rich.cells import cell_len

    return cell_len(_plain(cell))


def _longest_word(cell: str) -> int:
    return max((_cell_len_plain(w) for w in _plain(cell).split()), default=0)


def _longest_line(cell: str) -> int:
    return max((_cell_len_plain(line) for line in _plain(cell).split("\n")), default=0)


def _cell_len_plain(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _flat(cell: str) -> str:
    """A cell written on two lines (a class over its path:line) as one line of the stacked form."""
    return " ".join(part.strip() for part in cell.split("\n") if part.strip())



@dataclass(frozen=True)
class WholeWords:
    """A line of markup that wraps to the width it is given without cutting a name: between words,
    else after a `.` or `/` of a dotted name or a path (`SchedulerReportClient.` /
    `get_usages_counts_for_limits`), never inside an identifier. Rich folds a word longer than the
    room left, which deep in a trace tree at 80 columns is many names."""

    markup: str
    hang: int = 0  # columns the lines after the first are indented by

    def __rich_console__(self, console, options):
        from rich.text import Text

        text = Text.from_markup(self.markup)
        first, *rest = text.divide(line_starts(text.plain, max(options.max_width - self.hang, 1)))
        first.rstrip()
        yield Text("\n").join([first] + [Text(" " * self.hang) + _trimmed(line) for line in rest])


def _trimmed(line):
    """A line without the spaces it was broken at."""
    plain = line.plain
    lead = len(plain) - len(plain.lstrip(" "))
    line = line[lead:] if lead < len(plain) else line
    line.rstrip()
    return line


def line_starts(plain: str, width: int) -> list[int]:
    """Where each line after the first starts: greedily at a space; a word that cannot fit on a line
    of its own is broken after one of its dots or slashes; a single identifier is never broken."""
    import re

    starts: list[int] = []
    line_start = 0
    for word in re.finditer(r"\S+", plain):
        word_start, word_end = word.span()
        boundary = "/" if "/" in word.group() else "."  # a path breaks at its directories, not `report.py`
        cuts = [word_start + m.end() for m in re.finditer(re.escape(boundary), word.group())
                if m.end() < len(word.group())]
        for piece_start, piece_end in zip([word_start] + cuts, cuts + [word_end]):
            if piece_end - line_start <= width or piece_start == line_start:
                continue
            # Rather the whole word on a line of its own than a name broken at a dot.
            at = word_start if word_start > line_start and word_end - word_start <= width else piece_start
            starts.append(at)
            line_start = at
    return starts


# Rich's guides are four columns a level; deep in a trace at 80 columns that leaves no room for a
# name. Narrower guides are used only when the wide ones would break a name that fits with them.
_GUIDES = {4: ("    ", "│   ", "├── ", "└── "), 3: ("   ", "│  ", "├─ ", "└─ "), 2: ("  ", "│ ", "├╴", "└╴")}


@dataclass(frozen=True)
class FittedTree:
    """A tree of WholeWords labels, (label, children) pairs, drawn with the widest guides under which
    every name fits whole at the width it is given."""

    root: tuple
    guide_style: str = "dim"

    def __rich_console__(self, console, options):
        from rich.tree import Tree

        width = next((w for w in (4, 3) if _needed(self.root, w, 0) <= options.max_width), 2)

        class _Tree(Tree):
            TREE_GUIDES = [_GUIDES[width]] * 3

        def grow(node, children) -> None:
            for label, grandchildren in children:
                grow(node.add(WholeWords(label)), grandchildren)

        tree = _Tree(WholeWords(self.root[0]), guide_style=self.guide_style)
        grow(tree, self.root[1])
        yield tree


def _needed(node: tuple, guide: int, depth: int) -> int:
    """Columns the tree needs at that guide width so that no piece of a name is folded."""
    import re

    from rich.text import Text

    label, children = node
    words = Text.from_markup(label).plain.split()
    longest = max((len(p) for w in words for p in re.split("(?<=/)" if "/" in w else r"(?<=\.)", w)), default=0)
    return max([guide * depth + longest] + [_needed(child, guide, depth + 1) for child in children])
