// scenarios/README.md's slot key tables are exactly what the descriptors render: a key added to
// a descriptor without docs in the README, or docs edited by hand, fails here. To regenerate,
// replace the text between the markers with ScenarioKeysMarkdown() (`servesim list keys`).
#include "sim/config/key_docs.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

namespace servesim {

TEST_CASE("scenarios/README.md holds the key tables the descriptors render", "[config][docs]") {
  std::ifstream in(std::string(SERVESIM_SOURCE_DIR) + "/scenarios/README.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "<!-- BEGIN ScenarioKeysMarkdown() -->\n";
  const std::string end = "\n<!-- END ScenarioKeysMarkdown() -->";
  const size_t b = readme.find(begin);
  const size_t e = readme.find(end);
  REQUIRE(b != std::string::npos);
  REQUIRE(e != std::string::npos);
  REQUIRE(b + begin.size() <= e);
  const std::string section = readme.substr(b + begin.size(), e - b - begin.size());
  CHECK(section == ScenarioKeysMarkdown());
}

TEST_CASE("the key tables name every slot's keys with their slot", "[config][docs]") {
  const std::string md = ScenarioKeysMarkdown();
  for (const char* key : {"`hardware.device`", "`scheduler.max_num_seqs`", "`scheduler.chunk_size`",
                          "`kv_cache.reserve`", "`speculative.acceptance.kind`",
                          "`offload.residency`", "`routing.impl`", "`cost_model.runtime`"}) {
    INFO(key);
    CHECK(md.find(key) != std::string::npos);
  }
}

}  // namespace servesim
