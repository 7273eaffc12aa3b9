#include "simnas/data/pickle.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/data/torch_save.h"

namespace simnas {

std::vector<double> LoadPickledNumberList(const std::filesystem::path& path) {
  const PickleValue value = LoadTorchSave(path);
  if (!value.is_list()) {
    throw DataError(fmt::format("{}: expected a pickled list of latencies, found {}", path.string(), value.KindName()));
  }
  const PickleValue::Items& list = value.AsItems();
  std::vector<double> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const PickleValue& item = list[i];
    if (item.is_int()) {
      out.push_back(static_cast<double>(item.AsInt()));
    } else if (item.is_double()) {
      out.push_back(item.AsDouble());
    } else {
      throw DataError(fmt::format("{}: entry {} is a {}, not a number", path.string(), i, item.KindName()));
    }
  }
  return out;
}

std::vector<std::pair<std::string, long long>> LoadPickledStringIntDict(const std::filesystem::path& path) {
  const PickleValue value = LoadTorchSave(path);
  if (!value.is_dict()) {
    throw DataError(fmt::format("{}: expected a pickled dict, found {}", path.string(), value.KindName()));
  }
  std::vector<std::pair<std::string, long long>> out;
  out.reserve(value.AsEntries().size());
  for (const auto& [key, item] : value.AsEntries()) {
    if (!key.is_string() || !item.is_int()) {
      throw DataError(fmt::format("{}: entry {} -> {} is not a string -> int pair", path.string(), key.KindName(),
                                  item.KindName()));
    }
    out.emplace_back(key.AsString(), item.AsInt());
  }
  return out;
}

std::vector<std::vector<long long>> LoadPickledIntLists(const std::filesystem::path& path) {
  const PickleValue value = LoadTorchSave(path);
  if (!value.is_list()) {
    throw DataError(fmt::format("{}: expected a pickled list of lists, found {}", path.string(), value.KindName()));
  }
  const PickleValue::Items& list = value.AsItems();
  std::vector<std::vector<long long>> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const PickleValue& item = list[i];
    if (!item.is_list()) {
      throw DataError(fmt::format("{}: entry {} is a {}, not a list", path.string(), i, item.KindName()));
    }
    std::vector<long long> row;
    row.reserve(item.AsItems().size());
    for (const PickleValue& v : item.AsItems()) {
      if (!v.is_int()) {
        throw DataError(fmt::format("{}: entry {} holds a {}, not an int", path.string(), i, v.KindName()));
      }
      row.push_back(v.AsInt());
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace simnas
