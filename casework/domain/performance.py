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
from typing import Any, NamedTuple


@dataclass(frozen=True)
class Measured:
    """One piece of work in a figure: whose it is, whether it counts, whether it met;
    ``person`` the young person behind it (for the list a figure opens), ``detail`` what
    the list says about them (e.g. "Unsuitable: bed and breakfast")."""

    team: str
    worker: str
    counts: bool
    met: bool
    person: int | None = None
    detail: str = ""
    group: str = ""  # what the rest are grouped by (e.g. "Homeless"); "" for none


class Counted(NamedTuple):
    """One thing counted in a category (e.g. a closure by its reason), and whose it is."""

    team: str
    worker: str
    category: str
    person: int | None = None
    detail: str = ""


def timed(
    team: str,
    worker: str,
    due: date,
    done_on: date | None,
    to: date,
    person: int | None = None,
) -> Measured:
    """Work with a deadline: counts when done or once the deadline is on or before ``to``;
    met when done on or before the deadline."""
    counts = done_on is not None or due <= to
    met = done_on is not None and done_on <= due
    if done_on is None:
        detail = f"Not done; due {due:%d/%m/%Y}"
    else:
        detail = f"Done {done_on:%d/%m/%Y}; due {due:%d/%m/%Y}"
    return Measured(team, worker, counts, met, person, detail)


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
    key: str, title: str, items: Iterable[tuple[str, str, str] | Counted], labels: Mapping[str, str]
) -> dict[str, Any]:
    """Counts of (team, worker, category) in all, per team and per worker."""
    total: dict[str, int] = defaultdict(int)
    teams: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    workers: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in items:
        team, worker, category = item[0], item[1], item[2]
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


@dataclass(frozen=True)
class Figure:
    """One figure with everything behind it: ``measured`` for a share (numerator over
    denominator), ``counted`` for counts by category. ``lower_is_better``: the numerator
    names a failing (e.g. open high risks without a review in time)."""

    key: str
    title: str
    why: str = ""
    measured: tuple[Measured, ...] = ()
    counted: tuple[Counted, ...] = ()
    share: bool = True
    lower_is_better: bool = False

    @property
    def judged(self) -> tuple[Measured, ...]:
        """The work that counts in the figure (its denominator)."""
        return tuple(m for m in self.measured if m.counts)

    def total(self) -> tuple[int, int]:
        judged = self.judged
        return sum(1 for m in judged if m.met), len(judged)

    def percent(self) -> float | None:
        n, d = self.total()
        return None if d == 0 else round(100 * n / d, 1)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for c in self.counted:
            out[c.category] += 1
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def rest_by_group(self) -> dict[str, int]:
        """The rest of a share, grouped by what the list says about them (e.g. how many
        are unsuitable, unknown or homeless)."""
        out: dict[str, int] = defaultdict(int)
        for m in self.judged:
            if not m.met and m.group:
                out[m.group] += 1
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def spread(self, by: str) -> list[tuple[str, int, int]]:
        """Per team (``by="team"``) or per worker (``"worker"``): name, numerator,
        denominator (a count figure: the number counted, twice), highest share first."""
        buckets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        if self.share:
            for m in self.judged:
                b = buckets[m.team if by == "team" else m.worker]
                b[0] += 1 if m.met else 0
                b[1] += 1
        else:
            for c in self.counted:
                b = buckets[c.team if by == "team" else c.worker]
                b[0] += 1
                b[1] += 1
        rows = [(name, n, d) for name, (n, d) in buckets.items()]
        return sorted(rows, key=lambda r: (-(r[1] / r[2]) if r[2] else 0.0, r[0]))

    def as_dict(self, child_ids: Mapping[int, str]) -> dict[str, Any]:
        """JSON-ready, as ``report performance`` prints it: the figure in all, per team and
        per worker, and the young people behind it by child identifier."""
        if not self.share:
            out = counts_by(self.key, self.title, self.counted, {})
            if self.why:
                out["why"] = self.why
            out["people"] = {
                cat: sorted(
                    child_ids.get(c.person, "?")
                    for c in self.counted
                    if c.category == cat and c.person is not None
                )
                for cat in out["counts"]
            }
            return out
        out = figure(self.key, self.title, self.measured, self.why)
        out["lower_is_better"] = self.lower_is_better
        judged = self.judged
        out["people"] = {
            "numerator": sorted(
                child_ids.get(m.person, "?") for m in judged if m.met and m.person is not None
            ),
            "rest": sorted(
                child_ids.get(m.person, "?") for m in judged if not m.met and m.person is not None
            ),
        }
        rest = self.rest_by_group()
        if rest:
            out["rest_by_group"] = rest
        return out
