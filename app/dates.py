"""The days the application supports: a period, a search, an audit cut-off and a calendar entry all fall within them."""
from __future__ import annotations

from datetime import date

# Wide enough for every case, narrow enough that no date computed from them (a week back, a day on, a midnight in
# UTC) leaves the calendar.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
