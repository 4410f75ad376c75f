// The live source. On this development machine (AMD, or at least no VMX) the
// real path must end in a clean "no VMX"; the test reads the vendor string and
// the VMX bit itself through libcpuid and asserts on what it finds, skipping
// (with the reason) only where the host really has VMX. The MSR-driver and
// /proc/cpuinfo paths of a VMX host are exercised with a stand-in driver.
#include <gtest/gtest.h>
#include <libcpuid.h>

#include <cstring>
#include <map>

#include "diag/live.h"
#include "diag/diagnosis.h"
#include "diag/tests/test_util.h"
#include "primitives/vmx_capabilities.h"

namespace vmxb::diag {
namespace {

struct HostCpuid {
  std::string vendor;
  bool vmx, hypervisor;
};

HostCpuid host_cpuid() {
  uint32_t r0[4], r1[4];
  cpu_exec_cpuid(0, r0);
  cpu_exec_cpuid(1, r1);
  char v[13];
  std::memcpy(v, &r0[1], 4);  // EBX
  std::memcpy(v + 4, &r0[3], 4);  // EDX
  std::memcpy(v + 8, &r0[2], 4);  // ECX
  v[12] = '\0';
  return {v, ((r1[2] >> 5) & 1) != 0, ((r1[2] >> 31) & 1) != 0};
}

// Counts every use so the tests can prove which MSRs diag touched.
class FakeReader : public MsrReader {
 public:
  std::map<int, std::map<u32, u64>> values;  // per CPU; absent index = #GP
  bool fail_open = false;
  int opens = 0;
  std::vector<u32> reads;
  int cpu = -1;

  bool open(int c, std::string& error) override {
    ++opens;
    if (fail_open) {
      error = "stand-in driver: /dev/cpu/" + std::to_string(c) + "/msr does not exist";
      return false;
    }
    cpu = c;
    return true;
  }
  MsrRead read(u32 index) override {
    reads.push_back(index);
    MsrRead r;
    r.index = index;
    auto it = values[cpu].find(index);
    if (it == values[cpu].end())
      r.status = MsrStatus::kFault;
    else
      r.value = it->second;
    return r;
  }
  void close() override { cpu = -1; }
};

std::map<u32, u64> values_of_model(const std::string& model) {
  std::map<u32, u64> v;
  const Snapshot s = testing::load_testdata(model);  // (a temporary would die before the loop)
  for (const auto& m : s.cpus[0].msrs)
    if (m.status == MsrStatus::kOk) v[m.index] = m.value;
  return v;
}

TEST(Live, ThisHost) {
  const HostCpuid host = host_cpuid();
  FakeReader never;  // a VMX-less host must not open the MSR driver at all
  LiveOptions opts;
  if (!host.vmx) opts.reader = &never;
  Snapshot s = collect_live(opts);
  EXPECT_EQ(s.identity.vendor, host.vendor);
  EXPECT_EQ(s.identity.vmx, host.vmx);
  EXPECT_EQ(s.identity.hypervisor, host.hypervisor);
  EXPECT_FALSE(s.cpus.empty());
  if (host.vmx)
    GTEST_SKIP() << "this host has VMX (CPUID.1:ECX[5] = 1, vendor " << host.vendor
                 << "): the no-VMX report cannot be observed here";

  EXPECT_EQ(never.opens, 0);
  for (const auto& c : s.cpus) EXPECT_TRUE(c.msrs.empty());
  Diagnosis r = diagnose(std::move(s));
  EXPECT_EQ(r.exit, ExitCode::kNoVmx);
  EXPECT_EQ(r.verdicts.find("vmx_supported")->value, false);
  EXPECT_EQ(r.verdicts.kvm.loads, false);
  const std::string text = diagnosis_text(r);
  EXPECT_NE(text.find("VMX (CPUID.1:ECX[5]) no"), std::string::npos) << text;
  EXPECT_NE(text.find("exit 3 (no_vmx)"), std::string::npos) << text;
  const nlohmann::json j = diagnosis_json(r);
  EXPECT_EQ(j["identity"]["vmx"], false);
  EXPECT_EQ(j["identity"]["vendor"], host.vendor);
  EXPECT_EQ(j["exit"]["code"], 3);
  bool nested = false, not_intel = false;
  for (const auto& f : r.verdicts.findings) {
    nested |= f.id == "nested";
    not_intel |= f.id == "not_intel";
  }
  EXPECT_EQ(nested, host.hypervisor);
  EXPECT_EQ(not_intel, host.vendor != "GenuineIntel");
}

Identity intel_vmx() {
  Identity id;
  id.vendor = "GenuineIntel";
  id.family = 6;
  id.model = 85;
  id.stepping = 4;
  id.vmx = id.long_mode = id.nx = true;
  return id;
}

std::string fixture(const std::string& name) { return "diag/tests/fixtures/" + name; }

TEST(Live, MsrDriverOnEveryOnlineCpu) {
  FakeReader fake;
  fake.values[0] = fake.values[1] = values_of_model("corei7_skylake_x");
  LiveOptions opts;
  opts.identity = intel_vmx();
  opts.reader = &fake;
  opts.cpuinfo_path = fixture("cpuinfo_intel_vmx.txt");
  opts.online_path = fixture("online_0-1.txt");
  Snapshot s = collect_live(opts);
  EXPECT_EQ(s.source, SourceKind::kLive);
  EXPECT_TRUE(s.msrs_available);
  ASSERT_EQ(s.cpus.size(), 2u);
  EXPECT_EQ(fake.opens, 2);
  EXPECT_EQ(s.identity.microcode, std::optional<u32>(0x2006e05));
  // Only implied MSRs: not PROCBASED_CTLS3 (primary bit 17 clear) nor EXIT_CTLS2.
  for (u32 index : fake.reads) {
    EXPECT_NE(index, msr::kVmxProcbasedCtls3);
    EXPECT_NE(index, msr::kVmxExitCtls2);
  }
  EXPECT_EQ(fake.reads.size(), 2u * 19u);
  Diagnosis r = diagnose(std::move(s));
  EXPECT_EQ(r.exit, ExitCode::kVmxUsable);
}

TEST(Live, CpusThatDifferAreReported) {
  FakeReader fake;
  fake.values[0] = fake.values[1] = values_of_model("corei7_skylake_x");
  fake.values[1][msr::kVmxProcbasedCtls2] &= ~bit(32 + 1);  // CPU 1 without EPT
  LiveOptions opts;
  opts.identity = intel_vmx();
  opts.reader = &fake;
  opts.cpuinfo_path = fixture("cpuinfo_intel_vmx.txt");
  opts.online_path = fixture("online_0-1.txt");
  Diagnosis r = diagnose(collect_live(opts));
  // A warning (KVM's rule, no SDM must): the exit stays 0, and the KVM
  // verdict carries the consequence.
  EXPECT_EQ(r.exit, ExitCode::kVmxUsable);
  EXPECT_EQ(testing::check(r, "cpus.identical")->outcome, Outcome::kFail);
  EXPECT_EQ(r.verdicts.kvm.loads, false);
  bool blocker = false;
  for (const auto& b : r.verdicts.kvm.blockers) blocker |= b.find("Inconsistent VMCS config") != std::string::npos;
  EXPECT_TRUE(blocker);
  const std::string text = diagnosis_text(r);
  EXPECT_NE(text.find("IA32_VMX_PROCBASED_CTLS2: CPU 0 0x02177fff00000000, CPU 1 0x02177ffd00000000"),
            std::string::npos)
      << text;
}

TEST(Live, CpuinfoFallbackWhenMsrsAreNotReadable) {
  FakeReader fake;
  fake.fail_open = true;
  LiveOptions opts;
  opts.identity = intel_vmx();
  opts.reader = &fake;
  opts.cpuinfo_path = fixture("cpuinfo_intel_vmx.txt");
  opts.online_path = fixture("online_0-1.txt");
  Snapshot s = collect_live(opts);
  EXPECT_EQ(s.source, SourceKind::kCpuinfo);
  EXPECT_FALSE(s.msrs_available);
  EXPECT_NE(s.msr_error.find("/dev/cpu/0/msr"), std::string::npos);
  ASSERT_EQ(s.cpus.size(), 2u);
  EXPECT_EQ(s.cpus[0].vmx_flags.size(), 23u);
  Diagnosis r = diagnose(std::move(s));
  EXPECT_EQ(r.exit, ExitCode::kNoMsrAccess);
  EXPECT_TRUE(r.decoded.from_cpuinfo);
  EXPECT_EQ(r.verdicts.find("vmx_usable")->value, true);  // inferred from Linux keeping "vmx"
  EXPECT_EQ(r.verdicts.find("ept")->value, true);
  EXPECT_EQ(r.verdicts.find("invept_all_context")->value, std::nullopt);  // Linux does not show it
  EXPECT_EQ(r.verdicts.find("kvm.enable_ept")->value, std::nullopt);
  // Flags map onto the table names; what Linux does not print stays unknown.
  const DecodedMsr* pin = testing::decoded(r, msr::kVmxPinbasedCtls);
  ASSERT_NE(pin, nullptr);
  for (const auto& c : pin->controls) {
    if (c.bit == 5 || c.bit == 6 || c.bit == 7) {
      EXPECT_EQ(c.setting, Setting::kYes) << c.name;
    } else {
      EXPECT_EQ(c.setting, Setting::kUnknown) << c.name;
    }
  }
  testing::expect_controls(r, msr::kVmxProcbasedCtls2,
                           "0y 1y 2u 3u 4u 5y 6u 7y 8y 9y 10y 11u 12u 13u 14y 15u 16u 17y 18u 19u 20u 22y 23u "
                           "24u 25y 26n 27u 28u 30u 31u");
  // Any secondary flag means "Activate secondary controls" may be 1.
  for (const auto& c : testing::decoded(r, msr::kVmxProcbasedCtls)->controls) {
    if (c.bit == 31) {
      EXPECT_EQ(c.setting, Setting::kYes);
    }
  }
  // The flag Linux printed on CPU 1 only is reported as a difference.
  EXPECT_EQ(testing::check(r, "cpus.identical")->outcome, Outcome::kSkip);  // checks need raw MSRs
  const auto diffs = cpu_differences(r.snapshot);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].first_value, "only: -");
  EXPECT_EQ(diffs[0].value, "only: some_future_flag");
  EXPECT_EQ(r.decoded.unmapped_flags, std::vector<std::string>());  // CPU 0 has none
  EXPECT_FALSE(r.decoded.missing.empty());
  const std::string text = diagnosis_text(r);
  EXPECT_NE(text.find("Not available from this source"), std::string::npos);
  EXPECT_NE(text.find("INVEPT support and types"), std::string::npos);
}

TEST(Live, LinuxClearedVmxMeansDisabledByFirmware) {
  FakeReader fake;
  fake.fail_open = true;
  LiveOptions opts;
  opts.identity = intel_vmx();
  opts.reader = &fake;
  opts.cpuinfo_path = fixture("cpuinfo_intel_vmx_disabled.txt");
  opts.online_path = "/nonexistent";
  Diagnosis r = diagnose(collect_live(opts));
  EXPECT_EQ(r.exit, ExitCode::kDisabled);
  EXPECT_EQ(r.verdicts.find("vmx_usable")->value, false);
}

TEST(Live, SmxOnlyReadsFeatureControlOnly) {
  FakeReader fake;
  fake.values[0] = {{msr::kFeatureControl, 0x1}};
  Identity id = intel_vmx();
  id.vmx = false;
  id.smx = true;
  EXPECT_EQ(read_capability_msrs(id, fake).size(), 1u);
  EXPECT_EQ(fake.reads, std::vector<u32>({msr::kFeatureControl}));
}

TEST(Live, PenrynValuesImplyNoEptMsrs) {
  FakeReader fake;
  fake.values[0] = values_of_model("core2_penryn_t9600");
  fake.cpu = 0;
  std::vector<MsrRead> got = read_capability_msrs(intel_vmx(), fake);
  for (const auto& m : got) EXPECT_EQ(m.status, MsrStatus::kOk) << std::hex << m.index;
  for (u32 never : {msr::kVmxEptVpidCap, msr::kVmxVmfunc, msr::kVmxProcbasedCtls3, msr::kVmxExitCtls2})
    EXPECT_EQ(std::count(fake.reads.begin(), fake.reads.end(), never), 0) << std::hex << never;
  EXPECT_EQ(got.size(), 17u);
}

TEST(Live, CpuList) {
  EXPECT_EQ(parse_cpu_list("0-3,5\n"), std::vector<int>({0, 1, 2, 3, 5}));
  EXPECT_EQ(parse_cpu_list("0"), std::vector<int>({0}));
  EXPECT_TRUE(parse_cpu_list("3-1").empty());
  EXPECT_TRUE(parse_cpu_list("x").empty());
}

}  // namespace
}  // namespace vmxb::diag
