"""proxy_table: the proxies of every architecture as numpy arrays, read from a proxy table."""

import csv
import math
import pathlib

import numpy as np
import pytest

import simnas


def shipped(dataset):
    return pathlib.Path(simnas.environment()["proxy_tables"]) / "nb201" / f"{dataset}.csv"


def csv_rows(path):
    """The table file read here with the csv module: (columns, {index: row})."""
    with open(path) as f:
        reader = csv.DictReader(line for line in f if not line.startswith("#"))
        rows = {int(row["index"]): row for row in reader}
        return reader.fieldnames, rows


def minmax(column):
    finite = column[np.isfinite(column)]
    lo, hi = finite.min(), finite.max()
    return np.where(np.isfinite(column), (column - lo) / (hi - lo), 0.0)


def test_the_shipped_table_is_arrays_by_index_equal_to_the_file():
    t = simnas.proxy_table("cifar100")
    n = simnas.num_archs()
    assert (t["space"], t["dataset"], t["file"]) == ("nb201", "cifar100", str(shipped("cifar100")))
    for name in ("naswot", "logsynflow", "skip", "score"):
        assert isinstance(t[name], np.ndarray) and t[name].dtype == np.float64 and t[name].shape == (n,), name
    columns, rows = csv_rows(t["file"])
    assert len(rows) == n
    assert list(t["zoo"]) == columns[4:]
    singular = next(i for i, row in rows.items() if row["naswot"] == "-inf")
    for i in (0, 42, 7777, n - 1, singular):
        for name in ("naswot", "logsynflow", "skip"):
            assert t[name][i] == float(rows[i][name]), (i, name)
        for name, column in t["zoo"].items():
            assert column.shape == (n,)
            assert column[i] == float(rows[i][name]), (i, name)
    assert t["naswot"][singular] == -math.inf


def test_the_score_is_what_a_search_ranks_by():
    t = simnas.proxy_table()  # the search's defaults: cifar100, the default recipe
    r = simnas.search(device="table:pixel3", budget_ms=20)
    assert r.score_name == t["aggregate"] and len(r.probes) >= 2
    assert [t["score"][p["index"]] for p in r.probes] == r.scores
    assert t["score"][r.index] == r.score


def test_a_named_recipe_combines_its_columns():
    t = simnas.proxy_table("cifar10", aggregate="freerea")
    assert t["aggregate"] == "freerea"
    expected = minmax(t["naswot"]) + minmax(t["logsynflow"]) + minmax(t["skip"])
    assert np.allclose(t["score"], expected, rtol=0, atol=1e-12)
    # Another recipe, another order of the same cells.
    rank = simnas.proxy_table("cifar10", aggregate="rank")["score"]
    assert rank.shape == expected.shape and not np.array_equal(np.argsort(rank), np.argsort(expected))


def test_a_partial_table_has_nan_where_it_has_no_row(tmp_path):
    lines = shipped("cifar10").read_text().splitlines(keepends=True)
    header = [line for line in lines if not line[:1].isdigit()]
    kept = [line for line in lines if line[:1].isdigit()][::500]
    sample = tmp_path / "sample.csv"
    sample.write_text("".join(header + kept))
    indices = [int(line.split(",")[0]) for line in kept]

    t = simnas.proxy_table("cifar10", path=sample, aggregate="freerea")
    full = simnas.proxy_table("cifar10", aggregate="freerea")
    assert t["file"] == str(sample)
    assert list(np.flatnonzero(~np.isnan(t["skip"]))) == sorted(indices)
    for name in ("naswot", "logsynflow", "skip"):
        assert np.array_equal(t[name][indices], full[name][indices]), name
    # The recipe normalizes over the sample's own rows; NaN where there is no row.
    expected = sum(minmax(t[name][indices]) for name in ("naswot", "logsynflow", "skip"))
    assert np.allclose(t["score"][indices], expected, rtol=0, atol=1e-12)
    assert np.isnan(np.delete(t["score"], indices)).all()


def test_bad_tables_and_recipes_are_one_line_errors(tmp_path):
    v1 = tmp_path / "v1.csv"
    v1.write_text("# simnas proxy table v1\n# dataset: cifar10\nindex,naswot,logsynflow,skip\n0,1.5,2.5,0.5\n1,2,3,1\n")
    assert simnas.proxy_table("cifar10", path=v1, aggregate="freerea")["zoo"] == {}
    with pytest.raises(simnas.DataError, match="needs proxy 'meco'"):
        simnas.proxy_table("cifar10", path=v1, aggregate="meco_only")
    with pytest.raises(simnas.DataError, match="cifar10"):
        simnas.proxy_table("cifar100", path=v1)
    with pytest.raises(simnas.ParseError):
        simnas.proxy_table("cifar10", aggregate="no_such_recipe")
    with pytest.raises(simnas.ParseError):
        simnas.proxy_table("mnist")
    with pytest.raises(simnas.Error) as missing:
        simnas.proxy_table("cifar10", path=tmp_path / "absent.csv")
    assert "absent.csv" in str(missing.value) and "\n" not in str(missing.value)
    with pytest.raises(simnas.ParseError, match="cifar100 only"):
        simnas.proxy_table("cifar10", space="fbnet")
    # FBNet's table is checked against HELP's networks, which the fixture data folder lacks.
    with pytest.raises(simnas.DataError, match="help-fbnet"):
        simnas.proxy_table(space="fbnet")


def test_computing_options_need_a_shard_and_a_shard_is_checked():
    with pytest.raises(simnas.ParseError, match="need shard"):
        simnas.proxy_table("cifar10", seed=3)
    with pytest.raises(simnas.ParseError, match="need shard"):
        simnas.proxy_table("cifar10", zoo=False)
    for bad in ("0/4", "5/4", "x"):
        with pytest.raises(simnas.ParseError):
            simnas.proxy_table("cifar10", shard=bad)
    with pytest.raises(simnas.ParseError, match="nb201 cells only"):
        simnas.proxy_table(space="fbnet", shard="1/2")
