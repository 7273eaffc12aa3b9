// The Once-for-All MobileNet-V3 space: its architectures (text, dict and choice forms), its
// network (upstream's parameter and multiply-add counts; LibTorch and OpenCV DNN agree on the
// exported ONNX), the data files (HELP's 5,000 architectures and 12 tables, the accuracy
// predictor against an independent computation, the Note10 lookup table), and the pickle
// reader they need.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <torch/torch.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/network/described_network.h"
#include "simnas/network/onnx_export.h"
#include "simnas/spaces/ofa_mbv3/ofa_accuracy_predictor.h"
#include "simnas/spaces/ofa_mbv3/ofa_arch.h"
#include "simnas/spaces/ofa_mbv3/ofa_data.h"
#include "simnas/spaces/ofa_mbv3/ofa_network.h"
#include "simnas/spaces/ofa_mbv3/ofa_note10_lut.h"
#include "simnas/spaces/ofa_mbv3/ofa_pickle.h"
#include "simnas/spaces/ofa_mbv3/ofa_space.h"
#include "simnas/space/space_data.h"
#include "test_support.h"

namespace simnas {
namespace {


// HELP's architecture 0 (help-ofa/ofa_archs.pt), as the data file's dict in Python syntax.
constexpr const char* kHelpArch0Dict =
    "{'ks': [7, 5, 5, 5, 7, 7, 5, 7, 5, 7, 3, 7, 5, 3, 7, 3, 5, 3, 5, 3], "
    "'e': [6, 4, 4, 6, 6, 3, 4, 3, 3, 6, 3, 3, 3, 6, 3, 4, 6, 4, 3, 6], 'd': [2, 2, 2, 2, 3], 'r': 204}";
constexpr const char* kHelpArch0Text = "r204_k7e6-k5e4_k7e6-k7e3_k5e3-k7e6_k5e3-k3e6_k5e6-k3e4-k5e3";


bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string FromHex(const char* hex) {
  std::string out;
  for (const char* p = hex; p[0] != '\0' && p[1] != '\0'; p += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(p, 2), nullptr, 16)));
  }
  return out;
}

TEST(OfaArch, TextFormRoundTripsAndReadsTheDataFilesDict) {
  const OfaArch a = OfaArch::Parse(kHelpArch0Dict);
  EXPECT_EQ(a.ToString(), kHelpArch0Text);
  EXPECT_EQ(OfaArch::Parse(kHelpArch0Text), a);
  EXPECT_EQ(OfaArch::Parse(a.ToDictString()), a);  // JSON
  EXPECT_EQ(a.resolution(), 204);
  EXPECT_EQ(a.depths(), (std::array<int, 5>{2, 2, 2, 2, 3}));
  EXPECT_EQ(a.NumBlocks(), 11);
  EXPECT_EQ(a.kernel(17), 3);
  EXPECT_EQ(a.expansion(17), 4);
  // r as a one-element list (Once-for-All's tutorial form) and surrounding blanks.
  EXPECT_EQ(OfaArch::Parse(std::string("  ") + kHelpArch0Dict + "\n"), a);
  std::string listed = kHelpArch0Dict;
  listed.replace(listed.find("'r': 204"), 8, "'r': [204]");
  EXPECT_EQ(OfaArch::Parse(listed), a);

  std::mt19937_64 rng(7);
  std::set<std::string> texts;
  for (int i = 0; i < 500; ++i) {
    const OfaArch r = RandomOfaArch(rng);
    const std::string t = r.ToString();
    EXPECT_EQ(t.find_first_of("|,; '\"*?[]()"), std::string::npos) << t;
    EXPECT_EQ(OfaArch::Parse(t), r) << t;
    EXPECT_EQ(OfaArch::Parse(r.ToDictString()), r) << t;
    EXPECT_EQ(OfaArch::FromChoices(r.Choices()), r) << t;
    texts.insert(t);
  }
  EXPECT_GT(texts.size(), 495u);  // 500 draws from ~10^21 architectures
}

TEST(OfaArch, UnusedSlotsAreIgnoredWhenComparing) {
  // Slots 2, 3 (stage 1 at depth 2) and 19 (stage 5 at depth 3) differ: the same network.
  std::string other = kHelpArch0Dict;
  other.replace(other.find("'ks': [7, 5, 5, 5,"), 18, "'ks': [7, 5, 3, 7,");
  other.replace(other.find("3, 6], 'd'"), 4, "3, 4");
  const OfaArch a = OfaArch::Parse(kHelpArch0Dict), b = OfaArch::Parse(other);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.Choices(), b.Choices());
  EXPECT_EQ(a.kernel(2), 3);  // unused slots are kept at choice 0
  EXPECT_EQ(a.expansion(19), 3);
  // Upstream writes zeros into unused slots (spec2feats): accepted too.
  std::array<int, kOfaNumSlots> ks = a.kernels(), es = a.expansions();
  ks[3] = 0;
  es[3] = 0;
  EXPECT_EQ(OfaArch(a.depths(), ks, es, 204), a);
  // A used slot makes a difference.
  std::vector<int> c = a.Choices();
  c[5 + 16] = 2;  // kernel of stage 5 block 1: 5 -> 7
  EXPECT_NE(OfaArch::FromChoices(c), a);
  // Choices of unused slots are dropped.
  c = a.Choices();
  c[5 + 19] = 2;
  c[25 + 19] = 1;
  EXPECT_EQ(OfaArch::FromChoices(c), a);
}

TEST(OfaArch, ChoicePositionsAreDocumented) {
  EXPECT_EQ(kOfaNumPositions, 46);
  EXPECT_EQ(OfaChoiceCount(0), 3);
  EXPECT_EQ(OfaChoiceCount(45), 25);
  EXPECT_EQ(OfaPositionName(0), "depth[1]");
  EXPECT_EQ(OfaPositionName(5 + 6), "kernel[2.3]");
  EXPECT_EQ(OfaPositionName(25 + 19), "expansion[5.4]");
  EXPECT_EQ(OfaPositionName(45), "resolution");
  EXPECT_THROW(OfaChoiceCount(46), Error);
  const OfaArch smallest;
  EXPECT_EQ(smallest.Choices(), std::vector<int>(46, 0));
  EXPECT_EQ(smallest.ToString(), "r128_k3e3-k3e3_k3e3-k3e3_k3e3-k3e3_k3e3-k3e3_k3e3-k3e3");
  std::vector<int> largest(46, 2);
  largest[45] = 24;
  EXPECT_EQ(OfaArch::FromChoices(largest), UniformOfaArch(4, 7, 6, 224));
}

TEST(OfaArch, BadInputIsOneLineNamingWhatAndWhere) {
  const auto message = [](const std::string& text) {
    return MessageOf<ParseError>([&] { OfaArch::Parse(text); });
  };
  std::string m = message("r204_k7e6-k5e4_k7e6_k5e3-k7e6_k5e3-k3e6_k5e6-k3e4-k5e3");
  EXPECT_TRUE(Contains(m, "stage 2 has 1 block(s)")) << m;
  m = message("r206_k7e6-k5e4_k7e6-k7e3_k5e3-k7e6_k5e3-k3e6_k5e6-k3e4-k5e3");
  EXPECT_TRUE(Contains(m, "resolution 206")) << m;
  m = message("r204_k7e6-k5e4_k7e6-k7e3_k5e3-k9e6_k5e3-k3e6_k5e6-k3e4-k5e3");
  EXPECT_TRUE(Contains(m, "stage 3 block 2 has kernel 9")) << m;
  m = message("r204_k7e6-k5e4_k7e6-k7e3_k5e3-k7e6_k5e3-k3e6_k5e6-k3e4-k5x3");
  EXPECT_TRUE(Contains(m, "stage 5 block 3")) << m;
  m = message("r204_k7e6-k5e4_k7e6-k7e3_k5e3-k7e6_k5e3-k3e6");
  EXPECT_TRUE(Contains(m, "found 5 part(s)")) << m;
  m = message("{'ks': [7, 5], 'e': [6, 4], 'd': [2, 2, 2, 2, 3], 'r': 204}");
  EXPECT_TRUE(Contains(m, "'d'") || Contains(m, "'ks' must be a list of 20")) << m;
  m = message("{'ks': [], 'e': [], 'd': [], 'r': 204, 'w': 1.2}");
  EXPECT_TRUE(Contains(m, "unknown key 'w'")) << m;
  m = message("{'ks': [7, 5");
  EXPECT_TRUE(Contains(m, "not a dict")) << m;
  for (const std::string& text : {std::string("r204_k7e6-k5e4_k7e6-k7e3_k5e3-k7e6_k5e3-k3e6_k5e6-k3e4-k5e3-k3e3-k3e3"),
                                  std::string(""), std::string("x")}) {
    m = message(text);
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_TRUE(Contains(m, "OFA architecture")) << m;
  }
  std::vector<int> choices(46, 0);
  choices[45] = 25;
  m = MessageOf<ParseError>([&] { OfaArch::FromChoices(choices); });
  EXPECT_TRUE(Contains(m, "position 45 (resolution)")) << m;
}

TEST(OfaNetwork, ParameterAndMultiplyAddCountsMatchUpstream) {
  // Once-for-All's own figures for ofa_mbv3_d234_e346_k357_w1.2 (data README): parameters
  // include the batch norms' two affine vectors and the SE convs' biases; multiply-adds are
  // counted as upstream's flops_counter does (every conv and linear weight once per output
  // position; nothing for batch norms, activations, pooling or the SE product).
  EXPECT_EQ(DescribeOfaMbv3(UniformOfaArch(2, 3, 3, 224)).ParameterCount(), 4'602'456);
  EXPECT_EQ(DescribeOfaMbv3(UniformOfaArch(4, 7, 6, 224)).ParameterCount(), 10'701'632);
  const NetworkDescription d = DescribeOfaMbv3(OfaArch::Parse(kHelpArch0Dict));
  EXPECT_EQ(d.ParameterCount(), 6'132'040);
  EXPECT_EQ(d.MultiplyAdds(), 305'047'776);  // 305.05 M at r = 204
  EXPECT_EQ(d.input_shape(), (LayerShape{3, 204, 204}));
  // Parameters do not depend on the resolution; multiply-adds do.
  OfaNetworkOptions small;
  small.input_size = 128;
  const NetworkDescription d128 = DescribeOfaMbv3(OfaArch::Parse(kHelpArch0Dict), small);
  EXPECT_EQ(d128.ParameterCount(), 6'132'040);
  EXPECT_LT(d128.MultiplyAdds(), d.MultiplyAdds());
}

TEST(OfaNetwork, LayersFollowTheUpstreamDefinition) {
  EXPECT_EQ(OfaMakeDivisible(19.2), 24);  // 16 * 1.2: 16 would be below 90 %
  EXPECT_EQ(OfaMakeDivisible(72), 72);
  EXPECT_EQ(OfaMakeDivisible(144.0 / 4), 40);  // SE of a 144-wide block (36 -> 40)
  EXPECT_EQ(OfaMakeDivisible(3), 8);
  const OfaArch a = OfaArch::Parse(kHelpArch0Text);
  const NetworkDescription d = DescribeOfaMbv3(a);
  std::map<std::string, const Layer*> by_name;
  int se = 0, residuals = 0, hswish = 0;
  for (const Layer& l : d.layers()) {
    by_name[l.name] = &l;
    se += l.kind == LayerKind::kChannelMul;
    residuals += l.kind == LayerKind::kAdd;
    hswish += l.kind == LayerKind::kHardSwish;
  }
  EXPECT_EQ(se, 2 + 2 + 3);             // stages 2, 4, 5
  EXPECT_EQ(residuals, 1 + 1 * 4 + 2);  // the first block, then all but each stage's first
  EXPECT_EQ(hswish, 1 + 2 * (2 + 2 + 3) + 2);
  ASSERT_TRUE(by_name.count("stem/conv"));
  EXPECT_EQ(by_name["stem/conv"]->shape, (LayerShape{24, 102, 102}));
  // Stage 2 block 1: 32 -> 32 * 6 = 192 wide, kernel 7, stride 2, SE 192 -> 48 -> 192.
  EXPECT_EQ(by_name["stage2/block1/expand/conv"]->shape, (LayerShape{192, 51, 51}));
  EXPECT_EQ(by_name["stage2/block1/depthwise/conv"]->kernel, 7);
  EXPECT_EQ(by_name["stage2/block1/depthwise/conv"]->groups, 192);
  EXPECT_EQ(by_name["stage2/block1/depthwise/conv"]->shape, (LayerShape{192, 26, 26}));
  EXPECT_EQ(by_name["stage2/block1/se/reduce/conv"]->shape, (LayerShape{48, 1, 1}));
  EXPECT_EQ(by_name["stage2/block1/se/reduce/conv"]->bias.size(), 48u);
  EXPECT_EQ(by_name["stage2/block1/depthwise/relu"]->kind, LayerKind::kRelu);
  EXPECT_EQ(by_name["stage3/block1/depthwise/hswish"]->kind, LayerKind::kHardSwish);
  EXPECT_FALSE(by_name.count("stage3/block1/se/scale"));
  EXPECT_EQ(by_name["stage4/block2/project/bn"]->shape, (LayerShape{136, 13, 13}));  // stride 1 stage
  EXPECT_EQ(by_name["head/final_expand/conv"]->shape, (LayerShape{1152, 7, 7}));
  EXPECT_TRUE(by_name["head/feature_mix/conv"]->bias.empty());
  EXPECT_EQ(d.layer(d.output()).kind, LayerKind::kLinear);
  EXPECT_EQ(d.layer(d.output()).shape, (LayerShape{1000, 1, 1}));
}

TEST(OfaNetwork, NewLayerKindsComputeTheirFormulas) {
  torch::NoGradGuard no_grad;
  NetworkDescription d({2, 3, 3});
  const int hs = d.HardSwish("hswish", 0);
  const int gap = d.GlobalAvgPool("gap", hs);
  const int gate = d.HardSigmoid("hsigmoid", gap);
  d.ChannelMul("scale", hs, gate);
  EXPECT_THROW(d.ChannelMul("bad", gate, hs), Error);  // the gate must be C x 1 x 1
  EXPECT_EQ(LayerKindName(LayerKind::kChannelMul), "channel_mul");
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({2, 2, 3, 3}) * 4;
  const torch::Tensor h = x * torch::clamp(x + 3, 0, 6) / 6;
  const torch::Tensor g = torch::clamp(h.mean({2, 3}, true) + 3, 0, 6) / 6;
  const torch::Tensor got = DescribedNetwork(d)->forward(x);
  EXPECT_TRUE(torch::allclose(got, h * g, 1e-6, 1e-6));
}

// max |OpenCV DNN's output - LibTorch's output| / max |LibTorch's output| of the description
// (exported to ONNX for OpenCV) on one random input.
double OpenCvVsLibTorch(const NetworkDescription& d, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  const LayerShape in = d.input_shape();
  torch::manual_seed(seed);
  const torch::Tensor x = torch::randn({1, in.channels, in.height, in.width}).contiguous();
  const torch::Tensor expected = DescribedNetwork(d)->forward(x).contiguous();
  const std::string bytes = SerializeOnnx(d, 1, nullptr, "simnas_ofa_mbv3");
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(bytes));
  cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  const int dims[4] = {1, in.channels, in.height, in.width};
  net.setInput(cv::Mat(4, dims, CV_32F, const_cast<float*>(x.data_ptr<float>())));
  const cv::Mat out = net.forward();
  EXPECT_EQ(static_cast<std::int64_t>(out.total()), expected.numel());
  if (static_cast<std::int64_t>(out.total()) != expected.numel()) return 1.0;
  const torch::Tensor got = torch::from_blob(const_cast<float*>(out.ptr<float>()), expected.sizes()).clone();
  const double max_out = expected.abs().max().item<double>();
  EXPECT_GT(max_out, 0.0);
  return (got - expected).abs().max().item<double>() / max_out;
}

double OpenCvVsLibTorch(const OfaArch& arch, std::uint64_t seed) {
  OfaNetworkOptions options;
  options.seed = seed;
  options.random_batch_norms = true;
  return OpenCvVsLibTorch(DescribeOfaMbv3(arch, options), seed);
}

TEST(OfaNetworkRuntimes, SqueezeExciteGateRunsInOpenCv) {
  // conv -> relu = x; global pool -> conv (bias) -> relu -> conv (bias) -> h-sigmoid = gate;
  // x * gate -> conv. (OpenCV DNN 4.6 once broadcast x onto the gate's shape here.)
  NetworkDescription d({4, 8, 8});
  std::vector<float> w1(16 * 4), w2(8 * 16), w3(16 * 8), w4(4 * 16);
  for (std::size_t k = 0; k < w1.size(); ++k) w1[k] = 0.01f * static_cast<float>(k % 7) - 0.02f;
  for (std::size_t k = 0; k < w2.size(); ++k) w2[k] = 0.03f * static_cast<float>(k % 5) - 0.05f;
  for (std::size_t k = 0; k < w3.size(); ++k) w3[k] = 0.2f * static_cast<float>(k % 9) - 0.7f;
  for (std::size_t k = 0; k < w4.size(); ++k) w4[k] = 0.05f * static_cast<float>(k % 3) - 0.04f;
  const int x = d.Relu("relu", d.Conv("conv", 0, 16, 1, 1, 0, 1, w1));
  int g = d.GlobalAvgPool("se/pool", x);
  g = d.Relu("se/relu", d.Conv("se/reduce", g, 8, 1, 1, 0, 1, w2, std::vector<float>(8, 0.1f)));
  g = d.HardSigmoid("se/hsigmoid", d.Conv("se/expand", g, 16, 1, 1, 0, 1, w3, std::vector<float>(16, 0.2f)));
  d.Conv("project", d.ChannelMul("se/scale", x, g), 4, 1, 1, 0, 1, w4);
  EXPECT_LE(OpenCvVsLibTorch(d, 5), 1e-5);
}

void CheckRuntimesAgree(int count) {
  cv::setNumThreads(1);
  torch::set_num_threads(1);
  std::mt19937_64 rng(27);
  double worst = 0.0;
  for (int i = 0; i < count; ++i) {
    // The first two are the extremes of the space; the rest are random.
    const OfaArch arch = i == 0   ? UniformOfaArch(2, 3, 3, 128)
                         : i == 1 ? UniformOfaArch(4, 7, 6, 224)
                                  : RandomOfaArch(rng);
    const double rel = OpenCvVsLibTorch(arch, 100 + static_cast<std::uint64_t>(i));
    EXPECT_LE(rel, 1e-4) << arch.ToString();
    worst = std::max(worst, rel);
    std::printf("OFA %s: relative difference %.3g\n", arch.ToString().c_str(), rel);
  }
  std::printf("OFA: %d architectures, max relative difference OpenCV vs LibTorch %.3g\n", count, worst);
  ::testing::Test::RecordProperty("max_relative_diff", fmt::format("{:.3g}", worst));
}

// Twenty architectures (the smallest, the largest, 18 random), each at its own resolution
// (about 12 s on a loaded machine).
TEST(OfaNetworkRuntimes, OpenCvGivesLibTorchOutputs) { CheckRuntimesAgree(20); }

TEST(OfaPredictorEncoding, HandMadeExamples) {
  // The smallest network at r = 224: kernel 3 and expansion 3 in the two used slots of each
  // stage (slots 0, 1, 4, 5, ..., 17), resolution bin (224 - 112) / 16 = 7.
  OfaPredictorEncoding x = EncodeForOfaPredictor(UniformOfaArch(2, 3, 3, 224));
  std::vector<int> ones;
  for (int i = 0; i < kOfaPredictorInputs; ++i) {
    if (x[static_cast<std::size_t>(i)] != 0.0f) ones.push_back(i);
  }
  EXPECT_EQ(ones, (std::vector<int>{0, 3, 12, 15, 24, 27, 36, 39, 48, 51,  // kernels: 3 * slot
                                    60, 63, 72, 75, 84, 87, 96, 99, 108, 111, 127}));
  // HELP's architecture 0 (slots 0 1 | 4 5 | 8 9 | 12 13 | 16 17 18):
  //   kernels    7 5 | 7 7 | 5 7 | 5 3 | 5 3 5  -> 3 slot + {0, 1, 2}
  //   expansions 6 4 | 6 3 | 3 6 | 3 6 | 6 4 3  -> 60 + 3 slot + {0, 1, 2}
  //   r = 204    -> bin (204 - 112) / 16 = 5    -> 125
  x = EncodeForOfaPredictor(OfaArch::Parse(kHelpArch0Text));
  ones.clear();
  for (int i = 0; i < kOfaPredictorInputs; ++i) {
    if (x[static_cast<std::size_t>(i)] != 0.0f) ones.push_back(i);
  }
  EXPECT_EQ(ones, (std::vector<int>{2, 4, 14, 17, 25, 29, 37, 39, 49, 51, 55, 62, 64, 74, 75, 84, 89, 96, 101, 110,
                                    112, 114, 125}));
  EXPECT_EQ(EncodeForOfaPredictor(UniformOfaArch(4, 5, 4, 128))[121], 1.0f);  // bin 1
  EXPECT_EQ(EncodeForOfaPredictor(UniformOfaArch(4, 5, 4, 160))[123], 1.0f);  // bin 3
  EXPECT_EQ(EncodeForOfaPredictor(UniformOfaArch(4, 5, 4, 156))[122], 1.0f);  // bin 2
}

TEST(OfaAccuracyPredictor, MlpMathOnHandMadeWeights) {
  // 128 -> 2 -> 1: h = relu(W1 x + b1), y = w2 . h + b2.
  OfaDenseLayer first{2, kOfaPredictorInputs, std::vector<float>(2 * kOfaPredictorInputs, 0.0f), {0.5f, -4.0f}};
  first.weight[0] = 1.0f;                         // unit 0 reads input 0 (kernel 3 in slot 0)
  first.weight[kOfaPredictorInputs + 127] = 2.0f;  // unit 1 reads input 127 (r bin 7)
  const OfaAccuracyPredictor p({first, OfaDenseLayer{1, 2, {0.25f, -1.0f}, {0.125f}}});
  // Smallest at 224: inputs 0 and 127 are 1 -> h = (1.5, relu(-2) = 0) -> 0.375 + 0.125.
  EXPECT_DOUBLE_EQ(p.PredictedAccuracy(UniformOfaArch(2, 3, 3, 224)), 0.5);
  // Kernel 5 in slot 0, r = 128: both inputs 0 -> h = (0.5, 0) -> 0.125 + 0.125.
  EXPECT_DOUBLE_EQ(p.PredictedAccuracy(UniformOfaArch(2, 5, 3, 128)), 0.25);
  EXPECT_THROW(OfaAccuracyPredictor({first}), Error);  // ends with two outputs
  EXPECT_THROW(OfaAccuracyPredictor({OfaDenseLayer{1, 3, {1, 2, 3}, {0}}}), Error);  // reads 3 inputs
}

TEST(OfaNote10Lut, OperatorKeysFollowUpstreamAndTheSumIsOverThem) {
  const OfaArch a = UniformOfaArch(2, 5, 4, 160);
  const std::vector<std::string> keys = OfaNote10OperatorKeys(a);
  ASSERT_EQ(keys.size(), 1u + 1 + 10 + 4);
  EXPECT_EQ(keys[0], "Conv-input:160x160x3-output:80x80x24");
  EXPECT_EQ(keys[1], "expanded_conv-input:80x80x24-output:80x80x24-expand:24-kernel:3-stride:1-idskip:1-se:0-hs:0");
  EXPECT_EQ(keys[2], "expanded_conv-input:80x80x24-output:40x40x32-expand:96-kernel:5-stride:2-idskip:0-se:0-hs:0");
  EXPECT_EQ(keys[3], "expanded_conv-input:40x40x32-output:40x40x32-expand:128-kernel:5-stride:1-idskip:1-se:0-hs:0");
  EXPECT_EQ(keys[4], "expanded_conv-input:40x40x32-output:20x20x48-expand:128-kernel:5-stride:2-idskip:0-se:1-hs:0");
  EXPECT_EQ(keys[8], "expanded_conv-input:10x10x96-output:10x10x136-expand:384-kernel:5-stride:1-idskip:0-se:1-hs:1");
  EXPECT_EQ(keys[11], "expanded_conv-input:5x5x192-output:5x5x192-expand:768-kernel:5-stride:1-idskip:1-se:1-hs:1");
  EXPECT_EQ(keys[12], "Conv_1-input:5x5x192-output:5x5x1152");
  EXPECT_EQ(keys[13], "AvgPool2D-input:5x5x1152-output:1x1x1152");
  EXPECT_EQ(keys[14], "Conv_2-input:1x1x1152-output:1x1x1536");
  EXPECT_EQ(keys[15], "Logits-input:1x1x1536-output:1000");

  // A made-up table holding exactly these operators: operator i takes 2^i microseconds... and
  // each key appears once, so the sum is known exactly.
  std::string yaml;
  double expected = 0.0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const double ms = 0.001 * static_cast<double>(1 << i);
    yaml += fmt::format("{}:\n  count: 10\n  mean: {}\n  std: 0.5\n", keys[i], ms);
    expected += ms;
  }
  OfaNote10LookupTable lut;
  lut.AddResolution(160, yaml, "made-up table");
  EXPECT_EQ(lut.Resolutions(), std::vector<int>{160});
  EXPECT_DOUBLE_EQ(lut.LatencyMs(a), expected);
  // The same architecture at a resolution the table lacks: one clear line.
  std::string m = MessageOf<DataError>([&] { lut.LatencyMs(UniformOfaArch(2, 5, 4, 164)); });
  EXPECT_TRUE(Contains(m, "no resolution 164 (it has 160)")) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
  // An operator the table lacks is named.
  m = MessageOf<DataError>([&] { lut.LatencyMs(UniformOfaArch(2, 7, 4, 160)); });
  EXPECT_TRUE(Contains(m, "no operator expanded_conv-input:80x80x24-output:40x40x32-expand:96-kernel:7")) << m;
  // A malformed entry is refused naming the operator.
  m = MessageOf<DataError>([&] { lut.AddResolution(164, "Conv-input:1x1x3-output:1x1x24:\n  count: 3\n", "t.yaml"); });
  EXPECT_TRUE(Contains(m, "t.yaml: operator 'Conv-input:1x1x3-output:1x1x24'")) << m;
  m = MessageOf<DataError>([&] { lut.AddResolution(164, "a: [1, 2\n", "u.yaml"); });
  EXPECT_TRUE(Contains(m, "u.yaml: not readable YAML")) << m;
}

// PICKLE, 464 bytes
constexpr const char* kPickleHex =
    "80027d71002858070000006461746173657471015808000000696d6167656e6574710258040000006172636871035d710428"
    "7d71052858020000006b7371065d7107284b074b056558010000006471085d71094b0261580100000072710a636e756d7079"
    "2e636f72652e6d756c746961727261790a7363616c61720a710b636e756d70790a64747970650a710c58020000006938710d"
    "898887710e52710f284b0358010000003c71104e4e4e4affffffff4affffffff4b0074711162635f636f646563730a656e63"
    "6f64650a71125809000000c38c00000000000000711358060000006c6174696e317114867115527116867117527118757d71"
    "192868065d711a4b036168085d711b4b0461680a680b680c58020000006934711c898887711d52711e284b0368104e4e4e4a"
    "ffffffff4affffffff4b0074711f6268125808000000c3b9c3bfc3bfc3bf7120681486712152712286712352712475655801"
    "000000787125473ff800000000000058030000006e656771264afdffffff580300000062696771278a090000000000000000"
    "4058010000006271286812580500000000c3bfc2807129681486712a52712b580100000073712c580300000068c3a9712d58"
    "0100000074712e884e86712f752e";
// LEGACY, 458 bytes
constexpr const char* kLegacyHex =
    "80028a0a6cfc9c46f9206aa850192e80024de9032e80027d710028581000000070726f746f636f6c5f76657273696f6e7101"
    "4de903580d0000006c6974746c655f656e6469616e710288580a000000747970655f73697a657371037d7104285805000000"
    "73686f727471054b025803000000696e7471064b0458040000006c6f6e6771074b0475752e800263636f6c6c656374696f6e"
    "730a4f726465726564446963740a710029527101285808000000302e776569676874710263746f7263682e5f7574696c730a"
    "5f72656275696c645f74656e736f725f76320a71032828580700000073746f72616765710463746f7263680a466c6f617453"
    "746f726167650a710558030000003130307106580300000063707571074b064e747108514b004b024b038671094b034b0186"
    "710a8968002952710b74710c52710d5806000000302e62696173710e6803282868046805580100000037710f68074b034e74"
    "7110514b014b028571114b0185711289680029527113747114527115752e80025d7100285803000000313030710158010000"
    "00377102652e06000000000000000000803f0000004000004040000080400000a0400000c04003000000000000000000003f"
    "000080be00001041";

TEST(OfaPickle, ReadsNumpyScalarsBytesAndBigIntegers) {
  // pickle.dumps({...}, protocol=2) of a dict like HELP's ofa_archs.pt (python3 + numpy;
  // tests/fixtures/ofa_pickle_fixtures.py prints this and the next fixture):
  // {'dataset': 'imagenet', 'arch': [{'ks': [7, 5], 'd': [2], 'r': np.int64(204)},
  //  {'ks': [3], 'd': [4], 'r': np.int32(-7)}], 'x': 1.5, 'neg': -3, 'big': 2**70,
  //  'b': b'\x00\xff\x80', 's': 'h\u00e9', 't': (True, None)}
  const std::string bytes = FromHex(kPickleHex);
  std::size_t pos = 0;
  const PickleRef root = ReadPickle(bytes, &pos, "fixture");
  EXPECT_EQ(pos, bytes.size());
  ASSERT_EQ(root->kind, PickleObject::Kind::kDict);
  EXPECT_EQ(root->Find("dataset")->text, "imagenet");
  const PickleObject* arch = root->Find("arch");
  ASSERT_TRUE(arch != nullptr);
  ASSERT_EQ(arch->items.size(), 2u);
  EXPECT_EQ(PickledInteger(*arch->items[0]->Find("r")), 204);
  EXPECT_EQ(PickledInteger(*arch->items[1]->Find("r")), -7);
  EXPECT_EQ(PickledInteger(*arch->items[0]->Find("ks")->items[1]), 5);
  EXPECT_EQ(root->Find("x")->real, 1.5);
  EXPECT_EQ(PickledInteger(*root->Find("neg")), -3);
  EXPECT_EQ(root->Find("big")->kind, PickleObject::Kind::kBigInt);
  EXPECT_FALSE(PickledInteger(*root->Find("big")));
  EXPECT_EQ(root->Find("b")->kind, PickleObject::Kind::kBytes);
  EXPECT_EQ(root->Find("b")->text, std::string("\x00\xff\x80", 3));
  EXPECT_EQ(root->Find("s")->text, "h\xc3\xa9");
  EXPECT_EQ(root->Find("t")->items.size(), 2u);
  EXPECT_TRUE(root->Find("t")->items[0]->boolean);
  EXPECT_EQ(root->Find("missing"), nullptr);
  // Cut short or damaged: one line naming the byte.
  std::size_t start = 0;
  std::string m = MessageOf<DataError>([&] { ReadPickle(bytes.substr(0, 100), &start, "cut.pkl"); });
  EXPECT_TRUE(Contains(m, "cut.pkl: pickle opcode at byte")) << m;
  std::string damaged = bytes;
  damaged[2] = '\x07';
  start = 0;
  m = MessageOf<DataError>([&] { ReadPickle(damaged, &start, "bad.pkl"); });
  EXPECT_TRUE(Contains(m, "bad.pkl: pickle opcode at byte 2: opcode 0x07 is not supported")) << m;
}

TEST(OfaPickle, ReadsALegacyTorchSaveStateDict) {
  // A torch.save file in the layout before PyTorch 1.6 (magic, protocol 1001, system info, the
  // state dict with persistent storage ids, the sorted storage keys, the storages), written by
  // python3 without torch: {'0.weight': 2x3 of storage '100' = [1..6], '0.bias': storage '7'
  // = [0.5, -0.25, 9] from offset 1}.
  testing::TempDir dir;
  const std::string bytes = FromHex(kLegacyHex);
  WriteFileAtomically(dir / "tiny.pth", bytes);
  const auto tensors = LoadLegacyTorchStateDict(dir / "tiny.pth");
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(tensors[0].first, "0.weight");
  EXPECT_EQ(tensors[0].second.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(tensors[0].second.values, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(tensors[1].first, "0.bias");
  EXPECT_EQ(tensors[1].second.shape, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(tensors[1].second.values, (std::vector<float>{-0.25f, 9.0f}));
  // A storage cut short, trailing bytes, and a zip archive are refused with the file named.
  WriteFileAtomically(dir / "cut.pth", bytes.substr(0, bytes.size() - 4));
  std::string m = MessageOf<DataError>([&] { LoadLegacyTorchStateDict(dir / "cut.pth"); });
  EXPECT_TRUE(Contains(m, "cut.pth: storage 7 is cut short")) << m;
  WriteFileAtomically(dir / "long.pth", bytes + "xy");
  m = MessageOf<DataError>([&] { LoadLegacyTorchStateDict(dir / "long.pth"); });
  EXPECT_TRUE(Contains(m, "long.pth: 2 bytes after the last storage")) << m;
  WriteFileAtomically(dir / "zip.pth", "PK\x03\x04 not this layout");
  m = MessageOf<DataError>([&] { LoadLegacyTorchStateDict(dir / "zip.pth"); });
  EXPECT_TRUE(Contains(m, "zip.pth: not a torch.save file of the layout before PyTorch 1.6")) << m;
}

// ---- The data files (tests/needs_data.txt: OfaData.*) ----

DataDir OfaDataDir() { return testing::Data().dir(); }

TEST(OfaData, FilesMatchTheirPublishedHashes) {
  const std::vector<DataFileSpec> files = OfaDataFiles();
  EXPECT_EQ(files.size(), 12u + 1 + 1 + 17);
  std::set<std::string> paths;
  for (const DataFileSpec& f : files) {
    paths.insert(f.path);
    EXPECT_EQ(Sha256OfFile(OfaDataDir().root() / f.path), f.sha256) << f.path;
    EXPECT_EQ(f.url.rfind("https://raw.githubusercontent.com/", 0), 0u) << f.url;
  }
  EXPECT_EQ(paths.size(), files.size());
}

TEST(OfaData, HelpsArchitecturesAndTablesLoad) {
  const std::vector<OfaArch> archs = LoadOfaArchs(OfaArchFile(OfaDataDir()));
  ASSERT_EQ(archs.size(), 5000u);
  EXPECT_EQ(archs[0].ToString(), kHelpArch0Text);
  EXPECT_EQ(archs[0], OfaArch::Parse(kHelpArch0Dict));
  EXPECT_EQ(archs[1].ToString(), "r136_k7e4-k3e6_k3e4-k7e4-k3e4_k3e3-k7e6-k3e6-k7e4_k3e4-k7e6-k7e6_k5e3-k5e6-k7e6-k3e4");
  const SpaceData data(OfaMbv3Space(), OfaDataDir());
  EXPECT_EQ(data.Numbering().IndexOf(ToArch(archs[4321])), 4321);
  EXPECT_EQ(data.Numbering().IndexOf(ToArch(UniformOfaArch(4, 7, 6, 224))), -1);
  int below_160 = 0;
  for (const OfaArch& a : archs) below_160 += a.resolution() < 160;
  EXPECT_EQ(below_160, 1554);  // data README: the predictor extrapolates there
  // HELP's arch 0: the data README's figures.
  const NetworkDescription d = DescribeOfaMbv3(archs[0]);
  EXPECT_EQ(d.ParameterCount(), 6'132'040);
  EXPECT_EQ(d.MultiplyAdds(), 305'047'776);

  EXPECT_EQ(data.TrainDevices(),
            (std::vector<std::string>{"2080ti_1", "2080ti_32", "2080ti_64", "titan_xp_1", "titan_xp_32",
                                      "titan_xp_64", "v100_1", "v100_32", "v100_64"}));
  EXPECT_EQ(data.TestDevices(), (std::vector<std::string>{"titan_rtx_1", "titan_rtx_32", "titan_rtx_64"}));
  for (const std::string& device : OfaDeviceNames()) {
    const LatencyTable& t = data.DeviceTable(device);
    EXPECT_EQ(t.name(), device);
    EXPECT_TRUE(t.Complete()) << device;
    EXPECT_EQ(t.values().size(), 5000u) << device;
  }
  EXPECT_DOUBLE_EQ(data.DeviceTable("titan_rtx_1").At(0), 4.373445510864258);  // python3's pickle reads the same
  EXPECT_DOUBLE_EQ(data.DeviceTable("titan_rtx_1").At(2), 5.903034210205078);
  const std::string m = MessageOf<DataError>([&] { data.DeviceTable("pixel2"); });
  EXPECT_TRUE(Contains(m, "no ofa-mbv3 latency table for device 'pixel2'")) << m;
}

TEST(OfaData, PredictorReproducesAnIndependentComputation) {
  // Reference values: tests/fixtures/ofa_reference.py (python3 + numpy, reading acc_predictor.pth
  // with Python's own pickle module, storages as raw little-endian float32, the MLP in float64).
  const OfaAccuracyPredictor p = OfaAccuracyPredictor::Load(OfaPredictorFile(OfaDataDir()));
  ASSERT_EQ(p.layers().size(), 4u);
  EXPECT_EQ(p.layers()[0].rows, 400);
  EXPECT_EQ(p.layers()[0].cols, 128);
  EXPECT_EQ(p.layers()[3].rows, 1);
  // A hand-checkable slice: unit 0 of the first layer on HELP's arch 0 = the sum of the weights
  // of its 23 active inputs plus the bias.
  const OfaArch arch0 = OfaArch::Parse(kHelpArch0Text);
  const OfaPredictorEncoding x = EncodeForOfaPredictor(arch0);
  double unit0 = p.layers()[0].bias[0];
  for (int i = 0; i < kOfaPredictorInputs; ++i) unit0 += p.layers()[0].weight[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)];
  EXPECT_NEAR(unit0, -0.11284323828294873, 1e-6);
  EXPECT_NEAR(p.PredictedAccuracy(arch0), 0.79155210015712307, 1e-5);
  EXPECT_NEAR(p.PredictedAccuracy(UniformOfaArch(2, 3, 3, 224)), 0.77738648205241667, 1e-5);
  EXPECT_NEAR(p.PredictedAccuracy(UniformOfaArch(4, 7, 6, 224)), 0.83592777504589577, 1e-5);
  std::printf("predicted accuracy: HELP arch 0 %.7f, smallest@224 %.7f, largest@224 %.7f\n",
              p.PredictedAccuracy(arch0), p.PredictedAccuracy(UniformOfaArch(2, 3, 3, 224)),
              p.PredictedAccuracy(UniformOfaArch(4, 7, 6, 224)));
  // A missing file and a file of another kind are named.
  std::string m = MessageOf<DataError>([] { OfaAccuracyPredictor::Load("/nonexistent/acc_predictor.pth"); });
  EXPECT_TRUE(Contains(m, "/nonexistent/acc_predictor.pth")) << m;
  m = MessageOf<DataError>([] { OfaAccuracyPredictor::Load(OfaArchFile(OfaDataDir())); });
  EXPECT_TRUE(Contains(m, "ofa_archs.pt: not a torch.save file of the layout before PyTorch 1.6")) << m;
}

TEST(OfaData, Note10LatenciesOfKnownArchitectures) {
  // Reference values: tests/fixtures/ofa_reference.py (python3 + yaml, summing the means of the
  // operator keys as upstream's latency_table.py builds them).
  const OfaNote10LookupTable lut = OfaNote10LookupTable::Load(OfaNote10Dir(OfaDataDir()));
  std::vector<int> expected;
  for (int r = 160; r <= 224; r += 4) expected.push_back(r);
  EXPECT_EQ(lut.Resolutions(), expected);
  const std::vector<OfaArch> archs = LoadOfaArchs(OfaArchFile(OfaDataDir()));
  EXPECT_NEAR(lut.LatencyMs(archs[0]), 31.57218988622376, 1e-9);
  EXPECT_NEAR(lut.LatencyMs(archs[4]), 35.60528707564963, 1e-9);
  EXPECT_NEAR(lut.LatencyMs(UniformOfaArch(2, 3, 3, 224)), 17.769055648085843, 1e-9);
  EXPECT_NEAR(lut.LatencyMs(UniformOfaArch(4, 7, 6, 224)), 92.398037994780054, 1e-9);
  std::printf("Note10 ms: HELP arch 0 %.6f, arch 4 %.6f, smallest@224 %.6f, largest@224 %.6f\n",
              lut.LatencyMs(archs[0]), lut.LatencyMs(archs[4]),
              lut.LatencyMs(UniformOfaArch(2, 3, 3, 224)), lut.LatencyMs(UniformOfaArch(4, 7, 6, 224)));
  // Every HELP architecture the table covers has all its operators in it; the others are refused.
  int covered = 0;
  for (const OfaArch& a : archs) {
    if (lut.Covers(a.resolution())) {
      EXPECT_GT(lut.LatencyMs(a), 0.0) << a.ToString();
      ++covered;
    } else {
      const std::string m = MessageOf<DataError>([&] { lut.LatencyMs(a); });
      EXPECT_TRUE(Contains(m, fmt::format("no resolution {}", a.resolution()))) << m;
    }
  }
  EXPECT_EQ(covered, 5000 - 1554);
}

}  // namespace
}  // namespace simnas

