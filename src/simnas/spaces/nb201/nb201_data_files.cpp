#include "simnas/spaces/nb201/benchmark_data.h"

#include <fmt/format.h>

#include "simnas/data/dataset.h"
#include "simnas/data/latency_table.h"
#include "simnas/spaces/nb201/accuracy_table.h"
#include "simnas/spaces/nb201/cell.h"

namespace simnas {
namespace {

constexpr const char* kHelpRaw = "https://raw.githubusercontent.com/HayeonLee/HELP/main/data/nasbench201/";
constexpr const char* kFreeReaRaw = "https://raw.githubusercontent.com/fracapuano/FreeREA/main/cachedmetrics/";

}  // namespace

std::vector<DataFileSpec> Nb201DataFiles() {
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
    m.push_back({fmt::format("help-nasbench201/{}.pt", name), sha, fmt::format("{}latency/{}.pt", kHelpRaw, name),
                 [](const std::filesystem::path& p) { LoadPickledLatencyTable(p, kNumCells); }});
  }
  m.push_back({"help-nasbench201/str_arch2idx.pt", "e1d7b7cc7cf51d7c3cd6f9e726e7395bea87d7ba674e26202fb8633f963aef0d",
               std::string(kHelpRaw) + "str_arch2idx.pt", [](const std::filesystem::path& p) { LoadSearchSpace(p); }});
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
                 fmt::format("{}architecture_config/{}", kHelpRaw, rel), {}});
  }
  const std::pair<const char*, const char*> accuracy[] = {
      {"cifar10", "0f71363960f31d10dab2f943b63a80431e3ab3b24fcc6e7e86aa24cd7fc72e5f"},
      {"cifar100", "e1a024bee46bb3df9fbc0c5d41c0efe6063897df33116582a714ef38b0e94372"},
      {"ImageNet16-120", "a241479dbc7a969436b114756ae37aad20dfdbe2fac2656110d94c52a397d5bb"},
  };
  for (const auto& [name, sha] : accuracy) {
    const Dataset dataset = ParseDataset(name);
    m.push_back({fmt::format("nats-bench-accuracy/{}_perfmetrics.txt", name), sha,
                 fmt::format("{}{}_perfmetrics.txt", kFreeReaRaw, name),
                 [dataset](const std::filesystem::path& p) { LoadAccuracyTable(p, dataset); }});
  }
  return m;
}

}  // namespace simnas
