"""The ``filter`` expressions of ``GET /v1alpha/pipelines`` (a subset of AIP-160).

Supported clauses, joined by ``AND``::

    mode=MODE_SYNC                 mode != MODE_ASYNC
    state=STATE_ACTIVE             state!=STATE_INACTIVE
    create_time>timestamp("2000-06-19T23:31:08.657Z")   (also <, <=, >=, =, != and update_time)
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, get_args

from vdp101.gateway.errors import InvalidArgument
from vdp101.gateway.schemas import Mode, State
from vdp101.gateway.store import PipelineRecord

__all__ = ["PipelinePredicate", "format_timestamp", "parse_filter", "parse_timestamp"]

PipelinePredicate = Callable[[PipelineRecord], bool]

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ENUM_VALUES = {"mode": get_args(Mode), "state": get_args(State)}

_AND = re.compile(r"\s+AND\s+")
_ENUM_CLAUSE = re.compile(r'^(?P<field>mode|state)\s*(?P<op>!=|=)\s*(?P<quote>"?)(?P<value>[A-Z_]+)(?P=quote)$')
_TIME_CLAUSE = re.compile(
    r'^(?P<field>create_time|update_time)\s*(?P<op><=|>=|!=|<|>|=)\s*timestamp\(\s*"(?P<value>[^"]*)"\s*\)$'
)
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)


def parse_filter(text: str) -> PipelinePredicate:
    """Compile a filter expression into a predicate on stored pipelines.

    Raises:
        InvalidArgument: the expression has a clause this gateway does not support,
            an unknown enum value or an invalid timestamp; the message quotes it.
    """
    text = text.strip()
    if not text:
        return lambda record: True
    predicates = [_parse_clause(clause.strip(), text) for clause in _AND.split(text)]
    return lambda record: all(predicate(record) for predicate in predicates)


def _parse_clause(clause: str, whole: str) -> PipelinePredicate:
    enum_match = _ENUM_CLAUSE.match(clause)
    if enum_match:
        field, value = enum_match["field"], enum_match["value"]
        allowed = _ENUM_VALUES[field]
        if value not in allowed:
            raise InvalidArgument(
                f"Invalid filter {whole!r}: {value!r} is not a valid {field}. Use one of {', '.join(allowed)}."
            )
        compare = _OPERATORS[enum_match["op"]]
        return lambda record: compare(getattr(record, field), value)

    time_match = _TIME_CLAUSE.match(clause)
    if time_match:
        field = time_match["field"]
        try:
            moment = parse_timestamp(time_match["value"])
        except ValueError as error:
            raise InvalidArgument(f"Invalid filter {whole!r}: {error}") from error
        compare = _OPERATORS[time_match["op"]]
        return lambda record: compare(getattr(record, field), moment)

    raise InvalidArgument(
        f"Invalid filter {whole!r}: cannot parse {clause!r}. Supported clauses are mode=MODE_..., "
        'state=STATE_... and create_time>timestamp("2023-06-19T23:31:08Z"), joined by AND.'
    )


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp with a time zone, e.g. "2000-06-19T23:31:08.657Z".

    Fractions finer than a microsecond are truncated.

    Raises:
        ValueError: ``text`` is not an RFC 3339 timestamp; the message quotes it.
    """
    match = _RFC3339.match(text)
    if not match:
        raise ValueError(f'{text!r} is not an RFC 3339 timestamp such as "2023-06-19T23:31:08.657Z".')
    year, month, day, hour, minute, second, fraction, zulu, sign, zone_hours, zone_minutes = match.groups()
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    if zulu:
        zone = timezone.utc
    else:
        if int(zone_hours) > 23 or int(zone_minutes) > 59:
            raise ValueError(f"{text!r} has the time zone offset {sign}{zone_hours}:{zone_minutes}, beyond +-23:59.")
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
        zone = timezone(-offset if sign == "-" else offset)
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond, tzinfo=zone
        )
        # Years 0001 and 9999 with an offset fall outside datetime's range in UTC.
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{text!r} is not a valid date and time: {str(error).rstrip('.')}.") from error


def format_timestamp(moment: datetime) -> str:
    """Format a UTC time as RFC 3339 with microseconds and a "Z" suffix."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
