// A latency table: one latency in milliseconds per numbered architecture of a search space
// (space/candidates.h). Benchmark tables (HELP .pt files) are complete; tables that simnas
// writes from a live device (CSV) may hold only a measured sample.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace simnas {

class LatencyTable {
 public:
  LatencyTable() = default;
  // `ms` indexed by numbering index; NaN marks an architecture that was not measured.
  LatencyTable(std::string name, std::vector<double> ms) : name_(std::move(name)), ms_(std::move(ms)) {}

  const std::string& name() const { return name_; }
  bool Has(int index) const;
  // Throws DataError if the cell is not in the table.
  double At(int index) const;
  const std::vector<double>& values() const { return ms_; }
  int CountKnown() const;
  bool Complete() const { return CountKnown() == static_cast<int>(ms_.size()) && !ms_.empty(); }
  // Indices with a value, ascending.
  std::vector<int> KnownIndices() const;

 private:
  std::string name_;
  std::vector<double> ms_;
};

// Loads a `torch.save` list of `size` latencies (a HELP `.pt` table). Every latency follows
// core/latency_value.h (what a device program's output must be too): inside the plausible
// range. The table is named after the file's stem. Throws DataError naming the file and the
// first bad entry.
LatencyTable LoadPickledLatencyTable(const std::filesystem::path& path, int size);

// The `arch` field of a CSV row, for the caller to check against its numbering.
struct CsvArchCell {
  int index;
  std::string arch;
  int line;
};
// Loads a simnas CSV table (`index,ms[,...]` rows; '#' comments; a header row) of `size` slots,
// NaN where a row is missing; latencies in plain decimal (core/latency_value.h). The table is named after the file's stem. Throws DataError naming
// the file, the line and the problem. `arch_cells` (optional) gets the non-empty `arch` fields
// when the header names that column.
LatencyTable LoadLatencyCsv(const std::filesystem::path& path, int size, std::vector<CsvArchCell>* arch_cells = nullptr);

// Writes a CSV table atomically (latencies in the shortest form that reads back exactly):
// comment lines (each prefixed with "# "), a header
// "index,ms,spread,repeats,arch", then one row per known cell. `spread`, `repeats` and
// `arch` may be empty vectors (columns left blank).
struct LatencyCsvRow {
  int index;
  double ms;
  double spread;
  int repeats;
  std::string arch;
};
void SaveLatencyCsv(const std::filesystem::path& path, const std::vector<std::string>& comments,
                    const std::vector<LatencyCsvRow>& rows);

}  // namespace simnas
