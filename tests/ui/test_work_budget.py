"""The window's one budget for deferred work: kinds of work in the same pass share it."""

from __future__ import annotations

from pytest import approx

from desktop_app.ui.common.work_budget import LEAST_SECONDS, WorkBudget


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_work_in_the_same_pass_shares_one_budget():
    clock = Clock()
    budget = WorkBudget(cap=0.010, refill=0.5, clock=clock)
    started = clock.now
    assert budget.deadline() - started == approx(0.010)  # a full bucket
    clock.now += 0.007  # the cards took 7 ms
    budget.spend(started)
    started = clock.now
    assert budget.deadline() - started == approx(0.003)  # a full bucket earns nothing more
    clock.now += 0.003  # the rendering took 3 ms, and earned 1.5
    budget.spend(started)
    started = clock.now
    assert budget.deadline() - started == approx(0.0015)
    clock.now += 0.004
    budget.spend(started)
    assert budget.deadline() - clock.now == approx(LEAST_SECONDS)  # spent: one small step still


def test_the_budget_refills_with_wall_time_up_to_its_cap():
    clock = Clock()
    budget = WorkBudget(cap=0.010, refill=0.5, clock=clock)
    started = clock.now
    clock.now += 0.010
    budget.spend(started)
    assert budget.deadline() - clock.now == approx(LEAST_SECONDS)
    clock.now += 0.008  # idle 8 ms: 4 ms of work earned
    assert budget.deadline() - clock.now == approx(0.004)
    clock.now += 5.0
    assert budget.deadline() - clock.now == approx(0.010)  # never more than the cap
    assert budget.deadline(most=0.002) - clock.now == approx(0.002)  # nor more than asked
