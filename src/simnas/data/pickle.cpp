#include "simnas/data/pickle.h"

#include <torch/torch.h>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"

namespace simnas {
namespace {

c10::IValue LoadIValue(const std::filesystem::path& path) {
  const std::vector<char> bytes = ReadFileBytes(path);
  if (bytes.empty()) throw DataError(fmt::format("{}: file is empty", path.string()));
  try {
    return torch::pickle_load(bytes);
  } catch (const std::exception& e) {
    std::string what = e.what();
    if (const auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
    throw DataError(fmt::format("{}: not a readable torch.save file ({})", path.string(), what));
  }
}

}  // namespace

std::vector<double> LoadPickledNumberList(const std::filesystem::path& path) {
  const c10::IValue value = LoadIValue(path);
  if (!value.isList()) {
    throw DataError(fmt::format("{}: expected a pickled list of latencies, found {}", path.string(),
                                value.tagKind()));
  }
  const auto list = value.toListRef();
  std::vector<double> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const c10::IValue& item = list[i];
    if (item.isInt()) {
      out.push_back(static_cast<double>(item.toInt()));
    } else if (item.isDouble()) {
      out.push_back(item.toDouble());
    } else {
      throw DataError(fmt::format("{}: entry {} is a {}, not a number", path.string(), i, item.tagKind()));
    }
  }
  return out;
}

std::vector<std::pair<std::string, long long>> LoadPickledStringIntDict(const std::filesystem::path& path) {
  const c10::IValue value = LoadIValue(path);
  if (!value.isGenericDict()) {
    throw DataError(fmt::format("{}: expected a pickled dict, found {}", path.string(), value.tagKind()));
  }
  std::vector<std::pair<std::string, long long>> out;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString() || !entry.value().isInt()) {
      throw DataError(fmt::format("{}: entry {} -> {} is not a string -> int pair", path.string(),
                                  entry.key().tagKind(), entry.value().tagKind()));
    }
    out.emplace_back(entry.key().toStringRef(), entry.value().toInt());
  }
  return out;
}

std::vector<std::vector<long long>> LoadPickledIntLists(const std::filesystem::path& path) {
  const c10::IValue value = LoadIValue(path);
  if (!value.isList()) {
    throw DataError(fmt::format("{}: expected a pickled list of lists, found {}", path.string(), value.tagKind()));
  }
  const auto list = value.toListRef();
  std::vector<std::vector<long long>> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const c10::IValue& item = list[i];
    if (!item.isList()) {
      throw DataError(fmt::format("{}: entry {} is a {}, not a list", path.string(), i, item.tagKind()));
    }
    std::vector<long long> row;
    for (const c10::IValue& v : item.toListRef()) {
      if (!v.isInt()) {
        throw DataError(fmt::format("{}: entry {} holds a {}, not an int", path.string(), i, v.tagKind()));
      }
      row.push_back(v.toInt());
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace simnas
