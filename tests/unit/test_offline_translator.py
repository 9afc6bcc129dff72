"""The offline translator's mechanisms, one by one, on the recorded incident."""

from __future__ import annotations

import pytest

from swarmtui.nl.offline import OfflineTranslator
from swarmtui.nl.resolve import edit_distance, is_typo_of
from tests.conftest import state_from


@pytest.fixture
def translate(incident):
    state = state_from(incident)
    translator = OfflineTranslator()
    return lambda sentence: translator.translate(sentence, state)


def steps(plan) -> list[tuple[str, dict]]:
    return [(s.action, dict(s.params)) for s in plan.steps]


def test_a_swap_of_neighbours_is_one_edit_and_the_limit_cuts_the_work_short():
    assert edit_distance("wbe", "web", 2) == 1
    assert edit_distance("prometeus", "prometheus", 2) == 1
    assert edit_distance("abcdefgh", "zzzzzzzz", 2) == 3


@pytest.mark.parametrize(("word", "name", "typo"), [
    ("wbe", "web", True), ("wroker-2", "worker-2", True), ("grafanna", "grafana", True),
    ("worker-9", "worker-1", False),  # another number is another node, not a typo
    ("api", "app", False),  # a three-letter word allows a swap only
    ("web", "web", False), ("we", "web", False),
])
def test_typos_are_slips_of_the_keyboard_never_other_numbers(word, name, typo):
    assert is_typo_of(word, name) is typo


def test_an_unknown_node_with_a_number_is_named_back_not_guessed(translate):
    plan = translate("drain worker-9")
    assert plan.asks_back and "no node called 'worker-9'" in plan.clarify


def test_a_word_that_is_no_name_is_named_back(translate):
    plan = translate("restart apo")  # not a swap of api nor of app: no guess
    assert plan.asks_back and "no service called 'apo'" in plan.clarify


def test_mistyped_verbs_are_mended(translate):
    assert steps(translate("restrat web")) == [("service.restart", {"service": "shop_web"})]
    assert steps(translate("scael web to 4")) == [
        ("service.scale", {"service": "shop_web", "replicas": 4})]
    assert steps(translate("drian worker-2")) == [("node.drain", {"node": "worker-2"})]


def test_a_shared_verb_and_a_shared_value_reach_every_target(translate):
    assert steps(translate("restart web, api and grafana")) == [
        ("service.restart", {"service": "shop_web"}),
        ("service.restart", {"service": "shop_api"}),
        ("service.restart", {"service": "monitoring_grafana"})]
    assert steps(translate("scale web and the api to 5")) == [
        ("service.scale", {"service": "shop_web", "replicas": 5}),
        ("service.scale", {"service": "shop_api", "replicas": 5})]


def test_a_pronoun_means_the_previous_target(translate):
    assert steps(translate("drain worker-2, then bring it back")) == [
        ("node.drain", {"node": "worker-2"}), ("node.activate", {"node": "worker-2"})]
    assert steps(translate("scale web to 4 and restart it")) == [
        ("service.scale", {"service": "shop_web", "replicas": 4}),
        ("service.restart", {"service": "shop_web"})]
    assert translate("restart it").asks_back


def test_a_service_named_like_a_verb_is_still_a_service(translate):
    assert translate("scale backup to 3").asks_back  # the job called backup cannot scale
    assert steps(translate("take a backup")) == [("backup.create", {})]
    assert steps(translate("show the logs of backup")) == [
        ("view.logs", {"service": "backup"})]


def test_settings_joined_by_and_stay_one_change(translate):
    assert steps(translate("set A=1 and B='two words' on web")) == [
        ("service.update_env", {"service": "shop_web", "set": {"A": "1", "B": "two words"}})]


def test_number_words_and_compounds(translate):
    assert steps(translate("scale web to twenty five")) == [
        ("service.scale", {"service": "shop_web", "replicas": 25})]
    assert steps(translate("scale web to a dozen")) == [
        ("service.scale", {"service": "shop_web", "replicas": 12})]


def test_ssh_commands_that_break_a_node_are_refused_with_the_reason(translate):
    plan = translate("run reboot on worker-1")
    assert plan.asks_back and "'reboot' can stop" in plan.clarify
    assert steps(translate("run uptime on worker-1")) == [
        ("ssh.run", {"node": "worker-1", "command": "uptime"})]


def test_a_bare_integer_after_bump_is_asked_about_not_guessed(translate):
    plan = translate("update web to 5")
    assert plan.asks_back and "replicas" in plan.clarify and "version" in plan.clarify
    assert steps(translate("update web to version 5")) == [
        ("service.update_image", {"service": "shop_web", "image": "lab/busybox:5"})]


def test_a_name_alone_shows_it(translate):
    assert steps(translate("worker-2")) == [("view.node", {"node": "worker-2"})]
    assert steps(translate("the web service")) == [("view.service", {"service": "shop_web"})]


def test_nothing_raises_on_odd_input(translate):
    for sentence in ["", "   ", "and", "then then", ",,,", "=", "scale = to", "a=b and",
                     "run on", "🙂", "x" * 5000, "scale " + "web and " * 200 + "api to 2",
                     "set =1 on web", "label worker-2 with =", "logs of", "since 10m"]:
        plan = translate(sentence)
        assert plan.asks_back or plan.steps, sentence


def test_a_verb_and_a_target_are_shared_backwards_where_one_is_missing(translate):
    assert steps(translate("check disk and memory on worker-2")) == [
        ("node.probe", {"node": "worker-2", "probe": "disk"}),
        ("node.probe", {"node": "worker-2", "probe": "memory"})]
    # a clause that stands on its own keeps its meaning
    assert steps(translate("show alerts and restart web")) == [
        ("view.alerts", {}), ("service.restart", {"service": "shop_web"})]


def test_ssh_to_a_node_and_run(translate):
    assert steps(translate("ssh to the manager and run cat /etc/os-release")) == [
        ("ssh.run", {"node": "pop-os", "command": "cat /etc/os-release"})]
    assert steps(translate("on worker-3 run docker ps")) == [
        ("ssh.run", {"node": "worker-3", "command": "docker ps"})]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("remove label db from worker-1", [("node.label_remove", {"node": "worker-1", "key": "db"})]),
    ("delete label db on worker-1", [("node.label_remove", {"node": "worker-1", "key": "db"})]),
    ("unlabel worker-1 db", [("node.label_remove", {"node": "worker-1", "key": "db"})]),
    ("how many replicas does web have", [("view.service", {"service": "shop_web"})]),
    ("show failed tasks", [("query.tasks", {"state": "failed"})]),
    ("what is wrong", [("query.services", {"state": "degraded"})]),
    ("web logs since yesterday", [("view.logs", {"service": "shop_web", "since": "1d"})]),
])
def test_questions_and_label_removals_read_as_meant(translate, sentence, expected):
    assert steps(translate(sentence)) == expected


def test_a_since_it_cannot_read_is_asked_about_not_dropped(translate):
    plan = translate("web logs since 11 years")
    assert plan.asks_back and "since when" in plan.clarify
