// FBNet networks exported to ONNX mean what LibTorch computes: OpenCV DNN (its own kernels)
// gives the description's LibTorch outputs.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <torch/torch.h>

#include "simnas/network/described_network.h"
#include "simnas/spaces/fbnet/fbnet_network.h"
#include "simnas/network/onnx_export.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"

namespace simnas {
namespace {

FbnetArch WithSkipAtStrideTwo() {
  std::mt19937_64 rng(11);
  std::array<FbnetBlock, kFbnetNumLayers> blocks = RandomFbnetArch(rng).blocks();
  blocks[5] = FbnetBlock::kSkip;   // layer 6: 24 -> 32, stride 2
  blocks[17] = FbnetBlock::kSkip;  // layer 18: 112 -> 184, stride 2
  blocks[2] = FbnetBlock::kSkip;   // layer 3: identity
  blocks[3] = FbnetBlock::kK5E1G2;
  return FbnetArch(blocks);
}

TEST(FbnetOnnx, OpenCvGivesLibTorchOutputs) {
  cv::setNumThreads(1);
  torch::set_num_threads(1);
  torch::NoGradGuard no_grad;
  std::mt19937_64 rng(2);
  const std::vector<FbnetArch> archs = {WithSkipAtStrideTwo(), UniformFbnetArch(FbnetBlock::kK3E1G2),
                                        RandomFbnetArch(rng)};
  torch::manual_seed(1);
  const int batch = 4;
  const torch::Tensor x = torch::randn({batch, 3, 32, 32}).contiguous();
  for (std::size_t i = 0; i < archs.size(); ++i) {
    FbnetNetworkOptions options;
    options.seed = 100 + i;
    options.random_batch_norms = true;
    const NetworkDescription d = DescribeFbnet(archs[i], options);
    const torch::Tensor expected = DescribedNetwork(d)->forward(x).contiguous();
    ASSERT_EQ(expected.sizes(), (std::vector<std::int64_t>{batch, 100}));

    const std::string bytes = SerializeOnnx(d, batch);
    onnx::ModelProto model;
    ASSERT_TRUE(model.ParseFromString(bytes));
    EXPECT_NO_THROW(onnx::checker::check_model(model));
    cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
    const int dims[4] = {batch, 3, 32, 32};
    net.setInput(cv::Mat(4, dims, CV_32F, const_cast<float*>(x.data_ptr<float>())));
    const cv::Mat out = net.forward();
    ASSERT_EQ(static_cast<std::int64_t>(out.total()), expected.numel()) << archs[i].ToString();
    const torch::Tensor got = torch::from_blob(const_cast<float*>(out.ptr<float>()), expected.sizes()).clone();
    const double max_diff = (got - expected).abs().max().item<double>();
    const double max_out = expected.abs().max().item<double>();
    ASSERT_GT(max_out, 0.0);
    EXPECT_LE(max_diff, 1e-4 * max_out) << archs[i].ToString();
    std::printf("FBNet %s: max|diff| %.3g, max|output| %.3g, relative %.3g\n", archs[i].ToString().c_str(), max_diff,
                max_out, max_diff / max_out);
    ::testing::Test::RecordProperty(fmt::format("relative_diff_{}", i), fmt::format("{:.3g}", max_diff / max_out));
  }
}

}  // namespace
}  // namespace simnas
