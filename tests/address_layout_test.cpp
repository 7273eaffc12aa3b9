// The CLI runs itself with a fixed address-space layout (core/address_layout.h), where the
// system permits it, and keeps the random one when asked (SIMNAS_ASLR=keep).
#include "simnas/core/address_layout.h"

#include <sys/personality.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace simnas {
namespace {

// Whether this system lets a process turn address-space randomization off (a container's
// seccomp profile may forbid it); this process's own setting is left as it was.
bool FixingTheLayoutIsPermitted() {
  const int current = personality(0xffffffff);
  if (current == -1) return false;
  if ((current & ADDR_NO_RANDOMIZE) != 0) return true;
  const bool permitted = personality(static_cast<unsigned long>(current) | ADDR_NO_RANDOMIZE) != -1 &&
                         (personality(0xffffffff) & ADDR_NO_RANDOMIZE) != 0;
  personality(static_cast<unsigned long>(current));
  return permitted;
}

std::string LayoutOfACliMeasurement(const testing::TempDir& dir) {
  const testing::CliResult r = testing::RunCli({"--store", (dir / "p.sqlite").string(), "--cache", (dir / "c").string(),
                                                "measure", "--device", "table:fpga", "--index", "3", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out).at("address_layout").get<std::string>();
}

TEST(AddressLayout, TheCliMeasuresWithAFixedLayoutWherePermittedAndKeepsItsOwnWhenAsked) {
  testing::TempDir dir;
  const bool inherited = AddressLayoutIsFixed();
  EXPECT_EQ(LayoutOfACliMeasurement(dir), FixingTheLayoutIsPermitted() || inherited ? "fixed" : "random");
  ASSERT_EQ(setenv("SIMNAS_ASLR", "keep", 1), 0);
  const std::string kept = LayoutOfACliMeasurement(dir);
  unsetenv("SIMNAS_ASLR");
  EXPECT_EQ(kept, inherited ? "fixed" : "random");
}

}  // namespace
}  // namespace simnas
