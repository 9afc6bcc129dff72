"""Pilot tests of the console on the recorded incident: filter, sort, logs, read-only, config."""

from __future__ import annotations

import json
import threading
import time

import pytest
from textual.widgets import Log

from swarmtui.config import ConfigError, Settings, load_settings
from swarmtui.swarm.engine import EngineClient, ReadOnlyViolation
from swarmtui.swarm.recorded import RecordedSource, ReplayedLogs
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.keyed_table import KeyedTable
from swarmtui.ui.logs_screen import LogScreen
from tests.conftest import INCIDENT, demo_app, swarmtui, until


def names(table: KeyedTable) -> list[str]:
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_slash_filters_the_focused_pane_fuzzily_and_escape_clears_it():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        services = app.screen.query_one("#services", KeyedTable)
        await pilot.press("slash", *"shpwk")
        await pilot.pause(0.1)
        assert names(services) == ["shop_worker"]
        assert services.border_subtitle == "/shpwk"
        assert services.border_title == "Services (1/15)"
        tasks = app.screen.query_one("#tasks", KeyedTable)
        assert tasks.border_title.startswith("Tasks of shop_worker (")  # it follows the filter
        await pilot.press(*"zzz")  # nothing matches: no tasks of a service that is not shown
        await pilot.pause(0.1)
        assert names(services) == [] and tasks.border_title == "Tasks" and tasks.row_count == 0
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert len(names(services)) == 15
        assert services.border_title == "Services (15)"
        assert services.has_focus


async def test_filter_matches_image_and_stack_columns_too():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("slash", *"9.9", "enter")
        await pilot.pause(0.1)
        assert names(app.screen.query_one("#services", KeyedTable)) == ["shop_api"]


async def test_o_sorts_by_the_next_column_and_shift_o_reverses():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        services = app.screen.query_one("#services", KeyedTable)
        await pilot.press("s", "o", "o")  # by SERVICE, then by REPLICAS
        await pilot.pause(0.1)
        replicas = [str(services.get_row_at(i)[1]) for i in range(services.row_count)]
        assert replicas[:3] == ["0/1", "0/1 (1/1 completed)", "0/2"]
        await pilot.press("O")
        await pilot.pause(0.1)
        replicas = [str(services.get_row_at(i)[1]) for i in range(services.row_count)]
        assert replicas[0] == "4/4" and replicas[-1] == "0/1"


def hostile_recording(tmp_path, incident) -> RecordedSource:
    web = next(s for s in incident["services"] if s["Spec"]["Name"] == "shop_web")
    task = next(t for t in incident["tasks"] if t["ServiceID"] == web["ID"])
    head = (f"2026-12-03T16:04:35.{{:09d}}Z com.docker.swarm.node.id={task['NodeID']},"
            f"com.docker.swarm.service.id={web['ID']},com.docker.swarm.task.id={task['ID']} ")
    lines = [{"line": head.format(i) + f"GET /cart/{i} 200", "stream": "stdout"}
             for i in range(10_000)]
    lines += [
        {"line": head.format(10_001) + "\x1b[31mERROR\x1b[0m boom\x1b[2K\x1b[1A",
         "stream": "stderr"},
        {"line": head.format(10_002) + "x" * 100_000, "stream": "stdout"},
        {"line": head.format(10_003) + "progress 5%\rprogress 100%\r", "stream": "stdout"},
        {"line": head.format(10_004) + "\x1b]0;owned\x07title gone", "stream": "stdout"},
    ]
    incident["logs"]["shop_web"] = lines
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(incident))
    return RecordedSource(path)


async def test_hostile_burst_of_logs_is_capped_cleaned_and_the_ui_stays_responsive(
        tmp_path, incident):
    source = hostile_recording(tmp_path, incident)
    app = SwarmApp(source, settings=Settings(log_max_lines=2000, log_tail=0), mode="snapshot")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        app.push_screen(LogScreen(app.state.service_named("shop_web").id, ))
        screen = app.screen
        deadline = time.monotonic() + 10
        await pilot.pause(0.1)
        log = screen.query_one(Log)
        while not (log.lines and log.lines[-1].endswith("title gone")):
            assert time.monotonic() < deadline, "the last hostile line never reached the screen"
            await pilot.pause(0.1)
        lines = list(log.lines)
        assert len(screen.buffer) == 2000 and len(lines) <= 2000  # memory is bounded
        assert not any("\x1b" in line or "\r" in line for line in lines)
        assert any(line.endswith("ERROR boom") for line in lines)
        assert any("progress 100%" in line and "5%" not in line for line in lines)
        assert any(line.endswith("title gone") for line in lines)
        long = next(line for line in lines if "xxxx" in line)
        assert long.endswith("more characters]") and len(long) < 9000
        await pilot.press("p")  # keys are still handled after the burst
        assert screen.paused


class PacedSource(RecordedSource):
    """The recording's log lines, released one every 20 ms, as a live service writes them."""

    def open_logs(self, request):
        stream = super().open_logs(request)
        original = list(stream._lines)

        class Paced(ReplayedLogs):
            def __iter__(self_inner):
                for line in original * 20:
                    if self_inner._closed.wait(0.02):
                        return
                    yield line
                self_inner._closed.wait()

        return Paced([], True)


async def test_logs_pause_holds_the_view_and_resume_catches_up_then_grep_highlights():
    source = PacedSource(INCIDENT)
    app = SwarmApp(source, settings=Settings(highlight_seconds=0), mode="snapshot")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        app.push_screen(LogScreen(app.state.service_named("shop_web").id))
        await pilot.pause(0.5)
        screen = app.screen
        log = screen.query_one(Log)
        await pilot.press("p")
        held = log.line_count
        await pilot.pause(0.6)
        assert log.line_count == held and screen.pending > 0
        await pilot.press("p")
        await pilot.pause(0.2)
        assert log.line_count > held and screen.pending == 0
        await pilot.press("slash", *"cart/4", "enter")
        await pilot.pause(0.3)
        shown = list(log.lines)
        assert shown and all("cart/4" in line for line in shown)
        rendered = screen.highlighter  # the match is styled, not just filtered
        from rich.text import Text
        text = Text(shown[0])
        rendered.highlight(text)
        assert any("reverse" in str(span.style) for span in text.spans)


def test_read_only_refuses_a_mutation_before_it_leaves_the_process(tmp_path):
    client = EngineClient(base_url=f"unix://{tmp_path}/no-engine-here.sock", version="1.41",
                          readonly=True)
    with pytest.raises(ReadOnlyViolation, match="read-only mode: refused POST"):
        client.update_node("worker-2", 1, {"Availability": "drain", "Role": "worker"})
    with pytest.raises(ReadOnlyViolation, match="refused DELETE"):
        client.remove_service("shop_web")
    assert client.request_counts["POST"] == client.request_counts["DELETE"] == 0


async def test_read_only_console_says_so_when_a_change_is_asked_for():
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        assert app.readonly
        assert app.refuse_in_readonly("scaling shop_web")
        await pilot.pause(0.1)
        assert any("read-only mode" in str(n.message) for n in app._notifications)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_bad_theme_file_is_named_with_its_field(tmp_path):
    bad = write(tmp_path / "swarmtui" / "themes" / "mine.yaml",
                "name: mine\nprimary: '#123456'\nvariables:\n  health-ok: not-a-colour\n")
    result = swarmtui("--demo", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(bad) in result.stderr and "variables.health-ok" in result.stderr


def test_keymap_unknown_id_and_clash_are_named_by_file_and_line(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    keymap = write(tmp_path / "swarmtui" / "keymaps" / "mine.yaml",
                   "quit: q\nexplode: x\n")
    result = swarmtui("--demo", "--keymap", "mine", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{keymap} line 2: unknown binding id 'explode'" in result.stderr
    write(keymap, "# mine\nlogs: l\nfilter: l\n")
    result = swarmtui("--demo", "--keymap", "mine", env=env)
    assert f"{keymap} line 3: key 'l' is bound to both 'logs' and 'filter'" in result.stderr


def test_bad_config_file_names_the_file_and_the_field(tmp_path):
    config = write(tmp_path / "config.yaml", "theme: swarmtui-light\npoll_interval: fast\n")
    with pytest.raises(ConfigError, match=f"{config}: field 'poll_interval' must be"):
        load_settings(env={"SWARMTUI_CONFIG": str(config)})
    write(config, "theme: [unclosed\n")
    with pytest.raises(ConfigError, match=f"{config} line 2"):
        load_settings(env={"SWARMTUI_CONFIG": str(config)})
    write(config, "colour: blue\n")
    with pytest.raises(ConfigError, match="unknown field 'colour'"):
        load_settings(env={"SWARMTUI_CONFIG": str(config)})


def test_settings_layer_defaults_file_environment_flags(tmp_path):
    config = write(tmp_path / "config.yaml", "theme: swarmtui-light\nlogs:\n  max_lines: 500\n")
    env = {"SWARMTUI_CONFIG": str(config), "SWARMTUI_THEME": "swarmtui-contrast"}
    settings = load_settings(env=env)
    assert settings.theme == "swarmtui-contrast" and settings.log_max_lines == 500
    assert load_settings({"theme": "swarmtui-dark"}, env=env).theme == "swarmtui-dark"
    assert load_settings(env={"SWARMTUI_CONFIG": str(tmp_path / "none.yaml")}).poll_interval == 2


async def test_palette_jumps_to_a_service_without_touching_docker():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"postgres")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        services = app.screen.query_one("#services", KeyedTable)
        assert services.selected_key == app.state.service_named("shop_postgres").id
    assert not [t for t in threading.enumerate() if t.name.startswith("swarmtui-logs")]


async def test_a_large_cluster_fills_a_screenful_first_then_every_row_in_order(tmp_path,
                                                                                incident):
    from bench.scale import scale

    path = tmp_path / "large.json"
    path.write_text(json.dumps(scale(incident, nodes=10, services=300, tasks=600)))
    app = SwarmApp(RecordedSource(path), settings=Settings(highlight_seconds=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        services = app.screen.query_one("#services", KeyedTable)
        shown = names(services)
        assert len(shown) == 300
        assert shown == sorted(shown)


def writable_app() -> SwarmApp:
    """The recording shown as if live: plans preview (running them would be refused)."""
    app = SwarmApp(RecordedSource(INCIDENT), settings=Settings(highlight_seconds=0), mode="live")
    app.readonly = False
    return app


async def test_a_sentence_in_the_command_bar_becomes_a_previewed_plan_with_cancel_focused():
    from textual.widgets import Button

    from swarmtui.ui.plan_screen import PlanScreen

    app = writable_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("colon", *"drain worker-2 then scale web to 5", "enter")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        assert [p.step.action for p in screen.previews] == ["node.drain", "service.scale"]
        assert screen.previews[1].change == "replicas 3 → 5"
        assert screen.previews[0].command == "docker node update --availability drain worker-2"
        assert screen.focused.id == "plan-cancel-button"
        assert screen.query_one("#plan-run", Button).disabled  # high risk: only `y` runs it
        await pilot.press("enter")  # Enter on a high-risk plan is the focused Cancel
        await pilot.pause(0.2)
        assert not isinstance(app.screen, PlanScreen)
        assert any("cancelled" in str(n.message) for n in app._notifications)


async def test_read_only_has_no_way_to_change_anything_and_says_so():
    from swarmtui.ui.plan_screen import PlanScreen

    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("colon", *"scale web to 5", "enter")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, PlanScreen)
        services = app.screen.query_one("#services", KeyedTable)
        services.focus()
        await pilot.press("plus", "u")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, PlanScreen)
        refusals = [n for n in app._notifications if "read-only mode" in str(n.message)]
        assert len(refusals) == 3
    from rich.console import Console

    from swarmtui.ui.help import binding_registry_for_app, help_table

    def listed(readonly: bool) -> str:
        console = Console(record=True, width=200)
        console.print(help_table(binding_registry_for_app(), {}, "default", readonly))
        return console.export_text()

    assert "scale-up" in listed(False) and "undo" in listed(False)
    assert "scale-up" not in listed(True) and "undo" not in listed(True)
    assert "focus-nodes" in listed(True)


async def test_a_question_comes_back_instead_of_a_plan():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("colon", *"restart nginx", "enter")
        await pilot.pause(0.2)
        assert any("nginx" in str(n.message) for n in app._notifications)


async def test_row_keys_propose_the_same_plans_as_sentences():
    from swarmtui.ui.plan_screen import PlanScreen

    app = writable_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        services = app.screen.query_one("#services", KeyedTable)
        services.focus()
        services.select_key(app.state.service_named("shop_web").id)
        await pilot.press("plus")
        await pilot.pause(0.2)
        assert isinstance(app.screen, PlanScreen)
        assert app.screen.previews[0].change == "replicas 3 → 4"
        await pilot.press("escape")
        await pilot.press("n", "down", "D")
        await pilot.pause(0.2)
        assert app.screen.previews[0].step.params == {"node": "worker-1"}
        assert app.screen.previews[0].risk == "high"


@pytest.mark.parametrize("damage", [
    lambda d: d["services"].__setitem__(3, "hello"),
    lambda d: d["tasks"][0].__setitem__("Status", "running"),
    lambda d: d["nodes"][1]["Spec"].__setitem__("Labels", ["db", "true"]),
    lambda d: d["services"][0].__setitem__("ServiceStatus", {"RunningTasks": "a"}),
    lambda d: d["info"].__setitem__("Swarm", "yes"),
])
def test_malformed_cluster_data_is_one_line_naming_the_object(tmp_path, incident, damage):
    damage(incident)
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(incident))
    result = swarmtui("status", "--snapshot", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(path.name) in result.stderr


async def test_the_console_shows_malformed_data_instead_of_hanging(tmp_path, incident):
    incident["services"][3] = "hello"
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(incident))
    app = SwarmApp(RecordedSource(path), mode="snapshot")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause(0.5)
        status = str(app.screen.query_one("#status").render())
        assert "malformed cluster data: services[3]: not an object" in status


@pytest.mark.parametrize(("text", "message"), [
    ("logs: ctrl+bogus\n", "line 1: 'ctrl+bogus' is not a key name"),
    ("quit: q\nlogs: L\nquit: x\n", "line 3: 'quit' is mapped twice (also line 1)"),
    ("help: ctrl+p\n", "line 1: 'ctrl+p' cannot be bound to 'help': it opens the command"),
])
def test_keymap_key_names_repeats_and_reserved_keys_are_named(tmp_path, text, message):
    from swarmtui.ui.help import binding_registry_for_app
    from swarmtui.ui.keymap import load_keymap

    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_keymap(path, binding_registry_for_app())
    assert str(error.value) == f"{path} {message}" or message in str(error.value)


async def test_y_runs_a_high_risk_plan_and_a_destructive_one_needs_every_name_typed():
    from swarmtui.ui.plan_screen import PlanScreen

    app = writable_app()
    started: list[tuple[str, str]] = []
    app._execute = lambda plan, origin, confirmation, job: started.append(  # the decision only
        (plan.sentence, confirmation))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        app.propose("restart web")
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), 5, "the preview")
        await pilot.pause(0.2)
        await pilot.press("y")  # high risk: y runs it
        await until(pilot, lambda: started == [("restart web", "y")], 5, "the run")
        app.propose("remove web and remove api")
        await until(pilot, lambda: isinstance(app.screen, PlanScreen), 5, "the preview")
        await pilot.pause(0.2)
        await pilot.press("y", "enter")  # neither y nor Enter runs a destructive plan
        await pilot.pause(0.2)
        assert isinstance(app.screen, PlanScreen) and len(started) == 1
        field = app.screen.query_one("#plan-confirm")
        assert field.value == "y"  # typing went to the name field
        field.value = ""
        app.screen.query_one("#plan-cancel-button").focus()
        await pilot.pause(0.1)
        await pilot.press(*"shop_web", "enter")  # one name never confirms the other's loss
        assert field.value == "shop_web"  # every key typed landed, the first one too
        await pilot.pause(0.2)
        assert isinstance(app.screen, PlanScreen) and len(started) == 1
        assert any("type shop_web shop_api exactly" in str(n.message)
                   for n in app._notifications)
        await pilot.press(*" shop_api", "enter")
        await until(pilot, lambda: len(started) == 2, 5, "the run")
        assert started[1] == ("remove web and remove api", "shop_web shop_api")


async def test_node_keys_act_on_the_selected_row_even_when_its_name_is_shared(tmp_path):
    data = json.loads(INCIDENT.read_text())
    live = next(n for n in data["nodes"] if n["Description"]["Hostname"] == "worker-1")
    old = json.loads(json.dumps(live)) | {"ID": "oldnode0000000000000000000",
                                           "Status": {"State": "down", "Addr": "10.77.0.99"}}
    data["nodes"].insert(0, old)
    path = tmp_path / "rejoined.json"
    path.write_text(json.dumps(data))
    app = SwarmApp(RecordedSource(path), settings=Settings(highlight_seconds=0), mode="snapshot")
    proposed = []
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.state is not None, 10, "the recording")
        app.refuse_in_readonly = lambda _words: False  # a recording is read-only: the plan
        app._preview = lambda plan, _origin: proposed.append(plan)  # is caught before it
        nodes = app.screen.query_one("#nodes", KeyedTable)
        nodes.focus()
        assert nodes.select_key(live["ID"])
        await pilot.press("D")
        assert [dict(s.params) for p in proposed for s in p.steps] == [{"node": live["ID"]}]


async def test_escape_on_a_filtered_pane_clears_the_filter_it_was_given():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        services = app.screen.query_one("#services", KeyedTable)
        await pilot.press("slash", *"zzzz", "enter")
        await pilot.pause(0.1)
        assert services.has_focus and services.border_title == "Services (0/15)"
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert services.border_title == "Services (15)" and services.border_subtitle == ""
        assert len(names(services)) == 15


async def test_ctrl_c_says_in_plain_words_which_key_quits():
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("ctrl+c")
        await pilot.pause(0.1)
        said = [n.message for n in app._notifications]
        assert "press q or ctrl+q to quit" in said and not any("[b]" in m for m in said)


async def test_theme_without_a_name_says_which_is_on_and_lists_the_rest():
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("colon", *"theme", "enter")
        await pilot.pause(0.1)
        said = [n.message for n in app._notifications]
        assert any(m.startswith(f"theme {app.theme}; themes: ") for m in said), said
        assert not any("no theme" in m for m in said)


@pytest.mark.parametrize(("flags", "message"), [
    ({"poll_interval": 0.0}, "--poll must be a number of seconds from 0.2 to 600, not 0.0"),
    ({"alertmanager_url": "notaurl"}, "--alertmanager must be a URL"),
    ({"host": "gopher://x"}, "--host must be an engine address"),
])
def test_a_bad_flag_value_is_named_by_the_flag_as_typed(tmp_path, flags, message):
    with pytest.raises(ConfigError) as error:
        load_settings(flags, env={"SWARMTUI_CONFIG": str(tmp_path / "none.yaml")})
    assert str(error.value).startswith(message), error.value
    assert "field" not in str(error.value)


def test_every_settings_flag_is_spelled_as_the_command_line_spells_it():
    from swarmtui.cli import build_parser
    from swarmtui.config import FLAGS

    parser = build_parser()
    for name, flag in FLAGS.items():
        args = parser.parse_args([flag] if name == "readonly" else [flag, "1"])
        assert getattr(args, name) not in (None, False), (name, flag)


@pytest.mark.parametrize(("args", "message"), [
    (("--demo", "--poll", "0"), "swarmtui: --poll must be a number of seconds"),
    (("--demo", "--alertmanager", "notaurl"), "swarmtui: --alertmanager must be a URL"),
])
def test_the_console_names_a_bad_flag_as_typed(tmp_path, args, message):
    result = swarmtui(*args, env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "poll-interval" not in result.stderr and "alertmanager-url" not in result.stderr


def test_a_bad_host_names_the_config_file_or_the_variable_it_came_from(tmp_path):
    config = write(tmp_path / "swarmtui" / "config.yaml", 'host: "gopher://x"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(env={"SWARMTUI_CONFIG": str(config)})
    assert str(error.value).startswith(f"{config}: field 'host' must be an engine address")
    result = swarmtui("status", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 2 and f"{config}: field 'host'" in result.stderr, result.stderr
    assert "--host" not in result.stderr
    with pytest.raises(ConfigError, match=r"^SWARMTUI_HOST must be an engine address"):
        load_settings(env={"SWARMTUI_CONFIG": str(tmp_path / "none.yaml"),
                           "SWARMTUI_HOST": "gopher://x"})
    for good in ("unix:///var/run/docker.sock", "tcp://10.0.0.1:2376", "ssh://me@m1",
                 "/var/run/docker.sock"):
        assert load_settings({"host": good},
                             env={"SWARMTUI_CONFIG": str(tmp_path / "none.yaml")}).host == good


def test_a_boolean_in_the_config_file_must_be_true_or_false(tmp_path):
    config = tmp_path / "config.yaml"
    for text in ('readonly: "1"', "readonly: 'yes'", "readonly: 1",
                 'alertmanager:\n  push: "true"'):
        write(config, text + "\n")
        with pytest.raises(ConfigError) as error:
            load_settings(env={"SWARMTUI_CONFIG": str(config)})
        assert str(error.value).startswith(f"{config}: field '") and \
            "must be true or false" in str(error.value), error.value
    write(config, "readonly: true\nalertmanager:\n  push: yes\n")  # YAML's own booleans
    settings = load_settings(env={"SWARMTUI_CONFIG": str(config)})
    assert settings.readonly is True and settings.alertmanager_push is True
    # a variable is text: SWARMTUI_READONLY=1 stays a way to say true
    none = str(tmp_path / "none.yaml")
    assert load_settings(env={"SWARMTUI_CONFIG": none, "SWARMTUI_READONLY": "1"}).readonly
    assert not load_settings(env={"SWARMTUI_CONFIG": none,
                                  "SWARMTUI_READONLY": "off"}).readonly
    with pytest.raises(ConfigError, match=r"^SWARMTUI_READONLY must be true or false"):
        load_settings(env={"SWARMTUI_CONFIG": none, "SWARMTUI_READONLY": "maybe"})
