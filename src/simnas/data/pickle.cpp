#include "simnas/data/pickle.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/data/torch_save.h"

namespace simnas {
namespace {

using Kind = PickleObject::Kind;

// The pickled list at `path`; throws DataError naming the file and what it holds instead.
std::vector<PickleRef> LoadList(const std::filesystem::path& path, std::string_view of) {
  const PickleRef value = LoadTorchSave(path);
  if (value->kind != Kind::kList) {
    throw DataError(fmt::format("{}: expected a pickled list of {}, found {}", path.string(), of, value->Describe()));
  }
  return value->items;
}

}  // namespace

std::vector<double> LoadPickledNumberList(const std::filesystem::path& path) {
  const std::vector<PickleRef> list = LoadList(path, "latencies");
  std::vector<double> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const PickleObject& item = *list[i];
    if (item.kind != Kind::kInt && item.kind != Kind::kFloat) {
      throw DataError(fmt::format("{}: entry {} is {}, not a number", path.string(), i, item.Describe()));
    }
    out.push_back(item.kind == Kind::kInt ? static_cast<double>(item.integer) : item.real);
  }
  return out;
}

std::vector<std::pair<std::string, long long>> LoadPickledStringIntDict(const std::filesystem::path& path) {
  const PickleRef value = LoadTorchSave(path);
  if (value->kind != Kind::kDict) {
    throw DataError(fmt::format("{}: expected a pickled dict, found {}", path.string(), value->Describe()));
  }
  std::vector<std::pair<std::string, long long>> out;
  out.reserve(value->items.size() / 2);
  for (std::size_t i = 0; i + 1 < value->items.size(); i += 2) {
    const PickleObject& key = *value->items[i];
    const PickleObject& item = *value->items[i + 1];
    if (key.kind != Kind::kString || item.kind != Kind::kInt) {
      throw DataError(fmt::format("{}: entry {} -> {} is not a string -> int pair", path.string(), key.Describe(),
                                  item.Describe()));
    }
    out.emplace_back(key.text, item.integer);
  }
  return out;
}

std::vector<std::vector<long long>> LoadPickledIntLists(const std::filesystem::path& path) {
  const std::vector<PickleRef> list = LoadList(path, "lists");
  std::vector<std::vector<long long>> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i]->kind != Kind::kList) {
      throw DataError(fmt::format("{}: entry {} is {}, not a list", path.string(), i, list[i]->Describe()));
    }
    std::vector<long long> row;
    row.reserve(list[i]->items.size());
    for (const PickleRef& v : list[i]->items) {
      if (v->kind != Kind::kInt) {
        throw DataError(fmt::format("{}: entry {} holds {}, not an int", path.string(), i, v->Describe()));
      }
      row.push_back(v->integer);
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace simnas
