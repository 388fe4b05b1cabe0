"""The grammar of `venues`, `venue remove NAME` and the refused `venue add …`."""

from __future__ import annotations

import pytest

from engine.errors import GrammarError
from hub.commands import VenueChange, Venues, to_dict
from hub.grammar import help_text, parse
from hub.principals import Role, required_role


@pytest.mark.parametrize("text", ["venues", "/venues", "VENUES", "venue list", "venues list", "/venue@TradeBot list"])
def test_listing(text: str) -> None:
    assert parse(text) == Venues()


def test_remove_takes_one_venue_name_in_lower_case() -> None:
    command = parse("venue remove Binance-Main")

    assert command == VenueChange("remove", "binance-main")
    assert parse(command.describe()) == command
    assert parse("venues remove okx_1") == VenueChange("remove", "okx_1")


def test_add_keeps_none_of_its_arguments() -> None:
    command = parse("venue add binance --api-key AKx7QmZr9Tq2 --secret s3cr3t")

    assert command == VenueChange("add")
    assert command.describe() == "venue add"
    assert "s3cr3t" not in str(to_dict(command))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("venue remove", "`venue remove` needs one venue name"),
        ("venue remove a b", "`venue remove` needs one venue name"),
        ("venue rmove x", "unexpected `rmove`"),
        ("venues list x", "unexpected `x`"),
    ],
)
def test_mistakes_name_the_problem_and_show_the_usage(text: str, message: str) -> None:
    with pytest.raises(GrammarError, match=message) as raised:
        parse(text)
    assert "venues | venue remove NAME" in str(raised.value)


def test_a_bad_venue_name_is_named() -> None:
    with pytest.raises(GrammarError, match="venue `bad!name` is not valid; use letters, digits"):
        parse("venue remove bad!name")


def test_suggests_the_closest_action() -> None:
    with pytest.raises(GrammarError) as raised:
        parse("venue rmove x")
    assert raised.value.suggestion == "remove"


def test_help_and_roles() -> None:
    assert help_text("venue") == help_text("venues")
    assert "never in chat" in help_text("venues")
    assert required_role("venues") is Role.VIEWER and required_role("venue") is Role.TRADER
