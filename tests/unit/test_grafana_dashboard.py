"""The Grafana dashboard is built on exactly the metric names the bot exports."""
import json
import re
from pathlib import Path

from prometheus_client.metrics import MetricWrapperBase

from adapters.metrics import metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "config" / "grafana" / "spacetraders-dashboard.json"


def exported_names() -> set[str]:
    names = set()
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            names.update(family.name for family in value.describe())
    return names


def test_every_dashboard_query_uses_an_exported_metric():
    exported = exported_names()
    used = set()
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel["targets"]:
            used.update(re.findall(r"spacetraders_[a-z_]+", target["expr"]))
    assert used
    unknown = {name for name in used if re.sub(r"_(total|bucket|sum|count)$", "", name) not in exported}
    assert not unknown, f"dashboard queries metrics the bot does not export: {sorted(unknown)}"


def test_every_exported_metric_is_on_the_dashboard():
    text = DASHBOARD.read_text()
    missing = {name for name in exported_names() if name not in text}
    assert not missing, f"metrics nobody can see on the dashboard: {sorted(missing)}"
