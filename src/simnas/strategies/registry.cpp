#include "simnas/strategies/registry.h"

#include <functional>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/strings.h"
#include "simnas/strategies/random_search.h"

namespace simnas {
namespace {

struct Entry {
  StrategyInfo info;
  std::function<std::unique_ptr<Strategy>()> make;
};

const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = {
      {{"random", "k distinct random cells measured; best feasible by proxy", false},
       [] { return std::make_unique<RandomSearch>(); }},
  };
  return entries;
}

}  // namespace

std::unique_ptr<Strategy> MakeStrategy(const std::string& name) {
  for (const Entry& e : Entries()) {
    if (e.info.name == name) return e.make();
  }
  std::string known;
  for (const Entry& e : Entries()) known += (known.empty() ? "" : ", ") + e.info.name;
  throw ParseError(fmt::format("unknown strategy {}; expected one of {}", Quoted(name), known));
}

std::vector<StrategyInfo> ListStrategies() {
  std::vector<StrategyInfo> out;
  for (const Entry& e : Entries()) out.push_back(e.info);
  return out;
}

std::string DefaultStrategyName() { return "random"; }

}  // namespace simnas
