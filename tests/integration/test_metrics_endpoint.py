"""The metrics endpoint serves what worker processes recorded (prometheus_client multiprocess mode)."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path


REPO = Path(__file__).resolve().parents[2]


def test_worker_process_metrics_reach_the_endpoint(tmp_path: Path):
    # A fresh interpreter: multiprocess mode must be chosen before prometheus_client is imported.
    script = textwrap.dedent(f"""
        import multiprocessing, sys
        from pathlib import Path
        sys.path.insert(0, {str(REPO)!r})

        def work():
            # The child inherits PROMETHEUS_MULTIPROC_DIR; it must never wipe the directory itself.
            from adapters.metrics.metrics import PrometheusMetrics
            m = PrometheusMetrics()
            m.cycle_finished("MACHINERY", "completed", revenue=5000, cost=3000)
            m.credits_moved("CARGO_TRADE", -3000)
            m.api_request("purchase", 201, 0.02)

        if __name__ == "__main__":
            from adapters.metrics.exporter import enable_multiprocess
            enable_multiprocess(Path({str(tmp_path / 'prom')!r}))
            from adapters.metrics.exporter import MetricsEndpoint
            from adapters.metrics.metrics import PrometheusMetrics
            p = multiprocessing.get_context("spawn").Process(target=work); p.start(); p.join()
            PrometheusMetrics().workers(active=1, maximum=5)
            endpoint = MetricsEndpoint("127.0.0.1", 0)
            import httpx
            print(httpx.get(endpoint.url).text)
            endpoint.stop()
    """)
    path = tmp_path / "run.py"
    path.write_text(script)
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert 'spacetraders_manufacturing_cycles_total{good="MACHINERY",outcome="completed"} 1.0' in text
    assert 'spacetraders_good_credits_total{direction="earned",good="MACHINERY"} 5000.0' in text
    assert 'spacetraders_credits_total{category="CARGO_TRADE",direction="spent"} 3000.0' in text
    assert 'spacetraders_api_requests_total{endpoint="purchase",status="201"} 1.0' in text
    assert "spacetraders_workers_max 5.0" in text
