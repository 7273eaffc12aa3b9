#include "simnas/core/latency_value.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "simnas/core/strings.h"

namespace simnas {

bool IsDecimalComma(std::string_view text) {
  const std::string_view t = Trim(text);
  const std::size_t comma = t.find(',');
  if (comma == std::string_view::npos || t.find(',', comma + 1) != std::string_view::npos) return false;
  std::string dotted(t);
  dotted[comma] = '.';
  return comma > 0 && comma + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[comma - 1])) &&
         std::isdigit(static_cast<unsigned char>(t[comma + 1])) && ParsePlainDecimal(dotted).has_value();
}

std::string DecimalCommaProblem(std::string_view text) {
  return fmt::format("{} has a decimal comma; numbers are read with a decimal point (run the program with "
                     "LC_NUMERIC=C or LC_ALL=C)",
                     Quoted(Trim(text)));
}

std::optional<double> ParsePlainDecimal(std::string_view text) {
  const std::string_view t = Trim(text);
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    return i - from;
  };
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  std::size_t mantissa = digits();
  if (i < t.size() && t[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return std::nullopt;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  // An underflow reads as a tiny (or zero) value, which LatencyProblem refuses by its range.
  const std::string s(t);
  const double v = std::strtod(s.c_str(), nullptr);
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

std::string LatencyProblem(double ms) {
  if (!std::isfinite(ms) || ms <= 0) return "not a finite positive number of ms";
  if (ms < kMinLatencyMs || ms > kMaxLatencyMs) {
    return fmt::format("outside the plausible range [{:g}, {:g}] ms", kMinLatencyMs, kMaxLatencyMs);
  }
  return "";
}

std::optional<double> ParseLatencyMs(std::string_view text, std::string* problem) {
  const std::optional<double> v = ParsePlainDecimal(text);
  std::string why = v ? LatencyProblem(*v) : "not a plain decimal number of ms";
  if (why.empty()) return v;
  if (problem != nullptr) {
    *problem = IsDecimalComma(text) ? DecimalCommaProblem(text) : fmt::format("{} is {}", Quoted(Trim(text)), why);
  }
  return std::nullopt;
}

}  // namespace simnas
