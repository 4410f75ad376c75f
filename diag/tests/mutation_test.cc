// The dump reader against deterministic mutations of every dump in
// diag/testdata: it accepts or rejects, never crashes or throws, and what it
// accepts diagnoses and prints. Longer: VMXBENCH_MUTATIONS=N (diag/README.md).
#include <gtest/gtest.h>

#include <filesystem>

#include "diag/diagnosis.h"
#include "diag/dump.h"
#include "diag/message_text.h"
#include "diag/tests/cli_util.h"
#include "diag/tests/mutator.h"

namespace vmxb::diag {
namespace {

TEST(Mutation, DumpReaderNeverCrashes) {
  const int per_seed = vmxb::testing::mutation_count(400);
  int seeds = 0, accepted = 0;
  for (const auto& entry : std::filesystem::directory_iterator("diag/testdata")) {
    const std::string seed = testing::slurp(entry.path().string());
    vmxb::testing::Mutator m(0x5eed0000ull + static_cast<unsigned long long>(seeds++));
    for (int i = 0; i < per_seed; ++i) {
      const std::string input = m.mutate(seed);
      Snapshot s;
      InputError error;
      bool ok = false;
      ASSERT_NO_THROW(ok = parse_snapshot(input, s, error)) << entry.path() << " mutation " << i;
      if (!ok) {
        EXPECT_EQ(input::printable(error.message), error.message) << "unescaped: " << entry.path() << " mutation " << i;
        continue;
      }
      ++accepted;
      ASSERT_NO_THROW({
        const Diagnosis d = diagnose(std::move(s));
        (void)diagnosis_json(d).dump();
        (void)diagnosis_text(d);
      }) << entry.path() << " mutation " << i;
    }
  }
  EXPECT_GE(seeds, 3);
  RecordProperty("accepted", accepted);
}

}  // namespace
}  // namespace vmxb::diag
