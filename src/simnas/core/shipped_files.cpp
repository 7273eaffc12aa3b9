#include "simnas/core/shipped_files.h"

#include <mutex>

#include <fmt/format.h>

#include "simnas/core/error.h"

namespace simnas {
namespace fs = std::filesystem;
namespace {

struct Guard {
  std::mutex mutex;
  std::vector<fs::path> shipped;  // resolved
  std::vector<fs::path> allowed;  // resolved
};

Guard& TheGuard() {
  static Guard guard;
  return guard;
}

// The path with links resolved (as far as it exists) and made absolute.
fs::path Resolved(const fs::path& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path.empty() ? fs::path(".") : path, ec);
  if (ec) p = fs::absolute(path, ec).lexically_normal();
  return p;
}

// Whether `path` is `folder` or lies under it (both resolved).
bool Inside(const fs::path& path, const fs::path& folder) {
  auto p = path.begin();
  for (auto f = folder.begin(); f != folder.end(); ++f, ++p) {
    if (f->empty() && std::next(f) == folder.end()) return true;  // a trailing separator
    if (p == path.end() || *p != *f) return false;
  }
  return true;
}

bool Allowed(const fs::path& path, const fs::path& output) {
  if (Inside(path, output)) return true;
  return path.parent_path() == output.parent_path() &&
         path.filename().string().find(output.filename().string()) != std::string::npos;
}

}  // namespace

void ProtectShippedFolders(const std::vector<fs::path>& folders) {
  std::vector<fs::path> resolved;
  for (const fs::path& f : folders) resolved.push_back(Resolved(f));
  Guard& g = TheGuard();
  std::lock_guard lock(g.mutex);
  g.shipped = std::move(resolved);
}

void AllowExplicitOutput(const fs::path& path) {
  const fs::path resolved = Resolved(path);
  Guard& g = TheGuard();
  std::lock_guard lock(g.mutex);
  g.allowed.push_back(resolved);
}

void RequireNotShipped(const fs::path& path) {
  Guard& g = TheGuard();
  {
    std::lock_guard lock(g.mutex);
    if (g.shipped.empty()) return;
  }
  const fs::path resolved = Resolved(path);
  std::lock_guard lock(g.mutex);
  for (const fs::path& folder : g.shipped) {
    if (!Inside(resolved, folder)) continue;
    for (const fs::path& output : g.allowed) {
      if (Allowed(resolved, output)) return;
    }
    throw Error(fmt::format("cannot write {}: it is one of simnas's shipped files (under {}), which no command "
                            "changes; write elsewhere with --out, or name this file with --out to replace it",
                            path.string(), folder.string()));
  }
}

}  // namespace simnas
