// The evaluator over a space's proxy network (proxies/described_proxies.h) and its table builder
// (proxy_table_builder.h: BuildDescribedProxyTable) on FBNet networks: fast path against the
// reference, determinism, the on-demand cache (library and CLI), the table's format, validation,
// resume and aggregate. Hermetic: the images are 64 random CIFAR records written to a temp folder.
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/verified_cache.h"
#include "simnas/proxies/described_proxies.h"
#include "simnas/proxies/proxy_table_builder.h"
#include "simnas/space/candidates.h"
#include "simnas/space/space_data.h"
#include "simnas/spaces/fbnet/fbnet_proxy_network.h"
#include "simnas/proxies/proxy_report.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

fs::path WriteImages(const fs::path& root, int images = 64) {
  return testing::WriteRandomCifarSample(root, images, 7);
}

// The generic evaluator and cache on FBNet networks (FbnetArch in, as the space's Arch).
class Evaluator : public DescribedProxyEvaluator {
 public:
  Evaluator(const fs::path& images, const DescribedProxyOptions& options)
      : DescribedProxyEvaluator(FbnetSpace(), images, options) {}
  DescribedProxyValues Evaluate(const FbnetArch& a) { return DescribedProxyEvaluator::Evaluate(ToArch(a)); }
  double Naswot(const FbnetArch& a) { return DescribedProxyEvaluator::Naswot(ToArch(a)); }
  double LogSynflow(const FbnetArch& a) { return DescribedProxyEvaluator::LogSynflow(ToArch(a)); }
  ZooValues Zoo(const FbnetArch& a, ZooMask proxies = kAllZooProxies) {
    return DescribedProxyEvaluator::Zoo(ToArch(a), proxies);
  }
};

class Cache : public DescribedProxyCache {
 public:
  Cache(const fs::path& dir, std::uint64_t seed) : DescribedProxyCache(dir, FbnetSpace(), Dataset::kCifar100, seed) {}
  std::optional<DescribedProxyValues> Get(const FbnetArch& a) const { return DescribedProxyCache::Get(ToArch(a)); }
  void Put(const FbnetArch& a, const DescribedProxyValues& v) const { DescribedProxyCache::Put(ToArch(a), v); }
  fs::path FileOf(const FbnetArch& a) const { return DescribedProxyCache::FileOf(ToArch(a)); }
  std::string KeyOf(const FbnetArch& a) const { return DescribedProxyCache::KeyOf(ToArch(a)); }
};

std::string ReadFileForTest(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
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
  DescribedProxyOptions fast_options, reference_options;
  reference_options.reference_implementation = true;
  Evaluator fast(images, fast_options), reference(images, reference_options);
  for (const FbnetArch& arch : SomeArchs()) {
    SCOPED_TRACE(arch.ToString());
    const DescribedProxyValues f = fast.Evaluate(arch);
    const DescribedProxyValues r = reference.Evaluate(arch);
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
  Evaluator a(images, {}), b(images, {});
  const DescribedProxyValues first = a.Evaluate(archs[0]);
  b.Evaluate(archs[1]);  // another network scored before: no influence
  const DescribedProxyValues again = b.Evaluate(archs[0]);
  EXPECT_EQ(first.naswot, again.naswot);
  EXPECT_EQ(first.logsynflow, again.logsynflow);
  DescribedProxyOptions other_seed;
  other_seed.seed = 1;
  Evaluator c(images, other_seed);
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
  EXPECT_THROW(Evaluator(WriteImages(dir.path(), 10), {}), DataError);
  EXPECT_THROW(Evaluator(dir / "missing.bin", {}), DataError);
}

TEST(FbnetProxies, CacheRoundTripsAndIgnoresMalformedFiles) {
  testing::TempDir dir;
  const FbnetArch arch = SomeArchs()[0];
  const Cache cache(dir.path(), 3);
  EXPECT_FALSE(cache.Get(arch).has_value());
  DescribedProxyValues v{-std::numeric_limits<double>::infinity(), 1234.5678901234567, 42, 4242, std::nullopt};
  cache.Put(arch, v);
  const std::optional<DescribedProxyValues> back = cache.Get(arch);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->naswot, v.naswot);
  EXPECT_EQ(back->logsynflow, v.logsynflow);
  EXPECT_EQ(back->params, 42);
  EXPECT_EQ(back->flops, 4242);
  // Keyed by seed and method version: another seed does not see it.
  EXPECT_FALSE(Cache(dir.path(), 4).Get(arch).has_value());
  EXPECT_NE(cache.FileOf(arch).string().find("seed3-v" + std::to_string(kDescribedProxyMethodVersion)), std::string::npos);
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
  ASSERT_TRUE(a["zoo"].is_object());
  EXPECT_EQ(a["zoo"].size(), kZooProxyNames.size());
  EXPECT_TRUE(a["zoo"]["meco"].is_number());
  EXPECT_EQ(a["zoo"]["params"].get<double>(), a["params"].get<double>());
  // The second call is served from the cache: store recognizable values (as the cache stores
  // them, with their check) to prove it.
  const Cache cache(dir / "cache", 0);
  std::optional<DescribedProxyValues> stored = cache.Get(FbnetArch::Parse(arch));
  ASSERT_TRUE(stored && stored->zoo);
  stored->naswot = 1.5;
  stored->logsynflow = 2.5;
  stored->params = 3;
  stored->flops = 4;
  (*stored->zoo)["meco"] = 0.25;
  cache.Put(FbnetArch::Parse(arch), *stored);
  const testing::CliResult second = testing::RunCli(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const nlohmann::json b = nlohmann::json::parse(second.out);
  EXPECT_TRUE(b["cached"].get<bool>());
  EXPECT_EQ(b["naswot"].get<double>(), 1.5);
  EXPECT_EQ(b["logsynflow"].get<double>(), 2.5);
  EXPECT_EQ(b["zoo"]["meco"].get<double>(), 0.25);
  // A file edited behind the cache's back fails its check: computed again, never printed.
  std::ofstream(a["cache_file"].get<std::string>()) << "naswot 99999\nlogsynflow 2.5\nparams 3\nflops 4\n";
  const nlohmann::json edited = nlohmann::json::parse(testing::RunCli(args).out);
  EXPECT_FALSE(edited["cached"].get<bool>());
  EXPECT_EQ(edited["naswot"].get<double>(), a["naswot"].get<double>());
  // Values stored without the zoo: they are kept and the zoo is computed and added.
  cache.Put(FbnetArch::Parse(arch), DescribedProxyValues{1.5, 2.5, 3, 4, std::nullopt});
  const nlohmann::json old_file = nlohmann::json::parse(testing::RunCli(args).out);
  EXPECT_FALSE(old_file["cached"].get<bool>());
  EXPECT_EQ(old_file["naswot"].get<double>(), 1.5);
  EXPECT_EQ(old_file["zoo"]["meco"].get<double>(), a["zoo"]["meco"].get<double>());
  EXPECT_TRUE(nlohmann::json::parse(testing::RunCli(args).out)["cached"].get<bool>());
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

// The architectures as a candidate set of the FBNet space.
CandidateSet Candidates(const std::vector<FbnetArch>& archs) {
  std::vector<Arch> out;
  for (const FbnetArch& a : archs) out.push_back(ToArch(a));
  return CandidateSet(FbnetSpace(), out, "test networks");
}

ProxyTable SmallTable(const std::vector<FbnetArch>& archs) {
  ProxyTable t;
  t.space = "fbnet";
  t.dataset = Dataset::kCifar100;
  for (std::size_t i = 0; i < archs.size(); ++i) {
    t.arch.push_back(archs[i].ToString());
    t.naswot.push_back(i == 1 ? -std::numeric_limits<double>::infinity() : 100.0 + static_cast<double>(i));
    t.logsynflow.push_back(1000.0 * static_cast<double>(i + 1));
    t.zoo["params"].push_back(static_cast<double>(10 * i));
    t.zoo["flops"].push_back(static_cast<double>(20 * i));
  }
  t.provenance["seed"] = "0";
  return t;
}

TEST(FbnetProxyTables, SaveLoadValidatesRowsAgainstHelpArchs) {
  testing::TempDir dir;
  const std::vector<FbnetArch> archs = SomeArchs();
  const ProxyTable t = SmallTable(archs);
  SaveProxyTable(dir / "t.csv", t);
  const ProxyTable back = LoadProxyTable(dir / "t.csv", Candidates(archs), Dataset::kCifar100);
  EXPECT_EQ(back.arch, t.arch);
  EXPECT_EQ(back.naswot, t.naswot);
  EXPECT_EQ(back.logsynflow, t.logsynflow);
  EXPECT_EQ(back.zoo.at("flops"), t.zoo.at("flops"));
  EXPECT_EQ(back.provenance.at("seed"), "0");
  // Another architecture list: row 0 no longer matches.
  std::vector<FbnetArch> other = archs;
  std::swap(other[0], other[1]);
  try {
    LoadProxyTable(dir / "t.csv", Candidates(other), Dataset::kCifar100);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("index 0"), std::string::npos) << e.what();
  }
  // A missing row.
  ProxyTable partial = t;
  partial.logsynflow[2] = std::numeric_limits<double>::quiet_NaN();
  SaveProxyTable(dir / "p.csv", partial);
  EXPECT_THROW(LoadProxyTable(dir / "p.csv", Candidates(archs), Dataset::kCifar100), DataError);
  EXPECT_EQ(LoadPartialProxyTable(dir / "p.csv", archs.size(), Dataset::kCifar100).Filled(), 3);
}

TEST(FbnetProxyTables, AggregateIsTheMinMaxSumOfNaswotAndLogSynflow) {
  const std::vector<FbnetArch> archs = SomeArchs();
  const ProxyTable t = SmallTable(archs);
  const ProxyAggregate recipe{"fbnet-freerea", {"naswot", "logsynflow"}, ProxyCombination::kMinMaxSum};
  const std::vector<double> s = ProxyScores(t, recipe).values();
  ASSERT_EQ(s.size(), archs.size());
  // naswot 100, -inf, 102, 103 -> 0, 0, 2/3, 1; logsynflow 1000..4000 -> 0, 1/3, 2/3, 1.
  EXPECT_NEAR(s[0], 0.0, 1e-12);
  EXPECT_NEAR(s[1], 1.0 / 3, 1e-12);
  EXPECT_NEAR(s[2], 4.0 / 3, 1e-12);
  EXPECT_NEAR(s[3], 2.0, 1e-12);
  // The shipped recipe is that one.
  EXPECT_EQ(ParseProxyAggregate("fbnet-freerea", testing::RepoFile("configs")), recipe);
  // SkipScore has no FBNet column: a recipe that needs it is refused in one line.
  EXPECT_THROW(ProxyScores(t, ProxyAggregate::kFreeRea).values(), DataError);
}

TEST(FbnetProxyTables, BuildResumesFromItsPartialOutput) {
  testing::TempDir dir;
  const fs::path images = WriteImages(dir.path());
  std::vector<FbnetArch> archs = {UniformFbnetArch(FbnetBlock::kSkip), UniformFbnetArch(FbnetBlock::kK3E1)};
  DescribedProxyTableJob job;
  job.out = dir / "fbnet" / "cifar100.csv";
  const DescribedProxyTableBuild first = BuildDescribedProxyTable(job, images, Candidates({archs[0]}));
  EXPECT_EQ(first.computed, 1);
  // Resume: the saved row is kept (a file-level check that it is not recomputed), the new one computed.
  const DescribedProxyTableBuild second = BuildDescribedProxyTable(job, images, Candidates(archs));
  EXPECT_EQ(second.resumed, 1);
  EXPECT_EQ(second.computed, 1);
  const ProxyTable t = LoadProxyTable(job.out, Candidates(archs), Dataset::kCifar100);
  Evaluator e(images, {});
  const DescribedProxyValues v = e.Evaluate(archs[1]);
  EXPECT_EQ(t.logsynflow[1], v.logsynflow);
  EXPECT_EQ(t.naswot[1], v.naswot);
  EXPECT_EQ(t.zoo.at("flops")[1], static_cast<double>(v.flops));
  EXPECT_EQ(t.provenance.at("method_version"), std::to_string(kDescribedProxyMethodVersion));
  // Another seed cannot resume this table.
  job.options.seed = 5;
  EXPECT_THROW(BuildDescribedProxyTable(job, images, Candidates(archs)), DataError);
}

// ---------------------------------------------------------------------------------------
// The zoo on FBNet networks.

TEST(FbnetZoo, LayerFeaturesAreTheStemAndEveryLayerButIdentitySkips) {
  // All k3_e1: the stem and the 22 layers.
  const NetworkDescription convs = DescribeFbnetForProxies(UniformFbnetArch(FbnetBlock::kK3E1), 0);
  const std::vector<int> f = FbnetZooFeatureLayers(convs);
  ASSERT_EQ(f.size(), 23u);
  EXPECT_EQ(convs.layer(f[0]).name, "stem/relu");
  for (int n = 1; n <= kFbnetNumLayers; ++n) {
    const std::string prefix = "layer" + std::to_string(n) + "/";
    const auto i = static_cast<std::size_t>(f[static_cast<std::size_t>(n)]);
    EXPECT_EQ(convs.layer(static_cast<int>(i)).name.rfind(prefix, 0), 0u) << n;
    // The layer's last step: the next one belongs to the next layer (or the header).
    EXPECT_NE(convs.layer(static_cast<int>(i) + 1).name.rfind(prefix, 0), 0u) << n;
  }
  // All skip: only the layers that change the shape (1x1 conv-BN-ReLU) have a feature.
  const NetworkDescription skips = DescribeFbnetForProxies(UniformFbnetArch(FbnetBlock::kSkip), 0);
  int shape_changes = 0;
  for (const FbnetLayerShape& s : FbnetLayerShapes()) shape_changes += (s.in_channels != s.out_channels || s.stride != 1);
  EXPECT_EQ(FbnetZooFeatureLayers(skips).size(), static_cast<std::size_t>(1 + shape_changes));
  EXPECT_LT(shape_changes, kFbnetNumLayers);
}

TEST(FbnetZoo, SubsetsEqualTheFullRunBitForBit) {
  testing::TempDir dir;
  const fs::path images = WriteImages(dir.path());
  DescribedProxyOptions options;
  options.threads = 1;
  options.zoo = kAllZooProxies;
  Evaluator evaluator(images, options);
  const std::vector<FbnetArch> archs = {SomeArchs()[0], UniformFbnetArch(FbnetBlock::kSkip)};
  for (const FbnetArch& arch : archs) {
    SCOPED_TRACE(arch.ToString());
    const DescribedProxyValues v = evaluator.Evaluate(arch);
    ASSERT_TRUE(v.zoo.has_value());
    const ZooValues& full = *v.zoo;
    for (std::size_t i = 0; i < kZooProxyNames.size(); ++i) {
      SCOPED_TRACE(std::string(kZooProxyNames[i]));
      EXPECT_FALSE(std::isnan(full.values[i]));
      if (arch != archs[0]) continue;  // each proxy alone on one network (13 zoo runs)
      const ZooValues alone = evaluator.Zoo(arch, ZooBit(static_cast<int>(i)));
      EXPECT_EQ(alone.values[i], full.values[i]);
      for (std::size_t k = 0; k < kZooProxyNames.size(); ++k) {
        if (k != i) {
          EXPECT_TRUE(std::isnan(alone.values[k])) << kZooProxyNames[k];
        }
      }
    }
    EXPECT_EQ(evaluator.Zoo(arch).values, full.values);
    EXPECT_EQ(full["params"], static_cast<double>(v.params));
    EXPECT_EQ(full["flops"], static_cast<double>(v.flops));
    EXPECT_EQ(full["az_complexity"], full["flops"]);
    EXPECT_GT(full["synflow"], 0);
    EXPECT_GT(full["grad_norm"], 0);
    // Identity skips have no feature of their own, so trainability is defined even for all-skip.
    EXPECT_TRUE(std::isfinite(full["az_trainability"]));
    EXPECT_TRUE(std::isfinite(full["az_expressivity"]));
  }
  // Same seed, same values from a second evaluator; another seed draws another network.
  Evaluator again(images, options);
  EXPECT_EQ(again.Zoo(archs[0]).values, evaluator.Zoo(archs[0]).values);
  options.seed = 9;
  Evaluator other(images, options);
  EXPECT_NE(other.Zoo(archs[0])["meco"], evaluator.Zoo(archs[0])["meco"]);
  EXPECT_THROW(evaluator.Zoo(archs[0], static_cast<ZooMask>(1u << 15)), ParseError);
}

TEST(FbnetZoo, CacheKeepsTheZooAndReadsOlderFiles) {
  testing::TempDir dir;
  const FbnetArch arch = SomeArchs()[1];
  const Cache cache(dir.path(), 0);
  DescribedProxyValues v{800.5, 1234.5, 42, 4242, std::nullopt};
  v.zoo.emplace();
  for (std::size_t i = 0; i < kZooProxyNames.size(); ++i) v.zoo->values[i] = 0.5 + static_cast<double>(i);
  (*v.zoo)["jacov"] = -std::numeric_limits<double>::infinity();
  (*v.zoo)["params"] = 42;
  (*v.zoo)["flops"] = 4242;
  cache.Put(arch, v);
  const std::optional<DescribedProxyValues> back = cache.Get(arch);
  ASSERT_TRUE(back.has_value());
  ASSERT_TRUE(back->zoo.has_value());
  EXPECT_EQ(back->zoo->values, v.zoo->values);
  EXPECT_EQ(back->naswot, 800.5);
  // A file of FreeREA's four values only (before the zoo): read, without a zoo.
  const auto put = [&](const std::string& text) { WriteVerifiedCacheFile(cache.FileOf(arch), cache.KeyOf(arch), text); };
  put("naswot 1\nlogsynflow 2\nparams 3\nflops 4\n");
  ASSERT_TRUE(cache.Get(arch).has_value());
  EXPECT_FALSE(cache.Get(arch)->zoo.has_value());
  // A zoo value twice, or params twice, is malformed.
  EXPECT_FALSE(ParseDescribedProxyValues("naswot 1\nlogsynflow 2\nparams 3\nflops 4\nmeco 1\nmeco 2\n").has_value());
  EXPECT_FALSE(ParseDescribedProxyValues("naswot 1\nlogsynflow 2\nparams 3\nflops 4\nparams 3\n").has_value());
  // A file edited after its check was written (or written without one) is not reused.
  std::ofstream(cache.FileOf(arch)) << "naswot 99999\nlogsynflow 2\nparams 3\nflops 4\n";
  EXPECT_FALSE(cache.Get(arch).has_value());
}

TEST(FbnetZoo, TableHoldsTheZooForItsFirstRowsAndResumes) {
  testing::TempDir dir;
  const fs::path images = WriteImages(dir.path());
  const std::vector<FbnetArch> archs = {UniformFbnetArch(FbnetBlock::kSkip), UniformFbnetArch(FbnetBlock::kK3E1G2),
                                        SomeArchs()[0]};
  DescribedProxyTableJob job;
  job.out = dir / "fbnet" / "cifar100.csv";
  job.options.threads = 1;
  const DescribedProxyTableBuild v1 = BuildDescribedProxyTable(job, images, Candidates(archs));  // FreeREA's only: a v1 table
  EXPECT_EQ(v1.computed, 3);
  EXPECT_EQ(LoadProxyTable(job.out, Candidates(archs), Dataset::kCifar100).zoo.size(), 2u);  // params, flops
  job.zoo_rows = 2;
  const DescribedProxyTableBuild zoo = BuildDescribedProxyTable(job, images, Candidates(archs));
  EXPECT_EQ(zoo.computed, 0);  // FreeREA's values kept
  EXPECT_EQ(zoo.zoo_computed, 2);
  const ProxyTable t = LoadProxyTable(job.out, Candidates(archs), Dataset::kCifar100);
  EXPECT_EQ(t.ZooFilled(), 2);
  EXPECT_EQ(t.zoo.size(), kZooProxyNames.size());
  DescribedProxyOptions options;
  options.threads = 1;
  Evaluator e(images, options);
  for (std::size_t i = 0; i < 2; ++i) {
    const ZooValues z = e.Zoo(archs[i]);
    for (const auto& [name, column] : t.zoo) EXPECT_EQ(column[i], z[name]) << name << " row " << i;  // params, flops too
  }
  EXPECT_TRUE(std::isnan(t.zoo.at("meco")[2]));
  ASSERT_TRUE(t.provenance.contains("zoo"));
  EXPECT_NE(t.provenance.at("zoo").find("first 2 rows"), std::string::npos) << t.provenance.at("zoo");
  // A recipe of a column held for some rows only is refused.
  const ProxyAggregate meco{"meco-only", {"meco"}, ProxyCombination::kMinMaxSum};
  try {
    ProxyScores(t, meco).values();
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("2 of its 3 rows"), std::string::npos) << e.what();
  }
  // Resumed with more rows: only the missing zoo is computed.
  job.zoo_rows = 3;
  const DescribedProxyTableBuild more = BuildDescribedProxyTable(job, images, Candidates(archs));
  EXPECT_EQ(more.zoo_computed, 1);
  EXPECT_EQ(LoadProxyTable(job.out, Candidates(archs), Dataset::kCifar100).ZooFilled(), 3);
  EXPECT_EQ(ProxyScores(LoadProxyTable(job.out, Candidates(archs), Dataset::kCifar100), meco).values().size(), 3u);
  // A row whose zoo fields are partly empty is refused, naming the line.
  std::string text = ReadFileForTest(job.out);
  const std::size_t last = text.rfind(",", text.size() - 2);
  text = text.substr(0, last) + ",\n";
  std::ofstream(job.out) << text;
  try {
    LoadProxyTable(job.out, Candidates(archs), Dataset::kCifar100);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("partly empty"), std::string::npos) << e.what();
  }
}

TEST(FbnetZoo, ScoreCorrelationsRankAgainstSize) {
  const std::vector<FbnetArch> archs = SomeArchs();
  ProxyTable t = SmallTable(archs);  // flops 0, 20, 40, 60; params 0, 10, 20, 30
  for (const std::string_view name : kZooProxyNames) {
    if (name != "params" && name != "flops") t.zoo[std::string(name)] = {4, 3, 2, 1};
  }
  t.zoo["meco"] = {1, 2, 3, 4};
  for (auto& [name, column] : t.zoo) column[0] = std::numeric_limits<double>::quiet_NaN();  // row 0 without the zoo
  const std::vector<double> reference = {0, 3, 2, 1};
  const std::vector<SizeCorrelation> rows = SizeCorrelations(t, reference);
  ASSERT_EQ(rows.size(), 2u + kZooProxyNames.size() - 3);  // naswot, logsynflow, the zoo but params/flops/az_complexity
  for (const SizeCorrelation& r : rows) {
    EXPECT_EQ(r.rows, 3) << r.column;  // rows 1..3
    if (r.column == "meco") {
      EXPECT_DOUBLE_EQ(r.rho_flops, 1.0);
      EXPECT_DOUBLE_EQ(r.rho_params, 1.0);
      EXPECT_DOUBLE_EQ(r.rho_reference, -1.0);
    }
    if (r.column == "snip") {
      EXPECT_DOUBLE_EQ(r.rho_flops, -1.0);
    }
  }
  t.zoo["meco"][2] = std::numeric_limits<double>::quiet_NaN();
  for (auto& [name, column] : t.zoo) column[2] = column[3] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(SizeCorrelations(t, reference), DataError);  // one row left
}

// The committed table over HELP's 5,000 (tables/proxies/fbnet/cifar100.csv): its rows are HELP's
// architectures in order, and three rows drawn at random recompute to the same values.
TEST(FbnetProxyTables, CommittedTableMatchesRecomputedRows) {
  const SpaceData data(FbnetSpace(), testing::Data().dir());
  const CandidateSet& numbering = data.Numbering();
  const fs::path path = ProxyTableFile(testing::RepoFile("tables/proxies"), FbnetSpace(), Dataset::kCifar100);
  ASSERT_TRUE(fs::exists(path)) << path;
  const ProxyTable table = LoadProxyTable(path, numbering, Dataset::kCifar100);  // checks every row's arch
  DescribedProxyOptions options;
  options.seed = std::stoull(table.provenance.at("seed"));
  EXPECT_EQ(table.provenance.at("method_version"), std::to_string(kDescribedProxyMethodVersion));
  Evaluator evaluator(testing::Data().dir().CifarSampleFile(), options);
  std::mt19937 rng(14);
  for (int k = 0; k < 3; ++k) {
    const int index = std::uniform_int_distribution<int>(0, numbering.size() - 1)(rng);
    const auto i = static_cast<std::size_t>(index);
    SCOPED_TRACE("index " + std::to_string(index));
    const DescribedProxyValues v = evaluator.Evaluate(FbnetOf(numbering.at(index)));
    EXPECT_NEAR(v.naswot, table.naswot[i], 1e-9 * std::abs(table.naswot[i]));  // 17 significant digits kept
    EXPECT_NEAR(v.logsynflow, table.logsynflow[i], 1e-9 * table.logsynflow[i]);
    EXPECT_EQ(static_cast<double>(v.params), table.zoo.at("params")[i]);
    EXPECT_EQ(static_cast<double>(v.flops), table.zoo.at("flops")[i]);
  }
  // The zoo's columns (rows [0, ZooFilled()) hold them): two of those rows recomputed. Tolerance as
  // for the NAS-Bench-201 tables' zoo (ProxyTables.CommittedTablesMatchRecomputedRows): float
  // reductions differ between CPUs, ZiCo most (a ratio of gradient statistics).
  ASSERT_GT(table.ZooFilled(), 0);
  for (int k = 0; k < 2; ++k) {
    const int index = std::uniform_int_distribution<int>(0, static_cast<int>(table.ZooFilled()) - 1)(rng);
    const auto i = static_cast<std::size_t>(index);
    SCOPED_TRACE("zoo of index " + std::to_string(index));
    const ZooValues z = evaluator.Zoo(FbnetOf(numbering.at(index)));
    for (const auto& [name, column] : table.zoo) {
      if (std::isinf(column[i]) || std::isinf(z[name])) {
        EXPECT_EQ(z[name], column[i]) << name;
        continue;
      }
      const double relative = name == "zico" ? 2e-2 : 2e-3;
      EXPECT_NEAR(z[name], column[i], relative * std::abs(column[i]) + 1e-4) << name;
    }
  }
}

}  // namespace
}  // namespace simnas
