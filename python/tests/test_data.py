"""Against the real data folder (CTest label data): proxies, FBNet, a benchmark config."""

import json

import numpy as np
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


def test_the_fbnet_proxy_table_is_what_an_fbnet_search_ranks_by():
    t = simnas.proxy_table(space="fbnet")
    assert (t["space"], t["dataset"], t["aggregate"]) == ("fbnet", "cifar100", "fbnet-freerea")
    for name in ("naswot", "logsynflow", "params", "flops", "score"):
        assert t[name].shape == (5000,), name
    assert np.all(t["params"] > 0) and np.all(t["flops"] > 0)
    r = simnas.search(device="table:pixel3", budget_ms=20, space="fbnet")
    assert r.score_name and len(r.probes) >= 2
    assert [t["score"][p["index"]] for p in r.probes] == r.scores


def test_a_computed_sample_equals_the_shipped_table_on_its_cells(tmp_path):
    out = tmp_path / "sample.csv"
    t = simnas.proxy_table("cifar10", shard="2/3125", zoo=False, aggregate="freerea", path=out, threads=1)
    cells = [i for i in range(simnas.num_archs()) if i % 3125 == 1]
    assert list(np.flatnonzero(~np.isnan(t["skip"]))) == cells
    assert out.is_file() and t["file"] == str(out) and t["zoo"] == {}
    shipped = simnas.proxy_table("cifar10", aggregate="freerea")
    for name in ("naswot", "logsynflow", "skip"):
        assert np.allclose(t[name][cells], shipped[name][cells], rtol=1e-6, atol=0), name
    assert np.isfinite(t["score"][cells]).all()
    # The same call again reads what the file holds.
    again = simnas.proxy_table("cifar10", shard="2/3125", zoo=False, aggregate="freerea", path=out, threads=1)
    assert np.array_equal(again["logsynflow"], t["logsynflow"], equal_nan=True)


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
