// The zoo's names and masks (zoo.h); the proxies themselves are computed in the torch plugin
// (zoo_torch.cpp).
#include "simnas/proxies/zoo.h"

#include <string>

#include "simnas/core/error.h"

namespace simnas {

std::optional<int> ZooProxyIndex(std::string_view name) {
  for (std::size_t i = 0; i < kZooProxyNames.size(); ++i) {
    if (kZooProxyNames[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

double& ZooValues::operator[](std::string_view name) {
  const auto i = ZooProxyIndex(name);
  if (!i) throw ParseError(std::string("unknown zoo proxy '") + std::string(name) + "'");
  return values[static_cast<std::size_t>(*i)];
}

ZooMask ZooMaskOf(std::string_view name) {
  const auto i = ZooProxyIndex(name);
  if (!i) throw ParseError(std::string("unknown zoo proxy '") + std::string(name) + "'");
  return ZooBit(*i);
}

ZooMask ZooMaskOf(std::initializer_list<std::string_view> names) {
  ZooMask mask = kNoZooProxies;
  for (std::string_view name : names) mask = static_cast<ZooMask>(mask | ZooMaskOf(name));
  return mask;
}

bool ZooMaskHas(ZooMask mask, std::string_view name) { return (mask & ZooMaskOf(name)) != 0; }

ZooMask ClassifierFreeZooProxies() {
  return ZooMaskOf({"meco", "az_expressivity", "az_progressivity", "az_trainability"});
}

double ZooValues::operator[](std::string_view name) const { return const_cast<ZooValues&>(*this)[name]; }

}  // namespace simnas
