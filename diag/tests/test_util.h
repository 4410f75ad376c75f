// Helpers shared by the diag tests: load a test dump, find decoded entries.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "diag/dump.h"
#include "diag/diagnosis.h"

namespace vmxb::diag::testing {

// diag/testdata/<name>.json (bazel runs tests from the workspace runfiles root).
inline Snapshot load_testdata(const std::string& name) {
  Snapshot s;
  std::string error;
  const std::string path = "diag/testdata/" + name + ".json";
  EXPECT_TRUE(read_snapshot_file(path, s, error)) << error;
  return s;
}

// Sets (or adds) one MSR of one CPU of a test snapshot, as read successfully.
inline void set_msr(Snapshot& s, u32 index, u64 value, size_t cpu = 0) {
  for (auto& m : s.cpus[cpu].msrs)
    if (m.index == index) {
      m.status = MsrStatus::kOk;
      m.value = value;
      return;
    }
  s.cpus[cpu].msrs.push_back({index, MsrStatus::kOk, value, ""});
}

inline u64 get_msr(const Snapshot& s, u32 index) { return s.cpus[0].value(index).value(); }

inline const DecodedMsr* decoded(const Diagnosis& r, u32 index) {
  for (const auto& m : r.decoded.msrs)
    if (m.info->index == index) return &m;
  return nullptr;
}

inline const CheckResult* check(const Diagnosis& r, const std::string& id) {
  for (const auto& c : r.checks)
    if (id == c.check->id) return &c;
  return nullptr;
}

// "2y 3y 15d 17n 1f" -> {2: yes, 3: yes, 15: default, 17: no, 1: forced}
inline std::map<unsigned, Setting> settings(const std::string& spec) {
  std::map<unsigned, Setting> out;
  std::istringstream in(spec);
  for (std::string w; in >> w;) {
    const char c = w.back();
    const unsigned b = static_cast<unsigned>(std::stoul(w.substr(0, w.size() - 1)));
    out[b] = c == 'y' ? Setting::kYes : c == 'n' ? Setting::kNo : c == 'f' ? Setting::kForced
           : c == 'd' ? Setting::kDefault : Setting::kUnknown;
  }
  return out;
}

// Every control of `index` (named and reserved ones shown) against `spec`;
// the decoding must list exactly the bits in the spec.
inline void expect_controls(const Diagnosis& r, u32 index, const std::string& spec) {
  const DecodedMsr* d = decoded(r, index);
  ASSERT_NE(d, nullptr) << std::hex << index;
  std::map<unsigned, Setting> want = settings(spec);
  std::map<unsigned, Setting> got;
  for (const auto& c : d->controls) got[c.bit] = c.setting;
  for (const auto& [bit, s] : want) {
    auto it = got.find(bit);
    if (it == got.end()) {
      ADD_FAILURE() << d->info->name << " control " << bit << " missing";
      continue;
    }
    EXPECT_EQ(setting_name(it->second), std::string(setting_name(s)))
        << d->info->name << " control " << bit << " (" << msr_bit_name(index, bit + 32) << ")";
  }
  for (const auto& [bit, s] : got)
    EXPECT_TRUE(want.count(bit)) << d->info->name << " decodes control " << bit << " as " << setting_name(s)
                                 << " but the expectation does not list it";
}

// Bits of a bits-layout MSR: the named bits set, all others clear.
inline void expect_set_bits(const Diagnosis& r, u32 index, std::initializer_list<unsigned> set) {
  const DecodedMsr* d = decoded(r, index);
  ASSERT_NE(d, nullptr) << std::hex << index;
  for (const auto& b : d->bits) {
    const bool want = std::find(set.begin(), set.end(), b.bit) != set.end();
    EXPECT_EQ(b.set, std::optional<bool>(want)) << d->info->name << " bit " << b.bit << " (" << b.name << ")";
  }
  for (unsigned b : set) {
    bool named = false;
    for (const auto& e : d->bits) named |= e.bit == b;
    EXPECT_TRUE(named) << d->info->name << " bit " << b << " expected set but not a named bit";
  }
}

inline u64 field(const Diagnosis& r, u32 index, unsigned lo) {
  const DecodedMsr* d = decoded(r, index);
  EXPECT_NE(d, nullptr);
  if (d == nullptr) return ~u64{0};
  for (const auto& f : d->fields)
    if (f.lo == lo) return f.value;
  ADD_FAILURE() << "no field at bit " << lo;
  return ~u64{0};
}

inline CrSetting cr(const Diagnosis& r, u32 fixed0, unsigned bit) {
  const DecodedMsr* d = decoded(r, fixed0);
  EXPECT_NE(d, nullptr);
  for (const auto& c : d->cr_bits)
    if (c.bit == bit) return c.setting;
  ADD_FAILURE() << "CR bit " << bit << " not decoded";
  return CrSetting::kFlexible;
}

}  // namespace vmxb::diag::testing
