#include "fixture_data_folder.h"

#include "test_support.h"

namespace simnas::testing {
namespace fs = std::filesystem;

const fs::path& FixtureDataFolder() {
  static const TempDir folder;
  static const bool written = [] {
    WriteFixtureDataFolder(folder.path());
    return true;
  }();
  (void)written;
  return folder.path();
}

}  // namespace simnas::testing
