#include "simnas/spaces/fbnet/fbnet_data.h"

#include <fmt/format.h>

namespace simnas {
namespace {

constexpr const char* kHelpFbnetRaw = "https://raw.githubusercontent.com/HayeonLee/HELP/main/data/fbnet/";

}  // namespace

std::vector<DataFileSpec> FbnetDataFiles() {
  std::vector<DataFileSpec> m;
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
    m.push_back({fmt::format("help-fbnet/{}.pt", name), sha, fmt::format("{}latency/{}.pt", kHelpFbnetRaw, name),
                 [](const std::filesystem::path& p) { LoadFbnetLatencyTable(p); }});
  }
  m.push_back({"help-fbnet/arch.pt", "ba5e1e45bb4134afd07b44ae8e69bf2576051935682368fd9c51cbde059c7fdc",
               std::string(kHelpFbnetRaw) + "arch.pt", [](const std::filesystem::path& p) { LoadFbnetArchs(p); }});
  // Same architectures as arch.pt with their names; checked by its hash only.
  m.push_back({"help-fbnet/metainfo.pt", "2d612b214ba2e446ec3f0b7e4f56a5f683ab2370dd09fc120d2e66ad78c2107b",
               std::string(kHelpFbnetRaw) + "metainfo.pt", {}});
  return m;
}

}  // namespace simnas
