"""Plot a search's probes over the whole search space with matplotlib, into a PNG.

The device is a benchmark table (the latencies measured on a real phone, replayed), so this
runs in a second anywhere. Every NAS-Bench-201 cell is a grey point: its latency on the device
against the proxy score the search ranks by; the probes are numbered in the order the strategy
chose them, and the answer is the star.

From the build tree (after building the Python module):
    PYTHONPATH=build/python python3 python/examples/plot_probes.py --out probes.png
"""

import argparse

import matplotlib

matplotlib.use("Agg")  # draw into files; no window
import matplotlib.pyplot as plt  # noqa: E402

import simnas  # noqa: E402


def plot_search(out, device="pixel3", budget_ms=20.0, probes=10, seed=0):
    """Searches on table:<device> and draws the space, the probes and the answer into `out`."""
    result = simnas.search(device=f"table:{device}", budget_ms=budget_ms, probes=probes, seed=seed)
    latency = simnas.latency_table(device)  # every cell's latency (ms), by NATS-Bench index
    proxies = simnas.proxy_table()  # what the search ranks by, by the same index

    fig, ax = plt.subplots(figsize=(8, 5))
    ax.scatter(latency, proxies["score"], s=2, color="0.8", rasterized=True, label="every cell")
    probe_ms = [p["latency_ms"] for p in result.probes]  # measured on the device
    ax.plot(probe_ms, result.scores, "o-", color="tab:blue", markersize=5, linewidth=0.8, label="probes, in order")
    for k, (ms, score) in enumerate(zip(probe_ms, result.scores), 1):
        ax.annotate(str(k), (ms, score), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.axvline(budget_ms, color="tab:red", linestyle="--", label=f"budget {budget_ms:g} ms")
    if result.found:
        ax.scatter([result.latency_ms], [result.score], marker="*", s=250, color="gold", edgecolors="black",
                   zorder=3, label="answer")
    ax.set_xlabel(f"latency on {device} (ms)")
    ax.set_ylabel(f"proxy score ({proxies['aggregate']}, {proxies['dataset']})")
    ax.set_title(f"{result.strategy} on table:{device}: {len(result.probes)} probes")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="probes.png", help="PNG to write (default probes.png)")
    parser.add_argument("--device", default="pixel3", help="a benchmark device table (default pixel3)")
    parser.add_argument("--budget-ms", type=float, default=20.0, help="latency budget (default 20)")
    parser.add_argument("--probes", type=int, default=10, help="probes (default 10)")
    args = parser.parse_args()
    result = plot_search(args.out, args.device, args.budget_ms, args.probes)
    print(result)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
