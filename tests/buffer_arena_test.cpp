#include "simnas/devices/buffer_arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace simnas {
namespace {

// One fixed sequence of requests and frees, as a network's build and forward passes make.
std::vector<std::size_t> Replay(BufferArena& arena) {
  std::vector<std::size_t> offsets;
  void* weights = arena.Allocate(1000);
  void* a = arena.Allocate(4096);
  void* b = arena.Allocate(4096);
  offsets.push_back(arena.OffsetOf(weights));
  arena.Free(a);
  void* c = arena.Allocate(4000);  // rounds to 4032: a new block, not a's
  void* d = arena.Allocate(4096);  // a's block
  for (void* p : {a, b, c, d}) offsets.push_back(arena.OffsetOf(p));
  for (void* p : {b, c, d, weights}) arena.Free(p);
  return offsets;
}

TEST(BufferArena, TheSameRequestsGetTheSameOffsetsInEveryArena) {
  BufferArena first(1 << 20);
  BufferArena second(1 << 20);
  void* unrelated = second.Allocate(10);  // history before the mark differs...
  second.Free(unrelated);
  first.Mark();
  second.Mark();
  const std::vector<std::size_t> once = Replay(first);
  EXPECT_TRUE(first.ReleaseToMark());
  EXPECT_EQ(Replay(first), once);  // ...after the mark, the same requests land at the same offsets
  EXPECT_EQ(once[0], 0u);
  EXPECT_EQ(once[1], once[4]);  // a freed block of the same rounded size is reused
  EXPECT_EQ(once[3], 1024u + 4096u + 4096u);
  const std::vector<std::size_t> other = Replay(second);
  EXPECT_EQ(other[0], 64u);  // second's 10-byte block (64 bytes) was taken before its mark
}

TEST(BufferArena, BlocksAre64ByteAlignedAndDistinctEvenForZeroBytes) {
  BufferArena arena(1 << 20);
  void* zero = arena.Allocate(0);
  void* again = arena.Allocate(0);
  void* odd = arena.Allocate(65);
  EXPECT_NE(zero, again);
  for (void* p : {zero, again, odd}) EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u);
  EXPECT_EQ(arena.OffsetOf(odd), 128u);
  EXPECT_EQ(arena.OffsetOf(arena.Allocate(1)), 256u);  // 65 bytes took 128
}

TEST(BufferArena, ReleaseToMarkWaitsUntilEveryLaterBlockIsFree) {
  BufferArena arena(1 << 20);
  void* kept = arena.Allocate(256);
  arena.Mark();
  void* later = arena.Allocate(512);
  EXPECT_FALSE(arena.ReleaseToMark());
  EXPECT_TRUE(arena.Free(later));
  EXPECT_TRUE(arena.ReleaseToMark());
  EXPECT_EQ(arena.Allocate(512), later);
  EXPECT_TRUE(arena.Free(kept));  // a block live at the mark may be freed after it
  EXPECT_FALSE(arena.ReleaseToMark());  // 'later' is live again
}

TEST(BufferArena, AFullArenaAndForeignPointersAreRefusedNotCorrupted) {
  BufferArena arena(4096);
  EXPECT_NE(arena.Allocate(4096), nullptr);
  EXPECT_EQ(arena.Allocate(64), nullptr);
  int local = 0;
  EXPECT_FALSE(arena.Free(&local));
  void* block = arena.Allocate(0);
  EXPECT_EQ(block, nullptr);
}

}  // namespace
}  // namespace simnas
