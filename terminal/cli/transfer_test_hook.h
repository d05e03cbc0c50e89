// Test hooks for the kill and signal tests (tests/pcsc/epurse_transfer_test.cpp,
// epurse_pay_test.cpp): a card process that dies, or a signal that reaches the program, at a
// chosen step of a transfer, deterministically, which signalling from outside while the program
// runs cannot do. STEP is one of start-from, start-to, req, val, ack, done: just before the
// program sends that step's command (done: after the last answer, before the statuses are read
// again).
//
// EPURSE_TEST_KILL_CARD=STEP:PID: SIGKILLs process PID and waits until it has died.
// EPURSE_TEST_SIGNAL_AT=STEP:SIGNAL (a number): the program raises SIGNAL in itself, as if
// the user had pressed Ctrl-C (2) at that moment. Unset, nothing happens. docs/terminal.md,
// "Test hooks".
#pragma once

#include <string_view>

namespace epurse::terminal {

inline constexpr const char* kKillCardEnvironment = "EPURSE_TEST_KILL_CARD";
inline constexpr const char* kSignalAtEnvironment = "EPURSE_TEST_SIGNAL_AT";

// Called with the step about to run: "start-from", ..., "done".
void transferStepHook(std::string_view step);

}  // namespace epurse::terminal
