#include "cli_options.h"

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/strings.h"

namespace simnas::cli {

void AddArchOptions(CLI::App* cmd, ArchArgs& args, const std::string& arch_help, const std::string& index_help) {
  args.arch_option = cmd->add_option("--arch", args.arch, arch_help);
  args.index_option = cmd->add_option("--index", args.index, index_help);
  args.arch_option->excludes(args.index_option);
}

void RequireArch(const ArchArgs& args, std::string_view command) {
  if (!args.given()) throw ParseError(fmt::format("simnas {} needs --arch STR or --index N", command));
  if (args.arch && args.index) {
    throw ParseError(fmt::format("simnas {} takes one of --arch STR or --index N, not both", command));
  }
}

Arch ResolveArch(const ArchArgs& args, const Space& space, const std::function<const CandidateSet&()>& numbering,
                 std::string_view command) {
  RequireArch(args, command);
  try {
    return args.arch ? space.Parse(*args.arch) : numbering().at(*args.index);
  } catch (const ParseError& e) {
    throw ParseError(fmt::format("{}: {}", args.arch ? "--arch" : "--index", e.what()));
  }
}

void AddProxyOptions(CLI::App* cmd, ProxyArgs& args, const std::string& proxy_table_help,
                     const std::string& aggregate_help) {
  cmd->add_option("--proxy-table", args.proxy_table, proxy_table_help);
  if (!aggregate_help.empty()) cmd->add_option("--aggregate", args.aggregate, aggregate_help);
}

std::string CommandLine(const std::vector<std::string>& args) {
  std::string s = "simnas";
  for (const std::string& a : args) {
    s += " " + (a.find_first_of(" '\"|") == std::string::npos && !a.empty() ? a : Quoted(a));
  }
  return s;
}

std::string CommandLine() {
  std::string raw;
  try {
    raw = ReadFile("/proc/self/cmdline");
  } catch (const DataError&) {
    return "(not recorded)";
  }
  // NUL-terminated arguments; the first is the program.
  std::vector<std::string> args;
  std::size_t pos = raw.find('\0');
  while (pos != std::string::npos && pos + 1 < raw.size()) {
    const std::size_t next = raw.find('\0', pos + 1);
    args.push_back(raw.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1));
    pos = next;
  }
  return CommandLine(args);
}

}  // namespace simnas::cli
