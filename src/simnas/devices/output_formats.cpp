#include "simnas/devices/output_formats.h"

#include <cmath>
#include <optional>
#include <regex>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/latency_value.h"
#include "simnas/core/strings.h"
#include "simnas/devices/command_device.h"

namespace simnas {
namespace {

struct FormatName {
  OutputFormat format;
  std::string_view name;
};
constexpr FormatName kNames[] = {
    {OutputFormat::kAuto, "auto"},
    {OutputFormat::kPlain, "plain"},
    {OutputFormat::kJson, "json"},
    {OutputFormat::kTrtexec, "trtexec"},
    {OutputFormat::kBenchmarkApp, "benchmark_app"},
    {OutputFormat::kTfliteBenchmarkModel, "benchmark_model"},
    {OutputFormat::kOrtPerfTest, "onnxruntime_perf_test"},
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  for (std::string line : Split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string FirstNonEmptyLine(const std::string& text) {
  for (const std::string& line : Lines(text)) {
    const std::string_view t = Trim(line);
    if (!t.empty()) return std::string(t.substr(0, 80)) + (t.size() > 80 ? "..." : "");
  }
  return "";
}

// A number as a tool printed it. A decimal comma (a localized build: "median = 9,76404 ms") is
// refused, not read as another number.
std::optional<double> ToolNumber(const std::string& number) {
  if (IsDecimalComma(number)) throw DeviceError(fmt::format("printed {}", DecimalCommaProblem(number)));
  return ParsePlainDecimal(number);
}

// A value with its unit in ms; nullopt for an unknown unit.
std::optional<double> ToMs(const std::string& number, std::string unit) {
  const auto v = ToolNumber(number);
  if (!v) return std::nullopt;
  if (unit == "ms") return *v;
  if (unit == "s" || unit == "sec") return *v * 1000;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return *v / 1000;  // us, µs (micro sign), μs (mu)
  return std::nullopt;
}

// A number; with a decimal comma too, which ToolNumber refuses.
const char* const kNumber = R"(([-+]?[0-9]*[.,]?[0-9]+(?:[eE][-+]?[0-9]+)?))";
const char* const kUnit = R"(\s*(ms|s|sec|us|\xC2\xB5s|\xCE\xBCs)\b)";

std::optional<Measurement> Trtexec(const std::vector<std::string>& lines) {
  // "[I] Latency: min = 9.11 ms, max = 11.7 ms, mean = 9.81 ms, median = 9.76 ms, ..." (not "H2D Latency").
  // The last summary of the log: earlier ones are warm-up runs.
  static const std::regex latency(R"((?:^|\]\s*)Latency:\s*min\s*=)");
  static const std::regex median(std::string(R"(median\s*=\s*)") + kNumber + kUnit);
  static const std::regex mean(std::string(R"(mean\s*=\s*)") + kNumber + kUnit);
  std::optional<Measurement> last;
  for (const std::string& line : lines) {
    if (!std::regex_search(line, latency)) continue;
    std::smatch m;
    if (std::regex_search(line, m, median) || std::regex_search(line, m, mean)) {
      if (const auto ms = ToMs(m[1], m[2])) last = Measurement{*ms, 0, 1};
    }
  }
  return last;
}

std::optional<Measurement> BenchmarkApp(const std::vector<std::string>& lines) {
  static const std::regex header(R"(^\s*\[\s*INFO\s*\]\s*Latency:\s*$)");
  static const std::regex inline_value(std::string(R"(^\s*\[\s*INFO\s*\]\s*Latency:\s*)") + kNumber + kUnit);
  static const std::regex median(std::string(R"(^\s*\[\s*INFO\s*\]\s*Median:\s*)") + kNumber + kUnit);
  static const std::regex average(std::string(R"(^\s*\[\s*INFO\s*\]\s*Average:\s*)") + kNumber + kUnit);
  static const std::regex count(R"(^\s*(?:\[\s*INFO\s*\]\s*)?Count:\s*([0-9]+)\s*iterations)");
  // The last summary of the log (a new "Latency:" block replaces an earlier one).
  std::optional<double> median_ms, average_ms;
  int repeats = 1;
  bool in_latency = false;
  for (const std::string& line : lines) {
    std::smatch m;
    if (std::regex_search(line, m, count)) repeats = std::max(1, std::stoi(m[1]));
    if (std::regex_search(line, header)) {
      in_latency = true;
      median_ms = average_ms = std::nullopt;
      continue;
    }
    if (std::regex_search(line, m, inline_value)) {
      median_ms = ToMs(m[1], m[2]);
      average_ms = std::nullopt;
      in_latency = false;
    }
    if (in_latency && std::regex_search(line, m, median)) median_ms = ToMs(m[1], m[2]);
    if (in_latency && std::regex_search(line, m, average)) average_ms = ToMs(m[1], m[2]);
  }
  if (median_ms) return Measurement{*median_ms, 0, repeats};
  if (average_ms) return Measurement{*average_ms, 0, repeats};
  return std::nullopt;
}

std::optional<Measurement> TfliteBenchmarkModel(const std::vector<std::string>& lines) {
  // Times in microseconds. The last "count=" line is the timed run (the first is warm-up).
  static const std::regex timings(std::string(R"(Inference timings in us:.*Inference \(avg\):\s*)") + kNumber);
  static const std::regex count_line(R"(^\s*count=([0-9]+)\s)");
  static const std::regex avg(std::string(R"(\bavg=)") + kNumber);
  static const std::regex median(std::string(R"(\bmedian=)") + kNumber);
  // Negative: not printed (std::optional here trips GCC 12's -Wmaybe-uninitialized).
  double avg_us = -1, median_us = -1, timings_us = -1;
  int repeats = 1;
  for (const std::string& line : lines) {
    std::smatch m;
    if (std::regex_search(line, m, timings)) timings_us = ToolNumber(m[1].str()).value_or(-1);
    if (std::regex_search(line, m, count_line)) {
      repeats = std::max(1, std::stoi(m[1]));
      avg_us = median_us = -1;
      if (std::regex_search(line, m, avg)) avg_us = ToolNumber(m[1].str()).value_or(-1);
      if (std::regex_search(line, m, median)) median_us = ToolNumber(m[1].str()).value_or(-1);
    }
  }
  if (median_us >= 0) return Measurement{median_us / 1000, 0, repeats};
  if (timings_us >= 0) return Measurement{timings_us / 1000, 0, repeats};
  if (avg_us >= 0) return Measurement{avg_us / 1000, 0, repeats};
  return std::nullopt;
}

std::optional<Measurement> OrtPerfTest(const std::vector<std::string>& lines) {
  static const std::regex p50(std::string(R"(^\s*P50 Latency:\s*)") + kNumber + kUnit);
  static const std::regex average(std::string(R"(^\s*Average inference time cost:\s*)") + kNumber + kUnit);
  static const std::regex requests(R"(^\s*Total inference requests:\s*([0-9]+))");
  std::optional<double> p50_ms, average_ms;
  int repeats = 1;
  for (const std::string& line : lines) {
    std::smatch m;
    if (std::regex_search(line, m, p50)) p50_ms = ToMs(m[1], m[2]);
    if (std::regex_search(line, m, average)) average_ms = ToMs(m[1], m[2]);
    if (std::regex_search(line, m, requests)) repeats = std::max(1, std::stoi(m[1]));
  }
  if (p50_ms) return Measurement{*p50_ms, 0, repeats};
  if (average_ms) return Measurement{*average_ms, 0, repeats};
  return std::nullopt;
}

std::optional<Measurement> Tool(OutputFormat format, const std::vector<std::string>& lines) {
  switch (format) {
    case OutputFormat::kTrtexec: return Trtexec(lines);
    case OutputFormat::kBenchmarkApp: return BenchmarkApp(lines);
    case OutputFormat::kTfliteBenchmarkModel: return TfliteBenchmarkModel(lines);
    case OutputFormat::kOrtPerfTest: return OrtPerfTest(lines);
    default: return std::nullopt;
  }
}

Measurement Checked(Measurement m, OutputFormat format) {
  if (const std::string problem = LatencyProblem(m.latency_ms); !problem.empty()) {
    throw DeviceError(
        fmt::format("printed a {} latency of {} ms, {}", OutputFormatName(format), m.latency_ms, problem));
  }
  return m;
}

}  // namespace

std::optional<Measurement> FindToolSummary(const std::string& text, OutputFormat format) {
  const std::vector<std::string> lines = Lines(text);
  if (format != OutputFormat::kAuto) {
    if (auto m = Tool(format, lines)) return Checked(*m, format);
    return std::nullopt;
  }
  for (OutputFormat f : {OutputFormat::kTrtexec, OutputFormat::kBenchmarkApp, OutputFormat::kTfliteBenchmarkModel,
                         OutputFormat::kOrtPerfTest}) {
    if (auto m = Tool(f, lines)) return Checked(*m, f);
  }
  return std::nullopt;
}

OutputFormat ParseOutputFormat(std::string_view name) {
  for (const auto& n : kNames) {
    if (n.name == name) return n.format;
  }
  throw ParseError(fmt::format("unknown output format {}; expected auto, plain, json, trtexec, benchmark_app, "
                               "benchmark_model or onnxruntime_perf_test",
                               Quoted(name)));
}

std::string_view OutputFormatName(OutputFormat format) {
  for (const auto& n : kNames) {
    if (n.format == format) return n.name;
  }
  return "?";
}

Measurement ParseDeviceOutput(const std::string& stdout_text, OutputFormat format) {
  switch (format) {
    case OutputFormat::kPlain: return ParseLatencyOutput(stdout_text);
    case OutputFormat::kJson: {
      std::string_view text = Trim(stdout_text);
      if (const auto nl = text.rfind('\n'); nl != std::string_view::npos) text = Trim(text.substr(nl + 1));
      if (text.empty() || text.front() != '{') {
        throw DeviceError(fmt::format("printed {}, expected a JSON object with a numeric \"latency_ms\"",
                                      Quoted(FirstNonEmptyLine(stdout_text))));
      }
      return ParseLatencyOutput(stdout_text);
    }
    case OutputFormat::kAuto: {
      if (auto m = FindToolSummary(stdout_text, format)) return *m;
      try {
        return ParseLatencyOutput(stdout_text);
      } catch (const DeviceError&) {
        // A last line in simnas's own format (a number, JSON) keeps its precise complaint.
        std::string_view last = Trim(stdout_text);
        if (const auto nl = last.rfind('\n'); nl != std::string_view::npos) last = Trim(last.substr(nl + 1));
        const std::vector<std::string> words = Split(last, ' ');
        if (last.empty() || last.front() == '{' || (!words.empty() && ParseDouble(words[0]))) throw;
      }
      throw DeviceError(fmt::format("printed no latency: expected a latency in ms (a number, or JSON with "
                                    "\"latency_ms\") or the summary of trtexec, benchmark_app, benchmark_model or "
                                    "onnxruntime_perf_test; first line it could not read: {}",
                                    Quoted(FirstNonEmptyLine(stdout_text))));
    }
    default: {
      if (auto m = Tool(format, Lines(stdout_text))) return Checked(*m, format);
      const std::string first = FirstNonEmptyLine(stdout_text);
      if (first.empty()) throw DeviceError(fmt::format("printed nothing on stdout (expected {}'s summary)",
                                                      OutputFormatName(format)));
      throw DeviceError(fmt::format("printed no {} latency summary; first line it could not read: {}",
                                    OutputFormatName(format), Quoted(first)));
    }
  }
}

}  // namespace simnas
