// One throw-away PostgreSQL server (pg_server.h) for a whole test binary,
// started before the first test and stopped after the last, and a fresh
// database per test. A test on PostgreSQL fails, naming the package, when
// the server cannot start.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "reports/tests/pg_server.h"

namespace vmxb::reports::testing {

class PgEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { server_ = PgServer::start(error_); }
  void TearDown() override { server_.reset(); }

  // A new database's URL, or "" with `why` set.
  std::string new_database(const std::string& prefix, std::string& why) {
    static std::atomic<int> counter{0};
    if (!server_) {
      why = "PostgreSQL test server: " + error_;
      return "";
    }
    return server_->create_database(prefix + std::to_string(++counter));
  }

 private:
  std::unique_ptr<PgServer> server_;
  std::string error_;
};

// Registered once per test binary, by the first caller.
inline PgEnvironment& pg_environment() {
  static PgEnvironment* const env =
      static_cast<PgEnvironment*>(::testing::AddGlobalTestEnvironment(new PgEnvironment));
  return *env;
}

}  // namespace vmxb::reports::testing
