"""A DataTable updated by keyed diffs, so the operator never loses their place.

Rows are keyed by stable ids (node, service or task ids). A sync removes gone
keys, updates only the cells that changed and adds new rows, then restores
the cursor to the row it was on, by key, not by index.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from swarmtui.ui.rows import Column, Row


class KeyedTable(DataTable):
    DEFAULT_CSS = """
    KeyedTable { height: 1fr; }
    """

    def __init__(self, columns: Sequence[Column], **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self._columns_spec = tuple(columns)
        self._cells: dict[str, tuple[Text, ...]] = {}
        self._order: list[str] = []

    def on_mount(self) -> None:
        for column in self._columns_spec:
            self.add_column(column.label, key=column.key, width=column.width)

    @property
    def selected_key(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= len(self._order):
            return None
        return self._order[self.cursor_row]

    def sync(self, rows: Sequence[Row]) -> None:
        """Make the table show `rows`, in their order, touching only what changed."""
        selected = self.selected_key
        wanted = dict(rows)
        for key in [k for k in self._cells if k not in wanted]:
            self.remove_row(key)
            del self._cells[key]
        for key, cells in rows:
            old = self._cells.get(key)
            if old is None:
                self.add_row(*cells, key=key)
            elif old != cells:
                for column, before, after in zip(self._columns_spec, old, cells, strict=True):
                    if before != after:
                        self.update_cell(key, column.key, after, update_width=True)
            self._cells[key] = cells
        order = [key for key, _ in rows]
        if order != [str(r.key.value) for r in self.ordered_rows]:
            self._reorder(rows)
        self._order = order
        if selected in wanted:
            index = order.index(selected)
            if index != self.cursor_row:
                self.move_cursor(row=index, animate=False, scroll=False)

    def _reorder(self, rows: Sequence[Row]) -> None:
        """Put rows in the wanted order with the public sort: rows are found by content.

        Two rows with identical text look the same, so their relative order
        cannot matter to anyone reading the table.
        """
        position = {_plain(cells): index for index, (_, cells) in enumerate(rows)}
        self.sort(key=lambda values: position.get(_plain(values), len(position)))


def _plain(cells: Sequence[object]) -> tuple[str, ...]:
    return tuple(str(cell) for cell in cells)
