"""A DataTable updated by keyed diffs, so the operator never loses their place.

Rows are keyed by stable ids (node, service or task ids). `set_rows` takes
the full list; the table applies its filter and sort, removes gone keys,
updates only the cells that changed (briefly highlighted) and adds new rows,
then puts the cursor back on the row it was on, by key, not by index.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import ClassVar

from rich.markup import escape
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from swarmtui.swarm.logtext import clean
from swarmtui.ui.rows import Column, Row


def fuzzy_match(query: str, text: str) -> bool:
    """Every character of `query`, in order, somewhere in `text` (case-insensitive)."""
    if not query:
        return True
    position = 0
    text = text.lower()
    for char in query.lower():
        position = text.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


def natural_key(text: str) -> tuple[object, ...]:
    """`web-10` after `web-9`; numbers compare as numbers."""
    return tuple(int(part) if part.isdigit() else part.lower()
                 for part in re.split(r"(\d+)", text))


FIRST_SCREENFUL = 120


class KeyedTable(DataTable):
    class Filtered(Message):
        """The operator's filter changed which rows are shown."""

        def __init__(self, table: KeyedTable) -> None:
            super().__init__()
            self.table = table

    DEFAULT_CSS = """
    KeyedTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False, id="cursor-down"),
        Binding("up", "cursor_up", "Up", show=False, id="cursor-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page-down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page-up"),
        Binding("home", "scroll_top", "Top", show=False, id="top"),
        Binding("end", "scroll_bottom", "Bottom", show=False, id="bottom"),
        Binding("enter", "select_cursor", "Details", id="open"),
        Binding("o", "sort_next", "Sort", show=False, id="sort"),
        Binding("O", "sort_reverse", "Reverse sort", show=False, id="sort-reverse"),
    ]

    def __init__(self, columns: Sequence[Column], *, filter_columns: Sequence[int] = (0,),
                 **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._columns_spec = tuple(columns)
        self._filter_columns = tuple(filter_columns)
        self._all_rows: list[Row] = []
        self._cells: dict[str, tuple[Text, ...]] = {}
        self._shown: dict[str, tuple[Text, ...]] = {}  # what is on screen, highlight included
        self._highlight_until: dict[tuple[str, int], float] = {}
        self._order: list[str] = []
        self.filter_text = ""
        self.sort_column: int | None = None
        self.sort_reverse = False
        self.highlight_style = "on #3B4A62"
        self.highlight_seconds = 1.5
        self._title = ""
        self._count: int | None = None
        self._matching = 0

    def on_mount(self) -> None:
        for column in self._columns_spec:
            self.add_column(column.label, key=column.key, width=column.width)

    # -- what the table shows ---------------------------------------------

    @property
    def selected_key(self) -> str | None:
        if not self._order or not 0 <= self.cursor_row < len(self._order):
            return None
        return self._order[self.cursor_row]

    @property
    def shown_keys(self) -> list[str]:
        return list(self._order)

    def set_rows(self, rows: Sequence[Row]) -> None:
        self._all_rows = list(rows)
        view = self._view()
        if not self._cells and len(view) > FIRST_SCREENFUL:
            # A first fill of thousands of rows: show a screenful now, the rest next tick
            # (DataTable measures every cell of every new row).
            self._sync(view[:FIRST_SCREENFUL])
            self.call_after_refresh(self._fill_rest)
            return
        self._sync(view)

    def _fill_rest(self) -> None:
        self._sync(self._view())

    def set_title(self, title: str, count: int | None = None) -> None:
        """The pane's name and, with `count`, how many it holds: "Services (15)", or
        "Services (5/15)" while a filter shows five of them."""
        self._title, self._count = title, count
        self._show_title()

    def _show_title(self) -> None:
        """Setting a border title repaints the whole table, even when unchanged: don't.
        Titles are markup to Textual; names in them are data, so they are escaped."""
        title = self._title
        if self._count is not None:
            title += f" ({self._matching}/{self._count})" if self.filter_text \
                else f" ({self._count})"
        title = escape(clean(title))
        if self.border_title != title:
            self.border_title = title

    def set_filter(self, text: str) -> None:
        changed = text != self.filter_text
        self.filter_text = text
        self._sync(self._view())
        self._update_title_marks()
        self._show_title()
        if changed:
            self.post_message(self.Filtered(self))

    def select_key(self, key: str) -> bool:
        if key not in self._order:
            return False
        self.move_cursor(row=self._order.index(key), animate=False)
        return True

    def _view(self) -> list[Row]:
        rows = self._all_rows
        if self.filter_text:
            rows = [
                row for row in rows
                if any(fuzzy_match(self.filter_text, str(row[1][i])) for i in self._filter_columns)
            ]
        self._matching = len(rows)
        if self.sort_column is not None:
            column = self.sort_column
            rows = sorted(rows, key=lambda r: natural_key(str(r[1][column])),
                          reverse=self.sort_reverse)
        return rows

    # -- sorting ----------------------------------------------------------

    def action_sort_next(self) -> None:
        count = len(self._columns_spec)
        self.sort_column = 0 if self.sort_column is None else (self.sort_column + 1) % count
        self.sort_reverse = False
        self._resort()

    def action_sort_reverse(self) -> None:
        if self.sort_column is None:
            self.sort_column = 0
        self.sort_reverse = not self.sort_reverse
        self._resort()

    def _resort(self) -> None:
        self._sync(self._view())
        self._update_title_marks()
        if self.sort_column is not None:
            label = self._columns_spec[self.sort_column].label
            arrow = "▼" if self.sort_reverse else "▲"
            self.notify(f"sorted by {label} {arrow}", timeout=1.5)

    def _update_title_marks(self) -> None:
        subtitle = []
        if self.filter_text:
            subtitle.append(f"/{self.filter_text}")
        if self.sort_column is not None:
            arrow = "▼" if self.sort_reverse else "▲"
            subtitle.append(f"{self._columns_spec[self.sort_column].label} {arrow}")
        text = escape(clean("  ".join(subtitle)))
        if self.border_subtitle != text:
            self.border_subtitle = text

    # -- the diff ---------------------------------------------------------

    def _sync(self, rows: Sequence[Row]) -> None:
        """Make the table show `rows`, in their order, touching only what changed."""
        selected = self.selected_key
        now = time.monotonic()
        added = False
        wanted = dict(rows)
        for key in [k for k in self._cells if k not in wanted]:
            self.remove_row(key)
            del self._cells[key]
            del self._shown[key]
        for key, cells in rows:
            old = self._cells.get(key)
            if old is None:
                self.add_row(*cells, key=key)
                self._shown[key] = cells
                added = True
            elif old != cells:
                shown = list(self._shown[key])
                for index, (before, after) in enumerate(zip(old, cells, strict=True)):
                    if before != after:
                        shown[index] = self._highlighted(after)
                        self._highlight_until[(key, index)] = now + self.highlight_seconds
                        self.update_cell(key, self._columns_spec[index].key, shown[index],
                                         update_width=True)
                self._shown[key] = tuple(shown)
                if self.highlight_seconds:
                    self.set_timer(self.highlight_seconds + 0.05, self._fade_highlights)
            self._cells[key] = cells
        order = [key for key, _ in rows]
        if order != [str(r.key.value) for r in self.ordered_rows]:
            self._reorder(rows)
        self._order = order
        if selected in wanted:
            index = order.index(selected)
            if index != self.cursor_row:
                self.move_cursor(row=index, animate=False, scroll=False)
        if added:
            # New rows can widen columns; make sure what is on screen is redrawn with them.
            self.call_after_refresh(self.refresh)

    def _highlighted(self, cell: Text) -> Text:
        if not self.highlight_seconds:
            return cell
        marked = cell.copy()
        marked.stylize(self.highlight_style)
        return marked

    def _fade_highlights(self) -> None:
        now = time.monotonic()
        for (key, index), until in list(self._highlight_until.items()):
            if until > now:
                continue
            del self._highlight_until[(key, index)]
            if key in self._cells:
                plain = self._cells[key][index]
                shown = list(self._shown[key])
                shown[index] = plain
                self._shown[key] = tuple(shown)
                self.update_cell(key, self._columns_spec[index].key, plain)

    def _reorder(self, rows: Sequence[Row]) -> None:
        """Put rows in the wanted order with the public sort: rows are found by content.

        Two rows with identical text look the same, so their relative order
        cannot matter to anyone reading the table.
        """
        position = {_plain(cells): index for index, (_, cells) in enumerate(rows)}
        self.sort(key=lambda values: position.get(_plain(values), len(position)))


def _plain(cells: Sequence[object]) -> tuple[str, ...]:
    return tuple(str(cell) for cell in cells)
