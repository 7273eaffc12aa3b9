#include "simnas/devices/command_device.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "simnas/core/error.h"
#include "simnas/core/latency_value.h"
#include "simnas/core/strings.h"
#include "simnas/core/subprocess.h"
#include "simnas/devices/timing_harness.h"
#include "simnas/space/space.h"

namespace simnas {
namespace {

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  std::size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

// The text quoted for a POSIX shell (ssh hands its arguments to the remote user's shell).
// (fmt rather than string concatenation: GCC 12 warns falsely on the latter, -Wrestrict.)
std::string ShellQuote(const std::string& text) { return fmt::format("'{}'", ReplaceAll(text, "'", "'\\''")); }

std::string Clip(std::string_view text, std::size_t max_chars = 80) {
  if (text.size() <= max_chars) return std::string(text);
  return fmt::format("{}... ({} characters)", text.substr(0, max_chars), text.size());
}

std::string FirstLine(const std::string& text, std::size_t max_chars = 160) {
  std::string_view t = Trim(text);
  if (const auto nl = t.find('\n'); nl != std::string_view::npos) t = t.substr(0, nl);
  std::string s(t.substr(0, max_chars));
  if (t.size() > max_chars) s += "...";
  return s;
}

}  // namespace

std::string SpreadProblem(double spread) {
  if (!std::isfinite(spread) || spread < 0 || spread > kMaxPrintedSpread) {
    return fmt::format("a relative spread (interquartile range / median) must be a fraction in [0, {:g}] or a "
                       "percentage such as '5%'; {:g} is not (a standard deviation in ms? or a timing too noisy to "
                       "store)",
                       kMaxPrintedSpread, spread);
  }
  return "";
}

namespace {

// The top-level keys of a JSON object line that occur more than once.
std::vector<std::string> DuplicateKeys(std::string_view line) {
  std::vector<std::string> seen, twice;
  nlohmann::json::parser_callback_t note = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& key) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && key.is_string()) {
      const std::string k = key.get<std::string>();
      if (std::find(seen.begin(), seen.end(), k) != seen.end()) twice.push_back(k);
      seen.push_back(k);
    }
    return true;
  };
  const nlohmann::json ignored = nlohmann::json::parse(line, note, /*allow_exceptions=*/false);
  return twice;
}

Measurement ParseJsonLine(std::string_view last) {
  const nlohmann::json j = nlohmann::json::parse(last, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("latency_ms") || !j["latency_ms"].is_number()) {
    throw DeviceError(
        fmt::format("printed {}, expected a JSON object with a numeric \"latency_ms\"", Quoted(Clip(last))));
  }
  if (const std::vector<std::string> twice = DuplicateKeys(last); !twice.empty()) {
    throw DeviceError(fmt::format("printed {}: key \"{}\" appears twice, which value is meant is unclear",
                                  Quoted(Clip(last)), twice.front()));
  }
  Measurement m;
  m.latency_ms = j["latency_ms"].get<double>();
  if (j.contains("spread")) {
    if (!j["spread"].is_number()) {
      throw DeviceError(fmt::format("printed {}: \"spread\" is not a number", Quoted(Clip(last))));
    }
    m.spread = j["spread"].get<double>();
  }
  if (j.contains("repeats")) {
    if (!j["repeats"].is_number_integer() || j["repeats"].get<long long>() < 1 ||
        j["repeats"].get<long long>() > std::numeric_limits<int>::max()) {
      throw DeviceError(fmt::format("printed {}: \"repeats\" is not a positive integer", Quoted(Clip(last))));
    }
    m.repeats = j["repeats"].get<int>();
  }
  return m;
}

// A spread as printed: a fraction ("0.05") or a percentage ("5%").
std::optional<double> ParseSpread(std::string_view word) {
  if (!word.empty() && word.back() == '%') {
    const auto percent = ParsePlainDecimal(word.substr(0, word.size() - 1));
    return percent ? std::optional<double>(*percent / 100) : std::nullopt;
  }
  return ParsePlainDecimal(word);
}

}  // namespace

Measurement ParseLatencyOutput(const std::string& stdout_text) {
  std::string_view text = Trim(stdout_text);
  if (text.empty()) throw DeviceError("printed nothing on stdout (expected a latency in ms)");
  std::string_view last = text;
  if (const auto nl = text.rfind('\n'); nl != std::string_view::npos) last = Trim(text.substr(nl + 1));
  Measurement m;
  if (!last.empty() && last.front() == '{') {
    m = ParseJsonLine(last);
  } else {
    std::vector<std::string> words;
    for (const std::string& w : Split(last, ' ')) {
      if (!Trim(w).empty()) words.emplace_back(Trim(w));
    }
    // "4.2", "4.2 ms", "4.2 0.03", "4.2 ms 0.03", "4.2 0.03 ms", "4.2 3%".
    if (!words.empty() && words.back() == "ms") words.pop_back();
    if (words.size() >= 2 && words[1] == "ms") words.erase(words.begin() + 1);
    for (const std::string& w : words) {
      if (IsDecimalComma(w)) {
        throw DeviceError(fmt::format("printed {}: {}", Quoted(Clip(last)), DecimalCommaProblem(w)));
      }
    }
    const auto value = words.empty() ? std::nullopt : ParsePlainDecimal(words[0]);
    const auto spread = words.size() == 2 ? ParseSpread(words[1]) : std::nullopt;
    if (!value || words.size() > 2 || (words.size() == 2 && !spread)) {
      throw DeviceError(fmt::format("printed {}, expected a latency in ms such as '12.5' (optionally followed by its "
                                    "relative spread, '12.5 0.03')",
                                    Quoted(Clip(last))));
    }
    m.latency_ms = *value;
    if (spread) m.spread = *spread;
  }
  if (const std::string problem = LatencyProblem(m.latency_ms); !problem.empty()) {
    throw DeviceError(fmt::format("printed latency {}, {}", m.latency_ms, problem));
  }
  if (const std::string problem = SpreadProblem(m.spread); !problem.empty()) {
    throw DeviceError(fmt::format("printed {}: {}", Quoted(Clip(last)), problem));
  }
  return m;
}

CommandDevice::CommandDevice(std::string command, const CandidateSet& numbering, CommandOptions options,
                             std::string name)
    : command_(std::move(command)), numbering_(&numbering), options_(options), name_(std::move(name)) {
  argv_template_ = SplitCommandLine(command_);
  if (argv_template_.empty()) throw ParseError("device spec 'cmd:' needs a program to run, e.g. cmd:'./time.sh {arch}'");
  bool has_placeholder = false;
  for (const std::string& a : argv_template_) {
    has_placeholder |= a.find("{arch}") != std::string::npos || a.find("{index}") != std::string::npos ||
                       a.find("{arch_sh}") != std::string::npos;
    uses_onnx_ |= a.find("{onnx}") != std::string::npos;
    uses_index_ |= a.find("{index}") != std::string::npos;
  }
  if (!has_placeholder && !uses_onnx_) {
    throw ParseError(fmt::format("device command {} has no {{arch}}, {{arch_sh}}, {{index}} or {{onnx}} placeholder",
                                 Quoted(command_)));
  }
  if (uses_onnx_) ValidateExportOptions(numbering.space(), options_.export_options);
  if (options_.timeout_seconds <= 0) throw ParseError("device command timeout must be positive");
  if (options_.retries < 0) throw ParseError("device command retries must be >= 0");
}

std::string CommandDevice::Fingerprint() const {
  std::string f = name_.empty() ? Spec() : "named:" + name_ + ":" + Spec();
  if (uses_onnx_) {  // the exported model changes the latency
    const ExportOptions& e = options_.export_options;
    f += fmt::format("|onnx:classes={},input={},batch={},seed={}", e.num_classes, e.input_size, e.batch, e.seed);
  }
  return f;
}

Measurement CommandDevice::Measure(const Arch& measured) {
  const Space& space = numbering_->space();
  if (measured.empty() || &measured.space() != &space) {
    throw DeviceError(fmt::format("device {} measures {} architectures, not {}", Spec(), space.name(),
                                  measured.empty() ? "an empty one" : measured.ToString()));
  }
  const std::string arch = measured.ToString();
  const int position = numbering_->IndexOf(measured);
  if (uses_index_ && position < 0) {
    throw DeviceError(fmt::format("device {} passes {{index}}, and {} has no index in the {} numbering ({})", Spec(),
                                  arch, space.name(), numbering_->source()));
  }
  const std::string index = std::to_string(position < 0 ? -1 : numbering_->NumberOf(position));
  const std::string onnx =
      uses_onnx_ ? CachedArchOnnx(measured, options_.export_options, ExportFolder(options_.cache_dir)).string() : "";
  std::vector<std::string> argv;
  for (const std::string& a : argv_template_) {
    argv.push_back(ReplaceAll(
        ReplaceAll(ReplaceAll(ReplaceAll(a, "{arch_sh}", ShellQuote(arch)), "{arch}", arch), "{index}", index),
        "{onnx}", onnx));
  }
  std::string last_problem;
  for (int attempt = 0; attempt <= options_.retries; ++attempt) {
    const ProcessResult r = RunProcess(argv, options_.timeout_seconds);
    if (!r.started) {
      throw DeviceError(fmt::format("device {}: {}", Spec(), r.error));  // retrying cannot help
    }
    if (r.interrupted) {
      throw Interrupted(fmt::format("interrupted while device {} was measuring {}", Spec(), arch));
    }
    if (r.timed_out) {
      last_problem = fmt::format("timed out after {:.0f} s", options_.timeout_seconds);
    } else if (r.signal != 0) {
      last_problem = fmt::format("was killed by signal {}", r.signal);
    } else if (r.exit_code != 0) {
      const std::string err = FirstLine(r.err);
      last_problem = fmt::format("exited with status {}{}", r.exit_code, err.empty() ? "" : ": " + err);
    } else {
      try {
        return ParseDeviceOutput(r.out, options_.format);
      } catch (const DeviceError& e) {
        last_problem = e.what();
        if (r.out_cut()) {
          last_problem += fmt::format(" (output cut: it printed {} bytes on stdout, only the last {} were read)",
                                      r.out_bytes, kMaxProcessCapture);
        }
        // Some tools print their summary on stderr (TFLite's benchmark_model).
        try {
          if (auto m = FindToolSummary(r.err, options_.format)) return *m;
        } catch (const DeviceError&) {
        }
      }
    }
    if (attempt < options_.retries) {
      spdlog::warn("device {}: attempt {} for {} {}; retrying", Spec(), attempt + 1, arch, last_problem);
    }
  }
  throw DeviceError(fmt::format("device {} failed for {} after {} attempt(s): {}", Spec(), arch, options_.retries + 1,
                                last_problem));
}

}  // namespace simnas
