// Standard vs Boost.Container on the access patterns the simulator has, so that a container is
// swapped only where the figures say it is not slower. Prints ns per operation and the ratio
// boost / std for each pattern (run it a few times: the machine's load moves both sides alike).
//
//   block table   a sequence's KV block ids (Sequence::block_ids): pooled sequences grow to tens
//                 of blocks, are scanned on release, cleared and reused (capacity kept)
//   waiting queue the FCFS queue of a replica (ReplicaQueues::waiting): push_back on arrival,
//                 pop_front on admission, push_front on recompute preemption
//   key set       the keys a YAML map reader marks as read (a dozen short strings), then looked
//                 up once per key present
//   row index     a small string-keyed map built once and looked up per CSV row (calibration's
//                 column index and its per-operator groups)
// Usage: container_bench [repeats]
#include <algorithm>
#include <boost/container/deque.hpp>
#include <boost/container/flat_map.hpp>
#include <boost/container/flat_set.hpp>
#include <boost/container/small_vector.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

template <typename F>
double NsPerOp(F&& body, int64_t ops) {
  const auto start = Clock::now();
  body();
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() /
         static_cast<double>(ops);
}

// 256 pooled sequences, each growing to 8..71 blocks, summed (release scan), cleared; 200 rounds.
template <typename Table>
double BlockTable() {
  std::vector<Table> pool(256);
  volatile int64_t sink = 0;
  int64_t ops = 0;
  const double ns = NsPerOp(
      [&] {
        for (int round = 0; round < 200; ++round) {
          for (size_t s = 0; s < pool.size(); ++s) {
            Table& t = pool[s];
            const int blocks = 8 + static_cast<int>((s * 7 + static_cast<size_t>(round)) % 64);
            for (int b = 0; b < blocks; ++b) t.push_back(static_cast<int32_t>(b + round));
            int64_t sum = 0;
            for (int32_t id : t) sum += id;
            sink = sink + sum;
            ops += blocks;
            t.clear();
          }
        }
      },
      1);
  return ns / static_cast<double>(ops);
}

// 2,000,000 operations on a queue holding about 300 entries.
template <typename Queue>
double WaitingQueue() {
  Queue q;
  std::vector<int> items(1024);
  for (int i = 0; i < 300; ++i) q.push_back(&items[static_cast<size_t>(i)]);
  volatile intptr_t sink = 0;
  const int64_t ops = 2'000'000;
  return NsPerOp(
      [&] {
        for (int64_t i = 0; i < ops; ++i) {
          int* front = q.front();
          q.pop_front();
          sink = sink + reinterpret_cast<intptr_t>(front);
          if (i % 16 == 0) {
            q.push_front(front);  // a preempted sequence goes back to the front
          } else {
            q.push_back(&items[static_cast<size_t>(i % 1024)]);
          }
        }
      },
      ops);
}

// 100,000 readers of a 12-key map: insert each key as read, then check 12 keys present.
template <typename Set>
double KeySet() {
  const std::vector<std::string> keys = {"impl",
                                         "max_num_seqs",
                                         "max_model_len",
                                         "chunk_size",
                                         "block_size",
                                         "watermark",
                                         "preemption",
                                         "prefix_caching",
                                         "swap_space_gib",
                                         "long_prefill_token_threshold",
                                         "chunked_prefill",
                                         "max_num_batched_tokens"};
  volatile size_t sink = 0;
  const int64_t readers = 100'000;
  return NsPerOp(
      [&] {
        for (int64_t r = 0; r < readers; ++r) {
          Set read;
          for (const std::string& k : keys) read.insert(k);
          for (const std::string& k : keys) sink = sink + read.count(k);
        }
      },
      readers);
}

// A 10-key map built once, then 1,000,000 find-or-insert lookups (keys cycling).
template <typename Map>
double RowIndex() {
  const std::vector<std::string> keys = {
      "attn_prefill",   "attn_decode", "mlp_up_proj", "mlp_down_proj", "attn_pre_proj",
      "attn_post_proj", "all_reduce",  "add",         "rms_norm",      "emb"};
  Map index;
  for (size_t i = 0; i < keys.size(); ++i) index[keys[i]] = i;
  volatile size_t sink = 0;
  const int64_t lookups = 1'000'000;
  return NsPerOp(
      [&] {
        for (int64_t i = 0; i < lookups; ++i)
          sink = sink + index[keys[static_cast<size_t>(i % 10)]];
      },
      lookups);
}

void Row(const char* name, double std_ns, double boost_ns) {
  std::printf("| %s | %.2f | %.2f | %.2f |\n", name, std_ns, boost_ns, boost_ns / std_ns);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  std::printf("| pattern | std ns/op | boost ns/op | boost / std |\n|---|---|---|---|\n");
  for (int r = 0; r < repeats; ++r) {
    // Interleaved, so both sides see the same load.
    Row("block table: vector vs small_vector<int32_t, 16>", BlockTable<std::vector<int32_t>>(),
        BlockTable<boost::container::small_vector<int32_t, 16>>());
    Row("waiting queue: std::deque vs boost::container::deque", WaitingQueue<std::deque<int*>>(),
        WaitingQueue<boost::container::deque<int*>>());
    Row("key set: std::set vs flat_set<std::string>", KeySet<std::set<std::string>>(),
        KeySet<boost::container::flat_set<std::string>>());
    Row("row index: std::map vs flat_map<std::string, size_t>",
        RowIndex<std::map<std::string, size_t>>(),
        RowIndex<boost::container::flat_map<std::string, size_t>>());
  }
  return 0;
}
