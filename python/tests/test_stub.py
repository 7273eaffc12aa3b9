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


def signature_names(doc, name):
    """Parameter names (and '*' where keyword-only ones start) of pybind11's signature line `name(...) -> ...`."""
    first = doc.splitlines()[0]
    assert first.startswith(name + "("), first
    depth, start, parts = 0, len(name) + 1, []
    for pos in range(start, len(first)):
        c = first[pos]
        if c in "([{<":
            depth += 1
        elif c in ")]}>" and depth > 0:
            depth -= 1
        elif c == ")" or (c == "," and depth == 0):
            parts.append(first[start:pos].strip())
            start = pos + 1
            if c == ")":
                break
    return [p.split(":")[0].split("=")[0].strip() for p in parts if p]


def test_the_stub_functions_take_the_modules_parameters():
    stub = pathlib.Path(simnas.__file__).with_name("__init__.pyi")
    for node in ast.parse(stub.read_text()).body:
        if not isinstance(node, ast.FunctionDef) or node.name not in simnas.__all__:
            continue
        declared = [a.arg for a in node.args.posonlyargs + node.args.args]
        if node.args.kwonlyargs:
            declared += ["*"] + [a.arg for a in node.args.kwonlyargs]
        assert declared == signature_names(getattr(simnas, node.name).__doc__, node.name), node.name
