#include "simnas/spaces/ofa_mbv3/ofa_pickle.h"

#include <bit>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/strings.h"

namespace simnas {
namespace {

static_assert(std::endian::native == std::endian::little, "the storages are read as little-endian floats");

using Kind = PickleObject::Kind;

// The magic number that opens a torch.save file of the layout before PyTorch 1.6
// (0x1950a86a20f9469cfc6c, little-endian).
constexpr std::string_view kLegacyMagic = "\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
constexpr std::int64_t kLegacyProtocol = 1001;

bool IsRowMajor(const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& stride) {
  std::int64_t expected = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1 && stride[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

std::optional<std::vector<std::int64_t>> IntTuple(const PickleObject& o) {
  if (o.kind != Kind::kTuple) return std::nullopt;
  std::vector<std::int64_t> out;
  for (const PickleRef& v : o.items) {
    if (v->kind != Kind::kInt || v->integer < 0) return std::nullopt;
    out.push_back(v->integer);
  }
  return out;
}

}  // namespace

std::optional<std::int64_t> PickledInteger(const PickleObject& v) {
  if (v.kind == Kind::kInt) return v.integer;
  if (v.kind == Kind::kBool) return v.boolean ? 1 : 0;
  // numpy.core.multiarray.scalar(numpy.dtype('i8', ...) with state (3, '<', ...), b'...')
  if (v.kind != Kind::kCall || !v.items[0]->IsGlobal("numpy.core.multiarray.scalar")) return std::nullopt;
  const PickleObject& args = *v.items[1];
  if (args.items.size() != 2 || args.items[1]->kind != Kind::kBytes) return std::nullopt;
  const PickleObject& dtype = *args.items[0];
  if (dtype.kind != Kind::kCall || !dtype.items[0]->IsGlobal("numpy.dtype")) return std::nullopt;
  const PickleObject& dtype_args = *dtype.items[1];
  if (dtype_args.items.empty() || dtype_args.items[0]->kind != Kind::kString) return std::nullopt;
  const std::string& code = dtype_args.items[0]->text;  // "i8", "u4", ...
  if (code.size() != 2 || (code[0] != 'i' && code[0] != 'u') || code[1] < '1' || code[1] > '8') return std::nullopt;
  const std::size_t size = static_cast<std::size_t>(code[1] - '0');
  const std::string& raw = args.items[1]->text;
  if (raw.size() != size || (size != 1 && size != 2 && size != 4 && size != 8)) return std::nullopt;
  if (size > 1) {
    // The byte order is the second entry of the dtype's state: '<' (or '=' on this little-endian reader).
    if (!dtype.state || dtype.state->kind != Kind::kTuple || dtype.state->items.size() < 2) return std::nullopt;
    const PickleObject& order = *dtype.state->items[1];
    if (order.kind != Kind::kString || (order.text != "<" && order.text != "=")) return std::nullopt;
  }
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < size; ++i) u |= static_cast<std::uint64_t>(static_cast<unsigned char>(raw[i])) << (8 * i);
  if (code[0] == 'u') {
    if (size == 8 && u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (size < 8 && (u >> (8 * size - 1)) != 0) u |= ~std::uint64_t{0} << (8 * size);
  return static_cast<std::int64_t>(u);
}

std::vector<std::pair<std::string, PickledTensor>> LoadLegacyTorchStateDict(const std::filesystem::path& path) {
  const std::vector<char> file = ReadFileBytes(path);
  const std::string_view bytes(file.data(), file.size());
  const std::string what = path.string();
  const auto fail = [&](const std::string& why) { return DataError(fmt::format("{}: {}", what, why)); };
  if (bytes.size() < 2 || bytes[0] != '\x80') {
    throw fail("not a torch.save file of the layout before PyTorch 1.6 (no pickle at its start)");
  }
  std::size_t pos = 0;
  const PickleRef magic = ReadPickle(bytes, &pos, what);
  if (magic->kind != Kind::kBigInt || magic->text != kLegacyMagic) {
    throw fail("not a torch.save file of the layout before PyTorch 1.6 (wrong magic number)");
  }
  const PickleRef protocol = ReadPickle(bytes, &pos, what);
  if (protocol->kind != Kind::kInt || protocol->integer != kLegacyProtocol) {
    throw fail(fmt::format("torch.save protocol {} is not supported (expected {})",
                           protocol->kind == Kind::kInt ? std::to_string(protocol->integer) : protocol->Describe(),
                           kLegacyProtocol));
  }
  const PickleRef sys_info = ReadPickle(bytes, &pos, what);
  const PickleObject* little = sys_info->Find("little_endian");
  if (little == nullptr || little->kind != Kind::kBool || !little->boolean) {
    throw fail("written on a big-endian machine (or without system information); not supported");
  }
  const PickleRef root = ReadPickle(bytes, &pos, what);
  const PickleRef keys = ReadPickle(bytes, &pos, what);
  if (root->kind != Kind::kDict) throw fail(fmt::format("the saved object is {}, not a state dict", root->Describe()));
  if (keys->kind != Kind::kList) throw fail("the storage key list is missing");

  // The storages, in the order of the key list: an int64 element count, then the elements.
  std::map<std::string, std::vector<float>> storages;
  for (const PickleRef& key : keys->items) {
    if (key->kind != Kind::kString) throw fail("a storage key is not a string");
    if (bytes.size() - pos < 8) throw fail(fmt::format("storage {} is cut short", key->text));
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[pos + i])) << (8 * i);
    pos += 8;
    if (n > (bytes.size() - pos) / sizeof(float)) throw fail(fmt::format("storage {} is cut short", key->text));
    std::vector<float> values(static_cast<std::size_t>(n));
    std::memcpy(values.data(), bytes.data() + pos, values.size() * sizeof(float));
    pos += values.size() * sizeof(float);
    storages[key->text] = std::move(values);
  }
  if (pos != bytes.size()) throw fail(fmt::format("{} bytes after the last storage", bytes.size() - pos));

  std::vector<std::pair<std::string, PickledTensor>> out;
  for (std::size_t i = 0; i + 1 < root->items.size(); i += 2) {
    const PickleObject& name = *root->items[i];
    const PickleObject& value = *root->items[i + 1];
    if (name.kind != Kind::kString) throw fail("a state dict key is not a string");
    const auto bad = [&](const std::string& why) { return fail(fmt::format("tensor {}: {}", Quoted(name.text), why)); };
    // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
    if (value.kind != Kind::kCall || !value.items[0]->IsGlobal("torch._utils._rebuild_tensor_v2")) {
      throw bad(fmt::format("{} instead of a tensor", value.Describe()));
    }
    const std::vector<PickleRef>& args = value.items[1]->items;
    if (args.size() < 4 || args[0]->kind != Kind::kPersistentId || args[1]->kind != Kind::kInt) {
      throw bad("unexpected tensor arguments");
    }
    // ('storage', torch.FloatStorage, key, location, size, view)
    const PickleObject& id = *args[0]->items[0];
    if (id.kind != Kind::kTuple || id.items.size() < 5 || id.items[0]->kind != Kind::kString ||
        id.items[0]->text != "storage" || id.items[2]->kind != Kind::kString) {
      throw bad("unexpected storage reference");
    }
    if (!id.items[1]->IsGlobal("torch.FloatStorage")) {
      throw bad(fmt::format("{} is not supported (float32 tensors only)", id.items[1]->Describe()));
    }
    const auto storage = storages.find(id.items[2]->text);
    if (storage == storages.end()) throw bad(fmt::format("storage {} is not in the file", id.items[2]->text));
    const auto shape = IntTuple(*args[2]);
    const auto stride = IntTuple(*args[3]);
    if (!shape || !stride || shape->size() != stride->size() || !IsRowMajor(*shape, *stride)) {
      throw bad("not a row-major tensor");
    }
    std::int64_t numel = 1;
    for (std::int64_t d : *shape) numel *= d;
    const std::int64_t offset = args[1]->integer;
    if (offset < 0 || offset + numel > static_cast<std::int64_t>(storage->second.size())) {
      throw bad("reaches beyond its storage");
    }
    PickledTensor t;
    t.shape = *shape;
    t.values.assign(storage->second.begin() + offset, storage->second.begin() + offset + numel);
    out.emplace_back(name.text, std::move(t));
  }
  return out;
}

}  // namespace simnas
