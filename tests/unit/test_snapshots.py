"""What the console looks like, on the recorded incident (pytest-textual-snapshot).

Regenerate after an intended change with `pytest tests/unit/test_snapshots.py
--snapshot-update`, then look at the report before committing.
"""

from __future__ import annotations

from tests.conftest import demo_app


async def settle(pilot) -> None:
    await pilot.pause(0.3)
    await pilot.pause(0.2)


def test_dashboard_120x40(snap_compare):
    assert snap_compare(demo_app(), terminal_size=(120, 40), run_before=settle)


def test_dashboard_80x24(snap_compare):
    assert snap_compare(demo_app(), terminal_size=(80, 24), run_before=settle)


def test_service_detail_masks_secrets(snap_compare):
    async def open_shop_api(pilot):
        await settle(pilot)
        services = pilot.app.screen.query_one("#services")
        services.select_key(pilot.app.state.service_named("shop_api").id)
        await pilot.press("enter")
        await pilot.pause(0.3)
        pilot.app.screen.query_one("#detail").scroll_end(animate=False)
        await pilot.pause(0.2)

    assert snap_compare(demo_app(), terminal_size=(110, 48), run_before=open_shop_api)


def test_node_detail(snap_compare):
    async def open_worker_1(pilot):
        await settle(pilot)
        await pilot.press("n", "down", "enter")
        await pilot.pause(0.3)

    assert snap_compare(demo_app(), terminal_size=(100, 32), run_before=open_worker_1)


def test_logs_of_the_crash_looping_worker(snap_compare):
    async def open_logs(pilot):
        await settle(pilot)
        services = pilot.app.screen.query_one("#services")
        services.select_key(pilot.app.state.service_named("shop_worker").id)
        await pilot.press("l")
        await pilot.pause(0.5)

    assert snap_compare(demo_app(), terminal_size=(100, 30), run_before=open_logs)


def test_wall_mode(snap_compare):
    async def hold_rotation(pilot):
        await settle(pilot)
        await pilot.press("p")  # the countdown would make the picture depend on timing
        await pilot.pause(0.2)

    assert snap_compare(demo_app(wall=True), terminal_size=(120, 36), run_before=hold_rotation)


def test_light_theme(snap_compare):
    assert snap_compare(demo_app(theme="swarmtui-light"), terminal_size=(120, 40),
                        run_before=settle)


def test_vim_keymap_help(snap_compare):
    async def open_help(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.3)

    assert snap_compare(demo_app(keymap="vim"), terminal_size=(110, 60), run_before=open_help)
