#include "simnas/devices/buffer_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <new>

namespace simnas {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kBlockAlignment = 64;

char* AlignUp(char* p, std::size_t alignment) {
  const auto value = reinterpret_cast<std::uintptr_t>(p);
  return reinterpret_cast<char*>((value + alignment - 1) & ~(std::uintptr_t{alignment} - 1));
}

}  // namespace

BufferArena::BufferArena(std::size_t capacity) {
  mapping_size_ = capacity + kHugePage;
  void* mapping = mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
  if (mapping == MAP_FAILED) throw std::bad_alloc();
  mapping_ = static_cast<char*>(mapping);
  begin_ = AlignUp(mapping_, kHugePage);
  end_ = begin_ + capacity;
  madvise(begin_, capacity, MADV_HUGEPAGE);  // advice only: without huge pages the arena still works
  top_ = mark_ = begin_;
}

BufferArena::~BufferArena() { munmap(mapping_, mapping_size_); }

void* BufferArena::Allocate(std::size_t bytes) {
  const std::size_t size = std::max(kBlockAlignment, (bytes + kBlockAlignment - 1) & ~(kBlockAlignment - 1));
  const std::lock_guard lock(mutex_);
  char* block = nullptr;
  auto freed = free_by_size_.find(size);
  if (freed != free_by_size_.end() && !freed->second.empty()) {
    block = freed->second.back();
    freed->second.pop_back();
  } else {
    if (static_cast<std::size_t>(end_ - top_) < size) return nullptr;
    block = top_;
    top_ += size;
  }
  live_.emplace(block, Block{size, true});
  return block;
}

bool BufferArena::Free(void* data) {
  const std::lock_guard lock(mutex_);
  const auto live = live_.find(data);
  if (live == live_.end()) return false;
  free_by_size_[live->second.size].push_back(static_cast<char*>(data));
  // A block that was live at Mark() stays free after ReleaseToMark().
  if (!live->second.since_mark) free_at_mark_[live->second.size].push_back(static_cast<char*>(data));
  live_.erase(live);
  return true;
}

void BufferArena::Mark() {
  const std::lock_guard lock(mutex_);
  mark_ = top_;
  free_at_mark_ = free_by_size_;
  for (auto& [data, block] : live_) block.since_mark = false;
}

bool BufferArena::ReleaseToMark() {
  const std::lock_guard lock(mutex_);
  const bool busy =
      std::any_of(live_.begin(), live_.end(), [](const auto& entry) { return entry.second.since_mark; });
  if (busy) return false;
  free_by_size_ = free_at_mark_;
  top_ = mark_;
  return true;
}

std::size_t BufferArena::OffsetOf(const void* data) const {
  return static_cast<std::size_t>(static_cast<const char*>(data) - begin_);
}

}  // namespace simnas
