// A test hook for the kill tests (tests/pcsc/epurse_transfer_test.cpp): a card process that
// dies at a chosen step of a transfer, deterministically, which killing it from outside while
// the program runs cannot do.
//
// EPURSE_TEST_KILL_CARD=STEP:PID, STEP one of start-from, start-to, req, val, ack, done:
// just before the program sends that step's command (done: after the last answer, before
// the statuses are read again), it SIGKILLs process PID and waits until it has died. Unset,
// nothing happens. docs/terminal.md, "Test hook".
#pragma once

#include <string_view>

namespace epurse::terminal {

inline constexpr const char* kKillCardEnvironment = "EPURSE_TEST_KILL_CARD";

// Called with the step about to run: "start-from", ..., "done".
void killCardHook(std::string_view step);

}  // namespace epurse::terminal
