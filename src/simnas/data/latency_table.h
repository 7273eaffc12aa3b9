// A latency table: one latency in milliseconds per NATS-Bench index. Benchmark tables
// (HELP .pt files) are complete; tables that simnas writes from a live device (CSV) may
// hold only a measured sample.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace simnas {

class ArchNumbering;
class SearchSpace;

class LatencyTable {
 public:
  LatencyTable() = default;
  // `ms` indexed by NATS-Bench index; NaN marks a cell that was not measured.
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

// Loads a HELP `.pt` table (must be complete: 15,625 values) or a simnas CSV (`index,ms[,...]`
// rows; '#' comments; a header row). Every latency follows core/latency_value.h (what a device
// program's output must be too): plain decimal in a CSV, inside the plausible range. The table
// is named after the file's stem. Throws DataError naming the file and the first bad entry.
// With `space`, a CSV row's `arch` column (when the header names one) must be the cell of
// its index, or the file is refused.
LatencyTable LoadLatencyTable(const std::filesystem::path& path, const SearchSpace* space = nullptr);

// The same CSV for the architectures of any numbering (search_space/arch.h; e.g. HELP's 5,000
// FBNet networks, as `simnas --space fbnet measure-all` writes them): numbering.Count() slots,
// NaN where a row is missing; a row's index must be in [0, Count()) and its `arch` (when the
// header names the column) the architecture of that index. Throws DataError as above.
LatencyTable LoadLatencyCsv(const std::filesystem::path& path, const ArchNumbering& numbering);

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
