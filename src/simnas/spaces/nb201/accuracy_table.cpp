#include "simnas/spaces/nb201/accuracy_table.h"

#include <cmath>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/strings.h"
#include "simnas/spaces/nb201/cell.h"

namespace simnas {

AccuracyTable LoadAccuracyTable(const std::filesystem::path& path, Dataset dataset) {
  const std::string text = ReadFile(path);
  AccuracyTable table{dataset, std::vector<double>(kNumCells, std::numeric_limits<double>::quiet_NaN())};
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  int rows = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view body = Trim(line);
    if (body.empty() || body.front() == '#') continue;
    std::istringstream fields{std::string(body)};
    std::string index_text, acc_text;
    fields >> index_text >> acc_text;
    const auto index = ParseDouble(index_text);
    const auto acc = ParseDouble(acc_text);
    if (!index || *index != std::floor(*index) || *index < 0 || *index >= kNumCells) {
      throw DataError(fmt::format("{}:{}: {} is not an architecture index", path.string(), line_no,
                                  Quoted(index_text)));
    }
    if (!acc || *acc < 0 || *acc > 100) {
      throw DataError(fmt::format("{}:{}: accuracy {} is not a percentage", path.string(), line_no, Quoted(acc_text)));
    }
    double& slot = table.test_accuracy[static_cast<std::size_t>(*index)];
    if (!std::isnan(slot)) {
      throw DataError(fmt::format("{}:{}: architecture index {} appears twice", path.string(), line_no, *index));
    }
    slot = *acc;
    ++rows;
  }
  for (std::size_t i = 0; i < table.test_accuracy.size(); ++i) {
    if (std::isnan(table.test_accuracy[i])) {
      throw DataError(fmt::format("{}: architecture index {} is missing ({} of {} rows present)", path.string(), i,
                                  rows, kNumCells));
    }
  }
  return table;
}

}  // namespace simnas
