"""Dialog context: what one session remembers, and that sessions never share it."""

from __future__ import annotations

from pathlib import Path

import pytest

from resolver import Resolver, Result, ServiceCall
from resolver.context import MAX_HISTORY, ActionRecord, DialogContext, OpenQuestion
from resolver.home import EntityState
from resolver.logical_form import Action, Command, Target

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_HOME = REPO_ROOT / "demo" / "home.yaml"
DEMO_RULES = REPO_ROOT / "demo" / "rules"


def record(n: int) -> ActionRecord:
    entity = f"light.lamp_{n}"
    command = Command(Action.TURN_ON, Target(entity_ids=(entity,)))
    return ActionRecord(command, (entity,), (ServiceCall("light", "turn_on", (entity,)),),
                        {entity: EntityState("off")}, turn=n)


# -- DialogContext ----------------------------------------------------------------------------


def test_a_new_context_remembers_nothing() -> None:
    context = DialogContext()
    assert context.turn == 0 and context.texts == []
    assert context.last_action is None and context.last_command is None
    assert context.salient == () and context.question is None


def test_record_and_last_action() -> None:
    context = DialogContext()
    first, second = record(1), record(2)
    context.record(first)
    assert context.last_action is first
    context.record(second)
    assert context.last_action is second
    assert context.actions == [first, second]
    context.actions.remove(second)  # what undo does
    assert context.last_action is first


def test_remember_text_starts_a_turn() -> None:
    context = DialogContext()
    context.remember_text("turn on the kitchen light")
    context.remember_text("turn it off")
    assert context.turn == 2
    assert context.texts == ["turn on the kitchen light", "turn it off"]


def test_history_is_limited_to_the_most_recent() -> None:
    context = DialogContext()
    for n in range(MAX_HISTORY + 10):
        context.record(record(n))
        context.remember_text(f"turn {n}")
    assert len(context.actions) == MAX_HISTORY
    assert [a.turn for a in context.actions] == list(range(10, MAX_HISTORY + 10))
    assert context.last_action is not None and context.last_action.turn == MAX_HISTORY + 9
    assert len(context.texts) == MAX_HISTORY
    assert context.texts[0] == "turn 10" and context.texts[-1] == f"turn {MAX_HISTORY + 9}"
    assert context.turn == MAX_HISTORY + 10  # the turn count is not a history


def test_a_copy_is_independent() -> None:
    context = DialogContext()
    context.remember_text("turn on the lamp")
    context.record(record(1))
    context.salient = ("light.lamp_1",)
    question = OpenQuestion("which", Command(Action.LOCK), ("lock.a", "lock.b"))
    context.question = question

    copy = context.copy()
    assert (copy.turn, copy.texts, copy.actions, copy.salient, copy.question) == (
        context.turn, context.texts, context.actions, context.salient, context.question)

    copy.remember_text("undo that")
    copy.record(record(2))
    copy.actions.remove(copy.actions[0])
    copy.salient = ("light.lamp_2",)
    copy.question = None
    copy.last_command = Command(Action.TURN_OFF)

    assert context.turn == 1 and context.texts == ["turn on the lamp"]
    assert [a.turn for a in context.actions] == [1]
    assert context.salient == ("light.lamp_1",)
    assert context.question is question and context.last_command is None


# -- sessions ---------------------------------------------------------------------------------


@pytest.fixture
def resolver() -> Resolver:
    # The grammar alone reads the words (no text proposer): sessions are what is tested.
    return Resolver.from_files(DEMO_HOME, neural=False)


def calls(result: Result) -> list[tuple[str, list[str]]]:
    return [(c.name, list(c.entity_ids)) for c in result.actions]


def test_a_reference_in_one_session_does_not_resolve_to_another_sessions_entity(
        resolver: Resolver) -> None:
    resolver.resolve("turn on the kitchen light", session="a")
    other = resolver.resolve("turn it off", session="b")
    assert other.actions == []
    assert "light.kitchen_light" not in str(other.trace["matches"])
    assert "please name the device" in other.response
    # ... while in its own session "it" is the kitchen light.
    own = resolver.resolve("turn it off", session="a")
    assert calls(own) == [("light.turn_off", ["light.kitchen_light"])]


def test_each_session_has_its_own_state(resolver: Resolver) -> None:
    resolver.resolve("turn on the kitchen light", session="a")
    assert resolver.state("a")["light.kitchen_light"].state == "on"
    assert resolver.state("b")["light.kitchen_light"].state == "off"
    # So "don't turn on the kitchen light" means something else in each.
    in_b = resolver.resolve("don't turn on the kitchen light", session="b")
    assert in_b.actions == [] and "stays off" in in_b.response
    in_a = resolver.resolve("don't turn on the kitchen light", session="a")
    assert calls(in_a) == [("light.turn_off", ["light.kitchen_light"])]


def test_undo_never_undoes_another_sessions_action(resolver: Resolver) -> None:
    resolver.resolve("turn on the kitchen light", session="a")
    other = resolver.resolve("never mind", session="b")
    assert other.actions == [] and other.response == "There is nothing to undo."
    own = resolver.resolve("never mind", session="a")
    assert calls(own) == [("light.turn_off", ["light.kitchen_light"])]


def test_ellipsis_does_not_continue_another_sessions_command(resolver: Resolver) -> None:
    resolver.resolve("turn off the kitchen light", session="a")
    other = resolver.resolve("and the hallway", session="b")
    assert other.actions == []
    own = resolver.resolve("and the hallway", session="a")
    assert calls(own) == [("light.turn_off", ["light.hallway_light"])]


def test_an_open_question_belongs_to_its_session(resolver: Resolver) -> None:
    asked = resolver.resolve("lock the door", session="a")
    assert asked.clarification
    other = resolver.resolve("the front one", session="b")
    assert other.actions == [] and not other.clarification
    own = resolver.resolve("the front one", session="a")
    assert calls(own) == [("lock.lock", ["lock.front_door"])]


def test_a_confirmation_belongs_to_its_session() -> None:
    resolver = Resolver.from_files(DEMO_HOME, rules=DEMO_RULES, neural=False)
    resolver.resolve("unlock the back door", session="a")
    other = resolver.resolve("yes", session="b")
    assert other.actions == [] and other.response == "Okay."
    own = resolver.resolve("yes", session="a")
    assert calls(own) == [("lock.unlock", ["lock.back_door"])]


def test_turns_are_counted_per_session(resolver: Resolver) -> None:
    for text in ("turn on the kitchen light", "turn it off", "never mind"):
        resolver.resolve(text, session="a")
    resolver.resolve("hello", session="b")
    assert resolver.session("a").context.turn == 3
    assert resolver.session("b").context.turn == 1
    assert resolver.session("a").context.texts[-1] == "never mind"


def test_reset_forgets_context_and_state(resolver: Resolver) -> None:
    resolver.resolve("turn on the kitchen light", session="a")
    resolver.resolve("lock the door", session="a")
    resolver.resolve("turn on the kitchen light", session="b")
    resolver.reset("a")

    assert resolver.state("a")["light.kitchen_light"].state == "off"
    assert resolver.session("a").context.turn == 0
    answer = resolver.resolve("the front one", session="a")  # the question is gone
    assert answer.actions == [] and not answer.clarification
    undo = resolver.resolve("never mind", session="a")
    assert undo.actions == [] and undo.response == "There is nothing to undo."
    reference = resolver.resolve("turn it off", session="a")
    assert reference.actions == []
    # The other session is untouched.
    assert resolver.state("b")["light.kitchen_light"].state == "on"
    kept = resolver.resolve("turn it off", session="b")
    assert calls(kept) == [("light.turn_off", ["light.kitchen_light"])]


def test_them_and_both_after_one_command_on_two_entities(resolver: Resolver) -> None:
    resolver.resolve("turn off the lights in the garden", session="a")
    both = resolver.resolve("turn on both", session="a")
    garden = ["light.path_lights", "light.string_lights"]
    assert calls(both) == [("light.turn_on", garden)]
    them = resolver.resolve("turn them off", session="a")
    assert calls(them) == [("light.turn_off", garden)]


@pytest.mark.parametrize("follow_up", ["turn them off", "turn off both"])
def test_them_after_two_commands_in_one_turn(resolver: Resolver, follow_up: str) -> None:
    resolver.resolve("turn on the kitchen light and the bedroom light", session="a")
    result = resolver.resolve(follow_up, session="a")
    assert sorted(e for c in result.actions for e in c.entity_ids) == [
        "light.bedroom_light", "light.kitchen_light"]


def test_a_question_about_it_is_about_the_salient_entity(resolver: Resolver) -> None:
    resolver.resolve("lock the front door", session="a")
    result = resolver.resolve("is it locked?", session="a")
    assert result.response == "Yes, the Front Door is locked."


def test_a_question_about_that_is_about_the_salient_entity(resolver: Resolver) -> None:
    resolver.resolve("lock the front door", session="a")
    result = resolver.resolve("is that locked?", session="a")
    assert result.response == "Yes, the Front Door is locked."


@pytest.mark.parametrize("text", ["the", "in a", "it", "that"])
def test_words_that_name_nothing_do_not_repeat_the_last_command(resolver: Resolver,
                                                                 text: str) -> None:
    resolver.resolve("turn off the kitchen light")
    result = resolver.resolve(text)
    assert result.actions == [] and result.response == "Sorry, I didn't understand that."
    # ... while the same words with something named continue it
    assert calls(resolver.resolve("and the hallway")) == [
        ("light.turn_off", ["light.hallway_light"])]
