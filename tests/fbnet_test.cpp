// FBNet (HW-NAS-Bench's CIFAR-100 network over HELP's 5,000 architectures): the architecture
// string, the network's exact parameter counts, and HELP's FBNet files.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "simnas/core/error.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/network/described_network.h"
#include "simnas/space/space_data.h"
#include "simnas/spaces/fbnet/fbnet_network.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/fbnet/fbnet_arch.h"
#include "test_support.h"

namespace simnas {
namespace {

FbnetNetworkOptions Seeded(std::uint64_t seed) {
  FbnetNetworkOptions o;
  o.seed = seed;
  return o;
}

std::string ErrorOf(std::string_view text) {
  try {
    FbnetArch::Parse(text);
  } catch (const ParseError& e) {
    return e.what();
  }
  return "";
}

TEST(FbnetArch, BlocksInHwNasBenchOrder) {
  const char* names[] = {"k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1", "k5_e1_g2", "k5_e3", "k5_e6", "skip"};
  for (int i = 0; i < kFbnetNumBlocks; ++i) {
    EXPECT_EQ(FbnetBlockName(static_cast<FbnetBlock>(i)), names[i]);
    EXPECT_EQ(FbnetBlockFromName(names[i]), static_cast<FbnetBlock>(i));
  }
  EXPECT_EQ(ParamsOf(FbnetBlock::kK5E1G2).kernel, 5);
  EXPECT_EQ(ParamsOf(FbnetBlock::kK5E1G2).groups, 2);
  EXPECT_EQ(ParamsOf(FbnetBlock::kK3E6).expansion, 6);
  EXPECT_TRUE(ParamsOf(FbnetBlock::kSkip).skip);
}

TEST(FbnetArch, LayerShapesFollowTheStages) {
  const auto& s = FbnetLayerShapes();
  EXPECT_EQ(s[0].in_channels, 16);
  EXPECT_EQ(s[0].out_channels, 16);
  EXPECT_EQ(s[1].in_channels, 16);
  EXPECT_EQ(s[1].out_channels, 24);
  int stride2 = 0;
  for (const auto& l : s) stride2 += l.stride == 2 ? 1 : 0;
  EXPECT_EQ(stride2, 3);
  EXPECT_EQ(s[5].stride, 2);   // stage 3 (32 channels)
  EXPECT_EQ(s[9].stride, 2);   // stage 4 (64)
  EXPECT_EQ(s[13].stride, 1);  // stage 5 (112)
  EXPECT_EQ(s[17].stride, 2);  // stage 6 (184)
  EXPECT_EQ(s[21].in_channels, 184);
  EXPECT_EQ(s[21].out_channels, 352);
}

TEST(FbnetArch, StringRoundTripsAndErrorsNameThePosition) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200; ++i) {
    const FbnetArch a = RandomFbnetArch(rng);
    EXPECT_EQ(FbnetArch::Parse(a.ToString()), a);
  }
  const FbnetArch skip = UniformFbnetArch(FbnetBlock::kSkip);
  std::string text = skip.ToString();
  EXPECT_EQ(text.substr(0, 10), "skip-skip-");
  EXPECT_EQ(std::count(text.begin(), text.end(), '-'), 21);
  // Layer 3 misspelt.
  std::string bad = "k3_e1-k3_e1-k3_e9";
  for (int i = 3; i < kFbnetNumLayers; ++i) bad += "-skip";
  const std::string err = ErrorOf(bad);
  EXPECT_NE(err.find("layer 3"), std::string::npos) << err;
  EXPECT_NE(err.find("k3_e9"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
  const std::string short_err = ErrorOf("k3_e1-skip");
  EXPECT_NE(short_err.find("2 block names"), std::string::npos) << short_err;
  EXPECT_NE(ErrorOf("").find("expected 22"), std::string::npos);
  EXPECT_THROW(FbnetArch::FromIndices(std::vector<long long>(22, 9)), ParseError);
  EXPECT_THROW(FbnetArch::FromIndices(std::vector<long long>(21, 0)), ParseError);
}

TEST(FbnetArch, SamplingIsSeededAndUniform) {
  const auto a = SampleFbnetArchs(7, 500);
  EXPECT_EQ(a, SampleFbnetArchs(7, 500));
  EXPECT_NE(a, SampleFbnetArchs(8, 500));
  std::array<int, kFbnetNumBlocks> counts{};
  for (const FbnetArch& x : a) {
    for (FbnetBlock b : x.blocks()) ++counts[static_cast<std::size_t>(b)];
  }
  // 11,000 draws, 1,222 expected per block; 5 sigma is about 165.
  for (int c : counts) {
    EXPECT_GT(c, 1222 - 165);
    EXPECT_LT(c, 1222 + 165);
  }
}

// HW-NAS-Bench's FBNet_Infer(num_classes=100, dataset='cifar100') counts.
TEST(FbnetNetwork, ParameterCountsMatchHwNasBench) {
  EXPECT_EQ(DescribeFbnet(UniformFbnetArch(FbnetBlock::kK3E1)).ParameterCount(), 1170676);
  EXPECT_EQ(DescribeFbnet(UniformFbnetArch(FbnetBlock::kK5E6)).ParameterCount(), 3749652);
  EXPECT_EQ(DescribeFbnet(UniformFbnetArch(FbnetBlock::kSkip)).ParameterCount(), 780660);
  EXPECT_EQ(DescribeFbnet(UniformFbnetArch(FbnetBlock::kK3E1G2)).ParameterCount(), 940084);
}

TEST(FbnetNetwork, RunsInLibTorchWithTheRightShapes) {
  torch::NoGradGuard no_grad;
  std::vector<FbnetArch> archs = {UniformFbnetArch(FbnetBlock::kSkip), UniformFbnetArch(FbnetBlock::kK5E1G2)};
  for (const FbnetArch& a : SampleFbnetArchs(3, 2)) archs.push_back(a);
  for (const FbnetArch& a : archs) {
    const NetworkDescription d = DescribeFbnet(a, Seeded(1));
    const LayerShape out = d.layer(d.output()).shape;
    EXPECT_EQ(out.channels, 100);
    // Three stride-2 stages: 32 -> 4 before the global pool.
    const Layer& header = d.layer(d.output() - 2);
    EXPECT_EQ(header.shape, (LayerShape{1504, 4, 4})) << a.ToString();
    torch::manual_seed(0);
    const torch::Tensor y = DescribedNetwork(d)->forward(torch::randn({2, 3, 32, 32}));
    EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{2, 100}));
    EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
    EXPECT_GT(y.abs().max().item<double>(), 0.0);
  }
  // Same seed, same weights; another seed, others.
  const FbnetArch a = archs[2];
  EXPECT_EQ(DescribeFbnet(a, Seeded(4)).layer(1).weight, DescribeFbnet(a, Seeded(4)).layer(1).weight);
  EXPECT_NE(DescribeFbnet(a, Seeded(4)).layer(1).weight, DescribeFbnet(a, Seeded(5)).layer(1).weight);
}

TEST(FbnetNetwork, SkipAtAStrideTwoLayerIsAConv) {
  std::array<FbnetBlock, kFbnetNumLayers> blocks{};
  blocks.fill(FbnetBlock::kK3E1);
  blocks[5] = FbnetBlock::kSkip;  // layer 6: 24 -> 32, stride 2
  blocks[6] = FbnetBlock::kSkip;  // layer 7: 32 -> 32, stride 1: identity
  const NetworkDescription d = DescribeFbnet(FbnetArch(blocks));
  std::set<std::string> names;
  for (const Layer& l : d.layers()) names.insert(l.name);
  EXPECT_TRUE(names.count("layer6/skip/conv"));
  EXPECT_FALSE(names.count("layer7/skip/conv"));
  EXPECT_TRUE(names.count("layer2/k3_e1/pw1/conv"));
  EXPECT_FALSE(names.count("layer2/k3_e1/residual"));  // 16 -> 24
  EXPECT_TRUE(names.count("layer3/k3_e1/residual"));
}

TEST(FbnetData, EveryArchitectureOfArchPtParses) {
  const DataDir& dir = testing::Data().dir();
  const std::vector<FbnetArch> archs = LoadFbnetArchs(FbnetArchFile(dir));
  ASSERT_EQ(archs.size(), 5000u);
  std::set<FbnetArch> distinct(archs.begin(), archs.end());
  EXPECT_GT(distinct.size(), 4990u);
  for (const FbnetArch& a : archs) ASSERT_EQ(FbnetArch::Parse(a.ToString()), a);
}

TEST(FbnetData, TwentyThreeTablesOfFiveThousandPositiveLatencies) {
  const DataDir& dir = testing::Data().dir();
  ASSERT_EQ(FbnetDeviceNames().size(), 23u);
  for (const std::string& device : FbnetDeviceNames()) {
    const LatencyTable t = LoadFbnetLatencyTable(FbnetLatencyFile(dir, device));
    EXPECT_EQ(t.name(), device);
    ASSERT_EQ(t.values().size(), 5000u) << device;
    EXPECT_TRUE(t.Complete()) << device;
    for (double v : t.values()) ASSERT_GT(v, 0.0) << device;
  }
  const std::vector<std::string> test = FbnetSpace().TestDevices();
  EXPECT_EQ(test, (std::vector<std::string>{"titan_rtx_64", "gold_6226", "fpga", "pixel2", "raspi4", "eyeriss"}));
  for (const std::string& d : test) {
    EXPECT_NE(std::find(FbnetDeviceNames().begin(), FbnetDeviceNames().end(), d), FbnetDeviceNames().end()) << d;
  }
  EXPECT_FALSE(FbnetSpace().IsTestDevice("titan_rtx_256"));
}

TEST(FbnetData, NamesAnUnknownDeviceAndSplitsTheRest) {
  const SpaceData data(FbnetSpace(), testing::Data().dir());
  EXPECT_EQ(data.DeviceNames(), FbnetDeviceNames());
  EXPECT_EQ(data.TrainDevices().size() + data.TestDevices().size(), 23u);
  for (const std::string& d : data.TestDevices()) EXPECT_TRUE(FbnetSpace().IsTestDevice(d));
  EXPECT_EQ(data.DeviceTable("fpga").values().size(), 5000u);
  try {
    data.DeviceTable("1080ti_256");  // a NAS-Bench-201 device HELP has no FBNet table of
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("1080ti_256"), std::string::npos);
  }
}

TEST(FbnetData, WrongFilesAreRefusedNamingThem) {
  testing::TempDir tmp;
  EXPECT_THROW(LoadFbnetArchs(tmp / "missing.pt"), DataError);
  // A NAS-Bench-201 table is a list of numbers, not of lists, and has 15,625 entries.
  const auto nb201 = testing::Data().dir().HelpLatencyFile("fpga");
  EXPECT_THROW(LoadFbnetArchs(nb201), DataError);
  try {
    LoadFbnetLatencyTable(nb201);
    ADD_FAILURE() << "loaded a NAS-Bench-201 table as an FBNet one";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("expected 5000"), std::string::npos) << e.what();
  }
}

TEST(FbnetCli, ExportWritesTheNetworkAndCountsItsParameters) {
  testing::TempDir dir;
  const auto path = dir / "k3_e1.onnx";
  const std::string arch = UniformFbnetArch(FbnetBlock::kK3E1).ToString();
  const auto r = testing::RunCli({"export", "--space", "fbnet", "--arch", arch, "--out", path.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["parameters"].get<std::int64_t>(), 1170676);
  EXPECT_EQ(j["arch"], arch);
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json::array({1, 100}));
  EXPECT_TRUE(std::filesystem::exists(path));
  // The N-th of HELP's architectures.
  const auto by_index = testing::RunCli({"export", "--space", "fbnet", "--index", "0", "--out",
                                         (dir / "i0.onnx").string(), "--json"});
  ASSERT_EQ(by_index.exit_code, 0) << by_index.err;
  const auto first = LoadFbnetArchs(FbnetArchFile(testing::Data().dir()))[0];
  EXPECT_EQ(nlohmann::json::parse(by_index.out)["arch"], first.ToString());
  // A bad block: one line naming the layer, no file.
  std::string bad = arch;
  bad.replace(0, 5, "k7_e1");
  const auto err = testing::RunCli({"export", "--space", "fbnet", "--arch", bad, "--out", (dir / "b.onnx").string()});
  EXPECT_NE(err.exit_code, 0);
  EXPECT_EQ(testing::CountLines(err.err), 1) << err.err;
  EXPECT_NE(err.err.find("layer 1"), std::string::npos) << err.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "b.onnx"));
}

}  // namespace
}  // namespace simnas
