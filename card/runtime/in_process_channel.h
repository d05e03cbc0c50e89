// A CardChannel straight into a CardOs in the same process: the terminal code under test
// runs unchanged, without pcscd, for unit tests and benchmarks.
#pragma once

#include "apdu/card_channel.h"
#include "card/runtime/card_os.h"

namespace epurse::card {

class InProcessChannel final : public CardChannel {
 public:
  explicit InProcessChannel(CardOs& card) : card_(&card) {}
  Result<Bytes> transmitRaw(ByteView command) override { return card_->process(command); }
  void rebind(CardOs& card) { card_ = &card; }

 private:
  CardOs* card_;
};

}  // namespace epurse::card
