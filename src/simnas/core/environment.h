// Where simnas finds and keeps its files. A front end (the CLI, the Python module) builds one
// Environment at start-up (from its settings, then $SIMNAS_* variables, then XDG and
// install-prefix defaults; ResolveEnvironment in workspace/workspace.h) and hands the parts each
// layer needs down to it. The library never reads the process
// environment and has no compiled-in path: a built or installed `simnas` runs from anywhere.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

namespace simnas {

struct Environment {
  // Benchmark data (help-nasbench201/, nats-bench-accuracy/, cifar10-sample/); filled by
  // `simnas data fetch`.
  std::filesystem::path data_dir;
  // What ships with simnas: proxy tables (<dataset>.csv), controller models (<name>.ctl),
  // benchmark configs, under `shipped_dir` (share/simnas). Read-only to every command
  // (core/shipped_files.h): the CLI protects ShippedFolders() before a command runs.
  std::filesystem::path shipped_dir;
  std::filesystem::path proxy_tables_dir;
  std::filesystem::path models_dir;
  std::filesystem::path configs_dir;
  // The probe store (SQLite); every live measurement is kept there.
  std::filesystem::path store_file;
  // The device registry, when there is one.
  std::optional<std::filesystem::path> registry_file;
  // Files simnas may recompute: remembered quiet speeds of live devices, exported models.
  std::filesystem::path cache_dir;
  // Controller models replacing the shipped ones under models_dir, when given.
  std::optional<std::filesystem::path> controller_model;
  std::optional<std::filesystem::path> unconstrained_controller_model;

  // The folders of the shipped files: tables/ (the parent of proxy_tables_dir), models_dir and
  // configs_dir (in a build tree, links into the checkout). Not shipped_dir itself: --share may
  // name a source checkout, whose other files commands write as usual.
  std::vector<std::filesystem::path> ShippedFolders() const {
    return {proxy_tables_dir.parent_path(), models_dir, configs_dir};
  }
};

}  // namespace simnas
