"""Performance figures for a period, pure: whether each piece of work counts in a figure
and whether it met its timescale, and the figures (numerator, denominator, percentage) in
all, per team and per worker side by side, so variation shows as a spread and not only an
average.

A timed piece of work counts once it can be judged: when it was done, or when its
deadline fell on or before the period's last day. Work still inside its timescale at the
end of the period is left out rather than counted as late.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Measured:
    """One piece of work in a figure: whose it is, whether it counts, whether it met."""

    team: str
    worker: str
    counts: bool
    met: bool


def timed(team: str, worker: str, due: date, done_on: date | None, to: date) -> Measured:
    """Work with a deadline: counts when done or once the deadline is on or before ``to``;
    met when done on or before the deadline."""
    counts = done_on is not None or due <= to
    return Measured(team, worker, counts, done_on is not None and done_on <= due)


def ratio(numerator: int, denominator: int) -> dict[str, Any]:
    percent = None if denominator == 0 else round(100 * numerator / denominator, 1)
    return {"numerator": numerator, "denominator": denominator, "percent": percent}


def figure(key: str, title: str, items: Iterable[Measured], law: str = "") -> dict[str, Any]:
    """The figure in all, per team and per worker (each as numerator, denominator and
    percentage); only work that counts is in the denominators."""
    total = [0, 0]
    teams: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    workers: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m in items:
        if not m.counts:
            continue
        for bucket in (total, teams[m.team], workers[m.worker]):
            bucket[0] += 1 if m.met else 0
            bucket[1] += 1
    out: dict[str, Any] = {"key": key, "title": title, **ratio(*total)}
    if law:
        out["why"] = law
    out["per_team"] = {t: ratio(*v) for t, v in sorted(teams.items())}
    out["per_worker"] = {w: ratio(*v) for w, v in sorted(workers.items())}
    return out


def counts_by(
    key: str, title: str, items: Iterable[tuple[str, str, str]], labels: Mapping[str, str]
) -> dict[str, Any]:
    """Counts of (team, worker, category) in all, per team and per worker."""
    total: dict[str, int] = defaultdict(int)
    teams: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    workers: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for team, worker, category in items:
        name = labels.get(category, category)
        total[name] += 1
        teams[team][name] += 1
        workers[worker][name] += 1
    return {
        "key": key,
        "title": title,
        "counts": dict(sorted(total.items())),
        "per_team": {t: dict(sorted(v.items())) for t, v in sorted(teams.items())},
        "per_worker": {w: dict(sorted(v.items())) for w, v in sorted(workers.items())},
    }
