// Once-for-All's Samsung Note10 latency lookup table (ofa-mbv3/note10-lut/<r>_lookup_table.yaml,
// one file per resolution r = 160, 164, ..., 224): per operator, keyed by its kind and its input
// and output shapes, the count, mean and standard deviation of its measured latency (ms). The
// latency of an architecture is the sum of the means of its operators, with the keys built as
// upstream's tutorial/latency_table.py builds them (predict_network_latency_given_spec):
//   Conv-input:RxRx3-output:FxFx24                     the stem, F = (R + 1) / 2
//   expanded_conv-input:FxFxC-output:GxGxD-expand:M-kernel:K-stride:S-idskip:I-se:E-hs:H
//                                                      each MBConv block, the first block too
//                                                      (M = C * expansion; I = 1 on a residual
//                                                      block; E, H: SE and h-swish of its stage)
//   Conv_1-input:FxFx192-output:FxFx1152               final expand
//   AvgPool2D-input:FxFx1152-output:1x1x1152           global pooling
//   Conv_2-input:1x1x1152-output:1x1x1536              feature mix
//   Logits-input:1x1x1536-output:1000                  classifier
// The table was measured, the sum is a model of the phone (no interaction between operators).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "simnas/spaces/ofa_mbv3/ofa_arch.h"

namespace simnas {

struct OfaLutEntry {
  int count = 0;
  double mean_ms = 0.0;
  double std_ms = 0.0;
};

// The operator keys of `arch` at its resolution, in network order (upstream's form above).
std::vector<std::string> OfaNote10OperatorKeys(const OfaArch& arch);

class OfaNote10LookupTable {
 public:
  // Reads every <r>_lookup_table.yaml in `folder`. Throws DataError naming the file and the
  // entry that is not an operator with a count and a finite non-negative mean, or when the
  // folder holds no table.
  static OfaNote10LookupTable Load(const std::filesystem::path& folder);
  // One resolution's table from its YAML text (`source` names it in messages).
  void AddResolution(int resolution, const std::string& yaml, const std::string& source);

  // Resolutions with a table, ascending.
  std::vector<int> Resolutions() const;
  bool Covers(int resolution) const { return tables_.count(resolution) != 0; }
  // Sum of the operators' mean latencies (ms). Throws DataError in one line when the table has
  // no file for the architecture's resolution (naming the ones it has) or lacks an operator
  // (naming its key).
  double LatencyMs(const OfaArch& arch) const;

 private:
  std::map<int, std::map<std::string, OfaLutEntry>> tables_;
};

}  // namespace simnas
