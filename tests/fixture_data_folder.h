// The in-memory fixture benchmark (fixture_data.h) written out as a data folder in the real
// formats (help-nasbench201/str_arch2idx.pt and <device>.pt as torch.save files,
// nats-bench-accuracy/<dataset>_perfmetrics.txt), so tests of the CLI run end to end without
// the real data folder. No CIFAR-10 sample and no HELP answers are written: a command that
// needs them fails on this folder as it would on an incomplete real one.
#pragma once

#include <filesystem>

namespace simnas::testing {

// Writes the folder at `root` (created; existing files of the same names are replaced). The
// Python module's tests get theirs from the program simnas_fixture_data (write_fixture_data.cpp).
void WriteFixtureDataFolder(const std::filesystem::path& root);

// The folder, written once per test process under the system temp folder and removed when the
// process exits. Its numbering is FixtureSpace()'s, its tables FixtureData()'s.
const std::filesystem::path& FixtureDataFolder();

}  // namespace simnas::testing
