#include "sim/config/key_docs.h"

#include <vector>

#include "hardware/hardware_yaml.h"
#include "policies/registry.h"

namespace servesim {
namespace {

// One slot's section: its implementations and the keys each takes.
class SlotSection {
 public:
  // `with_impl`: a column saying which implementations take each key.
  SlotSection(std::string* out, const std::string& slot, bool with_impl = true)
      : out_(out), slot_(slot), with_impl_(with_impl) {
    *out_ += "### `" + slot + "`\n\n";
  }

  void Implementation(const char* name, const char* summary) {
    *out_ += "- `" + std::string(name) + "`: " + summary + "\n";
    listed_ = true;
  }

  // Rows for `keys`, taken by `who` ("all", or an implementation's name).
  void Keys(const std::string& who, const std::vector<KeyDoc>& keys) {
    if (!table_) {
      *out_ += listed_ ? "\n" : "";
      *out_ += with_impl_ ? "| key | impl | type | unit | default | meaning |\n"
                          : "| key | type | unit | default | meaning |\n";
      *out_ += with_impl_ ? "|---|---|---|---|---|---|\n" : "|---|---|---|---|---|\n";
      table_ = true;
    }
    for (const KeyDoc& k : keys) {
      *out_ += "| `" + slot_ + "." + k.name + "` | " + (with_impl_ ? who + " | " : "") + k.type +
               " | " + k.unit + " | " + k.default_text + " | " + k.doc + " |\n";
    }
  }

  template <typename Descriptor>
  void AllImplementations(const std::vector<Descriptor>& table,
                          const std::vector<KeyDoc>& slot_keys) {
    for (const Descriptor& d : table) Implementation(d.name, d.summary);
    Keys("all", slot_keys);
    for (const Descriptor& d : table) Keys("`" + std::string(d.name) + "`", d.keys);
    End();
  }

  void End() { *out_ += "\n"; }

 private:
  std::string* out_;
  std::string slot_;
  bool with_impl_;
  bool listed_ = false;
  bool table_ = false;
};

}  // namespace

std::string ScenarioKeysMarkdown() {
  std::string out;
  {
    SlotSection s(&out, "hardware", /*with_impl=*/false);
    s.Keys("", HardwareKeys());
    s.End();
  }
  SlotSection(&out, "scheduler").AllImplementations(SchedulerDescriptors(), SchedulerSlotKeys());
  SlotSection(&out, "kv_cache").AllImplementations(KvDescriptors(), KvSlotKeys());
  SlotSection(&out, "speculative")
      .AllImplementations(SpeculativeDescriptors(), SpeculativeSlotKeys());
  SlotSection(&out, "offload").AllImplementations(OffloadDescriptors(), OffloadSlotKeys());
  SlotSection(&out, "routing").AllImplementations(RoutingDescriptors(), RoutingSlotKeys());
  SlotSection(&out, "cost_model").AllImplementations(CostModelDescriptors(), CostModelSlotKeys());
  out.pop_back();  // one newline at the end, none after it
  return out;
}

}  // namespace servesim
