// DeviceSpec: every form parses to its kind and parts, prints back as given, and a bad spec is
// one ParseError line naming it; the train/test aliases expand to a space's split.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "simnas/core/error.h"
#include "simnas/devices/device_factory.h"
#include "simnas/devices/device_spec.h"
#include "simnas/space/space_data.h"
#include "simnas/spaces/fbnet/fbnet_space.h"
#include "simnas/spaces/nb201/nb201_space.h"
#include "test_support.h"

namespace simnas {
namespace {

using Kind = DeviceSpec::Kind;

TEST(DeviceSpec, EachFormParsesToItsKindAndParts) {
  const DeviceSpec table = DeviceSpec::Parse("table:pixel3");
  EXPECT_EQ(table.kind(), Kind::kTable);
  EXPECT_EQ(table.table_name(), "pixel3");
  EXPECT_FALSE(table.is_table_file());
  EXPECT_EQ(table.ShortName(), "pixel3");

  for (const char* file : {"table:/tmp/t.csv", "table:measured.csv", "table:help/pixel3.pt"}) {
    const DeviceSpec f = DeviceSpec::Parse(file);
    EXPECT_TRUE(f.is_table_file()) << file;
    EXPECT_EQ(f.table_name(), std::string(file).substr(6)) << file;
  }

  const DeviceSpec synthetic = DeviceSpec::Parse("synthetic:7");
  EXPECT_EQ(synthetic.kind(), Kind::kSynthetic);
  EXPECT_EQ(synthetic.seed(), 7u);
  EXPECT_FALSE(synthetic.has_options());
  EXPECT_EQ(synthetic.table_name(), "");
  const DeviceSpec with_options = DeviceSpec::Parse("synthetic:12,sampler=mixture,op_noise=0.1");
  EXPECT_EQ(with_options.seed(), 12u);
  EXPECT_TRUE(with_options.has_options());
  EXPECT_EQ(with_options.options(), "sampler=mixture,op_noise=0.1");

  EXPECT_EQ(DeviceSpec::Parse("local").kind(), Kind::kLocal);
  EXPECT_EQ(DeviceSpec::Parse("local").options(), "");
  EXPECT_EQ(DeviceSpec::Parse("local:threads=2,batch=4").options(), "threads=2,batch=4");
  EXPECT_EQ(DeviceSpec::Parse("opencv:threads=2").kind(), Kind::kOpenCv);

  const DeviceSpec cmd = DeviceSpec::Parse("cmd:./time.sh {arch}");
  EXPECT_EQ(cmd.kind(), Kind::kCommand);
  EXPECT_EQ(cmd.command(), "./time.sh {arch}");

  // Anything else is a name: a registry entry or a bare table name, decided on opening.
  for (const char* name : {"pixel3", "my-jetson", "gpu:0"}) {
    const DeviceSpec n = DeviceSpec::Parse(name);
    EXPECT_EQ(n.kind(), Kind::kName) << name;
    EXPECT_EQ(n.name(), name);
    EXPECT_EQ(KindName(n.kind()), "name");
  }
  EXPECT_EQ(KindName(Kind::kTable), "table");
}

TEST(DeviceSpec, PrintsBackAsGiven) {
  for (const char* text : {"table:pixel3", "table:/tmp/a b/t.csv", "synthetic:0", "synthetic:3,paper",
                           "synthetic:5,sampler=mixture,op_noise=0.1", "local", "local:", "local:threads=2,batch=8",
                           "opencv", "opencv:threads=1", "cmd:'./t.sh' {arch}", "my-board", "gpu:0"}) {
    const DeviceSpec spec = DeviceSpec::Parse(text);
    EXPECT_EQ(spec.ToString(), text);
    EXPECT_EQ(DeviceSpec::Parse(spec.ToString()), spec) << text;
    EXPECT_EQ(DeviceSpec::Parse(spec.ToString()).kind(), spec.kind()) << text;
  }
  // The benchmark rows key table devices by this exact text.
  EXPECT_EQ(DeviceSpec::Table("pixel3").ToString(), "table:pixel3");
  EXPECT_EQ(DeviceSpec::Table("pixel3"), DeviceSpec::Parse("table:pixel3"));
  EXPECT_EQ(DeviceSpec::Table("/x/t.csv").ToString(), "table:/x/t.csv");
}

TEST(DeviceSpec, TableOrSpecReadsABareWordAsATable) {
  EXPECT_EQ(DeviceSpec::TableOrSpec("pixel3").ToString(), "table:pixel3");
  EXPECT_EQ(DeviceSpec::TableOrSpec("table:pixel3").ToString(), "table:pixel3");
  EXPECT_EQ(DeviceSpec::TableOrSpec("local").kind(), Kind::kLocal);
  EXPECT_EQ(DeviceSpec::TableOrSpec("opencv").kind(), Kind::kOpenCv);
  EXPECT_EQ(DeviceSpec::TableOrSpec("synthetic:3").kind(), Kind::kSynthetic);
}

TEST(DeviceSpec, ABadSpecIsOneLineNamingIt) {
  struct Bad {
    const char* spec;
    const char* says;
  };
  for (const Bad& bad : {Bad{"table:", "needs a device name or a table file path"},
                         Bad{"synthetic:x", "non-negative integer seed"},
                         Bad{"synthetic:-1", "non-negative integer seed"},
                         Bad{"synthetic:", "non-negative integer seed"},
                         Bad{"synthetic:7,bogus=1", "bogus"},
                         Bad{"local:threads=0", "threads"},
                         Bad{"local:batch", "not key=value"},
                         Bad{"opencv:thread=2", "unknown opencv device option"},
                         Bad{"cmd:", "needs a program"},
                         Bad{"cmd:  ", "needs a program"}}) {
    try {
      DeviceSpec::Parse(bad.spec);
      FAIL() << bad.spec << " parsed";
    } catch (const ParseError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(std::string("'") + bad.spec + "'"), std::string::npos) << message;
      EXPECT_NE(message.find(bad.says), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
  for (const char* empty : {"", "   "}) {
    try {
      DeviceSpec::Parse(empty);
      FAIL() << "an empty spec parsed";
    } catch (const ParseError& e) {
      EXPECT_NE(std::string(e.what()).find("empty device spec"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(DeviceSpec::Table(""), ParseError);
}

TEST(DeviceSpec, TrainAndTestExpandToTheTablesOfTheSplit) {
  EXPECT_TRUE(IsDeviceGroup("train"));
  EXPECT_TRUE(IsDeviceGroup("test"));
  EXPECT_FALSE(IsDeviceGroup("table:pixel3"));
  // Every space's split: NAS-Bench-201's and FBNet's (HELP's 17 + 6 tables each).
  for (const Space* space : {&Nb201Space(), &FbnetSpace()}) {
    const SpaceData data(*space, testing::Data().dir());
    for (const char* group : {"train", "test"}) {
      SCOPED_TRACE(fmt::format("{} {}", space->name(), group));
      const bool test = std::string(group) == "test";
      const std::vector<std::string> names = test ? data.TestDevices() : data.TrainDevices();
      const std::vector<DeviceSpec> specs = ExpandDeviceGroup(group, data);
      ASSERT_EQ(specs.size(), test ? 6u : 17u);
      ASSERT_EQ(specs.size(), names.size());
      for (std::size_t i = 0; i < specs.size(); ++i) {
        EXPECT_EQ(specs[i].ToString(), "table:" + names[i]);
        EXPECT_EQ(space->IsTestDevice(specs[i].table_name()), test) << specs[i].ToString();
      }
    }
    const std::vector<DeviceSpec> one = ExpandDeviceGroup("synthetic:4", data);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].ToString(), "synthetic:4");
  }
}

TEST(DeviceSpec, OpensWithTheSpecAsTheDevicesName) {
  const DeviceEnvironment env = testing::Nb201Devices(testing::Data(), std::nullopt);
  EXPECT_EQ(OpenDevice(DeviceSpec::Table("fpga"), env)->Spec(), "table:fpga");
  EXPECT_EQ(OpenDevice(DeviceSpec::Parse("fpga"), env)->Spec(), "table:fpga");  // a bare table name
  EXPECT_EQ(OpenDevice("table:fpga", env)->Measure(ToArch(testing::Data().space().CellAt(42))).latency_ms,
            testing::Data().DeviceTable("fpga").At(42));
  try {
    OpenDevice(DeviceSpec::Parse("gpu:0"), env);
    FAIL() << "an unknown name opened";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown device 'gpu:0'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace simnas
