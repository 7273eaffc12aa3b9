// FBNet proxies (proxies/fbnet_proxies.h, fbnet_proxy_table.h): fast path against the reference,
// determinism, the on-demand cache (library and CLI), the table's format, validation, resume
// and aggregate. Hermetic: the images are 64 random CIFAR records written to a temp folder.
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/data/fbnet_data.h"
#include "simnas/proxies/fbnet_proxies.h"
#include "simnas/proxies/fbnet_proxy_table.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

// A data folder holding only cifar10-sample/cifar10_sample_640.bin: `images` random records.
fs::path WriteImages(const fs::path& root, int images = 64) {
  const fs::path file = root / "cifar10-sample" / "cifar10_sample_640.bin";
  fs::create_directories(file.parent_path());
  std::mt19937 rng(7);
  std::string bytes;
  for (int i = 0; i < images; ++i) {
    bytes.push_back(static_cast<char>(i % 10));
    for (int p = 0; p < 3 * 32 * 32; ++p) bytes.push_back(static_cast<char>(rng() & 0xff));
  }
  std::ofstream(file, std::ios::binary) << bytes;
  return file;
}

std::vector<FbnetArch> SomeArchs() {
  std::vector<FbnetArch> archs = SampleFbnetArchs(11, 2);
  archs.push_back(UniformFbnetArch(FbnetBlock::kSkip));     // the smallest network: 1x1 convs only on shape changes
  archs.push_back(UniformFbnetArch(FbnetBlock::kK5E1G2));  // grouped convs and shuffles everywhere
  return archs;
}

TEST(FbnetProxies, FastPathMatchesReference) {
  testing::TempDir dir;
  const fs::path images = WriteImages(dir.path());
  FbnetProxyOptions fast_options, reference_options;
  reference_options.reference_implementation = true;
  FbnetProxyEvaluator fast(images, fast_options), reference(images, reference_options);
  for (const FbnetArch& arch : SomeArchs()) {
    SCOPED_TRACE(arch.ToString());
    const FbnetProxyValues f = fast.Evaluate(arch);
    const FbnetProxyValues r = reference.Evaluate(arch);
    ASSERT_TRUE(std::isfinite(f.naswot));
    // The same codes up to the rare sign flip of a value at float rounding distance from 0.
    EXPECT_NEAR(f.naswot, r.naswot, 1e-4 * std::abs(r.naswot));
    EXPECT_GT(f.logsynflow, 0);
    EXPECT_NEAR(f.logsynflow, r.logsynflow, 1e-9 * r.logsynflow);
    EXPECT_EQ(f.params, r.params);
    EXPECT_EQ(f.flops, r.flops);
    EXPECT_EQ(f.params, DescribeFbnetForProxies(arch, 0).ParameterCount());
    EXPECT_EQ(f.flops, DescribeFbnetForProxies(arch, 0).MultiplyAdds());
  }
}

TEST(FbnetProxies, ValuesDependOnSeedAndArchitectureOnly) {
  testing::TempDir dir;
  const fs::path images = WriteImages(dir.path());
  const std::vector<FbnetArch> archs = SomeArchs();
  FbnetProxyEvaluator a(images, {}), b(images, {});
  const FbnetProxyValues first = a.Evaluate(archs[0]);
  b.Evaluate(archs[1]);  // another network scored before: no influence
  const FbnetProxyValues again = b.Evaluate(archs[0]);
  EXPECT_EQ(first.naswot, again.naswot);
  EXPECT_EQ(first.logsynflow, again.logsynflow);
  FbnetProxyOptions other_seed;
  other_seed.seed = 1;
  FbnetProxyEvaluator c(images, other_seed);
  EXPECT_NE(c.LogSynflow(archs[0]), first.logsynflow);
  EXPECT_NE(FbnetProxySeed(0, archs[0]), FbnetProxySeed(0, archs[1]));
  // The classifier is FreeREA's Kaiming normal (std sqrt(2/100)), not HW-NAS-Bench's N(0, 0.001).
  const NetworkDescription d = DescribeFbnetForProxies(archs[0], 0);
  const std::vector<float>& w = d.layer(d.output()).weight;
  double sq = 0;
  for (float x : w) sq += static_cast<double>(x) * x;
  EXPECT_NEAR(std::sqrt(sq / static_cast<double>(w.size())), std::sqrt(0.02), 0.01);
}

TEST(FbnetProxies, TooFewImagesIsADataError) {
  testing::TempDir dir;
  EXPECT_THROW(FbnetProxyEvaluator(WriteImages(dir.path(), 10), {}), DataError);
  EXPECT_THROW(FbnetProxyEvaluator(dir / "missing.bin", {}), DataError);
}

TEST(FbnetProxies, CacheRoundTripsAndIgnoresMalformedFiles) {
  testing::TempDir dir;
  const FbnetArch arch = SomeArchs()[0];
  const FbnetProxyCache cache(dir.path(), 3);
  EXPECT_FALSE(cache.Get(arch).has_value());
  FbnetProxyValues v{-std::numeric_limits<double>::infinity(), 1234.5678901234567, 42, 4242};
  cache.Put(arch, v);
  const std::optional<FbnetProxyValues> back = cache.Get(arch);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->naswot, v.naswot);
  EXPECT_EQ(back->logsynflow, v.logsynflow);
  EXPECT_EQ(back->params, 42);
  EXPECT_EQ(back->flops, 4242);
  // Keyed by seed and method version: another seed does not see it.
  EXPECT_FALSE(FbnetProxyCache(dir.path(), 4).Get(arch).has_value());
  EXPECT_NE(cache.FileOf(arch).string().find("seed3-v" + std::to_string(kFbnetProxyMethodVersion)), std::string::npos);
  std::ofstream(cache.FileOf(arch)) << "naswot 1\nlogsynflow x\n";
  EXPECT_FALSE(cache.Get(arch).has_value());
}

TEST(FbnetProxiesCli, SecondCallReadsTheCache) {
  testing::TempDir dir;
  WriteImages(dir / "data");
  const std::string arch = SomeArchs()[2].ToString();
  const std::vector<std::string> args = {"--data",  (dir / "data").string(), "--cache", (dir / "cache").string(),
                                         "--space", "fbnet", "proxies", "--arch", arch, "--json"};
  const testing::CliResult first = testing::RunCli(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const nlohmann::json a = nlohmann::json::parse(first.out);
  EXPECT_FALSE(a["cached"].get<bool>());
  EXPECT_EQ(a["arch"], arch);
  ASSERT_TRUE(fs::exists(a["cache_file"].get<std::string>()));
  // The second call is served from the cache: make the file's values recognizable to prove it.
  std::ofstream(a["cache_file"].get<std::string>()) << "naswot 1.5\nlogsynflow 2.5\nparams 3\nflops 4\n";
  const testing::CliResult second = testing::RunCli(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const nlohmann::json b = nlohmann::json::parse(second.out);
  EXPECT_TRUE(b["cached"].get<bool>());
  EXPECT_EQ(b["naswot"].get<double>(), 1.5);
  EXPECT_EQ(b["logsynflow"].get<double>(), 2.5);
  // Without the cache entry the value is computed again, identical to the first call's.
  fs::remove(a["cache_file"].get<std::string>());
  const nlohmann::json c = nlohmann::json::parse(testing::RunCli(args).out);
  EXPECT_FALSE(c["cached"].get<bool>());
  EXPECT_EQ(c["logsynflow"].get<double>(), a["logsynflow"].get<double>());
  EXPECT_EQ(c["naswot"].get<double>(), a["naswot"].get<double>());
}

TEST(FbnetProxiesCli, RefusesNasBench201OnlyFlags) {
  const testing::CliResult r =
      testing::RunCli({"--space", "fbnet", "proxies", "--arch", SomeArchs()[2].ToString(), "--inits", "2"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--inits"), std::string::npos) << r.err;
  EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
}

FbnetProxyTable SmallTable(const std::vector<FbnetArch>& archs) {
  FbnetProxyTable t;
  for (std::size_t i = 0; i < archs.size(); ++i) {
    t.arch.push_back(archs[i].ToString());
    t.naswot.push_back(i == 1 ? -std::numeric_limits<double>::infinity() : 100.0 + static_cast<double>(i));
    t.logsynflow.push_back(1000.0 * static_cast<double>(i + 1));
    t.params.push_back(static_cast<double>(10 * i));
    t.flops.push_back(static_cast<double>(20 * i));
  }
  t.provenance["seed"] = "0";
  return t;
}

TEST(FbnetProxyTables, SaveLoadValidatesRowsAgainstHelpArchs) {
  testing::TempDir dir;
  const std::vector<FbnetArch> archs = SomeArchs();
  const FbnetProxyTable t = SmallTable(archs);
  SaveFbnetProxyTable(dir / "t.csv", t);
  const FbnetProxyTable back = LoadFbnetProxyTable(dir / "t.csv", archs);
  EXPECT_EQ(back.arch, t.arch);
  EXPECT_EQ(back.naswot, t.naswot);
  EXPECT_EQ(back.logsynflow, t.logsynflow);
  EXPECT_EQ(back.flops, t.flops);
  EXPECT_EQ(back.provenance.at("seed"), "0");
  // Another architecture list: row 0 no longer matches.
  std::vector<FbnetArch> other = archs;
  std::swap(other[0], other[1]);
  try {
    LoadFbnetProxyTable(dir / "t.csv", other);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("index 0"), std::string::npos) << e.what();
  }
  // A missing row.
  FbnetProxyTable partial = t;
  partial.logsynflow[2] = std::numeric_limits<double>::quiet_NaN();
  SaveFbnetProxyTable(dir / "p.csv", partial);
  EXPECT_THROW(LoadFbnetProxyTable(dir / "p.csv", archs), DataError);
  EXPECT_EQ(LoadPartialFbnetProxyTable(dir / "p.csv", archs.size()).Filled(), 3);
}

TEST(FbnetProxyTables, AggregateIsTheMinMaxSumOfNaswotAndLogSynflow) {
  const std::vector<FbnetArch> archs = SomeArchs();
  const FbnetProxyTable t = SmallTable(archs);
  const ProxyAggregate recipe{"fbnet-freerea", {"naswot", "logsynflow"}, ProxyCombination::kMinMaxSum};
  const std::vector<double> s = FbnetAggregateScores(t, recipe);
  ASSERT_EQ(s.size(), archs.size());
  // naswot 100, -inf, 102, 103 -> 0, 0, 2/3, 1; logsynflow 1000..4000 -> 0, 1/3, 2/3, 1.
  EXPECT_NEAR(s[0], 0.0, 1e-12);
  EXPECT_NEAR(s[1], 1.0 / 3, 1e-12);
  EXPECT_NEAR(s[2], 4.0 / 3, 1e-12);
  EXPECT_NEAR(s[3], 2.0, 1e-12);
  // The shipped recipe is that one.
  EXPECT_EQ(ParseProxyAggregate("fbnet-freerea", testing::RepoFile("configs")), recipe);
  // SkipScore has no FBNet column: a recipe that needs it is refused in one line.
  EXPECT_THROW(FbnetAggregateScores(t, ProxyAggregate::kFreeRea), DataError);
}

TEST(FbnetProxyTables, BuildResumesFromItsPartialOutput) {
  testing::TempDir dir;
  const fs::path images = WriteImages(dir.path());
  std::vector<FbnetArch> archs = {UniformFbnetArch(FbnetBlock::kSkip), UniformFbnetArch(FbnetBlock::kK3E1)};
  FbnetProxyTableJob job;
  job.out = dir / "fbnet" / "cifar100.csv";
  const FbnetProxyTableBuild first = BuildFbnetProxyTable(job, images, {archs[0]});
  EXPECT_EQ(first.computed, 1);
  // Resume: the saved row is kept (a file-level check that it is not recomputed), the new one computed.
  const FbnetProxyTableBuild second = BuildFbnetProxyTable(job, images, archs);
  EXPECT_EQ(second.resumed, 1);
  EXPECT_EQ(second.computed, 1);
  const FbnetProxyTable t = LoadFbnetProxyTable(job.out, archs);
  FbnetProxyEvaluator e(images, {});
  const FbnetProxyValues v = e.Evaluate(archs[1]);
  EXPECT_EQ(t.logsynflow[1], v.logsynflow);
  EXPECT_EQ(t.naswot[1], v.naswot);
  EXPECT_EQ(t.flops[1], static_cast<double>(v.flops));
  EXPECT_EQ(t.provenance.at("method_version"), std::to_string(kFbnetProxyMethodVersion));
  // Another seed cannot resume this table.
  job.options.seed = 5;
  EXPECT_THROW(BuildFbnetProxyTable(job, images, archs), DataError);
}

// The committed table over HELP's 5,000 (tables/proxies/fbnet/cifar100.csv): its rows are HELP's
// architectures in order, and three rows drawn at random recompute to the same values.
TEST(FbnetProxyTables, CommittedTableMatchesRecomputedRows) {
  FbnetTables tables(testing::Data().dir());
  const fs::path path = FbnetProxyTableFile(testing::RepoFile("tables/proxies"));
  ASSERT_TRUE(fs::exists(path)) << path;
  const FbnetProxyTable table = LoadFbnetProxyTable(path, tables.Archs());  // checks every row's arch
  FbnetProxyOptions options;
  options.seed = std::stoull(table.provenance.at("seed"));
  EXPECT_EQ(table.provenance.at("method_version"), std::to_string(kFbnetProxyMethodVersion));
  FbnetProxyEvaluator evaluator(testing::Data().dir().CifarSampleFile(), options);
  std::mt19937 rng(14);
  for (int k = 0; k < 3; ++k) {
    const int index = std::uniform_int_distribution<int>(0, tables.Numbering().size() - 1)(rng);
    const auto i = static_cast<std::size_t>(index);
    SCOPED_TRACE("index " + std::to_string(index));
    const FbnetProxyValues v = evaluator.Evaluate(tables.Numbering().At(index));
    EXPECT_NEAR(v.naswot, table.naswot[i], 1e-9 * std::abs(table.naswot[i]));  // 17 significant digits kept
    EXPECT_NEAR(v.logsynflow, table.logsynflow[i], 1e-9 * table.logsynflow[i]);
    EXPECT_EQ(static_cast<double>(v.params), table.params[i]);
    EXPECT_EQ(static_cast<double>(v.flops), table.flops[i]);
  }
}

}  // namespace
}  // namespace simnas
