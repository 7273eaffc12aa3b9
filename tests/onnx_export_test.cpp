// The ONNX export means what LibTorch computes: the network description of a cell, exported,
// loaded in OpenCV DNN (its own kernels) gives LibTorch's logits on real CIFAR-10 images.
#include "simnas/network/onnx_export.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <torch/torch.h>

#include "simnas/core/error.h"
#include "simnas/data/cifar.h"
#include "simnas/space/arch_export.h"
#include "simnas/network/described_network.h"
#include "simnas/spaces/nb201/tiny_network.h"
#include "test_support.h"

namespace simnas {
namespace {

Cell Uniform(Op op) {
  std::array<Op, kNumEdges> ops;
  ops.fill(op);
  return Cell(ops);
}

// 64 normalized CIFAR-10 images; 16x16 (2x2 average) for ImageNet16-120's input size.
torch::Tensor Images(int size) {
  static const ImageSet set = LoadCifarImages(testing::Data().dir().CifarSampleFile());
  const std::int64_t n = 64;
  torch::Tensor x = torch::from_blob(const_cast<std::uint8_t*>(set.pixels.data()), {n, 3, 32, 32}, torch::kUInt8)
                        .to(torch::kFloat)
                        .div(255.0);
  const torch::Tensor mean = torch::tensor({0.4914f, 0.4822f, 0.4465f}).view({1, 3, 1, 1});
  const torch::Tensor std = torch::tensor({0.2023f, 0.1994f, 0.2010f}).view({1, 3, 1, 1});
  x = (x - mean) / std;
  if (size != 32) x = torch::avg_pool2d(x, {32 / size, 32 / size});
  return x.contiguous();
}

// Batch norms with statistics and affine parameters away from their defaults, so that the
// inference form is actually exercised.
void RandomizeBatchNorms(torch::nn::Module& net, std::uint64_t seed) {
  torch::manual_seed(seed);
  for (auto& m : net.modules()) {
    if (auto* bn = m->as<torch::nn::BatchNorm2dImpl>()) {
      const auto c = bn->running_mean.size(0);
      bn->running_mean.copy_(torch::randn({c}) * 0.1);
      bn->running_var.copy_(torch::rand({c}) * 1.5 + 0.5);
      bn->weight.copy_(torch::rand({c}) + 0.5);
      bn->bias.copy_(torch::randn({c}) * 0.1);
    }
  }
}

struct Comparison {
  double max_diff = 0;
  double max_output = 0;
};

Comparison CompareWithOpenCv(const Cell& cell, int num_classes, int input_size, std::uint64_t seed,
                             const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(seed);
  TinyNetworkOptions options;
  options.num_classes = num_classes;
  TinyNetwork net(cell, options);
  RandomizeBatchNorms(*net, seed + 1);
  net->eval();
  const torch::Tensor expected = net->forward(images).contiguous();

  const std::string bytes = SerializeOnnx(DescribeNetwork(*net, input_size), static_cast<int>(images.size(0)));
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(bytes));
  EXPECT_NO_THROW(onnx::checker::check_model(model)) << cell.ToString();

  cv::dnn::Net cv_net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
  const int dims[4] = {static_cast<int>(images.size(0)), 3, input_size, input_size};
  cv::Mat blob(4, dims, CV_32F, images.data_ptr<float>());
  cv_net.setInput(blob);
  const cv::Mat out = cv_net.forward();
  EXPECT_EQ(static_cast<std::int64_t>(out.total()), expected.numel()) << cell.ToString();
  Comparison c;
  const float* got = out.ptr<float>();
  const float* want = expected.data_ptr<float>();
  for (std::int64_t i = 0; i < std::min<std::int64_t>(expected.numel(), static_cast<std::int64_t>(out.total())); ++i) {
    c.max_diff = std::max(c.max_diff, static_cast<double>(std::abs(got[i] - want[i])));
    c.max_output = std::max(c.max_output, static_cast<double>(std::abs(want[i])));
  }
  return c;
}

// The three edge cells and 50 random ones, for one classifier head.
void CheckHead(int num_classes, int input_size) {
  cv::setNumThreads(1);
  torch::set_num_threads(1);
  const torch::Tensor images = Images(input_size);
  std::vector<Cell> cells = {Uniform(Op::kNone), Uniform(Op::kSkipConnect), Uniform(Op::kConv3x3)};
  std::mt19937_64 rng(static_cast<std::uint64_t>(num_classes));
  while (cells.size() < 53) cells.push_back(RandomCell(rng));
  double worst = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Comparison c = CompareWithOpenCv(cells[i], num_classes, input_size, 1000 + i, images);
    ASSERT_GT(c.max_output, 0) << cells[i].ToString();
    EXPECT_LE(c.max_diff, 1e-4 * c.max_output) << cells[i].ToString() << " max|diff| " << c.max_diff
                                                << " max|output| " << c.max_output;
    worst = std::max(worst, c.max_diff / c.max_output);
  }
  ::testing::Test::RecordProperty("worst_relative_diff", fmt::format("{:.3g}", worst));
}

TEST(OnnxExport, OpenCvMatchesLibTorchCifar10Head) { CheckHead(10, 32); }
TEST(OnnxExport, OpenCvMatchesLibTorchCifar100Head) { CheckHead(100, 32); }
TEST(OnnxExport, OpenCvMatchesLibTorchImageNet16Head) { CheckHead(120, 16); }

TEST(OnnxExport, NodeNamesSayCellEdgeAndOp) {
  const Cell cell = Cell::Parse("|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|none~2|");
  const std::string bytes = SerializeArchOnnx(ToArch(cell), ExportOptions{});
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(bytes));
  std::set<std::string> names;
  for (const auto& n : model.graph().node()) names.insert(n.name());
  EXPECT_TRUE(names.count("cell1/edge_1_0/nor_conv_3x3/conv"));
  EXPECT_TRUE(names.count("cell1/edge_1_0/nor_conv_3x3/bn"));
  EXPECT_TRUE(names.count("cell1/edge_2_1/avg_pool_3x3/pool"));
  EXPECT_TRUE(names.count("reduction5/conv_a/conv"));
  EXPECT_TRUE(names.count("head/classifier"));
  // Node 2 reads only `none` and a pool; node 3 sums skip with nothing else: no add there.
  EXPECT_FALSE(names.count("cell1/node3/sum"));
  for (const auto& n : model.graph().node()) {
    if (n.op_type() == "Conv") {
      bool has_kernel_shape = false;
      for (const auto& a : n.attribute()) has_kernel_shape |= a.name() == "kernel_shape";
      EXPECT_TRUE(has_kernel_shape) << n.name();
    }
  }
  ASSERT_EQ(model.graph().output_size(), 1);
  EXPECT_EQ(model.graph().output(0).type().tensor_type().shape().dim(1).dim_value(), 10);
}

// FBNet's blocks (grouped 1x1 conv, channel shuffle, depthwise 3x3) described and exported
// mean what LibTorch's functional ops compute.
TEST(OnnxExport, GroupedConvChannelShuffleAndDepthwiseMatchLibTorch) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  const int c = 8, h = 10;
  const torch::Tensor w1 = torch::randn({c, c / 2, 1, 1});
  const torch::Tensor w2 = torch::randn({c, 1, 3, 3});
  const torch::Tensor x = torch::randn({2, c, h, h});
  const auto values = [](const torch::Tensor& t) {
    const torch::Tensor v = t.contiguous();
    return std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
  };
  NetworkDescription d({c, h, h});
  const int g = d.Conv("block/pw_g2", 0, c, 1, 1, 0, 2, values(w1));
  const int s = d.ChannelShuffle("block/shuffle", g, 2);
  const int dw = d.Conv("block/dw3x3", s, c, 3, 1, 1, c, values(w2));
  d.Add("block/residual", {dw, 0});
  namespace F = torch::nn::functional;
  torch::Tensor y = F::conv2d(x, w1, F::Conv2dFuncOptions().groups(2));
  y = y.view({2, 2, c / 2, h, h}).transpose(1, 2).reshape({2, c, h, h});
  y = F::conv2d(y, w2, F::Conv2dFuncOptions().padding(1).groups(c)) + x;
  const std::string bytes = SerializeOnnx(d, 2);
  cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
  const int dims[4] = {2, c, h, h};
  net.setInput(cv::Mat(4, dims, CV_32F, const_cast<float*>(x.data_ptr<float>())));
  const cv::Mat out = net.forward();
  ASSERT_EQ(static_cast<std::int64_t>(out.total()), y.numel());
  const torch::Tensor got = torch::from_blob(const_cast<float*>(out.ptr<float>()), y.sizes()).clone();
  EXPECT_LE((got - y).abs().max().item<double>(), 1e-4 * y.abs().max().item<double>());
  // ... and so does the description run in LibTorch.
  const torch::Tensor described = DescribedNetwork(d)->forward(x);
  EXPECT_LE((described - y).abs().max().item<double>(), 1e-5 * y.abs().max().item<double>());
}

// The description is complete: run layer by layer in LibTorch it gives TinyNetwork's logits.
TEST(OnnxExport, DescriptionRunInLibTorchMatchesTinyNetwork) {
  torch::NoGradGuard no_grad;
  const torch::Tensor images = Images(32).slice(0, 0, 8);
  std::vector<Cell> cells = {Uniform(Op::kNone), Uniform(Op::kSkipConnect), Uniform(Op::kConv3x3),
                             Uniform(Op::kAvgPool3x3)};
  std::mt19937_64 rng(7);
  while (cells.size() < 10) cells.push_back(RandomCell(rng));
  for (std::size_t i = 0; i < cells.size(); ++i) {
    torch::manual_seed(i);
    TinyNetworkOptions options;
    options.num_classes = 100;
    TinyNetwork net(cells[i], options);
    RandomizeBatchNorms(*net, i + 50);
    net->eval();
    const torch::Tensor expected = net->forward(images);
    DescribedNetwork described(DescribeNetwork(*net, 32));
    const torch::Tensor got = described->forward(images);
    ASSERT_EQ(got.sizes(), expected.sizes());
    EXPECT_LE((got - expected).abs().max().item<double>(), 1e-5 * expected.abs().max().item<double>())
        << cells[i].ToString();
  }
}

TEST(OnnxExport, DescriptionRefusesWrongWeightSizes) {
  NetworkDescription d({3, 8, 8});
  EXPECT_THROW(d.Conv("bad", 0, 4, 3, 1, 1, 1, std::vector<float>(10)), Error);
  EXPECT_THROW(d.Conv("bad_groups", 0, 4, 1, 1, 0, 2, std::vector<float>(6)), Error);
  EXPECT_THROW(d.Linear("not_pooled", 0, 2, std::vector<float>(6), std::vector<float>(2)), Error);
}

TEST(OnnxExport, CliWritesACheckedModelAndDescribesIt) {
  testing::TempDir dir;
  const auto path = dir / "all_conv.onnx";
  const auto r = testing::RunCli({"export", "--arch",
                                  "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
                                  "--dataset", "cifar100", "--out", path.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["parameters"].get<std::int64_t>(), 1537396);  // TinyNetwork's count, CIFAR-100 head
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json::array({1, 100}));
  EXPECT_EQ(j["inputs"][0]["shape"], nlohmann::json::array({1, 3, 32, 32}));
  EXPECT_NO_THROW(onnx::checker::check_model(path.string()));
  EXPECT_GT(j["flops"].get<double>(), 1e8);
  // Bad input: one line, non-zero exit, no file.
  const auto bad = testing::RunCli({"export", "--index", "3", "--batch", "0", "--out", (dir / "b.onnx").string()});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(testing::CountLines(bad.err), 1) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "b.onnx"));
}

}  // namespace
}  // namespace simnas
