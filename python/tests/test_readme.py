"""The README's Python example runs as written: its code block, executed against the fixture data.

The example times each network with OpenCV's Python binding (python3-opencv). Where that is not
installed, a stand-in `cv2` with the two calls the example makes (dnn.readNetFromONNX, and
setInput/forward on the network) takes its place: it checks that the device is handed the
architecture's exported ONNX file and the input the example builds, and does no work.
"""

import importlib.util
import os
import re
import sys
import types

import simnas

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")


def readme_python_blocks():
    with open(README, encoding="utf-8") as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


def stand_in_cv2(loaded):
    class Net:
        def setInput(self, x):
            assert x.shape == (1, 3, 32, 32), x.shape

        def forward(self):
            return None

    def read_net_from_onnx(path):
        assert path.endswith(".onnx") and os.path.getsize(path) > 0, path
        loaded.append(path)
        return Net()

    cv2 = types.ModuleType("cv2")
    cv2.dnn = types.SimpleNamespace(readNetFromONNX=read_net_from_onnx)
    return cv2


def test_the_readme_python_example_runs_as_written(monkeypatch):
    blocks = readme_python_blocks()
    assert len(blocks) == 1, "the README has one Python example"
    loaded = []
    has_opencv = importlib.util.find_spec("cv2") is not None
    if not has_opencv:
        monkeypatch.setitem(sys.modules, "cv2", stand_in_cv2(loaded))
    namespace = {}
    exec(compile(blocks[0], README, "exec"), namespace)
    r = namespace["r"]
    assert isinstance(r, simnas.SearchResult)
    assert r.found and r.run_id == "opencv-1" and r.device.startswith("python:")
    assert 0 < r.measured_now == len(r.probes) <= 10
    assert all(p["latency_ms"] > 0 for p in r.probes)
    if not has_opencv:
        # One exported model loaded per measured probe, each a different architecture's.
        assert len(loaded) == r.measured_now
        assert len(set(loaded)) == len(loaded)
