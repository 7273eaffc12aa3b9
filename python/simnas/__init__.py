"""simnas: hardware-aware neural architecture search on unseen devices with a few real latency probes.

The same library as the `simnas` command, in Python's terms:

    import simnas
    result = simnas.search(device="table:pixel3", budget_ms=20)
    print(result)                      # the answer, its measured latency, the probes
    result.report                      # the report as a dict (result.json: as `simnas search --json`)

    def my_device(arch):               # any callable measure(arch) -> milliseconds is a device
        return time_it_somehow(str(arch))
    simnas.search(device=my_device, budget_ms=5, probes=10)

Spaces: spaces(). Architectures: Arch.parse, Arch.choices, arch(index), index_of. Devices: device(spec), PythonDevice, registry.
Measuring: measure, measure_all, export. Data: latency_table, accuracy, table_devices,
srcc_matrix, choose_proxy_device, adaproxy. Proxies: proxies (one architecture), proxy_table
(every architecture, as numpy arrays). Search: search, strategies, bench.
Folders: configure, environment. Errors: Error and its kinds (ParseError, DataError,
DeviceError, PluginError, JobError); Ctrl-C: Interrupted, a KeyboardInterrupt.

Examples (python/examples in the sources, share/doc/simnas/examples once installed):
opencv_device.py (a device timing the exported networks with OpenCV's Python binding) and
plot_probes.py (a search's probes over the whole space, drawn with matplotlib).
"""

from ._simnas import (  # noqa: F401
    Arch,
    DataError,
    Device,
    DeviceError,
    Error,
    Interrupted,
    JobError,
    ParseError,
    PluginError,
    PythonDevice,
    SearchResult,
    __version__,
    accuracy,
    adaproxy,
    arch,
    bench,
    choose_proxy_device,
    configure,
    device,
    environment,
    export,
    index_of,
    latency_table,
    measure,
    measure_all,
    mpi_built_in,
    num_archs,
    proxies,
    proxy_table,
    registry,
    search,
    spaces,
    srcc_matrix,
    strategies,
    table_devices,
)

__all__ = [
    "Arch",
    "DataError",
    "Device",
    "DeviceError",
    "Error",
    "Interrupted",
    "JobError",
    "ParseError",
    "PluginError",
    "PythonDevice",
    "SearchResult",
    "__version__",
    "accuracy",
    "adaproxy",
    "arch",
    "bench",
    "choose_proxy_device",
    "configure",
    "device",
    "environment",
    "export",
    "index_of",
    "latency_table",
    "measure",
    "measure_all",
    "mpi_built_in",
    "num_archs",
    "proxies",
    "proxy_table",
    "registry",
    "search",
    "spaces",
    "srcc_matrix",
    "strategies",
    "table_devices",
]
