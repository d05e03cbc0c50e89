// How an applet refuses a command (Java Card's ISOException): it throws with the status word
// and the card's one dispatcher turns it into the response and aborts any open transaction.
#pragma once

#include <stdexcept>
#include <string>

#include "apdu/status_word.h"

namespace epurse::card {

class IsoException : public std::runtime_error {
 public:
  explicit IsoException(sw::StatusWord status) : std::runtime_error(sw::describe(status)), sw_(status) {}
  sw::StatusWord sw() const { return sw_; }

  [[noreturn]] static void throwIt(sw::StatusWord status) { throw IsoException(status); }

 private:
  sw::StatusWord sw_;
};

}  // namespace epurse::card
