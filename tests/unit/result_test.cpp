// Status and Result (base/result.h): values and errors round-trip, and asking for an error
// that is not there is a defined programming error (std::logic_error), never undefined.
#define BOOST_TEST_MODULE result_test
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

#include "base/result.h"
#include "tests/support/test_bytes.h"

using namespace epurse;

BOOST_AUTO_TEST_CASE(an_ok_status_has_no_error) {
  const Status ok = Status::ok();
  BOOST_TEST(ok.isOk());
  BOOST_TEST(static_cast<bool>(ok));
  BOOST_TEST(ok.toString() == "ok");
  BOOST_CHECK_THROW((void)ok.error(), std::logic_error);
  BOOST_CHECK_THROW((void)Status().error(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_failed_status_carries_its_error) {
  const Status failed = makeError(ErrorCode::kMalformed, "short");
  BOOST_TEST(!failed.isOk());
  BOOST_TEST(!static_cast<bool>(failed));
  BOOST_TEST(failed.error().code == ErrorCode::kMalformed);
  BOOST_TEST(failed.error().message == "short");
  BOOST_TEST(failed.toString() == std::string(errorCodeName(ErrorCode::kMalformed)) + ": short");
}

BOOST_AUTO_TEST_CASE(a_result_from_an_ok_status_is_refused) {
  BOOST_CHECK_THROW((void)Result<int>(Status::ok()), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_result_round_trips_its_value) {
  Result<std::string> r = std::string("value");
  BOOST_TEST(r.isOk());
  BOOST_TEST(*r == "value");
  BOOST_TEST(r->size() == 5u);
  BOOST_TEST(r.status().isOk());
  const std::string moved = std::move(r).value();
  BOOST_TEST(moved == "value");
}

BOOST_AUTO_TEST_CASE(a_result_round_trips_its_error) {
  const Result<int> fromError = makeError(ErrorCode::kIo, "disk");
  BOOST_TEST(!fromError.isOk());
  BOOST_TEST(fromError.error().code == ErrorCode::kIo);
  BOOST_TEST(fromError.error().message == "disk");
  BOOST_TEST(fromError.status().error().message == "disk");

  const Result<int> fromStatus = Status(makeError(ErrorCode::kTimeout, "late"));
  BOOST_TEST(!fromStatus.isOk());
  BOOST_TEST(fromStatus.error().code == ErrorCode::kTimeout);
  BOOST_TEST(fromStatus.error().message == "late");
}
