#include "simnas/strategies/strategy.h"

#include "simnas/core/error.h"
#include "simnas/monotonicity/srcc.h"

namespace simnas {

const LatencyTable& ProxyDeviceTable(const SearchContext& context) {
  if (context.proxy != nullptr) return *context.proxy;
  const std::vector<const LatencyTable*>& tables = context.train_tables;
  if (tables.empty()) throw Error("search: no train table to rank the candidates by");
  return *tables[tables.size() == 1 ? 0 : ChooseProxyDevice(tables)];
}

}  // namespace simnas
