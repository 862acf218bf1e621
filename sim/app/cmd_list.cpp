// servesim list: the catalogs (model and device presets, runtime profiles, offload tiers, the
// policy registry) as text tables or JSON, and the scenario key tables as Markdown.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "hardware/cost_model.h"
#include "hardware/presets.h"
#include "models/arithmetic.h"
#include "models/input_error.h"
#include "models/presets.h"
#include "policies/registry.h"
#include "sim/app/cli_common.h"
#include "sim/config/key_docs.h"
#include "sim/output/json_writer.h"

namespace servesim {
namespace {

void ListModels(bool json) {
  JsonWriter j;
  if (json)
    j.BeginArray();
  else
    std::printf("%-18s %16s %6s %7s %6s %4s %7s %8s  %s\n", "name", "params", "layers", "hidden",
                "heads", "kv", "ffn", "context", "source");
  for (const auto& p : ModelPresets()) {
    const ModelSpec& s = p.spec;
    const int64_t params = CountParams(s).Total();
    if (json) {
      j.BeginObject().Field("name", s.name).Field("params", params).Field("layers", s.num_layers);
      j.Field("hidden_size", s.hidden_size)
          .Field("num_heads", s.num_heads)
          .Field("num_kv_heads", s.num_kv_heads);
      j.Field("intermediate_size", s.intermediate_size).Field("vocab_size", s.vocab_size);
      j.Field("max_context", s.max_context).Field("kv_bytes_per_token", KvBytesPerToken(s));
      j.Field("source", p.source).EndObject();
    } else {
      std::printf("%-18s %16lld %6lld %7lld %6lld %4lld %7lld %8lld  %s\n", s.name.c_str(),
                  static_cast<long long>(params), static_cast<long long>(s.num_layers),
                  static_cast<long long>(s.hidden_size), static_cast<long long>(s.num_heads),
                  static_cast<long long>(s.num_kv_heads),
                  static_cast<long long>(s.intermediate_size),
                  static_cast<long long>(s.max_context), p.source.c_str());
    }
  }
  if (json) std::cout << j.EndArray().str() << "\n";
}

void ListDevices(bool json) {
  JsonWriter j;
  if (json)
    j.BeginArray();
  else
    std::printf("%-24s %10s %9s %9s %10s %-16s %10s %7s  %s\n", "name", "bf16 TF/s", "mem GB",
                "TB/s", "link GB/s", "link", "idle/max W", "$/h", "description");
  for (const auto& p : DevicePresets()) {
    const DeviceSpec& d = p.spec;
    if (json) {
      j.BeginObject().Field("name", d.name).Field("description", d.description);
      j.Field("bf16_flops_per_s", d.peak.bf16).Field("fp8_flops_per_s", d.peak.fp8);
      j.Field("memory_bytes", d.memory.capacity_bytes)
          .Field("memory_bytes_per_s", d.memory.bandwidth_bytes_per_s);
      j.Field("link_bytes_per_s", d.interconnect.bandwidth_bytes_per_s)
          .Field("link_kind", std::string(LinkKindName(d.interconnect.kind)));
      j.Field("idle_power_w", d.power.idle_w).Field("max_power_w", d.power.max_w);
      j.Field("price_per_hour_usd", d.power.price_per_hour_usd)
          .Field("source", d.source)
          .EndObject();
    } else {
      char power[32] = "-", price[16] = "-";
      if (d.power.Known())
        std::snprintf(power, sizeof(power), "%.0f/%.0f", d.power.idle_w, d.power.max_w);
      if (d.power.price_per_hour_usd > 0)
        std::snprintf(price, sizeof(price), "%.2f", d.power.price_per_hour_usd);
      std::printf("%-24s %10.1f %9.1f %9.3f %10.1f %-16s %10s %7s  %s\n", d.name.c_str(),
                  d.peak.bf16 / 1e12, d.memory.capacity_bytes / 1e9,
                  d.memory.bandwidth_bytes_per_s / 1e12, d.interconnect.bandwidth_bytes_per_s / 1e9,
                  std::string(LinkKindName(d.interconnect.kind)).c_str(), power, price,
                  d.description.c_str());
    }
  }
  if (json) std::cout << j.EndArray().str() << "\n";
}

// Text only: --format json prints the same table.
void ListRuntimes() {
  for (const auto& r : RuntimeProfiles()) {
    std::printf("%-12s step %.2f ms + %.1f us/seq, launch %.1f us/kernel%s  %s\n", r.name,
                r.overheads.step_s * 1e3, r.overheads.step_per_seq_s * 1e6,
                r.overheads.kernel_launch_s * 1e6,
                r.overheads.cuda_graphs     ? " (graphs for decode)"
                : r.overheads.serial_launch ? " (in series)"
                                            : "",
                r.description);
  }
}

// Offload tier presets for hardware.offload_tiers ({preset: NAME, ...overrides}). Text only.
void ListTiers() {
  for (const MemoryTier& t : TierPresets()) {
    std::printf("%-12s %8.2f GB/s  latency %6.1f us  capacity %g GB\n", t.name.c_str(),
                t.bandwidth_bytes_per_s / 1e9, t.latency_s * 1e6, t.capacity_bytes / 1e9);
  }
}

// The registry table: every `impl:` name a scenario slot accepts.
void ListPolicies(bool json) {
  JsonWriter j;
  if (json) j.BeginArray();
  for (const ImplEntry& e : Implementations()) {
    if (json) {
      j.BeginObject().Field("slot", e.slot).Field("impl", e.name);
      j.Field("description", e.description).EndObject();
    } else {
      std::printf("%-12s %-15s %s\n", e.slot, e.name, e.description);
    }
  }
  if (json) std::cout << j.EndArray().str() << "\n";
}

void ListKeys(bool json) {
  if (json) throw InputError("--format json: the key tables are Markdown; use --format text");
  std::cout << ScenarioKeysMarkdown();
}

struct Catalog {
  const char* name;
  void (*list)(bool json);
};

// Every catalog `servesim list` prints, in the order messages name them.
constexpr Catalog kCatalogs[] = {
    {"models", ListModels},
    {"devices", ListDevices},
    {"runtimes", [](bool) { ListRuntimes(); }},
    {"tiers", [](bool) { ListTiers(); }},
    {"policies", ListPolicies},
    {"keys", ListKeys},  // the scenario key tables of scenarios/README.md
};

std::vector<std::string> CatalogNames() {
  std::vector<std::string> out;
  for (const Catalog& c : kCatalogs) out.emplace_back(c.name);
  return out;
}

// "a, b or c"
std::string OrList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

}  // namespace

int CmdList(int argc, char** argv) {
  const std::vector<std::string> names = CatalogNames();
  std::string bar;
  for (const std::string& n : names) bar += (bar.empty() ? "" : "|") + n;
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")(
      "format", po::value<std::string>()->default_value("text"), "text | json")(
      "what", po::value<std::string>(), OrList(names).c_str());
  const auto parsed = ParseOrHelp("list", argc, argv, desc,
                                  "usage: servesim list " + bar + " [--format text|json]", "what");
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  if (!vm.count("what")) throw InputError("servesim list: expected what to list: " + OrList(names));
  const std::string what = vm["what"].as<std::string>();
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    throw InputError("--format: expected text or json, found '" + format + "'");
  }
  for (const Catalog& c : kCatalogs) {
    if (what == c.name) {
      c.list(format == "json");
      return 0;
    }
  }
  throw InputError("servesim list: unknown catalog '" + what + "'" + DidYouMean(what, names) +
                   "; expected " + OrList(names));
}

}  // namespace servesim
