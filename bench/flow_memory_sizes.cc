// flow_memory_sizes: the fixed per-flow sizes behind memory_bench.sh's breakdown (bench/README.md,
// "Memory per tracked flow"), as this build lays them out:
//
//   flow_memory_sizes [MAX_FLOWS [WORKERS]]
//
// prints `name bytes` lines: a flow table entry (FlowRecord + hash, LRU links, timeout class),
// the index slots per flow at the table size that flows.max_flows = MAX_FLOWS over WORKERS
// workers gives each worker, the worker's per-flow state, an ended record on its way to the
// outputs (EndedFlow) and nDPI's flow state (a pool slot while a flow is being classified).
// Measured from the real types and FlowTable::reservedBytes(), so they follow the code.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <ndpi/ndpi_api.h>

#include <camwatch/flow.h>

#include "pipeline/flow_worker.h"
#include "pipeline/worker_flow_state.h"

namespace {

class NoHandler final : public camwatch::FlowEndHandler {
 public:
  void onFlowEnd(camwatch::FlowRecord& /*flow*/, std::uint32_t /*slot*/) override {}
};

std::size_t reservedFor(std::uint32_t capacity) {
  NoHandler handler;
  camwatch::FlowTableConfig config;
  config.max_flows = capacity;
  const camwatch::FlowTable table(config, handler);
  return table.reservedBytes();
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned long max_flows = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 262'144;
  const unsigned long workers = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1;
  if (max_flows == 0 || workers == 0 || max_flows > (1UL << 30U)) {
    std::fprintf(stderr, "usage: flow_memory_sizes [MAX_FLOWS [WORKERS]]\n");
    return 2;
  }
  // Two capacities with the same index size differ by exactly one entry.
  const std::size_t entry = reservedFor(1001) - reservedFor(1000);
  // The replay gives each worker its share of max_flows, as ReplayPipeline does.
  const auto per_worker = static_cast<std::uint32_t>((max_flows + workers - 1) / workers);
  const std::size_t index = reservedFor(per_worker) - std::size_t{per_worker} * entry;
  std::printf("flow_record %zu\n", sizeof(camwatch::FlowRecord));
  std::printf("table_entry %zu\n", entry);
  std::printf("table_capacity_per_worker %u\n", per_worker);
  std::printf("table_index_bytes_per_worker %zu\n", index);
  std::printf("worker_flow_state %zu\n", sizeof(camwatch::WorkerFlowState));
  std::printf("ended_flow %zu\n", sizeof(camwatch::EndedFlow));
  std::printf("ndpi_flow_struct %zu\n", sizeof(ndpi_flow_struct));
  return 0;
}
