#include "pipeline/handover.h"

namespace camwatch {

Handover takeHandover(FlowWorker& worker, Timestamp clock, bool done, Handover spare) {
  Handover handover = std::move(spare);
  handover.records.swap(worker.flows());
  handover.events.swap(worker.events());
  handover.egress.swap(worker.egressSummaries());
  handover.clock = clock;
  handover.done = done;
  return handover;
}

}  // namespace camwatch
