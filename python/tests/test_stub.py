"""The .pyi stub names what the module has, and every public object documents itself."""

import ast
import pathlib

import simnas


def stub_names():
    stub = pathlib.Path(simnas.__file__).with_name("__init__.pyi")
    tree = ast.parse(stub.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_the_stub_declares_exactly_the_public_names():
    assert stub_names() - {"DeviceLike", "Path"} == set(simnas.__all__)


def test_every_public_object_has_a_docstring():
    for name in simnas.__all__:
        if name == "__version__":
            continue
        doc = getattr(simnas, name).__doc__
        assert doc and len(doc.strip()) > 20, name
    assert "budget_ms" in simnas.search.__doc__ and "run_id" in simnas.search.__doc__
