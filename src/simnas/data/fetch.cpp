#include "simnas/data/fetch.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/core/file_util.h"
#include "simnas/core/subprocess.h"
#include "simnas/spaces/nb201/accuracy_table.h"
#include "simnas/spaces/nb201/benchmark_data.h"
#include "simnas/data/cifar.h"
#include "simnas/spaces/fbnet/fbnet_data.h"
#include "simnas/data/latency_table.h"
#include "simnas/spaces/nb201/nats_numbering.h"

namespace simnas {
namespace fs = std::filesystem;

namespace {

constexpr const char* kHelpRaw = "https://raw.githubusercontent.com/HayeonLee/HELP/main/data/nasbench201/";
constexpr const char* kHelpFbnetRaw = "https://raw.githubusercontent.com/HayeonLee/HELP/main/data/fbnet/";
constexpr const char* kFreeReaRaw = "https://raw.githubusercontent.com/fracapuano/FreeREA/main/cachedmetrics/";
// The 640-image sample is not published as such; without a mirror it is rebuilt from the
// first 640 records of the official CIFAR-10 training batch 1 (no augmentation), so its
// hash differs from the mirror's. It is marked by this URL scheme.
constexpr const char* kCifarTarball = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
constexpr const char* kCifarSamplePath = "cifar10-sample/cifar10_sample_640.bin";

std::vector<DataFileSpec> BuildManifest() {
  std::vector<DataFileSpec> m;
  const std::pair<const char*, const char*> tables[] = {
      {"1080ti_1", "4028f52b2c2441da126932e3827ae11a7f76d39818c4374c1b9ab9df236e23f4"},
      {"1080ti_256", "435af0ccfab01f5dc55dc9f2e8b90ca37b396b2656e327bba5ee0b6eb9c24464"},
      {"1080ti_32", "affce4fcdcf6f28622365995ef2ec018bb07d448add59f80633c0978c393cdea"},
      {"2080ti_1", "38cf0e8f698abf8696c69b41a358fe9ddedf5d54cb1ae6f85b04dd8a8f89a1b3"},
      {"2080ti_256", "daee655c44c46955d8318ddf0fa39254e70bab1ae723a6abc53d7b7e4e1561ae"},
      {"2080ti_32", "ebc603ad325850663fc56c8e0fde52fadea28e585a8405864baa20f986eaf29d"},
      {"eyeriss", "6f1dd2f8c0442289a09ab78e63e49bde96489f6d455cc33d5fa5aed37edb5d03"},
      {"fpga", "6a0333c1476a3ab039d8c39e5d42ac99efe9e7f3ff521289569013fa84233b28"},
      {"gold_6226", "6a00f63d14f67f8007ec04519f638a90aa6ed5357cf5c0e60c391df37f186c99"},
      {"gold_6240", "ac6dd41f183de69bba21dec3954ac73333b7dec871e0defbcce0572d82536890"},
      {"pixel2", "051845ddefc2bc138f21e2217f6c7827fe280c78375cbfb4b5bd252a888cb950"},
      {"pixel3", "cf1387da12e06b1d4541ce85f3ca4869d551084e09daf4acf024b6e21a80d465"},
      {"raspi4", "2fae425c50bcaef7aacc5391244cd0af98bfc7fba689a8741e461cb18192f57c"},
      {"samsung_a50", "0872cb4ec8ecc7ea1b3bd8c98dd705f2d0f6e4940f3af833b313e484de39b155"},
      {"silver_4210r", "f976049bda39abde94b8f8cac90140cb78a5069fc145c462d6d6bc2f8450727a"},
      {"titan_rtx_1", "a854dac331e2a37d7dcd6ee1f63d1bc6d73ead3aeb0a86f803f45ea1b294859e"},
      {"titan_rtx_256", "cff1fba40b1743d3716cfb74c86ac2463d0682c146f356fa9095ac0d02dfb2a5"},
      {"titan_rtx_32", "1258bee5501fe191530b9898a4f55a122ab30beec9c6ea74598c47a0173babed"},
      {"titanx_1", "3461cc686263bd0ce4d4cd915bfc2fe067deb139cc68da387741bd6443434cb0"},
      {"titanx_256", "04ddb80719515687bd3d722235cd5da821b50bd453a9e580b1e9d321dfb92941"},
      {"titanx_32", "9c4ca69131e34451fb1e104caa47efbe12ffec3cc47bf051613674d7af044ff2"},
      {"titanxp_1", "935aa0041c6592bed90f2f94ff3b4d40e892c066467864b704e6583682a57b20"},
      {"titanxp_32", "4b6db63c7a9fb55177aa2649d70031dd86d2ed1609467ef5803dc1089a73cb1b"},
  };
  for (const auto& [name, sha] : tables) {
    m.push_back({fmt::format("help-nasbench201/{}.pt", name), sha, fmt::format("{}latency/{}.pt", kHelpRaw, name)});
  }
  m.push_back({"help-nasbench201/str_arch2idx.pt", "e1d7b7cc7cf51d7c3cd6f9e726e7395bea87d7ba674e26202fb8633f963aef0d",
               std::string(kHelpRaw) + "str_arch2idx.pt"});
  const std::pair<const char*, const char*> answers[] = {
      {"asic-eyeriss/latency_3.9ms_accuracy_71.5.txt", "0ab91a3723bfcf5f66268b3d4b46b5b9e1ae5238e51f4df207a7bf77f40c58ed"},
      {"asic-eyeriss/latency_5.1ms_accuracy_71.8.txt", "0cf58e6439e257309a8502886a5045cbba3bcff7b6ab35523718d1b18ca970a6"},
      {"asic-eyeriss/latency_9.1ms_accuracy_73.5.txt", "ce6d2bcd55c0aabe684d351acd46426d5fb782189780a39db74751e2df2f526f"},
      {"fpga/latency_3.8ms_accuracy_70.2.txt", "48d6029ad7348e03ebeda9471bc3205981cf378dffc524aa01a12d06530b764f"},
      {"fpga/latency_4.7ms_accuracy_71.8.txt", "0cf58e6439e257309a8502886a5045cbba3bcff7b6ab35523718d1b18ca970a6"},
      {"fpga/latency_7.4ms_accuracy_73.5.txt", "ce6d2bcd55c0aabe684d351acd46426d5fb782189780a39db74751e2df2f526f"},
      {"gold_6226/latency_10.7ms_accuracy_70.2.txt", "48d6029ad7348e03ebeda9471bc3205981cf378dffc524aa01a12d06530b764f"},
      {"gold_6226/latency_14.3ms_accuracy_72.1.txt", "066778a2c94dade5abeb9eb21802410df2d8c274bacf2bf3f6a0e7972712b99a"},
      {"gold_6226/latency_8.0ms_accuracy_67.3.txt", "d84741848b882058c2a0652e8c728c89f9756e3e354b0ae3a694fdaecbe8c508"},
      {"pixel2/latency_14.0ms_accuracy_69.7.txt", "cd0c5cfd4642bead1685070d7f884968b683b05b955975cd31fbe5184893d7f7"},
      {"pixel2/latency_18.0ms_accuracy_71.8.txt", "0cf58e6439e257309a8502886a5045cbba3bcff7b6ab35523718d1b18ca970a6"},
      {"pixel2/latency_25.0ms_accuracy_73.2.txt", "22b33a81625e34f823bd7d58b77c8085155ecbecd1b661731aa580a5492328cd"},
      {"titan_rtx_256/latency_17.8ms_accuracy_69.7.txt", "cd0c5cfd4642bead1685070d7f884968b683b05b955975cd31fbe5184893d7f7"},
      {"titan_rtx_256/latency_18.9ms_accuracy_71.5.txt", "0ab91a3723bfcf5f66268b3d4b46b5b9e1ae5238e51f4df207a7bf77f40c58ed"},
      {"titan_rtx_256/latency_24.2ms_accuracy_71.8.txt", "0cf58e6439e257309a8502886a5045cbba3bcff7b6ab35523718d1b18ca970a6"},
  };
  for (const auto& [rel, sha] : answers) {
    m.push_back({fmt::format("help-nasbench201/architecture_config/{}", rel), sha,
                 fmt::format("{}architecture_config/{}", kHelpRaw, rel)});
  }
  // HELP's FBNet files (data/fbnet/ upstream, flat in help-fbnet/ here).
  const std::pair<const char*, const char*> fbnet_tables[] = {
      {"1080ti_1", "e8dc124d658407e6e8f2cc0642162bae3ce2b56c8dee44b4bc629f2ac8ca4c28"},
      {"1080ti_32", "74c5c9801b4e6b7d0cb2fdd3c2d953fc9eea7569da9b9dbb5438c2c2b8687b85"},
      {"1080ti_64", "ec8e443e814c739df4d7153bf1902b64b987e1e158bc780fa3579d4e481ba462"},
      {"2080ti_1", "bc8ef435a048c8c44d5ab0b5636c9366bded86fcade1fd79c1bea2e0558e4fd7"},
      {"2080ti_32", "35ade96b5e88c60f9a176909b7dfe8033830f983a212b89379e557c1c98f93c1"},
      {"2080ti_64", "038c6438091fecb536c5e1fc70da13cbb2d99b4ef7ba44a7c545d2b141ec7654"},
      {"eyeriss", "eaf78708634cdada3fa52971a91fa851c41a3a3edc213c7d5dd3dc81ad205e7f"},
      {"fpga", "f1f0542554cf205f93593814d9e5012df90139043c1b878a24d36d66b0a5adaf"},
      {"gold_6226", "77a15ae6276ba8e5343fb3d2b9e7dd995629b0cca92af282d12619002745560c"},
      {"gold_6240", "b3f7f9e419b67d2f5b2d6392f4968ea9a7a23f3078a4a8c882016ab72921dc3f"},
      {"pixel2", "da0b0da71fc6195232a92d0cf2c23a4176756c8fbb600c74b3cc99d6c2e69d88"},
      {"pixel3", "ccd89872782b2c4f4c7b163e65983cffb7a14782b3a03f2837ccf5083f00ebd8"},
      {"raspi4", "51a9da87b02efb1a6ebd42e312c324abdaac0e75dbfc84825dff92b0804a44af"},
      {"samsung_a50", "378f93b6a278598470d354073d983ffaa0e80f72884b5370da3bb70b6a8e0f1d"},
      {"silver_4210r", "e1732f783606639d40cb3ac40903e05c8dc06797be024c0643e8d14e7e270de5"},
      {"titan_rtx_1", "d13dc078b2a0e4c9d984f29d48f26f5659cddd2d2f83f753a5b1c3f7999af337"},
      {"titan_rtx_32", "3607673cd6a40a8290678b85d88d27c67429e8366394965c5f0d0fd649cf6f22"},
      {"titan_rtx_64", "066bd14333eb53ce2076c290bdb8944db4919444a77813158580ff3bfa57901f"},
      {"titanx_1", "2ab7914e5effece2a2e9c1f5f73826adc0e6c371a63802e91234a65936eb3068"},
      {"titanx_32", "667e020f5d3977d347d0969c6e67362892ec5e0b483c10791f5de25eb1c196b4"},
      {"titanx_64", "f2d09f8de4d6efbc6c504c3812eacbc9717bf813d1fcc55cae6ce5de405d2277"},
      {"titanxp_1", "a4da9d78c7f3f39640051bcf3d843f26447254d50cab3beabdbab64e07fe27dd"},
      {"titanxp_32", "fb059a030b7c0f9c80357122d81e3c336c50ddbbab82eae8e1a0d0435fe92208"},
  };
  for (const auto& [name, sha] : fbnet_tables) {
    m.push_back({fmt::format("help-fbnet/{}.pt", name), sha, fmt::format("{}latency/{}.pt", kHelpFbnetRaw, name)});
  }
  m.push_back({"help-fbnet/arch.pt", "ba5e1e45bb4134afd07b44ae8e69bf2576051935682368fd9c51cbde059c7fdc",
               std::string(kHelpFbnetRaw) + "arch.pt"});
  m.push_back({"help-fbnet/metainfo.pt", "2d612b214ba2e446ec3f0b7e4f56a5f683ab2370dd09fc120d2e66ad78c2107b",
               std::string(kHelpFbnetRaw) + "metainfo.pt"});
  const std::pair<const char*, const char*> accuracy[] = {
      {"cifar10", "0f71363960f31d10dab2f943b63a80431e3ab3b24fcc6e7e86aa24cd7fc72e5f"},
      {"cifar100", "e1a024bee46bb3df9fbc0c5d41c0efe6063897df33116582a714ef38b0e94372"},
      {"ImageNet16-120", "a241479dbc7a969436b114756ae37aad20dfdbe2fac2656110d94c52a397d5bb"},
  };
  for (const auto& [name, sha] : accuracy) {
    m.push_back({fmt::format("nats-bench-accuracy/{}_perfmetrics.txt", name), sha,
                 fmt::format("{}{}_perfmetrics.txt", kFreeReaRaw, name)});
  }
  m.push_back({kCifarSamplePath, "0c523ba8f5a98ab18146fc2abf086017fa89471681076f65a1732f74cc75a0d3", kCifarTarball});
  return m;
}

bool IsCifarSample(const DataFileSpec& spec) { return spec.path == kCifarSamplePath; }

// Downloads `url` to `dest` with curl (no shell).
void Download(const std::string& url, const fs::path& dest) {
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  const ProcessResult r =
      RunProcess({"curl", "--fail", "--location", "--silent", "--show-error", "--retry", "2", "--output",
                  dest.string(), url},
                 600.0);
  if (!r.started) throw DataError(fmt::format("cannot download {}: {}", url, r.error));
  if (r.timed_out || r.exit_code != 0) {
    std::string why = r.err;
    if (const auto nl = why.find('\n'); nl != std::string::npos) why.resize(nl);
    throw DataError(fmt::format("cannot download {}: {}", url, r.timed_out ? "timed out" : why));
  }
}

// Rebuilds the 640-image sample from the official CIFAR-10 binary distribution.
void BuildCifarSampleFromUpstream(const fs::path& dest) {
  const fs::path tmp_dir = dest.parent_path() / ".cifar-download";
  fs::create_directories(tmp_dir);
  const fs::path tarball = tmp_dir / "cifar-10-binary.tar.gz";
  Download(kCifarTarball, tarball);
  const ProcessResult r = RunProcess({"tar", "-xzf", tarball.string(), "-C", tmp_dir.string(),
                                      "cifar-10-batches-bin/data_batch_1.bin"},
                                     600.0);
  if (!r.started || r.exit_code != 0) throw DataError(fmt::format("cannot unpack {}: {}", tarball.string(), r.err));
  const std::vector<char> batch = ReadFileBytes(tmp_dir / "cifar-10-batches-bin" / "data_batch_1.bin");
  const std::size_t want = 640 * static_cast<std::size_t>(kCifarRecordBytes);
  if (batch.size() < want) throw DataError("CIFAR-10 data_batch_1.bin is shorter than 640 records");
  WriteFileAtomically(dest, std::string_view(batch.data(), want));
  fs::remove_all(tmp_dir);
}

}  // namespace

std::string WithDataFetchHint(const DataDir& dir, const std::string& message) {
  if (message.find("simnas data fetch") != std::string::npos) return message;
  for (const DataFileSpec& spec : DataManifest()) {
    if (message.find((dir.root() / spec.path).string()) != std::string::npos) {
      return message + " (run `simnas data fetch` to fetch or repair the data folder)";
    }
  }
  return message;
}

const std::vector<DataFileSpec>& DataManifest() {
  static const std::vector<DataFileSpec> manifest = BuildManifest();
  return manifest;
}

void FetchData(const DataDir& dir, const FetchOptions& options) {
  int fetched = 0;
  for (const DataFileSpec& spec : DataManifest()) {
    const fs::path dest = dir.root() / spec.path;
    if (!options.force && fs::exists(dest)) {
      const std::string sha = Sha256OfFile(dest);
      if (sha == spec.sha256 || IsCifarSample(spec)) continue;
      std::fprintf(stderr, "%s: content differs from the published file; fetching it again\n", dest.c_str());
    }
    if (options.mirror) {
      const fs::path src = *options.mirror / spec.path;
      if (!fs::exists(src)) throw DataError(fmt::format("{}: missing in the data mirror", src.string()));
      const std::string sha = Sha256OfFile(src);
      if (sha != spec.sha256) {
        throw DataError(fmt::format("{}: SHA-256 {} differs from the published {}", src.string(), sha, spec.sha256));
      }
      const std::vector<char> bytes = ReadFileBytes(src);
      WriteFileAtomically(dest, std::string_view(bytes.data(), bytes.size()));
    } else if (IsCifarSample(spec)) {
      BuildCifarSampleFromUpstream(dest);
    } else {
      const fs::path tmp = dest.string() + ".download";
      Download(spec.url, tmp);
      const std::string sha = Sha256OfFile(tmp);
      if (sha != spec.sha256) {
        fs::remove(tmp);
        throw DataError(fmt::format("{}: downloaded file has SHA-256 {}, expected {}", spec.url, sha, spec.sha256));
      }
      fs::rename(tmp, dest);
    }
    ++fetched;
    std::fprintf(stderr, "fetched %s\n", spec.path.c_str());
  }
  std::fprintf(stderr, "data in %s: %d file(s) fetched, %zu present\n", dir.root().c_str(), fetched,
               DataManifest().size());
}

std::vector<VerifyEntry> VerifyData(const DataDir& dir) {
  std::vector<VerifyEntry> entries;
  for (const DataFileSpec& spec : DataManifest()) {
    VerifyEntry e{spec.path, false, false, ""};
    const fs::path path = dir.root() / spec.path;
    e.present = fs::exists(path);
    if (!e.present) {
      e.problem = "missing (run `simnas data fetch`)";
      entries.push_back(e);
      continue;
    }
    e.hash_matches = Sha256OfFile(path) == spec.sha256;
    try {
      const std::string ext = path.extension().string();
      if (spec.path == "help-fbnet/arch.pt") {
        LoadFbnetArchs(path);
      } else if (spec.path == "help-fbnet/metainfo.pt") {
        // Same architectures as arch.pt with their names; checked by its hash only.
      } else if (spec.path.rfind("help-fbnet/", 0) == 0) {
        LoadFbnetLatencyTable(path);
      } else if (spec.path.find("str_arch2idx") != std::string::npos) {
        LoadSearchSpace(path);
      } else if (ext == ".pt") {
        LoadPickledLatencyTable(path, kNumCells);
      } else if (spec.path.rfind("nats-bench-accuracy/", 0) == 0) {
        const std::string stem = path.stem().string();
        LoadAccuracyTable(path, ParseDataset(stem.substr(0, stem.find("_perfmetrics"))));
      } else if (ext == ".bin") {
        LoadCifarImages(path);
      }
      if (!e.hash_matches && !IsCifarSample(spec)) e.problem = "content differs from the published file";
    } catch (const Error& err) {
      e.problem = err.what();
    }
    entries.push_back(e);
  }
  return entries;
}

}  // namespace simnas
