// Device presets against the datasheet figures of ../shared/REFERENCES.md section 3 (dense peaks),
// the lookup rules, PeakFlopsFor fallbacks and ValidateDeviceSpec.
#include "hardware/presets.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "hardware/device_spec.h"
#include "models/input_error.h"
#include "tests/support/input_error.h"

namespace servesim {
namespace {

constexpr double kGB = 1e9;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kT = 1e12;

const DeviceSpec& Get(const char* name) {
  const DevicePreset* preset = FindDevicePreset(name);
  REQUIRE(preset != nullptr);
  return preset->spec;
}

// Datasheet "N GB" device memory: the driver-reported total lies between N decimal GB and N GiB.
void CheckDatasheetCapacity(const DeviceSpec& d, double datasheet_gb) {
  INFO(d.name << " capacity " << d.memory.capacity_bytes);
  CHECK(d.memory.capacity_bytes >= datasheet_gb * kGB);
  CHECK(d.memory.capacity_bytes <= datasheet_gb * kGiB);
}

// The dense bf16, fp8 and int8 peaks (in TFLOPS), the memory bandwidth and the datasheet
// capacity of `d`.
void CheckDatasheet(const DeviceSpec& d, double bf16_tflops, double fp8_tflops, double int8_tflops,
                    double bandwidth_bytes_per_s, double datasheet_gb) {
  INFO(d.name);
  CHECK(d.peak.bf16 == Approx(bf16_tflops * kT));
  CHECK(d.peak.fp8 == Approx(fp8_tflops * kT));
  CHECK(d.peak.int8 == Approx(int8_tflops * kT));
  CHECK(d.memory.bandwidth_bytes_per_s == Approx(bandwidth_bytes_per_s));
  CheckDatasheetCapacity(d, datasheet_gb);
}

// Expects ValidateDeviceSpec to throw an InputError whose message names the source and `field`.
void CheckRejected(const DeviceSpec& d, const std::string& field) {
  INFO("field " << field);
  try {
    ValidateDeviceSpec(d, "custom.yaml: hardware");
    FAIL("ValidateDeviceSpec accepted a bad " << field);
  } catch (const InputError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.rfind("custom.yaml: hardware: ", 0) == 0);
    CHECK(message.find(field) != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("H100 SXM matches the datasheet", "[hardware]") {
  const DeviceSpec& d = Get("h100-sxm");
  CheckDatasheet(d, 989, 1979, 1979, 3.35e12, 80);
  CHECK(d.peak.fp16 == Approx(989 * kT));
  CHECK(d.memory.capacity_bytes == Approx(81559 * kMiB));            // nvidia-smi memory.total
  CHECK(d.interconnect.bandwidth_bytes_per_s == Approx(450 * kGB));  // NVLink4 900 total
  CHECK(d.compute_units == 132);
  CHECK_FALSE(d.unified_memory);
}

TEST_CASE("A100 80GB and 40GB match the datasheet", "[hardware]") {
  const DeviceSpec& a80 = Get("a100-80gb");
  CHECK(a80.peak.bf16 == Approx(312 * kT));
  CHECK(a80.peak.int8 == Approx(624 * kT));
  CHECK(a80.peak.fp8 == 0);  // no FP8 on Ampere
  CHECK(a80.memory.bandwidth_bytes_per_s == Approx(2.039e12));
  CheckDatasheetCapacity(a80, 80);
  CHECK(a80.memory.capacity_bytes == Approx(81920 * kMiB));
  CHECK(a80.interconnect.bandwidth_bytes_per_s == Approx(300 * kGB));  // NVLink3 600 total
  CHECK(a80.compute_units == 108);

  const DeviceSpec& a40 = Get("a100-40gb");
  CHECK(a40.peak.bf16 == Approx(312 * kT));
  CHECK(a40.peak.int8 == Approx(624 * kT));
  CHECK(a40.memory.bandwidth_bytes_per_s == Approx(1.555e12));
  CheckDatasheetCapacity(a40, 40);
}

TEST_CASE("H100 PCIe and H200 match the datasheet", "[hardware]") {
  const DeviceSpec& pcie = Get("h100-pcie");
  CheckDatasheet(pcie, 756, 1513, 1513, 2.0e12, 80);
  CHECK(pcie.interconnect.bandwidth_bytes_per_s == Approx(64 * kGB));  // PCIe5
  CHECK(pcie.compute_units == 114);

  const DeviceSpec& h200 = Get("h200");
  CheckDatasheet(h200, 989, 1979, 1979, 4.8e12, 141);
  CHECK(h200.interconnect.bandwidth_bytes_per_s == Approx(450 * kGB));
}

TEST_CASE("Ada, Ampere and Turing inference GPUs match the datasheets", "[hardware]") {
  const DeviceSpec& l4 = Get("l4");
  CheckDatasheet(l4, 121, 242, 242, 300 * kGB, 24);

  const DeviceSpec& l40s = Get("l40s");
  CheckDatasheet(l40s, 362, 733, 733, 864 * kGB, 48);

  const DeviceSpec& a10g = Get("a10g");
  CHECK(a10g.peak.bf16 == Approx(70 * kT));
  CHECK(a10g.memory.bandwidth_bytes_per_s == Approx(600 * kGB));
  CheckDatasheetCapacity(a10g, 24);

  const DeviceSpec& t4 = Get("t4");
  CHECK(t4.peak.fp16 == Approx(65 * kT));
  CHECK(t4.peak.bf16 == Approx(65 * kT));  // no native bf16: priced at the fp16 rate
  CHECK(t4.peak.int8 == Approx(130 * kT));
  CHECK(t4.memory.bandwidth_bytes_per_s == Approx(320 * kGB));
  CheckDatasheetCapacity(t4, 16);
  // FlexGen's fitted box (REFERENCES.md section 3).
  REQUIRE(t4.offload_tiers.size() == 2);
  CHECK(t4.offload_tiers[0].bandwidth_bytes_per_s == Approx(12.89 * kGB));
  CHECK(t4.offload_tiers[1].bandwidth_bytes_per_s == Approx(0.473 * kGB));

  const DeviceSpec& a40 = Get("a40");
  CHECK(a40.peak.bf16 == Approx(149.7 * kT));
  CHECK(a40.memory.bandwidth_bytes_per_s == Approx(696 * kGB));
  CheckDatasheetCapacity(a40, 48);
}

TEST_CASE("MI300X matches the datasheet", "[hardware]") {
  const DeviceSpec& d = Get("mi300x");
  CheckDatasheet(d, 1307, 2615, 2615, 5.3e12, 192);
  CHECK(d.compute_units == 304);
}

TEST_CASE("Consumer and workstation GPUs", "[hardware]") {
  const DeviceSpec& r4090 = Get("rtx-4090");
  // bf16 with FP32 accumulate, what PyTorch GEMMs get
  CheckDatasheet(r4090, 165, 330, 661, 1.008e12, 24);

  const DeviceSpec& r4060 = Get("rtx-4060");
  CHECK(r4060.peak.fp32 == Approx(15.11 * kT));
  CHECK(r4060.memory.bandwidth_bytes_per_s == Approx(272 * kGB));
  CheckDatasheetCapacity(r4060, 8);
  CHECK(r4060.compute_units == 24);

  const DeviceSpec& pro = Get("rtx-pro-6000");  // Server Edition
  CHECK(pro.memory.bandwidth_bytes_per_s == Approx(1.597e12));
  CheckDatasheetCapacity(pro, 96);
  CHECK(pro.compute_units == 188);
  const DeviceSpec& pro_ws = Get("rtx-pro-6000-ws");
  CHECK(pro_ws.memory.bandwidth_bytes_per_s == Approx(1.792e12));
  CheckDatasheetCapacity(pro_ws, 96);
}

TEST_CASE("Laptop GPUs: NVIDIA's laptop page figures", "[hardware]") {
  // Memory: NVIDIA's size and bus width x the GDDR6 data rate; INT4 dense at the top boost clock
  // against NVIDIA's "AI TOPS" (542, 321, 233; the 4090 Laptop's 686 assumes a higher clock than
  // its listed 2,040 MHz: 76 SMs x 4,096 x 2.04 GHz = 635).
  struct Expected {
    const char* name;
    int memory_gb;
    double bandwidth_bytes_per_s;
    double int4_tops;
    int sms;
  };
  const Expected laptops[] = {
      {"rtx-4090-laptop", 16, 576 * kGB, 635, 76},
      {"rtx-4080-laptop", 12, 432 * kGB, 542, 58},
      {"rtx-4070-laptop", 8, 256 * kGB, 321, 36},
      {"rtx-4060-laptop", 8, 256 * kGB, 233, 24},
  };
  for (const Expected& e : laptops) {
    INFO(e.name);
    const DeviceSpec& d = Get(e.name);
    CHECK(d.memory.capacity_bytes == Approx(e.memory_gb * kGiB));
    CHECK(d.memory.bandwidth_bytes_per_s == Approx(e.bandwidth_bytes_per_s));
    CHECK(d.peak.int4 == Approx(e.int4_tops * kT).epsilon(0.002));
    CHECK(d.compute_units == e.sms);
    CHECK_FALSE(d.unified_memory);
  }
  // nvidia-smi's name finds the preset.
  CHECK(FindDevicePreset("NVIDIA-GeForce-RTX-4060-Laptop-GPU")->spec.name == "rtx-4060-laptop");
}

TEST_CASE("Unified-memory SoCs stream from storage only", "[hardware]") {
  struct Expected {
    const char* name;
    double capacity_bytes;
    double bandwidth_bytes_per_s;
    double storage_bytes_per_s;
  };
  const Expected socs[] = {
      {"apple-m2-max", 96 * kGiB, 400 * kGB, 6 * kGB},
      {"apple-m3-max", 128 * kGiB, 400 * kGB, 6 * kGB},
      // Apple tech specs: memory bandwidth of each chip (and its largest memory option).
      {"apple-m1-pro", 32 * kGiB, 200 * kGB, 6 * kGB},
      {"apple-m1-max", 64 * kGiB, 400 * kGB, 6 * kGB},
      {"apple-m1-ultra", 128 * kGiB, 800 * kGB, 6 * kGB},
      {"apple-m2-pro", 32 * kGiB, 200 * kGB, 6 * kGB},
      {"apple-m2-ultra", 192 * kGiB, 800 * kGB, 6 * kGB},
      {"apple-m3-pro", 36 * kGiB, 150 * kGB, 6 * kGB},
      {"apple-m4-pro", 64 * kGiB, 273 * kGB, 6 * kGB},
      {"apple-m4-max", 128 * kGiB, 546 * kGB, 6 * kGB},
      // Base chips and the M3 Ultra (Apple tech specs): M1 LPDDR4X-4266 x 128 bits = 68.25 GB/s;
      // M3 Ultra LPDDR5-6400 x 1,024 bits = 819.2 GB/s ("over 800GB/s").
      {"apple-m1", 16 * kGiB, 68.25 * kGB, 6 * kGB},
      {"apple-m2", 24 * kGiB, 100 * kGB, 6 * kGB},
      {"apple-m3", 24 * kGiB, 100 * kGB, 6 * kGB},
      {"apple-m4", 32 * kGiB, 120 * kGB, 6 * kGB},
      {"apple-m3-ultra", 512 * kGiB, 819.2 * kGB, 6 * kGB},
      {"jetson-agx-orin", 64 * kGiB, 204.8 * kGB, 7 * kGB},
      {"phone-snapdragon-8-gen3", 12 * kGiB, 76.8 * kGB, 4 * kGB},  // UFS 4.0
      // Phones: 64-bit LPDDR, bandwidth = 8 bytes x transfer rate. Snapdragon 8 Elite product
      // brief: LPDDR5X 5,300 MHz = 10,600 MT/s; A17 Pro: LPDDR5-6400 (TechInsights teardown);
      // A18 Pro: LPDDR5X-7500 (Apple: 17 % more bandwidth than the A17 Pro).
      {"phone-snapdragon-8-elite", 24 * kGiB, 84.8 * kGB, 4 * kGB},
      {"phone-apple-a17-pro", 8 * kGiB, 51.2 * kGB, 4 * kGB},
      {"phone-apple-a18-pro", 8 * kGiB, 60 * kGB, 4 * kGB},
  };
  for (const Expected& e : socs) {
    INFO(e.name);
    const DeviceSpec& d = Get(e.name);
    CHECK(d.unified_memory);
    CHECK(d.memory.capacity_bytes == Approx(e.capacity_bytes));
    CHECK(d.memory.bandwidth_bytes_per_s == Approx(e.bandwidth_bytes_per_s));
    REQUIRE(d.offload_tiers.size() == 1);
    CHECK(d.offload_tiers[0].bandwidth_bytes_per_s == Approx(e.storage_bytes_per_s));
    CHECK(d.interconnect.bandwidth_bytes_per_s == 0);
  }
}

TEST_CASE("Apple GPU FP32 matches Apple's published TFLOP/s", "[hardware]") {
  // Apple's launch figures: M1 Max 10.4, M1 Ultra 21, M2 Max 13.6, M2 Ultra 27.2 TFLOP/s.
  CHECK(Get("apple-m1-max").peak.fp32 == Approx(10.4 * kT).epsilon(0.01));
  CHECK(Get("apple-m1-ultra").peak.fp32 == Approx(21 * kT).epsilon(0.015));
  CHECK(Get("apple-m2-max").peak.fp32 == Approx(13.6 * kT).epsilon(0.01));
  CHECK(Get("apple-m2-ultra").peak.fp32 == Approx(27.2 * kT).epsilon(0.01));
}

TEST_CASE("Phone GPU and NPU figures follow their stated derivations", "[hardware]") {
  // Snapdragon 8 Elite: Qualcomm's +40 % GPU and +45 % NPU over the 8 Gen 3 (2.8 TFLOP/s FP32,
  // 45 TOP/s INT8); Apple A17 Pro / A18 Pro: 6 GPU cores x 128 ALUs x 2 at 1.398 / 1.578 GHz.
  CHECK(Get("phone-snapdragon-8-elite").peak.fp32 == Approx(3.92 * kT));
  CHECK(Get("phone-snapdragon-8-elite").peak.int8 == Approx(65.25 * kT));
  CHECK(Get("phone-apple-a17-pro").peak.fp32 == Approx(2.147 * kT).epsilon(0.001));
  CHECK(Get("phone-apple-a18-pro").peak.fp32 == Approx(2.424 * kT).epsilon(0.001));
  CHECK(Get("phone-apple-a18-pro").memory.bandwidth_bytes_per_s /
            Get("phone-apple-a17-pro").memory.bandwidth_bytes_per_s ==
        Approx(1.17).epsilon(0.005));
  CHECK(FindDevicePreset("SM8750")->spec.name == "phone-snapdragon-8-elite");
}

TEST_CASE("Every preset is valid and cites its source", "[hardware]") {
  const auto& presets = DevicePresets();
  REQUIRE(presets.size() >= 19);
  std::set<std::string> names;
  for (const DevicePreset& preset : presets) {
    const DeviceSpec& d = preset.spec;
    INFO(d.name);
    CHECK_NOTHROW(ValidateDeviceSpec(d, d.name));
    CHECK_FALSE(d.description.empty());
    CHECK_FALSE(d.source.empty());
    CHECK_FALSE(d.memory.name.empty());
    CHECK(d.memory.latency_s > 0);
    CHECK(d.peak.fp32 > 0);
    CHECK(d.peak.fp32 <= d.PeakFlopsFor(DType::kBf16));  // tensor rate >= vector rate
    // Keys and aliases are lower case and unique across the catalog.
    std::vector<std::string> own = preset.aliases;
    own.push_back(d.name);
    for (const std::string& n : own) {
      CHECK(names.insert(n).second);
      CHECK(std::none_of(n.begin(), n.end(), [](char ch) {
        return std::isupper(static_cast<unsigned char>(ch)) || ch == ' ';
      }));
    }
    // Offload tiers: nearest first, each slower than device memory; every device has storage.
    REQUIRE_FALSE(d.offload_tiers.empty());
    for (size_t i = 0; i < d.offload_tiers.size(); ++i) {
      CHECK(d.offload_tiers[i].bandwidth_bytes_per_s < d.memory.bandwidth_bytes_per_s);
      if (i > 0) {
        CHECK(d.offload_tiers[i].bandwidth_bytes_per_s <=
              d.offload_tiers[i - 1].bandwidth_bytes_per_s);
      }
    }
    if (d.unified_memory) {
      CHECK(d.offload_tiers.size() == 1);
    } else {
      CHECK(d.offload_tiers.front().name == "host-dram");
      CHECK(d.interconnect.bandwidth_bytes_per_s > 0);
      CHECK(d.compute_units > 0);
    }
  }
}

TEST_CASE("Lookup by key, alias and any case", "[hardware]") {
  CHECK(FindDevicePreset("h100-sxm")->spec.name == "h100-sxm");
  CHECK(FindDevicePreset("H100-SXM")->spec.name == "h100-sxm");
  CHECK(FindDevicePreset("h100-80gb-hbm3")->spec.name == "h100-sxm");
  CHECK(FindDevicePreset("A100-SXM4-80GB")->spec.name == "a100-80gb");
  CHECK(FindDevicePreset("Tesla-T4")->spec.name == "t4");
  CHECK(FindDevicePreset("RTXPRO6000")->spec.name == "rtx-pro-6000");
  CHECK(FindDevicePreset("M2-Max")->spec.name == "apple-m2-max");
  CHECK(&DevicePresetOrThrow("L40S", "--device") == &FindDevicePreset("l40s")->spec);
  CHECK(FindDevicePreset("h100") == nullptr);  // ambiguous on purpose
  CHECK(FindDevicePreset("") == nullptr);
  CHECK(FindDevicePreset("h100-sxm ") == nullptr);
}

TEST_CASE("Unknown device names the source and suggests", "[hardware]") {
  {
    const std::string message =
        testing::ExpectInputError([&] { DevicePresetOrThrow("h100", "--device"); });
    INFO(message);
    CHECK(message.rfind("--device: unknown device 'h100' (did you mean ", 0) == 0);
    CHECK(message.find("'h100-sxm'") != std::string::npos);
    CHECK(message.find("'h100-pcie'") != std::string::npos);
    CHECK(message.find("run 'servesim list devices'") != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
  {
    const std::string message = testing::ExpectInputError(
        [&] { DevicePresetOrThrow("rtx4090", "scenario.yaml: hardware.device"); });
    CHECK(message.find("scenario.yaml: hardware.device: unknown device 'rtx4090'") == 0);
    CHECK(message.find("'rtx-4090'") != std::string::npos);
  }
  {
    const std::string message =
        testing::ExpectInputError([&] { DevicePresetOrThrow("zzzzzzzzzzzz", "--device"); });
    CHECK(message.find("did you mean") == std::string::npos);
    CHECK(message.find("run 'servesim list devices'") != std::string::npos);
  }
}

TEST_CASE("PeakFlopsFor falls back to wider formats", "[hardware]") {
  DeviceSpec d;
  d.peak.fp32 = 10;
  d.peak.bf16 = 100;
  // Only fp32 and bf16 known: every narrower format runs at the bf16 rate.
  CHECK(d.PeakFlopsFor(DType::kFp32) == 10);
  CHECK(d.PeakFlopsFor(DType::kBf16) == 100);
  CHECK(d.PeakFlopsFor(DType::kFp16) == 100);
  CHECK(d.PeakFlopsFor(DType::kFp8) == 100);
  CHECK(d.PeakFlopsFor(DType::kInt8) == 100);
  CHECK(d.PeakFlopsFor(DType::kInt4) == 100);

  d.peak.int8 = 400;
  CHECK(d.PeakFlopsFor(DType::kInt4) == 400);  // int4 -> int8
  CHECK(d.PeakFlopsFor(DType::kFp8) == 100);   // fp8 does not borrow the int8 rate
  d.peak.int4 = 800;
  d.peak.fp8 = 200;
  CHECK(d.PeakFlopsFor(DType::kInt4) == 800);
  CHECK(d.PeakFlopsFor(DType::kFp8) == 200);

  // fp16 and bf16 stand in for each other.
  DeviceSpec fp16_only;
  fp16_only.peak.fp32 = 10;
  fp16_only.peak.fp16 = 65;
  CHECK(fp16_only.PeakFlopsFor(DType::kBf16) == 65);
  CHECK(fp16_only.PeakFlopsFor(DType::kInt8) == 65);
  CHECK(fp16_only.PeakFlopsFor(DType::kFp8) == 65);

  // fp32 never borrows a 16-bit rate.
  DeviceSpec no_fp32;
  no_fp32.peak.bf16 = 100;
  CHECK(no_fp32.PeakFlopsFor(DType::kFp32) == 0);

  // On presets.
  CHECK(Get("h100-sxm").PeakFlopsFor(DType::kInt4) == Approx(1979 * kT));  // no int4 on Hopper
  CHECK(Get("a100-80gb").PeakFlopsFor(DType::kFp8) == Approx(312 * kT));   // no fp8 on Ampere
  CHECK(Get("a100-80gb").PeakFlopsFor(DType::kInt4) == Approx(1248 * kT));
  CHECK(Get("apple-m2-max").PeakFlopsFor(DType::kInt4) == Approx(13.6 * kT));
  CHECK(Get("mi300x").PeakFlopsFor(DType::kFp16) == Approx(1307 * kT));
}

TEST_CASE("ValidateDeviceSpec rejects missing, zero, negative and non-finite figures",
          "[hardware]") {
  const DeviceSpec good = Get("h100-sxm");
  REQUIRE_NOTHROW(ValidateDeviceSpec(good, "custom.yaml: hardware"));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();

  SECTION("memory bandwidth") {
    for (double bad : {0.0, -1.0, nan, inf}) {
      DeviceSpec d = good;
      d.memory.bandwidth_bytes_per_s = bad;
      CheckRejected(d, "memory.bandwidth_bytes_per_s");
    }
  }
  SECTION("memory capacity") {
    DeviceSpec d = good;
    d.memory.capacity_bytes = 0;
    CheckRejected(d, "memory.capacity_bytes");
    d.memory.capacity_bytes = -80e9;
    CheckRejected(d, "memory.capacity_bytes");
  }
  SECTION("memory latency") {
    DeviceSpec d = good;
    d.memory.latency_s = -1e-9;
    CheckRejected(d, "memory.latency_s");
    d.memory.latency_s = 0;  // zero is allowed
    CHECK_NOTHROW(ValidateDeviceSpec(d, "x"));
  }
  SECTION("peaks") {
    DeviceSpec d = good;
    d.peak.bf16 = 0;
    CheckRejected(d, "peak.bf16");
    d = good;
    d.peak.fp32 = 0;
    CheckRejected(d, "peak.fp32");
    d = good;
    d.peak.fp8 = nan;
    CheckRejected(d, "peak.fp8");
    d = good;
    d.peak.int4 = -1;
    CheckRejected(d, "peak.int4");
    d = good;
    d.peak.int4 = 0;  // no native support is fine
    CHECK_NOTHROW(ValidateDeviceSpec(d, "x"));
  }
  SECTION("offload tiers") {
    DeviceSpec d = good;
    d.offload_tiers[1].bandwidth_bytes_per_s = 0;
    CheckRejected(d, "offload_tiers[1] (nvme-gen4).bandwidth_bytes_per_s");
    d = good;
    d.offload_tiers[0].capacity_bytes = -1;
    CheckRejected(d, "offload_tiers[0] (host-dram).capacity_bytes");
    d = good;
    d.offload_tiers[0].latency_s = nan;
    CheckRejected(d, "offload_tiers[0] (host-dram).latency_s");
    d = good;
    d.offload_tiers.push_back(MemoryTier{});
    CheckRejected(d, "offload_tiers[2].capacity_bytes");
    d = good;
    d.offload_tiers.clear();  // no offload tiers is fine
    CHECK_NOTHROW(ValidateDeviceSpec(d, "x"));
  }
  SECTION("interconnect and compute units") {
    DeviceSpec d = good;
    d.interconnect.bandwidth_bytes_per_s = -1;
    CheckRejected(d, "interconnect.bandwidth_bytes_per_s");
    d = good;
    d.interconnect.low_latency.launch_s = -5e-6;
    CheckRejected(d, "interconnect.low_latency.launch_s");
    d = good;
    d.interconnect.simple.bus_eff = 0;
    CheckRejected(d, "interconnect.simple.bus_eff");
    d = good;
    d.interconnect.simple.hop_s = nan;
    CheckRejected(d, "interconnect.simple.hop_s");
    d = good;
    d.interconnect.kind = LinkKind::kPcieSwitch;
    d.interconnect.bandwidth_bytes_per_s = 0;  // a link that is not `none` needs a rate
    CheckRejected(d, "interconnect.bandwidth_bytes_per_s");
    d = good;
    d.compute_units = -1;
    CheckRejected(d, "compute_units");
  }
  SECTION("efficiencies") {
    DeviceSpec d = good;
    d.efficiency.gemm.compute_eff = 0;
    CheckRejected(d, "efficiency.gemm.compute_eff");
    d = good;
    d.efficiency.attention.memory_eff = 1.5;
    CheckRejected(d, "efficiency.attention.memory_eff");
    d = good;
    d.efficiency.norm.overhead_s = -1e-6;
    CheckRejected(d, "efficiency.norm.overhead_s");
    d = good;
    d.efficiency.gemm_ramp_tokens = -1;
    CheckRejected(d, "efficiency.gemm_ramp_tokens");
    d = good;
    d.efficiency.roofline_sharpness = 0.5;
    CheckRejected(d, "efficiency.roofline_sharpness");
    d = good;
    d.efficiency.gemm.compute_eff = 1.0;  // the upper bound is allowed
    d.efficiency.gemm.overhead_s = 0;
    CHECK_NOTHROW(ValidateDeviceSpec(d, "x"));
  }
  SECTION("message shape") {
    DeviceSpec d = good;
    d.memory.bandwidth_bytes_per_s = 0;
    try {
      ValidateDeviceSpec(d, "custom.yaml: hardware");
      FAIL("no exception");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()) ==
            "custom.yaml: hardware: memory.bandwidth_bytes_per_s must be a finite number > 0 "
            "(bytes/s), found 0");
    }
  }
}

}  // namespace
}  // namespace servesim
