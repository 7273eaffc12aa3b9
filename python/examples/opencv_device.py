"""A search whose device is a Python function: OpenCV's DNN module timing each network in this process.

simnas exports every architecture it probes as an ONNX file and hands the function its path;
the function loads it with OpenCV's Python binding (Debian: python3-opencv), runs it on one
image and returns the median latency in milliseconds. Every latency the search sees is measured
here, on this machine, by a real runtime.

From the build tree (after building the Python module):
    PYTHONPATH=build/python python3 python/examples/opencv_device.py --budget-ms 5 --probes 5
"""

import argparse
import statistics
import time

import cv2
import numpy as np

import simnas

IMAGE = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)  # CIFAR-10 input, batch 1


def opencv_latency_ms(onnx_path, runs=5):
    """Median wall time (ms) of one forward pass of the ONNX network with OpenCV on the CPU."""
    net = cv2.dnn.readNetFromONNX(onnx_path)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    net.setInput(IMAGE)
    net.forward()  # the first pass allocates; it is not timed
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        net.forward()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def search_with_opencv(budget_ms=5.0, probes=5, runs=5, seed=0):
    """Runs the search; returns its result and what the device measured, as (arch, ms) in call order."""
    measured = []

    def opencv_cpu(arch, onnx_path):  # called once per probe, with the exported network
        ms = opencv_latency_ms(onnx_path, runs)
        measured.append((str(arch), ms))
        return ms

    # onnx=True: simnas exports the network (CIFAR-10 classifier, 32x32, batch 1, weights from
    # seed 0) and calls opencv_cpu(arch, path); the name keys its measurements in the probe store.
    device = simnas.PythonDevice(opencv_cpu, name="opencv-python-cpu", onnx=True, dataset="cifar10")
    result = simnas.search(device=device, budget_ms=budget_ms, probes=probes, seed=seed)
    return result, measured


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-ms", type=float, default=5.0, help="latency budget on this CPU (default 5)")
    parser.add_argument("--probes", type=int, default=5, help="networks measured (default 5)")
    parser.add_argument("--runs", type=int, default=5, help="timed passes per network (default 5)")
    parser.add_argument("--threads", type=int, default=1, help="OpenCV threads (default 1)")
    args = parser.parse_args()
    cv2.setNumThreads(args.threads)
    result, measured = search_with_opencv(args.budget_ms, args.probes, args.runs)
    for k, (arch, ms) in enumerate(measured, 1):
        print(f"probe {k}: {ms:8.3f} ms  {arch}")
    print(result)


if __name__ == "__main__":
    main()
