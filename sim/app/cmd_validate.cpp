// servesim validate: loads a scenario (with --set overrides) and its workloads without running it.
#include <cstdio>
#include <string>

#include "models/input_error.h"
#include "models/log.h"
#include "sim/app/cli_common.h"
#include "sim/config/scenario.h"

namespace servesim {

int CmdValidate(int argc, char** argv) {
  po::options_description desc("options");
  AddHelpAndScenarioOptions(desc);
  desc.add_options()("set", po::value<std::vector<std::string>>()->composing(),
                     "override a key: --set scheduler.max_num_seqs=128");
  const auto parsed =
      ParseOrHelp("validate", argc, argv, desc,
                  "usage: servesim validate SCENARIO.yaml [--set key=value ...]", "scenario");
  if (!parsed) return 0;
  const po::variables_map& vm = *parsed;
  const Scenario sc = LoadScenario(ScenarioPath(vm, "validate"), Strings(vm, "set"));
  for (const std::string& w : sc.warnings) CliLog().warn("{}", w);
  MakeScenarioWorkloads(sc);  // opens traces and checks workload keys
  const long long blocks = static_cast<long long>(sc.engine.kv.capacity_blocks);
  const std::string kv = sc.engine.replicas > 1 ? std::to_string(sc.engine.replicas) +
                                                      " replicas of " + std::to_string(blocks) +
                                                      " KV blocks, routed " + sc.engine.routing.impl
                                                : std::to_string(blocks) + " KV blocks";
  std::printf("%s: ok (%s on %s, tp %d, %s)\n", sc.path.c_str(), sc.engine.model.name.c_str(),
              sc.engine.device.name.c_str(), sc.engine.cost.tp, kv.c_str());
  return 0;
}

}  // namespace servesim
