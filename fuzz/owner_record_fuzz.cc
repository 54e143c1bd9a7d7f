// The owner record and identity parsers, and the /proc/PID/stat start-time
// parser (protocol/include/lockharness/protocol/owner_record.h,
// process_identity.h). A parsed identity must format and parse back to
// itself.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lockharness/protocol/owner_record.h"
#include "lockharness/protocol/process_identity.h"

namespace protocol = lockharness::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto pid = protocol::ParseOwnerPid(text)) {
    if (*pid <= 0 || protocol::ParseOwnerPid(protocol::FormatOwnerPid(*pid)) != pid) std::abort();
  }
  if (auto id = protocol::ParseIdentity(text)) {
    auto again = protocol::ParseIdentity(protocol::FormatIdentity(*id));
    if (!again || protocol::FormatIdentity(*again) != protocol::FormatIdentity(*id)) std::abort();
  }
  protocol::ParseStartTicks(text);
  return 0;
}
