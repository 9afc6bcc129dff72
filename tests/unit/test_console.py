"""The first console on the recorded cluster: rows, selection kept across updates, quit."""

from __future__ import annotations

import threading

from swarmtui.swarm.recorded import RecordedSource
from swarmtui.ui.app import StateUpdated, SwarmApp
from swarmtui.ui.keyed_table import KeyedTable
from tests.conftest import INCIDENT, state_from


def column_text(table: KeyedTable, column: int = 0) -> list[str]:
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


async def test_console_shows_nodes_services_and_tasks_of_the_selection():
    app = SwarmApp(RecordedSource(INCIDENT), mode="snapshot")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        nodes = app.screen.query_one("#nodes", KeyedTable)
        services = app.screen.query_one("#services", KeyedTable)
        assert column_text(nodes) == ["pop-os", "worker-1", "worker-2", "worker-3"]
        assert "shop_worker" in column_text(services)
        replicas = dict(zip(column_text(services), column_text(services, 1), strict=True))
        assert replicas["shop_api"] == "1/2"
        services.focus()
        services.move_cursor(row=column_text(services).index("shop_worker"))
        await pilot.pause(0.1)
        tasks = app.screen.query_one("#tasks", KeyedTable)
        assert tasks.border_title.startswith("Tasks of shop_worker")
        assert set(column_text(tasks)) == {"shop_worker.1", "shop_worker.2"}
        assert "non-zero exit (1)" in " ".join(column_text(tasks, 5))


async def test_selection_survives_updates_that_add_and_remove_rows(incident):
    app = SwarmApp(RecordedSource(INCIDENT), mode="snapshot")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        services = app.screen.query_one("#services", KeyedTable)
        services.focus()
        services.move_cursor(row=column_text(services).index("shop_worker"))
        await pilot.pause(0.1)
        # A new service sorting before the selection, one removed, one changed.
        new = {**incident["services"][0], "ID": "newservice0000000000000000"}
        new["Spec"] = {**new["Spec"], "Name": "aaa_first"}
        incident["services"] = [s for s in incident["services"] if s["Spec"]["Name"] != "backup"]
        incident["services"].append(new)
        web = next(s for s in incident["services"] if s["Spec"]["Name"] == "shop_web")
        web["ServiceStatus"]["RunningTasks"] = 2
        app.post_message(StateUpdated(state_from(incident)))
        await pilot.pause(0.2)
        names = column_text(services)
        assert names[0] == "aaa_first" and "backup" not in names
        assert names[services.cursor_row] == "shop_worker"
        assert services.selected_key == app.state.service_named("shop_worker").id
        replicas = dict(zip(names, column_text(services, 1), strict=True))
        assert replicas["shop_web"] == "2/3"


async def test_q_quits_and_leaves_no_thread_behind():
    before = set(threading.enumerate())
    app = SwarmApp(RecordedSource(INCIDENT), mode="snapshot")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        await pilot.press("q")
        await pilot.pause(0.2)
    assert app.return_code == 0
    leftovers = [t for t in threading.enumerate() if t not in before and t.is_alive()
                 and t.name.startswith("swarmtui")]
    assert leftovers == []
