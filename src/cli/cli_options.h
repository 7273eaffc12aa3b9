// The option groups several subcommands share, declared and resolved in one place: one
// architecture of --space (--arch / --index), the proxy table and aggregate, and the command line
// recorded in output files. Each subcommand passes its own help text. Every flag means the same
// in every search space.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "simnas/space/arch.h"
#include "simnas/space/candidates.h"
#include "simnas/space/space.h"

namespace simnas::cli {

// --arch STR or --index N: one architecture of --space, by its text form or by its index in the
// space's numbering.
struct ArchArgs {
  std::optional<std::string> arch;
  std::optional<int> index;
  CLI::Option* arch_option = nullptr;   // set by AddArchOptions (for further checks)
  CLI::Option* index_option = nullptr;
  bool given() const { return arch.has_value() || index.has_value(); }
};

// The help of --arch and --index: the defaults of AddArchOptions (the same in every space).
inline constexpr const char* kArchHelp =
    "Architecture string in --space's text form (`simnas --space NAME arch --random` shows one)";
inline constexpr const char* kIndexHelp =
    "Index in --space's numbering of architectures (`simnas --space NAME arch --index N` shows it)";
// Every kind of device spec, for the help of --device.
inline constexpr const char* kDeviceKindsHelp =
    "table:NAME|PATH, synthetic:SEED[,OPTS], local[:OPTS], opencv[:OPTS], cmd:COMMAND, or a registry name";

// Adds --arch and --index (in this order; each excludes the other).
void AddArchOptions(CLI::App* cmd, ArchArgs& args, const std::string& arch_help = kArchHelp,
                    const std::string& index_help = kIndexHelp);
// Throws ParseError when neither or both of --arch and --index were given:
// "simnas <command> needs --arch STR or --index N".
void RequireArch(const ArchArgs& args, std::string_view command);
// The architecture of `space` that --arch or --index names; `numbering` (which reads the data) is
// asked for only for --index. Throws ParseError in one line naming the flag: neither or both
// given (RequireArch), an index outside the numbering, a malformed architecture string.
Arch ResolveArch(const ArchArgs& args, const Space& space, const std::function<const CandidateSet&()>& numbering,
                 std::string_view command);

// --proxy-table FILE and --aggregate NAME: the proxy scores a search ranks cells by.
struct ProxyArgs {
  std::string proxy_table;  // empty: the shipped table of the dataset
  std::string aggregate;     // empty: the default recipe (aggregates.json's "_default")
};
// Adds --proxy-table, and --aggregate unless `aggregate_help` is empty.
void AddProxyOptions(CLI::App* cmd, ProxyArgs& args, const std::string& proxy_table_help,
                     const std::string& aggregate_help);

// This process's command line as recorded in output files (Linux: /proc/self/cmdline), the
// program shown as "simnas" and arguments with spaces or quotes quoted.
std::string CommandLine();
// The same for given arguments (argv without argv[0]).
std::string CommandLine(const std::vector<std::string>& args);

}  // namespace simnas::cli
