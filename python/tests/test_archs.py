"""Architectures of both spaces: parse, print, compare, pickle, the numbering."""

import pickle

import pytest

import simnas

CELL = "|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"
FBNET = "-".join(["k3_e1"] * 11 + ["skip"] + ["k5_e6"] * 10)
OFA = "r204_k7e6-k5e4_k7e6-k7e3_k5e3-k7e6_k5e3-k3e6_k5e6-k3e4-k5e3"


def test_a_cell_parses_prints_and_lists_its_edges_as_choices():
    a = simnas.Arch.parse(CELL)
    assert str(a) == CELL
    assert a.space == "nb201"
    assert a.choices[0] == ("edge 1<-0", "nor_conv_3x3")
    assert [op for _, op in a.choices].count("nor_conv_1x1") == 2
    assert repr(a) == f"simnas.Arch('{CELL}', space='nb201')"


def test_an_fbnet_network_parses_and_lists_its_blocks_as_choices():
    a = simnas.Arch.parse(FBNET, space="fbnet")
    assert str(a) == FBNET
    assert a.space == "fbnet"
    assert len(a.choices) == 22 and a.choices[11][1] == "skip"


def test_every_registered_space_is_listed_and_its_architectures_parse():
    names = [name for name, _ in simnas.spaces()]
    assert names[:3] == ["nb201", "fbnet", "ofa-mbv3"]
    a = simnas.Arch.parse(OFA, space="ofa-mbv3")
    assert str(a) == OFA and a.space == "ofa-mbv3"
    assert dict(a.choices)["resolution"] == "204"


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
