#include "simnas/core/address_layout.h"

#include <sys/personality.h>
#include <unistd.h>


namespace simnas {

bool AddressLayoutIsFixed() {
  const int current = personality(0xffffffff);
  return current != -1 && (current & ADDR_NO_RANDOMIZE) != 0;
}

void RunWithFixedAddressLayout(char** argv) {
  const int current = personality(0xffffffff);
  if (current == -1 || (current & ADDR_NO_RANDOMIZE) != 0) return;
  if (personality(static_cast<unsigned long>(current) | ADDR_NO_RANDOMIZE) == -1) return;
  if (!AddressLayoutIsFixed()) return;
  execv("/proc/self/exe", argv);
  // Not executed again: this process keeps its random layout, and so should its children.
  personality(static_cast<unsigned long>(current));
}

}  // namespace simnas
