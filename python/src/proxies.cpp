// Training-free proxies of one architecture (proxies/proxies.h, proxies/fbnet_proxies.h),
// computed by the LibTorch plugin on the data folder's CIFAR-10 sample.
#include <cmath>

#include "bindings.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "simnas/core/error.h"
#include "simnas/data/dataset.h"
#include "simnas/proxies/fbnet_proxies.h"
#include "simnas/proxies/proxies.h"
#include "simnas/proxies/zoo.h"

namespace simnas::python {
namespace {

py::dict ZooDict(const ZooValues& zoo) {
  py::dict d;
  for (std::size_t i = 0; i < kZooProxyNames.size(); ++i) {
    if (std::isnan(zoo.values[i])) continue;  // not asked
    d[py::str(std::string(kZooProxyNames[i]))] = zoo.values[i];
  }
  return d;
}

}  // namespace

void BindProxies(py::module_& m) {
  m.def(
      "proxies",
      [](const Arch& arch, const std::string& dataset, std::uint64_t seed, int inits, int batches, bool zoo,
         int threads) {
        py::dict d;
        const std::filesystem::path sample = Ws().Env().data_dir / "cifar10-sample" / "cifar10_sample_640.bin";
        if (&arch.space() == &FbnetSpace()) {
          if (ParseDataset(dataset) != Dataset::kCifar100) {
            throw ParseError("proxies: FBNet networks are scored for cifar100 only (dataset='cifar100')");
          }
          FbnetProxyOptions options;
          options.seed = seed;
          options.threads = threads;
          options.zoo = zoo ? kAllZooProxies : kNoZooProxies;
          const FbnetProxyValues v = Released([&] { return FbnetProxyEvaluator(sample, options).Evaluate(FbnetOf(arch)); });
          d["naswot"] = v.naswot;
          d["logsynflow"] = v.logsynflow;
          d["params"] = v.params;
          d["flops"] = v.flops;
          if (v.zoo) d["zoo"] = ZooDict(*v.zoo);
          return d;
        }
        ProxyOptions options;
        options.dataset = ParseDataset(dataset);
        options.seed = seed;
        options.inits = inits;
        options.batches = batches;
        options.threads = threads;
        options.zoo = zoo;
        const ProxyValues v = Released([&] { return ProxyEvaluator(sample, options).Evaluate(CellOf(arch)); });
        d["naswot"] = v.naswot;
        d["logsynflow"] = v.logsynflow;
        d["skip"] = v.skip;
        if (v.zoo) d["zoo"] = ZooDict(*v.zoo);
        return d;
      },
      py::arg("arch"), py::kw_only(), py::arg("dataset") = "cifar10", py::arg("seed") = 0, py::arg("inits") = 1,
      py::arg("batches") = 1, py::arg("zoo") = false, py::arg("threads") = 0,
      R"doc(The training-free proxies of one architecture, as `simnas proxies --arch` computes them
(networks initialized from `seed`, averaged over `inits` initializations and `batches` batches of
64 images of the data folder's CIFAR-10 sample; `dataset` sets the classifier and input size;
FBNet: cifar100 only). Returns a dict: naswot, logsynflow and skip (a cell) or params and flops
(an FBNet network), and with zoo=True the zoo's proxies (meco, zico, synflow, ...).)doc");
}

}  // namespace simnas::python
