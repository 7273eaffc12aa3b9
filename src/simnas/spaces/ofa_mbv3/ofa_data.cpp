#include "simnas/spaces/ofa_mbv3/ofa_data.h"

#include <cmath>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/data/pickle.h"
#include "simnas/spaces/ofa_mbv3/ofa_accuracy_predictor.h"
#include "simnas/spaces/ofa_mbv3/ofa_note10_lut.h"
#include "simnas/spaces/ofa_mbv3/ofa_pickle.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

constexpr const char* kHelpOfaRaw = "https://raw.githubusercontent.com/HayeonLee/HELP/45f70eb/data/ofa/";
constexpr const char* kOfaCheckpointsRaw =
    "https://raw.githubusercontent.com/mit-han-lab/once-for-all/698a5c10b434172056a565b340c46ce11df18629/"
    "tutorial/checkpoints/";

// A list of integers from the pickle (ints or numpy integer scalars), or a message.
template <std::size_t N>
std::array<int, N> IntList(const PickleObject* list, const char* key) {
  if (list == nullptr) throw ParseError(fmt::format("no '{}'", key));
  if (list->kind != PickleObject::Kind::kList || list->items.size() != N) {
    throw ParseError(fmt::format("'{}' is {}, expected a list of {} integers", key, list->Describe(), N));
  }
  std::array<int, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    const auto v = PickledInteger(*list->items[i]);
    if (!v || *v < -1000000 || *v > 1000000) {
      throw ParseError(fmt::format("'{}' entry {} is {}, not an integer", key, i, list->items[i]->Describe()));
    }
    out[i] = static_cast<int>(*v);
  }
  return out;
}

OfaArch ArchOfDict(const PickleObject& d) {
  if (d.kind != PickleObject::Kind::kDict) throw ParseError(fmt::format("{} instead of a dict {{ks, e, d, r}}", d.Describe()));
  const PickleObject* r = d.Find("r");
  if (r == nullptr) throw ParseError("no 'r'");
  const auto resolution = PickledInteger(*r);
  if (!resolution || *resolution < 0 || *resolution > 100000) {
    throw ParseError(fmt::format("'r' is {}, not an integer", r->Describe()));
  }
  return OfaArch(IntList<kOfaNumStages>(d.Find("d"), "d"), IntList<kOfaNumSlots>(d.Find("ks"), "ks"),
                 IntList<kOfaNumSlots>(d.Find("e"), "e"), static_cast<int>(*resolution));
}

}  // namespace

const std::vector<std::string>& OfaDeviceNames() {
  static const std::vector<std::string> names = {"2080ti_1",     "2080ti_32",  "2080ti_64",  "titan_rtx_1",
                                                 "titan_rtx_32", "titan_rtx_64", "titan_xp_1", "titan_xp_32",
                                                 "titan_xp_64",  "v100_1",     "v100_32",    "v100_64"};
  return names;
}

std::vector<DataFileSpec> OfaDataFiles() {
  std::vector<DataFileSpec> files;
  const std::pair<const char*, const char*> tables[] = {
      {"2080ti_1", "fd02a4aa46d7ab468d9214ae20b73cbb58fd8d7a857df98861d83383744f9ca9"},
      {"2080ti_32", "0a40f72137451914e4296d8911c92429af357556c7caa5aa74803e17b2948eb6"},
      {"2080ti_64", "6b5b8ae9a25aa5c7df2a96c0e5d6baa91a0566fa935e8fcd709809fbfdee1bd8"},
      {"titan_rtx_1", "b308b08490eaf5af871bc0c5712a105e23c952ff55c5277abbc90e0ff7acf65a"},
      {"titan_rtx_32", "418618fe00b90d3495b2b4147689debb302dddcd038126c376b2bc4aef2867cf"},
      {"titan_rtx_64", "33bb74ee6430fb136ca00c41821842cf511eee5f28080b7745e6216e91d87b42"},
      {"titan_xp_1", "ab157a674a7ba7ad536a0afba7a791ab49fa5f3dbafa5f9628170b48030c2733"},
      {"titan_xp_32", "8e362f53dd522e6c26c54c7b4806301d3465947edf0935c9c1479aefee0271b6"},
      {"titan_xp_64", "9b377dc3de2c4ff12c735331762d7f957aa789a41583693082f33abfc4d6e018"},
      {"v100_1", "277d012e6c82cf20abee447edadd22da992a921de5e74376970a369466a48907"},
      {"v100_32", "41643776a003adeb16ec57314b1bd1d5145a12c3616c686161debdb7e45ea9e8"},
      {"v100_64", "577f48672ed029b11cbb66126ca92d4542f18472e2157965a4ec6852a327dfa2"},
  };
  for (const auto& [name, sha] : tables) {
    files.push_back({fmt::format("help-ofa/{}.pt", name), sha, fmt::format("{}latency/{}.pt", kHelpOfaRaw, name),
                     [](const fs::path& p) { LoadOfaLatencyTable(p); }});
  }
  files.push_back({"help-ofa/ofa_archs.pt", "77787b5c3e208b130282d4e239c1bb56e76fbb8f7d7f374c4fcc63df4970d574",
                   std::string(kHelpOfaRaw) + "ofa_archs.pt", [](const fs::path& p) { LoadOfaArchs(p); }});
  files.push_back({"ofa-mbv3/acc_predictor.pth", "48685122a3540636b06699af66cd816456b25f29b69563e2fda9bed4018eeba0",
                   std::string(kOfaCheckpointsRaw) + "acc_predictor.pth",
                   [](const fs::path& p) { OfaAccuracyPredictor::Load(p); }});
  const std::pair<int, const char*> luts[] = {
      {160, "a2671a45e9400542679ed03de946b45d6a35010f9ab21834af3e7ba8341d36d1"},
      {164, "146c34f116ea2dd6b0a421e3b9b3b1a106ba2817c928e7c66a0b58703946f7ea"},
      {168, "08c833755d446cb65a6224e0fed7ef71be29709bfd2aa12009d4b645e37b4ce4"},
      {172, "dead1205668fec983c8d7d8445d2dc3afe30a617917218becc90a8b3b8e72a57"},
      {176, "34223ae037d5719a5f33261bdfd9341f590a2999edf520f174309605dc06307c"},
      {180, "a4c43390a41c6affec5c0d2f927cd671a7d99341dbcb0178876794d9683d8ef6"},
      {184, "94e0b62a291cc8d77a980478edc96d4ab4b6fe9b0209bc87d296bd2812ccd3d3"},
      {188, "2f33a119bf5d4218fd390b785d3d03fd52b3522c77f58b751ff38f01a249fbd0"},
      {192, "0ff5ca0649e56ad34a42d6a8a6f20adb5121c8d12d135299397b310472db79e2"},
      {196, "80217a43dc40c8ce45b54c4cd60d58a79ee091015035f0d4388a09c192074bab"},
      {200, "4bb6703197777ac01483cbe6340979dc8090ed6471c3f47d4e08749e523d4c53"},
      {204, "129a4ee3f46f2b732f93c43dc04540c864adcc68e5f495ab0b183dc748fead43"},
      {208, "41aa63af766a8298354e6aa5ae69d512ac68656a6e7d0a4fa5dc725c8d438633"},
      {212, "cacb0d9f262e1e029c39a639acb856b16d16cbd7db365056ee7bc55bbb41d417"},
      {216, "bbb64c0be7b420139d92a79757923e7b4c5d8d61730a90995d1ab51f6f718939"},
      {220, "75b0954b2fa678b5b2422b3edbc51983609a9a441d77fe4bb68888da8bb8984e"},
      {224, "c13a9bcb3f4becae844bce4897129c4e42975984c1029cbd5acb48c970136530"},
  };
  for (const auto& [r, sha] : luts) {
    files.push_back({fmt::format("ofa-mbv3/note10-lut/{}_lookup_table.yaml", r), sha,
                     fmt::format("{}latency_table@note10/{}_lookup_table.yaml", kOfaCheckpointsRaw, r),
                     [r](const fs::path& p) { OfaNote10LookupTable().AddResolution(r, ReadFile(p), p.string()); }});
  }
  return files;
}

fs::path OfaArchFile(const DataDir& dir) { return dir.root() / "help-ofa" / "ofa_archs.pt"; }
fs::path OfaLatencyFile(const DataDir& dir, std::string_view device) {
  return dir.root() / "help-ofa" / (std::string(device) + ".pt");
}
fs::path OfaPredictorFile(const DataDir& dir) { return dir.root() / "ofa-mbv3" / "acc_predictor.pth"; }
fs::path OfaNote10Dir(const DataDir& dir) { return dir.root() / "ofa-mbv3" / "note10-lut"; }

std::vector<OfaArch> LoadOfaArchs(const fs::path& path) {
  if (!fs::exists(path)) throw DataError(fmt::format("{}: no such OFA architecture file", path.string()));
  const PickleRef root = LoadTorchSave(path, PickleForm::kAny);
  const PickleObject* list = root->Find("arch");
  if (list == nullptr || list->kind != PickleObject::Kind::kList) {
    throw DataError(fmt::format("{}: expected a dict with an 'arch' list, found {}", path.string(),
                                list == nullptr ? root->Describe() : "'arch' as " + list->Describe()));
  }
  if (list->items.size() != static_cast<std::size_t>(kOfaTableSize)) {
    throw DataError(fmt::format("{}: expected {} OFA architectures, found {}", path.string(), kOfaTableSize,
                                list->items.size()));
  }
  std::vector<OfaArch> out;
  out.reserve(list->items.size());
  std::map<OfaArch, std::size_t> seen;
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    try {
      out.push_back(ArchOfDict(*list->items[i]));
    } catch (const ParseError& e) {
      throw DataError(fmt::format("{}: architecture {}: {}", path.string(), i, e.what()));
    }
    if (const auto [it, fresh] = seen.emplace(out.back(), i); !fresh) {
      throw DataError(fmt::format("{}: architecture {} repeats architecture {} ({})", path.string(), i, it->second,
                                  out.back().ToString()));
    }
  }
  return out;
}

LatencyTable LoadOfaLatencyTable(const fs::path& path) {
  if (!fs::exists(path)) throw DataError(fmt::format("{}: no such OFA latency table", path.string()));
  std::vector<double> ms = LoadPickledNumberList(path);
  if (ms.size() != static_cast<std::size_t>(kOfaTableSize)) {
    throw DataError(fmt::format("{}: expected {} latencies, found {}", path.string(), kOfaTableSize, ms.size()));
  }
  for (std::size_t i = 0; i < ms.size(); ++i) {
    if (!std::isfinite(ms[i]) || ms[i] <= 0) {
      throw DataError(fmt::format("{}: latency of architecture {} is {}, expected a finite positive number of ms",
                                  path.string(), i, ms[i]));
    }
  }
  return LatencyTable(path.stem().string(), std::move(ms));
}

}  // namespace simnas
