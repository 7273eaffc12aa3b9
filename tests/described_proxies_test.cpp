// The evaluator over a space's proxy network (proxies/described_proxies.h) on the ofa-mbv3 space
// (networks carrying their own resolution, h-swish, squeeze-and-excitation), its table builder's
// sample and shard rows, the NASWOT codes of feature maps whose size is not a multiple of 64, and
// `simnas proxies` on a space without proxy network or with one. Hermetic: the images are 64
// random CIFAR records written to a temp folder.
#include <cmath>
#include <fstream>
#include <map>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/proxies/described_proxies.h"
#include "simnas/probe/measure_all.h"
#include "simnas/proxies/naswot_kernel.h"
#include "simnas/proxies/proxies.h"
#include "simnas/proxies/proxy_table_builder.h"
#include "simnas/space/candidates.h"
#include "simnas/space/registry.h"
#include "simnas/space/space_data.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/data/latency_table.h"
#include "simnas/spaces/ofa_mbv3/ofa_network.h"
#include "simnas/spaces/ofa_mbv3/ofa_space.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

fs::path WriteImages(const fs::path& root, int images = 64) {
  return testing::WriteRandomCifarSample(root, images, 11);
}

// The smallest network at the smallest resolution (the cheapest to score).
Arch SmallOfa() { return OfaMbv3Space().Parse(OfaArch().ToString()); }

TEST(DescribedProxiesOfa, ProxyNetworkIsImageNetsAtTheArchitecturesResolution) {
  const Arch arch = OfaMbv3Space().Parse(UniformOfaArch(3, 5, 4, 160).ToString());
  const ProxyNetwork p = OfaMbv3Space().DescribeForProxies(arch, Dataset::kImageNet, 0);
  EXPECT_EQ(p.description.input_shape().height, 160);
  EXPECT_EQ(p.description.layer(p.description.output()).shape.channels, 1000);
  NetworkOptions options;
  options.dataset = Dataset::kImageNet;
  EXPECT_EQ(p.description.ParameterCount(), OfaMbv3Space().Describe(arch, options).ParameterCount());
  // The stem, the first block, then one feature per MBConv block (depth 3 in 5 stages).
  ASSERT_EQ(p.feature_layers.size(), 2u + 15u);
  EXPECT_EQ(p.description.layer(p.feature_layers[0]).name, "stem/hswish");
  EXPECT_EQ(p.description.layer(p.feature_layers[1]).name, "block0/residual");
  EXPECT_EQ(p.description.layer(p.feature_layers[2]).name, "stage1/block1/project/bn");
  EXPECT_EQ(p.description.layer(p.feature_layers[3]).name, "stage1/block2/residual");
  EXPECT_EQ(p.description.layer(p.feature_layers.back()).name, "stage5/block3/residual");
  // The classifier is FreeREA's Kaiming normal (std sqrt(2 / 1000)), bias 0.
  const Layer& classifier = p.description.layer(p.description.output());
  double sq = 0;
  for (float x : classifier.weight) sq += static_cast<double>(x) * x;
  EXPECT_NEAR(std::sqrt(sq / static_cast<double>(classifier.weight.size())), std::sqrt(0.002), 0.002);
  for (float b : classifier.bias) EXPECT_EQ(b, 0.0f);
  // The weights depend on (seed, architecture) only.
  const ProxyNetwork again = OfaMbv3Space().DescribeForProxies(arch, Dataset::kImageNet, 0);
  EXPECT_EQ(again.seed, p.seed);
  EXPECT_EQ(again.description.layer(1).weight, p.description.layer(1).weight);
  EXPECT_NE(OfaMbv3Space().DescribeForProxies(arch, Dataset::kImageNet, 1).seed, p.seed);
  EXPECT_THROW(OfaMbv3Space().DescribeForProxies(arch, Dataset::kCifar10, 0), ParseError);
}

TEST(DescribedProxiesOfa, ValuesAreFiniteAndRepeatable) {
  testing::TempDir dir;
  const fs::path images = WriteImages(dir.path());
  DescribedProxyOptions options;
  options.threads = 1;
  options.zoo = kAllZooProxies;
  DescribedProxyEvaluator evaluator(OfaMbv3Space(), images, options);
  EXPECT_EQ(evaluator.options().dataset, Dataset::kImageNet);  // the space's first
  const Arch arch = SmallOfa();
  const DescribedProxyValues v = evaluator.Evaluate(arch);
  EXPECT_TRUE(std::isfinite(v.naswot));
  EXPECT_GT(v.logsynflow, 0);
  EXPECT_TRUE(std::isfinite(v.logsynflow));
  ASSERT_TRUE(v.zoo.has_value());
  for (std::size_t i = 0; i < kZooProxyNames.size(); ++i) {
    EXPECT_FALSE(std::isnan(v.zoo->values[i])) << kZooProxyNames[i];
  }
  EXPECT_TRUE(std::isfinite((*v.zoo)["az_trainability"]));  // odd feature-map sizes included
  EXPECT_EQ(v.params, DescribeOfaMbv3(OfaArch()).ParameterCount());
  EXPECT_EQ(v.params, 4'602'456);  // the smallest network's count, whatever its resolution
  // Another evaluator, another network scored first: the same values.
  DescribedProxyEvaluator other(OfaMbv3Space(), images, options);
  other.Evaluate(OfaMbv3Space().Parse(UniformOfaArch(2, 7, 6, 132).ToString()));
  const DescribedProxyValues again = other.Evaluate(arch);
  EXPECT_EQ(again.naswot, v.naswot);
  EXPECT_EQ(again.logsynflow, v.logsynflow);
  EXPECT_EQ(again.zoo->values, v.zoo->values);
  // An architecture of another space is refused.
  EXPECT_THROW(evaluator.Evaluate(DefaultSpace().RandomArch(*std::make_unique<std::mt19937_64>(1))), Error);
}

TEST(DescribedProxiesOfa, FastPathMatchesReference) {
  testing::TempDir dir;
  const fs::path images = WriteImages(dir.path());
  DescribedProxyOptions fast_options, reference_options;
  fast_options.threads = reference_options.threads = 1;
  reference_options.reference_implementation = true;
  DescribedProxyEvaluator fast(OfaMbv3Space(), images, fast_options), reference(OfaMbv3Space(), images,
                                                                                 reference_options);
  const Arch arch = SmallOfa();
  const DescribedProxyValues f = fast.Evaluate(arch), r = reference.Evaluate(arch);
  EXPECT_NEAR(f.naswot, r.naswot, 1e-4 * std::abs(r.naswot));
  EXPECT_NEAR(f.logsynflow, r.logsynflow, 1e-9 * r.logsynflow);
}

TEST(DescribedProxiesCli, OfaNetworkParamsAreTheSpacesCountAndCached) {
  testing::TempDir dir;
  WriteImages(dir / "data");
  const std::string arch = OfaArch().ToString();
  const std::vector<std::string> args = {"--data",  (dir / "data").string(), "--cache", (dir / "cache").string(),
                                         "--space", "ofa-mbv3", "proxies", "--arch", arch, "--threads", "1", "--json"};
  const testing::CliResult first = testing::RunCli(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const nlohmann::json a = nlohmann::json::parse(first.out);
  EXPECT_EQ(a["space"], "ofa-mbv3");
  EXPECT_EQ(a["dataset"], "ImageNet-1k");
  EXPECT_EQ(a["arch"], arch);
  NetworkOptions options;
  options.dataset = Dataset::kImageNet;
  EXPECT_EQ(a["params"].get<std::int64_t>(),
            OfaMbv3Space().Describe(OfaMbv3Space().Parse(arch), options).ParameterCount());
  EXPECT_TRUE(a["naswot"].is_number());
  EXPECT_GT(a["logsynflow"].get<double>(), 0);
  EXPECT_TRUE(a["zoo"]["meco"].is_number());
  EXPECT_FALSE(a["cached"].get<bool>());
  const std::string file = a["cache_file"].get<std::string>();
  EXPECT_NE(file.find("proxies/ofa-mbv3/ImageNet-1k-seed0-v"), std::string::npos) << file;
  // The second call reads the cache; a corrupted file is computed again, to the same values.
  EXPECT_TRUE(nlohmann::json::parse(testing::RunCli(args).out)["cached"].get<bool>());
  std::ofstream(file, std::ios::trunc) << "naswot 1\nlogsynflow";
  const testing::CliResult third = testing::RunCli(args);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  const nlohmann::json c = nlohmann::json::parse(third.out);
  EXPECT_FALSE(c["cached"].get<bool>());
  EXPECT_EQ(c["naswot"], a["naswot"]);
  EXPECT_EQ(c["logsynflow"], a["logsynflow"]);
  // The fast path's flags are refused in one line; so is a dataset the space does not build for.
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--inits", "2"}, std::vector<std::string>{"--dataset", "cifar10"}}) {
    std::vector<std::string> bad = {"--space", "ofa-mbv3", "proxies", "--arch", arch};
    bad.insert(bad.end(), extra.begin(), extra.end());
    const testing::CliResult r = testing::RunCli(bad);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find(extra[0] == "--inits" ? "--inits" : "cifar10"), std::string::npos) << r.err;
    EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
  }
}

// The builder's rows: a sample in its order, then a shard of it; resumed from its own output.
TEST(DescribedProxyTables, SampleAndShardScoreTheJobsRowsAndResume) {
  testing::TempDir dir;
  const fs::path images = WriteImages(dir.path());
  std::vector<Arch> archs;
  for (int d : {2, 3}) {
    for (int r : {128, 132}) archs.push_back(OfaMbv3Space().Parse(UniformOfaArch(d, 3, 3, r).ToString()));
  }
  const CandidateSet numbering(OfaMbv3Space(), archs, "test networks");
  DescribedProxyTableJob job;
  job.out = dir / "t.csv";
  job.options.threads = 1;
  job.rows = {3, 0, 2};
  job.shard = ProxyShard{2, 2};  // the sample's second position: index 0
  const DescribedProxyTableBuild shard = BuildDescribedProxyTable(job, images, numbering);
  EXPECT_EQ(shard.rows, 1);
  EXPECT_EQ(shard.computed, 1);
  ProxyTable t = LoadPartialProxyTable(job.out, numbering, Dataset::kImageNet);
  EXPECT_TRUE(t.Has(0));
  EXPECT_EQ(t.Filled(), 1);
  // The whole sample, resumed from that file: index 0 kept, 3 and 2 computed, 1 never.
  job.shard = ProxyShard{};
  const DescribedProxyTableBuild whole = BuildDescribedProxyTable(job, images, numbering);
  EXPECT_EQ(whole.rows, 3);
  EXPECT_EQ(whole.resumed, 1);
  EXPECT_EQ(whole.computed, 2);
  t = LoadPartialProxyTable(job.out, numbering, Dataset::kImageNet);
  EXPECT_TRUE(t.Has(3) && t.Has(2) && t.Has(0));
  EXPECT_FALSE(t.Has(1));
  EXPECT_EQ(t.provenance.at("dataset"), "ImageNet-1k");
  // The table's values are the evaluator's.
  DescribedProxyOptions options;
  options.threads = 1;
  DescribedProxyEvaluator evaluator(OfaMbv3Space(), images, options);
  const DescribedProxyValues v = evaluator.Evaluate(archs[2]);
  EXPECT_EQ(t.naswot[2], v.naswot);
  EXPECT_EQ(t.logsynflow[2], v.logsynflow);
  EXPECT_EQ(t.zoo.at("params")[2], static_cast<double>(v.params));
  // A row outside the numbering is refused before anything is computed.
  job.rows = {7};
  EXPECT_THROW(BuildDescribedProxyTable(job, images, numbering), ParseError);
}

TEST(DescribedProxyTables, ShardsMergeIntoTheOneShotTable) {
  testing::TempDir dir;
  const fs::path images = WriteImages(dir.path());
  std::vector<Arch> archs;
  for (int d : {2, 3, 4}) archs.push_back(OfaMbv3Space().Parse(UniformOfaArch(d, 3, 3, 128).ToString()));
  const CandidateSet numbering(OfaMbv3Space(), archs, "test networks");
  DescribedProxyTableJob job;
  job.options.threads = 1;
  job.out = dir / "whole.csv";
  BuildDescribedProxyTable(job, images, numbering);
  std::vector<fs::path> shards;
  for (int k = 1; k <= 2; ++k) {
    job.shard = ProxyShard{k, 2};
    job.out = dir / ("shard" + std::to_string(k) + ".csv");
    BuildDescribedProxyTable(job, images, numbering);
    shards.push_back(job.out);
  }
  const ProxyTable merged = MergeDescribedProxyTables(shards, numbering, Dataset::kImageNet);
  const ProxyTable whole = LoadProxyTable(dir / "whole.csv", numbering, Dataset::kImageNet);
  EXPECT_EQ(merged.Filled(), 3);
  EXPECT_EQ(merged.arch, whole.arch);
  EXPECT_EQ(merged.naswot, whole.naswot);
  EXPECT_EQ(merged.logsynflow, whole.logsynflow);
  EXPECT_EQ(merged.zoo.at("flops"), whole.zoo.at("flops"));
  // A shard of another seed is refused, naming the key.
  job.options.seed = 3;
  job.shard = ProxyShard{1, 2};
  job.out = dir / "other.csv";
  BuildDescribedProxyTable(job, images, numbering);
  try {
    MergeDescribedProxyTables({shards[0], dir / "other.csv"}, numbering, Dataset::kImageNet);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("seed"), std::string::npos) << e.what();
  }
}

// Feature maps whose per-image size is not a multiple of 64 (7x7 maps): the last word's unused
// bits never disagree, so K counts exactly the positions where two images agree.
TEST(DescribedProxiesNaswot, CodesOfAnySizeCountAgreementsExactly) {
  const int images = 5;
  for (const std::int64_t per_image : {std::int64_t{49}, std::int64_t{64 * 3 + 17}, std::int64_t{128}}) {
    SCOPED_TRACE(per_image);
    std::mt19937 rng(static_cast<unsigned>(per_image));
    std::normal_distribution<float> normal;
    std::vector<float> x(static_cast<std::size_t>(images * per_image));
    for (float& v : x) v = normal(rng);
    NaswotCodes codes(images);
    codes.Add(x.data(), per_image, per_image, 1);
    EXPECT_EQ(codes.positions(), per_image);
    const std::vector<std::int64_t> k = codes.Kernel();
    for (int i = 0; i < images; ++i) {
      for (int j = 0; j < images; ++j) {
        std::int64_t agree = 0;
        for (std::int64_t p = 0; p < per_image; ++p) {
          agree += (x[static_cast<std::size_t>(i * per_image + p)] > 0) == (x[static_cast<std::size_t>(j * per_image + p)] > 0);
        }
        EXPECT_EQ(k[static_cast<std::size_t>(i * images + j)], agree) << i << "," << j;
      }
    }
  }
}

// A space of two positions without a proxy network (Space's defaults).
class NoProxySpace final : public Space {
 public:
  std::string_view name() const override { return "no-proxies"; }
  std::string_view title() const override { return "two positions, no proxy network"; }
  std::string_view arch_noun() const override { return "pair"; }
  int positions() const override { return 2; }
  int choices(int /*position*/) const override { return 2; }
  Arch Parse(std::string_view /*text*/) const override { return MakeArch({0, 0}); }
  std::string Format(const Arch& arch) const override { return arch.ToString(); }
  CandidateSet LoadNumbering(const DataDir& /*dir*/) const override { return CandidateSet(*this, {}, "none"); }
  std::vector<std::string> DeviceTableNames(const DataDir& /*dir*/) const override { return {}; }
  LatencyTable LoadDeviceTable(const DataDir& /*dir*/, const std::string& device) const override {
    throw DataError("no table " + device);
  }
  std::vector<std::string> TestDevices() const override { return {}; }
  std::vector<Dataset> Datasets() const override { return {Dataset::kCifar10}; }
  NetworkDescription Describe(const Arch& /*arch*/, const NetworkOptions& /*options*/) const override {
    throw ParseError("no network");
  }
};

TEST(DescribedProxies, ASpaceWithoutProxyNetworkIsRefusedNamingIt) {
  testing::TempDir dir;
  const NoProxySpace space;
  DescribedProxyEvaluator evaluator(space, WriteImages(dir.path()), {});
  try {
    evaluator.Evaluate(space.MakeArch({1, 0}));
    FAIL() << "expected a ParseError";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("no-proxies"), std::string::npos) << e.what();
  }
  DescribedProxyOptions options;
  options.dataset = Dataset::kImageNet;  // not one of its datasets
  EXPECT_THROW(DescribedProxyEvaluator(space, WriteImages(dir.path()), options), ParseError);
}

// `--report` in a space without measured accuracy: the rank correlations with the space's own
// score (ofa-mbv3: predicted accuracy) over the table's rows. Needs the data folder.
TEST(DescribedProxiesData, OfaReportRanksByPredictedAccuracyOverTheTablesRows) {
  testing::TempDir dir;
  const SpaceData data(OfaMbv3Space(), testing::Data().dir());
  const CandidateSet& numbering = data.Numbering();
  const std::vector<double> predicted = OfaMbv3Space().Scores("predicted-accuracy", numbering, data);
  // Four rows: naswot ordered as the predicted accuracy, logsynflow against it.
  const std::vector<int> rows = {5, 40, 333, 4999};
  ProxyTable t;
  t.space = "ofa-mbv3";
  t.dataset = Dataset::kImageNet;
  const double nan = std::nan("");
  t.arch.assign(5000, "");
  t.naswot.assign(5000, nan);
  t.logsynflow.assign(5000, nan);
  t.zoo["params"].assign(5000, nan);
  t.zoo["flops"].assign(5000, nan);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto i = static_cast<std::size_t>(rows[k]);
    t.arch[i] = numbering.at(rows[k]).ToString();
    t.naswot[i] = predicted[i];
    t.logsynflow[i] = -predicted[i];
    t.zoo["params"][i] = static_cast<double>(k);
    t.zoo["flops"][i] = static_cast<double>(k);
  }
  SaveProxyTable(dir / "t.csv", t);
  const testing::CliResult r = testing::RunCli(
      {"--space", "ofa-mbv3", "proxies", "--report", "--json", "--table", (dir / "t.csv").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["rows"], 4);
  EXPECT_EQ(j["score_source"], "predicted-accuracy");
  std::map<std::string, nlohmann::json> by_name;
  for (const nlohmann::json& s : j["scores"]) by_name[s["score"].get<std::string>()] = s;
  ASSERT_TRUE(by_name.contains("naswot") && by_name.contains("logsynflow"));
  EXPECT_EQ(by_name["naswot"]["rows"], 4);
  EXPECT_DOUBLE_EQ(by_name["naswot"]["tau_predicted_accuracy"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(by_name["naswot"]["rho_predicted_accuracy"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(by_name["logsynflow"]["tau_predicted_accuracy"].get<double>(), -1.0);
  EXPECT_FALSE(by_name.contains("skip"));  // no SkipScore in this space
  EXPECT_TRUE(by_name.contains("fbnet-freerea"));  // a recipe of naswot and logsynflow
}

// The fast path's table over a sample: the rows of `measure-all --sample K --seed S`, with the
// values of one cell's evaluation. Needs the data folder (the numbering).
TEST(DescribedProxiesData, FastPathTableOverASampleHoldsItsRows) {
  testing::TempDir dir;
  const std::string out = (dir / "sample.csv").string();
  const testing::CliResult r = testing::RunCli(
      {"proxies", "--all", "--sample", "3", "--seed", "0", "--threads", "1", "--out", out, "--no-zoo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const ProxyTable t = LoadPartialProxyTable(out, Dataset::kCifar10);
  EXPECT_EQ(t.Filled(), 3);
  EXPECT_NE(t.provenance.at("command").find("--sample 3"), std::string::npos) << t.provenance.at("command");
  const CandidateSet numbering = DefaultSpace().LoadNumbering(testing::Data().dir());
  ProxyOptions options;
  options.threads = 1;
  for (int index : MeasureAllIndices(numbering.size(), 3, 0)) {
    const auto i = static_cast<std::size_t>(index);
    ASSERT_TRUE(t.Has(i)) << index;
    const ProxyValues v = ComputeProxies(numbering.at(index), testing::Data().dir().CifarSampleFile(), options);
    EXPECT_NEAR(t.logsynflow[i], v.logsynflow, 1e-9 * v.logsynflow) << index;  // 10 significant digits kept
    EXPECT_NEAR(t.naswot[i], v.naswot, 1e-9 * std::abs(v.naswot)) << index;
    EXPECT_EQ(t.skip[i], v.skip) << index;
  }
}

}  // namespace
}  // namespace simnas
