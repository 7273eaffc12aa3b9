// Where a network's buffers lie while it is timed.
//
// The same network, built twice in one process, can run at one of two speeds about 1.2x apart
// (index 9930 of NAS-Bench-201 on `local`: 5.9-6.9 ms or 7.1-8.2 ms per pass), and which one
// depends on where the allocator happened to put its weights and activations, not on what they
// hold. A BufferArena hands out addresses that depend only on the sequence of requests since it
// was made or last released to a mark, so the same network measured after the same setup lies
// at the same addresses in every process and instance. The arena is aligned to 2 MiB and
// advised to use huge pages, so that the low 21 address bits (which choose cache sets) are the
// same physically as virtually where the kernel grants them. Figures: docs/timing.md.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace simnas {

class BufferArena {
 public:
  // Reserves `capacity` bytes of address space (not memory: pages are touched on use).
  // Throws std::bad_alloc when the address space cannot be reserved.
  explicit BufferArena(std::size_t capacity);
  ~BufferArena();
  BufferArena(const BufferArena&) = delete;
  BufferArena& operator=(const BufferArena&) = delete;

  // A block of at least `bytes` (rounded up to 64, at least 64), 64-byte aligned: the most
  // recently freed block of that rounded size when there is one, else the next unused
  // bytes. Returns nullptr when the arena is full (the caller allocates elsewhere). Thread-safe.
  void* Allocate(std::size_t bytes);

  // Returns a block to the arena and true when `data` is a live block of this arena; false (and
  // does nothing) for any other pointer. Thread-safe.
  bool Free(void* data);

  // Remembers the arena's state (used bytes, freed blocks), so that ReleaseToMark() can return
  // to it.
  void Mark();

  // When every block handed out since Mark() has been freed, returns the arena to its state at
  // Mark() (the next requests get the same addresses as the first ones after Mark() did) and
  // returns true; otherwise changes nothing and returns false.
  bool ReleaseToMark();

  // Byte offset of `data` from the arena's start (for tests and diagnostics).
  std::size_t OffsetOf(const void* data) const;

 private:
  mutable std::mutex mutex_;
  char* mapping_ = nullptr;
  std::size_t mapping_size_ = 0;
  char* begin_ = nullptr;
  char* end_ = nullptr;
  char* top_ = nullptr;
  char* mark_ = nullptr;
  struct Block {
    std::size_t size;
    bool since_mark;
  };
  std::map<std::size_t, std::vector<char*>> free_by_size_;
  std::map<std::size_t, std::vector<char*>> free_at_mark_;
  std::unordered_map<const void*, Block> live_;
};

}  // namespace simnas
