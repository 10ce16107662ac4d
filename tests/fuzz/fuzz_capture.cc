// fuzz_capture: arbitrary bytes as a capture file through CaptureFile (libpcap's pcap and pcapng
// readers, camwatch's gzip source when the bytes start with 1f 8b), reading every packet, and
// each packet through decodePacket().
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <camwatch/capture.h>
#include <camwatch/decode.h>

#include "memfd_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace camwatch;
  const fuzz::MemFile file("fuzz-capture.pcap", data, size);
  auto capture = CaptureFile::open(file.path());
  if (!capture) {
    if (capture.error().message.find(file.path()) == std::string::npos) std::abort();
    return 0;
  }
  RawPacket raw;
  DecodedPacket packet;
  // A reader that never ends shows up as a libFuzzer timeout.
  for (;;) {
    const ReadStatus status = (*capture)->next(raw);
    if (status == ReadStatus::kPacket) {
      decodePacket(raw, packet);
      (void)(*capture)->inputBytesRead();
      continue;
    }
    if (status == ReadStatus::kError && (*capture)->error().find(file.path()) == std::string::npos)
      std::abort();
    if (status != ReadStatus::kError && status != ReadStatus::kEnd) std::abort();
    return 0;
  }
}
