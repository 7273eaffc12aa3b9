// The data as numpy arrays: latency tables and accuracy by index, the device split, latency
// monotonicity (SRCC between devices) and AdaProxy (monotonicity/).
#include <pybind11/numpy.h>

#include "bindings.h"
#include "simnas/core/error.h"
#include "simnas/data/dataset.h"
#include "simnas/latency_model/feature_linear.h"
#include "simnas/latency_model/linear.h"
#include "simnas/space/space.h"
#include "simnas/monotonicity/adaproxy.h"
#include "simnas/monotonicity/srcc.h"

namespace simnas::python {
namespace {

py::array_t<double> Array(const std::vector<double>& values) {
  py::array_t<double> a(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), a.mutable_data());
  return a;
}

py::array_t<double> Array(const Eigen::VectorXd& values) {
  py::array_t<double> a(static_cast<py::ssize_t>(values.size()));
  for (Eigen::Index i = 0; i < values.size(); ++i) a.mutable_data()[i] = values(i);
  return a;
}

const LatencyTable& TableOf(const std::string& device, const Space& space) {
  return Ws().DataOf(space).DeviceTable(device);
}

std::vector<std::string> TableNames(const Space& space, const std::string& split) {
  if (split != "all" && split != "train" && split != "test") {
    throw ParseError("split '" + split + "': expected all, train or test");
  }
  const SpaceData& data = Ws().DataOf(space);
  if (split == "train") return data.TrainDevices();
  if (split == "test") return data.TestDevices();
  return data.DeviceNames();
}

}  // namespace

void BindTables(py::module_& m) {
  m.def(
      "latency_table",
      [](const std::string& device, const std::string& space) {
        const Space& kind = SpaceOf(space);
        const std::vector<double> values = Released([&] { return TableOf(device, kind).values(); });
        return Array(values);
      },
      py::arg("device"), py::arg("space") = "nb201",
      "A benchmark device's latency table (ms) as a numpy array by index (NATS-Bench index; FBNet: HELP's "
      "5,000 in order); NaN where a table lacks an architecture. Raises DataError for an unknown device.");
  m.def(
      "table_devices",
      [](const std::string& space, const std::string& split) {
        const Space& kind = SpaceOf(space);
        return Released([&] { return TableNames(kind, split); });
      },
      py::arg("space") = "nb201", py::arg("split") = "all",
      "The benchmark device tables of the data folder: all, or the fixed train / test split (nothing may be "
      "fitted or tuned on the test devices).");
  m.def(
      "accuracy",
      [](const std::string& dataset) {
        const Dataset d = ParseDataset(dataset);
        const std::vector<double> values = Released([&] { return Ws().DataOf(SpaceOf("nb201")).RequireAccuracy(d); });
        return Array(values);
      },
      py::arg("dataset") = "cifar100",
      "NATS-Bench test accuracy (percent) of every cell, by NATS-Bench index, for cifar10, cifar100 or "
      "ImageNet16-120 (evaluation only: a search never reads it).");
  m.def(
      "srcc_matrix",
      [](std::optional<std::vector<std::string>> devices, const std::string& space) {
        const Space& kind = SpaceOf(space);
        const SrccMatrix matrix = Released([&] {
          const std::vector<std::string> names = devices.value_or(TableNames(kind, "all"));
          std::vector<std::vector<double>> latencies;
          for (const std::string& name : names) latencies.push_back(TableOf(name, kind).values());
          return ComputeSrccMatrix(names, latencies);
        });
        const auto n = static_cast<py::ssize_t>(matrix.devices.size());
        py::array_t<double> a({n, n});
        auto r = a.mutable_unchecked<2>();
        for (py::ssize_t i = 0; i < n; ++i) {
          for (py::ssize_t j = 0; j < n; ++j) r(i, j) = matrix.At(static_cast<std::size_t>(i), static_cast<std::size_t>(j));
        }
        return py::make_tuple(matrix.devices, a);
      },
      py::arg("devices") = py::none(), py::arg("space") = "nb201",
      "Latency monotonicity: Spearman's rank correlation between every pair of device tables (default: all) "
      "over the architectures they share. Returns (names, matrix).");
  m.def(
      "choose_proxy_device",
      [](std::vector<std::string> devices, const std::string& space) {
        const Space& kind = SpaceOf(space);
        return Released([&] {
          std::vector<const LatencyTable*> tables;
          for (const std::string& name : devices) tables.push_back(&TableOf(name, kind));
          return devices[ChooseProxyDevice(tables)];
        });
      },
      py::arg("devices"), py::arg("space") = "nb201",
      "The proxy device among these tables: the one with the best mean SRCC to the others.");
  m.def(
      "adaproxy",
      [](const std::string& proxy, const std::vector<Arch>& archs, const std::vector<double>& latency_ms,
         const std::string& encoding) {
        AdaProxyFit fit;
        std::vector<double> predicted;
        Released([&] {
          const SpaceData& data = Ws().DataOf(SpaceOf("nb201"));
          const CandidateSet& cells = data.Numbering();
          const LinearLatencyModel model = FitLinearLatencyModel(data.DeviceTable(proxy), cells, encoding);
          Eigen::MatrixXd measured(static_cast<Eigen::Index>(archs.size()), cells.space().FeatureCount(encoding));
          for (std::size_t k = 0; k < archs.size(); ++k) {
            measured.row(static_cast<Eigen::Index>(k)) = cells.space().Encode(archs[k], encoding).transpose();
          }
          fit = FitAdaProxy(model, measured, latency_ms);
          predicted = fit.adapted.PredictAll(EncodeCandidates(cells, encoding));
          return 0;
        });
        py::dict d;
        d["alpha"] = fit.alpha;
        d["b"] = Array(fit.b);
        d["lambda"] = fit.lambda;
        d["lambda_ratio"] = fit.lambda_ratio;
        d["validation_mse"] = fit.validation_mse;
        d["weights"] = Array(fit.adapted.w);
        d["predicted_ms"] = Array(predicted);
        return d;
      },
      py::arg("proxy"), py::arg("archs"), py::arg("latency_ms"), py::arg("encoding") = "op-counts",
      R"doc(AdaProxy (One Proxy Device, Eq. 3) on NAS-Bench-201: the proxy device's linear latency
model (`encoding`: op-counts or edge-onehot), fitted on its table, adapted to a target from
`archs` measured there at `latency_ms`. Returns a dict: alpha, b, lambda, lambda_ratio,
validation_mse, weights (the adapted model) and predicted_ms (every cell, by NATS-Bench index).)doc");
}

}  // namespace simnas::python
