// Simulated power loss. A test arms the injector with N; the Nth persistent write then throws
// PowerLost instead of happening. TransactionStore counts every applet write into persistent
// memory; a test Env (tests/support/fault_injection_env.h) counts every write and sync of the
// card image too. The POSIX Env counts nothing: real power losses need no simulation. PowerLost is deliberately not a std::exception: no applet
// or dispatcher catches it, exactly as no code runs on a card whose power is gone. The test
// catches it, drops the card object and powers a new one up from the image.
#pragma once

#include <cstdint>

namespace epurse::card {

struct PowerLost {
  std::uint64_t atWrite;
};

class TearInjector {
 public:
  // Tear at the nth persistent write from now (1-based); 0 disarms.
  void arm(std::uint64_t n) {
    armedAt_ = n == 0 ? 0 : count_ + n;
  }
  void disarm() { armedAt_ = 0; }
  std::uint64_t count() const { return count_; }

  // Called before every persistent write.
  void beforeWrite() {
    ++count_;
    if (armedAt_ != 0 && count_ == armedAt_) {
      armedAt_ = 0;
      throw PowerLost{count_};
    }
  }

 private:
  std::uint64_t count_ = 0;
  std::uint64_t armedAt_ = 0;
};

}  // namespace epurse::card
