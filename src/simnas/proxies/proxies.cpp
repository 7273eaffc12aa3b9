// The torch-free side of proxies.h: SkipScore, and ProxyEvaluator handing its work to the
// torch plugin's evaluator (proxies_torch.cpp).
#include "simnas/proxies/proxies.h"

#include "simnas/core/plugin.h"
#include "simnas/spaces/nb201/nb201_space.h"

namespace simnas {

double SkipScore(const Cell& cell) {
  int count = 0;
  int skipped = 0;
  for (int e = 0; e < kNumEdges; ++e) {
    if (cell.op(e) != Op::kSkipConnect) continue;
    const EdgeEnds ends = kEdgeEnds[static_cast<std::size_t>(e)];
    ++count;
    skipped += (ends.to - 1) - ends.from;
  }
  return count == 0 ? 0.0 : static_cast<double>(skipped) / static_cast<double>(count);
}

ProxyEvaluator::ProxyEvaluator(const std::filesystem::path& cifar_sample, const ProxyOptions& options)
    : options_(options),
      backend_(SIMNAS_PLUGIN_ENTRY("torch", simnas_torch_new_proxy_evaluator)(cifar_sample, options)) {}

ProxyEvaluator::~ProxyEvaluator() = default;

ProxyValues ProxyEvaluator::Evaluate(const Cell& cell) { return backend_->Evaluate(cell); }

double ProxyEvaluator::Naswot(const Cell& cell, int init, int batch) { return backend_->Naswot(cell, init, batch); }

double ProxyEvaluator::LogSynflow(const Cell& cell, int init) { return backend_->LogSynflow(cell, init); }

ZooValues ProxyEvaluator::Zoo(const Cell& cell) { return backend_->Zoo(cell, options_.zoo_proxies); }

ZooValues ProxyEvaluator::Zoo(const Cell& cell, ZooMask proxies) { return backend_->Zoo(cell, proxies); }

ProxyValues ComputeProxies(const Arch& arch, const std::filesystem::path& cifar_sample, const ProxyOptions& options) {
  ProxyEvaluator evaluator(cifar_sample, options);
  return evaluator.Evaluate(CellOf(arch));
}

}  // namespace simnas
