// The LibTorch-free reader of torch.save files (data/torch_save.h) against LibTorch's own
// pickler and loader: what LibTorch writes reads back the same, what it refuses to hold
// (tensors, other objects) and broken archives end in one-line DataErrors, and every .pt file
// of the data folder reads as torch::pickle_load reads it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/data/data_dir.h"
#include "simnas/space/data_manifest.h"
#include "simnas/data/torch_save.h"
#include "test_support.h"

namespace simnas {
namespace {

namespace fs = std::filesystem;

std::string Saved(const c10::IValue& value) {
  const std::vector<char> bytes = torch::pickle_save(value);
  return std::string(bytes.begin(), bytes.end());
}

// The plain form of data/torch_save.h, as LoadTorchSave reads data.pkl.
PickleRef Plain(std::string_view bytes, const std::string& where) {
  std::size_t pos = 0;
  return ReadPickle(bytes, &pos, where, PickleForm::kPlain);
}

PickleRef RoundTrip(const c10::IValue& value) { return Plain(ReadZipEntry(Saved(value), "data.pkl", "test.pt"), "test.pt"); }

// Whether the reader's value equals LibTorch's (numbers exactly, NaN equal to NaN).
::testing::AssertionResult SameValue(const PickleRef& ours, const c10::IValue& theirs, const std::string& at = "") {
  using Kind = PickleObject::Kind;
  const auto differ = [&](const std::string& why) {
    return ::testing::AssertionFailure() << "at " << (at.empty() ? "top" : at) << ": " << why;
  };
  const auto check = [&](bool same, const char* why) { return same ? ::testing::AssertionSuccess() : differ(why); };
  if (theirs.isNone()) return check(ours->kind == Kind::kNone, "not None");
  if (theirs.isBool()) return check(ours->kind == Kind::kBool && ours->boolean == theirs.toBool(), "bool differs");
  if (theirs.isInt()) return check(ours->kind == Kind::kInt && ours->integer == theirs.toInt(), "int differs");
  if (theirs.isDouble()) {
    const double a = ours->real, b = theirs.toDouble();
    return check(ours->kind == Kind::kFloat && (a == b || (std::isnan(a) && std::isnan(b))), "double differs");
  }
  if (theirs.isString()) return check(ours->kind == Kind::kString && ours->text == theirs.toStringRef(), "string differs");
  if (theirs.isList() || theirs.isTuple()) {
    const auto items = theirs.isList() ? theirs.toListRef().vec() : theirs.toTupleRef().elements().vec();
    if (ours->kind != (theirs.isList() ? Kind::kList : Kind::kTuple)) return differ("list/tuple kind differs");
    if (ours->items.size() != items.size()) return differ("length differs");
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (auto r = SameValue(ours->items[i], items[i], at + "[" + std::to_string(i) + "]"); !r) return r;
    }
    return ::testing::AssertionSuccess();
  }
  if (theirs.isGenericDict()) {
    if (ours->kind != Kind::kDict || ours->items.size() != 2 * theirs.toGenericDict().size()) return differ("dict differs");
    std::size_t i = 0;
    for (const auto& entry : theirs.toGenericDict()) {
      if (auto r = SameValue(ours->items[i], entry.key(), at + "{key}"); !r) return r;
      if (auto r = SameValue(ours->items[i + 1], entry.value(), at + "{" + std::to_string(i / 2 + 1) + "}"); !r) return r;
      i += 2;
    }
    return ::testing::AssertionSuccess();
  }
  return differ(std::string("unexpected LibTorch value ") + theirs.tagKind());
}

void ExpectDataError(const std::function<void()>& load, const std::string& must_mention) {
  try {
    load();
    FAIL() << "accepted; expected a DataError mentioning " << must_mention;
  } catch (const DataError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(must_mention), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(TorchSave, ReadsTypedListsAndDictsAsLibTorchWritesThem) {
  c10::List<double> doubles({1.5, -0.25, 1e300, std::nan("")});
  EXPECT_TRUE(SameValue(RoundTrip(doubles), doubles));
  c10::List<int64_t> ints({0, 3, 255, 256, 65535, 65536, -1, -70000, int64_t{1} << 40, -(int64_t{1} << 40),
                           std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()});
  EXPECT_TRUE(SameValue(RoundTrip(ints), ints));
  c10::Dict<std::string, int64_t> dict;
  dict.insert("|nor_conv_3x3~0|+|none~0|", 7);
  dict.insert("b", 300);
  dict.insert("", -5);
  EXPECT_TRUE(SameValue(RoundTrip(dict), dict));
  c10::List<bool> bools({true, false});
  EXPECT_TRUE(SameValue(RoundTrip(bools), bools));
}

TEST(TorchSave, ReadsMixedNestedAndSharedValues) {
  c10::impl::GenericList mixed(c10::AnyType::get());
  mixed.push_back(1.0);
  mixed.push_back(std::string("fast"));
  mixed.push_back(int64_t{5});
  mixed.push_back(true);
  mixed.push_back(c10::IValue());
  mixed.push_back(c10::ivalue::Tuple::create({c10::IValue(1), c10::IValue(2.0), c10::IValue(std::string("x"))}));
  EXPECT_TRUE(SameValue(RoundTrip(mixed), mixed));
  // The same row twice: the pickle refers to the first through its memo (BINGET).
  c10::List<int64_t> row({3, 1, 4});
  c10::List<c10::List<int64_t>> rows;
  rows.push_back(row);
  rows.push_back(row);
  const PickleRef read = RoundTrip(rows);
  EXPECT_TRUE(SameValue(read, rows));
  ASSERT_EQ(read->items.size(), 2u);
  EXPECT_EQ(read->items[1]->items.size(), 3u);
}

TEST(TorchSave, RefusesTensorsAndOtherObjects) {
  const std::string tensor = Saved(torch::ones({2}));
  ExpectDataError([&] { Plain(ReadZipEntry(tensor, "data.pkl", "t.pt"), "t.pt"); },
                  "t.pt: not a readable torch.save file (holds a torch.");
  // A protocol-2 pickle of collections.OrderedDict() (GLOBAL + EMPTY_TUPLE + REDUCE).
  const std::string object = std::string("\x80\x02", 2) + "ccollections\nOrderedDict\n)R.";
  ExpectDataError([&] { Plain(object, "o.pt"); }, "holds a collections.OrderedDict object");
}

TEST(TorchSave, BrokenArchivesAndPicklesAreOneLineErrors) {
  const std::string good = Saved(c10::List<double>({1.0, 2.0, 3.0}));
  ExpectDataError([&] { ReadZipEntry(good.substr(0, good.size() / 2), "data.pkl", "half.pt"); },
                  "half.pt: not a readable torch.save file");
  ExpectDataError([&] { ReadZipEntry("hello", "data.pkl", "tiny.pt"); }, "tiny.pt: not a readable torch.save file");
  ExpectDataError([&] { ReadZipEntry(good, "missing.pkl", "g.pt"); }, "no entry missing.pkl");
  // One bit of the pickled data flipped (the entry's bytes follow its local header).
  std::string flipped = good;
  const std::size_t at = flipped.find(std::string("\x80\x02", 2));
  ASSERT_NE(at, std::string::npos);
  flipped[at + 5] = static_cast<char>(flipped[at + 5] ^ 0x01);
  ExpectDataError([&] { ReadZipEntry(flipped, "data.pkl", "f.pt"); }, "fails its CRC check");
  const std::string pickle = ReadZipEntry(good, "data.pkl", "g.pt");
  ExpectDataError([&] { Plain(pickle.substr(0, pickle.size() - 4), "p.pt"); }, "pickle truncated");
  ExpectDataError([&] { Plain(std::string("\x80\x02", 2) + "I1\n.", "i.pt"); }, "unsupported pickle opcode 0x49");
  testing::TempDir dir;
  WriteFileAtomically(dir / "empty.pt", "");
  ExpectDataError([&] { LoadTorchSave(dir / "empty.pt"); }, "empty.pt: file is empty");
}

// Every torch.save file of the data folder reads as LibTorch reads it.
// Every .pt file of the data manifest (other files a data folder may hold are not simnas's).
TEST(TorchSaveData, EveryDataFileReadsAsLibTorchReadsIt) {
  const fs::path root = testing::Data().dir().root();
  int files = 0;
  for (const DataFileSpec& spec : DataManifest()) {
    const fs::path path = root / spec.path;
    if (path.extension() != ".pt") continue;
    const std::vector<char> bytes = ReadFileBytes(path);
    c10::IValue theirs;
    try {
      theirs = torch::pickle_load(bytes);
    } catch (const c10::Error&) {
      // A file holding numpy objects LibTorch's unpickler does not know (HELP's Once-for-All
      // files): nothing to compare with here; the space's own reader reads them (OfaData.*).
      continue;
    }
    EXPECT_TRUE(SameValue(LoadTorchSave(path), theirs)) << path;
    ++files;
  }
  EXPECT_GT(files, 20) << "expected the HELP .pt files under " << root;
}

}  // namespace
}  // namespace simnas
