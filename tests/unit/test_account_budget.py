"""The account's one budget: what each job is allotted, and what a running job still counts on."""
from __future__ import annotations

from datetime import UTC, datetime

from application.account_budget import AccountBudget, BudgetConfig, Commitment, commitment, lot_ceiling
from domain.goods import TradeSymbol
from domain.ledger import LedgerTransaction, TransactionCategory, TransactionType


def test_the_budget_keeps_the_reserve_and_what_running_jobs_may_still_spend():
    budget = AccountBudget(BudgetConfig(credit_reserve=10_000))
    running = [Commitment(allotted=50_000, spent=20_000), Commitment(allotted=30_000, spent=40_000)]
    # 100,000 credits - 10,000 reserve - 30,000 the first job may still spend (the second overspent: 0).
    assert budget.free(100_000, running) == 60_000
    assert budget.allot(100_000, running, starting=3) == 20_000


def test_five_jobs_together_never_get_more_than_the_free_credits():
    budget = AccountBudget(BudgetConfig(credit_reserve=5_000))
    credits, running = 175_000, []
    for _ in range(5):
        share = budget.allot(credits, running, starting=1)
        running.append(Commitment(allotted=share, spent=0))
    assert sum(c.allotted for c in running) <= credits - 5_000


def test_a_job_commits_what_it_was_allotted_less_what_it_spent_until_it_sells_its_good():
    at = datetime(2026, 1, 1, tzinfo=UTC)

    def row(kind, amount, good="IRON", category=TransactionCategory.TRADE_ARBITRAGE):
        return LedgerTransaction(kind, category, amount, at, "op-1", TradeSymbol.parse(good) if good else None, 10)

    iron = TradeSymbol.IRON
    # Refuels are the fuel money's, not the run's budget's (the workers count only their cargo against it).
    bought = [row(TransactionType.DEBIT, 30_000), row(TransactionType.DEBIT, 500, None, TransactionCategory.REFUEL)]
    assert commitment(50_000, [], iron).still_to_spend == 50_000
    assert commitment(50_000, bought, iron).still_to_spend == 20_000
    # A manufacturing run's delivery of an input to the factory is a sale too, but not of the good it makes.
    fed = [*bought, row(TransactionType.CREDIT, 10_000, "IRON_ORE", TransactionCategory.CARGO_TRADE)]
    assert commitment(50_000, fed, iron).still_to_spend == 30_000
    # Deliveries that earned more than they cost leave the run more to spend than its allotment, as the executor
    # counts it (its budget less what it has outstanding).
    paid = [*bought, row(TransactionType.CREDIT, 40_000, "IRON_ORE", TransactionCategory.CARGO_TRADE)]
    assert commitment(50_000, paid, iron).still_to_spend == 60_000
    # Once its good sells, neither kind buys again: what it did not spend is free (it used to come back in full
    # as the sale paid the debits off).
    sold = [*bought, row(TransactionType.CREDIT, 45_000)]
    assert commitment(50_000, sold, iron).still_to_spend == 0


def test_no_job_is_allotted_more_than_a_full_hold_at_the_dearest_price_it_deals_at():
    assert lot_ceiling(80, 1_500) == 120_000
    assert lot_ceiling(80, 1_000, 1_400, None, 700) == 112_000  # an input dearer than the good's bid, one unknown
    assert lot_ceiling(0, 1_500) == 0 and lot_ceiling(80, None) == 0


def test_nothing_is_allotted_below_the_minimum():
    budget = AccountBudget(BudgetConfig(credit_reserve=1_000, min_allotment=500))
    assert budget.allot(1_400, [], starting=1) == 0
    assert budget.allot(1_600, [], starting=1) == 600
