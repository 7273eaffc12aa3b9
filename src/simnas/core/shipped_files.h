// The files simnas ships (proxy tables, controller models, benchmark configs: share/simnas,
// whose folders in a build tree are links into the source checkout) are read-only to every
// command. The CLI names their folders once (ProtectShippedFolders) and the outputs the user
// named explicitly (AllowExplicitOutput: an --out on the command line); every writer of simnas
// (WriteFileAtomically, FileLock, the append-only logs of long jobs, the probe store, the
// builders of long tables before they compute) calls RequireNotShipped before it creates or
// changes a file. Paths are compared after resolving links, so a path that reaches the checkout
// through the build tree's links is caught too. Without protected folders (library callers,
// tests) nothing is refused. Thread-safe.
#pragma once

#include <filesystem>
#include <vector>

namespace simnas {

// Makes `folders` (and everything under them) read-only to RequireNotShipped, replacing any
// earlier list; an empty list protects nothing.
void ProtectShippedFolders(const std::vector<std::filesystem::path>& folders);

// Lets `path` be written even inside a protected folder: an output the user named. Files
// derived from it are allowed too: those under it (when it is a folder) and those beside it
// whose name contains its name (its log, lock and temporary files).
void AllowExplicitOutput(const std::filesystem::path& path);

// Throws Error when `path` lies inside a protected folder and was not allowed:
// "cannot write P: it is one of simnas's shipped files (under F), which no command changes;
// write elsewhere with --out, or name this file with --out to replace it".
void RequireNotShipped(const std::filesystem::path& path);

}  // namespace simnas
