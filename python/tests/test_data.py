"""Against the real data folder (CTest label data): proxies, FBNet, a benchmark config."""

import json

import pytest

import simnas

pytestmark = pytest.mark.data


def test_proxies_of_one_cell_are_the_clis(cli, workspace):
    values = simnas.proxies(simnas.arch(0), dataset="cifar10")
    out = json.loads(cli("--data", workspace["data"], "--cache", workspace["cache"], "proxies", "--index", "0",
                         "--dataset", "cifar10", "--json").stdout)
    for key in ("naswot", "logsynflow", "skip"):
        assert values[key] == out[key], key


def test_an_fbnet_search_on_a_table_and_fbnet_numbering():
    r = simnas.search(device="table:pixel3", budget_ms=20, space="fbnet")
    assert r.space == "fbnet" and r.feasible and r.arch.space == "fbnet"
    assert simnas.arch(r.index, space="fbnet") == r.arch
    assert simnas.num_archs("fbnet") == 5000
    assert simnas.latency_table("pixel3", space="fbnet").shape == (5000,)


def test_a_small_benchmark_config_runs_and_reports(tmp_path):
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps({
        "name": "tiny", "strategies": ["random"], "seeds": 1,
        "groups": [{"name": "loo", "kind": "percentile", "devices": ["table:pixel3"], "percentiles": [50]}],
    }))
    done = simnas.bench(config=str(config), out=str(tmp_path / "out"))
    assert done["runs"] >= 1
    assert (tmp_path / "out" / "report.md").is_file()
    again = simnas.bench(config=str(config), out=str(tmp_path / "out"))
    assert again["runs"] == done["runs"]
