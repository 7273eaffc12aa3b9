#include "simnas/data/latency_table.h"

#include <cmath>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/latency_value.h"
#include "simnas/core/strings.h"
#include "simnas/data/pickle.h"

namespace simnas {
namespace fs = std::filesystem;

bool LatencyTable::Has(int index) const {
  return index >= 0 && index < static_cast<int>(ms_.size()) && !std::isnan(ms_[static_cast<std::size_t>(index)]);
}

double LatencyTable::At(int index) const {
  if (!Has(index)) throw DataError(fmt::format("latency table {} has no value for architecture index {}", name_, index));
  return ms_[static_cast<std::size_t>(index)];
}

int LatencyTable::CountKnown() const {
  int n = 0;
  for (double v : ms_) n += std::isnan(v) ? 0 : 1;
  return n;
}

std::vector<int> LatencyTable::KnownIndices() const {
  std::vector<int> out;
  for (std::size_t i = 0; i < ms_.size(); ++i) {
    if (!std::isnan(ms_[i])) out.push_back(static_cast<int>(i));
  }
  return out;
}

namespace {

void CheckLatency(const fs::path& path, std::size_t where, double v) {
  if (const std::string problem = LatencyProblem(v); !problem.empty()) {
    throw DataError(fmt::format("{}: latency of architecture {} is {}, {}", path.string(), where, v, problem));
  }
}

}  // namespace

LatencyTable LoadPickledLatencyTable(const fs::path& path, int size) {
  if (!fs::exists(path)) throw DataError(fmt::format("{}: no such latency table", path.string()));
  std::vector<double> ms = LoadPickledNumberList(path);
  if (ms.size() != static_cast<std::size_t>(size)) {
    throw DataError(fmt::format("{}: expected {} latencies, found {}", path.string(), size, ms.size()));
  }
  for (std::size_t i = 0; i < ms.size(); ++i) CheckLatency(path, i, ms[i]);
  return LatencyTable(path.stem().string(), std::move(ms));
}

LatencyTable LoadLatencyCsv(const fs::path& path, int size, std::vector<CsvArchCell>* arch_cells) {
  if (!fs::exists(path)) throw DataError(fmt::format("{}: no such latency table", path.string()));
  const std::string text = ReadFile(path);
  std::vector<double> ms(static_cast<std::size_t>(size), std::numeric_limits<double>::quiet_NaN());
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  int rows = 0;
  std::size_t arch_column = 0;  // 0: none
  std::size_t columns = 0;      // of the header; 0: no header
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view body = Trim(line);
    if (body.empty() || body.front() == '#') continue;
    const std::vector<std::string> fields = Split(body, ',');
    if (fields.size() >= 2 && Trim(fields[0]) == "index") {  // header
      columns = fields.size();
      for (std::size_t k = 0; k < fields.size(); ++k) {
        if (Trim(fields[k]) == "arch") arch_column = k;
      }
      continue;
    }
    if (fields.size() < 2) {
      throw DataError(fmt::format("{}:{}: expected 'index,ms', found {}", path.string(), line_no, Quoted(body)));
    }
    // More fields than the header names: a decimal comma ("3,9,76") would read as another number.
    if (columns > 0 && fields.size() > columns) {
      throw DataError(fmt::format("{}:{}: {} fields, the header names {} (a decimal comma?)", path.string(), line_no,
                                  fields.size(), columns));
    }
    const auto index = ParseInt(fields[0]);
    if (!index || *index < 0 || *index >= size) {
      throw DataError(fmt::format("{}:{}: {} is not an architecture index in [0, {})", path.string(), line_no,
                                  Quoted(fields[0]), size));
    }
    std::string problem;
    const auto value = ParseLatencyMs(fields[1], &problem);
    if (!value) throw DataError(fmt::format("{}:{}: latency {}", path.string(), line_no, problem));
    if (arch_cells != nullptr && arch_column > 0 && arch_column < fields.size() && !Trim(fields[arch_column]).empty()) {
      arch_cells->push_back({static_cast<int>(*index), std::string(Trim(fields[arch_column])), line_no});
    }
    double& slot = ms[static_cast<std::size_t>(*index)];
    if (!std::isnan(slot)) {
      throw DataError(fmt::format("{}:{}: architecture index {} appears twice", path.string(), line_no, *index));
    }
    slot = *value;
    ++rows;
  }
  if (rows == 0) throw DataError(fmt::format("{}: no latency rows", path.string()));
  return LatencyTable(path.stem().string(), std::move(ms));
}

void SaveLatencyCsv(const fs::path& path, const std::vector<std::string>& comments,
                    const std::vector<LatencyCsvRow>& rows) {
  std::string out;
  for (const std::string& c : comments) out += "# " + c + "\n";
  out += "index,ms,spread,repeats,arch\n";
  for (const LatencyCsvRow& r : rows) {
    out += fmt::format("{},{},{:.4g},{},{}\n", r.index, r.ms, r.spread, r.repeats, r.arch);  // ms: shortest exact
  }
  WriteFileAtomically(path, out);
}

}  // namespace simnas
