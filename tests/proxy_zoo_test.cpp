// The proxy zoo (issue 11, zoo.h): the fast path (shared passes) against the reference path
// (every proxy on its own, statistics in double with plain loops), determinism, the closed-form
// parameter count and FLOPs, and the degenerate cells.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/stats.h"
#include "simnas/network/described_network.h"
#include "simnas/proxies/proxy_network.h"
#include "simnas/proxies/proxy_table.h"
#include "simnas/proxies/proxies.h"
#include "simnas/proxies/zoo.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

fs::path CifarSample() { return testing::Data().dir().CifarSampleFile(); }
const SearchSpace& Space() { return testing::Data().space(); }

// -inf (a degenerate cell) ranks below every finite value.
std::vector<double> Rankable(std::vector<double> v) {
  double lo = std::numeric_limits<double>::infinity();
  for (double x : v) {
    if (std::isfinite(x)) lo = std::min(lo, x);
  }
  for (double& x : v) {
    if (!std::isfinite(x)) x = lo - 1;
  }
  return v;
}

ProxyOptions ZooOptions(Dataset dataset, bool reference) {
  ProxyOptions o;
  o.dataset = dataset;
  o.seed = 3;
  o.zoo = true;
  o.zoo_images = 8;  // smaller mini-batches than the tables' 16: the reference is slow
  o.reference_implementation = reference;
  return o;
}

// Fast vs reference on the same cells: close values and Spearman >= 0.99 per proxy. Cells:
// special ones (all none, all skip, only 1x1 convs, dead nodes) and random ones.
void ExpectFastMatchesReference(Dataset dataset, int random_cells) {
  std::vector<Cell> cells = {Space().CellAt(0), Space().CellAt(3), Space().CellAt(72), Space().CellAt(12),
                             Space().CellAt(24)};
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> pick(0, kNumCells - 1);
  for (int i = 0; i < random_cells; ++i) cells.push_back(Space().CellAt(pick(rng)));
  ProxyEvaluator fast(CifarSample(), ZooOptions(dataset, false));
  ProxyEvaluator reference(CifarSample(), ZooOptions(dataset, true));
  std::vector<ZooValues> f, r;
  for (const Cell& cell : cells) {
    f.push_back(fast.Zoo(cell));
    r.push_back(reference.Zoo(cell));
  }
  for (const std::string_view name : kZooProxyNames) {
    std::vector<double> fv, rv;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const double a = f[i][name], b = r[i][name];
      SCOPED_TRACE(fmt::format("{} on {} ({})", name, cells[i].ToString(), DatasetName(dataset)));
      if (std::isinf(b) || std::isinf(a)) {
        EXPECT_EQ(a, b);
      } else {
        // Float (fast) against double (reference) statistics, different layouts and sums.
        EXPECT_NEAR(a, b, 2e-3 * std::max(1.0, std::abs(b)));
      }
      fv.push_back(a);
      rv.push_back(b);
    }
    const double rho = Spearman(Rankable(fv), Rankable(rv));
    EXPECT_GE(rho, 0.99) << name;
    std::printf("%s: Spearman fast vs reference over %zu cells (%s): %.5f\n", std::string(name).c_str(), cells.size(),
                std::string(DatasetName(dataset)).c_str(), rho);
  }
}

TEST(ProxyZoo, FastPathMatchesReferenceCifar) { ExpectFastMatchesReference(Dataset::kCifar10, 15); }

TEST(ProxyZoo, FastPathMatchesReferenceImageNet16) { ExpectFastMatchesReference(Dataset::kImageNet16_120, 10); }

// The same on 200 CIFAR-10 cells (minutes; run by hand with --gtest_also_run_disabled_tests).
TEST(ProxyZoo, DISABLED_FastPathMatchesReferenceOn200Cells) { ExpectFastMatchesReference(Dataset::kCifar10, 195); }

TEST(ProxyZoo, EvaluateAddsTheZooSharingSynflowsBackward) {
  const Cell cell = Space().CellAt(1234);
  ProxyOptions o = ZooOptions(Dataset::kCifar100, false);
  ProxyEvaluator evaluator(CifarSample(), o);
  const ProxyValues v = evaluator.Evaluate(cell);
  ASSERT_TRUE(v.zoo.has_value());
  const ZooValues alone = evaluator.Zoo(cell);
  for (const std::string_view name : kZooProxyNames) EXPECT_EQ((*v.zoo)[name], alone[name]) << name;
  // FreeREA's values do not change when the zoo is computed beside them.
  o.zoo = false;
  const ProxyValues without = ProxyEvaluator(CifarSample(), o).Evaluate(cell);
  EXPECT_FALSE(without.zoo.has_value());
  EXPECT_EQ(v.naswot, without.naswot);
  EXPECT_EQ(v.logsynflow, without.logsynflow);
}

TEST(ProxyZoo, SameSeedSameValuesOtherSeedOtherValues) {
  const Cell cell = Space().CellAt(4321);
  ProxyOptions o = ZooOptions(Dataset::kCifar10, false);
  const ZooValues a = ProxyEvaluator(CifarSample(), o).Zoo(cell);
  const ZooValues b = ProxyEvaluator(CifarSample(), o).Zoo(cell);
  o.seed = 4;
  const ZooValues c = ProxyEvaluator(CifarSample(), o).Zoo(cell);
  for (const std::string_view name : kZooProxyNames) {
    EXPECT_EQ(a[name], b[name]) << name;
    const bool architecture_only = name == "params" || name == "flops" || name == "az_complexity";
    if (architecture_only) {
      EXPECT_EQ(a[name], c[name]) << name;
    } else {
      EXPECT_NE(a[name], c[name]) << name;
    }
  }
}

TEST(ProxyZoo, ParamsAndFlopsOfKnownNetworks) {
  ProxyEvaluator e(CifarSample(), ZooOptions(Dataset::kCifar10, false));
  // All none: stem, two reduction blocks, head and classifier only (73,306 parameters, the
  // count tiny_network.h documents).
  const ZooValues none = e.Zoo(Cell::Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"));
  EXPECT_EQ(none["params"], 73306);
  // FLOPs by hand: stem 3*16*9*32^2; reductions (16*32*9 + 32*32*9 + 16*32)*16^2 and
  // (32*64*9 + 64*64*9 + 32*64)*8^2; classifier 64*10.
  const double base = 3.0 * 16 * 9 * 1024 + (4608 + 9216 + 512) * 256.0 + (18432 + 36864 + 2048) * 64.0 + 640;
  EXPECT_EQ(none["flops"], base);
  EXPECT_EQ(none["az_complexity"], none["flops"]);
  // One 3x3 conv edge per cell: 5 cells per stage of C^2*9*side^2 each (plus 2C BatchNorm parameters).
  const ZooValues one = e.Zoo(Cell::Parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"));
  EXPECT_EQ(one["flops"] - base, 5.0 * 9 * (16 * 16 * 1024 + 32 * 32 * 256 + 64 * 64 * 64));
  EXPECT_EQ(one["params"] - 73306, 5.0 * (9 * (16 * 16 + 32 * 32 + 64 * 64) + 2 * (16 + 32 + 64)));
}

TEST(ProxyZoo, DegenerateCells) {
  ProxyEvaluator e(CifarSample(), ZooOptions(Dataset::kCifar10, false));
  // All none: the logits do not depend on the input, so the Jacobian rows are constant (zero).
  const ZooValues none = e.Zoo(Cell::Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"));
  EXPECT_EQ(none["jacov"], -std::numeric_limits<double>::infinity());
  // Only a skip from the input to the output: every cell is the identity, so AZ-NAS's
  // trainability sees an identity layer (-inf).
  const ZooValues skip = e.Zoo(Cell::Parse("|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"));
  EXPECT_EQ(skip["az_trainability"], -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isfinite(skip["jacov"]));
}

TEST(ProxyZoo, NamesAndRejectedOptions) {
  EXPECT_EQ(ZooProxyIndex("meco"), 0);
  EXPECT_EQ(ZooProxyIndex("flops"), kZooProxies - 1);
  EXPECT_FALSE(ZooProxyIndex("naswot").has_value());
  ZooValues z;
  EXPECT_THROW(z["nope"], ParseError);
  ProxyOptions o = ZooOptions(Dataset::kCifar10, false);
  o.zoo_images = 1;
  EXPECT_THROW(ProxyEvaluator(CifarSample(), o), ParseError);
  o.zoo = false;
  ProxyEvaluator without(CifarSample(), o);
  EXPECT_THROW(without.Zoo(Space().CellAt(0)), ParseError);
}

// A subset of the zoo (zoo.h, "Contract of a subset"): each proxy computed alone, and a pair,
// equal the full run's values bit for bit (-inf alike); the proxies not asked are NaN. Cells:
// convolutions everywhere; a mix with none edges; a lone skip (AZ-NAS trainability -inf).
TEST(ProxyZoo, SubsetsEqualTheFullRunBitForBit) {
  const std::vector<Cell> cells = {
      Cell::Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|"),
      Cell::Parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|"),
      Cell::Parse("|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|")};
  ProxyEvaluator e(CifarSample(), ZooOptions(Dataset::kCifar10, false));
  const auto same = [](double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); };
  bool saw_minus_inf = false;
  for (const Cell& cell : cells) {
    SCOPED_TRACE(cell.ToString());
    const ZooValues full = e.Zoo(cell);
    for (int i = 0; i < kZooProxies; ++i) {
      const std::string_view name = kZooProxyNames[static_cast<std::size_t>(i)];
      saw_minus_inf = saw_minus_inf || full[name] == -std::numeric_limits<double>::infinity();
      const ZooValues alone = e.Zoo(cell, ZooBit(i));
      for (int j = 0; j < kZooProxies; ++j) {
        const std::string_view other = kZooProxyNames[static_cast<std::size_t>(j)];
        if (j == i) {
          EXPECT_TRUE(same(alone[other], full[other])) << other << ": alone " << alone[other] << ", full " << full[other];
        } else {
          EXPECT_TRUE(std::isnan(alone[other])) << other << " not asked (with " << name << "): " << alone[other];
        }
      }
    }
    // A pair from two different passes (the forward's features, the loss gradients).
    const ZooMask pair = ZooMaskOf({"meco", "snip"});
    const ZooValues two = e.Zoo(cell, pair);
    for (const std::string_view name : kZooProxyNames) {
      if (ZooMaskHas(pair, name)) {
        EXPECT_TRUE(same(two[name], full[name])) << name << ": " << two[name] << " vs " << full[name];
      } else {
        EXPECT_TRUE(std::isnan(two[name])) << name;
      }
    }
  }
  EXPECT_TRUE(saw_minus_inf);
  // The same subset through ProxyOptions, by Evaluate (beside FreeREA's proxies) and Zoo(cell).
  ProxyOptions o = ZooOptions(Dataset::kCifar10, false);
  o.zoo_proxies = ZooMaskOf({"synflow", "az_trainability"});
  ProxyEvaluator subset(CifarSample(), o);
  const ZooValues full = e.Zoo(cells[1]);
  const ProxyValues v = subset.Evaluate(cells[1]);
  const ZooValues z = subset.Zoo(cells[1]);
  for (const std::string_view name : kZooProxyNames) {
    if (ZooMaskHas(o.zoo_proxies, name)) {
      EXPECT_TRUE(same((*v.zoo)[name], full[name])) << name;
      EXPECT_TRUE(same(z[name], full[name])) << name;
    } else {
      EXPECT_TRUE(std::isnan((*v.zoo)[name])) << name;
      EXPECT_TRUE(std::isnan(z[name])) << name;
    }
  }
  EXPECT_EQ(ZooMaskOf({}), kNoZooProxies);
  EXPECT_THROW(ZooMaskOf({"meco", "naswot"}), ParseError);
  EXPECT_THROW(e.Zoo(cells[0], static_cast<ZooMask>(1u << kZooProxies)), ParseError);
  o.zoo_proxies = static_cast<ZooMask>(0xffff);
  EXPECT_THROW(ProxyEvaluator(CifarSample(), o), ParseError);
}

// ---------------------------------------------------------------------------------------
// The CLI: one cell's keys, and v2 tables sharded, resumed and built on a v1 table.

// The zoo's fast path over a DescribedNetwork (how FBNet networks are scored, described_proxies.h)
// gives the TinyNetwork's values: the same NAS-Bench-201 network described layer by layer
// (DescribeNetwork), its 18 layer features picked by name, through ZooOnNetwork. Float sums run
// in another order (dead edges included), so the values agree closely, not bit for bit.
TEST(ProxyZoo, DescribedNetworkGivesTheTinyNetworksValues) {
  const Cell cell = Space().CellAt(100);  // node 3 sums three edges: its output is one "sum" layer
  const std::uint64_t seed = proxy_internal::NetworkSeed(3, 0, cell);
  const proxy_internal::ZooBatches batches = proxy_internal::MakeZooBatches(LoadCifarImages(CifarSample()), 8, 32);
  const ZooMask asked = static_cast<ZooMask>(kAllZooProxies & ~ZooMaskOf("synflow"));
  TinyNetwork tiny = proxy_internal::BuildNetwork(cell, Dataset::kCifar10, seed);
  const NetworkDescription d = DescribeNetwork(*proxy_internal::BuildNetwork(cell, Dataset::kCifar10, seed), 32);
  const ZooValues expected = proxy_internal::FastZoo(tiny.get(), cell, Dataset::kCifar10, batches, seed, asked);

  std::vector<int> features;
  for (std::size_t i = 0; i < d.layers().size(); ++i) {
    const std::string& name = d.layers()[i].name;
    if (name == "stem/bn" || (name.rfind("cell", 0) == 0 && name.ends_with("/node3/sum")) ||
        (name.rfind("reduction", 0) == 0 && name.ends_with("/sum"))) {
      features.push_back(static_cast<int>(i));
    }
  }
  ASSERT_EQ(features.size(), 18u);
  DescribedNetwork net(d);
  net->train();
  const proxy_internal::ZooNetwork zoo_net = proxy_internal::DescribedZooNetwork(net, features);
  const ZooValues got = proxy_internal::ZooOnNetwork(&zoo_net, batches, seed, asked, expected["params"], expected["flops"]);
  for (const std::string_view name : kZooProxyNames) {
    SCOPED_TRACE(std::string(name));
    if (name == "synflow") {
      EXPECT_TRUE(std::isnan(got[name]));
      continue;
    }
    ASSERT_TRUE(std::isfinite(expected[name]));
    EXPECT_NEAR(got[name], expected[name], 1e-3 * std::abs(expected[name]) + 1e-6);
  }
}

TEST(ProxyZooCli, OneCellPrintsTheZooKeys) {
  const testing::CliResult r = testing::RunCli({"proxies", "--index", "77", "--dataset", "ImageNet16-120", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ProxyOptions o;
  o.dataset = Dataset::kImageNet16_120;
  o.zoo = true;
  const ZooValues direct = ProxyEvaluator(CifarSample(), o).Zoo(Space().CellAt(77));
  for (const std::string_view name : kZooProxyNames) {
    ASSERT_TRUE(j.contains(std::string(name))) << name;
    const nlohmann::json& v = j[std::string(name)];
    if (std::isfinite(direct[name])) {
      EXPECT_EQ(v.get<double>(), direct[name]) << name;
    } else {
      EXPECT_TRUE(v.is_null()) << name;
    }
  }
  for (const char* key : {"naswot", "logsynflow", "skip"}) EXPECT_TRUE(j.contains(key)) << key;
}

int Rows(const fs::path& table) {
  int rows = 0;
  const std::string text = ReadFile(table);
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    rows += !line.empty() && line[0] != '#' && line.rfind("index", 0) != 0 ? 1 : 0;
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return rows;
}

TEST(ProxyZooCli, ShardedAndResumedTableEqualsOneShotValues) {
  testing::TempDir dir;
  const std::string out = (dir / "zoo.csv").string();
  const std::vector<std::string> args = {"proxies", "--all",   "--dataset", "ImageNet16-120",
                                         "--shard", "3/3125", "--out",     out};
  const testing::CliResult first = testing::RunCli(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(Rows(out), 5);
  const ProxyTable table = LoadPartialProxyTable(out, Dataset::kImageNet16_120);
  ASSERT_EQ(table.zoo.size(), kZooProxyNames.size());
  EXPECT_EQ(ReadFile(out).rfind("# simnas proxy table v3\n", 0), 0u);
  EXPECT_NE(ReadFile(out).find(std::string(",") + std::string(kZooProxyNames.front())), std::string::npos);
  // One shot, in this process: the same values (tables keep 10 significant digits).
  ProxyOptions o;
  o.dataset = Dataset::kImageNet16_120;
  o.zoo = true;
  ProxyEvaluator evaluator(CifarSample(), o);
  const std::vector<int> indices = {2, 3127, 6252, 9377, 12502};
  for (int index : indices) {
    const auto i = static_cast<std::size_t>(index);
    const ProxyValues v = evaluator.Evaluate(Space().CellAt(index));
    EXPECT_NEAR(table.logsynflow[i], v.logsynflow, 1e-9 * v.logsynflow) << index;
    for (const std::string_view name : kZooProxyNames) {
      const double saved = table.zoo.at(std::string(name))[i], direct = (*v.zoo)[name];
      if (std::isinf(direct)) {
        EXPECT_EQ(saved, direct) << name << " " << index;
      } else {
        EXPECT_NEAR(saved, direct, 1e-9 * std::abs(direct)) << name << " " << index;
      }
    }
  }
  // Lose two rows (a kill before they were saved) and resume: the same table.
  std::string text = ReadFile(out);
  for (const char* row : {"\n3127,", "\n9377,"}) {
    const auto at = text.find(row);
    ASSERT_NE(at, std::string::npos);
    text.erase(at + 1, text.find('\n', at + 1) - at);
  }
  WriteFileAtomically(out, text);
  ASSERT_EQ(Rows(out), 3);
  const testing::CliResult resumed = testing::RunCli(args);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const ProxyTable again = LoadPartialProxyTable(out, Dataset::kImageNet16_120);
  for (int index : indices) {
    const auto i = static_cast<std::size_t>(index);
    EXPECT_EQ(again.naswot[i], table.naswot[i]) << index;
    for (const std::string_view name : kZooProxyNames) {
      EXPECT_EQ(again.zoo.at(std::string(name))[i], table.zoo.at(std::string(name))[i]) << name << " " << index;
    }
  }
  // A table without the zoo resumed with the zoo on: refused (its options differ), naming the zoo.
  const std::string v1 = (dir / "v1.csv").string();
  const testing::CliResult plain = testing::RunCli(
      {"proxies", "--all", "--dataset", "ImageNet16-120", "--shard", "3/3125", "--out", v1, "--no-zoo"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(ReadFile(v1).rfind("# simnas proxy table v3\n", 0), 0u);
  EXPECT_EQ(ReadFile(v1).find(std::string(",") + std::string(kZooProxyNames.front())), std::string::npos);
  const testing::CliResult mixed =
      testing::RunCli({"proxies", "--all", "--dataset", "ImageNet16-120", "--shard", "3/3125", "--out", v1});
  EXPECT_EQ(mixed.exit_code, 1);
  EXPECT_NE(mixed.err.find("zoo"), std::string::npos) << mixed.err;
  // --reuse-freerea: the v1 columns do not move, the zoo's equal the ones computed whole.
  const std::string added = (dir / "added.csv").string();
  const testing::CliResult reuse = testing::RunCli({"proxies", "--all", "--dataset", "ImageNet16-120", "--shard",
                                                    "3/3125", "--out", added, "--reuse-freerea", v1});
  ASSERT_EQ(reuse.exit_code, 0) << reuse.err;
  const ProxyTable base = LoadPartialProxyTable(v1, Dataset::kImageNet16_120);
  const ProxyTable v2 = LoadPartialProxyTable(added, Dataset::kImageNet16_120);
  EXPECT_NE(v2.provenance.at("freerea").find(v1), std::string::npos);
  for (int index : indices) {
    const auto i = static_cast<std::size_t>(index);
    EXPECT_EQ(v2.naswot[i], base.naswot[i]) << index;
    EXPECT_EQ(v2.logsynflow[i], base.logsynflow[i]) << index;
    EXPECT_EQ(v2.skip[i], base.skip[i]) << index;
    for (const std::string_view name : kZooProxyNames) {
      EXPECT_EQ(v2.zoo.at(std::string(name))[i], table.zoo.at(std::string(name))[i]) << name << " " << index;
    }
  }
}

// --reuse-features: MeCo and AZ-NAS's expressivity, progressivity and trainability read no
// classifier, so a CIFAR-100 table takes them from a CIFAR-10 one; the table equals the one
// computed whole, bit for bit, and a cell the source lacks is computed whole.
TEST(ProxyZoo, ReusesClassifierFreeColumnsFromAnotherDatasetsTable) {
  testing::TempDir dir;
  const std::string c10 = (dir / "c10.csv").string(), whole = (dir / "whole.csv").string();
  const std::string reused = (dir / "reused.csv").string();
  const std::vector<std::string> shard = {"--shard", "3/3125", "--threads", "1"};
  const auto args = [&](std::vector<std::string> a) {
    a.insert(a.end(), shard.begin(), shard.end());
    return a;
  };
  const testing::CliResult source = testing::RunCli(args({"proxies", "--all", "--dataset", "cifar10", "--out", c10}));
  ASSERT_EQ(source.exit_code, 0) << source.err;
  const testing::CliResult computed =
      testing::RunCli(args({"proxies", "--all", "--dataset", "cifar100", "--out", whole}));
  ASSERT_EQ(computed.exit_code, 0) << computed.err;
  // The source loses cell 9377's row: that cell is computed whole.
  std::string text = ReadFile(c10);
  const auto at = text.find("\n9377,");
  ASSERT_NE(at, std::string::npos);
  text.erase(at + 1, text.find('\n', at + 1) - at);
  WriteFileAtomically(c10, text);
  const testing::CliResult reuse =
      testing::RunCli(args({"proxies", "--all", "--dataset", "cifar100", "--out", reused, "--reuse-features", c10}));
  ASSERT_EQ(reuse.exit_code, 0) << reuse.err;

  const ProxyTable a = LoadPartialProxyTable(whole, Dataset::kCifar100);
  const ProxyTable b = LoadPartialProxyTable(reused, Dataset::kCifar100);
  const ProxyTable s = LoadPartialProxyTableOfAnyDataset(c10);
  EXPECT_NE(b.provenance.at("features").find(c10), std::string::npos);
  EXPECT_NE(b.provenance.at("command").find("--reuse-features"), std::string::npos);
  for (int index : {2, 3127, 6252, 9377, 12502}) {
    const auto i = static_cast<std::size_t>(index);
    EXPECT_EQ(b.naswot[i], a.naswot[i]) << index;
    EXPECT_EQ(b.logsynflow[i], a.logsynflow[i]) << index;
    for (const std::string_view name : kZooProxyNames) {
      const std::string n(name);
      EXPECT_EQ(b.zoo.at(n)[i], a.zoo.at(n)[i]) << n << " " << index;
      if (ZooMaskHas(ClassifierFreeZooProxies(), name) && index != 9377) {
        EXPECT_EQ(b.zoo.at(n)[i], s.zoo.at(n)[i]) << n << " " << index;  // copied
      }
    }
  }
  // The classifier-dependent columns do differ between the datasets (the copy is not of everything).
  EXPECT_NE(s.zoo.at("params")[2], b.zoo.at("params")[2]);
  // Another input size: refused in one line naming both.
  const testing::CliResult wrong = testing::RunCli(args(
      {"proxies", "--all", "--dataset", "ImageNet16-120", "--out", (dir / "in.csv").string(), "--reuse-features", c10}));
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("16x16"), std::string::npos) << wrong.err;
  EXPECT_EQ(std::count(wrong.err.begin(), wrong.err.end(), '\n'), 1) << wrong.err;
}

}  // namespace
}  // namespace simnas
