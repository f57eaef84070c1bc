"""examples/claim_history.ipynb runs, every cell, against `payer-gateway demo` and its history."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_demo_command import _free_port, _read_banner

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "claim_history.ipynb"


@pytest.mark.slow
def test_the_example_notebook_runs_against_the_demo(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("payer_gateway_client", reason="pip install -e './client[pandas,polars]'")
    if "claimHistory(" not in (NOTEBOOK.parents[1] / "schema.graphql").read_text(encoding="utf-8"):
        pytest.skip("claimHistory is not in the schema yet (the notebook reads it)")
    port = _free_port()
    command = Path(sys.executable).with_name("payer-gateway")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYER_GATEWAY_")}
    demo = subprocess.Popen(
        [str(command), "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = _read_banner(demo, time.monotonic() + 240)
        key = re.search(r"API key:\s+(\S+)", banner).group(1)  # type: ignore[union-attr]
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        plots = tmp_path / "plots"
        plots.mkdir()
        os.environ.update(
            PAYER_GATEWAY_URL=f"http://127.0.0.1:{port}",
            PAYER_GATEWAY_API_KEY=key,
            NOTEBOOK_PLOTS_DIR=str(plots),
            MPLBACKEND="Agg",
        )
        try:
            # A failing cell raises CellExecutionError naming the cell and its traceback.
            nbclient.NotebookClient(
                notebook,
                timeout=300,
                kernel_name="python3",
                resources={"metadata": {"path": str(tmp_path)}},
            ).execute()
        finally:
            for name in (
                "PAYER_GATEWAY_URL",
                "PAYER_GATEWAY_API_KEY",
                "NOTEBOOK_PLOTS_DIR",
                "MPLBACKEND",
            ):
                os.environ.pop(name, None)
        assert sorted(p.name for p in plots.iterdir()) == [
            "adjustment-reasons.png",
            "days-to-payment.png",
            "denials-by-payer.png",
            "receivables-by-age.png",
        ]
        printed = "".join(
            output.get("text", "")
            for cell in notebook.cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
        )
        assert re.search(r"\d{3} claims submitted", printed), printed
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            demo.kill()
        if demo.stdout is not None:
            demo.stdout.close()
