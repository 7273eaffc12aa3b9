"""Latency tables, accuracy and monotonicity as numpy arrays."""

import numpy as np

import simnas


def test_tables_and_accuracy_are_arrays_by_index():
    t = simnas.latency_table("pixel3")
    assert isinstance(t, np.ndarray) and t.shape == (15625,) and np.all(t > 0)
    for name in ("cifar10", "cifar100", "ImageNet16-120"):
        acc = simnas.accuracy(name)
        assert acc.shape == (15625,) and 0 <= acc.min() and acc.max() <= 100


def test_the_device_split_is_the_fixed_one():
    train, test = simnas.table_devices(split="train"), simnas.table_devices(split="test")
    assert set(train).isdisjoint(test)
    assert "fpga" in test and "pixel3" in train
    assert set(simnas.table_devices()) == set(train) | set(test)


def test_srcc_matrix_is_symmetric_with_a_unit_diagonal():
    names, m = simnas.srcc_matrix(["pixel3", "fpga", "gold_6240"])
    assert names == ["pixel3", "fpga", "gold_6240"] and m.shape == (3, 3)
    assert np.allclose(np.diag(m), 1) and np.allclose(m, m.T)
    assert simnas.choose_proxy_device(["pixel3", "fpga", "gold_6240"]) in names


def test_adaproxy_adapts_a_proxy_to_a_few_target_measurements():
    target = simnas.latency_table("fpga")
    indices = [3, 300, 3000, 9000, 12000, 15000, 42, 777]
    fit = simnas.adaproxy("pixel3", [simnas.arch(i) for i in indices], [float(target[i]) for i in indices])
    predicted = fit["predicted_ms"]
    assert predicted.shape == (15625,)
    # Rank agreement with the target improves over the proxy's own table (both from the library).
    def ranks(x):
        return np.argsort(np.argsort(x))
    before = np.corrcoef(ranks(simnas.latency_table("pixel3")), ranks(target))[0, 1]
    after = np.corrcoef(ranks(predicted), ranks(target))[0, 1]
    assert after > 0.5 and fit["alpha"] > 0
    assert np.isfinite(before)
