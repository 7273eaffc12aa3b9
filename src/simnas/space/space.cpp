#include "simnas/space/space.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"

namespace simnas {

std::string Space::PositionName(int position) const { return fmt::format("position {}", position); }

std::string Space::ChoiceName(int /*position*/, int choice) const { return std::to_string(choice); }

int Space::ReferenceChoice(int /*position*/) const { return 0; }

void Space::Canonicalize(Arch::Choices& /*choices*/) const {}

Arch Space::MakeArch(Arch::Choices c) const {
  if (static_cast<int>(c.size()) != positions()) {
    throw ParseError(fmt::format("a {} {} has {} positions, got {}", name(), arch_noun(), positions(), c.size()));
  }
  for (int p = 0; p < positions(); ++p) {
    if (c[static_cast<std::size_t>(p)] >= choices(p)) {
      throw ParseError(fmt::format("{} {}: choice {} at {} is outside [0, {})", name(), arch_noun(),
                                   c[static_cast<std::size_t>(p)], PositionName(p), choices(p)));
    }
  }
  Canonicalize(c);
  return Arch(*this, std::move(c));
}

std::optional<std::int64_t> Space::SpaceSize() const {
  std::int64_t n = 1;
  for (int p = 0; p < positions(); ++p) {
    if (n > (std::int64_t{1} << 62) / choices(p)) return std::nullopt;
    n *= choices(p);
  }
  return n;
}

Arch Space::RandomArch(std::mt19937_64& rng) const {
  Arch::Choices c(static_cast<std::size_t>(positions()));
  for (int p = 0; p < positions(); ++p) {
    std::uniform_int_distribution<int> pick(0, choices(p) - 1);
    c[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(pick(rng));
  }
  Canonicalize(c);
  return Arch(*this, std::move(c));
}

Arch Space::Mutate(const Arch& arch, std::mt19937_64& rng) const {
  CheckSpace(arch);
  std::uniform_int_distribution<int> pick_position(0, positions() - 1);
  const int p = pick_position(rng);
  std::uniform_int_distribution<int> pick_choice(0, choices(p) - 2);
  int c = pick_choice(rng);
  if (c >= arch.choice(p)) ++c;  // skip the current choice
  Arch::Choices out = arch.choices();
  out[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(c);
  Canonicalize(out);
  return Arch(*this, std::move(out));
}

std::vector<Arch> Space::Neighbours(const Arch& arch) const {
  CheckSpace(arch);
  std::vector<Arch> out;
  std::set<Arch> seen{arch};
  for (int p = 0; p < positions(); ++p) {
    for (int c = 0; c < choices(p); ++c) {
      if (c == arch.choice(p)) continue;
      Arch::Choices next = arch.choices();
      next[static_cast<std::size_t>(p)] = static_cast<std::uint8_t>(c);
      Canonicalize(next);
      Arch neighbour(*this, std::move(next));
      if (seen.insert(neighbour).second) out.push_back(std::move(neighbour));
    }
  }
  return out;
}

std::vector<DataFileSpec> Space::DataFiles() const { return {}; }

bool Space::IsTestDevice(std::string_view device) const {
  const std::vector<std::string> test = TestDevices();
  return std::find(test.begin(), test.end(), device) != test.end();
}

std::vector<Dataset> Space::AccuracyDatasets() const { return {}; }

std::vector<double> Space::LoadAccuracy(const DataDir& /*dir*/, Dataset dataset) const {
  throw DataError(fmt::format("the {} space has no measured accuracy for {}", name(), DatasetName(dataset)));
}

std::vector<std::string> Space::OwnDeviceNames() const { return {}; }

std::unique_ptr<SpaceDevice> Space::OpenOwnDevice(const std::string& /*name*/, const SpaceData& /*data*/) const {
  return nullptr;
}

std::vector<std::string> Space::ScoreSources() const { return {}; }

std::string Space::ScoreName(std::string_view source) const { return std::string(source); }

std::vector<double> Space::Scores(std::string_view source, const CandidateSet& /*candidates*/,
                                  const SpaceData& /*data*/) const {
  const std::vector<std::string> known = ScoreSources();
  throw ParseError(fmt::format("score {}: the {} space computes {}", Quoted(source), name(),
                               known.empty() ? std::string("no score of its own") : fmt::format("{}", fmt::join(known, ", "))));
}

int Space::InputSize(const Arch& /*arch*/, Dataset dataset) const { return simnas::InputSize(dataset); }

std::string Space::InputSizeProblem(int n) const {
  return n < 4 || n > 1024 ? fmt::format("{} networks take 4 to 1024 pixels per side", name()) : "";
}

std::string_view Space::DefaultStrategy() const { return "safe-climb"; }

std::string_view Space::DefaultControllerProcess() const { return "picker"; }

ProxyNetwork Space::DescribeForProxies(const Arch& /*arch*/, Dataset /*dataset*/, std::uint64_t /*seed*/) const {
  throw ParseError(fmt::format("the {} space has no training-free proxies", name()));
}

std::string_view Space::FastProxyEntry() const { return ""; }

std::optional<ScoreTable> Space::ComputedScores(const CandidateSet& /*candidates*/, std::string_view /*source*/) const {
  return std::nullopt;
}

std::string_view Space::DefaultSyntheticOptions() const { return "paper"; }

std::vector<int> Space::PositionStages() const {
  std::vector<int> stages(static_cast<std::size_t>(positions()));
  for (int p = 0; p < positions(); ++p) stages[static_cast<std::size_t>(p)] = p;
  return stages;
}

bool Space::HasDeadPositions() const { return false; }

std::vector<std::uint8_t> Space::LivePositions(const Arch& arch) const {
  CheckSpace(arch);
  return std::vector<std::uint8_t>(static_cast<std::size_t>(positions()), 1);
}

bool Space::ArchitecturesCarryInputSize() const { return false; }

std::vector<std::string> Space::EncodingNames() const { return {"onehot"}; }

namespace {

[[noreturn]] void UnknownEncoding(const Space& space, std::string_view encoding) {
  std::string known;
  for (const std::string& n : space.EncodingNames()) known += (known.empty() ? "" : ", ") + n;
  throw ParseError(fmt::format("encoding {}: the {} space knows {}", encoding, space.name(), known));
}

}  // namespace

int Space::FeatureCount(std::string_view encoding) const {
  if (encoding != "onehot") UnknownEncoding(*this, encoding);
  int n = 1;
  for (int p = 0; p < positions(); ++p) n += choices(p) - 1;
  return n;
}

Eigen::VectorXd Space::Encode(const Arch& arch, std::string_view encoding) const {
  if (encoding != "onehot") UnknownEncoding(*this, encoding);
  CheckSpace(arch);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(FeatureCount(encoding));
  x(0) = 1;
  int offset = 1;
  for (int p = 0; p < positions(); ++p) {
    const int ref = ReferenceChoice(p);
    const int c = arch.choice(p);
    if (c != ref) x(offset + (c < ref ? c : c - 1)) = 1;
    offset += choices(p) - 1;
  }
  return x;
}

void Space::CheckSpace(const Arch& arch) const {
  if (arch.empty() || &arch.space() != this) {
    throw Error(fmt::format("{} is {}, not a {} {}", arch.empty() ? "an empty architecture" : arch.ToString(),
                            arch.empty() ? "of no space" : fmt::format("a {} {}", arch.space_name(), arch.space().arch_noun()),
                            name(), arch_noun()));
  }
}

}  // namespace simnas
