"""Architectures of both spaces: parse, print, compare, pickle, the numbering."""

import pickle

import pytest

import simnas

CELL = "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"
FBNET = "-".join(["k3_e1"] * 11 + ["skip"] + ["k5_e6"] * 10)


def test_a_cell_parses_prints_and_lists_its_edges():
    a = simnas.Arch.parse(CELL)
    assert str(a) == CELL
    assert a.space == "nb201"
    assert a.ops[0] == (0, 1, "nor_conv_3x3")
    assert [op for _, _, op in a.ops].count("nor_conv_1x1") == 2
    assert a.blocks is None
    assert repr(a) == f"simnas.Arch('{CELL}', space='nb201')"


def test_an_fbnet_network_parses_and_lists_its_blocks():
    a = simnas.Arch.parse(FBNET, space="fbnet")
    assert str(a) == FBNET
    assert a.space == "fbnet"
    assert len(a.blocks) == 22 and a.blocks[11] == "skip"
    assert a.ops is None


def test_equal_architectures_are_equal_hash_alike_and_pickle():
    a, b = simnas.Arch.parse(CELL), simnas.Arch.parse(CELL)
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    assert pickle.loads(pickle.dumps(a)) == a
    assert simnas.Arch.parse(FBNET, space="fbnet") != a


def test_a_malformed_string_is_a_parse_error_naming_the_place():
    with pytest.raises(simnas.ParseError, match="at character 1"):
        simnas.Arch.parse("bogus")
    with pytest.raises(simnas.ParseError):
        simnas.Arch.parse(CELL, space="imagenet")
    assert issubclass(simnas.ParseError, simnas.Error)


def test_the_numbering_goes_both_ways():
    assert simnas.num_archs() == 15625
    for index in (0, 1, 777, 15624):
        a = simnas.arch(index)
        assert simnas.index_of(a) == index
    with pytest.raises(simnas.ParseError):
        simnas.arch(15625)
