// TinyNetwork -> NetworkDescription: the one place that reads the LibTorch module's layers and
// weights for the exporter.
#include <fmt/format.h>

#include "simnas/spaces/nb201/tiny_network.h"

namespace simnas {
namespace {

std::vector<float> Values(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

int AddConv(NetworkDescription& d, const std::string& name, int from, torch::nn::Conv2dImpl& conv) {
  const auto& o = conv.options;
  const int kernel = static_cast<int>((*o.kernel_size())[0]);
  const int stride = static_cast<int>((*o.stride())[0]);
  const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
  const int pad = padding != nullptr ? static_cast<int>((**padding)[0]) : 0;
  return d.Conv(name, from, static_cast<int>(o.out_channels()), kernel, stride, pad, static_cast<int>(o.groups()),
                Values(conv.weight), conv.bias.defined() ? Values(conv.bias) : std::vector<float>{});
}

int AddBatchNorm(NetworkDescription& d, const std::string& name, int from, torch::nn::BatchNorm2dImpl& bn) {
  return d.BatchNorm(name, from, Values(bn.weight), Values(bn.bias), Values(bn.running_mean), Values(bn.running_var),
                     bn.options.eps());
}

int AddReluConvBn(NetworkDescription& d, const std::string& prefix, int from, ReluConvBnImpl& m) {
  const int relu = d.Relu(prefix + "/relu", from);
  const int conv = AddConv(d, prefix + "/conv", relu, *m.conv);
  return AddBatchNorm(d, prefix + "/bn", conv, *m.bn);
}

}  // namespace

NetworkDescription DescribeNetwork(TinyNetworkImpl& net, int input_size) {
  NetworkDescription d({3, input_size, input_size});
  int h = AddBatchNorm(d, "stem/bn", AddConv(d, "stem/conv", 0, *net.stem_conv), *net.stem_bn);
  std::size_t next_cell = 0, next_reduction = 0;
  for (std::size_t layer = 0; layer < net.is_reduction.size(); ++layer) {
    if (net.is_reduction[layer]) {
      ReductionBlockImpl& r = *net.reductions[next_reduction++];
      const std::string p = fmt::format("reduction{}", layer);
      const int main = AddReluConvBn(d, p + "/conv_b", AddReluConvBn(d, p + "/conv_a", h, *r.conv_a), *r.conv_b);
      const int pooled = d.AvgPool(p + "/shortcut/pool", h, 2, 2, 0, true);
      const int residual = AddConv(d, p + "/shortcut/conv", pooled, *r.shortcut);
      h = d.Add(p + "/sum", {residual, main});
      continue;
    }
    CellModuleImpl& cell = *net.cells[next_cell++];
    const std::string p = fmt::format("cell{}", layer);
    std::array<int, kNumNodes> nodes{};
    nodes[0] = h;
    std::size_t e = 0;
    for (int node = 1; node < kNumNodes; ++node) {
      std::vector<int> terms;
      for (int source = 0; source < node; ++source, ++e) {
        EdgeOpImpl& edge = *cell.edges[e];
        const int x = nodes[static_cast<std::size_t>(source)];
        const std::string ep = fmt::format("{}/edge_{}_{}/{}", p, node, source, OpName(edge.op()));
        switch (edge.op()) {
          case Op::kNone: break;
          case Op::kSkipConnect: terms.push_back(x); break;
          case Op::kConv1x1:
          case Op::kConv3x3: terms.push_back(AddReluConvBn(d, ep, x, *edge.conv)); break;
          case Op::kAvgPool3x3: terms.push_back(d.AvgPool(ep + "/pool", x, 3, 1, 1, false)); break;
        }
      }
      const std::string np = fmt::format("{}/node{}", p, node);
      if (terms.empty()) nodes[static_cast<std::size_t>(node)] = d.Zero(np + "/zero", nodes[0]);
      else if (terms.size() == 1) nodes[static_cast<std::size_t>(node)] = terms[0];
      else nodes[static_cast<std::size_t>(node)] = d.Add(np + "/sum", terms);
    }
    h = nodes[kNumNodes - 1];
  }
  const int features = d.Relu("head/relu", AddBatchNorm(d, "head/bn", h, *net.head_bn));
  const int pooled = d.GlobalAvgPool("head/global_pool", features);
  d.Linear("head/classifier", pooled, static_cast<int>(net.classifier->options.out_features()),
           Values(net.classifier->weight), Values(net.classifier->bias));
  return d;
}

}  // namespace simnas
