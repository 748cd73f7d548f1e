"""JUEL (Camunda 7) and FEEL (Camunda 8) gateway conditions as Python, or None when a plain translation fails."""
from __future__ import annotations

import pytest

from app.engine.foreign import python_condition


@pytest.mark.parametrize("text, python", [
    ('${decision == "approve"}', 'decision == "approve"'),
    ("${approved && amount > 100}", "approved and amount > 100"),
    ("${!approved || retry}", "not approved or retry"),
    ("${status != null}", "status != None"),
    ("${ok eq true}", "ok == True"),
    ('=review_level = "full"', 'review_level == "full"'),
    ("=amount >= 100 and amount != 5", "amount >= 100 and amount != 5"),
    ("${execution.getVariable('x') == 1}", None),  # Camunda's runtime object
    ("${dateTime().plusDays(3)}", "dateTime().plusDays(3)"),  # compiles: deploy refuses the unknown name
    ("=count(items) > 0", "count(items) > 0"),
    ("${a ? b : c}", None),
])
def test_conditions_translate_or_are_left_to_the_analyst(text: str, python: str | None) -> None:
    assert python_condition(text) == python
