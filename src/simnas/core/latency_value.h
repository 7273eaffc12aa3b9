// What simnas accepts as a latency read from outside: a device program's output, a table file
// (CSV or torch.save), a timing tool's summary. One rule for all of them:
//   - written in plain decimal ("12.5", "3", ".5", "1.2e1"), never "0x10", "0x1p3", "inf", "nan";
//   - a finite positive number of milliseconds inside the plausible range
//     [kMinLatencyMs, kMaxLatencyMs] (1 ns to 1000 s for one inference), which also keeps out
//     denormals and overflowing values such as 1e-300 or 1e308.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace simnas {

inline constexpr double kMinLatencyMs = 1e-6;  // 1 ns
inline constexpr double kMaxLatencyMs = 1e6;   // 1000 s for one inference

// Whether `text` is a number written with a decimal comma ("9,76404", "-0,5"): a localized
// number that plain decimal reading must not take for another one.
bool IsDecimalComma(std::string_view text);
// "'9,7' has a decimal comma; numbers are read with a decimal point (run the program with
// LC_NUMERIC=C or LC_ALL=C)".
std::string DecimalCommaProblem(std::string_view text);

// A number in plain decimal notation (optional sign, digits with an optional '.', an optional
// decimal exponent; surrounding blanks ignored) that does not overflow a double; nullopt
// otherwise. An underflow reads as a tiny or zero value.
std::optional<double> ParsePlainDecimal(std::string_view text);

// Why `ms` is not a latency ("not a finite positive number of ms", "outside the plausible range
// [1e-06, 1e+06] ms"), or an empty string when it is one.
std::string LatencyProblem(double ms);

// `text` as a latency in ms (ParsePlainDecimal, then LatencyProblem); on failure nullopt and,
// in `problem` when given, why: "'0x10' is not a plain decimal number of ms", "'1e308' is
// outside the plausible range [1e-06, 1e+06] ms", "'9,7' has a decimal comma ...".
std::optional<double> ParseLatencyMs(std::string_view text, std::string* problem = nullptr);

}  // namespace simnas
