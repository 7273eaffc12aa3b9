// simnas_fixture_data DIR: writes the tests' fixture data folder (fixture_data_folder.h) at DIR,
// for the Python module's tests, which are hermetic where the C++ tests are.
#include <cstdio>
#include <exception>

#include "fixture_data_folder.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: simnas_fixture_data DIR\n");
    return 2;
  }
  try {
    simnas::testing::WriteFixtureDataFolder(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "simnas_fixture_data: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
