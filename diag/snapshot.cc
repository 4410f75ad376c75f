#include "diag/snapshot.h"

namespace vmxb::diag {

const char* source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::kLive: return "live";
    case SourceKind::kCpuinfo: return "cpuinfo";
    case SourceKind::kBochs: return "bochs";
  }
  return "?";
}

std::optional<SourceKind> source_kind_from_name(const std::string& name) {
  for (SourceKind k : {SourceKind::kLive, SourceKind::kCpuinfo, SourceKind::kBochs})
    if (name == source_kind_name(k)) return k;
  return std::nullopt;
}

const char* msr_status_name(MsrStatus status) {
  switch (status) {
    case MsrStatus::kOk: return "ok";
    case MsrStatus::kFault: return "gp";
    case MsrStatus::kError: return "error";
  }
  return "?";
}

const MsrRead* CpuState::find(u32 index) const {
  for (const auto& m : msrs)
    if (m.index == index) return &m;
  return nullptr;
}

std::optional<u64> CpuState::value(u32 index) const {
  const MsrRead* m = find(index);
  if (m == nullptr || m->status != MsrStatus::kOk) return std::nullopt;
  return m->value;
}

}  // namespace vmxb::diag
