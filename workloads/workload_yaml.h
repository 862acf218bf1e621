// The `workload:` slot of a scenario: a Workload from YAML, `{impl: NAME, ...params}`.
//
// impl        | what it is
// trace       | replay a request trace file (trace.h)
// synthetic   | open-loop arrivals with length distributions (synthetic.h)
// closed_loop | N clients, each waiting for its response and thinking before its next request
//
// ## impl: trace (formats, samples and examples: scenarios/README.md, "Trace formats")
// key           | unit / type   | default     | meaning
// path          | path          | required    | the trace file, relative to the scenario file
// format        | name          | required    | azure | burstgpt | splitwise | mooncake |
//               |               |             | vllm_bench | sharegpt | csv | jsonl (trace.h)
// columns       | map           | Vidur names | csv / jsonl only: the column (key) names,
//               |               |             | {arrival (or arrival_s / arrival_ms, which also
//               |               |             | set the unit), prompt_tokens, output_tokens};
//               |               |             | default {arrival: arrived_at, prompt_tokens:
//               |               |             | num_prefill_tokens, output_tokens:
//               |               |             | num_decode_tokens}
// time_unit     | name          | the format's| s | ms | us | ns | iso (ISO 8601 date-times);
//               |               |             | not for vllm_bench / sharegpt (no time column)
// separator     | name          | detected    | comma | tab | semicolon (CSV formats only)
// arrival       | name          | poisson     | } vllm_bench / sharegpt only: the arrival
// rate_per_s    | requests/s > 0| see meaning | } process (as impl synthetic); required for
// cv            | > 0           | gamma only  | } sharegpt, else vllm_bench follows the file's
//               |               |             |   start_times or request_rate and burstiness
// time_scale    | factor > 0    | 1.0         | arrival times divided by it (2 = twice the rate)
// start_s       | s >= 0        | 0           | window start in trace time (from the first row,
//               |               |             | before time_scale); shifted to t = 0
// end_s         | s > start_s   | none        | window end (exclusive), same time base
// max_requests  | count >= 0    | none        | stop after this many requests
// skip_bad_rows | bool          | false       | skip (and count) malformed rows instead of failing
// A trace line may be at most 1 MiB (kMaxTraceLineBytes in line_reader.h, without its line end); a
// longer one is an error "path:line: line longer than 1048576 bytes ..." raised before more than
// that is read into memory (skip_bad_rows skips it instead). LF, CRLF and lone-CR line ends and a
// UTF-8 byte-order mark are accepted; an empty trace or one with no rows is an error.
//
// ## impl: synthetic
// key               | unit / type    | default  | meaning
// arrival           | name           | poisson  | poisson | gamma | constant | burst (all at 0)
// rate_per_s        | requests/s > 0 | required | mean arrival rate (not for burst)
// cv                | [0.001, 1000]  | required | gamma only: coefficient of variation of gaps
// prompt_tokens     | length         | required | prompt length distribution (see below)
// output_tokens     | length         | required | output length distribution
// max_prompt_tokens | tokens >= 1    | none     | longer prompts are clipped to it
// max_output_tokens | tokens >= 1    | none     | longer outputs are clipped to it
// shared_prefix     | map            | none     | shared system prompts (see below)
// num_requests      | count >= 0     | none     | stop after this many      } at least one
// duration_s        | s > 0          | none     | no arrival at or after it } is required
//
// ## impl: closed_loop
// key                 | unit / type | default  | meaning
// clients             | count >= 1  | required | concurrent clients, one request out each
// think_time_s        | s >= 0      | 0        | pause between a response and the next request
// think_dist          | name        | fixed    | fixed | exponential (think_time_s = its mean)
// prompt_tokens       | length      | required | as for synthetic
// output_tokens       | length      | required | as for synthetic
// max_prompt_tokens   | tokens >= 1 | none     | as for synthetic
// max_output_tokens   | tokens >= 1 | none     | as for synthetic
// shared_prefix       | map         | none     | as for synthetic
// requests_per_client | count >= 0  | none     | each client stops after this many  } at least
// num_requests        | count >= 0  | none     | all clients together               } one is
// duration_s          | s > 0       | none     | no request arrives at or after it  } required
//
// ## lengths (prompt_tokens, output_tokens)
// A plain integer is a fixed length (`output_tokens: 128`). Otherwise a map with `dist` and the
// keys of that distribution, all required:
// dist      | keys         | meaning
// fixed     | value        | always `value` tokens
// uniform   | min, max     | integer uniform on [min, max] tokens, inclusive
// normal    | mean, std    | normal in tokens, rounded, clipped to >= 1
// lognormal | mean, std    | lognormal whose lengths have this mean and std (tokens), rounded;
//           | or mu, sigma | or mu and sigma of the underlying normal (log tokens)
// zipf      | n, s         | Zipf on [1, n] tokens with exponent s > 0: P(k) ~ k^-s
// empirical | path         | rows of a lengths CSV (`num_prefill_tokens,num_decode_tokens[,...]`);
//           |              | the prompt takes the first column, the output the second; when both
//           |              | name the same file one row gives both (their correlation is kept)
//
// ## shared_prefix (synthetic, closed_loop)
// N system prompts shared by many requests, e.g. `shared_prefix: {prompts: 8, tokens: 1024,
// share: 0.8, popularity: zipf, zipf_s: 1.1}`. A request that carries one (a fraction `share` of
// them) gets prompt g's tokens in front of its own: prompt_tokens = L_g + the prompt_tokens drawn
// (max_prompt_tokens caps the drawn part only), with one prefix hash for the whole L_g-token prefix
// (prefix_block_tokens = L_g), so a prefix cache can reuse it; the request's own tokens are never
// shared. Draws come from the stream "shared_prefix" (synthetic.h); other draws are unchanged.
// key        | unit / type         | default  | meaning
// prompts    | count >= 1          | required | N, the number of distinct system prompts
//            |                     |          | (optional when tokens is a list: its length)
// tokens     | tokens >= 1, or a   | required | L, every prompt's length, or a list of N
//            | list of N of them   |          | lengths (prompt g has the g-th)
// share      | fraction in [0, 1]  | 1        | fraction of requests that carry a shared prefix
// popularity | name                | uniform  | uniform | zipf: which prompt a request picks;
//            |                     |          | zipf: P(g) ~ (g + 1)^-zipf_s, prompt 0 most used
// zipf_s     | > 0                 | 1        | popularity zipf only: the exponent
//
// Errors are InputErrors naming `source.key` (e.g. "scenario.yaml: workload.rate_per_sec: unknown
// key (did you mean 'rate_per_s'?)"): unknown keys, keys of another impl or distribution, wrong
// types, negative, zero where it must be positive, NaN or infinite values, missing required keys.
// Malformed trace rows are reported later, when read, as "path:line: column 'X': ...".
#ifndef SERVESIM_WORKLOADS_WORKLOAD_YAML_H_
#define SERVESIM_WORKLOADS_WORKLOAD_YAML_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/workload.h"

namespace servesim {

// `source` names the node in messages (e.g. "scenario.yaml: workload"); relative paths are
// resolved against `base_dir` (the scenario file's directory) when it is not empty; `seed` is the
// scenario seed the random streams derive from.
std::unique_ptr<Workload> MakeWorkload(const YAML::Node& node, std::string_view source,
                                       const std::string& base_dir, uint64_t seed);

// The impl names, in the order of the table above.
const std::vector<std::string>& WorkloadImplNames();

// The keys `impl` accepts (including "impl"), in documentation order; empty for an unknown impl.
const std::vector<std::string>& WorkloadYamlKeys(std::string_view impl);

// The keys of a length map (dist and every distribution's parameters).
const std::vector<std::string>& LengthYamlKeys();

// The keys of a `shared_prefix` map.
const std::vector<std::string>& SharedPrefixYamlKeys();

// The keys of a trace `columns` map.
const std::vector<std::string>& TraceColumnKeys();

}  // namespace servesim

#endif  // SERVESIM_WORKLOADS_WORKLOAD_YAML_H_
