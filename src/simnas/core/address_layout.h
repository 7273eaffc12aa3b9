// A fixed address-space layout for the process that times networks.
//
// With address-space layout randomization (ASLR) every process places its code, heap and
// buffers at different addresses, and on a CPU whose caches are indexed by address bits that
// moves each network's latency by a few percent, differently per network and per process: two
// `measure-all` passes of 100 NAS-Bench-201 cells in separate processes ranked them with a
// Spearman correlation of 0.93-0.97, while the rounds of one process agreed at 0.98-0.99. With
// the layout fixed (the same in every process), separate processes agreed at 0.98-0.99
// (docs/timing.md). The CLI therefore runs itself without ASLR.
#pragma once

namespace simnas {

// When this process runs with a randomized layout, turns randomization off for it
// (personality(2), ADDR_NO_RANDOMIZE) and executes the same program again with the same
// arguments and environment, so that it starts over with the fixed layout; does not return
// then. Returns (and the process goes on with its random layout) when the layout is already
// fixed, or when the system refuses either step (a container that forbids personality(2), a
// program that cannot be executed again). The CLI skips the call when SIMNAS_ASLR=keep. Call it first in main(),
// before any thread is started or any file is opened. Child processes (external device
// programs) inherit the fixed layout.
void RunWithFixedAddressLayout(char** argv);

// Whether this process runs with address-space layout randomization off.
bool AddressLayoutIsFixed();

}  // namespace simnas
