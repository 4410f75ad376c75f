#include "diag/msr_source.h"

#include <libcpuid.h>
#include <unistd.h>

#include <cstdlib>

#include "diag/presence.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {
namespace {

class LibcpuidMsrReader final : public MsrReader {
 public:
  ~LibcpuidMsrReader() override { close(); }

  bool open(int cpu, std::string& error) override {
    close();
    handle_ = cpu_msr_driver_open_core(static_cast<unsigned>(cpu));
    if (handle_ != nullptr) return true;
    error = std::string("libcpuid cpu_msr_driver_open_core(") + std::to_string(cpu) +
            "): " + cpuid_error();
    // Say which of the usual reasons it is.
    const std::string dev = "/dev/cpu/" + std::to_string(cpu) + "/msr";
    if (access(dev.c_str(), F_OK) != 0)
      error += "; " + dev + " does not exist (msr module not loaded and `modprobe msr` failed)";
    else if (access(dev.c_str(), R_OK) != 0)
      error += "; " + dev + " is not readable (needs root with CAP_SYS_RAWIO)";
    return false;
  }

  MsrRead read(u32 index) override {
    MsrRead r;
    r.index = index;
    uint64_t v = 0;
    int rc = cpu_rdmsr(handle_, index, &v);
    if (rc == 0) {
      r.value = v;
    } else if (rc == ERR_INVMSR) {
      // The msr driver returns EIO when RDMSR faults; libcpuid maps that to ERR_INVMSR.
      r.status = MsrStatus::kFault;
    } else {
      r.status = MsrStatus::kError;
      r.error = cpuid_error();
    }
    return r;
  }

  void close() override {
    if (handle_ != nullptr) cpu_msr_driver_close(handle_);
    handle_ = nullptr;
  }

 private:
  msr_driver_t* handle_ = nullptr;
};

}  // namespace

std::unique_ptr<MsrReader> make_libcpuid_msr_reader() { return std::make_unique<LibcpuidMsrReader>(); }

std::vector<MsrRead> read_capability_msrs(const Identity& id, MsrReader& reader) {
  std::vector<MsrRead> out;
  ValueOf value_of = [&out](u32 index) -> std::optional<u64> {
    for (const auto& m : out)
      if (m.index == index && m.status == MsrStatus::kOk) return m.value;
    return std::nullopt;
  };
  for (const auto& info : kVmxMsrs) {
    if (!msr_presence(info, id, value_of).implied) continue;
    out.push_back(reader.read(info.index));
  }
  return out;
}

std::vector<int> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  std::string s(text);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  size_t i = 0;
  while (i < s.size()) {
    size_t comma = s.find(',', i);
    std::string part = s.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
    i = comma == std::string::npos ? s.size() : comma + 1;
    char* end = nullptr;
    long a = std::strtol(part.c_str(), &end, 10);
    if (end == part.c_str() || a < 0) return {};
    long b = a;
    if (*end == '-') {
      const char* p = end + 1;
      b = std::strtol(p, &end, 10);
      if (end == p || b < a) return {};
    }
    if (*end != '\0' || b > 65535) return {};
    for (long c = a; c <= b; ++c) cpus.push_back(static_cast<int>(c));
  }
  return cpus;
}

}  // namespace vmxb::diag
