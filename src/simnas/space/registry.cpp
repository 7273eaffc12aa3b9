#include "simnas/space/registry.h"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {
namespace {

std::mutex& RegistryMutex() {
  static std::mutex m;
  return m;
}

std::vector<const Space*>& Registered() {
  static std::vector<const Space*> spaces;
  return spaces;
}

}  // namespace

std::vector<const Space*> Spaces() {
  std::vector<const Space*> all = BuiltInSpaces();
  std::lock_guard lock(RegistryMutex());
  all.insert(all.end(), Registered().begin(), Registered().end());
  return all;
}

const Space& FindSpace(std::string_view name) {
  std::string known;
  for (const Space* s : Spaces()) {
    if (s->name() == name) return *s;
    known += fmt::format("{}{}", known.empty() ? "" : ", ", s->name());
  }
  throw ParseError(fmt::format("unknown search space '{}' (known: {})", name, known));
}

const Space& DefaultSpace() { return FindSpace(kDefaultSpaceName); }

void RegisterSpace(const Space& space) {
  for (const Space* s : Spaces()) {
    if (s->name() == space.name()) throw Error(fmt::format("a search space named '{}' is already known", space.name()));
  }
  std::lock_guard lock(RegistryMutex());
  Registered().push_back(&space);
}

void UnregisterSpace(const Space& space) {
  std::lock_guard lock(RegistryMutex());
  auto& r = Registered();
  r.erase(std::remove(r.begin(), r.end(), &space), r.end());
}

}  // namespace simnas
